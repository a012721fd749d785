/*
 * cert.c - read czmq/pyzmq CURVE certificate files.
 *
 * ZPL (ZeroMQ RFC 4) in the subset certificates use: comment lines starting
 * with '#', blank lines, section names at column 0, and "name = value" lines
 * indented by four spaces inside a section.  Values may be quoted ("..." or
 * '...') or bare (pyzmq writes metadata bare); a bare value ends at
 * whitespace or '#'.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <sys/stat.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cert.h"

#define CERT_ERR(err, ...) snprintf((err), CERT_ERR_MAX, __VA_ARGS__)

enum cert_section {
	SECTION_NONE,
	SECTION_METADATA,
	SECTION_CURVE
};

static int
cert_is_name_char(int ch)
{
	return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
	    (ch >= '0' && ch <= '9') || ch == '$' || ch == '-' || ch == '_' ||
	    ch == '@' || ch == '.' || ch == '&' || ch == '+' || ch == '/';
}

static int
cert_is_z85(const char *s)
{
	static const char z85[] = "0123456789abcdefghijklmnopqrstuvwxyz"
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZ.-:+=^!/*?&<>()[]{}@%$#";

	if (strlen(s) != CERT_Z85_LEN)
		return 0;
	return strspn(s, z85) == CERT_Z85_LEN;
}

/* Skip trailing blanks and an optional comment; 0 if only that is left. */
static int
cert_rest_blank(const char *p)
{
	while (*p == ' ' || *p == '\t')
		p++;
	return *p == '\0' || *p == '#';
}

/* Parse the value at P into OUT (OUTLEN bytes). */
static int
cert_value(const char *p, char *out, size_t outlen, char *err, int lineno)
{
	size_t n;

	if (*p == '"' || *p == '\'') {
		const char *end = strchr(p + 1, *p);

		if (end == NULL) {
			CERT_ERR(err, "line %d: unterminated quoted value",
			    lineno);
			return -1;
		}
		n = (size_t)(end - p - 1);
		p++;
		if (!cert_rest_blank(end + 1)) {
			CERT_ERR(err, "line %d: text after quoted value",
			    lineno);
			return -1;
		}
	} else {
		n = strcspn(p, " \t#");
		if (!cert_rest_blank(p + n)) {
			CERT_ERR(err, "line %d: text after value", lineno);
			return -1;
		}
	}
	if (n >= outlen) {
		CERT_ERR(err, "line %d: value longer than %zu bytes", lineno,
		    outlen - 1);
		return -1;
	}
	memcpy(out, p, n);
	out[n] = '\0';
	return 0;
}

static int
cert_key(struct cert *c, const char *name, const char *value, char *err,
    int lineno)
{
	char *dst;

	if (strcmp(name, "public-key") == 0)
		dst = c->public_key;
	else if (strcmp(name, "secret-key") == 0)
		dst = c->secret_key;
	else {
		CERT_ERR(err, "line %d: unknown key '%s' in section curve",
		    lineno, name);
		return -1;
	}
	if (!cert_is_z85(value)) {
		CERT_ERR(err, "line %d: %s is not 40 Z85 characters", lineno,
		    name);
		return -1;
	}
	if (dst[0] != '\0') {
		CERT_ERR(err, "line %d: %s given twice", lineno, name);
		return -1;
	}
	memcpy(dst, value, CERT_Z85_LEN + 1);
	return 0;
}

static int
cert_meta_add(struct cert *c, const char *name, const char *value, char *err,
    int lineno)
{
	struct cert_meta *m;

	if (strlen(name) > CERT_META_KEY) {
		CERT_ERR(err, "line %d: metadata name too long", lineno);
		return -1;
	}
	if (cert_meta(c, name) != NULL) {
		CERT_ERR(err, "line %d: metadata '%s' given twice", lineno,
		    name);
		return -1;
	}
	if (c->nmeta == CERT_MAX_META) {
		CERT_ERR(err, "line %d: more than %d metadata entries", lineno,
		    CERT_MAX_META);
		return -1;
	}
	m = &c->meta[c->nmeta++];
	strcpy(m->key, name);
	strcpy(m->value, value);
	return 0;
}

