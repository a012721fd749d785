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

    def test_remapped_in_the_table(self):
        """Confidant's threat: full DynamoDB access maps secrets to another
        service.  Here web's mapping items get api's sealed mapping, and
        web's own secret gets api's record: each is refused as tampered."""
        self.start(store=store(self.table))
        c = self.client()
        for svc in ("web", "api"):
            self.ok(c, "secret.create", name="%s/db" % svc,
                    pairs={"PASSWORD": "pw-of-%s" % svc})
            self.ok(c, "service.put", name=svc, secrets=["%s/db" % svc])
        boto("""
t = %r
def item(pk, rev):
    return ddb.get_item(TableName=t, Key={"pk": {"S": pk},
                        "rev": {"N": str(rev)}})["Item"]
for src, dst in (("service/api", "service/web"),
                 ("secret/api/db", "secret/web/db")):
    rec = item(src, 1)["rec"]
    for rev in (0, 1):
        ddb.update_item(TableName=t, Key={"pk": {"S": dst},
                        "rev": {"N": str(rev)}},
                        UpdateExpression="SET rec = :r",
                        ExpressionAttributeValues={":r": rec})
""" % self.table)
        web = self.client("web")
        self.err(web, "service.get", "tampered", name="web")
        self.err(c, "secret.get", "tampered", name="web/db")
        self.err(c, "secret.get", "tampered", name="web/db", revision=1)
        self.assertEqual(self.ok(c, "secret.get", name="api/db")["pairs"],
                         {"PASSWORD": "pw-of-api"})

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

        ct.in_threads(writer, [(who, 12) for who in ("admin", "bob",
                                                      "carol")])
        stats = self.proxy.heal()
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

    def count(self, c, op, **args):
        """The reply to OP, and the DynamoDB requests it took by target
        (counted at the proxy)."""
        before = self.proxy.control("/__proxy/stats")["targets"]
        reply = self.ok(c, op, **args)
        after = self.proxy.control("/__proxy/stats")["targets"]
        return reply, {t.split(".")[-1]: n - before.get(t, 0)
                       for t, n in after.items() if n != before.get(t, 0)}

    def test_requests_per_operation(self):
        """Issue 8's budget: one request for a secret get, at most two
        for an update, 1 + ceil(K/100) for a service get of K secrets."""
        self.start_behind_proxy()
        c = self.client()
        names = ["r/%03d" % i for i in range(150)]
        for n in names:
            self.ok(c, "secret.create", name=n, pairs={"K" + n[2:]: n})
        got, calls = self.count(c, "secret.get", name="r/007")
        self.assertEqual(got["pairs"], {"K007": "r/007"})
        self.assertEqual(calls, {"GetItem": 1})
        got, calls = self.count(c, "secret.update", name="r/007",
                                pairs={"K007": "new"})
        self.assertEqual(calls, {"GetItem": 1, "TransactWriteItems": 1})
        for k, want in ((10, 2), (100, 2), (150, 3)):
            _, calls = self.count(c, "service.put", name="web",
                                  secrets=names[:k])
            self.assertLessEqual(sum(calls.values()), 2 + want, calls)
            got, calls = self.count(self.client("web"), "service.get",
                                    name="web")
            self.assertEqual(len(got["credentials"]), k)
            self.assertEqual(sum(calls.values()), want, (k, calls))
            self.assertEqual(calls.get("BatchGetItem"), want - 1, calls)
        creds = {s["name"]: s for s in got["credentials"]}
        self.assertEqual(creds["r/007"]["pairs"], {"K007": "new"})
        self.assertEqual(creds["r/007"]["revision"], 2)
        self.assertEqual(creds["r/149"]["pairs"], {"K149": "r/149"})

    def test_heads_without_records(self):
        """Heads written before they carried the latest record (an older
        store_dynamo) still read right, one query more; the next write
        brings the record into the head."""
        self.start_behind_proxy()
        c = self.client()
        for n in ("old/a", "old/b"):
            self.ok(c, "secret.create", name=n, pairs={"V": n})
        self.ok(c, "secret.update", name="old/a", pairs={"V": "a2"})
        self.ok(c, "service.put", name="web", secrets=["old/a", "old/b"])
        boto("for pk in ('secret/old/a', 'secret/old/b'):\n"
             "    ddb.update_item(TableName=%r, Key={'pk': {'S': pk}, "
             "'rev': {'N': '0'}}, UpdateExpression='REMOVE rec')\n"
             % self.table)
        got, calls = self.count(c, "secret.get", name="old/a")
        self.assertEqual((got["revision"], got["pairs"]), (2, {"V": "a2"}))
        self.assertEqual(calls, {"GetItem": 1, "Query": 1})
        got, _ = self.count(self.client("web"), "service.get", name="web")
        self.assertEqual(sorted((s["name"], s["revision"], s["pairs"]["V"])
                                for s in got["credentials"]),
                         [("old/a", 2, "a2"), ("old/b", 1, "old/b")])
        self.ok(c, "secret.update", name="old/a", pairs={"V": "a3"})
        got, calls = self.count(c, "secret.get", name="old/a")
        self.assertEqual((got["revision"], calls), (3, {"GetItem": 1}))

    def test_reseal_reaches_the_head(self):
        """The head's copy of the latest record is resealed with it: the
        old master key can go."""
        self.start_behind_proxy()
        c = self.client()
        self.ok(c, "secret.create", name="k", pairs={"V": "1"})
        self.ok(c, "secret.update", name="k", pairs={"V": "2"})
        self.ok(c, "service.put", name="web", secrets=["k"])
        new = os.path.join(self.dir, "master-2.key")
        ct.coffer("keygen", "--master", new)
        self.start(keyring=[new] + self.master, store=store(
            self.table, extra='endpoint = "%s";' % self.proxy_url))
        c = self.client()
        self.assertEqual(self.reseal_all(c, "secret"), 2)
        self.assertEqual(self.reseal_all(c, "service"), 1)
        self.start(keyring=[new], store=store(
            self.table, extra='endpoint = "%s";' % self.proxy_url))
        c = self.client()
        self.assertEqual(self.ok(c, "secret.get", name="k")["pairs"],
                         {"V": "2"})
        got = self.ok(self.client("web"), "service.get", name="web")
        self.assertEqual(got["credentials"][0]["pairs"], {"V": "2"})

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
    ct.main()
