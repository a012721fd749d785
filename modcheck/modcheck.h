/*
 * modcheck.h - coffer-modcheck: check a module the way the daemon uses it.
 *
 * The checks come in suites of cases.  The runner (modcheck.c) runs each
 * case in a child process of its own, with the module loaded and its
 * instance opened by the daemon's own loader (core/modules.c), so that a
 * crash, a hang or a failed check in one case is reported and the others
 * still run.  A case fails by calling mc_fail() (through the MC_* macros),
 * which reports where and why and ends the child.
 */
#ifndef COFFER_MODCHECK_H
#define COFFER_MODCHECK_H

#include <stddef.h>
#include <stdint.h>

#include "conf.h"
#include "modules.h"

/* The report on standard output (modcheck_report.c). */
struct mc_report {
	int	 passed, failed, skipped, warned;
};
void	 mc_report_ok(struct mc_report *r, const char *what, const char *fmt,
	    ...) __attribute__((format(printf, 3, 4)));
/* WHY, a child's output, may hold several lines. */
void	 mc_report_fail(struct mc_report *r, const char *what,
	    const char *why);
void	 mc_report_skip(struct mc_report *r, const char *what,
	    const char *why);
void	 mc_report_warn(struct mc_report *r, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));
/* TEXT's lines, indented under the last step. */
void	 mc_report_text(const char *text);

struct mc_case {
	const char	*name;
	void		(*run)(void);
};

struct mc_suite {
	const char	*name;		/* "store", "auth" */
	enum coffer_kind kind;		/* the modules it is for */
	/* Optional, in the runner before any case: 0, or -1 with ERR. */
	int		(*prepare)(char *err, size_t len);
	/* In each case's child: open the instance (MC_CHECK on failure). */
	void		(*setup)(void);
	const struct mc_case *cases;	/* ended by a NULL name */
};

/* What a case works with, set up in its child before it runs. */
struct mc_ctx {
	struct conf	 conf;
	struct modules	 mods;
	const char	*cases_path;	/* auth: the --cases file, or NULL */
};
extern struct mc_ctx mc;

extern const struct mc_suite mc_store_suite, mc_auth_suite;

const char *mc_rc_name(int rc);

/* Report FILE:LINE and the message as the case's failure; ends the child. */
_Noreturn void mc_fail(const char *file, int line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* The case does not apply to this module (an optional operation). */
_Noreturn void mc_skip(const char *why);

#define MC_CHECK(cond, ...) do {					\
	if (!(cond))							\
		mc_fail(__FILE__, __LINE__, __VA_ARGS__);		\
} while (0)

/* EXPR, a module call, must answer WANT. */
#define MC_RC(expr, want) do {						\
	int mc_rc_ = (int)(expr);					\
	if (mc_rc_ != (int)(want))					\
		mc_fail(__FILE__, __LINE__, "%s answered %s, expected %s", \
		    #expr, mc_rc_name(mc_rc_), mc_rc_name((int)(want)));	\
} while (0)

#define MC_EQ(got, want) do {						\
	unsigned long long mc_g_ = (unsigned long long)(got);		\
	unsigned long long mc_w_ = (unsigned long long)(want);		\
	if (mc_g_ != mc_w_)						\
		mc_fail(__FILE__, __LINE__, "%s is %llu, expected %llu",	\
		    #got, mc_g_, mc_w_);					\
} while (0)

/* How a child ends (modcheck_child.c); the load step ends with
 * MC_EXIT_KIND + the module's kind. */
enum {
	MC_EXIT_PASS = 0,
	MC_EXIT_FAIL = 1,
	MC_EXIT_SKIP = 3,
	MC_EXIT_KIND = 10
};

/* Run FN(ARG) in a child with TIMEOUT seconds; its output in *OUT_R (the
 * caller frees it); returns how it ended, a crash or hang as MC_EXIT_FAIL
 * with the reason at the end of the output. */
int	 mc_child_run(unsigned timeout, void (*fn)(void *), void *arg,
	    char **out_r);

/* Load the module file as the daemon does and describe it, in a child:
 * its kind, or -1 (modcheck_load.c). */
int	 mc_load_check(const char *path, unsigned timeout,
	    struct mc_report *r);

/* Write a cofferd.conf for a module of KIND at PATH, with the settings
 * file SETTINGS (or none), in a private directory; its path, or NULL with
 * the reason in ERR (modcheck_conf.c).  mc_conf_remove() cleans up. */
const char *mc_conf_write(const char *path, int kind, const char *settings,
	    char *err, size_t len);
void	 mc_conf_remove(void);

/* The module file's exported and imported symbols (modcheck_elf.c). */
int	 mc_elf_check(const char *path, struct mc_report *r);

#endif
