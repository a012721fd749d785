/*
 * bench_main.c - coffer-bench: options, the runs, the report.
 *
 *	coffer-bench --endpoint URL --server-key KEY --cert FILE
 *	    [--service NAME --service-cert FILE] [--connections N]
 *	    [--inflight K] [--duration S] [--warmup S]
 *	    [--mix get=80,service=10,update=10] [--names N] [--value-bytes B]
 *	    [--rate R] [--credentials JSON] [--baseline [--rounds R]] [--json]
 *	coffer-bench --serve-baseline [--zap]
 */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zmq.h>

#include "bench.h"
#include "cert.h"

#define ROUNDS_MAX	16
#define ROUND_WARMUP	0.5	/* seconds, for each round after the first */

static const char *const op_names[BENCH_OPS] = { "get", "service", "update" };

static const char usage[] =
    "usage: coffer-bench --endpoint URL --server-key KEY|FILE --cert FILE\n"
    "           [--service NAME --service-cert FILE] [--connections N]\n"
    "           [--inflight K] [--duration S] [--warmup S]\n"
    "           [--mix get=P,service=P,update=P] [--names N]\n"
    "           [--value-bytes B] [--rate R] [--credentials JSON]\n"
    "           [--baseline [--rounds R]] [--json]\n"
    "       coffer-bench --serve-baseline [--zap]\n"
    "\n"
    "Closed loop by default: every connection keeps K requests in flight.\n"
    "--rate R is an open loop instead: R requests a second in all, sent\n"
    "on schedule whatever the answers (latency counts from the scheduled\n"
    "time), with at most K in flight per connection.\n"
    "--credentials puts a JSON object (a KMS token and username, say) in\n"
    "every request as its \"credentials\".\n"
    "--rounds R (with --baseline) runs the daemon and the baseline by\n"
    "turns, R times each for a share of the duration, and gives the\n"
    "median of the R ratios: steadier on a machine whose speed drifts.\n"
    "--serve-baseline runs the baseline alone, in the foreground: it prints\n"
    "its public key and endpoint on one line and answers until killed;\n"
    "--zap gives it a ZAP handler that allows every handshake, as cofferd\n"
    "has one (for what an idle connection costs the transport).\n";

static int
parse_mix(struct bench_opts *o, char *spec)
{
	char *tok, *save = NULL;
	int sum = 0;

	memset(o->mix, 0, sizeof(o->mix));
	for (tok = strtok_r(spec, ",", &save); tok != NULL;
	    tok = strtok_r(NULL, ",", &save)) {
		char *eq = strchr(tok, '=');
		int op;

		if (eq == NULL)
			return -1;
		*eq = '\0';
		for (op = 0; op < BENCH_OPS && strcmp(op_names[op], tok) != 0;
		    op++)
			;
		if (op == BENCH_OPS)
			return -1;
		o->mix[op] = atoi(eq + 1);
		sum += o->mix[op];
	}
	return sum == 100 ? 0 : -1;
}

/* The server key in Z85, given so or as a certificate file. */
static int
server_key(const char *given, char z85[41])
{
	char err[CERT_ERR_MAX];

	if (cert_public_key(given, z85, err) < 0) {
		fprintf(stderr, "coffer-bench: %s: %s\n", given, err);
		return -1;
	}
	return 0;
}

