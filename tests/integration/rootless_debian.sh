#!/bin/bash
# A Debian system made, built on and run by a real ordinary user the test creates, with its
# subordinate range: `bale bootstrap` (debootstrap in the user's namespace and a PID namespace
# of its own, from an HTTP mirror on 127.0.0.1 made of the suite's cached Debian tree), files of
# root, _apt and www-data owned right inside and subuid+N-1 on the host, and a build whose
# apt-get drops to _apt for its downloads as it does under root.
. "$(dirname "$0")/lib.sh"
. "$BALE_SRC/tests/integration/run_lib.sh"
. "$BALE_SRC/tests/integration/build_lib.sh"
. "$BALE_SRC/tests/integration/debian_lib.sh"
need debootstrap
need setpriv
need useradd
[ -u /usr/bin/newuidmap ] || skip "newuidmap is not installed setuid (package uidmap)"
unset BALE_STORE  # the user's own, under its home

debian_file_mirror "$T/mirror"
chmod -R a+rX "$T/mirror"
serve_http "$T/mirror" dists/bookworm/InRelease
mirror=http://127.0.0.1:$HTTP_PORT/
test_user "bale-deb-$$" 4200000
store=$T/home/.local/share/bale

as_test_user "$T/bale" bootstrap debian:bookworm --mirror "$mirror" >out 2>log ||
  fail "bootstrap as the user failed: $(tail -30 log)"
grep -qE '^sha256:[0-9a-f]{64}$' out || fail "bootstrap printed: $(cat out)"
as_test_user "$T/bale" images | grepq -E '^debian +bookworm ' || fail "the user's store has no debian:bookworm"

out=$(as_test_user "$T/bale" run debian:bookworm \
  stat -c '%n %U:%G' /var/mail /var/log/wtmp /etc/shadow /usr/bin/passwd) || fail "the image does not run: $out"
[ "$out" = "$(printf '%s\n' '/var/mail root:mail' '/var/log/wtmp root:utmp' '/etc/shadow root:shadow' \
  '/usr/bin/passwd root:root')" ] || fail "owners inside: $out"
mail_gid=$(as_test_user "$T/bale" run debian:bookworm getent group mail | cut -d: -f3)
mail=$(find "$store/images" -maxdepth 4 -path '*/rootfs/var/mail' -print -quit)
[ -n "$mail" ] && [ "$(stat -c %g "$mail")" = $((4200000 + mail_gid - 1)) ] ||
  fail "on the host the group mail ($mail_gid) is not subgid+$((mail_gid - 1)): $mail $(stat -c %g "$mail" 2>/dev/null)"
[ "$(stat -c %u "$store/images")" = "$uid" ] || fail "the store is not the user's"

# apt-get as the user: the index and the package downloaded by _apt, as under root.
mkdir "$T/home/ctx"
cat >"$T/home/ctx/Dockerfile" <<'DOCKERFILE'
FROM debian:bookworm
RUN apt-get update 2>&1 | tee /apt.log && \
    apt-get install -y --reinstall --no-install-recommends hostname 2>&1 | tee -a /apt.log
RUN stat -c '%n %U:%G' /var/lib/apt/lists/partial /var/cache/apt/archives/partial >/partial.txt
RUN install -d -o www-data -g www-data /srv/www && touch /srv/www/index && chown www-data /srv/www/index
CMD ["stat", "-c", "%n %U:%G", "/srv/www", "/srv/www/index"]
DOCKERFILE
chown -R "$test_user_name:" "$T/home/ctx"
as_test_user "$T/bale" build -t web ctx >out 2>log || fail "the apt-get build failed as the user: $(tail -30 log)"
out=$(as_test_user "$T/bale" run web cat /apt.log)
grep -q "Setting up hostname" <<<"$out" || fail "apt-get did not reinstall hostname: $out"
grep -qi "unsandboxed" <<<"$out" && fail "apt could not drop to _apt: $out"
out=$(as_test_user "$T/bale" run web cat /partial.txt)
[ "$out" = "$(printf '/var/lib/apt/lists/partial _apt:root\n/var/cache/apt/archives/partial _apt:root')" ] ||
  fail "apt's download directories are not _apt's: $out"
out=$(as_test_user "$T/bale" run web) || fail "the built image does not run"
[ "$out" = "$(printf '/srv/www www-data:www-data\n/srv/www/index www-data:root')" ] || fail "www-data's files: $out"
exit 0
