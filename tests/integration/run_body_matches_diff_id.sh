#!/bin/bash
# What is unpacked is what the signed config names: a body whose tar is not the config's diff_id
# is refused before anything runs, whether the body is bale's 1 MiB members or one gzip stream
# (a plain tar.gz signed as it is). The images are written from the format spec and signed with
# ssh-keygen by a trusted key, as a signer who lies about the content could.
. "$(dirname "$0")/lib.sh"
. "$BALE_SRC/tests/integration/run_lib.sh"
need python3; need ssh-keygen

run_root root
echo good >root/etc/which
tar -C root --numeric-owner -cf good.tar .
echo evil >root/etc/which
tar -C root --numeric-owner -cf evil.tar .
good_id="sha256:$(sha256sum good.tar | cut -c1-64)"
ssh-keygen -q -t ed25519 -N '' -C liar@example.org -f liar
"$BALE" trust add liar.pub --name liar >/dev/null
echo probe >probe && ssh-keygen -q -Y sign -f liar -n bale-image probe 2>/dev/null
siglen=$(stat -c %s probe.sig)

# craft BODY.gz TAR OUT: BODY.gz as the body, a config whose diff_id is good.tar's, signed.
craft() {
  local entries size
  entries=$(tar -tf "$2" | wc -l)
  size=$(stat -c %s "$2")
  printf '{"architecture":"amd64","config":{"Cmd":["/bin/cat","/etc/which"],"Labels":{"image":"%s"}},"os":"linux","rootfs":{"diff_ids":["%s"],"type":"layers"}}' \
    "$3" "$good_id" >cfg.json
  baleformat prefix "$1" cfg.json "$size" "$entries" "$siglen" "$3.signed"
  rm -f "$3.signed.sig" && ssh-keygen -q -Y sign -f liar -n bale-image "$3.signed" 2>/dev/null
  baleformat finish "$3.signed" "$3.signed.sig" "$(stat -c %s "$1")" "$3"
  rm -f "$3.signed" "$3.signed.sig"
  "$BALE" verify "$3" >/dev/null 2>"$T/.verr" || fail "setup: crafted $3 does not verify: $(cat "$T/.verr")"
}

# The honest one runs: one gzip stream whose tar is good.tar.
gzip -9n <good.tar >good.gz
craft good.gz good.tar honest.bale
[ "$("$BALE" run honest.bale 2>err)" = good ] || fail "the honest stream image did not run: $(cat err)"

# One gzip stream of evil.tar under good.tar's diff_id.
gzip -9n <evil.tar >evil.gz
craft evil.gz evil.tar stream.bale
expect_fail 125 "stream\\.bale.*does not match the config's diff_id" "$BALE" run stream.bale
grep -q evil "$T/.out" && fail "the lying stream image ran"
# The same as bale's members: pack evil's tree and keep its body.
"$BALE" pack root -o packed.bale 2>/dev/null
baleformat check packed.bale >summary.json
head -c "$(json_get summary.json 'j["body"]')" packed.bale >members.gz
craft members.gz evil.tar members.bale
expect_fail 125 "members\\.bale.*does not match the config's diff_id" "$BALE" run members.bale
[ "$(store_count images)" -eq 1 ] || fail "a refused image was unpacked: $(store_names images)"
[ "$(store_count tmp)" -eq 0 ] || fail "left in the store's tmp: $(store_names tmp)"
exit 0
