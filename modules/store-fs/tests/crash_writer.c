/*
 * crash_writer.c - the two halves of the store_fs crash test.
 *
 *	crash_writer write CONF     write revisions of 16 names forever,
 *	                            printing "ack NAME REV" after each OK
 *	crash_writer verify CONF ACKS
 *	                            every acknowledged revision is there and
 *	                            intact, and so is every other revision
 *
 * A record's bytes are a function of its name and revision (length 1 to
 * 4000), so the verifier knows what each one must hold.  crash_test.py
 * kills writers with SIGKILL at random moments between rounds.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "conf.h"
#include "log.h"
#include "modules.h"

#define NAMES	16
#define MAXLEN	4000

static struct modules mods;

static uint64_t
mix(uint64_t x)
{
	x += 0x9e3779b97f4a7c15ULL;
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
	return x ^ (x >> 31);
}

/* The bytes revision REV of name number N must hold; returns the length. */
static size_t
expected(int n, uint64_t rev, uint8_t *out)
{
	uint64_t s = mix(((uint64_t)n << 40) ^ rev);
	size_t len = 1 + (size_t)(s % MAXLEN);

	for (size_t i = 0; i < len; i++) {
		s = mix(s);
		out[i] = (uint8_t)s;
	}
	return len;
}

static void
name_of(int n, char *buf, size_t len)
{
	snprintf(buf, len, "crash/n%02d", n);
}

static int
open_store(const char *conf_path, struct conf *c)
{
	if (conf_load(c, conf_path) < 0 || modules_open_store(&mods, c) < 0)
		return -1;
	return 0;
}

static int
writer(void)
{
	const struct coffer_store_ops *ops = mods.store.mod->desc->store;
	uint8_t data[MAXLEN];
	char name[32], line[64];

	for (unsigned i = 0;; i++) {
		struct coffer_error err = { "" };
		struct coffer_buf b = { 0 };
		uint64_t latest = 0;
		int n = (int)(mix(i ^ (uint64_t)getpid()) % NAMES);
		enum coffer_rc rc;
		size_t len;

		name_of(n, name, sizeof(name));
		rc = ops->get(mods.store.inst, "secret", name, 0, &latest, &b,
		    &err);
		buf_free(&b);
		if (rc == COFFER_NOT_FOUND)
			latest = 0;
		else if (rc != COFFER_OK) {
			fprintf(stderr, "get %s: %s\n", name, err.msg);
			return 1;
		}
		len = expected(n, latest + 1, data);
		rc = ops->put(mods.store.inst, "secret", name, latest + 1, data,
		    len, &err);
		if (rc == COFFER_OK) {
			int m = snprintf(line, sizeof(line), "ack %s %llu\n",
			    name, (unsigned long long)latest + 1);

			if (write(STDOUT_FILENO, line, (size_t)m) != m)
				return 1;
		} else if (rc != COFFER_CONFLICT) {
			fprintf(stderr, "put %s: %s\n", name, err.msg);
			return 1;
		}
	}
}

static int
check_one(const char *name, int n, uint64_t rev)
{
	const struct coffer_store_ops *ops = mods.store.mod->desc->store;
	struct coffer_error err = { "" };
	struct coffer_buf b = { 0 };
	uint8_t want[MAXLEN];
	size_t len = expected(n, rev, want);
	uint64_t got = 0;
	enum coffer_rc rc;
	int bad;

	rc = ops->get(mods.store.inst, "secret", name, rev, &got, &b, &err);
	bad = rc != COFFER_OK || b.len != len || memcmp(b.data, want, len);
	if (bad)
		printf("FAIL: %s revision %llu: %s\n", name,
		    (unsigned long long)rev, rc != COFFER_OK ? (err.msg[0] ?
		    err.msg : "missing") : "wrong contents");
	buf_free(&b);
	return bad;
}

static int
verify(const char *acks_path)
{
	const struct coffer_store_ops *ops = mods.store.mod->desc->store;
	FILE *acks = fopen(acks_path, "r");
	unsigned long long rev;
	unsigned nacks = 0, nrecs = 0, failed = 0;
	char name[64];
	int n;

	if (acks == NULL) {
		perror(acks_path);
		return 1;
	}
	while (fscanf(acks, "ack crash/n%d %llu\n", &n, &rev) == 2) {
		name_of(n, name, sizeof(name));
		failed += (unsigned)check_one(name, n, rev);
		nacks++;
	}
	fclose(acks);
	for (n = 0; n < NAMES; n++) {
		struct coffer_error err = { "" };
		struct coffer_buf b = { 0 };
		uint64_t latest = 0;

		name_of(n, name, sizeof(name));
		if (ops->get(mods.store.inst, "secret", name, 0, &latest, &b,
		    &err) == COFFER_OK)
			for (uint64_t r = 1; r <= latest; r++, nrecs++)
				failed += (unsigned)check_one(name, n, r);
		buf_free(&b);
	}
	printf("verified %u acknowledged writes and %u records: %u bad\n",
	    nacks, nrecs, failed);
	return failed ? 1 : 0;
}

int
main(int argc, char **argv)
{
	struct conf c;
	int rc;

	if (argc < 3 || (strcmp(argv[1], "verify") == 0 && argc < 4)) {
		fprintf(stderr, "usage: crash_writer write CONF | "
		    "verify CONF ACKS\n");
		return 64;
	}
	log_init("crash_writer", LOG_TO_STDERR);
	if (open_store(argv[2], &c) < 0)
		return 1;
	rc = strcmp(argv[1], "write") == 0 ? writer() : verify(argv[3]);
	modules_close(&mods);
	conf_free(&c);
	return rc;
}
