#!/bin/sh
# Every module exports exactly one symbol, coffer_module_entry, and nothing
# else (no helper that could clash with another module's or the daemon's);
# the client libraries exactly their API.
# Checks the real modules and the test modules; broken_no_entry is built to
# lack the entry and is checked for that instead.
set -u
top=${COFFER_TOP_BUILDDIR:-..}
fail=0 n=0

for so in "$top"/modules/*/.libs/*.so "$top"/tests/modules/.libs/*.so; do
	[ -f "$so" ] || continue
	n=$((n + 1))
	syms=$(nm -D --defined-only "$so" | awk '{ print $3 }' | sort | tr '\n' ' ')
	case "$so" in
	*/broken_no_entry.so) want="coffer_module_entry_misspelt " ;;
	*/broken_exports.so) want="broken_helper coffer_module_entry " ;;
	*) want="coffer_module_entry " ;;
	esac
	if [ "$syms" = "$want" ]; then
		echo "ok: $(basename "$so") exports: $syms"
	else
		echo "FAIL: $so exports: $syms(want: $want)"
		fail=$((fail + 1))
	fi
done
# The client libraries export their API and nothing else.
for lib in libcoffer libcoffer-kms; do
	so="$top/client/.libs/$lib.so"
	[ -f "$so" ] || continue
	n=$((n + 1))
	syms=$(nm -D --defined-only "$so" | awk '{ print $3 }' | sort | tr '\n' ' ')
	case "$lib" in
	libcoffer) want="coffer_call coffer_client_close coffer_client_credentials coffer_client_open coffer_client_timeout coffer_free " ;;
	libcoffer-kms) want="coffer_kms_token " ;;
	esac
	if [ "$syms" = "$want" ]; then
		echo "ok: $lib exports: $syms"
	else
		echo "FAIL: $so exports: $syms(want: $want)"
		fail=$((fail + 1))
	fi
done
if [ "$n" -eq 0 ]; then
	echo "FAIL: no module found under $top"
	exit 1
fi
echo "$((n - fail)) passed, $fail failed"
[ "$fail" -eq 0 ]
