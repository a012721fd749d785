/*
 * check_conf.c - cofferd.conf: every key checked, errors with file and line.
 */
#include "config.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "conf.h"
#include "testutil.h"

#define GOOD_AUTH \
	"auth = ( { module = \"test_auth\"; control = \"required\"; } );\n"
#define GOOD_HEAD \
	"listen = \"tcp://127.0.0.1:7101\";\n" \
	"server_key = \"/etc/coffer/server.key_secret\";\n" \
	"store = { module = \"test_store\"; };\n"

static struct conf c;

static const char *
write_conf(const char *text)
{
	return tu_write(tu_tmpdir(), "cofferd.conf", text, 0600);
}

/* Load TEXT; expect failure with a log line containing NEEDLE. */
static void
expect_error(const char *text, const char *needle)
{
	const char *path = write_conf(text);
	int rc;

	tu_log_capture();
	rc = conf_load(&c, path);
	ck_assert_msg(rc == -1, "config loaded but should not:\n%s", text);
	ck_assert_msg(tu_log_has(needle), "no \"%s\" in log:\n%s", needle,
	    tu_log_text());
	conf_free(&c);
}

START_TEST(test_minimal)
{
	const char *path = write_conf(GOOD_HEAD GOOD_AUTH);

	tu_log_capture();
	ck_assert_int_eq(conf_load(&c, path), 0);
	ck_assert_str_eq(c.listen, "tcp://127.0.0.1:7101");
	ck_assert_str_eq(c.server_key, "/etc/coffer/server.key_secret");
	ck_assert_str_eq(c.store.module, "test_store");
	ck_assert_uint_eq(c.nauth, 1);
	ck_assert_str_eq(c.auth[0].module, "test_auth");
	ck_assert_int_eq(c.auth[0].control, CONTROL_REQUIRED);
	ck_assert_int_eq(c.workers, CONF_DEFAULT_WORKERS);
	ck_assert_int_eq(c.inline_reads, 1);
	ck_assert_uint_eq(c.max_request, CONF_DEFAULT_MAX_REQUEST);
	ck_assert_int_eq(c.max_depth, CONF_DEFAULT_MAX_DEPTH);
	ck_assert_ptr_null(c.module_dir);
	ck_assert_int_eq(c.log_level_set, 0);
	conf_free(&c);
}
END_TEST

START_TEST(test_all_keys)
{
	const char *path = write_conf(GOOD_HEAD
	    "workers = 3;\ninline_reads = false;\nqueue_max = 100;\n"
	    "max_request_bytes = 4096;\n"
	    "max_json_depth = 8;\nlog_level = \"debug\";\n"
	    "module_dir = \"/opt/coffer/modules\";\n"
	    "auth = ( { module = \"a\"; control = \"sufficient\"; },\n"
	    "         { module = \"/x/b.so\"; control = \"requisite\"; x = 1; },\n"
	    "         { module = \"c\"; control = \"optional\"; } );\n");

	tu_log_capture();
	ck_assert_int_eq(conf_load(&c, path), 0);
	ck_assert_int_eq(c.workers, 3);
	ck_assert_int_eq(c.inline_reads, 0);
	ck_assert_int_eq(c.queue_max, 100);
	ck_assert_uint_eq(c.max_request, 4096);
	ck_assert_int_eq(c.max_depth, 8);
	ck_assert_int_eq(c.log_level, COFFER_LOG_DEBUG);
	ck_assert_str_eq(c.module_dir, "/opt/coffer/modules");
	ck_assert_uint_eq(c.nauth, 3);
	ck_assert_int_eq(c.auth[0].control, CONTROL_SUFFICIENT);
	ck_assert_int_eq(c.auth[1].control, CONTROL_REQUISITE);
	ck_assert_str_eq(c.auth[1].module, "/x/b.so");
	ck_assert_int_eq(c.auth[2].control, CONTROL_OPTIONAL);
	ck_assert_msg(strstr(c.auth[1].where, "cofferd.conf:12") != NULL,
	    "where is %s", c.auth[1].where);
	conf_free(&c);
}
END_TEST

