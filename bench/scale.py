#!/usr/bin/python3
"""scale.py - slotdav's time-range queries at 1,000, 10,000 and 100,000 events.

    bench/scale.py [--slotdav build/server/slotdav] [--sizes 1000,10000,100000]

For each size N: a fresh database, N events from bench/load.py's generator
loaded by PUT, a restart on the loaded database (so the RSS figures are not
the loading's), then timed runs (median, p90) of
  - calendar-query, one week in the middle of the data's span, getetag +
    calendar-data;
  - the same with <C:calendar-data><C:expand .../></C:calendar-data>;
  - calendar-query with a window of 7 days x 1,000 / N: about the same
    number of matching objects at every N (the generator spreads N events
    over a fixed three years, so a fixed window returns more objects as N
    grows);
  - free-busy-query, one month;
and the number of objects each returned (free-busy: FREEBUSY periods), the
server's RSS before the queries and its peak (VmHWM) after them. slotdav
only; reuses run.py's server handling, timing and table code. If the
loading rate seen at the previous size means a size would take longer
than --max-load-minutes, 50,000 is loaded instead (said in the output).
--perf S records `perf record -g` for S seconds of one-week queries at the
largest size and keeps the report in the output directory.

Standard library only (Debian's /usr/bin/python3). Not a test: nothing
asserts a time; wrong statuses are recorded as problems (exit status 1).
"""

import argparse
import datetime as dt
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.dont_write_bytecode = True
sys.path.insert(0, HERE)
import load  # noqa: E402
import run  # noqa: E402
from run import log  # noqa: E402

# The generator's events start between 2024-01-01 and 2026-12-30 (plus
# recurrences after that): the middle of the span is 2025-07-01.
MID = dt.datetime(2025, 6, 30)  # a Monday
WEEK = (MID, MID + dt.timedelta(days=7))
MONTH = (dt.datetime(2025, 6, 16), dt.datetime(2025, 7, 16))


def z(t):
    return t.strftime("%Y%m%dT%H%M%SZ")


def query_body(start, end, expand=False):
    cd = ('<c:calendar-data><c:expand start="%s" end="%s"/></c:calendar-data>'
          % (z(start), z(end))) if expand else "<c:calendar-data/>"
    return ('<?xml version="1.0" encoding="utf-8"?>'
            '<c:calendar-query xmlns:d="DAV:" xmlns:c="urn:ietf:params:xml:ns:caldav">'
            '<d:prop><d:getetag/>%s</d:prop>'
            '<c:filter><c:comp-filter name="VCALENDAR"><c:comp-filter name="VEVENT">'
            '<c:time-range start="%s" end="%s"/>'
            '</c:comp-filter></c:comp-filter></c:filter></c:calendar-query>'
            % (cd, z(start), z(end))).encode()


def freebusy_body(start, end):
    return ('<?xml version="1.0" encoding="utf-8"?>'
            '<c:free-busy-query xmlns:c="urn:ietf:params:xml:ns:caldav">'
            '<c:time-range start="%s" end="%s"/></c:free-busy-query>'
            % (z(start), z(end))).encode()


FB_RE = re.compile(rb"^FREEBUSY[;:]([^\r\n]*(?:\r?\n [^\r\n]*)*)", re.M)


def count_periods(body):
    """FREEBUSY periods in a VFREEBUSY (comma-separated, maybe folded)."""
    n = 0
    for m in FB_RE.finditer(body):
        v = re.sub(rb"\r?\n ", b"", m.group(1))
        n += v.split(b":", 1)[-1].count(b",") + 1
    return n


def fixed_window(n):
    """7 days x 1000 / n around the middle of the week: about as many
    matching objects at every n as one week at 1,000."""
    half = dt.timedelta(seconds=7 * 86400 * 1000 / n / 2)
    mid = MID + dt.timedelta(days=3, hours=12)
    return (mid - half, mid + half)


OPS = [
    ("week", "calendar-query, one week"),
    ("week-expand", "calendar-query, one week, expand"),
    ("fixed", "calendar-query, 7 d × 1,000/N"),
    ("freebusy", "free-busy-query, one month"),
]


