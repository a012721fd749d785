/*
 * cmd_blind.c - "coffer blind": secrets encrypted on this side with a
 * blind key (coffer keygen --blind) that the daemon never sees; it stores
 * and returns only ciphertext (blindbox.h, docs/protocol.md).
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "blindbox.h"
#include "cli.h"
#include "connect.h"
#include "masterkey.h"
#include "revision.h"

static const char blind_usage[] =
    "usage: coffer blind put [CONNECTION] [WRITE] [KEY] [--meta K=V]... NAME\n"
    "                        [FILE|-]\n"
    "       coffer blind get [CONNECTION] [KEY] [--revision N]\n"
    "                        [--output FILE] NAME\n"
    "       coffer blind ls [CONNECTION] [PREFIX]\n"
    "       coffer blind history [CONNECTION] NAME\n"
    "       coffer blind rm [CONNECTION] NAME\n"
    "\n"
    "put encrypts FILE (or standard input) here and stores only the\n"
    "ciphertext; get fetches it and decrypts it to standard output (or\n"
    "--output FILE, created mode 0600).  The ciphertext is bound to NAME.\n"
    "\n"
    "KEY:\n"
    "  --key FILE          a blind key from 'coffer keygen --blind FILE'\n"
    "                      (or $COFFER_BLIND_KEY)\n"
    "  --raw               no coffer encryption: put sends FILE's bytes as\n"
    "                      they are (encrypt them yourself), get writes\n"
    "                      the stored bytes\n"
    "\n"
    "WRITE:\n"
    "  --comment TEXT      recorded with the revision\n"
    "  --expect N          refuse (exit 5) unless the latest revision is N\n"
    "  --meta KEY=VALUE    metadata, stored in the clear (repeatable)\n"
    "\n"
    "CONNECTION:\n" CONN_HELP;

struct blind_opts {
	struct conn		 conn;
	struct revision_write	 write;
	const char		*key_file, *output;
	json_t			*meta;
	long long		 revision;
	int			 raw;
};

static int
blind_meta(struct blind_opts *o, const char *arg)
{
	const char *eq = strchr(arg, '=');

	if (eq == NULL || eq == arg)
		return cli_fail(CLI_USAGE, "--meta '%s' is not KEY=VALUE", arg);
	if (o->meta == NULL)
		o->meta = json_object();
	json_object_setn_new(o->meta, arg, (size_t)(eq - arg),
	    json_string(eq + 1));
	return CLI_OK;
}

static int
blind_option(int ch, void *arg)
{
	struct blind_opts *o = arg;

	switch (ch) {
	case 'r': return cli_number("--revision", optarg, &o->revision);
	case 'x': return cli_number("--expect", optarg, &o->write.expect);
	case 'M': return blind_meta(o, optarg);
	case 'm': o->write.comment = optarg; return CLI_OK;
	case 'k': o->key_file = optarg; return CLI_OK;
	case 'o': o->output = optarg; return CLI_OK;
	case 'R': o->raw = 1; return CLI_OK;
	case 'h': fputs(blind_usage, stdout); return -1;
	default: return cli_usage(blind_usage);
	}
}

static int
blind_args(int argc, char **argv, struct blind_opts *o)
{
	static const struct option longopts[] = {
		CONN_OPTIONS,
		{ "revision", required_argument, NULL, 'r' },
		{ "comment", required_argument, NULL, 'm' },
		{ "expect", required_argument, NULL, 'x' },
		{ "meta", required_argument, NULL, 'M' },
		{ "key", required_argument, NULL, 'k' },
		{ "output", required_argument, NULL, 'o' },
		{ "raw", no_argument, NULL, 'R' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	int rc = conn_getopt(argc, argv, longopts, &o->conn, blind_option, o);

	if (rc != CLI_OK)
		return rc;
	if (o->key_file == NULL)
		o->key_file = getenv("COFFER_BLIND_KEY");
	return CLI_OK;
}

/* The blind key into KEY (sodium_malloc'd by the caller). */
static int
blind_key(const struct blind_opts *o, uint8_t *key)
{
	char err[MASTERKEY_ERR_MAX];

	if (o->key_file == NULL)
		return cli_fail(CLI_USAGE, "say which blind key: --key FILE or "
		    "COFFER_BLIND_KEY (or --raw to do without)");
	if (masterkey_read(o->key_file, MASTERKEY_BLIND, key, err) < 0)
		return cli_fail(CLI_FAIL, "%s", err);
	return CLI_OK;
}

