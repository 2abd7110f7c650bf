"""A registry token server for the bearer-token tests (docs.docker.com/registry/spec/auth/token):
GET /token?service=S&scope=repository:NAME:ACTIONS answers {"token": JWT} for the reference
registry's `auth: token` setting. Anonymous callers get pull, USER with the right password
(HTTP basic) also push, a wrong password a 401 with a message. The JWT is RS256, signed with
`openssl dgst`, and carries its certificate in x5c (the registry's rootcertbundle holds it).
usage: token_server.py PORT KEY.pem CERT.pem USER:PASSWORD LOG"""
import base64
import http.server
import json
import subprocess
import sys
import time
import urllib.parse

port, key, cert, userpass, log_path = sys.argv[1:6]
USER, PASSWORD = userpass.split(":", 1)
DER = subprocess.check_output(["openssl", "x509", "-in", cert, "-outform", "DER"])


def b64url(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def sign(claims):
    header = {"typ": "JWT", "alg": "RS256", "x5c": [base64.b64encode(DER).decode()]}
    signing_input = b64url(json.dumps(header).encode()) + "." + b64url(json.dumps(claims).encode())
    sig = subprocess.run(["openssl", "dgst", "-sha256", "-sign", key], input=signing_input.encode(),
                         capture_output=True, check=True).stdout
    return signing_input + "." + b64url(sig)


class Handler(http.server.BaseHTTPRequestHandler):
    def answer(self, status, body):
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):
        url = urllib.parse.urlparse(self.path)
        q = urllib.parse.parse_qs(url.query)
        user = None
        auth = self.headers.get("Authorization", "")
        if auth.startswith("Basic "):
            user, _, password = base64.b64decode(auth[6:]).decode().partition(":")
            if user != USER or password != PASSWORD:
                self.answer(401, {"details": "wrong user name or password for %s" % user})
                return
        access = []
        for scope in q.get("scope", []):
            kind, name, actions = scope.split(":")
            allowed = [a for a in actions.split(",") if a == "pull" or (a == "push" and user)]
            access.append({"type": kind, "name": name, "actions": allowed})
        now = int(time.time())
        claims = {"iss": "bale-test-issuer", "sub": user or "", "aud": q.get("service", [""])[0],
                  "exp": now + 300, "nbf": now - 10, "iat": now, "jti": "%d-%f" % (now, time.time()),
                  "access": access}
        with open(log_path, "a") as log:
            log.write("%s %s %s\n" % (user or "-", " ".join(q.get("scope", [])) or "-",
                                      q.get("service", ["-"])[0]))
        token = sign(claims)
        self.answer(200, {"token": token, "access_token": token, "expires_in": 300})

    def log_message(self, *args):
        pass


http.server.ThreadingHTTPServer(("127.0.0.1", int(port)), Handler).serve_forever()
