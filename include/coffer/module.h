/*
 * coffer/module.h - the one header a coffer module is built against.
 *
 * cofferd keeps no storage and no authentication logic of its own: both come
 * from modules, shared objects named in cofferd.conf and loaded with
 * dlopen(RTLD_NOW | RTLD_LOCAL), the way Linux-PAM loads pam_*.so.  This
 * header is the whole contract between the daemon (the "host") and a module.
 * A module never links against the daemon: everything it needs from the host
 * reaches it through the struct coffer_host table passed to its callbacks.
 *
 * A module exports exactly one symbol, coffer_module_entry(), which returns a
 * static description of the module (struct coffer_module).  Build it with
 * -fvisibility=hidden and libtool's -module -avoid-version -no-undefined
 * -export-symbols-regex '^coffer_module_entry$'.  A minimal module:
 *
 *	static const struct coffer_module desc = {
 *		COFFER_MODULE_HEADER,
 *		.name = "store_example",
 *		.kind = COFFER_KIND_STORE,
 *		...
 *	};
 *	COFFER_MODULE_EXPORT const struct coffer_module *
 *	coffer_module_entry(void) { return &desc; }
 *
 * Versioning.  COFFER_ABI_MAJOR changes when anything in this header changes
 * incompatibly; COFFER_ABI_MINOR when something is appended.  The loader
 * refuses a module built for another major, or for a newer minor than the
 * daemon knows.  Every struct that crosses the boundary begins with its
 * struct_size, so either side can tell which appended fields the other has:
 * read a field only when struct_size > offsetof(struct, field).
 *
 * Lifecycle.  For each module file: init() once, single-threaded, after
 * dlopen.  For each config entry that names the module: open() once,
 * single-threaded, creating an instance from the entry's settings.  Then the
 * operations, called concurrently from the daemon's worker threads (and its
 * I/O thread, see COFFER_MODULE_LOCAL_READS) with the same instance: every
 * operation must be thread-safe.  reload() on SIGHUP,
 * never concurrently with another call on that instance.  At shutdown,
 * close() for each instance, then fini(), in the reverse order of opening,
 * then dlclose().  A module never calls exit(), never installs signal
 * handlers, never registers atexit() handlers and never leaves a thread
 * running after close() returns.
 *
 * Secrets.  Store modules only ever see sealed (encrypted and authenticated)
 * records; auth modules see credentials.  Neither may write a credential or a
 * record into a log line or an error message.
 */
#ifndef COFFER_MODULE_H
#define COFFER_MODULE_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define COFFER_ABI_MAJOR	1
#define COFFER_ABI_MINOR	3

/* The one symbol a module exports, and how to export it. */
#define COFFER_MODULE_ENTRY	"coffer_module_entry"
#define COFFER_MODULE_EXPORT	__attribute__((visibility("default")))

#if defined(__GNUC__)
#define COFFER_PRINTF(f, a)	__attribute__((format(printf, f, a)))
#else
#define COFFER_PRINTF(f, a)
#endif

/*
 * Result codes, shared by every module operation.  The daemon treats any
 * value outside this enum as COFFER_ERROR, and in an auth stack as a denial.
 */
enum coffer_rc {
	COFFER_OK = 0,		/* done; for auth: the principal is set */
	COFFER_NOT_FOUND,	/* no such record, name or revision */
	COFFER_CONFLICT,	/* create-only write of an existing revision */
	COFFER_TOO_LARGE,	/* over a declared limit; nothing was written */
	COFFER_DENIED,		/* auth: credential presented and refused */
	COFFER_IGNORE,		/* auth: not my kind of credential */
	COFFER_UNAVAILABLE,	/* backend unreachable or throttled; retryable */
	COFFER_ERROR		/* anything else; the message says what */
};

enum coffer_kind {
	COFFER_KIND_STORE = 1,
	COFFER_KIND_AUTH = 2
};

enum coffer_log_level {
	COFFER_LOG_ERROR = 0,
	COFFER_LOG_WARNING,
	COFFER_LOG_NOTICE,
	COFFER_LOG_INFO,
	COFFER_LOG_DEBUG
};

