#!/bin/bash
# `bale bootstrap` turns debootstrap's hundreds of "I: Retrieving ..." lines into progress: one
# line per stage in a log, one status line rewritten with '\r' on a terminal, debootstrap's own
# output with -v. A failure shows debootstrap's last lines and leaves no image and no temp dir.
# Real debootstraps, fed by a file:// mirror made of the suite's cached Debian tree (about a
# minute each, no network once the tree exists).
. "$(dirname "$0")/lib.sh"
. "$BALE_SRC/tests/integration/debian_lib.sh"
need debootstrap
need script
export BALE_STORE=$T/store
debian_file_mirror "$T/mirror"
mirror=file://$T/mirror

# nothing_left WHAT: no debian image in the store and no bootstrap work dir in its tmp/.
nothing_left() {
  "$BALE" images | grepq '^debian ' && fail "$1 left an image: $("$BALE" images)"
  [ -z "$(ls -A "$BALE_STORE/tmp" 2>/dev/null)" ] || fail "$1 left temp dirs: $(ls -A "$BALE_STORE/tmp")"
  findmnt -rn -o TARGET | grepq -F "$BALE_STORE/" && fail "$1 left mounts: $(findmnt -rn -o TARGET | grep -F "$BALE_STORE/")"
  return 0
}

# A log: one line per stage, in order, and none of debootstrap's own.
"$BALE" bootstrap debian:bookworm --mirror "$mirror" >out 2>log || fail "bootstrap failed: $(tail -30 log)"
grep -qE '^sha256:[0-9a-f]{64}$' out || fail "bootstrap printed on stdout: $(cat out)"
grep '^bootstrap: ' log >stages
expected='bootstrap: resolving packages
bootstrap: retrieving packages
bootstrap: extracting [0-9]+ packages
bootstrap: installing core packages
bootstrap: unpacking required packages
bootstrap: configuring required packages
bootstrap: unpacking the base system
bootstrap: base system installed'
mapfile -t got <stages
mapfile -t want <<<"$expected"
[ ${#got[@]} -eq ${#want[@]} ] || fail "${#got[@]} stage lines, expected ${#want[@]}: $(cat log)"
for i in "${!want[@]}"; do
  [[ ${got[i]} =~ ^${want[i]}$ ]] || fail "stage line '${got[i]}' where /${want[i]}/ was expected: $(cat log)"
done
n=$(sed -nE 's/^bootstrap: extracting ([0-9]+) packages$/\1/p' log)
[ "$n" -eq "$(find "$T/mirror/pool" -name '*.deb' | wc -l)" ] || fail "extracting $n packages of $(find "$T/mirror/pool" -name '*.deb' | wc -l)"
grep -q '^I: ' log && fail "debootstrap's own lines reached the log: $(grep -m5 '^I: ' log)"
grep -q $'\r' log && fail "a status line was drawn into a log: $(head -c 300 log | cat -A)"
"$BALE" run debian:bookworm cat /etc/debian_version >ver 2>err || fail "the image does not run: $(cat err)"
[[ $(cat ver) =~ ^12\. ]] || fail "debian_version is '$(cat ver)'"
"$BALE" rmi debian:bookworm >/dev/null
[ -z "$(ls -A "$BALE_STORE/tmp")" ] || fail "a bootstrap left temp dirs: $(ls -A "$BALE_STORE/tmp")"

# A terminal (script gives bale a pty): the status line rewritten in place, counting packages.
script -qec "'$BALE' bootstrap debian:bookworm --mirror '$mirror'" /dev/null >tty.out 2>&1 ||
  fail "bootstrap on a pty failed: $(tail -c 2000 tty.out | cat -A)"
grep -q $'\r''bootstrap: retrieving packages: [0-9]* (' tty.out || fail "no retrieving status line: $(head -c 1000 tty.out | cat -A)"
grep -q $'\r''bootstrap: extracting [0-9]*/'"$n"' (' tty.out || fail "no extracting n/$n status: $(head -c 3000 tty.out | cat -A)"
[ "$(tr -cd '\r' <tty.out | wc -c)" -gt 20 ] || fail "the status line was rewritten only $(tr -cd '\r' <tty.out | wc -c) times"
grep -q 'I: Retrieving' tty.out && fail "debootstrap's own lines reached the terminal: $(grep -m3 -a 'I: Retrieving' tty.out)"
"$BALE" rmi debian:bookworm >/dev/null

# A mirror without the last package to retrieve (debootstrap fetches in name order): it fails
# after retrieving all the others.
cp -al "$T/mirror" "$T/broken"
last=$(find "$T/broken/pool" -name '*.deb' -printf '%f\n' | LC_ALL=C sort | tail -1)
find "$T/broken/pool" -name "$last" -delete
pkg=${last%%_*}

# -v: debootstrap's own output, unchanged, and its failure.
rc=0
"$BALE" bootstrap -v debian:bookworm --mirror "file://$T/broken" >out 2>verbose.log || rc=$?
[ "$rc" -eq 1 ] || fail "bootstrap -v over a broken mirror exited $rc: $(tail -20 verbose.log)"
[ "$(grep -c '^I: Retrieving ' verbose.log)" -ge 50 ] || fail "-v does not show debootstrap's lines: $(head -20 verbose.log)"
grep -q '^bootstrap: [a-z]* packages$' verbose.log && fail "-v printed stage lines: $(grep '^bootstrap: ' verbose.log)"
grep -q "^bale: debootstrap failed (exit code 1)" verbose.log || fail "-v lacks the error: $(tail -5 verbose.log)"
nothing_left "a failed bootstrap -v"

# The same failure in a log: its last lines (naming the package) and the error, no more.
expect_fail 1 '^bale: debootstrap failed \(exit code 1\)' "$BALE" bootstrap debian:bookworm --mirror "file://$T/broken"
grep -q "^bootstrap: debootstrap's last lines:$" "$T/.err" || fail "no last lines: $(cat "$T/.err")"
grep -qE "^E: .*$pkg" "$T/.err" || fail "debootstrap's error about '$pkg' is not shown: $(cat "$T/.err")"
[ "$(grep -c '^I: ' "$T/.err")" -le 20 ] || fail "more than the last lines were shown: $(cat "$T/.err")"
grep -q '^bootstrap: retrieving packages$' "$T/.err" || fail "no stage lines before the failure: $(cat "$T/.err")"
nothing_left "a failed bootstrap"

# An unreachable mirror: at once, with what debootstrap said.
expect_fail 1 '^bale: debootstrap failed \(exit code 1\)' "$BALE" bootstrap debian:bookworm --mirror http://127.0.0.1:9/debian
grep -q '^E: Failed getting release file http://127.0.0.1:9/debian/' "$T/.err" ||
  fail "debootstrap's reason is not shown: $(cat "$T/.err")"
grep -q 'Connection refused' "$T/.err" || fail "the end of debootstrap.log is not shown: $(cat "$T/.err")"
nothing_left "an unreachable mirror"
exit 0
