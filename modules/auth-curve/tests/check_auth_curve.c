/*
 * check_auth_curve.c - auth_curve: the certificate store, its index, live
 * reloads, duplicates, permissions and early rejection.
 */
#include "config.h"

#include <check.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <zmq.h>

#include "conf.h"
#include "modules.h"
#include "principal.h"
#include "testutil.h"

static struct conf conf;
static struct modules mods;
static char certs[PATH_MAX];

struct key {
	char	 pub[41], sec[41];
	uint8_t	 raw[32];
};

static void
newkey(struct key *k)
{
	ck_assert_int_eq(zmq_curve_keypair(k->pub, k->sec), 0);
	ck_assert_ptr_nonnull(zmq_z85_decode(k->raw, k->pub));
}

/* Write a certificate for K into the store as FILE (czmq layout). */
static void
add_cert(const char *file, const struct key *k, const char *meta)
{
	char text[1024], tmp[PATH_MAX + 16], dst[PATH_MAX + 256];

	snprintf(text, sizeof(text), "#   ZeroMQ CURVE Public Certificate\n\n"
	    "metadata\n%scurve\n    public-key = \"%s\"\n", meta, k->pub);
	/* Write beside, then rename in: as an admin's tool should. */
	tu_write(tu_tmpdir(), "cert.tmp", text, 0644);
	snprintf(tmp, sizeof(tmp), "%s/cert.tmp", tu_tmpdir());
	snprintf(dst, sizeof(dst), "%s/%s", certs, file);
	ck_assert_int_eq(rename(tmp, dst), 0);
}

static void
rm_cert(const char *file)
{
	char path[PATH_MAX + 256];

	snprintf(path, sizeof(path), "%s/%s", certs, file);
	ck_assert_int_eq(unlink(path), 0);
}

static int
open_curve(const char *extra)
{
	char text[2 * PATH_MAX], *so = getenv("AUTH_CURVE_SO");
	const char *path;

	ck_assert_msg(so != NULL, "AUTH_CURVE_SO is not set");
	snprintf(text, sizeof(text), "listen = \"tcp://127.0.0.1:1\";\n"
	    "server_key = \"k\";\nstore = { module = \"test_store\"; };\n"
	    "auth = ( { module = \"%s\"; control = \"required\";\n"
	    "  certs = \"%s\"; %s } );\n", so, certs, extra);
	path = tu_write(tu_tmpdir(), "cofferd.conf", text, 0600);
	tu_log_capture();
	ck_assert_msg(conf_load(&conf, path) == 0, "%s", tu_log_text());
	if (modules_open(&mods, &conf) < 0) {
		conf_free(&conf);
		return -1;
	}
	return 0;
}

static void
close_curve(void)
{
	modules_close(&mods);
	conf_free(&conf);
}

static enum coffer_rc
auth(const struct key *k, struct coffer_principal *p)
{
	struct coffer_auth_request req = {
		.struct_size = sizeof(req),
		.curve_key = k ? k->raw : NULL,
		.curve_key_z85 = k ? k->pub : NULL,
		.peer_address = "127.0.0.1", .operation = "whoami",
	};
	struct coffer_error err = { "" };
	struct instance *in = &mods.auth[0];

	principal_clear(p);
	return in->mod->desc->auth->authenticate(in->inst, &req, p, &err);
}

static enum coffer_rc
admit(const struct key *k)
{
	struct coffer_error err = { "" };
	struct instance *in = &mods.auth[0];

	return in->mod->desc->auth->admit(in->inst, k->raw, "127.0.0.1", &err);
}

/* Poll until K's answer is WANT; return the milliseconds it took. */
static long
wait_for(const struct key *k, enum coffer_rc want)
{
	struct coffer_principal p;
	struct timespec a, b;

	clock_gettime(CLOCK_MONOTONIC, &a);
	for (int i = 0; i < 300; i++) {
		if (auth(k, &p) == want)
			break;
		usleep(10000);
	}
	clock_gettime(CLOCK_MONOTONIC, &b);
	ck_assert_int_eq(auth(k, &p), want);
	return (b.tv_sec - a.tv_sec) * 1000 + (b.tv_nsec - a.tv_nsec) /
	    1000000;
}

static void
setup(void)
{
	snprintf(certs, sizeof(certs), "%s/certs", tu_tmpdir());
	ck_assert_int_eq(mkdir(certs, 0755), 0);
	chmod(certs, 0755);
}

static void
teardown(void)
{
	tu_cleanup();
}

