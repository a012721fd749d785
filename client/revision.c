/*
 * revision.c - listing, history, revert and write reports, alike for
 * secrets, services and blind secrets (revision.h).
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "revision.h"

#define REVISION_PAGE	100	/* history's largest page */

json_t *
revision_args(json_t *args, const struct revision_write *w)
{
	if (w->comment != NULL)
		json_object_set_new(args, "comment", json_string(w->comment));
	if (w->expect > 0)
		json_object_set_new(args, "expect", json_integer(w->expect));
	return args;
}

int
revision_written(const struct conn *o, int rc, json_t *r)
{
	if (rc == CLI_OK && o->json)
		conn_print_json(r);
	else if (rc == CLI_OK)
		printf("%s revision %lld\n", json_string_value(json_object_get(r,
		    "name")), (long long)json_integer_value(json_object_get(r,
		    "revision")));
	json_decref(r);
	return rc;
}

/* The reply's array of names: "secrets", "services", "blind". */
static const char *
revision_list_field(const char *kind)
{
	return strcmp(kind, "secret") == 0 ? "secrets" :
	    strcmp(kind, "service") == 0 ? "services" : kind;
}

static void
revision_print_list(const struct conn *o, json_t *all)
{
	json_t *v;
	size_t i;

	if (o->json) {
		conn_print_json(all);
		return;
	}
	json_array_foreach(all, i, v)
		printf("%s\t%lld\n", json_string_value(json_object_get(v,
		    "name")), (long long)json_integer_value(json_object_get(v,
		    "revision")));
}

int
revision_list(coffer_client *c, const struct conn *o, const char *kind,
    const char *prefix)
{
	json_t *all = json_array(), *cursor = NULL, *r;
	char op[32];
	int rc;

	snprintf(op, sizeof(op), "%s.list", kind);
	do {
		json_t *args = json_pack("{s:s, s:i}", "prefix", prefix,
		    "limit", 1000);

		if (cursor != NULL)
			json_object_set(args, "cursor", cursor);
		if ((rc = conn_call(c, op, args, &r)) != CLI_OK)
			break;
		json_array_extend(all, json_object_get(r,
		    revision_list_field(kind)));
		json_decref(cursor);
		cursor = json_incref(json_object_get(r, "cursor"));
		json_decref(r);
	} while (json_is_string(cursor));
	json_decref(cursor);
	if (rc == CLI_OK)
		revision_print_list(o, all);
	json_decref(all);
	return rc;
}

static const char *
revision_field(json_t *v, const char *key)
{
	const char *s = json_string_value(json_object_get(v, key));

	return s != NULL ? s : "";
}

static void
revision_print_history(const struct conn *o, const char *name, json_t *all)
{
	json_t *v;
	size_t i;

	if (o->json) {
		json_t *j = json_pack("{s:s, s:O}", "name", name, "revisions",
		    all);

		conn_print_json(j);
		json_decref(j);
		return;
	}
	json_array_foreach(all, i, v)
		printf("%lld\t%s\t%s\t%s%s\n", (long long)json_integer_value(
		    json_object_get(v, "revision")),
		    revision_field(v, "modified_at"),
		    revision_field(v, "modified_by"),
		    json_is_false(json_object_get(v, "enabled")) ?
		    "(disabled) " : "", revision_field(v, "comment"));
}

int
revision_history(coffer_client *c, const struct conn *o, const char *kind,
    const char *name)
{
	json_t *all = json_array(), *r, *page;
	json_int_t after = 0;
	size_t got;
	char op[32];
	int rc;

	snprintf(op, sizeof(op), "%s.history", kind);
	do {
		if ((rc = conn_call(c, op, json_pack("{s:s, s:I, s:i}", "name",
		    name, "after", after, "limit", REVISION_PAGE), &r)) != CLI_OK)
			break;
		page = json_object_get(r, "revisions");
		json_array_extend(all, page);
		got = json_array_size(page);
		after = json_integer_value(json_object_get(json_array_get(page,
		    got - 1), "revision"));
		json_decref(r);
	} while (got == REVISION_PAGE);
	if (rc == CLI_OK)
		revision_print_history(o, name, all);
	json_decref(all);
	return rc;
}

int
revision_revert(coffer_client *c, const struct conn *o, const char *kind,
    const char *name, const char *rev, const struct revision_write *w)
{
	long long n;
	json_t *r;
	char op[32];
	int rc;

	if ((rc = cli_number("revision", rev, &n)) != CLI_OK)
		return rc;
	snprintf(op, sizeof(op), "%s.revert", kind);
	rc = conn_call(c, op, revision_args(json_pack("{s:s, s:I}", "name",
	    name, "revision", (json_int_t)n), w), &r);
	return revision_written(o, rc, r);
}
