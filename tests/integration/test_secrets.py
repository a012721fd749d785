#!/usr/bin/python3
"""Integration: the secrets operations over CURVE, against store_fs.

A raw pyzmq client following docs/protocol.md: every secret operation and
error code, the default policy, racing writers, records tampered with on
disk, master key rotation, the audit log, and no plaintext anywhere but in
replies.
"""
import base64
import datetime
import glob
import json
import os
import shutil
import subprocess
import sys
import threading
import time
import unittest

try:
    import zmq
except ImportError:                      # pragma: no cover
    print("SKIP: pyzmq is not installed")
    sys.exit(77)

import coffertest as ct

SECRET_VALUE = "pw-Zq8!valueNeverInPlaintext"


class Base(unittest.TestCase):
    """A daemon with store_fs, auth_curve, a keyring and an audit log."""

    workers = 4

    def setUp(self):
        self.dir = ct.scratch_dir("secrets")
        self.addCleanup(ct.cleanup, self.dir)
        self.certs = os.path.join(self.dir, "certs")
        os.mkdir(self.certs, 0o755)
        self.keys = {}
        for name, kind in (("admin", "user"), ("bob", "user"),
                           ("carol", "user"), ("web", "service")):
            pub, sec = (k.decode() for k in zmq.curve_keypair())
            ct.coffer("cert", "add", "--certs", self.certs, "--key", pub,
                      "--name", name, "--type", kind)
            self.keys[name] = (pub, sec)
        self.master = [os.path.join(self.dir, "master-1.key")]
        ct.coffer("keygen", "--master", self.master[0])
        self.audit = os.path.join(self.dir, "audit.log")
        self.daemon = None

    def start(self, keyring=None, audit=None, failure="deny", policy="",
              port=None, store=None, auth=None, env=None):
        if self.daemon is not None:
            self.assertEqual(self.daemon.stop(), 0)
        keyring = self.master if keyring is None else keyring
        extra = 'audit_log = "%s"; audit_failure = "%s";' % (
            audit or self.audit, failure)
        if keyring:
            extra += " keyring = [ %s ];" % ", ".join('"%s"' % k
                                                      for k in keyring)
        extra += policy
        if auth is None:
            auth = ('{ module = "%s"; control = "required"; certs = "%s"; }'
                    % (ct.module("auth-curve/.libs/auth_curve.so"),
                       self.certs))
        if store is None:
            store = ('{ module = "%s"; path = "%s/store"; }'
                     % (ct.module("store-fs/.libs/store_fs.so"), self.dir))
        self.daemon = ct.Daemon(self.dir, auth, store=store, extra=extra,
                                port=port or (self.daemon.port
                                              if self.daemon else None),
                                workers=self.workers)
        self.addCleanup(self.daemon.kill)
        self.daemon.start(env=env)

    def client(self, who="admin"):
        c = ct.Client(self.daemon.endpoint, self.daemon.server_public,
                      *self.keys[who])
        self.addCleanup(c.close)
        return c

    def ok(self, c, op, **args):
        reply = c.call(op, args)
        self.assertTrue(reply["ok"], (op, args, reply))
        return reply["result"]

    def err(self, c, op, code, **args):
        reply = c.call(op, args)
        self.assertFalse(reply["ok"], (op, args, reply))
        self.assertEqual(reply["error"]["code"], code, reply)
        return reply["error"]["message"]

    def reseal_all(self, c, kind):
        total, cursor = 0, None
        while True:
            args = {"kind": kind, "limit": 2}
            if cursor:
                args["cursor"] = cursor
            r = self.ok(c, "keyring.reseal", **args)
            total += r["resealed"]
            cursor = r["cursor"]
            if cursor is None:
                return total


