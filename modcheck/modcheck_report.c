/*
 * modcheck_report.c - the readable report on standard output.
 *
 *	ok    load: store_fs 0.1.0, a store module, ABI 1.2
 *	FAIL  store: create-only writes
 *	      modcheck_store.c:131: put("co", "k", 1, "second") answered OK,
 *	      expected CONFLICT
 *	WARN  calls exit(), which ends the daemon; ...
 */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "modcheck.h"

void
mc_report_ok(struct mc_report *r, const char *what, const char *fmt, ...)
{
	va_list ap;

	r->passed++;
	printf("%-5s %s", "ok", what);
	if (fmt[0] != '\0') {
		fputs(": ", stdout);
		va_start(ap, fmt);
		vprintf(fmt, ap);
		va_end(ap);
	}
	putchar('\n');
	fflush(stdout);
}

void
mc_report_text(const char *text)
{
	const char *line = text, *nl;

	while (line[0] != '\0') {
		nl = strchr(line, '\n');
		printf("      %.*s\n", nl ? (int)(nl - line) :
		    (int)strlen(line), line);
		if (nl == NULL)
			break;
		line = nl + 1;
	}
	fflush(stdout);
}

void
mc_report_fail(struct mc_report *r, const char *what, const char *why)
{
	r->failed++;
	printf("%-5s %s\n", "FAIL", what);
	mc_report_text(why);
}

void
mc_report_skip(struct mc_report *r, const char *what, const char *why)
{
	r->skipped++;
	printf("%-5s %s\n", "skip", what);
	mc_report_text(why);
}

void
mc_report_warn(struct mc_report *r, const char *fmt, ...)
{
	va_list ap;

	r->warned++;
	printf("%-5s ", "WARN");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	fflush(stdout);
}

const char *
mc_rc_name(int rc)
{
	static const char *const names[] = {
		[COFFER_OK] = "OK", [COFFER_NOT_FOUND] = "NOT_FOUND",
		[COFFER_CONFLICT] = "CONFLICT", [COFFER_TOO_LARGE] = "TOO_LARGE",
		[COFFER_DENIED] = "DENIED", [COFFER_IGNORE] = "IGNORE",
		[COFFER_UNAVAILABLE] = "UNAVAILABLE", [COFFER_ERROR] = "ERROR",
	};

	if (rc < 0 || (size_t)rc >= sizeof(names) / sizeof(*names))
		return "a code outside enum coffer_rc";
	return names[rc];
}
