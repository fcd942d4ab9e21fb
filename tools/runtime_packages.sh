#!/usr/bin/env bash
# Prints the Debian packages that hold the shared libraries BINARY needs at
# run time (ldd -> dpkg -S), one per line: the runtime image installs exactly
# these. Run where the binary was built (same Debian release as the image).
set -euo pipefail
bin=${1:?usage: runtime_packages.sh BINARY}
ldd "$bin" | awk '$3 ~ /^\// {print $3} $1 ~ /^\// {print $1}' | while read -r lib; do
  # usrmerge: /lib/x86_64-linux-gnu/… is registered as /usr/lib/… for some packages (and vice versa)
  real=$(readlink -f "$lib")
  found=""
  for p in "$lib" "$real" "/usr$lib" "${lib#/usr}" "/usr$real" "${real#/usr}"; do
    if pkg=$(dpkg -S "$p" 2>/dev/null); then found=${pkg%%:*}; break; fi
  done
  if [ -n "$found" ]; then echo "$found"; else echo "runtime_packages.sh: no package owns $lib" >&2; exit 1; fi
done | sed 's/,.*//' | sort -u
