#!/bin/bash
# What the target is started with, as docker does it: environment (image Env < --env-file < -e,
# -e K from the caller, HOME and a default PATH), working directory (-w, the image's WorkingDir),
# user (-u by name, uid, user:group; supplementary groups; the image's User) and the command
# (arguments replace Cmd and keep the Entrypoint; --entrypoint drops Cmd).
# shellcheck disable=SC2016  # the single-quoted words are for the container's shell
. "$(dirname "$0")/lib.sh"
. "$BALE_SRC/tests/integration/run_lib.sh"

run_root root
mkdir -p root/home/alice root/home/bob
chown 1000:1000 root/home/alice
cat >root/etc/passwd <<'EOF'
root:x:0:0:root:/root:/bin/sh
alice:x:1000:1000:Alice:/home/alice:/bin/sh
bob:x:1001:1001::/home/bob:/bin/sh
EOF
cat >root/etc/group <<'EOF'
root:x:0:
alice:x:1000:
bob:x:1001:
wheel:x:10:alice
audio:x:29:alice,bob
staff:x:50:
EOF
"$BALE" pack root -o plain.bale -e A=img -e B=img -e C=img -e 'SPACED=a b' \
  --cmd '["sh", "-c", "echo cmd-default"]' 2>/dev/null
"$BALE" pack root -o config.bale -e PATH=/custom:/bin -w /srv/app -u bob \
  --entrypoint '["echo", "ep"]' --cmd '["c1", "c2"]' 2>/dev/null

# out IMAGE-AND-ARGS...: `bale run` with these arguments; its stdout, or a failure.
out() {
  local rc=0
  "$BALE" run "$@" >"$T/.run" 2>"$T/.runerr" || rc=$?
  [ "$rc" -eq 0 ] || fail "'bale run $*' exited $rc: $(cat "$T/.runerr")"
  cat "$T/.run"
}
# expect WANT IMAGE-AND-ARGS...: the run's stdout must be exactly WANT.
expect() {
  local want=$1 got
  shift
  got=$(out "$@")
  [ "$got" = "$want" ] || fail "'bale run $*' printed '$got', expected '$want'"
}

# --- Environment: exactly the image's Env plus what was asked for, nothing of the caller's.
printf '# a comment\nB=file\nC=file\n\nFILE_ONLY=yes\r\n' >envfile
export CALLER_VAR='from caller' LEAK_ME=1
unset NOT_SET_ANYWHERE
out --env-file envfile -e C=cli -e CALLER_VAR -e NOT_SET_ANYWHERE -e 'EQ=x=y' plain.bale env |
  LC_ALL=C sort >env.out
cat >env.want <<'EOF'
A=img
B=file
C=cli
CALLER_VAR=from caller
EQ=x=y
FILE_ONLY=yes
HOME=/root
PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
SPACED=a b
EOF
diff env.want env.out >env.diff || fail "the target's environment differs (-want +got): $(cat env.diff)"
expect "/custom:/bin /home/bob" --entrypoint sh config.bale -c 'echo "$PATH" "$HOME"'
expect "/home/alice" -u alice plain.bale sh -c 'echo "$HOME"'
expect "/elsewhere" -u alice -e HOME=/elsewhere plain.bale sh -c 'echo "$HOME"'
expect_fail 2 "bad variable" "$BALE" run -e =x plain.bale true

# --- Working directory: -w (created when missing), the image's WorkingDir (also created).
expect / plain.bale pwd
expect /tmp -w /tmp plain.bale pwd
expect "/made/on/demand 755" -w /made/on/demand plain.bale sh -c 'echo "$(pwd) $(stat -c %a .)"'
expect /srv/app --entrypoint pwd config.bale
expect /home -w /home --entrypoint pwd config.bale

# --- User: by name or number, with a group, with supplementary groups; the image's User.
# ids SPEC IMAGE: "uid gid groups(sorted) name" for -u SPEC.
ids() {
  out -u "$1" "$2" sh -c 'echo "$(id -u) $(id -g) $(id -G | tr " " "\n" | sort -n | tr "\n" ",")"'
}
[ "$(ids alice plain.bale)" = "1000 1000 10,29,1000," ] || fail "-u alice: $(ids alice plain.bale)"
[ "$(ids 1001 plain.bale)" = "1001 1001 29,1001," ] || fail "-u 1001: $(ids 1001 plain.bale)"
[ "$(ids alice:staff plain.bale)" = "1000 50 50," ] || fail "-u alice:staff: $(ids alice:staff plain.bale)"
[ "$(ids 1000:29 plain.bale)" = "1000 29 29," ] || fail "-u 1000:29: $(ids 1000:29 plain.bale)"
[ "$(ids 4242 plain.bale)" = "4242 0 0," ] || fail "-u 4242 (not in passwd): $(ids 4242 plain.bale)"
[ "$(ids 4242:4343 plain.bale)" = "4242 4343 4343," ] || fail "-u 4242:4343: $(ids 4242:4343 plain.bale)"
expect "uid=1000(alice) gid=1000(alice) groups=10(wheel),29(audio)" -u alice plain.bale id
expect "bob 1001" --entrypoint sh config.bale -c 'echo "$(id -un) $(id -u)"'
expect "root 0" -u root --entrypoint sh config.bale -c 'echo "$(id -un) $(id -G)"'
expect_fail 125 "'nobody'" "$BALE" run -u nobody plain.bale true
expect_fail 125 "'nogroup'" "$BALE" run -u alice:nogroup plain.bale true
# A user's files: alice may write her home, not /root.
expect "ok" -u alice plain.bale sh -c 'touch /home/alice/f && echo ok; touch /root-file 2>/dev/null && echo root-writable; exit 0'

# --- Command: Cmd is the default; arguments replace it; the Entrypoint stays.
expect cmd-default plain.bale
expect "given args" plain.bale echo given args
expect "--version -n --entrypoint x" plain.bale echo --version -n --entrypoint x
expect "ep c1 c2" config.bale
expect "ep x y" config.bale x y
expect "ep --help" config.bale --help
# --entrypoint replaces the Entrypoint and drops the image's Cmd: only the arguments follow it.
expect "" --entrypoint echo config.bale
expect "z" --entrypoint echo config.bale z
expect "from-sh" --entrypoint sh plain.bale -c 'echo from-sh'
# --entrypoint '' clears it: the arguments alone are the command; with none there is nothing.
expect "only args" --entrypoint '' config.bale echo only args
expect_fail 125 "no command" "$BALE" run --entrypoint '' config.bale
exit 0
