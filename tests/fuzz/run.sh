#!/usr/bin/env bash
# Real fuzzing: builds every target with clang, libFuzzer, ASan and UBSan
# into build-fuzz/ and runs each for SECONDS (default 60), then merges what
# it found into the committed corpus (only inputs that add coverage, at most
# MAX_LEN bytes each).
#
# libFuzzer runs in fork mode and goes on after a crash or an invariant
# violation (today's code has known ones: one would otherwise end a target's
# run at its first seed). Every crashing input is kept in
# build-fuzz/fuzz-crashes/<target>/; the few smallest become
# tests/fuzz/corpus/<target>/regression-<sha1>, which the ctest replay
# (fuzz/<target>) runs from then on. The script exits 1 if any target crashed.
#
#   tests/fuzz/run.sh [SECONDS] [TARGET...]
#
# Ends with a table: executions, exec/s, libFuzzer's final cov and ft, crashes.
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
  crashes=build-fuzz/fuzz-crashes/$t
  found=$(mktemp -d)
  rm -rf "$crashes"
  mkdir -p "$corpus" "$crashes"
  dict=()
  [ -f "tests/fuzz/dict/$t.dict" ] && dict=(-dict="tests/fuzz/dict/$t.dict")
  echo "== $t: ${SECONDS_EACH}s"
  # New inputs go to $found (the first directory); the corpus is only read.
  "build-fuzz/tests/fuzz/${t}_fuzz" -fork=1 -ignore_crashes=1 -ignore_timeouts=1 -ignore_ooms=1 \
    -max_total_time="$SECONDS_EACH" -max_len="$MAX_LEN" -timeout=25 -artifact_prefix="$crashes/" "${dict[@]}" \
    "$found" "$corpus" >"$logs/$t.log" 2>&1 || true
  # Keep what adds coverage to the committed corpus.
  "build-fuzz/tests/fuzz/${t}_fuzz" -merge=1 -max_len="$MAX_LEN" -artifact_prefix="$crashes/" "$corpus" "$found" >"$logs/$t.merge.log" 2>&1 || true
  rm -rf "$found"
  ncrash=$(find "$crashes" -type f | wc -l)
  if [ "$ncrash" -gt 0 ]; then
    failed+=("$t")
    # The smallest few become regression inputs; the rest stay for a look.
    find "$crashes" -type f -printf '%s %p\n' | sort -n | head -"${KEEP_CRASHES:-3}" | while read -r _ c; do
      dest="$corpus/regression-$(sha1sum "$c" | cut -c1-40)"
      cp "$c" "$dest"
      echo "   $(basename "$c") -> $dest"
    done || true
    grep -h "==fuzz==\|SUMMARY: \|runtime error" "$logs/$t.log" | sort | uniq -c | sort -rn | head -5 | sed 's/^/   /' || true
  fi
  # Fork mode's status line: "#RUNS: cov: C ft: F corp: N exec/s E oom/timeout/crash: a/b/c time: Ts ..."
  last=$(grep -E '^#[0-9]+: cov: ' "$logs/$t.log" | tail -1 || true)
  runs=$(sed -E 's/^#([0-9]+):.*/\1/' <<<"$last")
  speed=$(grep -oE 'exec/s: ?[0-9]+' <<<"$last" | grep -oE '[0-9]+$' || true)
  cov=$(grep -oE 'cov: [0-9]+ ft: [0-9]+' <<<"$last" || true)
  summary+=("$(printf '%-20s %10s %8s   %-22s %s' "$t" "${runs:-?}" "${speed:-?}" "${cov:-?}" "$ncrash")")
done

printf '\n%-20s %10s %8s   %-22s %s\n' target execs exec/s coverage crashes
printf '%s\n' "${summary[@]}"
echo "corpus: $(du -sh tests/fuzz/corpus | cut -f1) (logs in $logs)"
if [ ${#failed[@]} -gt 0 ]; then
  echo "crashed or violated an invariant: ${failed[*]} (inputs in build-fuzz/fuzz-crashes/)" >&2
  exit 1
fi
