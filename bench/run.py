#!/usr/bin/python3
"""run.py - benchmark slotdav against Radicale and nginx on this machine.

    bench/run.py [--slotdav build/server/slotdav] [--events 10000] [--quick]

Starts each server on a free 127.0.0.1 port in a fresh temporary directory,
loads the same generated events (bench/load.py), measures, stops every
process it started (by PID) and prints one table. Everything is bounded:
repetitions per operation, seconds per operation, seconds per throughput
test, and a global deadline (--max-minutes). See docs/benchmarks.md.

Standard library only (Debian's /usr/bin/python3). Throughput uses `wrk`
(Debian package wrk) when installed, else a Python thread pool (said so in
the output). Peers: Radicale (Debian package radicale) and nginx (nginx or
nginx-light); a missing peer is reported, not fatal. --install installs the
missing ones with apt-get (root only).

This is not a test: nothing here asserts a time. Wrong answers (statuses,
counts) and server crashes are recorded with the request and the server's
log tail and printed at the end; the exit status is 1 when there were any.
"""

import argparse
import base64
import datetime as dt
import json
import os
import platform
import random
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
sys.dont_write_bytecode = True  # no __pycache__ in the checkout
sys.path.insert(0, HERE)
import load  # noqa: E402

USER, PASSWORD = "bench", "bench-password-1"
CT_XML = "application/xml; charset=utf-8"
CT_ICS = "text/calendar; charset=utf-8"

PROBLEMS = []  # every wrong answer or crash, for the report
PROCS = []     # every process we started: (name, Popen)


def log(msg):
    print("[%s] %s" % (time.strftime("%H:%M:%S"), msg), flush=True)


# ---- processes -------------------------------------------------------------

def spawn(name, argv, logpath, **kw):
    f = open(logpath, "ab")
    p = subprocess.Popen(argv, stdout=f, stderr=subprocess.STDOUT,
                         stdin=subprocess.DEVNULL, **kw)
    f.close()
    PROCS.append((name, p))
    return p


def stop(p, sig=signal.SIGTERM, timeout=15):
    """Stop one process we started, by its PID: sig, then SIGKILL."""
    if p.poll() is not None:
        return p.returncode
    try:
        os.kill(p.pid, sig)
        return p.wait(timeout)
    except subprocess.TimeoutExpired:
        os.kill(p.pid, signal.SIGKILL)
        return p.wait(5)
    except ProcessLookupError:
        return p.poll()


def stop_all():
    for name, p in reversed(PROCS):
        if p.poll() is None:
            stop(p)


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def tail(path, n=25):
    try:
        with open(path, "rb") as f:
            f.seek(0, 2)
            f.seek(max(0, f.tell() - 64 * 1024))
            lines = f.read().decode("utf-8", "replace").splitlines()
        return "\n".join(lines[-n:])
    except OSError as e:
        return "(no log: %s)" % e


def wait_port(port, proc, logpath, timeout=30):
    t_end = time.monotonic() + timeout
    while time.monotonic() < t_end:
        if proc.poll() is not None:
            raise RuntimeError("exited with status %s before listening:\n%s"
                               % (proc.returncode, tail(logpath)))
        try:
            with socket.create_connection(("127.0.0.1", port), 0.2):
                return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError("not listening after %ds:\n%s" % (timeout, tail(logpath)))


def proc_status(pid):
    """VmRSS, VmHWM, RssAnon, RssFile in KiB."""
    out = {}
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            k, _, v = line.partition(":")
            if k in ("VmRSS", "VmHWM", "RssAnon", "RssFile", "RssShmem", "Threads"):
                out[k] = int(v.split()[0])
    return out


def tree_status(pid):
    """proc_status summed over pid and its direct children (nginx workers)."""
    total = proc_status(pid)
    try:
        with open("/proc/%d/task/%d/children" % (pid, pid)) as f:
            kids = [int(x) for x in f.read().split()]
    except OSError:
        kids = []
    for k in kids:
        try:
            for key, v in proc_status(k).items():
                total[key] = total.get(key, 0) + v
        except OSError:
            pass
    return total


def clear_hwm(pid):
    """Reset VmHWM to the current RSS (Linux >= 4.0, needs ptrace rights)."""
    try:
        with open("/proc/%d/clear_refs" % pid, "w") as f:
            f.write("5")
        return True
    except OSError:
        return False


# ---- statistics --------------------------------------------------------------

def summarize(xs):
    xs = sorted(xs)
    if not xs:
        return None
    p90 = xs[0] if len(xs) == 1 else statistics.quantiles(xs, n=10, method="inclusive")[8]
    return {"n": len(xs), "median": statistics.median(xs), "p90": p90,
            "min": xs[0], "max": xs[-1]}


RESPONSE_RE = re.compile(rb"<(?:[A-Za-z][\w.-]*:)?response[\s>]")
TOKEN_RE = re.compile(rb"<(?:[A-Za-z][\w.-]*:)?sync-token(?:\s[^>]*)?>\s*([^<\s]+)\s*<")


def count_responses(body):
    return len(RESPONSE_RE.findall(body))


# ---- servers -------------------------------------------------------------------

class DavServer:
    """A running CalDAV server: where its calendar is and how to reach it."""

    name = "?"

    def __init__(self, workdir, port):
        self.workdir, self.port = workdir, port
        self.host = "127.0.0.1"
        self.proc = None
        self.logpath = os.path.join(workdir, "server.log")
        self.collection = None  # path of the calendar, ending in /
        self.dead = False

    def client(self, timeout=120):
        return load.Client(self.host, self.port, USER, PASSWORD, timeout)

    def alive(self, what):
        if self.proc.poll() is None:
            return True
        if not self.dead:
            self.dead = True
            problem(self, what, "server process exited with status %s" % self.proc.returncode)
        return False

    def stop(self):
        if self.proc is not None:
            rc = stop(self.proc)
            if rc not in (0, -signal.SIGTERM, None):
                problem(self, "stop", "exit status %s after SIGTERM" % rc)


