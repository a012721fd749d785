/*
 * bench.h - coffer-bench, the load generator (docs/performance.md).
 *
 * N DEALER connections over CURVE, each keeping K requests in flight, a
 * mix of operations, a warm-up, then a timed run; latency percentiles
 * from a log-linear histogram.  The same generator drives a bare libzmq
 * CURVE ROUTER echo server answering with replies of the daemon's sizes,
 * so every figure also comes as a ratio to the transport alone.
 */
#ifndef COFFER_BENCH_H
#define COFFER_BENCH_H

#include <stddef.h>
#include <stdint.h>

#define BENCH_OPS	3

enum bench_op {
	BENCH_GET,		/* secret.get of a random name */
	BENCH_SERVICE,		/* service.get, as the service itself */
	BENCH_UPDATE		/* secret.update of a random name */
};

struct bench_opts {
	const char	*endpoint, *server_key;	/* server key in Z85 */
	const char	*cert, *service_cert;	/* _secret certificates */
	const char	*service;		/* the service's name */
	int		 connections, inflight;
	double		 duration, warmup;
	int		 mix[BENCH_OPS];	/* percent of connections */
	int		 names;			/* bench/000000 .. */
	int		 value_bytes;
	int		 json;
	int		 baseline;
	int		 rounds;		/* daemon and baseline by turns */
	double		 rate;			/* open loop: requests/s in all;
						 * 0: closed loop (in flight) */
	const char	*credentials;		/* JSON object, or NULL */
	int		 serve, zap;		/* --serve-baseline [--zap] */
};

/* bench_hist.c: latencies in microseconds. */
#define HIST_BUCKETS	(1024 + 22 * 512)
struct bench_hist {
	uint64_t	 count[HIST_BUCKETS];
	uint64_t	 n, max;
};
void	 hist_add(struct bench_hist *h, uint64_t us);
uint64_t hist_percentile(const struct bench_hist *h, double p);
void	 hist_merge(struct bench_hist *into, const struct bench_hist *from);

/* bench_load.c: one timed run against ENDPOINT (SERVER_KEY). */
struct bench_result {
	struct bench_hist hist[BENCH_OPS];
	uint64_t	 done[BENCH_OPS], errors[BENCH_OPS];
	size_t		 reply_bytes[BENCH_OPS];	/* last reply seen */
	char		 first_error[256];
	double		 seconds;
};
int	 bench_load(const struct bench_opts *o, const char *endpoint,
	    const char *server_key, struct bench_result *r);

/* bench_echo.c: the baseline server in a child process, answering each
 * op with SIZES[op] bytes.  Its endpoint and public key; 0 or -1. */
int	 echo_start(const size_t sizes[BENCH_OPS], char *endpoint,
	    size_t len, char server_key[41], int *pid);
void	 echo_stop(int pid);
/* The baseline in this process, with a ZAP handler if ZAP: "KEY ENDPOINT"
 * written to FD as a line, then served until killed; -1 if it cannot
 * start. */
int	 echo_serve_here(const size_t sizes[BENCH_OPS], int zap, int fd);

/* The request for OP with ID (static buffer). */
const char *bench_request(const struct bench_opts *o, enum bench_op op,
	    uint64_t id, size_t *len);

#endif
