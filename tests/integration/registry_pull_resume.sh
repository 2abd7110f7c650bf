#!/bin/bash
# A blob a pull did not finish is kept as STORE/registry/blobs/<hex>.partial with the bytes it
# has, and the next pull continues it with a Range request, checking the digest over the whole
# blob: after the pull was killed mid-transfer, and after its connections kept being cut until
# it gave up. A registry that ignores Range (200, the whole blob) means starting from 0; a
# partial whose bytes are not the blob's is discarded and fetched again. A killed or failed
# pull names no image; `bale store gc` removes a partial left behind.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/run_lib.sh"
. "$(dirname "$0")/registry_lib.sh"

registry_with_app none
start_proxy
"$BALE" trust registry add "$PROXY/team" >/dev/null
"$BALE" trust registry add "$REG/team" >/dev/null
blobs=$BALE_STORE/registry/blobs
# The busybox layer (the one blob over 4 KiB, which the proxy's modes act on) and its size.
read -r big size < <(skopeo inspect --raw --cert-dir "$T/certs/$REG" "docker://$REG/team/app:1" |
  python3 -c 'import json, sys; l = max(json.load(sys.stdin)["layers"], key=lambda l: l["size"]); print(l["digest"][7:], l["size"])')
[ "$size" -gt 65536 ] || fail "the busybox layer is only $size bytes"
partial=$blobs/$big.partial
ranges=$T/proxy.mode.ranges

# Killed mid-transfer: the proxy sends half of the layer and stalls; the partial keeps it.
echo stall >"$T/proxy.mode"
"$BALE" pull "$PROXY/team/app:1" >/dev/null 2>killed.err &
pid=$!
wait_for 30 sh -c "[ \$(stat -c %s '$partial' 2>/dev/null || echo 0) -ge $((size / 2)) ]" ||
  fail "no partial of half the layer appeared: $(ls -l "$blobs" 2>&1; cat killed.err)"
kill -KILL "$pid"
wait "$pid" 2>/dev/null || true
kept=$(stat -c %s "$partial")
[ "$kept" -gt 0 ] && [ "$kept" -lt "$size" ] || fail "the partial holds $kept of $size bytes"
[ ! -e "$blobs/$big" ] || fail "the killed pull left the whole blob"
[ -z "$("$BALE" images -q)" ] || fail "a killed pull named an image: $("$BALE" images)"

# The next pull continues from the kept bytes with a Range.
echo ranged >"$T/proxy.mode"
: >"$ranges"
"$BALE" pull "$PROXY/team/app:1" >/dev/null 2>resumed.err || fail "the resumed pull failed: $(cat resumed.err)"
grep -q "blob sha256:$big: continuing from the $kept bytes an earlier pull fetched" resumed.err ||
  fail "the pull did not say it continues: $(cat resumed.err)"
grep -qx "/v2/team/app/blobs/sha256:$big bytes=$kept-" "$ranges" || fail "no Range from byte $kept: $(cat "$ranges")"
[ ! -e "$partial" ] && [ "$(sha256sum <"$blobs/$big" | cut -d' ' -f1)" = "$big" ] ||
  fail "the resumed blob is not the layer: $(ls -l "$blobs")"
[ "$("$BALE" run "$PROXY/team/app:1" 2>/dev/null)" = "from layer 2" ] || fail "the resumed image does not run"
"$BALE" rmi "$PROXY/team/app:1" >/dev/null && "$BALE" store gc >/dev/null

# Connections cut on every try: the pull gives up, keeping what came; the next one continues.
echo cut-every >"$T/proxy.mode"
expect_fail 1 "blob sha256:$big: .*transfer closed with [0-9]+ bytes remaining" "$BALE" pull "$PROXY/team/app:1"
[ "$(grep -c "resuming at byte" "$T/.err")" = 3 ] || fail "not three resumes in one run: $(cat "$T/.err")"
kept=$(stat -c %s "$partial")
[ "$kept" -gt $((size / 2)) ] && [ "$kept" -lt "$size" ] || fail "the partial holds $kept of $size bytes"
[ -z "$("$BALE" images -q)" ] || fail "a failed pull named an image"
echo ranged >"$T/proxy.mode"
"$BALE" pull "$PROXY/team/app:1" >/dev/null 2>again.err || fail "the pull after the cuts failed: $(cat again.err)"
grep -q "continuing from the $kept bytes" again.err || fail "no continuation: $(cat again.err)"
"$BALE" rmi "$PROXY/team/app:1" >/dev/null && "$BALE" store gc >/dev/null

# A registry that ignores Range: the whole blob again, from 0.
head -c 1000 "$T/registry-data/docker/registry/v2/blobs/sha256/${big:0:2}/$big/data" >"$partial"
echo honest >"$T/proxy.mode"
"$BALE" pull "$PROXY/team/app:1" >/dev/null 2>norange.err || fail "the pull from a Range-less proxy failed: $(cat norange.err)"
grep -q "blob sha256:$big: the registry sent the whole blob (HTTP 200), not the bytes from 1000; starting it again" norange.err ||
  fail "no restart said: $(cat norange.err)"
[ "$(sha256sum <"$blobs/$big" | cut -d' ' -f1)" = "$big" ] || fail "the restarted blob is wrong"
"$BALE" rmi "$PROXY/team/app:1" >/dev/null && "$BALE" store gc >/dev/null

# A partial whose bytes are not the blob's (the registry, here itself, honours Range): the
# digest over the whole fails, the partial is dropped, and the blob comes again whole.
head -c 5000 /dev/urandom >"$partial"
"$BALE" pull "$REG/team/app:1" >/dev/null 2>bad.err || fail "the pull over a bad partial failed: $(cat bad.err)"
grep -q "blob sha256:$big: the bytes kept from an earlier pull do not make the blob; fetching it again" bad.err ||
  fail "the bad partial was not said: $(cat bad.err)"
[ ! -e "$partial" ] && [ "$(sha256sum <"$blobs/$big" | cut -d' ' -f1)" = "$big" ] || fail "the refetched blob is wrong"
"$BALE" rmi "$REG/team/app:1" >/dev/null

# gc removes a partial nobody is writing.
head -c 100 /dev/zero >"$blobs/$big.partial"
"$BALE" store gc >/dev/null || fail "gc failed"
[ ! -e "$blobs/$big.partial" ] || fail "gc kept the stale partial"
[ -z "$(store_names tmp)" ] || fail "tmp/ holds $(store_names tmp)"

# Two pulls at once meet at each blob's locked partial: one fetches it, the other waits and
# takes the finished blob; both succeed, with one image and no partial left.
"$BALE" pull "$REG/team/app:1" >/dev/null 2>one.err &
a=$!
"$BALE" pull "$REG/team/app:1" >/dev/null 2>two.err &
b=$!
wait "$a" || fail "the first of two pulls at once failed: $(cat one.err)"
wait "$b" || fail "the second of two pulls at once failed: $(cat two.err)"
[ "$("$BALE" images -q | wc -l)" = 1 ] || fail "two pulls at once made: $("$BALE" images)"
[ -z "$(find "$blobs" -name '*.partial')" ] || fail "two pulls at once left $(find "$blobs" -name '*.partial')"