class Slotdav(DavServer):
    name = "slotdav"

    def __init__(self, workdir, port, binary, threads=None, extra=(), db=None):
        super().__init__(workdir, port)
        self.binary, self.threads, self.extra = binary, threads, list(extra)
        self.db = db or os.path.join(workdir, "slotdav.db")
        self.collection = "/dav/calendars/%s/default/" % USER

    def create_user(self):
        r = subprocess.run([self.binary, "--database", self.db, "user", "add", USER,
                            "--password-stdin"], input=(PASSWORD + "\n").encode(),
                           capture_output=True, timeout=60)
        if r.returncode:
            raise RuntimeError("user add failed (%d): %s" % (
                r.returncode, (r.stdout + r.stderr).decode("utf-8", "replace")))

    def start(self):
        argv = [self.binary, "--database", self.db, "serve", "--listen", "127.0.0.1",
                "--port", str(self.port)]
        if self.threads:
            argv.append("--server.threads=%d" % self.threads)
        argv += self.extra
        offset = os.path.getsize(self.logpath) if os.path.exists(self.logpath) else 0
        self.proc = spawn("slotdav", argv, self.logpath)
        t_end = time.monotonic() + 30
        while time.monotonic() < t_end:
            with open(self.logpath, "rb") as f:
                f.seek(offset)
                if b"listening on http://" in f.read(1 << 20):
                    break
            if self.proc.poll() is not None:
                raise RuntimeError("slotdav exited (%s):\n%s" % (self.proc.returncode,
                                                                  tail(self.logpath)))
            time.sleep(0.05)
        else:
            raise RuntimeError("slotdav did not print 'listening on' in 30 s:\n"
                               + tail(self.logpath))
        wait_port(self.port, self.proc, self.logpath)


class Radicale(DavServer):
    name = "radicale"

    def __init__(self, workdir, port, argv0):
        super().__init__(workdir, port)
        self.argv0 = argv0
        self.collection = "/%s/calendar/" % USER
        self.store = os.path.join(workdir, "collections")

    def start(self):
        users = os.path.join(self.workdir, "users")
        with open(users, "w") as f:
            f.write("%s:%s\n" % (USER, PASSWORD))
        cfg = os.path.join(self.workdir, "radicale.conf")
        with open(cfg, "w") as f:
            f.write("""[server]
hosts = 127.0.0.1:{port}
max_connections = 64
timeout = 120
[auth]
type = htpasswd
htpasswd_filename = {users}
htpasswd_encryption = plain
delay = 0
[rights]
type = owner_only
[storage]
filesystem_folder = {store}
[web]
type = none
[logging]
level = warning
""".format(port=self.port, users=users, store=self.store))
        self.proc = spawn("radicale", self.argv0 + ["--config", cfg], self.logpath)
        wait_port(self.port, self.proc, self.logpath)
        c = self.client()
        body = ('<?xml version="1.0" encoding="utf-8"?>'
                '<c:mkcalendar xmlns:d="DAV:" xmlns:c="urn:ietf:params:xml:ns:caldav">'
                '<d:set><d:prop><d:displayname>bench</d:displayname></d:prop></d:set>'
                '</c:mkcalendar>').encode()
        st, _, data, _ = c.request("MKCALENDAR", self.collection, body, {"Content-Type": CT_XML})
        c.close()
        if st != 201:
            raise RuntimeError("MKCALENDAR %s: %s %s" % (self.collection, st, data[:300]))

    def coll_dir(self):
        return os.path.join(self.store, "collection-root", USER, "calendar")


def problem(srv, what, detail, status=None, body=None):
    entry = {"server": srv.name, "what": what, "detail": detail}
    if status is not None:
        entry["status"] = status
    if body is not None:
        entry["body"] = body[:600].decode("utf-8", "replace") if isinstance(body, bytes) else body
    entry["log_tail"] = tail(srv.logpath, 15)
    PROBLEMS.append(entry)
    log("PROBLEM %s %s: %s%s" % (srv.name, what, detail,
                                 "" if status is None else " (status %s)" % status))


# ---- CalDAV requests -------------------------------------------------------------

PROPFIND_BODY = (b'<?xml version="1.0" encoding="utf-8"?>'
                 b'<d:propfind xmlns:d="DAV:"><d:prop><d:getetag/><d:getcontenttype/>'
                 b'</d:prop></d:propfind>')


def multiget_body(hrefs):
    parts = ['<?xml version="1.0" encoding="utf-8"?>',
             '<c:calendar-multiget xmlns:d="DAV:" xmlns:c="urn:ietf:params:xml:ns:caldav">',
             '<d:prop><d:getetag/><c:calendar-data/></d:prop>']
    parts += ["<d:href>%s</d:href>" % h for h in hrefs]
    parts.append("</c:calendar-multiget>")
    return "".join(parts).encode()


def query_body(start, end):
    return ('<?xml version="1.0" encoding="utf-8"?>'
            '<c:calendar-query xmlns:d="DAV:" xmlns:c="urn:ietf:params:xml:ns:caldav">'
            '<d:prop><d:getetag/><c:calendar-data/></d:prop>'
            '<c:filter><c:comp-filter name="VCALENDAR"><c:comp-filter name="VEVENT">'
            '<c:time-range start="%s" end="%s"/>'
            '</c:comp-filter></c:comp-filter></c:filter></c:calendar-query>'
            % (start, end)).encode()


def sync_body(token):
    tok = "<d:sync-token>%s</d:sync-token>" % token if token else "<d:sync-token/>"
    return ('<?xml version="1.0" encoding="utf-8"?>'
            '<d:sync-collection xmlns:d="DAV:">%s<d:sync-level>1</d:sync-level>'
            '<d:prop><d:getetag/></d:prop></d:sync-collection>' % tok).encode()


class Dataset:
    """The events on one server and their current revisions and ETags."""

    def __init__(self, events):
        self.events = events
        self.rev = {}
        self.etag = {}
        self.cursor = 0

    def next_for_update(self):
        e = self.events[self.cursor % len(self.events)]
        self.cursor += 7919  # walk the list in a scattered, repeatable order
        return e


def put_update(srv, c, ds, e, what):
    rev = ds.rev.get(e.name, 0) + 1
    hdrs = {"Content-Type": CT_ICS}
    if e.name in ds.etag:
        hdrs["If-Match"] = ds.etag[e.name]
    path = srv.collection + e.href_name
    st, rh, data, secs = c.request("PUT", path, load.render(e, rev), hdrs)
    if st in (200, 201, 204):
        ds.rev[e.name] = rev
        if "etag" in rh:
            ds.etag[e.name] = rh["etag"]
        else:
            ds.etag.pop(e.name, None)
    else:
        problem(srv, what, "PUT %s (update, If-Match %s)" % (path, hdrs.get("If-Match")),
                st, data)
    return st, secs


