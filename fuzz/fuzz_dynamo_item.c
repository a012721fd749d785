/*
 * fuzz_dynamo_item.c - libFuzzer target: the items DynamoDB (or whoever
 * answers in its place, or edits the table) sends back to store_dynamo
 * (modules/store-dynamo): a head item read as JSON, its revision and its
 * base64 record.  The target is the host: its own coffer_buf and
 * buf_set().  Heads without a record would make store_dynamo query the
 * table, so only heads carrying one are handed over.
 */
#include "config.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dynamo.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct coffer_buf {
	void	*data;
	size_t	 len;
};

static int
fuzz_buf_set(struct coffer_buf *buf, const void *data, size_t len)
{
	void *p = malloc(len ? len : 1);

	if (p == NULL)
		return -1;
	memcpy(p, data, len);
	free(buf->data);
	buf->data = p;
	buf->len = len;
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct coffer_host host;
	static struct dynamo d;
	struct coffer_buf out = { NULL, 0 };
	struct coffer_error err;
	json_t *item = json_loadb((const char *)data, size, 0, NULL);
	uint64_t rev;

	host.buf_set = fuzz_buf_set;
	d.host = &host;
	if (item != NULL && dynamo_item_s(item, "rec") != NULL)
		(void)dynamo_head_out(&d, "secret/fuzz", item, &rev, &out,
		    &err);
	(void)dynamo_item_n(item, "latest");
	json_decref(item);
	free(out.data);
	return 0;
}
