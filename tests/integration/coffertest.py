"""Helpers for the integration tests: a real cofferd, real CURVE clients.

The clients are pyzmq (Debian's python3-zmq), an implementation independent
of the daemon's libzmq usage, speaking the protocol in docs/protocol.md.
"""
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request

import zmq
import zmq.auth

COFFERD = os.environ.get("COFFERD", "cofferd")
BUILDDIR = os.environ.get("COFFER_TOP_BUILDDIR", os.getcwd())


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def scratch_dir(name):
    """A private scratch directory in the build tree, removed at exit."""
    base = os.path.join(BUILDDIR, "tests")
    d = tempfile.mkdtemp(prefix="tmp-%s." % name, dir=base)
    os.chmod(d, 0o700)
    return d


def keypair(directory, filename, **metadata):
    """A CURVE key pair written by pyzmq: (public, secret, secret file)."""
    pub_file, sec_file = zmq.auth.create_certificates(directory, filename,
                                                      metadata=metadata)
    os.chmod(sec_file, 0o600)
    public, secret = zmq.auth.load_certificate(sec_file)
    return public.decode(), secret.decode(), sec_file


def server_keypair(directory):
    """The server key pair of DIRECTORY, made on first use: a daemon
    restarted in one directory keeps its key, as a real one does."""
    sec_file = os.path.join(directory, "server.key_secret")
    if not os.path.exists(sec_file):
        return keypair(directory, "server")
    public, secret = zmq.auth.load_certificate(sec_file)
    return public.decode(), secret.decode(), sec_file


class Daemon:
    """cofferd in the foreground on a free loopback port."""

    def __init__(self, directory, auth, extra="", port=None,
                 store='{ module = "test_store"; }', workers=4):
        self.dir = directory
        self.port = port or free_port()
        self.endpoint = "tcp://127.0.0.1:%d" % self.port
        self.server_public, _, self.server_key = server_keypair(directory)
        self.conf = os.path.join(directory, "cofferd.conf")
        self.log_path = os.path.join(directory, "cofferd.log")
        with open(self.conf, "w") as f:
            f.write('listen = "%s";\nserver_key = "%s";\n'
                    'store = %s;\n'
                    'workers = %d;\n%s\nauth = ( %s );\n'
                    % (self.endpoint, self.server_key, store, workers, extra,
                       auth))
        self.proc = None
        self.log = None
        self.log_start = 0

    def start(self, *args, wait=True, env=None):
        self.log = open(self.log_path, "ab")
        self.log_start = self.log.tell()
        self.proc = subprocess.Popen([COFFERD, "-f", "-c", self.conf] +
                                     list(args), stdout=self.log,
                                     stderr=subprocess.STDOUT,
                                     env=dict(os.environ, **(env or {})))
        if wait:
            self.wait_log("listening on", 15)
        return self

    def wait_log(self, text, timeout=10):
        """Wait for TEXT in what the daemon logged since its last start."""
        deadline = time.time() + timeout
        while time.time() < deadline:
            if text in self.log_text(self.log_start):
                return
            if self.proc is not None and self.proc.poll() is not None:
                raise AssertionError("cofferd exited %s:\n%s" %
                                     (self.proc.returncode, self.log_text()))
            time.sleep(0.02)
        raise AssertionError("no %r in the log after %ss:\n%s" %
                             (text, timeout, self.log_text()))

    def log_text(self, start=0):
        with open(self.log_path, "rb") as f:
            f.seek(start)
            return f.read().decode("utf-8", "replace")

    def signal(self, sig):
        self.proc.send_signal(sig)

    def stop(self, timeout=15):
        """SIGTERM, and the exit status."""
        if self.proc is None:
            return None
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
        try:
            return self.proc.wait(timeout)
        finally:
            self.close_log()

    def kill(self):
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        self.close_log()

    def close_log(self):
        if self.log is not None:
            self.log.close()
            self.log = None