def timed(srv, op, reps, seconds, fn, warmup=1):
    """Run fn() -> (seconds, ok) `warmup` times untimed (the first of them is
    kept as first_ms), then up to reps times within `seconds`; at least 3
    timed runs unless they take longer than 3 x `seconds`. A warm-up run
    slower than `seconds` counts as a timed run. Times in ms."""
    times, bad, first = [], 0, None
    for i in range(warmup):
        if not srv.alive(op):
            return None
        s, ok = fn()
        if first is None:
            first = s
        if not ok:
            bad += 1
        if s > seconds:
            times.append(s * 1000.0)  # too slow to waste: it counts
            break
    t0 = time.monotonic()
    while len(times) < reps:
        if not srv.alive(op):
            break
        el = time.monotonic() - t0
        if el > seconds and (len(times) >= 3 or el > 3 * seconds):
            break
        s, ok = fn()
        times.append(s * 1000.0)
        if not ok:
            bad += 1
    res = summarize(times) or {"n": 0}
    res["errors"] = bad
    res["first_ms"] = None if first is None else first * 1000.0
    return res


def suite(srv, ds, args, names):
    """The latency measurements on one CalDAV server. Returns {op: stats}."""
    res = {}
    c = srv.client(args.client_timeout)
    rng = random.Random(args.seed + 99)
    n_objects = len(ds.events)
    coll = srv.collection
    state = {"token": None}

    def propfind():
        st, _, body, s = c.request("PROPFIND", coll, PROPFIND_BODY,
                                   {"Depth": "1", "Content-Type": CT_XML})
        ok = st == 207 and count_responses(body) == n_objects + 1
        if not ok:
            problem(srv, "propfind", "PROPFIND Depth 1 %s: expected 207 with %d responses, "
                    "got %d responses" % (coll, n_objects + 1, count_responses(body)), st, body)
        res.setdefault("_bytes", {})["propfind"] = len(body)
        return s, ok

    def multiget():
        hrefs = [coll + e.href_name for e in rng.sample(ds.events, min(100, n_objects))]
        st, _, body, s = c.request("REPORT", coll, multiget_body(hrefs),
                                   {"Depth": "1", "Content-Type": CT_XML})
        n = count_responses(body)
        cals = body.count(b"BEGIN:VCALENDAR")
        ok = st == 207 and n == len(hrefs) and cals == len(hrefs)
        if not ok:
            problem(srv, "multiget", "REPORT calendar-multiget of %d hrefs: %d responses, "
                    "%d calendars" % (len(hrefs), n, cals), st, body)
        return s, ok

    def query():
        day = dt.date(2024, 1, 1) + dt.timedelta(days=rng.randrange(0, 3 * 365 - 7))
        start = day.strftime("%Y%m%dT000000Z")
        end = (day + dt.timedelta(days=7)).strftime("%Y%m%dT000000Z")
        st, _, body, s = c.request("REPORT", coll, query_body(start, end),
                                   {"Depth": "1", "Content-Type": CT_XML})
        ok = st == 207
        if not ok:
            problem(srv, "calendar-query", "REPORT calendar-query %s..%s" % (start, end), st, body)
        res.setdefault("_query_matches", []).append(count_responses(body))
        return s, ok

    def sync_initial():
        st, _, body, s = c.request("REPORT", coll, sync_body(None),
                                   {"Depth": "0", "Content-Type": CT_XML})
        m = TOKEN_RE.search(body)
        n = count_responses(body)
        ok = st == 207 and m is not None and n == n_objects
        if not ok:
            problem(srv, "sync-initial", "REPORT sync-collection (initial): expected 207 with "
                    "%d responses and a token, got %d responses, token %s"
                    % (n_objects, n, bool(m)), st, body)
        if m:
            state["token"] = m.group(1).decode()
        res.setdefault("_bytes", {})["sync-initial"] = len(body)
        return s, ok

    def sync_incremental():
        if state["token"] is None:
            sync_initial()
        for _ in range(10):
            put_update(srv, c, ds, ds.next_for_update(), "sync-incremental")
        st, _, body, s = c.request("REPORT", coll, sync_body(state["token"]),
                                   {"Depth": "0", "Content-Type": CT_XML})
        m = TOKEN_RE.search(body)
        n = count_responses(body)
        ok = st == 207 and m is not None and n == 10
        if not ok:
            problem(srv, "sync-incremental", "REPORT sync-collection with token %s after 10 "
                    "PUTs: expected 207 with 10 responses, got %d" % (state["token"], n), st, body)
        if m:
            state["token"] = m.group(1).decode()
        return s, ok

    def get():
        e = rng.choice(ds.events)
        st, _, body, s = c.request("GET", coll + e.href_name)
        ok = st == 200 and body.startswith(b"BEGIN:VCALENDAR")
        if not ok:
            problem(srv, "get", "GET %s" % (coll + e.href_name), st, body)
        return s, ok

    def put():
        st, s = put_update(srv, c, ds, ds.next_for_update(), "put")
        return s, st in (200, 201, 204)

    table = [
        ("propfind", propfind, 20),
        ("multiget", multiget, 30),
        ("calendar-query", query, 30),
        ("sync-initial", sync_initial, 20),
        ("sync-incremental", sync_incremental, 30),
        ("get", get, 300),
        ("put", put, 100),
    ]
    for op, fn, reps in table:
        if op not in names:
            continue
        if time.monotonic() > args.deadline:
            log("  %s: skipped (global deadline)" % op)
            continue
        log("  %s %s ..." % (srv.name, op))
        try:
            r = timed(srv, op, max(3, int(reps * args.reps)), args.op_seconds, fn)
        except Exception as ex:  # noqa: BLE001 - recorded, not hidden
            problem(srv, op, "client error: %r" % ex)
            c.close()
            r = None
        if r:
            res[op] = r
            log("    median %.2f ms, p90 %.2f ms (n=%d%s)" % (
                r.get("median", float("nan")), r.get("p90", float("nan")), r["n"],
                ", %d errors" % r["errors"] if r["errors"] else ""))
    res["_reconnects"] = c.reconnects
    c.close()
    return res


# ---- throughput ----------------------------------------------------------------------

DUR_RE = re.compile(r"([\d.]+)(us|ms|s|m)\b")


def _dur_ms(s):
    m = DUR_RE.match(s.strip())
    if not m:
        return None
    v, u = float(m.group(1)), m.group(2)
    return v * {"us": 1e-3, "ms": 1.0, "s": 1e3, "m": 6e4}[u]


def parse_wrk(out):
    r = {}
    m = re.search(r"Requests/sec:\s+([\d.]+)", out)
    r["rps"] = float(m.group(1)) if m else None
    m = re.search(r"(\d+) requests in ([\d.]+\w+)", out)
    if m:
        r["requests"] = int(m.group(1))
    for pct in ("50", "90", "99"):
        m = re.search(r"^\s+%s%%\s+(\S+)" % pct, out, re.M)
        if m:
            r["p%s_ms" % pct] = _dur_ms(m.group(1))
    m = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    r["non2xx"] = int(m.group(1)) if m else 0
    m = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    r["socket_errors"] = dict(zip(("connect", "read", "write", "timeout"),
                                  map(int, m.groups()))) if m else {}
    r["statuses"] = {k: int(v) for k, v in re.findall(r"^STATUS (\d+) (\d+)$", out, re.M)}
    return r


