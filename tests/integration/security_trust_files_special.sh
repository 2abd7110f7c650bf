#!/bin/bash
# Trust files that are not regular files ($BALE_CONFIG_DIR/allowed_signers, the directory
# allowed_signers.d and the files in it, as src/trust/keystore.cc lists them): a FIFO, a symlink
# to /dev/zero or /dev/urandom, a socket, a symlink loop, a directory. No command that reads trust
# (`bale verify`, `bale run`, `bale trust list`) may hang on one; each either fails with an error
# naming the file, or goes on without it (the image's signer is trusted by another, good file)
# and, for anything but a directory or /dev/null, says on stderr which file it passed over.
# A sentinel directory outside the config stays as it was; nothing is left mounted.
. "$(dirname "$0")/lib.sh"
. "$BALE_SRC/tests/integration/run_lib.sh"
need ssh-keygen; need python3

S="$T/sentinel"
mkdir -p "$S/sub"
echo original >"$S/keep"
before=$(tree_manifest "$S"; file_hashes "$S")

run_root root
ssh-keygen -q -t ed25519 -N '' -C signer@example.org -f signer
"$BALE" pack root -o img.bale --key signer 2>/dev/null || fail "setup: pack failed"
C=$BALE_CONFIG_DIR
line="signer namespaces=\"bale-image\" $(cut -d' ' -f1,2 signer.pub)"

# reset: the signer is trusted by allowed_signers.d/good alone; nothing else in the config.
reset() {
  rm -rf "$C/allowed_signers" "$C/allowed_signers.d" "$C/loop"
  mkdir -p "$C/allowed_signers.d"
  echo "$line" >"$C/allowed_signers.d/good"
}
reset
"$BALE" verify img.bale >/dev/null 2>err || fail "setup: the good trust file does not trust the signer: $(cat err)"

# check CASE FILE KIND: every trust-reading command, against the trust set up by the caller.
# FILE is the special one (its path must be named by an error or a warning); KIND is "dir" for a
# directory or /dev/null (an empty list), which may be passed over silently.
check() {
  local case=$1 file=$2 kind=$3 cmd rc
  for cmd in "verify img.bale" "run img.bale true" "trust list"; do
    read -ra args <<<"$cmd"
    rc=0
    timeout 10 "$BALE" "${args[@]}" >out 2>err </dev/null || rc=$?
    [ "$rc" -ne 124 ] || fail "$case: 'bale $cmd' hung (killed after 10 s)"
    grep -qiE 'internal error|terminate|what\(\)|core dumped' err && fail "$case: 'bale $cmd' crashed: $(cat err)"
    if [ "$rc" -eq 0 ]; then
      [ "$kind" = dir ] || grepq -F "$file" err ||
        fail "$case: 'bale $cmd' went on without a word about '$file': $(cat err)"
    else
      { [ "$rc" -eq 1 ] || [ "$rc" -eq 125 ]; } || fail "$case: 'bale $cmd' exited $rc: $(cat err)"
      grep -qF "$file" err || fail "$case: 'bale $cmd' failed without naming '$file': $(cat err)"
    fi
  done
  [ "$before" = "$(tree_manifest "$S"; file_hashes "$S")" ] || fail "$case: the sentinel changed"
}

reset; mkfifo "$C/allowed_signers"
check "allowed_signers is a FIFO" "$C/allowed_signers" file
reset; ln -s /dev/zero "$C/allowed_signers"
check "allowed_signers -> /dev/zero" "$C/allowed_signers" file
reset; ln -s /dev/urandom "$C/allowed_signers"
check "allowed_signers -> /dev/urandom" "$C/allowed_signers" file
reset; ln -s /dev/null "$C/allowed_signers"
check "allowed_signers -> /dev/null" "$C/allowed_signers" dir
reset; python3 -c 'import socket, sys; socket.socket(socket.AF_UNIX).bind(sys.argv[1])' "$C/allowed_signers"
check "allowed_signers is a socket" "$C/allowed_signers" file
reset; ln -s loop "$C/allowed_signers"; ln -s allowed_signers "$C/loop"
check "allowed_signers is a symlink loop" "$C/allowed_signers" file
reset; mkdir "$C/allowed_signers"
check "allowed_signers is an empty directory" "$C/allowed_signers" dir
reset; ln -s "$S" "$C/allowed_signers"
check "allowed_signers -> a directory outside the config" "$C/allowed_signers" dir

reset; mkfifo "$C/allowed_signers.d/fifo"
check "a FIFO in allowed_signers.d" "$C/allowed_signers.d/fifo" file
reset; ln -s /dev/zero "$C/allowed_signers.d/zero"
check "allowed_signers.d/zero -> /dev/zero" "$C/allowed_signers.d/zero" file
reset; mkdir "$C/allowed_signers.d/sub"
check "a directory in allowed_signers.d" "$C/allowed_signers.d/sub" dir
reset; ln -s . "$C/allowed_signers.d/self"
check "allowed_signers.d/self -> ." "$C/allowed_signers.d/self" dir

reset; rm -rf "$C/allowed_signers.d"; mkfifo "$C/allowed_signers.d"; echo "$line" >"$C/allowed_signers"
check "allowed_signers.d is a FIFO" "$C/allowed_signers.d" file
reset; rm -rf "$C/allowed_signers.d"; ln -s /dev/zero "$C/allowed_signers.d"; echo "$line" >"$C/allowed_signers"
check "allowed_signers.d -> /dev/zero" "$C/allowed_signers.d" file

[ "$before" = "$(tree_manifest "$S"; file_hashes "$S")" ] || fail "the sentinel outside the config changed"
! grep -qF "$T/" /proc/self/mountinfo || fail "mounts left: $(grep -F "$T/" /proc/self/mountinfo)"
exit 0