START_TEST(test_keyring)
{
	const char *path = write_conf(GOOD_HEAD GOOD_AUTH "keyring = [ "
	    "\"/etc/coffer/master-2.key\", \"/etc/coffer/master-1.key\" ];\n");

	tu_log_capture();
	ck_assert_int_eq(conf_load(&c, path), 0);
	ck_assert_uint_eq(c.nkeyring, 2);
	ck_assert_str_eq(c.keyring[0], "/etc/coffer/master-2.key");
	conf_free(&c);
	expect_error(GOOD_HEAD GOOD_AUTH "keyring = [ \"master.key\" ];\n",
	    "cofferd.conf:5: 'keyring' entries must be absolute paths");
	expect_error(GOOD_HEAD GOOD_AUTH "keyring = [ ];\n",
	    "'keyring' lists 1 to 16 master key files");
	expect_error(GOOD_HEAD GOOD_AUTH "keyring = \"/k\";\n",
	    "'keyring' must be an array [ ... ], not a string");
}
END_TEST

START_TEST(test_policy)
{
	const char *path = write_conf(GOOD_HEAD GOOD_AUTH "policy = {\n"
	    "  write = [ \"admin\", \"ops-\" ];\n  read = [ \"audit-\" ];\n};\n");

	tu_log_capture();
	ck_assert_int_eq(conf_load(&c, path), 0);
	ck_assert_int_eq(c.policy.narrowed, 1);
	ck_assert_uint_eq(c.policy.nwrite, 2);
	ck_assert_str_eq(c.policy.write[1], "ops-");
	ck_assert_uint_eq(c.policy.nread, 1);
	conf_free(&c);
	expect_error(GOOD_HEAD GOOD_AUTH "policy = { admin = [ \"a\" ]; };\n",
	    "cofferd.conf:5: unknown key 'policy.admin' (write, read)");
	expect_error(GOOD_HEAD GOOD_AUTH "policy = { write = \"a\"; };\n",
	    "'policy.write' must be an array");
}
END_TEST

START_TEST(test_unknown_key)
{
	expect_error(GOOD_HEAD GOOD_AUTH "\nlisten_port = 7101;\n",
	    "cofferd.conf:6: unknown key 'listen_port'");
}
END_TEST

START_TEST(test_wrong_type)
{
	expect_error(GOOD_HEAD GOOD_AUTH "workers = \"eight\";\n",
	    "cofferd.conf:5: 'workers' must be an integer, not a string");
	expect_error("listen = 7101;\n", "'listen' must be a string, not an "
	    "integer");
	expect_error(GOOD_HEAD "auth = { module = \"x\"; };\n",
	    "'auth' must be a list ( ... ), not a group");
	expect_error("listen = \"tcp://127.0.0.1:1\";\nserver_key = \"k\";\n"
	    "store = \"store_fs\";\n" GOOD_AUTH,
	    "cofferd.conf:3: 'store' must be a group { ... }, not a string");
}
END_TEST

START_TEST(test_missing_required)
{
	expect_error("server_key = \"k\";\nstore = { module = \"s\"; };\n"
	    GOOD_AUTH, "missing required key 'listen'");
	expect_error("listen = \"tcp://127.0.0.1:1\";\nserver_key = \"k\";\n"
	    GOOD_AUTH, "missing required key 'store'");
	expect_error(GOOD_HEAD, "missing required key 'auth'");
}
END_TEST

START_TEST(test_ranges)
{
	expect_error(GOOD_HEAD GOOD_AUTH "inline_reads = 1;\n",
	    "cofferd.conf:5: 'inline_reads' must be true or false, not an "
	    "integer");
	expect_error(GOOD_HEAD GOOD_AUTH "workers = 257;\n",
	    "cofferd.conf:5: 'workers' must be between 0 and 256, not 257");
	expect_error(GOOD_HEAD GOOD_AUTH "max_request_bytes = 10;\n",
	    "'max_request_bytes' must be between 1024");
	expect_error(GOOD_HEAD GOOD_AUTH "max_json_depth = 100000;\n",
	    "'max_json_depth' must be between 2 and 256");
	expect_error(GOOD_HEAD GOOD_AUTH "log_level = \"loud\";\n",
	    "'log_level' must be error, warning, notice, info or debug, "
	    "not \"loud\"");
	expect_error(GOOD_HEAD GOOD_AUTH "module_dir = \"modules\";\n",
	    "'module_dir' must be an absolute path");
	expect_error("listen = \"http://x\";\nserver_key = \"k\";\n"
	    "store = { module = \"s\"; };\n" GOOD_AUTH,
	    "cofferd.conf:1: 'listen' must be a tcp:// or ipc:// endpoint");
	/* The ends of the range are in it: 0 runs requests on the I/O
	 * thread. */
	ck_assert_int_eq(conf_load(&c, write_conf(GOOD_HEAD GOOD_AUTH
	    "workers = 0;\n")), 0);
	ck_assert_int_eq(c.workers, 0);
	conf_free(&c);
	ck_assert_int_eq(conf_load(&c, write_conf(GOOD_HEAD GOOD_AUTH
	    "workers = 256;\n")), 0);
	ck_assert_int_eq(c.workers, 256);
	conf_free(&c);
}
END_TEST