def lua_str(b):
    out = []
    for ch in b.decode("utf-8"):
        if ch == "\\":
            out.append("\\\\")
        elif ch == '"':
            out.append('\\"')
        elif ch == "\r":
            out.append("\\r")
        elif ch == "\n":
            out.append("\\n")
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'


WRK_STATUS_LUA = """
statuses = {}
response = function(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
end
local threads = {}
setup = function(thread)
  table.insert(threads, thread)
  thread:set("tid", #threads)
end
done = function(summary, latency, requests)
  local total = {}
  for _, t in ipairs(threads) do
    local s = t:get("statuses")
    for k, v in pairs(s) do total[k] = (total[k] or 0) + v end
  end
  for k, v in pairs(total) do io.write(string.format("STATUS %d %d\\n", k, v)) end
end
"""


def wrk_put_script(path, collection, template, run_id, auth):
    with open(path, "w") as f:
        f.write(WRK_STATUS_LUA)
        f.write("""
local counter = 0
local template = %s
local headers = { ["Content-Type"] = "text/calendar; charset=utf-8",
                  ["If-None-Match"] = "*"%s }
request = function()
  counter = counter + 1
  local uid = string.format("wrk-%s-%%d-%%d", tid, counter)
  local body = string.gsub(template, "@UID@", uid)
  return wrk.format("PUT", "%s" .. uid .. ".ics", headers, body)
end
""" % (lua_str(template), ', ["Authorization"] = "%s"' % auth if auth else "",
       run_id, collection))


def throughput(label, url, args, workdir, auth=None, put=None, srv=None):
    """Requests/s with args.connections keep-alive connections for
    args.duration seconds: wrk if installed, else a Python thread pool.
    put = (collection, template bytes) makes it a PUT-create test."""
    if args.wrk and shutil.which("wrk"):
        argv = ["wrk", "-t", str(args.wrk_threads), "-c", str(args.connections),
                "-d", "%ds" % args.duration, "--latency", "--timeout", "10s"]
        script = os.path.join(workdir, "wrk-%s.lua" % label)
        if put:
            wrk_put_script(script, put[0], put[1], label + str(os.getpid()), auth)
            argv += ["-s", script]
        elif auth:
            # No Lua for GET: a response() hook costs wrk CPU on a small
            # machine; failures show as "Non-2xx" and socket errors.
            argv += ["-H", "Authorization: " + auth]
        argv.append(url)
        try:
            r = subprocess.run(argv, capture_output=True, text=True,
                               timeout=args.duration + 60)
        except subprocess.TimeoutExpired:
            return {"tool": "wrk", "error": "wrk did not finish in time"}
        res = parse_wrk(r.stdout)
        res["tool"] = "wrk"
        if r.returncode:
            res["error"] = "wrk exit %d: %s" % (r.returncode, r.stderr.strip()[:300])
        res["raw"] = r.stdout
    else:
        res = py_throughput(url, args, auth, put)
        res["tool"] = "python-threads"
    bad = {k: v for k, v in res.get("statuses", {}).items()
           if not (200 <= int(k) < 300)}
    errs = sum(res.get("socket_errors", {}).values())
    if srv is not None and (bad or errs or res.get("non2xx")):
        problem(srv, label, "%s %s: statuses %s, non-2xx %s, socket errors %s"
                % ("PUT" if put else "GET", url, res.get("statuses"), res.get("non2xx"),
                   res.get("socket_errors")))
    return res


def py_throughput(url, args, auth, put):
    u = urllib.parse.urlsplit(url)
    lock = threading.Lock()
    statuses, lat = {}, []
    errors = {"exception": 0}
    t_end = time.monotonic() + args.duration
    counter = [0]

    def worker(tid):
        c = load.Client(u.hostname, u.port, timeout=30)
        if auth:
            c.auth = auth
        mine = []
        while time.monotonic() < t_end:
            try:
                if put:
                    with lock:
                        counter[0] += 1
                        n = counter[0]
                    uid = "py-%d-%d" % (tid, n)
                    st, _, _, s = c.request(
                        "PUT", put[0] + uid + ".ics", put[1].replace(b"@UID@", uid.encode()),
                        {"Content-Type": CT_ICS, "If-None-Match": "*"})
                else:
                    st, _, _, s = c.request("GET", u.path)
            except Exception:  # noqa: BLE001
                with lock:
                    errors["exception"] += 1
                c.close()
                continue
            mine.append(s)
            with lock:
                statuses[st] = statuses.get(st, 0) + 1
        with lock:
            lat.extend(mine)
        c.close()

    t0 = time.perf_counter()
    ts = [threading.Thread(target=worker, args=(i,), daemon=True) for i in range(args.connections)]
    for t in ts:
        t.start()
    for t in ts:
        t.join(args.duration + 60)
    secs = time.perf_counter() - t0
    n = sum(statuses.values())
    s = summarize([x * 1000 for x in lat]) or {}
    return {"rps": n / secs, "requests": n, "p50_ms": s.get("median"), "p90_ms": s.get("p90"),
            "statuses": {str(k): v for k, v in statuses.items()}, "socket_errors": errors}


def put_template(events):
    """A typical single event as the body of throughput PUTs (UID @UID@)."""
    for e in events:
        if e.kind == "single" and e.tz and e.description and not e.attendees:
            body = load.render(e)
            return body.replace(e.uid.encode(), b"@UID@")
    return load.render(events[0]).replace(events[0].uid.encode(), b"@UID@")


def basic(user, password):
    return "Basic " + base64.b64encode(("%s:%s" % (user, password)).encode()).decode()


# ---- memory -------------------------------------------------------------------------------

MEM_REQUESTS = {
    "propfind": ("PROPFIND", PROPFIND_BODY, "1"),
    "sync-initial": ("REPORT", sync_body(None), "0"),
}


