#!/usr/bin/python3
"""cofferd crash loop: SIGKILL the daemon during mixed writes, over and over.

Each round starts cofferd (store_fs) on the same store, has four clients
create, update and map secrets as fast as they can, and SIGKILLs the daemon
after a random 10 to 150 ms.  Every reply that said ok is recorded.  At the
end a fresh daemon must find every acknowledged revision with exactly the
value that was acknowledged, and every revision present must open (a write
cut short may be there or not, never half there).

    COFFER_DAEMON_CRASH_ROUNDS=1000 make check TESTS=...   # the long run
"""
import os
import random
import sys
import threading
import time
import unittest

try:
    import zmq
except ImportError:                      # pragma: no cover
    print("SKIP: pyzmq is not installed (apt-get install python3-zmq)")
    sys.exit(77)

import coffertest as ct

STORE_FS = os.environ.get("STORE_FS_SO", "")
ROUNDS = int(os.environ.get("COFFER_DAEMON_CRASH_ROUNDS", "150"))
NAMES = ["app/%d" % i for i in range(12)]


class CrashLoop(unittest.TestCase):

    def setUp(self):
        self.dir = ct.scratch_dir("dcrash")
        self.addCleanup(ct.cleanup, self.dir)
        self.pub, self.sec = (k.decode() for k in zmq.curve_keypair())
        master = os.path.join(self.dir, "master-1.key")
        ct.coffer("keygen", "--master", master)
        auth = ('{ module = "test_auth"; control = "required"; '
                'users = [ "%s admin user" ]; }' % self.pub)
        self.daemon = ct.Daemon(
            self.dir, auth, extra='keyring = [ "%s" ];' % master,
            store='{ module = "%s"; path = "%s/store"; }'
            % (STORE_FS, self.dir))
        self.addCleanup(self.daemon.kill)
        self.acked = {}          # (name, revision) -> value
        self.tried = set()       # every value ever sent
        self.lock = threading.Lock()
        self.seq = 0

    def value(self):
        with self.lock:
            self.seq += 1
            v = "v-%d-%s" % (self.seq, os.urandom(6).hex())
            self.tried.add(v)
            return v

    def writer(self, stop):
        c = ct.Client(self.daemon.endpoint, self.daemon.server_public,
                      self.pub, self.sec)
        try:
            while not stop.is_set():
                name = random.choice(NAMES)
                if random.random() < 0.1:
                    c.call("service.put", {"name": "svc", "secrets":
                                           random.sample(NAMES, 3)},
                           timeout=0.2)
                    continue
                v = self.value()
                op = random.choice(("secret.create", "secret.update"))
                r = c.call(op, {"name": name, "pairs": {"K": v}},
                           timeout=0.2)
                if r is None:
                    return          # the daemon is gone
                if r["ok"]:
                    with self.lock:
                        self.acked[(name, r["result"]["revision"])] = v
        finally:
            c.close()

    def round(self):
        self.daemon.start()
        stop = threading.Event()
        threads = [threading.Thread(target=self.writer, args=(stop,))
                   for _ in range(4)]
        for t in threads:
            t.start()
        time.sleep(random.uniform(0.01, 0.15))
        self.daemon.kill()               # SIGKILL
        stop.set()
        for t in threads:
            t.join()

    def revisions(self, c, name):
        """Every revision of NAME present in the store."""
        revs, after = [], 0
        while True:
            h = c.call("secret.history", {"name": name, "after": after,
                                          "limit": 100})
            if not h["ok"]:
                self.assertEqual(h["error"]["code"], "not_found", h)
                return revs
            page = [e["revision"] for e in h["result"]["revisions"]]
            if not page:
                return revs
            revs += page
            after = page[-1]

    def verify(self):
        d = self.daemon.start()
        c = ct.Client(d.endpoint, d.server_public, self.pub, self.sec)
        try:
            for (name, rev), v in sorted(self.acked.items()):
                r = c.call("secret.get", {"name": name, "revision": rev})
                self.assertTrue(r["ok"], (name, rev, r))
                self.assertEqual(r["result"]["pairs"], {"K": v},
                                 (name, rev))
            for name in NAMES:
                for rev in self.revisions(c, name):
                    r = c.call("secret.get", {"name": name,
                                              "revision": rev})
                    self.assertTrue(r["ok"], (name, rev, r))
                    self.assertIn(r["result"]["pairs"]["K"], self.tried)
            self.assertTrue(c.call("service.get", {"name": "svc"})["ok"])
        finally:
            c.close()
        self.assertEqual(d.stop(), 0)

    def test_crash_loop(self):
        seed = int(os.environ.get("COFFER_CRASH_SEED", str(int(time.time()))))
        random.seed(seed)
        for _ in range(ROUNDS):
            self.round()
        print("seed %d: %d SIGKILLs, %d acknowledged writes" % (
            seed, ROUNDS, len(self.acked)))
        self.assertGreater(len(self.acked), ROUNDS)
        self.verify()


if __name__ == "__main__":
    if not STORE_FS:
        print("SKIP: STORE_FS_SO is set by make check")
        sys.exit(77)
    ct.main()
