/*
 * buf.h - struct coffer_buf, the growable byte buffer modules fill.
 */
#ifndef COFFER_BUF_H
#define COFFER_BUF_H

#include <stddef.h>
#include <stdint.h>

#include "coffer/module.h"

struct coffer_buf {
	uint8_t	*data;
	size_t	 len;
	size_t	 cap;
};

void	*buf_reserve(struct coffer_buf *b, size_t len);
int	 buf_set(struct coffer_buf *b, const void *data, size_t len);
/* Wipe and release the contents; the buffer can be reused. */
void	 buf_free(struct coffer_buf *b);

#endif
