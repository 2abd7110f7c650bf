#!/bin/bash
# `bale pull` on a terminal draws a bar per layer and redraws the block in place (cursor up, not
# new lines per update); each bar ends full with "done". In a log there are no bars, only a
# "fetching layer" line per layer.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/run_lib.sh"
. "$(dirname "$0")/registry_lib.sh"
need script
registry_with_app none
"$BALE" trust registry add "$REG/team" >/dev/null
layers=$(skopeo inspect --raw --cert-dir "$T/certs/$REG" "docker://$REG/team/app:1" | python3 -c 'import json,sys; print(len(json.load(sys.stdin)["layers"]))')
[ "$layers" -ge 2 ] || fail "the test image has $layers layers; it needs more than one"

# A log: one line per layer, no bar.
"$BALE" pull "$REG/team/app:1" >/dev/null 2>log.err || fail "pull into a log failed: $(cat log.err)"
[ "$(grep -c '^fetching layer [0-9]*/' log.err)" = "$layers" ] || fail "a log did not get a line per layer: $(cat log.err)"
grepq '\[#' <log.err && fail "a log got a progress bar: $(cat log.err)"

# A terminal, with a cold store.
export BALE_STORE=$T/store2
script -qec "stty cols 120; '$BALE' pull '$REG/team/app:1'" /dev/null >tty.out 2>&1 || fail "pull on a terminal failed: $(cat tty.out)"
for i in $(seq 1 "$layers"); do
  grepq "layer $i/$layers [0-9a-f]\{12\} \[####################\] [0-9.]* MB done" <tty.out ||
    fail "no finished bar for layer $i/$layers: $(cat -v tty.out)"
done
grepq $'\x1b\\[[0-9]*A' <tty.out || fail "the bars were not redrawn in place: $(cat -v tty.out)"
exit 0
