/*
 * keyfile.h - the daemon's own CURVE key: a czmq-format _secret certificate.
 */
#ifndef COFFER_KEYFILE_H
#define COFFER_KEYFILE_H

/*
 * Read the secret key from PATH into SECRET_Z85 (41 bytes) and its public key
 * into PUBLIC_Z85 (41 bytes).  The file must be owned by root or the daemon's
 * user and be neither readable nor writable by anyone else; its public-key,
 * if present, must match the secret key.  0, or -1 with the reason logged.
 */
int	 keyfile_load(const char *path, char *secret_z85, char *public_z85);

#endif