/* PATH ("-" or NULL: standard input), at most MAX bytes, into *BUF_R
 * (sodium_malloc'd). */
static int
blind_read_input(const char *path, size_t max, uint8_t **buf_r, size_t *len_r)
{
	int fd = path == NULL || strcmp(path, "-") == 0 ? STDIN_FILENO :
	    open(path, O_RDONLY | O_CLOEXEC);
	uint8_t *buf;
	ssize_t n = 1;
	size_t len = 0;

	if (fd < 0)
		return cli_fail(CLI_FAIL, "%s: %s", path, strerror(errno));
	if ((buf = sodium_malloc(max + 1)) == NULL)
		return cli_fail(CLI_FAIL, "out of memory");
	while (len <= max && (n = read(fd, buf + len, max + 1 - len)) > 0)
		len += (size_t)n;
	if (fd != STDIN_FILENO)
		close(fd);
	if (n < 0 || len > max) {
		sodium_free(buf);
		return n < 0 ? cli_fail(CLI_FAIL, "%s: %s", path ? path :
		    "standard input", strerror(errno)) : cli_fail(CLI_USAGE,
		    "a blind secret holds at most %zu bytes", max);
	}
	*buf_r = buf;
	*len_r = len;
	return CLI_OK;
}

/* The payload for INPUT: encrypted with the blind key, or as it is. */
static int
blind_payload(const struct blind_opts *o, const char *name,
    const char *input, char **payload_r)
{
	size_t max = o->raw ? BLINDBOX_PAYLOAD_MAX / 4 * 3 : BLINDBOX_PLAIN_MAX;
	uint8_t *key = NULL, *buf = NULL;
	size_t len = 0, b64len;
	int rc;

	*payload_r = NULL;
	if (!o->raw) {
		if ((key = sodium_malloc(MASTERKEY_BYTES)) == NULL)
			return cli_fail(CLI_FAIL, "out of memory");
		if ((rc = blind_key(o, key)) != CLI_OK) {
			sodium_free(key);
			return rc;
		}
	}
	if ((rc = blind_read_input(input, max, &buf, &len)) == CLI_OK) {
		if (o->raw) {
			b64len = sodium_base64_ENCODED_LEN(len,
			    sodium_base64_VARIANT_ORIGINAL);
			if ((*payload_r = malloc(b64len)) != NULL)
				sodium_bin2base64(*payload_r, b64len, buf, len,
				    sodium_base64_VARIANT_ORIGINAL);
		} else
			*payload_r = blindbox_seal(key, name, buf, len);
		sodium_free(buf);
		if (*payload_r == NULL)
			rc = cli_fail(CLI_FAIL, "out of memory");
	}
	sodium_free(key);
	return rc;
}

static int
blind_put(coffer_client *c, const struct blind_opts *o, int argc,
    char **argv)
{
	char *payload;
	json_t *args, *r;
	int rc = blind_payload(o, argv[0], argc > 1 ? argv[1] : NULL,
	    &payload);

	if (rc != CLI_OK)
		return rc;
	args = json_pack("{s:s, s:s}", "name", argv[0], "payload", payload);
	free(payload);
	if (o->meta != NULL)
		json_object_set(args, "metadata", o->meta);
	rc = conn_call(c, "blind.put", revision_args(args, &o->write), &r);
	return revision_written(&o->conn, rc, r);
}

