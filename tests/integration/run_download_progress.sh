#!/bin/bash
# A download shows a progress bar on a terminal (redrawn in place with '\r') and plain lines
# otherwise: one per stage (fetching, verifying, unpacking), with no '\r' in a log.
. "$(dirname "$0")/lib.sh"
. "$BALE_SRC/tests/integration/run_lib.sh"
need python3
need curl
need script
export BALE_STORE=$T/store

run_root root
mkdir www
head -c 3000000 /dev/urandom >root/payload  # big enough for more than one progress update
"$BALE" pack root -o www/img.bale 2>/dev/null
port=$(free_port)
python3 -m http.server --bind 127.0.0.1 --directory www "$port" >http.log 2>&1 &
at_exit "kill $!"
url=http://127.0.0.1:$port/img.bale
wait_for 20 curl -sf -o /dev/null "$url" || fail "the HTTP server did not start: $(cat http.log)"

# Not a terminal: one line per stage.
"$BALE" run "$url" true 2>plain.err || fail "run failed: $(cat plain.err)"
grep -qx "fetching $url" plain.err || fail "no fetching line: $(cat plain.err)"
grep -qx "verifying $url" plain.err || fail "no verifying line: $(cat plain.err)"
grep -q "^unpacking sha256:[0-9a-f]\{64\} into " plain.err || fail "no unpacking line: $(cat plain.err)"
if grep -q $'\r' plain.err; then fail "a progress bar was drawn into a log: $(cat -A plain.err)"; fi

# A terminal (script gives bale a pty): the bar, redrawn in place, ending at the full size.
rm -rf "$BALE_STORE"
script -qec "'$BALE' run '$url' true" /dev/null >tty.out 2>&1 || fail "run on a pty failed: $(cat tty.out)"
grep -q $'\r'"fetching $url \[#" tty.out || fail "no progress bar on the terminal: $(cat -A tty.out)"
grep -q "##############################\] *[0-9.]* MB / [0-9.]* MB" tty.out ||
  fail "the bar never reached the end: $(cat -A tty.out)"
