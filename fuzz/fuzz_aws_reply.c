/*
 * fuzz_aws_reply.c - libFuzzer target: what AWS (or whoever answers in
 * its place) sends back (modules/aws): error bodies in JSON, XML or
 * anything else, and the credentials JSON of the container and instance
 * metadata endpoints.  The first byte picks which.
 */
#include "config.h"

#include <sodium.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "aws.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void *
fuzz_secure_alloc(size_t n)
{
	return sodium_malloc(n);
}

static void
fuzz_secure_free(void *p)
{
	sodium_free(p);
}

static int64_t
fuzz_now_ms(void)
{
	return 1700000000000LL;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct coffer_host host;
	char code[128], msg[256], err[AWS_ERR_MAX];
	struct aws_creds c;
	char *text;

	if (host.secure_alloc == NULL) {
		if (sodium_init() < 0)
			abort();
		host.secure_alloc = fuzz_secure_alloc;
		host.secure_free = fuzz_secure_free;
		host.now_ms = fuzz_now_ms;
	}
	if (size < 1 || (text = malloc(size)) == NULL)
		return 0;
	memcpy(text, data + 1, size - 1);
	text[size - 1] = '\0';
	if (data[0] & 1) {
		aws_error_parse(400 + data[0] % 200, text, code, sizeof(code),
		    msg, sizeof(msg));
	} else {
		memset(&c, 0, sizeof(c));
		if (aws_creds_parse_json(&host, text, &c, err) == 0)
			aws_creds_clear(&host, &c);
	}
	free(text);
	return 0;
}
