/*
 * kmsgen_host.c - a host table for the AWS code inside a client library:
 * no config, no principals; warnings and errors on stderr, nothing less.
 */
#include "config.h"

#include <sodium.h>
#include <stdarg.h>
#include <stdio.h>
#include <time.h>

#include "kmsgen.h"

static void
kmsgen_log(const struct coffer_host *h, enum coffer_log_level level,
    const char *fmt, ...)
{
	va_list ap;

	(void)h;
	if (level > COFFER_LOG_WARNING)
		return;
	fputs("libcoffer-kms: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

static int64_t
kmsgen_clock(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int64_t
kmsgen_now_ms(void)
{
	return kmsgen_clock(CLOCK_REALTIME);
}

static int64_t
kmsgen_monotonic_ms(void)
{
	return kmsgen_clock(CLOCK_MONOTONIC);
}

static void
kmsgen_memzero(void *p, size_t n)
{
	sodium_memzero(p, n);
}

const struct coffer_host *
kmsgen_host(void)
{
	static const struct coffer_host host = {
		.struct_size = sizeof(struct coffer_host),
		.abi_major = COFFER_ABI_MAJOR,
		.abi_minor = COFFER_ABI_MINOR,
		.log = kmsgen_log,
		.secure_alloc = sodium_malloc,
		.secure_free = sodium_free,
		.memzero = kmsgen_memzero,
		.now_ms = kmsgen_now_ms,
		.monotonic_ms = kmsgen_monotonic_ms,
	};

	return &host;
}
