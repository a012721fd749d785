/*
 * fuzz_cert.c - libFuzzer target: CURVE certificate files
 * (common/cert.c), what the certificate store and key files hold.
 */
#include "config.h"

#include <stddef.h>
#include <stdint.h>

#include "cert.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char err[CERT_ERR_MAX];
	struct cert c;

	(void)cert_parse(&c, (const char *)data, size, err);
	return 0;
}
