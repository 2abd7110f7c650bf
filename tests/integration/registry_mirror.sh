#!/bin/bash
# Registry mirrors from registries.yaml: `bale pull REGISTRY/…` asks the mirrors first, in order
# (one that cannot be reached, or lacks the image, is passed over with a warning), trusts by the
# reference as written, records the mirror it came from, and falls back to the registry itself.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/run_lib.sh"
. "$(dirname "$0")/registry_lib.sh"
need skopeo

make_ca
start_registry none -mirror
MIRROR=$REG
start_registry none
multilayer_spec spec.json
make_archive spec.json app.tar
skopeo_push app.tar team/app:2            # only the registry has :2
REG_SAVED=$REG REG=$MIRROR
skopeo_push app.tar team/app:1            # only the mirror has :1
REG=$REG_SAVED
dead=127.0.0.1:$(free_port)

"$BALE" trust registry add "$REG/team" >/dev/null
cat >>"$BALE_CONFIG_DIR/registries.yaml" <<YML
mirrors:
  $REG:
    - $dead
    - $MIRROR
YML
"$BALE" trust registry add "$REG/more" >/dev/null
grep -qx "    - $MIRROR" "$BALE_CONFIG_DIR/registries.yaml" ||
  fail "trust registry add lost the mirrors: $(cat "$BALE_CONFIG_DIR/registries.yaml")"

"$BALE" pull "$REG/team/app:1" >/dev/null 2>pull.err || fail "pull through the mirror failed: $(cat pull.err)"
grep -q "warning: mirror '$dead': .*trying the next" pull.err || fail "no warning for the dead mirror: $(cat pull.err)"
"$BALE" inspect --json "$REG/team/app:1" >i.json || fail "not named $REG/team/app:1"
[ "$(json_get i.json 'j["origin"]["mirror"]')" = "$MIRROR" ] &&
  [ "$(json_get i.json 'j["origin"]["reference"]')" = "$REG/team/app:1" ] ||
  fail "origin: $(json_get i.json 'j["origin"]')"
[ "$(manifest_requests)" = 0 ] && [ "$(blob_requests)" = 0 ] || fail "the registry itself was asked"

# The mirror lacks :2: the registry serves it.
"$BALE" pull "$REG/team/app:2" >/dev/null 2>pull2.err || fail "fallback to the registry failed: $(cat pull2.err)"
grep -q "warning: mirror '$MIRROR': .*MANIFEST_UNKNOWN" pull2.err || fail "no warning for the mirror's 404: $(cat pull2.err)"
"$BALE" inspect --json "$REG/team/app:2" >i2.json
[ "$(json_get i2.json 'j["origin"].get("mirror", "none")')" = none ] || fail "origin: $(json_get i2.json 'j["origin"]')"

# Trust is the reference's: a repository the policy does not name is refused, mirror or not.
REG_SAVED=$REG REG=$MIRROR
skopeo_push app.tar other/app:1
REG=$REG_SAVED
expect_fail 1 "a tag of a repository that .* does not name" "$BALE" pull "$REG/other/app:1"
exit 0
