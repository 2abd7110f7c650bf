#!/bin/bash
# docs/bale.schema.json says what bale's parser says: the example of docs/projects.md is valid
# for both, and each kind of mistake that bale refuses the schema refuses too.
. "$(dirname "$0")/lib.sh"
. "$BALE_SRC/tests/integration/project_lib.sh"
python3 -c 'import jsonschema, yaml' 2>/dev/null || skip "python3-jsonschema and python3-yaml are needed"
schema="$BALE_SRC/docs/bale.schema.json"
# valid FILE: 0 when the schema accepts FILE (YAML), else 1 with the reason on stderr.
valid() {
  python3 - "$schema" "$1" <<'PY'
import json, sys, yaml, jsonschema
schema = json.load(open(sys.argv[1]))
jsonschema.Draft202012Validator.check_schema(schema)
try:
    jsonschema.Draft202012Validator(schema).validate(yaml.safe_load(open(sys.argv[2])) or {})
except jsonschema.ValidationError as e:
    print(e.message, file=sys.stderr)
    sys.exit(1)
PY
}
mkdir -p "$P"
sed -n '/^```yaml$/,/^```$/p' "$BALE_SRC/docs/projects.md" | sed '1d;$d' >"$P/bale.yaml"
grep -q 'supervise:' "$P/bale.yaml" || fail "no example found in docs/projects.md"
valid "$P/bale.yaml" || fail "the schema refuses the documented example"
in_proj "$BALE" >list.out 2>err || fail "bale refuses the documented example: $(cat err)"
grep -qE '^  serve +the whole stack' list.out || fail "the example's commands are not listed: $(cat list.out)"

bad=0
for mistake in \
  'commands: {t: {run: [x], rnu: 1}}' \
  'commands: {t: {description: x}}' \
  'containers: {c: {image: x, dockerfile: y}}' \
  'containers: {c: {environ: {A: b}}}' \
  'containers: {c: {image: x, volumes: {/v: {bind: a, cache: b}}}}' \
  'containers: {c: {image: x, volumes: {/v: {persistent: a, read-only: true}}}}' \
  'commands: {t: {run: [x], accepts-arguments: "yes"}}' \
  'commands: {s: {supervise: {children: [a], mode: sometimes}}}' \
  'commands: {s: {supervise: {children: [a]}, run: [x]}}' \
  'comands: {}'; do
  printf '%s\n' "$mistake" >"$P/bale.yaml"
  valid "$P/bale.yaml" 2>/dev/null && { echo "the schema accepts: $mistake" >&2; bad=1; }
  in_proj "$BALE" do t >/dev/null 2>&1 && rc=0 || rc=$?
  [ "$rc" -eq 123 ] || { echo "bale gave $rc, not 123, for: $mistake" >&2; bad=1; }
done
[ "$bad" -eq 0 ] || fail "the schema and bale disagree"
echo ok
