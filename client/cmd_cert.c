/*
 * cmd_cert.c - "coffer cert": administer a certificate store (the
 * directory auth_curve loads), like Intecture's inauth_cli.
 *
 * The store is named with --certs DIR, or found in cofferd.conf (-c FILE)
 * as the "certs" setting of the auth_curve entry.  Files are written under
 * a hidden name and linked into place, so the daemon's watcher never reads
 * half a file, and nothing is ever overwritten.
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <jansson.h>
#include <libconfig.h>
#include <limits.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zmq.h>

#include "cert.h"
#include "certstore.h"
#include "cli.h"

static const char cert_usage[] =
    "usage: coffer cert add [STORE] [--name NAME] [--type TYPE] FILE\n"
    "       coffer cert add [STORE] --key KEY --name NAME [--type TYPE]\n"
    "       coffer cert ls [STORE] [--json]\n"
    "       coffer cert rm [STORE] NAME|KEY\n"
    "\n"
    "Manage the certificate store of auth_curve.  STORE is\n"
    "  --certs DIR   the store directory, or\n"
    "  -c FILE       cofferd.conf, whose auth_curve entry names it\n"
    "                (default " CLI_DEFAULT_CONFIG ")\n"
    "\n"
    "add copies the public part of a certificate file (czmq or pyzmq), or a\n"
    "public key given in Z85, into the store as NAME.key.  --name and\n"
    "--type override the certificate's metadata; without either, the type\n"
    "is service.  A key or file already in the store is refused.\n"
    "ls lists name, type, key and file of every certificate.\n"
    "rm removes every certificate of a key, or the one certificate of a\n"
    "name; put -- before a key that begins with '-'.  The daemon picks\n"
    "changes up within a second.\n";

struct cert_opts {
	const char	*certs, *conf, *name, *key, *type;
	int		 json;
	char		 dir[PATH_MAX];
};

/* The auth_curve entry's "certs" in cofferd.conf. */
static int
cert_dir_from_conf(struct cert_opts *o)
{
	const char *certs = NULL, *module;
	config_setting_t *auth;
	config_t cfg;
	int found = 0;

	config_init(&cfg);
	if (config_read_file(&cfg, o->conf) != CONFIG_TRUE) {
		cli_fail(CLI_FAIL, "%s:%d: %s", config_error_file(&cfg) ?
		    config_error_file(&cfg) : o->conf,
		    config_error_line(&cfg), config_error_text(&cfg));
		config_destroy(&cfg);
		return -1;
	}
	auth = config_lookup(&cfg, "auth");
	for (int i = 0; auth != NULL && i < config_setting_length(auth); i++) {
		config_setting_t *e = config_setting_get_elem(auth, (unsigned)i);
		size_t n;

		if (config_setting_lookup_string(e, "module", &module) !=
		    CONFIG_TRUE)
			continue;
		n = strlen(module);
		if ((strcmp(module, "auth_curve") == 0 || (n > 14 &&
		    strcmp(module + n - 14, "/auth_curve.so") == 0)) &&
		    config_setting_lookup_string(e, "certs", &certs) ==
		    CONFIG_TRUE) {
			snprintf(o->dir, sizeof(o->dir), "%s", certs);
			found = 1;
			break;
		}
	}
	config_destroy(&cfg);
	if (!found)
		cli_fail(CLI_FAIL, "%s has no auth_curve entry with 'certs'; "
		    "name the store with --certs DIR", o->conf);
	return found ? 0 : -1;
}

