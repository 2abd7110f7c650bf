#!/bin/bash
# `bale doctor` as a real ordinary user the test creates: everything there gives exit 0; each
# failure made real gives its verdict, the exact fix and exit 1: no subordinate id range, a
# range that holds the user's own id, a newuidmap without its setuid bit (first in PATH), user
# namespaces switched off (user.max_user_namespaces=0 in a user namespace of the test's own),
# a store others may write to, a machine key others may read. As root it checks store and key.
. "$(dirname "$0")/lib.sh"
. "$BALE_SRC/tests/integration/run_lib.sh"
need setpriv
need useradd

"$BALE" doctor >root.out || fail "doctor as root failed: $(cat root.out)"
grep -q "^ok    identity  *root: containers need no user namespace" root.out || fail "root: $(cat root.out)"

user=bale-dr-$$
test_user "$user" 3000000
# doctor_as [ENV...]: bale doctor as the user, its output in $T/doc.out, its exit code echoed.
doctor_as() {
  local rc=0
  setpriv --reuid "$user" --regid "$user" --init-groups \
    env -i HOME="$T/home" PATH="${DOC_PATH:-/usr/bin:/bin}" "$@" "$T/bale" doctor >"$T/doc.out" 2>&1 || rc=$?
  echo "$rc"
}
verdict() { grep -qE "$1" "$T/doc.out" || fail "doctor lacks /$1/: $(cat "$T/doc.out")"; }

[ "$(doctor_as)" -eq 0 ] || fail "doctor failed for a user with all it needs: $(cat doc.out)"
verdict "^ok    identity +$user \\(uid $uid\\): rootless"
verdict "^ok    user namespaces +allowed"
verdict "^ok    newuidmap +/usr/bin/newuidmap \\(setuid root\\)"
verdict "^ok    subordinate ids /etc/subuid +65536 ids from 3000000"
verdict "^ok    overlayfs in a user ns +mounts"
verdict "^ok    store +$T/home/.local/share/bale \\(made on first use\\)"

# No range: the exact line to add, at a start no other range uses.
subid_line "$user" "" /etc/subuid
[ "$(doctor_as)" -eq 1 ] || fail "no subuid range: doctor did not fail"
verdict "^FAIL  subordinate ids /etc/subuid +no range for '$user'"
line=$(sed -n "s|.*fix: echo '\\($user:[0-9]*:65536\\)' >> /etc/subuid.*|\\1|p" doc.out)
[ -n "$line" ] || fail "no line to add offered: $(cat doc.out)"
start=$(echo "$line" | cut -d: -f2)
while IFS=: read -r _ s c; do
  [ "$start" -ge $((s + c)) ] || [ $((start + 65536)) -le "$s" ] || fail "offered $line overlaps $s+$c"
done < <(grep -v '^#' /etc/subuid)
verdict "^1 check failed$"

# A range that holds the user's own uid.
subid_line "$user" $((uid - 10)) /etc/subuid
[ "$(doctor_as)" -eq 1 ] || fail "own id in range: doctor did not fail"
verdict "the range $((uid - 10))-$((uid + 65525)) holds $user's own id $uid"
subid_line "$user" 3000000 /etc/subuid

# newuidmap first in PATH without its setuid bit.
mkdir "$T/bin"
cp /usr/bin/newuidmap "$T/bin/newuidmap"
chmod 755 "$T/bin" "$T/bin/newuidmap"
[ "$(DOC_PATH="$T/bin:/usr/bin:/bin" doctor_as)" -eq 1 ] || fail "a plain newuidmap: doctor did not fail"
verdict "^FAIL  newuidmap +'$T/bin/newuidmap' is neither setuid root nor given capabilities"
verdict "fix: chmod u\\+s $T/bin/newuidmap"

# User namespaces switched off: the limit set to 0 inside a user namespace of the test's own.
need unshare
unshare -U --map-root-user sh -c "echo 0 >/proc/sys/user/max_user_namespaces && exec '$BALE' doctor" \
  >doc.out 2>&1 && fail "doctor passed with user.max_user_namespaces=0: $(cat doc.out)"
verdict "^FAIL  user namespaces +none allowed \\(user.max_user_namespaces = 0\\)"
verdict "fix: sysctl -w user.max_user_namespaces="

# A store others may write to, a machine key others may read.
mkdir -p "$T/home/.local/share/bale" "$T/home/.config/bale"
chown -R "$user:" "$T/home/.local" "$T/home/.config"
chmod 777 "$T/home/.local/share/bale"
echo key >"$T/home/.config/bale/id_ed25519"
chown "$user:" "$T/home/.config/bale/id_ed25519"
chmod 644 "$T/home/.config/bale/id_ed25519"
[ "$(doctor_as)" -eq 1 ] || fail "open store and key: doctor did not fail"
verdict "^FAIL  store +'$T/home/.local/share/bale' is writable by others"
verdict "^FAIL  machine key +'$T/home/.config/bale/id_ed25519' is readable by others"
verdict "^2 checks failed$"
exit 0
