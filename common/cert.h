/*
 * cert.h - CURVE certificates in the ZPL format czmq's zcert and pyzmq's
 * zmq.auth write:
 *
 *	metadata
 *	    name = "alice"
 *	    type = "user"
 *	curve
 *	    public-key = "<40 Z85 characters>"
 *	    secret-key = "<40 Z85 characters>"	(the _secret file only)
 *
 * Shared by the daemon (its server key), auth_curve (the certificate store)
 * and the coffer CLI (keygen).  Parsing is strict: anything it does not
 * understand is an error naming the line.
 */
#ifndef COFFER_CERT_H
#define COFFER_CERT_H

#include <stddef.h>

#define CERT_Z85_LEN	40
#define CERT_MAX_META	16
#define CERT_META_KEY	64
#define CERT_META_VALUE	256
#define CERT_MAX_FILE	(64 * 1024)
#define CERT_ERR_MAX	256

struct cert_meta {
	char	key[CERT_META_KEY + 1];
	char	value[CERT_META_VALUE + 1];
};

struct cert {
	char		 public_key[CERT_Z85_LEN + 1];	/* "" if absent */
	char		 secret_key[CERT_Z85_LEN + 1];	/* "" if absent */
	size_t		 nmeta;
	struct cert_meta meta[CERT_MAX_META];
};

/* Parse LEN bytes of TEXT.  0 on success; -1 with a message naming the line
 * in ERR (CERT_ERR_MAX bytes).  Keys are checked to be 40 Z85 characters. */
int	 cert_parse(struct cert *c, const char *text, size_t len, char *err);
/* Read and parse PATH (at most CERT_MAX_FILE bytes). */
int	 cert_load(struct cert *c, const char *path, char *err);
/*
 * Write C to PATH in czmq's layout (values quoted), the secret key only when
 * WITH_SECRET.  The file is created with MODE and never replaces an existing
 * one (O_EXCL).  0, or -1 with the reason in ERR.
 */
int	 cert_write(const struct cert *c, const char *path, int with_secret,
	    unsigned mode, char *err);
/* Add metadata KEY = VALUE: 0, or -1 when full, too long or not printable
 * (a value may not hold a quote or a control character). */
int	 cert_meta_set(struct cert *c, const char *key, const char *value);

/* The metadata value of KEY, or NULL. */
const char *cert_meta(const struct cert *c, const char *key);
/* A public key given as 40 Z85 characters or as a certificate file
 * (either half) into Z85.  0, or -1 with the reason in ERR. */
int	 cert_public_key(const char *given, char z85[CERT_Z85_LEN + 1],
	    char *err);
/* Wipe the secret key. */
void	 cert_wipe(struct cert *c);

#endif
