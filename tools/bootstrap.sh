#!/usr/bin/env bash
# Installs every build and test dependency of podstack on Debian 12 (bookworm).
# Non-interactive and idempotent: re-running it only installs what is missing.
set -euo pipefail

pkgs=(
  # build
  build-essential cmake ninja-build ccache pkg-config git
  librocksdb-dev libboost1.81-all-dev libboost-json1.81-dev libprotobuf-dev protobuf-compiler
  libzstd-dev libspdlog-dev libfmt-dev doctest-dev libcli11-dev libssl-dev
  # tests: real AWS clients and the benchmark load generator
  python3 python3-pytest python3-boto3 python3-botocore awscli
  nodejs wrk curl ca-certificates procps
)
# Debian's nodejs ships npm separately; NodeSource's nodejs bundles it and
# conflicts with Debian's npm package.
command -v npm >/dev/null 2>&1 || pkgs+=(npm)

missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

if ((${#missing[@]})); then
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
