// SPDX-License-Identifier: MIT
/*
 * fusefs/evstream.c - ring of event records with per-reader cursors (see evstream.h).
 *
 * Records are numbered from 0 in push order; the ring keeps numbers [first, next).  A reader's
 * cursor is the number of the next record it has not begun; the record it is in the middle of
 * (or an overrun marker) lives in the reader's own pending buffer, so eviction never cuts it.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "evstream.h"

struct rec {
	char *data;
	size_t len;
};

struct mhpfs_evstream {
	pthread_mutex_t lock;
	pthread_cond_t cond; /* broadcast on push, shutdown and interrupt */
	struct rec *ring; /* protected by lock; slot of record n is n % cap */
	size_t cap;
	uint64_t first; /* protected by lock */
	uint64_t next; /* protected by lock */
	uint64_t evicted; /* protected by lock */
	bool shutdown; /* protected by lock */
};

struct mhpfs_evstream_reader {
	struct mhpfs_evstream *s;
	uint64_t cursor; /* protected by s->lock */
	char *pend; /* protected by s->lock: the rest of a begun record */
	size_t pend_len;
	size_t pend_off;
	unsigned int interrupts; /* protected by s->lock */
};

int mhpfs_evstream_new(size_t capacity, struct mhpfs_evstream **ret)
{
	struct mhpfs_evstream *s;
	pthread_condattr_t attr;

	if (!capacity)
		return -EINVAL;
	s = calloc(1, sizeof(*s));
	if (!s)
		return -ENOMEM;
	s->ring = calloc(capacity, sizeof(*s->ring));
	if (!s->ring) {
		free(s);
		return -ENOMEM;
	}
	s->cap = capacity;
	pthread_mutex_init(&s->lock, NULL);
	pthread_condattr_init(&attr);
	pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
	pthread_cond_init(&s->cond, &attr);
	pthread_condattr_destroy(&attr);
	*ret = s;
	return 0;
}

void mhpfs_evstream_free(struct mhpfs_evstream *s)
{
	if (!s)
		return;
	for (uint64_t n = s->first; n < s->next; n++)
		free(s->ring[n % s->cap].data);
	free(s->ring);
	pthread_cond_destroy(&s->cond);
	pthread_mutex_destroy(&s->lock);
	free(s);
}

int mhpfs_evstream_push(struct mhpfs_evstream *s, const char *rec, size_t len)
{
	char *copy;

	if (!len)
		return -EINVAL;
	copy = malloc(len);
	if (!copy)
		return -ENOMEM;
	memcpy(copy, rec, len);
	pthread_mutex_lock(&s->lock);
	if (s->next - s->first == s->cap) {
		free(s->ring[s->first % s->cap].data);
		s->ring[s->first % s->cap].data = NULL;
		s->first++;
		s->evicted++;
	}
	s->ring[s->next % s->cap] = (struct rec){ .data = copy, .len = len };
	s->next++;
	pthread_cond_broadcast(&s->cond);
	pthread_mutex_unlock(&s->lock);
	return 0;
}

void mhpfs_evstream_shutdown(struct mhpfs_evstream *s)
{
	pthread_mutex_lock(&s->lock);
	s->shutdown = true;
	pthread_cond_broadcast(&s->cond);
	pthread_mutex_unlock(&s->lock);
}

uint64_t mhpfs_evstream_pushed(struct mhpfs_evstream *s)
{
	uint64_t n;

	pthread_mutex_lock(&s->lock);
	n = s->next;
	pthread_mutex_unlock(&s->lock);
	return n;
}

uint64_t mhpfs_evstream_evicted(struct mhpfs_evstream *s)
{
	uint64_t n;

	pthread_mutex_lock(&s->lock);
	n = s->evicted;
	pthread_mutex_unlock(&s->lock);
	return n;
}

int mhpfs_evstream_reader_new(struct mhpfs_evstream *s, int start,
			      struct mhpfs_evstream_reader **ret)
{
	struct mhpfs_evstream_reader *r;

	if (start != MHPFS_EVSTREAM_OLDEST && start != MHPFS_EVSTREAM_NEW)
		return -EINVAL;
	r = calloc(1, sizeof(*r));
	if (!r)
		return -ENOMEM;
	r->s = s;
	pthread_mutex_lock(&s->lock);
	r->cursor = start == MHPFS_EVSTREAM_OLDEST ? s->first : s->next;
	pthread_mutex_unlock(&s->lock);
	*ret = r;
	return 0;
}

