#!/bin/sh
exec "$PYZMQ_PYTHON" "${srcdir:-.}/conformance/auth.py" test_auth