static const char *
data(const char *name)
{
	static char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/certs/%s", getenv("COFFER_TEST_DATA"),
	    name);
	return path;
}

static void
copy_in(const char *name)
{
	char cmd[3 * PATH_MAX];

	snprintf(cmd, sizeof(cmd), "cp %s %s/", data(name), certs);
	ck_assert_int_eq(system(cmd), 0);
}

START_TEST(test_known_key)
{
	struct coffer_principal p;
	struct key alice, bob;

	newkey(&alice);
	newkey(&bob);
	add_cert("alice.key", &alice, "    name = \"alice\"\n"
	    "    type = \"user\"\n");
	ck_assert_msg(open_curve("") == 0, "%s", tu_log_text());
	ck_assert_int_eq(auth(&alice, &p), COFFER_OK);
	ck_assert_str_eq(p.name, "alice");
	ck_assert_int_eq(p.type, COFFER_PRINCIPAL_USER);
	ck_assert_str_eq(p.attrs[0].key, "certificate");
	ck_assert_str_eq(p.attrs[0].value, "alice.key");
	ck_assert_int_eq(auth(&bob, &p), COFFER_DENIED);
	ck_assert_int_eq(auth(NULL, &p), COFFER_IGNORE);
	ck_assert(tu_log_has("1 certificates from"));
	close_curve();
}
END_TEST

START_TEST(test_czmq_and_pyzmq_files)
{
	struct coffer_principal p;
	struct key web, alice;

	copy_in("czmq-web.crt");
	copy_in("pyzmq-alice.key");
	ck_assert_msg(open_curve("") == 0, "%s", tu_log_text());
	/* Keys from the fixtures' public-key lines. */
	ck_assert_ptr_nonnull(zmq_z85_decode(alice.raw,
	    "H%fr:8VY>fRu@ut?JU^:JB$gH@^PcfYmm!otZbBr"));
	strcpy(alice.pub, "H%fr:8VY>fRu@ut?JU^:JB$gH@^PcfYmm!otZbBr");
	ck_assert_int_eq(auth(&alice, &p), COFFER_OK);
	/* pyzmq's public file has no metadata: name from the file, and the
	 * least powerful type. */
	ck_assert_str_eq(p.name, "pyzmq-alice");
	ck_assert_int_eq(p.type, COFFER_PRINCIPAL_SERVICE);
	close_curve();
	{
		FILE *f = fopen(data("czmq-web.crt"), "r");
		char line[256];

		while (fgets(line, sizeof(line), f) != NULL)
			if (sscanf(line, "    public-key = \"%40[^\"]\"",
			    web.pub) == 1)
				break;
		fclose(f);
	}
	ck_assert_ptr_nonnull(zmq_z85_decode(web.raw, web.pub));
	ck_assert(open_curve("default_type = \"user\";") == 0);
	ck_assert_int_eq(auth(&web, &p), COFFER_OK);
	ck_assert_str_eq(p.name, "svc-web");
	ck_assert_int_eq(p.type, COFFER_PRINCIPAL_SERVICE);
	ck_assert_int_eq(auth(&alice, &p), COFFER_OK);
	ck_assert_int_eq(p.type, COFFER_PRINCIPAL_USER);	/* default */
	close_curve();
}
END_TEST

START_TEST(test_bad_files_skipped)
{
	struct coffer_principal p;
	struct key good;
	char path[PATH_MAX + 32];

	newkey(&good);
	add_cert("good.key", &good, "");
	tu_write(certs, "broken.key", "curve\n    public-key = \"short\"\n",
	    0644);
	tu_write(certs, "admin.key", "metadata\n    type = \"admin\"\ncurve\n"
	    "    public-key = \"H%fr:8VY>fRu@ut?JU^:JB$gH@^PcfYmm!otZbBr\"\n",
	    0644);
	copy_in("pyzmq-alice.key_secret");
	tu_write(certs, ".hidden", "junk", 0644);
	tu_write(certs, "good.key~", "junk", 0644);
	snprintf(path, sizeof(path), "%s/subdir", certs);
	mkdir(path, 0755);
	ck_assert_msg(open_curve("") == 0, "%s", tu_log_text());
	ck_assert_int_eq(auth(&good, &p), COFFER_OK);
	ck_assert(tu_log_has("broken.key: line 2: public-key is not 40 Z85 "
	    "characters; skipped"));
	ck_assert(tu_log_has("admin.key: type must be \"user\" or "
	    "\"service\", not \"admin\"; skipped"));
	ck_assert(tu_log_has("pyzmq-alice.key_secret is a secret "
	    "certificate"));
	ck_assert(tu_log_has("/subdir: not a regular file; skipped"));
	ck_assert(!tu_log_has(".hidden"));
	ck_assert(!tu_log_has("good.key~"));
	ck_assert(tu_log_has("1 certificates from"));
	ck_assert(tu_log_has("(3 skipped)"));
	close_curve();
	/* Strict: any bad file stops startup, naming it. */
	ck_assert_int_eq(open_curve("strict = true;"), -1);
	ck_assert(tu_log_has("strict: "));
}
END_TEST

