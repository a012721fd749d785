#!/usr/bin/python3
"""Integration: cofferd with auth_kms against moto's KMS, signatures
checked.  Run inside tests/aws/motoserver.py (tests/integration/auth_kms.sh).

Tokens come from tests/aws/kmstoken.py, which follows kmsauth's generator
with boto3, as a real client would.  Valid v1 and v2 tokens for services
and users, a scoped key's account; each defect denied (expired, not yet
valid, too long, wrong to, wrong from, wrong user type, type not allowed,
version out of range, wrong key, garbage base64, garbage ciphertext,
oversized, no username); repeated tokens served from the cache (KMS calls
counted at tests/aws/faultproxy.py); KMS down answered `unavailable`.
"""
import base64
import json
import os
import subprocess
import sys
import time

try:
    import zmq  # noqa: F401
except ImportError:                      # pragma: no cover
    print("SKIP: pyzmq is not installed")
    sys.exit(77)

if "MOTO_ENDPOINT" not in os.environ:
    print("SKIP: run inside tests/aws/motoserver.py")
    sys.exit(77)

import coffertest as ct
import test_secrets

SO = ct.module("auth-kms/.libs/auth_kms.so")
AWS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..",
                   "..", "tests", "aws")
MOTO_PYTHON = os.environ.get("MOTO_PYTHON", "python3")
TO = "coffer-test"
COUNTER = iter(range(1000000))


def boto(code):
    out = subprocess.run([MOTO_PYTHON, "-c", "import boto3, json\n"
                          "kms = boto3.client('kms')\n" + code],
                         capture_output=True, text=True, timeout=60)
    if out.returncode != 0:
        raise AssertionError(out.stderr)
    return out.stdout


class KmsBase(test_secrets.Base):
    """Keys in moto, the fault proxy, a daemon with auth_kms."""

    def setUp(self):
        super().setUp()
        n = "%d-%d" % (os.getpid(), next(COUNTER))
        self.alias = {k: "alias/%s-%s" % (k, n)
                      for k in ("svc", "usr", "scoped", "other")}
        boto("".join("kms.create_alias(AliasName=%r, TargetKeyId="
                      "kms.create_key()['KeyMetadata']['KeyId'])\n" % a
                      for a in self.alias.values()))
        self.proxy = ct.FaultProxy(os.environ["MOTO_ENDPOINT"], self.dir)
        self.addCleanup(self.proxy.stop)
        self.proxy_url = self.proxy.url

    def start_kms(self, extra='user_types = [ "service", "user" ];'):
        auth = ('{ module = "%s"; control = "required"; to = "%s"; '
                'endpoint = "%s"; keys = [ "%s" ]; user_keys = [ "%s" ]; '
                'scoped_keys = [ "%s=sandbox" ]; retry_base_ms = 10; %s }'
                % (SO, TO, self.proxy_url, self.alias["svc"],
                   self.alias["usr"], self.alias["scoped"], extra))
        self.start(auth=auth)

    def token(self, key="svc", sender="web", *args):
        return subprocess.run(
            [MOTO_PYTHON, os.path.join(AWS, "kmstoken.py"),
             self.alias.get(key, key), sender, TO] + list(args),
            capture_output=True, text=True, timeout=60,
            check=True).stdout.strip()

    def whoami(self, token, username):
        c = ct.Client(self.daemon.endpoint, self.daemon.server_public)
        self.addCleanup(c.close)
        creds = {}
        if token is not None:
            creds["token"] = token
        if username is not None:
            creds["username"] = username
        return c.call("whoami", credentials=creds)

    def allowed(self, token, username):
        r = self.whoami(token, username)
        self.assertTrue(r["ok"], r)
        return r["result"]

    def denied(self, token, username, reason):
        r = self.whoami(token, username)
        self.assertFalse(r["ok"], r)
        self.assertEqual(r["error"]["code"], "denied", r)
        if reason is not None:
            self.daemon.wait_log(reason)
        return r


