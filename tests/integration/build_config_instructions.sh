#!/bin/bash
# A FROM scratch busybox build sets the image config as Docker would: ENV (with ENV winning over
# ARG), WORKDIR (relative to the last one), USER, LABEL (and --label), EXPOSE (ranges expanded),
# VOLUME, STOPSIGNAL, HEALTHCHECK, MAINTAINER, ONBUILD stored, ENTRYPOINT resetting an inherited
# CMD; ARG values never reach the config. The image runs, and stdout is only its digest.
. "$(dirname "$0")/lib.sh"
. "$BALE_SRC/tests/integration/build_lib.sh"

busybox_context ctx
cat >ctx/Dockerfile <<EOF
$BUSYBOX_STAGE
ARG SECRET=hunter2 WHO=world
ENV WHO=env-wins GREETING="hello \$WHO"
WORKDIR /srv
WORKDIR app
LABEL org.example.name="demo app" version=1
EXPOSE 80 53/udp 8000-8002
VOLUME ["/data"]
STOPSIGNAL SIGQUIT
HEALTHCHECK --interval=30s --timeout=1m30s --retries=3 CMD wget -q localhost || exit 1
MAINTAINER someone@example.com
ONBUILD RUN echo triggered
CMD ["/bin/sh", "-c", "echo \$GREETING from \$(pwd) as \$(id -u)"]
EOF
build -o app.bale --label build.by=test ctx
"$BALE" inspect --json app.bale >config.json
[ "$(cat "$T/build.out")" = "$(json_get config.json 'j["digest"]')" ] ||
  fail "stdout is not just the digest: $(cat "$T/build.out")"
grep -qE '^\[1/15\] FROM scratch$' "$T/build.log" || fail "no first step line: $(head -3 "$T/build.log")"
grep -qE '^\[15/15\] CMD ' "$T/build.log" || fail "no last step line: $(cat "$T/build.log")"

c='j["config"]["config"]'
[ "$(json_get config.json "$c[\"Env\"]")" = '["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin","WHO=env-wins","GREETING=hello world"]' ] ||
  fail "Env: $(json_get config.json "$c[\"Env\"]") (ENV expands with what came before; ARGs stay out)"
grep -q hunter2 config.json && fail "an ARG value reached the image config"
[ "$(json_get config.json "$c[\"WorkingDir\"]")" = /srv/app ] || fail "WorkingDir: $(json_get config.json "$c[\"WorkingDir\"]")"
[ "$(json_get config.json "$c[\"Labels\"]")" = '{"build.by":"test","org.example.name":"demo app","version":"1"}' ] ||
  fail "Labels: $(json_get config.json "$c[\"Labels\"]")"
[ "$(json_get config.json "sorted($c[\"ExposedPorts\"])")" = '["53/udp","80/tcp","8000/tcp","8001/tcp","8002/tcp"]' ] ||
  fail "ExposedPorts: $(json_get config.json "$c[\"ExposedPorts\"]")"
[ "$(json_get config.json "$c[\"Volumes\"]")" = '{"/data":{}}' ] || fail "Volumes"
[ "$(json_get config.json "$c[\"StopSignal\"]")" = SIGQUIT ] || fail "StopSignal"
[ "$(json_get config.json "$c[\"Healthcheck\"]")" = '{"Interval":30000000000,"Retries":3,"Test":["CMD-SHELL","wget -q localhost || exit 1"],"Timeout":90000000000}' ] ||
  fail "Healthcheck: $(json_get config.json "$c[\"Healthcheck\"]")"
[ "$(json_get config.json "$c[\"OnBuild\"]")" = '["RUN echo triggered"]' ] || fail "OnBuild: $(json_get config.json "$c[\"OnBuild\"]")"
[ "$(json_get config.json 'j["config"]["author"]')" = someone@example.com ] || fail "author (MAINTAINER)"

"$BALE" run app.bale >out 2>err || fail "the built image does not run: $(cat err)"
[ "$(cat out)" = "hello world from /srv/app as 0" ] || fail "the image ran: $(cat out)"

# A child image: the ONBUILD trigger runs first and is not inherited; ENTRYPOINT drops the
# inherited CMD; USER applies to the run.
cp app.bale ctx/base.bale
cat >ctx/Dockerfile.child <<'EOF'
FROM ./base.bale
USER 65534:65534
ENTRYPOINT ["/bin/sh", "-c", "id -u; id -g"]
EOF
build -f ctx/Dockerfile.child -o child.bale ctx
grep -q '^triggered$' "$T/build.log" || fail "the ONBUILD trigger did not run: $(cat "$T/build.log")"
"$BALE" inspect --json child.bale >config.json
[ "$(json_get config.json "$c.get(\"OnBuild\")")" = null ] || fail "ONBUILD triggers were inherited"
[ "$(json_get config.json "$c.get(\"Cmd\")")" = null ] || fail "ENTRYPOINT kept the inherited CMD"
[ "$(json_get config.json "$c[\"User\"]")" = 65534:65534 ] || fail "User"
"$BALE" run child.bale >out 2>err || fail "child image: $(cat err)"
[ "$(tr '\n' ' ' <out)" = "65534 65534 " ] || fail "USER: $(cat out)"
exit 0
