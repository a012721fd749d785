#!/bin/sh
# Run each libFuzzer target for COFFER_FUZZ_SECONDS (default 5) over a copy
# of its seed corpus (fuzz/corpus/TARGET); a crash, leak or sanitizer
# report fails the run and leaves the input that caused it in
# crash-*/leak-*/timeout-* files here.  Ends with "N passed, N failed".
set -u
seconds=${COFFER_FUZZ_SECONDS:-5}
passed=0 failed=0
for f in $FUZZERS; do
	work=$(mktemp -d "tmp-$f.XXXXXX")
	cp "$CORPUS/$f"/* "$work/" 2>/dev/null
	if ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 \
	    LSAN_OPTIONS=suppressions="$SUPPRESSIONS" ./"$f" \
	    -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
	    -print_final_stats=1 "$work" >"$f.out" 2>&1; then
		passed=$((passed + 1))
		echo "$f: $(grep -m1 'stat::number_of_executed_units' "$f.out" |
		    sed 's/.*: *//') runs, no finding"
	else
		failed=$((failed + 1))
		echo "$f: FAILED"
		tail -n 40 "$f.out"
	fi
	rm -rf "$work"
done
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
