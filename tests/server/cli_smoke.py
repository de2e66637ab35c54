#!/usr/bin/env python3
"""cli_smoke.py - the real slotdav binary end to end.

Usage: cli_smoke.py PATH/TO/slotdav

Every subcommand's --help; user and calendar administration on a fresh
database (with the configuration options before and after the subcommand);
configuration errors; then `serve` on a free loopback port: /health,
/.well-known/caldav, 401 without credentials, 207 for PROPFIND with them,
an unknown method, HTTPS with a throw-away certificate and IPv6 when the
machine has them, and a clean exit 0 on SIGTERM. Standard library only.
"""
import base64
import http.client
import os
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import tempfile
import time

BIN = os.path.abspath(sys.argv[1])
failures = []


def check(cond, what, detail=""):
    if not cond:
        failures.append(what)
        print(f"FAIL: {what}" + (f"\n      {detail}" if detail else ""), flush=True)


def sanitizer_clean(what, stderr):
    check("Sanitizer" not in stderr and "runtime error:" not in stderr,
          f"{what}: no sanitizer report", stderr[-2000:])


def run(*args, stdin="", expect=0):
    p = subprocess.run([BIN, *args], input=stdin, capture_output=True, text=True, timeout=60)
    sanitizer_clean(f"`slotdav {' '.join(args)}`", p.stderr)
    if expect is not None:
        check(p.returncode == expect,
              f"`slotdav {' '.join(args)}` exits {expect}",
              f"got {p.returncode}; stdout={p.stdout!r} stderr={p.stderr!r}")
    return p


def free_port(family=socket.AF_INET, host="127.0.0.1"):
    with socket.socket(family, socket.SOCK_STREAM) as s:
        s.bind((host, 0))
        return s.getsockname()[1]


def test_help():
    for args in (["--help"], ["help"], ["help", "user", "add"], ["version", "--help"],
                 ["serve", "--help"], ["user", "--help"], ["calendar", "--help"],
                 ["user", "add", "--help"], ["user", "passwd", "--help"],
                 ["user", "list", "--help"], ["user", "delete", "--help"],
                 ["calendar", "create", "--help"], ["calendar", "list", "--help"],
                 ["calendar", "delete", "--help"]):
        p = run(*args)
        check("usage: slotdav" in p.stdout, f"`slotdav {' '.join(args)}` prints usage")
    p = run("serve", "--help")
    for key, default in (("server.listen", "127.0.0.1"), ("server.port", "8008"),
                         ("server.threads", "4"), ("server.max_body", "10M"),
                         ("server.timeout", "60"), ("server.base_url", ""),
                         ("server.tls_cert", ""), ("server.tls_key", ""),
                         ("storage.database", "var/slotdav.db"), ("storage.pool", "8"),
                         ("caldav.max_resource_size", "1M"), ("auth.realm", "slotdav"),
                         ("auth.cache_seconds", "60"), ("log.level", "info")):
        line = next((l for l in p.stdout.splitlines() if l.strip().startswith(key + " ")), "")
        check(line and default in line, f"serve --help lists {key} with default {default!r}",
              line)
    check(run("version").stdout.startswith("slotdav "), "version prints the version")
    p = run(expect=2)
    check("usage" in p.stdout + p.stderr, "no command prints usage")
    p = run("frobnicate", expect=2)
    check("frobnicate" in p.stderr, "unknown command named in the error")


def test_config_errors(tmp):
    bad = os.path.join(tmp, "bad.ini")
    with open(bad, "w") as f:
        f.write("[server]\nprot = 80\n")
    p = run("--config", bad, "user", "list", expect=2)
    check(f"{bad}:2:" in p.stderr and "prot" in p.stderr, "bad key names file and line",
          p.stderr)
    p = run("user", "list", "--server.port=99999", expect=2)
    check("--server.port" in p.stderr, "bad option value names the option", p.stderr)
    p = run("user", "list", "--server.nope=1", expect=2)
    check("--server.nope" in p.stderr, "unknown option named", p.stderr)


