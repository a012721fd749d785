/*
 * daemon.c - classic double-duty fork with a readiness pipe.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "daemon.h"
#include "log.h"

static int daemon_pipe = -1;
static int daemon_pidfd = -1;
static const char *daemon_pidpath;

int
daemon_start(void)
{
	int fds[2], status;
	ssize_t n;
	pid_t pid;
	char c = 0;

	if (pipe2(fds, O_CLOEXEC) < 0)
		return -1;
	if ((pid = fork()) < 0)
		return -1;
	if (pid > 0) {
		close(fds[1]);
		while ((n = read(fds[0], &c, 1)) < 0 && errno == EINTR)
			;
		if (n == 1 && c == 'R')
			_exit(0);
		/* The child failed (and said why on stderr) or died. */
		waitpid(pid, &status, 0);
		_exit(1);
	}
	close(fds[0]);
	daemon_pipe = fds[1];
	setsid();
	return 0;
}

int
daemon_pidfile_open(const char *pidfile)
{
	if (pidfile == NULL)
		return 0;
	daemon_pidfd = open(pidfile, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW |
	    O_CLOEXEC, 0644);
	if (daemon_pidfd < 0) {
		log_error("cannot create pid file %s: %s", pidfile,
		    strerror(errno));
		return -1;
	}
	daemon_pidpath = pidfile;
	return 0;
}

static void
daemon_pidfile_write(void)
{
	char text[24];
	int n = snprintf(text, sizeof(text), "%ld\n", (long)getpid());

	if (pwrite(daemon_pidfd, text, (size_t)n, 0) != n)
		log_warn("cannot write pid file %s: %s", daemon_pidpath,
		    strerror(errno));
}

void
daemon_ready(void)
{
	int null;

	if (daemon_pidfd >= 0)
		daemon_pidfile_write();
	if (daemon_pipe < 0)
		return;
	log_init("cofferd", LOG_TO_SYSLOG);
	if ((null = open("/dev/null", O_RDWR)) >= 0) {
		dup2(null, STDIN_FILENO);
		dup2(null, STDOUT_FILENO);
		dup2(null, STDERR_FILENO);
		if (null > STDERR_FILENO)
			close(null);
	}
	(void)!write(daemon_pipe, "R", 1);
	close(daemon_pipe);
	daemon_pipe = -1;
}

void
daemon_finish(void)
{
	if (daemon_pidfd < 0)
		return;
	/* Its directory may be writable only by whoever started us. */
	if (unlink(daemon_pidpath) < 0 && errno != ENOENT) {
		log_notice("cannot remove pid file %s (%s): emptied it "
		    "instead; a directory the daemon's user may write, such as "
		    "/run/coffer, lets it be removed", daemon_pidpath,
		    strerror(errno));
		(void)!ftruncate(daemon_pidfd, 0);
	}
	close(daemon_pidfd);
	daemon_pidfd = -1;
}
