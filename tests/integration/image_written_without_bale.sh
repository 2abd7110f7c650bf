#!/bin/bash
# An image written by hand from the spec (python for the trailer, `ssh-keygen -Y sign` for the
# signature, `tar czf` for the body) is one bale accepts; signatures for another namespace or by
# another key type are refused; odd but signed configs give clean errors, not internal ones.
. "$(dirname "$0")/lib.sh"
need ssh-keygen; need python3

make_busybox_root root
find root -exec touch -h -d @1600000000 {} +
tar -czf body.tar.gz -C root .
ssh-keygen -q -t ed25519 -N '' -C hand@example.org -f hand
"$BALE" trust add hand.pub --name hand >/dev/null

# craft BODY CONFIG KEY NAMESPACE OUT: body + trailer + signature, no bale involved.
craft() {
  local tar_size entries siglen
  tar_size=$(gzip -dc "$1" | wc -c)
  entries=$(tar -tzf "$1" | wc -l)
  echo probe >probe && rm -f probe.sig && ssh-keygen -q -Y sign -f "$3" -n "$4" probe 2>/dev/null
  siglen=$(stat -c %s probe.sig)          # the armored size depends on key and namespace only
  baleformat prefix "$1" "$2" "$tar_size" "$entries" "$siglen" "$5.signed"
  rm -f "$5.signed.sig" && ssh-keygen -q -Y sign -f "$3" -n "$4" "$5.signed" 2>/dev/null
  [ "$(stat -c %s "$5.signed.sig")" -eq "$siglen" ] || fail "setup: signature size changed"
  baleformat finish "$5.signed" "$5.signed.sig" "$(stat -c %s "$1")" "$5"
}
diff_id=sha256:$(gzip -dc body.tar.gz | sha256sum | cut -d' ' -f1)
printf '{"architecture":"amd64","config":{"Cmd":["/bin/sh"],"Env":["MADE=by-hand"]},"os":"linux","rootfs":{"diff_ids":["%s"],"type":"layers"}}' \
  "$diff_id" >config.json

craft body.tar.gz config.json hand bale-image hand.bale
baleformat check hand.bale --foreign-body >/dev/null || fail "setup: the crafted image breaks the format"
"$BALE" verify hand.bale >out 2>err || fail "bale rejects an image written from the spec: $(cat err)"
grep -qx 'principal: hand' out || fail "verify printed: $(cat out)"
"$BALE" inspect --json hand.bale >info.json
[ "$(json_get info.json 'j["config"]["config"]["Env"]')" = '["MADE=by-hand"]' ] || fail "config not read: $(cat info.json)"
[ "$(json_get info.json 'j["digest"]')" = "sha256:$(sha256sum <config.json | cut -d' ' -f1)" ] ||
  fail "digest is not the sha256 of the config bytes"
mkdir out-tree
expect_silent tar -xzf hand.bale -C out-tree
same_tree root out-tree
"$BALE" export hand.bale -o hand.tar 2>/dev/null || fail "cannot export the hand-made image"

# The same bytes signed for another namespace, or by a key type bale does not use.
craft body.tar.gz config.json hand file other-ns.bale
expect_fail 1 "^bale: 'other-ns.bale': bad signature: .*namespace" "$BALE" verify other-ns.bale
ssh-keygen -q -t rsa -b 2048 -N '' -f rsa
craft body.tar.gz config.json rsa bale-image rsa.bale
expect_fail 1 "^bale: 'rsa.bale': (bad signature|signer not trusted)" "$BALE" verify rsa.bale
grep -q 'internal error' "$T/.err" && fail "rsa signature: $(cat "$T/.err")"

# Signed, trusted, and odd inside: every command answers with a clean error or a result.
n=0
for cfg in '{}' '{"rootfs":{"diff_ids":[]}}' '{"rootfs":{"diff_ids":"x"}}' '{"rootfs":{"diff_ids":["x"]}}' \
  '{"rootfs":{"diff_ids":[7]}}' '{"config":{"Env":"x","Cmd":7}}' '[1,2]' 'not json'; do
  n=$((n + 1))
  printf '%s' "$cfg" >odd.json
  craft body.tar.gz odd.json hand bale-image "odd-$n.bale"
  for cmd in "verify odd-$n.bale" "inspect odd-$n.bale" "inspect --json odd-$n.bale" \
    "export odd-$n.bale -o odd-$n.tar" "sign odd-$n.bale -o re-$n.bale"; do
    rc=0
    read -ra args <<<"$cmd"
    "$BALE" "${args[@]}" >/dev/null 2>err || rc=$?
    [ "$rc" -le 1 ] || fail "config '$cfg': 'bale $cmd' exited $rc: $(cat err)"
    grep -qiE 'internal error|terminate|what\(\)' err && fail "config '$cfg': 'bale $cmd': $(cat err)"
    [ "$rc" -eq 0 ] || grepq "'odd-$n.bale'" err || fail "config '$cfg': 'bale $cmd' does not name the image: $(cat err)"
  done
done
exit 0
