#!/bin/sh
# The auth conformance suite on auth_kms, against moto's KMS with
# signature checking.
set -eu
if [ -z "${MOTO_PYTHON:-}" ]; then
	echo "SKIP: no python3 with moto and boto3 (MOTO_PYTHON)"
	exit 77
fi
exec "$MOTO_PYTHON" "${srcdir:-.}/aws/motoserver.py" -- "$PYZMQ_PYTHON" \
	"${srcdir:-.}/conformance/auth.py" auth_kms
