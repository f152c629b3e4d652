// SPDX-License-Identifier: MIT
/*
 * test-evstream.c - fusefs/evstream.c: the event stream file's semantics (evstream.h): order,
 * exactly-once delivery for readers that keep up, the overrun marker for those that do not,
 * blocking reads, poll readiness and concurrent readers.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <check.h>

#include "evstream.h"

#define RECLEN 13 /* "rec 00000000\n" */

static void push_rec(struct mhpfs_evstream *s, unsigned int n)
{
	char buf[32];

	snprintf(buf, sizeof(buf), "rec %08u\n", n);
	ck_assert_int_eq(mhpfs_evstream_push(s, buf, RECLEN), 0);
}

static struct mhpfs_evstream *new_stream(size_t cap)
{
	struct mhpfs_evstream *s = NULL;

	ck_assert_int_eq(mhpfs_evstream_new(cap, &s), 0);
	return s;
}

static struct mhpfs_evstream_reader *new_reader(struct mhpfs_evstream *s, int start)
{
	struct mhpfs_evstream_reader *r = NULL;

	ck_assert_int_eq(mhpfs_evstream_reader_new(s, start, &r), 0);
	return r;
}

/* Everything readable now, NUL-terminated, in one string. */
static const char *drain(struct mhpfs_evstream_reader *r, size_t chunk)
{
	static char out[65536];
	size_t o = 0;
	ssize_t n;

	while ((n = mhpfs_evstream_read(r, out + o, chunk)) > 0)
		o += (size_t)n;
	ck_assert_int_eq(n, -EAGAIN);
	out[o] = '\0';
	return out;
}

START_TEST(test_records_come_in_push_order_exactly_once)
{
	struct mhpfs_evstream *s = new_stream(8);
	struct mhpfs_evstream_reader *r = new_reader(s, MHPFS_EVSTREAM_OLDEST);

	push_rec(s, 1);
	push_rec(s, 2);
	ck_assert_str_eq(drain(r, 4096), "rec 00000001\nrec 00000002\n");
	ck_assert_str_eq(drain(r, 4096), "");
	push_rec(s, 3);
	ck_assert_str_eq(drain(r, 4096), "rec 00000003\n");
	ck_assert_uint_eq(mhpfs_evstream_pushed(s), 3);
	mhpfs_evstream_reader_free(r);
	mhpfs_evstream_free(s);
}
END_TEST

START_TEST(test_one_byte_reads_give_the_same_bytes)
{
	struct mhpfs_evstream *s = new_stream(8);
	struct mhpfs_evstream_reader *r = new_reader(s, MHPFS_EVSTREAM_OLDEST);

	ck_assert_int_eq(mhpfs_evstream_push(s, "a@/x\nK=V\n\n", 10), 0);
	ck_assert_int_eq(mhpfs_evstream_push(s, "b@/y\n\n", 6), 0);
	ck_assert_str_eq(drain(r, 1), "a@/x\nK=V\n\nb@/y\n\n");
	mhpfs_evstream_reader_free(r);
	mhpfs_evstream_free(s);
}
END_TEST

START_TEST(test_new_reader_starts_at_oldest_or_now)
{
	struct mhpfs_evstream *s = new_stream(2);
	struct mhpfs_evstream_reader *old, *now;

	push_rec(s, 1);
	push_rec(s, 2);
	push_rec(s, 3);
	old = new_reader(s, MHPFS_EVSTREAM_OLDEST);
	now = new_reader(s, MHPFS_EVSTREAM_NEW);
	ck_assert(!mhpfs_evstream_readable(now));
	/* a new reader at the oldest kept record sees no overrun */
	ck_assert_str_eq(drain(old, 4096), "rec 00000002\nrec 00000003\n");
	push_rec(s, 4);
	ck_assert_str_eq(drain(old, 4096), "rec 00000004\n");
	ck_assert_str_eq(drain(now, 4096), "rec 00000004\n");
	ck_assert_int_eq(mhpfs_evstream_reader_new(s, 7, &old), -EINVAL);
	mhpfs_evstream_reader_free(old);
	mhpfs_evstream_reader_free(now);
	mhpfs_evstream_free(s);
}
END_TEST

