#!/bin/bash
# `bale pull` from Debian's docker-registry behind TLS (a throwaway CA) and htpasswd basic auth,
# of an image skopeo pushed: credentials from `bale login` (docker's config.json, 0600); a tag is
# refused until the trust policy names its repository, a pinned digest is not; the layers are
# applied with their whiteouts into the same tree `bale import` makes of the archive; the image
# is signed by the machine key, named, runnable, and `bale inspect` says where it came from; a
# second pull is one manifest request and no blob.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/run_lib.sh"
. "$(dirname "$0")/registry_lib.sh"
registry_with_app "htpasswd alice s3cret" alice:s3cret
# Directories a whiteout changed get the time of the change: clamped alike for import and pull.
export SOURCE_DATE_EPOCH=1700000000
"$BALE" import app.tar -o imported.bale 2>/dev/null || fail "bale import of the archive failed"

# No credentials yet: the registry's 401, and how to log in.
expect_fail 1 "^bale: '$REG': the registry wants a user and password \(HTTP 401: UNAUTHORIZED: authentication required\)" \
  "$BALE" pull "$REG/team/app:1"
grep -q "bale login $REG" "$T/.err" || fail "no login hint: $(cat "$T/.err")"

# A wrong password is refused with the registry's words, and nothing is stored.
expect_fail 1 "refused the credentials of 'alice' \(HTTP 401: UNAUTHORIZED: authentication required\)" \
  sh -c "echo wrong | '$BALE' login '$REG' -u alice --password-stdin"
[ ! -e "$DOCKER_CONFIG/config.json" ] || fail "a refused login wrote $DOCKER_CONFIG/config.json"
echo s3cret | "$BALE" login "$REG" -u alice --password-stdin 2>login.err || fail "login failed: $(cat login.err)"
[ "$(stat -c %a "$DOCKER_CONFIG/config.json")" = 600 ] || fail "config.json is mode $(stat -c %a "$DOCKER_CONFIG/config.json")"
[ "$(json_get "$DOCKER_CONFIG/config.json" "j['auths']['$REG']['auth']")" = "$(printf alice:s3cret | base64)" ] ||
  fail "config.json does not hold docker's entry: $(cat "$DOCKER_CONFIG/config.json")"

# A tag of a repository no policy names: refused, with the line that accepts it; nothing named.
expect_fail 1 "^bale: '$REG/team/app:1': a tag of a repository that '.*registries.yaml' does not name" \
  "$BALE" pull "$REG/team/app:1"
grep -q "bale trust registry add $REG/team/app " "$T/.err" || fail "no policy hint: $(cat "$T/.err")"
[ -z "$("$BALE" images -q)" ] || fail "a refused pull named an image: $("$BALE" images)"
[ "$(blob_requests)" = 0 ] || fail "a refused pull fetched $(blob_requests) blobs"
[ -z "$(store_names tmp)" ] || fail "a refused pull left $(store_names tmp) in tmp/"

"$BALE" trust registry add "$REG/team" >/dev/null || fail "bale trust registry add failed"
grep -qx "  - $REG/team" "$BALE_CONFIG_DIR/registries.yaml" || fail "registries.yaml: $(cat "$BALE_CONFIG_DIR/registries.yaml")"
"$BALE" pull "$REG/team/app:1" -o pulled.bale >id 2>pull.err || fail "pull failed: $(cat pull.err)"
grep -q "3 layers, 4 blobs fetched" pull.err || fail "pull reported: $(cat pull.err)"
"$BALE" verify pulled.bale >verify.out || fail "the pulled image does not verify"
grep -q "this machine" verify.out || fail "not signed by the machine key: $(cat verify.out)"
diff <(tar -tzf imported.bale | LC_ALL=C sort) <(tar -tzf pulled.bale | LC_ALL=C sort) >tree.diff ||
  fail "pull and import made different trees: $(cat tree.diff)"
mkdir a b && tar -xzf imported.bale -C a && tar -xzf pulled.bale -C b
same_tree a b
[ "$(cat b/etc/motd)" = "from layer 2" ] && [ ! -e b/etc/gone ] && [ ! -e b/opq/old ] ||
  fail "whiteouts not applied: $(ls -R b)"

