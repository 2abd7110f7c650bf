# shellcheck shell=bash
# Helpers for the registry tests; sourced after lib.sh and run_lib.sh. Each test starts its own
# Debian docker-registry (the reference registry, v2) on 127.0.0.1 with a config file it writes,
# TLS from a throwaway CA, and htpasswd basic auth or a bearer token server; bale finds the CA
# in $BALE_CONFIG_DIR/certs.d/HOST:PORT/ca.crt, skopeo in --*-cert-dir.
if [ "${BASH_SOURCE[0]}" = "$0" ]; then
  echo "SKIP: registry_lib.sh holds helpers for the registry tests" >&2
  exit 77
fi
REGISTRY_BIN=$(command -v docker-registry || echo /usr/bin/docker-registry)
[ -x "$REGISTRY_BIN" ] || skip "docker-registry is not installed"
need openssl
need python3
need curl
export DOCKER_CONFIG="$T/docker"  # never the host's ~/.docker/config.json
mkdir -p "$DOCKER_CONFIG"

# make_ca: a throwaway CA in $T/ca and a certificate for 127.0.0.1 it signed ($T/ca/server.*).
make_ca() {
  mkdir -p "$T/ca"
  (cd "$T/ca" &&
    openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=bale-test-ca \
      -keyout ca.key -out ca.crt 2>/dev/null &&
    openssl req -newkey rsa:2048 -nodes -subj /CN=127.0.0.1 -keyout server.key -out server.csr 2>/dev/null &&
    printf 'subjectAltName=IP:127.0.0.1\n' >san.ext &&
    openssl x509 -req -in server.csr -CA ca.crt -CAkey ca.key -CAcreateserial -days 2 \
      -extfile san.ext -out server.crt 2>/dev/null) || fail "openssl could not make the test CA"
}

# start_registry AUTH [NAME]: a registry on a free port with TLS (make_ca first); AUTH is
# "none", "htpasswd USER PASS" or "token REALM_URL" (tokens signed by $T/ca/token.key). Sets
# $REG (127.0.0.1:PORT); its log is $T/registryNAME.log; bale and skopeo are given the CA.
start_registry() {
  local auth=$1 name=${2:-} port
  port=$(free_port)
  REG=127.0.0.1:$port
  mkdir -p "$T/registry-data$name" "$BALE_CONFIG_DIR/certs.d/$REG" "$T/certs/$REG"
  cp "$T/ca/ca.crt" "$BALE_CONFIG_DIR/certs.d/$REG/ca.crt"
  cp "$T/ca/ca.crt" "$T/certs/$REG/ca.crt"
  cat >"$T/registry$name.yml" <<YML
version: 0.1
log:
  level: info
  accesslog:
    disabled: false
storage:
  filesystem:
    rootdirectory: $T/registry-data$name
  delete:
    enabled: true
http:
  addr: $REG
  secret: bale-test-secret
  tls:
    certificate: $T/ca/server.crt
    key: $T/ca/server.key
YML
  case "$auth" in
    htpasswd*)
      need htpasswd
      set -- $auth
      htpasswd -Bbn "$2" "$3" >"$T/htpasswd" 2>/dev/null
      printf 'auth:\n  htpasswd:\n    realm: bale-test\n    path: %s\n' "$T/htpasswd" >>"$T/registry$name.yml" ;;
    token*)
      set -- $auth
      printf 'auth:\n  token:\n    realm: %s\n    service: bale-test\n    issuer: bale-test-issuer\n    rootcertbundle: %s\n' \
        "$2" "$T/ca/token.crt" >>"$T/registry$name.yml" ;;
  esac
  # The registry reads REGISTRY_* variables as config: keep the caller's out of it.
  env -u REGISTRY_HTTP_ADDR "$REGISTRY_BIN" serve "$T/registry$name.yml" >"$T/registry$name.log" 2>&1 &
  at_exit "kill $!"
  wait_for 30 curl -s -o /dev/null --cacert "$T/ca/ca.crt" "https://$REG/v2/" ||
    fail "the registry did not start: $(tail -20 "$T/registry$name.log")"
}

# skopeo_push ARCHIVE REPO:TAG [CREDS]: skopeo copies a docker-archive into the registry.
skopeo_push() {
  local creds=()
  [ -n "${3:-}" ] && creds=(--dest-creds "$3")
  skopeo copy -q --dest-cert-dir "$T/certs/$REG" "${creds[@]}" "docker-archive:$1" "docker://$REG/$2" \
    >"$T/.skopeo" 2>&1 || fail "skopeo could not push $1: $(cat "$T/.skopeo")"
}