START_TEST(test_slow_reader_gets_overrun_marker_then_oldest_kept)
{
	struct mhpfs_evstream *s = new_stream(4);
	struct mhpfs_evstream_reader *r = new_reader(s, MHPFS_EVSTREAM_OLDEST);

	for (unsigned int i = 0; i < 10; i++)
		push_rec(s, i);
	ck_assert_uint_eq(mhpfs_evstream_evicted(s), 6);
	ck_assert_str_eq(drain(r, 4096), "OVERRUN=6\n\nrec 00000006\nrec 00000007\n"
					 "rec 00000008\nrec 00000009\n");
	push_rec(s, 10);
	ck_assert_str_eq(drain(r, 4096), "rec 00000010\n");
	mhpfs_evstream_reader_free(r);
	mhpfs_evstream_free(s);
}
END_TEST

START_TEST(test_begun_record_survives_eviction)
{
	struct mhpfs_evstream *s = new_stream(4);
	struct mhpfs_evstream_reader *r = new_reader(s, MHPFS_EVSTREAM_OLDEST);
	char buf[8];

	push_rec(s, 0);
	ck_assert_int_eq(mhpfs_evstream_read(r, buf, 3), 3);
	ck_assert_mem_eq(buf, "rec", 3);
	for (unsigned int i = 1; i <= 8; i++)
		push_rec(s, i);
	/* ring holds 5..8: the rest of 0, then 1..4 are lost */
	ck_assert_str_eq(drain(r, 5), " 00000000\nOVERRUN=4\n\nrec 00000005\nrec 00000006\n"
				      "rec 00000007\nrec 00000008\n");
	mhpfs_evstream_reader_free(r);
	mhpfs_evstream_free(s);
}
END_TEST

START_TEST(test_readers_are_independent)
{
	struct mhpfs_evstream *s = new_stream(8);
	struct mhpfs_evstream_reader *a = new_reader(s, MHPFS_EVSTREAM_OLDEST);
	struct mhpfs_evstream_reader *b = new_reader(s, MHPFS_EVSTREAM_OLDEST);

	push_rec(s, 1);
	ck_assert_str_eq(drain(a, 4096), "rec 00000001\n");
	push_rec(s, 2);
	ck_assert_str_eq(drain(b, 4096), "rec 00000001\nrec 00000002\n");
	ck_assert_str_eq(drain(a, 4096), "rec 00000002\n");
	mhpfs_evstream_reader_free(a);
	mhpfs_evstream_reader_free(b);
	mhpfs_evstream_free(s);
}
END_TEST

START_TEST(test_bad_arguments)
{
	struct mhpfs_evstream *s = NULL;
	struct mhpfs_evstream_reader *r;
	char c;

	ck_assert_int_eq(mhpfs_evstream_new(0, &s), -EINVAL);
	ck_assert_ptr_null(s);
	s = new_stream(1);
	ck_assert_int_eq(mhpfs_evstream_push(s, "", 0), -EINVAL);
	r = new_reader(s, MHPFS_EVSTREAM_OLDEST);
	push_rec(s, 1);
	ck_assert_int_eq(mhpfs_evstream_read(r, &c, 0), 0);
	mhpfs_evstream_reader_free(r);
	mhpfs_evstream_free(s);
	mhpfs_evstream_free(NULL);
	mhpfs_evstream_reader_free(NULL);
}
END_TEST

/* ---- waiting, poll readiness ---------------------------------------------------------------- */