class Kms(KmsBase):

    def test_valid_tokens(self):
        self.start_kms()
        me = self.allowed(self.token(), "2/service/web")
        self.assertEqual((me["name"], me["type"], me["module"]),
                         ("web", "service", "auth_kms"))
        self.assertEqual(me["attributes"]["kms_key"], self.alias["svc"])
        me = self.allowed(self.token("svc", "batch", "--version", "1"),
                          "batch")
        self.assertEqual((me["name"], me["type"]), ("batch", "service"))
        me = self.allowed(self.token("usr", "alice", "--user-type", "user"),
                          "2/user/alice")
        self.assertEqual((me["name"], me["type"]), ("alice", "user"))
        me = self.allowed(self.token("scoped", "sbx"), "2/service/sbx")
        self.assertEqual(me["attributes"]["account"], "sandbox")

    def test_defects_denied(self):
        self.start_kms()
        good = self.token()
        self.denied(self.token("svc", "web", "--shift", "-30"),
                    "2/service/web", "the token has expired")
        self.denied(self.token("svc", "web", "--shift", "30"),
                    "2/service/web", "the token is not valid yet")
        self.denied(self.token("svc", "web", "--lifetime", "70"),
                    "2/service/web", "lifetime of 4200 s is over the 3600")
        self.denied(self.token("svc", "web", "--context", "to=elsewhere"),
                    "2/service/web", "KMS refused the token for web")
        self.denied(good, "2/service/db", "KMS refused the token for db")
        self.denied(self.token("usr", "web", "--user-type", "user"),
                    "2/service/web", "KMS refused the token for web")
        self.denied(self.token("other"), "2/service/web",
                    "not an auth key for services")
        self.denied(self.token("usr", "web"), "2/service/web",
                    "not an auth key for services")
        self.denied("!!not base64!!", "2/service/web",
                    "not base64 of a KMS ciphertext")
        self.denied(base64.b64encode(os.urandom(120)).decode(),
                    "2/service/web", "KMS refused the token")
        # Oversized: the daemon refuses the request before any module.
        r = self.whoami("A" * 9000, "2/service/web")
        self.assertEqual(r["error"]["code"], "bad_request", r)
        self.assertIn("credentials.token", r["error"]["message"])
        self.denied(good, None, "a token without a username")
        self.denied(good, "2/robot/web", "unknown user type")
        self.denied(None, None, None)      # no token: auth_kms ignores it
        self.assertNotIn(good, self.daemon.log_text())
        # And the good one still works.
        self.allowed(good, "2/service/web")

    def test_types_and_versions_narrowed(self):
        self.start_kms("min_version = 2;")
        self.denied(self.token("usr", "alice", "--user-type", "user"),
                    "2/user/alice", "user tokens are not accepted here")
        self.denied(self.token("svc", "web", "--version", "1"), "web",
                    "token version 1 is outside 2 to 2")
        self.allowed(self.token(), "2/service/web")

    def test_cache_spares_kms(self):
        self.start_kms()
        tok = self.token()
        self.proxy.control("/__proxy/config", {"rate": 0, "faults": []})
        for _ in range(5):
            self.allowed(tok, "2/service/web")
        stats = self.proxy.control("/__proxy/stats")
        self.assertEqual(stats["targets"].get("TrentService.Decrypt"), 1,
                         stats)
        # A cached token claimed by another name is not a hit.
        self.denied(tok, "2/service/db", "KMS refused the token for db")
        stats = self.proxy.control("/__proxy/stats")
        self.assertEqual(stats["targets"].get("TrentService.Decrypt"), 2)

    def test_burst_of_one_new_token(self):
        """Many requests bringing one new token at once (KMS slow to
        answer): one Decrypt, and every request gets its answer."""
        self.start_kms()
        tok = self.token()
        self.proxy.control("/__proxy/config", {"rate": 1.0, "delay": 0.5,
                                               "faults": ["slow"]})
        clients = []
        for _ in range(20):
            c = ct.Client(self.daemon.endpoint, self.daemon.server_public)
            self.addCleanup(c.close)
            c.request("whoami", credentials={"token": tok,
                                             "username": "2/service/web"})
            clients.append(c)
        replies = [c.recv(timeout=30) for c in clients]
        self.assertEqual([r["ok"] for r in replies], [True] * 20, replies)
        stats = self.proxy.control("/__proxy/stats")
        self.assertEqual(stats["targets"].get("TrentService.Decrypt"), 1,
                         stats)

    def test_faults_under_load(self):
        """KMS behind the proxy failing 20% of calls (5xx, HTML, resets,
        answers lost after KMS acted, stalls, throttling) while four
        clients bring ten valid tokens: every request ends ok or
        unavailable, within its timeout; none is denied.  A cache of one
        token makes nearly every request a KMS call.  Seeded: 4 of the
        first 10 calls fail, 7 of the first 30 (unseeded, the 30 or so
        calls met 3 faults or fewer one run in eight)."""
        self.start_kms('user_types = [ "service", "user" ]; cache_size = 1;')
        tokens = [(self.token("svc", "web%d" % i), "2/service/web%d" % i)
                  for i in range(10)]
        self.proxy.control("/__proxy/config", {
            "rate": 0.2, "delay": 1.0, "seed": 2, "faults": [
                "error500", "html502", "drop", "drop_after", "slow",
                "json:400:ThrottlingException"]})
        results, bad = [], []

        def client(seed):
            c = ct.Client(self.daemon.endpoint, self.daemon.server_public)
            try:
                for i in range(15):
                    tok, user = tokens[(seed * 7 + i) % len(tokens)]
                    r = c.call("whoami", credentials={"token": tok,
                                                      "username": user},
                               timeout=30)
                    if r is None:
                        bad.append("no answer within 30 s")
                    elif r["ok"] or r["error"]["code"] == "unavailable":
                        results.append(r["ok"])
                    else:
                        bad.append(r)
            finally:
                c.close()

        ct.in_threads(client, [(n,) for n in range(4)])
        stats = self.proxy.heal()
        self.assertEqual(bad, [])
        self.assertEqual(len(results), 60)
        self.assertGreater(sum(stats["faults"].values()), 3, stats)
        self.assertGreater(sum(results), 30, "most requests got in")
        for tok, user in tokens:         # all of them, once KMS is well
            self.allowed(tok, user)

    def test_kms_failures_moto_lacks(self):
        self.start_kms()
        for code in ("DisabledException", "IncorrectKeyException",
                     "KMSInvalidStateException"):
            self.proxy.control("/__proxy/config", {"rate": 1.0,
                                             "faults": ["json:400:" + code]})
            self.denied(self.token("svc", "web%d" % len(code)),
                        "2/service/web%d" % len(code), code)
        self.proxy.control("/__proxy/config", {
            "rate": 1.0, "faults": ["json:500:KMSInternalException"]})
        r = self.whoami(self.token(), "2/service/web")
        self.assertEqual(r["error"]["code"], "unavailable", r)
        stats = self.proxy.control("/__proxy/stats")
        self.assertEqual(stats["targets"]["TrentService.Decrypt"], 3,
                         "KMS internal errors are retried")

    def test_stack_curve_or_kms(self):
        auth = ('{ module = "%s"; control = "sufficient"; certs = "%s"; },'
                '{ module = "%s"; control = "required"; to = "%s"; '
                'endpoint = "%s"; keys = [ "%s" ]; retry_base_ms = 10; }'
                % (ct.module("auth-curve/.libs/auth_curve.so"), self.certs,
                   SO, TO, self.proxy_url, self.alias["svc"]))
        self.start(auth=auth)
        # A known CURVE key gets in, token or not.
        me = self.ok(self.client("bob"), "whoami")
        self.assertEqual((me["name"], me["module"]), ("bob", "auth_curve"))
        # An unknown key with a valid token gets in as the token says.
        me = self.allowed(self.token(), "2/service/web")
        self.assertEqual((me["name"], me["module"]), ("web", "auth_kms"))
        # Neither: denied.
        self.denied(None, None, None)
        self.denied(self.token("other"), "2/service/web", "not an auth key")

    def test_kms_unavailable(self):
        self.start_kms()
        tok = self.token()
        self.proxy.control("/__proxy/config", {"rate": 1.0,
                                         "faults": ["error500"]})
        r = self.whoami(tok, "2/service/web")
        self.assertFalse(r["ok"], r)
        self.assertEqual(r["error"]["code"], "unavailable", r)
        self.proxy.control("/__proxy/config", {"rate": 0, "faults": []})
        self.allowed(tok, "2/service/web")


