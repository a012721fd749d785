/*
 * cmd_service.c - "coffer service": which secrets a service reads.
 *
 *	coffer service get NAME       a user: the mapping; the service itself:
 *	                              its secrets, as KEY=VALUE lines
 *	coffer service put NAME SECRET...
 *	coffer service ls|history|revert|enable|disable ...
 */
#include "config.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "connect.h"
#include "revision.h"

static const char service_usage[] =
    "usage: coffer service get [CONNECTION] [--revision N] NAME\n"
    "       coffer service put [CONNECTION] [WRITE] NAME SECRET...\n"
    "       coffer service ls [CONNECTION] [PREFIX]\n"
    "       coffer service history [CONNECTION] NAME\n"
    "       coffer service revert [CONNECTION] [WRITE] NAME REVISION\n"
    "       coffer service enable|disable [CONNECTION] [WRITE] NAME\n"
    "\n"
    "put maps service NAME to exactly these secrets (which must exist).\n"
    "get shows a user the mapping; run by the service itself (its own\n"
    "certificate), it prints every mapped, enabled secret's pairs as\n"
    "KEY=VALUE lines, and warns on stderr about keys several secrets hold.\n"
    "A disabled service is denied its secrets.\n"
    "\n"
    "WRITE:\n"
    "  --comment TEXT      recorded with the revision\n"
    "  --expect N          refuse (exit 5) unless the latest revision is N\n"
    "\n"
    "CONNECTION:\n" CONN_HELP;

struct service_opts {
	struct conn		 conn;
	struct revision_write	 write;
	long long		 revision;
};

/* The service's view: its credentials as KEY=VALUE, collisions warned. */
static void
service_print_credentials(json_t *r)
{
	const char *key;
	json_t *c, *v;
	size_t i;

	json_array_foreach(json_object_get(r, "credentials"), i, c)
		json_object_foreach(json_object_get(c, "pairs"), key, v)
			printf("%s=%s\n", key, json_string_value(v));
	json_object_foreach(json_object_get(r, "conflicts"), key, v)
		cli_warn("%s is held by %zu mapped secrets; the last one "
		    "printed wins", key, json_array_size(v));
	json_array_foreach(json_object_get(r, "missing"), i, v)
		cli_warn("mapped secret %s no longer exists",
		    json_string_value(v));
}

static void
service_print_mapping(const char *name, json_t *r)
{
	json_t *v;
	size_t i;

	printf("%s revision %lld%s\n", name, (long long)json_integer_value(
	    json_object_get(r, "revision")), json_is_true(json_object_get(r,
	    "enabled")) ? "" : " (disabled)");
	json_array_foreach(json_object_get(r, "secrets"), i, v)
		printf("  %s\n", json_string_value(v));
}

static int
service_get(coffer_client *c, const struct service_opts *o, const char *name)
{
	json_t *args = json_pack("{s:s}", "name", name), *r;
	int rc;

	if (o->revision > 0)
		json_object_set_new(args, "revision", json_integer(o->revision));
	if ((rc = conn_call(c, "service.get", args, &r)) != CLI_OK)
		return rc;
	if (o->conn.json)
		conn_print_json(r);
	else if (json_object_get(r, "credentials") != NULL)
		service_print_credentials(r);
	else
		service_print_mapping(name, r);
	json_decref(r);
	return CLI_OK;
}

static int
service_put(coffer_client *c, const struct service_opts *o, int argc,
    char **argv)
{
	json_t *secrets = json_array(), *r;
	int rc;

	for (int i = 1; i < argc; i++)
		json_array_append_new(secrets, json_string(argv[i]));
	rc = conn_call(c, "service.put", revision_args(json_pack("{s:s, s:o}",
	    "name", argv[0], "secrets", secrets), &o->write), &r);
	return revision_written(&o->conn, rc, r);
}

static int
service_flag(coffer_client *c, const struct service_opts *o,
    const char *name, int enabled)
{
	json_t *r;
	int rc = conn_call(c, "service.put", revision_args(json_pack(
	    "{s:s, s:b}", "name", name, "enabled", enabled), &o->write), &r);

	return revision_written(&o->conn, rc, r);
}

static int
service_option(int ch, void *arg)
{
	struct service_opts *o = arg;

	switch (ch) {
	case 'r': return cli_number("--revision", optarg, &o->revision);
	case 'x': return cli_number("--expect", optarg, &o->write.expect);
	case 'm': o->write.comment = optarg; return CLI_OK;
	case 'h': fputs(service_usage, stdout); return -1;
	default: return cli_usage(service_usage);
	}
}

static int
service_args(int argc, char **argv, struct service_opts *o)
{
	static const struct option longopts[] = {
		CONN_OPTIONS,
		{ "revision", required_argument, NULL, 'r' },
		{ "comment", required_argument, NULL, 'm' },
		{ "expect", required_argument, NULL, 'x' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};

	return conn_getopt(argc, argv, longopts, &o->conn, service_option, o);
}

static int
service_run(coffer_client *c, const struct service_opts *o, const char *sub,
    int argc, char **argv)
{
	if (strcmp(sub, "get") == 0)
		return service_get(c, o, argv[0]);
	if (strcmp(sub, "put") == 0)
		return service_put(c, o, argc, argv);
	if (strcmp(sub, "ls") == 0)
		return revision_list(c, &o->conn, "service", argc ? argv[0] :
		    "");
	if (strcmp(sub, "history") == 0)
		return revision_history(c, &o->conn, "service", argv[0]);
	if (strcmp(sub, "revert") == 0)
		return revision_revert(c, &o->conn, "service", argv[0],
		    argv[1], &o->write);
	return service_flag(c, o, argv[0], strcmp(sub, "enable") == 0);
}

int
cmd_service(int argc, char **argv)
{
	static const struct cli_arity arity[] = {
		{ "get", 1, 1 }, { "put", 2, -1 }, { "ls", 0, 1 },
		{ "history", 1, 1 }, { "revert", 2, 2 }, { "enable", 1, 1 },
		{ "disable", 1, 1 }, { NULL, 0, 0 }
	};
	struct service_opts o = { 0 };
	const char *sub = argc > 1 ? argv[1] : "";
	coffer_client *c;
	int rc;

	if (strcmp(sub, "--help") == 0 || strcmp(sub, "-h") == 0) {
		fputs(service_usage, stdout);
		return CLI_OK;
	}
	if (argc < 2)
		return cli_usage(service_usage);
	if ((rc = service_args(argc - 1, argv + 1, &o)) != CLI_OK)
		return rc < 0 ? CLI_OK : rc;
	if (!cli_arity_ok(arity, sub, argc - 1 - optind))
		return cli_usage(service_usage);
	if ((rc = conn_open(&o.conn, &c)) != CLI_OK)
		return rc;
	rc = service_run(c, &o, sub, argc - 1 - optind, argv + 1 + optind);
	coffer_client_close(c);
	return rc;
}
