# Shared helpers for integration tests: sourced, never run. Each test is one behaviour, runs the
# real bale binary ($BALE) as root in its own temp dir with its own key and trust store, and
# exits 0 (pass), 1 (fail) or 77 (skipped: a prerequisite is missing).
set -euo pipefail

: "${BALE:?set BALE to the bale binary}"
: "${BALE_SRC:=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}"
T=$(mktemp -d /tmp/bale-it.XXXXXX)
export BALE_CONFIG_DIR="$T/config"   # never the host's /etc/bale
trap 'cd /; rm -rf "$T"' EXIT
cd "$T"

fail() { echo "FAIL: $*" >&2; exit 1; }
skip() { echo "SKIP: $*" >&2; exit 77; }
need() { command -v "$1" >/dev/null 2>&1 || skip "$1 is not installed"; }

# expect_fail CODE PATTERN CMD...: CMD must exit with CODE and print PATTERN (grep -E) on stderr.
expect_fail() {
  local code=$1 pattern=$2; shift 2
  local rc=0
  "$@" >"$T/.out" 2>"$T/.err" || rc=$?
  [ "$rc" -eq "$code" ] || fail "'$*' exited $rc, expected $code; stderr: $(cat "$T/.err")"
  grep -qE -- "$pattern" "$T/.err" || fail "'$*' stderr lacks /$pattern/: $(cat "$T/.err")"
}

# A minimal root filesystem: static busybox with a few applet links.
make_busybox_root() {
  local root=$1
  mkdir -p "$root/bin" "$root/etc" "$root/tmp"
  cp /bin/busybox "$root/bin/busybox"
  for a in sh echo cat ls true false; do ln -sf busybox "$root/bin/$a"; done
  echo "root:x:0:0:root:/root:/bin/sh" >"$root/etc/passwd"
  chmod 1777 "$root/tmp"
}