def measure(srv, n, args):
    """Timed runs of OPS on a loaded server. {op: stats + 'objects'}."""
    c = srv.client(args.client_timeout)
    coll = srv.collection
    fixed = fixed_window(n)
    res = {"fixed_window_h": (fixed[1] - fixed[0]).total_seconds() / 3600}

    def report(op, body, expect, counter):
        def fn():
            st, rh, data, s = c.request("REPORT", coll, body,
                                        {"Depth": "1", "Content-Type": run.CT_XML})
            ok = st == expect
            cnt = counter(data) if ok else None
            if not ok:
                run.problem(srv, op, "REPORT %s at %d events" % (op, n), st, data)
            elif op == "freebusy" and b"BEGIN:VFREEBUSY" not in data:
                ok = False
                run.problem(srv, op, "free-busy-query answer has no VFREEBUSY", st, data)
            if cnt is not None:
                seen = res.setdefault("_objects", {}).setdefault(op, set())
                seen.add(cnt)
            res.setdefault("_bytes", {})[op] = len(data)
            return s, ok
        return fn

    fns = {
        "week": report("week", query_body(*WEEK), 207, run.count_responses),
        "week-expand": report("week-expand", query_body(*WEEK, expand=True), 207,
                              run.count_responses),
        "fixed": report("fixed", query_body(*fixed), 207, run.count_responses),
        "freebusy": report("freebusy", freebusy_body(*MONTH), 200, count_periods),
    }
    for op, label in OPS:
        if time.monotonic() > args.deadline:
            log("  %s: skipped (global deadline)" % op)
            continue
        log("  %d events: %s ..." % (n, label))
        try:
            r = run.timed(srv, op, args.reps, args.op_seconds, fns[op])
        except Exception as ex:  # noqa: BLE001 - recorded, not hidden
            run.problem(srv, op, "client error: %r" % ex)
            c.close()
            r = None
        if r:
            objs = sorted(res.get("_objects", {}).get(op, ()))
            r["objects"] = objs[0] if len(objs) == 1 else objs
            r["bytes"] = res.get("_bytes", {}).get(op)
            res[op] = r
            log("    median %.2f ms, p90 %.2f ms (n=%d), %s objects, %.0f KiB"
                % (r.get("median", float("nan")), r.get("p90", float("nan")), r["n"],
                   r["objects"], (r["bytes"] or 0) / 1024))
    res.pop("_objects", None)
    res.pop("_bytes", None)
    c.close()
    return res


def perf_profile(srv, n, args, wd):
    """perf record -g of one-week queries for args.perf seconds."""
    if not shutil.which("perf"):
        log("  perf: not installed")
        return None
    data = os.path.join(wd, "perf.data")
    rep = os.path.join(args.out_dir, "perf-%d.txt" % n)
    p = run.spawn("perf", ["perf", "record", "-g", "-o", data, "-p", str(srv.proc.pid)],
                  os.path.join(wd, "perf.log"))
    c = srv.client(args.client_timeout)
    t_end = time.monotonic() + args.perf
    k = 0
    while time.monotonic() < t_end and srv.alive("perf"):
        c.request("REPORT", srv.collection, query_body(*WEEK),
                  {"Depth": "1", "Content-Type": run.CT_XML})
        k += 1
    c.close()
    run.stop(p, signal.SIGINT, 60)
    with open(rep, "w") as f:
        subprocess.run(["perf", "report", "-i", data, "--stdio", "--no-children",
                        "--percent-limit", "2", "-g", "caller,0.5,callee,function,percent"],
                       stdout=f, stderr=subprocess.DEVNULL, timeout=300)
    with open(rep + ".children", "w") as f:
        subprocess.run(["perf", "report", "-i", data, "--stdio", "--children", "-g", "none",
                        "--percent-limit", "3"],
                       stdout=f, stderr=subprocess.DEVNULL, timeout=300)
    try:
        os.remove(data)
    except OSError:
        pass
    log("  perf: %d queries profiled; %s" % (k, rep))
    return rep


