#!/usr/bin/env python3
"""Make a kmsauth token the way Lyft's kmsauth generator does, with boto3.

    kmstoken.py KEY FROM TO [--user-type service|user] [--version 1|2]
                [--lifetime MINUTES] [--shift MINUTES] [--context K=V]...

KMSTokenGenerator.get_token(): not_before = now - 3 min, not_after =
now + (lifetime - 3) min (lifetime 10 by default), the payload
json.dumps({"not_before": ..., "not_after": ...}) in %Y%m%dT%H%M%SZ,
encrypted with KMS under the context {from, to} plus user_type for
version 2, and base64-encoded.  --shift moves the whole window (to make
tokens that are expired or not yet valid); --context adds or overrides
context entries (to make tokens for the wrong server or name).  Prints
the token.  Runs where boto3 is, with AWS_* set (tests/aws/motoserver.py).
"""
import argparse
import base64
import datetime
import json

import boto3

TIME_FORMAT = "%Y%m%dT%H%M%SZ"
TOKEN_SKEW = 3


def main():
    p = argparse.ArgumentParser()
    p.add_argument("key")
    p.add_argument("sender")
    p.add_argument("to")
    p.add_argument("--user-type", default="service")
    p.add_argument("--version", type=int, default=2)
    p.add_argument("--lifetime", type=int, default=10)
    p.add_argument("--shift", type=int, default=0)
    p.add_argument("--context", action="append", default=[])
    a = p.parse_args()
    now = (datetime.datetime.now(datetime.timezone.utc) +
           datetime.timedelta(minutes=a.shift))
    not_before = now - datetime.timedelta(minutes=TOKEN_SKEW)
    not_after = now + datetime.timedelta(minutes=a.lifetime - TOKEN_SKEW)
    payload = json.dumps({"not_before": not_before.strftime(TIME_FORMAT),
                          "not_after": not_after.strftime(TIME_FORMAT)})
    context = {"from": a.sender, "to": a.to}
    if a.version > 1:
        context["user_type"] = a.user_type
    for kv in a.context:
        k, v = kv.split("=", 1)
        context[k] = v
    blob = boto3.client("kms").encrypt(KeyId=a.key, Plaintext=payload,
                                       EncryptionContext=context)
    print(base64.b64encode(blob["CiphertextBlob"]).decode())


if __name__ == "__main__":
    main()
