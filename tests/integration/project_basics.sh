#!/bin/bash
# A project found from a subdirectory; bare `bale` lists its commands; the project at /work and
# the caller's directory under it; a list `run` gets extra arguments appended, a string refuses
# them unless accepts-arguments, then they are "$@"; `bale do` for a name bale has itself; the
# environment is clean and its precedence is image < container < command < -e; the documented
# exit codes for no project and no such command.
. "$(dirname "$0")/lib.sh"
. "$BALE_SRC/tests/integration/project_lib.sh"
busybox_project
cat >"$P/bale.yaml" <<'Y'
containers:
  bb:
    dockerfile: Dockerfile
    environ: {LEVEL: container, C_ONLY: c}
commands:
  where:
    description: print where it runs
    run: [sh, -c, 'echo "pwd=$(pwd) pid=$$"; ls /work']
  args:
    run: [echo, first]
  strict:
    run: echo strict
  open:
    description: takes arguments
    run: 'echo "n=$# 1=$1 2=$2"'
    accepts-arguments: true
  env:
    run: [env]
    environ: {LEVEL: command}
  build:
    run: [echo, the project's own build]
  as-user:
    run: [sh, -c, 'echo "$(id -u):$(id -g) $(pwd)"']
    user: "1234:99"
    work-dir: /tmp
Y
mkdir -p "$P/src/deep"
echo marker >"$P/marker"

(cd "$P/src/deep" && "$BALE") >list.out 2>err || fail "bare bale in a project failed: $(cat err)"
grep -qE '^  where +print where it runs$' list.out || fail "list lacks 'where': $(cat list.out)"
grep -qE '^  open +takes arguments$' list.out || fail "list lacks 'open': $(cat list.out)"
(cd "$P" && "$BALE" do) >list2.out 2>&1 || fail "bale do (list) failed"
cmp -s list.out list2.out || fail "bare bale and bale do list differently"

out=$(cd "$P/src/deep" && "$BALE" where 2>err) || fail "where failed: $(cat err)"
grep -qx "pwd=/work/src/deep pid=2" <<<"$out" || fail "cwd or PID inside: $out"
grep -qx marker <<<"$out" || fail "/work is not the project: $out"
[ -s err ] && fail "the first run printed build output... on stdout? stderr: $(cat err)"

# user and work-dir.
[ "$(cd "$P/src" && "$BALE" as-user 2>/dev/null)" = "1234:99 /tmp" ] || fail "user/work-dir: $(cd "$P/src" && "$BALE" as-user 2>&1)"

# Arguments.
[ "$(in_proj "$BALE" args a 'b c' 2>/dev/null)" = "first a b c" ] || fail "list run: arguments not appended"
expect_fail 2 "command 'strict' takes no arguments" in_proj "$BALE" strict x
[ "$(in_proj "$BALE" strict 2>/dev/null)" = strict ] || fail "strict without arguments"
[ "$(in_proj "$BALE" open 'x y' z 2>/dev/null)" = "n=2 1=x y 2=z" ] || fail "accepts-arguments: not \$@"
# `bale build` is bale's; `bale do build` is the project's.
[ "$(in_proj "$BALE" do build 2>/dev/null)" = "the project's own build" ] || fail "bale do build"
expect_fail 2 "CONTEXT is required|required" in_proj "$BALE" build

# The environment: nothing from the host but TERM and *_proxy.
in_proj env -i PATH=/usr/bin:/bin TERM=dumb http_proxy=http://proxy:3128 LEAK=host HOME=/root \
  "$BALE" do -e EXTRA=cli -e C_ONLY=cli env >env.out 2>err || fail "env failed: $(cat err)"
for want in LEVEL=command C_ONLY=cli EXTRA=cli FROM_IMAGE=image TERM=dumb http_proxy=http://proxy:3128 \
            PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin; do
  grep -qx "$want" env.out || fail "environment lacks $want: $(cat env.out)"
done
grep -q LEAK env.out && fail "a host variable leaked: $(cat env.out)"
grep -q '^HOME=/root' env.out && fail "the host's HOME leaked"

# Exit codes: the command's own; 122 no such command; 121 no project.
cat >>"$P/bale.yaml" <<'Y'
  seven:
    run: [sh, -c, 'exit 7']
Y
in_proj "$BALE" seven 2>/dev/null && rc=0 || rc=$?
[ "$rc" -eq 7 ] || fail "the command's exit code 7 came back as $rc"
expect_fail 122 "no command 'nope' in .*/bale.yaml" in_proj "$BALE" nope
grep -q "its commands: args, as-user, build, env, open, seven, strict, where" "$T/.err" || fail "no list of commands: $(cat "$T/.err")"
mkdir elsewhere
expect_fail 121 "no bale.yaml in '.*/elsewhere' or any directory above it" sh -c "cd elsewhere && '$BALE' do where"
# Outside a project a bare bale prints its usage (exit 2), and an unknown word is a usage error.
(cd elsewhere && "$BALE") >usage.out 2>&1 && rc=0 || rc=$?
[ "$rc" -eq 2 ] && grep -q '^Subcommands:' usage.out && grep -qE '^  do ' usage.out ||
  fail "bare bale outside a project: $rc $(head -5 usage.out)"
expect_fail 2 "unknown command 'nope'" sh -c "cd elsewhere && '$BALE' nope"
echo ok
