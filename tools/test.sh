#!/usr/bin/env bash
# Quick start, command 2: install dependencies, build, and run the whole test
# suite (unit, integration with boto3 and the aws CLI, crash, JS SDK smoke)
# through ctest.
set -euo pipefail
cd "$(dirname "$0")/.."
./tools/bootstrap.sh
./tools/build.sh
for d in tests/js tests/ui tests/remote tests/docker/testcontainers; do
  if [ -f "$d/package-lock.json" ]; then
    (cd "$d" && npm ci --no-audit --no-fund --loglevel=error >/dev/null)
  fi
done
cd build
exec ctest --output-on-failure -j1 "$@"
