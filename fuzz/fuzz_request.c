/*
 * fuzz_request.c - libFuzzer target: request decoding (core/request.c),
 * what every client, authenticated or not, can send.
 */
#include "config.h"

#include <stddef.h>
#include <stdint.h>

#include "jsonmem.h"
#include "request.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct request_limits limits = { 65536, 32 };
	static int ready;
	char msg[REQUEST_MSG_MAX];
	struct request r;

	if (!ready) {
		jsonmem_init();
		ready = 1;
	}
	(void)request_decode(&r, data, size, &limits, msg);
	request_free(&r);
	return 0;
}
