#!/bin/bash
# A real distribution runs: a Debian minbase tree (debootstrap, built once per machine and kept in
# /var/cache/bale-tests) packed by bale runs bash, coreutils and apt, as root and as nobody.
# Slow the first time on a machine: debootstrap downloads about 80 MB.
. "$(dirname "$0")/lib.sh"
. "$BALE_SRC/tests/integration/run_lib.sh"
need debootstrap

. "$BALE_SRC/tests/integration/debian_lib.sh"
debian_cache_tree
cache=$debian_cache

"$BALE" pack "$cache" -o debian.bale 2>/dev/null || fail "bale pack of the Debian tree failed"

"$BALE" run debian.bale /bin/bash -c 'cat /etc/debian_version; id; ls /usr/bin | wc -l' >out 2>err ||
  fail "bash in the Debian image failed: $(cat err)"
mapfile -t lines <out
[[ ${lines[0]} =~ ^12\.[0-9]+$ ]] || fail "debian_version is '${lines[0]}', expected 12.x"
[ "${lines[1]}" = 'uid=0(root) gid=0(root) groups=0(root)' ] || fail "id printed '${lines[1]}'"
[ "${lines[2]}" -eq "$(find "$cache/usr/bin" -mindepth 1 -maxdepth 1 | wc -l)" ] ||
  fail "the container sees ${lines[2]} entries in /usr/bin, the tree has $(find "$cache/usr/bin" -mindepth 1 -maxdepth 1 | wc -l)"

"$BALE" run debian.bale apt-get --version >out 2>err || fail "apt-get --version failed: $(cat err)"
grep -q '^apt 2\.6' out || fail "apt-get --version printed: $(head -3 out)"

# nobody from the image's own passwd and group: name, home, and no root group left over.
# shellcheck disable=SC2016  # for the container's bash
"$BALE" run -u nobody debian.bale /bin/bash -c 'id; echo "$HOME"; touch /root/x 2>/dev/null && echo wrote; exit 0' \
  >out 2>err || fail "-u nobody failed: $(cat err)"
[ "$(sed -n 1p out)" = 'uid=65534(nobody) gid=65534(nogroup) groups=65534(nogroup)' ] ||
  fail "-u nobody: id printed '$(sed -n 1p out)'"
[ "$(sed -n 2p out)" = /nonexistent ] || fail "-u nobody: HOME is '$(sed -n 2p out)'"
grep -q wrote out && fail "nobody could write to /root"
exit 0
