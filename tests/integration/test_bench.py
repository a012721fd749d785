#!/usr/bin/python3
"""Integration: the benchmark harness's load generator, bench/coffer-bench,
against a real daemon (store_fs, auth_curve) and its echo baseline.

Short runs, no timing asserted (figures belong in docs/performance.md, not
in tests): that every operation of the mix is answered without errors,
that the baseline replies with the daemon's reply sizes, and that
--rounds gives one ratio per round and their median, and that the
baseline served alone (--serve-baseline, with --zap its ZAP handler)
answers a CURVE client.
"""
import json
import os
import statistics
import subprocess
import sys
import unittest

try:
    import zmq
except ImportError:                      # pragma: no cover
    print("SKIP: pyzmq is not installed")
    sys.exit(77)

import coffertest as ct

BENCH = os.path.join(ct.BUILDDIR, "bench", "coffer-bench")
NAMES = 20


class Bench(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        cls.dir = ct.scratch_dir("bench")
        certs = os.path.join(cls.dir, "certs")
        os.mkdir(certs, 0o755)
        cls.admin = ct.keypair(cls.dir, "admin")
        cls.svc = ct.keypair(cls.dir, "benchsvc")
        for name, kind, key in (("admin", "user", cls.admin),
                                ("benchsvc", "service", cls.svc)):
            ct.coffer("cert", "add", "--certs", certs, "--key", key[0],
                      "--name", name, "--type", kind)
        master = os.path.join(cls.dir, "master.key")
        ct.coffer("keygen", "--master", master)
        cls.daemon = ct.Daemon(
            cls.dir, '{ module = "%s"; control = "required"; certs = "%s"; }'
            % (ct.module("auth-curve/.libs/auth_curve.so"), certs),
            store='{ module = "%s"; path = "%s/store"; }'
            % (ct.module("store-fs/.libs/store_fs.so"), cls.dir),
            extra='keyring = [ "%s" ]; audit_log = "%s/audit.log";'
            % (master, cls.dir))
        cls.daemon.start()
        cls.seed()

    @classmethod
    def seed(cls):
        c = ct.Client(cls.daemon.endpoint, cls.daemon.server_public,
                      *cls.admin[:2])
        try:
            names = ["bench/%06d" % i for i in range(NAMES)]
            for name in names:
                r = c.call("secret.create", {"name": name,
                                             "pairs": {"V": "x" * 32}})
                assert r["ok"], r
            r = c.call("service.put", {"name": "benchsvc",
                                       "secrets": names[:10]})
            assert r["ok"], r
        finally:
            c.close()

    @classmethod
    def tearDownClass(cls):
        cls.daemon.stop()
        ct.cleanup(cls.dir)

    def bench(self, *args):
        out = subprocess.run(
            [BENCH, "--endpoint", self.daemon.endpoint, "--server-key",
             self.daemon.server_public, "--cert", self.admin[2],
             "--service", "benchsvc", "--service-cert", self.svc[2],
             "--names", str(NAMES), "--connections", "3", "--inflight",
             "4", "--warmup", "0.2", "--json"] + list(args),
            capture_output=True, text=True, timeout=120)
        self.assertEqual(out.returncode, 0, out.stderr + out.stdout)
        return json.loads(out.stdout)

    def test_mix_against_the_baseline(self):
        r = self.bench("--mix", "get=50,service=30,update=20",
                       "--duration", "1", "--baseline")
        self.assertEqual(r["coffer"]["errors"], 0)
        self.assertEqual(r["baseline"]["errors"], 0)
        for op in ("get", "service", "update"):
            mine = r["coffer"]["ops"][op]
            self.assertGreater(mine["requests_per_s"], 0, op)
            # The echo server answers with the daemon's reply sizes, as
            # the probe run saw them: since then ids have grown by a digit
            # or two, and updates have lengthened values and revisions.
            size = mine["reply_bytes"]
            self.assertGreater(size, 40, op)
            self.assertLessEqual(
                abs(r["baseline"]["ops"][op]["reply_bytes"] - size),
                max(16, size // 20), op)
        self.assertGreater(r["ratio"], 0)
        self.assertEqual(r["rounds"], 1)
        self.assertEqual(len(r["round_ratios"]), 1)
        self.assertGreaterEqual(r["coffer"]["p99_us"], r["coffer"]["p50_us"])

    def test_rounds(self):
        r = self.bench("--duration", "1.5", "--baseline", "--rounds", "3")
        self.assertEqual(r["rounds"], 3)
        rounds = r["round_ratios"]
        self.assertEqual(len(rounds), 3)
        self.assertTrue(all(x > 0 for x in rounds), rounds)
        self.assertAlmostEqual(r["ratio"], statistics.median(rounds),
                               places=2)
        self.assertEqual(r["coffer"]["errors"], 0)

    def serve_baseline(self, *args):
        """The baseline alone: its process, public key and endpoint."""
        proc = subprocess.Popen([BENCH, "--serve-baseline"] + list(args),
                                stdout=subprocess.PIPE, text=True)
        self.addCleanup(proc.stdout.close)
        self.addCleanup(proc.wait, 30)
        self.addCleanup(proc.terminate)
        key, endpoint = proc.stdout.readline().split()
        return proc, key, endpoint

    def test_serve_baseline(self):
        threads = {}
        for args in ((), ("--zap",)):
            proc, key, endpoint = self.serve_baseline(*args)
            self.assertEqual(len(key), 40)
            c = ct.Client(endpoint, key, *self.admin[:2])
            try:
                r = c.call("secret.get", {"name": "bench/000001"})
            finally:
                c.close()
            self.assertTrue(r["ok"], r)
            threads[args] = len(os.listdir("/proc/%d/task" % proc.pid))
        # The ZAP handler is a thread of its own, answering each handshake.
        self.assertEqual(threads[("--zap",)], threads[()] + 1)

    def test_bad_options(self):
        for args, says in ((["--rounds", "0"], "usage"),
                           (["--rounds", "17"], "usage"),
                           (["--mix", "get=50"], "--mix: OP=PERCENT"),
                           (["--inflight", "0"], "usage")):
            out = subprocess.run(
                [BENCH, "--endpoint", self.daemon.endpoint, "--server-key",
                 self.daemon.server_public, "--cert", self.admin[2]] + args,
                capture_output=True, text=True, timeout=30)
            self.assertEqual(out.returncode, 1, args)
            self.assertIn(says, out.stderr, args)


if __name__ == "__main__":
    ct.main()
