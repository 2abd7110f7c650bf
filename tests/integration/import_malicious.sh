#!/bin/bash
# Hostile archives cannot make `bale import` write or read outside the image: entries with '..'
# or absolute names, hardlinks out of the tree or to nothing, and archive members that are
# symlinks out of the archive are errors naming the entry, with no output left behind; a symlink
# followed by a path through it lands inside the image tree.
. "$(dirname "$0")/lib.sh"
need python3

mkdir specs out host
echo "host secret" >host/secret
tar -cf host/secret.tar -C host secret
echo sentinel >out/sentinel
[ ! -e /etc/pwned ] || skip "/etc/pwned exists on this host already"
passwd_links=$(stat -c %h /etc/passwd)

# spec NAME LAYERS [LINKS [OUTER]]: write specs/NAME.json and build NAME.tar from it.
spec() {
  echo "{\"layers\": [$2], \"links\": {${3:-}}, \"outer\": {${4:-}}}" >"specs/$1.json"
  make_archive "specs/$1.json" "$1.tar"
}
spec dotdot '[{"name": "ok", "data": "x"}, {"name": "../escape", "data": "x"}]'
spec dotdot-deep '[{"name": "a/", "type": "dir"}, {"name": "a/../../escape", "data": "x"}]'
spec absolute '[{"name": "/abs/path", "data": "x"}]'
spec hardlink-up '[{"name": "h", "type": "hardlink", "target": "../../etc/passwd"}]'
spec hardlink-abs '[{"name": "h", "type": "hardlink", "target": "/etc/passwd"}]'
spec hardlink-missing '[{"name": "h", "type": "hardlink", "target": "no/such/file"}]'
spec hardlink-via-symlink '[{"name": "etc/", "type": "dir"}, {"name": "l", "type": "symlink", "target": "/etc"},
  {"name": "h", "type": "hardlink", "target": "l/passwd"}]'
spec whiteout-dotdot '[{"name": "a", "data": "x"}], [{"name": "sub/", "type": "dir"}, {"name": "sub/.wh...", "data": ""}]'
spec layer-link-abs '[{"name": "a", "data": "x"}]' "\"layer0/layer.tar\": \"$T/host/secret.tar\""
spec layer-link-up '[{"name": "a", "data": "x"}]' \
  "\"layer0/layer.tar\": \"../../../../../../../../../..$T/host/secret.tar\""
spec archive-dotdot '[{"name": "a", "data": "x"}]' '' '"../../outside": "x"'
# Through a symlink: absolute and relative targets both resolve in the image's root.
spec symlink-abs '[{"name": "etc/", "type": "dir"}, {"name": "evil", "type": "symlink", "target": "/etc"},
  {"name": "evil/pwned", "data": "inside"}]'
spec symlink-up '[{"name": "etc/", "type": "dir"}, {"name": "evil", "type": "symlink", "target": "../../../../../etc"},
  {"name": "evil/pwned", "data": "inside"}]'
spec symlink-later-layer '[{"name": "etc/", "type": "dir"}, {"name": "evil", "type": "symlink", "target": "/etc"}],
  [{"name": "evil/pwned", "data": "inside"}]'

snapshot() { find "$T" -path "$T/out" -prune -o -path "$T/config" -prune -o ! -name '.*' -print | sort; }
snapshot >.snap-before

# hostile NAME ENTRY: the import fails, names ENTRY, leaves no image.
hostile() {
  expect_fail 1 "$2" "$BALE" import "$1.tar" -o "out/$1.bale"
  grep -q 'internal error' "$T/.err" && fail "$1: internal error: $(cat "$T/.err")"
  cp "$T/.err" "$1.err"
  [ ! -e "out/$1.bale" ] || fail "$1: an image was written"
}
hostile dotdot "'\.\./escape'"
hostile dotdot-deep "'a/\.\./\.\./escape'"
hostile absolute "'/abs/path'"
hostile hardlink-up "'h'|'\.\./\.\./etc/passwd'"
hostile hardlink-abs "'h'|'/etc/passwd'"
hostile hardlink-missing "'h'.*'no/such/file'.*not in the archive"
hostile hardlink-via-symlink "'h'"
hostile whiteout-dotdot "'sub/\.wh\.\.\.'"
hostile archive-dotdot "'\.\./\.\./outside'"
hostile layer-link-abs "layer0/layer.tar"
hostile layer-link-up "layer0/layer.tar"

for name in symlink-abs symlink-up symlink-later-layer; do
  "$BALE" import "$name.tar" -o "out/$name.bale" 2>"$name.err" || fail "$name: import failed: $(cat "$name.err")"
  tar -xzf "out/$name.bale" -O etc/pwned >pwned 2>/dev/null || fail "$name: etc/pwned is not in the image"
  [ "$(cat pwned)" = inside ] || fail "$name: etc/pwned holds '$(cat pwned)'"
done

# Nothing landed outside: not in the host's /etc, not beside the archives, no temp files.
[ ! -e /etc/pwned ] || { rm -f /etc/pwned; fail "an import wrote /etc/pwned on the host"; }
[ "$(stat -c %h /etc/passwd)" -eq "$passwd_links" ] || fail "/etc/passwd gained a hardlink"
rm -f ./*.err pwned
snapshot >.snap-after
diff .snap-before .snap-after >.snap-diff || fail "files appeared or vanished outside out/: $(cat .snap-diff)"
ls -A out >left
printf '%s\n' sentinel symlink-abs.bale symlink-later-layer.bale symlink-up.bale >want
diff want left >/dev/null || fail "out/ holds: $(tr '\n' ' ' <left)"
[ "$(cat out/sentinel)" = sentinel ] || fail "out/sentinel changed"

# The messages name the archive the user gave, not a temp directory that is gone by now.
for name in dotdot absolute hardlink-missing whiteout-dotdot; do
  "$BALE" import "$name.tar" -o "out/$name.bale" 2>err && fail "$name: import succeeded"
  # The archive is named as the user gave it, with the member inside it: 'x.tar:layer0/layer.tar'.
  grep -qE "'$name\.tar[':]" err || fail "$name: the message does not name '$name.tar': $(cat err)"
  grep -q '\.bale-import-' err && fail "$name: the message names a temp directory: $(cat err)"
done
exit 0
