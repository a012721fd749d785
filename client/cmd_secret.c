/*
 * cmd_secret.c - the coffer commands about secrets: whoami, get, put, ls,
 * history, diff, revert, enable, disable, rm.
 *
 * Values never need to be on the command line (where ps shows them):
 * KEY=@FILE reads a value from a file and KEY=- from standard input.
 */
#include "config.h"

#include <errno.h>
#include <jansson.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "connect.h"
#include "revision.h"

#define VALUE_MAX	65536

static const char secret_usage[] =
    "usage: coffer whoami [CONNECTION]\n"
    "       coffer get [CONNECTION] [--revision N] [--key KEY | --meta] NAME\n"
    "       coffer put [CONNECTION] [WRITE] NAME KEY=VALUE|KEY=@FILE|KEY=- ...\n"
    "       coffer ls [CONNECTION] [PREFIX]\n"
    "       coffer history [CONNECTION] NAME\n"
    "       coffer diff [CONNECTION] NAME FROM TO\n"
    "       coffer revert [CONNECTION] [WRITE] NAME REVISION\n"
    "       coffer enable|disable [CONNECTION] [WRITE] NAME\n"
    "       coffer rm [CONNECTION] NAME\n"
    "\n"
    "get prints KEY=VALUE lines, one value with --key, or the revision's\n"
    "metadata without values with --meta.  put writes the next revision\n"
    "with exactly these pairs, creating the secret if need be; KEY=@FILE\n"
    "and KEY=- read a value from a file or standard input, so it never\n"
    "shows in ps.  diff names the keys added (+), removed (-) and changed\n"
    "(~) between two revisions, never values.  revert writes a new revision\n"
    "holding what REVISION held.  A disabled secret is given to no service.\n"
    "\n"
    "WRITE:\n"
    "  --comment TEXT      recorded with the revision\n"
    "  --expect N          refuse (exit 5) unless the latest revision is N\n"
    "\n"
    "CONNECTION:\n" CONN_HELP;

struct secret_opts {
	struct conn		 conn;
	struct revision_write	 write;
	const char		*key;
	long long		 revision;
	int			 meta;
};

static int
secret_option(int ch, void *arg)
{
	struct secret_opts *o = arg;

	switch (ch) {
	case 'r': return cli_number("--revision", optarg, &o->revision);
	case 'x': return cli_number("--expect", optarg, &o->write.expect);
	case 'k': o->key = optarg; return CLI_OK;
	case 'm': o->write.comment = optarg; return CLI_OK;
	case 'M': o->meta = 1; return CLI_OK;
	case 'h': fputs(secret_usage, stdout); return -1;
	default: return cli_usage(secret_usage);
	}
}

static int
secret_args(int argc, char **argv, struct secret_opts *o)
{
	static const struct option longopts[] = {
		CONN_OPTIONS,
		{ "revision", required_argument, NULL, 'r' },
		{ "key", required_argument, NULL, 'k' },
		{ "meta", no_argument, NULL, 'M' },
		{ "comment", required_argument, NULL, 'm' },
		{ "expect", required_argument, NULL, 'x' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};

	return conn_getopt(argc, argv, longopts, &o->conn, secret_option, o);
}

/* A value given as VALUE, @FILE or - (standard input); NULL on error. */
static json_t *
read_value(const char *spec)
{
	char buf[VALUE_MAX + 2];
	FILE *f = stdin;
	size_t n;
	json_t *v;

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
		sodium_memzero(buf, sizeof(buf));
		cli_fail(CLI_USAGE, "a value is at most %d bytes", VALUE_MAX);
		return NULL;
	}
	if (n > 0 && buf[n - 1] == '\n')	/* as "echo" and editors leave */
		n--;
	v = json_stringn(buf, n);
	sodium_memzero(buf, sizeof(buf));
	if (v == NULL)
		cli_fail(CLI_USAGE, "%s: a value must be UTF-8 text", spec);
	return v;
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
		conn_print_json(r);
	else if (rc == CLI_OK)
		printf("%s (%s, by %s)\n", json_string_value(json_object_get(r,
		    "name")), json_string_value(json_object_get(r, "type")),
		    json_string_value(json_object_get(r, "module")));
	json_decref(r);
	return rc;
}

static void
print_meta(json_t *r)
{
	const char *key, *comment = json_string_value(json_object_get(r,
	    "comment"));
	json_t *v;

	printf("name: %s\nrevision: %lld\nenabled: %s\nmodified_by: %s\n"
	    "modified_at: %s\n", json_string_value(json_object_get(r, "name")),
	    (long long)json_integer_value(json_object_get(r, "revision")),
	    json_is_true(json_object_get(r, "enabled")) ? "yes" : "no",
	    json_string_value(json_object_get(r, "modified_by")),
	    json_string_value(json_object_get(r, "modified_at")));
	if (comment != NULL)
		printf("comment: %s\n", comment);
	json_object_foreach(json_object_get(r, "metadata"), key, v)
		printf("metadata: %s=%s\n", key, json_string_value(v));
}

static int
print_pairs(const struct secret_opts *o, const char *name, json_t *r)
{
	const char *key;
	json_t *v;

	if (o->key == NULL) {
		json_object_foreach(json_object_get(r, "pairs"), key, v)
			printf("%s=%s\n", key, json_string_value(v));
		return CLI_OK;
	}
	if ((v = json_object_get(json_object_get(r, "pairs"), o->key)) == NULL)
		return cli_fail(CLI_NOT_FOUND, "%s has no key %s", name,
		    o->key);
	printf("%s\n", json_string_value(v));
	return CLI_OK;
}

