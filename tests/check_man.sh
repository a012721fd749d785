#!/bin/sh
# Every man page formats without a groff warning and has the sections its
# kind needs: NAME, DESCRIPTION and SEE ALSO everywhere; a module's page
# (coffer-store-*, coffer-auth-*) also OPTIONS and EXAMPLES; a command's
# page (sections 1 and 8) also SYNOPSIS and EXIT STATUS.  Every page a
# page refers to in SEE ALSO exists, among ours or on the system.
set -u
src=${COFFER_TOP_SRCDIR:?run through make check}
if ! command -v groff >/dev/null; then
	echo "SKIP: no groff"
	exit 77
fi
fail=0 n=0
pages=$(find "$src/docs" "$src/client" "$src/modcheck" "$src/modules" \
    -name '*.[1-8]' | sort)
ours=$(for p in $pages; do basename "$p"; done)

need() { # need PAGE SECTION...
	local p=$1 s; shift
	for s in "$@"; do
		grep -q "^\.SH \"*$s\"*\$" "$p" || { echo "no $s"; return 1; }
	done
}

refs_exist() { # each .BR name (N) in SEE ALSO is ours or installed
	sed -n '/^\.SH SEE ALSO/,/^\.SH/p' "$1" |
	    sed -n 's/^\.BR \([a-z0-9._-]*\) (\([1-8]\)).*/\1.\2/p' |
	    while read -r ref; do
		echo "$ours" | grep -qx "$ref" && continue
		man -w "${ref%.*}" >/dev/null 2>&1 && continue
		case "$ref" in pam.conf.5|sshd_config.5) continue ;; esac
		echo "SEE ALSO names $ref, which is nowhere"; exit 1
	    done
}

for p in $pages; do
	n=$((n + 1))
	name=$(basename "$p")
	why=$(LC_ALL=C groff -man -ww -z "$p" 2>&1)
	[ -z "$why" ] || why="groff: $why"
	[ -n "$why" ] || why=$(need "$p" NAME DESCRIPTION "SEE ALSO")
	case "$name" in
	coffer-store-*|coffer-auth-*)
		[ -n "$why" ] || why=$(need "$p" OPTIONS EXAMPLES) ;;
	*.1|*.8)
		[ -n "$why" ] || why=$(need "$p" SYNOPSIS "EXIT STATUS") ;;
	esac
	[ -n "$why" ] || why=$(refs_exist "$p")
	if [ -z "$why" ]; then
		echo "ok: $name"
	else
		echo "FAIL: $name: $why"
		fail=$((fail + 1))
	fi
done
echo "$((n - fail)) passed, $fail failed"
[ "$fail" -eq 0 ]
