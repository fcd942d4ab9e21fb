#!/usr/bin/env bash
# Quick start, command 1: install dependencies, build, and run podstack on
# 127.0.0.1:4566 with persistent state in ./.podstack (override with env vars,
# e.g. GATEWAY_LISTEN=0.0.0.0:4566 DATA_DIR=/var/lib/podstack).
set -euo pipefail
cd "$(dirname "$0")/.."
./tools/bootstrap.sh
./tools/build.sh
export PERSISTENCE=${PERSISTENCE:-1}
exec ./build/tools/podstack serve
