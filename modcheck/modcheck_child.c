/*
 * modcheck_child.c - run one step of the check in a child process.
 *
 * The child's standard output and error (the module's log lines, and the
 * failure a case reports) go to a pipe the runner reads.  The child ends
 * with MC_EXIT_PASS, MC_EXIT_FAIL or MC_EXIT_SKIP; a signal, or the alarm
 * after the time limit, is a crash or a hang of the module.
 */
#include "config.h"

#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "modcheck.h"
#include "xalloc.h"

#define MC_OUTPUT_MAX	(64 * 1024)	/* kept of a child's output */

_Noreturn void
mc_fail(const char *file, int line, const char *fmt, ...)
{
	const char *base = strrchr(file, '/');
	va_list ap;

	fflush(stdout);
	fprintf(stderr, "%s:%d: ", base ? base + 1 : file, line);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	fflush(stderr);
	_exit(MC_EXIT_FAIL);
}

_Noreturn void
mc_skip(const char *why)
{
	fflush(stdout);
	fprintf(stderr, "%s\n", why);
	fflush(stderr);
	_exit(MC_EXIT_SKIP);
}

static _Noreturn void
mc_child_main(int out, unsigned timeout, void (*fn)(void *), void *arg)
{
	signal(SIGALRM, SIG_DFL);
	if (dup2(out, STDOUT_FILENO) < 0 || dup2(out, STDERR_FILENO) < 0)
		_exit(MC_EXIT_FAIL);
	close(out);
	alarm(timeout);
	fn(arg);
	fflush(stdout);
	fflush(stderr);
	_exit(MC_EXIT_PASS);
}

/* Everything the child writes, up to MC_OUTPUT_MAX bytes. */
static char *
mc_child_read(int in)
{
	char *text = xmalloc(MC_OUTPUT_MAX + 1), chunk[4096];
	size_t len = 0;
	ssize_t n;

	while ((n = read(in, chunk, sizeof(chunk))) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			break;
		if (len + (size_t)n > MC_OUTPUT_MAX)
			n = (ssize_t)(MC_OUTPUT_MAX - len);
		memcpy(text + len, chunk, (size_t)n);
		len += (size_t)n;
	}
	text[len] = '\0';
	return text;
}

/* What the child's end says, in WHY (appended to its output). */
static int
mc_child_status(int status, unsigned timeout, char *why, size_t len)
{
	why[0] = '\0';
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	if (WTERMSIG(status) == SIGALRM)
		snprintf(why, len, "no answer within %u s: the module hangs",
		    timeout);
	else
		snprintf(why, len, "the module crashed: %s",
		    strsignal(WTERMSIG(status)));
	return MC_EXIT_FAIL;
}

int
mc_child_run(unsigned timeout, void (*fn)(void *), void *arg, char **out_r)
{
	char why[128], *out;
	int fds[2], status;
	size_t len;
	pid_t pid;

	fflush(stdout);
	if (pipe(fds) < 0 || (pid = fork()) < 0) {
		*out_r = xstrdup("cannot start a child process");
		return MC_EXIT_FAIL;
	}
	if (pid == 0) {
		close(fds[0]);
		mc_child_main(fds[1], timeout, fn, arg);
	}
	close(fds[1]);
	out = mc_child_read(fds[0]);
	close(fds[0]);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	status = mc_child_status(status, timeout, why, sizeof(why));
	if (why[0] != '\0') {
		len = strlen(out);
		out = xrealloc(out, len + strlen(why) + 2, 1);
		snprintf(out + len, strlen(why) + 2, "%s\n", why);
	}
	*out_r = out;
	return status;
}
