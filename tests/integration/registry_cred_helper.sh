#!/bin/bash
# Credentials from a docker credential helper that config.json names: "credHelpers" for one
# registry, "credsStore" for all; the helper (a script on $PATH) gets the registry on stdin and
# answers docker's JSON. A helper with nothing for the registry falls through to "auths"; one
# that fails is an error naming it; one not on $PATH is a warning, and the registry's 401 follows.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/run_lib.sh"
. "$(dirname "$0")/registry_lib.sh"
registry_with_app "htpasswd alice s3cret" alice:s3cret
"$BALE" trust registry add "$REG/team" >/dev/null

mkdir bin
cat >bin/docker-credential-test <<SH
#!/bin/sh
[ "\$1" = get ] || exit 2
read -r server
echo "\$server" >>"$T/helper.log"
if [ "\$server" = "$REG" ]; then
  printf '{"ServerURL": "%s", "Username": "alice", "Secret": "s3cret"}\n' "\$server"
else
  echo "credentials not found in native keychain"; exit 1
fi
SH
cat >bin/docker-credential-broken <<'SH'
#!/bin/sh
echo "the keychain is locked"; exit 3
SH
chmod +x bin/*
export PATH="$T/bin:$PATH"
mkdir -p "$DOCKER_CONFIG"

echo "{\"credHelpers\": {\"$REG\": \"test\"}}" >"$DOCKER_CONFIG/config.json"
"$BALE" pull "$REG/team/app:1" >/dev/null 2>err || fail "pull with credHelpers failed: $(cat err)"
[ "$(cat helper.log)" = "$REG" ] || fail "the helper was asked for: $(cat helper.log)"
"$BALE" rmi "$REG/team/app:1" >/dev/null

echo '{"credsStore": "test"}' >"$DOCKER_CONFIG/config.json"
rm -rf "$BALE_STORE/registry"
"$BALE" pull "$REG/team/app:1" >/dev/null 2>err || fail "pull with credsStore failed: $(cat err)"

echo '{"credsStore": "broken"}' >"$DOCKER_CONFIG/config.json"
expect_fail 1 "^bale: credential helper 'docker-credential-broken' for '$REG': exit 3: the keychain is locked" \
  "$BALE" pull "$REG/team/app:1"

# Nothing in the helper for this registry: auths is read.
echo "{\"credsStore\": \"test\", \"auths\": {\"$REG\": {\"auth\": \"$(printf alice:s3cret | base64)\"}}}" >"$DOCKER_CONFIG/config.json"
sed -i "s|= \"$REG\"|= nothing|" bin/docker-credential-test
"$BALE" pull "$REG/team/app:1" >/dev/null 2>err || fail "pull with auths behind a helper without them failed: $(cat err)"

echo '{"credsStore": "absent"}' >"$DOCKER_CONFIG/config.json"
expect_fail 1 "the registry wants a user and password" "$BALE" pull "$REG/team/app:1"
grep -q "warning: credential helper 'docker-credential-absent' is not on \$PATH, ignoring" "$T/.err" ||
  fail "no warning for a missing helper: $(cat "$T/.err")"
exit 0