static int
do_get(coffer_client *c, const struct secret_opts *o, char **argv)
{
	json_t *args = json_pack("{s:s}", "name", argv[0]), *r;
	int rc;

	if (o->revision > 0)
		json_object_set_new(args, "revision", json_integer(o->revision));
	if ((rc = conn_call(c, o->meta ? "secret.meta" : "secret.get", args,
	    &r)) != CLI_OK)
		return rc;
	if (o->conn.json)
		conn_print_json(r);
	else if (o->meta)
		print_meta(r);
	else
		rc = print_pairs(o, argv[0], r);
	json_decref(r);
	return rc;
}

static int
do_put(coffer_client *c, const struct secret_opts *o, const char *name,
    json_t *pairs)
{
	json_t *args = revision_args(json_pack("{s:s, s:O}", "name", name,
	    "pairs", pairs), &o->write);
	json_t *r;
	int rc;

	rc = conn_call_expecting(c, "secret.update", json_incref(args), &r,
	    o->write.expect <= 0 ? CLI_NOT_FOUND : CLI_OK);
	if (rc == CLI_NOT_FOUND && o->write.expect <= 0)
		rc = conn_call(c, "secret.create", json_incref(args), &r);
	json_decref(args);
	return revision_written(&o->conn, rc, r);
}

static int
run_put(coffer_client *c, const struct secret_opts *o, int argc, char **argv)
{
	json_t *pairs = json_object();
	int rc = secret_pairs(argc - 1, argv + 1, pairs);

	if (rc == CLI_OK)
		rc = do_put(c, o, argv[0], pairs);
	json_decref(pairs);
	return rc;
}

static void
print_changes(const char *what, json_t *changes)
{
	static const struct { const char *field; char mark; } kinds[] = {
		{ "added", '+' }, { "removed", '-' }, { "changed", '~' },
	};
	json_t *v;
	size_t i;

	for (size_t k = 0; k < sizeof(kinds) / sizeof(*kinds); k++)
		json_array_foreach(json_object_get(changes, kinds[k].field),
		    i, v)
			printf("%c %s %s\n", kinds[k].mark, what,
			    json_string_value(v));
}

static int
do_diff(coffer_client *c, const struct secret_opts *o, char **argv)
{
	long long from, to;
	json_t *r, *ef, *et;
	int rc;

	if ((rc = cli_number("FROM", argv[1], &from)) != CLI_OK ||
	    (rc = cli_number("TO", argv[2], &to)) != CLI_OK ||
	    (rc = conn_call(c, "secret.diff", json_pack("{s:s, s:I, s:I}",
	    "name", argv[0], "from", (json_int_t)from, "to", (json_int_t)to),
	    &r)) != CLI_OK)
		return rc;
	if (o->conn.json)
		conn_print_json(r);
	else {
		print_changes("key", json_object_get(r, "pairs"));
		print_changes("metadata", json_object_get(r, "metadata"));
		ef = json_object_get(r, "enabled_from");
		et = json_object_get(r, "enabled_to");
		if (json_is_true(ef) != json_is_true(et))
			printf("~ %s\n", json_is_true(et) ? "enabled" :
			    "disabled");
	}
	json_decref(r);
	return CLI_OK;
}

static int
do_flag(coffer_client *c, const struct secret_opts *o, const char *op,
    const char *name)
{
	json_t *r;
	int rc = conn_call(c, op, revision_args(json_pack("{s:s}", "name",
	    name), &o->write), &r);

	return revision_written(&o->conn, rc, r);
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
	if (strcmp(cmd, "whoami") == 0)
		return do_whoami(c, o);
	if (strcmp(cmd, "ls") == 0)
		return revision_list(c, &o->conn, "secret", argc ? argv[0] : "");
	if (strcmp(cmd, "put") == 0)
		return run_put(c, o, argc, argv);
	if (strcmp(cmd, "diff") == 0)
		return do_diff(c, o, argv);
	if (strcmp(cmd, "revert") == 0)
		return revision_revert(c, &o->conn, "secret", argv[0], argv[1],
		    &o->write);
	if (strcmp(cmd, "get") == 0)
		return do_get(c, o, argv);
	if (strcmp(cmd, "history") == 0)
		return revision_history(c, &o->conn, "secret", argv[0]);
	if (strcmp(cmd, "enable") == 0 || strcmp(cmd, "disable") == 0)
		return do_flag(c, o, strcmp(cmd, "enable") == 0 ?
		    "secret.enable" : "secret.disable", argv[0]);
	return do_rm(c, argv[0]);
}

int
cmd_secret(int argc, char **argv)
{
	static const struct cli_arity arity[] = {
		{ "whoami", 0, 0 }, { "ls", 0, 1 }, { "put", 2, -1 },
		{ "diff", 3, 3 }, { "revert", 2, 2 }, { "get", 1, 1 },
		{ "history", 1, 1 }, { "enable", 1, 1 }, { "disable", 1, 1 },
		{ "rm", 1, 1 }, { NULL, 0, 0 }
	};
	struct secret_opts o = { 0 };
	coffer_client *c;
	int rc = secret_args(argc, argv, &o);

	if (rc != CLI_OK)
		return rc < 0 ? CLI_OK : rc;
	if (!cli_arity_ok(arity, argv[0], argc - optind))
		return cli_usage(secret_usage);
	if ((rc = conn_open(&o.conn, &c)) != CLI_OK)
		return rc;
	rc = secret_run(c, &o, argv[0], argc - optind, argv + optind);
	coffer_client_close(c);
	return rc;
}
