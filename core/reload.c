/*
 * reload.c - the reload thread (reload.h).
 */
#include "config.h"

#include <string.h>

#include "log.h"
#include "notify.h"
#include "reload.h"

static void
reload_run(struct reloader *r)
{
	int failed;

	log_notice("SIGHUP: reloading modules");
	notify_send("RELOADING=1");
	failed = modules_reload(r->mods, 1);
	pthread_rwlock_wrlock(r->reload_lock);
	failed += modules_reload(r->mods, 0);
	if (r->audit != NULL && audit_reopen(r->audit) < 0)
		failed++;
	pthread_rwlock_unlock(r->reload_lock);
	log_notice("reload done%s", failed ? " with errors (see above)" : "");
	notify_send("READY=1");
}

static void *
reload_main(void *arg)
{
	struct reloader *r = arg;

	pthread_mutex_lock(&r->lock);
	for (;;) {
		while (!r->pending && !r->stopping)
			pthread_cond_wait(&r->wake, &r->lock);
		if (r->stopping)
			break;
		r->pending = 0;
		pthread_mutex_unlock(&r->lock);
		reload_run(r);
		pthread_mutex_lock(&r->lock);
	}
	pthread_mutex_unlock(&r->lock);
	return NULL;
}

int
reload_start(struct reloader *r, struct modules *mods, struct audit *audit,
    pthread_rwlock_t *reload_lock)
{
	memset(r, 0, sizeof(*r));
	r->mods = mods;
	r->audit = audit;
	r->reload_lock = reload_lock;
	pthread_mutex_init(&r->lock, NULL);
	pthread_cond_init(&r->wake, NULL);
	if (pthread_create(&r->thread, NULL, reload_main, r) != 0) {
		log_error("cannot start the reload thread");
		return -1;
	}
	r->started = 1;
	return 0;
}

void
reload_request(struct reloader *r)
{
	pthread_mutex_lock(&r->lock);
	r->pending = 1;
	pthread_cond_signal(&r->wake);
	pthread_mutex_unlock(&r->lock);
}

void
reload_stop(struct reloader *r)
{
	if (!r->started)
		return;
	pthread_mutex_lock(&r->lock);
	r->stopping = 1;
	pthread_cond_signal(&r->wake);
	pthread_mutex_unlock(&r->lock);
	pthread_join(r->thread, NULL);
	pthread_cond_destroy(&r->wake);
	pthread_mutex_destroy(&r->lock);
	r->started = 0;
}
