/*
 * auth_example.c - a complete, small coffer auth module.
 *
 * Clients are known by their CURVE public key, listed in the module's own
 * settings in cofferd.conf:
 *
 *	auth = ( { module = "auth_example"; control = "sufficient";
 *		   keys = [ "<40 characters of Z85> alice user",
 *			    "<40 characters of Z85> web service" ]; } );
 *
 * A request whose key is listed gets that principal; a key not listed is
 * denied; a request without a CURVE key is not this module's business
 * (COFFER_IGNORE), so another module of the stack may take it.  The list is
 * read once, in open(), and never changes: every operation only reads it,
 * so authenticate() is thread-safe without a lock.
 *
 * Built against <coffer/module.h> alone; see docs/writing-modules.md.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <coffer/module.h>

#define KEY_Z85_LEN	40

struct entry {
	char	key[KEY_Z85_LEN + 1];
	char	name[COFFER_NAME_MAX + 1];
	enum coffer_principal_type type;
};

struct example {
	const struct coffer_host *host;
	struct entry	*entries;
	size_t		 n;
};

static const struct coffer_option example_options[] = {
	{ "keys", COFFER_OPT_LIST, COFFER_OPT_REQUIRED,
	  "\"KEY NAME TYPE\" entries: a Z85 public key, a name, user or "
	  "service" },
	{ NULL, 0, 0, NULL }
};

/* "KEY NAME TYPE" into E; -1 when it is not that. */
static int
entry_parse(const char *text, struct entry *e)
{
	char type[16];
	int len = 0;

	memset(e, 0, sizeof(*e));
	if (sscanf(text, "%40s %128s %15s%n", e->key, e->name, type, &len) !=
	    3 || text[len] != '\0' || strlen(e->key) != KEY_Z85_LEN)
		return -1;
	if (strcmp(type, "user") == 0)
		e->type = COFFER_PRINCIPAL_USER;
	else if (strcmp(type, "service") == 0)
		e->type = COFFER_PRINCIPAL_SERVICE;
	else
		return -1;
	return 0;
}

static enum coffer_rc
example_open(const struct coffer_host *host, const struct coffer_conf *conf,
    void **inst_r, struct coffer_error *err)
{
	size_t n = host->conf_count(conf, "keys");
	struct example *x = calloc(1, sizeof(*x));

	if (x == NULL || (x->entries = calloc(n ? n : 1,
	    sizeof(*x->entries))) == NULL) {
		free(x);
		snprintf(err->msg, sizeof(err->msg), "out of memory");
		return COFFER_ERROR;
	}
	x->host = host;
	for (x->n = 0; x->n < n; x->n++) {
		if (entry_parse(host->conf_item(conf, "keys", x->n),
		    &x->entries[x->n]) < 0) {
			/* Name the place, never echo a credential. */
			snprintf(err->msg, sizeof(err->msg), "%s: keys entry "
			    "%zu is not \"KEY NAME TYPE\"",
			    host->conf_where(conf, "keys"), x->n + 1);
			free(x->entries);
			free(x);
			return COFFER_ERROR;
		}
	}
	host->log(host, COFFER_LOG_INFO, "%zu keys known", x->n);
	*inst_r = x;
	return COFFER_OK;
}

static void
example_close(void *inst)
{
	struct example *x = inst;

	free(x->entries);
	free(x);
}

static const struct entry *
example_find(const struct example *x, const char *key)
{
	for (size_t i = 0; i < x->n; i++)
		if (strcmp(x->entries[i].key, key) == 0)
			return &x->entries[i];
	return NULL;
}

static enum coffer_rc
example_authenticate(void *inst, const struct coffer_auth_request *req,
    struct coffer_principal *p, struct coffer_error *err)
{
	const struct example *x = inst;
	const struct entry *e;

	if (req->curve_key_z85 == NULL)
		return COFFER_IGNORE;
	if ((e = example_find(x, req->curve_key_z85)) == NULL) {
		snprintf(err->msg, sizeof(err->msg), "unknown key");
		return COFFER_DENIED;
	}
	if (x->host->principal_set(p, e->name, e->type) < 0) {
		snprintf(err->msg, sizeof(err->msg), "name not acceptable");
		return COFFER_DENIED;
	}
	return COFFER_OK;
}

static const struct coffer_auth_ops example_auth = {
	.struct_size = sizeof(struct coffer_auth_ops),
	.authenticate = example_authenticate,
};

static const struct coffer_module example_module = {
	COFFER_MODULE_HEADER,
	.name = "auth_example",
	.version = "1.0",
	.kind = COFFER_KIND_AUTH,
	.options = example_options,
	.open = example_open,
	.close = example_close,
	.auth = &example_auth,
};

COFFER_MODULE_EXPORT const struct coffer_module *
coffer_module_entry(void)
{
	return &example_module;
}
