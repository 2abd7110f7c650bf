#!/bin/bash
# An image's signature verifies with nothing but coreutils and `ssh-keygen -Y verify`, following
# the recipe in docs/image-format.md; ssh-keygen rejects it for another namespace or signer.
. "$(dirname "$0")/lib.sh"
need ssh-keygen

make_busybox_root root
"$BALE" pack root -o img.bale 2>/dev/null
"$BALE" key >identity
read -r keytype keyblob _ <identity
fingerprint=$(sed -n 2p identity)
echo "builder $keytype $keyblob" >allowed_signers

# The recipe, verbatim.
read -r magic version body signed siglen < <(tail -c 72 img.bale | head -c 62)
[ "$magic $version" = "bale-image 1" ] || fail "footer starts '$magic $version'"
tail -c +$((signed + 1)) img.bale | head -c "$siglen" >img.sig
head -1 img.sig | grepq -x -- '-----BEGIN SSH SIGNATURE-----' || fail "not an armored SSHSIG: $(head -1 img.sig)"
head -c "$signed" img.bale |
  ssh-keygen -Y verify -f allowed_signers -I builder -n bale-image -s img.sig >verify.out 2>&1 ||
  fail "ssh-keygen -Y verify rejected the image: $(cat verify.out)"
grep -q "Good \"bale-image\" signature for builder with ED25519 key $fingerprint" verify.out ||
  fail "unexpected ssh-keygen output: $(cat verify.out)"

ssh-keygen -Y find-principals -s img.sig -f allowed_signers >principals 2>&1 ||
  fail "find-principals found no signer: $(cat principals)"
[ "$(cat principals)" = builder ] || fail "find-principals says '$(cat principals)'"

# The signature is bound to its namespace, its signer, and every signed byte.
head -c "$signed" img.bale |
  ssh-keygen -Y verify -f allowed_signers -I builder -n file -s img.sig >/dev/null 2>&1 &&
  fail "ssh-keygen accepted the signature for namespace 'file'"
head -c "$signed" img.bale |
  ssh-keygen -Y verify -f allowed_signers -I someone-else -n bale-image -s img.sig >/dev/null 2>&1 &&
  fail "ssh-keygen accepted the signature for another principal"
ssh-keygen -q -t ed25519 -N '' -f other
echo "builder $(cut -d' ' -f1,2 other.pub)" >other_signers
head -c "$signed" img.bale |
  ssh-keygen -Y verify -f other_signers -I builder -n bale-image -s img.sig >/dev/null 2>&1 &&
  fail "ssh-keygen accepted the signature against another key"
{ head -c "$body" img.bale; echo extra; } |
  ssh-keygen -Y verify -f allowed_signers -I builder -n bale-image -s img.sig >/dev/null 2>&1 &&
  fail "ssh-keygen accepted the signature over other bytes"

# The signed range is the body plus the trailer up to the signature, and nothing else.
size=$(stat -c %s img.bale)
[ "$body" -gt 0 ] && [ "$body" -lt "$signed" ] && [ $((signed + siglen)) -lt "$size" ] ||
  fail "footer sizes body=$body signed=$signed siglen=$siglen do not fit a file of $size bytes"
[ "$(tail -c 10 img.bale | od -An -tx1 | tr -d ' \n')" = 03000000000000000000 ] ||
  fail "the file does not end in an empty gzip member"
exit 0
