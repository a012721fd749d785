/*
 * coffer.c - the coffer command line: key generation, certificate store
 * administration and, against a running daemon, every client operation.
 * See coffer(1).
 */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static const struct {
	const char	*name;
	int		(*fn)(int, char **);
	const char	*summary;
} commands[] = {
	{ "keygen", cmd_keygen, "create a CURVE key pair (certificate files)" },
	{ "cert", cmd_cert, "add, list or remove certificates in a store" },
	{ "whoami", cmd_secret, "who the daemon takes you for" },
	{ "get", cmd_secret, "read a secret's pairs" },
	{ "put", cmd_secret, "write a secret's next revision" },
	{ "ls", cmd_secret, "list secrets" },
	{ "history", cmd_secret, "a secret's revisions" },
	{ "diff", cmd_secret, "which keys two revisions differ in" },
	{ "revert", cmd_secret, "a new revision equal to an old one" },
	{ "enable", cmd_secret, "give a secret to services again" },
	{ "disable", cmd_secret, "give a secret to no service" },
	{ "rm", cmd_secret, "delete a secret with all its revisions" },
	{ "service", cmd_service, "map secrets to a service; read them as it" },
	{ "blind", cmd_blind, "secrets encrypted here, opaque to the daemon" },
	{ "call", cmd_call, "any operation, JSON arguments in, JSON out" },
};

int
cli_fail(int code, const char *fmt, ...)
{
	va_list ap;

	fputs("coffer: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return code;
}

void
cli_warn(const char *fmt, ...)
{
	va_list ap;

	fputs("coffer: warning: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

int
cli_usage(const char *text)
{
	fputs(text, stderr);
	return CLI_USAGE;
}

int
cli_number(const char *what, const char *arg, long long *n)
{
	char *end;

	errno = 0;
	*n = strtoll(arg, &end, 10);
	if (errno != 0 || end == arg || *end != '\0' || *n < 1)
		return cli_fail(CLI_USAGE, "%s must be a whole number from 1 "
		    "up, not '%s'", what, arg);
	return CLI_OK;
}

int
cli_arity_ok(const struct cli_arity *table, const char *cmd, int n)
{
	for (; table->cmd != NULL; table++)
		if (strcmp(table->cmd, cmd) == 0)
			return n >= table->min && (table->max < 0 ||
			    n <= table->max);
	return 0;
}

static void
usage(FILE *f)
{
	fprintf(f, "usage: coffer COMMAND [OPTIONS] [ARGS]\n\n"
	    "The coffer secrets client and admin tool.\n\nCommands:\n");
	for (size_t i = 0; i < sizeof(commands) / sizeof(*commands); i++)
		fprintf(f, "  %-10s %s\n", commands[i].name,
		    commands[i].summary);
	fprintf(f, "\n'coffer COMMAND --help' describes each command.\n"
	    "Exit status: 0 ok, 1 failure, 2 usage, 3 not found, 4 denied,\n"
	    "5 conflict, 6 unavailable.  See coffer(1).\n");
}

int
main(int argc, char **argv)
{
	if (argc < 2)
		return usage(stderr), CLI_USAGE;
	if (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0 ||
	    strcmp(argv[1], "help") == 0)
		return usage(stdout), CLI_OK;
	if (strcmp(argv[1], "-V") == 0 || strcmp(argv[1], "--version") == 0) {
		printf("coffer %s\n", PACKAGE_VERSION);
		return CLI_OK;
	}
	for (size_t i = 0; i < sizeof(commands) / sizeof(*commands); i++) {
		if (strcmp(argv[1], commands[i].name) == 0)
			return commands[i].fn(argc - 1, argv + 1);
	}
	cli_fail(CLI_USAGE, "unknown command '%s'", argv[1]);
	usage(stderr);
	return CLI_USAGE;
}
