# shellcheck shell=bash
# Shared helpers for integration tests: sourced, never run. Each test is one behaviour, runs the
# real bale binary ($BALE) as root in its own temp dir with its own key and trust store, and
# exits 0 (pass), 1 (fail) or 77 (skipped: a prerequisite is missing).
set -euo pipefail

: "${BALE:?set BALE to the bale binary}"
: "${BALE_SRC:=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}"
T=$(mktemp -d /tmp/bale-it.XXXXXX)
export BALE_CONFIG_DIR="$T/config"   # never the host's /etc/bale
export BALE_RUN_DIR="$T/run"         # records of running containers (bale ps), never /run/bale
trap 'cd /; rm -rf "$T"' EXIT
cd "$T"

fail() { echo "FAIL: $*" >&2; exit 1; }
# CMD | grepq [GREP OPTIONS] PATTERN: `grep -q` that reads all of its input first. Under
# pipefail, `CMD | grep -q` fails at random: grep exits at the first match, and CMD, still
# writing, dies of SIGPIPE.
grepq() {
  local input
  input=$(cat)
  grep -q "$@" <<<"$input"
}
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

# expect_silent CMD...: CMD must exit 0 and print nothing on stderr (a tool's warning is a defect
# in the image it read). Its stdout is left in $T/.out.
expect_silent() {
  local rc=0
  "$@" >"$T/.out" 2>"$T/.err" || rc=$?
  [ "$rc" -eq 0 ] || fail "'$*' exited $rc; stderr: $(cat "$T/.err")"
  [ ! -s "$T/.err" ] || fail "'$*' printed on stderr: $(cat "$T/.err")"
}

# A tree with what a root filesystem holds besides plain files: nested and empty directories,
# symlinks (relative, absolute, dangling), hardlinks, odd modes and owners, names with spaces,
# UTF-8 names, and names past the 100-byte ustar field and past 255 bytes of path. Every time is
# a whole second, since a tar keeps no more.
make_rich_tree() {
  local r=$1 deep long i
  mkdir -p "$r/etc" "$r/usr/share/doc" "$r/var/empty" "$r/srv/data"
  printf 'line one\nline two\n' >"$r/etc/hostname.conf"
  : >"$r/etc/empty"
  head -c 3000000 /dev/urandom >"$r/srv/data/random.bin"     # spans three 1 MiB chunks
  awk 'BEGIN { for (i = 0; i < 140000; i++) print "compressible text" }' >"$r/srv/data/text.txt"
  echo spaced >"$r/usr/share/doc/a name with spaces"
  echo 'grüße' >"$r/usr/share/doc/grüße-ünïcödé-日本語.txt"
  ln -s ../etc/hostname.conf "$r/usr/share/doc/rel-link"
  ln -s /etc/hostname.conf "$r/usr/share/doc/abs-link"
  ln -s /nowhere/at/all "$r/usr/share/doc/dangling"
  ln "$r/etc/hostname.conf" "$r/usr/share/doc/hard-1"
  ln "$r/etc/hostname.conf" "$r/srv/hard-2"
  long=$(printf 'n%.0s' $(seq 150))                            # one 150-byte name
  echo long >"$r/srv/$long"
  deep="$r/srv"
  for i in 1 2 3 4 5 6; do deep="$deep/directory-level-$i-$(printf 'd%.0s' $(seq 40))"; done
  mkdir -p "$deep"
  echo deep >"$deep/file-at-depth"                             # a path of about 330 bytes
  ln -s "${deep#"$r"}/file-at-depth" "$r/srv/long-target-link" # a target past 100 bytes
  chmod 0640 "$r/etc/hostname.conf"
  chmod 0700 "$r/var/empty"
  chmod 0755 "$r/srv/data/random.bin"
  chmod 0444 "$r/srv/data/text.txt"
  chown 1234:5678 "$r/srv/data/random.bin" "$r/srv/data"
  chown -h 4321:8765 "$r/usr/share/doc/rel-link"
  find "$r" -exec touch -h -d @1600000000 {} +
  touch -h -d @1500000000 "$r/etc/empty" "$r/srv/data"
}

