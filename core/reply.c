/*
 * reply.c - build reply messages.
 */
#include "config.h"

#include "jsonw.h"
#include "reply.h"
#include "request.h"

static char *
reply_dump(json_t *reply, size_t *len_r)
{
	char *text;

	if (reply == NULL)
		return NULL;
	text = jsonw_dump(reply, len_r);
	json_decref(reply);
	return text;
}

char *
reply_ok(json_t *id, json_t *result, size_t *len_r)
{
	return reply_dump(json_pack("{s:i, s:O?, s:b, s:o}", "v",
	    REQUEST_VERSION, "id", id, "ok", 1, "result", result), len_r);
}

/* Messages may quote request text cut at a byte limit: keep them ASCII so
 * the reply is always valid JSON. */
static void
reply_ascii(char *dst, size_t size, const char *src)
{
	size_t i;

	for (i = 0; i + 1 < size && src[i] != '\0'; i++) {
		unsigned char c = (unsigned char)src[i];

		dst[i] = (c < 0x20 || c > 0x7e) ? '?' : (char)c;
	}
	dst[i] = '\0';
}

char *
reply_error(json_t *id, enum errcode code, const char *message,
    size_t *len_r)
{
	char text[512];

	reply_ascii(text, sizeof(text), message);
	return reply_dump(json_pack("{s:i, s:O?, s:b, s:{s:s, s:s}}", "v",
	    REQUEST_VERSION, "id", id, "ok", 0, "error", "code",
	    errcode_name(code), "message", text), len_r);
}
