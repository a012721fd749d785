#!/bin/sh
# cofferd with auth_kms against moto's KMS with signature checking
# (modules/auth-kms/tests/test_auth_kms.py).
set -eu
here=${srcdir:-.}
if [ -z "${MOTO_PYTHON:-}" ]; then
	echo "SKIP: no python3 with moto and boto3 (MOTO_PYTHON)"
	exit 77
fi
exec "$MOTO_PYTHON" "$here/aws/motoserver.py" -- "$PYZMQ_PYTHON" \
	"$here/../modules/auth-kms/tests/test_auth_kms.py"