START_TEST(test_readable_follows_the_cursor)
{
	struct mhpfs_evstream *s = new_stream(4);
	struct mhpfs_evstream_reader *r = new_reader(s, MHPFS_EVSTREAM_OLDEST);
	char buf[64];

	ck_assert(!mhpfs_evstream_readable(r));
	push_rec(s, 1);
	ck_assert(mhpfs_evstream_readable(r));
	ck_assert_int_eq(mhpfs_evstream_read(r, buf, 5), 5);
	/* the rest of a begun record is readable */
	ck_assert(mhpfs_evstream_readable(r));
	ck_assert_int_eq(mhpfs_evstream_read(r, buf, sizeof(buf)), RECLEN - 5);
	ck_assert(!mhpfs_evstream_readable(r));
	mhpfs_evstream_shutdown(s);
	/* end of file is "readable" for poll */
	ck_assert(mhpfs_evstream_readable(r));
	ck_assert_int_eq(mhpfs_evstream_read(r, buf, sizeof(buf)), 0);
	mhpfs_evstream_reader_free(r);
	mhpfs_evstream_free(s);
}
END_TEST

START_TEST(test_wait_times_out_at_the_end)
{
	struct mhpfs_evstream *s = new_stream(4);
	struct mhpfs_evstream_reader *r = new_reader(s, MHPFS_EVSTREAM_OLDEST);
	struct timespec a, b;
	char buf[64];
	long ms;

	clock_gettime(CLOCK_MONOTONIC, &a);
	ck_assert_int_eq(mhpfs_evstream_read_wait(r, buf, sizeof(buf), 100), -ETIMEDOUT);
	clock_gettime(CLOCK_MONOTONIC, &b);
	ms = (b.tv_sec - a.tv_sec) * 1000 + (b.tv_nsec - a.tv_nsec) / 1000000;
	ck_assert_int_ge(ms, 95);
	push_rec(s, 1);
	ck_assert_int_eq(mhpfs_evstream_read_wait(r, buf, sizeof(buf), 0), RECLEN);
	mhpfs_evstream_reader_free(r);
	mhpfs_evstream_free(s);
}
END_TEST

struct waiter {
	struct mhpfs_evstream_reader *r;
	ssize_t ret;
	char buf[64];
};

static void *wait_thread(void *arg)
{
	struct waiter *w = arg;

	w->ret = mhpfs_evstream_read_wait(w->r, w->buf, sizeof(w->buf) - 1, -1);
	if (w->ret > 0)
		w->buf[w->ret] = '\0';
	return NULL;
}

