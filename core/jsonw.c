/*
 * jsonw.c - JSON text written straight into a buffer.
 */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "jsonw.h"

void
jsonw_init(struct jsonw *w, char *buf, size_t cap)
{
	w->buf = buf;
	w->len = 0;
	w->cap = cap;
	w->full = cap == 0;
	if (cap > 0)
		buf[0] = '\0';
}

static void
jsonw_put(struct jsonw *w, const char *s, size_t n)
{
	if (w->full || n >= w->cap - w->len) {
		w->full = 1;
		return;
	}
	memcpy(w->buf + w->len, s, n);
	w->len += n;
	w->buf[w->len] = '\0';
}

void
jsonw_raw(struct jsonw *w, const char *text)
{
	jsonw_put(w, text, strlen(text));
}

size_t
jsonw_utf8_seq(const unsigned char *s, size_t n)
{
	unsigned char c = s[0];
	size_t len;
	unsigned lo = 0x80, hi = 0xbf;	/* bounds of the second byte */

	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf)
		len = 2;
	else if (c >= 0xe0 && c <= 0xef)
		len = 3;
	else if (c >= 0xf0 && c <= 0xf4)
		len = 4;
	else
		return 0;	/* continuation, overlong lead, or beyond */
	if (c == 0xe0)
		lo = 0xa0;	/* overlong */
	else if (c == 0xed)
		hi = 0x9f;	/* surrogates */
	else if (c == 0xf0)
		lo = 0x90;	/* overlong */
	else if (c == 0xf4)
		hi = 0x8f;	/* beyond U+10FFFF */
	if (n < len || s[1] < lo || s[1] > hi)
		return 0;
	for (size_t i = 2; i < len; i++) {
		if (s[i] < 0x80 || s[i] > 0xbf)
			return 0;
	}
	return len;
}

void
jsonw_utf8_trim(char *s)
{
	size_t n = strlen(s), start = n;

	/* Back over continuation bytes to the lead of the last sequence. */
	while (start > 0 && n - start < 3 &&
	    ((unsigned char)s[start - 1] & 0xc0) == 0x80)
		start--;
	if (start == 0 || (unsigned char)s[start - 1] < 0x80)
		return;		/* ends in ASCII (stray bytes: jsonw_str) */
	start--;
	if (jsonw_utf8_seq((const unsigned char *)s + start, n - start) !=
	    n - start)
		s[start] = '\0';
}

/* The escape for byte C, or NULL when it stands for itself. */
static const char *
jsonw_escape(unsigned char c, char tmp[7])
{
	switch (c) {
	case '"':	return "\\\"";
	case '\\':	return "\\\\";
	case '\n':	return "\\n";
	case '\r':	return "\\r";
	case '\t':	return "\\t";
	default:
		if (c >= 0x20)
			return NULL;
		snprintf(tmp, 7, "\\u%04x", c);
		return tmp;
	}
}

void
jsonw_str(struct jsonw *w, const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0, run = 0;
	char tmp[7];

	if (s == NULL) {
		jsonw_raw(w, "null");
		return;
	}
	jsonw_put(w, "\"", 1);
	while (i < n) {
		size_t seq = jsonw_utf8_seq(p + i, n - i);
		const char *esc = seq == 1 ? jsonw_escape(p[i], tmp) :
		    seq == 0 ? "\xef\xbf\xbd" : NULL;

		if (esc == NULL) {	/* extend the run copied as is */
			run += seq;
			i += seq;
			continue;
		}
		jsonw_put(w, s + i - run, run);
		jsonw_raw(w, esc);
		run = 0;
		i++;
	}
	jsonw_put(w, s + i - run, run);
	jsonw_put(w, "\"", 1);
}

void
jsonw_strz(struct jsonw *w, const char *s)
{
	jsonw_str(w, s, s ? strlen(s) : 0);
}

void
jsonw_u64(struct jsonw *w, uint64_t v)
{
	char num[24];

	jsonw_put(w, num, (size_t)snprintf(num, sizeof(num), "%" PRIu64, v));
}

void
jsonw_i64(struct jsonw *w, int64_t v)
{
	char num[24];

	jsonw_put(w, num, (size_t)snprintf(num, sizeof(num), "%" PRId64, v));
}
