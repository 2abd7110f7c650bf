#!/bin/bash
# A project of 10,000 files whose container COPYs a 1,000-file directory: up to date, a command
# starts with no build output (stats, no builder); a changed file in the copied directory is
# rebuilt and seen; a changed file elsewhere runs no step; a file .dockerignore rules out is
# not even looked at by the up-to-date check.
. "$(dirname "$0")/lib.sh"
. "$BALE_SRC/tests/integration/project_lib.sh"
busybox_project
mkdir -p "$P/assets" "$P/other" "$P/ignored"
(cd "$P/assets" && seq 1000 | xargs touch) || fail "could not make assets"
(cd "$P/other" && seq 8992 | xargs touch) || fail "could not make the rest"
echo 'COPY assets /assets' >>"$P/Dockerfile"
mkdir "$P/linked" && echo first >"$P/linked/f" && ln -s linked "$P/lnk"
echo 'COPY lnk /lnk' >>"$P/Dockerfile"   # a source that is a symlink: COPY follows it
echo ignored >"$P/.dockerignore"
(cd "$P/ignored" && seq 5 | xargs touch)
[ "$(find "$P" -type f | wc -l)" -ge 10000 ] || fail "the tree has fewer than 10,000 files"
yaml '  count:
    run: [sh, -c, "ls /assets | wc -l; cat /assets/7"]'

[ "$(in_proj "$BALE" count 2>b1.err | head -1)" = 1000 ] || fail "first run: $(cat b1.err)"
grep -q 'COPY assets /assets' b1.err || fail "the first run did not build: $(cat b1.err)"
out=$(in_proj "$BALE" count 2>b2.err)
[ "$out" = 1000 ] && [ ! -s b2.err ] || fail "up to date, yet: $out $(cat b2.err)"

echo changed >"$P/assets/7"
out=$(in_proj "$BALE" count 2>b3.err)
[ "$(tail -1 <<<"$out")" = changed ] || fail "a changed copied file was not rebuilt: $out $(cat b3.err)"
grep -q 'COPY assets /assets$' b3.err && grep -q 'DONE' b3.err || fail "no COPY step ran: $(cat b3.err)"

echo x >"$P/other/5"
in_proj "$BALE" count >/dev/null 2>b4.err || fail "after a change elsewhere: $(cat b4.err)"
grep -q DONE b4.err && fail "a file the build does not read made a step run: $(cat b4.err)"

# A change behind a symlinked source is seen.
echo second >"$P/linked/f"
yaml '  lnk:
    run: [cat, /lnk/f]'
[ "$(in_proj "$BALE" lnk 2>/dev/null)" = second ] || fail "a change behind a symlinked COPY source was missed"

# An ignored directory: the check does not open it (strace shows no openat of it).
if command -v strace >/dev/null; then
  in_proj "$BALE" lnk >/dev/null 2>&1
  (cd "$P" && strace -f -e trace=openat,openat2 -o "$T/trace" "$BALE" lnk) >/dev/null 2>&1 || fail "traced run failed"
  grep -q '"ignored"' "$T/trace" && fail "the up-to-date check opened the ignored directory"
  grep -qE 'openat2?\([0-9]+, "(assets/)?7"' "$T/trace" && fail "the up-to-date check read a file's content"
fi
echo ok