def test_admin(db, tmp):
    p = run("--database", os.path.join(tmp, "no", "such", "dir", "x.db"), "user", "list",
            expect=1)
    check("cannot open the database" in p.stderr, "a database in a missing directory fails",
          p.stderr)
    p = run("--database", db, "user", "add", "alice", "--email", "alice@example.com",
            "--displayname", "Alice Example", "--password-stdin", stdin="first-pw\n")
    check("created user alice" in p.stdout, "user add reports what it created", p.stdout)
    p = run("user", "add", "alice", "--database", db, "--password-stdin", stdin="x\n",
            expect=1)
    check("already exists" in p.stderr, "duplicate user refused with a message", p.stderr)
    p = run("user", "add", "bob", "--database", db, "--password-stdin", stdin="\n", expect=1)
    check("empty password" in p.stderr, "empty password refused", p.stderr)
    p = run("user", "add", "bob", "--database", db, stdin="", expect=1)
    check("--password-stdin" in p.stderr, "no terminal: told to use --password-stdin",
          p.stderr)
    p = run("user", "add", "bad/name", "--database", db, "--password-stdin", stdin="x\n",
            expect=2)
    check("invalid user name" in p.stderr, "invalid user name refused", p.stderr)
    good = os.path.join(os.path.dirname(db), "good.ini")
    with open(good, "w") as f:
        f.write(f"[storage]\ndatabase = {db}\n[log]\nlevel = warn\n")
    p = run("user", "list", "--config", good)
    check(p.stdout == "alice\n", "user list prints one name per line", p.stdout)
    p = run("user", "list", "--long", "--config", good)
    check("alice" in p.stdout and "alice@example.com" in p.stdout
          and "Alice Example" in p.stdout, "user list --long shows the details", p.stdout)
    check("bob" not in p.stdout, "refused users were not created", p.stdout)
    p = run("user", "passwd", "alice", "--password-stdin", "--database", db,
            stdin="second-pw\r\n")
    check("password changed" in p.stdout, "user passwd reports", p.stdout)
    run("user", "passwd", "nobody", "--password-stdin", "--database", db, stdin="x\n",
        expect=1)


def test_calendars(db):
    p = run("calendar", "list", "alice", "--database", db)
    check("default" in p.stdout and "VEVENT,VTODO" in p.stdout,
          "new user has the default calendar (dav_user_provision)", p.stdout)
    p = run("--database", db, "calendar", "create", "alice", "work", "--displayname",
            "Work stuff", "--color", "#FF2968")
    check("created calendar alice/work" in p.stdout, "calendar create reports", p.stdout)
    p = run("calendar", "create", "alice", "work", "--database", db, expect=1)
    check("already has" in p.stderr, "duplicate calendar refused", p.stderr)
    run("calendar", "create", "alice", "x", "--color", "red", "--database", db, expect=2)
    p = run("calendar", "create", "nobody", "x", "--database", db, expect=1)
    check("no user" in p.stderr, "calendar for unknown user refused", p.stderr)
    p = run("calendar", "list", "alice", "--database", db)
    check("work" in p.stdout and "#FF2968" in p.stdout and "Work stuff" in p.stdout,
          "calendar list shows the new calendar", p.stdout)
    p = run("calendar", "delete", "alice", "work", "--database", db)
    check("deleted calendar alice/work" in p.stdout, "calendar delete reports", p.stdout)
    p = run("calendar", "delete", "alice", "work", "--database", db, expect=1)
    check("no calendar" in p.stderr, "deleting a missing calendar fails", p.stderr)
    p = run("calendar", "list", "alice", "--database", db)
    check("work" not in p.stdout, "deleted calendar is gone", p.stdout)


class Server:
    def __init__(self, args, scheme="http", host="127.0.0.1"):
        self.proc = subprocess.Popen([BIN, "serve", *args], stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE, text=True)
        self.line = self.proc.stdout.readline().strip()
        self.scheme, self.host = scheme, host

    def conn(self, port):
        if self.scheme == "https":
            ctx = ssl.create_default_context()
            ctx.check_hostname = False
            ctx.verify_mode = ssl.CERT_NONE
            return http.client.HTTPSConnection(self.host, port, timeout=10, context=ctx)
        return http.client.HTTPConnection(self.host, port, timeout=10)

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
        try:
            _, err = self.proc.communicate(timeout=15)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            _, err = self.proc.communicate()
            err += "\n(killed after 15 s)"
        sanitizer_clean("serve", err)
        return self.proc.returncode, err


def fetch(srv, port, method, path, headers=None, body=None):
    c = srv.conn(port)
    try:
        c.request(method, path, body=body, headers=headers or {})
        r = c.getresponse()
        return r.status, dict((k.lower(), v) for k, v in r.getheaders()), r.read()
    finally:
        c.close()


def auth(user, pw):
    return {"Authorization": "Basic " + base64.b64encode(f"{user}:{pw}".encode()).decode()}


PROPFIND = (b'<?xml version="1.0" encoding="utf-8"?>'
            b'<d:propfind xmlns:d="DAV:"><d:prop><d:current-user-principal/></d:prop>'
            b'</d:propfind>')


