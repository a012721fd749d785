#!/usr/bin/python3
"""store_fs fault injection: every write, fsync, create and rename fails in
turn, under a real cofferd.

tests/faultfs.c (LD_PRELOAD) counts the file system calls on the store's
files.  A first run of the workload counts them; then, for each call and
each errno that call can meet (ENOSPC and EIO for writes and fsyncs,
EACCES and ENOSPC for creates, EIO for renames), a daemon on a fresh store
runs the same workload with exactly that call failing.  Each request is
either acknowledged or refused with a clean error (unavailable or
internal, no secret value in it, the cause in the server log); the daemon
keeps serving; and a second daemon started on the store afterwards finds
every acknowledged write intact, and every revision there opens.  A last
run fills the disk for good (every write fails from some point on) and
checks that reads go on and writes come back once it has room.

    COFFER_FAULTS_EVERY=1 (default) tries every call; N tries every Nth.
"""
import collections
import os
import sys
import unittest

try:
    import zmq
except ImportError:                      # pragma: no cover
    print("SKIP: pyzmq is not installed (apt-get install python3-zmq)")
    sys.exit(77)

import coffertest as ct

FAULTFS = os.environ.get("FAULTFS_SO", "")
STORE_FS = os.environ.get("STORE_FS_SO", "")
VALUE = "pw-Fault!neverShown-%d"
EVERY = int(os.environ.get("COFFER_FAULTS_EVERY", "1"))
ERRNOS = {"write": ("ENOSPC", "EIO"), "fsync": ("EIO", "ENOSPC"),
          "create": ("EACCES", "ENOSPC"), "rename": ("EIO",)}
STRERROR = {"ENOSPC": "No space left on device", "EIO": "Input/output error",
            "EACCES": "Permission denied"}

# The workload: (op, name) in order; values are numbered as they go.
WORK = [("secret.create", "a"), ("secret.create", "b"),
        ("secret.update", "a"), ("secret.update", "b"),
        ("secret.create", "deep/c"), ("secret.update", "a"),
        ("service.put", "web")]