static int
cert_args(int argc, char **argv, struct cert_opts *o)
{
	static const struct option longopts[] = {
		{ "certs", required_argument, NULL, 'C' },
		{ "config", required_argument, NULL, 'c' },
		{ "name", required_argument, NULL, 'n' },
		{ "key", required_argument, NULL, 'k' },
		{ "type", required_argument, NULL, 't' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	int ch;

	o->conf = CLI_DEFAULT_CONFIG;
	while ((ch = getopt_long(argc, argv, "c:jh", longopts, NULL)) != -1) {
		switch (ch) {
		case 'C': o->certs = optarg; break;
		case 'c': o->conf = optarg; break;
		case 'n': o->name = optarg; break;
		case 'k': o->key = optarg; break;
		case 't': o->type = optarg; break;
		case 'j': o->json = 1; break;
		case 'h': fputs(cert_usage, stdout); return -1;
		default: return cli_usage(cert_usage);
		}
	}
	if (o->certs != NULL)
		snprintf(o->dir, sizeof(o->dir), "%s", o->certs);
	else if (cert_dir_from_conf(o) < 0)
		return CLI_FAIL;
	return CLI_OK;
}

/* Call FN for every certificate in the store; bad files are warnings. */
static int
cert_each(const struct cert_opts *o,
    void (*fn)(const struct certstore_entry *, void *), void *arg)
{
	struct certstore_entry e;
	char err[CERT_ERR_MAX];
	struct dirent *d;
	DIR *dir = opendir(o->dir);

	if (dir == NULL)
		return cli_fail(CLI_FAIL, "%s: %s", o->dir, strerror(errno));
	while ((d = readdir(dir)) != NULL) {
		enum certstore_kind k = certstore_classify(d->d_name);

		if (k == CERTSTORE_SECRET)
			cli_warn("%s/%s is a secret certificate: remove it "
			    "from the store", o->dir, d->d_name);
		if (k != CERTSTORE_CERT)
			continue;
		if (certstore_read(o->dir, d->d_name, COFFER_PRINCIPAL_SERVICE,
		    &e, err) < 0)
			cli_warn("%s (not loaded by the daemon)", err);
		else
			fn(&e, arg);
	}
	closedir(dir);
	return CLI_OK;
}

/* ---- add ---------------------------------------------------------------- */

struct cert_clash {
	const char	*key, *file;
	char		 found[CERTSTORE_FILE_MAX + 1];
};

static void
cert_find_clash(const struct certstore_entry *e, void *arg)
{
	struct cert_clash *c = arg;

	if (strcmp(e->key, c->key) == 0 || strcmp(e->file, c->file) == 0)
		snprintf(c->found, sizeof(c->found), "%s", e->file);
}

/* The certificate to add, from FILE or --key. */
static int
cert_source(struct cert_opts *o, int argc, char **argv, struct cert *c)
{
	char err[CERT_ERR_MAX];
	uint8_t raw[32];

	memset(c, 0, sizeof(*c));
	if (o->key != NULL) {
		if (optind != argc || o->name == NULL)
			return cli_usage(cert_usage);
		if (strlen(o->key) != CERT_Z85_LEN ||
		    zmq_z85_decode(raw, o->key) == NULL)
			return cli_fail(CLI_USAGE, "--key must be a public key "
			    "in Z85, 40 characters");
		memcpy(c->public_key, o->key, CERT_Z85_LEN + 1);
		return CLI_OK;
	}
	if (optind != argc - 1)
		return cli_usage(cert_usage);
	if (cert_load(c, argv[optind], err) < 0)
		return cli_fail(CLI_FAIL, "%s: %s", argv[optind], err);
	if (c->secret_key[0] != '\0')
		cli_warn("%s is a secret certificate; only its public key is "
		    "added", argv[optind]);
	cert_wipe(c);
	return CLI_OK;
}

/* The principal of the new certificate: options over metadata. */
static int
cert_principal(const struct cert_opts *o, const struct cert *in,
    struct cert *out)
{
	const char *name = o->name ? o->name : cert_meta(in, "name");
	const char *type = o->type ? o->type : cert_meta(in, "type");
	enum coffer_principal_type t = COFFER_PRINCIPAL_SERVICE;

	if (name == NULL)
		return cli_fail(CLI_USAGE, "the certificate has no name: give "
		    "--name");
	if (!certstore_name_ok(name))
		return cli_fail(CLI_USAGE, "name '%s': use 1 to %d printable "
		    "characters without spaces, quotes or '/'", name,
		    COFFER_NAME_MAX);
	if (type != NULL && certstore_type_parse(type, &t) < 0)
		return cli_fail(CLI_USAGE, "type must be user or service, not "
		    "'%s'", type);
	memset(out, 0, sizeof(*out));
	memcpy(out->public_key, in->public_key, sizeof(out->public_key));
	cert_meta_set(out, "name", name);
	cert_meta_set(out, "type", certstore_type_name(t));
	return CLI_OK;
}

/* Write under a hidden name, then link: never half a file, never over. */
static int
cert_install(const struct cert_opts *o, const struct cert *c,
    const char *file)
{
	char tmp[PATH_MAX + 300], dst[PATH_MAX + 256], err[CERT_ERR_MAX];
	unsigned char r[6];
	char hex[13];
	int e;

	randombytes_buf(r, sizeof(r));
	sodium_bin2hex(hex, sizeof(hex), r, sizeof(r));
	snprintf(tmp, sizeof(tmp), "%s/.%s.%s", o->dir, file, hex);
	snprintf(dst, sizeof(dst), "%s/%s", o->dir, file);
	if (cert_write(c, tmp, 0, 0644, err) < 0)
		return cli_fail(CLI_FAIL, "%s: %s", tmp, err);
	e = link(tmp, dst) < 0 ? errno : 0;
	unlink(tmp);
	if (e == EEXIST)
		return cli_fail(CLI_CONFLICT, "%s exists already", dst);
	if (e != 0)
		return cli_fail(CLI_FAIL, "%s: %s", dst, strerror(e));
	return CLI_OK;
}

static int
cert_add(struct cert_opts *o, int argc, char **argv)
{
	struct cert in, out;
	struct cert_clash clash = { 0 };
	char file[CERTSTORE_FILE_MAX + 1], err[CERT_ERR_MAX];
	int rc;

	if ((rc = cert_source(o, argc, argv, &in)) != CLI_OK ||
	    (rc = cert_principal(o, &in, &out)) != CLI_OK)
		return rc;
	if (certstore_check_dir(o->dir, 1, err) < 0)
		return cli_fail(CLI_FAIL, "%s; refusing to add to it", err);
	snprintf(file, sizeof(file), "%s.key", cert_meta(&out, "name"));
	clash.key = out.public_key;
	clash.file = file;
	if ((rc = cert_each(o, cert_find_clash, &clash)) != CLI_OK)
		return rc;
	if (clash.found[0] != '\0')
		return cli_fail(CLI_CONFLICT, "%s/%s holds this key or name "
		    "already", o->dir, clash.found);
	if ((rc = cert_install(o, &out, file)) != CLI_OK)
		return rc;
	printf("added %s (%s, %s) as %s/%s\n", cert_meta(&out, "name"),
	    cert_meta(&out, "type"), out.public_key, o->dir, file);
	return CLI_OK;
}

/* ---- ls ----------------------------------------------------------------- */

static void
cert_ls_one(const struct certstore_entry *e, void *arg)
{
	json_t *list = arg;

	json_array_append_new(list, json_pack("{s:s, s:s, s:s, s:s}", "name",
	    e->name, "type", certstore_type_name(e->type), "key", e->key,
	    "file", e->file));
}

static int
cert_ls(struct cert_opts *o)
{
	json_t *list = json_array(), *e;
	int rc = cert_each(o, cert_ls_one, list);
	size_t i;

	if (rc == CLI_OK && o->json) {
		json_dumpf(list, stdout, JSON_INDENT(2));
		putchar('\n');
	} else if (rc == CLI_OK) {
		printf("%-24s %-8s %-40s %s\n", "NAME", "TYPE", "KEY", "FILE");
		json_array_foreach(list, i, e)
			printf("%-24s %-8s %-40s %s\n",
			    json_string_value(json_object_get(e, "name")),
			    json_string_value(json_object_get(e, "type")),
			    json_string_value(json_object_get(e, "key")),
			    json_string_value(json_object_get(e, "file")));
	}
	json_decref(list);
	return rc;
}

/* ---- rm ----------------------------------------------------------------- */

struct cert_match {
	const char	*what;
	int		 by_key;
	json_t		*files;
};

static void
cert_match_one(const struct certstore_entry *e, void *arg)
{
	struct cert_match *m = arg;

	if (strcmp(m->by_key ? e->key : e->name, m->what) == 0)
		json_array_append_new(m->files, json_string(e->file));
}

static int
cert_rm(struct cert_opts *o, int argc, char **argv)
{
	struct cert_match m = { 0 };
	char path[PATH_MAX + 256];
	uint8_t raw[32];
	json_t *f;
	size_t i;
	int rc;

	if (optind != argc - 1)
		return cli_usage(cert_usage);
	m.what = argv[optind];
	m.by_key = strlen(m.what) == CERT_Z85_LEN &&
	    zmq_z85_decode(raw, m.what) != NULL;
	m.files = json_array();
	rc = cert_each(o, cert_match_one, &m);
	if (rc == CLI_OK && json_array_size(m.files) == 0)
		rc = cli_fail(CLI_NOT_FOUND, "no certificate with %s %s in %s",
		    m.by_key ? "key" : "name", m.what, o->dir);
	if (rc == CLI_OK && !m.by_key && json_array_size(m.files) > 1)
		rc = cli_fail(CLI_FAIL, "%zu certificates are named %s; "
		    "remove by key", json_array_size(m.files), m.what);
	json_array_foreach(m.files, i, f) {
		if (rc != CLI_OK)
			break;
		snprintf(path, sizeof(path), "%s/%s", o->dir,
		    json_string_value(f));
		if (unlink(path) < 0)
			rc = cli_fail(CLI_FAIL, "%s: %s", path,
			    strerror(errno));
		else
			printf("removed %s\n", path);
	}
	json_decref(m.files);
	return rc;
}

int
cmd_cert(int argc, char **argv)
{
	struct cert_opts o = { 0 };
	const char *sub;
	int rc;

	if (argc < 2)
		return cli_usage(cert_usage);
	sub = argv[1];
	if (strcmp(sub, "-h") == 0 || strcmp(sub, "--help") == 0) {
		fputs(cert_usage, stdout);
		return CLI_OK;
	}
	if ((rc = cert_args(argc - 1, argv + 1, &o)) != CLI_OK)
		return rc < 0 ? CLI_OK : rc;
	if (sodium_init() < 0)
		return cli_fail(CLI_FAIL, "libsodium failed to initialise");
	if (strcmp(sub, "add") == 0)
		return cert_add(&o, argc - 1, argv + 1);
	if (strcmp(sub, "ls") == 0)
		return optind == argc - 1 ? cert_ls(&o) :
		    cli_usage(cert_usage);
	if (strcmp(sub, "rm") == 0)
		return cert_rm(&o, argc - 1, argv + 1);
	return cli_fail(CLI_USAGE, "unknown cert command '%s' (add, ls, rm)",
	    sub);
}
