#!/usr/bin/python3
"""test_cli.py - the admin CLI of the slotdav binary, next to a running server.

--help on every command, errors (non-zero exit and a message on stderr),
user add/passwd/list/delete and calendar create/list/delete with their effect
on the running server, staff add/list, the demo data (seen through CalDAV
and the JSON API), global options before or after the subcommand, and serve
refusing a port that is taken.
"""

import json
import os
import socket
import subprocess
import time

import harness
from davtest import DavTestCase, cal_path, home, principal
from harness import c, d, ics_event, norm_href, unique


class CliTests(DavTestCase):
    def run_bin(self, *args, input=None, timeout=30):
        return subprocess.run([self.server.bin] + list(args), input=input, capture_output=True, text=True,
                              timeout=timeout, cwd=self.server.tmp)

    def cli(self, *args, input=None):
        return self.server.cli(*args, input=input, check=False)

    def assertOk(self, p, what):
        self.assertEqual(p.returncode, 0, "%s: exit %d\nstdout: %s\nstderr: %s"
                         % (what, p.returncode, p.stdout, p.stderr))

    def assertFails(self, p, what):
        self.assertNotEqual(p.returncode, 0, "%s succeeded but must fail\nstdout: %s" % (what, p.stdout))
        self.assertTrue(p.stderr.strip(), "%s failed without a message on stderr" % what)
        self.assertNotIn("Traceback", p.stderr)
        self.assertLess(p.returncode, 128, "%s died from a signal (exit %d)\n%s" % (what, p.returncode, p.stderr))

    def eventually(self, check, what, timeout=5.0):
        deadline = time.monotonic() + timeout
        while True:
            if check():
                return
            if time.monotonic() > deadline:
                self.fail("%s did not happen within %.0f s" % (what, timeout))
            time.sleep(0.05)

    def test_help(self):
        cases = [([], None), (["serve"], "--port"), (["user"], None), (["user", "add"], "--password-stdin"),
                 (["user", "passwd"], "--password-stdin"), (["user", "list"], None), (["user", "delete"], None),
                 (["calendar"], None), (["calendar", "create"], "--displayname"), (["calendar", "list"], None),
                 (["calendar", "delete"], None), (["staff", "add"], "--admin"), (["staff", "list"], None),
                 (["demo"], None)]
        for args, needle in cases:
            with self.subTest(args=args):
                p = self.run_bin(*(args + ["--help"]))
                self.assertOk(p, "slotdav %s --help" % " ".join(args))
                text = p.stdout + p.stderr
                self.assertTrue(text.strip(), "empty help")
                if needle:
                    self.assertIn(needle, text)

    def test_errors(self):
        self.server.add_user("erin")
        cases = [
            (["no-such-command"], None),
            (["user", "add"], None),
            (["user", "add", "erin", "--password-stdin"], "another\n"),
            (["user", "delete", "nobody-" + unique()], None),
            (["user", "passwd", "nobody-" + unique(), "--password-stdin"], "x\n"),
            (["calendar", "create", "nobody-" + unique(), "cal"], None),
            (["calendar", "create", "erin", "default"], None),
            (["calendar", "delete", "erin", "no-such-cal"], None),
            (["calendar", "list", "nobody-" + unique()], None),
            (["user", "list", "--no-such-option"], None),
        ]
        for args, stdin in cases:
            with self.subTest(args=args):
                self.assertFails(self.cli(*args, input=stdin), "slotdav " + " ".join(args))
        p = self.run_bin("--database", os.path.join(self.server.tmp, "no", "such", "dir", "x.db"), "user", "list")
        self.assertFails(p, "user list on a database in a missing directory")

    def test_user_lifecycle(self):
        name = unique("dora")
        pw1 = "first secret"
        p = self.cli("user", "add", name, "--email", name + "@example.com", "--displayname", "Dora D",
                     "--password-stdin", input=pw1 + "\n")
        self.assertOk(p, "user add")
        p = self.cli("user", "list")
        self.assertOk(p, "user list")
        self.assertIn(name, p.stdout.split())
        p = self.cli("calendar", "list", name)
        self.assertOk(p, "calendar list")
        self.assertIn("default", p.stdout)

        cl = self.server.client(name, pw1)
        r = cl.propfind(principal(name), [d("displayname"), c("calendar-user-address-set")])
        one = self.propstatus(r)
        self.assertEqual(one.prop(d("displayname")).text, "Dora D")
        self.assertIn("mailto:%s@example.com" % name, one.prop(c("calendar-user-address-set")).hrefs())
        r = cl.propfind(cal_path(name, "default"), [d("displayname"), d("resourcetype")])
        one = self.propstatus(r)
        self.assertEqual(one.prop(d("displayname")).text, "Calendar")
        self.assertIsNotNone(one.prop(d("resourcetype")).element.find(c("calendar")))
        self.put_event(cl, cal_path(name, "default"))

        pw2 = "second secret"
        self.assertOk(self.cli("user", "passwd", name, "--password-stdin", input=pw2 + "\n"), "user passwd")
        new = self.server.client(name, pw2)
        self.assertStatus(new.propfind(home(name), [d("resourcetype")]), 207)
        self.eventually(lambda: cl.propfind(home(name), [d("resourcetype")]).status == 401,
                        "the old password being refused after user passwd")

        self.assertOk(self.cli("user", "delete", name), "user delete")
        self.eventually(lambda: new.propfind(home(name), [d("resourcetype")]).status == 401,
                        "a deleted user being refused")
        p = self.cli("user", "list")
        self.assertNotIn(name, p.stdout.split())

        self.assertOk(self.cli("user", "add", name, "--password-stdin", input=pw1 + "\n"), "user add again")
        again = self.server.client(name, pw1)
        members = self.members(again, home(name), [d("resourcetype")])
        # The home: the new default calendar and the scheduling Inbox and Outbox.
        self.assertEqual(set(members), {norm_href(cal_path(name, b)) for b in ("default", "inbox", "outbox")},
                         "leftovers of the deleted user")
        self.assertEqual(self.members(again, cal_path(name, "default")), {}, "leftover objects of the deleted user")

    def test_calendar_commands(self):
        name = unique("fred")
        self.server.add_user(name)
        cl = self.server.client(name)
        self.assertOk(self.cli("calendar", "create", name, "work", "--displayname", "Work \u00e9"), "calendar create")
        for reserved in ("inbox", "outbox"):
            p = self.cli("calendar", "create", name, reserved)
            self.assertFails(p, "calendar create %s" % reserved)
            self.assertIn("reserved", p.stderr)
        p = self.cli("calendar", "list", name)
        self.assertOk(p, "calendar list")
        self.assertIn("work", p.stdout)
        r = cl.propfind(cal_path(name, "work"), [d("displayname"), d("resourcetype"), cs_getctag()])
        one = self.propstatus(r)
        self.assertEqual(one.prop(d("displayname")).text, "Work \u00e9")
        self.assertIsNotNone(one.prop(d("resourcetype")).element.find(c("calendar")))
        uid = unique("w")
        self.put_new(cl, cal_path(name, "work") + uid + ".ics", ics_event(uid))
        self.assertOk(self.cli("calendar", "delete", name, "work"), "calendar delete")
        self.assertStatus(cl.propfind(cal_path(name, "work"), [d("resourcetype")]), 404)
        self.assertStatus(cl.get(cal_path(name, "work") + uid + ".ics"), 404)
        p = self.cli("calendar", "list", name)
        self.assertNotIn("work", p.stdout)

    def test_staff_add(self):
        name = unique("sally")
        self.assertFails(self.cli("staff", "add", name), "staff add of an unknown user")
        self.server.add_user(name)
        p = self.cli("staff", "add", name, "--admin", "--name", "Sally S.")
        self.assertOk(p, "staff add")
        self.assertIn("(admin)", p.stdout)
        p = self.cli("staff", "list")
        self.assertOk(p, "staff list")
        line = [l for l in p.stdout.splitlines() if "\t%s\t" % name in l]
        self.assertEqual(len(line), 1, p.stdout)
        self.assertTrue(line[0].endswith("\tSally S.\tadmin"), line[0])
        # The staff member has a Bookings calendar, visible to their client.
        cl = self.server.client(name)
        self.assertIn(norm_href(cal_path(name, "bookings")), self.members(cl, home(name), [d("resourcetype")]))

    def test_demo(self):
        p = self.cli("demo")
        self.assertOk(p, "demo")
        self.assertIn("12 bookings", p.stdout)
        p = self.cli("demo")
        self.assertOk(p, "demo again")
        self.assertIn("nothing to do", p.stdout)
        # Every booking is an object in its staff member's Bookings calendar.
        objects = {}
        for who in ("demo", "anna", "ben"):
            cl = self.server.client(who, "demo")
            for href in self.members(cl, cal_path(who, "bookings")):
                r = cl.get(href)
                self.assertStatus(r, 200)
                text = r.body.decode()
                self.assertIn("X-SLOTDAV-BOOKING-ID:", text)
                objects[href] = text
        self.assertEqual(len(objects), 12)
        self.assertEqual(sum("STATUS:CANCELLED" in t for t in objects.values()), 1)
        # The API shows the same bookings to the admin, and a staff member
        # only theirs.
        cl = self.server.client("demo", "demo")
        r = cl.request("GET", "/api/v1/bookings", headers={"Accept": "application/json"})
        self.assertStatus(r, 200)
        bookings = json.loads(r.body)["bookings"]
        self.assertEqual(len(bookings), 12)
        anna = self.server.client("anna", "demo")
        r = anna.request("GET", "/api/v1/bookings", headers={"Accept": "application/json"})
        self.assertStatus(r, 200)
        mine = json.loads(r.body)["bookings"]
        self.assertTrue(0 < len(mine) < 12)
        self.assertEqual(len(mine), len(self.members(anna, cal_path("anna", "bookings"))))

    def test_global_option_positions(self):
        name = unique("gina")
        self.server.add_user(name)
        db = self.server.db
        for argv in (["--database", db, "user", "list"],
                     ["user", "list", "--database", db],
                     ["--storage.database=" + db, "user", "list"],
                     ["user", "list", "--storage.database=" + db],
                     ["--config", self.server.config, "user", "list"],
                     ["user", "list", "--config", self.server.config]):
            with self.subTest(argv=argv):
                p = self.run_bin(*argv)
                self.assertOk(p, " ".join(argv))
                self.assertIn(name, p.stdout.split())

    def test_serve_refuses_a_taken_port(self):
        s = socket.socket()
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.bind(("127.0.0.1", 0))
        s.listen(1)
        self.addCleanup(s.close)
        port = s.getsockname()[1]
        try:
            p = self.run_bin("--database", self.server.db, "serve", "--listen", "127.0.0.1", "--port", str(port),
                             timeout=15)
        except subprocess.TimeoutExpired:
            self.fail("serve on a taken port kept running")
        self.assertFails(p, "serve on a taken port")
        p = self.run_bin("--database", self.server.db, "serve", "--listen", "127.0.0.1", "--port", "notaport",
                         timeout=15)
        self.assertFails(p, "serve --port notaport")


def cs_getctag():
    return harness.cs("getctag")


if __name__ == "__main__":
    harness.main()
