#!/usr/bin/env python3
"""moto_server for the AWS tests, with signature checking switched on.

    motoserver.py [--session-token] -- COMMAND [ARG...]

starts moto_server on a free loopback port with INITIAL_NO_AUTH_ACTION_COUNT
set, so that only the first few calls go unchecked: they create an IAM
user allowed to use DynamoDB, KMS and STS, its access key, and a role it
may assume.  From then on every request must be signed with those keys,
and a wrong signature is refused.  COMMAND runs with the credentials and
the endpoint in its environment (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY,
with --session-token also AWS_SESSION_TOKEN from sts:AssumeRole,
AWS_REGION and AWS_DEFAULT_REGION, AWS_ENDPOINT_URL, MOTO_ENDPOINT), and
moto_server stops when it ends.  The exit status is COMMAND's.

moto's server runs each request on its own thread without a lock, so two
conditional writes racing on one item can both succeed, which DynamoDB
never allows.  The tests are about the module's races, not moto's, so
this script serves moto's application itself (as moto_server does) with
one lock around each request: requests are atomic, as in DynamoDB, and
connections still come and go concurrently.

Needs a python3 with moto and boto3 (the image's default python3).
"""
import json
import os
import socket
import subprocess
import sys
import time

import threading

import boto3

REGION = "us-east-1"
UNAUTHENTICATED = 5      # the setup calls below, no more
POLICY = json.dumps({"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Action": ["dynamodb:*", "kms:*", "sts:*"],
     "Resource": "*"}]})


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def serve(port):
    """moto's application on PORT, one request at a time."""
    from moto.server import DomainDispatcherApplication, create_backend_app
    from werkzeug.serving import run_simple

    app = DomainDispatcherApplication(create_backend_app)
    lock = threading.Lock()

    def atomic(environ, start_response):
        with lock:
            return list(app(environ, start_response))

    run_simple("127.0.0.1", port, atomic, threaded=True)


def start():
    """moto on a free port: (process, endpoint)."""
    port = free_port()
    env = dict(os.environ, INITIAL_NO_AUTH_ACTION_COUNT=str(UNAUTHENTICATED),
               MOTO_PORT=str(port))
    proc = subprocess.Popen([sys.executable, os.path.abspath(__file__),
                             "--serve", str(port)], env=env,
                            stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    endpoint = "http://127.0.0.1:%d" % port
    deadline = time.time() + 30
    while time.time() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), 0.2).close()
            return proc, endpoint
        except OSError:
            if proc.poll() is not None:
                break
            time.sleep(0.1)
    proc.kill()
    raise SystemExit("moto did not start on port %d" % port)


def client(service, endpoint, **keys):
    keys.setdefault("aws_access_key_id", "AKIASETUPSETUPSETUP0")
    keys.setdefault("aws_secret_access_key", "setup")
    return boto3.client(service, region_name=REGION, endpoint_url=endpoint,
                        **keys)


def credentials(endpoint, session_token):
    """The IAM user's keys (the first, unauthenticated calls), or
    temporary credentials of a role it assumes."""
    iam = client("iam", endpoint)
    iam.create_user(UserName="coffer-test")
    iam.put_user_policy(UserName="coffer-test", PolicyName="all",
                        PolicyDocument=POLICY)
    key = iam.create_access_key(UserName="coffer-test")["AccessKey"]
    trust = json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "sts:AssumeRole",
         "Principal": {"AWS": "arn:aws:iam::123456789012:user/coffer-test"}}]})
    role = iam.create_role(RoleName="coffer-test",
                           AssumeRolePolicyDocument=trust)["Role"]
    iam.put_role_policy(RoleName="coffer-test", PolicyName="all",
                        PolicyDocument=POLICY)
    creds = {"AWS_ACCESS_KEY_ID": key["AccessKeyId"],
             "AWS_SECRET_ACCESS_KEY": key["SecretAccessKey"]}
    if session_token:
        sts = client("sts", endpoint,
                     aws_access_key_id=key["AccessKeyId"],
                     aws_secret_access_key=key["SecretAccessKey"])
        tmp = sts.assume_role(RoleArn=role["Arn"],
                              RoleSessionName="coffer")["Credentials"]
        creds = {"AWS_ACCESS_KEY_ID": tmp["AccessKeyId"],
                 "AWS_SECRET_ACCESS_KEY": tmp["SecretAccessKey"],
                 "AWS_SESSION_TOKEN": tmp["SessionToken"]}
    return creds


def main(argv):
    if argv[:1] == ["--serve"]:
        return serve(int(argv[1]))
    session_token = "--session-token" in argv
    if "--" not in argv or argv.index("--") == len(argv) - 1:
        raise SystemExit(__doc__)
    command = argv[argv.index("--") + 1:]
    proc, endpoint = start()
    try:
        env = dict(os.environ, AWS_REGION=REGION, AWS_DEFAULT_REGION=REGION,
                   AWS_ENDPOINT_URL=endpoint,
                   MOTO_ENDPOINT=endpoint, AWS_EC2_METADATA_DISABLED="true",
                   AWS_SHARED_CREDENTIALS_FILE="/nonexistent",
                   AWS_CONFIG_FILE="/nonexistent")
        env.pop("AWS_PROFILE", None)
        env.update(credentials(endpoint, session_token))
        return subprocess.call(command, env=env)
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
