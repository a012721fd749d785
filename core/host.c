/*
 * host.c - the daemon's services to modules, reached through coffer_host.
 */
#include "config.h"

#include <sodium.h>
#include <stdarg.h>
#include <time.h>

#include "buf.h"
#include "host.h"
#include "log.h"
#include "modconf.h"
#include "principal.h"

static void
host_log(const struct coffer_host *h, enum coffer_log_level level,
    const char *fmt, ...)
{
	const struct loaded *m = h->host_private;
	va_list ap;

	va_start(ap, fmt);
	log_vmsg(level, m->desc->name, fmt, ap);
	va_end(ap);
}

static void *
host_secure_alloc(size_t size)
{
	return sodium_malloc(size);
}

static void
host_secure_free(void *ptr)
{
	sodium_free(ptr);
}

static int64_t
host_clock_ms(clockid_t clock)
{
	struct timespec ts;

	clock_gettime(clock, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int64_t
host_now_ms(void)
{
	return host_clock_ms(CLOCK_REALTIME);
}

int64_t
host_monotonic_ms(void)
{
	return host_clock_ms(CLOCK_MONOTONIC);
}

void
host_init(struct loaded *m)
{
	struct coffer_host *h = &m->host;

	/* secure_alloc is sodium_malloc, which needs this first; the daemon
	 * has done it, a program embedding the loader may not have. */
	if (sodium_init() < 0)
		abort();
	h->struct_size = sizeof(*h);
	h->abi_major = COFFER_ABI_MAJOR;
	h->abi_minor = COFFER_ABI_MINOR;
	h->log = host_log;
	h->conf_string = modconf_string;
	h->conf_int = modconf_int;
	h->conf_bool = modconf_bool;
	h->conf_count = modconf_count;
	h->conf_item = modconf_item;
	h->conf_where = modconf_where;
	h->secure_alloc = host_secure_alloc;
	h->secure_free = host_secure_free;
	h->memzero = sodium_memzero;
	h->now_ms = host_now_ms;
	h->monotonic_ms = host_monotonic_ms;
	h->buf_reserve = buf_reserve;
	h->buf_set = buf_set;
	h->principal_set = principal_set;
	h->principal_attr = principal_attr;
	h->host_private = m;
}
