/*
 * modcheck.c - coffer-modcheck: is this module fit to load into cofferd?
 *
 *	coffer-modcheck [-v] [-c SETTINGS] [--cases FILE] MODULE
 *
 * Checks the file's symbols, loads it exactly as the daemon does, opens it
 * with the author's settings, and runs the store or the auth conformance
 * suite on it, each case in a child process.  Prints a report; exits 0
 * when every check passed, 1 when one failed, 2 when it could not check.
 * See coffer-modcheck(1).
 */
#include "config.h"

#include <getopt.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "loader.h"
#include "log.h"
#include "modcheck.h"

#define MC_USAGE_EXIT	2

struct mc_ctx mc;

struct mc_opts {
	const char	*module, *settings, *cases;
	unsigned	 timeout;
	int		 verbose;
};

static const char mc_usage[] =
    "usage: coffer-modcheck [-v] [-c SETTINGS] [--cases FILE] "
    "[--timeout SECONDS] MODULE\n"
    "Check a coffer module as cofferd loads it: its symbols, its ABI, its\n"
    "settings, and the store or auth conformance suite.\n\n"
    "  MODULE               a module file, or a name in the module directory\n"
    "  -c, --settings FILE  the module's settings, as in its cofferd.conf\n"
    "                       entry (a store needs an empty store)\n"
    "      --cases FILE     auth modules: JSON cases, credentials and the\n"
    "                       answers they must get (coffer-modcheck(1))\n"
    "  -t, --timeout SECS   time limit of each case (default 120)\n"
    "  -v, --verbose        show every case's log lines, not only failures'\n"
    "  -h, --help           this text\n"
    "  -V, --version        the version, and the module ABI it checks\n\n"
    "Exit status: 0 every check passed, 1 a check failed, 2 could not "
    "check.\n";

static _Noreturn void mc_usage_error(const char *fmt, ...)
    __attribute__((format(printf, 1, 2)));

static _Noreturn void
mc_usage_error(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "coffer-modcheck: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\n(coffer-modcheck --help for help)\n");
	exit(MC_USAGE_EXIT);
}

static unsigned
mc_seconds(const char *arg)
{
	char *end;
	unsigned long v = strtoul(arg, &end, 10);

	if (end == arg || *end != '\0' || v == 0 || v > 86400)
		mc_usage_error("--timeout wants 1 to 86400 seconds, not %s",
		    arg);
	return (unsigned)v;
}

static void
mc_args(int argc, char **argv, struct mc_opts *o)
{
	static const struct option longopts[] = {
		{ "settings", required_argument, NULL, 'c' },
		{ "cases", required_argument, NULL, 'C' },
		{ "timeout", required_argument, NULL, 't' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 }
	};
	int ch;

	memset(o, 0, sizeof(*o));
	o->timeout = 120;
	while ((ch = getopt_long(argc, argv, "c:t:vhV", longopts, NULL)) != -1) {
		switch (ch) {
		case 'c': o->settings = optarg; break;
		case 'C': o->cases = optarg; break;
		case 't': o->timeout = mc_seconds(optarg); break;
		case 'v': o->verbose = 1; break;
		case 'h': fputs(mc_usage, stdout); exit(0);
		case 'V':
			printf("coffer-modcheck %s (module ABI %d.%d)\n",
			    PACKAGE_VERSION, COFFER_ABI_MAJOR,
			    COFFER_ABI_MINOR);
			exit(0);
		default: mc_usage_error("unknown option");
		}
	}
	if (optind != argc - 1)
		mc_usage_error("name one module");
	o->module = argv[optind];
}

/* An absolute path for ARG (a file, or a module name): into OUT. */
static void
mc_module_path(const char *arg, char *out)
{
	char err[LOADER_ERR_MAX];

	if (strchr(arg, '/') == NULL) {
		if (loader_resolve(arg, loader_moduledir(NULL), out, err) < 0)
			mc_usage_error("%s", err);
	} else if (realpath(arg, out) == NULL) {
		mc_usage_error("cannot find %s", arg);
	}
	if (strpbrk(out, "\"\\") != NULL)
		mc_usage_error("%s: a path with quotes or backslashes", out);
}

/* The settings file, made absolute for @include. */
static const char *
mc_settings_path(const char *arg, char *out)
{
	if (arg == NULL)
		return NULL;
	if (realpath(arg, out) == NULL)
		mc_usage_error("cannot find the settings file %s", arg);
	if (strpbrk(out, "\"\\") != NULL)
		mc_usage_error("%s: a path with quotes or backslashes", out);
	return out;
}

