#!/bin/sh
# coffer-modcheck on modules that are wrong, each in its own way: it must
# say what is wrong, in which check, and exit 1 (2 when it cannot check).
# Modules that are right pass through it in conformance/*.
set -u
top=${COFFER_TOP_BUILDDIR:?run through make check}
modcheck=${COFFER_MODCHECK:?run through make check}
mods=$COFFER_TEST_MODULES
dir=$(mktemp -d "$top/tests/tmp-modcheck.XXXXXX")
trap 'rm -rf "$dir"' EXIT
chmod 700 "$dir"
fail=0 n=0

# expect WANT_EXIT 'PATTERN'... -- ARGS: run coffer-modcheck ARGS, check
# the exit status and that each PATTERN (grep -E) is in what it printed.
expect() {
	want=$1; shift
	pats=
	while [ "$1" != -- ]; do pats="$pats$1
"; shift; done
	shift
	n=$((n + 1))
	"$modcheck" "$@" > "$dir/out" 2>&1
	got=$?
	ok=1
	[ "$got" = "$want" ] || ok=0
	printf '%s' "$pats" | while IFS= read -r p; do
		grep -Eq -- "$p" "$dir/out" || { echo "missing: $p"; exit 1; }
	done > "$dir/why" || ok=0
	if [ $ok = 1 ]; then
		echo "ok: $*"
	else
		fail=$((fail + 1))
		echo "FAIL: $* (exit $got, want $want)"
		cat "$dir/why"
		sed 's/^/    | /' "$dir/out"
	fi
}

settings() {
	printf '%s\n' "$1" > "$dir/$2"
	echo "$dir/$2"
}

good=$(settings 'max_record = 4096;' ok.conf)
expect 0 '^ok +symbols' '^ok +load' '^ok +store: racing writers' \
    'skip +store: get_latest_many' '^[0-9]+ passed, 0 failed$' -- -c "$good" test_store
expect 1 '^FAIL +symbols' 'does not export coffer_module_entry' \
    '^FAIL +load' -- "$mods/broken_no_entry.so"
expect 1 '^ok +symbols' '^FAIL +load' 'ABI' -- "$mods/broken_major.so"
expect 1 '^FAIL +load' 'init failed: this module always fails' \
    -- "$mods/broken_init.so"
expect 1 '^WARN +exports broken_helper' '^WARN +calls exit\(\)' \
    '^FAIL +symbols' 'exports 1 symbol besides' \
    -- "$mods/broken_exports.so"

# Wrong answers, a crash and a hang: reported per case, the rest still run.
expect 1 '^FAIL +store: create and read' 'answered NOT_FOUND, expected OK' \
    '^FAIL +store: racing writers' \
    -- -c "$(settings 'answer = 1;' answer.conf)" test_store
expect 1 '^FAIL +store: an empty store' 'the module crashed' \
    '^FAIL +store: racing writers' '^ok +store: listing in pages' \
    -- -c "$(settings 'misbehave = "crash";' crash.conf)" test_store
expect 1 'no answer within 1 s: the module hangs' \
    -- -t 1 -c "$(settings 'misbehave = "hang";' hang.conf)" test_store

# Settings the module does not take: named with file and line; the suite
# is not run without an instance.
expect 1 '^FAIL +store: open and close' 'bad.conf:2: .*colour' \
    'suite needs an instance' \
    -- -c "$(settings 'max_record = 4096;
colour = "blue";' bad.conf)" test_store
expect 1 '^FAIL +store: open and close' 'open failed' \
    -- -c "$(settings 'fail_open = true;' open.conf)" test_store

# An auth module: with cases, without.
"$top/client/coffer" keygen alice --type user --dir "$dir" >/dev/null
key=$(sed -n 's/.*public-key = "\(.*\)"/\1/p' "$dir/alice.key")
printf '[ { "what": "known", "curve_key": "%s", "expect": "ok",
    "name": "alice", "type": "user" } ]\n' "$key" > "$dir/cases.json"
users=$(settings "users = [ \"$key alice user\" ];" users.conf)
expect 0 '^ok +auth: the cases' '^ok +auth: eight threads' \
    -- -c "$users" --cases "$dir/cases.json" test_auth
expect 0 '^skip +auth: the cases' 'no --cases file' -- -c "$users" test_auth
printf '[ { "what": "wrong", "curve_key": "%s", "expect": "denied" } ]\n' \
    "$key" > "$dir/wrong.json"
expect 1 '^FAIL +auth: the cases' 'wrong: answered OK, expected DENIED' \
    -- -c "$users" --cases "$dir/wrong.json" test_auth

# Cannot check: exit 2 with the reason.
expect 2 'name one module' --
expect 2 'cannot find the settings file' -- -c "$dir/none.conf" test_store
expect 2 'cannot find' -- "$dir/none.so"
expect 2 '--cases is for auth modules' \
    -- -c "$good" --cases "$dir/cases.json" test_store
echo '[ { "expect": "maybe" } ]' > "$dir/bad.json"
expect 2 'bad.json: case 1: .*expect is ok, denied' \
    -- -c "$users" --cases "$dir/bad.json" test_auth
echo '[ {' > "$dir/broken.json"
expect 2 'broken.json:' -- -c "$users" --cases "$dir/broken.json" test_auth

echo "$((n - fail)) passed, $fail failed"
[ "$fail" -eq 0 ]