def mem_probe(srv, ds, op, reps=3):
    """RSS growth of the server during one kind of request, run reps times
    in a fresh server process: VmHWM (reset before each request) minus
    VmRSS just before it, and the peak of RssAnon seen by polling /proc
    every millisecond. The first run is the telling one: later runs reuse
    the heap the first one left."""
    pid = srv.proc.pid
    method, body, depth = MEM_REQUESTS[op]
    c = srv.client()
    c.request("GET", srv.collection + ds.events[0].href_name)  # auth cache, pool
    runs = []
    for _ in range(reps):
        before = proc_status(pid)
        cleared = clear_hwm(pid)
        peak = {"anon": before["RssAnon"], "rss": before["VmRSS"]}
        stop_flag = threading.Event()

        def sampler():
            while not stop_flag.is_set():
                try:
                    s = proc_status(pid)
                except OSError:
                    return
                peak["anon"] = max(peak["anon"], s["RssAnon"])
                peak["rss"] = max(peak["rss"], s["VmRSS"])
                time.sleep(0.001)

        th = threading.Thread(target=sampler, daemon=True)
        th.start()
        st, _, data, secs = c.request(method, srv.collection, body,
                                      {"Depth": depth, "Content-Type": CT_XML})
        stop_flag.set()
        th.join()
        after = proc_status(pid)
        if st != 207 or count_responses(data) < len(ds.events):
            problem(srv, "memory-" + op, "%s %s during the memory check: %d responses for %d "
                    "objects" % (method, srv.collection, count_responses(data), len(ds.events)),
                    st, data)
        runs.append({
            "hwm_growth_kib": (after["VmHWM"] - before["VmRSS"]) if cleared else None,
            "anon_growth_kib": peak["anon"] - before["RssAnon"],
            "rss_before_kib": before["VmRSS"], "rss_after_kib": after["VmRSS"],
            "bytes": len(data), "ms": secs * 1000,
        })
    c.close()
    return runs


# ---- phases ---------------------------------------------------------------------------

def load_http(srv, ds, args, events=None):
    events = events or ds.events
    log("  loading %d events into %s with PUT over %d connections ..."
        % (len(events), srv.name, args.load_connections))
    res = load.put_all(srv.host, srv.port, USER, PASSWORD, srv.collection,
                       ((e.href_name, load.render(e)) for e in events),
                       args.load_connections, create=True,
                       deadline=time.monotonic() + args.load_seconds)
    ds.etag.update(res.pop("etags"))
    for p in res["problems"]:
        problem(srv, "load", p.get("request"), p.get("status"), p.get("body", p.get("error")))
    done = sum(v for k, v in res["statuses"].items() if k in (201, 204))
    res["rate"] = done / res["seconds"] if res["seconds"] else 0
    res["statuses"] = {str(k): v for k, v in res["statuses"].items()}
    log("  loaded %d/%d in %.1f s (%.0f PUT/s), statuses %s"
        % (done, len(events), res["seconds"], res["rate"], res["statuses"]))
    if done != len(events):
        problem(srv, "load", "only %d of %d PUTs succeeded" % (done, len(events)))
    return res


def start_slotdav(args, workdir, db=None, fresh=True):
    os.makedirs(workdir, exist_ok=True)
    srv = Slotdav(workdir, free_port(), args.slotdav, args.slotdav_threads,
                  args.slotdav_arg, db=db)
    if fresh:
        srv.create_user()
    srv.start()
    return srv


def copy_db(src, dst):
    for suffix in ("", "-wal", "-shm"):
        if os.path.exists(src + suffix):
            shutil.copy2(src + suffix, dst + suffix)


def phase_slotdav(args, events, root, results):
    log("slotdav: %s" % args.slotdav)
    wd = os.path.join(root, "slotdav")
    srv = start_slotdav(args, wd)
    r = results["slotdav"] = {"port": srv.port}
    ds = Dataset(events)
    try:
        r["rss_idle_kib"] = proc_status(srv.proc.pid)["VmRSS"]
        r["load"] = load_http(srv, ds, args)
        if not srv.alive("load"):
            return
        s = proc_status(srv.proc.pid)
        r["rss_after_load_kib"] = s["VmRSS"]
        r["hwm_during_load_kib"] = s["VmHWM"]
        log("  RSS after load %.1f MiB (peak during load %.1f MiB)"
            % (s["VmRSS"] / 1024, s["VmHWM"] / 1024))
        # A copy of the loaded database for the memory check (stopped
        # cleanly first, so the copy is consistent); then serve it again.
        srv.stop()
        snap = os.path.join(root, "mem-%d" % len(events))
        os.makedirs(snap, exist_ok=True)
        copy_db(srv.db, os.path.join(snap, "slotdav.db"))
        results["_snapshot"] = (len(events), os.path.join(snap, "slotdav.db"))
        srv.start()
        r["rss_after_restart_kib"] = proc_status(srv.proc.pid)["VmRSS"]
        r["ops"] = suite(srv, ds, args, args.ops)
        if srv.alive("throughput") and time.monotonic() < args.deadline:
            url = "http://127.0.0.1:%d%s%s" % (srv.port, srv.collection, events[0].href_name)
            log("  GET throughput (%d connections, %d s) ..." % (args.connections, args.duration))
            r["get_rps"] = throughput("slotdav-get", url, args, wd, basic(USER, PASSWORD), srv=srv)
            log("    %.0f requests/s" % (r["get_rps"].get("rps") or 0))
        if srv.alive("throughput") and time.monotonic() < args.deadline:
            url = "http://127.0.0.1:%d%s" % (srv.port, srv.collection)
            log("  PUT throughput (create, %d connections, %d s) ..." % (args.connections, args.duration))
            r["put_rps"] = throughput("slotdav-put", url, args, wd, basic(USER, PASSWORD),
                                      put=(srv.collection, put_template(events)), srv=srv)
            log("    %.0f requests/s" % (r["put_rps"].get("rps") or 0))
        if srv.alive("end"):
            s = proc_status(srv.proc.pid)
            r["hwm_after_restart_kib"] = s["VmHWM"]
            r["rss_end_kib"] = s["VmRSS"]
            r["threads"] = s["Threads"]
            log("  peak RSS %.1f MiB (load), %.1f MiB (queries and throughput)"
                % (r["hwm_during_load_kib"] / 1024, s["VmHWM"] / 1024))
    finally:
        srv.stop()
        r["log_tail"] = tail(srv.logpath, 5)


def phase_memory(args, events, root, results):
    out = results["memory"] = {}
    snap = results.get("_snapshot")
    for n in args.mem_sizes:
        if time.monotonic() > args.deadline:
            log("memory check %d: skipped (global deadline)" % n)
            continue
        wd = os.path.join(root, "mem-%d" % n)
        os.makedirs(wd, exist_ok=True)
        evs = events[:n] if n <= len(events) else load.generate(n, args.seed)
        if snap and snap[0] == n:
            log("memory check at %d events (copy of the main database)" % n)
            db = snap[1]
        else:
            log("memory check at %d events (fresh database)" % n)
            srv = start_slotdav(args, wd)
            try:
                load_http(srv, Dataset(evs), args)
            finally:
                srv.stop()
            db = srv.db
        out[n] = {}
        for op in MEM_REQUESTS:
            srv = start_slotdav(args, wd, db=db, fresh=False)  # a fresh process per kind
            try:
                if srv.alive("memory"):
                    runs = out[n][op] = mem_probe(srv, Dataset(evs), op)
                    log("  %s: %s KiB HWM growth, %s KiB anon growth, %.1f MiB answer, %.0f ms"
                        % (op, [x["hwm_growth_kib"] for x in runs],
                           [x["anon_growth_kib"] for x in runs], runs[0]["bytes"] / 2**20,
                           statistics.median(x["ms"] for x in runs)))
            finally:
                srv.stop()


