#!/bin/sh
# The module author's path, from the outside: install coffer into a
# staging directory, copy examples/ somewhere else, build the example
# modules there with only the installed header and coffer-module.pc, and
# run their tests with the installed coffer-modcheck.
set -eu
top=${COFFER_TOP_BUILDDIR:?run through make check}
src=${COFFER_TOP_SRCDIR:?run through make check}
dir=$(mktemp -d "$top/tests/tmp-examples.XXXXXX")
trap 'rm -rf "$dir"' EXIT
chmod 700 "$dir"
stage=$dir/stage

${MAKE:-make} -s -C "$top" install DESTDIR="$stage" >/dev/null
pc=$(find "$stage" -name coffer-module.pc)
[ -n "$pc" ] || { echo "FAIL: no coffer-module.pc installed"; exit 1; }
modcheck=$(find "$stage" -name coffer-modcheck -type f)
[ -x "$modcheck" ] || { echo "FAIL: no coffer-modcheck installed"; exit 1; }
moduledir=$(PKG_CONFIG_PATH=$(dirname "$pc") pkg-config --variable=moduledir \
    coffer-module)
[ -f "$stage$moduledir/store_fs.so" ] ||
	{ echo "FAIL: moduledir $moduledir holds no store_fs.so"; exit 1; }
echo "ok: installed; moduledir is $moduledir"

cp -R "$src/examples" "$dir/examples"
chmod -R u+w "$dir/examples"
# The sysroot puts the staging directory before -I; nothing points into
# coffer's source tree.
PKG_CONFIG_PATH=$(dirname "$pc") PKG_CONFIG_SYSROOT_DIR=$stage \
    ${MAKE:-make} -s -C "$dir/examples" MODCHECK="$modcheck" check
echo "ok: the examples build out of tree and pass their tests"
