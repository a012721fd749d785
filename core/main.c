/*
 * main.c - cofferd: the coffer secrets daemon.
 *
 * Reads cofferd.conf, loads the store and auth modules it names, and serves
 * requests over ZeroMQ CURVE until SIGTERM.  See cofferd(8).
 */
#include "config.h"

#include <getopt.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <zmq.h>

#include "conf.h"
#include "audit.h"
#include "daemon.h"
#include "jsonmem.h"
#include "keyfile.h"
#include "keyring.h"
#include "log.h"
#include "modules.h"
#include "notify.h"
#include "privs.h"
#include "server.h"

#define EXIT_USAGE	64

struct options {
	const char	*config;
	const char	*pidfile;
	int		 test;
	int		 foreground;
	int		 debug;
};

static void
usage(FILE *f)
{
	fprintf(f,
	    "usage: cofferd [-c FILE] [-t] [-f] [-d] [-p PIDFILE]\n"
	    "\n"
	    "The coffer secrets daemon.\n"
	    "\n"
	    "  -c, --config FILE    configuration file (default %s)\n"
	    "  -t, --test           check the configuration and every module it\n"
	    "                       names, then exit: 0 if all is well\n"
	    "  -f, --foreground     stay in the foreground and log to stderr\n"
	    "  -d, --debug          log at debug level\n"
	    "  -p, --pidfile FILE   write the daemon's pid to FILE once ready\n"
	    "  -h, --help           show this help\n"
	    "  -V, --version        show the version\n"
	    "\n"
	    "Signals: SIGTERM/SIGINT finish requests in flight and exit;\n"
	    "SIGHUP makes modules reload their own state.  See cofferd(8).\n",
	    DEFAULT_CONFIG);
}

static void
parse_args(int argc, char **argv, struct options *o)
{
	static const struct option longopts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "test", no_argument, NULL, 't' },
		{ "foreground", no_argument, NULL, 'f' },
		{ "debug", no_argument, NULL, 'd' },
		{ "pidfile", required_argument, NULL, 'p' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 }
	};
	int ch;

	memset(o, 0, sizeof(*o));
	o->config = DEFAULT_CONFIG;
	while ((ch = getopt_long(argc, argv, "c:tfdp:hV", longopts, NULL))
	    != -1) {
		switch (ch) {
		case 'c': o->config = optarg; break;
		case 't': o->test = 1; break;
		case 'f': o->foreground = 1; break;
		case 'd': o->debug = 1; break;
		case 'p': o->pidfile = optarg; break;
		case 'h': usage(stdout); exit(0);
		case 'V': printf("cofferd %s (module ABI %d.%d)\n",
		    PACKAGE_VERSION, COFFER_ABI_MAJOR, COFFER_ABI_MINOR);
			exit(0);
		default: usage(stderr); exit(EXIT_USAGE);
		}
	}
	if (optind != argc) {
		fprintf(stderr, "cofferd: unexpected argument '%s'\n",
		    argv[optind]);
		usage(stderr);
		exit(EXIT_USAGE);
	}
}

/* Libraries present and new enough, process hardened. */
static int
startup_checks(void)
{
	int major, minor, patch;

	if (sodium_init() < 0) {
		log_error("libsodium failed to initialise");
		return -1;
	}
	zmq_version(&major, &minor, &patch);
	if (major * 10000 + minor * 100 + patch < 40303) {
		log_error("libzmq %d.%d.%d is too old: 4.3.3 or later is "
		    "needed (CVE-2020-15166)", major, minor, patch);
		return -1;
	}
	if (!zmq_has("curve")) {
		log_error("libzmq was built without CURVE support");
		return -1;
	}
	/* No core dumps or ptrace by other users: keys live in memory. */
	prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
	umask(077);
	return 0;
}

/* -t: the config, the keys and every module, without serving. */
static int
test_config(const struct conf *c)
{
	char secret[41], public[41];
	struct modules mods;
	struct keyring ring;
	struct privs privs;

	if (privs_resolve(&privs, c) < 0)
		return 1;
	if (keyfile_load(c->server_key, secret, public) < 0)
		return 1;
	sodium_memzero(secret, sizeof(secret));
	if (keyring_load(&ring, c->keyring, c->nkeyring) < 0)
		return 1;
	keyring_free(&ring);
	if (modules_open(&mods, c) < 0)
		return 1;
	modules_close(&mods);
	fprintf(stderr, "cofferd: %s: configuration OK (store and %zu auth "
	    "module%s)\n", c->path, c->nauth, c->nauth == 1 ? "" : "s");
	return 0;
}

static void
on_ready(void *arg)
{
	(void)arg;
	daemon_ready();
	notify_send("READY=1");
}

/* Keys and socket as whoever started us; the rest as the configured user. */
static int
serve(const struct conf *c, const struct options *o)
{
	struct modules mods;
	struct keyring ring;
	struct audit audit;
	struct server *s;
	struct privs privs;
	int rc = 1;

	if (privs_resolve(&privs, c) < 0)
		return 1;
	if (!o->foreground && daemon_start() < 0) {
		log_error("cannot fork: %m");
		return 1;
	}
	server_block_signals();
	if (keyring_load(&ring, c->keyring, c->nkeyring) < 0)
		return 1;
	if ((s = server_listen(c)) == NULL ||
	    daemon_pidfile_open(o->pidfile) < 0 || privs_drop(&privs) < 0) {
		if (s != NULL)
			server_free(s);
		keyring_free(&ring);
		daemon_finish();
		return 1;
	}
	if (audit_open(&audit, c->audit_log, c->audit_fail_closed) == 0 &&
	    modules_open(&mods, c) == 0) {
		rc = server_run(s, c, &mods, &ring, &audit, on_ready, NULL);
		modules_close(&mods);
	} else {
		server_free(s);
	}
	audit_close(&audit);
	keyring_free(&ring);
	daemon_finish();
	return rc == 0 ? 0 : 1;
}

int
main(int argc, char **argv)
{
	struct options o;
	struct conf c;
	int rc;

	parse_args(argc, argv, &o);
	jsonmem_init();		/* before any JSON value exists */
	log_init("cofferd", LOG_TO_STDERR);
	if (o.debug)
		log_set_level(COFFER_LOG_DEBUG);
	if (startup_checks() < 0)
		return 1;
	if (conf_load(&c, o.config) < 0)
		return 1;
	if (!o.debug && c.log_level_set)
		log_set_level(c.log_level);
	rc = o.test ? test_config(&c) : serve(&c, &o);
	conf_free(&c);
	return rc;
}
