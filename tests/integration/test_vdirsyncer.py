#!/usr/bin/python3
"""test_vdirsyncer.py - two-way sync between slotdav and a local vdir.

vdirsyncer (Debian 0.19) with its own config and status dir in a temp dir:
a caldav storage on the calendar home and a filesystem storage. discover
creates the missing collections on both sides (a local one on the server via
extended MKCOL, answered "y" on stdin), sync and metasync copy items and
colour/displayname, then changes on both sides (create, edit, delete) must
converge with no duplicates, and a further sync must change nothing.
"""

import os
import shutil
import subprocess
import tempfile

import harness
from davtest import DavTestCase, cal_path, home, proppatch_body
from harness import d, ical, ics_event, ics_prop, ics_uid, norm_href, unique

VDIRSYNCER = shutil.which("vdirsyncer") or "/usr/bin/vdirsyncer"


class VdirsyncerTests(DavTestCase):
    def setUp(self):
        # one user per test: the tests share a server but not a calendar home
        self.user = unique("vs")
        self.pw = self.server.add_user(self.user, email=self.user + "@example.com")
        self.dav = self.server.client(self.user)
        self.dir = tempfile.mkdtemp(prefix="slotdav-it-vdirsyncer-")
        if not os.environ.get("SLOTDAV_KEEP_TMP"):
            self.addCleanup(shutil.rmtree, self.dir, True)
        self.local = os.path.join(self.dir, "local")
        os.makedirs(self.local)
        self.cfg = os.path.join(self.dir, "config")
        with open(self.cfg, "w") as f:
            f.write("""[general]
status_path = "{dir}/status/"

[pair slotdav]
a = "remote"
b = "local"
collections = ["from a", "from b"]
metadata = ["color", "displayname"]

[storage remote]
type = "caldav"
url = "{url}"
username = "{user}"
password = "{pw}"

[storage local]
type = "filesystem"
path = "{local}/"
fileext = ".ics"
""".format(dir=self.dir, url=self.server.base_url + home(self.user), user=self.user, pw=self.pw, local=self.local))

    def vdirsyncer(self, *args, stdin=""):
        argv = [VDIRSYNCER, "-c", self.cfg, "--verbosity", "INFO"] + list(args)
        env = dict(os.environ, HOME=self.dir, LC_ALL="C.UTF-8", LANG="C.UTF-8")
        try:
            p = subprocess.run(argv, input=stdin, capture_output=True, text=True, timeout=180, env=env,
                               cwd=self.dir)
        except subprocess.TimeoutExpired as e:
            self.fail("vdirsyncer %s timed out\nstdout: %s\nstderr: %s" % (" ".join(args), e.stdout, e.stderr))
        if p.returncode != 0:
            self.fail("vdirsyncer %s exited %d\n--- stdout ---\n%s\n--- stderr ---\n%s"
                      % (" ".join(args), p.returncode, p.stdout, p.stderr))
        return p.stdout + p.stderr

    # -- the two sides -----------------------------------------------------

    def remote_items(self, calname):
        """{uid: summary} on the server; fails on duplicate UIDs."""
        path = cal_path(self.user, calname)
        members = self.members(self.dav, path)
        out = {}
        for href in members:
            r = self.dav.get(href)
            self.assertStatus(r, 200)
            uid = ics_uid(r.body)
            self.assertNotIn(uid, out, "duplicate UID %s on the server in %s" % (uid, calname))
            out[uid] = ics_prop(r.body, "SUMMARY")
        return out

    def local_items(self, calname):
        folder = os.path.join(self.local, calname)
        out = {}
        for name in sorted(os.listdir(folder)):
            if not name.endswith(".ics"):
                continue
            with open(os.path.join(folder, name), "rb") as f:
                data = f.read()
            uid = ics_uid(data)
            self.assertNotIn(uid, out, "duplicate UID %s in the local vdir %s" % (uid, calname))
            out[uid] = ics_prop(data, "SUMMARY")
        return out

    def write_local(self, calname, uid, summary):
        folder = os.path.join(self.local, calname)
        os.makedirs(folder, exist_ok=True)
        tmp = os.path.join(folder, ".%s.tmp" % uid)
        with open(tmp, "w", newline="") as f:
            f.write(ics_event(uid, summary))
        os.replace(tmp, os.path.join(folder, uid + ".ics"))  # new inode: vdirsyncer sees the change

    def assertConverged(self, calname, expected):
        remote = self.remote_items(calname)
        local = self.local_items(calname)
        self.assertEqual(remote, local, "server and vdir differ in %s" % calname)
        self.assertEqual(remote, expected, "unexpected content in %s" % calname)

    def remote_collections(self):
        r = self.dav.propfind(home(self.user), [d("resourcetype")], depth="1")
        self.assertStatus(r, 207)
        out = set()
        for m in r.multistatus():
            rt = m.prop(d("resourcetype"))
            if rt is not None and rt.element.find(harness.c("calendar")) is not None:
                out.add(norm_href(m.href).rstrip("/").rsplit("/", 1)[1])
        return out

    # -- the test ------------------------------------------------------------

    def test_two_way_sync(self):
        a = self.dav
        r1, r2, r3 = unique("r1"), unique("r2"), unique("r3")
        dflt = cal_path(self.user, "default")
        self.put_new(a, dflt + r1 + ".ics", ics_event(r1, "remote one"))
        self.put_new(a, dflt + r2 + ".ics", ics_event(r2, "remote two"))
        self.server.cli("calendar", "create", self.user, "shared", "--displayname", "Shared")
        self.put_new(a, cal_path(self.user, "shared") + r3 + ".ics", ics_event(r3, "remote three"))
        self.assertStatus(a.proppatch(dflt, proppatch_body("<A:calendar-color>#FF0000</A:calendar-color>")), 207)

        l1, l2 = unique("l1"), unique("l2")
        self.write_local("fromlocal", l1, "local one")
        self.write_local("fromlocal", l2, "local two")
        with open(os.path.join(self.local, "fromlocal", "color"), "w") as f:
            f.write("#00FF00")
        with open(os.path.join(self.local, "fromlocal", "displayname"), "w") as f:
            f.write("From Local")

        self.vdirsyncer("discover", stdin="y\n" * 20)
        self.assertEqual(self.remote_collections(), {"default", "shared", "fromlocal"},
                         "discover did not create the local collection on the server (extended MKCOL)")
        self.assertEqual({n for n in os.listdir(self.local) if not n.startswith(".")},
                         {"default", "shared", "fromlocal"})
        self.vdirsyncer("sync")
        self.vdirsyncer("metasync")

        self.assertConverged("default", {r1: "remote one", r2: "remote two"})
        self.assertConverged("shared", {r3: "remote three"})
        self.assertConverged("fromlocal", {l1: "local one", l2: "local two"})
        r = a.propfind(cal_path(self.user, "fromlocal"), [ical("calendar-color"), d("displayname"),
                                                          d("resourcetype")])
        one = self.propstatus(r)
        self.assertIsNotNone(one.prop(d("resourcetype")).element.find(harness.c("calendar")), r.describe())
        self.assertEqual((one.prop(ical("calendar-color")).text or "").upper(), "#00FF00", r.describe())
        self.assertEqual(one.prop(d("displayname")).text, "From Local", r.describe())
        with open(os.path.join(self.local, "default", "color")) as f:
            self.assertEqual(f.read().strip().upper(), "#FF0000")
        with open(os.path.join(self.local, "shared", "displayname")) as f:
            self.assertEqual(f.read().strip(), "Shared")

        # changes on both sides
        g = a.get(dflt + r1 + ".ics")
        self.assertStatus(g, 200)
        self.assertStatus(a.put_ics(dflt + r1 + ".ics", ics_event(r1, "remote one, edited"),
                                    {"If-Match": g.header("ETag")}), (200, 204))
        self.assertStatus(a.delete(dflt + r2 + ".ics"), (200, 204))
        r4 = unique("r4")
        self.put_new(a, dflt + r4 + ".ics", ics_event(r4, "remote four"))

        self.write_local("fromlocal", l1, "local one, edited")
        os.unlink(os.path.join(self.local, "fromlocal", l2 + ".ics"))
        l3, l5 = unique("l3"), unique("l5")
        self.write_local("fromlocal", l3, "local three")
        self.write_local("default", l5, "local five in default")

        self.vdirsyncer("sync")
        self.assertConverged("default", {r1: "remote one, edited", r4: "remote four", l5: "local five in default"})
        self.assertConverged("fromlocal", {l1: "local one, edited", l3: "local three"})
        self.assertConverged("shared", {r3: "remote three"})

        # a further sync changes nothing on the server
        ctags = {n: self.ctag(a, cal_path(self.user, n)) for n in ("default", "shared", "fromlocal")}
        out = self.vdirsyncer("sync")
        self.assertEqual({n: self.ctag(a, cal_path(self.user, n)) for n in ctags}, ctags,
                         "an idle sync wrote to the server:\n" + out)
        self.assertConverged("default", {r1: "remote one, edited", r4: "remote four", l5: "local five in default"})

    def test_deleted_remote_calendar_item_and_resync(self):
        # The server keeps no tombstone that resurrects items: delete on the
        # server, sync, the vdir loses the item; re-create with the same UID
        # locally, sync, the server has it again exactly once.
        self.server.cli("calendar", "create", self.user, "cycle")
        calp = cal_path(self.user, "cycle")
        uid, keep = unique("cy"), unique("keep")
        # a second item: vdirsyncer refuses to sync a side that became empty
        self.put_new(self.dav, calp + keep + ".ics", ics_event(keep, "stays"))
        self.put_new(self.dav, calp + uid + ".ics", ics_event(uid, "first life"))
        self.vdirsyncer("discover", stdin="y\n" * 20)
        self.vdirsyncer("sync", "slotdav/cycle")
        self.assertConverged("cycle", {uid: "first life", keep: "stays"})
        self.assertStatus(self.dav.delete(calp + uid + ".ics"), (200, 204))
        self.vdirsyncer("sync", "slotdav/cycle")
        self.assertConverged("cycle", {keep: "stays"})
        self.write_local("cycle", uid, "second life")
        self.vdirsyncer("sync", "slotdav/cycle")
        self.assertConverged("cycle", {uid: "second life", keep: "stays"})


if __name__ == "__main__":
    harness.main()
