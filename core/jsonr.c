/*
 * jsonr.c - read JSON text into jansson values (see jsonr.h).
 *
 * One pass over the text in memory: strings without escapes go to jansson
 * straight from the text (one copy, jansson's); strings with escapes are
 * decoded into a buffer first, wiped after, since they may hold secrets.
 */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <locale.h>
#include <math.h>
#include <pthread.h>
#include <sodium.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jsonr.h"
#include "jsonw.h"

#define JSONR_BUF	256	/* decoded strings and reals this short stay
				 * on the stack */

_Static_assert(sizeof(json_int_t) == sizeof(int64_t),
    "json_int_t is 64 bits");

struct jsonr {
	const unsigned char	*start, *p, *end;
	size_t			 flags;
	int			 depth;
	int			 skip;	/* check only: no values made */
	json_error_t		*err;
};

/* A string's text between its quotes, as scanned. */
struct jsonr_str {
	const unsigned char	*s;
	size_t			 len;
	int			 escaped;
};

static json_t	*jsonr_value(struct jsonr *r);

/* Say what is wrong at AT (the first fault only); NULL, for returning. */
static void *
jsonr_fail(struct jsonr *r, const unsigned char *at, const char *fmt, ...)
{
	json_error_t *e = r->err;
	va_list ap;

	if (e == NULL || e->text[0] != '\0')
		return NULL;
	va_start(ap, fmt);
	vsnprintf(e->text, sizeof(e->text), fmt, ap);
	va_end(ap);
	e->position = (int)(at - r->start);
	e->line = 1;
	e->column = 0;
	for (const unsigned char *p = r->start; p < at; p++) {
		if (*p == '\n') {
			e->line++;
			e->column = 0;
		} else if ((*p & 0xC0) != 0x80) {
			e->column++;
		}
	}
	e->column++;
	return NULL;
}

static int
jsonr_digit(unsigned char c)
{
	return c >= '0' && c <= '9';
}

