// SPDX-License-Identifier: MIT
/*
 * Integrity of migration under load: a real engine with the pool, the built-in subsystems and a
 * workload of movable, pinned, unmovable and cache pages; writer threads keep rewriting movable
 * pages while thousands of random offline/online cycles run.  After every cycle every byte of
 * every page is checked against the last generation written to it: zero lost or torn writes.
 *
 * Offlines may fail only the kernel's ways: EBUSY (an unmovable page in the block) or EINTR (a
 * pinned page keeps the retry loop going until a watchdog raises the cancel flag).  Bounded to a
 * few seconds.
 */
#include <check.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "memhp/pool.h"
#include "testutil.h"

#define BS (128 * TU_KiB) /* 32 pages per block: many cycles per second */
#define NBOOT 8 /* boot blocks per node */
#define NHOT 8 /* hot-added Movable blocks per node */
#define MAX_CYCLES 3000
#define MIN_CYCLES 1000
#define MAX_SECONDS 6.0 /* then stop once MIN_CYCLES are done... */
#define HARD_SECONDS 40.0 /* ...however slow a loaded machine makes them */

static const struct mhp_mem_range boot[] = {
	{ 4 * TU_GiB, 4 * TU_GiB + NBOOT *BS, 0 },
	{ 4 * TU_GiB + NBOOT * BS, 4 * TU_GiB + 2 * NBOOT *BS, 1 },
};

#define HOT0 (8 * TU_GiB)
#define HOT1 (9 * TU_GiB)

/* Raises the cancel flag of an offline that runs longer than its budget (a pinned page). */
struct watchdog {
	pthread_mutex_t lock;
	struct mhp_cancel *armed;
	struct timespec deadline;
	bool stop;
	pthread_t thread;
};

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void *watchdog_main(void *arg)
{
	struct watchdog *wd = arg;

	for (;;) {
		struct timespec ts;

		pthread_mutex_lock(&wd->lock);
		if (wd->stop) {
			pthread_mutex_unlock(&wd->lock);
			return NULL;
		}
		clock_gettime(CLOCK_MONOTONIC, &ts);
		if (wd->armed &&
		    (ts.tv_sec > wd->deadline.tv_sec ||
		     (ts.tv_sec == wd->deadline.tv_sec && ts.tv_nsec >= wd->deadline.tv_nsec))) {
			mhp_cancel_raise(wd->armed);
			wd->armed = NULL;
		}
		pthread_mutex_unlock(&wd->lock);
		usleep(500);
	}
}

static void watchdog_arm(struct watchdog *wd, struct mhp_cancel *c, long usec)
{
	pthread_mutex_lock(&wd->lock);
	clock_gettime(CLOCK_MONOTONIC, &wd->deadline);
	wd->deadline.tv_nsec += usec * 1000;
	while (wd->deadline.tv_nsec >= 1000000000L) {
		wd->deadline.tv_nsec -= 1000000000L;
		wd->deadline.tv_sec++;
	}
	wd->armed = c;
	pthread_mutex_unlock(&wd->lock);
}

static void watchdog_disarm(struct watchdog *wd)
{
	pthread_mutex_lock(&wd->lock);
	wd->armed = NULL;
	pthread_mutex_unlock(&wd->lock);
}

static void check_accounting(struct mhp_pool *p)
{
	struct mhp_pool_meminfo m;

	ck_assert_int_eq(mhp_pool_meminfo(p, MHP_NUMA_NO_NODE, &m), 0);
	ck_assert_uint_eq(m.used + m.free, m.total);
	ck_assert_uint_eq(m.isolated, 0);
	ck_assert_uint_le(m.movable + m.unmovable + m.cache + m.slab, m.used);
}

