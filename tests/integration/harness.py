"""harness.py - start the real slotdav binary and talk raw HTTP to it.

Used by the integration tests (tests/integration/test_*.py). Standard library
only; run with Debian's /usr/bin/python3.

- Server: a slotdav process on 127.0.0.1 with its own temp dir, config file
  and SQLite database, on a free port (picked by binding port 0, then passed
  with --port; retried when the bind fails). Readiness is the line
  "listening on http://..." in its log or 200 from /health. Stopped by its
  own PID (SIGTERM, then wait); PR_SET_PDEATHSIG makes the kernel stop it if
  the test process dies, so nothing is left behind. restart() keeps the
  database.
- Client: one HTTP request per call through http.client, Basic auth,
  returns a Response with status, headers, body and helpers to parse XML and
  multistatus bodies. Each Response can describe() its request and reply for
  failure messages.
- raw_exchange(): bytes on a socket, for requests http.client refuses to send
  (NUL bytes, bad request lines). send_streaming(): large bodies sent while
  watching for an early reply (413).
- ServerTestCase: a unittest base class that starts one server per class,
  prints the tail of the server's log when a test of the class fails, and
  fails the class when the server exited non-zero (SIGTERM must give 0) or
  logged a sanitizer report.

Environment: SLOTDAV_BIN (the binary, required), SLOTDAV_KEEP_TMP=1 keeps the
temp dirs, SLOTDAV_START_TIMEOUT (seconds, default 20).
"""

import base64
import ctypes
import http.client
import os
import re
import select
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import unittest
import urllib.parse
import uuid
import xml.etree.ElementTree as ET

# Namespaces as Clark-notation prefixes.
DAV = "DAV:"
CALDAV = "urn:ietf:params:xml:ns:caldav"
CS = "http://calendarserver.org/ns/"
ICAL = "http://apple.com/ns/ical/"
ME = "http://me.com/_namespace/"

for _p, _ns in (("D", DAV), ("C", CALDAV), ("CS", CS), ("ICAL", ICAL)):
    ET.register_namespace(_p, _ns)

# Requests never go through a proxy.
for _v in ("no_proxy", "NO_PROXY"):
    os.environ[_v] = "127.0.0.1,localhost"
for _v in ("http_proxy", "HTTP_PROXY", "https_proxy", "HTTPS_PROXY", "all_proxy", "ALL_PROXY"):
    os.environ.pop(_v, None)

REQUEST_TIMEOUT = 30.0
START_TIMEOUT = float(os.environ.get("SLOTDAV_START_TIMEOUT", "20"))
STOP_TIMEOUT = 15.0
CLI_TIMEOUT = 60.0
PR_SET_PDEATHSIG = 1


def d(name):
    return "{%s}%s" % (DAV, name)


def c(name):
    return "{%s}%s" % (CALDAV, name)


def cs(name):
    return "{%s}%s" % (CS, name)


def ical(name):
    return "{%s}%s" % (ICAL, name)


def clark_local(tag):
    return tag.split("}", 1)[1] if tag.startswith("{") else tag


def slotdav_bin():
    path = os.environ.get("SLOTDAV_BIN")
    if not path:
        raise RuntimeError("SLOTDAV_BIN must name the slotdav binary (ctest sets it)")
    if not os.access(path, os.X_OK):
        raise RuntimeError("SLOTDAV_BIN=%s is not an executable file" % path)
    return path


def free_port():
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]
    finally:
        s.close()


def _truncate(data, limit=4000):
    if data is None:
        return "(none)"
    if isinstance(data, bytes):
        text = data.decode("utf-8", "backslashreplace")
    else:
        text = str(data)
    if len(text) > limit:
        return text[:limit] + "\n... (%d more characters)" % (len(text) - limit)
    return text


