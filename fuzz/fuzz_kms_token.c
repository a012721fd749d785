/*
 * fuzz_kms_token.c - libFuzzer target: what auth_kms reads from a client
 * (modules/auth-kms/kms_token.c): the kmsauth username, and the token's
 * decrypted payload and its times.  The first byte picks which.
 */
#include "config.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "kms.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct coffer_error err;
	struct kms_username u;
	struct kms_window w;
	char *text;

	if (size < 1 || (text = malloc(size)) == NULL)
		return 0;
	memcpy(text, data + 1, size - 1);
	text[size - 1] = '\0';
	switch (data[0] % 3) {
	case 0:
		(void)kms_username_parse(text, &u, &err);
		break;
	case 1:
		if (kms_payload_parse(text, size - 1, &w, &err) == 0)
			(void)kms_window_check(&w, 1700000000, 3600, 60, &err);
		break;
	default:
		(void)kms_time_parse(text);
	}
	free(text);
	return 0;
}
