#!/bin/sh
# The store conformance suite on store_dynamo against moto_server with
# signature checking: once with an IAM user's keys, once with temporary
# credentials (a session token from sts:AssumeRole).
set -eu
here=${srcdir:-.}
moto=${MOTO_PYTHON:-}
if [ -z "$moto" ]; then
	echo "SKIP: no python3 with moto and boto3 (MOTO_PYTHON)"
	exit 77
fi
"$moto" "$here/aws/motoserver.py" -- "$here/conformance/store.sh" store_dynamo
"$moto" "$here/aws/motoserver.py" --session-token -- \
	"$here/conformance/store.sh" store_dynamo
