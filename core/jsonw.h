/*
 * jsonw.h - write JSON text directly into a fixed buffer, for lines on the
 * hot path (the audit log) where building a jansson tree first costs more
 * than the request.  Strings are escaped; bytes that are not UTF-8 become
 * U+FFFD, so the text is always valid JSON whatever it was given.
 */
#ifndef COFFER_JSONW_H
#define COFFER_JSONW_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

struct jsonw {
	char	*buf;
	size_t	 len, cap;
	size_t	 need;		/* the whole text's length, cut or not */
	int	 full;		/* something did not fit: the text is cut */
};

/* With CAP 0 (BUF may be NULL) nothing is written: NEED counts. */
void	 jsonw_init(struct jsonw *w, char *buf, size_t cap);
/* The N bytes at TEXT as they are: JSON checked already (a value read in
 * place with jsonr_walk(), say). */
void	 jsonw_rawn(struct jsonw *w, const char *text, size_t n);
/* Text copied as is: punctuation and member names.  Inline, so that a
 * literal's length is known when compiling. */
static inline void
jsonw_raw(struct jsonw *w, const char *text)
{
	jsonw_rawn(w, text, strlen(text));
}
/* A JSON string of the N bytes at S; null when S is NULL. */
void	 jsonw_str(struct jsonw *w, const char *s, size_t n);
/* The same for a NUL-terminated S. */
void	 jsonw_strz(struct jsonw *w, const char *s);
void	 jsonw_u64(struct jsonw *w, uint64_t v);
void	 jsonw_i64(struct jsonw *w, int64_t v);
/* A jansson value, compact, members in their order (as json_dumps()
 * with JSON_COMPACT writes it, without its per-node loop check: our
 * trees are built, not shared); -1 when nested deeper than
 * JSONW_DEPTH_MAX. */
#define JSONW_DEPTH_MAX	64
int	 jsonw_value(struct jsonw *w, const json_t *v);
/* The members of object V, without its braces: for text that adds
 * members after them. */
int	 jsonw_members(struct jsonw *w, const json_t *v);
/* V as text in memory from jansson's allocator (so the wiping free of
 * jsonmem_free_text() applies), its length in *LEN_R; NULL when out of
 * memory or too deep. */
char	*jsonw_dump(const json_t *v, size_t *len_r);
/* The same for whatever FN writes (called twice for a long text); NULL
 * when FN returns -1. */
typedef int (*jsonw_fn)(struct jsonw *w, const void *arg);
char	*jsonw_dump_fn(jsonw_fn fn, const void *arg, size_t *len_r);

/* Past the plain bytes from P (printable ASCII other than '"' and '\\',
 * which a JSON string holds as they are), up to END. */
const unsigned char *jsonw_plain(const unsigned char *p,
	    const unsigned char *end);
/* The length of the valid UTF-8 sequence at S (N bytes left), 0 if none. */
size_t	 jsonw_utf8_seq(const unsigned char *s, size_t n);
/* Cut S (NUL-terminated) before an incomplete sequence at its end, as a
 * byte limit leaves it. */
void	 jsonw_utf8_trim(char *s);

#endif