def _pdeathsig():
    # Runs in the child between fork and exec: the kernel sends SIGTERM to
    # the server when the test process dies, so no server outlives its test.
    try:
        libc = ctypes.CDLL("libc.so.6", use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGTERM, 0, 0, 0)
    except OSError:
        pass


# --------------------------------------------------------------------------
# HTTP responses


class PropResult:
    """One property of one multistatus response: status code and element."""

    def __init__(self, status, element):
        self.status = status
        self.element = element

    @property
    def text(self):
        return "".join(self.element.itertext()) if self.element is not None else None

    def hrefs(self):
        return [h.text for h in self.element.iter(d("href"))] if self.element is not None else []

    def __repr__(self):
        return "PropResult(%r, %r)" % (self.status, self.element)


class MSResponse:
    """One DAV:response of a multistatus."""

    def __init__(self, href, status, props, element):
        self.href = href
        self.status = status  # response-level status (int) or None
        self.props = props  # clark name -> PropResult
        self.element = element
        self.error = element.find(d("error"))

    def prop(self, name):
        return self.props.get(name)

    def __repr__(self):
        return "MSResponse(%r, status=%r, props=%r)" % (self.href, self.status,
                                                       {k: v.status for k, v in self.props.items()})


def parse_status_line(text):
    m = re.match(r"\s*HTTP/\d(?:\.\d)?\s+(\d{3})", text or "")
    if not m:
        raise ValueError("not an HTTP status line: %r" % text)
    return int(m.group(1))


class Response:
    def __init__(self, method, url, req_headers, req_body, status, reason, headers, body):
        self.method = method
        self.url = url
        self.req_headers = req_headers
        self.req_body = req_body
        self.status = status
        self.reason = reason
        self.headers = headers  # list of (name, value)
        self.body = body
        self._xml = None

    def header(self, name):
        name = name.lower()
        for k, v in self.headers:
            if k.lower() == name:
                return v
        return None

    def header_all(self, name):
        name = name.lower()
        return [v for k, v in self.headers if k.lower() == name]

    @property
    def text(self):
        return self.body.decode("utf-8", "replace")

    def describe(self):
        lines = [">>> %s %s" % (self.method, self.url)]
        for k, v in self.req_headers.items():
            if k.lower() == "authorization":
                v = v.split(" ", 1)[0] + " ..."
            lines.append(">>> %s: %s" % (k, v))
        if self.req_body:
            lines.append(">>>")
            lines.append(_truncate(self.req_body, 3000))
        lines.append("<<< %s %s" % (self.status, self.reason))
        for k, v in self.headers:
            lines.append("<<< %s: %s" % (k, v))
        if self.body:
            lines.append("<<<")
            lines.append(_truncate(self.body, 6000))
        return "\n".join(lines)

    @property
    def xml(self):
        if self._xml is None:
            try:
                self._xml = ET.fromstring(self.body)
            except ET.ParseError as e:
                raise AssertionError("response body is not well-formed XML (%s)\n%s"
                                     % (e, self.describe()))
        return self._xml

    def multistatus(self):
        """Parse a 207 body: list of MSResponse, in document order."""
        root = self.xml
        if root.tag != d("multistatus"):
            raise AssertionError("root element is %s, not DAV:multistatus\n%s"
                                 % (root.tag, self.describe()))
        out = []
        for r in root.findall(d("response")):
            hrefs = r.findall(d("href"))
            if not hrefs:
                raise AssertionError("DAV:response without DAV:href\n" + self.describe())
            href = hrefs[0].text or ""
            st = r.find(d("status"))
            status = parse_status_line(st.text) if st is not None else None
            props = {}
            for ps in r.findall(d("propstat")):
                pst = ps.find(d("status"))
                if pst is None:
                    raise AssertionError("propstat without status\n" + self.describe())
                code = parse_status_line(pst.text)
                prop = ps.find(d("prop"))
                if prop is None:
                    raise AssertionError("propstat without prop\n" + self.describe())
                for p in prop:
                    if p.tag in props:
                        raise AssertionError("property %s appears twice in the response for %s\n%s"
                                             % (p.tag, href, self.describe()))
                    props[p.tag] = PropResult(code, p)
            out.append(MSResponse(href, status, props, r))
            for extra in hrefs[1:]:
                out.append(MSResponse(extra.text or "", status, {}, r))
        return out

    def by_href(self):
        """Multistatus responses keyed by normalised path (see norm_href)."""
        return {norm_href(r.href): r for r in self.multistatus()}

    def sync_token(self):
        el = self.xml.find(d("sync-token"))
        return el.text if el is not None else None

    def error_elements(self):
        """Child tags of a DAV:error body ([] when the body is not DAV:error)."""
        try:
            root = ET.fromstring(self.body)
        except ET.ParseError:
            return []
        if root.tag != d("error"):
            return []
        return [ch.tag for ch in root]