static int
jsonr_hex(unsigned char c)
{
	if (jsonr_digit(c))
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static void
jsonr_ws(struct jsonr *r)
{
	while (r->p < r->end && (*r->p == ' ' || *r->p == '\n' ||
	    *r->p == '\r' || *r->p == '\t'))
		r->p++;
}

/* The escape at P (a backslash) is well formed: its length, or 0. */
static size_t
jsonr_escape_len(const unsigned char *p, const unsigned char *end)
{
	if (end - p < 2)
		return 0;
	if (strchr("\"\\/bfnrt", p[1]) != NULL && p[1] != '\0')
		return 2;
	if (p[1] != 'u' || end - p < 6)
		return 0;
	for (int i = 2; i < 6; i++) {
		if (jsonr_hex(p[i]) < 0)
			return 0;
	}
	return 6;
}

/* Check the string whose opening quote r->p is on and find its end;
 * r->p ends past the closing quote. */
static int
jsonr_scan(struct jsonr *r, struct jsonr_str *str)
{
	const unsigned char *p = r->p + 1, *end = r->end;
	size_t n;

	str->s = p;
	str->escaped = 0;
	for (;;) {
		p = jsonw_plain(p, end);
		if (p == end) {
			jsonr_fail(r, p, "premature end of input in a string");
			return -1;
		}
		if (*p == '"')
			break;
		if (*p == '\\') {
			if ((n = jsonr_escape_len(p, end)) == 0) {
				jsonr_fail(r, p, "invalid escape");
				return -1;
			}
			str->escaped = 1;
		} else if (*p < 0x20) {
			jsonr_fail(r, p, "control character 0x%x", *p);
			return -1;
		} else if ((n = jsonw_utf8_seq(p, (size_t)(end - p))) == 0) {
			jsonr_fail(r, p, "unable to decode byte 0x%x", *p);
			return -1;
		}
		p += n;
	}
	str->len = (size_t)(p - str->s);
	r->p = p + 1;
	return 0;
}

static uint32_t
jsonr_hex4(const unsigned char *p)
{
	return (uint32_t)(jsonr_hex(p[0]) << 12 | jsonr_hex(p[1]) << 8 |
	    jsonr_hex(p[2]) << 4 | jsonr_hex(p[3]));
}

static char *
jsonr_put_utf8(char *t, uint32_t v)
{
	if (v < 0x80) {
		*t++ = (char)v;
	} else if (v < 0x800) {
		*t++ = (char)(0xC0 | v >> 6);
		*t++ = (char)(0x80 | (v & 0x3F));
	} else if (v < 0x10000) {
		*t++ = (char)(0xE0 | v >> 12);
		*t++ = (char)(0x80 | (v >> 6 & 0x3F));
		*t++ = (char)(0x80 | (v & 0x3F));
	} else {
		*t++ = (char)(0xF0 | v >> 18);
		*t++ = (char)(0x80 | (v >> 12 & 0x3F));
		*t++ = (char)(0x80 | (v >> 6 & 0x3F));
		*t++ = (char)(0x80 | (v & 0x3F));
	}
	return t;
}

/* The code point of the \u escape at *PP (two, for a surrogate pair),
 * moving *PP past it; -1 when it is not a character or is U+0000. */
static int32_t
jsonr_unicode(struct jsonr *r, const unsigned char **pp,
    const unsigned char *end)
{
	const unsigned char *p = *pp;
	uint32_t v = jsonr_hex4(p + 2), lo;

	*pp = p + 6;
	if (v >= 0xD800 && v <= 0xDBFF) {
		if (end - *pp < 6 || (*pp)[0] != '\\' || (*pp)[1] != 'u' ||
		    (lo = jsonr_hex4(*pp + 2)) < 0xDC00 || lo > 0xDFFF) {
			jsonr_fail(r, p, "invalid Unicode '\\u%04X'", v);
			return -1;
		}
		*pp += 6;
		return (int32_t)(((v - 0xD800) << 10) + (lo - 0xDC00) +
		    0x10000);
	}
	if (v >= 0xDC00 && v <= 0xDFFF) {
		jsonr_fail(r, p, "invalid Unicode '\\u%04X'", v);
		return -1;
	}
	if (v == 0) {
		jsonr_fail(r, p, "\\u0000 is not allowed");
		return -1;
	}
	return (int32_t)v;
}

/* Decode STR's escapes into OUT (room for str->len bytes, never more
 * than the text); the decoded length, or -1. */
static long
jsonr_unescape(struct jsonr *r, const struct jsonr_str *str, char *out)
{
	const unsigned char *p = str->s, *end = str->s + str->len;
	static const char from[] = "\"\\/bfnrt", to[] = "\"\\/\b\f\n\r\t";
	char *t = out;
	int32_t v;

	while (p < end) {
		if (*p != '\\') {
			*t++ = (char)*p++;
		} else if (p[1] != 'u') {
			*t++ = to[strchr(from, p[1]) - from];
			p += 2;
		} else if ((v = jsonr_unicode(r, &p, end)) < 0) {
			return -1;
		} else {
			t = jsonr_put_utf8(t, (uint32_t)v);
		}
	}
	return (long)(t - out);
}

/*
 * Run FN on STR's text: in place when it has no escapes, else decoded into
 * a buffer that is wiped after.  FN's result, or NULL.
 */
typedef void *(*jsonr_text_fn)(void *arg, const char *s, size_t len);

static void *
jsonr_with_text(struct jsonr *r, const struct jsonr_str *str,
    jsonr_text_fn fn, void *arg)
{
	char stack[JSONR_BUF], *buf = stack;
	void *v = NULL;
	long n;

	if (!str->escaped)
		return fn(arg, (const char *)str->s, str->len);
	if (str->len > sizeof(stack) && (buf = malloc(str->len)) == NULL)
		return jsonr_fail(r, str->s, "out of memory");
	if ((n = jsonr_unescape(r, str, buf)) >= 0)
		v = fn(arg, buf, (size_t)n);
	sodium_memzero(buf, str->len);
	if (buf != stack)
		free(buf);
	return v;
}

/* A value in skip mode: only checked, so nothing to make. */
#define JSONR_CHECKED	json_null()

static void *
jsonr_make_string(void *arg, const char *s, size_t len)
{
	const struct jsonr *r = arg;

	return r->skip ? JSONR_CHECKED : json_stringn_nocheck(s, len);
}

static json_t *
jsonr_string(struct jsonr *r)
{
	struct jsonr_str str;

	if (jsonr_scan(r, &str) < 0)
		return NULL;
	return jsonr_with_text(r, &str, jsonr_make_string, r);
}

static json_t *
jsonr_integer(struct jsonr *r, const unsigned char *s,
    const unsigned char *end)
{
	int neg = *s == '-';
	uint64_t limit = neg ? (uint64_t)INT64_MAX + 1 : INT64_MAX, v = 0;

	for (const unsigned char *p = s + neg; p < end; p++) {
		unsigned d = (unsigned)(*p - '0');

		if (v > (limit - d) / 10)
			return jsonr_fail(r, s, neg ? "too big negative "
			    "integer" : "too big integer");
		v = v * 10 + d;
	}
	if (r->skip)
		return JSONR_CHECKED;
	if (!neg)
		return json_integer((json_int_t)v);
	return json_integer(v == limit ? INT64_MIN : -(json_int_t)v);
}

static locale_t jsonr_c_locale;

static void
jsonr_c_locale_init(void)
{
	jsonr_c_locale = newlocale(LC_NUMERIC_MASK, "C", (locale_t)0);
}

/* strtod() of the text from S to END in the C locale, whatever the
 * process's is (and without touching it: workers run this at once). */
static json_t *
jsonr_real(struct jsonr *r, const unsigned char *s, const unsigned char *end)
{
	static pthread_once_t once = PTHREAD_ONCE_INIT;
	char stack[JSONR_BUF], *buf = stack;
	size_t n = (size_t)(end - s);
	json_t *v = NULL;
	double d;

	pthread_once(&once, jsonr_c_locale_init);
	if (jsonr_c_locale == (locale_t)0 ||
	    (n >= sizeof(stack) && (buf = malloc(n + 1)) == NULL))
		return jsonr_fail(r, s, "out of memory");
	memcpy(buf, s, n);
	buf[n] = '\0';
	errno = 0;
	d = strtod_l(buf, NULL, jsonr_c_locale);
	if (errno == ERANGE && isinf(d))
		jsonr_fail(r, s, "real number overflow");
	else
		v = r->skip ? JSONR_CHECKED : json_real(d);
	if (buf != stack)
		free(buf);
	return v;
}

static const unsigned char *
jsonr_digits(const unsigned char *p, const unsigned char *end)
{
	while (p < end && jsonr_digit(*p))
		p++;
	return p;
}

static json_t *
jsonr_number(struct jsonr *r)
{
	const unsigned char *s = r->p, *p = s, *end = r->end, *q;
	int real = 0;

	if (*p == '-')
		p++;
	if (p == end || !jsonr_digit(*p) ||
	    (*p == '0' && p + 1 < end && jsonr_digit(p[1])))
		return jsonr_fail(r, s, "invalid number");
	p = jsonr_digits(p, end);
	if (p < end && *p == '.') {
		if ((q = jsonr_digits(p + 1, end)) == p + 1)
			return jsonr_fail(r, s, "invalid number");
		p = q, real = 1;
	}
	if (p < end && (*p == 'e' || *p == 'E')) {
		p++;
		if (p < end && (*p == '+' || *p == '-'))
			p++;
		if ((q = jsonr_digits(p, end)) == p)
			return jsonr_fail(r, s, "invalid number");
		p = q, real = 1;
	}
	r->p = p;
	return real ? jsonr_real(r, s, p) : jsonr_integer(r, s, p);
}

static json_t *
jsonr_word(struct jsonr *r, const char *word, json_t *v)
{
	size_t n = strlen(word);

	if ((size_t)(r->end - r->p) < n || memcmp(r->p, word, n) != 0)
		return jsonr_fail(r, r->p, "invalid token");
	r->p += n;
	return v;
}

/* A member whose value is read, for adding under its key. */
struct jsonr_member {
	struct jsonr	*r;
	json_t		*obj;
	json_t		*value;
	const unsigned char *at;	/* the key, for messages */
};

static void *
jsonr_add_member(void *arg, const char *key, size_t len)
{
	struct jsonr_member *m = arg;
	json_t *v = m->value;

	if (m->r->skip)
		return m->obj;

	if ((m->r->flags & JSON_REJECT_DUPLICATES) &&
	    json_object_getn(m->obj, key, len) != NULL)
		return jsonr_fail(m->r, m->at, "duplicate object key");
	m->value = NULL;	/* taken, even when setting fails */
	if (json_object_setn_new_nocheck(m->obj, key, len, v) < 0)
		return NULL;
	return m->obj;
}

/* The key at r->p, ':' and the value; the key's text is decoded after
 * the value is read, so no buffer lives across the recursion. */
static json_t *
jsonr_member(struct jsonr_member *m)
{
	struct jsonr *r = m->r;
	struct jsonr_str key;

	jsonr_ws(r);
	m->at = r->p;
	if (r->p == r->end || *r->p != '"')
		return jsonr_fail(r, r->p, "string or '}' expected");
	if (jsonr_scan(r, &key) < 0)
		return NULL;
	jsonr_ws(r);
	if (r->p == r->end || *r->p != ':')
		return jsonr_fail(r, r->p, "':' expected");
	r->p++;
	if ((m->value = jsonr_value(r)) == NULL)
		return NULL;
	if (jsonr_with_text(r, &key, jsonr_add_member, m) != NULL)
		return m->obj;
	json_decref(m->value);	/* a duplicate, or a key that did not decode */
	m->value = NULL;
	return NULL;
}

/* After a member or an element: ',' (1), CLOSE (0), else -1. */
static int
jsonr_next(struct jsonr *r, char close, const char *what)
{
	jsonr_ws(r);
	if (r->p < r->end && (*r->p == ',' || *r->p == close))
		return *r->p++ == ',';
	jsonr_fail(r, r->p, "%s expected", what);
	return -1;
}

static json_t *
jsonr_object(struct jsonr *r)
{
	struct jsonr_member m = { r, r->skip ? JSONR_CHECKED : json_object(),
	    NULL, NULL };
	int more = 1;

	r->p++;
	jsonr_ws(r);
	if (r->p < r->end && *r->p == '}') {
		r->p++;
		return m.obj;
	}
	while (m.obj != NULL && more == 1) {
		if (jsonr_member(&m) == NULL)
			break;
		more = jsonr_next(r, '}', "',' or '}'");
	}
	if (more != 0) {
		json_decref(m.obj);
		return NULL;
	}
	return m.obj;
}

static json_t *
jsonr_array(struct jsonr *r)
{
	json_t *a = r->skip ? JSONR_CHECKED : json_array(), *v;
	int more = 1;

	r->p++;
	jsonr_ws(r);
	if (r->p < r->end && *r->p == ']') {
		r->p++;
		return a;
	}
	while (a != NULL && more == 1) {
		if ((v = jsonr_value(r)) == NULL ||
		    (!r->skip && json_array_append_new(a, v) < 0))
			break;
		more = jsonr_next(r, ']', "',' or ']'");
	}
	if (more != 0) {
		json_decref(a);
		return NULL;
	}
	return a;
}

static json_t *
jsonr_value(struct jsonr *r)
{
	json_t *v;

	jsonr_ws(r);
	if (r->p == r->end)
		return jsonr_fail(r, r->p, "premature end of input");
	if (++r->depth > JSON_PARSER_MAX_DEPTH)
		return jsonr_fail(r, r->p, "maximum parsing depth reached");
	switch (*r->p) {
	case '{':
		v = jsonr_object(r);
		break;
	case '[':
		v = jsonr_array(r);
		break;
	case '"':
		v = jsonr_string(r);
		break;
	case 't':
		v = jsonr_word(r, "true", json_true());
		break;
	case 'f':
		v = jsonr_word(r, "false", json_false());
		break;
	case 'n':
		v = jsonr_word(r, "null", json_null());
		break;
	default:
		if (*r->p == '-' || jsonr_digit(*r->p))
			v = jsonr_number(r);
		else
			v = jsonr_fail(r, r->p, "invalid token");
		break;
	}
	r->depth--;
	return v;
}

json_t *
jsonr_load(const void *data, size_t len, size_t flags, json_error_t *err)
{
	struct jsonr r = {
		.start = data, .p = data, .end = (const unsigned char *)data +
		    len, .flags = flags, .err = err,
	};
	json_t *v;

	if (err != NULL) {
		memset(err, 0, sizeof(*err));
		snprintf(err->source, sizeof(err->source), "<buffer>");
	}
	jsonr_ws(&r);
	if (r.p == r.end || (*r.p != '{' && *r.p != '['))
		return jsonr_fail(&r, r.p, "'[' or '{' expected");
	if ((v = jsonr_value(&r)) == NULL)
		return NULL;
	jsonr_ws(&r);
	if (r.p != r.end) {
		json_decref(v);
		return jsonr_fail(&r, r.p, "end of input expected");
	}
	return v;
}

int
jsonr_nesting(const void *data, size_t len, int limit)
{
	const unsigned char *p = data, *end = p + len;
	int depth = 0, max = 0;

	while (p < end && max <= limit) {
		switch (*p++) {
		case '"':
			while ((p = jsonw_plain(p, end)) < end && *p != '"')
				p += *p == '\\' && end - p > 1 ? 2 : 1;
			p += p < end;
			break;
		case '{':
		case '[':
			if (++depth > max)
				max = depth;
			break;
		case '}':
		case ']':
			depth--;
			break;
		default:
			break;
		}
	}
	return max;
}

/* A member being walked: its value's text, and where its key goes. */
struct jsonr_walk {
	jsonr_member_fn		 fn;
	void			*arg;
	struct jsonr_span	 value;
};

static void *
jsonr_walk_key(void *arg, const char *key, size_t len)
{
	struct jsonr_walk *wk = arg;

	wk->fn(wk->arg, key, len, &wk->value);
	return wk;
}

/* The member at r->p: key, ':' and value, checked; then FN. */
static int
jsonr_walk_member(struct jsonr *r, struct jsonr_walk *wk)
{
	struct jsonr_str key;

	jsonr_ws(r);
	if (r->p == r->end || *r->p != '"') {
		jsonr_fail(r, r->p, "string or '}' expected");
		return -1;
	}
	if (jsonr_scan(r, &key) < 0)
		return -1;
	jsonr_ws(r);
	if (r->p == r->end || *r->p != ':') {
		jsonr_fail(r, r->p, "':' expected");
		return -1;
	}
	r->p++;
	jsonr_ws(r);
	wk->value.s = (const char *)r->p;
	if (jsonr_value(r) == NULL)
		return -1;
	wk->value.len = (size_t)((const char *)r->p - wk->value.s);
	return jsonr_with_text(r, &key, jsonr_walk_key, wk) != NULL ? 0 : -1;
}

/* Start reading the LEN bytes at DATA in place, as one OPEN ... CLOSE
 * container: 1 when a first item follows, 0 when it is empty, -1. */
static int
jsonr_open(struct jsonr *r, const void *data, size_t len, json_error_t *err,
    char open, char close)
{
	*r = (struct jsonr){
		.start = data, .p = data, .end = (const unsigned char *)data +
		    len, .err = err, .skip = 1, .depth = 1,
	};
	if (err != NULL) {
		memset(err, 0, sizeof(*err));
		snprintf(err->source, sizeof(err->source), "<buffer>");
	}
	jsonr_ws(r);
	if (r->p == r->end || *r->p != open) {
		jsonr_fail(r, r->p, "'%c' expected", open);
		return -1;
	}
	r->p++;
	jsonr_ws(r);
	if (r->p < r->end && *r->p == close) {
		r->p++;
		return 0;
	}
	return 1;
}

/* The end of a container read in place (MORE as jsonr_next() left it):
 * 0 when nothing follows it, or -1. */
static int
jsonr_end(struct jsonr *r, int more)
{
	jsonr_ws(r);
	if (more == 0 && r->p != r->end) {
		jsonr_fail(r, r->p, "end of input expected");
		return -1;
	}
	return more == 0 ? 0 : -1;
}

int
jsonr_walk(const void *data, size_t len, jsonr_member_fn fn, void *arg,
    json_error_t *err)
{
	struct jsonr_walk wk = { fn, arg, { NULL, 0 } };
	struct jsonr r;
	int more = jsonr_open(&r, data, len, err, '{', '}');

	while (more == 1) {
		if (jsonr_walk_member(&r, &wk) < 0)
			return -1;
		more = jsonr_next(&r, '}', "',' or '}'");
	}
	return jsonr_end(&r, more);
}

/* A string being read in place, and where it goes. */
struct jsonr_each {
	jsonr_string_fn	 fn;
	void		*arg;
};

static void *
jsonr_each_string(void *arg, const char *s, size_t len)
{
	struct jsonr_each *each = arg;

	each->fn(each->arg, s, len);
	return each;
}

int
jsonr_strings(const void *data, size_t len, jsonr_string_fn fn, void *arg,
    json_error_t *err)
{
	struct jsonr_each each = { fn, arg };
	struct jsonr_str str;
	struct jsonr r;
	int more = jsonr_open(&r, data, len, err, '[', ']');

	while (more == 1) {
		jsonr_ws(&r);
		if (r.p == r.end || *r.p != '"') {
			jsonr_fail(&r, r.p, "string expected");
			return -1;
		}
		if (jsonr_scan(&r, &str) < 0 ||
		    jsonr_with_text(&r, &str, jsonr_each_string, &each) == NULL)
			return -1;
		more = jsonr_next(&r, ']', "',' or ']'");
	}
	return jsonr_end(&r, more);
}