def one_size(n, events, args, root, results):
    wd = os.path.join(root, "n-%d" % n)
    srv = run.start_slotdav(args, wd)
    r = results["sizes"][str(n)] = {"events": n}
    try:
        ds = run.Dataset(events[:n])
        r["load"] = run.load_http(srv, ds, args)
        done = sum(v for k, v in r["load"]["statuses"].items() if k in ("201", "204"))
        r["loaded"] = done
        if not srv.alive("load"):
            return r
        # Restart on the loaded database: the RSS below is the queries',
        # not the loading's (argon2 arenas of 4 connections, see run.py).
        srv.stop()
        srv.start()
        c = srv.client(args.client_timeout)
        st, _, _, _ = c.request("OPTIONS", srv.collection)  # one authentication
        c.close()
        s = run.proc_status(srv.proc.pid)
        r["rss_before_kib"] = s["VmRSS"]
        r["hwm_cleared"] = run.clear_hwm(srv.proc.pid)
        r["db_mib"] = sum(os.path.getsize(srv.db + x) for x in ("", "-wal")
                          if os.path.exists(srv.db + x)) / 1048576
        log("  RSS before the queries %.1f MiB (restarted, one request); database %.0f MiB"
            % (s["VmRSS"] / 1024, r["db_mib"]))
        r["ops"] = measure(srv, n, args)
        if srv.alive("end"):
            s = run.proc_status(srv.proc.pid)
            r["hwm_after_kib"] = s["VmHWM"]
            r["rss_after_kib"] = s["VmRSS"]
            log("  peak RSS (VmHWM) over the queries %.1f MiB, RSS now %.1f MiB"
                % (s["VmHWM"] / 1024, s["VmRSS"] / 1024))
        if args.perf and n == max(args.sizes) and srv.alive("perf"):
            r["perf_report"] = perf_profile(srv, n, args, wd)
    finally:
        srv.stop()
        r["log_tail"] = run.tail(srv.logpath, 5)
        r["log_warnings"] = count_warnings(srv.logpath)
    return r


def count_warnings(path):
    """Log lines above info (slotdav logs `level=warn` etc.)."""
    n = 0
    try:
        with open(path, "rb") as f:
            for line in f:
                if re.search(rb"\blevel=(?!info\b|debug\b)", line):
                    n += 1
    except OSError:
        pass
    return n


def table(results):
    sizes = [k for k in results["sizes"]]
    rows = [("operation",) + tuple("%s events" % format(int(k), ",") for k in sizes)]
    for op, label in OPS:
        row = [label]
        for k in sizes:
            r = results["sizes"][k].get("ops", {}).get(op)
            row.append("-" if not r or "median" not in r else
                       "%s ms (p90 %s), %s" % (fmt(r["median"]), fmt(r["p90"]), r["objects"]))
        rows.append(tuple(row))
    for key, label in (("rss_before_kib", "RSS before the queries"),
                       ("hwm_after_kib", "peak RSS (VmHWM) after the queries")):
        rows.append((label,) + tuple(
            "%.1f MiB" % (results["sizes"][k][key] / 1024) if key in results["sizes"][k]
            else "-" for k in sizes))
    rows.append(("load by PUT, 4 connections",) + tuple(
        "%.0f s (%.0f/s)" % (results["sizes"][k]["load"]["seconds"],
                             results["sizes"][k]["load"]["rate"])
        if "load" in results["sizes"][k] else "-" for k in sizes))
    return rows


def fmt(ms):
    return "%.0f" % ms if ms >= 100 else "%.1f" % ms if ms >= 10 else "%.2f" % ms