def norm_href(href):
    """Path of an href (absolute URL or path), percent-escapes upper-cased."""
    if href is None:
        return None
    p = urllib.parse.urlsplit(href).path if "://" in href else href
    return re.sub(r"%[0-9a-fA-F]{2}", lambda m: m.group(0).upper(), p)


# --------------------------------------------------------------------------
# HTTP client


class Client:
    """Raw HTTP client; one connection per request (no state between calls)."""

    def __init__(self, server, user=None, password=None):
        self.server = server
        self.user = user
        self.password = password

    def auth_header(self, user=None, password=None):
        user = self.user if user is None else user
        password = self.password if password is None else password
        if user is None:
            return None
        token = base64.b64encode(("%s:%s" % (user, password)).encode("utf-8")).decode("ascii")
        return "Basic " + token

    def request(self, method, path, body=None, headers=None, auth=True, timeout=REQUEST_TIMEOUT):
        """Send one request. path is sent as is (already percent-encoded).
        auth: True = this client's credentials, False/None = none,
        (user, password) = those."""
        hdrs = {}
        if auth is True:
            ah = self.auth_header()
            if ah:
                hdrs["Authorization"] = ah
        elif isinstance(auth, tuple):
            hdrs["Authorization"] = self.auth_header(*auth)
        if headers:
            hdrs.update(headers)
        if isinstance(body, str):
            body = body.encode("utf-8")
        if body is not None and not any(k.lower() == "content-type" for k in hdrs):
            hdrs["Content-Type"] = "application/xml; charset=utf-8"
        conn = http.client.HTTPConnection("127.0.0.1", self.server.port, timeout=timeout)
        try:
            conn.putrequest(method, path, skip_accept_encoding=True)
            for k, v in hdrs.items():
                conn.putheader(k, v)
            if body is not None:
                conn.putheader("Content-Length", str(len(body)))
            elif method in ("PUT", "POST", "PROPPATCH"):
                conn.putheader("Content-Length", "0")
            conn.endheaders()
            if body:
                try:
                    conn.send(body)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the server may answer early (413); read that answer
            resp = conn.getresponse()
            data = resp.read()
            return Response(method, path, hdrs, body, resp.status, resp.reason,
                            resp.getheaders(), data)
        finally:
            conn.close()

    # Convenience wrappers -------------------------------------------------

    def propfind(self, path, props=None, depth="0", body=None, headers=None, **kw):
        """props: list of Clark names; or body: a full XML body."""
        if body is None:
            body = propfind_body(props) if props is not None else None
        h = {"Depth": depth} if depth is not None else {}
        if headers:
            h.update(headers)
        return self.request("PROPFIND", path, body, h, **kw)

    def proppatch(self, path, body, **kw):
        return self.request("PROPPATCH", path, body, **kw)

    def report(self, path, body, depth="0", headers=None, **kw):
        h = {"Depth": depth} if depth is not None else {}
        if headers:
            h.update(headers)
        return self.request("REPORT", path, body, h, **kw)

    def put_ics(self, path, ics, headers=None, **kw):
        h = {"Content-Type": "text/calendar; charset=utf-8"}
        if headers:
            h.update(headers)
        return self.request("PUT", path, ics, h, **kw)

    def get(self, path, headers=None, **kw):
        return self.request("GET", path, None, headers, **kw)

    def delete(self, path, headers=None, **kw):
        return self.request("DELETE", path, None, headers, **kw)

    def mkcalendar(self, path, body=None, **kw):
        return self.request("MKCALENDAR", path, body, **kw)

    def mkcol(self, path, body=None, **kw):
        return self.request("MKCOL", path, body, **kw)

    def url(self, path):
        return "http://127.0.0.1:%d%s" % (self.server.port, path)


