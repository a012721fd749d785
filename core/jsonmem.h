/*
 * jsonmem.h - jansson's memory wiped when freed.
 *
 * Decrypted secrets pass through jansson values; with this allocator every
 * block jansson frees is zeroed first, so no plaintext is left in freed
 * heap memory.  Call jsonmem_init() once at start, before any JSON value
 * exists.
 */
#ifndef COFFER_JSONMEM_H
#define COFFER_JSONMEM_H

void	 jsonmem_init(void);
/* Free (and wipe) a string json_dumps() returned, with the allocator in
 * use: never free() it directly. */
void	 jsonmem_free_text(char *text);

#endif