/* A case of a suite, or (C NULL) opening and closing an instance. */
struct mc_case_arg {
	const struct mc_suite	*suite;
	const struct mc_case	*c;
};

static void
mc_case_child(void *arg)
{
	const struct mc_case_arg *a = arg;

	a->suite->setup();
	if (a->c != NULL)
		a->c->run();
	modules_close(&mc.mods);
}

static long
mc_ms_since(const struct timespec *t0)
{
	struct timespec t1;

	clock_gettime(CLOCK_MONOTONIC, &t1);
	return (t1.tv_sec - t0->tv_sec) * 1000 +
	    (t1.tv_nsec - t0->tv_nsec) / 1000000;
}

/* Run one step in a child and report it; 0 when it passed or skipped. */
static int
mc_step(struct mc_report *r, const struct mc_opts *o, const char *what,
    void (*fn)(void *), void *arg)
{
	struct timespec t0;
	char *out;
	int rc;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	rc = mc_child_run(o->timeout, fn, arg, &out);
	if (rc == MC_EXIT_PASS) {
		mc_report_ok(r, what, "%ld ms", mc_ms_since(&t0));
		if (o->verbose)
			mc_report_text(out);
	} else if (rc == MC_EXIT_SKIP) {
		mc_report_skip(r, what, out);
	} else {
		mc_report_fail(r, what, out);
		if (rc != MC_EXIT_FAIL)
			printf("      the process ended with exit(%d): a module "
			    "never calls exit()\n", rc);
	}
	free(out);
	return rc == MC_EXIT_PASS || rc == MC_EXIT_SKIP ? 0 : -1;
}

static void
mc_suite_run(struct mc_report *r, const struct mc_opts *o,
    const struct mc_suite *suite)
{
	struct mc_case_arg open = { suite, NULL };
	char what[128];

	snprintf(what, sizeof(what), "%s: open and close", suite->name);
	if (mc_step(r, o, what, mc_case_child, &open) < 0) {
		printf("      (the %s suite needs an instance: not run)\n",
		    suite->name);
		return;
	}
	for (const struct mc_case *c = suite->cases; c->name != NULL; c++) {
		struct mc_case_arg a = { suite, c };

		snprintf(what, sizeof(what), "%s: %s", suite->name, c->name);
		mc_step(r, o, what, mc_case_child, &a);
	}
}

/* Read the config (and the cases) in the runner; 2 when it cannot. */
static int
mc_prepare(const struct mc_opts *o, const char *path, int kind,
    const struct mc_suite *suite)
{
	char settings[PATH_MAX], err[1024];
	const char *conf;

	conf = mc_conf_write(path, kind, mc_settings_path(o->settings,
	    settings), err, sizeof(err));
	if (conf == NULL) {
		fprintf(stderr, "coffer-modcheck: %s\n", err);
		return -1;
	}
	if (conf_load(&mc.conf, conf) < 0) {
		fprintf(stderr, "coffer-modcheck: the settings do not load "
		    "(above)\n");
		return -1;
	}
	mc.cases_path = o->cases;
	if (suite->prepare != NULL && suite->prepare(err, sizeof(err)) < 0) {
		fprintf(stderr, "coffer-modcheck: %s\n", err);
		return -1;
	}
	return 0;
}

int
main(int argc, char **argv)
{
	struct mc_report r = { 0 };
	struct mc_opts o;
	char path[PATH_MAX];
	const struct mc_suite *suite;
	int kind;

	mc_args(argc, argv, &o);
	log_init("coffer-modcheck", LOG_TO_STDERR);
	log_set_level(o.verbose ? COFFER_LOG_DEBUG : COFFER_LOG_INFO);
	mc_module_path(o.module, path);
	printf("coffer-modcheck %s: %s\n", PACKAGE_VERSION, path);
	mc_elf_check(path, &r);
	if ((kind = mc_load_check(path, o.timeout, &r)) > 0) {
		suite = kind == COFFER_KIND_STORE ? &mc_store_suite :
		    &mc_auth_suite;
		if (o.cases != NULL && kind != COFFER_KIND_AUTH)
			mc_usage_error("--cases is for auth modules");
		if (mc_prepare(&o, path, kind, suite) < 0) {
			mc_conf_remove();
			return MC_USAGE_EXIT;
		}
		mc_suite_run(&r, &o, suite);
		conf_free(&mc.conf);
		mc_conf_remove();
	}
	printf("%d skipped, %d warnings\n%d passed, %d failed\n", r.skipped,
	    r.warned, r.passed, r.failed);
	return r.failed == 0 ? 0 : 1;
}
