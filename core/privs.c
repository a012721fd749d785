/*
 * privs.c - resolve the configured user and drop root for good.
 */
#include "config.h"

#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

#include "log.h"
#include "privs.h"

static int
privs_group(struct privs *p, const char *group)
{
	struct group *gr;

	errno = 0;
	if ((gr = getgrnam(group)) == NULL) {
		log_error("group '%s': %s", group, errno ? strerror(errno) :
		    "no such group");
		return -1;
	}
	p->gid = gr->gr_gid;
	return 0;
}

int
privs_resolve(struct privs *p, const struct conf *c)
{
	struct passwd *pw;

	memset(p, 0, sizeof(*p));
	if (c->user == NULL) {
		if (geteuid() == 0)
			log_warn("%s: running as root; set 'user' to drop "
			    "root after binding", c->path);
		return 0;
	}
	errno = 0;
	if ((pw = getpwnam(c->user)) == NULL) {
		log_error("%s: user '%s': %s", c->path, c->user, errno ?
		    strerror(errno) : "no such user");
		return -1;
	}
	p->uid = pw->pw_uid;
	p->gid = pw->pw_gid;
	if (c->group != NULL && privs_group(p, c->group) < 0)
		return -1;
	if (geteuid() == 0) {
		p->user = c->user;
		return 0;
	}
	if (geteuid() != p->uid || getegid() != p->gid) {
		log_error("%s: user '%s' needs cofferd started as root or as "
		    "that user and group", c->path, c->user);
		return -1;
	}
	return 0;	/* already who we should be */
}

int
privs_drop(const struct privs *p)
{
	uid_t ruid, euid, suid;

	if (p->user == NULL)
		return 0;
	if (initgroups(p->user, p->gid) < 0 ||
	    setresgid(p->gid, p->gid, p->gid) < 0 ||
	    setresuid(p->uid, p->uid, p->uid) < 0) {
		log_error("cannot become user %s (uid %u, gid %u): %s",
		    p->user, (unsigned)p->uid, (unsigned)p->gid,
		    strerror(errno));
		return -1;
	}
	/* Make sure: no id left that could take root back. */
	if (getresuid(&ruid, &euid, &suid) < 0 || ruid != p->uid ||
	    euid != p->uid || suid != p->uid || (p->uid != 0 &&
	    setuid(0) == 0)) {
		log_error("dropping root to user %s did not take", p->user);
		return -1;
	}
	/* A change of user resets this: no core dumps or ptrace. */
	prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
	prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
	log_info("running as user %s (uid %u, gid %u)", p->user,
	    (unsigned)p->uid, (unsigned)p->gid);
	return 0;
}
