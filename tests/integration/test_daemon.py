#!/usr/bin/python3
"""Integration: the real cofferd, real CURVE clients (pyzmq), real signals.

Run by `make check` with COFFERD and COFFER_MODULEDIR pointing into the
build tree; the daemon loads the test modules through its real loader.
"""
import os
import signal
import socket
import subprocess
import sys
import time
import unittest

try:
    import zmq
except ImportError:                      # pragma: no cover
    print("SKIP: pyzmq is not installed (apt-get install python3-zmq)")
    sys.exit(77)

import coffertest as ct


def auth_entry(users, control="required", extra=""):
    entries = ", ".join('"%s %s %s"' % u for u in users)
    return ('{ module = "test_auth"; control = "%s"; users = [ %s ]; %s }'
            % (control, entries, extra))


class Served(unittest.TestCase):
    """One daemon for the request-level tests."""

    workers = 4

    @classmethod
    def setUpClass(cls):
        cls.dir = ct.scratch_dir("daemon")
        cls.alice_pub, cls.alice_sec, _ = ct.keypair(
            cls.dir, "alice", name="alice", type="user")
        cls.web_pub, cls.web_sec, _ = ct.keypair(cls.dir, "web")
        cls.refused_pub, cls.refused_sec, _ = ct.keypair(cls.dir, "refused")
        users = [(cls.alice_pub, "alice", "user"),
                 (cls.web_pub, "web", "service"),
                 (cls.refused_pub, "mallory", "user")]
        extra = 'refuse = [ "%s" ]; slow_ms = 1500;' % cls.refused_pub
        cls.daemon = ct.Daemon(cls.dir, auth_entry(users, extra=extra),
                               extra="max_request_bytes = 65536;",
                               workers=cls.workers)
        cls.daemon.start()

    @classmethod
    def tearDownClass(cls):
        rc = cls.daemon.stop()
        ct.cleanup(cls.dir)
        assert rc == 0, rc

    def client(self, public=None, secret=None, **kw):
        c = ct.Client(self.daemon.endpoint, self.daemon.server_public,
                      public, secret, **kw)
        self.addCleanup(c.close)
        return c

    def alice(self, **kw):
        return self.client(self.alice_pub, self.alice_sec, **kw)

    def assertError(self, reply, code):
        self.assertIsNotNone(reply, "no reply")
        self.assertFalse(reply["ok"], reply)
        self.assertEqual(reply["error"]["code"], code, reply)
        self.assertTrue(reply["error"]["message"])

    def assertServing(self):
        reply = self.alice().call("whoami")
        self.assertTrue(reply["ok"], reply)

    def test_whoami_over_req(self):
        reply = self.alice(kind=zmq.REQ).call("whoami")
        self.assertEqual(reply["v"], 1)
        self.assertTrue(reply["ok"], reply)
        self.assertEqual(reply["result"]["name"], "alice")
        self.assertEqual(reply["result"]["type"], "user")
        self.assertEqual(reply["result"]["module"], "test_auth")

    def test_whoami_service(self):
        reply = self.client(self.web_pub, self.web_sec).call("whoami")
        self.assertEqual(reply["result"]["name"], "web")
        self.assertEqual(reply["result"]["type"], "service")

    def test_pipelined_dealer(self):
        c = self.alice()
        ids = ["p%d" % i for i in range(200)]
        for rid in ids:
            c.request("whoami", rid=rid)
        got = [c.recv() for _ in ids]
        self.assertNotIn(None, got)
        self.assertEqual(sorted(r["id"] for r in got), sorted(ids))
        self.assertTrue(all(r["ok"] for r in got))

    def test_unknown_key_denied(self):
        reply = self.client().call("whoami")
        self.assertError(reply, "denied")
        self.assertNotIn("result", reply)
        self.assertServing()

    def test_wrong_server_key_gets_nothing(self):
        other_pub, _ = zmq.curve_keypair()
        c = ct.Client(self.daemon.endpoint, other_pub.decode(),
                      self.alice_pub, self.alice_sec)
        self.addCleanup(c.close)
        self.assertIsNone(c.call("whoami", timeout=1.0))
        self.assertServing()

    def test_plaintext_client_gets_nothing(self):
        c = self.client(curve=False)
        self.assertIsNone(c.call("whoami", timeout=1.0))
        self.assertServing()

    def test_refused_at_handshake(self):
        c = self.client(self.refused_pub, self.refused_sec)
        self.assertIsNone(c.call("whoami", timeout=1.0))
        self.daemon.wait_log("refused a handshake")
        self.assertServing()

    def test_bad_json(self):
        c = self.alice()
        c.send_frames([b'{"v":1,"id":3,'])
        self.assertError(c.recv(), "bad_request")
        c.send_frames([b"\xff\xfe not utf-8"])
        self.assertError(c.recv(), "bad_request")
        self.assertServing()

    def test_wrong_types(self):
        c = self.alice()
        c.send_frames([b'{"v":1,"id":{"a":1},"op":"whoami"}'])
        self.assertError(c.recv(), "bad_request")
        c.send_frames([b'{"v":1,"id":1,"op":["whoami"]}'])
        self.assertError(c.recv(), "bad_request")
        c.send_frames([b'{"v":7,"id":1,"op":"whoami"}'])
        self.assertError(c.recv(), "bad_version")

    def test_multipart_garbage(self):
        c = self.alice()
        c.send_frames([b'{"v":1,"id":1,"op":"whoami"}', b"junk", b"more"])
        self.assertError(c.recv(), "bad_request")
        self.assertServing()

    def test_too_large(self):
        c = self.alice()
        body = b'{"v":1,"id":1,"op":"whoami","args":{"x":"' + \
            b"a" * 70000 + b'"}}'
        c.send_frames([body])
        self.assertError(c.recv(), "too_large")
        self.assertServing()

    def test_too_deep(self):
        c = self.alice()
        c.send_frames([b"[" * 5000 + b"]" * 5000])
        self.assertError(c.recv(), "too_deep")
        self.assertServing()

    def test_unknown_op(self):
        self.assertError(self.alice().call("launch"), "unknown_op")

    def wait_behind_slow(self):
        """Seconds a whoami waits when sent just after a slow (1.5 s)
        one; both are answered."""
        slow = self.alice()
        slow.request("whoami", credentials={"token": "slow"})
        time.sleep(0.1)
        start = time.time()
        reply = self.alice().call("whoami")
        waited = time.time() - start
        self.assertTrue(reply["ok"])
        self.assertTrue(slow.recv(timeout=5)["ok"])
        return waited

    def test_slow_request_does_not_stall_others(self):
        self.assertLess(self.wait_behind_slow(), 1.0)

    def test_no_secret_material_in_log(self):
        self.alice().call("whoami", credentials={"token": "tok-SECRET-1"})
        log = self.daemon.log_text()
        self.assertNotIn("tok-SECRET-1", log)
        self.assertNotIn(self.alice_sec, log)


