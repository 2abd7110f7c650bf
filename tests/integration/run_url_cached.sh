#!/bin/bash
# A URL image is downloaded once: later runs ask the server whether it changed (If-Modified-Since,
# answered 304) and run the stored copy; a server that cannot be reached leaves the stored copy
# running, with a warning (a unit's restart must not depend on the image server); a server that
# answers with an error fails the run; a changed file is downloaded again. gc keeps each URL's
# last download and removes the ones it replaced.
. "$(dirname "$0")/lib.sh"
. "$BALE_SRC/tests/integration/run_lib.sh"
run_root root
mkdir www
echo one >root/etc/version
"$BALE" pack root -o www/img.bale 2>/dev/null
echo two >root/etc/version
"$BALE" pack root -o new.bale 2>/dev/null

port=$(free_port)
python3 -m http.server --bind 127.0.0.1 --directory www "$port" >http.log 2>&1 &
server=$!
at_exit "kill $server"
url=http://127.0.0.1:$port/img.bale
wait_for 20 curl -sf -o /dev/null -r 0-0 "$url" || fail "the HTTP server did not start: $(cat http.log)"
: >http.log

version() { "$BALE" run "$url" cat /etc/version 2>"$T/err"; }
# answers: the HTTP status of each request for the image since the last call, space separated.
answers() {
  sed -n 's|.*"GET /img.bale HTTP/1.1" \([0-9]*\).*|\1|p' http.log | tr '\n' ' ' | sed 's/ $//'
  : >http.log
}

[ "$(version)" = one ] || fail "first run: $(cat "$T/err")"
[ "$(answers)" = 200 ] || fail "the first run did not download the image once"
[ "$(version)" = one ] || fail "second run: $(cat "$T/err")"
[ "$(answers)" = 304 ] || fail "the second run did not ask If-Modified-Since (answered 304)"
grep -q fetching "$T/err" && fail "a 304 still showed a download: $(cat "$T/err")"
[ "$(ls "$BALE_STORE/blobs")" = "$(image_hex www/img.bale).bale" ] || fail "blobs: $(ls "$BALE_STORE/blobs")"
grep -q '"etag":""' "$BALE_STORE"/urls/*.json || true  # python's server sends no ETag

# The server down: the stored copy runs, and the warning says which and why.
kill "$server"
wait "$server" 2>/dev/null || true
[ "$(version)" = one ] || fail "with the server down the stored copy did not run: $(cat "$T/err")"
grep -q "running the copy fetched at .* (sha256:$(image_hex www/img.bale))" "$T/err" ||
  fail "no warning about the stored copy: $(cat "$T/err")"

# The server back with a changed file (a newer mtime): downloaded again, the new image runs.
cp new.bale www/img.bale
touch -d "@$(( $(date +%s) + 10 ))" www/img.bale
python3 -m http.server --bind 127.0.0.1 --directory www "$port" >http.log 2>&1 &
server=$!
at_exit "kill $server"
wait_for 20 curl -sf -o /dev/null -r 0-0 "$url" || fail "the HTTP server did not restart"
: >http.log
[ "$(version)" = two ] || fail "the changed image was not downloaded again: $(cat "$T/err")"
[ "$(answers)" = 200 ] || fail "the changed image: expected one download"

# gc keeps the URL's last download (the next run needs no download) and removes the one before.
"$BALE" store gc >/dev/null
[ "$(ls "$BALE_STORE/blobs")" = "$(image_hex new.bale).bale" ] ||
  fail "gc kept the wrong files: $(ls "$BALE_STORE/blobs")"
[ "$(version)" = two ] && [ "$(answers)" = 304 ] || fail "after gc the URL's copy was not used"

# A server that answers with an error is not papered over with the stored copy.
mv www/img.bale www/gone.bale
expect_fail 125 "404" "$BALE" run "$url" true
[ "$(store_count tmp)" -eq 0 ] || fail "left in the store's tmp: $(store_names tmp)"
exit 0
