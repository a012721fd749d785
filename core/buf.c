/*
 * buf.c - a byte buffer owned by the daemon and filled by modules.
 *
 * Failure to grow returns NULL/-1 instead of aborting: a module asking for a
 * huge buffer gets an error it can report, the daemon keeps running.
 */
#include "config.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"

void *
buf_reserve(struct coffer_buf *b, size_t len)
{
	if (len + 1 > b->cap) {
		uint8_t *p = malloc(len + 1);

		if (p == NULL)
			return NULL;
		buf_free(b);
		b->data = p;
		b->cap = len + 1;
	}
	b->len = len;
	b->data[len] = '\0';	/* so text (cursors) can be used as a string */
	return b->data;
}

int
buf_set(struct coffer_buf *b, const void *data, size_t len)
{
	void *p = buf_reserve(b, len);

	if (p == NULL)
		return -1;
	if (len > 0)
		memcpy(p, data, len);
	return 0;
}

void
buf_free(struct coffer_buf *b)
{
	if (b->data != NULL)
		sodium_memzero(b->data, b->cap);
	free(b->data);
	b->data = NULL;
	b->len = b->cap = 0;
}
