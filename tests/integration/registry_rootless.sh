#!/bin/bash
# `bale pull` as an ordinary user: the user's own config (CA, trust policy), store and machine
# key; the layers merged as the user (no tree to chown: another owner's files stay that owner's
# in the image), so `bale run` of the pulled name sees the layers' owners inside its user
# namespace; nothing is left in the user's tmp/, and root's store is not touched.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/run_lib.sh"
. "$(dirname "$0")/registry_lib.sh"
need skopeo
need setpriv
need useradd
[ -u /usr/bin/newuidmap ] || skip "newuidmap is not installed setuid (package uidmap)"

make_ca
start_registry none
multilayer_spec spec.json
make_archive spec.json app.tar
skopeo_push app.tar team/app:1

user=bale-rp-$$
test_user "$user" 4500000
ucfg=$T/home/.config/bale
mkdir -p "$ucfg/certs.d/$REG"
cp "$T/ca/ca.crt" "$ucfg/certs.d/$REG/ca.crt"
chown -R "$user:" "$T/home/.config"

as_test_user "$T/bale" trust registry add "$REG/team" >/dev/null 2>err || fail "trust registry add as the user: $(cat err)"
as_test_user "$T/bale" pull "$REG/team/app:1" >out 2>err || fail "pull as the user failed: $(cat err)"
grep -q "applied the layers into a tree" err && fail "the user's pull went through a tree: $(cat err)"
store=$T/home/.local/share/bale
[ -n "$(find "$store/blobs" -name '*.bale' -user "$user")" ] || fail "no image of the user's in $store/blobs"
[ -z "$(ls -A "$store/tmp" 2>/dev/null)" ] || fail "the user's tmp/ has leftovers: $(ls "$store/tmp")"
[ -z "$(store_names tmp)" ] && [ -z "$("$BALE" images -q)" ] || fail "root's store was touched"

out=$(as_test_user "$T/bale" run "$REG/team/app:1" 2>err) || fail "run of the pulled image as the user: $(cat err)"
[ "$out" = "from layer 2" ] || fail "the pulled image runs with: $out"
out=$(as_test_user "$T/bale" run "$REG/team/app:1" sh -c 'stat -c "%u:%g %a" /srv/third; ls /opq; test -e /etc/gone || echo gone' 2>err) ||
  fail "stat in the pulled image: $(cat err)"
[ "$out" = "$(printf '1234:5678 600\nnew\ngone')" ] || fail "the layers' owners, opaque dir or whiteout inside: $out"

# A second pull is one manifest request, as for root.
before=$(blob_requests)
as_test_user "$T/bale" pull "$REG/team/app:1" >/dev/null 2>err || fail "second pull as the user: $(cat err)"
[ "$(blob_requests)" = "$before" ] || fail "the second pull fetched blobs again"
exit 0