static void sleep_ms(long ms)
{
	struct timespec ts = { .tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

START_TEST(test_blocked_reader_wakes_on_push)
{
	struct mhpfs_evstream *s = new_stream(4);
	struct waiter w = { .r = new_reader(s, MHPFS_EVSTREAM_NEW) };
	pthread_t th;

	ck_assert_int_eq(pthread_create(&th, NULL, wait_thread, &w), 0);
	sleep_ms(50);
	push_rec(s, 42);
	pthread_join(th, NULL);
	ck_assert_int_eq(w.ret, RECLEN);
	ck_assert_str_eq(w.buf, "rec 00000042\n");
	mhpfs_evstream_reader_free(w.r);
	mhpfs_evstream_free(s);
}
END_TEST

START_TEST(test_blocked_reader_interrupted_is_eintr)
{
	struct mhpfs_evstream *s = new_stream(4);
	struct waiter w = { .r = new_reader(s, MHPFS_EVSTREAM_NEW) };
	pthread_t th;

	ck_assert_int_eq(pthread_create(&th, NULL, wait_thread, &w), 0);
	sleep_ms(50);
	mhpfs_evstream_reader_interrupt(w.r);
	pthread_join(th, NULL);
	ck_assert_int_eq(w.ret, -EINTR);
	/* the interrupt is used up: the next record is read normally */
	push_rec(s, 1);
	ck_assert_int_eq(mhpfs_evstream_read_wait(w.r, w.buf, sizeof(w.buf), 1000), RECLEN);
	mhpfs_evstream_reader_free(w.r);
	mhpfs_evstream_free(s);
}
END_TEST

START_TEST(test_shutdown_wakes_blocked_reader_with_eof)
{
	struct mhpfs_evstream *s = new_stream(4);
	struct waiter w = { .r = new_reader(s, MHPFS_EVSTREAM_NEW) };
	pthread_t th;

	ck_assert_int_eq(pthread_create(&th, NULL, wait_thread, &w), 0);
	sleep_ms(50);
	mhpfs_evstream_shutdown(s);
	pthread_join(th, NULL);
	ck_assert_int_eq(w.ret, 0);
	mhpfs_evstream_reader_free(w.r);
	mhpfs_evstream_free(s);
}
END_TEST

/* ---- concurrency ---------------------------------------------------------------------------- */

#define NR_RECS 5000
#define NR_READERS 4

struct conc_reader {
	struct mhpfs_evstream_reader *r;
	unsigned int chunk; /* read size */
	unsigned int delay_every; /* sleep 1 ms after that many reads (0: never) */
	/* results */
	unsigned int seen; /* records */
	unsigned long lost; /* sum of OVERRUN counts */
	bool in_order; /* every record number above the previous one + lost */
	char *text;
	size_t len;
};

static void *conc_thread(void *arg)
{
	struct conc_reader *c = arg;
	size_t cap = 1 << 20;
	unsigned int reads = 0;
	ssize_t n;

	c->text = malloc(cap);
	ck_assert_ptr_nonnull(c->text);
	for (;;) {
		if (c->len + c->chunk > cap) {
			cap *= 2;
			c->text = realloc(c->text, cap);
			ck_assert_ptr_nonnull(c->text);
		}
		n = mhpfs_evstream_read_wait(c->r, c->text + c->len, c->chunk, 5000);
		ck_assert_int_ge(n, 0);
		if (n == 0)
			break;
		c->len += (size_t)n;
		if (c->delay_every && ++reads % c->delay_every == 0)
			sleep_ms(1);
	}
	return NULL;
}

/* Check the text: "rec N\n" records and "OVERRUN=k\n\n" markers, in order. */
static void conc_check(struct conc_reader *c)
{
	size_t o = 0;
	long expect = 0;

	c->in_order = true;
	while (o < c->len) {
		unsigned int n;
		unsigned long k;
		int used = 0;

		if (sscanf(c->text + o, "OVERRUN=%lu\n\n%n", &k, &used) == 1 && used) {
			c->lost += k;
			expect += (long)k;
			o += (size_t)used;
			continue;
		}
		ck_assert_msg(o + RECLEN <= c->len && sscanf(c->text + o, "rec %08u\n", &n) == 1,
			      "garbage at %zu", o);
		if ((long)n != expect)
			c->in_order = false;
		expect = (long)n + 1;
		c->seen++;
		o += RECLEN;
	}
	ck_assert_int_eq(expect, NR_RECS);
}

static void run_concurrent(size_t cap, unsigned int delay_every, bool expect_loss)
{
	struct mhpfs_evstream *s = new_stream(cap);
	struct conc_reader c[NR_READERS];
	pthread_t th[NR_READERS];
	static const unsigned int chunks[NR_READERS] = { 1, 7, 13, 4096 };

	for (int i = 0; i < NR_READERS; i++) {
		c[i] = (struct conc_reader){ .r = new_reader(s, MHPFS_EVSTREAM_OLDEST),
					     .chunk = chunks[i],
					     .delay_every = delay_every };
		ck_assert_int_eq(pthread_create(&th[i], NULL, conc_thread, &c[i]), 0);
	}
	for (unsigned int n = 0; n < NR_RECS; n++)
		push_rec(s, n);
	mhpfs_evstream_shutdown(s);
	for (int i = 0; i < NR_READERS; i++) {
		pthread_join(th[i], NULL);
		conc_check(&c[i]);
		ck_assert(c[i].in_order);
		ck_assert_uint_eq(c[i].seen + c[i].lost, NR_RECS);
		if (!expect_loss)
			ck_assert_uint_eq(c[i].lost, 0);
		mhpfs_evstream_reader_free(c[i].r);
		free(c[i].text);
	}
	if (expect_loss)
		ck_assert_uint_gt(mhpfs_evstream_evicted(s), 0);
	mhpfs_evstream_free(s);
}

START_TEST(test_concurrent_readers_that_keep_up_lose_nothing)
{
	/* capacity enough for the whole run: no reader can fall behind it */
	run_concurrent(NR_RECS, 0, false);
}
END_TEST

START_TEST(test_concurrent_slow_readers_account_for_every_record)
{
	/* readers sleep, the ring is tiny: losses happen, each one reported exactly */
	run_concurrent(16, 50, true);
}
END_TEST

struct shared {
	struct mhpfs_evstream_reader *r;
	unsigned char *seen;
	pthread_mutex_t lock;
};

static void *shared_thread(void *arg)
{
	struct shared *sh = arg;
	char buf[RECLEN + 1];
	unsigned int n;
	ssize_t got;

	while ((got = mhpfs_evstream_read_wait(sh->r, buf, RECLEN, 5000)) > 0) {
		ck_assert_int_eq(got, RECLEN);
		buf[RECLEN] = '\0';
		ck_assert_int_eq(sscanf(buf, "rec %08u\n", &n), 1);
		pthread_mutex_lock(&sh->lock);
		sh->seen[n]++;
		pthread_mutex_unlock(&sh->lock);
	}
	ck_assert_int_eq(got, 0);
	return NULL;
}

START_TEST(test_one_reader_shared_by_threads_gives_each_record_once)
{
	struct mhpfs_evstream *s = new_stream(NR_RECS);
	struct shared sh = { .r = new_reader(s, MHPFS_EVSTREAM_OLDEST) };
	pthread_t th[3];

	sh.seen = calloc(NR_RECS, 1);
	pthread_mutex_init(&sh.lock, NULL);
	for (int i = 0; i < 3; i++)
		ck_assert_int_eq(pthread_create(&th[i], NULL, shared_thread, &sh), 0);
	for (unsigned int n = 0; n < NR_RECS; n++)
		push_rec(s, n);
	mhpfs_evstream_shutdown(s);
	for (int i = 0; i < 3; i++)
		pthread_join(th[i], NULL);
	for (unsigned int n = 0; n < NR_RECS; n++)
		ck_assert_msg(sh.seen[n] == 1, "record %u seen %u times", n, sh.seen[n]);
	free(sh.seen);
	pthread_mutex_destroy(&sh.lock);
	mhpfs_evstream_reader_free(sh.r);
	mhpfs_evstream_free(s);
}
END_TEST

static Suite *evstream_suite(void)
{
	Suite *s = suite_create("evstream");
	TCase *tc;

	tc = tcase_create("order");
	tcase_add_test(tc, test_records_come_in_push_order_exactly_once);
	tcase_add_test(tc, test_one_byte_reads_give_the_same_bytes);
	tcase_add_test(tc, test_new_reader_starts_at_oldest_or_now);
	tcase_add_test(tc, test_readers_are_independent);
	tcase_add_test(tc, test_bad_arguments);
	suite_add_tcase(s, tc);

	tc = tcase_create("overrun");
	tcase_add_test(tc, test_slow_reader_gets_overrun_marker_then_oldest_kept);
	tcase_add_test(tc, test_begun_record_survives_eviction);
	suite_add_tcase(s, tc);

	tc = tcase_create("waiting");
	tcase_add_test(tc, test_readable_follows_the_cursor);
	tcase_add_test(tc, test_wait_times_out_at_the_end);
	tcase_add_test(tc, test_blocked_reader_wakes_on_push);
	tcase_add_test(tc, test_blocked_reader_interrupted_is_eintr);
	tcase_add_test(tc, test_shutdown_wakes_blocked_reader_with_eof);
	suite_add_tcase(s, tc);

	tc = tcase_create("concurrency");
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_concurrent_readers_that_keep_up_lose_nothing);
	tcase_add_test(tc, test_concurrent_slow_readers_account_for_every_record);
	tcase_add_test(tc, test_one_reader_shared_by_threads_gives_each_record_once);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(evstream_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
