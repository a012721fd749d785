/*
 * xalloc.c - allocation wrappers that abort on out-of-memory.
 */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "xalloc.h"

static void
xalloc_fatal(size_t size)
{
	log_error("out of memory allocating %zu bytes", size);
	abort();
}

void *
xmalloc(size_t size)
{
	void *p = malloc(size == 0 ? 1 : size);

	if (p == NULL)
		xalloc_fatal(size);
	return p;
}

void *
xcalloc(size_t n, size_t size)
{
	void *p = calloc(n == 0 ? 1 : n, size == 0 ? 1 : size);

	if (p == NULL)
		xalloc_fatal(n * size);
	return p;
}

void *
xrealloc(void *ptr, size_t n, size_t size)
{
	void *p;

	if (size != 0 && n > (size_t)-1 / size)
		xalloc_fatal((size_t)-1);
	p = realloc(ptr, n * size == 0 ? 1 : n * size);
	if (p == NULL)
		xalloc_fatal(n * size);
	return p;
}

char *
xstrdup(const char *s)
{
	char *p = strdup(s);

	if (p == NULL)
		xalloc_fatal(strlen(s) + 1);
	return p;
}

char *
xasprintf(const char *fmt, ...)
{
	va_list ap;
	char *s;
	int n;

	va_start(ap, fmt);
	n = vasprintf(&s, fmt, ap);
	va_end(ap);
	if (n < 0)
		xalloc_fatal(0);
	return s;
}
