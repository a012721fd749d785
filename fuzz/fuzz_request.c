/*
 * fuzz_request.c - libFuzzer target: request decoding (core/request.c),
 * what every client, authenticated or not, can send.  What decodes must
 * also survive the reply writer (core/jsonw.c): written and read back,
 * it is the same tree.  The reader (core/jsonr.c) must agree with
 * json_loadb() on every input: both refuse it, or both make equal trees
 * (or it refuses a NUL byte that json_loadb() skips).  jsonr_walk() must
 * take exactly the objects jsonr_load() takes, with the same members,
 * jsonr_strings() exactly its arrays of strings, with the same strings,
 * and a secret's document read in place (core/secdoc.c) must write a
 * reply that is JSON.
 */
#include "config.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "jsonmem.h"
#include "jsonr.h"
#include "jsonw.h"
#include "request.h"
#include "secdoc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
fuzz_round_trip(const json_t *root)
{
	size_t len;
	char *text = jsonw_dump(root, &len);
	json_t *back;

	if (text == NULL)
		abort();	/* the decoder's depth limit is below ours */
	back = json_loadb(text, len, JSON_REJECT_DUPLICATES, NULL);
	if (back == NULL || !json_equal(back, root))
		abort();
	json_decref(back);
	jsonmem_free_text(text);
}

static void
fuzz_same_as_jansson(const uint8_t *data, size_t size, size_t flags)
{
	json_t *ours = jsonr_load(data, size, flags, NULL);
	json_t *theirs = json_loadb((const char *)data, size, flags, NULL);
	/* json_loadb() skips a NUL byte after a number or a word. */
	int nul_skipped = ours == NULL && theirs != NULL &&
	    memchr(data, 0, size) != NULL;

	if (!nul_skipped && ((ours == NULL) != (theirs == NULL) ||
	    (ours != NULL && !json_equal(ours, theirs))))
		abort();
	json_decref(ours);
	json_decref(theirs);
}

static void
fuzz_member(void *arg, const char *key, size_t len,
    const struct jsonr_span *v)
{
	json_t *value = json_loadb(v->s, v->len, JSON_DECODE_ANY, NULL);

	if (value == NULL)
		abort();
	json_object_setn_new(arg, key, len, value);
}

static void
fuzz_walk(const uint8_t *data, size_t size)
{
	json_t *ours = jsonr_load(data, size, 0, NULL);
	json_t *members = json_object();
	int rc = jsonr_walk(data, size, fuzz_member, members, NULL);

	if ((rc == 0) != json_is_object(ours) ||
	    (rc == 0 && !json_equal(members, ours)))
		abort();
	json_decref(members);
	json_decref(ours);
}

static void
fuzz_string(void *arg, const char *s, size_t len)
{
	if (json_array_append_new(arg, json_stringn(s, len)) < 0)
		abort();
}

static int
fuzz_all_strings(const json_t *v)
{
	size_t i;
	json_t *item;

	if (!json_is_array(v))
		return 0;
	json_array_foreach(v, i, item) {
		if (!json_is_string(item))
			return 0;
	}
	return 1;
}

static void
fuzz_strings(const uint8_t *data, size_t size)
{
	json_t *ours = jsonr_load(data, size, 0, NULL);
	json_t *got = json_array();
	int rc = jsonr_strings(data, size, fuzz_string, got, NULL);

	if ((rc == 0) != fuzz_all_strings(ours) ||
	    (rc == 0 && !json_equal(got, ours)))
		abort();
	json_decref(got);
	json_decref(ours);
}

static void
fuzz_secdoc(const uint8_t *data, size_t size)
{
	char why[SECDOC_WHY_MAX], buf[4096];
	struct secdoc d;
	struct secdoc_svc v;
	struct jsonw w;
	json_t *back = NULL;

	if (secdoc_read(&d, (const char *)data, size, why) == 0) {
		jsonw_init(&w, buf, sizeof(buf));
		secdoc_write_get(&w, "n", 1, &d);
		if (!w.full && (back = json_loadb(buf, w.len, 0, NULL)) == NULL)
			abort();
		json_decref(back);
	}
	if (secdoc_read_svc(&v, (const char *)data, size, why) == 0) {
		jsonw_init(&w, buf, sizeof(buf));
		secdoc_write_svc(&w, "n", 1, &v);
		jsonw_raw(&w, "}");
		back = NULL;
		if (!w.full && (back = json_loadb(buf, w.len, 0, NULL)) == NULL)
			abort();
		json_decref(back);
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct request_limits limits = { 65536, 32 };
	static int ready;
	char msg[REQUEST_MSG_MAX];
	struct request r;

	if (!ready) {
		jsonmem_init();
		ready = 1;
	}
	fuzz_same_as_jansson(data, size, 0);
	fuzz_same_as_jansson(data, size, JSON_REJECT_DUPLICATES);
	fuzz_walk(data, size);
	fuzz_strings(data, size);
	fuzz_secdoc(data, size);
	if (request_decode(&r, data, size, &limits, msg) == ERR_NONE)
		fuzz_round_trip(r.root);
	request_free(&r);
	return 0;
}
