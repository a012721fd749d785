/*
 * check_loader.c - loading modules: the good ones open, every broken or
 * unsafe one stops startup with one line naming module, path and reason.
 */
#include "config.h"

#include <check.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "conf.h"
#include "loader.h"
#include "modules.h"
#include "testutil.h"

#define HEAD "listen = \"tcp://127.0.0.1:7101\";\nserver_key = \"k\";\n"
#define AUTH "auth = ( { module = \"test_auth\"; control = \"required\"; } );\n"

static struct conf c;
static struct modules mods;

static void
load_conf(const char *text)
{
	const char *path = tu_write(tu_tmpdir(), "cofferd.conf", text, 0600);

	tu_log_capture();
	ck_assert_msg(conf_load(&c, path) == 0, "%s", tu_log_text());
}

/* Open the modules TEXT names; expect failure with each NEEDLE logged. */
static void
expect_refused(const char *text, const char *n1, const char *n2)
{
	int rc;

	load_conf(text);
	rc = modules_open(&mods, &c);
	ck_assert_msg(rc == -1, "modules opened but should not:\n%s", text);
	ck_assert_msg(tu_log_has(n1), "no \"%s\" in log:\n%s", n1,
	    tu_log_text());
	ck_assert_msg(n2 == NULL || tu_log_has(n2), "no \"%s\" in log:\n%s",
	    n2, tu_log_text());
	conf_free(&c);
}

static void
expect_store_refused(const char *module, const char *n1, const char *n2)
{
	char text[PATH_MAX + 512];

	snprintf(text, sizeof(text), HEAD "store = { module = \"%s\"; };\n"
	    AUTH, module);
	expect_refused(text, n1, n2);
}

/* Copy the built test_store.so to DIR (created with DIR_MODE) as FILE_MODE;
 * return its path. */
static const char *
copy_module(const char *dir, unsigned dir_mode, unsigned file_mode)
{
	static char dst[PATH_MAX];
	char cmd[3 * PATH_MAX];

	snprintf(dst, sizeof(dst), "%s/%s", tu_tmpdir(), dir);
	mkdir(dst, 0700);
	snprintf(cmd, sizeof(cmd), "cp %s/test_store.so %s/", tu_moduledir(),
	    dst);
	ck_assert_int_eq(system(cmd), 0);
	chmod(dst, dir_mode);
	strcat(dst, "/test_store.so");
	chmod(dst, file_mode);
	return dst;
}

START_TEST(test_good_modules)
{
	load_conf(HEAD "store = { module = \"test_store\"; max_record = 99; };\n"
	    AUTH);
	ck_assert_msg(modules_open(&mods, &c) == 0, "%s", tu_log_text());
	ck_assert_str_eq(modules_name(&mods.store), "test_store");
	ck_assert_uint_eq(mods.limits.max_record, 99);
	ck_assert_uint_eq(mods.nauth, 1);
	ck_assert_str_eq(modules_name(&mods.auth[0]), "test_auth");
	ck_assert_int_eq(mods.controls[0], CONTROL_REQUIRED);
	modules_close(&mods);
	conf_free(&c);
}
END_TEST

START_TEST(test_absolute_path)
{
	char text[2 * PATH_MAX];

	snprintf(text, sizeof(text), HEAD "store = { module = "
	    "\"%s/test_store.so\"; };\n" AUTH, tu_moduledir());
	load_conf(text);
	ck_assert_msg(modules_open(&mods, &c) == 0, "%s", tu_log_text());
	modules_close(&mods);
	conf_free(&c);
}
END_TEST

START_TEST(test_same_file_once)
{
	load_conf(HEAD "store = { module = \"test_store\"; };\n"
	    "auth = ( { module = \"test_auth\"; control = \"sufficient\";\n"
	    "           label = \"first\"; },\n"
	    "         { module = \"test_auth\"; control = \"required\";\n"
	    "           label = \"second\"; } );\n");
	ck_assert_msg(modules_open(&mods, &c) == 0, "%s", tu_log_text());
	ck_assert_ptr_eq(mods.auth[0].mod, mods.auth[1].mod);
	ck_assert_int_eq(mods.auth[0].mod->refs, 2);
	modules_close(&mods);
	conf_free(&c);
}
END_TEST

