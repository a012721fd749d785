/*
 * cmd_service.c - "coffer service": which secrets a service reads.
 *
 *	coffer service get NAME       a user: the mapping; the service itself:
 *	                              its secrets, as KEY=VALUE lines
 *	coffer service put NAME SECRET...
 *	coffer service ls
 */
#include "config.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "connect.h"

static const char service_usage[] =
    "usage: coffer service get [CONNECTION] NAME\n"
    "       coffer service put [CONNECTION] [--comment TEXT] [--expect N]\n"
    "                          NAME SECRET...\n"
    "       coffer service ls [CONNECTION]\n"
    "\n"
    "put maps service NAME to exactly these secrets (which must exist).\n"
    "get shows a user the mapping; run by the service itself (its own\n"
    "certificate), it prints every mapped, enabled secret's pairs as\n"
    "KEY=VALUE lines, and warns on stderr about keys several secrets hold.\n"
    "\n"
    "CONNECTION:\n" CONN_HELP;

struct service_opts {
	struct conn	 conn;
	const char	*comment;
	long long	 expect;
};

static void
service_print_json(json_t *j)
{
	json_dumpf(j, stdout, JSON_INDENT(2) | JSON_SORT_KEYS);
	putchar('\n');
}

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

static int
service_get(coffer_client *c, const struct service_opts *o, const char *name)
{
	json_t *r, *v;
	size_t i;
	int rc = conn_call(c, "service.get", json_pack("{s:s}", "name", name),
	    &r);

	if (rc != CLI_OK)
		return rc;
	if (o->conn.json)
		service_print_json(r);
	else if (json_object_get(r, "credentials") != NULL)
		service_print_credentials(r);
	else {
		printf("%s revision %lld%s\n", name, (long long)
		    json_integer_value(json_object_get(r, "revision")),
		    json_is_true(json_object_get(r, "enabled")) ? "" :
		    " (disabled)");
		json_array_foreach(json_object_get(r, "secrets"), i, v)
			printf("  %s\n", json_string_value(v));
	}
	json_decref(r);
	return CLI_OK;
}

static int
service_put(coffer_client *c, const struct service_opts *o, int argc,
    char **argv)
{
	json_t *secrets = json_array(), *args, *r;
	int rc;

	for (int i = 1; i < argc; i++)
		json_array_append_new(secrets, json_string(argv[i]));
	args = json_pack("{s:s, s:o}", "name", argv[0], "secrets", secrets);
	if (o->comment != NULL)
		json_object_set_new(args, "comment", json_string(o->comment));
	if (o->expect > 0)
		json_object_set_new(args, "expect", json_integer(o->expect));
	if ((rc = conn_call(c, "service.put", args, &r)) == CLI_OK) {
		if (o->conn.json)
			service_print_json(r);
		else
			printf("%s revision %lld\n", argv[0], (long long)
			    json_integer_value(json_object_get(r, "revision")));
	}
	json_decref(r);
	return rc;
}

static int
service_ls(coffer_client *c, const struct service_opts *o)
{
	json_t *r, *v;
	size_t i;
	int rc = conn_call(c, "service.list", json_pack("{s:i}", "limit",
	    1000), &r);

	if (rc == CLI_OK && o->conn.json)
		service_print_json(json_object_get(r, "services"));
	else if (rc == CLI_OK)
		json_array_foreach(json_object_get(r, "services"), i, v)
			printf("%s\t%lld\n", json_string_value(json_object_get(v,
			    "name")), (long long)json_integer_value(
			    json_object_get(v, "revision")));
	json_decref(r);
	return rc;
}

static int
service_args(int argc, char **argv, struct service_opts *o)
{
	static const struct option longopts[] = {
		CONN_OPTIONS,
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
		case 'm': o->comment = optarg; break;
		case 'x': o->expect = atoll(optarg); break;
		case 'h': fputs(service_usage, stdout); return -1;
		default: return cli_usage(service_usage);
		}
	}
	return CLI_OK;
}

int
cmd_service(int argc, char **argv)
{
	struct service_opts o = { 0 };
	const char *sub = argc > 1 ? argv[1] : "";
	coffer_client *c;
	int rc, n;

	if (strcmp(sub, "get") != 0 && strcmp(sub, "put") != 0 &&
	    strcmp(sub, "ls") != 0) {
		if (strcmp(sub, "--help") == 0 || strcmp(sub, "-h") == 0) {
			fputs(service_usage, stdout);
			return CLI_OK;
		}
		return cli_usage(service_usage);
	}
	if ((rc = service_args(argc - 1, argv + 1, &o)) != CLI_OK)
		return rc < 0 ? CLI_OK : rc;
	n = argc - 1 - optind;
	if ((strcmp(sub, "get") == 0 && n != 1) ||
	    (strcmp(sub, "put") == 0 && n < 2) || (strcmp(sub, "ls") == 0 &&
	    n != 0))
		return cli_usage(service_usage);
	if ((rc = conn_open(&o.conn, &c)) != CLI_OK)
		return rc;
	if (strcmp(sub, "get") == 0)
		rc = service_get(c, &o, argv[1 + optind]);
	else if (strcmp(sub, "put") == 0)
		rc = service_put(c, &o, n, argv + 1 + optind);
	else
		rc = service_ls(c, &o);
	coffer_client_close(c);
	return rc;
}
