#!/bin/sh
# Run coffer-modcheck, with the store conformance suite, on one store
# module with a fresh store.
#   conformance/store.sh test_store | store_fs | store_dynamo
# (store_dynamo: run inside tests/aws/motoserver.py, which provides the
# endpoint and credentials.)
set -eu
module=$1
top=${COFFER_TOP_BUILDDIR:?run through make check}
dir=$(mktemp -d "$top/tests/tmp-store.XXXXXX")
trap 'rm -rf "$dir"' EXIT
chmod 700 "$dir"
case "$module" in
store_fs) so=$top/modules/store-fs/.libs/store_fs.so
	settings="path = \"$dir/store\"; max_record = 65536;" ;;
test_store) so=test_store settings='max_record = 65536;' ;;
store_dynamo) so=$top/modules/store-dynamo/.libs/store_dynamo.so
	settings="table = \"conformance-$$\"; create_table = true;
	retry_base_ms = 10;" ;;
*) echo "unknown store module $module" >&2; exit 99 ;;
esac
echo "$settings" > "$dir/settings.conf"
"${COFFER_MODCHECK:?run through make check}" -c "$dir/settings.conf" "$so"
