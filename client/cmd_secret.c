/*
 * cmd_secret.c - the coffer commands that talk to the daemon about
 * secrets: whoami, get, put, ls, history, rm.
 *
 * Values never need to be on the command line (where ps shows them):
 * KEY=@FILE reads a value from a file and KEY=- from standard input.
 */
#include "config.h"

#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "connect.h"

#define VALUE_MAX	65536

static const char secret_usage[] =
    "usage: coffer whoami [CONNECTION]\n"
    "       coffer get [CONNECTION] [--revision N] [--key KEY] NAME\n"
    "       coffer put [CONNECTION] [--comment TEXT] [--expect N] NAME\n"
    "                  KEY=VALUE|KEY=@FILE|KEY=- ...\n"
    "       coffer ls [CONNECTION] [PREFIX]\n"
    "       coffer history [CONNECTION] NAME\n"
    "       coffer rm [CONNECTION] NAME\n"
    "\n"
    "get prints KEY=VALUE lines (or one value with --key); put writes the\n"
    "next revision with exactly these pairs, creating the secret if need\n"
    "be; KEY=@FILE and KEY=- read a value from a file or standard input, so\n"
    "it never shows in ps.  --expect N refuses (exit 5) unless the latest\n"
    "revision is N.\n"
    "\n"
    "CONNECTION:\n" CONN_HELP;

struct secret_opts {
	struct conn	 conn;
	const char	*comment, *key;
	long long	 revision, expect;
};

