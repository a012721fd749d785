#!/usr/bin/python3
"""The coffer CLI: keygen and certificate store administration."""
import json
import os
import stat
import sys
import unittest

try:
    import zmq
    import zmq.auth
except ImportError:                      # pragma: no cover
    print("SKIP: pyzmq is not installed")
    sys.exit(77)

import coffertest as ct


class Cli(unittest.TestCase):

    def setUp(self):
        self.dir = ct.scratch_dir("cli")
        self.addCleanup(ct.cleanup, self.dir)
        self.certs = os.path.join(self.dir, "certs")
        os.mkdir(self.certs, 0o755)

    def path(self, *p):
        return os.path.join(self.dir, *p)

    def test_keygen_files(self):
        out = ct.coffer("keygen", "alice", "--dir", self.dir, "--json")
        info = json.loads(out.stdout)
        self.assertEqual(info["name"], "alice")
        self.assertEqual(info["type"], "user")
        self.assertEqual(stat.S_IMODE(os.stat(self.path("alice.key_secret"))
                                      .st_mode), 0o600)
        self.assertEqual(stat.S_IMODE(os.stat(self.path("alice.key"))
                                      .st_mode), 0o644)
        # pyzmq reads both files, and they are one pair.
        pub, none = zmq.auth.load_certificate(self.path("alice.key"))
        pub2, sec = zmq.auth.load_certificate(self.path("alice.key_secret"))
        self.assertIsNone(none)
        self.assertEqual(pub, pub2)
        self.assertEqual(pub.decode(), info["public_key"])
        self.assertEqual(zmq.curve_public(sec), pub)
        with open(self.path("alice.key")) as f:
            text = f.read()
        self.assertIn('    name = "alice"\n', text)
        self.assertNotIn("secret-key", text)

    def test_keygen_master(self):
        key = self.path("master-1.key")
        out = ct.coffer("keygen", "--master", key, "--json")
        info = json.loads(out.stdout)
        self.assertEqual(len(info["id"]), 16)
        self.assertEqual(stat.S_IMODE(os.stat(key).st_mode), 0o600)
        with open(key) as f:
            words = f.read().split()
        self.assertEqual(words[:2], ["coffer-master-key", "1"])
        self.assertEqual(len(words[2]), 43)
        self.assertNotIn(words[2], out.stdout)
        again = ct.coffer("keygen", "--master", key, check=False)
        self.assertEqual(again.returncode, 5)
        with open(key) as f:
            self.assertEqual(f.read().split(), words)

    def test_keygen_never_overwrites(self):
        ct.coffer("keygen", "a", "--dir", self.dir)
        out = ct.coffer("keygen", "a", "--dir", self.dir, check=False)
        self.assertEqual(out.returncode, 5)
        self.assertIn("not overwriting", out.stderr)

    def test_usage_errors(self):
        for args in (["keygen"], ["keygen", "a/b"], ["keygen", "--type",
                     "admin", "x"], ["cert"], ["cert", "frob", "--certs",
                     self.certs], ["nosuchcommand"]):
            out = ct.coffer(*args, check=False)
            self.assertEqual(out.returncode, 2, (args, out.stderr))
        self.assertEqual(ct.coffer("--help").returncode, 0)
        self.assertIn("usage: coffer keygen",
                      ct.coffer("keygen", "--help").stdout)
        self.assertIn("usage: coffer cert add",
                      ct.coffer("cert", "--help").stdout)

    def ls(self):
        out = ct.coffer("cert", "ls", "--certs", self.certs, "--json")
        return {c["name"]: c for c in json.loads(out.stdout)}

    def test_add_ls_rm(self):
        ct.coffer("keygen", "alice", "--dir", self.dir)
        ct.coffer("keygen", "web", "--type", "service", "--dir", self.dir)
        ct.coffer("cert", "add", "--certs", self.certs, self.path("alice.key"))
        out = ct.coffer("cert", "add", "--certs", self.certs,
                        self.path("web.key_secret"))
        self.assertIn("only its public key is added", out.stderr)
        with open(os.path.join(self.certs, "web.key")) as f:
            self.assertNotIn("secret-key", f.read())
        certs = self.ls()
        self.assertEqual(sorted(certs), ["alice", "web"])
        self.assertEqual(certs["alice"]["type"], "user")
        self.assertEqual(certs["web"]["type"], "service")
        self.assertEqual(certs["web"]["file"], "web.key")
        human = ct.coffer("cert", "ls", "--certs", self.certs).stdout
        self.assertIn(certs["alice"]["key"], human)
        ct.coffer("cert", "rm", "--certs", self.certs, "alice")
        self.assertEqual(sorted(self.ls()), ["web"])
        # "--": a Z85 key may begin with "-" (1 in 85 do).
        ct.coffer("cert", "rm", "--certs", self.certs, "--",
                  certs["web"]["key"])
        self.assertEqual(self.ls(), {})
        out = ct.coffer("cert", "rm", "--certs", self.certs, "alice",
                        check=False)
        self.assertEqual(out.returncode, 3)

    def test_add_refuses_duplicates(self):
        ct.coffer("keygen", "alice", "--dir", self.dir)
        ct.coffer("cert", "add", "--certs", self.certs, self.path("alice.key"))
        out = ct.coffer("cert", "add", "--certs", self.certs, "--name",
                        "alias", self.path("alice.key"), check=False)
        self.assertEqual(out.returncode, 5)
        self.assertIn("holds this key or name already", out.stderr)
        key = self.ls()["alice"]["key"]
        out = ct.coffer("cert", "add", "--certs", self.certs, "--key", key,
                        "--name", "other", check=False)
        self.assertEqual(out.returncode, 5)

    def test_key_beginning_with_dash(self):
        """Z85 has '-': such a key works as --key's value, and after --."""
        pub = ""
        while not pub.startswith("-"):
            pub = zmq.curve_keypair()[0].decode()
        ct.coffer("cert", "add", "--certs", self.certs, "--key", pub,
                  "--name", "dash")
        self.assertEqual(self.ls()["dash"]["key"], pub)
        ct.coffer("cert", "rm", "--certs", self.certs, "--", pub)
        self.assertEqual(self.ls(), {})

    def test_add_by_key(self):
        pub = zmq.curve_keypair()[0].decode()
        ct.coffer("cert", "add", "--certs", self.certs, "--key", pub,
                  "--name", "batch")
        self.assertEqual(self.ls()["batch"]["type"], "service")
        bad = ct.coffer("cert", "add", "--certs", self.certs, "--key",
                        "tooshort", "--name", "x", check=False)
        self.assertEqual(bad.returncode, 2)

    def test_pyzmq_file_needs_a_name(self):
        pub, _ = zmq.auth.create_certificates(self.dir, "anon")
        out = ct.coffer("cert", "add", "--certs", self.certs, pub,
                        check=False)
        self.assertEqual(out.returncode, 2)
        self.assertIn("give --name", out.stderr)
        ct.coffer("cert", "add", "--certs", self.certs, "--name", "anon",
                  "--type", "user", pub)
        self.assertEqual(self.ls()["anon"]["type"], "user")

    def test_refuses_unsafe_store(self):
        os.chmod(self.certs, 0o777)
        ct.coffer("keygen", "a", "--dir", self.dir)
        out = ct.coffer("cert", "add", "--certs", self.certs,
                        self.path("a.key"), check=False)
        self.assertEqual(out.returncode, 1)
        self.assertIn("others may add keys", out.stderr)
        self.assertEqual(os.listdir(self.certs), [])

    def test_store_from_daemon_config(self):
        conf = self.path("cofferd.conf")
        with open(conf, "w") as f:
            f.write('auth = ( { module = "auth_kms"; control = "sufficient"; },'
                    ' { module = "/usr/lib/coffer/modules/auth_curve.so"; '
                    'control = "required"; certs = "%s"; } );\n'
                    % self.certs)
        pub = zmq.curve_keypair()[0].decode()
        ct.coffer("cert", "add", "-c", conf, "--key", pub, "--name", "k")
        self.assertTrue(os.path.exists(os.path.join(self.certs, "k.key")))
        with open(conf, "w") as f:
            f.write('auth = ( { module = "auth_kms"; control = "required"; } );')
        out = ct.coffer("cert", "ls", "-c", conf, check=False)
        self.assertEqual(out.returncode, 1)
        self.assertIn("no auth_curve entry", out.stderr)

    def test_ls_warns_about_bad_files(self):
        with open(os.path.join(self.certs, "junk.key"), "w") as f:
            f.write("not a certificate\n")
        out = ct.coffer("cert", "ls", "--certs", self.certs)
        self.assertIn("junk.key", out.stderr)
        self.assertIn("not loaded by the daemon", out.stderr)


if __name__ == "__main__":
    ct.main()
