#!/bin/bash
# The bytes bale verifies must be the bytes it runs. While first runs of a trusted image go on,
# the file at the image's path is changed under them, over and over:
#   1. renamed over by an image signed by a key nobody trusts (other tree, other config),
#   2. renamed over by a tampered copy (its config edited, the good signature kept),
#   3. written in place, its config bytes flipped between the good and the tampered ones.
# A run either shows the trusted image (its /marker file and its MARKER variable say "good") or
# fails before its target starts; it never shows "evil", which only images that would not verify
# on their own hold. A sentinel outside the store stays as it was, and nothing stays mounted.
. "$(dirname "$0")/lib.sh"
. "$BALE_SRC/tests/integration/run_lib.sh"
need python3; need ssh-keygen

S="$T/sentinel"
mkdir -p "$S/sub"
echo original >"$S/keep"
before=$(tree_manifest "$S"; file_hashes "$S")

# A few MiB of incompressible data, so hashing and unpacking take longer than one swap.
run_root root
head -c 8000000 /dev/urandom >root/filler
echo good >root/marker
"$BALE" pack root -o good.bale -e MARKER=good 2>/dev/null || fail "setup: pack good.bale failed"
echo evil >root/marker
head -c 8000000 /dev/urandom >root/filler
ssh-keygen -q -t ed25519 -N '' -C stranger -f stranger
"$BALE" pack root -o untrusted.bale -e MARKER=evil --key stranger 2>/dev/null ||
  fail "setup: pack untrusted.bale failed"
rm -rf root
# The tampered copy: the same bytes but for the config's "MARKER=good", now "MARKER=evil".
python3 - good.bale tampered.bale <<'PY'
import sys
data = open(sys.argv[1], "rb").read()
at = data.rfind(b"MARKER=good")
assert at > 0
open(sys.argv[2], "wb").write(data[:at] + b"MARKER=evil" + data[at + 11:])
PY
expect_fail 1 "signer not trusted" "$BALE" verify untrusted.bale
expect_fail 1 "bad signature" "$BALE" verify tampered.bale
"$BALE" verify good.bale >/dev/null 2>&1 || fail "setup: good.bale does not verify"
cp good.bale good.orig
config_at=$(python3 -c 'import sys; print(open(sys.argv[1], "rb").read().rfind(b"MARKER=good") + 7)' good.bale)

# swapper MODE: changes img.bale until the file "stop" appears.
swapper() {
  python3 - "$1" "$config_at" <<'PY' &
import os, sys
mode, at = sys.argv[1], int(sys.argv[2])
if mode == "inplace":
    fd = os.open("img.bale", os.O_WRONLY)
    while not os.path.exists("stop"):
        for word in (b"evil", b"good"):
            for _ in range(200):
                os.pwrite(fd, word, at)
else:
    evil = "untrusted.bale" if mode == "untrusted" else "tampered.bale"
    while not os.path.exists("stop"):
        for _ in range(100):
            for src in ("good.orig", evil):
                os.link(src, "img.new")
                os.rename("img.new", "img.bale")
PY
  swapper_pid=$!
}

total=0
for mode in untrusted tampered inplace; do
  rm -f stop img.new
  cp good.orig img.bale
  swapper "$mode"
  at_exit "touch $T/stop; kill $swapper_pid"
  end=$(( $(date +%s) + 6 ))
  n=0 shown=0
  while [ "$(date +%s)" -lt "$end" ]; do
    n=$((n + 1))
    rm -rf "$BALE_STORE"          # every run is a first run: verify, then unpack
    rc=0
    "$BALE" run img.bale sh -c 'cat /marker; echo "$MARKER"' >out 2>err </dev/null || rc=$?
    if grep -q evil out; then
      fail "$mode: run $n ran content that never verified (exit $rc): it printed '$(tr '\n' ' ' <out)'"
    fi
    grep -qiE 'internal error|terminate|what\(\)' err && fail "$mode: run $n crashed: $(cat err)"
    if [ "$rc" -eq 0 ]; then
      [ "$(cat out)" = "good
good" ] || fail "$mode: run $n printed '$(cat out)'"
      shown=$((shown + 1))
    else
      [ "$rc" -eq 125 ] && grep -q '^bale: ' err ||
        fail "$mode: run $n exited $rc: stdout '$(cat out)', stderr: $(cat err)"
    fi
  done
  touch stop
  wait "$swapper_pid" || fail "$mode: the swapper failed"
  echo "$mode: $n first runs, $shown showed the trusted image, none the evil one" >&2
  total=$((total + n))
done
[ "$total" -ge 30 ] || fail "too few runs to mean anything: $total"

[ "$before" = "$(tree_manifest "$S"; file_hashes "$S")" ] || fail "the sentinel outside the store changed"
! grep -qF "$T/" /proc/self/mountinfo || fail "mounts left: $(grep -F "$T/" /proc/self/mountinfo)"
exit 0