class Secrets(Base):

    # -- the operations ----------------------------------------------------

    def test_create_get_update(self):
        self.start()
        c = self.client()
        r = self.ok(c, "secret.create", name="prod/db", comment="first",
                    pairs={"DB_PASSWORD": SECRET_VALUE, "DB_USER": "app"},
                    metadata={"owner": "team-db"})
        self.assertEqual(r, {"name": "prod/db", "revision": 1})
        self.assertIn("exists already", self.err(
            c, "secret.create", "conflict", name="prod/db",
            pairs={"A": "b"}))
        got = self.ok(c, "secret.get", name="prod/db")
        self.assertEqual(got["pairs"]["DB_PASSWORD"], SECRET_VALUE)
        self.assertEqual(got["revision"], 1)
        self.assertEqual(got["metadata"], {"owner": "team-db"})
        self.assertEqual(got["modified_by"], "user/admin")
        self.assertEqual(got["comment"], "first")
        self.assertTrue(got["enabled"])
        # A new revision; metadata kept when not given.
        r = self.ok(c, "secret.update", name="prod/db",
                    pairs={"DB_PASSWORD": "second"})
        self.assertEqual(r["revision"], 2)
        got = self.ok(c, "secret.get", name="prod/db")
        self.assertEqual(got["pairs"], {"DB_PASSWORD": "second"})
        self.assertNotIn("comment", got)
        self.assertEqual(got["metadata"], {"owner": "team-db"})
        # Check-and-set.
        self.assertEqual(self.ok(c, "secret.update", name="prod/db",
                                 metadata={"owner": "ops"}, expect=2)
                         ["revision"], 3)
        self.assertIn("is at revision 3, not 2", self.err(
            c, "secret.update", "conflict", name="prod/db",
            pairs={"X": "y"}, expect=2))
        # Old revisions stay readable; missing ones are not found.
        self.assertEqual(self.ok(c, "secret.get", name="prod/db",
                                 revision=1)["pairs"]["DB_PASSWORD"],
                         SECRET_VALUE)
        self.err(c, "secret.get", "not_found", name="prod/db", revision=9)
        self.err(c, "secret.get", "not_found", name="nope")
        self.err(c, "secret.update", "not_found", name="nope",
                 pairs={"A": "b"})

    def test_meta_history_diff(self):
        self.start()
        c = self.client()
        self.ok(c, "secret.create", name="svc/api",
                pairs={"KEY": SECRET_VALUE, "OLD": "x"})
        self.ok(c, "secret.update", name="svc/api", comment="rotate",
                pairs={"KEY": "new-value", "ADDED": "y"})
        meta = c.call("secret.meta", {"name": "svc/api"})
        self.assertEqual(meta["result"]["keys"], ["ADDED", "KEY"])
        self.assertNotIn("pairs", meta["result"])
        self.assertNotIn("new-value", json.dumps(meta))
        hist = self.ok(c, "secret.history", name="svc/api")
        self.assertEqual([h["revision"] for h in hist["revisions"]], [1, 2])
        self.assertEqual(hist["revisions"][1]["comment"], "rotate")
        self.assertEqual(hist["revisions"][0]["keys"], ["KEY", "OLD"])
        self.assertNotIn(SECRET_VALUE, json.dumps(hist))
        self.assertEqual([h["revision"] for h in self.ok(
            c, "secret.history", name="svc/api", after=1)["revisions"]], [2])
        diff = c.call("secret.diff", {"name": "svc/api", "from": 1, "to": 2})
        self.assertEqual(diff["result"]["pairs"], {
            "added": ["ADDED"], "removed": ["OLD"], "changed": ["KEY"]})
        self.assertNotIn(SECRET_VALUE, json.dumps(diff))
        self.assertNotIn("new-value", json.dumps(diff))
        self.err(c, "secret.diff", "bad_args", name="svc/api", to=2)

    def test_revert_enable_disable_delete(self):
        self.start()
        c = self.client()
        self.ok(c, "secret.create", name="a", pairs={"K": "one"})
        self.ok(c, "secret.update", name="a", pairs={"K": "two"})
        r = self.ok(c, "secret.revert", name="a", revision=1)
        self.assertEqual(r["revision"], 3)
        got = self.ok(c, "secret.get", name="a")
        self.assertEqual(got["pairs"], {"K": "one"})
        self.assertEqual(got["comment"], "revert to revision 1")
        self.err(c, "secret.revert", "not_found", name="a", revision=7)
        self.assertFalse(self.ok(c, "secret.get", name="a",
                                 revision=self.ok(c, "secret.disable",
                                                  name="a")["revision"])
                         ["enabled"])
        self.assertTrue(self.ok(c, "secret.get", name="a",
                                revision=self.ok(c, "secret.enable",
                                                 name="a")["revision"])
                        ["enabled"])
        self.assertEqual(self.ok(c, "secret.delete", name="a"),
                         {"name": "a", "deleted": True})
        self.err(c, "secret.get", "not_found", name="a")
        self.err(c, "secret.history", "not_found", name="a")
        self.err(c, "secret.delete", "not_found", name="a")
        # The name can be used again, from revision 1.
        self.assertEqual(self.ok(c, "secret.create", name="a",
                                 pairs={"K": "v"})["revision"], 1)

    def test_list_pages(self):
        self.start()
        c = self.client()
        names = ["app/s%02d" % i for i in range(30)] + ["ops/x", "ops/y"]
        for n in names:
            self.ok(c, "secret.create", name=n, pairs={"K": "v"})
        self.ok(c, "secret.update", name="ops/x", pairs={"K": "w"})
        seen, cursor = [], None
        while True:
            args = {"limit": 7}
            if cursor:
                args["cursor"] = cursor
            page = self.ok(c, "secret.list", **args)
            self.assertLessEqual(len(page["secrets"]), 7)
            seen += page["secrets"]
            cursor = page["cursor"]
            if cursor is None:
                break
        self.assertEqual(sorted(s["name"] for s in seen), sorted(names))
        self.assertEqual({s["name"]: s["revision"] for s in seen}["ops/x"],
                         2)
        ops = self.ok(c, "secret.list", prefix="ops/")["secrets"]
        self.assertEqual(sorted(s["name"] for s in ops), ["ops/x", "ops/y"])
        self.err(c, "secret.list", "bad_args", limit=100000)

    def test_validation(self):
        self.start()
        c = self.client()
        for name in ("", "../etc", "a//b", "a/", "/a", "a b", "x" * 257,
                     "a/./b", "caf\u00e9", 7):
            self.err(c, "secret.create", "invalid_name", name=name,
                     pairs={"K": "v"})
        for pairs in ({}, {"1ABC": "v"}, {"K": 5}, {"a b": "v"},
                      {"K%d" % i: "v" for i in range(300)}, ["K"],
                      {"K": "x" * 70000}):
            self.err(c, "secret.create", "invalid_pairs", name="ok",
                     pairs=pairs)
        self.err(c, "secret.create", "invalid_metadata", name="ok",
                 pairs={"K": "v"}, metadata={"k": 1})
        self.err(c, "secret.create", "bad_args", name="ok")
        self.err(c, "secret.create", "bad_args", name="ok",
                 pairs={"K": "v"}, colour="blue")
        self.err(c, "secret.get", "bad_args", name="ok", revision="1")
        self.err(c, "secret.update", "bad_args", name="ok", expect=-1)
        self.err(c, "secret.create", "bad_args", name="ok",
                 pairs={"K": "v"}, comment="c" * 2000)
        # Nothing was created by any of that.
        self.assertEqual(self.ok(c, "secret.list")["secrets"], [])

    # -- policy ------------------------------------------------------------

    def test_service_may_not_touch_secrets(self):
        self.start()
        self.ok(self.client(), "secret.create", name="web/key",
                pairs={"K": SECRET_VALUE})
        web = self.client("web")
        self.assertEqual(self.ok(web, "whoami")["type"], "service")
        for op, args in (("secret.get", {"name": "web/key"}),
                         ("secret.list", {}),
                         ("secret.create", {"name": "x", "pairs": {"K": "v"}}),
                         ("secret.delete", {"name": "web/key"}),
                         ("service.get", {"name": "other"})):
            self.assertIn("service web may not", self.err(
                web, op, "denied", **args))
        self.assertEqual(self.ok(self.client(), "secret.get",
                                 name="web/key")["revision"], 1)

    # -- services ------------------------------------------------------------

    def test_service_reads_its_mapped_secrets(self):
        self.start()
        admin = self.client()
        for name, pairs in (("web/db", {"DB_PASSWORD": SECRET_VALUE}),
                            ("web/api", {"API_KEY": "k1", "DB_PASSWORD": "x"}),
                            ("web/off", {"OFF": "v"}),
                            ("other/db", {"OTHER": "never"})):
            self.ok(admin, "secret.create", name=name, pairs=pairs)
        self.ok(admin, "secret.disable", name="web/off")
        r = self.ok(admin, "service.put", name="web",
                    secrets=["web/db", "web/api", "web/off"])
        self.assertEqual(r, {"name": "web", "revision": 1})
        web = self.client("web")
        got = self.ok(web, "service.get", name="web")
        creds = {c["name"]: c["pairs"] for c in got["credentials"]}
        self.assertEqual(creds, {"web/db": {"DB_PASSWORD": SECRET_VALUE},
                                 "web/api": {"API_KEY": "k1",
                                             "DB_PASSWORD": "x"}})
        self.assertEqual(got["conflicts"],
                         {"DB_PASSWORD": ["web/db", "web/api"]})
        self.assertEqual(got["missing"], [])
        # The service itself, as a user sees it, comes first.
        self.assertEqual(list(got)[:7], ["name", "revision", "modified_by",
                                         "modified_at", "secrets", "enabled",
                                         "credentials"])
        self.assertEqual((got["name"], got["revision"], got["enabled"]),
                         ("web", 1, True))
        self.assertEqual([(c["revision"], sorted(c)) for c in
                          got["credentials"]],
                         [(1, ["metadata", "name", "pairs", "revision"])] * 2)
        # Nothing beyond its own service.
        self.err(admin, "service.put", "not_found", name="x",
                 secrets=["nope"])
        self.ok(admin, "service.put", name="other", secrets=["other/db"])
        self.assertIn("may not service.get other", self.err(
            web, "service.get", "denied", name="other"))
        for op, args in (("secret.get", {"name": "web/db"}),
                         ("service.list", {}),
                         ("service.put", {"name": "web",
                                          "secrets": ["other/db"]}),
                         ("service.history", {"name": "web"})):
            self.err(web, op, "denied", **args)
        # A user sees the mapping, not the values.
        view = self.ok(admin, "service.get", name="web")
        self.assertEqual(view["secrets"], ["web/db", "web/api", "web/off"])
        self.assertNotIn("credentials", view)
        # A deleted secret is reported missing; a disabled service gets
        # nothing.
        self.ok(admin, "secret.delete", name="web/api")
        self.assertEqual(self.ok(web, "service.get", name="web")["missing"],
                         ["web/api"])
        # Two missing, in the mapping's order; nothing left to collide.
        self.ok(admin, "secret.delete", name="web/db")
        got = self.ok(web, "service.get", name="web")
        self.assertEqual((got["missing"], got["credentials"],
                          got["conflicts"]),
                         (["web/db", "web/api"], [], {}))
        self.ok(admin, "service.put", name="web", enabled=False)
        self.assertIn("disabled", self.err(web, "service.get", "denied",
                                           name="web"))

    def test_service_revisions(self):
        self.start()
        admin = self.client()
        for n in ("a", "b"):
            self.ok(admin, "secret.create", name=n, pairs={"K": n})
        self.ok(admin, "service.put", name="svc", secrets=["a"])
        self.assertEqual(self.ok(admin, "service.put", name="svc",
                                 secrets=["a", "b"], expect=1)["revision"], 2)
        self.err(admin, "service.put", "conflict", name="svc",
                 secrets=["b"], expect=1)
        self.err(admin, "service.put", "bad_args", name="svc",
                 secrets=["a", "a"])
        self.err(admin, "service.put", "invalid_name", name="svc",
                 secrets=["../a"])
        hist = self.ok(admin, "service.history", name="svc")["revisions"]
        self.assertEqual([h["secrets"] for h in hist], [["a"], ["a", "b"]])
        self.assertEqual(self.ok(admin, "service.revert", name="svc",
                                 revision=1)["revision"], 3)
        self.assertEqual(self.ok(admin, "service.get", name="svc")["secrets"],
                         ["a"])
        self.assertEqual([s["name"] for s in self.ok(
            admin, "service.list")["services"]], ["svc"])

    # -- blind secrets -------------------------------------------------------

    def test_blind_secrets(self):
        # The client encrypts with a key only it has (a one-time pad will
        # do for the test); the daemon must store and return the payload
        # exactly, and can never read it.
        plain = b"BLIND-PLAINTEXT-" + os.urandom(16)
        pad = os.urandom(len(plain))
        payload = base64.b64encode(bytes(a ^ b for a, b in
                                         zip(plain, pad))).decode()
        self.start()
        c = self.client()
        self.assertEqual(self.ok(c, "blind.put", name="team/ssh",
                                 payload=payload,
                                 metadata={"alg": "xor-test"}),
                         {"name": "team/ssh", "revision": 1})
        got = self.ok(c, "blind.get", name="team/ssh")
        self.assertEqual(got["payload"], payload)
        self.assertEqual(got["metadata"], {"alg": "xor-test"})
        back = bytes(a ^ b for a, b in zip(base64.b64decode(got["payload"]),
                                           pad))
        self.assertEqual(back, plain)
        self.assertEqual(self.ok(c, "blind.put", name="team/ssh",
                                 payload=base64.b64encode(b"v2").decode(),
                                 expect=1)["revision"], 2)
        self.assertEqual(self.ok(c, "blind.get", name="team/ssh",
                                 revision=1)["payload"], payload)
        hist = self.ok(c, "blind.history", name="team/ssh")["revisions"]
        self.assertEqual([h["revision"] for h in hist], [1, 2])
        self.assertNotIn("payload", hist[0])
        self.assertEqual([b["name"] for b in self.ok(c, "blind.list")
                          ["blind"]], ["team/ssh"])
        self.err(c, "blind.put", "bad_args", name="x", payload="not base64!")
        self.err(c, "blind.put", "bad_args", name="x")
        self.err(self.client("web"), "blind.get", "denied", name="team/ssh")
        self.ok(c, "blind.delete", name="team/ssh")
        self.err(c, "blind.get", "not_found", name="team/ssh")
        # Blind secrets are a kind of their own: no clash with secrets.
        self.err(c, "secret.get", "not_found", name="team/ssh")

    def test_policy_narrows_users(self):
        self.start(policy=' policy = { write = [ "adm" ]; read = [ "bo" ]; };')
        admin, bob, carol = (self.client(w) for w in ("admin", "bob", "carol"))
        self.ok(admin, "secret.create", name="s", pairs={"K": "v"})
        self.assertEqual(self.ok(bob, "secret.get", name="s")["pairs"],
                         {"K": "v"})
        self.ok(bob, "secret.list")
        self.ok(bob, "secret.history", name="s")
        self.assertIn("user bob may not secret.update s", self.err(
            bob, "secret.update", "denied", name="s", pairs={"K": "w"}))
        self.err(bob, "secret.delete", "denied", name="s")
        self.err(bob, "service.put", "denied", name="x", secrets=["s"])
        self.assertEqual(self.ok(carol, "whoami")["name"], "carol")
        self.err(carol, "secret.get", "denied", name="s")
        self.err(carol, "secret.list", "denied")
        self.assertEqual(self.ok(admin, "secret.update", name="s",
                                 pairs={"K": "w"})["revision"], 2)

    # -- races ---------------------------------------------------------------

    def test_no_lost_update(self):
        self.start()
        self.ok(self.client(), "secret.create", name="race", pairs={"N": "0"})
        errors = []

        def writer(who, n):
            c = ct.Client(self.daemon.endpoint, self.daemon.server_public,
                          *self.keys[who])
            try:
                for i in range(n):
                    r = c.call("secret.update", {"name": "race",
                                                 "pairs": {"BY": who,
                                                           "I": str(i)}})
                    if not r or not r["ok"]:
                        errors.append(r)
            finally:
                c.close()

        threads = [threading.Thread(target=writer, args=(w, 40))
                   for w in ("admin", "bob")]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        self.assertEqual(errors, [])
        c = self.client()
        self.assertEqual(self.ok(c, "secret.get", name="race")["revision"],
                         81)
        revs, after = [], 0
        while True:
            page = self.ok(c, "secret.history", name="race", after=after,
                           limit=100)["revisions"]
            if not page:
                break
            revs += page
            after = page[-1]["revision"]
        self.assertEqual([r["revision"] for r in revs], list(range(1, 82)))
        by = [r["modified_by"] for r in revs[1:]]
        self.assertEqual(by.count("user/admin"), 40)
        self.assertEqual(by.count("user/bob"), 40)

    # -- tampering and keys --------------------------------------------------

    def record_dir(self, name):
        for d in glob.glob(os.path.join(self.dir, "store", "secret", "*",
                                        "*")):
            with open(os.path.join(d, "name")) as f:
                if f.read() == name:
                    return d
        raise AssertionError("no record directory for %s" % name)

    def test_tampered_records_refused(self):
        self.start()
        c = self.client()
        self.ok(c, "secret.create", name="alice/pw", pairs={"K": "alice"})
        self.ok(c, "secret.create", name="mallory/pw", pairs={"K": "mal"})
        self.ok(c, "secret.update", name="mallory/pw", pairs={"K": "mal2"})
        a, m = self.record_dir("alice/pw"), self.record_dir("mallory/pw")
        # Someone with write access to the store swaps two records...
        shutil.copy(os.path.join(a, "1"), os.path.join(m, "2"))
        self.assertIn("tampered", self.err(c, "secret.get", "tampered",
                                           name="mallory/pw"))
        # ...or replays an old revision as the latest.
        shutil.copy(os.path.join(m, "1"), os.path.join(m, "2"))
        self.err(c, "secret.get", "tampered", name="mallory/pw")
        # Untouched revisions still open.
        self.assertEqual(self.ok(c, "secret.get", name="mallory/pw",
                                 revision=1)["pairs"], {"K": "mal"})
        self.assertIn("does not open here", self.daemon.log_text())

    def test_key_rotation(self):
        self.start()
        c = self.client()
        self.ok(c, "secret.create", name="old", pairs={"K": "sealed-old"})
        new = os.path.join(self.dir, "master-2.key")
        ct.coffer("keygen", "--master", new)
        self.start(keyring=[new] + self.master)
        c = self.client()
        self.assertEqual(self.ok(c, "secret.get", name="old")["pairs"],
                         {"K": "sealed-old"})
        self.ok(c, "secret.create", name="new", pairs={"K": "sealed-new"})
        with open(os.path.join(self.record_dir("new"), "1"), "rb") as f:
            new_id = f.read()[32 + 4:32 + 12]
        with open(os.path.join(self.record_dir("old"), "1"), "rb") as f:
            old_id = f.read()[32 + 4:32 + 12]
        self.assertNotEqual(new_id, old_id)
        # Without the old key, its records are refused, not misread.
        self.start(keyring=[new])
        c = self.client()
        self.err(c, "secret.get", "tampered", name="old")
        self.assertIn("not in the keyring", self.daemon.log_text())
        self.assertEqual(self.ok(c, "secret.get", name="new")["pairs"],
                         {"K": "sealed-new"})

    def test_rotation_with_reseal(self):
        self.start()
        c = self.client()
        for i in range(5):
            self.ok(c, "secret.create", name="s%d" % i, pairs={"K": str(i)})
            self.ok(c, "secret.update", name="s%d" % i, pairs={"K": "x"})
        self.ok(c, "service.put", name="svc", secrets=["s0"])
        self.ok(c, "blind.put", name="b", payload="AAAA")
        new = os.path.join(self.dir, "master-2.key")
        ct.coffer("keygen", "--master", new)
        self.start(keyring=[new] + self.master)
        c = self.client()
        self.assertEqual(self.reseal_all(c, "secret"), 10)
        self.assertEqual(self.reseal_all(c, "service"), 1)
        self.assertEqual(self.reseal_all(c, "blind"), 1)
        self.assertEqual(self.reseal_all(c, "secret"), 0)    # idempotent
        self.err(c, "keyring.reseal", "bad_args", kind="cert")
        self.err(self.client("web"), "keyring.reseal", "denied")
        # The old key can go: everything, history too, still opens.
        self.start(keyring=[new])
        c = self.client()
        for i in range(5):
            self.assertEqual(self.ok(c, "secret.get", name="s%d" % i,
                                     revision=1)["pairs"], {"K": str(i)})
        self.assertEqual(self.ok(c, "service.get", name="svc")["secrets"],
                         ["s0"])
        self.assertEqual(self.ok(c, "blind.get", name="b")["payload"], "AAAA")

    def test_no_keyring(self):
        self.start(keyring=[])
        self.assertIn("no master key", self.err(
            self.client(), "secret.create", "unavailable", name="x",
            pairs={"K": "v"}))

    # -- audit and plaintext -------------------------------------------------

    def audit_lines(self):
        with open(self.audit) as f:
            return [json.loads(line) for line in f]

    def test_audit_log(self):
        self.start()
        began = time.time()
        c = self.client()
        self.ok(c, "secret.create", name="prod/db", pairs={"K": SECRET_VALUE})
        self.ok(c, "secret.get", name="prod/db")
        self.err(self.client("web"), "secret.get", "denied", name="prod/db")
        c.send_frames([b"not json"])
        self.assertEqual(c.recv()["error"]["code"], "bad_request")
        lines = self.audit_lines()
        self.assertEqual([(l["op"], l["target"], l["result"])
                          for l in lines],
                         [("secret.create", "prod/db", "ok"),
                          ("secret.get", "prod/db", "ok"),
                          ("secret.get", "prod/db", "denied"),
                          (None, "", "bad_request")])
        self.assertEqual(lines[1]["revision"], 1)
        self.assertEqual(lines[1]["principal"], {
            "name": "admin", "type": "user", "module": "auth_curve"})
        self.assertEqual(lines[2]["principal"]["name"], "web")
        self.assertIsNone(lines[3]["principal"])
        self.assertEqual(lines[0]["peer"], "127.0.0.1")
        # UTC to the millisecond, in order, and now.
        times = [datetime.datetime.strptime(
            l["time"], "%Y-%m-%dT%H:%M:%S.%fZ").replace(
                tzinfo=datetime.timezone.utc).timestamp() for l in lines]
        for l in lines:
            self.assertRegex(l["time"],
                             r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")
        self.assertEqual(times, sorted(times))
        self.assertLess(abs(times[0] - began), 5)
        # Requests taken together: once their replies are in, each has
        # its line, once.
        ids = sorted(self.pipelined(c, 200))
        self.assertEqual(sorted(l["id"] for l in self.audit_lines()
                                if l["op"] == "whoami"), ids)

    def test_audit_odd_text(self):
        """Names cut at the audit line's limit inside a UTF-8 sequence,
        quotes, control characters and string ids still make one valid
        JSON line each: a request cannot keep itself out of the log."""
        self.start()
        c = self.client()
        long_name = "a" * 199 + "\u00e9" * 60
        self.err(c, "secret.get", "invalid_name", name=long_name)
        self.err(c, "secret.get", "invalid_name", name='q"\\\n\t\x01\u2028')
        c.send_frames([json.dumps({"v": 1, "id": "r\u00e9q\"1",
                                   "op": "whoami"}).encode()])
        self.assertTrue(c.recv()["ok"])
        lines = self.audit_lines()
        self.assertEqual(len(lines), 3)
        self.assertEqual(lines[0]["target"], "a" * 199)
        self.assertEqual(lines[1]["target"], 'q"\\\n\t\x01\u2028')
        self.assertEqual(lines[2]["id"], "r\u00e9q\"1")
        self.assertEqual(lines[2]["op"], "whoami")

    def pipelined(self, c, n):
        """Send N whoami requests at once, so that workers take several
        together; their replies by id."""
        ids = [c.request("whoami") for _ in range(n)]
        replies = {}
        for _ in ids:
            r = c.recv()
            self.assertIsNotNone(r, "a reply is missing")
            replies[r["id"]] = r
        self.assertEqual(sorted(replies), sorted(ids))
        return replies

    def test_audit_failure_fails_request(self):
        self.start(audit="/dev/full")
        c = self.client()
        self.assertIn("audit log cannot be written", self.err(
            c, "secret.create", "unavailable", name="x",
            pairs={"K": "v"}))
        # Requests taken together, their lines written together: each
        # one refused, under its own id.
        for r in self.pipelined(c, 200).values():
            self.assertEqual(r["error"]["code"], "unavailable", r)
        self.start(audit="/dev/full", failure="log")
        c = self.client()
        self.ok(c, "whoami")
        self.assertTrue(all(r["ok"] for r in self.pipelined(c, 200).values()))

    def test_no_plaintext_at_rest_or_in_logs(self):
        self.start()
        c = self.client()
        self.ok(c, "secret.create", name="p", pairs={"K": SECRET_VALUE},
                metadata={"m": "meta-" + SECRET_VALUE})
        self.ok(c, "secret.get", name="p")
        self.ok(c, "secret.history", name="p")
        self.daemon.signal(__import__("signal").SIGHUP)
        self.daemon.wait_log("reload done")
        self.assertEqual(self.daemon.stop(), 0)
        needle = SECRET_VALUE.encode()
        for path in glob.glob(os.path.join(self.dir, "**"), recursive=True):
            if os.path.isfile(path) and "master" not in path:
                with open(path, "rb") as f:
                    self.assertNotIn(needle, f.read(), path)


class SecretsOnIOThread(Secrets):
    """The same with workers = 0: requests run on the I/O thread."""

    workers = 0


class ReadsBesideWrites(Base):
    """With store_fs and auth_curve (both declare COFFER_MODULE_LOCAL_READS)
    reads run on the I/O thread and only writes go to the workers: with
    one worker held by a write waiting for a slow disk (tests/faultfs.c,
    every fsync 1.5 s), a read is answered at once."""

    workers = 1

    def slow_disk(self, setting=""):
        """A daemon whose store's fsyncs take 1.5 s; app/db at revision 1
        from before the disk turned slow."""
        self.start()
        self.ok(self.client(), "secret.create", name="app/db",
                pairs={"P": SECRET_VALUE})
        asan = os.environ.get("ASAN_OPTIONS", "")
        self.start(policy=setting, env={
            "LD_PRELOAD": os.environ["FAULTFS_SO"],
            "FAULTFS_PREFIX": os.path.join(self.dir, "store"),
            "FAULTFS_DELAY": "fsync:1500",
            "ASAN_OPTIONS": asan + ":verify_asan_link_order=0"})

    def read_during_write(self, read=None):
        """(seconds READ took while an update waited on the disk, what it
        returned); the update is then acknowledged.  READ: a secret.get
        by default."""
        writer = self.client()
        writer.request("secret.update", {"name": "app/db",
                                         "pairs": {"P": "second"}})
        time.sleep(0.3)
        start = time.time()
        got = (read or (lambda: self.ok(self.client(), "secret.get",
                                        name="app/db")))()
        waited = time.time() - start
        reply = writer.recv(timeout=20)
        self.assertTrue(reply and reply["ok"], reply)
        self.assertEqual(reply["result"]["revision"], 2)
        return waited, got

    def test_reads_do_not_wait_for_writes(self):
        self.slow_disk()
        self.assertIn("with 1 workers for writes, reads on the I/O thread",
                      self.daemon.log_text(self.daemon.log_start))
        waited, got = self.read_during_write()
        self.assertLess(waited, 1.0)
        self.assertEqual(got["revision"], 1)      # not acknowledged yet
        got = self.ok(self.client(), "secret.get", name="app/db")
        self.assertEqual((got["revision"], got["pairs"]), (2, {"P": "second"}))

    def test_large_request_goes_to_a_worker(self):
        """A request over 16 KB (a big write, usually) is left to a worker
        undecoded, even a read: it waits for the one the write holds."""
        self.slow_disk()

        def big_get():
            big = self.client()
            big.send_frames([json.dumps({
                "v": 1, "id": 1, "op": "secret.get",
                "args": {"name": "app/db"}}).encode() + b" " * 17000])
            return big.recv(timeout=20)

        waited, got = self.read_during_write(big_get)
        self.assertGreater(waited, 0.8)
        self.assertTrue(got["ok"], got)

    def test_inline_reads_off(self):
        """inline_reads = false: every request goes to the workers, so the
        read waits for the one worker the write holds."""
        self.slow_disk("inline_reads = false;")
        self.assertNotIn("reads on the I/O thread",
                         self.daemon.log_text(self.daemon.log_start))
        waited, _ = self.read_during_write()
        self.assertGreater(waited, 1.0)

    def test_an_auth_module_asked(self):
        """An auth module without the flag but with answers_now()
        (test_auth; auth_kms is one) is asked of each read: the read it
        would make wait (token "slow", 1.5 s) goes to the one worker, and
        a read it answers at once is answered while that worker is
        held."""
        pub = self.keys["admin"][0]
        self.start(auth='{ module = "test_auth"; control = "required"; '
                   'users = [ "%s admin user" ]; slow_ms = 1500; }' % pub)
        self.assertIn("reads on the I/O thread when the auth modules can "
                      "answer at once",
                      self.daemon.log_text(self.daemon.log_start))
        slow = self.client()
        slow.request("whoami", credentials={"token": "slow"})
        self.daemon.wait_log("slow request started")
        start = time.time()
        self.assertEqual(self.ok(self.client(), "whoami")["name"], "admin")
        self.assertLess(time.time() - start, 1.0)
        reply = slow.recv(timeout=10)
        self.assertTrue(reply and reply["ok"], reply)

    def test_a_module_without_the_flag(self):
        """One module that does not declare it (test_store here) keeps
        every request on the workers."""
        self.start(store='{ module = "test_store"; }')
        self.ok(self.client(), "whoami")
        log = self.daemon.log_text()
        self.assertIn("with 1 workers", log)
        self.assertNotIn("reads on the I/O thread", log)


class Cli(Base):
    """The coffer commands for secrets, over libcoffer."""

    def setUp(self):
        super().setUp()
        for who, kind in (("cli", "user"), ("clisvc", "service")):
            ct.coffer("keygen", who, "--type", kind, "--dir", self.dir)
            ct.coffer("cert", "add", "--certs", self.certs,
                      os.path.join(self.dir, who + ".key"))
        self.start()

    def run_cli(self, *args, who="cli", stdin=None, binary=False, **env):
        base = {"COFFER_ENDPOINT": self.daemon.endpoint,
                "COFFER_SERVER_KEY": self.daemon.server_public,
                "COFFER_CERT": os.path.join(self.dir, who + ".key_secret")}
        base.update(env)
        return subprocess.run([ct.COFFER] + list(args), input=stdin,
                              capture_output=True, text=not binary,
                              timeout=30, env=dict(os.environ, **base))

    def test_put_get_ls_history_rm(self):
        value = os.path.join(self.dir, "value.txt")
        with open(value, "w") as f:
            f.write(SECRET_VALUE + "\n")
        out = self.run_cli("put", "prod/db", "DB_PASSWORD=@" + value,
                           "DB_USER=app", "--comment", "first")
        self.assertEqual(out.returncode, 0, out.stderr)
        self.assertEqual(out.stdout, "prod/db revision 1\n")
        self.assertEqual(out.stderr, "")
        out = self.run_cli("put", "prod/db", "DB_PASSWORD=-", "DB_USER=app",
                           stdin="from-stdin\n")
        self.assertEqual(out.stdout, "prod/db revision 2\n")
        self.assertEqual(self.run_cli("get", "prod/db").stdout,
                         "DB_PASSWORD=from-stdin\nDB_USER=app\n")
        self.assertEqual(self.run_cli("get", "prod/db", "--revision", "1",
                                      "--key", "DB_PASSWORD").stdout,
                         SECRET_VALUE + "\n")
        got = json.loads(self.run_cli("get", "--json", "prod/db").stdout)
        self.assertEqual(got["revision"], 2)
        self.assertEqual(self.run_cli("whoami").stdout,
                         "cli (user, by auth_curve)\n")
        self.run_cli("put", "prod/api", "K=v")
        self.assertEqual(sorted(self.run_cli("ls").stdout.splitlines()),
                         ["prod/api\t1", "prod/db\t2"])
        names = sorted(l.split("\t")[0] for l in
                       self.run_cli("ls", "prod/").stdout.splitlines())
        self.assertEqual(names, ["prod/api", "prod/db"])
        hist = self.run_cli("history", "prod/db").stdout.splitlines()
        self.assertEqual([h.split("\t")[0] for h in hist], ["1", "2"])
        self.assertIn("user/cli", hist[0])
        self.assertTrue(hist[0].endswith("first"))
        self.assertEqual(self.run_cli("rm", "prod/db").returncode, 0)
        self.assertEqual(self.run_cli("get", "prod/db").returncode, 3)

    def test_exit_codes(self):
        self.run_cli("put", "s", "K=v")
        self.run_cli("put", "s", "K=w")
        out = self.run_cli("put", "s", "K=x", "--expect", "1")
        self.assertEqual(out.returncode, 5, out.stderr)
        self.assertIn("conflict", out.stderr)
        self.assertEqual(self.run_cli("get", "s", who="clisvc").returncode, 4)
        self.assertEqual(self.run_cli("get", "nope").returncode, 3)
        self.assertEqual(self.run_cli("get", "s", "--key", "NOPE").returncode,
                         3)
        self.assertEqual(self.run_cli("put", "s").returncode, 2)
        self.assertEqual(self.run_cli("put", "bad name!", "K=v").returncode, 2)
        down = self.run_cli("get", "s", "--timeout", "1",
                            COFFER_ENDPOINT="tcp://127.0.0.1:%d" %
                            ct.free_port())
        self.assertEqual(down.returncode, 6, down.stderr)
        self.assertEqual(self.run_cli("get", "s", COFFER_ENDPOINT="",
                                      HOME="/nonexistent").returncode, 2)

    def test_call_any_operation(self):
        self.run_cli("put", "web/db", "K=v")
        out = self.run_cli("call", "service.put",
                           '{"name": "clisvc", "secrets": ["web/db"]}')
        self.assertEqual(json.loads(out.stdout)["revision"], 1, out.stderr)
        got = self.run_cli("call", "service.get", "-", who="clisvc",
                           stdin='{"name": "clisvc"}')
        creds = json.loads(got.stdout)["credentials"]
        self.assertEqual(creds[0]["pairs"], {"K": "v"})
        args = os.path.join(self.dir, "args.json")
        with open(args, "w") as f:
            f.write('{"name": "web/db", "from": 1, "to": 1}')
        diff = json.loads(self.run_cli("call", "secret.diff",
                                       "@" + args).stdout)
        self.assertEqual(diff["pairs"]["changed"], [])
        self.assertEqual(self.run_cli("call", "secret.get", "[1]").returncode,
                         2)
        self.assertEqual(self.run_cli("call", "nosuch.op").returncode, 2)

    def test_service_commands(self):
        self.run_cli("put", "svc/db", "DB_PASSWORD=p1", "SHARED=a")
        self.run_cli("put", "svc/api", "API_KEY=k", "SHARED=b")
        out = self.run_cli("service", "put", "clisvc", "svc/db", "svc/api",
                           "--comment", "first")
        self.assertEqual(out.stdout, "clisvc revision 1\n", out.stderr)
        self.assertEqual(self.run_cli("service", "ls").stdout,
                         "clisvc\t1\n")
        view = self.run_cli("service", "get", "clisvc").stdout
        self.assertEqual(view, "clisvc revision 1\n  svc/db\n  svc/api\n")
        self.assertNotIn("p1", view)
        mine = self.run_cli("service", "get", "clisvc", who="clisvc")
        self.assertEqual(sorted(mine.stdout.splitlines()),
                         ["API_KEY=k", "DB_PASSWORD=p1", "SHARED=a",
                          "SHARED=b"])
        self.assertIn("SHARED is held by 2 mapped secrets", mine.stderr)
        self.assertEqual(self.run_cli("service", "put", "clisvc", "nope")
                         .returncode, 3)
        self.assertEqual(self.run_cli("service", "put", "clisvc", "svc/db",
                                      who="clisvc").returncode, 4)
        self.assertEqual(self.run_cli("service", "frob").returncode, 2)

    def test_diff_revert_enable_disable(self):
        self.run_cli("put", "app/x", "A=" + SECRET_VALUE, "B=b")
        self.run_cli("put", "app/x", "A=changed", "C=c")
        out = self.run_cli("diff", "app/x", "1", "2")
        self.assertEqual(out.stdout, "+ key C\n- key B\n~ key A\n",
                         out.stderr)
        self.assertEqual(self.run_cli("diff", "app/x", "1", "two").returncode,
                         2)
        self.assertEqual(self.run_cli("diff", "app/x", "1", "9").returncode,
                         3)
        out = self.run_cli("revert", "app/x", "1")
        self.assertEqual(out.stdout, "app/x revision 3\n", out.stderr)
        self.assertEqual(self.run_cli("get", "app/x").stdout,
                         "A=%s\nB=b\n" % SECRET_VALUE)
        self.run_cli("service", "put", "clisvc", "app/x")
        self.assertEqual(self.run_cli("disable", "app/x", "--comment",
                                      "leaked").stdout, "app/x revision 4\n")
        meta = self.run_cli("get", "--meta", "app/x").stdout
        self.assertIn("revision: 4\nenabled: no\n", meta)
        self.assertIn("comment: leaked\n", meta)
        self.assertNotIn(SECRET_VALUE, meta)
        self.assertEqual(self.run_cli("diff", "app/x", "3", "4").stdout,
                         "~ disabled\n")
        self.assertEqual(self.run_cli("service", "get", "clisvc",
                                      who="clisvc").stdout, "")
        self.assertEqual(self.run_cli("enable", "app/x", "--expect",
                                      "3").returncode, 5)
        self.assertEqual(self.run_cli("enable", "app/x").stdout,
                         "app/x revision 5\n")
        self.assertEqual(self.run_cli("service", "get", "clisvc",
                                      who="clisvc").stdout,
                         "A=%s\nB=b\n" % SECRET_VALUE)
        hist = self.run_cli("history", "app/x").stdout.splitlines()
        self.assertEqual(len(hist), 5)
        self.assertTrue(hist[2].endswith("revert to revision 1"), hist[2])
        self.assertTrue(hist[3].endswith("(disabled) leaked"), hist[3])

    def test_history_pages(self):
        c = self.client("admin")
        self.ok(c, "secret.create", name="many", pairs={"K": "0"})
        for i in range(1, 130):
            self.ok(c, "secret.update", name="many", pairs={"K": str(i)})
        hist = self.run_cli("history", "many").stdout.splitlines()
        self.assertEqual([int(h.split("\t")[0]) for h in hist],
                         list(range(1, 131)))
        got = json.loads(self.run_cli("history", "--json", "many").stdout)
        self.assertEqual(len(got["revisions"]), 130)

    def test_service_revisions(self):
        self.run_cli("put", "svc/a", "A=1")
        self.run_cli("put", "svc/b", "B=2")
        self.run_cli("service", "put", "clisvc", "svc/a")
        self.run_cli("service", "put", "clisvc", "svc/a", "svc/b")
        hist = self.run_cli("service", "history", "clisvc").stdout
        self.assertEqual([h.split("\t")[0] for h in hist.splitlines()],
                         ["1", "2"])
        out = self.run_cli("service", "revert", "clisvc", "1")
        self.assertEqual(out.stdout, "clisvc revision 3\n", out.stderr)
        self.assertEqual(self.run_cli("service", "get", "clisvc",
                                      who="clisvc").stdout, "A=1\n")
        self.assertEqual(self.run_cli("service", "get", "clisvc",
                                      "--revision", "2").stdout,
                         "clisvc revision 2\n  svc/a\n  svc/b\n")
        self.run_cli("service", "disable", "clisvc")
        self.assertEqual(self.run_cli("service", "get", "clisvc",
                                      who="clisvc").returncode, 4)
        self.assertIn("(disabled)", self.run_cli("service", "get",
                                                 "clisvc").stdout)
        self.run_cli("service", "enable", "clisvc")
        self.assertEqual(self.run_cli("service", "get", "clisvc",
                                      who="clisvc").stdout, "A=1\n")
        self.assertEqual(self.run_cli("service", "revert", "clisvc",
                                      "x").returncode, 2)

    def test_blind_commands(self):
        key = os.path.join(self.dir, "blind.key")
        out = self.run_cli("keygen", "--blind", key)
        self.assertIn("blind key ", out.stdout, out.stderr)
        self.assertEqual(os.stat(key).st_mode & 0o777, 0o600)
        plain = os.urandom(3000) + b"\0" + SECRET_VALUE.encode()
        src = os.path.join(self.dir, "plain.bin")
        with open(src, "wb") as f:
            f.write(plain)
        out = self.run_cli("blind", "put", "--key", key, "--meta",
                           "owner=ops", "tls/key", src)
        self.assertEqual(out.stdout, "tls/key revision 1\n", out.stderr)
        got = self.run_cli("blind", "get", "tls/key", binary=True,
                           COFFER_BLIND_KEY=key)
        self.assertEqual(got.stdout, plain, got.stderr)
        # The daemon holds only ciphertext.
        stored = self.ok(self.client(), "blind.get", name="tls/key")
        self.assertEqual(stored["metadata"], {"owner": "ops"})
        self.assertNotIn(SECRET_VALUE.encode(),
                         base64.b64decode(stored["payload"]))
        # Standard input; --output writes a private file.
        out = self.run_cli("blind", "put", "--key", key, "tls/key", "-",
                           stdin=b"second", binary=True)
        self.assertEqual(out.returncode, 0, out.stderr)
        dest = os.path.join(self.dir, "out.bin")
        self.run_cli("blind", "get", "--key", key, "--revision", "1",
                     "--output", dest, "tls/key")
        with open(dest, "rb") as f:
            self.assertEqual(f.read(), plain)
        self.assertEqual(os.stat(dest).st_mode & 0o777, 0o600)
        hist = self.run_cli("blind", "history", "tls/key").stdout
        self.assertEqual(len(hist.splitlines()), 2)
        self.assertEqual(self.run_cli("blind", "ls").stdout, "tls/key\t2\n")
        self.assertEqual(self.run_cli("blind", "rm", "tls/key").returncode, 0)
        self.assertEqual(self.run_cli("blind", "get", "--key", key,
                                      "tls/key").returncode, 3)

    def test_blind_refusals(self):
        key, other = (os.path.join(self.dir, n) for n in ("a.key", "b.key"))
        self.run_cli("keygen", "--blind", key)
        self.run_cli("keygen", "--blind", other)
        self.run_cli("blind", "put", "--key", key, "one", "-", stdin="v1")
        wrong = self.run_cli("blind", "get", "--key", other, "one")
        self.assertEqual(wrong.returncode, 1)
        self.assertIn("not with this key", wrong.stderr)
        # The daemon (or anyone with the store) moves it to another name.
        c = self.client()
        payload = self.ok(c, "blind.get", name="one")["payload"]
        self.ok(c, "blind.put", name="two", payload=payload)
        moved = self.run_cli("blind", "get", "--key", key, "two")
        self.assertEqual(moved.returncode, 1)
        self.assertIn("altered or belongs to another name", moved.stderr)
        self.assertEqual(moved.stdout, "")
        # A master key is not a blind key; no key at all is a usage error.
        master = self.run_cli("blind", "get", "--key", self.master[0], "one")
        self.assertIn("not a coffer blind key file", master.stderr)
        self.assertEqual(self.run_cli("blind", "get", "one").returncode, 2)
        big = os.path.join(self.dir, "big.bin")
        with open(big, "wb") as f:
            f.write(b"x" * 200000)
        self.assertEqual(self.run_cli("blind", "put", "--key", key, "big",
                                      big).returncode, 2)
        # --raw: bytes the client encrypted some other way, as they are.
        self.run_cli("blind", "put", "--raw", "raw", "-", stdin=b"\x00\xff",
                     binary=True)
        self.assertEqual(self.ok(c, "blind.get", name="raw")["payload"],
                         "AP8=")
        self.assertEqual(self.run_cli("blind", "get", "--raw", "raw",
                                      binary=True).stdout, b"\x00\xff")
        self.assertIn("not encrypted by coffer", self.run_cli(
            "blind", "get", "--key", key, "raw").stderr)

    def test_config_file(self):
        conf = os.path.join(self.dir, "xdg", "coffer")
        os.makedirs(conf)
        with open(os.path.join(conf, "client.conf"), "w") as f:
            f.write('endpoint = "%s";\nserver_key = "%s";\ncert = "%s";\n'
                    % (self.daemon.endpoint,
                       self.daemon.server_key[:-len("_secret")],
                       os.path.join(self.dir, "cli.key_secret")))
        out = subprocess.run([ct.COFFER, "whoami"], capture_output=True,
                             text=True, timeout=30,
                             env={"PATH": os.environ["PATH"],
                                  "XDG_CONFIG_HOME":
                                  os.path.join(self.dir, "xdg")})
        self.assertEqual(out.stdout, "cli (user, by auth_curve)\n",
                         out.stderr)


if __name__ == "__main__":
    ct.main()