void mhpfs_evstream_reader_free(struct mhpfs_evstream_reader *r)
{
	if (!r)
		return;
	free(r->pend);
	free(r);
}

static bool readable_locked(const struct mhpfs_evstream_reader *r)
{
	return r->pend_off < r->pend_len || r->cursor < r->s->next;
}

/* Make the next record (or an overrun marker) the reader's pending one. */
static int load_next_locked(struct mhpfs_evstream_reader *r)
{
	struct mhpfs_evstream *s = r->s;
	const char *src;
	char marker[48];
	size_t len;
	char *p;

	if (r->cursor < s->first) {
		len = (size_t)snprintf(marker, sizeof(marker), "OVERRUN=%llu\n\n",
				       (unsigned long long)(s->first - r->cursor));
		src = marker;
		r->cursor = s->first;
	} else {
		src = s->ring[r->cursor % s->cap].data;
		len = s->ring[r->cursor % s->cap].len;
	}
	p = realloc(r->pend, len);
	if (!p)
		return -ENOMEM;
	memcpy(p, src, len);
	r->pend = p;
	r->pend_len = len;
	r->pend_off = 0;
	if (src != marker)
		r->cursor++;
	return 0;
}

static ssize_t read_locked(struct mhpfs_evstream_reader *r, char *buf, size_t len)
{
	size_t done = 0;

	if (!len)
		return 0;
	if (!readable_locked(r))
		return r->s->shutdown ? 0 : -EAGAIN;
	while (done < len) {
		size_t n;

		if (r->pend_off == r->pend_len) {
			if (r->cursor >= r->s->next)
				break;
			/* out of memory: return what we have, the record stays for later */
			if (load_next_locked(r))
				return done ? (ssize_t)done : -ENOMEM;
		}
		n = r->pend_len - r->pend_off;
		if (n > len - done)
			n = len - done;
		memcpy(buf + done, r->pend + r->pend_off, n);
		r->pend_off += n;
		done += n;
	}
	return (ssize_t)done;
}

ssize_t mhpfs_evstream_read(struct mhpfs_evstream_reader *r, char *buf, size_t len)
{
	ssize_t n;

	pthread_mutex_lock(&r->s->lock);
	n = read_locked(r, buf, len);
	pthread_mutex_unlock(&r->s->lock);
	return n;
}

ssize_t mhpfs_evstream_read_wait(struct mhpfs_evstream_reader *r, char *buf, size_t len,
				 int timeout_ms)
{
	struct mhpfs_evstream *s = r->s;
	struct timespec deadline;
	ssize_t n;

	if (timeout_ms >= 0) {
		clock_gettime(CLOCK_MONOTONIC, &deadline);
		deadline.tv_sec += timeout_ms / 1000;
		deadline.tv_nsec += (long)(timeout_ms % 1000) * 1000000L;
		if (deadline.tv_nsec >= 1000000000L) {
			deadline.tv_sec++;
			deadline.tv_nsec -= 1000000000L;
		}
	}
	pthread_mutex_lock(&s->lock);
	for (;;) {
		if (r->interrupts) {
			r->interrupts--;
			n = -EINTR;
			break;
		}
		n = read_locked(r, buf, len);
		if (n != -EAGAIN)
			break;
		if (timeout_ms < 0) {
			pthread_cond_wait(&s->cond, &s->lock);
		} else if (pthread_cond_timedwait(&s->cond, &s->lock, &deadline) == ETIMEDOUT) {
			n = read_locked(r, buf, len);
			if (n == -EAGAIN)
				n = -ETIMEDOUT;
			break;
		}
	}
	pthread_mutex_unlock(&s->lock);
	return n;
}

void mhpfs_evstream_reader_interrupt(struct mhpfs_evstream_reader *r)
{
	pthread_mutex_lock(&r->s->lock);
	r->interrupts++;
	pthread_cond_broadcast(&r->s->cond);
	pthread_mutex_unlock(&r->s->lock);
}

bool mhpfs_evstream_readable(struct mhpfs_evstream_reader *r)
{
	bool ok;

	pthread_mutex_lock(&r->s->lock);
	ok = readable_locked(r) || r->s->shutdown;
	pthread_mutex_unlock(&r->s->lock);
	return ok;
}
