/*
 * faultfs.c - an LD_PRELOAD shim that makes file system calls fail, for the
 * fault injection tests (modules/store-fs/tests/faults.py).
 *
 * Only calls on $FAULTFS_PREFIX and the paths below it count: the store's files, not
 * the daemon's log or sockets.  The counted calls are
 *
 *	write	write(), pwrite(), writev()
 *	fsync	fsync(), fdatasync()
 *	create	openat() with O_CREAT, mkdirat()
 *	rename	renameat2(), renameat()
 *
 * $FAULTFS = "OP:N:ERRNO" makes the Nth counted call of OP (from 1) fail
 * with ERRNO (ENOSPC, EIO, EACCES, EROFS or EDQUOT); "OP:N:ERRNO:+" makes
 * that call and every later one fail (a full disk).  Without it, nothing
 * fails.  $FAULTFS_LOG names a file that gets one line "OP N PATH" per
 * counted call, so a test can see how many there are.  $FAULTFS_DELAY =
 * "OP:MS" makes every counted call of OP wait MS milliseconds first (a
 * slow disk).
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

enum faultfs_op { OP_WRITE, OP_FSYNC, OP_CREATE, OP_RENAME, OP_N };

static const char *const faultfs_names[OP_N] = {
	"write", "fsync", "create", "rename"
};

static atomic_long faultfs_count[OP_N];

struct faultfs_plan {
	int		 op;		/* -1: no fault */
	long		 nth;
	int		 err;
	int		 sticky;
};

static int
faultfs_errno(const char *name)
{
	static const struct { const char *name; int err; } t[] = {
		{ "ENOSPC", ENOSPC }, { "EIO", EIO }, { "EACCES", EACCES },
		{ "EROFS", EROFS }, { "EDQUOT", EDQUOT },
	};

	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		if (strcmp(t[i].name, name) == 0)
			return t[i].err;
	}
	return 0;
}

static struct faultfs_plan faultfs_the_plan = { -1, 0, 0, 0 };
static int faultfs_delay_op = -1;
static long faultfs_delay_ms;

static int
faultfs_op(const char *name)
{
	for (int i = 0; i < OP_N; i++) {
		if (strcmp(faultfs_names[i], name) == 0)
			return i;
	}
	abort();	/* a test bug */
}

__attribute__((constructor)) static void
faultfs_delay_parse(void)
{
	const char *spec = getenv("FAULTFS_DELAY");
	char op[16];

	if (spec == NULL || spec[0] == '\0')
		return;
	if (sscanf(spec, "%15[a-z]:%ld", op, &faultfs_delay_ms) != 2 ||
	    faultfs_delay_ms < 0)
		abort();
	faultfs_delay_op = faultfs_op(op);
}

/* Parsed once, when the shim is loaded, before any thread can ask; a bad
 * $FAULTFS is a test bug: abort. */
__attribute__((constructor)) static void
faultfs_plan_parse(void)
{
	struct faultfs_plan *plan = &faultfs_the_plan;
	char op[16], err[16], sticky[4] = "";
	const char *spec;

	if ((spec = getenv("FAULTFS")) == NULL || spec[0] == '\0')
		return;
	if (sscanf(spec, "%15[a-z]:%ld:%15[A-Z]:%3s", op, &plan->nth, err,
	    sticky) < 3 || (plan->err = faultfs_errno(err)) == 0)
		abort();
	plan->op = faultfs_op(op);
	plan->sticky = strcmp(sticky, "+") == 0;
}

static void *
faultfs_next(const char *name)
{
	void *fn = dlsym(RTLD_NEXT, name);

	if (fn == NULL)
		abort();
	return fn;
}

/* The path of DIRFD/NAME (NAME NULL: of the fd itself) in OUT. */
static int
faultfs_path(int dirfd, const char *name, char *out, size_t len)
{
	char link[64];
	ssize_t n;

	if (name != NULL && name[0] == '/') {
		snprintf(out, len, "%s", name);
		return 0;
	}
	if (dirfd == AT_FDCWD) {
		if (getcwd(out, len) == NULL)
			return -1;
		n = (ssize_t)strlen(out);
	} else {
		snprintf(link, sizeof(link), "/proc/self/fd/%d", dirfd);
		if ((n = readlink(link, out, len - 1)) < 0)
			return -1;
		out[n] = '\0';
	}
	if (name != NULL)
		snprintf(out + n, len - (size_t)n, "/%s", name);
	return 0;
}

