/*
 * curve_watch.c - notice changes to the certificate directory.
 *
 * A thread of the module's own waits on inotify.  After the first event it
 * gathers events until the directory has been quiet for 100 ms (an editor
 * or "cp" makes several) but no longer than 500 ms, then hands over the
 * names that changed, so each is reread alone: a change is in force well
 * within a second however large the store.  When it cannot tell what
 * changed (the kernel's queue overflowed, over 1,000 names at once, the
 * directory itself changed mode, moved or vanished) it asks for a full
 * rescan instead, which also checks the directory is still safe,
 * and re-arms the watch once a second until the directory is back.
 * curve_watch_stop() ends and joins the thread.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <time.h>
#include <unistd.h>

#include "curve.h"

#define WATCH_EVENTS (IN_CREATE | IN_DELETE | IN_CLOSE_WRITE | IN_MOVED_FROM | \
	IN_MOVED_TO | IN_ATTRIB | IN_MODIFY | IN_DELETE_SELF | IN_MOVE_SELF)
#define WATCH_QUIET_MS	100
#define WATCH_MAX_MS	500
#define WATCH_RETRY_MS	1000
#define WATCH_MAX_NAMES	1000

struct watch_batch {
	char	**names;
	size_t	  n, cap;
	int	  rescan;	/* cannot tell what changed */
	int	  gone;		/* the watch on the directory ended */
};

static void
batch_add(struct watch_batch *b, const char *name)
{
	char **grown;

	if (b->rescan)
		return;
	for (size_t i = 0; i < b->n; i++) {
		if (strcmp(b->names[i], name) == 0)
			return;
	}
	if (b->n == WATCH_MAX_NAMES) {
		b->rescan = 1;
		return;
	}
	if (b->n == b->cap) {
		b->cap = b->cap ? b->cap * 2 : 16;
		if ((grown = realloc(b->names, b->cap * sizeof(*grown))) ==
		    NULL) {
			b->rescan = 1;
			return;
		}
		b->names = grown;
	}
	if ((b->names[b->n] = strdup(name)) == NULL)
		b->rescan = 1;
	else
		b->n++;
}

static void
batch_free(struct watch_batch *b)
{
	for (size_t i = 0; i < b->n; i++)
		free(b->names[i]);
	free(b->names);
	memset(b, 0, sizeof(*b));
}

/* Read all pending events into B. */
static void
watch_drain(struct curve_watch *w, struct watch_batch *b)
{
	char buf[4096] __attribute__((aligned(__alignof__(struct inotify_event))));
	ssize_t n;

	while ((n = read(w->inotify, buf, sizeof(buf))) > 0) {
		for (char *p = buf; p < buf + n;) {
			struct inotify_event *ev = (struct inotify_event *)p;

			if (ev->mask & (IN_DELETE_SELF | IN_MOVE_SELF |
			    IN_IGNORED))
				b->gone = 1;
			else if ((ev->mask & IN_Q_OVERFLOW) || ev->len == 0)
				b->rescan = 1;	/* lost, or the directory's
						 * own mode or owner changed */
			else
				batch_add(b, ev->name);
			p += sizeof(*ev) + ev->len;
		}
	}
}

static int
watch_arm(struct curve_watch *w)
{
	return inotify_add_watch(w->inotify, w->dir, WATCH_EVENTS) >= 0;
}

/* Wait for TIMEOUT ms; 1 on an inotify event, 0 on timeout, -1 to stop. */
static int
watch_wait(struct curve_watch *w, int timeout)
{
	struct pollfd p[2] = {
		{ .fd = w->inotify, .events = POLLIN },
		{ .fd = w->stop[0], .events = POLLIN },
	};
	int n = poll(p, 2, timeout);

	if (n < 0 && errno == EINTR)
		return 0;
	if (p[1].revents)
		return -1;
	return n > 0 && (p[0].revents & POLLIN) ? 1 : 0;
}

static int64_t
watch_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Gather events until quiet, or at most WATCH_MAX_MS; -1 to stop. */
static int
watch_settle(struct curve_watch *w, struct watch_batch *b)
{
	int64_t deadline = watch_now() + WATCH_MAX_MS;
	int rc;

	watch_drain(w, b);
	while (watch_now() < deadline) {
		if ((rc = watch_wait(w, WATCH_QUIET_MS)) <= 0)
			return rc;
		watch_drain(w, b);
	}
	return 0;
}

/* A moved directory would still be watched at its new place: drop the
 * watch, and watch the path again. */
static int
watch_rearm(struct curve_watch *w)
{
	close(w->inotify);
	w->inotify = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	return w->inotify >= 0 && watch_arm(w);
}

static void *
watch_main(void *arg)
{
	struct curve_watch *w = arg;
	struct watch_batch b = { 0 };
	int armed = 1, rc;

	for (;; batch_free(&b)) {
		rc = watch_wait(w, armed ? -1 : WATCH_RETRY_MS);
		if (rc < 0 || (rc > 0 && watch_settle(w, &b) < 0))
			break;
		if (rc == 0 && armed)
			continue;
		if (b.gone || !armed) {
			armed = watch_rearm(w);
			if (!armed && rc == 0)
				continue;	/* still gone: nothing new */
			b.rescan = 1;
		}
		if (b.rescan)
			w->rescan(w->arg);
		else if (b.n > 0)
			w->changed(w->arg, b.names, b.n);
	}
	batch_free(&b);
	return NULL;
}

int
curve_watch_start(struct curve_watch *w, const char *dir,
    void (*changed)(void *, char **, size_t), void (*rescan)(void *),
    void *arg, struct coffer_error *err)
{
	memset(w, 0, sizeof(*w));
	w->dir = dir;
	w->changed = changed;
	w->rescan = rescan;
	w->arg = arg;
	w->stop[0] = w->stop[1] = -1;
	w->inotify = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	if (w->inotify < 0 || pipe2(w->stop, O_CLOEXEC) < 0 || !watch_arm(w)) {
		snprintf(err->msg, sizeof(err->msg), "cannot watch %s: %s",
		    dir, strerror(errno));
		goto fail;
	}
	if (pthread_create(&w->thread, NULL, watch_main, w) != 0) {
		snprintf(err->msg, sizeof(err->msg), "cannot start the "
		    "watcher thread");
		goto fail;
	}
	w->running = 1;
	return 0;
fail:
	for (int i = 0; i < 2; i++)
		if (w->stop[i] >= 0)
			close(w->stop[i]);
	if (w->inotify >= 0)
		close(w->inotify);
	return -1;
}

void
curve_watch_stop(struct curve_watch *w)
{
	if (!w->running)
		return;
	(void)!write(w->stop[1], "x", 1);
	pthread_join(w->thread, NULL);
	if (w->inotify >= 0)
		close(w->inotify);
	close(w->stop[0]);
	close(w->stop[1]);
	w->running = 0;
}