enum coffer_principal_type {
	COFFER_PRINCIPAL_USER = 1,	/* a person: manages secrets */
	COFFER_PRINCIPAL_SERVICE = 2	/* a service: reads its own secrets */
};

/*
 * An error message a module fills when it returns anything but COFFER_OK.
 * One line, no trailing newline, never a secret.  The daemon prefixes the
 * module's name when it logs or reports it.
 */
#define COFFER_ERROR_MAX	256
struct coffer_error {
	char msg[COFFER_ERROR_MAX];
};

/*
 * Settings.  A module declares the keys its config group accepts in a table
 * of struct coffer_option, ended by an entry whose name is NULL.  Before
 * open() the daemon checks the group against it: an unknown key, a value of
 * the wrong type or a missing required key stops startup with the file and
 * line.  The keys "module" and "control" are the daemon's and never reach a
 * module.  Inside open() the module reads its values with the conf_*
 * accessors of struct coffer_host.
 */
enum coffer_option_type {
	COFFER_OPT_STRING = 1,	/* "text" */
	COFFER_OPT_INT,		/* 123, 64-bit */
	COFFER_OPT_BOOL,	/* true / false */
	COFFER_OPT_LIST		/* [ "a", "b" ] or ( "a", "b" ): strings */
};

#define COFFER_OPT_REQUIRED	0x1u

struct coffer_option {
	const char *name;		/* key in the module's group */
	enum coffer_option_type type;
	unsigned flags;			/* COFFER_OPT_REQUIRED or 0 */
	const char *help;		/* one line, for coffer-modcheck */
};

/* The module's own config group: opaque, owned by the daemon. */
struct coffer_conf;

/* A growable byte buffer owned by the daemon; filled by a module with
 * coffer_host.buf_reserve() or buf_set(). */
struct coffer_buf;

/* The identity an auth module establishes; owned by the daemon, filled by a
 * module with coffer_host.principal_set() and principal_attr(). */
struct coffer_principal;

/*
 * The host table: the daemon's services to a module.  Each module gets its
 * own copy (so the log tag is the module's name); it stays valid until after
 * fini() returns.  Every function is thread-safe.
 */
struct coffer_host {
	uint32_t struct_size;
	uint16_t abi_major;		/* the daemon's COFFER_ABI_MAJOR */
	uint16_t abi_minor;		/* the daemon's COFFER_ABI_MINOR */

	/* Log one line, tagged with the module's name.  Never pass a secret,
	 * a credential or a record's contents. */
	void (*log)(const struct coffer_host *host, enum coffer_log_level level,
	    const char *fmt, ...) COFFER_PRINTF(3, 4);

	/*
	 * Config accessors, valid during open() only.  Each returns the
	 * value of KEY, or DEF when the key is absent.  The returned strings
	 * belong to the daemon and live as long as the conf.  Asking for a
	 * key the module did not declare, or with the wrong accessor, returns
	 * DEF and logs a warning: it is a bug in the module.
	 */
	const char *(*conf_string)(const struct coffer_conf *conf,
	    const char *key, const char *def);
	int64_t (*conf_int)(const struct coffer_conf *conf, const char *key,
	    int64_t def);
	int (*conf_bool)(const struct coffer_conf *conf, const char *key,
	    int def);
	/* Number of strings in a COFFER_OPT_LIST key (0 when absent), and
	 * the string at INDEX (NULL when out of range). */
	size_t (*conf_count)(const struct coffer_conf *conf, const char *key);
	const char *(*conf_item)(const struct coffer_conf *conf,
	    const char *key, size_t index);
	/* "FILE:LINE" of KEY (of the group itself when KEY is NULL or
	 * absent), for error messages about a value the module rejects. */
	const char *(*conf_where)(const struct coffer_conf *conf,
	    const char *key);

	/* Guarded, locked memory for keys and plaintext (sodium_malloc):
	 * NULL when out of memory.  secure_free(NULL) does nothing; it wipes
	 * the memory before it releases it. */
	void *(*secure_alloc)(size_t size);
	void (*secure_free)(void *ptr);
	/* Wipe memory in a way the compiler cannot elide. */
	void (*memzero)(void *ptr, size_t size);

