/*
 * cmd_keygen.c - "coffer keygen": a CURVE key pair as certificate files.
 *
 * Writes NAME.key (public, 0644) and NAME.key_secret (0600) in the format
 * czmq and pyzmq read, with the name and type in both files' metadata.
 */
#include "config.h"

#include <getopt.h>
#include <jansson.h>
#include <limits.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <zmq.h>

#include "cert.h"
#include "certstore.h"
#include "masterkey.h"
#include "cli.h"

static const char keygen_usage[] =
    "usage: coffer keygen [--type user|service] [--dir DIR] [--json] NAME\n"
    "       coffer keygen --master FILE\n"
    "       coffer keygen --blind FILE\n"
    "\n"
    "Create a CURVE key pair: DIR/NAME.key (the public certificate, for the\n"
    "server's certificate store) and DIR/NAME.key_secret (mode 0600, for\n"
    "the client).  Existing files are never overwritten.\n"
    "\n"
    "  --type TYPE   user (default) or service\n"
    "  --dir DIR     where to write the files (default: .)\n"
    "  --json        print the result as JSON\n"
    "\n"
    "With --master, create a master key file (mode 0600) for the daemon's\n"
    "keyring instead; with --blind, a key for 'coffer blind', which stays\n"
    "with you.  Both print the new key's id.\n";

struct keygen_opts {
	const char	*key_file;	/* --master or --blind */
	enum masterkey_kind key_kind;	/* master or blind */
	const char	*dir;
	const char	*name;
	enum coffer_principal_type type;
	int		 json;
};

static int
keygen_args(int argc, char **argv, struct keygen_opts *o)
{
	static const struct option longopts[] = {
		{ "type", required_argument, NULL, 't' },
		{ "dir", required_argument, NULL, 'd' },
		{ "json", no_argument, NULL, 'j' },
		{ "master", required_argument, NULL, 'm' },
		{ "blind", required_argument, NULL, 'b' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	int ch;

	o->dir = ".";
	o->type = COFFER_PRINCIPAL_USER;
	while ((ch = getopt_long(argc, argv, "t:d:jh", longopts, NULL)) != -1) {
		switch (ch) {
		case 't':
			if (certstore_type_parse(optarg, &o->type) < 0)
				return cli_fail(CLI_USAGE, "--type must be "
				    "user or service, not '%s'", optarg);
			break;
		case 'd': o->dir = optarg; break;
		case 'j': o->json = 1; break;
		case 'm':
		case 'b':
			o->key_file = optarg;
			o->key_kind = ch == 'm' ? MASTERKEY_MASTER :
			    MASTERKEY_BLIND;
			break;
		case 'h': fputs(keygen_usage, stdout); return -1;
		default: return cli_usage(keygen_usage);
		}
	}
	if (o->key_file != NULL)
		return optind == argc ? CLI_OK : cli_usage(keygen_usage);
	if (optind != argc - 1)
		return cli_usage(keygen_usage);
	o->name = argv[optind];
	if (!certstore_name_ok(o->name))
		return cli_fail(CLI_USAGE, "name '%s': use 1 to %d printable "
		    "characters without spaces, quotes or '/'", o->name,
		    COFFER_NAME_MAX);
	return CLI_OK;
}

static int
keygen_report(const struct keygen_opts *o, const struct cert *c,
    const char *pub, const char *sec)
{
	if (!o->json) {
		printf("public key:  %s\npublic cert: %s\nsecret cert: %s\n",
		    c->public_key, pub, sec);
		return CLI_OK;
	}
	json_t *j = json_pack("{s:s, s:s, s:s, s:s, s:s}", "name", o->name,
	    "type", certstore_type_name(o->type), "public_key", c->public_key,
	    "public_file", pub, "secret_file", sec);
	json_dumpf(j, stdout, JSON_INDENT(2));
	putchar('\n');
	json_decref(j);
	return CLI_OK;
}

static int
keygen_keyfile(const struct keygen_opts *o)
{
	char id[MASTERKEY_ID_BYTES * 2 + 1], err[MASTERKEY_ERR_MAX];

	if (sodium_init() < 0)
		return cli_fail(CLI_FAIL, "libsodium failed to initialise");
	if (masterkey_generate(o->key_file, o->key_kind, id, err) < 0)
		return cli_fail(access(o->key_file, F_OK) == 0 ? CLI_CONFLICT :
		    CLI_FAIL, "%s", err);
	if (o->json)
		printf("{\"%s\": \"%s\", \"id\": \"%s\"}\n",
		    o->key_kind == MASTERKEY_MASTER ? "master_key" :
		    "blind_key", o->key_file, id);
	else
		printf("%s key %s written to %s\n", o->key_kind ==
		    MASTERKEY_MASTER ? "master" : "blind", id, o->key_file);
	return CLI_OK;
}

int
cmd_keygen(int argc, char **argv)
{
	char pub[PATH_MAX], sec[PATH_MAX + 8], err[CERT_ERR_MAX];
	struct keygen_opts o = { 0 };
	struct cert c;
	int rc = keygen_args(argc, argv, &o);

	if (rc != CLI_OK)
		return rc < 0 ? CLI_OK : rc;
	if (o.key_file != NULL)
		return keygen_keyfile(&o);
	memset(&c, 0, sizeof(c));
	if (sodium_init() < 0 ||
	    zmq_curve_keypair(c.public_key, c.secret_key) != 0)
		return cli_fail(CLI_FAIL, "cannot generate a key pair");
	cert_meta_set(&c, "name", o.name);
	cert_meta_set(&c, "type", certstore_type_name(o.type));
	snprintf(pub, sizeof(pub), "%s/%s.key", o.dir, o.name);
	snprintf(sec, sizeof(sec), "%s_secret", pub);
	if (access(pub, F_OK) == 0 || access(sec, F_OK) == 0) {
		cert_wipe(&c);
		return cli_fail(CLI_CONFLICT, "%s or %s exists already; not "
		    "overwriting a key", pub, sec);
	}
	if (cert_write(&c, sec, 1, 0600, err) < 0) {
		cert_wipe(&c);
		return cli_fail(CLI_FAIL, "%s: %s", sec, err);
	}
	cert_wipe(&c);
	if (cert_write(&c, pub, 0, 0644, err) < 0) {
		unlink(sec);
		return cli_fail(CLI_FAIL, "%s: %s", pub, err);
	}
	return keygen_report(&o, &c, pub, sec);
}