static int
secret_args(int argc, char **argv, struct secret_opts *o)
{
	static const struct option longopts[] = {
		CONN_OPTIONS,
		{ "revision", required_argument, NULL, 'r' },
		{ "key", required_argument, NULL, 'k' },
		{ "comment", required_argument, NULL, 'm' },
		{ "expect", required_argument, NULL, 'x' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	int ch;

	while ((ch = getopt_long(argc, argv, "jh", longopts, NULL)) != -1) {
		if (conn_option(ch, optarg, &o->conn))
			continue;
		switch (ch) {
		case 'r': o->revision = atoll(optarg); break;
		case 'k': o->key = optarg; break;
		case 'm': o->comment = optarg; break;
		case 'x': o->expect = atoll(optarg); break;
		case 'h': fputs(secret_usage, stdout); return -1;
		default: return cli_usage(secret_usage);
		}
	}
	return CLI_OK;
}

static void
print_json(json_t *j)
{
	json_dumpf(j, stdout, JSON_INDENT(2) | JSON_SORT_KEYS);
	putchar('\n');
}

/* A value given as VALUE, @FILE or - (standard input); NULL on error. */
static json_t *
read_value(const char *spec)
{
	char buf[VALUE_MAX + 2];
	FILE *f = stdin;
	size_t n;

	if (spec[0] != '@' && strcmp(spec, "-") != 0)
		return json_string(spec);
	if (spec[0] == '@' && (f = fopen(spec + 1, "r")) == NULL) {
		cli_fail(CLI_FAIL, "%s: %s", spec + 1, strerror(errno));
		return NULL;
	}
	n = fread(buf, 1, sizeof(buf) - 1, f);
	if (f != stdin)
		fclose(f);
	if (n > VALUE_MAX) {
		cli_fail(CLI_USAGE, "a value is at most %d bytes", VALUE_MAX);
		return NULL;
	}
	if (n > 0 && buf[n - 1] == '\n')	/* as "echo" and editors leave */
		n--;
	return json_stringn(buf, n);
}

static int
secret_pairs(int argc, char **argv, json_t *pairs)
{
	for (int i = 0; i < argc; i++) {
		char *eq = strchr(argv[i], '=');
		json_t *v;

		if (eq == NULL || eq == argv[i])
			return cli_fail(CLI_USAGE, "'%s' is not KEY=VALUE, "
			    "KEY=@FILE or KEY=-", argv[i]);
		*eq = '\0';
		if ((v = read_value(eq + 1)) == NULL)
			return CLI_FAIL;
		json_object_set_new(pairs, argv[i], v);
	}
	return json_object_size(pairs) > 0 ? CLI_OK :
	    cli_usage(secret_usage);
}

static int
do_whoami(coffer_client *c, const struct secret_opts *o)
{
	json_t *r;
	int rc = conn_call(c, "whoami", json_object(), &r);

	if (rc == CLI_OK && o->conn.json)
		print_json(r);
	else if (rc == CLI_OK)
		printf("%s (%s, by %s)\n", json_string_value(json_object_get(r,
		    "name")), json_string_value(json_object_get(r, "type")),
		    json_string_value(json_object_get(r, "module")));
	json_decref(r);
	return rc;
}

static int
do_get(coffer_client *c, const struct secret_opts *o, const char *name)
{
	json_t *args = json_pack("{s:s}", "name", name), *r, *v;
	const char *key;
	int rc;

	if (o->revision > 0)
		json_object_set_new(args, "revision", json_integer(o->revision));
	if ((rc = conn_call(c, "secret.get", args, &r)) != CLI_OK)
		return rc;
	if (o->conn.json)
		print_json(r);
	else if (o->key != NULL) {
		v = json_object_get(json_object_get(r, "pairs"), o->key);
		if (v == NULL)
			rc = cli_fail(CLI_NOT_FOUND, "%s has no key %s", name,
			    o->key);
		else
			printf("%s\n", json_string_value(v));
	} else {
		json_object_foreach(json_object_get(r, "pairs"), key, v)
			printf("%s=%s\n", key, json_string_value(v));
	}
	json_decref(r);
	return rc;
}

static int
do_put(coffer_client *c, const struct secret_opts *o, const char *name,
    json_t *pairs)
{
	json_t *args = json_pack("{s:s, s:O}", "name", name, "pairs", pairs);
	json_t *r;
	int rc;

	if (o->comment != NULL)
		json_object_set_new(args, "comment", json_string(o->comment));
	if (o->expect > 0)
		json_object_set_new(args, "expect", json_integer(o->expect));
	rc = conn_call_expecting(c, "secret.update", json_incref(args), &r,
	    o->expect <= 0 ? CLI_NOT_FOUND : CLI_OK);
	if (rc == CLI_NOT_FOUND && o->expect <= 0)
		rc = conn_call(c, "secret.create", json_incref(args), &r);
	json_decref(args);
	if (rc == CLI_OK && o->conn.json)
		print_json(r);
	else if (rc == CLI_OK)
		printf("%s revision %lld\n", name, (long long)json_integer_value(
		    json_object_get(r, "revision")));
	json_decref(r);
	return rc;
}

static int
do_ls(coffer_client *c, const struct secret_opts *o, const char *prefix)
{
	json_t *all = json_array(), *cursor = NULL, *r, *v;
	size_t i;
	int rc;

	do {
		json_t *args = json_pack("{s:s, s:i}", "prefix", prefix,
		    "limit", 1000);

		if (cursor != NULL)
			json_object_set(args, "cursor", cursor);
		if ((rc = conn_call(c, "secret.list", args, &r)) != CLI_OK)
			break;
		json_array_extend(all, json_object_get(r, "secrets"));
		json_decref(cursor);
		cursor = json_incref(json_object_get(r, "cursor"));
		json_decref(r);
	} while (json_is_string(cursor));
	json_decref(cursor);
	if (rc == CLI_OK && o->conn.json)
		print_json(all);
	else if (rc == CLI_OK)
		json_array_foreach(all, i, v)
			printf("%s\t%lld\n", json_string_value(json_object_get(v,
			    "name")), (long long)json_integer_value(
			    json_object_get(v, "revision")));
	json_decref(all);
	return rc;
}

static int
do_history(coffer_client *c, const struct secret_opts *o, const char *name)
{
	json_t *r, *v;
	size_t i;
	int rc = conn_call(c, "secret.history", json_pack("{s:s, s:i}", "name",
	    name, "limit", 100), &r);

	if (rc == CLI_OK && o->conn.json)
		print_json(r);
	else if (rc == CLI_OK)
		json_array_foreach(json_object_get(r, "revisions"), i, v)
			printf("%lld\t%s\t%s\t%s\n", (long long)
			    json_integer_value(json_object_get(v, "revision")),
			    json_string_value(json_object_get(v, "modified_at")),
			    json_string_value(json_object_get(v, "modified_by")),
			    json_is_string(json_object_get(v, "comment")) ?
			    json_string_value(json_object_get(v, "comment")) :
			    "");
	json_decref(r);
	return rc;
}

static int
do_rm(coffer_client *c, const char *name)
{
	json_t *r;
	int rc = conn_call(c, "secret.delete", json_pack("{s:s}", "name",
	    name), &r);

	if (rc == CLI_OK)
		printf("deleted %s\n", name);
	json_decref(r);
	return rc;
}

static int
secret_run(coffer_client *c, const struct secret_opts *o, const char *cmd,
    int argc, char **argv)
{
	json_t *pairs;
	int rc;

	if (strcmp(cmd, "whoami") == 0 && argc == 0)
		return do_whoami(c, o);
	if (strcmp(cmd, "ls") == 0 && argc <= 1)
		return do_ls(c, o, argc ? argv[0] : "");
	if (strcmp(cmd, "put") == 0 && argc >= 1) {
		pairs = json_object();
		rc = secret_pairs(argc - 1, argv + 1, pairs);
		if (rc == CLI_OK)
			rc = do_put(c, o, argv[0], pairs);
		json_decref(pairs);
		return rc;
	}
	if (argc != 1)
		return cli_usage(secret_usage);
	if (strcmp(cmd, "get") == 0)
		return do_get(c, o, argv[0]);
	if (strcmp(cmd, "history") == 0)
		return do_history(c, o, argv[0]);
	return do_rm(c, argv[0]);
}

int
cmd_secret(int argc, char **argv)
{
	struct secret_opts o = { 0 };
	coffer_client *c;
	int rc = secret_args(argc, argv, &o);

	if (rc != CLI_OK)
		return rc < 0 ? CLI_OK : rc;
	if ((rc = conn_open(&o.conn, &c)) != CLI_OK)
		return rc;
	rc = secret_run(c, &o, argv[0], argc - optind, argv + optind);
	coffer_client_close(c);
	return rc;
}
