/*
 * reply.c - build reply messages.
 */
#include "config.h"

#include "jsonmem.h"
#include "jsonw.h"
#include "reply.h"
#include "request.h"

/* A reply's parts, written directly (no tree for the envelope): "v",
 * "id", "ok", then "result" or "error". */
struct reply_parts {
	const json_t	*id;		/* or NULL: null */
	int		 ok;
	const json_t	*result;	/* when ok: a tree, */
	const char	*text;		/* or its text */
	size_t		 textlen;
	const char	*code;		/* when not */
	const char	*message;
};

static int
reply_write(struct jsonw *w, const void *arg)
{
	const struct reply_parts *p = arg;

	jsonw_raw(w, "{\"v\":");
	jsonw_i64(w, REQUEST_VERSION);
	jsonw_raw(w, ",\"id\":");
	if (jsonw_value(w, p->id) < 0)
		return -1;
	if (p->ok) {
		jsonw_raw(w, ",\"ok\":true,\"result\":");
		if (p->text != NULL)
			jsonw_rawn(w, p->text, p->textlen);
		else if (jsonw_value(w, p->result) < 0)
			return -1;
	} else {
		jsonw_raw(w, ",\"ok\":false,\"error\":{\"code\":");
		jsonw_strz(w, p->code);
		jsonw_raw(w, ",\"message\":");
		jsonw_strz(w, p->message);
		jsonw_raw(w, "}");
	}
	jsonw_raw(w, "}");
	return 0;
}

char *
reply_ok(json_t *id, json_t *result, size_t *len_r)
{
	struct reply_parts p = { .id = id, .ok = 1, .result = result };
	char *text = NULL;

	if (result != NULL)
		text = jsonw_dump_fn(reply_write, &p, len_r);
	json_decref(result);
	return text;
}

char *
reply_ok_text(json_t *id, char *text, size_t textlen, size_t *len_r)
{
	struct reply_parts p = { .id = id, .ok = 1, .text = text,
	    .textlen = textlen };
	char *reply = NULL;

	if (text != NULL)
		reply = jsonw_dump_fn(reply_write, &p, len_r);
	jsonmem_free_text(text);
	return reply;
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
	struct reply_parts p = { .id = id, .code = errcode_name(code),
	    .message = text };

	reply_ascii(text, sizeof(text), message);
	return jsonw_dump_fn(reply_write, &p, len_r);
}