class KmsReadsBesideCalls(KmsBase):
    """auth_kms has answers_now(): with store_fs, a read bearing a token it
    has cached runs on the I/O thread, one bearing a new token on a
    worker, so a slow KMS holds up only the requests that need it."""

    workers = 1

    def test_cached_token_not_behind_a_kms_call(self):
        self.start_kms('user_types = [ "service", "user" ]; '
                       'timeout_ms = 5000;')
        self.assertIn("reads on the I/O thread when the auth modules can "
                      "answer at once",
                      self.daemon.log_text(self.daemon.log_start))
        warm, new = self.token(), self.token(sender="db")
        self.allowed(warm, "2/service/web")
        self.proxy.control("/__proxy/config", {"rate": 1.0, "delay": 2.0,
                                               "faults": ["slow"]})
        c = ct.Client(self.daemon.endpoint, self.daemon.server_public)
        self.addCleanup(c.close)
        c.request("whoami", credentials={"token": new,
                                         "username": "2/service/db"})
        time.sleep(0.3)         # the new token's Decrypt is under way
        start = time.time()
        self.assertEqual(self.allowed(warm, "2/service/web")["name"], "web")
        self.assertLess(time.time() - start, 1.0)
        reply = c.recv(timeout=30)
        self.assertTrue(reply and reply["ok"], reply)
        self.assertEqual(reply["result"]["name"], "db")
        # Counted since the proxy was configured: the new token's one.
        stats = self.proxy.control("/__proxy/stats")
        self.assertEqual(stats["targets"].get("TrentService.Decrypt"), 1,
                         stats)