def propfind_body(props):
    ns = {DAV: "D", CALDAV: "C", CS: "CS", ICAL: "A"}
    extra = {}
    parts = []
    for p in props:
        uri, local = p[1:].split("}", 1)
        if uri not in ns:
            extra[uri] = "X%d" % len(extra)
            ns[uri] = extra[uri]
        parts.append("<%s:%s/>" % (ns[uri], local))
    decl = " ".join('xmlns:%s="%s"' % (pfx, uri) for uri, pfx in ns.items())
    return ('<?xml version="1.0" encoding="utf-8"?>\n<D:propfind %s><D:prop>%s</D:prop></D:propfind>'
            % (decl, "".join(parts)))


# --------------------------------------------------------------------------
# Raw socket requests


def raw_exchange(port, data, timeout=REQUEST_TIMEOUT):
    """Send raw bytes, read until the server closes or the timeout.
    Returns (status or None, raw reply bytes)."""
    s = socket.create_connection(("127.0.0.1", port), timeout=timeout)
    chunks = []
    try:
        try:
            s.sendall(data)
        except (BrokenPipeError, ConnectionResetError):
            pass
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                chunk = s.recv(65536)
            except (ConnectionResetError, socket.timeout):
                break
            if not chunk:
                break
            chunks.append(chunk)
            reply = b"".join(chunks)
            # Stop once a full reply with Content-Length arrived (keep-alive).
            head, sep, rest = reply.partition(b"\r\n\r\n")
            if sep:
                m = re.search(rb"(?im)^content-length:\s*(\d+)", head)
                if m and len(rest) >= int(m.group(1)):
                    break
    finally:
        s.close()
    reply = b"".join(chunks)
    m = re.match(rb"HTTP/\d\.\d (\d{3})", reply)
    return (int(m.group(1)) if m else None), reply


def send_streaming(port, method, path, headers, total, chunk=65536, timeout=REQUEST_TIMEOUT):
    """Send a body of `total` bytes ('A'), stopping as soon as the server
    replies or resets. Returns (status or None, bytes sent, reply)."""
    s = socket.create_connection(("127.0.0.1", port), timeout=timeout)
    sent = 0
    reply = b""
    try:
        head = "%s %s HTTP/1.1\r\nHost: 127.0.0.1:%d\r\nContent-Length: %d\r\nConnection: close\r\n" % (
            method, path, port, total)
        for k, v in headers.items():
            head += "%s: %s\r\n" % (k, v)
        s.sendall((head + "\r\n").encode("latin-1"))
        block = b"A" * chunk
        deadline = time.monotonic() + timeout
        while sent < total and time.monotonic() < deadline:
            r, _, _ = select.select([s], [], [], 0)
            if r:
                break
            try:
                n = s.send(block[: min(chunk, total - sent)])
            except (BrokenPipeError, ConnectionResetError):
                break
            sent += n
        while time.monotonic() < deadline:
            try:
                data = s.recv(65536)
            except (ConnectionResetError, socket.timeout):
                break
            if not data:
                break
            reply += data
            if b"\r\n\r\n" in reply:
                h, _, rest = reply.partition(b"\r\n\r\n")
                m = re.search(rb"(?im)^content-length:\s*(\d+)", h)
                if m and len(rest) >= int(m.group(1)):
                    break
    finally:
        s.close()
    m = re.match(rb"HTTP/\d\.\d (\d{3})", reply)
    return (int(m.group(1)) if m else None), sent, reply