/* "    name = value" inside SECTION. */
static int
cert_pair(struct cert *c, enum cert_section section, const char *line,
    char *err, int lineno)
{
	char name[CERT_META_KEY + 2], value[CERT_META_VALUE + 1];
	const char *p = line + 4;
	size_t n = 0;

	while (cert_is_name_char((unsigned char)p[n]) && n <= CERT_META_KEY)
		n++;
	if (n == 0 || n > CERT_META_KEY) {
		CERT_ERR(err, "line %d: expected 'name = value'", lineno);
		return -1;
	}
	memcpy(name, p, n);
	name[n] = '\0';
	p += n;
	while (*p == ' ' || *p == '\t')
		p++;
	if (*p++ != '=') {
		CERT_ERR(err, "line %d: expected '=' after '%s'", lineno, name);
		return -1;
	}
	while (*p == ' ' || *p == '\t')
		p++;
	if (cert_value(p, value, sizeof(value), err, lineno) < 0)
		return -1;
	if (section == SECTION_CURVE)
		return cert_key(c, name, value, err, lineno);
	return cert_meta_add(c, name, value, err, lineno);
}

static int
cert_section_start(const char *line, enum cert_section *section, char *err,
    int lineno)
{
	size_t n = strcspn(line, " \t#");

	if (!cert_rest_blank(line + n)) {
		CERT_ERR(err, "line %d: unexpected text after section name",
		    lineno);
		return -1;
	}
	if (n == 8 && strncmp(line, "metadata", 8) == 0)
		*section = SECTION_METADATA;
	else if (n == 5 && strncmp(line, "curve", 5) == 0)
		*section = SECTION_CURVE;
	else {
		CERT_ERR(err, "line %d: unknown section '%.*s'", lineno,
		    (int)(n > 32 ? 32 : n), line);
		return -1;
	}
	return 0;
}

static int
cert_line(struct cert *c, enum cert_section *section, const char *line,
    char *err, int lineno)
{
	if (cert_rest_blank(line))
		return 0;	/* blank or comment */
	if (line[0] != ' ' && line[0] != '\t')
		return cert_section_start(line, section, err, lineno);
	if (strncmp(line, "    ", 4) != 0 || line[4] == ' ' ||
	    line[4] == '\t') {
		CERT_ERR(err, "line %d: indent must be exactly four spaces",
		    lineno);
		return -1;
	}
	if (*section == SECTION_NONE) {
		CERT_ERR(err, "line %d: value outside a section", lineno);
		return -1;
	}
	return cert_pair(c, *section, line, err, lineno);
}

int
cert_parse(struct cert *c, const char *text, size_t len, char *err)
{
	enum cert_section section = SECTION_NONE;
	char line[1024];
	size_t pos = 0;
	int lineno = 0;

	memset(c, 0, sizeof(*c));
	if (memchr(text, '\0', len) != NULL) {
		CERT_ERR(err, "binary data (NUL byte) in certificate");
		return -1;
	}
	while (pos < len) {
		const char *nl = memchr(text + pos, '\n', len - pos);
		size_t next = nl != NULL ? (size_t)(nl - text) + 1 : len;
		size_t n = (nl != NULL ? (size_t)(nl - text) : len) - pos;

		lineno++;
		if (n > 0 && text[pos + n - 1] == '\r')
			n--;
		if (n >= sizeof(line)) {
			CERT_ERR(err, "line %d: longer than %zu bytes", lineno,
			    sizeof(line) - 1);
			goto fail;
		}
		memcpy(line, text + pos, n);
		line[n] = '\0';
		pos = next;
		if (cert_line(c, &section, line, err, lineno) < 0)
			goto fail;
	}
	if (c->public_key[0] == '\0') {
		CERT_ERR(err, "no curve public-key");
		goto fail;
	}
	sodium_memzero(line, sizeof(line));
	return 0;
fail:
	sodium_memzero(line, sizeof(line));
	cert_wipe(c);
	return -1;
}

int
cert_load(struct cert *c, const char *path, char *err)
{
	char buf[CERT_MAX_FILE + 1];
	size_t len = 0;
	ssize_t n;
	int fd, rc;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY)) < 0) {
		CERT_ERR(err, "%s", strerror(errno));
		return -1;
	}
	while (len <= CERT_MAX_FILE &&
	    (n = read(fd, buf + len, sizeof(buf) - len)) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			CERT_ERR(err, "%s", strerror(errno));
			close(fd);
			return -1;
		}
		len += (size_t)n;
	}
	close(fd);
	if (len > CERT_MAX_FILE) {
		CERT_ERR(err, "larger than %d bytes", CERT_MAX_FILE);
		return -1;
	}
	rc = cert_parse(c, buf, len, err);
	sodium_memzero(buf, len);
	return rc;
}