class ServedOnIOThread(Served):
    """The same with workers = 0: requests run on the I/O thread."""

    workers = 0

    def test_slow_request_does_not_stall_others(self):
        """Here it does, as cofferd.conf(5) says: one thread runs every
        request, so a slow one holds up the rest, which are then
        answered."""
        self.assertGreater(self.wait_behind_slow(), 1.0)


class Lifecycle(unittest.TestCase):
    """Start, reload, stop, daemon mode, refusals at startup."""

    def setUp(self):
        self.dir = ct.scratch_dir("life")
        self.addCleanup(ct.cleanup, self.dir)
        self.pub, self.sec, _ = ct.keypair(self.dir, "admin")

    def daemon(self, extra_auth="", extra="", workers=4):
        d = ct.Daemon(self.dir, auth_entry([(self.pub, "admin", "user")],
                                           extra=extra_auth), extra=extra,
                      workers=workers)
        self.addCleanup(d.kill)
        return d

    def client(self, d):
        c = ct.Client(d.endpoint, d.server_public, self.pub, self.sec)
        self.addCleanup(c.close)
        return c

    def test_store_failing_at_runtime(self):
        """A store that answers every call with an error, a retryable
        code, or codes outside the enum (a store saying DENIED or IGNORE,
        77, -3): clean errors, never a crash, never a success."""
        key = os.path.join(self.dir, "master-1.key")
        ct.coffer("keygen", "--master", key)
        expect = {4: "internal", 5: "internal", 6: "unavailable",
                  7: "internal", 77: "internal", -3: "internal"}
        for code, error in expect.items():
            d = ct.Daemon(self.dir, auth_entry([(self.pub, "admin", "user")]),
                          extra='keyring = [ "%s" ];' % key,
                          store='{ module = "test_store"; answer = %d; }'
                          % code)
            self.addCleanup(d.kill)
            d.start()
            c = self.client(d)
            for op, args in (("secret.create", {"name": "a",
                                                "pairs": {"K": "v"}}),
                             ("secret.get", {"name": "a"}),
                             ("secret.list", {}),
                             ("secret.history", {"name": "a"}),
                             ("secret.delete", {"name": "a"}),
                             ("service.get", {"name": "web"})):
                r = c.call(op, args)
                self.assertFalse(r["ok"], (code, op, r))
                self.assertEqual(r["error"]["code"], error, (code, op, r))
            self.assertTrue(c.call("whoami")["ok"])
            self.assertEqual(d.stop(), 0)

    def test_auth_failing_at_runtime(self):
        """An auth module answering errors or garbage never lets anyone in:
        alone it denies everyone; as 'sufficient' before a working module,
        only that module's principals get in, except after a code outside
        the enum, which fails the whole stack (Linux-PAM's rule too)."""
        stranger = [k.decode() for k in zmq.curve_keypair()]
        for answer in ("garbage", "error", "unavailable",
                       "ok_without_principal", "deny"):
            broken = ('{ module = "test_auth"; control = "%s"; '
                      'answer = "%s"; }')
            for control, stack in (
                    ("required", broken % ("required", answer)),
                    ("sufficient", broken % ("sufficient", answer) + ", " +
                     auth_entry([(self.pub, "admin", "user")]))):
                d = ct.Daemon(self.dir, stack)
                self.addCleanup(d.kill)
                d.start()
                r = ct.Client(d.endpoint, d.server_public, *stranger)
                self.addCleanup(r.close)
                got = r.call("whoami")
                self.assertFalse(got["ok"], (answer, control, got))
                self.assertIn(got["error"]["code"], ("denied",
                                                     "unavailable"))
                me = self.client(d).call("whoami")
                self.assertEqual(me["ok"], control == "sufficient" and
                                 answer != "garbage", (answer, control, me))
                self.assertEqual(d.stop(), 0)

    def assert_reloads(self, d, c):
        """A SIGHUP to D reloads its modules, as C's whoami shows."""
        self.assertEqual(c.call("whoami")["result"]["attributes"],
                         {"reloads": "0"})
        d.signal(signal.SIGHUP)
        d.wait_log("reload done")
        self.assertEqual(c.call("whoami")["result"]["attributes"],
                         {"reloads": "1"})

    def test_sighup_reloads_modules(self):
        d = self.daemon().start()
        self.assert_reloads(d, self.client(d))
        self.assertEqual(d.stop(), 0)

    def test_sigterm_finishes_requests_in_flight(self):
        d = self.daemon(extra_auth="slow_ms = 1000;").start()
        c = self.client(d)
        ids = [c.request("whoami", credentials={"token": "slow"})
               for _ in range(4)]
        # All four read by the daemon and being handled, none answered.
        deadline = time.time() + 20
        while d.log_text().count("slow request started") < 4:
            self.assertLess(time.time(), deadline, d.log_text())
            time.sleep(0.01)
        d.signal(signal.SIGTERM)
        replies = [c.recv(timeout=5) for _ in ids]
        self.assertNotIn(None, replies)
        self.assertTrue(all(r["ok"] for r in replies))
        self.assertEqual(d.proc.wait(10), 0)
        self.assertIn("finishing 4 request(s) in flight", d.log_text())
        self.assertIn("stopped", d.log_text())

    def test_on_io_thread_reload_and_stop(self):
        """workers = 0: SIGHUP reloads between requests, and SIGTERM
        during a request lets it finish and be answered."""
        d = self.daemon(extra_auth="slow_ms = 1000;", workers=0).start()
        self.assertIn("requests run on the I/O thread", d.log_text())
        c = self.client(d)
        self.assert_reloads(d, c)
        rid = c.request("whoami", credentials={"token": "slow"})
        d.wait_log("slow request started")
        d.signal(signal.SIGTERM)
        reply = c.recv(timeout=5)
        self.assertIsNotNone(reply)
        self.assertEqual((reply["id"], reply["ok"]), (rid, True))
        self.assertEqual(d.proc.wait(10), 0)
        self.assertIn("stopped", d.log_text())

    def test_sigint_exits_cleanly(self):
        d = self.daemon().start()
        d.signal(signal.SIGINT)
        self.assertEqual(d.proc.wait(10), 0)

    def test_config_check(self):
        d = self.daemon()
        out = subprocess.run([ct.COFFERD, "-t", "-c", d.conf],
                             capture_output=True, text=True)
        self.assertEqual(out.returncode, 0, out.stderr)
        self.assertIn("configuration OK", out.stderr)

    def test_config_check_fails_on_module(self):
        d = ct.Daemon(self.dir, '{ module = "no_such_auth"; '
                      'control = "required"; }')
        out = subprocess.run([ct.COFFERD, "-t", "-c", d.conf],
                             capture_output=True, text=True)
        self.assertEqual(out.returncode, 1)
        self.assertIn("module 'no_such_auth'", out.stderr)
        self.assertIn("no_such_auth.so: No such file or directory",
                      out.stderr)

    def test_config_check_fails_on_key(self):
        d = self.daemon(extra="threads = 4;")
        out = subprocess.run([ct.COFFERD, "-t", "-c", d.conf],
                             capture_output=True, text=True)
        self.assertEqual(out.returncode, 1)
        self.assertRegex(out.stderr, r"cofferd\.conf:\d+: unknown key "
                         r"'threads'")

    def test_keyring(self):
        key = os.path.join(self.dir, "master-1.key")
        ct.coffer("keygen", "--master", key)
        d = self.daemon(extra='keyring = [ "%s" ];' % key)
        out = subprocess.run([ct.COFFERD, "-t", "-c", d.conf],
                             capture_output=True, text=True)
        self.assertEqual(out.returncode, 0, out.stderr)
        d.start()
        self.assertTrue(self.client(d).call("whoami")["ok"])
        self.assertEqual(d.stop(), 0)
        os.chmod(key, 0o644)
        out = subprocess.run([ct.COFFERD, "-t", "-c", d.conf],
                             capture_output=True, text=True)
        self.assertEqual(out.returncode, 1)
        self.assertIn("lets others read or write a master key; run chmod "
                      "600", out.stderr)
        with open(key) as f:
            self.assertNotIn(f.read().split()[2], out.stderr)

    def test_unprotected_server_key_refused(self):
        d = self.daemon()
        os.chmod(d.server_key, 0o644)
        d.start(wait=False)
        self.assertEqual(d.proc.wait(10), 1)
        self.assertIn("chmod 600", d.log_text())

    def test_public_cert_as_server_key_refused(self):
        d = self.daemon()
        public_file = d.server_key[:-len("_secret")]
        os.chmod(public_file, 0o600)
        with open(d.conf) as f:
            text = f.read().replace(d.server_key, public_file)
        with open(d.conf, "w") as f:
            f.write(text)
        d.start(wait=False)
        self.assertEqual(d.proc.wait(10), 1)
        self.assertIn("no secret-key", d.log_text())

    def test_port_in_use(self):
        d = self.daemon().start()
        d2 = ct.Daemon(self.dir, auth_entry([(self.pub, "a", "user")]),
                       port=d.port)
        self.addCleanup(d2.kill)
        d2.start(wait=False)
        self.assertEqual(d2.proc.wait(10), 1)
        self.assertIn("cannot listen on", d2.log_text())
        self.assertEqual(d.stop(), 0)

    def test_daemon_mode_with_pidfile(self):
        d = self.daemon()
        pidfile = os.path.join(self.dir, "cofferd.pid")
        out = subprocess.run([ct.COFFERD, "-c", d.conf, "-p", pidfile],
                             capture_output=True, text=True, timeout=15)
        self.assertEqual(out.returncode, 0, out.stderr)
        with open(pidfile) as f:
            pid = int(f.read())
        try:
            self.assertTrue(self.client(d).call("whoami")["ok"])
        finally:
            os.kill(pid, signal.SIGTERM)
        for _ in range(100):
            if not os.path.exists("/proc/%d" % pid):
                break
            time.sleep(0.05)
        self.assertFalse(os.path.exists("/proc/%d" % pid))
        self.assertFalse(os.path.exists(pidfile))

    def notify_socket(self, abstract):
        """A datagram socket for sd_notify messages: (socket, address)."""
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.addCleanup(sock.close)
        if abstract:
            name = "coffer-test-%d-%d" % (os.getpid(), time.monotonic_ns())
            sock.bind("\0" + name)
            address = "@" + name
        else:
            address = os.path.join(self.dir, "notify.sock")
            sock.bind(address)
        sock.settimeout(15)
        return sock, address

    def test_systemd_notify(self):
        """Type=notify: READY=1 once serving, RELOADING=1 and READY=1
        around a SIGHUP, STOPPING=1 at SIGTERM; abstract names too."""
        for abstract in (False, True):
            sock, address = self.notify_socket(abstract)
            d = self.daemon()
            d.start(wait=False, env={"NOTIFY_SOCKET": address})
            self.assertEqual(sock.recv(256), b"READY=1")
            self.assertTrue(self.client(d).call("whoami")["ok"])
            d.signal(signal.SIGHUP)
            self.assertEqual(sock.recv(256), b"RELOADING=1")
            self.assertEqual(sock.recv(256), b"READY=1")
            d.signal(signal.SIGTERM)
            self.assertEqual(sock.recv(256), b"STOPPING=1")
            self.assertEqual(d.proc.wait(15), 0)
            d.close_log()

    def test_daemon_mode_startup_failure(self):
        d = ct.Daemon(self.dir, '{ module = "broken_init"; '
                      'control = "required"; }')
        out = subprocess.run([ct.COFFERD, "-c", d.conf], capture_output=True,
                             text=True, timeout=15)
        self.assertEqual(out.returncode, 1)
        self.assertIn("init failed: this module always fails", out.stderr)


if __name__ == "__main__":
    ct.main()
