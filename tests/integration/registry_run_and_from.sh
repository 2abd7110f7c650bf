#!/bin/bash
# `bale run REF` and `FROM REF` pull an image the store does not have when REF names its
# registry (with pull's trust rules), name it as `bale pull` does, and use the store's copy
# from then on; a short name that is not in the store stays a local error, never a download.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/run_lib.sh"
. "$(dirname "$0")/registry_lib.sh"
registry_with_app none

# Not trusted yet: run refuses with the policy line, before anything is fetched.
expect_fail 125 "a tag of a repository that .* does not name" "$BALE" run "$REG/team/app:1"
grep -q "bale trust registry add $REG/team/app" "$T/.err" || fail "no policy hint: $(cat "$T/.err")"
[ "$(blob_requests)" = 0 ] || fail "a refused run fetched blobs"

"$BALE" trust registry add "$REG/team" >/dev/null
out=$("$BALE" run "$REG/team/app:1" 2>run.err) || fail "bale run REF failed: $(cat run.err)"
[ "$out" = "from layer 2" ] || fail "bale run REF said '$out': $(cat run.err)"
grep -q "is not in the store: pulling $REG/team/app:1" run.err || fail "run did not say it pulls: $(cat run.err)"
"$BALE" images | grepq "^$REG/team/app " || fail "run did not name what it pulled: $("$BALE" images)"
manifests=$(manifest_requests)
out=$("$BALE" run "$REG/team/app:1" cat /srv/third 2>again.err) || fail "second run failed: $(cat again.err)"
[ "$out" = "third layer" ] && [ "$(manifest_requests)" = "$manifests" ] ||
  fail "the second run went to the registry again ($out; $(cat again.err))"

# FROM a registry image in a build (a tag the policy names, then a pinned digest of another
# repository, which needs no entry).
skopeo_push app.tar other/app:1
digest=sha256:$(skopeo inspect --raw --cert-dir "$T/certs/$REG" "docker://$REG/other/app:1" | sha256sum | cut -d' ' -f1)
mkdir ctx
printf 'FROM %s\nRUN cat /etc/motd /srv/third > /built\n' "$REG/other/app@$digest" >ctx/Dockerfile
"$BALE" build -q -t built:1 ctx 2>build.err || fail "FROM REF@DIGEST failed: $(cat build.err)"
[ "$("$BALE" run built:1 cat /built 2>/dev/null)" = "from layer 2
third layer" ] || fail "the build from a pulled base made: $("$BALE" run built:1 cat /built 2>&1)"

# COPY --from a registry image the store lacks pulls it too (the tag the policy names).
"$BALE" rmi "$REG/team/app:1" >/dev/null || fail "rmi of the pulled name failed"
mkdir ctx2
printf 'FROM built:1\nCOPY --from=%s /srv/third /copied\n' "$REG/team/app:1" >ctx2/Dockerfile
"$BALE" build -q -t built:2 ctx2 2>build2.err || fail "COPY --from=REF failed: $(cat build2.err)"
[ "$("$BALE" run built:2 cat /copied 2>/dev/null)" = "third layer" ] ||
  fail "COPY --from=REF copied: $("$BALE" run built:2 cat /copied 2>&1)"

# A short name the store lacks is a local error, as before.
expect_fail 125 "'nothing': no such image file, and no image of that name or id" "$BALE" run nothing true
exit 0
