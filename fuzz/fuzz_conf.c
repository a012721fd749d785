/*
 * fuzz_conf.c - libFuzzer target: loading cofferd.conf (core/conf.c),
 * libconfig's parser and every key's checks.  Each input is written to a
 * private file and loaded as the daemon loads its config; the errors go
 * to syslog (nowhere, where no syslog daemon listens).
 */
#include "config.h"

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "conf.h"
#include "log.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char path[64];

static void
fuzz_conf_cleanup(void)
{
	unlink(path);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct conf c;
	FILE *f;
	int fd;

	if (path[0] == '\0') {
		snprintf(path, sizeof(path), "/tmp/fuzz-conf.XXXXXX");
		if ((fd = mkstemp(path)) < 0)
			abort();
		close(fd);
		atexit(fuzz_conf_cleanup);
		/* Thousands of config errors a second: not on stderr,
		 * where libFuzzer reports. */
		log_init("fuzz_conf", LOG_TO_SYSLOG);
	}
	if ((f = fopen(path, "w")) == NULL)
		abort();
	if (fwrite(data, 1, size, f) != size || fclose(f) != 0)
		abort();
	if (conf_load(&c, path) == 0)
		conf_free(&c);
	return 0;
}
