#!/usr/bin/env bash
# Builds podstack's image from docker/Dockerfile, tagged podstack:<version>
# and podstack:latest (PODSTACK_IMAGE=name to change "podstack"), and its
# hooks variant (the aws CLI and `awslocal` added, for LocalStack-style init
# hooks): every tag again with "-hooks" appended, podstack:<version>-hooks and
# podstack:latest-hooks (LocalStack's own variants are tagged the same way,
# latest-<variant>).
#
#   tools/docker_image.sh                     compile podstack inside the build stage (several minutes on 2 cores)
#   tools/docker_image.sh --prebuilt BINARY   package a binary built on this Debian 12 machine (seconds)
#   tools/docker_image.sh --tag NAME:TAG      tag only NAME:TAG (and NAME:TAG-hooks)
#   tools/docker_image.sh --no-hooks          skip the hooks variant (it installs the aws CLI: ~1 minute)
#
# BASE: the Debian 12 image to start from. Default podstack-base:bookworm,
# made locally by tools/docker_base.sh (no registry needed); with a registry,
# BASE=debian:bookworm-slim builds from Docker Hub's image instead.
set -euo pipefail
cd "$(dirname "$0")/.."
image=${PODSTACK_IMAGE:-podstack}
base=${BASE:-podstack-base:bookworm}
prebuilt="" tags=() hooks=1
while (($#)); do
  case "$1" in
    --prebuilt) prebuilt=$2; shift 2 ;;
    --tag) tags+=("$2"); shift 2 ;;
    --no-hooks) hooks=0; shift ;;
    *) echo "usage: docker_image.sh [--prebuilt BINARY] [--tag NAME:TAG] [--no-hooks]" >&2; exit 2 ;;
  esac
done
if [ "$base" = podstack-base:bookworm ]; then
  ./tools/docker_base.sh
fi

version=$(sed -n 's/^project(podstack VERSION \([0-9.]*\).*/\1/p' CMakeLists.txt)
args=(--build-arg "BASE=$base" -f docker/Dockerfile)
if [ -n "$prebuilt" ]; then
  # A context of three files: the stripped binary, its runtime packages and
  # the hooks stage's awslocal.
  ctx=$(mktemp -d /tmp/podstack-image.XXXXXX)
  trap 'rm -rf "$ctx"' EXIT
  mkdir "$ctx/prebuilt" "$ctx/docker"
  install -m 0755 docker/awslocal "$ctx/docker/awslocal"
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
args+=(--build-arg "VERSION=$version" --build-arg "COMMIT=$commit" --build-arg "BUILD_DATE=$build_date")
# One build per target; the hooks build finds the runtime stages in the cache.
build() {  # TARGET SUFFIX
  local t built=()
  for t in "${tags[@]}"; do built+=(-t "$t$2"); done
  docker build -q --target "$1" "${args[@]}" "${built[@]}" "$context" >/dev/null
  for t in "${tags[@]}"; do
    echo "$t$2 ($(docker image inspect -f '{{.Size}}' "$t$2" | awk '{printf "%.0f MB", $1/1e6}'))"
  done
}
build runtime ""
((hooks == 0)) || build hooks -hooks
