/*
 * testutil.c - log capture and scratch files for the unit suites.
 */
#include "config.h"

#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "log.h"
#include "testutil.h"

static char tu_log[65536];
static size_t tu_log_len;
static char tu_dir[PATH_MAX];

static void
tu_sink(enum coffer_log_level level, const char *line)
{
	int n = snprintf(tu_log + tu_log_len, sizeof(tu_log) - tu_log_len,
	    "%s: %s\n", log_level_name(level), line);

	if (n > 0 && tu_log_len + (size_t)n < sizeof(tu_log))
		tu_log_len += (size_t)n;
}

void
tu_log_capture(void)
{
	tu_log_len = 0;
	tu_log[0] = '\0';
	log_set_level(COFFER_LOG_DEBUG);
	log_set_sink(tu_sink);
	/* Captured lines also go to stderr, i.e. the suite's .log file. */
}

int
tu_log_has(const char *needle)
{
	return strstr(tu_log, needle) != NULL;
}

const char *
tu_log_text(void)
{
	return tu_log;
}

const char *
tu_tmpdir(void)
{
	if (tu_dir[0] == '\0') {
		snprintf(tu_dir, sizeof(tu_dir), "tmp-check.XXXXXX");
		if (mkdtemp(tu_dir) == NULL) {
			perror("mkdtemp");
			abort();
		}
		/* Absolute, so paths in configs work from anywhere. */
		char abs[PATH_MAX];
		if (realpath(tu_dir, abs) == NULL)
			abort();
		memcpy(tu_dir, abs, sizeof(tu_dir));
	}
	return tu_dir;
}

const char *
tu_write(const char *dir, const char *name, const char *text, unsigned mode)
{
	static char path[PATH_MAX];
	int fd;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, mode);
	if (fd < 0 || write(fd, text, strlen(text)) != (ssize_t)strlen(text)) {
		perror(path);
		abort();
	}
	fchmod(fd, mode);
	close(fd);
	return path;
}

static int
tu_rm(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st; (void)flag; (void)ftw;
	chmod(path, 0700);
	return remove(path);
}

void
tu_cleanup(void)
{
	if (tu_dir[0] != '\0')
		nftw(tu_dir, tu_rm, 16, FTW_DEPTH | FTW_PHYS);
	tu_dir[0] = '\0';
}

const char *
tu_moduledir(void)
{
	const char *dir = getenv("COFFER_TEST_MODULES");

	if (dir == NULL) {
		fprintf(stderr, "COFFER_TEST_MODULES is not set; run the "
		    "suites through make check\n");
		exit(99);
	}
	return dir;
}

int
tu_run(struct Suite *suite)
{
	SRunner *sr = srunner_create(suite);
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	tu_cleanup();
	return failed == 0 ? 0 : 1;
}
