#!/bin/bash
# `bale sign` turns a plain `tar czf` archive into a signed image without touching its bytes: the
# archive is the body, the trailer describes its tar, and every tool still reads it as before.
. "$(dirname "$0")/lib.sh"

export SOURCE_DATE_EPOCH=1600000000   # the config's "created", so two signings compare
make_busybox_root root
make_rich_tree root
tar -czf plain.tar.gz -C root .
cp plain.tar.gz orig.tar.gz

expect_fail 1 "no signature" "$BALE" verify plain.tar.gz
"$BALE" inspect --json plain.tar.gz >plain.json
[ "$(json_get plain.json 'j["signed"]')" = false ] || fail "inspect calls a plain tar.gz signed"

"$BALE" sign plain.tar.gz -o signed.bale 2>/dev/null
cmp plain.tar.gz orig.tar.gz || fail "sign -o changed its input"
"$BALE" verify signed.bale >/dev/null || fail "the signed archive does not verify"

# The body is the original archive, byte for byte; the trailer's numbers describe its tar.
read -r body _ < <(footer signed.bale)
[ "$body" -eq "$(stat -c %s orig.tar.gz)" ] || fail "body is $body bytes, the archive $(stat -c %s orig.tar.gz)"
cmp -n "$body" orig.tar.gz signed.bale || fail "the body is not the original archive"
"$BALE" inspect --json signed.bale >info.json
[ "$(json_get info.json 'j["entries"]')" -eq "$(tar -tzf orig.tar.gz | wc -l)" ] ||
  fail "entries $(json_get info.json 'j["entries"]'), tar -t lists $(tar -tzf orig.tar.gz | wc -l)"
[ "$(json_get info.json 'j["tar_size"]')" -eq "$(gzip -dc orig.tar.gz | wc -c)" ] ||
  fail "tar_size $(json_get info.json 'j["tar_size"]'), gzip -dc gives $(gzip -dc orig.tar.gz | wc -c)"
[ "$(json_get info.json 'j["config"]["rootfs"]["diff_ids"]')" = \
  "[\"sha256:$(gzip -dc orig.tar.gz | sha256sum | cut -d' ' -f1)\"]" ] ||
  fail "diff_ids $(json_get info.json 'j["config"]["rootfs"]["diff_ids"]') is not the tar's sha256"

# Still an ordinary tar.gz.
expect_silent gzip -t signed.bale
mkdir out
expect_silent tar -xzf signed.bale -C out
same_tree root out

# In place, without -o; and re-signing with another key keeps the content and config.
"$BALE" sign plain.tar.gz 2>/dev/null
cmp plain.tar.gz signed.bale || fail "signing in place gave another file than sign -o"
ssh-keygen -q -t ed25519 -N '' -C other -f other
"$BALE" sign signed.bale -o resigned.bale --key other 2>/dev/null
"$BALE" verify resigned.bale --signer other.pub >/dev/null || fail "re-signed image not signed by other"
"$BALE" inspect --json resigned.bale >re.json
[ "$(json_get re.json 'j["digest"]')" = "$(json_get info.json 'j["digest"]')" ] ||
  fail "re-signing changed the config digest"
cmp -n "$body" signed.bale resigned.bale || fail "re-signing changed the body"

# Not a gzip tar: refused, nothing written.
head -c 5000 /dev/urandom | gzip >random.gz
expect_fail 1 "random.gz" "$BALE" sign random.gz -o random.bale
[ ! -e random.bale ] || fail "sign left random.bale behind"
no_temp_files .
exit 0
