# dev/lib.sh - shared by dev/run and dev/test: dependencies and the build.
# Sourced, not run.

# Debian packages the build and the tests need.
COFFER_DEPS="build-essential autoconf automake libtool pkg-config
  libsodium-dev libconfig-dev libzmq3-dev libjansson-dev
  check libsubunit-dev libcurl4-openssl-dev python3-zmq"

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