def phase_radicale(args, events, root, results):
    argv0 = None
    if shutil.which("radicale"):
        argv0 = [shutil.which("radicale")]
    else:
        try:
            import importlib.util
            if importlib.util.find_spec("radicale"):
                argv0 = ["/usr/bin/python3", "-m", "radicale"]
        except Exception:  # noqa: BLE001
            argv0 = None
    if argv0 is None:
        results["radicale"] = {"missing": "Radicale is not installed (apt-get install radicale)"}
        log("radicale: not installed, skipped")
        return
    ver = subprocess.run(argv0 + ["--version"], capture_output=True, text=True).stdout.strip()
    log("radicale %s" % ver)
    wd = os.path.join(root, "radicale")
    os.makedirs(wd, exist_ok=True)
    srv = Radicale(wd, free_port(), argv0)
    r = results["radicale"] = {"version": ver, "port": srv.port, "load_method": args.radicale_load}
    ds = Dataset(events)
    try:
        srv.start()
        if args.radicale_load == "http":
            r["load"] = load_http(srv, ds, args)
        else:
            # Radicale's PUT checks the new UID against every item of the
            # collection (O(n) per PUT, O(n^2) to load), so by default the
            # events are written into its filesystem storage directly: one
            # .ics file per item, which is Radicale's own format.
            t0 = time.perf_counter()
            d = srv.coll_dir()
            for e in events:
                with open(os.path.join(d, e.href_name), "wb") as f:
                    f.write(load.render(e))
            r["load"] = {"seconds": time.perf_counter() - t0, "method": "files"}
            log("  wrote %d .ics files into Radicale's storage" % len(events))
        r["rss_after_load_kib"] = proc_status(srv.proc.pid)["VmRSS"]
        # Radicale builds its item cache on the first request that reads
        # the items; that is timed here, apart from the measurements.
        log("  first request (Radicale builds its item cache) ...")
        c = srv.client(args.client_timeout)
        st, _, body, secs = c.request("REPORT", srv.collection, sync_body(None),
                                      {"Depth": "0", "Content-Type": CT_XML})
        c.close()
        r["cache_build_s"] = secs
        log("    %.1f s, status %d" % (secs, st))
        if st != 207:
            problem(srv, "cache-build", "REPORT sync-collection (initial)", st, body)
        r["ops"] = suite(srv, ds, args, args.ops)
        if srv.alive("throughput") and time.monotonic() < args.deadline:
            url = "http://127.0.0.1:%d%s%s" % (srv.port, srv.collection, events[0].href_name)
            log("  GET throughput ...")
            r["get_rps"] = throughput("radicale-get", url, args, wd, basic(USER, PASSWORD), srv=srv)
            log("    %.0f requests/s" % (r["get_rps"].get("rps") or 0))
        if srv.alive("throughput") and time.monotonic() < args.deadline:
            url = "http://127.0.0.1:%d%s" % (srv.port, srv.collection)
            log("  PUT throughput (create) ...")
            r["put_rps"] = throughput("radicale-put", url, args, wd, basic(USER, PASSWORD),
                                      put=(srv.collection, put_template(events)), srv=srv)
            log("    %.0f requests/s" % (r["put_rps"].get("rps") or 0))
        if srv.alive("end"):
            s = proc_status(srv.proc.pid)
            r["hwm_kib"] = s["VmHWM"]
    except Exception as ex:  # noqa: BLE001 - a peer failing is reported, not fatal
        r["error"] = repr(ex)
        log("radicale failed: %r\n%s" % (ex, tail(srv.logpath)))
    finally:
        srv.stop()


def phase_nginx(args, events, root, results):
    binary = shutil.which("nginx") or ("/usr/sbin/nginx" if os.path.exists("/usr/sbin/nginx") else None)
    if not binary:
        results["nginx"] = {"missing": "nginx is not installed (apt-get install nginx-light)"}
        log("nginx: not installed, skipped")
        return
    ver = subprocess.run([binary, "-v"], capture_output=True, text=True).stderr.strip()
    log(ver)
    wd = os.path.join(root, "nginx")
    www = os.path.join(wd, "www")
    os.makedirs(www, exist_ok=True)
    for d in ("body", "proxy", "fastcgi", "uwsgi", "scgi"):
        os.makedirs(os.path.join(wd, "tmp", d), exist_ok=True)
    for d in (root, wd, www):
        os.chmod(d, 0o755)  # the workers run as nobody when we are root
    name = events[0].href_name
    with open(os.path.join(www, name), "wb") as f:
        f.write(load.render(events[0]))
    os.chmod(os.path.join(www, name), 0o644)
    port = free_port()
    conf = os.path.join(wd, "nginx.conf")
    with open(conf, "w") as f:
        f.write("""worker_processes auto;
pid {wd}/nginx.pid;
error_log {wd}/error.log warn;
daemon off;
events {{ worker_connections 1024; }}
http {{
  types {{ text/calendar ics; }}
  default_type application/octet-stream;
  access_log {wd}/access.log;
  sendfile on;
  client_body_temp_path {wd}/tmp/body;
  proxy_temp_path {wd}/tmp/proxy;
  fastcgi_temp_path {wd}/tmp/fastcgi;
  uwsgi_temp_path {wd}/tmp/uwsgi;
  scgi_temp_path {wd}/tmp/scgi;
  server {{
    listen 127.0.0.1:{port};
    root {www};
  }}
}}
""".format(wd=wd, www=www, port=port))
    logpath = os.path.join(wd, "stderr.log")
    p = spawn("nginx", [binary, "-e", os.path.join(wd, "error.log"), "-p", wd, "-c", conf], logpath)
    r = results["nginx"] = {"version": ver}
    try:
        wait_port(port, p, logpath)
        url = "http://127.0.0.1:%d/%s" % (port, name)
        log("  GET throughput of a static .ics ...")
        r["get_rps"] = throughput("nginx-get", url, args, wd)
        log("    %.0f requests/s" % (r["get_rps"].get("rps") or 0))
    except Exception as ex:  # noqa: BLE001
        r["error"] = repr(ex)
        log("nginx failed: %r\n%s" % (ex, tail(os.path.join(wd, "error.log"))))
    finally:
        stop(p, signal.SIGQUIT)  # graceful: the master stops its workers


