/*
 * modcheck_conf.c - the cofferd.conf the checks load the module with.
 *
 * The author gives the module's settings as a file of libconfig settings,
 * the body of its entry in cofferd.conf:
 *
 *	path = "/tmp/store-check";
 *	max_record = 65536;
 *
 * It is @include'd into a cofferd.conf written to a private directory, so
 * the daemon's own config code checks it (file and line in errors, the
 * module's settings table, StrictModes for the file).
 */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "modcheck.h"

static char mc_conf_dir[PATH_MAX - 32];
static char mc_conf_path[PATH_MAX];

/* One module entry: KIND's own when it is the one checked, else a
 * placeholder that is never opened. */
static void
mc_conf_entry(FILE *f, int checked, const char *path, const char *settings)
{
	if (!checked) {
		fputs("module = \"unused\";", f);
		return;
	}
	fprintf(f, "module = \"%s\";\n", path);
	if (settings == NULL)
		return;
	/* libconfig 1.5 joins every @include path to the including file's
	 * directory, absolute or not: climb from there to the root. */
	fputs("@include \"", f);
	for (const char *p = mc_conf_dir; *p != '\0'; p++)
		if (*p == '/')
			fputs("../", f);
	fprintf(f, "%s\"\n", settings + 1);
}

const char *
mc_conf_write(const char *path, int kind, const char *settings, char *err,
    size_t len)
{
	const char *tmp = getenv("TMPDIR");
	FILE *f;

	snprintf(mc_conf_dir, sizeof(mc_conf_dir), "%s/coffer-modcheck.XXXXXX",
	    tmp != NULL && tmp[0] == '/' ? tmp : "/tmp");
	if (mkdtemp(mc_conf_dir) == NULL) {
		snprintf(err, len, "%s: %s", mc_conf_dir, strerror(errno));
		mc_conf_dir[0] = '\0';
		return NULL;
	}
	snprintf(mc_conf_path, sizeof(mc_conf_path), "%s/cofferd.conf",
	    mc_conf_dir);
	if ((f = fopen(mc_conf_path, "w")) == NULL) {
		snprintf(err, len, "%s: %s", mc_conf_path, strerror(errno));
		return NULL;
	}
	fputs("listen = \"tcp://127.0.0.1:1\";\n"
	    "server_key = \"/nonexistent\";\nstore = {\n", f);
	mc_conf_entry(f, kind == COFFER_KIND_STORE, path, settings);
	fputs("\n};\nauth = ( {\ncontrol = \"required\";\n", f);
	mc_conf_entry(f, kind == COFFER_KIND_AUTH, path, settings);
	fputs("\n} );\n", f);
	if (fclose(f) != 0) {
		snprintf(err, len, "%s: %s", mc_conf_path, strerror(errno));
		return NULL;
	}
	return mc_conf_path;
}

void
mc_conf_remove(void)
{
	if (mc_conf_path[0] != '\0')
		unlink(mc_conf_path);
	if (mc_conf_dir[0] != '\0')
		rmdir(mc_conf_dir);
	mc_conf_path[0] = mc_conf_dir[0] = '\0';
}