# --------------------------------------------------------------------------
# The server process


class ServerError(Exception):
    pass


_LIVE_SERVERS = []


class Server:
    """One slotdav process with its own temp dir and database."""

    def __init__(self, extra_args=(), name="slotdav"):
        self.bin = slotdav_bin()
        self.extra_args = list(extra_args)
        self.tmp = tempfile.mkdtemp(prefix="slotdav-it-%s-" % name)
        self.db = os.path.join(self.tmp, "slotdav.db")
        self.config = os.path.join(self.tmp, "slotdav.conf")
        with open(self.config, "w") as f:
            f.write("# written by tests/integration/harness.py\n[storage]\ndatabase = %s\n" % self.db)
        self.log_path = os.path.join(self.tmp, "server.log")
        self.proc = None
        self.port = None
        self.exit_codes = []  # exit status of each stopped run
        self.users = {}
        _LIVE_SERVERS.append(self)

    # Process control ------------------------------------------------------

    def base_args(self):
        return [self.bin, "--config", self.config, "--database", self.db]

    def start(self, attempts=5):
        last = ""
        for _ in range(attempts):
            self.port = free_port()
            with open(self.log_path, "a") as log:
                log.write("=== harness: starting on port %d ===\n" % self.port)
            args = self.base_args() + ["serve", "--listen", "127.0.0.1", "--port", str(self.port)] + self.extra_args
            logf = open(self.log_path, "ab")
            try:
                self.proc = subprocess.Popen(args, stdin=subprocess.DEVNULL, stdout=logf, stderr=logf,
                                             cwd=self.tmp, preexec_fn=_pdeathsig)
            finally:
                logf.close()
            state = self._wait_ready()
            if state == "ready":
                return self
            last = self.log_tail()
            if state == "bind":
                continue  # someone took the port between our probe and the bind
            raise ServerError("slotdav did not start (%s): %s\n--- server log ---\n%s"
                              % (state, " ".join(args), last))
        raise ServerError("slotdav could not bind a port after %d attempts\n%s" % (attempts, last))

    def _log_text(self):
        try:
            with open(self.log_path, "rb") as f:
                return f.read().decode("utf-8", "replace")
        except OSError:
            return ""

    def _run_log(self):
        text = self._log_text()
        marker = "=== harness: starting on port %d ===" % self.port
        return text[text.rfind(marker):] if marker in text else text

    def _wait_ready(self):
        deadline = time.monotonic() + START_TIMEOUT
        listening = "listening on http://127.0.0.1:%d/" % self.port
        next_probe = 0.0
        while time.monotonic() < deadline:
            rc = self.proc.poll()
            log = self._run_log()
            if rc is not None:
                self.proc = None  # a failed start raises or retries; its status is in the message
                if re.search(r"(?i)address already in use|EADDRINUSE|cannot bind|bind\(\)|failed to bind", log):
                    return "bind"
                return "exited with status %d" % rc
            if listening in log:
                return "ready"
            now = time.monotonic()
            if now >= next_probe:
                next_probe = now + 0.1
                if self._health_ok():
                    return "ready"
            time.sleep(0.02)
        self._kill()
        return "not ready after %.0f s" % START_TIMEOUT

    def _health_ok(self):
        try:
            conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=1.0)
            try:
                conn.request("GET", "/health")
                return conn.getresponse().status == 200
            finally:
                conn.close()
        except OSError:
            return False

    def _kill(self):
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(timeout=STOP_TIMEOUT)
        self.proc = None

    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    def stop(self):
        """SIGTERM, wait; returns the exit status. Raises if it had to SIGKILL."""
        if self.proc is None:
            return None
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                rc = self.proc.wait(timeout=STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=STOP_TIMEOUT)
                self.proc = None
                raise ServerError("slotdav ignored SIGTERM for %.0f s; killed\n%s"
                                  % (STOP_TIMEOUT, self.log_tail()))
        else:
            rc = self.proc.returncode
        self.proc = None
        self.exit_codes.append(rc)
        return rc

    def restart(self):
        self.stop()
        return self.start()

    def close(self):
        try:
            if self.proc is not None:
                self.stop()
        finally:
            if os.environ.get("SLOTDAV_KEEP_TMP"):
                sys.stderr.write("harness: keeping %s\n" % self.tmp)
            else:
                shutil.rmtree(self.tmp, ignore_errors=True)
            if self in _LIVE_SERVERS:
                _LIVE_SERVERS.remove(self)

    def log_tail(self, lines=60):
        text = self._log_text().splitlines()
        return "\n".join(text[-lines:])

    @property
    def base_url(self):
        return "http://127.0.0.1:%d" % self.port

    # CLI ------------------------------------------------------------------

    def cli(self, *args, input=None, check=True, timeout=CLI_TIMEOUT):
        argv = self.base_args() + [str(a) for a in args]
        p = subprocess.run(argv, input=input, capture_output=True, text=True, timeout=timeout,
                           cwd=self.tmp)
        if check and p.returncode != 0:
            raise ServerError("command failed (exit %d): %s\nstdout: %s\nstderr: %s"
                              % (p.returncode, " ".join(argv), p.stdout, p.stderr))
        return p

    def add_user(self, name, password=None, email=None, displayname=None):
        password = password or ("pw-%s-%s" % (name, uuid.uuid4().hex[:8]))
        args = ["user", "add", name, "--password-stdin"]
        if email:
            args += ["--email", email]
        if displayname:
            args += ["--displayname", displayname]
        self.cli(*args, input=password + "\n")
        self.users[name] = password
        return password

    def client(self, user=None, password=None):
        if user is not None and password is None:
            password = self.users[user]
        return Client(self, user, password)


