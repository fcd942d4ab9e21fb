#!/usr/bin/env bash
# Postgres 15 and Redis 7 images for docker/compose.yaml where no registry is
# reachable. For each of postgres:15 and redis:7: present locally, or pulled
# (unless --no-pull), it is used as is; otherwise a stand-in is built from
# Debian 12's own packages on the local base image (tools/docker_base.sh) and
# tagged podstack-local/postgres:15 / podstack-local/redis:7 — not the
# official images, just enough of them for the example stack (see
# docker/example/standins/*/Dockerfile).
#
# Prints the variables compose.yaml reads, as an env file:
#   ./tools/docker_standins.sh > docker/local.env
#   docker-compose --env-file docker/local.env -f docker/compose.yaml up -d --build
# BASE (the app's base image) is podstack-base:bookworm unless set.
set -euo pipefail
cd "$(dirname "$0")/.."
pull=1
case "${1:-}" in
  --no-pull) pull=0 ;;
  "") ;;
  *) echo "usage: docker_standins.sh [--no-pull]" >&2; exit 2 ;;
esac
base=${BASE:-podstack-base:bookworm}
[ "$base" != podstack-base:bookworm ] || ./tools/docker_base.sh

have() { docker image inspect "$1" >/dev/null 2>&1; }
pick() {  # official-tag stand-in-tag dockerfile-dir
  if have "$1" || { ((pull)) && timeout 300 docker pull -q "$1" >/dev/null 2>&1; }; then
    echo "$1"
    return
  fi
  echo "docker_standins.sh: no $1 here; using the stand-in $2 (docker/$3; a cached build when unchanged)" >&2
  if ! out=$(docker build -q --build-arg "BASE=$base" -t "$2" "docker/$3" 2>&1); then
    echo "$out" >&2
    exit 1
  fi
  echo "docker_standins.sh: $2 ($(docker image inspect -f '{{.Size}}' "$2" | awk '{printf "%.0f MB", $1/1e6}'))" >&2
  echo "$2"
}
postgres=$(pick postgres:15 podstack-local/postgres:15 example/standins/postgres)
redis=$(pick redis:7 podstack-local/redis:7 example/standins/redis)
echo "POSTGRES_IMAGE=$postgres"
echo "REDIS_IMAGE=$redis"
echo "BASE=$base"
