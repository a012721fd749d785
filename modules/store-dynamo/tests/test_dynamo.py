#!/usr/bin/python3
"""Integration: cofferd on store_dynamo, against moto with signatures
checked.  Run inside tests/aws/motoserver.py (tests/integration/store_dynamo.sh),
which puts the endpoint and credentials in the environment.

The secrets operations end to end on DynamoDB; two daemons writing the
same secrets at once through one table (no lost update, no revision made
twice); no plaintext in the table; startup refusing a wrong signature, a
missing table and a table of the wrong shape, each with a clear reason;
and, behind tests/aws/faultproxy.py, throttling, 5xx, dropped connections
and slow replies at a 20% rate under load: every request ends in success
or `unavailable`, nothing acknowledged is lost, nothing is written twice.
"""
import os
import subprocess
import sys
import threading
import time
import unittest

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

SO = ct.module("store-dynamo/.libs/store_dynamo.so")
MOTO_PYTHON = os.environ.get("MOTO_PYTHON", "python3")
COUNTER = iter(range(1000000))


def boto(code):
    """Run CODE with boto3's dynamodb client as `ddb` (moto's python);
    its standard output."""
    prelude = "import boto3, json\nddb = boto3.client('dynamodb')\n"
    out = subprocess.run([MOTO_PYTHON, "-c", prelude + code],
                         capture_output=True, text=True, timeout=60)
    if out.returncode != 0:
        raise AssertionError(out.stderr)
    return out.stdout


def store(table, create=True, extra=""):
    return ('{ module = "%s"; table = "%s"; create_table = %s; '
            'retry_base_ms = 10; %s }'
            % (SO, table, "true" if create else "false", extra))


class Dynamo(test_secrets.Base):

    def setUp(self):
        super().setUp()
        self.table = "coffer-%d-%d" % (os.getpid(), next(COUNTER))

    def test_secrets_on_dynamo(self):
        self.start(store=store(self.table))
        c = self.client()
        self.ok(c, "secret.create", name="prod/db",
                pairs={"PASSWORD": test_secrets.SECRET_VALUE})
        self.ok(c, "secret.update", name="prod/db", pairs={"PASSWORD": "2"},
                expect=1)
        self.err(c, "secret.update", "conflict", name="prod/db",
                 pairs={"PASSWORD": "3"}, expect=1)
        got = self.ok(c, "secret.get", name="prod/db", revision=1)
        self.assertEqual(got["pairs"]["PASSWORD"], test_secrets.SECRET_VALUE)
        self.assertEqual(self.ok(c, "secret.get", name="prod/db")["revision"],
                         2)
        for i in range(5):
            self.ok(c, "secret.create", name="app/%d" % i, pairs={"K": "v"})
        names, cursor = [], None
        while True:
            args = {"prefix": "app/", "limit": 2}
            if cursor:
                args["cursor"] = cursor
            page = self.ok(c, "secret.list", **args)
            names += [s["name"] for s in page["secrets"]]
            cursor = page["cursor"]
            if cursor is None:
                break
        self.assertEqual(sorted(names), ["app/%d" % i for i in range(5)])
        hist = self.ok(c, "secret.history", name="prod/db")
        self.assertEqual([r["revision"] for r in hist["revisions"]], [1, 2])
        self.ok(c, "secret.delete", name="app/0")
        self.err(c, "secret.get", "not_found", name="app/0")
        # Only ciphertext in the table.
        scan = boto("print(json.dumps(ddb.scan(TableName=%r)['Items']))"
                    % self.table)
        self.assertIn("prod/db", scan)
        self.assertNotIn(test_secrets.SECRET_VALUE, scan)

    def test_two_daemons_one_table(self):
        self.start(store=store(self.table))
        other_dir = os.path.join(self.dir, "second")
        os.mkdir(other_dir, 0o700)
        auth = ('{ module = "%s"; control = "required"; certs = "%s"; }'
                % (ct.module("auth-curve/.libs/auth_curve.so"), self.certs))
        second = ct.Daemon(other_dir, auth, store=store(self.table),
                           extra='keyring = [ "%s" ];' % self.master[0])
        self.addCleanup(second.kill)
        second.start()
        c = self.client()
        self.ok(c, "secret.create", name="shared", pairs={"V": "start"})
        acked, errors = [], []

        def writer(daemon, who, n):
            cl = ct.Client(daemon.endpoint, daemon.server_public,
                           *self.keys[who])
            try:
                for i in range(n):
                    value = "%s-%s-%d" % (daemon.port, who, i)
                    r = cl.call("secret.update", {"name": "shared",
                                                  "pairs": {"V": value}},
                                timeout=60)
                    if r is None or not r["ok"]:
                        errors.append(r)
                    else:
                        acked.append((r["result"]["revision"], value))
            finally:
                cl.close()

        threads = [threading.Thread(target=writer, args=(d, who, 8))
                   for d in (self.daemon, second)
                   for who in ("admin", "bob")]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        self.assertEqual(errors, [])
        revs = sorted(r for r, _ in acked)
        self.assertEqual(revs, list(range(2, 2 + len(acked))),
                         "each acknowledged update has its own revision")
        for rev, value in acked:
            got = self.ok(c, "secret.get", name="shared", revision=rev)
            self.assertEqual(got["pairs"]["V"], value)
        latest = self.ok(c, "secret.get", name="shared")["revision"]
        self.assertEqual(latest, 1 + len(acked))

    def refused(self, store_text, env=None):
        """Start a daemon that must refuse to start; its log."""
        self.daemon = ct.Daemon(self.dir, '{ module = "%s"; certs = "%s"; '
                                'control = "required"; }'
                                % (ct.module("auth-curve/.libs/"
                                             "auth_curve.so"), self.certs),
                                store=store_text,
                                extra='keyring = [ "%s" ];' % self.master[0])
        self.addCleanup(self.daemon.kill)
        self.daemon.start(wait=False, env=env)
        self.assertNotEqual(self.daemon.proc.wait(60), 0)
        self.daemon.close_log()
        return self.daemon.log_text()

    def test_wrong_signature_refused(self):
        log = self.refused(store(self.table),
                           env={"AWS_SECRET_ACCESS_KEY": "wrong" * 8})
        self.assertIn("Signature", log)
        self.assertIn("HTTP 403", log)

    def test_missing_table_named(self):
        log = self.refused(store("absent-" + self.table, create=False))
        self.assertIn("table absent-%s does not exist" % self.table, log)
        self.assertIn("create_table = true", log)

    def test_wrong_table_shape(self):
        boto("ddb.create_table(TableName=%r, BillingMode='PAY_PER_REQUEST',"
             " AttributeDefinitions=[{'AttributeName': 'id',"
             " 'AttributeType': 'S'}], KeySchema=[{'AttributeName': 'id',"
             " 'KeyType': 'HASH'}])" % self.table)
        log = self.refused(store(self.table, create=False))
        self.assertIn("its key must be pk (S, HASH) and rev (N, RANGE)", log)