static void
faultfs_log(int op, long n, const char *path)
{
	static ssize_t (*real_write)(int, const void *, size_t);
	const char *log = getenv("FAULTFS_LOG");
	char line[PATH_MAX + 64];
	int fd, len;

	if (log == NULL)
		return;
	if (real_write == NULL)
		real_write = faultfs_next("write");
	len = snprintf(line, sizeof(line), "%s %ld %s\n", faultfs_names[op],
	    n, path);
	fd = open(log, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
	if (fd >= 0) {
		(void)!real_write(fd, line, (size_t)len);
		close(fd);
	}
}

/* PATH is PREFIX or something in it. */
static int
faultfs_under(const char *path, const char *prefix)
{
	size_t n = strlen(prefix);

	return strncmp(path, prefix, n) == 0 && (path[n] == '\0' ||
	    path[n] == '/');
}

/* 0: let the call through; an errno: fail it with that. */
static int
faultfs_check(int op, int dirfd, const char *name)
{
	const char *prefix = getenv("FAULTFS_PREFIX");
	const struct faultfs_plan *plan = &faultfs_the_plan;
	char path[PATH_MAX];
	long n;

	if (prefix == NULL || faultfs_path(dirfd, name, path,
	    sizeof(path)) < 0 || !faultfs_under(path, prefix))
		return 0;
	n = atomic_fetch_add(&faultfs_count[op], 1) + 1;
	faultfs_log(op, n, path);
	if (faultfs_delay_op == op) {
		struct timespec ts = { faultfs_delay_ms / 1000,
		    faultfs_delay_ms % 1000 * 1000000 };

		while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
			;
	}
	if (plan->op != op)
		return 0;
	if (n == plan->nth || (plan->sticky && n > plan->nth))
		return plan->err;
	return 0;
}

#define FAULTFS_GUARD(op, dirfd, name, fail)			\
	do {							\
		int e_ = faultfs_check((op), (dirfd), (name));	\
		if (e_ != 0) {					\
			errno = e_;				\
			return (fail);				\
		}						\
	} while (0)

ssize_t
write(int fd, const void *buf, size_t len)
{
	static ssize_t (*real)(int, const void *, size_t);

	if (real == NULL)
		real = faultfs_next("write");
	FAULTFS_GUARD(OP_WRITE, fd, NULL, -1);
	return real(fd, buf, len);
}

ssize_t
pwrite(int fd, const void *buf, size_t len, off_t off)
{
	static ssize_t (*real)(int, const void *, size_t, off_t);

	if (real == NULL)
		real = faultfs_next("pwrite");
	FAULTFS_GUARD(OP_WRITE, fd, NULL, -1);
	return real(fd, buf, len, off);
}

ssize_t
writev(int fd, const struct iovec *iov, int n)
{
	static ssize_t (*real)(int, const struct iovec *, int);

	if (real == NULL)
		real = faultfs_next("writev");
	FAULTFS_GUARD(OP_WRITE, fd, NULL, -1);
	return real(fd, iov, n);
}

int
fsync(int fd)
{
	static int (*real)(int);

	if (real == NULL)
		real = faultfs_next("fsync");
	FAULTFS_GUARD(OP_FSYNC, fd, NULL, -1);
	return real(fd);
}

int
fdatasync(int fd)
{
	static int (*real)(int);

	if (real == NULL)
		real = faultfs_next("fdatasync");
	FAULTFS_GUARD(OP_FSYNC, fd, NULL, -1);
	return real(fd);
}

int
openat(int dirfd, const char *name, int flags, ...)
{
	static int (*real)(int, const char *, int, ...);
	mode_t mode = 0;
	va_list ap;

	if (real == NULL)
		real = faultfs_next("openat");
	if (flags & (O_CREAT | O_TMPFILE)) {
		va_start(ap, flags);
		mode = va_arg(ap, mode_t);
		va_end(ap);
		FAULTFS_GUARD(OP_CREATE, dirfd, name, -1);
	}
	return real(dirfd, name, flags, mode);
}

int
mkdirat(int dirfd, const char *name, mode_t mode)
{
	static int (*real)(int, const char *, mode_t);

	if (real == NULL)
		real = faultfs_next("mkdirat");
	FAULTFS_GUARD(OP_CREATE, dirfd, name, -1);
	return real(dirfd, name, mode);
}

int
renameat2(int olddir, const char *old, int newdir, const char *new,
    unsigned int flags)
{
	static int (*real)(int, const char *, int, const char *, unsigned);

	if (real == NULL)
		real = faultfs_next("renameat2");
	FAULTFS_GUARD(OP_RENAME, newdir, new, -1);
	return real(olddir, old, newdir, new, flags);
}

int
renameat(int olddir, const char *old, int newdir, const char *new)
{
	static int (*real)(int, const char *, int, const char *);

	if (real == NULL)
		real = faultfs_next("renameat");
	FAULTFS_GUARD(OP_RENAME, newdir, new, -1);
	return real(olddir, old, newdir, new);
}
