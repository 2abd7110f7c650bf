#!/bin/bash
# The bearer-token flow: the registry answers 401 with `WWW-Authenticate: Bearer realm=…`, bale
# asks the token server for the repository's scope (anonymously for a pull, with the
# credentials of `bale login` for a push) and sends the request again with the token. A wrong
# password is refused with the token server's own message.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/run_lib.sh"
. "$(dirname "$0")/registry_lib.sh"
need skopeo

make_ca
start_token_server alice s3cret
start_registry "token $TOKEN_REALM"
multilayer_spec spec.json
make_archive spec.json app.tar
skopeo_push app.tar team/app:1 alice:s3cret

# Anonymous pull: a pull-only token for exactly this repository.
"$BALE" trust registry add "$REG/team" >/dev/null
: >"$T/token.log"
"$BALE" pull "$REG/team/app:1" >/dev/null 2>pull.err || fail "anonymous pull failed: $(cat pull.err)"
grep -qx -- "- repository:team/app:pull bale-test" "$T/token.log" ||
  fail "the token server was asked: $(cat "$T/token.log")"
"$BALE" inspect --json "$REG/team/app:1" >i.json
[ "$(tar -xOzf "$(json_get i.json 'j["path"]')" etc/motd)" = "from layer 2" ] || fail "the pulled tree is wrong"

# Anonymous push: the token grants pull only and the registry says no.
make_busybox_root root
"$BALE" pack root -o img.bale 2>/dev/null
expect_fail 1 "^bale: '$REG': the registry refused anonymous access \(HTTP 401: UNAUTHORIZED: authentication required" \
  "$BALE" push img.bale "$REG/team/img:1"

# A wrong password: the token server's words.
expect_fail 1 "the token server '$TOKEN_REALM' refused the credentials of 'alice' \(HTTP 401: wrong user name or password for alice\)" \
  sh -c "echo nope | '$BALE' login '$REG' -u alice --password-stdin"
echo s3cret | "$BALE" login "$REG" -u alice --password-stdin 2>/dev/null || fail "login failed"
: >"$T/token.log"
"$BALE" push img.bale "$REG/team/img:1" >/dev/null 2>push.err || fail "push with a token failed: $(cat push.err)"
grep -qx -- "alice repository:team/img:pull,push bale-test" "$T/token.log" ||
  fail "the token server was asked: $(cat "$T/token.log")"
"$BALE" pull "$REG/team/img:1" -o back.bale >/dev/null 2>&1 || fail "pull of the pushed image failed"
cmp back.bale img.bale || fail "the pushed file did not come back as it was"
exit 0