	/* Wall clock (for expiry checks) and monotonic clock (for timeouts),
	 * in milliseconds. */
	int64_t (*now_ms)(void);
	int64_t (*monotonic_ms)(void);

	/* Make BUF hold exactly LEN bytes and return them for the module to
	 * fill; NULL when out of memory.  buf_set() copies LEN bytes from
	 * DATA: 0 on success, -1 when out of memory. */
	void *(*buf_reserve)(struct coffer_buf *buf, size_t len);
	int (*buf_set)(struct coffer_buf *buf, const void *data, size_t len);

	/* Set the principal's name (1 to COFFER_NAME_MAX bytes, no control
	 * characters) and type; add an attribute (at most 16 per principal).
	 * Each returns 0, or -1 when the value is not acceptable. */
	int (*principal_set)(struct coffer_principal *p, const char *name,
	    enum coffer_principal_type type);
	int (*principal_attr)(struct coffer_principal *p, const char *key,
	    const char *value);

	void *host_private;		/* the daemon's; do not touch */
};

#define COFFER_NAME_MAX		128	/* longest principal name, bytes */

/*
 * Store modules.
 *
 * A store keeps opaque sealed records, each addressed by (kind, name,
 * revision).  KIND is a short word chosen by the daemon ("secret",
 * "service", ...), matching [a-z][a-z0-9_]{0,15}.  NAME is 1 to
 * COFFER_STORE_NAME_MAX bytes of UTF-8 without NUL; the daemon validates
 * names further, but a store must still keep any such name inside its own
 * storage and distinct from every other name.  REVISION counts from 1.
 *
 * Revisions are immutable.  put() creates a revision only if it does not
 * exist yet: this is the daemon's concurrency control (a writer reads the
 * latest revision N and puts N+1; of two racing writers exactly one gets
 * COFFER_OK and the other COFFER_CONFLICT).  COFFER_OK from put() means the
 * record is durable: it survives a crash of the process and of the machine.
 */
#define COFFER_STORE_NAME_MAX	512
/* Most names one get_latest_many() call is given. */
#define COFFER_STORE_BATCH_MAX	100

/* Called once per name by list(); strings are valid during the call only.
 * Return 0 to continue, anything else to stop listing early. */
typedef int (*coffer_name_cb)(void *arg, const char *name, uint64_t latest);
/* Called once per revision by revisions(), in ascending order. */
typedef int (*coffer_rev_cb)(void *arg, uint64_t revision);

struct coffer_store_limits {
	uint32_t struct_size;
	size_t max_record;		/* largest record put() accepts */
};

struct coffer_store_ops {
	uint32_t struct_size;

	/* Fill the store's limits; called after open(). */
	void (*limits)(void *inst, struct coffer_store_limits *limits);

	/* Create revision REV of (KIND, NAME) holding LEN bytes of DATA.
	 * Revisions of a name are contiguous: REV is 1 for a new name, else
	 * the latest revision + 1.  COFFER_CONFLICT when REV exists already
	 * or REV - 1 does not (the writer's view is stale), COFFER_TOO_LARGE
	 * when LEN exceeds max_record; nothing is written in either case. */
	enum coffer_rc (*put)(void *inst, const char *kind, const char *name,
	    uint64_t rev, const void *data, size_t len,
	    struct coffer_error *err);

	/* Read revision REV of (KIND, NAME), or the latest when REV is 0,
	 * into OUT; its revision number goes to *REV_R.  COFFER_NOT_FOUND
	 * when there is no such name or revision. */
	enum coffer_rc (*get)(void *inst, const char *kind, const char *name,
	    uint64_t rev, uint64_t *rev_r, struct coffer_buf *out,
	    struct coffer_error *err);

	/* Call CB for up to LIMIT names of KIND that start with PREFIX (""
	 * for all), with each name's latest revision.  CURSOR is NULL for
	 * the first page, else what the previous call left in NEXT; NEXT is
	 * left empty after the last page.  The order is the module's, but a
	 * full pass with no concurrent writes yields each name once.  The
	 * cost must grow with the number of names, not of revisions. */
	enum coffer_rc (*list)(void *inst, const char *kind,
	    const char *prefix, const char *cursor, size_t limit,
	    coffer_name_cb cb, void *arg, struct coffer_buf *next,
	    struct coffer_error *err);