START_TEST(test_duplicate_keys)
{
	struct coffer_principal p;
	struct key k, other;

	newkey(&k);
	newkey(&other);
	add_cert("one.key", &k, "    name = \"one\"\n    type = \"user\"\n");
	add_cert("two.key", &k, "    name = \"two\"\n    type = \"user\"\n");
	add_cert("other.key", &other, "");
	ck_assert(open_curve("") == 0);
	ck_assert_int_eq(auth(&k, &p), COFFER_DENIED);
	ck_assert_int_eq(auth(&other, &p), COFFER_OK);
	ck_assert(tu_log_has("the same key; it is refused until one is "
	    "removed"));
	rm_cert("two.key");
	ck_assert_int_lt(wait_for(&k, COFFER_OK), 1000);
	ck_assert_int_eq(auth(&k, &p), COFFER_OK);
	ck_assert_str_eq(p.name, "one");
	close_curve();
	add_cert("two.key", &k, "");
	ck_assert_int_eq(open_curve("strict = true;"), -1);
	ck_assert(tu_log_has("strict: ") && tu_log_has("the same key"));
}
END_TEST

START_TEST(test_permissions)
{
	chmod(certs, 0777);
	ck_assert_int_eq(open_curve(""), -1);
	ck_assert(tu_log_has("has mode 0777: others may add keys"));
	ck_assert(open_curve("strict_permissions = false;") == 0);
	close_curve();
	chmod(certs, 0775);
	ck_assert_int_eq(open_curve(""), -1);
	if (geteuid() == 0) {
		chmod(certs, 0755);
		ck_assert_int_eq(chown(certs, 4242, 4242), 0);
		ck_assert_int_eq(open_curve(""), -1);
		ck_assert(tu_log_has("owned by uid 4242"));
	}
}
END_TEST

START_TEST(test_bad_settings)
{
	ck_assert_int_eq(open_curve("default_type = \"admin\";"), -1);
	ck_assert(tu_log_has("'default_type' must be \"service\" or \"user\""));
	snprintf(certs, sizeof(certs), "relative");
	ck_assert_int_eq(open_curve(""), -1);
	ck_assert(tu_log_has("'certs' must be an absolute path"));
	snprintf(certs, sizeof(certs), "/nonexistent/certs");
	ck_assert_int_eq(open_curve(""), -1);
	ck_assert(tu_log_has("/nonexistent/certs: No such file"));
}
END_TEST

START_TEST(test_live_changes)
{
	struct coffer_principal p;
	struct key k;

	newkey(&k);
	ck_assert(open_curve("") == 0);
	ck_assert_int_eq(auth(&k, &p), COFFER_DENIED);
	add_cert("new.key", &k, "    name = \"new\"\n    type = \"user\"\n");
	ck_assert_int_lt(wait_for(&k, COFFER_OK), 1000);
	ck_assert_int_eq(auth(&k, &p), COFFER_OK);
	ck_assert_int_eq(p.type, COFFER_PRINCIPAL_USER);
	/* Edited in place: the type changes. */
	add_cert("new.key", &k, "    name = \"new\"\n    type = \"service\"\n");
	for (int i = 0; i < 100 && auth(&k, &p) == COFFER_OK &&
	    p.type == COFFER_PRINCIPAL_USER; i++)
		usleep(10000);
	ck_assert_int_eq(p.type, COFFER_PRINCIPAL_SERVICE);
	/* Removed: denied on the next request. */
	rm_cert("new.key");
	ck_assert_int_lt(wait_for(&k, COFFER_DENIED), 1000);
	close_curve();
}
END_TEST

