/*
 * log.c - one-line, thread-safe logging to stderr or syslog.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "log.h"

static _Atomic enum log_target log_target = LOG_TO_STDERR;
static enum coffer_log_level log_level = COFFER_LOG_INFO;
static log_sink_fn log_sink;
static const char *log_ident = "cofferd";

static const char *const log_names[] = {
	[COFFER_LOG_ERROR] = "error",
	[COFFER_LOG_WARNING] = "warning",
	[COFFER_LOG_NOTICE] = "notice",
	[COFFER_LOG_INFO] = "info",
	[COFFER_LOG_DEBUG] = "debug",
};

static const int log_priorities[] = {
	[COFFER_LOG_ERROR] = LOG_ERR,
	[COFFER_LOG_WARNING] = LOG_WARNING,
	[COFFER_LOG_NOTICE] = LOG_NOTICE,
	[COFFER_LOG_INFO] = LOG_INFO,
	[COFFER_LOG_DEBUG] = LOG_DEBUG,
};

void
log_init(const char *ident, enum log_target target)
{
	log_ident = ident;
	log_target = target;
	if (target == LOG_TO_SYSLOG)
		openlog(ident, LOG_PID | LOG_NDELAY, LOG_DAEMON);
}

void
log_set_level(enum coffer_log_level level)
{
	log_level = level;
}

enum coffer_log_level
log_get_level(void)
{
	return log_level;
}

void
log_set_sink(log_sink_fn sink)
{
	log_sink = sink;
}

int
log_level_parse(const char *word, enum coffer_log_level *level_r)
{
	for (size_t i = 0; i < sizeof(log_names) / sizeof(log_names[0]); i++) {
		if (strcmp(word, log_names[i]) == 0) {
			*level_r = (enum coffer_log_level)i;
			return 0;
		}
	}
	return -1;
}

const char *
log_level_name(enum coffer_log_level level)
{
	if ((unsigned)level > COFFER_LOG_DEBUG)
		return "?";
	return log_names[level];
}

int
log_limit_pass(struct log_limit *l, unsigned *suppressed_r)
{
	struct timespec ts;
	int pass;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	pthread_mutex_lock(&l->lock);
	if (ts.tv_sec != l->second) {
		l->second = ts.tv_sec;
		l->count = 0;
	}
	pass = l->count++ < LOG_LIMIT_BURST;
	*suppressed_r = pass ? l->suppressed : 0;
	if (pass)
		l->suppressed = 0;
	else
		l->suppressed++;
	pthread_mutex_unlock(&l->lock);
	return pass;
}

/* Replace control characters so a hostile string cannot forge log lines. */
static void
log_sanitize(char *s)
{
	for (; *s != '\0'; s++) {
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			*s = '?';
	}
}

static void
log_write_stderr(enum coffer_log_level level, const char *line)
{
	char buf[2200];
	struct timespec ts;
	struct tm tm;
	int n;

	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	n = snprintf(buf, sizeof(buf),
	    "%04d-%02d-%02dT%02d:%02d:%02d.%03ldZ %s[%ld]: %s: %s\n",
	    tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
	    tm.tm_min, tm.tm_sec, ts.tv_nsec / 1000000L, log_ident,
	    (long)getpid(), log_names[level], line);
	if (n < 0)
		return;
	if ((size_t)n >= sizeof(buf)) {
		n = sizeof(buf) - 1;
		buf[n - 1] = '\n';
	}
	/* One write: lines from several threads never interleave. */
	(void)!write(STDERR_FILENO, buf, (size_t)n);
}

void
log_vmsg(enum coffer_log_level level, const char *tag, const char *fmt,
    va_list ap)
{
	char line[2048];
	int off = 0;

	if ((unsigned)level > COFFER_LOG_DEBUG)
		level = COFFER_LOG_ERROR;
	if (level > log_level)
		return;
	if (tag != NULL)
		off = snprintf(line, sizeof(line), "%s: ", tag);
	if (off < 0 || (size_t)off >= sizeof(line))
		off = 0;
	vsnprintf(line + off, sizeof(line) - (size_t)off, fmt, ap);
	log_sanitize(line);
	if (log_sink != NULL)
		log_sink(level, line);
	if (log_target == LOG_TO_SYSLOG)
		syslog(log_priorities[level], "%s", line);
	else
		log_write_stderr(level, line);
}

#define LOG_FN(fn, level)					\
void								\
fn(const char *fmt, ...)					\
{								\
	va_list ap;						\
	va_start(ap, fmt);					\
	log_vmsg(level, NULL, fmt, ap);				\
	va_end(ap);						\
}

LOG_FN(log_error, COFFER_LOG_ERROR)
LOG_FN(log_warn, COFFER_LOG_WARNING)
LOG_FN(log_notice, COFFER_LOG_NOTICE)
LOG_FN(log_info, COFFER_LOG_INFO)
LOG_FN(log_debug, COFFER_LOG_DEBUG)
