#!/bin/bash
# A stage built FROM an earlier stage inherits that stage's ARGs (their values are in scope for
# expansion and in RUN's environment without being declared again); an unrelated stage does not.
# docs.docker.com/build/building/variables/ (scoping): "Arguments and variables are inherited
# from parent stages". BuildKit (docker.io 20.10.24) gives SEEN_A=parent, SEEN_B=pb and a RUN
# printing "A=parent B=pb".
. "$(dirname "$0")/lib.sh"
. "$BALE_SRC/tests/integration/build_lib.sh"
busybox_context ctx
cat >ctx/Dockerfile <<DF
${BUSYBOX_STAGE/FROM scratch/FROM scratch AS parent}
ARG A=parent
ARG B=pb
FROM parent AS child
ENV SEEN_A="\${A:-none}"
RUN echo "A=\$A B=\$B" >/run-seen
FROM child
ARG B
ENV SEEN_B="\${B:-none}"
DF
build -q -o img.bale ctx
image_config img.bale
[ "$(json_get "$T/config.json" 'j["config"]["config"]["Env"]')" = '["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin","SEEN_A=parent","SEEN_B=pb"]' ] ||
  fail "Env: $(json_get "$T/config.json" 'j["config"]["config"]["Env"]'), BuildKit gives SEEN_A=parent SEEN_B=pb"
extract img.bale r
[ "$(cat r/run-seen)" = "A=parent B=pb" ] || fail "RUN in the child stage saw: $(cat r/run-seen)"
exit 0
