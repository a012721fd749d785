#!/usr/bin/python3
"""Integration: how cofferd protects itself (docs/threat-model.md).

Refusal of files others can change (the config and what it includes, the
server key, the master keys), the drop from root to the configured user
after binding, a process that cannot be dumped or traced, and files created
for the daemon's user alone.  The tests that start cofferd as root and
watch it become `nobody` are skipped when the suite does not run as root.
"""
import os
import pwd
import shutil
import subprocess
import sys
import unittest

try:
    import zmq
except ImportError:                      # pragma: no cover
    print("SKIP: pyzmq is not installed (apt-get install python3-zmq)")
    sys.exit(77)

import coffertest as ct

AUTH_CURVE = ct.module("auth-curve/.libs/auth_curve.so")
STORE_FS = ct.module("store-fs/.libs/store_fs.so")


def status_of(pid):
    """/proc/PID/status as a dict of its lines."""
    out = {}
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            key, _, value = line.partition(":")
            out[key] = value.split()
    return out


class Hardening(unittest.TestCase):

    def setUp(self):
        self.dir = ct.scratch_dir("harden")
        self.addCleanup(ct.cleanup, self.dir)
        os.chmod(self.dir, 0o711)        # others may pass, not list
        self.certs = os.path.join(self.dir, "certs")
        os.mkdir(self.certs, 0o755)
        self.pub, self.sec = (k.decode() for k in zmq.curve_keypair())
        ct.coffer("cert", "add", "--certs", self.certs, "--key", self.pub,
                  "--name", "admin", "--type", "user")
        self.master = os.path.join(self.dir, "master-1.key")
        ct.coffer("keygen", "--master", self.master)
        # What the daemon's user writes: its own directory.
        self.var = os.path.join(self.dir, "var")
        os.mkdir(self.var, 0o700)

    def daemon(self, extra=""):
        auth = ('{ module = "%s"; control = "required"; certs = "%s"; }'
                % (AUTH_CURVE, self.certs))
        store = '{ module = "%s"; path = "%s/store"; }' % (STORE_FS, self.var)
        extra = ('keyring = [ "%s" ]; audit_log = "%s/audit.log"; %s'
                 % (self.master, self.var, extra))
        d = ct.Daemon(self.dir, auth, store=store, extra=extra)
        self.addCleanup(d.kill)
        return d

    def check(self, d):
        """cofferd -t on D's config: (exit code, stderr)."""
        out = subprocess.run([ct.COFFERD, "-t", "-c", d.conf],
                             capture_output=True, text=True, timeout=30)
        return out.returncode, out.stderr

    def refused(self, d, *texts):
        rc, err = self.check(d)
        self.assertEqual(rc, 1, err)
        for text in texts:
            self.assertIn(text, err)
        d.start(wait=False)
        self.assertEqual(d.proc.wait(15), 1)
        for text in texts:
            self.assertIn(text, d.log_text())

    def client(self, d):
        c = ct.Client(d.endpoint, d.server_public, self.pub, self.sec)
        self.addCleanup(c.close)
        return c

    def write_secret(self, d):
        reply = self.client(d).call("secret.create", {
            "name": "db/password", "pairs": {"password": "pw-9z!harden"}})
        self.assertTrue(reply["ok"], reply)

    # -- files that others can change --------------------------------------

    def test_config_writable_by_group_refused(self):
        d = self.daemon()
        os.chmod(d.conf, 0o664)
        self.refused(d, "refusing the configuration", d.conf,
                     "writable by its group")

    def test_config_in_directory_others_can_write_refused(self):
        d = self.daemon()
        os.chmod(self.dir, 0o777)
        self.refused(d, "refusing the configuration", self.dir,
                     "writable by everyone")

    def test_config_owned_by_another_user_refused(self):
        if os.geteuid() != 0:
            self.skipTest("needs root to give the file away")
        d = self.daemon()
        os.chown(d.conf, pwd.getpwnam("nobody").pw_uid, -1)
        self.refused(d, "refusing the configuration",
                     "not root or the daemon's user")

    def test_included_file_writable_by_others_refused(self):
        inc = os.path.join(self.dir, "depth.inc")
        with open(inc, "w") as f:
            f.write("max_json_depth = 16;\n")
        d = self.daemon()
        with open(d.conf, "a") as f:
            f.write('@include "depth.inc"\n')
        os.chmod(inc, 0o646)
        self.refused(d, "refusing an included file", inc,
                     "writable by everyone")
        os.chmod(inc, 0o644)
        rc, err = self.check(d)
        self.assertEqual(rc, 0, err)

    def test_server_key_in_unsafe_directory_refused(self):
        keydir = os.path.join(self.dir, "keys")
        os.mkdir(keydir)
        os.chmod(keydir, 0o770)
        d = self.daemon()
        moved = os.path.join(keydir, "server.key_secret")
        shutil.copy(d.server_key, moved)
        os.chmod(moved, 0o600)
        with open(d.conf) as f:
            text = f.read().replace(d.server_key, moved)
        with open(d.conf, "w") as f:
            f.write(text)
        self.refused(d, "server key", keydir, "writable by its group")

    def test_master_key_writable_by_group_refused(self):
        os.chmod(self.master, 0o620)
        self.refused(self.daemon(), "keyring", self.master,
                     "writable by its group")

    # -- the process ------------------------------------------------------

    def test_files_are_the_daemons_alone(self):
        """umask 077: the audit log and every store file, whatever the
        umask cofferd was started with."""
        d = self.daemon()
        old = os.umask(0)
        try:
            d.start()
        finally:
            os.umask(old)
        self.write_secret(d)
        self.assertEqual(d.stop(), 0)
        for top, dirs, files in os.walk(self.var):
            for name in dirs + files:
                mode = os.stat(os.path.join(top, name)).st_mode
                self.assertEqual(mode & 0o077, 0,
                                 "%s/%s has mode %o" % (top, name, mode))

    def test_not_dumpable(self):
        """No core dumps, no ptrace by the same user: the kernel then owns
        /proc/PID as root, whoever runs the daemon.  Checked as a user
        that is not root: nobody, after the drop."""
        if os.geteuid() != 0:
            self.skipTest("needs root to see the owner change")
        nobody = pwd.getpwnam("nobody")
        os.chown(self.var, nobody.pw_uid, nobody.pw_gid)
        d = self.daemon(extra='user = "nobody";')
        d.start()
        self.assertEqual(status_of(d.proc.pid)["Uid"][0], "65534")
        self.assertEqual(os.stat("/proc/%d/environ" % d.proc.pid).st_uid, 0)
        self.assertEqual(d.stop(), 0)

    def test_root_drops_to_configured_user(self):
        if os.geteuid() != 0:
            self.skipTest("cofferd drops privileges only when started as "
                          "root")
        nobody = pwd.getpwnam("nobody")
        os.chown(self.var, nobody.pw_uid, nobody.pw_gid)
        d = self.daemon(extra='user = "nobody"; group = "nogroup";')
        d.start()
        st = status_of(d.proc.pid)
        self.assertEqual(st["Uid"], ["65534"] * 4, st["Uid"])
        self.assertEqual(st["Gid"], ["65534"] * 4, st["Gid"])
        self.assertEqual(st["Groups"], ["65534"], st["Groups"])
        self.assertEqual(st["NoNewPrivs"], ["1"])
        self.assertEqual(st["CapEff"], ["0000000000000000"])
        self.assertIn("running as user nobody", d.log_text())
        # Keys were read as root (mode 0600, root's); the store and the
        # audit log are written as nobody.
        self.write_secret(d)
        for top, dirs, files in os.walk(self.var):
            for name in dirs + files:
                owner = os.stat(os.path.join(top, name)).st_uid
                self.assertEqual(owner, nobody.pw_uid, name)
        self.assertEqual(d.stop(), 0)

    def test_pidfile_after_the_drop(self):
        """The pid file is made as root before the drop and written once
        ready; at exit nobody removes it where it may, and empties it
        where only root may (a stale pid would name another process)."""
        if os.geteuid() != 0:
            self.skipTest("cofferd drops privileges only when started as "
                          "root")
        nobody = pwd.getpwnam("nobody")
        os.chown(self.var, nobody.pw_uid, nobody.pw_gid)
        d = self.daemon(extra='user = "nobody";')
        for where, removed in ((self.dir, False), (self.var, True)):
            pidfile = os.path.join(where, "cofferd.pid")
            d.start("-p", pidfile)
            with open(pidfile) as f:
                self.assertEqual(f.read(), "%d\n" % d.proc.pid)
            self.assertEqual(os.stat(pidfile).st_uid, 0)
            self.assertEqual(d.stop(), 0)
            self.assertEqual(os.path.exists(pidfile), not removed)
            if not removed:
                self.assertEqual(os.path.getsize(pidfile), 0)
                self.assertIn("cannot remove pid file %s" % pidfile,
                              d.log_text())

    def test_pidfile_that_cannot_be_made_refused(self):
        d = self.daemon()
        d.start("-p", os.path.join(self.dir, "no-such-dir", "cofferd.pid"),
                wait=False)
        self.assertEqual(d.proc.wait(15), 1)
        self.assertIn("cannot create pid file", d.log_text())

    def test_unknown_user_refused(self):
        d = self.daemon(extra='user = "no-such-user-coffer";')
        self.refused(d, "user 'no-such-user-coffer': no such user")

    def test_root_without_user_warns(self):
        if os.geteuid() != 0:
            self.skipTest("the warning is for a daemon started as root")
        d = self.daemon().start()
        self.assertIn("running as root; set 'user'", d.log_text())
        self.assertEqual(d.stop(), 0)


if __name__ == "__main__":
    ct.main()
