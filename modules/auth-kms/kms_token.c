/*
 * kms_token.c - kmsauth usernames, payloads and validity windows.  Pure
 * functions: no KMS, no clock of their own.
 */
#include "config.h"

#include <ctype.h>
#include <jansson.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "kms.h"

#define K_ERR(err, ...) snprintf((err)->msg, sizeof((err)->msg), __VA_ARGS__)

/* A name for a principal: printable, no '/', not empty. */
static int
kms_from_ok(const char *s, size_t n)
{
	if (n == 0 || n > KMS_FROM_MAX)
		return 0;
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x21 || s[i] == 0x7f || s[i] == '/')
			return 0;
	return 1;
}

int
kms_username_parse(const char *username, struct kms_username *u,
    struct coffer_error *err)
{
	const char *a, *b;

	memset(u, 0, sizeof(*u));
	if ((a = strchr(username, '/')) == NULL) {	/* v1: a service */
		u->version = 1;
		u->type = KMS_SERVICE;
		b = username;
	} else {
		if ((b = strchr(a + 1, '/')) == NULL ||
		    strchr(b + 1, '/') != NULL) {
			K_ERR(err, "unsupported username format");
			return -1;
		}
		if (a - username != 1 || !isdigit((unsigned char)username[0])) {
			K_ERR(err, "unsupported username format");
			return -1;
		}
		u->version = username[0] - '0';
		if (b - a - 1 == 7 && strncmp(a + 1, "service", 7) == 0)
			u->type = KMS_SERVICE;
		else if (b - a - 1 == 4 && strncmp(a + 1, "user", 4) == 0)
			u->type = KMS_USER;
		else {
			K_ERR(err, "unknown user type in the username");
			return -1;
		}
		b++;
	}
	if (!kms_from_ok(b, strlen(b))) {
		K_ERR(err, "the username's name is empty, too long or not "
		    "printable");
		return -1;
	}
	memcpy(u->from, b, strlen(b) + 1);
	return 0;
}

int64_t
kms_time_parse(const char *s)
{
	struct tm tm;
	const char *end;

	if (s == NULL || strlen(s) != 16)
		return -1;
	memset(&tm, 0, sizeof(tm));
	end = strptime(s, "%Y%m%dT%H%M%SZ", &tm);
	if (end == NULL || *end != '\0')
		return -1;
	return (int64_t)timegm(&tm);
}

int
kms_payload_parse(const char *plain, size_t len, struct kms_window *w,
    struct coffer_error *err)
{
	json_t *j = json_loadb(plain, len, 0, NULL);

	w->not_before = kms_time_parse(json_string_value(json_object_get(j,
	    "not_before")));
	w->not_after = kms_time_parse(json_string_value(json_object_get(j,
	    "not_after")));
	json_decref(j);
	if (w->not_before < 0 || w->not_after < 0) {
		K_ERR(err, "the token's payload has no valid not_before and "
		    "not_after");
		return -1;
	}
	return 0;
}

int
kms_window_check(const struct kms_window *w, int64_t now,
    int64_t max_lifetime_s, int64_t skew_s, struct coffer_error *err)
{
	/* In total seconds: kmsauth's timedelta.seconds drops whole days. */
	if (w->not_after - w->not_before > max_lifetime_s) {
		K_ERR(err, "the token's lifetime of %lld s is over the %lld s "
		    "allowed", (long long)(w->not_after - w->not_before),
		    (long long)max_lifetime_s);
		return -1;
	}
	if (now < w->not_before - skew_s) {
		K_ERR(err, "the token is not valid yet");
		return -1;
	}
	if (now > w->not_after + skew_s) {
		K_ERR(err, "the token has expired");
		return -1;
	}
	return 0;
}
