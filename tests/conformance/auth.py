#!/usr/bin/python3
"""Run the auth conformance suite on one of our auth modules.

    conformance/auth.py test_auth | auth_curve | auth_kms

(auth_kms inside tests/aws/motoserver.py, for its KMS.)

Makes the module's credentials (pyzmq certificates, and for auth_curve
also files from `coffer keygen`), its settings and the cases file, then
runs coffer-modcheck with them, as a third-party author would.
"""
import json
import os
import shutil
import subprocess
import sys
import tempfile

import zmq
import zmq.auth

top = os.environ["COFFER_TOP_BUILDDIR"]
module = sys.argv[1]
work = tempfile.mkdtemp(prefix="tmp-auth.", dir=os.path.join(top, "tests"))
os.chmod(work, 0o700)


def keypair():
    return zmq.curve_keypair()[0].decode()


def curve_setup():
    certs = os.path.join(work, "certs")
    os.mkdir(certs, 0o755)
    zmq.auth.create_certificates(certs, "pyzmq-svc")     # no metadata
    os.remove(os.path.join(certs, "pyzmq-svc.key_secret"))
    subprocess.run([os.path.join(top, "client", "coffer"), "keygen", "alice",
                    "--type", "user", "--dir", work], check=True,
                   stdout=subprocess.DEVNULL)
    subprocess.run([os.path.join(top, "client", "coffer"), "cert", "add",
                    "--certs", certs, os.path.join(work, "alice.key")],
                   check=True, stdout=subprocess.DEVNULL)
    alice = zmq.auth.load_certificate(os.path.join(work, "alice.key"))[0]
    svc = zmq.auth.load_certificate(os.path.join(certs, "pyzmq-svc.key"))[0]
    dup = keypair()
    for name in ("dup-a", "dup-b"):
        with open(os.path.join(certs, name + ".key"), "w") as f:
            f.write('curve\n    public-key = "%s"\n' % dup)
    so = "%s/modules/auth-curve/.libs/auth_curve.so" % top
    settings = 'certs = "%s";' % certs
    cases = [
        {"what": "coffer keygen user", "curve_key": alice.decode(),
         "expect": "ok", "name": "alice", "type": "user"},
        {"what": "pyzmq public cert without metadata",
         "curve_key": svc.decode(), "expect": "ok", "name": "pyzmq-svc",
         "type": "service"},
        {"what": "unknown key", "curve_key": keypair(), "expect": "denied"},
        {"what": "key in two files", "curve_key": dup, "expect": "denied"},
        {"what": "a token is not its business", "token": "t",
         "username": "u", "expect": "ignore"},
    ]
    return so, settings, cases


def test_auth_setup():
    known = keypair()
    so = "test_auth"
    settings = 'users = [ "%s alice user" ];' % known
    cases = [
        {"what": "known key", "curve_key": known, "expect": "ok",
         "name": "alice", "type": "user"},
        {"what": "unknown key", "curve_key": keypair(), "expect": "denied"},
    ]
    return so, settings, cases


def kms_setup():
    """Keys in moto (run inside tests/aws/motoserver.py) and tokens made
    as kmsauth makes them."""
    here = os.path.dirname(os.path.abspath(__file__))
    moto = os.environ.get("MOTO_PYTHON", "python3")
    aliases = {k: "alias/conf-%s-%d" % (k, os.getpid())
               for k in ("svc", "usr", "other")}
    subprocess.run([moto, "-c", "import boto3\nkms = boto3.client('kms')\n"
                    + "".join("kms.create_alias(AliasName=%r, TargetKeyId="
                              "kms.create_key()['KeyMetadata']['KeyId'])\n"
                              % a for a in aliases.values())], check=True)

    def token(key, sender, *args):
        return subprocess.run(
            [moto, os.path.join(here, "..", "aws", "kmstoken.py"),
             aliases[key], sender, "conformance"] + list(args),
            check=True, capture_output=True, text=True).stdout.strip()

    so = "%s/modules/auth-kms/.libs/auth_kms.so" % top
    settings = ('to = "conformance"; keys = [ "%s" ]; user_keys = [ "%s" ]; '
                'user_types = [ "service", "user" ];'
                % (aliases["svc"], aliases["usr"]))
    cases = [
        {"what": "v2 service token", "token": token("svc", "web"),
         "username": "2/service/web", "expect": "ok", "name": "web",
         "type": "service"},
        {"what": "v1 service token",
         "token": token("svc", "batch", "--version", "1"),
         "username": "batch", "expect": "ok", "name": "batch",
         "type": "service"},
        {"what": "v2 user token",
         "token": token("usr", "alice", "--user-type", "user"),
         "username": "2/user/alice", "expect": "ok", "name": "alice",
         "type": "user"},
        {"what": "expired", "token": token("svc", "web", "--shift", "-30"),
         "username": "2/service/web", "expect": "denied"},
        {"what": "another key", "token": token("other", "web"),
         "username": "2/service/web", "expect": "denied"},
        {"what": "claims another name", "token": token("svc", "web"),
         "username": "2/service/db", "expect": "denied"},
        {"what": "not base64", "token": "%%%", "username": "web",
         "expect": "denied"},
        {"what": "a CURVE key is not its business",
         "curve_key": keypair(), "expect": "ignore"},
    ]
    return so, settings, cases


module_so, settings, cases = {"auth_curve": curve_setup,
                              "auth_kms": kms_setup,
                              "test_auth": test_auth_setup}[module]()
with open(os.path.join(work, "settings.conf"), "w") as f:
    f.write(settings + "\n")
with open(os.path.join(work, "cases.json"), "w") as f:
    json.dump(cases, f)
rc = subprocess.run([os.environ["COFFER_MODCHECK"], "-c",
                     os.path.join(work, "settings.conf"), "--cases",
                     os.path.join(work, "cases.json"), module_so]).returncode
shutil.rmtree(work, ignore_errors=True)
sys.exit(rc)
