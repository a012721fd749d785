/*
 * bench_hist.c - a log-linear latency histogram: exact below 1,024 us,
 * then 512 buckets per power of two (under 0.2% error), up to ~2^32 us.
 */
#include "bench.h"

static size_t
hist_index(uint64_t us)
{
	int e = 0;

	if (us < 1024)
		return (size_t)us;
	while ((us >> e) >= 1024)
		e++;
	if (e > 22)
		return HIST_BUCKETS - 1;
	return 1024 + (size_t)(e - 1) * 512 + (size_t)((us >> e) - 512);
}

static uint64_t
hist_value(size_t i)
{
	size_t e;

	if (i < 1024)
		return i;
	e = (i - 1024) / 512 + 1;
	return (uint64_t)(512 + (i - 1024) % 512) << e;
}

void
hist_add(struct bench_hist *h, uint64_t us)
{
	h->count[hist_index(us)]++;
	h->n++;
	if (us > h->max)
		h->max = us;
}

uint64_t
hist_percentile(const struct bench_hist *h, double p)
{
	uint64_t want = (uint64_t)((double)h->n * p / 100.0), seen = 0;

	if (h->n == 0)
		return 0;
	for (size_t i = 0; i < HIST_BUCKETS; i++) {
		seen += h->count[i];
		if (seen > want)
			return hist_value(i);
	}
	return h->max;
}

void
hist_merge(struct bench_hist *into, const struct bench_hist *from)
{
	for (size_t i = 0; i < HIST_BUCKETS; i++)
		into->count[i] += from->count[i];
	into->n += from->n;
	if (from->max > into->max)
		into->max = from->max;
}