const char *
cert_meta(const struct cert *c, const char *key)
{
	for (size_t i = 0; i < c->nmeta; i++) {
		if (strcmp(c->meta[i].key, key) == 0)
			return c->meta[i].value;
	}
	return NULL;
}

int
cert_public_key(const char *given, char z85[CERT_Z85_LEN + 1], char *err)
{
	struct cert c;

	if (strlen(given) == CERT_Z85_LEN && cert_is_z85(given)) {
		memcpy(z85, given, CERT_Z85_LEN + 1);
		return 0;
	}
	if (cert_load(&c, given, err) < 0)
		return -1;
	cert_wipe(&c);
	if (c.public_key[0] == '\0') {
		snprintf(err, CERT_ERR_MAX, "no public key in the certificate");
		return -1;
	}
	memcpy(z85, c.public_key, CERT_Z85_LEN + 1);
	return 0;
}

void
cert_wipe(struct cert *c)
{
	sodium_memzero(c->secret_key, sizeof(c->secret_key));
}

int
cert_meta_set(struct cert *c, const char *key, const char *value)
{
	size_t k = strlen(key), v = strlen(value);

	if (c->nmeta == CERT_MAX_META || k == 0 || k > CERT_META_KEY ||
	    v > CERT_META_VALUE || cert_meta(c, key) != NULL)
		return -1;
	for (size_t i = 0; i < k; i++) {
		if (!cert_is_name_char((unsigned char)key[i]))
			return -1;
	}
	for (size_t i = 0; i < v; i++) {
		unsigned char ch = (unsigned char)value[i];

		if (ch < 0x20 || ch == 0x7f || ch == '"')
			return -1;
	}
	memcpy(c->meta[c->nmeta].key, key, k + 1);
	memcpy(c->meta[c->nmeta].value, value, v + 1);
	c->nmeta++;
	return 0;
}

static int
cert_format(const struct cert *c, int with_secret, char *buf, size_t size)
{
	char when[32];
	time_t now = time(NULL);
	struct tm tm;
	size_t off;
	int n;

	gmtime_r(&now, &tm);
	strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S", &tm);
	n = snprintf(buf, size, "#   ****  Generated on %s by coffer  ****\n"
	    "#   ZeroMQ CURVE %s Certificate\n"
	    "#   %s\n\nmetadata\n", when,
	    with_secret ? "**Secret**" : "Public",
	    with_secret ? "DO NOT PROVIDE THIS FILE TO OTHER USERS nor change "
	    "its permissions." : "Exchange securely, or use a secure "
	    "mechanism to verify the contents");
	for (size_t i = 0; i < c->nmeta && n > 0 && (size_t)n < size; i++)
		n += snprintf(buf + n, size - (size_t)n, "    %s = \"%s\"\n",
		    c->meta[i].key, c->meta[i].value);
	if (n < 0 || (size_t)n >= size)
		return -1;
	off = (size_t)n;
	n = snprintf(buf + off, size - off, "curve\n    public-key = \"%s\"\n",
	    c->public_key);
	if (n > 0 && with_secret)
		n += snprintf(buf + off + (size_t)n, size - off - (size_t)n,
		    "    secret-key = \"%s\"\n", c->secret_key);
	if (n < 0 || off + (size_t)n >= size)
		return -1;
	return (int)(off + (size_t)n);
}

int
cert_write(const struct cert *c, const char *path, int with_secret,
    unsigned mode, char *err)
{
	char buf[CERT_MAX_FILE];
	int n = cert_format(c, with_secret, buf, sizeof(buf)), fd, e;

	if (n < 0) {
		CERT_ERR(err, "certificate too large");
		return -1;
	}
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW,
	    mode);
	if (fd < 0) {
		CERT_ERR(err, "%s", strerror(errno));
		sodium_memzero(buf, sizeof(buf));
		return -1;
	}
	if (fchmod(fd, mode) < 0 || write(fd, buf, (size_t)n) != n ||
	    fsync(fd) < 0) {
		e = errno;
		close(fd);
		unlink(path);
		CERT_ERR(err, "%s", strerror(e));
		sodium_memzero(buf, sizeof(buf));
		return -1;
	}
	sodium_memzero(buf, sizeof(buf));
	return close(fd);
}
