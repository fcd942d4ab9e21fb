#!/usr/bin/env bash
# Real fuzzing: builds every target with clang, libFuzzer, ASan and UBSan
# into build-fuzz/ and runs each for SECONDS (default 60), then merges what
# it found into the committed corpus (only inputs that add coverage, at most
# -max_len bytes each). A crash or invariant violation stops that target:
# its input is kept as tests/fuzz/corpus/<target>/regression-<sha1>, which
# the ctest replay (fuzz/<target>) runs from then on, and the script exits 1
# after the other targets ran.
#
#   tests/fuzz/run.sh [SECONDS] [TARGET...]
#
# Ends with a table: executions, exec/s and libFuzzer's final cov/ft.
set -euo pipefail
cd "$(dirname "$0")/../.."
SECONDS_EACH=${1:-60}
shift || true
TARGETS=("$@")
if [ ${#TARGETS[@]} -eq 0 ]; then
  TARGETS=(gateway xml codec s3_chunked s3_form dynamodb_expression partiql sns_filter_policy pod event_replay)
fi
MAX_LEN=${MAX_LEN:-4096}

./tools/bootstrap.sh fuzz
if [ ! -f build-fuzz/build.ninja ]; then
  CC=clang-16 CXX=clang++-16 cmake -S . -B build-fuzz -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DPODSTACK_FUZZ=ON >/dev/null
fi
cmake --build build-fuzz --target "${TARGETS[@]/%/_fuzz}" -- -j"$(nproc)"

logs=build-fuzz/fuzz-logs
mkdir -p "$logs"
failed=()
summary=()
for t in "${TARGETS[@]}"; do
  corpus=tests/fuzz/corpus/$t
  found=$(mktemp -d)
  crashes=$(mktemp -d)
  mkdir -p "$corpus"
  dict=()
  [ -f "tests/fuzz/dict/$t.dict" ] && dict=(-dict="tests/fuzz/dict/$t.dict")
  echo "== $t: ${SECONDS_EACH}s"
  rc=0
  # New inputs go to $found (the first directory); the corpus is read only.
  "build-fuzz/tests/fuzz/${t}_fuzz" -max_total_time="$SECONDS_EACH" -max_len="$MAX_LEN" -timeout=25 \
    -print_final_stats=1 -artifact_prefix="$crashes/" "${dict[@]}" "$found" "$corpus" >"$logs/$t.log" 2>&1 || rc=$?
  # Keep what adds coverage to the committed corpus.
  "build-fuzz/tests/fuzz/${t}_fuzz" -merge=1 -max_len="$MAX_LEN" "$corpus" "$found" >"$logs/$t.merge.log" 2>&1 || true
  for c in "$crashes"/*; do
    [ -f "$c" ] || continue
    dest="$corpus/regression-$(sha1sum "$c" | cut -c1-40)"
    cp "$c" "$dest"
    echo "   $(basename "$c") -> $dest"
  done
  rm -rf "$found" "$crashes"
  if [ $rc -ne 0 ]; then
    failed+=("$t")
    grep -E "==fuzz==|ERROR: |SUMMARY: |runtime error" "$logs/$t.log" | head -5 | sed 's/^/   /' || true
  fi
  runs=$(grep -o 'stat::number_of_executed_units: [0-9]*' "$logs/$t.log" | awk '{print $2}' | tail -1)
  speed=$(grep -o 'stat::average_exec_per_sec: [0-9]*' "$logs/$t.log" | awk '{print $2}' | tail -1)
  last=$(grep -E '^#[0-9]+' "$logs/$t.log" | grep -o 'cov: [0-9]* ft: [0-9]*' | tail -1)
  summary+=("$(printf '%-20s %10s %8s   %s%s' "$t" "${runs:-?}" "${speed:-?}" "${last:-?}" "$([ $rc -ne 0 ] && echo '   FAILED')")")
done

printf '\n%-20s %10s %8s   %s\n' target execs exec/s coverage
printf '%s\n' "${summary[@]}"
echo "corpus: $(du -sh tests/fuzz/corpus | cut -f1) (logs in $logs)"
if [ ${#failed[@]} -gt 0 ]; then
  echo "crashed or violated an invariant: ${failed[*]}" >&2
  exit 1
fi
