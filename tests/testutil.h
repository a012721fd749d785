/*
 * testutil.h - helpers shared by the unit suites.
 */
#ifndef COFFER_TESTUTIL_H
#define COFFER_TESTUTIL_H

#include <stddef.h>

/* Capture log lines (replacing what was captured before). */
void	 tu_log_capture(void);
/* 1 if any captured line contains NEEDLE. */
int	 tu_log_has(const char *needle);
/* Everything captured, one line per line, for failure messages. */
const char *tu_log_text(void);

/* A fresh private directory below the build directory (never /tmp, whose
 * world-writable mode the module loader refuses). */
const char *tu_tmpdir(void);
/* Write TEXT to DIR/NAME with MODE; return the path (static buffer). */
const char *tu_write(const char *dir, const char *name, const char *text,
	    unsigned mode);
/* Remove everything tu_tmpdir() made. */
void	 tu_cleanup(void);

/* The test modules' directory, from the environment. */
const char *tu_moduledir(void);

/* Run SUITE, return the process exit status for `make check`. */
struct Suite;
int	 tu_run(struct Suite *suite);

#endif
