/*
 * modules.h - the configured modules: one store and the auth stack.
 *
 * modules_open() loads every module the config names (each file once), calls
 * init() once per file and open() once per entry, in config order, and fails
 * closed: the first problem is logged with the module, its path and the
 * reason, everything opened so far is closed again, and -1 is returned.
 * modules_close() closes instances in reverse order, then fini() and
 * dlclose() each file, last loaded first.
 */
#ifndef COFFER_MODULES_H
#define COFFER_MODULES_H

#include "conf.h"
#include "loader.h"
#include "modconf.h"
#include "stack.h"

struct instance {
	struct loaded		*mod;
	void			*inst;
	int			 opened;
	struct coffer_conf	 conf;
};

struct modules {
	struct loaded		*loaded;	/* last loaded first */
	struct instance		 store;
	struct instance		 auth[CONF_MAX_AUTH];
	enum control		 controls[CONF_MAX_AUTH];
	size_t			 nauth;
	struct coffer_store_limits limits;
};

int	 modules_open(struct modules *m, const struct conf *c);
/* The store alone, or the auth stack alone (for coffer-modcheck). */
int	 modules_open_store(struct modules *m, const struct conf *c);
int	 modules_open_auth(struct modules *m, const struct conf *c);
void	 modules_close(struct modules *m);
/* SIGHUP: call reload() on every instance that has one and whose module
 * says (CONCURRENT non-zero) or does not say (zero) that it reloads safely
 * while requests run; the caller holds requests back for the second kind
 * only.  Failures are logged; the instance keeps its previous state.
 * Returns the number of failures. */
int	 modules_reload(struct modules *m, int concurrent);

const char *modules_name(const struct instance *in);
/* Does IN's module set FLAG, a COFFER_MODULE_* (ABI 1.2 flags)? */
int	 modules_flag(const struct instance *in, uint32_t flag);
/* Can reads run without waiting on anything remote (server.c)?  LOCAL:
 * the store and every auth entry declare COFFER_MODULE_LOCAL_READS; ASK:
 * the store does, and each auth entry that does not has answers_now() to
 * be asked request by request (auth.h); WAIT: otherwise (an old module,
 * without flags, is taken to wait). */
enum modules_reads {
	MODULES_READS_WAIT,
	MODULES_READS_LOCAL,
	MODULES_READS_ASK
};
enum modules_reads modules_reads(const struct modules *m);
/* The auth entry's answers_now() (ABI 1.3), or NULL when it has none. */
typedef int (*coffer_auth_answers_now_fn)(void *,
    const struct coffer_auth_request *);
coffer_auth_answers_now_fn modules_auth_answers_now(const struct instance *in);

/* The store's replace() (ABI 1.1), or NULL when it has none. */
typedef enum coffer_rc (*coffer_store_replace_fn)(void *, const char *,
	    const char *, uint64_t, const void *, size_t,
	    struct coffer_error *);
coffer_store_replace_fn modules_store_replace(const struct modules *m);
/* The store's get_latest_many() (ABI 1.2), or NULL when it has none. */
typedef enum coffer_rc (*coffer_store_many_fn)(void *, const char *,
    const char *const *, size_t, struct coffer_buf *const *, uint64_t *,
    enum coffer_rc *, struct coffer_error *);
coffer_store_many_fn modules_store_get_latest_many(const struct modules *m);

#endif
