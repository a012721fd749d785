/*
 * log.h - the daemon's logging: stderr in the foreground, syslog as a daemon.
 *
 * One line per call, written with one write(2) so lines from worker threads
 * never interleave.  WARNING: never pass a secret value, a credential or a
 * record's contents to any of these functions.
 */
#ifndef COFFER_LOG_H
#define COFFER_LOG_H

#include <stdarg.h>

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

void	 log_vmsg(enum coffer_log_level level, const char *tag,
	    const char *fmt, va_list ap) COFFER_PRINTF(3, 0);
void	 log_error(const char *fmt, ...) COFFER_PRINTF(1, 2);
void	 log_warn(const char *fmt, ...) COFFER_PRINTF(1, 2);
void	 log_notice(const char *fmt, ...) COFFER_PRINTF(1, 2);
void	 log_info(const char *fmt, ...) COFFER_PRINTF(1, 2);
void	 log_debug(const char *fmt, ...) COFFER_PRINTF(1, 2);

#endif
