#!/bin/bash
# Failures and their exit codes: 127 for a command not found (and for a file whose interpreter or
# ELF loader is missing, with a hint naming it), 126 for one that cannot be executed, 2 for a
# usage error, and 125 for an image that fails verification, refused before anything is
# unpacked. --insecure and --signer are the ways past verification.
. "$(dirname "$0")/lib.sh"
. "$BALE_SRC/tests/integration/run_lib.sh"
need ssh-keygen

run_root root
echo 'plain text' >root/etc/data
chmod 0644 root/etc/data
printf '#!/no/such/interp\necho never\n' >root/bin/script
chmod 0755 root/bin/script
# A dynamic executable whose PT_INTERP names a loader the image does not have.
elf=$(readlink -f /usr/bin/true)
python3 - "$elf" root/bin/dyn <<'PY'
import sys
data = open(sys.argv[1], "rb").read()
interp = data[data.index(b"/lib64/ld-linux"):].split(b"\0")[0]
new = b"/lib/ld-missing.so".ljust(len(interp), b"\0")
open(sys.argv[2], "wb").write(data.replace(interp + b"\0", new + b"\0", 1))
PY
chmod 0755 root/bin/dyn
"$BALE" pack root -o img.bale 2>/dev/null
[ "$(store_count images)" -eq 0 ] || fail "pack filled the store"

# --- The target cannot be started.
expect_fail 127 "'no-such-command'" "$BALE" run img.bale no-such-command arg
expect_fail 127 "'/bin/no-such-file'" "$BALE" run img.bale /bin/no-such-file
expect_fail 126 "'/etc/data'.*Permission denied" "$BALE" run img.bale /etc/data
expect_fail 126 "'/etc'" "$BALE" run img.bale /etc
expect_fail 127 "'/lib/ld-missing.so'" "$BALE" run img.bale /bin/dyn
grep -q 'hint:.*/lib/ld-missing.so' "$T/.err" || fail "no hint naming the missing ELF loader: $(cat "$T/.err")"
expect_fail 127 "'/lib/ld-missing.so'" "$BALE" run img.bale dyn
expect_fail 127 "'/no/such/interp'" "$BALE" run img.bale /bin/script
grep -q 'hint:.*/no/such/interp' "$T/.err" || fail "no hint naming the missing interpreter: $(cat "$T/.err")"
# A working directory that cannot be made: bale's failure, before the target.
expect_fail 125 "'/etc/data/sub'" "$BALE" run -w /etc/data/sub img.bale true

# --- Usage: one specific line (and where to read more), exit 2, nothing run.
expect_fail 2 "--bogus" "$BALE" run --bogus img.bale true
[ "$(wc -l <"$T/.err")" -le 2 ] || fail "an unknown option printed $(wc -l <"$T/.err") lines: $(cat "$T/.err")"
expect_fail 2 "512x|--memory" "$BALE" run --memory 512x img.bale true
expect_fail 2 "HOST:CONTAINER" "$BALE" run -v just-a-path img.bale true
expect_fail 125 "'missing.bale'.*no such image" "$BALE" run missing.bale true

# --- Verification, and nothing unpacked when it fails (a fresh store: the runs above unpacked
# img.bale, whose config digest a tampered copy shares).
export BALE_STORE=$T/store2
read -r body _ < <(footer img.bale)
cp img.bale tampered.bale
flip_byte tampered.bale $((body / 2))
expect_fail 125 "bad signature" "$BALE" run tampered.bale true
[ "$(store_count images)" -eq 0 ] || fail "a tampered image was unpacked: $(store_names images)"
[ "$(store_count tmp)" -eq 0 ] || fail "a tampered image left $(store_names tmp) in the store's tmp"

tar -czf plain.tar.gz -C root .
expect_fail 125 "no signature" "$BALE" run plain.tar.gz true
[ "$(store_count images)" -eq 0 ] || fail "an unsigned image was unpacked: $(store_names images)"
"$BALE" run --insecure plain.tar.gz cat /etc/data >out 2>err || fail "--insecure refused an unsigned image: $(cat err)"
[ "$(cat out)" = 'plain text' ] || fail "--insecure run of the plain tar.gz printed: $(cat out)"
grep -q 'warning' err || fail "--insecure gave no warning on stderr: $(cat err)"
expect_fail 125 "no signature" "$BALE" run plain.tar.gz true   # --insecure is not remembered

ssh-keygen -q -t ed25519 -N '' -C alice@example.org -f alice
alice_fp=$(ssh-keygen -lf alice.pub | awk '{print $2}')
"$BALE" pack root -o alice.bale --key alice 2>/dev/null
expect_fail 125 "signer not trusted" "$BALE" run alice.bale true
grep -qF "$alice_fp" "$T/.err" || fail "the refusal does not name the signer: $(cat "$T/.err")"
[ "$(store_count images)" -eq 1 ] || fail "an untrusted image was unpacked: $(store_names images)"
"$BALE" run --signer "$alice_fp" alice.bale cat /etc/data >out 2>err || fail "--signer $alice_fp refused: $(cat err)"
"$BALE" run --signer alice.pub alice.bale true 2>err || fail "--signer alice.pub refused: $(cat err)"
# Neither --signer nor --insecure makes the signer trusted for later runs.
expect_fail 125 "signer not trusted" "$BALE" run alice.bale true
"$BALE" run --insecure alice.bale true 2>err || fail "--insecure refused an untrusted signer: $(cat err)"
grep -q 'warning' err || fail "--insecure gave no warning for an untrusted signer: $(cat err)"
expect_fail 125 "signer not trusted" "$BALE" run alice.bale true
# --signer pins: the machine's own, trusted key is not the one asked for.
expect_fail 125 "signer not trusted" "$BALE" run --signer "$alice_fp" img.bale true

# A file changed in place after it ran (its verification is remembered) is verified again.
cp img.bale warm.bale
"$BALE" run warm.bale true || fail "warm.bale did not run"
flip_byte warm.bale $((body / 3))
expect_fail 125 "bad signature" "$BALE" run warm.bale true

# --insecure runs unsigned or untrusted images, never a broken signature: not even the config
# (here its Cmd) changed after signing.
"$BALE" pack root -o cmd.bale --cmd '["echo", "AAAA-as-signed"]' 2>/dev/null
python3 - <<'PY'
data = open("cmd.bale", "rb").read()
assert data.count(b"AAAA-as-signed") == 1
open("cmd-changed.bale", "wb").write(data.replace(b"AAAA-as-signed", b"BBBB-tampered!"))
PY
expect_fail 125 "bad signature" "$BALE" run cmd-changed.bale
grep -q 'hint:.*--insecure' "$T/.err" && refusal_hint=$(cat "$T/.err")
rc=0
"$BALE" run --insecure cmd-changed.bale >out 2>err || rc=$?
grep -q tampered out && fail "--insecure ran an image whose config was changed after signing: $(cat err)"
[ "$rc" -eq 125 ] && grep -q "bad signature" err ||
  fail "--insecure on a broken signature exited $rc, expected 125 'bad signature': $(cat err)"
[ -z "${refusal_hint:-}" ] || fail "the refusal of a broken signature suggests --insecure: $refusal_hint"
expect_fail 125 "bad signature" "$BALE" run --insecure tampered.bale true
exit 0
