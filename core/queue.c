/*
 * queue.c - FIFO of jobs shared by the I/O thread and the workers.
 */
#include "config.h"

#include <stdlib.h>

#include "queue.h"

void
queue_init(struct queue *q, size_t max)
{
	pthread_mutex_init(&q->lock, NULL);
	pthread_cond_init(&q->nonempty, NULL);
	q->head = q->tail = NULL;
	q->len = 0;
	q->max = max;
	q->idle = 0;
	q->closed = 0;
}

void
queue_destroy(struct queue *q)
{
	struct job *j, *next;

	for (j = q->head; j != NULL; j = next) {
		next = j->next;
		job_free(j);
	}
	pthread_cond_destroy(&q->nonempty);
	pthread_mutex_destroy(&q->lock);
}

struct job *
queue_push_list(struct queue *q, struct job *list)
{
	size_t added = 0, wake;

	pthread_mutex_lock(&q->lock);
	while (list != NULL && !q->closed && q->len < q->max) {
		struct job *job = list;

		list = job->next;
		job->next = NULL;
		if (q->tail != NULL)
			q->tail->next = job;
		else
			q->head = job;
		q->tail = job;
		q->len++;
		added++;
	}
	/* A wake-up costs a system call: none for workers already awake.
	 * And it comes after the lock is let go: a worker woken while it is
	 * held would run at once, find the lock taken and sleep again, and
	 * take the CPU from this thread twice (a third of the context
	 * switches under load, docs/performance.md). */
	wake = added < q->idle ? added : q->idle;
	pthread_mutex_unlock(&q->lock);
	for (size_t i = 0; i < wake; i++)
		pthread_cond_signal(&q->nonempty);
	return list;
}

struct job *
queue_take(struct queue *q, size_t max, size_t share)
{
	struct job *list, **tail;
	size_t n;

	pthread_mutex_lock(&q->lock);
	while (q->head == NULL && !q->closed) {
		q->idle++;
		pthread_cond_wait(&q->nonempty, &q->lock);
		q->idle--;
	}
	n = share > 0 ? q->len / share : 1;
	n = n < 1 ? 1 : n > max ? max : n;
	list = q->head;
	for (tail = &list; *tail != NULL && n > 0; n--) {
		tail = &(*tail)->next;
		q->len--;
	}
	q->head = *tail;
	*tail = NULL;
	if (q->head == NULL)
		q->tail = NULL;
	pthread_mutex_unlock(&q->lock);
	return list;
}

void
queue_close(struct queue *q)
{
	pthread_mutex_lock(&q->lock);
	q->closed = 1;
	pthread_cond_broadcast(&q->nonempty);
	pthread_mutex_unlock(&q->lock);
}

void
job_free(struct job *job)
{
	zmq_msg_close(&job->routing_id);
	zmq_msg_close(&job->body);
	request_free(&job->req);
	free(job);
}
