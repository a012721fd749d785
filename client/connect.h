/*
 * connect.h - how the coffer commands reach the daemon.
 *
 * Settings come from the command line, else the environment
 * (COFFER_ENDPOINT, COFFER_SERVER_KEY, COFFER_CERT), else the per-user file
 * $XDG_CONFIG_HOME/coffer/client.conf (~/.config/coffer/client.conf):
 *
 *	endpoint   = "tcp://127.0.0.1:7101";
 *	server_key = "/etc/coffer/server.key";	   # a public cert, or Z85
 *	cert       = "/home/me/.coffer/me.key_secret";
 */
#ifndef COFFER_CONNECT_H
#define COFFER_CONNECT_H

#include <getopt.h>
#include <jansson.h>

#include "coffer/client.h"

struct conn {
	const char	*endpoint, *server_key, *cert;
	/* KMS auth (auth_kms): a kmsauth token instead of, or besides, a
	 * certificate. */
	const char	*kms_key, *kms_from, *kms_to, *kms_user_type;
	int		 timeout;
	int		 json;
};

#define CONN_OPTIONS \
	{ "endpoint", required_argument, NULL, 'E' }, \
	{ "server-key", required_argument, NULL, 'S' }, \
	{ "cert", required_argument, NULL, 'K' }, \
	{ "timeout", required_argument, NULL, 'T' }, \
	{ "json", no_argument, NULL, 'j' }, \
	{ "kms-key", required_argument, NULL, 0x100 }, \
	{ "kms-from", required_argument, NULL, 0x101 }, \
	{ "kms-to", required_argument, NULL, 0x102 }, \
	{ "kms-user-type", required_argument, NULL, 0x103 }
#define CONN_HELP \
	"  --endpoint URL      the daemon (or $COFFER_ENDPOINT)\n" \
	"  --server-key KEY    its public key: a certificate file or Z85\n" \
	"                      (or $COFFER_SERVER_KEY)\n" \
	"  --cert FILE         your _secret certificate (or $COFFER_CERT)\n" \
	"  --timeout SECONDS   wait at most this long for an answer\n" \
	"  --json              print the daemon's answer as JSON\n" \
	"  --kms-key KEY       authenticate with a kmsauth token made with\n" \
	"                      this KMS key (or $COFFER_KMS_KEY); then\n" \
	"                      --cert is optional\n" \
	"  --kms-from NAME     your name in the token ($COFFER_KMS_FROM)\n" \
	"  --kms-to NAME       the server's auth_kms 'to' ($COFFER_KMS_TO)\n" \
	"  --kms-user-type T   service (default) or user\n"

/* 1 if CH was a connection option (taken into C), else 0. */
int	 conn_option(int ch, const char *arg, struct conn *c);
/* getopt_long over ARGV with LONGOPTS: connection options into C, every
 * other one to OPTION(ch, ARG) (optarg set).  CLI_OK, or the first other
 * answer of OPTION (-1 after --help). */
int	 conn_getopt(int argc, char **argv, const struct option *longopts,
	    struct conn *c, int (*option)(int ch, void *arg), void *arg);
/* Fill what is missing, connect.  A CLI_* exit code. */
int	 conn_open(struct conn *c, coffer_client **client_r);
/* kmsauth.c: make or reuse a token for C and give it to CLIENT. */
int	 kmsauth_credentials(const struct conn *c, coffer_client *client);
/* Call OP with ARGS (its reference is taken); on success *RESULT_R is the
 * result.  A CLI_* exit code; the failure is printed. */
int	 conn_call(coffer_client *client, const char *op, json_t *args,
	    json_t **result_r);
/* The same, but the exit code QUIET is returned without a message (the
 * caller handles that outcome). */
int	 conn_call_expecting(coffer_client *client, const char *op,
	    json_t *args, json_t **result_r, int quiet);
/* J on standard output, indented, keys sorted (--json). */
void	 conn_print_json(json_t *j);

#endif
