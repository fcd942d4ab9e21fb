#!/usr/bin/env bash
# Gets a Debian 12 machine ready to build and run podstack's image: installs
# docker.io, docker-compose and debootstrap (tools/bootstrap.sh docker),
# starts dockerd when none answers and there is no systemd to do it (CI
# containers, fresh VMs), and makes the local base image (tools/docker_base.sh).
# Idempotent. Exits non-zero, with the reason, when Docker cannot run here.
set -euo pipefail
cd "$(dirname "$0")/.."
./tools/bootstrap.sh docker
if ! docker info >/dev/null 2>&1; then
  if [ -d /run/systemd/system ]; then
    ${SUDO:-} systemctl start docker
  elif [ "$(id -u)" -eq 0 ]; then
    echo "docker_setup.sh: starting dockerd (log: /var/log/dockerd.log)" >&2
    nohup dockerd >/var/log/dockerd.log 2>&1 &
  fi
  for _ in $(seq 1 60); do docker info >/dev/null 2>&1 && break; sleep 0.5; done
  if ! docker info >/dev/null 2>&1; then
    echo "docker_setup.sh: the Docker daemon does not answer (see /var/log/dockerd.log)" >&2
    exit 1
  fi
fi
./tools/docker_base.sh
