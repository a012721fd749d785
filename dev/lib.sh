# dev/lib.sh - shared by dev/run and dev/test: dependencies and the build.
# Sourced, not run.

# Debian packages the build and the tests need.
COFFER_DEPS="build-essential autoconf automake libtool pkg-config
  libsodium-dev libconfig-dev libzmq3-dev libjansson-dev
  check libsubunit-dev libcurl4-openssl-dev python3-zmq"

# And for building the Debian packages (dev/test --packages).
COFFER_PACKAGING_DEPS="debhelper dpkg-dev fakeroot"

say() { printf '==> %s\n' "$*" >&2; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

# Install the packages that are missing (apt-get, as root).
install_deps() {
	local missing=() p
	for p in $COFFER_DEPS; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null |
		    grep -q "install ok installed" || missing+=("$p")
	done
	[ ${#missing[@]} -eq 0 ] && return 0
	if [ "$(id -u)" -ne 0 ]; then
		die "missing packages: ${missing[*]}; run: sudo apt-get install ${missing[*]}"
	fi
	say "installing ${missing[*]}"
	DEBIAN_FRONTEND=noninteractive apt-get update -qq
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
}

# build DIR [CONFIGURE-ARGS...]: an out-of-tree build in DIR.
build() {
	local dir=$1; shift
	local top; top=$(pwd)
	if [ ! -x configure ] || [ configure.ac -nt configure ] ||
	    [ -n "$(find . -name Makefile.am -newer configure -print -quit)" ]; then
		say "autoreconf"
		autoreconf -fi >/dev/null 2>&1 || autoreconf -fi
	fi
	if [ -f config.status ]; then
		die "the source tree holds an in-tree build; run 'make distclean' first"
	fi
	mkdir -p "$dir"
	if [ ! -f "$dir/Makefile" ] || [ configure -nt "$dir/Makefile" ]; then
		say "configure $*"
		(cd "$dir" && "$top/configure" -q "$@" 2>&1 |
		    grep -v "cannot remove 'core': Is a directory" >&2) || true
		[ -f "$dir/Makefile" ] || die "configure failed; see $dir/config.log"
	fi
	say "make ($dir)"
	make -C "$dir" -s -j"$(nproc)" >/dev/null
}

# run_valgrind DIR: the integration suites that start cofferd, with every
# cofferd under valgrind memcheck; fails on any error valgrind reports
# (invalid reads or writes, uninitialised values, definitely lost blocks).
VALGRIND_SUITES=${VALGRIND_SUITES:-"integration/test_daemon.py integration/test_curve.py
  integration/test_secrets.py integration/test_hardening.py
  integration/test_attacks.py"}
run_valgrind() {
	local dir=$1 top logs wrapper status=0 t
	command -v valgrind >/dev/null || die "valgrind is not installed"
	top=$(pwd) logs=$(pwd)/$dir/valgrind wrapper=$(pwd)/$dir/vg-cofferd
	rm -rf "$logs" && mkdir -p "$logs"
	printf '#!/bin/sh\nexec valgrind -q --vgdb=no --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite --show-leak-kinds=definite --log-file=%s/vg.%%p.log %s/%s/core/cofferd "$@"\n' \
	    "$logs" "$top" "$dir" > "$wrapper"
	chmod +x "$wrapper"
	say "integration suites under valgrind (logs in $dir/valgrind)"
	COFFER_TEST_COFFERD=$wrapper make -C "$dir/tests" -s check \
	    TESTS="$(echo $VALGRIND_SUITES)" >"$dir/valgrind.out" 2>&1 ||
	    status=$?
	for t in $VALGRIND_SUITES; do
		printf '%-28s %s\n' "$(basename "${t%.*}")" "$(grep -h -E \
		    '^[0-9]+ passed, [0-9]+ failed$' "$dir/tests/${t%.*}.log" \
		    2>/dev/null || echo 'no result')"
	done
	# Errors are "==PID==" lines; "--PID--" lines are valgrind's own
	# warnings (3.19 does not know openat2, which store_fs falls back
	# from), printed but not failing the run.
	if grep -q -h '^==[0-9]*==' "$logs"/vg.*.log 2>/dev/null; then
		echo "valgrind reported errors:" >&2
		grep -h -B2 -A30 '^==[0-9]*==' "$logs"/vg.*.log >&2
		status=1
	fi
	[ "$status" -eq 0 ] &&
	    echo "valgrind: $(ls "$logs" | wc -l) daemons, no errors"
	return "$status"
}
