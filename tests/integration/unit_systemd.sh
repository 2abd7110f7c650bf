#!/bin/bash
# `bale unit IMAGE [run options] [COMMAND...]` prints a systemd service (Type=exec) whose
# ExecStart, unquoted the way systemd does it and run from "/" as systemd would, is the
# `bale run` that was asked for: the same options, the same command words (spaces, quotes, %, $
# and backslashes intact) and an image path that does not depend on the caller's directory.
# `systemd-analyze verify` accepts the unit when it is installed. Started as systemd starts it
# (from "/", with only the unit's Environment=), it finds the store and trust of the caller,
# relative -v and --env-file paths, and -e K's value; it refuses an image that does not exist,
# and stops the service with the image's STOPSIGNAL (KillSignal=).
. "$(dirname "$0")/lib.sh"
. "$BALE_SRC/tests/integration/run_lib.sh"

run_root root
"$BALE" pack root -o img.bale 2>/dev/null
bale_abs=$(readlink -f "$BALE")

# exec_start UNIT: the ExecStart= words of UNIT as systemd reads them (quotes and C escapes
# removed, %% -> %, $$ -> $), one per line; fails on a specifier or variable systemd would expand.
exec_start() {
  python3 - "$1" <<'PY'
import re, sys
lines = [l for l in open(sys.argv[1]).read().splitlines() if l.startswith("ExecStart=")]
if len(lines) != 1:
    sys.exit(f"{len(lines)} ExecStart= lines")
s, words, i = lines[0][len("ExecStart="):], [], 0
esc = {"n": "\n", "t": "\t", "\\": "\\", '"': '"', "'": "'", "a": "\a", "s": " "}
while i < len(s):
    if s[i].isspace():
        i += 1
        continue
    w, quote = "", None
    while i < len(s) and (quote or not s[i].isspace()):
        c = s[i]
        if c == "\\":
            w += esc[s[i + 1]]
            i += 2
            continue
        if quote and c == quote:
            quote = None
        elif not quote and c in "\"'":
            quote = c
        else:
            w += c
        i += 1
    if quote:
        sys.exit("unterminated quote")
    words.append(w)
out = []
for w in words:
    if re.search(r"%[^%]", w.replace("%%", "")) or re.search(r"\$[^$]", w.replace("$$", "")):
        sys.exit(f"word {w!r} has a specifier or variable systemd would expand")
    out.append(w.replace("%%", "%").replace("$$", "$"))
print("\n".join(out))
PY
}

# run_unit UNIT DIR: run UNIT's ExecStart from DIR, stdout to $T/unit.out.
run_unit() {
  local -a argv
  mapfile -t argv < <(exec_start "$1")
  (cd "$2" && "${argv[@]}") >"$T/unit.out" 2>"$T/unit.err" ||
    fail "ExecStart of $1 run from $2 failed: $(cat "$T/unit.err")"
}

# shellcheck disable=SC2016  # words for the container's shell
cmd=(sh -c 'printf "%s|" "$A" "$@"' sh 'arg with space' 'q"uo\te' '50%' '$HOME' "it's")
# shellcheck disable=SC2016  # a literal $HOME
want='1|arg with space|q"uo\te|50%|$HOME|it'"'"'s|'

# Options before IMAGE: the words come back exactly, and running them does what was asked.
"$BALE" unit -e A=1 img.bale "${cmd[@]}" >opts-first.service 2>err || fail "bale unit failed: $(cat err)"
grep -qx 'Type=exec' opts-first.service || fail "no Type=exec: $(cat opts-first.service)"
grep -qx '\[Service\]' opts-first.service || fail "no [Service] section: $(cat opts-first.service)"
exec_start opts-first.service >words || fail "ExecStart= does not parse: $(grep ExecStart opts-first.service)"
mapfile -t got <words
[ "${got[0]}" = "$bale_abs" ] || fail "ExecStart runs '${got[0]}', not '$bale_abs'"
[ "${got[*]:1:3}" = "run -e A=1" ] || fail "ExecStart words 2-4: '${got[*]:1:3}'"
[ "$(readlink -f "${got[4]}")" = "$T/img.bale" ] || fail "ExecStart names image '${got[4]}'"
diff <(printf '%s\n' "${cmd[@]}") <(printf '%s\n' "${got[@]:5}") >words.diff ||
  fail "the command words differ after systemd's unquoting: $(cat words.diff)"
