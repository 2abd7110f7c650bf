#!/bin/bash
# A signed, trusted image's OCI config is still input bale must not trust blindly. Hostile
# configs (fields of the wrong type, users and working directories that try to leave the root,
# a config of many MB) either make `bale run` refuse with a clear error (125 or 1, naming the
# field or the value; never bale's "internal error") or run with every path resolved inside the
# container's root: the target never starts with its working directory on the host's file
# system, and a sentinel directory outside the store never changes. Configs `bale pack` refuses
# are written by hand from the format spec and signed with ssh-keygen, as a hostile signer could.
. "$(dirname "$0")/lib.sh"
. "$BALE_SRC/tests/integration/run_lib.sh"
need python3; need ssh-keygen

S="$T/sentinel"
mkdir -p "$S/sub"
echo original >"$S/keep"
echo deeper >"$S/sub/file"
before=$(tree_manifest "$S"; file_hashes "$S")
sentinel_same() { [ "$before" = "$(tree_manifest "$S"; file_hashes "$S")" ]; }
REL=${S#/}

run_root root
"$BALE" pack root -o base.bale 2>/dev/null || fail "setup: pack failed"
baleformat check base.bale >summary.json || fail "setup: base.bale breaks the format"
body=$(json_get summary.json 'j["body"]')
tar_size=$(json_get summary.json 'j["tar_size"]')
entries=$(json_get summary.json 'j["entries"]')
head -c "$body" base.bale >body.gz
baleformat config base.bale >base-config.json
ssh-keygen -q -t ed25519 -N '' -C hostile@example.org -f hostile
"$BALE" trust add hostile.pub --name hostile >/dev/null
echo probe >probe && ssh-keygen -q -Y sign -f hostile -n bale-image probe 2>/dev/null
siglen=$(stat -c %s probe.sig)     # the armored size depends on key and namespace only

# craft INNER OUT: base.bale's body and config, with config.config replaced by the JSON INNER,
# signed by the trusted key 'hostile' (the trailer written as docs/image-format.md says).
craft() {
  python3 - "$1" base-config.json cfg.json <<'PY'
import json, sys
base = json.load(open(sys.argv[2]))
base["config"] = json.loads(sys.argv[1])
open(sys.argv[3], "w").write(json.dumps(base, sort_keys=True, separators=(",", ":")))
PY
  baleformat prefix body.gz cfg.json "$tar_size" "$entries" "$siglen" "$2.signed"
  rm -f "$2.signed.sig" && ssh-keygen -q -Y sign -f hostile -n bale-image "$2.signed" 2>/dev/null
  baleformat finish "$2.signed" "$2.signed.sig" "$body" "$2"
  rm -f "$2.signed" "$2.signed.sig"
  "$BALE" verify "$2" >/dev/null 2>"$T/.verr" || fail "setup: crafted $2 does not verify: $(cat "$T/.verr")"
}

# attempt INNER RUN-ARGS...: craft an image with config INNER, run it; $rc, out, err.
n=0
attempt() {
  n=$((n + 1))
  craft "$1" "c$n.bale"
  shift
  rc=0
  timeout 30 "$BALE" run "$@" >out 2>err </dev/null || rc=$?
}
# no_crash WHAT: the last command did not crash or hang, and the sentinel is unchanged.
# clean_refusal WHAT PATTERN: besides, it failed with 125 or 1, saying PATTERN.
no_crash() {
  grep -qiE 'internal error|terminate|what\(\)|core dumped|json\.exception' err &&
    fail "$1: bale crashed instead of judging the config (exit $rc): $(cat err)"
  [ "$rc" -ne 124 ] || fail "$1: bale hung"
  sentinel_same || fail "$1: the sentinel outside the store changed"
}
clean_refusal() {
  no_crash "$1"
  { [ "$rc" -eq 125 ] || [ "$rc" -eq 1 ]; } || fail "$1: exit $rc, expected a refusal (125 or 1): $(cat err)"
  grep -qE -- "$2" err || fail "$1: the message does not name /$2/: $(cat err)"
}

# Wrong types. Ignoring the field and running is acceptable; so is a refusal that names it.
# A crash (an exception escaping as "internal error") is not.
for spec in 'Env|"PATH=/bin"' 'Env|{"A":"b"}' 'Env|[1,2]' 'Entrypoint|"sh"' 'Entrypoint|7' \
  'Cmd|{"a":1}' 'Labels|"x"' 'User|{"name":"root"}' 'User|7' 'User|["root"]' 'WorkingDir|7' \
  'WorkingDir|["/"]' 'WorkingDir|{"a":"/"}' 'StopSignal|9' 'Healthcheck|"x"'; do
  field=${spec%%|*} value=${spec#*|}
  attempt "{\"$field\": $value}" c$((n + 1)).bale sh -c 'echo ran'
  no_crash "config.$field = $value"
  if [ "$rc" -ne 0 ]; then
    clean_refusal "config.$field = $value" "$field"
  else
    [ "$(cat out)" = ran ] || fail "config.$field = $value: ran, but printed '$(cat out)'"
  fi
done
# Cmd of the wrong type and no command given: nothing to run, said clearly.
attempt '{"Cmd": 7}' "c$((n + 1)).bale"
clean_refusal 'config.Cmd = 7 without a command' 'Cmd|no command'
# A config member that is no object at all.
for value in '"x"' '[1]' '7'; do
  attempt "$value" "c$((n + 1)).bale" sh -c 'echo ran'
  no_crash "config = $value"
  [ "$rc" -eq 0 ] || clean_refusal "config = $value" 'config'
done

# Users that look like paths or carry extra fields: refused, naming them (the image's passwd
# has only root), or run as a user the image defines; never a lookup outside the image.
for user in '../../etc' '0:0:0' 'root:../../etc/group' '/etc/passwd' 'root:root:root' "$S/keep"; do
  attempt "{\"User\": \"$user\"}" "c$((n + 1)).bale" sh -c 'id -u'
  no_crash "config.User = '$user'"
  if [ "$rc" -ne 0 ]; then
    clean_refusal "config.User = '$user'" "$(re_escape "'${user%%:*}'")|$(re_escape "'${user#*:}'")"
  else
    [ "$(cat out)" = 0 ] || fail "config.User = '$user': ran as uid '$(cat out)'"
  fi
done

# Working directories. After the run starts, the target's working directory must be inside the
# container's root: the sentinel's path, seen from there, must not exist. /proc/1 and /proc/2 are
# the host's init and kthreadd (bale keeps the host's PID namespace by design); their cwd and
# root are the host's /. Both with the default writable root and with --read-only.
probe='pwd; if [ -e "./'"$REL"'/keep" ] || [ -e ./keep ] || [ -e ./sub/file ]; then echo HOST; else echo inside; fi'
for wd in /proc/self/root/.. /proc/self/cwd /proc/thread-self/root /proc/1/cwd /proc/1/root \
  /proc/2/cwd /proc/2/root "/proc/2/root$S" /sys/../proc/2/root /dev/../../tmp ../../../ \
  "/../../..$S"; do
  craft "{\"WorkingDir\": \"$wd\"}" wd.bale
  for mode in writable read-only; do
    opts=()
    [ "$mode" = writable ] || opts=(--read-only)
    rc=0
    timeout 30 "$BALE" run "${opts[@]}" wd.bale sh -c "$probe" >out 2>err </dev/null || rc=$?
    what="config.WorkingDir = '$wd' ($mode root)"
    no_crash "$what"
    if [ "$rc" -ne 0 ]; then
      clean_refusal "$what" "$(re_escape "'$wd'")"
    else
      grep -qx HOST out && fail "$what: the target started with its working directory on the host's file system (pwd: '$(head -1 out)')"
      grep -qx inside out || fail "$what: ran, but printed '$(cat out)'"
    fi
  done
done
# The same, writing: a target that only writes to its working directory must not write into
# the sentinel because the image's config named it through /proc.
craft "{\"WorkingDir\": \"/proc/2/root$S\"}" wd.bale
for mode in writable read-only; do
  opts=()
  [ "$mode" = writable ] || opts=(--read-only)
  rc=0
  timeout 30 "$BALE" run "${opts[@]}" wd.bale sh -c 'echo planted >./planted-by-workdir 2>/dev/null; echo done' \
    >out 2>err </dev/null || rc=$?
  no_crash "config.WorkingDir = '/proc/2/root$S' writing ($mode root)"
  [ ! -e "$S/planted-by-workdir" ] ||
    fail "config.WorkingDir = '/proc/2/root$S' ($mode root): the container wrote '$S/planted-by-workdir' on the host"
done

# Large configs. A 10 MB Env reaches execve: refused, clearly, before the target starts.
python3 -c '
import json
json.dump({"config": {"Env": ["V%d=%s" % (i, "x" * 40) for i in range(200000)]}}, open("big.json", "w"))
json.dump({"config": {"Env": ["V%d=%s" % (i, "x" * 40) for i in range(1000000)]}}, open("huge.json", "w"))'
"$BALE" pack root -o big.bale --config big.json 2>err || fail "pack with a 10 MB Env failed: $(cat err)"
rc=0
timeout 60 "$BALE" run big.bale sh -c 'echo ran' >out 2>err || rc=$?
no_crash "a 10 MB Env"
[ "$rc" -eq 0 ] || clean_refusal "a 10 MB Env" 'Env|environment|[Aa]rgument list too long'
# A 50 MB Env: `bale pack` refuses it clearly, or writes an image bale itself reads again.
rc=0
"$BALE" pack root -o huge.bale --config huge.json >out 2>err || rc=$?
no_crash "pack with a 50 MB Env"
if [ "$rc" -ne 0 ]; then
  clean_refusal "pack with a 50 MB Env" 'config|Env|large|bytes'
  [ ! -e huge.bale ] || fail "pack refused a 50 MB Env but left huge.bale"
else
  "$BALE" verify huge.bale >out 2>err ||
    fail "bale pack wrote a 50 MB-config image that bale verify rejects: $(cat err)"
  rc=0
  timeout 60 "$BALE" run huge.bale sh -c 'echo ran' >out 2>err || rc=$?
  no_crash "run with a 50 MB Env"
  [ "$rc" -eq 0 ] || clean_refusal "run with a 50 MB Env" 'Env|environment|config|[Aa]rgument list too long'
fi

sentinel_same || fail "the sentinel outside the store changed"
! grep -qF "$T/" /proc/self/mountinfo || fail "mounts left: $(grep -F "$T/" /proc/self/mountinfo)"
exit 0