static int
blind_write_all(int fd, const uint8_t *buf, size_t len)
{
	while (len > 0) {
		ssize_t n = write(fd, buf, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

/* PLAIN to --output (mode 0600) or standard output. */
static int
blind_output(const struct blind_opts *o, const uint8_t *plain, size_t len)
{
	int fd = STDOUT_FILENO, e = 0;

	if (o->output != NULL && (fd = open(o->output, O_WRONLY | O_CREAT |
	    O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0600)) < 0)
		return cli_fail(CLI_FAIL, "%s: %s", o->output, strerror(errno));
	if (blind_write_all(fd, plain, len) < 0 ||
	    (fd != STDOUT_FILENO && fsync(fd) < 0))
		e = errno;
	if (fd != STDOUT_FILENO && close(fd) < 0 && e == 0)
		e = errno;
	return e == 0 ? CLI_OK : cli_fail(CLI_FAIL, "%s: %s", o->output ?
	    o->output : "standard output", strerror(e));
}

/* The stored bytes of PAYLOAD, decrypted unless --raw. */
static int
blind_open(const struct blind_opts *o, const char *name, const char *payload)
{
	char err[BLINDBOX_ERR_MAX];
	uint8_t *key, *plain = NULL;
	size_t len, cap = strlen(payload) / 4 * 3 + 3;
	int rc = CLI_OK;

	if (o->raw) {
		if ((plain = sodium_malloc(cap)) == NULL ||
		    sodium_base642bin(plain, cap, payload, strlen(payload),
		    NULL, &len, NULL, sodium_base64_VARIANT_ORIGINAL) != 0)
			rc = cli_fail(CLI_FAIL, "the payload is not base64");
	} else if ((key = sodium_malloc(MASTERKEY_BYTES)) == NULL)
		rc = cli_fail(CLI_FAIL, "out of memory");
	else {
		if ((rc = blind_key(o, key)) == CLI_OK &&
		    blindbox_open(key, name, payload, &plain, &len, err) < 0)
			rc = cli_fail(CLI_FAIL, "%s: %s", name, err);
		sodium_free(key);
	}
	if (rc == CLI_OK)
		rc = blind_output(o, plain, len);
	sodium_free(plain);
	return rc;
}

static int
blind_get(coffer_client *c, const struct blind_opts *o, const char *name)
{
	json_t *args = json_pack("{s:s}", "name", name), *r;
	int rc;

	if (o->revision > 0)
		json_object_set_new(args, "revision", json_integer(o->revision));
	if ((rc = conn_call(c, "blind.get", args, &r)) != CLI_OK)
		return rc;
	if (o->conn.json)
		conn_print_json(r);
	else
		rc = blind_open(o, name, json_string_value(json_object_get(r,
		    "payload")));
	json_decref(r);
	return rc;
}

static int
blind_rm(coffer_client *c, const char *name)
{
	json_t *r;
	int rc = conn_call(c, "blind.delete", json_pack("{s:s}", "name", name),
	    &r);

	if (rc == CLI_OK)
		printf("deleted %s\n", name);
	json_decref(r);
	return rc;
}

static int
blind_run(coffer_client *c, const struct blind_opts *o, const char *sub,
    int argc, char **argv)
{
	if (strcmp(sub, "put") == 0)
		return blind_put(c, o, argc, argv);
	if (strcmp(sub, "get") == 0)
		return blind_get(c, o, argv[0]);
	if (strcmp(sub, "ls") == 0)
		return revision_list(c, &o->conn, "blind", argc ? argv[0] : "");
	if (strcmp(sub, "history") == 0)
		return revision_history(c, &o->conn, "blind", argv[0]);
	return blind_rm(c, argv[0]);
}

int
cmd_blind(int argc, char **argv)
{
	static const struct cli_arity arity[] = {
		{ "put", 1, 2 }, { "get", 1, 1 }, { "ls", 0, 1 },
		{ "history", 1, 1 }, { "rm", 1, 1 }, { NULL, 0, 0 }
	};
	struct blind_opts o = { 0 };
	const char *sub = argc > 1 ? argv[1] : "";
	coffer_client *c;
	int rc;

	if (strcmp(sub, "--help") == 0 || strcmp(sub, "-h") == 0) {
		fputs(blind_usage, stdout);
		return CLI_OK;
	}
	if (argc < 2 || sodium_init() < 0)
		return cli_usage(blind_usage);
	if ((rc = blind_args(argc - 1, argv + 1, &o)) == CLI_OK &&
	    !cli_arity_ok(arity, sub, argc - 1 - optind))
		rc = cli_usage(blind_usage);
	if (rc == CLI_OK && (rc = conn_open(&o.conn, &c)) == CLI_OK) {
		rc = blind_run(c, &o, sub, argc - 1 - optind, argv + 1 + optind);
		coffer_client_close(c);
	}
	json_decref(o.meta);
	return rc < 0 ? CLI_OK : rc;
}
