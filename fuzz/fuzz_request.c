/*
 * fuzz_request.c - libFuzzer target: request decoding (core/request.c),
 * what every client, authenticated or not, can send.  What decodes must
 * also survive the reply writer (core/jsonw.c): written and read back,
 * it is the same tree.  The reader (core/jsonr.c) must agree with
 * json_loadb() on every input: both refuse it, or both make equal trees
 * (or it refuses a NUL byte that json_loadb() skips).
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
	if (request_decode(&r, data, size, &limits, msg) == ERR_NONE)
		fuzz_round_trip(r.root);
	request_free(&r);
	return 0;
}
