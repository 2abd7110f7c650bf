#!/bin/bash
# A COPY source word names its heredoc by the whole name: `<<EOF2` is the heredoc EOF2, never
# EOF (whose name it contains), whichever order they come in; quoted and <<- openers too.
. "$(dirname "$0")/lib.sh"
. "$BALE_SRC/tests/integration/build_lib.sh"
mkdir ctx
cat >ctx/Dockerfile <<'DF'
FROM scratch
COPY <<EOF2 <<EOF /d/
two
EOF2
one
EOF
COPY <<"EOFX" <<-EO /e/
x
EOFX
	o
	EO
DF
build -q -o img.bale ctx
extract img.bale r
[ "$(cat r/d/EOF2)" = two ] || fail "<<EOF2 took the wrong heredoc: $(cat r/d/EOF2)"
[ "$(cat r/d/EOF)" = one ] || fail "<<EOF took the wrong heredoc: $(cat r/d/EOF)"
[ "$(cat r/e/EOFX)" = x ] || fail "<<\"EOFX\" took the wrong heredoc: $(cat r/e/EOFX)"
[ "$(cat r/e/EO)" = o ] || fail "<<-EO took the wrong heredoc: $(cat r/e/EO)"
exit 0