START_TEST(test_module_entries)
{
	expect_error(GOOD_HEAD "auth = ( { module = \"a\"; } );\n",
	    "cofferd.conf:4: auth entry for 'a' needs 'control'");
	expect_error(GOOD_HEAD "auth = ( { module = \"a\";\n"
	    "  control = \"mandatory\"; } );\n",
	    "cofferd.conf:5: 'control' must be required, requisite, "
	    "sufficient or optional, not \"mandatory\"");
	expect_error(GOOD_HEAD "auth = ( { control = \"required\"; } );\n",
	    "module entry needs 'module', a string");
	expect_error(GOOD_HEAD "auth = ( );\n",
	    "'auth' needs at least one module entry");
	expect_error(GOOD_HEAD "auth = ( \"auth_curve\" );\n",
	    "a module entry must be a group");
	expect_error("listen = \"tcp://127.0.0.1:1\";\nserver_key = \"k\";\n"
	    "store = { module = \"s\"; control = \"required\"; };\n" GOOD_AUTH,
	    "'control' belongs to auth entries, not the store");
}
END_TEST

START_TEST(test_syntax_error)
{
	expect_error(GOOD_HEAD "auth = ( { module = \"a\" control } );\n",
	    "cofferd.conf:4: syntax error");
}
END_TEST

START_TEST(test_missing_file)
{
	tu_log_capture();
	ck_assert_int_eq(conf_load(&c, "/nonexistent/cofferd.conf"), -1);
	ck_assert(tu_log_has("/nonexistent/cofferd.conf: cannot read"));
	conf_free(&c);
}
END_TEST

START_TEST(test_include)
{
	const char *dir = tu_tmpdir();
	const char *path;

	tu_write(dir, "auth.inc", "auth = ( { module = \"a\";\n"
	    "           control = \"required\"; } );\n", 0600);
	path = write_conf(GOOD_HEAD "@include \"auth.inc\"\nworkers = 2;\n");
	tu_log_capture();
	ck_assert_int_eq(conf_load(&c, path), 0);
	ck_assert_uint_eq(c.nauth, 1);
	ck_assert_int_eq(c.workers, 2);
	ck_assert_msg(strstr(c.auth[0].where, "auth.inc:1") != NULL,
	    "where is %s", c.auth[0].where);
	conf_free(&c);

	/* An error inside an included file names that file and line. */
	tu_write(dir, "auth.inc", "auth = ( { module = \"a\";\n"
	    "           control = \"always\"; } );\n", 0600);
	tu_log_capture();
	ck_assert_int_eq(conf_load(&c, path), -1);
	ck_assert_msg(tu_log_has("auth.inc:2: 'control' must be"), "%s",
	    tu_log_text());
	conf_free(&c);
}
END_TEST

START_TEST(test_every_error_reported)
{
	const char *path = write_conf(GOOD_HEAD GOOD_AUTH
	    "workers = -1;\nbogus = 1;\n");

	tu_log_capture();
	ck_assert_int_eq(conf_load(&c, path), -1);
	ck_assert(tu_log_has(":5: 'workers'"));
	ck_assert(tu_log_has(":6: unknown key 'bogus'"));
	conf_free(&c);
}
END_TEST

