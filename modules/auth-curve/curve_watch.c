/*
 * curve_watch.c - notice changes to the certificate directory.
 *
 * A thread of the module's own waits on inotify.  After the first event it
 * waits for the directory to be quiet for 100 ms (an editor or "cp" makes
 * several events) but never more than 500 ms, then asks for a rebuild, so a
 * change is in force well within a second.  If the directory itself goes
 * away, the watch is re-armed once a second until it is back.  close()
 * stops and joins the thread.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
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

/* Read all pending events; 1 if the directory itself went away. */
static int
watch_drain(struct curve_watch *w)
{
	char buf[4096] __attribute__((aligned(__alignof__(struct inotify_event))));
	int gone = 0;
	ssize_t n;

	while ((n = read(w->inotify, buf, sizeof(buf))) > 0) {
		for (char *p = buf; p < buf + n;) {
			struct inotify_event *ev = (struct inotify_event *)p;

			if (ev->mask & (IN_DELETE_SELF | IN_MOVE_SELF |
			    IN_IGNORED))
				gone = 1;
			p += sizeof(*ev) + ev->len;
		}
	}
	return gone;
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

/* After a first event: until quiet, or at most WATCH_MAX_MS. */
static int
watch_settle(struct curve_watch *w, int *armed)
{
	int64_t deadline = watch_now() + WATCH_MAX_MS;
	int rc;

	if (watch_drain(w))
		*armed = 0;
	while (watch_now() < deadline) {
		rc = watch_wait(w, WATCH_QUIET_MS);
		if (rc <= 0)
			return rc;
		if (watch_drain(w))
			*armed = 0;
	}
	return 0;
}

static void *
watch_main(void *arg)
{
	struct curve_watch *w = arg;
	int armed = 1, rc;

	for (;;) {
		rc = watch_wait(w, armed ? -1 : WATCH_RETRY_MS);
		if (rc < 0)
			break;
		if (rc == 0 && armed)
			continue;
		if (rc > 0 && watch_settle(w, &armed) < 0)
			break;
		if (!armed) {
			armed = watch_arm(w);
			if (!armed && rc == 0)
				continue;	/* still gone: nothing new */
		}
		w->reload(w->arg);
	}
	return NULL;
}

int
curve_watch_start(struct curve_watch *w, const struct coffer_host *h,
    const char *dir, void (*reload)(void *), void *arg,
    struct coffer_error *err)
{
	memset(w, 0, sizeof(*w));
	w->host = h;
	w->dir = dir;
	w->reload = reload;
	w->arg = arg;
	w->stop[0] = w->stop[1] = -1;
	w->inotify = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	if (w->inotify < 0 || pipe2(w->stop, O_CLOEXEC) < 0 || !watch_arm(w)) {
		snprintf(err->msg, sizeof(err->msg), "cannot watch %s: %s",
		    dir, strerror(errno));
		for (int i = 0; i < 2; i++)
			if (w->stop[i] >= 0)
				close(w->stop[i]);
		if (w->inotify >= 0)
			close(w->inotify);
		return -1;
	}
	if (pthread_create(&w->thread, NULL, watch_main, w) != 0) {
		snprintf(err->msg, sizeof(err->msg), "cannot start the "
		    "watcher thread");
		close(w->inotify);
		close(w->stop[0]);
		close(w->stop[1]);
		return -1;
	}
	w->running = 1;
	return 0;
}

void
curve_watch_stop(struct curve_watch *w)
{
	if (!w->running)
		return;
	(void)!write(w->stop[1], "x", 1);
	pthread_join(w->thread, NULL);
	close(w->inotify);
	close(w->stop[0]);
	close(w->stop[1]);
	w->running = 0;
}
