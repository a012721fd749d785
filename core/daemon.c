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

static void
daemon_pidfile(const char *pidfile)
{
	FILE *f = fopen(pidfile, "w");

	if (f == NULL) {
		log_warn("cannot write pid file %s: %s", pidfile,
		    strerror(errno));
		return;
	}
	fprintf(f, "%ld\n", (long)getpid());
	fclose(f);
}

void
daemon_ready(const char *pidfile)
{
	int null;

	if (pidfile != NULL)
		daemon_pidfile(pidfile);
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
daemon_finish(const char *pidfile)
{
	if (pidfile != NULL)
		unlink(pidfile);
}
