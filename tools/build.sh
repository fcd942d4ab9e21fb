#!/usr/bin/env bash
# Configures (once) and builds podstack into build/ with ccache. Quiet on success.
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD_DIR=${BUILD_DIR:-build}
if [ ! -f "$BUILD_DIR/build.ninja" ]; then
  cmake -S . -B "$BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo ${PODSTACK_CMAKE_ARGS:-} >/dev/null
fi
cmake --build "$BUILD_DIR" -- -j"$(nproc)"
