/*
 * scratch.c - per-thread plaintext buffers (scratch.h).  Released, wiped,
 * when the thread exits.
 */
#include "config.h"

#include <pthread.h>
#include <sodium.h>

#include "scratch.h"

#define SCRATCH_MIN	4096

struct scratch {
	uint8_t	*buf;
	size_t	 cap;
};

static pthread_key_t scratch_key;
static pthread_once_t scratch_once = PTHREAD_ONCE_INIT;

static void
scratch_release(void *arg)
{
	struct scratch *s = arg;

	sodium_free(s->buf);	/* wipes */
	sodium_free(s);
}

static void
scratch_init(void)
{
	pthread_key_create(&scratch_key, scratch_release);
}

uint8_t *
scratch_get(size_t len)
{
	struct scratch *s;
	size_t cap;

	pthread_once(&scratch_once, scratch_init);
	if ((s = pthread_getspecific(scratch_key)) == NULL) {
		if ((s = sodium_malloc(sizeof(*s))) == NULL)
			return NULL;
		s->buf = NULL;
		s->cap = 0;
		pthread_setspecific(scratch_key, s);
	}
	if (len <= s->cap)
		return s->buf;
	for (cap = s->cap ? s->cap : SCRATCH_MIN; cap < len; cap *= 2)
		;
	sodium_free(s->buf);
	if ((s->buf = sodium_malloc(cap)) == NULL) {
		s->cap = 0;
		return NULL;
	}
	s->cap = cap;
	return s->buf;
}

void
scratch_done(uint8_t *buf, size_t len)
{
	if (buf != NULL)
		sodium_memzero(buf, len);
}
