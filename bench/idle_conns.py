#!/usr/bin/python3
"""Hold N idle, authenticated connections to the daemon of bench/run's
setup (_bench/state) for S seconds: for heap profiles of what a
connection costs (docs/performance.md).

    valgrind --tool=massif --massif-out-file=massif.out \\
        _build/core/cofferd -f -c _bench/state/cofferd.conf &
    /usr/bin/python3 bench/idle_conns.py 500 15
    kill %1; ms_print massif.out

Each connection completes the CURVE handshake and one whoami, then stays
open.  Needs pyzmq (/usr/bin/python3) and a _bench/state from bench/run.
"""
import os
import sys
import time

import zmq
import zmq.auth

STATE = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(
    __file__))), "_bench", "state")


def main():
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 500
    hold = float(sys.argv[2]) if len(sys.argv) > 2 else 15
    with open(os.path.join(STATE, "cofferd.conf")) as f:
        endpoint = f.read().split('listen = "')[1].split('"')[0]
    ctx = zmq.Context()
    pub, sec = zmq.auth.load_certificate(
        os.path.join(STATE, "admin.key_secret"))
    server = zmq.auth.load_certificate(os.path.join(STATE, "server.key"))[0]
    socks = []
    for _ in range(n):
        s = ctx.socket(zmq.DEALER)
        s.curve_publickey, s.curve_secretkey = pub, sec
        s.curve_serverkey = server
        s.linger = 0
        s.connect(endpoint)
        s.send_multipart([b"", b'{"v":1,"id":1,"op":"whoami"}'])
        socks.append(s)
    for s in socks:
        s.recv_multipart()
    print("%d connections open; holding them %g s" % (n, hold), flush=True)
    time.sleep(hold)


if __name__ == "__main__":
    main()
