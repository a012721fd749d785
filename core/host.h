/*
 * host.h - the struct coffer_host table each loaded module receives.
 */
#ifndef COFFER_HOST_H
#define COFFER_HOST_H

#include "loader.h"

/* Fill M->host; its log tag is M's module name. */
void	 host_init(struct loaded *m);

int64_t	 host_now_ms(void);
int64_t	 host_monotonic_ms(void);

#endif
