"""A lying proxy for the registry tests: serves TLS on 127.0.0.1:PORT and forwards every GET and
HEAD to the real registry at UPSTREAM, passing the answer back, except where the mode (the word
in MODE_FILE, read on every request) says to lie:
  flip      one byte of every blob it sends is inverted
  truncate  a blob's Content-Length is sent, then half the bytes, then the connection closes
  garble    every manifest it sends is cut short (malformed JSON)
  huge      every manifest it sends declares its layers 1 TB each
  endless   a manifest is an endless stream of spaces, with no length
  cut-once  the first answer for each blob stops halfway (the connection closes); later ones,
            Range requests included, are honest. Each Range asked is logged in MODE_FILE.ranges
  cut-every every answer for a blob of more than 4 KiB stops halfway through what it sends
  stall     the first answer for each blob of more than 4 KiB sends half its bytes, then nothing
            more for a minute (a pull to be killed)
  ranged    nothing changed, Range requests passed on (honest answers every request in full, as
            a registry that ignores Range does)
  honest    nothing changed
usage: registry_proxy.py PORT UPSTREAM_URL CA CERT KEY MODE_FILE"""
import http.server
import json
import ssl
import sys
import time
import urllib.error
import urllib.request

port, upstream, ca, cert, key, mode_file = sys.argv[1:7]
upstream_ctx = ssl.create_default_context(cafile=ca)
PASS = ("content-range", "content-type", "docker-content-digest", "www-authenticate", "docker-distribution-api-version")


CUT = set()  # the blobs cut once (or stalled) already
RANGED = ("cut-once", "cut-every", "stall", "ranged")


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def forward(self, send_body):
        mode = open(mode_file).read().strip()
        req = urllib.request.Request(upstream + self.path, method=self.command)
        for h in ("Accept", "Authorization", "Range"):
            if h == "Range" and mode not in RANGED:
                continue  # the other modes answer every request in full
            if self.headers.get(h):
                req.add_header(h, self.headers[h])
        try:
            resp = urllib.request.urlopen(req, context=upstream_ctx)
        except urllib.error.HTTPError as e:
            resp = e
        body = resp.read()
        is_blob, is_manifest = "/blobs/" in self.path, "/manifests/" in self.path
        if self.headers.get("Range"):
            with open(mode_file + ".ranges", "a") as f:
                f.write(self.path + " " + self.headers["Range"] + "\n")
        cut = stall = False
        if is_blob and mode == "cut-once" and send_body and resp.status == 200 and self.path not in CUT:
            CUT.add(self.path)
            cut = True
        big = is_blob and send_body and resp.status in (200, 206) and len(body) > 4096
        if big and mode == "cut-every":
            cut = True
        if big and mode == "stall" and self.path not in CUT:
            CUT.add(self.path)
            stall = True
        if resp.status == 200 and is_blob and mode == "flip" and body:
            i = len(body) // 2
            body = body[:i] + bytes([body[i] ^ 1]) + body[i + 1:]
        if resp.status == 200 and is_manifest and mode == "garble":
            body = body[: len(body) // 2]
        if resp.status == 200 and is_manifest and mode == "huge":
            m = json.loads(body)
            for layer in m.get("layers", []):
                layer["size"] = 10**12
            body = json.dumps(m).encode()
        if resp.status == 200 and is_manifest and mode == "endless" and send_body:
            self.send_response(200)
            self.send_header("Content-Type", resp.headers.get("Content-Type", ""))
            self.send_header("Connection", "close")
            self.end_headers()
            self.close_connection = True
            try:
                while True:
                    self.wfile.write(b" " * 65536)
            except OSError:
                return
        self.send_response(resp.status)
        for name, value in resp.headers.items():
            if name.lower() in PASS:
                self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if not send_body:
            return
        if (resp.status == 200 and is_blob and mode == "truncate") or cut or stall:
            self.wfile.write(body[: len(body) // 2])
            self.wfile.flush()
            if stall:
                time.sleep(60)
            self.close_connection = True
            return
        self.wfile.write(body)

    def do_GET(self):
        self.forward(True)

    def do_HEAD(self):
        self.forward(False)

    def log_message(self, *args):
        pass


server = http.server.ThreadingHTTPServer(("127.0.0.1", int(port)), Handler)
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
ctx.load_cert_chain(cert, key)
server.socket = ctx.wrap_socket(server.socket, server_side=True)
server.serve_forever()