# ---- report ---------------------------------------------------------------------------------

SPEC = {  # SPEC.md section 7: Cyrus at 10,000 events; slotdav aims 10x ahead.
    "propfind": ("Cyrus ~126 ms; target <= 12.6 ms", 12.6),
    "calendar-query": ("Cyrus ~218 ms; target <= 21.8 ms", 21.8),
    "sync-incremental": ("Cyrus ~6.6 ms; target <= 0.66 ms", 0.66),
    "get_rps": ("Cyrus ~700/s; target >= 7,000/s and >= half of nginx", 7000),
    "put_rps": ("Cyrus ~100/s; target >= 1,000/s", 1000),
}

LABELS = [
    ("propfind", "PROPFIND Depth 1 (getetag, getcontenttype)"),
    ("multiget", "calendar-multiget, 100 hrefs"),
    ("calendar-query", "calendar-query, one week (extra)"),
    ("sync-initial", "sync-collection, initial"),
    ("sync-incremental", "sync-collection, incremental after 10 changes"),
    ("get", "GET one object (latency)"),
    ("put", "PUT update (latency, If-Match)"),
]


def fmt_ms(r):
    if not r or "median" not in r:
        return "-"
    return "%.2f ms (p90 %.2f)" % (r["median"], r["p90"])


def fmt_rps(r):
    if not r or not r.get("rps"):
        return "-"
    return "%.0f/s" % r["rps"]


def table(results):
    s = results.get("slotdav", {})
    rad = results.get("radicale", {})
    ngx = results.get("nginx", {})
    rows = [("operation", "slotdav median", "Radicale median", "Radicale/slotdav",
             "SPEC §7")]
    for op, label in LABELS:
        a = s.get("ops", {}).get(op)
        b = rad.get("ops", {}).get(op)
        ratio = "-"
        if a and b and a.get("median") and b.get("median"):
            ratio = "%.1f× slower" % (b["median"] / a["median"]) if b["median"] >= a["median"] \
                else "%.2f× (faster)" % (b["median"] / a["median"])
        rows.append((label, fmt_ms(a), fmt_ms(b), ratio, SPEC.get(op, ("",))[0]))
    for key, label in (("get_rps", "GET throughput, %d connections"),
                       ("put_rps", "PUT create throughput, %d connections")):
        a, b = s.get(key), rad.get(key)
        ratio = "-"
        if a and b and a.get("rps") and b.get("rps"):
            ratio = "%.1f× fewer/s" % (a["rps"] / b["rps"]) if a["rps"] >= b["rps"] \
                else "%.2f× (more/s)" % (a["rps"] / b["rps"])
        rows.append((label % results["config"]["connections"], fmt_rps(a), fmt_rps(b), ratio,
                     SPEC[key][0]))
    a, n = s.get("get_rps"), ngx.get("get_rps")
    if n:
        ratio = "%.2f of nginx" % (a["rps"] / n["rps"]) if a and a.get("rps") and n.get("rps") else "-"
        rows.append(("GET throughput vs nginx static .ics", fmt_rps(a), "nginx " + fmt_rps(n),
                     ratio, "target >= 0.5 of nginx"))
    return rows


def render_table(rows):
    w = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    out = []
    for k, r in enumerate(rows):
        out.append("| " + " | ".join(c.ljust(w[i]) for i, c in enumerate(r)) + " |")
        if k == 0:
            out.append("|" + "|".join("-" * (x + 2) for x in w) + "|")
    return "\n".join(out)


def loadavg():
    try:
        with open("/proc/loadavg") as f:
            return " ".join(f.read().split()[:3])
    except OSError:
        return "?"


def machine():
    m = {"nproc": os.cpu_count(), "kernel": platform.release(), "loadavg_start": loadavg()}
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    m["cpu"] = line.split(":", 1)[1].strip()
                    break
        with open("/proc/meminfo") as f:
            m["mem_total_mib"] = int(f.readline().split()[1]) // 1024
    except OSError:
        pass
    return m