START_TEST(test_random_offline_online_with_writers)
{
	struct mhp_workload_params wp = { 0 };
	unsigned long ids[2 * (NBOOT + NHOT)], nids = 0, i;
	unsigned long ok = 0, busy = 0, intr = 0, cycles = 0, onl = 0;
	struct watchdog wd = { .lock = PTHREAD_MUTEX_INITIALIZER };
	struct mhp_workload *w;
	struct mhp_engine *e;
	struct mhp_pool *p;
	struct mhp_config cfg;
	uint64_t rng = 0x1234567;
	size_t pages;
	double t0;

	mhp_config_init(&cfg);
	cfg.block_size = BS;
	cfg.nr_nodes = 2;
	cfg.cpu_nodes = 1;
	cfg.boot = boot;
	cfg.nr_boot = 2;
	ck_assert_int_eq(mhp_pool_new(&cfg, &p), 0);
	cfg.mem_ops = mhp_pool_memory_ops();
	cfg.mem_ops_priv = p;
	e = tu_engine_new(&cfg);
	ck_assert_int_eq(mhp_pool_register_subsystems(p, e), 0);
	ck_assert_int_eq(mhp_add_memory(e, 0, HOT0, NHOT * BS, 0, -1), 0);
	ck_assert_int_eq(mhp_add_memory(e, 1, HOT1, NHOT * BS, 0, -1), 0);
	for (i = 0; i < NHOT; i++) {
		ck_assert_int_eq(tu_store_state(e, HOT0 / BS + i, MHP_MMOP_ONLINE_MOVABLE), 0);
		ck_assert_int_eq(tu_store_state(e, HOT1 / BS + i, MHP_MMOP_ONLINE_MOVABLE), 0);
		ids[nids++] = HOT0 / BS + i;
		ids[nids++] = HOT1 / BS + i;
	}
	for (i = 0; i < 2 * NBOOT; i++)
		ids[nids++] = 4 * TU_GiB / BS + i;

	wp.fill[0][MHP_ZONE_NORMAL] = 40;
	wp.fill[1][MHP_ZONE_NORMAL] = 40;
	wp.fill[0][MHP_ZONE_MOVABLE] = 45;
	wp.fill[1][MHP_ZONE_MOVABLE] = 45;
	wp.unmovable_pct = 10;
	wp.cache_pct = 15;
	wp.pinned_pct = 10;
	wp.writers = 2;
	wp.seed = 42;
	ck_assert_int_eq(mhp_workload_new(p, &wp, &w), 0);
	ck_assert_int_eq(mhp_workload_apply(w), 0);
	ck_assert_int_eq(mhp_pcache_fill(p, MHP_NUMA_NO_NODE, 20), 0);
	ck_assert_int_eq(pthread_create(&wd.thread, NULL, watchdog_main, &wd), 0);

	t0 = now();
	while (cycles < MAX_CYCLES && (now() - t0 < MAX_SECONDS || cycles < MIN_CYCLES) &&
	       now() - t0 < HARD_SECONDS) {
		struct mhp_block *b;
		struct mhp_cancel c;
		unsigned long id;
		int r;

		rng = rng * 6364136223846793005ULL + 1442695040888963407ULL;
		id = ids[(rng >> 33) % nids];
		b = tu_block(e, id);
		if (mhp_block_state(b) == MHP_STATE_ONLINE) {
			mhp_cancel_init(&c);
			/* One offline in eight is interrupted right away, the others get 5 ms. */
			watchdog_arm(&wd, &c, (rng >> 20) % 8 ? 5000 : 0);
			r = mhp_block_store_state(e, b, MHP_MMOP_OFFLINE, &c);
			watchdog_disarm(&wd);
			mhp_cancel_destroy(&c);
			if (r == 0)
				ok++;
			else if (r == -EBUSY)
				busy++;
			else if (r == -EINTR)
				intr++;
			else
				ck_abort_msg("offline of block %lu: %d", id, r);
			ck_assert_int_eq(mhp_block_state(b),
					 r ? MHP_STATE_ONLINE : MHP_STATE_OFFLINE);
		} else {
			ck_assert_int_eq(mhp_block_store_state(e, b, MHP_MMOP_ONLINE, NULL), 0);
			onl++;
		}
		mhp_block_put(b);
		check_accounting(p);
		ck_assert_int_eq(mhp_workload_verify(w, &pages), 0);
		if (cycles % 64 == 0) {
			/* Refill what moved or was dropped; -ENOMEM is fine while blocks are offline. */
			r = mhp_workload_apply(w);
			ck_assert(r == 0 || r == -ENOMEM);
		}
		cycles++;
	}
	ck_assert_int_eq(pthread_mutex_lock(&wd.lock), 0);
	wd.stop = true;
	pthread_mutex_unlock(&wd.lock);
	pthread_join(wd.thread, NULL);

	ck_assert_int_eq(mhp_workload_verify(w, &pages), 0);
	ck_assert_int_eq(mhp_pcache_verify(p, NULL), 0);
	ck_assert_uint_gt(pages, 0);
	ck_assert_uint_ge(cycles, MIN_CYCLES);
	ck_assert_uint_gt(ok, cycles / 8);
	ck_assert_uint_gt(busy, 0);
	ck_assert_uint_gt(intr, 0);
	ck_assert_uint_gt(mhp_workload_writes(w), 1000);
	fprintf(stderr,
		"pool-integrity: %lu cycles in %.2f s: %lu offlined, %lu EBUSY, %lu EINTR, %lu onlined; "
		"%llu writes, %zu pages verified each cycle\n",
		cycles, now() - t0, ok, busy, intr, onl, (unsigned long long)mhp_workload_writes(w),
		pages);
	mhp_workload_free(w);
	mhp_engine_free(e);
	mhp_pool_free(p);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("pool-integrity");
	TCase *tc = tcase_create("integrity");
	SRunner *sr;
	int failed;

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_random_offline_online_with_writers);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
