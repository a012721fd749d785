#!/usr/bin/python3
"""Integration: the adversarial suite (docs/threat-model.md).

Each test is one attack on a real cofferd (store_fs, auth_curve, a keyring,
an audit log) from pyzmq clients or raw sockets.  Each asserts that the
attacker got a denial, a clean error code or nothing at all, and then that
the daemon still serves a well-behaved client (tearDown).  KMS token
attacks run against moto in modules/auth-kms/tests/test_auth_kms.py
(test_defects_denied).
"""
import glob
import hashlib
import json
import os
import shutil
import socket
import struct
import sys
import time
import unittest

try:
    import zmq
except ImportError:                      # pragma: no cover
    print("SKIP: pyzmq is not installed (apt-get install python3-zmq)")
    sys.exit(77)

import coffertest as ct

VALUE = "pw-Attack!neverShown-7"
MAX_REQUEST = 65536


class Attacks(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        cls.dir = ct.scratch_dir("attack")
        cls.certs = os.path.join(cls.dir, "certs")
        os.mkdir(cls.certs, 0o755)
        cls.keys = {}
        for name, kind in (("admin", "user"), ("web", "service"),
                           ("api", "service"), ("revoked", "user")):
            pub, sec = (k.decode() for k in zmq.curve_keypair())
            ct.coffer("cert", "add", "--certs", cls.certs, "--key", pub,
                      "--name", name, "--type", kind)
            cls.keys[name] = (pub, sec)
        master = os.path.join(cls.dir, "master-1.key")
        ct.coffer("keygen", "--master", master)
        auth = ('{ module = "%s"; control = "required"; certs = "%s"; }'
                % (ct.module("auth-curve/.libs/auth_curve.so"), cls.certs))
        store = ('{ module = "%s"; path = "%s/store"; }'
                 % (ct.module("store-fs/.libs/store_fs.so"), cls.dir))
        extra = ('keyring = [ "%s" ]; audit_log = "%s/audit.log"; '
                 'max_request_bytes = %d;' % (master, cls.dir, MAX_REQUEST))
        cls.daemon = ct.Daemon(cls.dir, auth, store=store, extra=extra)
        cls.daemon.start()
        admin = cls.connect("admin")
        for name, svc in (("web/db", "web"), ("api/key", "api")):
            assert admin.call("secret.create", {
                "name": name, "pairs": {"PASSWORD": VALUE + svc}})["ok"]
            assert admin.call("service.put", {
                "name": svc, "secrets": [name]})["ok"]
        admin.close()

    @classmethod
    def tearDownClass(cls):
        rc = cls.daemon.stop()
        text = cls.daemon.log_text()
        with open(os.path.join(cls.dir, "audit.log")) as f:
            audit = f.read()
        ct.cleanup(cls.dir)
        assert rc == 0, rc
        # No attack got a secret value into the logs.
        assert VALUE not in text and VALUE not in audit

    @classmethod
    def connect(cls, who=None, **kw):
        keys = cls.keys[who] if who else (None, None)
        return ct.Client(cls.daemon.endpoint, cls.daemon.server_public,
                         *keys, **kw)

    def client(self, who=None, **kw):
        c = self.connect(who, **kw)
        self.addCleanup(c.close)
        return c

    def tearDown(self):
        """After every attack: the daemon still serves everyone else."""
        self.assertIsNone(self.daemon.proc.poll(), "cofferd died")
        web = self.client("web")
        # Patient: under valgrind, a flood takes a while to drain.
        got = web.call("service.get", {"name": "web"}, timeout=60)
        self.assertTrue(got["ok"], got)
        self.assertEqual(got["result"]["credentials"][0]["pairs"],
                         {"PASSWORD": VALUE + "web"})

    def error(self, reply, code):
        self.assertIsNotNone(reply, "no reply")
        self.assertFalse(reply["ok"], reply)
        self.assertEqual(reply["error"]["code"], code, reply)
        self.assertNotIn(VALUE, json.dumps(reply))
        return reply["error"]["message"]

    def raw(self, frame, who="admin"):
        """Send FRAME as is from WHO; the reply."""
        c = self.client(who)
        c.send_frames([frame])
        return c.recv()

    def call(self, who, op, **args):
        return self.client(who).call(op, args)

    # -- who is asking ---------------------------------------------------

    def test_unknown_key(self):
        self.error(self.client().call("whoami"), "denied")

    def test_unknown_key_reads_secret(self):
        self.error(self.client().call("secret.get", {"name": "web/db"}),
                   "denied")

    def test_unknown_key_asks_as_service(self):
        self.error(self.client().call("service.get", {"name": "web"}),
                   "denied")

    def test_unknown_key_claims_username(self):
        self.error(self.client().call(
            "whoami", credentials={"username": "admin"}), "denied")

    def test_unknown_key_with_forged_token(self):
        self.error(self.client().call(
            "secret.get", {"name": "web/db"},
            credentials={"token": "AQICAHg" + "A" * 200,
                         "username": "2/user/admin"}), "denied")

    def test_unknown_op_not_told_to_strangers(self):
        self.error(self.client().call("launch"), "denied")

    def test_wrong_server_key(self):
        pub, _ = (k.decode() for k in zmq.curve_keypair())
        c = ct.Client(self.daemon.endpoint, pub, *self.keys["admin"])
        self.addCleanup(c.close)
        self.assertIsNone(c.call("whoami", timeout=1.0))

    def test_plaintext_client(self):
        self.assertIsNone(self.client(curve=False).call("whoami",
                                                         timeout=1.0))

    def test_plain_mechanism_client(self):
        c = self.client(curve=False)
        c.sock.close(0)
        c.sock = c.ctx.socket(zmq.DEALER)
        c.sock.linger = 0
        c.sock.plain_username = b"admin"
        c.sock.plain_password = b"admin"
        c.sock.connect(self.daemon.endpoint)
        self.assertIsNone(c.call("whoami", timeout=1.0))

    def test_server_key_as_client_key(self):
        """A client that presents the server's own public key."""
        pub, sec = (k.decode() for k in zmq.curve_keypair())
        c = ct.Client(self.daemon.endpoint, self.daemon.server_public,
                      self.daemon.server_public, sec)
        self.addCleanup(c.close)
        self.assertIsNone(c.call("whoami", timeout=1.0))

    def test_stolen_public_key_without_secret(self):
        """Someone who knows admin's public key, not its secret one."""
        _, sec = (k.decode() for k in zmq.curve_keypair())
        c = ct.Client(self.daemon.endpoint, self.daemon.server_public,
                      self.keys["admin"][0], sec)
        self.addCleanup(c.close)
        self.assertIsNone(c.call("whoami", timeout=1.0))

    def test_revoked_key_on_live_connection(self):
        c = self.client("revoked")
        self.assertTrue(c.call("whoami")["ok"])
        ct.coffer("cert", "rm", "--certs", self.certs, "revoked")
        try:
            deadline = time.time() + 5
            while c.call("whoami")["ok"] and time.time() < deadline:
                time.sleep(0.05)
            self.error(c.call("secret.get", {"name": "web/db"}), "denied")
        finally:
            ct.coffer("cert", "add", "--certs", self.certs, "--key",
                      self.keys["revoked"][0], "--name", "revoked",
                      "--type", "user")

    def test_handshake_flood_from_new_keys(self):
        clients = [self.client() for _ in range(200)]
        for c in clients:
            c.request("whoami")
        for c in clients:
            self.error(c.recv(10), "denied")

    # -- the transport ---------------------------------------------------

    def tcp(self):
        s = socket.create_connection(("127.0.0.1", self.daemon.port), 5)
        self.addCleanup(s.close)
        s.settimeout(5)
        return s

    def hung_up_on(self, s, *chunks):
        """Send CHUNKS on S; the daemon must hang up (within the socket's
        timeout), maybe before all of them are sent."""
        try:
            for chunk in chunks:
                s.sendall(chunk)
            while s.recv(4096):
                pass
        except (BrokenPipeError, ConnectionResetError):
            pass
        except socket.timeout:
            self.fail("the daemon kept a garbage connection open")

    def test_raw_tcp_garbage(self):
        self.hung_up_on(self.tcp(), os.urandom(4096))

    def test_http_request_to_zmtp_port(self):
        self.hung_up_on(self.tcp(), b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")

    @staticmethod
    def greeting(mechanism):
        """A ZMTP 3.0 greeting (RFC 23) offering MECHANISM, as a client."""
        return (b"\xff" + b"\0" * 8 + b"\x7f" + b"\x03\x00" +
                mechanism.ljust(20, b"\0") + b"\0" + b"\0" * 31)

    def test_zmtp_greeting_with_null_mechanism(self):
        self.hung_up_on(self.tcp(), self.greeting(b"NULL"),
                        b"\x04\x19\x05READY\x0bSocket-Type\0\0\0\x06DEALER",
                        b"\x00\x05hello")

    def test_zmtp_curve_hello_of_garbage(self):
        self.hung_up_on(self.tcp(), self.greeting(b"CURVE"),
                        b"\x04" + struct.pack("B", 200) + b"\x05HELLO" +
                        os.urandom(194))

    def test_idle_half_open_connections(self):
        socks = [self.tcp() for _ in range(50)]
        for s in socks:
            s.sendall(b"\xff")

    def test_oversized_frame_closes_connection(self):
        c = self.client("admin")
        c.send_frames([b"x" * (MAX_REQUEST * 2 + 8192)])
        self.assertIsNone(c.recv(1.0))

    def test_request_over_limit(self):
        self.error(self.raw(b'{"v":1,"id":1,"op":"whoami","args":{"x":"' +
                            b"a" * MAX_REQUEST + b'"}}'), "too_large")

    def test_empty_frame(self):
        self.error(self.raw(b""), "bad_request")

    def test_multipart_garbage(self):
        c = self.client("admin")
        c.send_frames([b'{"v":1,"id":1,"op":"whoami"}', b"junk",
                       os.urandom(64)])
        self.error(c.recv(), "bad_request")

    def test_many_empty_frames(self):
        c = self.client("admin")
        c.send_frames([b""] * 1000)
        self.error(c.recv(), "bad_request")

    def test_pipelined_flood_then_disconnect(self):
        c = self.connect("admin")
        for _ in range(2000):
            c.request("secret.list")
        c.close()

    # -- the request -----------------------------------------------------

    def test_truncated_json(self):
        self.error(self.raw(b'{"v":1,"id":3,"op":"secret.get","args":{'),
                   "bad_request")

    def test_invalid_utf8(self):
        self.error(self.raw(b"\xff\xfe not utf-8"), "bad_request")

    def test_overlong_utf8_in_string(self):
        self.error(self.raw(b'{"v":1,"id":1,"op":"secret.get","args":'
                            b'{"name":"web\xc0\xafdb"}}'), "bad_request")

    def test_surrogate_escape(self):
        reply = self.raw(b'{"v":1,"id":1,"op":"secret.get","args":'
                         b'{"name":"\\ud800"}}')
        self.assertIn(reply["error"]["code"], ("bad_request",
                                               "invalid_name"))

    def test_nul_in_name(self):
        self.error(self.raw(b'{"v":1,"id":1,"op":"secret.get","args":'
                            b'{"name":"web/db\\u0000x"}}'), "bad_request")

    def test_not_an_object(self):
        for frame in (b"[]", b"7", b'"whoami"', b"null", b"true"):
            self.error(self.raw(frame), "bad_request")

    def test_deep_json(self):
        self.error(self.raw(b"[" * 5000 + b"]" * 5000), "too_deep")

    def test_deep_json_in_args(self):
        self.error(self.raw(b'{"v":1,"id":1,"op":"whoami","args":' +
                            b'{"a":' * 100 + b"1" + b"}" * 101), "too_deep")

    def test_huge_json_many_members(self):
        body = ",".join('"k%d":%d' % (i, i) for i in range(5000))
        reply = self.raw(('{"v":1,"id":1,"op":"secret.get","args":{%s}}'
                          % body).encode())
        self.error(reply, "bad_args")

    def test_huge_array(self):
        self.error(self.raw(b'{"v":1,"id":1,"op":"service.put","args":'
                            b'{"name":"web","secrets":[' +
                            b",".join([b'"web/db"'] * 6000) + b"]}}"),
                   "bad_args")

    def test_duplicate_members(self):
        reply = self.raw(b'{"v":1,"id":1,"op":"whoami","op":"secret.list"}')
        self.error(reply, "bad_request")

    def test_wrong_type_id(self):
        self.error(self.raw(b'{"v":1,"id":{"a":1},"op":"whoami"}'),
                   "bad_request")

    def test_wrong_type_op(self):
        self.error(self.raw(b'{"v":1,"id":1,"op":["whoami"]}'),
                   "bad_request")

    def test_wrong_type_args(self):
        self.error(self.raw(b'{"v":1,"id":1,"op":"whoami","args":[1]}'),
                   "bad_args")

    def test_wrong_type_credentials(self):
        self.error(self.raw(b'{"v":1,"id":1,"op":"whoami",'
                            b'"credentials":{"token":5}}'), "bad_request")

    def test_wrong_version(self):
        self.error(self.raw(b'{"v":7,"id":1,"op":"whoami"}'), "bad_version")
        self.error(self.raw(b'{"v":"1","id":1,"op":"whoami"}'),
                   "bad_request")

    def test_huge_number_id(self):
        self.error(self.raw(b'{"v":1,"id":1e400,"op":"whoami"}'),
                   "bad_request")

    def test_long_id_string(self):
        self.error(self.raw(b'{"v":1,"id":"' + b"i" * 1000 +
                            b'","op":"whoami"}'), "bad_request")

    def test_long_op(self):
        self.error(self.raw(b'{"v":1,"id":1,"op":"' + b"o" * 5000 + b'"}'),
                   "bad_request")

    def test_unknown_member(self):
        self.error(self.raw(b'{"v":1,"id":1,"op":"whoami","sudo":true}'),
                   "bad_request")

    def test_unknown_op(self):
        self.error(self.call("admin", "launch"), "unknown_op")

    def test_oversized_token(self):
        self.error(self.client("admin").call(
            "whoami", credentials={"token": "A" * 9000}), "bad_request")

    # -- names -----------------------------------------------------------

    def test_name_traversal(self):
        for name in ("../etc/passwd", "web/../api/key", "..", "web/.."):
            self.error(self.call("admin", "secret.get", name=name),
                       "invalid_name")

    def test_absolute_name(self):
        self.error(self.call("admin", "secret.create", name="/etc/shadow",
                             pairs={"K": "v"}), "invalid_name")

    def test_empty_segments(self):
        for name in ("web//db", "web/", "", "web/./db"):
            self.error(self.call("admin", "secret.get", name=name),
                       "invalid_name")

    def test_control_characters_in_name(self):
        for name in ("web\ndb", "web\tdb", "web\x1b[31m"):
            self.error(self.call("admin", "secret.create", name=name,
                                 pairs={"K": "v"}), "invalid_name")

    def test_long_name(self):
        self.error(self.call("admin", "secret.create", name="x" * 5000,
                             pairs={"K": "v"}), "invalid_name")

    def test_service_name_traversal(self):
        self.error(self.call("admin", "service.get", name="../web"),
                   "invalid_name")

    # -- what an authenticated service may do ----------------------------

    def test_service_reads_other_service(self):
        self.assertIn("may not service.get api", self.error(
            self.call("web", "service.get", name="api"), "denied"))

    def test_service_reads_secret_directly(self):
        self.error(self.call("web", "secret.get", name="api/key"), "denied")

    def test_service_reads_own_secret_directly(self):
        self.error(self.call("web", "secret.get", name="web/db"), "denied")

    def test_service_writes_secret(self):
        self.error(self.call("web", "secret.update", name="api/key",
                             pairs={"PASSWORD": "mine"}), "denied")

    def test_service_creates_secret(self):
        self.error(self.call("web", "secret.create", name="web/new",
                             pairs={"K": "v"}), "denied")

    def test_service_maps_secret_to_itself(self):
        self.error(self.call("web", "service.put", name="web",
                             secrets=["web/db", "api/key"]), "denied")

    def test_service_deletes(self):
        self.error(self.call("web", "secret.delete", name="web/db"),
                   "denied")

    def test_service_lists(self):
        self.error(self.call("web", "secret.list"), "denied")
        self.error(self.call("web", "service.list"), "denied")

    def test_service_reads_history(self):
        self.error(self.call("web", "service.history", name="api"),
                   "denied")

    def test_service_reseals(self):
        self.error(self.call("web", "keyring.reseal", kind="secret"),
                   "denied")

    # -- the store, changed behind the daemon's back ---------------------

    def record_dir(self, kind, name):
        for d in glob.glob(os.path.join(self.dir, "store", kind, "*", "*")):
            with open(os.path.join(d, "name")) as f:
                if f.read() == name:
                    return d
        raise AssertionError("no record directory for %s" % name)

    def fresh(self, name, *values):
        """NAME created with VALUES as successive revisions: its dir."""
        admin = self.client("admin")
        op = "secret.create"
        for v in values:
            self.assertTrue(admin.call(op, {"name": name,
                                            "pairs": {"K": v}})["ok"])
            op = "secret.update"
        return self.record_dir("secret", name)

    def flip(self, path, fix_checksum):
        """Flip one bit of the sealed bytes in a store_fs record file; with
        FIX_CHECKSUM, as an attacker who knows the file format would, also
        recompute the store's own checksum (header bytes 16..31)."""
        with open(path, "rb") as f:
            data = bytearray(f.read())
        data[-20] ^= 1
        if fix_checksum:
            data[16:32] = hashlib.blake2b(bytes(data[32:]),
                                          digest_size=16).digest()
        with open(path, "wb") as f:
            f.write(data)

    def test_record_bit_flip(self):
        """A damaged file: store_fs's checksum names it; nothing served."""
        d = self.fresh("tamper/flip", "v1")
        self.flip(os.path.join(d, "1"), fix_checksum=False)
        self.error(self.call("admin", "secret.get", name="tamper/flip"),
                   "internal")
        self.daemon.wait_log("checksum mismatch")

    def test_record_edited_with_valid_checksum(self):
        """An edit that fools the store: the core's seal refuses it."""
        d = self.fresh("tamper/edit", "v1")
        self.flip(os.path.join(d, "1"), fix_checksum=True)
        self.error(self.call("admin", "secret.get", name="tamper/edit"),
                   "tampered")

    def test_record_truncated(self):
        d = self.fresh("tamper/trunc", "v1")
        os.truncate(os.path.join(d, "1"), 30)
        reply = self.call("admin", "secret.get", name="tamper/trunc")
        self.assertIn(reply["error"]["code"], ("tampered", "internal"))

    def test_record_moved_to_other_name(self):
        a = self.fresh("tamper/a", "secret-of-a")
        b = self.fresh("tamper/b", "b1", "b2")
        shutil.copy(os.path.join(a, "1"), os.path.join(b, "3"))
        self.error(self.call("admin", "secret.get", name="tamper/b"),
                   "tampered")

    def test_old_revision_replayed_as_latest(self):
        d = self.fresh("tamper/replay", "old", "new")
        shutil.copy(os.path.join(d, "1"), os.path.join(d, "3"))
        self.error(self.call("admin", "secret.get", name="tamper/replay"),
                   "tampered")

    def test_mapping_swapped(self):
        """Remap web to api's secrets by copying api's mapping record."""
        web = self.record_dir("service", "web")
        api = self.record_dir("service", "api")
        latest = max(int(n) for n in os.listdir(web) if n.isdigit())
        target = os.path.join(web, str(latest + 1))
        shutil.copy(os.path.join(api, "1"), target)
        try:
            self.error(self.call("web", "service.get", name="web"),
                       "tampered")
        finally:
            os.unlink(target)

    def test_garbage_hint_file(self):
        d = self.fresh("tamper/hint", "h1", "h2")
        for hint in glob.glob(os.path.join(d, "*")):
            if not os.path.basename(hint).isdigit() and \
                    os.path.basename(hint) != "name":
                with open(hint, "w") as f:
                    f.write("999999")
        got = self.call("admin", "secret.get", name="tamper/hint")
        self.assertTrue(got["ok"], got)
        self.assertEqual(got["result"]["pairs"], {"K": "h2"})


if __name__ == "__main__":
    ct.main()