/* A conf.d beside cofferd.conf holding the given drop-ins. */
static const char *
dropin_dir(void)
{
	static char d[1024];

	snprintf(d, sizeof(d), "%s/conf.d", tu_tmpdir());
	mkdir(d, 0700);
	return d;
}

START_TEST(test_dropins)
{
	const char *d = dropin_dir(), *path;

	tu_write(d, "20-kms.conf", "auth = ( { module = \"auth_kms\";\n"
	    "  control = \"sufficient\"; } );\n", 0600);
	tu_write(d, "10-store.conf", "# store_fs's snippet\n"
	    "store = { module = \"store_fs\"; };\nworkers = 3;\n", 0600);
	tu_write(d, "00-empty.conf", "# every line commented out\n", 0600);
	/* Never read: hidden, dpkg's leftovers, not .conf. */
	tu_write(d, ".10-hidden.conf", "garbage", 0600);
	tu_write(d, "10-store.conf.dpkg-old", "garbage", 0600);
	tu_write(d, "README", "garbage", 0600);
	path = write_conf("listen = \"tcp://127.0.0.1:7101\";\n"
	    "server_key = \"/k\";\ninclude_dir = \"conf.d\";\n" GOOD_AUTH);
	tu_log_capture();
	ck_assert_msg(conf_load(&c, path) == 0, "%s", tu_log_text());
	ck_assert_str_eq(c.store.module, "store_fs");
	ck_assert_int_eq(c.workers, 3);
	ck_assert_uint_eq(c.nauth, 2);
	ck_assert_str_eq(c.auth[0].module, "test_auth");
	ck_assert_str_eq(c.auth[1].module, "auth_kms");
	ck_assert_msg(strstr(c.auth[1].where, "conf.d/20-kms.conf:1") !=
	    NULL, "where is %s", c.auth[1].where);
	conf_free(&c);
}
END_TEST

START_TEST(test_dropin_errors)
{
	const char *d = dropin_dir();

	/* A key set twice names both places. */
	tu_write(d, "10-x.conf", "\nworkers = 2;\n", 0600);
	expect_error(GOOD_HEAD GOOD_AUTH "workers = 4;\ninclude_dir = "
	    "\"conf.d\";\n", "conf.d/10-x.conf:2: 'workers' is set already "
	    "at ");
	/* An error in a drop-in names the drop-in and its line. */
	tu_write(d, "10-x.conf", "\nworkers = -1;\n", 0600);
	expect_error(GOOD_HEAD GOOD_AUTH "include_dir = \"conf.d\";\n",
	    "conf.d/10-x.conf:2: 'workers' must be between");
	tu_write(d, "10-x.conf", "workers = ;\n", 0600);
	expect_error(GOOD_HEAD GOOD_AUTH "include_dir = \"conf.d\";\n",
	    "conf.d/10-x.conf:1: syntax error");
	tu_write(d, "10-x.conf", "include_dir = \"/etc\";\n", 0600);
	expect_error(GOOD_HEAD GOOD_AUTH "include_dir = \"conf.d\";\n",
	    "10-x.conf:1: 'include_dir' belongs in the main configuration");
	/* Writable by others: refused like the main file. */
	tu_write(d, "10-x.conf", "workers = 2;\n", 0622);
	expect_error(GOOD_HEAD GOOD_AUTH "include_dir = \"conf.d\";\n",
	    "refusing the configuration");
	tu_write(d, "10-x.conf", "", 0600);
	expect_error(GOOD_HEAD GOOD_AUTH "include_dir = \"nowhere\";\n",
	    "cannot open include_dir");
	/* Required keys may come from drop-ins, but must come from one. */
	expect_error("listen = \"tcp://127.0.0.1:1\";\nserver_key = \"k\";\n"
	    GOOD_AUTH "include_dir = \"conf.d\";\n",
	    "missing required key 'store'");
}
END_TEST

START_TEST(test_dropin_stack_limit)
{
	char text[4096] = "auth = (";

	for (int i = 0; i < CONF_MAX_AUTH; i++)
		strcat(text, i ? ", { module = \"a\"; control = \"optional\"; }"
		    : " { module = \"a\"; control = \"optional\"; }");
	strcat(text, " );\n");
	tu_write(dropin_dir(), "10-x.conf", text, 0600);
	expect_error(GOOD_HEAD GOOD_AUTH "include_dir = \"conf.d\";\n",
	    "'auth' makes a stack of 17 entries; at most 16 are allowed");
}
END_TEST

