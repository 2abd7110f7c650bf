#!/bin/bash
# What `bale app register/remove` may touch: only links to bale and the app files it wrote. A
# file or a foreign symlink at --app is never replaced (not even with --force); an app of bale's
# is registered again only with --force; remove leaves a path that is no longer bale's link;
# --image removes every app of that image and only those. list/show, JSON, the file is YAML
# (read back by python's yaml), drop-ins merged in name order, and a bad key named at launch.
. "$(dirname "$0")/lib.sh"
. "$BALE_SRC/tests/integration/run_lib.sh"
. "$BALE_SRC/tests/integration/app_lib.sh"
make_layer_images
apps="$T/config/apps"

# A regular file and a foreign symlink are never replaced.
echo '#!/bin/sh' >bin/mine
ln -s /bin/true bin/alias
for p in mine alias; do
  for force in "" --force; do
    expect_fail 1 "'$T/bin/$p' exists and is not a bale app link" \
      "$BALE" app register --app "$T/bin/$p" --image "$T/delta.bale" $force
  done
  [ ! -e "$apps/$p.yaml" ] || fail "a refused registration left $p.yaml"
done
[ "$(cat bin/mine)" = '#!/bin/sh' ] || fail "the host's own file was changed"
[ "$(readlink bin/alias)" = /bin/true ] || fail "the foreign symlink was changed"

# Register: the link is bale, the file is in the apps dir; again only with --force.
register_sh one
[ "$(readlink -f bin/one)" = "$(readlink -f "$BALE")" ] || fail "bin/one is not a link to bale"
[ -f "$apps/one.yaml" ] || fail "no one.yaml in $apps"
expect_fail 1 "already registered as app 'one'" \
  "$BALE" app register --app "$T/bin/one" --image "$T/delta.bale"
register_sh one --force --env X=1
grep -q '"X=1"' "$apps/one.yaml" || fail "--force did not rewrite the settings"
mkdir other
expect_fail 1 "an app named 'one' is already registered for '$T/bin/one'" \
  "$BALE" app register --app "$T/other/one" --image "$T/delta.bale"
[ ! -e other/one ] || fail "a second app of the same name was linked"
expect_fail 2 "cannot name an app" "$BALE" app register --app "$T/bin/bale" --image "$T/delta.bale"

# The file is YAML as any parser reads it, and show prints the same settings.
python3 - "$apps/one.yaml" "$T" <<'PY' || fail "one.yaml is not the YAML expected: $(cat "$apps/one.yaml")"
import sys, yaml
d = yaml.safe_load(open(sys.argv[1]))
t = sys.argv[2]
assert d["app"] == t + "/bin/one" and d["engine"] == "bale", d
assert d["image"] == t + "/delta.bale" and d["base"] == t + "/base.bale", d
assert d["layers"] == [t + "/mid.bale"] and d["env"] == ["X=1"] and d["target"] == "/bin/sh", d
assert d["resume"] is False, d
PY
"$BALE" app show one >show.txt
grep -q "^image: \"$T/delta.bale\"" show.txt || fail "show: $(cat show.txt)"

# Drop-ins, in name order, replace keys; a bad key is named at launch (exit 125).
mkdir -p "$apps/one.d"
printf 'env:\n  - WHO=first\n' >"$apps/one.d/10-a.yaml"
printf '# later wins\nenv:\n  - WHO=second\n' >"$apps/one.d/20-b.yaml"
[ "$("$T/bin/one" -c 'echo $WHO')" = second ] || fail "drop-ins not merged in name order"
"$BALE" app show one | grepq 'WHO=second' || fail "show does not merge the drop-ins"
printf 'layres: []\n' >"$apps/one.d/30-typo.yaml"
expect_fail 125 "30-typo.yaml.*unknown key 'layres'" "$T/bin/one" -c true
printf 'layers: [a, b]\n' >"$apps/one.d/30-typo.yaml"
expect_fail 125 "30-typo.yaml' line 1: .*quoted" "$T/bin/one" -c true
rm "$apps/one.d/30-typo.yaml"

# list, table and JSON.
"$BALE" app register --app "$T/bin/two" --image "$T/base.bale" --target /bin/echo >/dev/null
"$BALE" app list >list.txt
grep -qE "^one +$T/bin/one +$T/delta.bale +/bin/sh" list.txt || fail "list: $(cat list.txt)"
grep -qE "^two +$T/bin/two +$T/base.bale +/bin/echo" list.txt || fail "list: $(cat list.txt)"
"$BALE" app list --format json >list.json
[ "$(json_get list.json 'len(j)')" = 2 ] || fail "list json: $(cat list.json)"
[ "$(json_get list.json 'j[1]["target"]')" = /bin/echo ] || fail "list json: $(cat list.json)"

# remove: a path that is no longer our link is left; the app's file goes.
expect_fail 1 "is not a registered app" "$BALE" app remove --app "$T/bin/mine"
rm bin/two
echo 'now mine' >bin/two
"$BALE" app remove --app "$T/bin/two" >/dev/null 2>rm.err || fail "remove two: $(cat rm.err)"
grep -q "no longer a bale app link: left as it is" rm.err || fail "remove did not say it left bin/two"
[ "$(cat bin/two)" = 'now mine' ] || fail "remove touched a file that is not bale's"
[ ! -e "$apps/two.yaml" ] || fail "two.yaml is still there"

# remove --image: every app of that image, no other.
"$BALE" app register --app "$T/bin/three" --image "$T/delta.bale" >/dev/null
"$BALE" app register --app "$T/bin/four" --image "$T/base.bale" >/dev/null
"$BALE" app remove --image "$T/delta.bale" >/dev/null 2>&1 || fail "remove --image failed"
[ ! -e bin/one ] && [ ! -e bin/three ] && [ ! -e "$apps/one.yaml" ] || fail "apps of delta.bale remain"
[ -L bin/four ] && [ -e "$apps/four.yaml" ] || fail "remove --image removed an app of another image"
expect_fail 1 "no app in .* runs image" "$BALE" app remove --image "$T/delta.bale"
[ "$(cat bin/mine)" = '#!/bin/sh' ] && [ "$(readlink bin/alias)" = /bin/true ] ||
  fail "the host's own files changed"
