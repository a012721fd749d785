#!/bin/sh
# The systemd unit: valid for systemd (systemd-analyze verify, with this
# build's cofferd in ExecStart) and sandboxed (systemd-analyze security's
# offline review at exposure 1.5 or lower, "OK"; 1.2 when written).
# Skipped where systemd-analyze is missing.
set -eu
if ! command -v systemd-analyze >/dev/null 2>&1; then
	echo "SKIP: no systemd-analyze"
	exit 77
fi
top=${COFFER_TOP_BUILDDIR:?}
work=$(mktemp -d "$top/tests/tmp-unit.XXXXXX")
trap 'rm -rf "$work"' EXIT
sed -e "s|^\(Exec[A-Za-z]*=\)[^ ]*/cofferd |\1$top/core/cofferd |" \
    "$top/etc/cofferd.service" > "$work/cofferd.service"
passed=0 failed=0
check() {
	if "$@" >"$work/out" 2>&1; then
		passed=$((passed + 1))
	else
		failed=$((failed + 1))
		echo "FAIL: $*"; cat "$work/out"
	fi
}
check systemd-analyze verify --man=no "$work/cofferd.service"
check systemd-analyze security --offline=yes --threshold=15 \
    "$work/cofferd.service"
check grep -q '^Type=notify$' "$work/cofferd.service"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
