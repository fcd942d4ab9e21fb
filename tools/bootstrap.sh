#!/usr/bin/env bash
# Installs podstack's dependencies on Debian 12 (bookworm) with apt.
#   bootstrap.sh          build and test dependencies (what ./tools/test.sh needs)
#   bootstrap.sh build    only what compiling the `podstack` binary needs (the Docker build stage)
#   bootstrap.sh docker   Docker engine, compose and debootstrap (tools/docker_image.sh, the docker test)
#   bootstrap.sh fuzz     clang with libFuzzer and the sanitizer runtimes (tests/fuzz/run.sh)
# Non-interactive and idempotent: re-running it only installs what is missing.
set -euo pipefail

build_pkgs=(
  build-essential cmake ninja-build pkg-config
  librocksdb-dev libboost1.81-dev libboost-json1.81-dev libprotobuf-dev protobuf-compiler
  libzstd-dev libspdlog-dev libfmt-dev libcli11-dev libssl-dev libtcmalloc-minimal4
)
case "${1:-all}" in
  build)
    pkgs=("${build_pkgs[@]}")
    ;;
  docker)
    pkgs=(docker.io docker-compose debootstrap ca-certificates)
    ;;
  fuzz)
    # The ctest fuzz/* replays build with gcc; real fuzzing needs clang's libFuzzer.
    # clang 16: clang 14 cannot capture structured bindings in lambdas (C++20), which the tree does.
    pkgs=("${build_pkgs[@]}" ccache clang-16 libclang-rt-16-dev)
    ;;
  all)
    pkgs=(
      "${build_pkgs[@]}" ccache git libboost1.81-all-dev doctest-dev
      # tests: real AWS clients and the benchmark load generator
      python3 python3-pytest python3-boto3 python3-botocore awscli python3-aiosmtpd
      python3-cryptography  # test_kms.py verifies KMS signatures and RSA ciphertexts outside podstack
      nodejs wrk curl ca-certificates procps
      # the web console's browser tests (tests/ui: playwright-core drives it headless)
      chromium
      # the benchmarks' loopback ceiling (tests/bench: nginx serving a 1 KiB file)
      nginx-light
    )
    # Debian's nodejs ships npm separately; NodeSource's nodejs bundles it and
    # conflicts with Debian's npm package.
    command -v npm >/dev/null 2>&1 || pkgs+=(npm)
    ;;
  *)
    echo "usage: bootstrap.sh [build|docker|fuzz]" >&2
    exit 2
    ;;
esac

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
