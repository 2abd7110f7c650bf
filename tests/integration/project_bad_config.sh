#!/bin/bash
# A bad bale.yaml is one clear message with exit 123: bad YAML with its line and column, an
# unknown key, a wrong type, a missing field, a cycle of prerequisites, each naming the line
# and the path; errors in bale.local.yaml name that file; bale.local.yaml merges key by key;
# nothing is built for a bad file.
. "$(dirname "$0")/lib.sh"
. "$BALE_SRC/tests/integration/project_lib.sh"
busybox_project
check() {  # check PATTERN: bale.yaml as given must fail with PATTERN
  expect_fail 123 "$1" in_proj "$BALE" do t
  [ "$(wc -l <"$T/.err")" -eq 1 ] || fail "more than one line for one mistake: $(cat "$T/.err")"
}
printf 'containers:\n  bb: {dockerfile: Dockerfile}\ncommands:\n  t:\n    run: [a, b\n  u: {}\n' >"$P/bale.yaml"
check "^bale: bale.yaml:6:[0-9]+: bad YAML: "
yaml '  t:
    run: [echo]
    envron: {A: b}'
check "^bale: bale.yaml:7: commands.t: unknown key 'envron' \(known keys: description, container, run, "
yaml '  t:
    description: no run'
check "^bale: bale.yaml:5: commands.t: 'run' is missing \(or 'supervise'\)$"
yaml '  t:
    run: [echo]
    prerequisites: {a: b}'
check "^bale: bale.yaml:7: commands.t.prerequisites: expected a list, found a mapping$"
yaml '  t:
    run: [echo]
    prerequisites: [u]
  u:
    run: [echo]
    prerequisites: [t]'
check "^bale: bale.yaml:5: commands.t.prerequisites: the prerequisites form a cycle: t -> u -> t$"
[ ! -d "$BALE_STORE/build" ] || fail "something was built for a bad bale.yaml"

# bale.local.yaml: merged key by key; its own errors name it.
yaml '  t:
    run: [echo, committed]
    description: kept'
printf 'commands:\n  t:\n    run: [echo, local]\n' >"$P/bale.local.yaml"
[ "$(in_proj "$BALE" t 2>/dev/null)" = local ] || fail "bale.local.yaml did not override run"
in_proj "$BALE" | grepq -E '^  t +kept$' || fail "bale.local.yaml replaced more than the key it gave"
printf 'commands:\n  t:\n    rnu: [x]\n' >"$P/bale.local.yaml"
check "^bale: bale.local.yaml:3: commands.t: unknown key 'rnu'"
echo ok