class Client:
    """A CURVE client: a DEALER (or REQ) socket with its own key pair."""

    def __init__(self, endpoint, server_public, public=None, secret=None,
                 kind=zmq.DEALER, curve=True):
        self.ctx = zmq.Context()
        self.sock = self.ctx.socket(kind)
        self.sock.linger = 0
        # A client the server refuses at the handshake may have no pipe
        # to send on: a send must give up rather than block the test.
        self.sock.sndtimeo = 2000
        self.kind = kind
        if curve:
            if public is None:
                public, secret = (k.decode() for k in zmq.curve_keypair())
            self.public = public
            self.sock.curve_publickey = public.encode()
            self.sock.curve_secretkey = secret.encode()
            self.sock.curve_serverkey = server_public.encode()
        self.sock.connect(endpoint)
        self.next_id = 1

    def send_frames(self, frames):
        """Send FRAMES; False if nowhere to send them (refused peers)."""
        if self.kind == zmq.DEALER:
            frames = [b""] + frames
        try:
            self.sock.send_multipart(frames)
        except zmq.Again:
            return False
        return True

    def recv(self, timeout=5.0):
        if not self.sock.poll(int(timeout * 1000)):
            return None
        frames = self.sock.recv_multipart()
        if self.kind == zmq.DEALER:
            assert frames[0] == b"", frames
            frames = frames[1:]
        assert len(frames) == 1, frames
        return json.loads(frames[0])

    def request(self, op, args=None, credentials=None, rid=None):
        if rid is None:
            rid, self.next_id = self.next_id, self.next_id + 1
        req = {"v": 1, "id": rid, "op": op}
        if args is not None:
            req["args"] = args
        if credentials is not None:
            req["credentials"] = credentials
        self.send_frames([json.dumps(req).encode()])
        return rid

    def call(self, op, args=None, credentials=None, timeout=5.0):
        rid = self.request(op, args, credentials)
        reply = self.recv(timeout)
        if reply is not None:
            assert reply["id"] == rid, (reply, rid)
        return reply

    def close(self):
        self.sock.close(0)
        self.ctx.term()


class FaultProxy:
    """tests/aws/faultproxy.py in front of UPSTREAM (moto), on a free
    loopback port: point a module's endpoint at .url, set faults and read
    its counts with .control()."""

    SCRIPT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..",
                          "aws", "faultproxy.py")

    def __init__(self, upstream, directory):
        port_file = os.path.join(directory, "proxy.port")
        self.proc = subprocess.Popen([sys.executable, self.SCRIPT, upstream,
                                      port_file])
        deadline = time.time() + 10
        while not os.path.exists(port_file) and time.time() < deadline:
            time.sleep(0.05)
        with open(port_file) as f:
            self.url = "http://127.0.0.1:%s" % f.read()

    def control(self, path, doc=None):
        """POST DOC to (or GET) /__proxy/...; the answer."""
        data = json.dumps(doc).encode() if doc is not None else None
        with urllib.request.urlopen(self.url + path, data, timeout=10) as r:
            return json.loads(r.read())

    def heal(self):
        """Stop injecting faults; the counts of what was injected."""
        stats = self.control("/__proxy/stats")
        self.control("/__proxy/config", {"rate": 0, "faults": []})
        return stats

    def stop(self):
        self.proc.kill()
        self.proc.wait()


def in_threads(target, args_list):
    """TARGET(*ARGS) for each ARGS of ARGS_LIST, all at once; when all
    are done."""
    threads = [threading.Thread(target=target, args=args)
               for args in args_list]
    for t in threads:
        t.start()
    for t in threads:
        t.join()


def module(path):
    """Absolute path of a module built in this tree."""
    return os.path.join(BUILDDIR, "modules", path)


COFFER = os.path.join(BUILDDIR, "client", "coffer")


def coffer(*args, check=True):
    """Run the coffer CLI; the CompletedProcess (text)."""
    out = subprocess.run([COFFER] + list(args), capture_output=True,
                         text=True, timeout=30)
    if check and out.returncode != 0:
        raise AssertionError("coffer %s: exit %d\n%s%s" % (
            " ".join(args), out.returncode, out.stdout, out.stderr))
    return out


def cleanup(directory):
    shutil.rmtree(directory, ignore_errors=True)


def main():
    """unittest.main(), then the "N passed, N failed" line dev/test sums."""
    import unittest
    result = unittest.main(verbosity=2, exit=False).result
    failed = len(result.failures) + len(result.errors)
    print("%d passed, %d failed" % (result.testsRun - failed, failed))
    sys.exit(1 if failed else 0)