def _cleanup_servers():
    for s in list(_LIVE_SERVERS):
        try:
            s.close()
        except Exception as e:  # noqa: BLE001 - report and go on at exit
            sys.stderr.write("harness: cleanup: %s\n" % e)


import atexit  # noqa: E402

atexit.register(_cleanup_servers)


# --------------------------------------------------------------------------
# iCalendar helpers


def ics_event(uid, summary="Event", start="20300101T100000Z", end="20300101T110000Z",
              extra=(), vtimezone=None, component="VEVENT"):
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//slotdav tests//EN"]
    if vtimezone:
        lines += vtimezone.strip().splitlines()
    lines += ["BEGIN:%s" % component, "UID:%s" % uid, "DTSTAMP:20240101T000000Z"]
    if start:
        lines.append(start if ":" in start else "DTSTART:%s" % start)
    if end:
        lines.append(end if ":" in end else ("DTEND:%s" % end if component == "VEVENT" else "DUE:%s" % end))
    lines.append("SUMMARY:%s" % summary)
    lines += list(extra)
    lines += ["END:%s" % component, "END:VCALENDAR"]
    return "\r\n".join(lines) + "\r\n"


def ics_todo(uid, summary="Task", due="20300102T100000Z"):
    return ics_event(uid, summary, start=None, end=None, extra=["DUE:%s" % due], component="VTODO")


VTIMEZONE_BERLIN = """
BEGIN:VTIMEZONE
TZID:Europe/Berlin
BEGIN:DAYLIGHT
TZOFFSETFROM:+0100
TZOFFSETTO:+0200
TZNAME:CEST
DTSTART:19700329T020000
RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU
END:DAYLIGHT
BEGIN:STANDARD
TZOFFSETFROM:+0200
TZOFFSETTO:+0100
TZNAME:CET
DTSTART:19701025T030000
RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU
END:STANDARD
END:VTIMEZONE
"""