START_TEST(test_close_order)
{
	const char *log, *second, *first, *fini;

	load_conf(HEAD "store = { module = \"test_store\"; };\n"
	    "auth = ( { module = \"test_auth\"; control = \"sufficient\";\n"
	    "           label = \"first\"; },\n"
	    "         { module = \"test_auth\"; control = \"required\";\n"
	    "           label = \"second\"; } );\n");
	ck_assert(modules_open(&mods, &c) == 0);
	modules_close(&mods);
	log = tu_log_text();
	second = strstr(log, "test_auth: close second");
	first = strstr(log, "test_auth: close first");
	fini = strstr(log, "test_auth: fini");
	ck_assert_msg(second && first && fini && second < first &&
	    first < fini, "closed out of order:\n%s", log);
	conf_free(&c);
}
END_TEST

START_TEST(test_missing_file)
{
	expect_store_refused("no_such_module", "module 'no_such_module' (",
	    "no_such_module.so: No such file or directory");
}
END_TEST

START_TEST(test_bad_name)
{
	expect_store_refused("../evil", "module '../evil': not a module name",
	    NULL);
	expect_store_refused("Store", "not a module name", NULL);
	expect_store_refused("relative/path.so", "not a module name", NULL);
}
END_TEST

START_TEST(test_wrong_major)
{
	char want[128];

	snprintf(want, sizeof(want), "broken_major.so): module ABI %d.%d, "
	    "daemon ABI %d.%d: different major version", COFFER_ABI_MAJOR + 1,
	    COFFER_ABI_MINOR, COFFER_ABI_MAJOR, COFFER_ABI_MINOR);
	expect_store_refused("broken_major", want, NULL);
}
END_TEST

START_TEST(test_newer_minor)
{
	char want[128];

	snprintf(want, sizeof(want), "broken_minor.so): module ABI %d.%d is "
	    "newer than the daemon's %d.%d", COFFER_ABI_MAJOR,
	    COFFER_ABI_MINOR + 1, COFFER_ABI_MAJOR, COFFER_ABI_MINOR);
	expect_store_refused("broken_minor", want, NULL);
}
END_TEST

/* A module built against ABI 1.0 loads; what it lacks is not read. */
START_TEST(test_old_abi)
{
	load_conf(HEAD "store = { module = \"old_abi\"; };\n" AUTH);
	ck_assert_msg(modules_open(&mods, &c) == 0, "%s", tu_log_text());
	ck_assert_ptr_null(modules_store_replace(&mods));
	ck_assert_ptr_null(modules_store_get_latest_many(&mods));
	ck_assert_int_eq(modules_reload(&mods, 1), 0);
	ck_assert_int_eq(modules_reload(&mods, 0), 0);
	modules_close(&mods);
	conf_free(&c);
}
END_TEST

START_TEST(test_no_entry)
{
	expect_store_refused("broken_no_entry", "broken_no_entry.so): no "
	    "entry symbol coffer_module_entry", NULL);
}
END_TEST

START_TEST(test_init_fails)
{
	expect_store_refused("broken_init", "broken_init.so): init failed: "
	    "this module always fails", NULL);
}
END_TEST

START_TEST(test_wrong_kind)
{
	expect_store_refused("test_auth", "module 'test_auth' (",
	    "is an auth module, not a store module");
	expect_refused(HEAD "store = { module = \"test_store\"; };\n"
	    "auth = ( { module = \"test_store\"; control = \"required\"; } );\n",
	    "is a store module, not an auth module", NULL);
}
END_TEST

START_TEST(test_not_a_module)
{
	const char *path = tu_write(tu_tmpdir(), "fake.so", "not ELF\n", 0644);
	char abs[PATH_MAX];

	snprintf(abs, sizeof(abs), "%s", path);
	expect_store_refused(abs, "fake.so): dlopen failed: ", NULL);
}
END_TEST

START_TEST(test_world_writable_file)
{
	expect_store_refused(copy_module("ww", 0755, 0666),
	    "unsafe permissions: ", "test_store.so is writable by everyone "
	    "(mode 0666)");
}
END_TEST

START_TEST(test_group_writable_dir)
{
	expect_store_refused(copy_module("gw", 0775, 0755),
	    "unsafe permissions: ", "/gw is writable by its group");
}
END_TEST

START_TEST(test_world_writable_dir)
{
	expect_store_refused(copy_module("wd", 0777, 0755),
	    "unsafe permissions: ", "/wd is writable by everyone");
}
END_TEST

