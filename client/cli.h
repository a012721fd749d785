/*
 * cli.h - what the coffer commands share: exit codes and messages.
 */
#ifndef COFFER_CLI_H
#define COFFER_CLI_H

/* Exit codes, stable for scripts (coffer(1)). */
#define CLI_OK		0
#define CLI_FAIL	1	/* anything else went wrong */
#define CLI_USAGE	2	/* bad command line */
#define CLI_NOT_FOUND	3
#define CLI_DENIED	4
#define CLI_CONFLICT	5	/* exists already, or a lost race */
#define CLI_UNAVAILABLE	6	/* daemon or backend unreachable: retry */

#define CLI_DEFAULT_CONFIG	SYSCONFDIR "/coffer/cofferd.conf"

/* "coffer: MESSAGE" on stderr; returns CODE, for "return cli_fail(...)". */
int	 cli_fail(int code, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));
void	 cli_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Usage of a command on stderr; returns CLI_USAGE. */
int	 cli_usage(const char *text);
/* ARG as a whole number from 1 up into *N; CLI_OK, or CLI_USAGE with a
 * message naming WHAT. */
int	 cli_number(const char *what, const char *arg, long long *n);

/* How many arguments a (sub)command takes; max -1 for no limit.  A table
 * ends with a NULL name. */
struct cli_arity {
	const char	*cmd;
	int		 min, max;
};
/* 1 if CMD is in TABLE and takes N arguments. */
int	 cli_arity_ok(const struct cli_arity *table, const char *cmd, int n);

/* The commands: ARGV[0] is the command's name. */
int	 cmd_keygen(int argc, char **argv);
int	 cmd_cert(int argc, char **argv);
int	 cmd_secret(int argc, char **argv);	/* whoami get put ls ... */
int	 cmd_call(int argc, char **argv);
int	 cmd_service(int argc, char **argv);
int	 cmd_blind(int argc, char **argv);

#endif
