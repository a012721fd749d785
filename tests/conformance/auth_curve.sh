#!/bin/sh
exec "$PYZMQ_PYTHON" "${srcdir:-.}/conformance/auth.py" auth_curve