/* The shipped file etc/NAME, with "#key" lines uncommented when ENABLE
 * ("# prose" stays a comment), written to DIR/AS. */
static void
copy_shipped(const char *name, const char *dir, const char *as, int enable)
{
	char path[1024], line[512], text[8192] = "";
	const char *top = getenv("COFFER_TOP_SRCDIR");
	FILE *f;

	ck_assert_msg(top != NULL, "run through make check");
	snprintf(path, sizeof(path), "%s/etc/%s", top, name);
	ck_assert_msg((f = fopen(path, "r")) != NULL, "cannot read %s", path);
	while (fgets(line, sizeof(line), f) != NULL) {
		int on = enable && line[0] == '#' && line[1] != ' ' &&
		    line[1] != '\n';

		ck_assert_uint_lt(strlen(text) + strlen(line), sizeof(text));
		strcat(text, line + on);
	}
	fclose(f);
	tu_write(dir, as, text, 0600);
}

/* etc/cofferd.conf.example and the module snippets shipped for conf.d
 * load as they are, and the snippets do what they say once uncommented. */
START_TEST(test_shipped_files)
{
	const char *d = dropin_dir(), *path;
	char main_path[1024];

	copy_shipped("cofferd.conf.example", tu_tmpdir(), "cofferd.conf", 0);
	copy_shipped("conf.d/10-store-dynamo.conf", d, "10-store-dynamo.conf",
	    0);
	copy_shipped("conf.d/50-auth-kms.conf", d, "50-auth-kms.conf", 0);
	snprintf(main_path, sizeof(main_path), "%s/cofferd.conf",
	    tu_tmpdir());
	tu_log_capture();
	ck_assert_msg(conf_load(&c, main_path) == 0, "%s", tu_log_text());
	ck_assert_str_eq(c.store.module, "store_fs");
	ck_assert_uint_eq(c.nauth, 1);
	ck_assert_str_eq(c.auth[0].module, "auth_curve");
	conf_free(&c);

	/* Uncommented, in a file without a store or a stack of its own. */
	copy_shipped("conf.d/10-store-dynamo.conf", d, "10-store-dynamo.conf",
	    1);
	copy_shipped("conf.d/50-auth-kms.conf", d, "50-auth-kms.conf", 1);
	path = write_conf("listen = \"tcp://127.0.0.1:7101\";\n"
	    "server_key = \"/k\";\ninclude_dir = \"conf.d\";\n");
	ck_assert_msg(conf_load(&c, path) == 0, "%s", tu_log_text());
	ck_assert_str_eq(c.store.module, "store_dynamo");
	ck_assert_uint_eq(c.nauth, 1);
	ck_assert_str_eq(c.auth[0].module, "auth_kms");
	ck_assert_int_eq(c.auth[0].control, CONTROL_SUFFICIENT);
	conf_free(&c);
}
END_TEST

static Suite *
conf_suite(void)
{
	Suite *s = suite_create("conf");
	TCase *core = tcase_create("core"), *errors = tcase_create("errors");

	tcase_add_test(core, test_minimal);
	tcase_add_test(core, test_all_keys);
	tcase_add_test(core, test_include);
	tcase_add_test(core, test_keyring);
	tcase_add_test(core, test_policy);
	tcase_add_test(core, test_dropins);
	tcase_add_test(core, test_shipped_files);
	tcase_add_test(errors, test_dropin_errors);
	tcase_add_test(errors, test_dropin_stack_limit);
	tcase_add_test(errors, test_unknown_key);
	tcase_add_test(errors, test_wrong_type);
	tcase_add_test(errors, test_missing_required);
	tcase_add_test(errors, test_ranges);
	tcase_add_test(errors, test_module_entries);
	tcase_add_test(errors, test_syntax_error);
	tcase_add_test(errors, test_missing_file);
	tcase_add_test(errors, test_every_error_reported);
	suite_add_tcase(s, core);
	suite_add_tcase(s, errors);
	return s;
}

int
main(void)
{
	return tu_run(conf_suite());
}
