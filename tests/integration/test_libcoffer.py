#!/usr/bin/python3
"""Integration: libcoffer from C (check_libcoffer) against a real cofferd.

The C suite gets the daemon's settings in its environment; this script
starts the daemon, and for the last case starts a second one only after
the suite's request has timed out, to show that the abandoned request is
never delivered.
"""
import os
import subprocess
import sys

try:
    import zmq  # noqa: F401  (test_secrets needs it)
except ImportError:                      # pragma: no cover
    print("SKIP: pyzmq is not installed")
    sys.exit(77)

import coffertest as ct
import test_secrets

CHECK = os.path.join(ct.BUILDDIR, "tests", "check_libcoffer")


class LibCoffer(test_secrets.Base):

    def setUp(self):
        super().setUp()
        for who, kind in (("libc", "user"), ("libsvc", "service")):
            ct.coffer("keygen", who, "--type", kind, "--dir", self.dir)
            ct.coffer("cert", "add", "--certs", self.certs,
                      os.path.join(self.dir, who + ".key"))
        self.start()

    def test_c_suite(self):
        late = ct.free_port()
        env = dict(os.environ,
                   COFFER_ENDPOINT=self.daemon.endpoint,
                   COFFER_SERVER_KEY=self.daemon.server_public,
                   COFFER_CERT=os.path.join(self.dir, "libc.key_secret"),
                   COFFER_CERT_SERVICE=os.path.join(self.dir,
                                                    "libsvc.key_secret"),
                   COFFER_DEAD_ENDPOINT="tcp://127.0.0.1:%d" %
                   ct.free_port(),
                   COFFER_LATE_ENDPOINT="tcp://127.0.0.1:%d" % late)
        proc = subprocess.Popen([CHECK], env=env, stdin=subprocess.PIPE,
                                stdout=subprocess.PIPE, text=True)
        self.addCleanup(proc.stdout.close)
        self.addCleanup(proc.kill)
        lines = []
        for line in proc.stdout:
            lines.append(line)
            if line == "waiting\n":
                break
        self.assertEqual(lines[-1:], ["waiting\n"], "".join(lines))
        # Now a daemon comes up where the timed-out request was headed
        # (the server key stays: it is the same directory).
        self.start(port=late)
        proc.stdin.write("go\n")
        proc.stdin.close()
        rest = proc.stdout.read()
        self.assertEqual(proc.wait(30), 0, "".join(lines) + rest)
        self.assertIn("100%", rest)
        got = self.client("admin").call("secret.get", {"name": "lib/late"})
        self.assertFalse(got["ok"], "the abandoned request was delivered")
        self.assertEqual(got["error"]["code"], "not_found", got)


if __name__ == "__main__":
    ct.main()
