/*
 * modcheck_load.c - load the module as the daemon does, and describe it.
 *
 * In a child: the StrictModes check of the file, dlopen(RTLD_NOW |
 * RTLD_LOCAL), the entry point, the ABI handshake (core/loader.c, the
 * daemon's own code), then init() and fini() when the module has them.
 * The description (name, version, kind, ABI, operations, settings) goes to
 * the report; the settings table is checked too.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "host.h"
#include "loader.h"
#include "modcheck.h"
#include "pathsafe.h"

static const char *
mc_type_name(enum coffer_option_type t)
{
	switch (t) {
	case COFFER_OPT_STRING:	return "string";
	case COFFER_OPT_INT:	return "integer";
	case COFFER_OPT_BOOL:	return "boolean";
	case COFFER_OPT_LIST:	return "list of strings";
	}
	return NULL;
}

/* The settings table: printed, and checked (a bad entry fails the load). */
static int
mc_options(const struct coffer_option *o)
{
	int bad = 0;

	for (size_t i = 0; o != NULL && o[i].name != NULL; i++) {
		const char *type = mc_type_name(o[i].type);

		printf("setting %s (%s%s): %s\n", o[i].name, type ? type :
		    "?", o[i].flags & COFFER_OPT_REQUIRED ? ", required" : "",
		    o[i].help ? o[i].help : "(no help text)");
		if (!loader_name_ok(o[i].name) || strcmp(o[i].name,
		    "module") == 0 || strcmp(o[i].name, "control") == 0 ||
		    type == NULL ||
		    (o[i].flags & ~COFFER_OPT_REQUIRED) != 0) {
			fprintf(stderr, "setting %s: want a name matching "
			    "[a-z][a-z0-9_]* other than module and control, "
			    "a COFFER_OPT_* type, flags 0 or "
			    "COFFER_OPT_REQUIRED\n", o[i].name);
			bad = 1;
		}
		for (size_t k = 0; k < i; k++)
			if (strcmp(o[k].name, o[i].name) == 0) {
				fprintf(stderr, "setting %s declared twice\n",
				    o[i].name);
				bad = 1;
			}
	}
	return bad ? -1 : 0;
}

static void
mc_describe(const struct coffer_module *d)
{
	printf("%s %s, %s module built for ABI %u.%u (this daemon: %d.%d)\n",
	    d->name, d->version ? d->version : "(no version)",
	    d->kind == COFFER_KIND_STORE ? "a store" : "an auth",
	    d->abi_major, d->abi_minor, COFFER_ABI_MAJOR, COFFER_ABI_MINOR);
	printf("callbacks: init %s, fini %s, reload %s\n",
	    d->init ? "yes" : "no", d->fini ? "yes" : "no",
	    d->reload ? "yes" : "no");
}

static void
mc_load_child(void *arg)
{
	const char *path = arg;
	char err[LOADER_ERR_MAX];
	struct coffer_error merr = { "" };
	struct loaded *l;
	int kind;

	if (pathsafe_check(path, err, sizeof(err)) < 0)
		mc_fail(__FILE__, __LINE__, "%s (cofferd refuses it too)",
		    err);
	if ((l = loader_open(path, err)) == NULL)
		mc_fail(__FILE__, __LINE__, "%s", err);
	host_init(l);
	mc_describe(l->desc);
	if (mc_options(l->desc->options) < 0)
		mc_fail(__FILE__, __LINE__, "the settings table is wrong");
	if (l->desc->init != NULL && l->desc->init(&l->host, &merr) !=
	    COFFER_OK)
		mc_fail(__FILE__, __LINE__, "init failed: %s", merr.msg[0] ?
		    merr.msg : "no reason given");
	l->inited = l->desc->init != NULL;
	kind = l->desc->kind;
	loader_close(l);
	fflush(stdout);
	exit(MC_EXIT_KIND + kind);
}

int
mc_load_check(const char *path, unsigned timeout, struct mc_report *r)
{
	char *out;
	int rc = mc_child_run(timeout, mc_load_child, (void *)path, &out);

	if (rc == MC_EXIT_KIND + COFFER_KIND_STORE ||
	    rc == MC_EXIT_KIND + COFFER_KIND_AUTH) {
		mc_report_ok(r, "load", "dlopen, entry point, ABI, init, fini");
		mc_report_text(out);
		free(out);
		return rc - MC_EXIT_KIND;
	}
	mc_report_fail(r, "load", out);
	free(out);
	return -1;
}
