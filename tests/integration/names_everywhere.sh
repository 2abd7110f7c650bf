#!/bin/bash
# Every command that takes an image takes a path, a name in the store or an image id (or a
# prefix of 12+ hex digits): inspect, verify, export, sign -o, run, tag. A directory beside the
# command with the image's name is not read as an image file: a name that is not a file is a name.
. "$(dirname "$0")/lib.sh"
. "$BALE_SRC/tests/integration/run_lib.sh"
run_root root
"$BALE" pack root -o img.bale -t web:1 2>/dev/null
id=$("$BALE" inspect --json img.bale | python3 -c 'import json,sys; print(json.load(sys.stdin)["digest"])')
short=${id#sha256:}
short=${short:0:12}
mkdir web web:1    # folders named like the image, in the working directory

for ref in web:1 "$id" "$short"; do
  "$BALE" inspect "$ref" >out 2>err || fail "inspect $ref: $(cat err)"
  grep -q "$id" out || fail "inspect $ref shows another image: $(cat out)"
  "$BALE" verify "$ref" >out 2>err || fail "verify $ref: $(cat err)"
  [ "$("$BALE" run "$ref" echo ran 2>err)" = ran ] || fail "run $ref: $(cat err)"
  "$BALE" export "$ref" -o "exp.tar" 2>err || fail "export $ref: $(cat err)"
  tar -tf exp.tar manifest.json >/dev/null || fail "export $ref wrote no docker-archive"
done
"$BALE" tag web:1 web:2 2>err || fail "tag web:1 web:2: $(cat err)"
"$BALE" tag "$short" other 2>err || fail "tag by id: $(cat err)"
"$BALE" images >out
grep -qE "^web +2 +${short} " out && grep -qE "^other +latest +${short} " out ||
  fail "tag did not add the names: $(cat out)"
# The columns docker users read, JSON for scripts, ids for -q (each id once).
head -1 out | grepq -E '^NAME +TAG +IMAGE ID +CREATED +SIZE$' || fail "images header: $(head -1 out)"
"$BALE" images --format json >j.json
[ "$(json_get j.json '[r["name"] + ":" + r["tag"] for r in j if r["id"] == "'"$id"'"]')" = '["other:latest","web:1","web:2"]' ] ||
  fail "images --format json: $(cat j.json)"
[ "$("$BALE" images -q)" = "$short" ] || fail "images -q: $("$BALE" images -q)"
[ "$("$BALE" run web:2 echo two 2>err)" = two ] || fail "run of the new name: $(cat err)"
"$BALE" sign web:1 -o resigned.bale 2>err || fail "sign web:1 -o: $(cat err)"
"$BALE" verify resigned.bale >/dev/null 2>&1 || fail "the re-signed copy does not verify"
expect_fail 2 "'web:1' is a name in the store: give -o FILE" "$BALE" sign web:1
expect_fail 1 "'web': a directory, not an image file; and no image of that name or id" "$BALE" inspect web
expect_fail 125 "'nothing': no such image file, and no image of that name or id" "$BALE" run nothing true
exit 0
