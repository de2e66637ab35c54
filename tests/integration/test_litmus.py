#!/usr/bin/python3
"""test_litmus.py - Debian's litmus WebDAV suite against a calendar home.

Runs `litmus URL USER PASSWORD` once per suite in $TESTS (default
"basic copymove props") against http://127.0.0.1:PORT/dav/calendars/<user>/,
where litmus works in a plain WebDAV collection it creates (litmus/). A suite
passes when litmus exits 0 and its summary line reports 0 failed; warnings
are allowed and shown. The summary lines are always printed.

Not run: "locks" (slotdav has no LOCK and does not advertise DAV class 2),
"http" (Expect: 100-continue corner cases outside the contract).
"""

import os
import re
import shutil
import subprocess
import sys
import tempfile

import harness

LITMUS = shutil.which("litmus") or "/usr/bin/litmus"
SUITES = os.environ.get("TESTS", "basic copymove props").split()
UNSUPPORTED = {"locks": "slotdav has no LOCK (DAV class 2 is not advertised)"}


class LitmusTests(harness.ServerTestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.pw = cls.server.add_user("litmus", email="litmus@example.com")

    def run_suite(self, suite):
        workdir = tempfile.mkdtemp(prefix="slotdav-it-litmus-")
        if not os.environ.get("SLOTDAV_KEEP_TMP"):
            self.addCleanup(shutil.rmtree, workdir, True)
        url = "%s/dav/calendars/litmus/" % self.server.base_url
        env = dict(os.environ, TESTS=suite)
        try:
            p = subprocess.run([LITMUS, url, "litmus", self.pw], capture_output=True, text=True, timeout=300,
                               env=env, cwd=workdir)
        except subprocess.TimeoutExpired as e:
            self.fail("litmus %s timed out\n%s" % (suite, e.stdout))
        out = p.stdout + p.stderr
        summaries = [line for line in out.splitlines()
                     if line.startswith("<- summary") or "WARNING" in line
                     or (line.startswith("->") and "warning" in line.lower())]
        sys.stdout.write("\nlitmus %s:\n  %s\n" % (suite, "\n  ".join(summaries) or "(no summary line)"))
        m = re.search(r"<- summary for `%s': of (\d+) tests run: (\d+) passed, (\d+) failed" % re.escape(suite), out)
        ok = p.returncode == 0 and m is not None and m.group(3) == "0"
        if not ok:
            debug = ""
            try:
                with open(os.path.join(workdir, "debug.log"), errors="replace") as f:
                    debug = "".join(f.readlines()[-200:])
            except OSError:
                pass
            failed = "\n".join(line for line in out.splitlines() if "FAIL" in line or "ERROR" in line)
            self.fail("litmus %s: exit %d, summary %r\n--- failures ---\n%s\n--- full output ---\n%s\n"
                      "--- debug.log tail ---\n%s" % (suite, p.returncode, m.group(0) if m else None, failed, out,
                                                      debug))


def _make_test(suite):
    def test(self):
        if suite in UNSUPPORTED:
            self.skipTest("%s: %s" % (suite, UNSUPPORTED[suite]))
        self.run_suite(suite)
    test.__doc__ = "litmus suite %s" % suite
    return test


for _suite in SUITES:
    setattr(LitmusTests, "test_%s" % re.sub(r"\W", "_", _suite), _make_test(_suite))


if __name__ == "__main__":
    harness.main()