static int
parse_args(int argc, char **argv, struct bench_opts *o)
{
	static const struct option longopts[] = {
		{ "endpoint", required_argument, NULL, 'e' },
		{ "server-key", required_argument, NULL, 'k' },
		{ "cert", required_argument, NULL, 'c' },
		{ "service", required_argument, NULL, 's' },
		{ "service-cert", required_argument, NULL, 'S' },
		{ "connections", required_argument, NULL, 'n' },
		{ "inflight", required_argument, NULL, 'i' },
		{ "duration", required_argument, NULL, 'd' },
		{ "warmup", required_argument, NULL, 'w' },
		{ "mix", required_argument, NULL, 'm' },
		{ "names", required_argument, NULL, 'N' },
		{ "value-bytes", required_argument, NULL, 'v' },
		{ "baseline", no_argument, NULL, 'b' },
		{ "rounds", required_argument, NULL, 'R' },
		{ "rate", required_argument, NULL, 'r' },
		{ "credentials", required_argument, NULL, 'C' },
		{ "json", no_argument, NULL, 'j' },
		{ "serve-baseline", no_argument, NULL, 'B' },
		{ "zap", no_argument, NULL, 'z' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	int ch;

	while ((ch = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (ch) {
		case 'e': o->endpoint = optarg; break;
		case 'k': o->server_key = optarg; break;
		case 'c': o->cert = optarg; break;
		case 's': o->service = optarg; break;
		case 'S': o->service_cert = optarg; break;
		case 'n': o->connections = atoi(optarg); break;
		case 'i': o->inflight = atoi(optarg); break;
		case 'd': o->duration = atof(optarg); break;
		case 'w': o->warmup = atof(optarg); break;
		case 'm':
			if (parse_mix(o, optarg) < 0) {
				fprintf(stderr, "coffer-bench: --mix: OP=PERCENT,"
				    " ... adding up to 100 (get, service, "
				    "update)\n");
				return -1;
			}
			break;
		case 'N': o->names = atoi(optarg); break;
		case 'v': o->value_bytes = atoi(optarg); break;
		case 'b': o->baseline = 1; break;
		case 'R': o->rounds = atoi(optarg); break;
		case 'r': o->rate = atof(optarg); break;
		case 'C': o->credentials = optarg; break;
		case 'j': o->json = 1; break;
		case 'B': o->serve = 1; break;
		case 'z': o->zap = 1; break;
		case 'h': fputs(usage, stdout); exit(0);
		default: fputs(usage, stderr); return -1;
		}
	}
	if (o->serve)
		return 0;
	if (o->endpoint == NULL || o->server_key == NULL || o->cert == NULL ||
	    o->connections < 1 || o->inflight < 1 || o->inflight > 256 ||
	    o->duration <= 0 || o->names < 1 || o->value_bytes < 0 ||
	    o->value_bytes > 30000 || o->rounds < 1 ||
	    o->rounds > ROUNDS_MAX) {
		fputs(usage, stderr);
		return -1;
	}
	return 0;
}

struct summary {
	double		 rate;		/* requests per second, all ops */
	uint64_t	 errors;
	struct bench_hist all;
};

static void
summarise(const struct bench_result *r, struct summary *s)
{
	uint64_t done = 0;

	memset(s, 0, sizeof(*s));
	for (int op = 0; op < BENCH_OPS; op++) {
		done += r->done[op];
		s->errors += r->errors[op];
		hist_merge(&s->all, &r->hist[op]);
	}
	s->rate = (double)done / r->seconds;
}

static void
print_json_run(const char *name, const struct bench_result *r,
    const struct summary *s)
{
	printf("\"%s\": {\"requests_per_s\": %.0f, \"errors\": %llu, "
	    "\"p50_us\": %llu, \"p99_us\": %llu, \"p999_us\": %llu, "
	    "\"max_us\": %llu, \"ops\": {", name, s->rate,
	    (unsigned long long)s->errors,
	    (unsigned long long)hist_percentile(&s->all, 50),
	    (unsigned long long)hist_percentile(&s->all, 99),
	    (unsigned long long)hist_percentile(&s->all, 99.9),
	    (unsigned long long)s->all.max);
	for (int op = 0, first = 1; op < BENCH_OPS; op++) {
		if (r->done[op] + r->errors[op] == 0)
			continue;
		printf("%s\"%s\": {\"requests_per_s\": %.0f, \"reply_bytes\": "
		    "%zu, \"p50_us\": %llu, \"p99_us\": %llu}", first ? "" : ", ",
		    op_names[op], (double)r->done[op] / r->seconds,
		    r->reply_bytes[op],
		    (unsigned long long)hist_percentile(&r->hist[op], 50),
		    (unsigned long long)hist_percentile(&r->hist[op], 99));
		first = 0;
	}
	printf("}}");
}

static void
print_human_run(const char *name, const struct bench_result *r,
    const struct summary *s)
{
	printf("%-9s %10.0f req/s  p50 %6llu us  p99 %6llu us  p99.9 %6llu us"
	    "  max %7llu us  errors %llu\n", name, s->rate,
	    (unsigned long long)hist_percentile(&s->all, 50),
	    (unsigned long long)hist_percentile(&s->all, 99),
	    (unsigned long long)hist_percentile(&s->all, 99.9),
	    (unsigned long long)s->all.max, (unsigned long long)s->errors);
	for (int op = 0; op < BENCH_OPS; op++)
		if (r->done[op] + r->errors[op] > 0)
			printf("  %-7s %10.0f req/s  p50 %6llu us  p99 %6llu us"
			    "  reply %zu bytes\n", op_names[op],
			    (double)r->done[op] / r->seconds,
			    (unsigned long long)hist_percentile(&r->hist[op],
			    50), (unsigned long long)hist_percentile(
			    &r->hist[op], 99), r->reply_bytes[op]);
	if (r->first_error[0] != '\0')
		printf("  first error: %s\n", r->first_error);
}

/* Add run R to the runs in INTO. */
static void
result_add(struct bench_result *into, const struct bench_result *r)
{
	for (int op = 0; op < BENCH_OPS; op++) {
		hist_merge(&into->hist[op], &r->hist[op]);
		into->done[op] += r->done[op];
		into->errors[op] += r->errors[op];
		if (r->reply_bytes[op] > 0)
			into->reply_bytes[op] = r->reply_bytes[op];
	}
	if (into->first_error[0] == '\0')
		memcpy(into->first_error, r->first_error,
		    sizeof(into->first_error));
	into->seconds += r->seconds;
}

/* One round against ENDPOINT, added to ALL; its rate. */
static int
run_round(const struct bench_opts *o, const char *endpoint, const char *key,
    struct bench_result *all, double *rate)
{
	static struct bench_result one;
	struct summary s;

	if (bench_load(o, endpoint, key, &one) < 0)
		return -1;
	summarise(&one, &s);
	*rate = s.rate;
	result_add(all, &one);
	return 0;
}

/* The daemon and the baseline by turns, O->rounds times, each round a
 * share of the duration; the ratio of each round in RATIOS. */
static int
run_rounds(const struct bench_opts *o, const char *key, const char *ep,
    const char *echo_key, struct bench_result *daemon,
    struct bench_result *base, double *ratios)
{
	struct bench_opts seg = *o;
	double d, b;

	seg.duration = o->duration / o->rounds;
	memset(daemon, 0, sizeof(*daemon));
	memset(base, 0, sizeof(*base));
	for (int i = 0; i < o->rounds; i++) {
		if (i > 0 && seg.warmup > ROUND_WARMUP)
			seg.warmup = ROUND_WARMUP;	/* caches warm by now */
		if (run_round(&seg, o->endpoint, key, daemon, &d) < 0 ||
		    (ep != NULL && run_round(&seg, ep, echo_key, base, &b) < 0))
			return -1;
		ratios[i] = ep != NULL && b > 0 ? d / b : 0;
	}
	return 0;
}

/* Probe the daemon's reply sizes, then run against it and, if asked,
 * against the echo baseline with those sizes. */
static int
run(const struct bench_opts *o, const char *key, struct bench_result *daemon,
    struct bench_result *base, double *ratios)
{
	struct bench_opts probe = *o;
	char ep[256], echo_key[41];
	int pid, rc;

	probe.duration = 0.5;
	probe.warmup = 0;
	if (bench_load(&probe, o->endpoint, key, daemon) < 0)
		return -1;
	if (!o->baseline)
		return run_rounds(o, key, NULL, NULL, daemon, base, ratios);
	if (echo_start(daemon->reply_bytes, ep, sizeof(ep), echo_key,
	    &pid) < 0) {
		fprintf(stderr, "coffer-bench: cannot start the baseline\n");
		return -1;
	}
	rc = run_rounds(o, key, ep, echo_key, daemon, base, ratios);
	echo_stop(pid);
	return rc;
}

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* The median of the N ratios (sorted in place). */
static double
median(double *v, int n)
{
	qsort(v, (size_t)n, sizeof(*v), cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

int
main(int argc, char **argv)
{
	struct bench_opts o = { .connections = 10, .inflight = 1,
	    .duration = 10, .warmup = 2, .mix = { 100, 0, 0 }, .names = 1000,
	    .value_bytes = 32, .rounds = 1 };
	static struct bench_result daemon, base;
	double ratios[ROUNDS_MAX], rounds[ROUNDS_MAX], ratio;
	struct summary sd, sb;
	char key[41];

	if (parse_args(argc, argv, &o) < 0)
		return 1;
	if (o.serve) {
		static const size_t sizes[BENCH_OPS] = { 256, 256, 256 };

		echo_serve_here(sizes, o.zap, STDOUT_FILENO);
		fprintf(stderr, "coffer-bench: cannot start the baseline: %s\n",
		    zmq_strerror(errno));
		return 1;
	}
	if (server_key(o.server_key, key) < 0 ||
	    run(&o, key, &daemon, &base, ratios) < 0)
		return 1;
	summarise(&daemon, &sd);
	summarise(&base, &sb);
	memcpy(rounds, ratios, sizeof(rounds));
	ratio = median(ratios, o.rounds);
	if (o.json) {
		printf("{\"connections\": %d, \"inflight\": %d, \"duration_s\": "
		    "%.1f, \"rounds\": %d, ", o.connections, o.inflight,
		    o.duration, o.rounds);
		print_json_run("coffer", &daemon, &sd);
		if (o.baseline) {
			printf(", ");
			print_json_run("baseline", &base, &sb);
			printf(", \"ratio\": %.3f, \"round_ratios\": [", ratio);
			for (int i = 0; i < o.rounds; i++)
				printf("%s%.3f", i ? ", " : "", rounds[i]);
			printf("]");
		}
		printf("}\n");
	} else {
		print_human_run("coffer", &daemon, &sd);
		if (o.baseline) {
			print_human_run("baseline", &base, &sb);
			printf("ratio     %.3f of the baseline's throughput",
			    ratio);
			for (int i = 0; o.rounds > 1 && i < o.rounds; i++)
				printf("%s%.3f", i ? " " : " (median of rounds ",
				    rounds[i]);
			printf("%s\n", o.rounds > 1 ? ")" : "");
		}
	}
	return sd.errors > 0 ? 2 : 0;
}