START_TEST(test_directory_gone_fails_closed)
{
	char moved[PATH_MAX + 8];
	struct key k;

	newkey(&k);
	add_cert("k.key", &k, "");
	ck_assert(open_curve("") == 0);
	snprintf(moved, sizeof(moved), "%s.old", certs);
	ck_assert_int_eq(rename(certs, moved), 0);
	ck_assert_int_lt(wait_for(&k, COFFER_DENIED), 1000);
	ck_assert(tu_log_has("no key is accepted until it is fixed"));
	ck_assert_int_eq(rename(moved, certs), 0);
	ck_assert_int_lt(wait_for(&k, COFFER_OK), 2500);
	/* Made writable by others: refused as well. */
	chmod(certs, 0777);
	ck_assert_int_lt(wait_for(&k, COFFER_DENIED), 1000);
	close_curve();
}
END_TEST

START_TEST(test_reload_op)
{
	struct coffer_principal p;
	struct key k;

	newkey(&k);
	ck_assert(open_curve("") == 0);
	add_cert("k.key", &k, "");
	/* auth_curve reloads in the daemon's unlocked pass. */
	ck_assert_int_eq(modules_reload(&mods, 0), 0);
	ck_assert_int_eq(modules_reload(&mods, 1), 0);
	ck_assert_int_eq(auth(&k, &p), COFFER_OK);	/* at once */
	close_curve();
}
END_TEST

START_TEST(test_admit)
{
	struct key known, unknown;

	newkey(&known);
	newkey(&unknown);
	add_cert("known.key", &known, "");
	ck_assert(open_curve("") == 0);
	ck_assert_int_eq(admit(&unknown), COFFER_IGNORE);
	close_curve();
	ck_assert(open_curve("reject_unknown = true;") == 0);
	ck_assert_int_eq(admit(&known), COFFER_OK);
	ck_assert_int_eq(admit(&unknown), COFFER_DENIED);
	close_curve();
}
END_TEST

static volatile int racing;

static void *
race_reader(void *arg)
{
	struct key *keys = arg;
	struct coffer_principal p;
	long bad = 0;

	while (racing) {
		if (auth(&keys[0], &p) != COFFER_OK)
			bad++;
		enum coffer_rc rc = auth(&keys[1], &p);
		if (rc != COFFER_OK && rc != COFFER_DENIED)
			bad++;
	}
	return (void *)bad;
}

START_TEST(test_lookups_during_reloads)
{
	struct key keys[2];
	pthread_t t[4];

	newkey(&keys[0]);
	newkey(&keys[1]);
	add_cert("stable.key", &keys[0], "");
	ck_assert(open_curve("") == 0);
	racing = 1;
	for (int i = 0; i < 4; i++)
		pthread_create(&t[i], NULL, race_reader, keys);
	for (int i = 0; i < 30; i++) {
		if (i % 2 == 0)
			add_cert("toggle.key", &keys[1], "");
		else
			rm_cert("toggle.key");
		modules_reload(&mods, 1);	/* as the daemon: unlocked */
		usleep(5000);
	}
	racing = 0;
	for (int i = 0; i < 4; i++) {
		void *bad;

		pthread_join(t[i], &bad);
		ck_assert_ptr_null(bad);
	}
	close_curve();
}
END_TEST

START_TEST(test_many_certificates)
{
	struct coffer_principal p;
	struct key k;
	char file[32];

	for (int i = 0; i < 2000; i++) {
		newkey(&k);
		snprintf(file, sizeof(file), "c%04d.key", i);
		add_cert(file, &k, "");
	}
	ck_assert(open_curve("") == 0);
	ck_assert(tu_log_has("2000 certificates from"));
	ck_assert_int_eq(auth(&k, &p), COFFER_OK);
	ck_assert_str_eq(p.name, "c1999");
	newkey(&k);
	ck_assert_int_eq(auth(&k, &p), COFFER_DENIED);
	close_curve();
}
END_TEST

static Suite *
auth_curve_suite(void)
{
	Suite *s = suite_create("auth_curve");
	TCase *tc = tcase_create("auth_curve");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_known_key);
	tcase_add_test(tc, test_czmq_and_pyzmq_files);
	tcase_add_test(tc, test_bad_files_skipped);
	tcase_add_test(tc, test_duplicate_keys);
	tcase_add_test(tc, test_permissions);
	tcase_add_test(tc, test_bad_settings);
	tcase_add_test(tc, test_live_changes);
	tcase_add_test(tc, test_directory_gone_fails_closed);
	tcase_add_test(tc, test_reload_op);
	tcase_add_test(tc, test_admit);
	tcase_add_test(tc, test_lookups_during_reloads);
	tcase_add_test(tc, test_many_certificates);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return tu_run(auth_curve_suite());
}
