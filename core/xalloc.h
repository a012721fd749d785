/*
 * xalloc.h - allocation that cannot fail: out of memory is fatal.
 *
 * Used for the daemon's own small structures so that the rest of the code has
 * no out-of-memory branches (OpenSMTPD's xcalloc/xstrdup).  Never used inside
 * modules, which must not exit the process.
 */
#ifndef COFFER_XALLOC_H
#define COFFER_XALLOC_H

#include <stddef.h>

void	*xmalloc(size_t size);
void	*xcalloc(size_t n, size_t size);
void	*xrealloc(void *ptr, size_t n, size_t size);
char	*xstrdup(const char *s);
char	*xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
