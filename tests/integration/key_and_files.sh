#!/bin/bash
# `bale key` creates the machine key once, as ordinary OpenSSH files (private key 0600, .pub
# beside it) that ssh-keygen reads, and prints the same identity every time; racing first runs
# agree on one key; --key shows another key; keys bale cannot sign with are refused cleanly.
. "$(dirname "$0")/lib.sh"
need ssh-keygen

[ ! -e "$BALE_CONFIG_DIR" ] || fail "setup: the config dir exists already"
"$BALE" key >first
[ "$(wc -l <first)" -eq 2 ] || fail "bale key printed: $(cat first)"
grep -qE '^ssh-ed25519 AAAAC3NzaC1lZDI1NTE5[A-Za-z0-9+/=]+( .*)?$' <(head -1 first) ||
  fail "first line is not an OpenSSH ed25519 key: $(head -1 first)"
grep -qE '^SHA256:[A-Za-z0-9+/]{43}$' <(sed -n 2p first) || fail "second line is not a fingerprint: $(sed -n 2p first)"

key=$BALE_CONFIG_DIR/id_ed25519
[ -f "$key" ] && [ -f "$key.pub" ] || fail "no id_ed25519 and .pub in $BALE_CONFIG_DIR: $(ls -la "$BALE_CONFIG_DIR")"
[ "$(stat -c %a "$key")" = 600 ] || fail "private key mode $(stat -c %a "$key")"
head -1 "$key" | grepq -x -- '-----BEGIN OPENSSH PRIVATE KEY-----' || fail "not an OpenSSH private key file"
[ "$(ssh-keygen -y -f "$key" | cut -d' ' -f1,2)" = "$(head -1 first | cut -d' ' -f1,2)" ] ||
  fail "ssh-keygen -y derives another public key: $(ssh-keygen -y -f "$key")"
[ "$(cut -d' ' -f1,2 "$key.pub")" = "$(head -1 first | cut -d' ' -f1,2)" ] || fail ".pub holds another key"
[ "$(ssh-keygen -lf "$key.pub" | awk '{print $2}')" = "$(sed -n 2p first)" ] ||
  fail "ssh-keygen -l gives $(ssh-keygen -lf "$key.pub"), bale says $(sed -n 2p first)"

"$BALE" key >second
cmp first second || fail "the second call printed another identity"
sum=$(sha256sum <"$key")
make_busybox_root root
"$BALE" pack root -o img.bale 2>/dev/null
[ "$(sha256sum <"$key")" = "$sum" ] || fail "pack replaced the machine key"

# Eight first runs at once end up with one key among them.
export BALE_CONFIG_DIR=$T/race
for i in 1 2 3 4 5 6 7 8; do "$BALE" key >"race.$i" 2>&1 & done
wait
for i in 2 3 4 5 6 7 8; do cmp race.1 "race.$i" >/dev/null || fail "racing runs disagree: $(cat race.1 "race.$i")"; done
"$BALE" key | cmp race.1 - >/dev/null || fail "the key after the race is not the one the racers printed"
stray=$(find "$BALE_CONFIG_DIR" -mindepth 1 ! -name id_ed25519 ! -name id_ed25519.pub -printf '%f ')
[ -z "$stray" ] || fail "the race left files behind: $stray"

# Another key, by file.
ssh-keygen -q -t ed25519 -N '' -C someone@example.org -f other
"$BALE" key --key other >other.out
[ "$(head -1 other.out | cut -d' ' -f1,2)" = "$(cut -d' ' -f1,2 other.pub)" ] || fail "bale key --key other printed $(cat other.out)"
[ "$(sed -n 2p other.out)" = "$(ssh-keygen -lf other.pub | awk '{print $2}')" ] || fail "--key fingerprint differs"

# Keys bale cannot sign with: a clean error naming the file.
ssh-keygen -q -t ed25519 -N 'a passphrase' -f locked
ssh-keygen -q -t rsa -b 2048 -N '' -f rsa
for k in locked rsa other.pub no-such-key; do
  expect_fail 1 "'$k'" "$BALE" key --key "$k"
  grep -q 'internal error' "$T/.err" && fail "--key $k: $(cat "$T/.err")"
  expect_fail 1 "'$k'" "$BALE" pack root -o k.bale --key "$k"
  [ ! -e k.bale ] || fail "pack with --key $k wrote an image"
done
exit 0