def ics_uid(data):
    """UID of the first component in an iCalendar text (unfolded)."""
    if isinstance(data, bytes):
        data = data.decode("utf-8", "replace")
    data = re.sub(r"\r?\n[ \t]", "", data)
    m = re.search(r"(?m)^UID(?:;[^:]*)?:(.*?)\r?$", data)
    return m.group(1) if m else None


def ics_prop(data, name):
    if isinstance(data, bytes):
        data = data.decode("utf-8", "replace")
    data = re.sub(r"\r?\n[ \t]", "", data)
    m = re.search(r"(?m)^%s(?:;[^:]*)?:(.*?)\r?$" % re.escape(name), data)
    return m.group(1) if m else None


def unique(prefix="t"):
    return "%s-%s" % (prefix, uuid.uuid4().hex[:12])


# --------------------------------------------------------------------------
# unittest integration


class ServerTestCase(unittest.TestCase):
    """Starts one server per class (cls.server); prints its log on failure."""

    server_args = ()
    server = None

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.server = Server(cls.server_args, name=cls.__name__)
        cls.addClassCleanup(cls.server.close)
        cls.server.start()

    @classmethod
    def tearDownClass(cls):
        # A crash, a sanitizer report or an unclean exit fails the class even
        # when every request of it got the expected answer.
        srv = cls.server
        if srv is not None:
            rc = srv.stop()
            problems = []
            if srv.exit_codes and any(code != 0 for code in srv.exit_codes):
                problems.append("exit statuses %s" % srv.exit_codes)
            log = srv._log_text()
            for needle in ("ERROR: AddressSanitizer", "ERROR: LeakSanitizer", "runtime error:",
                           "level=crit", "Assertion", "Segmentation fault"):
                if needle in log:
                    problems.append("%r in the server log" % needle)
            if problems:
                raise AssertionError("%s: slotdav misbehaved (%s; last exit %s)\n--- server log ---\n%s"
                                     % (cls.__name__, "; ".join(problems), rc, srv.log_tail(120)))
        super().tearDownClass()

    def run(self, result=None):
        if result is None:
            return super().run(result)
        before = len(result.failures) + len(result.errors)
        out = super().run(result)
        if len(result.failures) + len(result.errors) > before and self.server is not None:
            sys.stderr.write("\n--- %s: tail of the server log (%s) ---\n%s\n--- end of log ---\n"
                             % (self.id(), self.server.log_path, self.server.log_tail()))
        return out

    # Assertions -----------------------------------------------------------

    def assertStatus(self, resp, expected, msg=""):
        ok = resp.status in expected if isinstance(expected, (tuple, list, set, frozenset)) else resp.status == expected
        if not ok:
            self.fail("%sexpected status %s, got %s\n%s" % (msg + ": " if msg else "", expected,
                                                           resp.status, resp.describe()))

    def assertDavError(self, resp, status, element):
        """status and a DAV:error body naming `element` (Clark name)."""
        self.assertStatus(resp, status)
        errs = resp.error_elements()
        if element not in errs:
            self.fail("expected a DAV:error body with %s, got %s\n%s" % (element, errs, resp.describe()))

    def propstatus(self, resp, href_suffix=None):
        """{prop: status} for the single (or matching) response of a 207."""
        self.assertStatus(resp, 207)
        rs = resp.multistatus()
        if href_suffix is not None:
            rs = [r for r in rs if norm_href(r.href).endswith(norm_href(href_suffix))]
        if len(rs) != 1:
            self.fail("expected one DAV:response%s, got %d\n%s" % (
                " for ..." + href_suffix if href_suffix else "", len(rs), resp.describe()))
        return rs[0]


def main():
    unittest.main(verbosity=2)