# tree_manifest DIR: one sorted line per entry below DIR: name, type, mode, owner, size, mtime,
# link count or link target. Two trees are equal when their manifests are. Symlink times are left
# out: not every extractor sets them.
tree_manifest() {
  (cd "$1" && find . -mindepth 1 \
    \( -type d -printf '%P d %m %U:%G %T@\n' \) -o \
    \( -type l -printf '%P l %U:%G -> %l\n' \) -o \
    \( -type f -printf '%P f %m %U:%G %s %T@ links=%n\n' \) -o \
    -printf '%P %y %m %U:%G %T@\n' | LC_ALL=C sort)
}

# same_tree A B: the trees' manifests and the files' contents are equal.
same_tree() {
  diff <(tree_manifest "$1") <(tree_manifest "$2") >"$T/.diff" ||
    fail "trees '$1' and '$2' differ in metadata: $(head -40 "$T/.diff")"
  diff <(file_hashes "$1") <(file_hashes "$2") >"$T/.diff" ||
    fail "trees '$1' and '$2' differ in content: $(head -40 "$T/.diff")"
}

# file_hashes DIR: the sha256 of every regular file below DIR, sorted by name.
file_hashes() {
  (cd "$1" && find . -type f -print0 | LC_ALL=C sort -z | xargs -0r sha256sum)
}

# footer IMAGE: the footer's three numbers, "BODY SIGNED SIGLEN", read as the format spec says.
footer() {
  local magic version body signed siglen
  read -r magic version body signed siglen < <(tail -c 72 "$1" | head -c 62)
  [ "$magic $version" = "bale-image 1" ] || fail "'$1' has no bale footer"
  echo "$body $signed $siglen"
}

# flip_byte FILE OFFSET: invert the lowest bit of one byte in place.
flip_byte() {
  python3 - "$1" "$2" <<'PY'
import sys
path, off = sys.argv[1], int(sys.argv[2])
with open(path, "r+b") as f:
    f.seek(off)
    b = f.read(1)
    f.seek(off)
    f.write(bytes([b[0] ^ 1]))
PY
}

# json_get FILE EXPR: print EXPR evaluated over the JSON in FILE as `j` (strings bare, the rest as
# JSON), e.g. json_get out.json 'j["config"]["config"]["Cmd"]'.
json_get() {
  python3 - "$1" "$2" <<'PY'
import json, sys
j = json.load(open(sys.argv[1]))
v = eval(sys.argv[2], {"j": j})
print(v if isinstance(v, str) else json.dumps(v, sort_keys=True, separators=(",", ":")))
PY
}

# make_archive SPEC.json OUT: a hand-made docker-archive or OCI layout tarball (see archives.py).
make_archive() { python3 "$BALE_SRC/tests/integration/archives.py" "$@"; }

# baleformat CMD ARGS...: the format as docs/image-format.md states it, read and written without
# bale (see baleformat.py).
baleformat() { python3 "$BALE_SRC/tests/integration/baleformat.py" "$@"; }

# use_private_podman: set the array P to a podman whose storage and run state live under $T (vfs
# driver: no mounts to leak), or skip when podman cannot work here.
use_private_podman() {
  need podman
  mkdir -p "$T/podman/tmp"
  P=(podman --root "$T/podman/root" --runroot "$T/podman/run" --tmpdir "$T/podman/tmp"
     --storage-driver vfs --events-backend none)
  "${P[@]}" info >/dev/null 2>&1 || skip "podman info fails here"
}

# podman_can_run IMAGE: whether "${P[@]}" can start a container here (no network needed).
podman_can_run() {
  timeout 120 "${P[@]}" run --rm --network none "$1" /bin/sh -c true >/dev/null 2>&1
}

# no_temp_files DIR: no half-written output (.NAME.tmp-*) or import work dir is left in DIR.
no_temp_files() {
  local left
  left=$(find "$1" -maxdepth 1 \( -name '.*.tmp-*' -o -name '.bale-import-*' \) -printf '%f ')
  [ -z "$left" ] || fail "temp files left in '$1': $left"
}

# re_escape TEXT: TEXT as an extended regex that matches it literally (fingerprints hold '+').
re_escape() { printf '%s' "$1" | sed 's/[][\\.*^$+?(){}|]/\\&/g'; }
