#!/usr/bin/env bash
# Builds the fuzzers with clang into build-fuzz/ and runs each for SECONDS
# (default 60), growing the committed corpus with what they find.
set -euo pipefail
cd "$(dirname "$0")/../.."
SECONDS_EACH=${1:-60}
if [ ! -f build-fuzz/build.ninja ]; then
  CC=clang CXX=clang++ cmake -S . -B build-fuzz -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DPODSTACK_FUZZ=ON >/dev/null
fi
cmake --build build-fuzz --target gateway_fuzz xml_fuzz
for t in gateway xml; do
  mkdir -p "tests/fuzz/corpus/$t"
  "build-fuzz/tests/fuzz/${t}_fuzz" -max_total_time="$SECONDS_EACH" -max_len=4096 "tests/fuzz/corpus/$t"
done
