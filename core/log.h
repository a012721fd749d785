/*
 * log.h - the daemon's logging: stderr in the foreground, syslog as a daemon.
 *
 * One line per call, written with one write(2) so lines from worker threads
 * never interleave.  WARNING: never pass a secret value, a credential or a
 * record's contents to any of these functions.
 */
#ifndef COFFER_LOG_H
#define COFFER_LOG_H

#include <pthread.h>
#include <stdarg.h>
#include <stdint.h>

#include "coffer/module.h"

enum log_target {
	LOG_TO_STDERR,
	LOG_TO_SYSLOG
};

/* A test hook: receives every line that passes the level filter. */
typedef void (*log_sink_fn)(enum coffer_log_level level, const char *line);

void	 log_init(const char *ident, enum log_target target);
void	 log_set_level(enum coffer_log_level level);
enum coffer_log_level log_get_level(void);
void	 log_set_sink(log_sink_fn sink);
int	 log_level_parse(const char *word, enum coffer_log_level *level_r);
const char *log_level_name(enum coffer_log_level level);

/*
 * Rate limiting for lines a client can cause (denials, refusals): at most
 * LOG_LIMIT_BURST lines per second per site; the rest are counted, and the
 * next line that passes says how many were suppressed.
 *
 *	static struct log_limit limit = LOG_LIMIT_INIT;
 *	unsigned skipped;
 *	if (log_limit_pass(&limit, &skipped))
 *		log_info("denied ... (%u like it suppressed)", skipped);
 */
#define LOG_LIMIT_BURST	10
struct log_limit {
	pthread_mutex_t	lock;
	int64_t		second;
	unsigned	count, suppressed;
};
#define LOG_LIMIT_INIT	{ PTHREAD_MUTEX_INITIALIZER, 0, 0, 0 }

int	 log_limit_pass(struct log_limit *l, unsigned *suppressed_r);

void	 log_vmsg(enum coffer_log_level level, const char *tag,
	    const char *fmt, va_list ap) COFFER_PRINTF(3, 0);
void	 log_error(const char *fmt, ...) COFFER_PRINTF(1, 2);
void	 log_warn(const char *fmt, ...) COFFER_PRINTF(1, 2);
void	 log_notice(const char *fmt, ...) COFFER_PRINTF(1, 2);
void	 log_info(const char *fmt, ...) COFFER_PRINTF(1, 2);
void	 log_debug(const char *fmt, ...) COFFER_PRINTF(1, 2);

#endif
