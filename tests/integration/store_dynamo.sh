#!/bin/sh
# cofferd on store_dynamo against moto with signature checking
# (modules/store-dynamo/tests/test_dynamo.py).
set -eu
here=${srcdir:-.}
if [ -z "${MOTO_PYTHON:-}" ]; then
	echo "SKIP: no python3 with moto and boto3 (MOTO_PYTHON)"
	exit 77
fi
exec "$MOTO_PYTHON" "$here/aws/motoserver.py" -- "$PYZMQ_PYTHON" \
	"$here/../modules/store-dynamo/tests/test_dynamo.py"
