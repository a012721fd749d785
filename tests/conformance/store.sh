#!/bin/sh
# Run the store conformance suite on one store module with a fresh store.
#   conformance/store.sh test_store | store_fs | store_dynamo
# (store_dynamo: run inside tests/aws/motoserver.py, which provides the
# endpoint and credentials.)
# (A third-party author runs check_store_conformance with their own
# COFFER_STORE_CONF instead.)
set -eu
module=$1
top=${COFFER_TOP_BUILDDIR:?run through make check}
dir=$(mktemp -d "$top/tests/tmp-store.XXXXXX")
trap 'rm -rf "$dir"' EXIT
chmod 700 "$dir"
case "$module" in
store_fs) entry="module = \"$top/modules/store-fs/.libs/store_fs.so\";
	path = \"$dir/store\"; max_record = 65536;" ;;
test_store) entry='module = "test_store"; max_record = 65536;' ;;
store_dynamo) entry="module = \"$top/modules/store-dynamo/.libs/store_dynamo.so\";
	table = \"conformance-$$\"; create_table = true;
	retry_base_ms = 10;" ;;
*) echo "unknown store module $module" >&2; exit 99 ;;
esac
cat > "$dir/cofferd.conf" <<CONF
listen = "tcp://127.0.0.1:1";
server_key = "/nonexistent";
store = { $entry };
auth = ( { module = "test_auth"; control = "required"; } );
CONF
COFFER_STORE_CONF="$dir/cofferd.conf" "$top/tests/check_store_conformance"
