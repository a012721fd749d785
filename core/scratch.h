/*
 * scratch.h - a per-thread buffer for plaintext, in guarded, locked
 * memory (sodium_malloc), made once per thread and grown when needed:
 * sodium_malloc costs an mmap, two mprotects and an mlock, and its free
 * an munmap, far too much for every request (each one stalls all threads
 * on the address-space lock and flushes other CPUs' TLBs).
 */
#ifndef COFFER_SCRATCH_H
#define COFFER_SCRATCH_H

#include <stddef.h>
#include <stdint.h>

/* The calling thread's buffer, at least LEN bytes; NULL when out of
 * memory.  Valid until the thread's next scratch_get(): one user at a
 * time. */
uint8_t	*scratch_get(size_t len);
/* Wipe the LEN bytes used. */
void	 scratch_done(uint8_t *buf, size_t len);

#endif