class Faults(test_secrets.Base):
    """The module behind tests/aws/faultproxy.py: throttling, 5xx,
    dropped connections before and after moto applied a write, slow
    replies."""

    def setUp(self):
        super().setUp()
        self.table = "faults-%d-%d" % (os.getpid(), next(COUNTER))
        self.proxy = ct.FaultProxy(os.environ["MOTO_ENDPOINT"], self.dir)
        self.addCleanup(self.proxy.stop)
        self.proxy_url = self.proxy.url

    def start_behind_proxy(self, extra=""):
        self.start(store=store(self.table, extra='endpoint = "%s"; %s'
                               % (self.proxy_url, extra)))

    def test_faults_under_load(self):
        self.start_behind_proxy("timeout_ms = 1000;")
        c = self.client()
        for n in ("f0", "f1"):
            self.ok(c, "secret.create", name=n, pairs={"V": "start"})
        self.proxy.control("/__proxy/config", {
            "rate": 0.2, "delay": 1.5, "faults": [
                "throttle", "error500", "html502", "drop", "drop_after",
                "slow"]})
        acked, bad = [], []

        def writer(who, n):
            cl = ct.Client(self.daemon.endpoint, self.daemon.server_public,
                           *self.keys[who])
            try:
                for i in range(n):
                    name, value = "f%d" % (i % 2), "%s-%d" % (who, i)
                    r = cl.call("secret.update", {"name": name,
                                                  "pairs": {"V": value}},
                                timeout=60)
                    if r is None:
                        bad.append("no answer: %s" % value)
                    elif r["ok"]:
                        acked.append((name, r["result"]["revision"], value))
                    elif r["error"]["code"] != "unavailable":
                        bad.append(r)
            finally:
                cl.close()

        threads = [threading.Thread(target=writer, args=(who, 12))
                   for who in ("admin", "bob", "carol")]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        stats = self.proxy.control("/__proxy/stats")
        self.proxy.control("/__proxy/config", {"rate": 0, "faults": []})
        self.assertEqual(bad, [])
        self.assertGreater(sum(stats["faults"].values()), 5, stats)
        self.assertGreater(len(acked), 10)
        for name in ("f0", "f1"):
            latest = self.ok(c, "secret.get", name=name)["revision"]
            values = [self.ok(c, "secret.get", name=name,
                              revision=r)["pairs"]["V"]
                      for r in range(1, latest + 1)]
            # No revision made twice by one request.
            self.assertEqual(len(values), len(set(values)), values)
            for n, rev, value in acked:
                if n == name:    # nothing acknowledged is lost
                    self.assertEqual(values[rev - 1], value)

    def test_throttling_then_unavailable(self):
        self.start_behind_proxy()
        c = self.client()
        self.ok(c, "secret.create", name="t", pairs={"V": "1"})
        self.proxy.control("/__proxy/config", {"rate": 1.0,
                                         "faults": ["throttle"]})
        msg = self.err(c, "secret.get", "unavailable", name="t")
        self.assertIn("ProvisionedThroughputExceededException", msg)
        stats = self.proxy.control("/__proxy/stats")
        self.assertEqual(stats["requests"], 3, "max_attempts = 3")
        self.proxy.control("/__proxy/config", {"rate": 0, "faults": []})
        self.assertEqual(self.ok(c, "secret.get", name="t")["pairs"],
                         {"V": "1"})

    def test_slow_replies_time_out(self):
        self.start_behind_proxy("timeout_ms = 300; max_attempts = 2;")
        c = self.client()
        self.ok(c, "secret.create", name="s", pairs={"V": "1"})
        self.proxy.control("/__proxy/config", {"rate": 1.0, "delay": 3,
                                         "faults": ["slow"]})
        t0 = time.time()
        msg = self.err(c, "secret.get", "unavailable", name="s")
        self.assertLess(time.time() - t0, 3)
        self.assertIn("Timeout", msg)


if __name__ == "__main__":
    result = unittest.main(verbosity=2, exit=False).result
    failed = len(result.failures) + len(result.errors)
    print("%d passed, %d failed" % (result.testsRun - failed, failed))
    sys.exit(1 if failed else 0)
