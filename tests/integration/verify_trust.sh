#!/bin/bash
# A good signature is not enough: `bale verify` accepts an image only from a trusted signer (the
# machine key, `bale trust add`, allowed_signers files with namespaces honoured, or --signer).
. "$(dirname "$0")/lib.sh"
need ssh-keygen

make_busybox_root root
ssh-keygen -q -t ed25519 -N '' -C alice@example.org -f alice
ssh-keygen -q -t ed25519 -N '' -C mallory@example.org -f mallory
alice_fp=$(ssh-keygen -lf alice.pub | awk '{print $2}')
"$BALE" pack root -o mine.bale 2>/dev/null
"$BALE" pack root -o alice.bale --key alice 2>/dev/null

# The machine's own key is trusted from the start.
"$BALE" verify mine.bale >out || fail "own image not trusted"
grep -qx 'trusted: yes (.*)' out || fail "verify of own image printed: $(cat out)"

# Someone else's: signature good, signer unknown, and a hint that says what to do.
expect_fail 1 "^bale: 'alice.bale': signer not trusted: $(re_escape "$alice_fp")" "$BALE" verify alice.bale
grep -q '^  hint: .*bale trust add' "$T/.err" || fail "no 'bale trust add' hint: $(cat "$T/.err")"
grep -qxE "signer: $(re_escape "$alice_fp").*" "$T/.out" || fail "verify did not name the signer: $(cat "$T/.out")"
"$BALE" inspect --json alice.bale >info.json
[ "$(json_get info.json 'j["signer"]["trusted"]')" = false ] || fail "inspect calls alice trusted"
[ "$(json_get info.json 'j["signer"]["fingerprint"]')" = "$alice_fp" ] || fail "inspect names another signer"

# Trusted by name, listed, and readable by ssh-keygen as an allowed_signers file.
"$BALE" trust add alice.pub --name alice >/dev/null
"$BALE" verify alice.bale >out || fail "alice's image not trusted after 'trust add'"
grep -qx 'principal: alice' out && grep -q '^trusted: yes' out || fail "verify printed: $(cat out)"
"$BALE" trust list >list
grep -qF "alice	$alice_fp	" list || fail "trust list does not show alice: $(cat list)"
read -r _ signed siglen < <(footer alice.bale)
tail -c +$((signed + 1)) alice.bale | head -c "$siglen" >alice.sig
head -c "$signed" alice.bale | ssh-keygen -Y verify -f "$BALE_CONFIG_DIR/allowed_signers" \
  -I alice -n bale-image -s alice.sig >/dev/null 2>&1 ||
  fail "ssh-keygen does not accept the allowed_signers that bale wrote: $(cat "$BALE_CONFIG_DIR/allowed_signers")"
expect_fail 1 'already trusted' "$BALE" trust add alice.pub

# Removed by fingerprint: untrusted again.
"$BALE" trust remove "$alice_fp" >/dev/null
expect_fail 1 'signer not trusted' "$BALE" verify alice.bale
"$BALE" trust list >list
grep -qF "$alice_fp" list && fail "alice still listed after remove: $(cat list)"

# By key line, under a name with a space: ssh-keygen reads the quoted principal the same way.
"$BALE" trust add "$(cat alice.pub)" --name 'Alice Smith' >/dev/null
"$BALE" verify alice.bale >out || fail "not trusted after 'trust add' of a key line"
grep -qx 'principal: Alice Smith' out || fail "verify printed: $(cat out)"
head -c "$signed" alice.bale | ssh-keygen -Y verify -f "$BALE_CONFIG_DIR/allowed_signers" \
  -I 'Alice Smith' -n bale-image -s alice.sig >/dev/null 2>&1 ||
  fail "ssh-keygen does not read the principal bale wrote: $(cat "$BALE_CONFIG_DIR/allowed_signers")"
"$BALE" trust remove alice.pub >/dev/null
expect_fail 1 'no key matching' "$BALE" trust remove alice.pub
expect_fail 1 'private key' "$BALE" trust add alice

# Hand-written entries: namespaces= is honoured, as ssh-keygen does; allowed_signers.d counts.
key=$(cut -d' ' -f1,2 alice.pub)
echo "alice namespaces=\"git\" $key" >"$BALE_CONFIG_DIR/allowed_signers"
expect_fail 1 'signer not trusted' "$BALE" verify alice.bale
echo "alice namespaces=\"git,bale-image\" $key" >"$BALE_CONFIG_DIR/allowed_signers"
"$BALE" verify alice.bale >/dev/null || fail "namespaces=\"git,bale-image\" not honoured"
echo "alice valid-before=\"20000101\" $key" >"$BALE_CONFIG_DIR/allowed_signers"
expect_fail 1 'signer not trusted' "$BALE" verify alice.bale
: >"$BALE_CONFIG_DIR/allowed_signers"
mkdir -p "$BALE_CONFIG_DIR/allowed_signers.d"
echo "team-alice $key" >"$BALE_CONFIG_DIR/allowed_signers.d/team"
"$BALE" verify alice.bale >out || fail "allowed_signers.d/team not consulted"
grep -qx 'principal: team-alice' out || fail "verify printed: $(cat out)"
rm "$BALE_CONFIG_DIR/allowed_signers.d/team"

# --signer pins the expected key, whatever the trust store says.
"$BALE" verify alice.bale --signer "$alice_fp" >/dev/null || fail "--signer with alice's fingerprint refused"
"$BALE" verify alice.bale --signer alice.pub >/dev/null || fail "--signer alice.pub refused"
"$BALE" verify alice.bale --signer "$(cat alice.pub)" >/dev/null || fail "--signer with a key line refused"
expect_fail 1 'signer not trusted' "$BALE" verify alice.bale --signer mallory.pub
expect_fail 1 'signer not trusted' "$BALE" verify mine.bale --signer "$alice_fp"

# A plain tar.gz carries no signature at all.
tar -czf plain.tar.gz -C root .
expect_fail 1 "^bale: 'plain.tar.gz': no signature" "$BALE" verify plain.tar.gz
exit 0
