/*
 * jsonw.c - JSON text written straight into a buffer: lines built field by
 * field (the audit log), and whole jansson trees (replies), which
 * json_dumps() writes at several times the cost (a callback and a buffer
 * append per piece, and a hash-table entry per object to catch loops).
 */
#include "config.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jsonw.h"

void
jsonw_init(struct jsonw *w, char *buf, size_t cap)
{
	w->buf = buf;
	w->len = 0;
	w->need = 0;
	w->cap = cap;
	w->full = cap == 0;
	if (cap > 0)
		buf[0] = '\0';
}

static void
jsonw_put(struct jsonw *w, const char *s, size_t n)
{
	w->need += n;
	if (w->full || n >= w->cap - w->len) {
		w->full = 1;
		return;
	}
	memcpy(w->buf + w->len, s, n);
	w->len += n;
	w->buf[w->len] = '\0';
}

void
jsonw_rawn(struct jsonw *w, const char *text, size_t n)
{
	jsonw_put(w, text, n);
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

/* Past the plain bytes at P (printable ASCII other than '"' and '\\'):
 * eight at a time while a word holds none of the others (the tests of
 * "Bit Twiddling Hacks": a byte below 0x20, one with its high bit set, or
 * one equal to '"' or '\\' sets that byte's high bit, and maybe others
 * after it, which only sends the word to the byte loop), then one by
 * one. */
const unsigned char *
jsonw_plain(const unsigned char *p, const unsigned char *end)
{
	const uint64_t ones = 0x0101010101010101ULL;
	const uint64_t highs = 0x8080808080808080ULL;
	uint64_t v, q, b;

	while (end - p >= 8) {
		memcpy(&v, p, 8);
		q = v ^ ones * '"';
		b = v ^ ones * '\\';
		if ((((v - ones * 0x20) & ~v) | v | ((q - ones) & ~q) |
		    ((b - ones) & ~b)) & highs)
			break;
		p += 8;
	}
	while (p < end && *p >= 0x20 && *p < 0x80 && *p != '"' && *p != '\\')
		p++;
	return p;
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
		const unsigned char *q = jsonw_plain(p + i, p + n);
		const char *esc;
		size_t seq;

		run += (size_t)(q - (p + i));	/* the common case, as is */
		if ((i = (size_t)(q - p)) == n)
			break;
		seq = jsonw_utf8_seq(p + i, n - i);
		esc = seq == 1 ? jsonw_escape(p[i], tmp) : seq == 0 ?
		    "\xef\xbf\xbd" : NULL;
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
	char num[24], *p = num + sizeof(num);

	do {
		*--p = (char)('0' + v % 10);
	} while ((v /= 10) != 0);
	jsonw_put(w, p, (size_t)(num + sizeof(num) - p));
}

void
jsonw_i64(struct jsonw *w, int64_t v)
{
	if (v < 0) {
		jsonw_put(w, "-", 1);
		jsonw_u64(w, -(uint64_t)v);	/* INT64_MIN too */
		return;
	}
	jsonw_u64(w, (uint64_t)v);
}

/* As jansson writes a real: enough digits to read back the same double
 * (at most 24 characters; jansson holds no infinities or NaNs), and a '.'
 * or an exponent so that it does not read back as an integer. */
static void
jsonw_real(struct jsonw *w, double v)
{
	char num[40];
	int n = snprintf(num, sizeof(num), "%.17g", v);

	if (strpbrk(num, ".e") == NULL)
		n += snprintf(num + n, sizeof(num) - (size_t)n, ".0");
	jsonw_put(w, num, (size_t)n);
}

static int jsonw_node(struct jsonw *, const json_t *, int);

static int
jsonw_object_members(struct jsonw *w, const json_t *v, int depth)
{
	const char *key;
	size_t i = 0;
	json_t *m;

	json_object_foreach((json_t *)v, key, m) {
		if (i++ > 0)
			jsonw_put(w, ",", 1);
		jsonw_strz(w, key);
		jsonw_put(w, ":", 1);
		if (jsonw_node(w, m, depth + 1) < 0)
			return -1;
	}
	return 0;
}

static int
jsonw_object(struct jsonw *w, const json_t *v, int depth)
{
	jsonw_put(w, "{", 1);
	if (jsonw_object_members(w, v, depth) < 0)
		return -1;
	jsonw_put(w, "}", 1);
	return 0;
}

static int
jsonw_array(struct jsonw *w, const json_t *v, int depth)
{
	size_t n = json_array_size(v);

	jsonw_put(w, "[", 1);
	for (size_t i = 0; i < n; i++) {
		if (i > 0)
			jsonw_put(w, ",", 1);
		if (jsonw_node(w, json_array_get(v, i), depth + 1) < 0)
			return -1;
	}
	jsonw_put(w, "]", 1);
	return 0;
}

static int
jsonw_node(struct jsonw *w, const json_t *v, int depth)
{
	if (depth > JSONW_DEPTH_MAX)
		return -1;
	switch (json_typeof(v)) {
	case JSON_OBJECT:
		return jsonw_object(w, v, depth);
	case JSON_ARRAY:
		return jsonw_array(w, v, depth);
	case JSON_STRING:
		jsonw_str(w, json_string_value(v), json_string_length(v));
		return 0;
	case JSON_INTEGER:
		jsonw_i64(w, json_integer_value(v));
		return 0;
	case JSON_REAL:
		jsonw_real(w, json_real_value(v));
		return 0;
	case JSON_TRUE:
		jsonw_raw(w, "true");
		return 0;
	case JSON_FALSE:
		jsonw_raw(w, "false");
		return 0;
	default:
		jsonw_raw(w, "null");
		return 0;
	}
}

int
jsonw_value(struct jsonw *w, const json_t *v)
{
	if (v == NULL) {
		jsonw_raw(w, "null");
		return 0;
	}
	return jsonw_node(w, v, 1);
}

int
jsonw_members(struct jsonw *w, const json_t *v)
{
	return jsonw_object_members(w, v, 1);
}

/* Replies up to this size are written once, into the stack, and copied
 * out; a larger one is written again, into memory of the size counted. */
#define JSONW_STACK	8192

/* What FN writes, into memory of exactly its size from jansson's
 * allocator: a reply may hold secrets, so it is never grown by copying,
 * and the stack it went through is wiped. */
char *
jsonw_dump_fn(jsonw_fn fn, const void *arg, size_t *len_r)
{
	char stack[JSONW_STACK], *text = NULL;
	json_malloc_t alloc;
	struct jsonw w;
	size_t used;

	json_get_alloc_funcs(&alloc, NULL);
	jsonw_init(&w, stack, sizeof(stack));
	if (fn(&w, arg) == 0 && (text = alloc(w.need + 1)) != NULL)
		*len_r = w.need;
	used = w.len + 1;	/* what reached the stack, with its NUL */
	if (text != NULL && !w.full) {
		memcpy(text, stack, used);
	} else if (text != NULL) {
		jsonw_init(&w, text, *len_r + 1);
		fn(&w, arg);
	}
	sodium_memzero(stack, used);
	return text;
}

static int
jsonw_value_fn(struct jsonw *w, const void *v)
{
	return jsonw_value(w, v);
}

char *
jsonw_dump(const json_t *v, size_t *len_r)
{
	return jsonw_dump_fn(jsonw_value_fn, v, len_r);
}