class Faults(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        cls.dir = ct.scratch_dir("faults")
        cls.pub, cls.sec = (k.decode() for k in zmq.curve_keypair())
        cls.master = os.path.join(cls.dir, "master-1.key")
        ct.coffer("keygen", "--master", cls.master)
        cls.runs = cls.refused = 0

    @classmethod
    def tearDownClass(cls):
        ct.cleanup(cls.dir)

    def daemon(self, store, env=None):
        """A daemon on STORE, its config and log beside it (with ENV: the
        shim preloaded)."""
        auth = ('{ module = "test_auth"; control = "required"; '
                'users = [ "%s admin user" ]; }' % self.pub)
        home = store + ".d"
        os.makedirs(home, 0o700, exist_ok=True)
        if os.path.exists(os.path.join(home, "cofferd.log")):
            os.unlink(os.path.join(home, "cofferd.log"))
        d = ct.Daemon(home, auth, extra='keyring = [ "%s" ];'
                      % self.master, store='{ module = "%s"; path = "%s"; }'
                      % (STORE_FS, store))
        self.addCleanup(d.kill)
        if env:
            asan = os.environ.get("ASAN_OPTIONS", "")
            env = dict(env, LD_PRELOAD=FAULTFS, FAULTFS_PREFIX=store,
                       ASAN_OPTIONS=asan + ":verify_asan_link_order=0")
        return d.start(wait=False, env=env)

    def ready(self, d):
        """True once D listens; False if it exited (asserting it said why
        and exited 1)."""
        try:
            d.wait_log("listening on", 15)
            return True
        except AssertionError:
            if d.proc.poll() is None:
                raise
            self.assertEqual(d.proc.returncode, 1, d.log_text())
            self.assertRegex(d.log_text(), "error: .*store")
            return False

    def client(self, d):
        c = ct.Client(d.endpoint, d.server_public, self.pub, self.sec)
        self.clients.append(c)
        return c

    def setUp(self):
        self.clients = []
        self.addCleanup(self.close_clients)

    def close_clients(self):
        while self.clients:
            self.clients.pop().close()

    def workload(self, d):
        """Run WORK; {name: [(revision or None, value), ...]}."""
        c = self.client(d)
        tried = collections.defaultdict(list)
        for i, (op, name) in enumerate(WORK):
            value = VALUE % i
            args = {"name": name}
            if op == "service.put":
                args["secrets"] = ["a", "b"]
            else:
                args["pairs"] = {"K": value}
            reply = c.call(op, args, timeout=15)
            self.assertIsNotNone(reply, "%s %s: no reply" % (op, name))
            if reply["ok"]:
                tried[name].append((reply["result"]["revision"], value))
                continue
            self.assertIn(reply["error"]["code"],
                          ("unavailable", "internal", "not_found"), reply)
            self.assertNotIn("pw-Fault", reply["error"]["message"])
            tried[name].append((None, value))
        # Whatever failed, the daemon still answers.
        self.assertTrue(c.call("whoami", timeout=15)["ok"])
        return tried

    def verify(self, store, tried):
        """A fresh daemon on STORE: every acknowledged write there and
        intact; every revision present opens."""
        d = self.daemon(store)
        self.assertTrue(self.ready(d))
        c = self.client(d)
        for name, attempts in tried.items():
            if name == "web":
                continue
            hist = c.call("secret.history", {"name": name})
            acked = [(r, v) for r, v in attempts if r is not None]
            if not hist["ok"]:
                self.assertEqual(hist["error"]["code"], "not_found", hist)
                self.assertEqual(acked, [], "%s lost: %s" % (name, acked))
                continue
            for entry in hist["result"]["revisions"]:
                got = c.call("secret.get", {"name": name,
                                            "revision": entry["revision"]})
                self.assertTrue(got["ok"], (name, entry, got))
                self.assertIn(got["result"]["pairs"]["K"],
                              [v for _, v in attempts])
            for rev, value in acked:
                got = c.call("secret.get", {"name": name, "revision": rev})
                self.assertTrue(got["ok"], (name, rev, got))
                self.assertEqual(got["result"]["pairs"], {"K": value})
        self.close_clients()
        self.assertEqual(d.stop(), 0)

    def run_faulted(self, spec):
        self.runs += 1
        store = os.path.join(self.dir, "store-%d" % self.runs)
        d = self.daemon(store, {"FAULTFS": spec})
        if self.ready(d):
            tried = self.workload(d)
            self.close_clients()
            self.assertEqual(d.stop(), 0)
            text = d.log_text()
            refused = sum(r is None for a in tried.values() for r, _ in a)
            type(self).refused += refused
            if refused:
                err = spec.split(":")[2]
                self.assertIn(STRERROR[err], text, spec)
            self.assertNotIn("pw-Fault", text)
            self.verify(store, tried)
        else:
            self.assertNotIn("pw-Fault", d.log_text())

    def counts(self):
        """How many calls of each kind the workload makes, start-up
        included."""
        log = os.path.join(self.dir, "calls.log")
        store = os.path.join(self.dir, "store-count")
        d = self.daemon(store, {"FAULTFS_LOG": log})
        self.assertTrue(self.ready(d))
        tried = self.workload(d)
        self.assertEqual(d.stop(), 0)
        self.assertTrue(all(r is not None for a in tried.values()
                            for r, _ in a), tried)
        n = collections.Counter()
        with open(log) as f:
            for line in f:
                n[line.split()[0]] += 1
        return n

    def test_every_call_fails_in_turn(self):
        n = self.counts()
        # The workload exercises every kind of call.
        for op in ERRNOS:
            self.assertGreater(n[op], 0, (op, n))
        for op, errnos in ERRNOS.items():
            for nth in range(1, n[op] + 1, EVERY):
                for err in errnos:
                    with self.subTest(fault="%s:%d:%s" % (op, nth, err)):
                        self.run_faulted("%s:%d:%s" % (op, nth, err))
        print("%d faulted runs over %s; %d requests refused" % (
            self.runs, dict(n), self.refused))
        # The faults reached the requests, not only the start-up.
        self.assertGreater(self.refused, self.runs // 2)

    def test_disk_full_then_room_again(self):
        store = os.path.join(self.dir, "store-full")
        d = self.daemon(store)
        self.assertTrue(self.ready(d))
        c = self.client(d)
        self.assertTrue(c.call("secret.create", {"name": "kept", "pairs": {
            "K": VALUE % 0}})["ok"])
        self.assertEqual(d.stop(), 0)
        d = self.daemon(store, {"FAULTFS": "write:1:ENOSPC:+"})
        self.assertTrue(self.ready(d))
        c = self.client(d)
        for i in range(5):
            r = c.call("secret.update", {"name": "kept",
                                         "pairs": {"K": VALUE % (i + 1)}})
            self.assertEqual(r["error"]["code"], "unavailable", r)
            got = c.call("secret.get", {"name": "kept"})
            self.assertEqual(got["result"]["pairs"], {"K": VALUE % 0})
        self.assertEqual(d.stop(), 0)
        self.assertIn("No space left on device", d.log_text())
        # Room again: writes work, and nothing half-written is in the way.
        d = self.daemon(store)
        self.assertTrue(self.ready(d))
        c = self.client(d)
        r = c.call("secret.update", {"name": "kept", "pairs": {
            "K": VALUE % 9}})
        self.assertTrue(r["ok"], r)
        self.assertEqual(r["result"]["revision"], 2)
        self.assertEqual(d.stop(), 0)


if __name__ == "__main__":
    if not FAULTFS or not STORE_FS:
        print("SKIP: FAULTFS_SO and STORE_FS_SO are set by make check")
        sys.exit(77)
    ct.main()
