#!/usr/bin/env bash
# Builds the base image docker/Dockerfile starts from when no registry is
# reachable: a minimal Debian 12 made with debootstrap and `docker import`ed as
# podstack-base:bookworm (override with PODSTACK_BASE_IMAGE). Idempotent: does
# nothing when the image exists. Elsewhere, skip this and build from the
# registry's debian:bookworm-slim (the Dockerfile's default BASE).
#
# The tree is trimmed the way debian:bookworm-slim is (no docs, man pages or
# locales; dpkg told not to install them again) so the runtime image stays small.
set -euo pipefail
IMAGE=${PODSTACK_BASE_IMAGE:-podstack-base:bookworm}
MIRROR=${DEBIAN_MIRROR:-http://deb.debian.org/debian}

if docker image inspect "$IMAGE" >/dev/null 2>&1; then
  exit 0
fi
command -v debootstrap >/dev/null || { echo "docker_base.sh: needs debootstrap (apt-get install debootstrap)" >&2; exit 1; }
[ "$(id -u)" -eq 0 ] || { echo "docker_base.sh: debootstrap needs root" >&2; exit 1; }

root=$(mktemp -d /tmp/podstack-base.XXXXXX)
trap 'rm -rf "$root"' EXIT
echo "docker_base.sh: debootstrap bookworm into $root (about a minute)" >&2
debootstrap --variant=minbase bookworm "$root" "$MIRROR" >/dev/null

cat >"$root/etc/dpkg/dpkg.cfg.d/docker-slim" <<'CFG'
path-exclude /usr/share/doc/*
path-include /usr/share/doc/*/copyright
path-exclude /usr/share/man/*
path-exclude /usr/share/info/*
path-exclude /usr/share/locale/*
path-exclude /usr/share/lintian/*
CFG
cat >"$root/etc/apt/apt.conf.d/docker-clean" <<'CFG'
APT::Install-Recommends "false";
DPkg::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };
CFG
find "$root/usr/share/doc" -mindepth 2 -not -name copyright -not -type d -delete 2>/dev/null || true
rm -rf "$root"/usr/share/{man,info,locale,lintian}/* "$root"/var/lib/apt/lists/* "$root"/var/cache/apt/*.bin \
       "$root"/var/cache/apt/archives/*.deb "$root"/var/log/*.log "$root"/tmp/*
tar -C "$root" -c . | docker import \
  -c 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
  -c 'CMD ["bash"]' - "$IMAGE" >/dev/null
echo "docker_base.sh: made $IMAGE ($(docker image inspect -f '{{.Size}}' "$IMAGE" | awk '{printf "%.0f MB", $1/1e6}'))" >&2
