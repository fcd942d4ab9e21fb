#!/usr/bin/env bash
# Builds podstack's image from docker/Dockerfile, tagged podstack:<version>
# and podstack:latest (PODSTACK_IMAGE=name to change "podstack").
#
#   tools/docker_image.sh                     compile podstack inside the build stage (several minutes on 2 cores)
#   tools/docker_image.sh --prebuilt BINARY   package a binary built on this Debian 12 machine (seconds)
#   tools/docker_image.sh --tag NAME:TAG      tag only NAME:TAG
#
# BASE: the Debian 12 image to start from. Default podstack-base:bookworm,
# made locally by tools/docker_base.sh (no registry needed); with a registry,
# BASE=debian:bookworm-slim builds from Docker Hub's image instead.
set -euo pipefail
cd "$(dirname "$0")/.."
image=${PODSTACK_IMAGE:-podstack}
base=${BASE:-podstack-base:bookworm}
prebuilt="" tags=()
while (($#)); do
  case "$1" in
    --prebuilt) prebuilt=$2; shift 2 ;;
    --tag) tags+=("$2"); shift 2 ;;
    *) echo "usage: docker_image.sh [--prebuilt BINARY] [--tag NAME:TAG]" >&2; exit 2 ;;
  esac
done
if [ "$base" = podstack-base:bookworm ]; then
  ./tools/docker_base.sh
fi

version=$(sed -n 's/^project(podstack VERSION \([0-9.]*\).*/\1/p' CMakeLists.txt)
args=(--build-arg "BASE=$base" -f docker/Dockerfile)
if [ -n "$prebuilt" ]; then
  # A context of two files: the stripped binary and its runtime packages.
  ctx=$(mktemp -d /tmp/podstack-image.XXXXXX)
  trap 'rm -rf "$ctx"' EXIT
  mkdir "$ctx/prebuilt"
  strip -o "$ctx/prebuilt/podstack" "$prebuilt"
  ./tools/runtime_packages.sh "$prebuilt" >"$ctx/prebuilt/runtime-packages"
  info=$("$prebuilt" version --json)
  field() { python3 -c 'import json,sys; print(json.loads(sys.argv[1])[sys.argv[2]])' "$info" "$1"; }
  version=$(field version)
  commit=$(field commit)
  build_date=$(field build_date)
  args+=(--build-arg PREBUILT=prebuilt/podstack)
  context=$ctx
else
  commit=$(git rev-parse HEAD 2>/dev/null || echo unknown)
  [ -z "$(git status --porcelain --untracked-files=no 2>/dev/null)" ] || commit="$commit-dirty"
  build_date=$(date -u +%Y-%m-%dT%H:%M:%SZ)
  context=.
fi
((${#tags[@]})) || tags=("$image:$version" "$image:latest")
for t in "${tags[@]}"; do args+=(-t "$t"); done
args+=(--build-arg "VERSION=$version" --build-arg "COMMIT=$commit" --build-arg "BUILD_DATE=$build_date")
docker build -q "${args[@]}" "$context" >/dev/null
for t in "${tags[@]}"; do
  echo "$t ($(docker image inspect -f '{{.Size}}' "$t" | awk '{printf "%.0f MB", $1/1e6}'))"
done