def main():
    ap = argparse.ArgumentParser(description="Benchmark slotdav against Radicale and nginx.")
    ap.add_argument("--slotdav", default=os.environ.get("SLOTDAV_BIN"),
                    help="the slotdav binary (default: $SLOTDAV_BIN, build/server/slotdav)")
    ap.add_argument("--events", type=int, default=10000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--quick", action="store_true",
                    help="1,000 events, short runs (a smoke run of the script)")
    ap.add_argument("--reps", type=float, default=1.0, help="scale the repetition counts")
    ap.add_argument("--op-seconds", type=float, default=20,
                    help="time budget per operation and server (at least 3 runs)")
    ap.add_argument("--duration", type=int, default=10, help="seconds per throughput test")
    ap.add_argument("--connections", type=int, default=16)
    ap.add_argument("--wrk-threads", type=int, default=min(4, os.cpu_count() or 1))
    ap.add_argument("--no-wrk", dest="wrk", action="store_false",
                    help="use the Python thread pool even if wrk is installed")
    ap.add_argument("--client-timeout", type=float, default=600,
                    help="seconds the client waits for one answer")
    ap.add_argument("--load-connections", type=int, default=4)
    ap.add_argument("--load-seconds", type=float, default=300, help="bound on each load")
    ap.add_argument("--mem-sizes", default="1000,10000,50000",
                    help="collection sizes for the memory check (comma-separated)")
    ap.add_argument("--slotdav-threads", type=int, default=None,
                    help="--server.threads for slotdav (default: its own default)")
    ap.add_argument("--slotdav-arg", action="append", default=[],
                    help="extra argument for `slotdav serve` (repeatable)")
    ap.add_argument("--no-radicale", action="store_true")
    ap.add_argument("--no-nginx", action="store_true")
    ap.add_argument("--radicale-load", choices=("files", "http"), default="files",
                    help="load Radicale by writing its storage files (default) or by PUT")
    ap.add_argument("--ops", default=",".join(op for op, _ in LABELS),
                    help="comma-separated latency operations to run")
    ap.add_argument("--install", action="store_true",
                    help="apt-get install the missing peers and wrk first (root)")
    ap.add_argument("--max-minutes", type=float, default=20,
                    help="global deadline; later phases are skipped past it")
    ap.add_argument("--out", help="directory for results.json and the server logs "
                    "(default: a new /tmp/slotdav-bench-*)")
    ap.add_argument("--keep", action="store_true", help="keep databases and logs")
    args = ap.parse_args()

    if args.quick:
        args.events = min(args.events, 1000)
        args.reps = min(args.reps, 0.3)
        args.op_seconds = min(args.op_seconds, 5)
        args.duration = min(args.duration, 3)
        args.mem_sizes = "300,1000"
    args.mem_sizes = [int(x) for x in args.mem_sizes.split(",") if x.strip()]
    args.ops = [x.strip() for x in args.ops.split(",") if x.strip()]
    if not args.slotdav:
        for cand in (os.path.join(REPO, "build", "server", "slotdav"),
                     os.path.join(os.path.dirname(REPO), "build-bench", "server", "slotdav")):
            if os.access(cand, os.X_OK):
                args.slotdav = cand
                break
    if not args.slotdav or not os.access(args.slotdav, os.X_OK):
        ap.error("no slotdav binary; build it (cmake -S . -B build -DCMAKE_BUILD_TYPE="
                 "RelWithDebInfo -DSLOTDAV_TESTS=OFF && cmake --build build) or pass --slotdav")
    args.slotdav = os.path.abspath(args.slotdav)
    if args.install:
        missing = [p for p, b in (("wrk", "wrk"), ("radicale", "radicale"),
                                  ("nginx-light", "nginx")) if not shutil.which(b)]
        if missing:
            log("apt-get install %s" % " ".join(missing))
            subprocess.run(["apt-get", "install", "-y", "--no-install-recommends"] + missing,
                           env=dict(os.environ, DEBIAN_FRONTEND="noninteractive"), timeout=600)

    root = args.out or tempfile.mkdtemp(prefix="slotdav-bench-")
    os.makedirs(root, exist_ok=True)
    args.deadline = time.monotonic() + args.max_minutes * 60
    started = time.time()

    def on_signal(sig, frame):
        raise KeyboardInterrupt
    signal.signal(signal.SIGTERM, on_signal)

    results = {"date": dt.datetime.now().astimezone().isoformat(timespec="seconds"),
               "machine": machine(),
               "config": {"events": args.events, "seed": args.seed,
                          "connections": args.connections, "duration_s": args.duration,
                          "throughput_tool": "wrk" if args.wrk and shutil.which("wrk")
                          else "python-threads (wrk not installed)",
                          "slotdav": args.slotdav, "slotdav_threads": args.slotdav_threads,
                          "slotdav_args": args.slotdav_arg, "mem_sizes": args.mem_sizes}}
    log("workdir %s; %d events, seed %d; throughput with %s" % (
        root, args.events, args.seed, results["config"]["throughput_tool"]))
    events = load.generate(args.events, args.seed)
    results["mix"] = load.describe(events)
    log("event mix: %s" % json.dumps(results["mix"]))
    try:
        phase_slotdav(args, events, root, results)
        phase_memory(args, events, root, results)
        if not args.no_radicale and time.monotonic() < args.deadline:
            phase_radicale(args, events, root, results)
        if not args.no_nginx and time.monotonic() < args.deadline:
            phase_nginx(args, events, root, results)
    except KeyboardInterrupt:
        log("interrupted")
        results["interrupted"] = True
    except Exception as ex:  # noqa: BLE001
        import traceback
        traceback.print_exc()
        results["error"] = repr(ex)
    finally:
        stop_all()

    results.pop("_snapshot", None)
    results["machine"]["loadavg_end"] = loadavg()
    results["problems"] = PROBLEMS
    results["elapsed_s"] = time.time() - started
    rows = table(results)
    results["table"] = rows
    with open(os.path.join(root, "results.json"), "w") as f:
        json.dump(results, f, indent=1, default=str)

    print()
    m = results["machine"]
    print("slotdav benchmark, %s; %s, %s CPUs, %s MiB; %d events; %s"
          % (results["date"], m.get("cpu", "?"), m["nproc"], m.get("mem_total_mib", "?"),
             args.events, results["config"]["throughput_tool"]))
    print("load average at start %s, at end %s (other work on the machine skews the figures;"
          " the ratios less)" % (m["loadavg_start"], m["loadavg_end"]))
    print(render_table(rows))
    s = results.get("slotdav", {})
    if "rss_after_load_kib" in s:
        print("\nslotdav RSS idle %.1f MiB; after loading %d events %.1f MiB; peak (VmHWM) "
              "during load %.1f MiB, after a restart during queries and throughput %s MiB"
              % (s["rss_idle_kib"] / 1024, args.events, s["rss_after_load_kib"] / 1024,
                 s["hwm_during_load_kib"] / 1024,
                 "%.1f" % (s["hwm_after_restart_kib"] / 1024) if "hwm_after_restart_kib" in s else "?"))
    if "load" in s:
        print("slotdav load: %d PUTs in %.1f s (%.0f/s over %d connections)"
              % (args.events, s["load"]["seconds"], s["load"]["rate"], args.load_connections))
    rad = results.get("radicale", {})
    if "hwm_kib" in rad:
        print("Radicale peak RSS %.1f MiB" % (rad["hwm_kib"] / 1024))
    if "cache_build_s" in rad:
        print("Radicale's first request (it builds its item cache): %.1f s; not in the medians"
              % rad["cache_build_s"])
    for peer in ("radicale", "nginx"):
        if "missing" in results.get(peer, {}):
            print("%s: %s" % (peer, results[peer]["missing"]))
        if "error" in results.get(peer, {}):
            print("%s failed: %s" % (peer, results[peer]["error"]))
    mem = results.get("memory", {})
    if mem:
        print("\nmemory during one request (KiB; VmHWM growth over RSS before, per run):")
        for n, ops in sorted(mem.items()):
            for op, runs in ops.items():
                print("  %6d events %-13s answer %7.1f KiB  HWM growth %s  anon growth %s"
                      % (n, op, runs[0]["bytes"] / 1024,
                         [x["hwm_growth_kib"] for x in runs], [x["anon_growth_kib"] for x in runs]))
    if PROBLEMS:
        print("\n%d PROBLEM(S) (details in %s/results.json):" % (len(PROBLEMS), root))
        for p in PROBLEMS[:20]:
            print("- %s %s: %s%s" % (p["server"], p["what"], p["detail"],
                                     " -> %s" % p["status"] if "status" in p else ""))
    print("\nresults: %s/results.json (%.0f s)" % (root, results["elapsed_s"]))
    if not args.keep and not args.out:
        for sub in os.listdir(root):
            path = os.path.join(root, sub)
            if os.path.isdir(path):
                for dirpath, _, files in os.walk(path):
                    for fn in files:
                        if fn.endswith((".db", ".db-wal", ".db-shm", ".ics")) or "collections" in dirpath:
                            try:
                                os.remove(os.path.join(dirpath, fn))
                            except OSError:
                                pass
    return 1 if PROBLEMS else 0


if __name__ == "__main__":
    sys.exit(main())
