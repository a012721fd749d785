/*
 * jsonmem.c - a wiping allocator for jansson.
 */
#include "config.h"

#include <jansson.h>
#include <sodium.h>
#include <stdalign.h>
#include <stdlib.h>
#include <string.h>

#include "jsonmem.h"

/* Each block starts with its size, padded to keep the data aligned. */
#define JSONMEM_HEAD	(alignof(max_align_t) > sizeof(size_t) ? \
	alignof(max_align_t) : sizeof(size_t))

static void *
jsonmem_malloc(size_t size)
{
	unsigned char *p;

	if (size > (size_t)-1 - JSONMEM_HEAD ||
	    (p = malloc(size + JSONMEM_HEAD)) == NULL)
		return NULL;
	*(size_t *)p = size;
	return p + JSONMEM_HEAD;
}

static void
jsonmem_free(void *ptr)
{
	unsigned char *p;

	if (ptr == NULL)
		return;
	p = (unsigned char *)ptr - JSONMEM_HEAD;
	sodium_memzero(ptr, *(size_t *)p);
	free(p);
}

void
jsonmem_init(void)
{
	json_set_alloc_funcs(jsonmem_malloc, jsonmem_free);
}

void
jsonmem_free_text(char *text)
{
	json_free_t fn;

	if (text == NULL)
		return;
	json_get_alloc_funcs(NULL, &fn);
	if (fn == jsonmem_free) {
		jsonmem_free(text);
		return;
	}
	sodium_memzero(text, strlen(text));
	fn(text);
}