class Cli(KmsBase):
    """coffer with --kms-key: tokens made by libcoffer-kms."""

    def run_cli(self, *args, **env):
        base = {"COFFER_ENDPOINT": self.daemon.endpoint,
                "COFFER_SERVER_KEY": self.daemon.server_public,
                "COFFER_KMS_KEY": self.alias["svc"],
                "COFFER_KMS_FROM": "web", "COFFER_KMS_TO": TO,
                "COFFER_KMS_LIBRARY": os.path.join(
                    ct.BUILDDIR, "client", ".libs", "libcoffer-kms.so.0"),
                "COFFER_KMS_CACHE": self.cache,
                "AWS_ENDPOINT_URL_KMS": self.proxy_url}
        base.update(env)
        return subprocess.run([ct.COFFER] + list(args), capture_output=True,
                              text=True, timeout=60,
                              env=dict(os.environ, **base))

    def encrypts(self):
        return self.proxy.control("/__proxy/stats")["targets"].get(
            "TrentService.Encrypt", 0)

    def test_cli_tokens_and_cache(self):
        self.cache = os.path.join(self.dir, "kms-token")
        self.start_kms()
        out = self.run_cli("whoami")
        self.assertEqual(out.stdout, "web (service, by auth_kms)\n",
                         out.stderr)
        self.assertEqual(self.encrypts(), 1)
        # kmsauth's cache format, private.
        self.assertEqual(os.stat(self.cache).st_mode & 0o777, 0o600)
        with open(self.cache) as f:
            cached = json.load(f)
        self.assertEqual(cached["auth_context"], {
            "from": "web", "to": TO, "user_type": "service"})
        self.assertEqual(len(cached["not_after"]), 16)
        self.assertNotIn(cached["token"], self.daemon.log_text())
        # Reused: no new Encrypt.
        self.assertEqual(self.run_cli("whoami").returncode, 0)
        self.assertEqual(self.encrypts(), 1)
        # Another identity does not reuse it.
        out = self.run_cli("whoami", "--kms-key", self.alias["usr"],
                           "--kms-from", "alice", "--kms-user-type", "user")
        self.assertEqual(out.stdout, "alice (user, by auth_kms)\n",
                         out.stderr)
        self.assertEqual(self.encrypts(), 2)
        # A cache others could read is not trusted.
        self.run_cli("whoami")
        n = self.encrypts()
        os.chmod(self.cache, 0o644)
        self.assertEqual(self.run_cli("whoami").returncode, 0)
        self.assertEqual(self.encrypts(), n + 1)

    def test_cli_kms_errors(self):
        self.cache = ""
        self.start_kms()
        out = self.run_cli("whoami", COFFER_KMS_FROM="")
        self.assertEqual(out.returncode, 2, out.stderr)
        self.assertIn("--kms-from", out.stderr)
        out = self.run_cli("whoami", COFFER_KMS_LIBRARY="/nonexistent.so")
        self.assertEqual(out.returncode, 1)
        self.assertIn("needs libcoffer-kms", out.stderr)
        out = self.run_cli("whoami", "--kms-key", self.alias["other"])
        self.assertEqual(out.returncode, 4, out.stderr)
        self.proxy.control("/__proxy/config", {"rate": 1.0,
                                         "faults": ["error500"]})
        out = self.run_cli("whoami")
        self.assertEqual(out.returncode, 6, out.stderr)
        self.assertIn("KMS Encrypt", out.stderr)


if __name__ == "__main__":
    ct.main()
