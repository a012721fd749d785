/*
 * daemon.h - detach from the terminal, and tell the parent when ready.
 *
 * daemon_start() forks; the parent waits until the child calls
 * daemon_ready() (then exits 0) or dies first (then exits 1), so startup
 * errors still reach the terminal and an init script sees the outcome.
 */
#ifndef COFFER_DAEMON_H
#define COFFER_DAEMON_H

/* Returns in the child only.  -1 if fork() failed. */
int	 daemon_start(void);
/*
 * Create PIDFILE (if not NULL) before privileges are dropped, so that it
 * can be written once ready and emptied at exit by whoever the daemon
 * has become.  0, or -1 (logged).
 */
int	 daemon_pidfile_open(const char *pidfile);
/* In the child: detach stdio, tell the parent, write the pid file. */
void	 daemon_ready(void);
/* Remove the pid file at exit, or empty it if its directory forbids. */
void	 daemon_finish(void);

#endif
