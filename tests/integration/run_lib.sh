# shellcheck shell=bash
# Helpers for the `bale run`, `bale store` and `bale unit` tests; sourced after lib.sh. Every such
# test keeps its store under $T, never in /var/lib/bale.
if [ "${BASH_SOURCE[0]}" = "$0" ]; then  # CTest runs every *.sh here: this one is no test
  echo "SKIP: run_lib.sh holds helpers for the run tests" >&2
  exit 77
fi
export BALE_STORE="$T/store"

# Applets linked in every run test's root, besides lib.sh's sh echo cat ls true false.
RUN_APPLETS="id sleep touch mkdir env pwd mount grep wc kill dd head tail stat printf test cut tr
  readlink rm seq sha256sum find sort uniq xargs expr"

# at_exit CMD: run CMD (eval'd, failures ignored) when the test exits, before $T is removed;
# last registered runs first. For servers, users and mounts a test sets up.
AT_EXIT=()
at_exit() {
  AT_EXIT=("$1" "${AT_EXIT[@]}")
  trap run_at_exit EXIT
}
run_at_exit() {
  local rc=$? c
  # Reaping the killed jobs here keeps bash's "Killed" notices out of the test's output.
  { for c in "${AT_EXIT[@]}"; do eval "$c" >/dev/null || true; done; wait; } 2>/dev/null
  cd /
  rm -rf "$T"
  exit "$rc"
}

# run_root DIR [APPLET...]: lib.sh's busybox root plus $RUN_APPLETS and any APPLETs given.
run_root() {
  local root=$1 a
  shift
  make_busybox_root "$root"
  # shellcheck disable=SC2086  # a word list on purpose
  for a in $RUN_APPLETS "$@"; do ln -sf busybox "$root/bin/$a"; done
}

# test_user NAME SUBID_START: a real ordinary user NAME with home $T/home and exactly the
# subordinate range SUBID_START:65536 in /etc/subuid and /etc/subgid (its lines and the user
# removed at exit); sets $uid and $test_user_name, and copies $BALE to $T/bale where the user
# may run it.
test_user() {
  local name=$1 start=$2
  ids_locked useradd -m -d "$T/home" -s /bin/sh "$name"
  at_exit "ids_locked userdel -r $name; subid_line $name"
  uid=$(id -u "$name")
  test_user_name=$name
  # useradd may or may not have given a range: replace it with a known one.
  subid_line "$name" "$start"
  chmod 711 "$T"
  cp "$BALE" "$T/bale"
  chmod 755 "$T/bale"
}

# as_test_user CMD...: CMD as the user test_user made, in its home, with a clean environment
# (its own store and keys); AS_ENV="K=V ..." adds variables.
as_test_user() {
  # shellcheck disable=SC2086  # AS_ENV is a list of words on purpose
  (cd "$T/home" && setpriv --reuid "$test_user_name" --regid "$test_user_name" --init-groups \
    env -i HOME="$T/home" PATH=/usr/sbin:/usr/bin:/sbin:/bin ${AS_ENV:-} "$@")
}

# random_tree DIR NDIRS: NDIRS directories DIR/d0.. of 100 files f0..f99 of 100 kB random
# bytes each (an image whose unpack takes a while).
random_tree() {
  python3 - "$1" "$2" <<'PY'
import os, sys
top, dirs = sys.argv[1], int(sys.argv[2])
for d in range(dirs):
    os.makedirs(f"{top}/d{d}")
    for i in range(100):
        with open(f"{top}/d{d}/f{i}", "wb") as f:
            f.write(os.urandom(100_000))
PY
}

# ids_locked CMD...: CMD holding the lock of the tests that change users and their ranges, so
# two tests running at once never lose each other's lines in /etc/passwd or /etc/subuid.
ids_locked() {
  flock -w 120 /run/bale-tests-ids.lock "$@"
}

# subid_line NAME [START [FILES...]]: NAME's line in FILES (default /etc/subuid and /etc/subgid)
# becomes NAME:START:65536; without START it is removed. Other lines stay as they are.
subid_line() {
  local name=$1 start=${2:-} f
  shift $(($# < 2 ? $# : 2))
  local files=("$@")
  [ ${#files[@]} -gt 0 ] || files=(/etc/subuid /etc/subgid)
  for f in "${files[@]}"; do
    ids_locked sh -c 'sed -i "/^$1:/d" "$3" && { [ -z "$2" ] || echo "$1:$2:65536" >>"$3"; }' \
      _ "$name" "$start" "$f"
  done
}

# store_names SUBDIR: the names in $BALE_STORE/SUBDIR, space separated ("" when none).
store_names() {
  find "$BALE_STORE/$1" -mindepth 1 -maxdepth 1 -printf '%f ' 2>/dev/null | sed 's/ $//'
}

# store_count SUBDIR: how many entries $BALE_STORE/SUBDIR holds.
store_count() {
  find "$BALE_STORE/$1" -mindepth 1 -maxdepth 1 2>/dev/null | wc -l
}

# image_hex IMAGE: the sha256 hex under which `bale run` stores IMAGE (its config digest).
image_hex() {
  "$BALE" inspect --json "$1" >"$T/.inspect.json"
  json_get "$T/.inspect.json" 'j["digest"]' | sed 's/^sha256://'
}

# wait_for TIMEOUT_SECONDS CMD...: poll CMD every 0.05 s until it succeeds; 1 on timeout.
wait_for() {
  local limit=$(( $1 * 20 )) i=0
  shift
  until "$@"; do
    i=$((i + 1))
    [ "$i" -lt "$limit" ] || return 1
    sleep 0.05
  done
}

# free_port: a TCP port on 127.0.0.1 that nothing listens on right now.
free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# serve_http DIR FILE: python3's http.server for DIR on 127.0.0.1, stopped when the test exits,
# and up once FILE (below DIR) can be fetched. Its port is left in $HTTP_PORT, its log in
# $T/http.log.
serve_http() {
  need python3
  need curl
  HTTP_PORT=$(free_port)
  python3 -m http.server --bind 127.0.0.1 --directory "$1" "$HTTP_PORT" >"$T/http.log" 2>&1 &
  at_exit "kill $!"
  wait_for 20 curl -sf -o /dev/null "http://127.0.0.1:$HTTP_PORT/$2" ||
    fail "the HTTP server did not start: $(cat "$T/http.log")"
}

# sign_tar OUT.bale PYTHON: run PYTHON (tarfile code given `tf`, an open tarfile for writing,
# and `add(name, data=b"", **attrs)`) to craft a tar.gz, then `bale sign` it into OUT.bale.
sign_tar() {
  local out=$1 code=$2
  python3 - "$out.tar.gz" "$code" <<'PY'
import io, sys, tarfile
out, code = sys.argv[1], sys.argv[2]
with tarfile.open(out, "w:gz", format=tarfile.GNU_FORMAT) as tf:
    def add(name, data=b"", **attrs):
        ti = tarfile.TarInfo(name)
        ti.size = len(data) if attrs.get("type", tarfile.REGTYPE) == tarfile.REGTYPE else 0
        ti.mode = attrs.pop("mode", 0o755 if attrs.get("type") == tarfile.DIRTYPE else 0o644)
        ti.mtime = 1600000000
        for k, v in attrs.items():
            setattr(ti, k, v)
        tf.addfile(ti, io.BytesIO(data) if ti.size else None)
    exec(code)
PY
  "$BALE" sign "$out.tar.gz" -o "$out" 2>/dev/null || fail "bale sign refused the crafted $out.tar.gz"
  rm -f "$out.tar.gz"
}