START_TEST(test_foreign_owner)
{
	const char *path;

	if (geteuid() != 0)
		return;	/* only root can give a file away */
	path = copy_module("fo", 0755, 0755);
	ck_assert_int_eq(chown(path, 4242, 4242), 0);
	expect_store_refused(path, "unsafe ownership: ", "owned by uid 4242");
}
END_TEST

START_TEST(test_sticky_root_dir)
{
	const char *path;
	char text[2 * PATH_MAX];

	if (geteuid() != 0)
		return;	/* the directory must be root's */
	path = copy_module("sticky", 01777, 0755);
	snprintf(text, sizeof(text), HEAD "store = { module = \"%s\"; };\n"
	    AUTH, path);
	load_conf(text);
	ck_assert_msg(modules_open(&mods, &c) == 0, "%s", tu_log_text());
	modules_close(&mods);
	conf_free(&c);
}
END_TEST

START_TEST(test_unknown_option)
{
	expect_refused(HEAD "store = { module = \"test_store\";\n"
	    "  max_recrod = 5; };\n" AUTH,
	    "cofferd.conf:4: unknown key 'max_recrod' for module test_store",
	    NULL);
}
END_TEST

START_TEST(test_option_type)
{
	expect_refused(HEAD "store = { module = \"test_store\";\n"
	    "  max_record = \"big\"; };\n" AUTH,
	    "cofferd.conf:4: 'max_record' of module test_store must be an "
	    "integer", NULL);
	expect_refused(HEAD "store = { module = \"test_store\"; };\n"
	    "auth = ( { module = \"test_auth\"; control = \"required\";\n"
	    "  users = [ 1, 2 ]; } );\n",
	    "'users' of module test_auth must be a list of strings", NULL);
}
END_TEST

START_TEST(test_open_fails)
{
	expect_refused(HEAD "store = { module = \"test_store\";\n"
	    "  fail_open = true; };\n" AUTH,
	    "test_store.so): open failed: fail_open is set at ",
	    "cofferd.conf:4");
}
END_TEST

START_TEST(test_failure_closes_opened)
{
	/* The store opens, the auth entry fails: the store is closed again
	 * and every file unloaded (checked by ASan/valgrind for leaks). */
	expect_refused(HEAD "store = { module = \"test_store\"; };\n"
	    "auth = ( { module = \"test_auth\"; control = \"required\";\n"
	    "           label = \"a\"; },\n"
	    "         { module = \"broken_init\"; control = \"required\"; } );\n",
	    "init failed", "test_auth: close a");
}
END_TEST

START_TEST(test_moduledir_env)
{
	setenv("COFFER_MODULEDIR", "/somewhere/else", 1);
	ck_assert_str_eq(loader_moduledir("/conf/dir"), "/somewhere/else");
	unsetenv("COFFER_MODULEDIR");
	ck_assert_str_eq(loader_moduledir("/conf/dir"), "/conf/dir");
	ck_assert_str_eq(loader_moduledir(NULL), MODULEDIR);
}
END_TEST

static Suite *
loader_suite(void)
{
	Suite *s = suite_create("loader");
	TCase *good = tcase_create("good"), *bad = tcase_create("refused");

	tcase_add_test(good, test_good_modules);
	tcase_add_test(good, test_absolute_path);
	tcase_add_test(good, test_same_file_once);
	tcase_add_test(good, test_close_order);
	tcase_add_test(good, test_sticky_root_dir);
	tcase_add_test(good, test_moduledir_env);
	tcase_add_test(good, test_old_abi);
	tcase_add_test(bad, test_missing_file);
	tcase_add_test(bad, test_bad_name);
	tcase_add_test(bad, test_wrong_major);
	tcase_add_test(bad, test_newer_minor);
	tcase_add_test(bad, test_no_entry);
	tcase_add_test(bad, test_init_fails);
	tcase_add_test(bad, test_wrong_kind);
	tcase_add_test(bad, test_not_a_module);
	tcase_add_test(bad, test_world_writable_file);
	tcase_add_test(bad, test_group_writable_dir);
	tcase_add_test(bad, test_world_writable_dir);
	tcase_add_test(bad, test_foreign_owner);
	tcase_add_test(bad, test_unknown_option);
	tcase_add_test(bad, test_option_type);
	tcase_add_test(bad, test_open_fails);
	tcase_add_test(bad, test_failure_closes_opened);
	suite_add_tcase(s, good);
	suite_add_tcase(s, bad);
	return s;
}

int
main(void)
{
	return tu_run(loader_suite());
}