def test_serve(db):
    port = free_port()
    srv = Server(["--database", db, "--port", str(port), "--server.threads=2"])
    try:
        check(srv.line == f"listening on http://127.0.0.1:{port}/", "serve prints its URL",
              srv.line)
        st, h, body = fetch(srv, port, "GET", "/health")
        check(st == 200 and body == b'{"status":"ok"}\n', "/health answers ok", f"{st} {body}")
        st, h, _ = fetch(srv, port, "PROPFIND", "/.well-known/caldav")
        check(st == 301 and h.get("location", "").endswith("/dav/"),
              "/.well-known/caldav redirects to /dav/", f"{st} {h}")
        st, h, _ = fetch(srv, port, "PROPFIND", "/dav/", {"Depth": "0"}, PROPFIND)
        check(st == 401 and h.get("www-authenticate", "").startswith('Basic realm="slotdav"'),
              "PROPFIND /dav/ without credentials is 401", f"{st} {h}")
        st, _, _ = fetch(srv, port, "PROPFIND", "/dav/",
                         {"Depth": "0", **auth("alice", "first-pw")}, PROPFIND)
        check(st == 401, "the old password no longer works", str(st))
        hdr = {"Depth": "0", "Content-Type": "application/xml", **auth("alice", "second-pw")}
        st, _, body = fetch(srv, port, "PROPFIND", "/dav/", hdr, PROPFIND)
        check(st == 207, "PROPFIND /dav/ with credentials is 207", f"{st} {body[:300]!r}")
        st, _, body = fetch(srv, port, "PROPFIND", "/dav/", hdr, PROPFIND)
        check(st == 207, "a second PROPFIND (cached credentials) is 207", str(st))
        st, _, _ = fetch(srv, port, "FOOBAR", "/dav/", auth("alice", "second-pw"))
        check(st in (405, 501), "an unknown method gets 405 or 501", str(st))
        st, _, _ = fetch(srv, port, "GET", "/nothing-here")
        check(st == 404, "unknown path is 404", str(st))
    finally:
        rc, err = srv.stop()
    check(rc == 0, "SIGTERM stops serve with exit 0", f"rc={rc} stderr tail={err[-800:]}")
    check('msg="request"' in err and "status=207" in err and "user=alice" in err,
          "one access log line per request", err[-800:])
    check("second-pw" not in err and base64.b64encode(b"alice:second-pw").decode() not in err,
          "the log shows neither password nor Authorization header")


def test_serve_tls(db, tmp):
    if not shutil.which("openssl"):
        print("skip: no openssl binary for a test certificate")
        return
    key, cert = os.path.join(tmp, "key.pem"), os.path.join(tmp, "cert.pem")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key,
                    "-out", cert, "-days", "1", "-subj", "/CN=localhost"],
                   check=True, capture_output=True)
    port = free_port()
    srv = Server(["--database", db, "--port", str(port), "--server.tls_cert", cert,
                  "--server.tls_key", key], scheme="https")
    try:
        check(srv.line == f"listening on https://127.0.0.1:{port}/", "TLS: serve prints https",
              srv.line)
        st, _, body = fetch(srv, port, "GET", "/health")
        check(st == 200, "TLS: /health over HTTPS", f"{st} {body}")
    finally:
        rc, err = srv.stop()
    check(rc == 0, "TLS: SIGTERM exit 0", f"rc={rc} {err[-500:]}")


def test_serve_ipv6(db):
    try:
        port = free_port(socket.AF_INET6, "::1")
    except OSError:
        print("skip: no IPv6 loopback")
        return
    srv = Server(["--database", db, "--listen", "::1", "--port", str(port)], host="::1")
    try:
        check(srv.line == f"listening on http://[::1]:{port}/", "IPv6: serve prints the URL",
              srv.line)
        st, _, _ = fetch(srv, port, "GET", "/health")
        check(st == 200, "IPv6: /health", str(st))
    finally:
        rc, err = srv.stop()
    check(rc == 0, "IPv6: SIGTERM exit 0", f"rc={rc} {err[-500:]}")


def test_serve_errors(db):
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen(1)
        port = busy.getsockname()[1]
        p = run("serve", "--database", db, "--port", str(port), expect=1)
        check("cannot serve" in p.stderr, "a port in use is reported", p.stderr)
    p = run("serve", "--database", db, "--server.tls_cert=/nonexistent.pem",
            "--server.tls_key=/nonexistent.pem", expect=1)
    check("/nonexistent.pem" in p.stderr, "a missing certificate is reported", p.stderr)


def test_user_delete(db):
    p = run("user", "delete", "alice", "--database", db)
    check("deleted user alice" in p.stdout, "user delete reports", p.stdout)
    p = run("user", "list", "--database", db)
    check("alice" not in p.stdout, "deleted user is gone", p.stdout)
    p = run("user", "delete", "alice", "--database", db, expect=1)
    check("no user" in p.stderr, "deleting a missing user fails", p.stderr)


def main():
    tmp = tempfile.mkdtemp(prefix="slotdav-smoke-")
    db = os.path.join(tmp, "slotdav.db")
    try:
        test_help()
        test_config_errors(tmp)
        test_admin(db, tmp)
        test_calendars(db)
        test_serve(db)
        test_serve_tls(db, tmp)
        test_serve_ipv6(db)
        test_serve_errors(db)
        test_user_delete(db)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    if failures:
        print(f"{len(failures)} check(s) failed")
        return 1
    print("cli_smoke: all checks passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