def main():
    ap = argparse.ArgumentParser(description="slotdav time-range queries at scale.")
    ap.add_argument("--slotdav", default=os.environ.get("SLOTDAV_BIN"))
    ap.add_argument("--sizes", default="1000,10000,100000")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--reps", type=int, default=15, help="timed runs per operation (at most)")
    ap.add_argument("--op-seconds", type=float, default=15,
                    help="time budget per operation and size (at least 3 runs)")
    ap.add_argument("--client-timeout", type=float, default=600)
    ap.add_argument("--load-connections", type=int, default=4)
    ap.add_argument("--max-load-minutes", type=float, default=8,
                    help="a size whose load would take longer (at the previous size's "
                    "rate) is replaced by 50,000; also the bound on each load")
    ap.add_argument("--slotdav-threads", type=int, default=None)
    ap.add_argument("--slotdav-arg", action="append", default=[])
    ap.add_argument("--perf", type=float, default=0,
                    help="seconds of `perf record -g` on one-week queries at the largest size")
    ap.add_argument("--max-minutes", type=float, default=30, help="global deadline")
    ap.add_argument("--out", help="directory for results.json (default: a new /tmp/slotdav-scale-*)")
    ap.add_argument("--keep", action="store_true", help="keep the databases")
    args = ap.parse_args()
    args.sizes = [int(x) for x in args.sizes.split(",") if x.strip()]
    if not args.slotdav:
        for cand in (os.path.join(run.REPO, "build", "server", "slotdav"),
                     os.path.join(os.path.dirname(run.REPO), "build-bench", "server", "slotdav")):
            if os.access(cand, os.X_OK):
                args.slotdav = cand
                break
    if not args.slotdav or not os.access(args.slotdav, os.X_OK):
        ap.error("no slotdav binary; build it or pass --slotdav")
    args.slotdav = os.path.abspath(args.slotdav)
    args.load_seconds = args.max_load_minutes * 60
    root = args.out or tempfile.mkdtemp(prefix="slotdav-scale-")
    os.makedirs(root, exist_ok=True)
    args.out_dir = root
    args.deadline = time.monotonic() + args.max_minutes * 60
    started = time.time()

    def on_signal(sig, frame):
        raise KeyboardInterrupt
    signal.signal(signal.SIGTERM, on_signal)

    results = {"date": dt.datetime.now().astimezone().isoformat(timespec="seconds"),
               "machine": run.machine(), "sizes": {},
               "config": {"seed": args.seed, "reps": args.reps, "op_seconds": args.op_seconds,
                          "slotdav": args.slotdav, "week": [z(t) for t in WEEK],
                          "month": [z(t) for t in MONTH]}}
    notes = results["notes"] = []
    log("workdir %s; sizes %s; generating %d events ..." % (root, args.sizes, max(args.sizes)))
    events = load.generate(max(args.sizes), args.seed)  # a prefix is generate(n)
    rate = None
    try:
        for n in args.sizes:
            if time.monotonic() > args.deadline:
                notes.append("%d events: skipped (global deadline)" % n)
                continue
            if rate and n / rate > args.load_seconds and n > 50000:
                notes.append("%d events would take %.0f min to load at %.0f PUT/s: "
                             "50,000 instead" % (n, n / rate / 60, rate))
                log(notes[-1])
                n = 50000
            log("%d events: fresh database, loading ..." % n)
            r = one_size(n, events, args, root, results)
            if "load" in r:
                rate = r["load"]["rate"]
                if r.get("loaded", 0) < n:
                    notes.append("%d events: only %d loaded within %.0f min"
                                 % (n, r.get("loaded", 0), args.max_load_minutes))
    except KeyboardInterrupt:
        log("interrupted")
        results["interrupted"] = True
    except Exception as ex:  # noqa: BLE001
        import traceback
        traceback.print_exc()
        results["error"] = repr(ex)
    finally:
        run.stop_all()

    results["machine"]["loadavg_end"] = run.loadavg()
    results["problems"] = run.PROBLEMS
    results["elapsed_s"] = time.time() - started
    rows = table(results)
    results["table"] = rows
    with open(os.path.join(root, "results.json"), "w") as f:
        json.dump(results, f, indent=1, default=str)

    m = results["machine"]
    print()
    print("slotdav time-range queries at scale, %s; %s, %s CPUs, %s MiB; load average %s -> %s"
          % (results["date"], m.get("cpu", "?"), m["nproc"], m.get("mem_total_mib", "?"),
             m["loadavg_start"], m["loadavg_end"]))
    print("week %s..%s, month %s..%s; each cell: median (p90), objects returned "
          "(free-busy: FREEBUSY periods)" % (tuple(results["config"]["week"])
                                             + tuple(results["config"]["month"])))
    print(run.render_table(rows))
    for k, r in results["sizes"].items():
        if "ops" in r:
            print("%s events: fixed window %.2f h; answers %s KiB; database %.0f MiB; "
                  "log lines above info: %d"
                  % (k, r["ops"]["fixed_window_h"],
                     {op: round((r["ops"][op].get("bytes") or 0) / 1024)
                      for op, _ in OPS if op in r["ops"]}, r["db_mib"], r["log_warnings"]))
    for note in notes:
        print("note: " + note)
    if run.PROBLEMS:
        print("\n%d PROBLEM(S) (details in %s/results.json):" % (len(run.PROBLEMS), root))
        for p in run.PROBLEMS[:20]:
            print("- %s %s: %s%s" % (p["server"], p["what"], p["detail"],
                                     " -> %s" % p["status"] if "status" in p else ""))
    print("\nresults: %s/results.json (%.0f s)" % (root, results["elapsed_s"]))
    if not args.keep:
        for sub in os.listdir(root):
            path = os.path.join(root, sub)
            if os.path.isdir(path):
                for dirpath, _, files in os.walk(path):
                    for fn in files:
                        if fn.endswith((".db", ".db-wal", ".db-shm", "perf.data")):
                            try:
                                os.remove(os.path.join(dirpath, fn))
                            except OSError:
                                pass
    return 1 if run.PROBLEMS else 0


if __name__ == "__main__":
    sys.exit(main())