run_unit opts-first.service "$T"
[ "$(cat unit.out)" = "$want" ] || fail "the unit's command printed '$(cat unit.out)', expected '$want'"

if command -v systemd-analyze >/dev/null; then
  cp opts-first.service bale-test-unit.service
  systemd-analyze verify "$T/bale-test-unit.service" >verify.out 2>&1 ||
    fail "systemd-analyze verify rejects the unit: $(cat verify.out)"
  grep -q 'bale-test-unit' verify.out && fail "systemd-analyze verify complains: $(cat verify.out)"
else
  echo "SKIP (part): systemd-analyze is not installed" >&2
fi

# systemd starts services in "/": a relative image path must not end up in ExecStart.
[ "${got[4]:0:1}" = / ] || fail "ExecStart names the image by the relative path '${got[4]}'"
run_unit opts-first.service /
[ "$(cat unit.out)" = "$want" ] || fail "the unit run from / printed '$(cat unit.out)', expected '$want'"

# As documented, run options may follow IMAGE, then "--" and the command: the unit must still
# set A=1 and run the command with its words intact.
"$BALE" unit "$T/img.bale" -e A=1 -- "${cmd[@]}" >opts-after.service 2>err || fail "bale unit failed: $(cat err)"
run_unit opts-after.service /
[ "$(cat unit.out)" = "$want" ] ||
  fail "'bale unit IMG -e A=1 -- CMD' gives a unit whose command printed '$(cat unit.out)', expected '$want'"
# As systemd starts it: an empty environment but the unit's Environment= lines, from "/".
"$BALE" pack root -o sig.bale --stop-signal SIGINT 2>/dev/null
mkdir -p data && echo from-host >data/f && echo FROM_FILE=yes >vars.env
FROM_CALLER=kept "$BALE" unit -v data:/data --env-file=vars.env -e FROM_CALLER sig.bale \
  sh -c 'cat /data/f; echo "$FROM_FILE $FROM_CALLER"' >env.service 2>err || fail "bale unit failed: $(cat err)"
grep -qx 'KillSignal=SIGINT' env.service || fail "no KillSignal= from the image's STOPSIGNAL: $(cat env.service)"
grep -qx "Environment=\"BALE_STORE=$BALE_STORE\"" env.service || fail "no BALE_STORE in the unit: $(cat env.service)"
grep -qx "Environment=\"BALE_CONFIG_DIR=$BALE_CONFIG_DIR\"" env.service || fail "no BALE_CONFIG_DIR: $(cat env.service)"
mapfile -t argv < <(exec_start env.service)
mapfile -t envs < <(sed -n 's/^Environment="\(.*\)"$/\1/p' env.service)
(cd / && env -i "${envs[@]}" "${argv[@]}") >unit.out 2>unit.err ||
  fail "the unit, started as systemd would, failed: $(cat unit.err)"
[ "$(cat unit.out)" = "from-host
yes kept" ] || fail "the unit started as systemd would printed '$(cat unit.out)'"
if command -v systemd-analyze >/dev/null; then
  cp env.service bale-env-unit.service
  systemd-analyze verify "$T/bale-env-unit.service" >verify.out 2>&1 ||
    fail "systemd-analyze verify rejects the unit: $(cat verify.out)"
fi
expect_fail 1 "'missing.bale': no such image file" "$BALE" unit missing.bale
exit 0