# blob_requests: how many blob GETs the registry's access log has so far (any status);
# manifest_requests: manifest GETs it answered other than with the 401 that asks for
# credentials (each new bale process meets that once: it keeps no token between runs).
blob_requests() { awk '$6 == "\"GET" && $7 ~ /\/blobs\// { n++ } END { print n + 0 }' "$T/registry.log"; }
manifest_requests() {
  awk '$6 == "\"GET" && $7 ~ /\/manifests\// && $9 != 401 { n++ } END { print n + 0 }' "$T/registry.log"
}

# multilayer_spec FILE: three layers with whiteouts and an opaque directory, as
# import_docker_archive.sh makes, plus a busybox to run.
multilayer_spec() {
  python3 - "$1" <<'PY'
import json, sys
spec = {
  "config": {"Cmd": ["/bin/sh", "-c", "cat /etc/motd"], "Env": ["PATH=/bin"],
             "Labels": {"org.example.kind": "test"}},
  "layers": [
    [{"name": "bin/", "type": "dir"},
     {"name": "bin/busybox", "file": "/bin/busybox", "mode": 0o755},
     {"name": "bin/sh", "type": "symlink", "target": "busybox"},
     {"name": "bin/cat", "type": "symlink", "target": "busybox"},
     {"name": "etc/", "type": "dir"},
     {"name": "etc/motd", "data": "from layer 1\n"},
     {"name": "etc/gone", "data": "deleted by layer 2"},
     {"name": "opq/", "type": "dir"},
     {"name": "opq/old", "data": "lower"}],
    [{"name": "etc/.wh.gone", "data": ""},
     {"name": "opq/.wh..wh..opq", "data": ""},
     {"name": "opq/new", "data": "upper"},
     {"name": "etc/motd", "data": "from layer 2\n"}],
    [{"name": "srv/", "type": "dir"},
     {"name": "srv/third", "data": "third layer\n", "mode": 0o600, "uid": 1234, "gid": 5678}],
  ],
}
json.dump(spec, open(sys.argv[1], "w"))
PY
}

# registry_with_app AUTH [USER:PASS]: how most registry tests begin: the throwaway CA, a
# registry (start_registry AUTH, sets $REG) and the three-layer app of multilayer_spec, made as
# the docker-archive app.tar and pushed by skopeo as team/app:1 (with USER:PASS when given).
registry_with_app() {
  need skopeo
  make_ca
  start_registry "$1"
  multilayer_spec spec.json
  make_archive spec.json app.tar
  skopeo_push app.tar team/app:1 "${2:-}"
}

# start_token_server USER PASS: the bearer token server (token_server.py) on a free port, its
# key and certificate in $T/ca/token.*; sets $TOKEN_REALM; requests are logged in $T/token.log.
start_token_server() {
  local port
  port=$(free_port)
  (cd "$T/ca" && openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=bale-test-token \
    -keyout token.key -out token.crt 2>/dev/null) || fail "openssl could not make the token key"
  python3 "$BALE_SRC/tests/integration/token_server.py" "$port" "$T/ca/token.key" "$T/ca/token.crt" \
    "$1:$2" "$T/token.log" >"$T/token-server.log" 2>&1 &
  at_exit "kill $!"
  TOKEN_REALM=http://127.0.0.1:$port/token
  wait_for 20 curl -sf -o /dev/null "$TOKEN_REALM" || fail "the token server did not start: $(cat "$T/token-server.log")"
}

# start_proxy: registry_proxy.py in front of $REG, with the same certificate; sets $PROXY
# (127.0.0.1:PORT, whose CA bale is given) and the file $T/proxy.mode that says how it lies.
start_proxy() {
  local port
  port=$(free_port)
  PROXY=127.0.0.1:$port
  echo honest >"$T/proxy.mode"
  python3 "$BALE_SRC/tests/integration/registry_proxy.py" "$port" "https://$REG" "$T/ca/ca.crt" \
    "$T/ca/server.crt" "$T/ca/server.key" "$T/proxy.mode" >"$T/proxy.log" 2>&1 &
  at_exit "kill $!"
  mkdir -p "$BALE_CONFIG_DIR/certs.d/$PROXY"
  cp "$T/ca/ca.crt" "$BALE_CONFIG_DIR/certs.d/$PROXY/ca.crt"
  wait_for 20 curl -s -o /dev/null --cacert "$T/ca/ca.crt" "https://$PROXY/v2/" ||
    fail "the proxy did not start: $(cat "$T/proxy.log")"
}
