/*
 * fuzz_request.c - libFuzzer target: request decoding (core/request.c),
 * what every client, authenticated or not, can send.  What decodes must
 * also survive the reply writer (core/jsonw.c): written and read back,
 * it is the same tree.
 */
#include "config.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "jsonmem.h"
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
	if (request_decode(&r, data, size, &limits, msg) == ERR_NONE)
		fuzz_round_trip(r.root);
	request_free(&r);
	return 0;
}