	/* Call CB for up to LIMIT revisions of (KIND, NAME) greater than
	 * AFTER, in ascending order.  COFFER_NOT_FOUND when the name has no
	 * revision at all. */
	enum coffer_rc (*revisions)(void *inst, const char *kind,
	    const char *name, uint64_t after, size_t limit, coffer_rev_cb cb,
	    void *arg, struct coffer_error *err);

	/* Remove (KIND, NAME) with every revision.  COFFER_NOT_FOUND when
	 * there was nothing to remove. */
	enum coffer_rc (*remove)(void *inst, const char *kind,
	    const char *name, struct coffer_error *err);

	/* ABI 1.1, optional (NULL: not supported).  Replace the bytes of
	 * existing revision REV of (KIND, NAME) with LEN bytes of DATA,
	 * atomically and durably: a reader sees the old record or the new
	 * one, never a mix.  The daemon uses it only to reseal a revision
	 * under a new master key (the same content, sealed anew).
	 * COFFER_NOT_FOUND when REV does not exist; COFFER_TOO_LARGE as put().
	 * Read it only when struct_size says the module has it. */
	enum coffer_rc (*replace)(void *inst, const char *kind,
	    const char *name, uint64_t rev, const void *data, size_t len,
	    struct coffer_error *err);

	/* ABI 1.2, optional (NULL: the daemon calls get() once per name).
	 * The latest revisions of N names of KIND (1 to
	 * COFFER_STORE_BATCH_MAX), read together, for stores where one
	 * request for many names is cheaper than many requests.  For each I,
	 * RCS[I] is what get(NAMES[I], 0) would have answered during the
	 * call: COFFER_OK with the record in OUTS[I] and its revision in
	 * REVS[I], or COFFER_NOT_FOUND.  Returns COFFER_OK when every name
	 * has its answer, or the failure (with ERR) that stopped the read,
	 * and then RCS, OUTS and REVS mean nothing.  Read it only when
	 * struct_size says the module has it. */
	enum coffer_rc (*get_latest_many)(void *inst, const char *kind,
	    const char *const *names, size_t n, struct coffer_buf *const *outs,
	    uint64_t *revs, enum coffer_rc *rcs, struct coffer_error *err);
};

/*
 * Auth modules.
 *
 * authenticate() turns what a client presented into a principal.  It runs on
 * every request, so a revoked key or an expired token stops working at once.
 * It returns COFFER_OK with the principal set, COFFER_DENIED when the
 * credential it handles is not acceptable, COFFER_IGNORE when the request
 * carries no credential of its kind, COFFER_UNAVAILABLE when it cannot decide
 * now (backend down).  The daemon combines the answers of the configured
 * stack with Linux-PAM's control flags; see coffer-modules(7).
 */
struct coffer_auth_request {
	uint32_t struct_size;
	const uint8_t *curve_key;	/* client's CURVE public key, 32 bytes,
					 * proven by the handshake; NULL if none */
	const char *curve_key_z85;	/* the same in Z85, 40 chars; or NULL */
	const char *token;		/* credentials.token of the request, or
					 * NULL; WARNING: a secret, never log it */
	const char *username;		/* credentials.username, or NULL */
	const char *peer_address;	/* client's IP address, or "" */
	const char *operation;		/* the operation requested */
};

struct coffer_auth_ops {
	uint32_t struct_size;

	enum coffer_rc (*authenticate)(void *inst,
	    const struct coffer_auth_request *req, struct coffer_principal *p,
	    struct coffer_error *err);

	/* Optional (NULL: not supported).  Early rejection at the CURVE
	 * handshake, from the daemon's ZAP handler: COFFER_OK to let KEY
	 * connect, COFFER_DENIED to refuse it, COFFER_IGNORE to have no say.
	 * Requests are still authenticated one by one afterwards. */
	enum coffer_rc (*admit)(void *inst, const uint8_t key[32],
	    const char *peer_address, struct coffer_error *err);

