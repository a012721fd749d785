/*
 * kms.h - the auth_kms module's parts: kmsauth tokens (Lyft's format, as
 * Confidant's clients send them), validated with KMS Decrypt.
 *
 * A token is base64 of a KMS ciphertext of
 *	{"not_before": "%Y%m%dT%H%M%SZ", "not_after": "%Y%m%dT%H%M%SZ"}
 * encrypted under the encryption context {from, to} (version 1) or
 * {from, to, user_type} (version 2).  The username travels beside it:
 * "NAME" (v1, a service) or "2/service/NAME", "2/user/NAME" (v2).
 */
#ifndef COFFER_KMS_H
#define COFFER_KMS_H

#include <pthread.h>
#include <stdint.h>
#include <time.h>

#include "aws.h"
#include "coffer/module.h"

#define KMS_TOKEN_MAX		8192	/* base64 of KMS's 6,144-byte limit */
#define KMS_FROM_MAX		COFFER_NAME_MAX
#define KMS_KEYS_MAX		16
#define KMS_CONTEXT_MAX		8

enum kms_user_type {
	KMS_SERVICE = 0,
	KMS_USER = 1
};

/* A username, parsed. */
struct kms_username {
	int			 version;	/* 1 or 2 */
	enum kms_user_type	 type;
	char			 from[KMS_FROM_MAX + 1];
};

/* A validated token's window, in seconds since the epoch. */
struct kms_window {
	int64_t	 not_before, not_after;
};

/* One configured auth key: as written, and the ARN it resolves to. */
struct kms_key {
	char			*name;		/* alias/x, a key id or an ARN */
	char			*arn;
	enum kms_user_type	 type;
	char			*account;	/* scoped key: its account */
};

struct kms_cache;

struct kms {
	const struct coffer_host *host;
	struct aws_client	 aws;
	char			*to;
	struct kms_key		 keys[KMS_KEYS_MAX];
	size_t			 nkeys;
	char			*ctx_keys[KMS_CONTEXT_MAX];
	char			*ctx_values[KMS_CONTEXT_MAX];
	size_t			 nctx;
	int			 min_version, max_version;
	int			 allow_service, allow_user;
	int64_t			 max_lifetime_s, skew_s;
	struct kms_cache	*cache;
};

/* kms_token.c: parsing, no KMS. */
/* Parse USERNAME; 0, or -1 with the reason in ERR. */
int	 kms_username_parse(const char *username, struct kms_username *u,
	    struct coffer_error *err);
/* The payload's window from PLAIN (LEN bytes of JSON). */
int	 kms_payload_parse(const char *plain, size_t len, struct kms_window *w,
	    struct coffer_error *err);
/* Check W at NOW (seconds): lifetime at most MAX_LIFETIME_S, NOW within
 * [not_before - SKEW_S, not_after + SKEW_S].  0, or -1 with ERR. */
int	 kms_window_check(const struct kms_window *w, int64_t now,
	    int64_t max_lifetime_s, int64_t skew_s, struct coffer_error *err);
/* "%Y%m%dT%H%M%SZ" in seconds since the epoch; -1 if malformed. */
int64_t	 kms_time_parse(const char *s);

/* kms_cache.c: validated tokens, LRU. */
struct kms_cache *kms_cache_new(size_t size);
void	 kms_cache_free(struct kms_cache *c);
/* Look up (TOKEN, U): 1 and *W, *KEY on a hit. */
int	 kms_cache_get(struct kms_cache *c, const char *token,
	    const struct kms_username *u, struct kms_window *w,
	    const struct kms_key **key);
/* Is there perhaps an entry for (TOKEN, U)?  A hint, for answers_now():
 * 1 when one is cached (and, with odds of 2^-64 against, when not); never
 * a reason to trust TOKEN. */
int	 kms_cache_maybe(struct kms_cache *c, const char *token,
	    const struct kms_username *u);
void	 kms_cache_put(struct kms_cache *c, const char *token,
	    const struct kms_username *u, const struct kms_window *w,
	    const struct kms_key *key);
/*
 * Look up (TOKEN, U) for a request: KMS_HIT with *W and *KEY; or, on a
 * miss, KMS_LEAD: the caller asks KMS and must then call kms_cache_land()
 * with *F_R and the answer; or KMS_SHARED: another request was asking
 * KMS for the same token, and its answer is in *RC (with *W and *KEY when
 * COFFER_OK, the reason in ERR otherwise).
 */
struct kms_flight;
enum kms_lookup { KMS_HIT, KMS_LEAD, KMS_SHARED };
enum kms_lookup kms_cache_lookup(struct kms_cache *c, const char *token,
	    const struct kms_username *u, struct kms_window *w,
	    const struct kms_key **key, struct kms_flight **f_r,
	    enum coffer_rc *rc, struct coffer_error *err);
/* The answer for flight F (NULL: none to share): cached when COFFER_OK,
 * handed to every request waiting for it. */
void	 kms_cache_land(struct kms_cache *c, struct kms_flight *f,
	    const char *token, const struct kms_username *u,
	    enum coffer_rc rc, const struct kms_window *w,
	    const struct kms_key *key, const struct coffer_error *err);

/* kms_keys.c: configured keys. */
/* Resolve every key that is not an ARN with DescribeKey. */
enum coffer_rc kms_keys_resolve(struct kms *k, struct coffer_error *err);
/* The configured key of TYPE whose ARN is ARN, or NULL. */
const struct kms_key *kms_keys_match(const struct kms *k, const char *arn,
	    enum kms_user_type type);

/* kms_decrypt.c: calls to KMS (BODY is taken), and one token through
 * Decrypt: COFFER_OK with the window and the key, COFFER_DENIED with the
 * reason, COFFER_UNAVAILABLE when KMS could not say. */
enum coffer_rc kms_call(struct kms *k, const char *op, json_t *body,
	    struct aws_result *r, struct coffer_error *err);
enum coffer_rc kms_decrypt(struct kms *k, const char *token,
	    const struct kms_username *u, struct kms_window *w,
	    const struct kms_key **key, struct coffer_error *err);

#endif
