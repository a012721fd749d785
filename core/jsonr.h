/*
 * jsonr.h - read JSON text into jansson values, for the hot path (every
 * request, every record read) where json_loadb() costs more than the rest
 * of the read: its lexer takes the text a byte at a time through a
 * callback and copies every string twice (about 25 ns a byte here).
 *
 * What it accepts, and the values it makes, are json_loadb()'s with the
 * same flags: RFC 8259 text with an object or an array at the top, UTF-8
 * checked, no \u0000, integers within json_int_t, reals that do not
 * overflow, at most JSON_PARSER_MAX_DEPTH levels (each value counts, as
 * jansson counts them).  One difference: a NUL byte is refused wherever
 * it is, where json_loadb() skips one that follows a number or a word.
 * check_jsonr and fuzz_request compare the two on every input they make.
 */
#ifndef COFFER_JSONR_H
#define COFFER_JSONR_H

#include <jansson.h>
#include <stddef.h>

/* FLAGS: 0 or JSON_REJECT_DUPLICATES.  On failure NULL, and ERR (when not
 * NULL) says what and where: position is the byte offset of the fault,
 * line and column count from 1 (the column in characters). */
json_t	*jsonr_load(const void *data, size_t len, size_t flags,
	    json_error_t *err);

/* How deeply the objects and arrays of the LEN bytes at DATA nest (the
 * top level is 1), counted until past LIMIT: a pass over the text before
 * parsing it, to refuse deep texts first.  Strings are skipped, not
 * checked. */
int	 jsonr_nesting(const void *data, size_t len, int limit);

/*
 * Read a JSON object in place, without making values (for a decrypted
 * record, whose text then goes into a reply as it is): check the text as
 * jsonr_load() with flags 0 would, and give FN each top-level member in
 * order, its key decoded (KEY is not NUL-terminated, and lives only for
 * the call) and its value as the text it spans.  0, or -1 with ERR set as
 * jsonr_load() sets it (the members before the fault were given to FN).
 */
struct jsonr_span {
	const char	*s;
	size_t		 len;
};
typedef void (*jsonr_member_fn)(void *arg, const char *key, size_t keylen,
	    const struct jsonr_span *value);
int	 jsonr_walk(const void *data, size_t len, jsonr_member_fn fn,
	    void *arg, json_error_t *err);

/*
 * Read a JSON array of strings in place (a service's secret names): check
 * it as jsonr_walk() checks an object, and give FN each string in order,
 * decoded (S is not NUL-terminated, and lives only for the call).  0, or
 * -1 with ERR set, also when an item is not a string.
 */
typedef void (*jsonr_string_fn)(void *arg, const char *s, size_t len);
int	 jsonr_strings(const void *data, size_t len, jsonr_string_fn fn,
	    void *arg, json_error_t *err);

#endif
