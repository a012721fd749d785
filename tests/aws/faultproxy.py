#!/usr/bin/env python3
"""A fault-injecting HTTP proxy between an AWS module and moto.

    faultproxy.py UPSTREAM_URL PORT_FILE

listens on a free loopback port (written to PORT_FILE once it listens)
and forwards each request to UPSTREAM_URL with its headers untouched (the
Host header too, so SigV4 signatures still verify).  A share of the
requests, set at run time, meets a fault instead:

    throttle     400 ProvisionedThroughputExceededException, not forwarded
    error500     500 InternalServerError, not forwarded
    html502      502 with an HTML body, as a load balancer sends
    drop         the connection closed without an answer, not forwarded
    drop_after   forwarded (moto applies it), then closed without an answer
    slow         forwarded, answered only after `delay` seconds
    json:S:CODE  status S with an AWS JSON error CODE, not forwarded (for
                 errors moto does not model: DisabledException,
                 IncorrectKeyException, KMSInternalException, ...)

Control, on the same port:

    POST /__proxy/config  {"rate": 0.2, "faults": ["throttle", ...],
                           "delay": 3, "seed": 2}
    GET  /__proxy/stats   {"requests": N, "faults": {...},
                           "targets": {"DynamoDB_20120810.Query": N, ...}}

"seed" makes the choices a fixed sequence (the Nth call through the proxy
meets the same fate every run, whichever request it is); without it they
are random.

Runs under any python3 (standard library only).
"""
import http.client
import http.server
import json
import os
import random
import sys
import threading
import time
import urllib.parse

STATE = {"rate": 0.0, "faults": [], "delay": 3.0, "rng": random}
STATS = {"requests": 0, "faults": {}, "targets": {}}
LOCK = threading.Lock()


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    upstream = None

    def log_message(self, *args):
        pass

    def reply(self, status, body, ctype="application/x-amz-json-1.0"):
        data = body.encode()
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):
        if self.path == "/__proxy/stats":
            with LOCK:
                self.reply(200, json.dumps(STATS), "application/json")
        else:
            self.forward(b"")

    def do_PUT(self):
        self.do_POST()

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        if self.path == "/__proxy/config":
            config = json.loads(body)
            with LOCK:
                STATE["rng"] = (random.Random(config.pop("seed"))
                                if "seed" in config else random)
                STATE.update(config)
                STATS.update(requests=0, faults={}, targets={})
            self.reply(200, "{}", "application/json")
            return
        fault = self.pick()
        if fault == "throttle":
            self.reply(400, json.dumps({
                "__type": "com.amazonaws.dynamodb.v20120810#"
                          "ProvisionedThroughputExceededException",
                "message": "injected throttling"}))
        elif fault == "error500":
            self.reply(500, json.dumps({
                "__type": "com.amazonaws.dynamodb.v20120810#"
                          "InternalServerError",
                "message": "injected failure"}))
        elif fault == "html502":
            self.reply(502, "<html><body>Bad Gateway</body></html>",
                       "text/html")
        elif fault and fault.startswith("json:"):
            _, status, code = fault.split(":", 2)
            self.reply(int(status), json.dumps({
                "__type": code, "message": "injected " + code}))
        elif fault == "drop":
            self.close_connection = True
            self.connection.shutdown(2)
        else:
            self.forward(body, fault)

    def pick(self):
        with LOCK:
            STATS["requests"] += 1
            target = self.headers.get("X-Amz-Target", self.path)
            STATS["targets"][target] = STATS["targets"].get(target, 0) + 1
            rng = STATE["rng"]
            if not STATE["faults"] or rng.random() >= STATE["rate"]:
                return None
            fault = rng.choice(STATE["faults"])
            STATS["faults"][fault] = STATS["faults"].get(fault, 0) + 1
            return fault

    def forward(self, body, fault=None):
        up = urllib.parse.urlsplit(self.upstream)
        conn = http.client.HTTPConnection(up.hostname, up.port, timeout=60)
        conn.putrequest(self.command, self.path, skip_host=True,
                        skip_accept_encoding=True)
        for name, value in self.headers.items():
            conn.putheader(name, value)
        conn.endheaders(body)
        resp = conn.getresponse()
        data = resp.read()
        conn.close()
        if fault == "drop_after":
            self.close_connection = True
            self.connection.shutdown(2)
            return
        if fault == "slow":
            time.sleep(STATE["delay"])
        self.send_response(resp.status)
        for name, value in resp.getheaders():
            if name.lower() not in ("content-length", "connection",
                                    "transfer-encoding", "server", "date"):
                self.send_header(name, value)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


class Server(http.server.ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address):
        pass    # a client that gave up on a slow reply: expected here


def main():
    Handler.upstream = sys.argv[1]
    server = Server(("127.0.0.1", 0), Handler)
    with open(sys.argv[2] + ".tmp", "w") as f:
        f.write(str(server.server_address[1]))
    os.rename(sys.argv[2] + ".tmp", sys.argv[2])
    server.serve_forever()


if __name__ == "__main__":
    main()
