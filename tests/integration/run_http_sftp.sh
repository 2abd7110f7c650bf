#!/bin/bash
# Images by URL: http:// from a local `python3 -m http.server`, file://, and sftp:// and scp://
# from a throwaway sshd (a password user; a key and known_hosts from $HOME/.ssh). A download is
# verified before anything is unpacked: a missing or tampered image is refused with 125, a message
# naming the URL, and nothing left in the store. The password never shows in bale's output.
. "$(dirname "$0")/lib.sh"
. "$BALE_SRC/tests/integration/run_lib.sh"
need python3
need curl

run_root root
echo served >root/etc/marker
mkdir www
"$BALE" pack root -o www/img.bale 2>/dev/null
read -r body _ < <(footer www/img.bale)
cp www/img.bale www/tampered.bale
flip_byte www/tampered.bale $((body / 2))

port=$(free_port)
python3 -m http.server --bind 127.0.0.1 --directory www "$port" >http.log 2>&1 &
at_exit "kill $!"
url=http://127.0.0.1:$port
wait_for 20 curl -sf -o /dev/null "$url/img.bale" || fail "the HTTP server did not start: $(cat http.log)"

# runs_marker URL [ENV...]: `bale run URL cat /etc/marker` (with ENV) prints "served".
runs_marker() {
  local url=$1
  shift
  env "$@" "$BALE" run "$url" cat /etc/marker >"$T/out" 2>"$T/err" ||
    fail "run of '$url' failed: $(cat "$T/err")"
  [ "$(cat "$T/out")" = served ] || fail "run of '$url' printed: $(cat "$T/out")"
}

runs_marker "$url/img.bale"
[ "$(store_names images)" = "$(image_hex www/img.bale)" ] || fail "images/ holds: $(store_names images)"
[ "$(store_count tmp)" -eq 0 ] || fail "left in the store's tmp: $(store_names tmp)"
runs_marker "$url/img.bale"
runs_marker "file://$T/www/img.bale"

# sftp_and_scp: a throwaway sshd on 127.0.0.1 serving $T/sftp/img.bale to a password user.
sftp_and_scp() {
  local user=bale-sftp-$$ pass=pw-$RANDOM-$RANDOM sshport scheme
  useradd -M -d "$T/sftp" -s /bin/sh "$user"
  at_exit "userdel $user"
  echo "$user:$pass" | chpasswd
  mkdir -p sftp home/.ssh
  cp www/img.bale sftp/img.bale
  chmod 0711 "$T"
  chmod 0755 sftp
  chmod 0644 sftp/img.bale
  # sshd refuses to start without its privilege separation directory.
  if [ ! -d /run/sshd ]; then
    mkdir -p /run/sshd
    at_exit "rmdir /run/sshd"
  fi
  ssh-keygen -q -t ed25519 -N '' -f hostkey
  ssh-keygen -q -t ed25519 -N '' -f clientkey
  cp clientkey.pub authorized_keys
  chmod 0644 authorized_keys
  sshport=$(free_port)
  cat >sshd_config <<EOF
ListenAddress 127.0.0.1
Port $sshport
HostKey $T/hostkey
PidFile $T/sshd.pid
PasswordAuthentication yes
KbdInteractiveAuthentication no
PubkeyAuthentication yes
AuthorizedKeysFile $T/authorized_keys
UsePAM no
StrictModes no
PermitRootLogin no
AllowUsers $user
Subsystem sftp internal-sftp
EOF
  /usr/sbin/sshd -D -e -f "$T/sshd_config" -p "$sshport" 2>sshd.log &
  at_exit "kill $!"
  listening() { (exec 3<>"/dev/tcp/127.0.0.1/$sshport") 2>/dev/null; }
  wait_for 20 listening || fail "sshd did not start: $(cat sshd.log)"

  # A password in the URL, with no ~/.ssh at all.
  mkdir nohome
  for scheme in sftp scp; do
    runs_marker "$scheme://$user:$pass@127.0.0.1:$sshport$T/sftp/img.bale" HOME="$T/nohome"
    grep -qF "$pass" err && fail "the password shows in bale's output: $(cat err)"
  done
  expect_fail 125 "sftp://" env HOME="$T/nohome" \
    "$BALE" run "sftp://$user:wrong-$pass@127.0.0.1:$sshport$T/sftp/img.bale" true
  grep -qF "$pass" "$T/.err" && fail "the password shows in bale's error: $(cat "$T/.err")"

  # ~/.ssh/id_ed25519 and a known_hosts that knows the server.
  cp clientkey home/.ssh/id_ed25519
  echo "[127.0.0.1]:$sshport $(cut -d' ' -f1,2 hostkey.pub)" >home/.ssh/known_hosts
  runs_marker "sftp://$user@127.0.0.1:$sshport$T/sftp/img.bale" HOME="$T/home"
  # A known_hosts entry with another key for this server: refused, whatever the signature says.
  ssh-keygen -q -t ed25519 -N '' -f otherhost
  echo "[127.0.0.1]:$sshport $(cut -d' ' -f1,2 otherhost.pub)" >home/.ssh/known_hosts
  expect_fail 125 "127\.0\.0\.1" env HOME="$T/home" \
    "$BALE" run "sftp://$user@127.0.0.1:$sshport$T/sftp/img.bale" true
  [ "$(store_count tmp)" -eq 0 ] || fail "left in the store's tmp: $(store_names tmp)"
}
if [ -x /usr/sbin/sshd ]; then
  sftp_and_scp
else
  echo "SKIP (part): /usr/sbin/sshd is not installed; sftp:// and scp:// untested" >&2
fi

# --- Refusals, into a fresh store: the tampered image's config, and so its digest, is the good
# one's, which the store above has unpacked.
export BALE_STORE=$T/store-refusals
# store_clean WHAT: nothing unpacked, kept or half-downloaded in the store.
store_clean() {
  [ "$(store_count images)" -eq 0 ] || fail "$1: unpacked anyway: $(store_names images)"
  [ "$(store_count blobs)" -eq 0 ] || fail "$1: kept in the store's blobs: $(store_names blobs)"
  [ "$(store_count tmp)" -eq 0 ] || fail "$1: left in the store's tmp: $(store_names tmp)"
}
expect_fail 125 "404" "$BALE" run "$url/missing.bale" true
grep 404 "$T/.err" | grepq -F "'$url/missing.bale'" || fail "the 404 message does not name the URL: $(cat "$T/.err")"
[ "$(grep -c . "$T/.err")" -le 3 ] || fail "the 404 message is long: $(cat "$T/.err")"
store_clean "a 404"
closed=$(free_port)
expect_fail 125 "'http://127\.0\.0\.1:$closed/img\.bale'" "$BALE" run "http://127.0.0.1:$closed/img.bale" true
store_clean "a refused connection"

expect_fail 125 "bad signature" "$BALE" run "$url/tampered.bale" true
store_clean "a tampered image over HTTP"
grep 'bad signature' "$T/.err" | grepq -F "'$url/tampered.bale'" ||
  fail "the refusal names another file than the URL: $(cat "$T/.err")"
# --insecure lets unsigned or untrusted images run, never a broken signature.
expect_fail 125 "bad signature" "$BALE" run --insecure "$url/tampered.bale" true
store_clean "a tampered image over HTTP with --insecure"
exit 0