manifest=sha256:$(skopeo inspect --raw --cert-dir "$T/certs/$REG" --creds alice:s3cret "docker://$REG/team/app:1" | sha256sum | cut -d' ' -f1)
"$BALE" inspect --json "$REG/team/app:1" >info.json || fail "the pulled image is not named $REG/team/app:1"
[ "$(json_get info.json 'j["origin"]["reference"]')" = "$REG/team/app:1" ] &&
  [ "$(json_get info.json 'j["origin"]["manifest_digest"]')" = "$manifest" ] ||
  fail "inspect does not say where it came from: $(json_get info.json 'j.get("origin")')"
[ "$(json_get info.json 'j["digest"]')" = "$(cat id)" ] || fail "pull printed $(cat id)"
"$BALE" inspect "$REG/team/app:1" | grepq "^pulled from: $REG/team/app:1 (linux/amd64)" ||
  fail "inspect shows no origin: $("$BALE" inspect "$REG/team/app:1")"
[ "$(json_get info.json 'j["config"]["config"]["Labels"]')" = '{"org.example.kind":"test"}' ] ||
  fail "config not kept: $(json_get info.json 'j["config"]["config"]')"
out=$("$BALE" run "$REG/team/app:1" 2>run.err) || fail "bale run of the pulled name failed: $(cat run.err)"
[ "$out" = "from layer 2" ] || fail "the pulled image ran and said '$out'"

# Unchanged: one manifest request, no blob.
blobs=$(blob_requests) manifests=$(manifest_requests)
"$BALE" pull "$REG/team/app:1" >/dev/null 2>again.err || fail "second pull failed: $(cat again.err)"
grep -q "is up to date" again.err || fail "second pull said: $(cat again.err)"
[ "$(blob_requests)" = "$blobs" ] || fail "second pull fetched $(( $(blob_requests) - blobs )) blobs"
[ "$(manifest_requests)" = $((manifests + 1)) ] || fail "second pull made $(( $(manifest_requests) - manifests )) manifest requests"

# gc empties the blob cache but keeps what the named image needs to stay up to date.
"$BALE" store gc >gc.out 2>&1 || fail "store gc failed: $(cat gc.out)"
grep -q "removed 4 registry blobs" gc.out || fail "gc said: $(cat gc.out)"
[ -z "$(ls "$BALE_STORE/registry/blobs")" ] || fail "gc left blobs: $(ls "$BALE_STORE/registry/blobs")"
"$BALE" pull "$REG/team/app:1" >/dev/null 2>again.err && grep -q "is up to date" again.err &&
  [ "$(blob_requests)" = "$blobs" ] || fail "after gc, the pull was not up to date: $(cat again.err)"

# A pinned digest is trusted by its content, without a policy entry.
skopeo_push app.tar elsewhere/app:1 alice:s3cret
"$BALE" pull "$REG/elsewhere/app@$manifest" -t pinned:1 >/dev/null 2>pin.err || fail "pinned pull failed: $(cat pin.err)"
grep -q "trusted by the pinned digest\|is up to date" pin.err || fail "pinned pull said: $(cat pin.err)"
"$BALE" verify pinned:1 >/dev/null || fail "the pinned pull is not named pinned:1"

# Unknown repository, tag, digest: the registry's 404 named.
expect_fail 1 "^bale: '$REG/team/nothing:1': no such image in the registry: HTTP 404: (NAME|MANIFEST)_UNKNOWN" \
  "$BALE" pull "$REG/team/nothing:1"
expect_fail 1 "^bale: '$REG/team/app:2': no such image in the registry: HTTP 404: MANIFEST_UNKNOWN" \
  "$BALE" pull "$REG/team/app:2"
expect_fail 1 "no such image in the registry: HTTP 404" "$BALE" pull "$REG/team/app@sha256:$(printf '%064d' 0)"
[ -z "$(store_names tmp)" ] || fail "failed pulls left $(store_names tmp) in tmp/"
exit 0
