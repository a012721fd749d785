#!/usr/bin/python3
"""auth_curve at scale: start-up time and how soon a change is in force.

    bench/curve_scale.py [N]        (default 100000 certificates)

Builds a certificate store of N files in a scratch directory (kept between
runs in _bench/curve-N, since writing 100,000 files takes a while), starts
the built cofferd on it, then adds and removes one client's certificate
three times, timing each from the file change until a live connection's
next request sees it.  Needs a build in _build (./dev/test makes one).
"""
import os
import subprocess
import sys
import time

import zmq
import zmq.auth

top = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
build = os.path.join(top, "_build")
n = int(sys.argv[1]) if len(sys.argv) > 1 else 100000
work = os.path.join(top, "_bench", "curve-%d" % n)
certs = os.path.join(work, "certs")


def make_store():
    os.makedirs(certs, mode=0o755, exist_ok=True)
    have = len(os.listdir(certs))
    for i in range(have, n):
        with open(os.path.join(certs, "c%07d.key" % i), "w") as f:
            f.write('metadata\n    name = "c%07d"\n    type = "service"\n'
                    'curve\n    public-key = "%s"\n'
                    % (i, zmq.curve_keypair()[0].decode()))
    if not os.path.exists(os.path.join(work, "server.key_secret")):
        _, sec = zmq.auth.create_certificates(work, "server")
        os.chmod(sec, 0o600)
    with open(os.path.join(work, "cofferd.conf"), "w") as f:
        f.write('listen = "tcp://127.0.0.1:7199";\n'
                'server_key = "%s/server.key_secret";\n'
                'log_level = "warning";\n'
                'store = { module = "%s/tests/modules/.libs/test_store.so"; };\n'
                'auth = ( { module = "%s/modules/auth-curve/.libs/auth_curve.so";'
                ' control = "required"; certs = "%s"; } );\n'
                % (work, build, build, certs))


def main():
    make_store()
    subprocess.run(["make", "-C", os.path.join(build, "tests"), "-s",
                    "modules/test_store.la"], check=True,
                   stdout=subprocess.DEVNULL)
    log = open(os.path.join(work, "cofferd.log"), "w")
    start = time.time()
    daemon = subprocess.Popen([os.path.join(build, "core", "cofferd"), "-f",
                               "-c", os.path.join(work, "cofferd.conf")],
                              stderr=log)
    server = zmq.auth.load_certificate(os.path.join(work, "server.key"))[0]
    pub, sec = zmq.curve_keypair()
    s = zmq.Context().socket(zmq.DEALER)
    s.curve_publickey, s.curve_secretkey, s.curve_serverkey = pub, sec, server
    s.connect("tcp://127.0.0.1:7199")

    def ok():
        s.send_multipart([b"", b'{"v":1,"id":1,"op":"whoami"}'])
        if not s.poll(10000):
            raise SystemExit("no reply")
        return b'"ok":true' in s.recv_multipart()[1]

    ok()
    print("%d certificates: ready after %.2f s" % (n, time.time() - start))
    new = os.path.join(certs, "bench-client.key")
    for _ in range(3):
        for what in ("add", "remove"):
            t = time.time()
            if what == "add":
                with open(new, "w") as f:
                    f.write('curve\n    public-key = "%s"\n' % pub.decode())
            else:
                os.remove(new)
            while ok() != (what == "add"):
                time.sleep(0.005)
            print("  %-6s in force after %.3f s" % (what, time.time() - t))
    daemon.terminate()
    daemon.wait()


if __name__ == "__main__":
    main()
