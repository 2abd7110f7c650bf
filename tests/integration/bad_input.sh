#!/bin/bash
# Bad input gets a clean error, never a crash or an "internal error": files that are not images
# (garbage, empty, zeros, truncated gzip, a directory), footers with absurd numbers, configs of
# the wrong shape, and bad command lines (exit 2, one line plus where to read more).
. "$(dirname "$0")/lib.sh"

make_busybox_root root
"$BALE" pack root -o good.bale 2>/dev/null
read -r body signed siglen < <(footer good.bale)
size=$(stat -c %s good.bale)

# clean CODE PATTERN CMD...: like expect_fail, and no crash or internal error either.
clean() {
  expect_fail "$@"
  grep -qiE 'internal error|terminate called|what\(\)|Aborted|Segmentation' "$T/.err" &&
    fail "'${*:3}' crashed: $(cat "$T/.err")"
  return 0
}

head -c 100000 /dev/urandom | tr '\037' x >garbage    # never a gzip magic at byte 0
: >empty
head -c 100000 /dev/zero >zeros
tar -czf plain.tar.gz -C root .
head -c 20000 plain.tar.gz >truncated.tar.gz
for f in garbage empty zeros; do
  clean 1 "^bale: '$f': not an image" "$BALE" verify "$f"
  clean 1 "^bale: '$f': not an image" "$BALE" inspect "$f"
  clean 1 "^bale: '$f'" "$BALE" sign "$f" -o out.bale
  clean 1 "'$f'" "$BALE" import "$f" -o out.bale
  clean 1 "^bale: '$f'" "$BALE" export "$f" -o out.tar --insecure
done
clean 1 "^bale: 'truncated.tar.gz': no signature" "$BALE" verify truncated.tar.gz
clean 1 "'truncated.tar.gz'.*truncated" "$BALE" sign truncated.tar.gz -o out.bale
clean 1 "'truncated.tar.gz'" "$BALE" import truncated.tar.gz -o out.bale
clean 1 "'no-such-file': no such image file, and no image of that name or id" "$BALE" verify no-such-file
clean 1 "'no-such-file': no such image file, and no image of that name or id" "$BALE" inspect no-such-file
clean 1 "'$T': a directory, not an image file" "$BALE" verify "$T"
[ ! -e out.bale ] && [ ! -e out.tar ] || fail "a failed command left its output behind"

# Footers whose numbers are absurd: too large for 64 bits, at the limit, zero, swapped, off by one.
footer_says() {
  cp good.bale f.bale
  printf 'bale-image 1 %20s %20s %6s\n' "$1" "$2" "$3" >footer.txt
  [ "$(stat -c %s footer.txt)" -eq 62 ] || fail "setup: footer of $(stat -c %s footer.txt) bytes"
  dd if=footer.txt of=f.bale bs=1 seek=$((size - 72)) conv=notrunc status=none
  clean 1 "^bale: 'f.bale': damaged trailer" "$BALE" verify f.bale
  clean 1 "^bale: 'f.bale': damaged trailer" "$BALE" inspect f.bale
  clean 1 "^bale: 'f.bale': damaged trailer" "$BALE" sign f.bale -o resigned.bale
}
footer_says 99999999999999999999 "$signed" "$siglen"
footer_says 18446744073709551615 "$signed" "$siglen"
footer_says "$body" 18446744073709551615 "$siglen"
footer_says "$body" 18446744073709551000 999999
footer_says "$body" "$signed" 999999
footer_says 0 0 0
footer_says 0 "$signed" "$siglen"
footer_says "$signed" "$body" "$siglen"
footer_says $((body - 1)) "$signed" "$siglen"
footer_says $((body + 1)) "$signed" "$siglen"
footer_says "$body" $((signed + 1)) $((siglen - 1))
footer_says "$body" $((signed - 1)) $((siglen + 1))
footer_says -1 "$signed" "$siglen"
footer_says 0x10 "$signed" "$siglen"
# A big file whose footer claims a trailer of almost all of it: refused, not read into memory.
{ printf '\037\213'; head -c 30000000 /dev/zero; } >huge.bale
huge=$(($(stat -c %s huge.bale) + 72))
{ printf 'bale-image 1 %20s %20s %6s\n' 18 $((huge - 76 - 302)) 302
  printf '\003\000\000\000\000\000\000\000\000\000'; } >>huge.bale
clean 1 "^bale: 'huge.bale': damaged trailer" "$BALE" verify huge.bale

# Configs of the wrong shape, in --config and then edited by flags.
echo x >root/f
for cfg in 'nope' '[]' '{"config": []}' '{"config": {"Labels": "x"}}' '{"config": {"Env": ["A=1", 5]}}' \
  '{"config": {"ExposedPorts": [80]}}' '{"config": {"Volumes": "v"}}'; do
  echo "$cfg" >cfg.json
  rc=0
  "$BALE" pack root -o cfg.bale --config cfg.json -e B=2 -l a=b --expose 80 --volume /v 2>err || rc=$?
  [ "$rc" -eq 1 ] || [ "$rc" -eq 2 ] || fail "--config '$cfg' exited $rc: $(cat err)"
  grep -q 'internal error' err && fail "--config '$cfg': $(cat err)"
  grep -q "'cfg.json'" err || fail "--config '$cfg': the message does not name cfg.json: $(cat err)"
done

# Command lines: exit 2, one line saying what is wrong, one saying where to read more.
usage() {
  clean 2 "^bale $1: " "$BALE" "${@:2}"
  [ "$(wc -l <"$T/.err")" -eq 2 ] || fail "'bale ${*:2}' printed $(wc -l <"$T/.err") lines: $(cat "$T/.err")"
  grep -qx "  see 'bale $1 --help'" "$T/.err" || fail "no pointer to 'bale $1 --help': $(cat "$T/.err")"
}
usage verify verify good.bale --no-such-option
usage pack pack root
usage pack pack root -o x.bale --frobnicate
usage inspect inspect
usage trust trust
expect_fail 2 '' "$BALE" no-such-command
expect_fail 2 'not a JSON array of strings' "$BALE" pack root -o x.bale --cmd '[1, 2]'
expect_fail 2 'KEY=VALUE' "$BALE" pack root -o x.bale -l novalue
expect_fail 2 'SOURCE_DATE_EPOCH' env SOURCE_DATE_EPOCH=yesterday "$BALE" pack root -o x.bale

# Paths that are not there.
clean 1 "'no-such-dir'" "$BALE" pack no-such-dir -o x.bale
clean 1 "'good.bale'.*Not a directory" "$BALE" pack good.bale -o x.bale
clean 1 "no/such/place" "$BALE" pack root -o no/such/place/x.bale
[ ! -e x.bale ] || fail "a failed pack left x.bale behind"
no_temp_files .
exit 0
