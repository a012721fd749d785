/*
 * reload.h - SIGHUP's work, on a thread of its own so that the I/O thread
 * keeps moving requests while modules reload: first the modules that
 * reload safely while requests run (COFFER_MODULE_RELOAD_CONCURRENT),
 * unlocked; then, holding requests back with the reload lock, the others
 * and the audit log's reopening.  Signals that come during a reload make
 * one more after it.
 */
#ifndef COFFER_RELOAD_H
#define COFFER_RELOAD_H

#include <pthread.h>

#include "audit.h"
#include "modules.h"

struct reloader {
	pthread_t	 thread;
	pthread_mutex_t	 lock;
	pthread_cond_t	 wake;
	int		 pending, stopping, started;
	struct modules	*mods;
	struct audit	*audit;		/* NULL: none */
	pthread_rwlock_t *reload_lock;	/* held as writer for the locked pass */
};

/* 0, or -1 logged. */
int	 reload_start(struct reloader *r, struct modules *mods,
	    struct audit *audit, pthread_rwlock_t *reload_lock);
/* Ask for a reload (from the signal handling loop); returns at once. */
void	 reload_request(struct reloader *r);
/* Finish a reload under way, then end the thread. */
void	 reload_stop(struct reloader *r);

#endif
