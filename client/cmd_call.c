/*
 * cmd_call.c - "coffer call": any operation by name, JSON in and out.
 *
 * For scripts and for operations without a command of their own:
 *
 *	coffer call service.get '{"name": "web"}'
 *	coffer call secret.diff @args.json
 *	echo '{"name": "web"}' | coffer call service.get -
 */
#include "config.h"

#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "connect.h"

static const char call_usage[] =
    "usage: coffer call [CONNECTION] OPERATION [ARGS|@FILE|-]\n"
    "\n"
    "Call any operation of the daemon (docs/protocol.md) with ARGS, a JSON\n"
    "object given inline, read from FILE, or from standard input (-), and\n"
    "print its result as JSON.\n"
    "\n"
    "CONNECTION:\n" CONN_HELP;

/* The arguments object from SPEC; NULL (reported) when it is not one. */
static json_t *
call_args(const char *spec)
{
	json_error_t jerr;
	json_t *args;

	if (spec == NULL)
		return json_object();
	if (strcmp(spec, "-") == 0)
		args = json_loadf(stdin, 0, &jerr);
	else if (spec[0] == '@')
		args = json_load_file(spec + 1, 0, &jerr);
	else
		args = json_loads(spec, 0, &jerr);
	if (!json_is_object(args)) {
		cli_fail(CLI_USAGE, "the arguments must be a JSON object%s%s",
		    args == NULL ? ": " : "", args == NULL ? jerr.text : "");
		json_decref(args);
		return NULL;
	}
	return args;
}

int
cmd_call(int argc, char **argv)
{
	static const struct option longopts[] = {
		CONN_OPTIONS,
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct conn conn = { 0 };
	coffer_client *c;
	json_t *args, *result;
	int ch, rc;

	while ((ch = getopt_long(argc, argv, "jh", longopts, NULL)) != -1) {
		if (conn_option(ch, optarg, &conn))
			continue;
		if (ch == 'h') {
			fputs(call_usage, stdout);
			return CLI_OK;
		}
		return cli_usage(call_usage);
	}
	if (optind != argc - 1 && optind != argc - 2)
		return cli_usage(call_usage);
	if ((args = call_args(optind == argc - 2 ? argv[argc - 1] : NULL)) ==
	    NULL)
		return CLI_USAGE;
	if ((rc = conn_open(&conn, &c)) != CLI_OK) {
		json_decref(args);
		return rc;
	}
	if ((rc = conn_call(c, argv[optind], args, &result)) == CLI_OK) {
		json_dumpf(result, stdout, JSON_INDENT(2) | JSON_SORT_KEYS);
		putchar('\n');
	}
	json_decref(result);
	coffer_client_close(c);
	return rc;
}
