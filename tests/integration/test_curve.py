#!/usr/bin/python3
"""Integration: cofferd with store_fs and auth_curve, pyzmq clients.

Certificates come from pyzmq (zmq.auth.create_certificates) and from
`coffer keygen`, and are added with `coffer cert add`; revocation with
`coffer cert rm` must bite on a connection that is already open.
"""
import os
import subprocess
import sys
import time
import unittest

try:
    import zmq
    import zmq.auth
except ImportError:                      # pragma: no cover
    print("SKIP: pyzmq is not installed")
    sys.exit(77)

import coffertest as ct


def wait_until(fn, timeout=3.0):
    """Poll FN until it is true; the seconds it took."""
    start = time.time()
    while not fn():
        if time.time() - start > timeout:
            raise AssertionError("not within %.1fs" % timeout)
        time.sleep(0.02)
    return time.time() - start


class CurveStore(unittest.TestCase):

    def setUp(self):
        self.dir = ct.scratch_dir("curve")
        self.addCleanup(ct.cleanup, self.dir)
        self.certs = os.path.join(self.dir, "certs")
        os.mkdir(self.certs, 0o755)

    def start(self, extra=""):
        auth = ('{ module = "%s"; control = "required"; certs = "%s"; %s }'
                % (ct.module("auth-curve/.libs/auth_curve.so"), self.certs,
                   extra))
        store = ('{ module = "%s"; path = "%s/store"; }'
                 % (ct.module("store-fs/.libs/store_fs.so"), self.dir))
        d = ct.Daemon(self.dir, auth, store=store)
        self.addCleanup(d.kill)
        return d.start()

    def pyzmq_user(self, name, **meta):
        """A pyzmq key pair, added to the store as NAME."""
        keys = os.path.join(self.dir, "keys")
        os.makedirs(keys, exist_ok=True)
        pub, sec = zmq.auth.create_certificates(keys, name, metadata=meta)
        args = ["cert", "add", "--certs", self.certs, "--name", name, pub]
        if "type" in meta:
            args[4:4] = ["--type", meta["type"]]
        ct.coffer(*args)
        return [k.decode() for k in zmq.auth.load_certificate(sec)]

    def client(self, d, keys):
        c = ct.Client(d.endpoint, d.server_public, keys[0], keys[1])
        self.addCleanup(c.close)
        return c

    def test_pyzmq_client_accepted(self):
        keys = self.pyzmq_user("alice", type="user")
        d = self.start()
        reply = self.client(d, keys).call("whoami")
        self.assertTrue(reply["ok"], reply)
        self.assertEqual(reply["result"]["name"], "alice")
        self.assertEqual(reply["result"]["type"], "user")
        self.assertEqual(reply["result"]["module"], "auth_curve")
        self.assertEqual(reply["result"]["attributes"],
                         {"certificate": "alice.key"})

    def test_keygen_client_accepted(self):
        ct.coffer("keygen", "web", "--type", "service", "--dir", self.dir)
        ct.coffer("cert", "add", "--certs", self.certs,
                  os.path.join(self.dir, "web.key"))
        keys = zmq.auth.load_certificate(os.path.join(self.dir,
                                                      "web.key_secret"))
        d = self.start()
        reply = self.client(d, [k.decode() for k in keys]).call("whoami")
        self.assertEqual(reply["result"]["name"], "web")
        self.assertEqual(reply["result"]["type"], "service")

    def test_unknown_key_denied(self):
        self.pyzmq_user("alice", type="user")
        d = self.start()
        reply = self.client(d, [k.decode() for k in
                                zmq.curve_keypair()]).call("whoami")
        self.assertEqual(reply["error"]["code"], "denied")

    def test_revoked_on_live_connection(self):
        keys = self.pyzmq_user("alice", type="user")
        d = self.start()
        c = self.client(d, keys)
        self.assertTrue(c.call("whoami")["ok"])
        ct.coffer("cert", "rm", "--certs", self.certs, "alice")
        took = wait_until(lambda: not c.call("whoami")["ok"])
        self.assertLess(took, 1.0)
        self.assertEqual(c.call("whoami")["error"]["code"], "denied")
        # Added again: the same connection works again.
        ct.coffer("cert", "add", "--certs", self.certs, "--key", keys[0],
                  "--name", "alice", "--type", "user")
        self.assertLess(wait_until(lambda: c.call("whoami")["ok"]), 1.0)

    def test_new_key_picked_up(self):
        d = self.start()
        keys = [k.decode() for k in zmq.curve_keypair()]
        c = self.client(d, keys)
        self.assertEqual(c.call("whoami")["error"]["code"], "denied")
        ct.coffer("cert", "add", "--certs", self.certs, "--key", keys[0],
                  "--name", "late")
        self.assertLess(wait_until(lambda: c.call("whoami")["ok"]), 1.0)
        self.assertEqual(c.call("whoami")["result"]["type"], "service")

    def test_reject_unknown_at_handshake(self):
        keys = self.pyzmq_user("alice", type="user")
        d = self.start("reject_unknown = true;")
        self.assertTrue(self.client(d, keys).call("whoami")["ok"])
        stranger = self.client(d, [k.decode() for k in zmq.curve_keypair()])
        self.assertIsNone(stranger.call("whoami", timeout=1.0))

    def test_config_check(self):
        self.pyzmq_user("alice", type="user")
        d = self.start()
        out = subprocess.run([ct.COFFERD, "-t", "-c", d.conf],
                             capture_output=True, text=True)
        self.assertEqual(out.returncode, 0, out.stderr)

    def test_unsafe_store_refused_at_start(self):
        os.chmod(self.certs, 0o777)
        auth = ('{ module = "%s"; control = "required"; certs = "%s"; }'
                % (ct.module("auth-curve/.libs/auth_curve.so"), self.certs))
        d = ct.Daemon(self.dir, auth)
        self.addCleanup(d.kill)
        d.start(wait=False)
        self.assertEqual(d.proc.wait(10), 1)
        self.assertIn("others may add keys", d.log_text())


if __name__ == "__main__":
    ct.main()
