/*
 * keyfile.c - load and check the server's secret certificate.
 */
#include "config.h"

#include <errno.h>
#include <sodium.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zmq.h>

#include "cert.h"
#include "keyfile.h"
#include "log.h"
#include "pathsafe.h"

static int
keyfile_safe(const char *path)
{
	char err[PATHSAFE_ERR_MAX];
	struct stat st;

	if (pathsafe_check(path, err, sizeof(err)) < 0) {
		log_error("server key: %s", err);
		return -1;
	}
	if (stat(path, &st) == 0 && (st.st_mode & 077)) {
		log_error("server key %s: mode %04o lets others read it; run "
		    "chmod 600 %s", path, (unsigned)(st.st_mode & 07777), path);
		return -1;
	}
	return 0;
}

int
keyfile_load(const char *path, char *secret_z85, char *public_z85)
{
	char err[CERT_ERR_MAX];
	struct cert c;

	if (keyfile_safe(path) < 0)
		return -1;
	if (cert_load(&c, path, err) < 0) {
		log_error("server key %s: %s", path, err);
		return -1;
	}
	if (c.secret_key[0] == '\0') {
		log_error("server key %s: no secret-key; give the _secret "
		    "certificate, not the public one", path);
		return -1;
	}
	if (zmq_curve_public(public_z85, c.secret_key) < 0) {
		log_error("server key %s: secret-key is not valid", path);
		cert_wipe(&c);
		return -1;
	}
	if (strcmp(public_z85, c.public_key) != 0) {
		log_error("server key %s: public-key does not belong to the "
		    "secret-key", path);
		cert_wipe(&c);
		return -1;
	}
	memcpy(secret_z85, c.secret_key, CERT_Z85_LEN + 1);
	cert_wipe(&c);
	return 0;
}