	/* Optional (ABI 1.3; NULL: see COFFER_MODULE_LOCAL_READS).  Would
	 * authenticate() answer REQ at once, without waiting on the network
	 * or another process (a token already checked and cached, a request
	 * without a credential of its kind)?  Non-zero: yes; 0: it may
	 * wait.  The daemon asks, from its I/O thread, for each read when
	 * the module does not set COFFER_MODULE_LOCAL_READS, and runs the
	 * read there on yes.  A hint, not a decision: it never waits, never
	 * logs, never fails, and REQ is authenticated as usual afterwards. */
	int (*answers_now)(void *inst, const struct coffer_auth_request *req);
};

/*
 * The module description coffer_module_entry() returns.  Static, read-only,
 * valid until dlclose().  Callbacks marked optional may be NULL.
 */
struct coffer_module {
	uint32_t struct_size;		/* sizeof(struct coffer_module) */
	uint16_t abi_major;		/* COFFER_ABI_MAJOR built against */
	uint16_t abi_minor;		/* COFFER_ABI_MINOR built against */
	const char *name;		/* e.g. "store_fs": [a-z][a-z0-9_]* */
	const char *version;		/* the module's own version string */
	enum coffer_kind kind;
	const struct coffer_option *options;	/* settings it accepts */

	/* Optional: once per process after dlopen, single-threaded. */
	enum coffer_rc (*init)(const struct coffer_host *host,
	    struct coffer_error *err);
	/* Optional: once, after the last close(), before dlclose(). */
	void (*fini)(void);

	/* Create an instance from the settings in CONF, single-threaded.
	 * On COFFER_OK *INST_R is the instance (may be NULL if the module
	 * keeps no state); on failure nothing must be left allocated. */
	enum coffer_rc (*open)(const struct coffer_host *host,
	    const struct coffer_conf *conf, void **inst_r,
	    struct coffer_error *err);
	/* Release an instance; no other call on it is running or follows. */
	void (*close)(void *inst);
	/* Optional: SIGHUP.  Reread the module's own state (files, keys).
	 * On failure the instance keeps serving with its previous state.
	 * Never concurrent with another call on the instance, unless the
	 * module sets COFFER_MODULE_RELOAD_CONCURRENT. */
	enum coffer_rc (*reload)(void *inst, struct coffer_error *err);

	const struct coffer_store_ops *store;	/* COFFER_KIND_STORE */
	const struct coffer_auth_ops *auth;	/* COFFER_KIND_AUTH */

	/* ABI 1.2: COFFER_MODULE_* flags.  Read only when struct_size says
	 * the module has it. */
	uint32_t flags;
};

/* reload() is safe while other calls on the instance run (it builds the
 * new state aside and swaps it in under the module's own lock): the
 * daemon then keeps serving requests during that module's reload instead
 * of holding them until it is done. */
#define COFFER_MODULE_RELOAD_CONCURRENT	0x1u

/* ABI 1.3: every call the module answers for a request that changes
 * nothing (a read: secret.get, service.get, whoami, a list...) returns
 * without waiting on the network or on another process: from memory or
 * local files.  When the store and every auth module say so (or, for an
 * auth module, its answers_now() says so of the request), the daemon runs
 * the read on its I/O thread, without the hand-off to a worker
 * (cofferd.conf(5), inline_reads); writes always go to the workers.  A
 * module that may wait on anything remote for a read (a remote store, an
 * auth module that calls out on a cache miss) must not set it. */
#define COFFER_MODULE_LOCAL_READS	0x2u

/* Fills the first three fields of a struct coffer_module. */
#define COFFER_MODULE_HEADER					\
	.struct_size = sizeof(struct coffer_module),		\
	.abi_major = COFFER_ABI_MAJOR,				\
	.abi_minor = COFFER_ABI_MINOR

/* The entry point every module defines and exports. */
typedef const struct coffer_module *(*coffer_module_entry_fn)(void);
COFFER_MODULE_EXPORT const struct coffer_module *coffer_module_entry(void);

#ifdef __cplusplus
}
#endif

#endif /* COFFER_MODULE_H */
