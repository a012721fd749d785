/*
 * check_queue.c - the queue between the ROUTER thread and the workers:
 * jobs come out in the order they went in; a worker takes its share of
 * those waiting (at least one, at most its limit); what does not fit is
 * handed back; a worker waiting on an empty queue wakes for a job, and
 * every worker gets NULL once the queue is closed and drained.
 */
#include "config.h"

#include <check.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "queue.h"
#include "testutil.h"

static struct job *
job_new(int n)
{
	struct job *j = calloc(1, sizeof(*j));

	ck_assert_ptr_nonnull(j);
	zmq_msg_init(&j->routing_id);
	zmq_msg_init(&j->body);
	snprintf(j->peer, sizeof(j->peer), "%d", n);
	return j;
}

/* Jobs FIRST to LAST, linked. */
static struct job *
jobs(int first, int last)
{
	struct job *list = NULL, **tail = &list;

	for (int i = first; i <= last; i++) {
		*tail = job_new(i);
		tail = &(*tail)->next;
	}
	return list;
}

/* The numbers of LIST's jobs, as "1,2,3"; the jobs freed. */
static const char *
take_text(struct job *list)
{
	static char text[512];
	size_t len = 0;
	struct job *j;

	text[0] = '\0';
	while ((j = list) != NULL) {
		list = j->next;
		len += (size_t)snprintf(text + len, sizeof(text) - len, "%s%s",
		    len ? "," : "", j->peer);
		job_free(j);
	}
	return text;
}

START_TEST(test_shares)
{
	struct queue q;

	queue_init(&q, 100);
	ck_assert_ptr_null(queue_push_list(&q, jobs(1, 20)));
	ck_assert_uint_eq(q.len, 20);
	/* 20 waiting, 8 workers: two each. */
	ck_assert_str_eq(take_text(queue_take(&q, 8, 8)), "1,2");
	/* One worker alone: all it may take. */
	ck_assert_str_eq(take_text(queue_take(&q, 8, 1)), "3,4,5,6,7,8,9,10");
	/* Fewer waiting than workers: still one; and one with no share. */
	ck_assert_str_eq(take_text(queue_take(&q, 8, 100)), "11");
	ck_assert_str_eq(take_text(queue_take(&q, 8, 0)), "12");
	ck_assert_str_eq(take_text(queue_take(&q, 100, 1)),
	    "13,14,15,16,17,18,19,20");
	ck_assert_uint_eq(q.len, 0);
	ck_assert_ptr_null(q.head);
	ck_assert_ptr_null(q.tail);
	/* Emptied, it takes new jobs at its end as before. */
	ck_assert_ptr_null(queue_push_list(&q, jobs(21, 22)));
	ck_assert_str_eq(take_text(queue_take(&q, 1, 1)), "21");
	ck_assert_str_eq(take_text(queue_take(&q, 1, 1)), "22");
	queue_destroy(&q);
}
END_TEST

START_TEST(test_full)
{
	struct queue q;

	queue_init(&q, 3);
	ck_assert_str_eq(take_text(queue_push_list(&q, jobs(1, 5))), "4,5");
	ck_assert_str_eq(take_text(queue_take(&q, 8, 1)), "1,2,3");
	queue_destroy(&q);
}
END_TEST

static void *
taker(void *arg)
{
	return queue_take(arg, 8, 1);
}

START_TEST(test_wait_and_close)
{
	struct queue q;
	pthread_t t;
	void *got;

	queue_init(&q, 10);
	ck_assert_int_eq(pthread_create(&t, NULL, taker, &q), 0);
	ck_assert_ptr_null(queue_push_list(&q, jobs(1, 1)));
	ck_assert_int_eq(pthread_join(t, &got), 0);
	ck_assert_str_eq(take_text(got), "1");

	/* Closed: what is queued is still taken, then NULL, also for a
	 * worker that was waiting. */
	ck_assert_int_eq(pthread_create(&t, NULL, taker, &q), 0);
	queue_close(&q);
	ck_assert_int_eq(pthread_join(t, &got), 0);
	ck_assert_ptr_null(got);
	ck_assert_str_eq(take_text(queue_push_list(&q, jobs(2, 2))), "2");
	queue_destroy(&q);

	queue_init(&q, 10);
	ck_assert_ptr_null(queue_push_list(&q, jobs(3, 4)));
	queue_close(&q);
	ck_assert_str_eq(take_text(queue_take(&q, 8, 1)), "3,4");
	ck_assert_ptr_null(queue_take(&q, 8, 1));
	queue_destroy(&q);
}
END_TEST

static Suite *
queue_suite(void)
{
	Suite *s = suite_create("queue");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_shares);
	tcase_add_test(tc, test_full);
	tcase_add_test(tc, test_wait_and_close);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return tu_run(queue_suite());
}
