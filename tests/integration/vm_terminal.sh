#!/bin/bash
# `bale run --vm` in a real terminal (util-linux `script` gives it a pty): the app's stdin and
# stdout are a terminal in the guest with the caller's size; Ctrl-C reaches it as a key and
# kills it (130); the caller's terminal is restored afterwards; a resize (tmux) reaches it. And a
# guest kernel panic: 125 with the guest's last console lines.
. "$(dirname "$0")/lib.sh"
. "$BALE_SRC/tests/integration/run_lib.sh"
. "$BALE_SRC/tests/integration/vm_lib.sh"
need script
vm_kernel
vm_image img.bale

# in_terminal FEED CMD: as app_terminal.sh's: CMD on a new pty, FEED writing its keyboard.
in_terminal() {
  local feed=$1 cmd=$2 rc=0
  eval "$feed" | script -qefc "$cmd" /dev/null >term.out 2>&1 || rc=$?
  return "$rc"
}

# Size, a terminal inside, Ctrl-C -> 130, and the terminal's settings as they were.
ctrl_c='wait_for 120 grep -q started term.out; sleep 0.3; printf "\003"; sleep 2; printf "\003"; sleep 2'
rc=0
in_terminal "$ctrl_c" "stty rows 33 cols 97; stty -a >before.txt; $BALE run --vm img.bale sh -c 'test -t 0 && test -t 1 && echo tty-yes; stty size; echo started; exec sleep 90'; echo rc=\$?; stty -a >after.txt" || rc=$?
grep -q tty-yes term.out || fail "stdin/stdout are not a terminal in the guest: $(cat term.out)"
grep -q '^33 97' term.out || fail "the terminal's size did not reach the app: $(cat term.out)"
grep -q 'rc=130' term.out || fail "Ctrl-C: not exit 130: $(cat term.out)"
cmp -s before.txt after.txt || fail "the terminal was not restored: $(diff before.txt after.txt)"
vm_clean

# A panic in the guest (sysrq's crash): 125 and the panic's lines.
rc=0
"$BALE" run --vm img.bale sh -c 'echo c >/proc/sysrq-trigger; sleep 30' >out 2>err </dev/null || rc=$?
[ "$rc" -eq 125 ] || fail "a guest panic: exit $rc, expected 125: $(cat err)"
grep -q "the VM ended without the app's exit status" err || fail "no word of the guest's death: $(cat err)"
grep -q "Kernel panic" err || fail "the guest's log lacks the panic: $(cat err)"
vm_clean

# A resize of the caller's terminal (tmux resizes its window) reaches the app's terminal.
if command -v tmux >/dev/null; then
  tm=(tmux -L "bale-vm-$$")
  at_exit "${tm[*]} kill-server"
  "${tm[@]}" new-session -d -s vm -x 80 -y 24 \
    "BALE_STORE=$BALE_STORE BALE_CONFIG_DIR=$BALE_CONFIG_DIR $BALE run --vm img.bale sh -c 'trap \"stty size\" WINCH; echo started; while :; do sleep 0.1; done'; sleep 60"
  wait_for 120 sh -c "${tm[*]} capture-pane -p -t vm | grep -q started" || fail "the app did not start under tmux: $("${tm[@]}" capture-pane -p -t vm)"
  "${tm[@]}" resize-window -t vm -x 100 -y 30
  wait_for 20 sh -c "${tm[*]} capture-pane -p -t vm | grep -q '^30 100'" ||
    fail "the resize did not reach the app: $("${tm[@]}" capture-pane -p -t vm)"
  "${tm[@]}" kill-server
  vm_clean
fi
