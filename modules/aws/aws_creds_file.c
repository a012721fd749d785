/*
 * aws_creds_file.c - credentials from the shared files, as the SDKs read
 * them: the profile is the config's, else AWS_PROFILE, else
 * AWS_DEFAULT_PROFILE, else "default"; the credentials file
 * (AWS_SHARED_CREDENTIALS_FILE, else ~/.aws/credentials) has [NAME]
 * sections, the config file (AWS_CONFIG_FILE, else ~/.aws/config)
 * [profile NAME] ones ([default] for the default).  Keys:
 * aws_access_key_id, aws_secret_access_key, aws_session_token.
 */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aws.h"

#define INI_LINE	4096

struct ini_found {
	char	*id, *secret, *token;
	int	 section_seen;
};

static char *
ini_trim(char *s)
{
	char *e;

	while (isspace((unsigned char)*s))
		s++;
	e = s + strlen(s);
	while (e > s && isspace((unsigned char)e[-1]))
		*--e = '\0';
	return s;
}

/* Take KEY = VALUE from LINE if KEY is one we want. */
static void
ini_take(const struct coffer_host *host, char *line, struct ini_found *f)
{
	char *eq = strchr(line, '='), *key, *val, **slot = NULL;

	if (eq == NULL)
		return;
	*eq = '\0';
	key = ini_trim(line);
	val = ini_trim(eq + 1);
	if (strcmp(key, "aws_access_key_id") == 0)
		slot = &f->id;
	else if (strcmp(key, "aws_secret_access_key") == 0)
		slot = &f->secret;
	else if (strcmp(key, "aws_session_token") == 0)
		slot = &f->token;
	if (slot == NULL)
		return;
	host->secure_free(*slot);
	if ((*slot = host->secure_alloc(strlen(val) + 1)) != NULL)
		memcpy(*slot, val, strlen(val) + 1);
}

/* Read SECTION of PATH into F.  0 (file missing counts as empty), or -1
 * with ERR. */
static int
ini_read(const struct coffer_host *host, const char *path,
    const char *section, struct ini_found *f, char *err)
{
	char line[INI_LINE], *s;
	int in = 0;
	FILE *fp = fopen(path, "re");

	if (fp == NULL) {
		if (errno == ENOENT)
			return 0;
		snprintf(err, AWS_ERR_MAX, "%s: %s", path, strerror(errno));
		return -1;
	}
	while (fgets(line, sizeof(line), fp) != NULL) {
		s = ini_trim(line);
		if (s[0] == '#' || s[0] == ';' || s[0] == '\0')
			continue;
		if (s[0] == '[') {
			char *close = strchr(s, ']');

			if (close != NULL)
				*close = '\0';
			in = strcmp(ini_trim(s + 1), section) == 0;
			f->section_seen |= in;
		} else if (in)
			ini_take(host, s, f);
	}
	host->memzero(line, sizeof(line));
	fclose(fp);
	return 0;
}

static void
ini_found_free(const struct coffer_host *host, struct ini_found *f)
{
	host->secure_free(f->id);
	host->secure_free(f->secret);
	host->secure_free(f->token);
	memset(f, 0, sizeof(*f));
}

/* The file named by ENV, else ~/DEFAULT_NAME, into PATH. */
static int
aws_creds_file_path(const char *env, const char *default_name, char *path,
    size_t len)
{
	const char *v = getenv(env), *home = getenv("HOME");

	if (v != NULL && v[0] != '\0')
		return snprintf(path, len, "%s", v) < (int)len ? 0 : -1;
	if (home == NULL || home[0] == '\0')
		return -1;
	return snprintf(path, len, "%s/%s", home, default_name) < (int)len ?
	    0 : -1;
}

static const char *
aws_creds_profile(const char *profile)
{
	if (profile == NULL || profile[0] == '\0')
		profile = getenv("AWS_PROFILE");
	if (profile == NULL || profile[0] == '\0')
		profile = getenv("AWS_DEFAULT_PROFILE");
	return profile != NULL && profile[0] != '\0' ? profile : "default";
}

/* One file: 1 found, 0 not there, -1 error.  *SEEN is set when the
 * file has the section. */
static int
aws_creds_file_one(const struct coffer_host *host, const char *path,
    const char *section, const char *profile, struct aws_creds *c,
    int *seen, char *err)
{
	struct ini_found f = { 0 };
	char source[32];
	int rc = ini_read(host, path, section, &f, err);

	if (rc == 0 && (f.id != NULL || f.secret != NULL)) {
		snprintf(source, sizeof(source), "profile %.20s", profile);
		rc = aws_creds_set_parts(host, c, f.id, f.secret, f.token,
		    source, err) < 0 ? -1 : 1;
	}
	*seen |= f.section_seen;
	ini_found_free(host, &f);
	return rc;
}

int
aws_creds_from_file(const struct coffer_host *host, const char *profile,
    struct aws_creds *c, char *err)
{
	char path[4096], section[300];
	const char *p = aws_creds_profile(profile);
	int rc = 0, seen = 0;

	if (aws_creds_file_path("AWS_SHARED_CREDENTIALS_FILE",
	    ".aws/credentials", path, sizeof(path)) == 0)
		rc = aws_creds_file_one(host, path, p, p, c, &seen, err);
	if (rc != 0)
		return rc;
	snprintf(section, sizeof(section), strcmp(p, "default") == 0 ?
	    "%s" : "profile %s", p);
	if (aws_creds_file_path("AWS_CONFIG_FILE", ".aws/config", path,
	    sizeof(path)) == 0)
		rc = aws_creds_file_one(host, path, section, p, c, &seen, err);
	/* A profile asked for by name must exist, as the SDKs insist. */
	if (rc == 0 && !seen && strcmp(p, "default") != 0) {
		snprintf(err, AWS_ERR_MAX, "AWS profile '%.64s' is in neither "
		    "the shared credentials nor the config file", p);
		return -1;
	}
	return rc;
}
