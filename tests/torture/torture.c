// SPDX-License-Identifier: MIT
/*
 * tests/torture/torture.c - the engine and the page pools under random concurrent load.
 *
 * For a bounded time (MHP_TORTURE_SECONDS, default 10) hotplug threads online, offline, probe,
 * add, remove and offline-and-remove random blocks and ranges, flip the parameters and read every
 * value, while tenant threads populate, write, verify, pin, reference and release pages of their
 * own regions, and a reader drains the uevent queue.  Offlines that wait on a pinned or referenced
 * page are cancelled after 100 ms, as a signal would.  Every call's errno must be one SPEC allows
 * for it.  Afterwards: every byte every tenant wrote is read back, the engine's counters agree with
 * its blocks (invariants.c), the pool's page counts agree with the engine's and the tenants',
 * and the event sequence numbers only ever increased.  A watchdog fails the test when no
 * operation completes for 20 s (a hang or a deadlock) or the run overshoots by a minute.
 */
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <memhp/memhp.h>
#include <memhp/pool.h>

#include "invariants.h"

#define MiB (1ULL << 20)
#define BLOCK (1 * MiB)
#define HOT_START (96 * MiB)
#define HOT_END (224 * MiB)
#define NR_HOTPLUG 3
#define NR_TENANTS 4
#define TENANT_PAGES 384
#define CANCEL_AFTER_NS (100 * 1000000LL)
#define STALL_SECONDS 20

static const struct mhp_mem_range boot[] = {
	{ 0, 48 * MiB, 0 },
	{ 48 * MiB, 96 * MiB, 1 },
};

static const struct mhp_mem_range numa[] = {
	{ HOT_START, 160 * MiB, 0 },
	{ 160 * MiB, HOT_END, 1 },
};

static struct mhp_engine *engine;
static struct mhp_pool *pool;
static atomic_bool stop;
static atomic_ulong progress;
static atomic_int failures;

enum op {
	OP_STATE,
	OP_ONLINE,
	OP_PROBE,
	OP_ADD,
	OP_REMOVE,
	OP_OFFLINE_REMOVE,
	OP_PARAMS,
	OP_READS,
	NR_OPS,
};

static const char *const op_names[NR_OPS] = {
	"state",  "online", "probe", "add_memory", "remove_memory", "offline_and_remove",
	"params", "reads",
};

static atomic_ulong op_calls[NR_OPS], op_ok[NR_OPS], op_eintr, op_ebusy;
static atomic_ulong tenant_writes, tenant_verified, tenant_populates, tenant_pins, tenant_refs;
static atomic_ulong events_seen;

#define FAIL(...)                                               \
	do {                                                    \
		fprintf(stderr, "torture: FAIL: " __VA_ARGS__); \
		fputc('\n', stderr);                            \
		atomic_fetch_add(&failures, 1);                 \
	} while (0)

static long long now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/* ---- hotplug threads ----------------------------------------------------------------------- */

struct hp_slot {
	struct mhp_cancel cancel;
	atomic_llong since; /* 0: no cancellable call running */
	unsigned int seed;
	int current; /* enum op, for the watchdog's report */
};

static struct hp_slot slots[NR_HOTPLUG];

static bool allowed(int r, const int *ok)
{
	for (; *ok != 1; ok++)
		if (r == *ok)
			return true;
	return false;
}

static void expect(int op, int r, const int *ok, const char *what)
{
	atomic_fetch_add(&op_calls[op], 1);
	if (!r)
		atomic_fetch_add(&op_ok[op], 1);
	if (r == -EINTR)
		atomic_fetch_add(&op_eintr, 1);
	if (r == -EBUSY)
		atomic_fetch_add(&op_ebusy, 1);
	if (!allowed(r, ok))
		FAIL("%s %s: unexpected %d (%s)", op_names[op], what, r, strerror(-r));
}

static uint64_t hot_addr(unsigned int *seed)
{
	return HOT_START + (uint64_t)(rand_r(seed) % ((HOT_END - HOT_START) / BLOCK)) * BLOCK;
}

/* 1 ends the lists: no errno is 1. */
static const int ok_transition[] = { 0, -EINVAL, -EBUSY, -EINTR, -ENODEV, 1 };
static const int ok_online[] = { 0, -EBUSY, -EINTR, -ENODEV, -EINVAL, 1 };
static const int ok_add[] = { 0, -EEXIST, 1 };
static const int ok_remove[] = { 0, -EBUSY, -EINVAL, 1 };
static const int ok_offline_remove[] = { 0, -EBUSY, -EINVAL, -EINTR, 1 };
static const int ok_zero[] = { 0, 1 };

static void one_op(struct hp_slot *s)
{
	unsigned int *seed = &s->seed;
	int op = rand_r(seed) % NR_OPS, r;
	unsigned long id = rand_r(seed) % (HOT_END / BLOCK);
	struct mhp_block *b;
	char what[64];

	s->current = op;
	atomic_store(&s->cancel.raised, false);
	atomic_store(&s->since, now_ns());
	switch (op) {
	case OP_STATE:
	case OP_ONLINE:
		b = mhp_block_get(engine, id);
		if (!b)
			break;
		if (op == OP_STATE) {
			int type = rand_r(seed) % 4;

			/* offline more often than online so that blocks keep moving */
			if (rand_r(seed) % 3 == 0)
				type = MHP_MMOP_OFFLINE;
			r = mhp_block_store_state(engine, b, type, &s->cancel);
			snprintf(what, sizeof(what), "memory%lu %s", id,
				 mhp_online_type_to_str(type));
			expect(op, r, ok_transition, what);
		} else {
			bool on = rand_r(seed) & 1;

			r = mhp_block_store_online(engine, b, on, &s->cancel);
			snprintf(what, sizeof(what), "memory%lu %d", id, on);
			/* EINVAL: memory0-like blocks without a single zone refuse offline */
			expect(op, r, ok_online, what);
		}
		mhp_block_put(b);
		break;
	case OP_PROBE: {
		uint64_t a = hot_addr(seed);

		r = mhp_probe(engine, a);
		snprintf(what, sizeof(what), "%#" PRIx64, a);
		expect(op, r, ok_add, what);
		break;
	}
	case OP_ADD: {
		uint64_t a = hot_addr(seed), n = 1 + rand_r(seed) % 4;
		int nid = rand_r(seed) % 3 - 1;

		if (a + n * BLOCK > HOT_END)
			n = (HOT_END - a) / BLOCK;
		r = mhp_add_memory(engine, nid, a, n * BLOCK, 0, -1);
		snprintf(what, sizeof(what), "%#" PRIx64 "+%" PRIu64 " node %d", a, n, nid);
		expect(op, r, ok_add, what);
		break;
	}
	case OP_REMOVE:
	case OP_OFFLINE_REMOVE: {
		uint64_t a = hot_addr(seed), n = 1 + rand_r(seed) % 4;

		if (a + n * BLOCK > HOT_END)
			n = (HOT_END - a) / BLOCK;
		snprintf(what, sizeof(what), "%#" PRIx64 "+%" PRIu64, a, n);
		if (op == OP_REMOVE) {
			r = mhp_remove_memory(engine, a, n * BLOCK);
			expect(op, r, ok_remove, what);
		} else {
			r = mhp_offline_and_remove_memory(engine, a, n * BLOCK, &s->cancel);
			expect(op, r, ok_offline_remove, what);
		}
		break;
	}
	case OP_PARAMS:
		switch (rand_r(seed) % 4) {
		case 0:
			/* mostly offline: auto-onlined memory is hard to take away again */
			r = mhp_set_auto_online(engine, rand_r(seed) % 3 ? 0 : rand_r(seed) % 4);
			break;
		case 1:
			r = mhp_set_online_policy(engine, rand_r(seed) % 2);
			break;
		case 2:
			mhp_set_auto_movable_ratio(engine, (unsigned int)rand_r(seed) % 600);
			r = 0;
			break;
		default:
			mhp_set_auto_movable_numa_aware(engine, rand_r(seed) & 1);
			r = 0;
			break;
		}
		expect(op, r, ok_zero, "set");
		break;
	case OP_READS: {
		char buf[64];
		struct mhp_node_info ni;
		bool on;

		b = mhp_block_get(engine, id);
		if (b) {
			r = mhp_block_valid_zones(engine, b, buf, sizeof(buf));
			if (r < 0 && r != -ENODEV)
				FAIL("valid_zones memory%lu: %d", id, r);
			r = mhp_block_online_show(engine, b, &on);
			if (r && r != -ENODEV)
				FAIL("online show memory%lu: %d", id, r);
			if (!mhp_block_state_name(mhp_block_state(b)))
				FAIL("memory%lu: state %d", id, mhp_block_state(b));
			mhp_block_put(b);
		}
		for (int n = 0; n < 2; n++)
			if (mhp_node_info(engine, n, &ni))
				FAIL("node_info %d", n);
		(void)mhp_node_state_mask(engine, MHP_N_MEMORY);
		expect(op, 0, ok_zero, "reads");
		break;
	}
	}
	atomic_store(&s->since, 0);
	atomic_fetch_add(&progress, 1);
}

static void *hotplug_thread(void *arg)
{
	struct hp_slot *s = arg;

	while (!atomic_load(&stop))
		one_op(s);
	return NULL;
}

/* A signal to a writer stuck in an offline: raise its flag after 100 ms. */
static void *canceller_thread(void *arg)
{
	(void)arg;
	while (!atomic_load(&stop)) {
		long long t = now_ns();

		for (int i = 0; i < NR_HOTPLUG; i++) {
			long long since = atomic_load(&slots[i].since);

			if (since && t - since > CANCEL_AFTER_NS)
				mhp_cancel_raise(&slots[i].cancel);
		}
		usleep(10000);
	}
	/* let every running offline end */
	for (int i = 0; i < NR_HOTPLUG; i++)
		mhp_cancel_raise(&slots[i].cancel);
	return NULL;
}

/* ---- tenants ------------------------------------------------------------------------------- */

struct tenant {
	struct mhp_tenant *t;
	int no;
	unsigned int seed;
	uint32_t version[TENANT_PAGES]; /* 0: not present (or not written yet) */
	int pins[TENANT_PAGES];
};

static struct tenant tenants[NR_TENANTS];

/* The bytes page @idx of tenant @no holds at @version: every word says who and when. */
static void pattern(int no, size_t idx, uint32_t version, uint32_t *words)
{
	for (size_t i = 0; i < MHP_PAGE_SIZE / 4; i++)
		words[i] = (uint32_t)no << 28 ^ (uint32_t)idx << 12 ^ version * 2654435761U ^
			   (uint32_t)i;
}

static void verify_page(struct tenant *tn, size_t idx, const char *when)
{
	uint32_t want[MHP_PAGE_SIZE / 4], got[MHP_PAGE_SIZE / 4];
	int r;

	if (!tn->version[idx])
		return;
	pattern(tn->no, idx, tn->version[idx], want);
	r = mhp_tenant_read(tn->t, idx * MHP_PAGE_SIZE, got, sizeof(got));
	if (r)
		FAIL("tenant %d page %zu: read %d (%s)", tn->no, idx, r, when);
	else if (memcmp(want, got, sizeof(got)))
		FAIL("tenant %d page %zu: bytes lost (version %u, %s)", tn->no, idx,
		     tn->version[idx], when);
	else
		atomic_fetch_add(&tenant_verified, MHP_PAGE_SIZE);
}

static void tenant_step(struct tenant *tn)
{
	unsigned int *seed = &tn->seed;
	size_t idx = (size_t)rand_r(seed) % TENANT_PAGES;
	int present = mhp_tenant_page_present(tn->t, idx), r, what = rand_r(seed) % 16;
	uint32_t words[MHP_PAGE_SIZE / 4];

	if (present < 0) {
		FAIL("tenant %d page %zu: present %d", tn->no, idx, present);
		return;
	}
	if (!present) {
		int kind = rand_r(seed) % 12 ? MHP_PAGE_MOVABLE : MHP_PAGE_UNMOVABLE;

		r = mhp_tenant_populate(tn->t, idx, 1, kind, rand_r(seed) % 3 - 1);
		if (r && r != -ENOMEM)
			FAIL("tenant %d populate %zu: %d", tn->no, idx, r);
		if (!r)
			atomic_fetch_add(&tenant_populates, 1);
		return;
	}
	if (what < 6) {
		/* a plain store through the tenant's own mapping, inside an access section */
		uint32_t v = tn->version[idx] + 1;

		pattern(tn->no, idx, v, words);
		mhp_tenant_access_begin(tn->t);
		memcpy((char *)mhp_tenant_base(tn->t) + idx * MHP_PAGE_SIZE, words, sizeof(words));
		mhp_tenant_access_end(tn->t);
		tn->version[idx] = v;
		atomic_fetch_add(&tenant_writes, MHP_PAGE_SIZE);
	} else if (what < 10) {
		verify_page(tn, idx, "during the run");
	} else if (what < 12) {
		if (tn->pins[idx]) {
			if (mhp_tenant_unpin(tn->t, idx, 1))
				FAIL("tenant %d unpin %zu", tn->no, idx);
			tn->pins[idx]--;
		} else if (rand_r(seed) % 4 == 0) {
			r = mhp_tenant_pin(tn->t, idx, 1);
			if (r && r != -ENOMEM)
				FAIL("tenant %d pin %zu: %d", tn->no, idx, r);
			if (!r) {
				tn->pins[idx]++;
				atomic_fetch_add(&tenant_pins, 1);
			}
		}
	} else if (what < 14) {
		void *frame;

		/* a driver doing I/O on the frame: it must not move meanwhile */
		r = mhp_tenant_get_ref(tn->t, idx, &frame);
		if (r) {
			FAIL("tenant %d get_ref %zu: %d", tn->no, idx, r);
			return;
		}
		atomic_fetch_add(&tenant_refs, 1);
		if (tn->version[idx]) {
			pattern(tn->no, idx, tn->version[idx], words);
			if (memcmp(frame, words, sizeof(words)))
				FAIL("tenant %d page %zu: referenced frame holds other bytes",
				     tn->no, idx);
		}
		usleep(200);
		if (mhp_tenant_put_ref(tn->t, idx))
			FAIL("tenant %d put_ref %zu", tn->no, idx);
	} else if (!tn->pins[idx]) {
		r = mhp_tenant_release(tn->t, idx, 1);
		if (r)
			FAIL("tenant %d release %zu: %d", tn->no, idx, r);
		else
			tn->version[idx] = 0;
	}
}

static void *tenant_thread(void *arg)
{
	struct tenant *tn = arg;

	while (!atomic_load(&stop)) {
		tenant_step(tn);
		atomic_fetch_add(&progress, 1);
	}
	/* unpin everything so that the end state is reachable */
	for (size_t i = 0; i < TENANT_PAGES; i++)
		while (tn->pins[i]) {
			mhp_tenant_unpin(tn->t, i, 1);
			tn->pins[i]--;
		}
	return NULL;
}

/* ---- events and the watchdog --------------------------------------------------------------- */

static void *event_thread(void *arg)
{
	uint64_t last = 0;
	struct mhp_uevent ev;

	(void)arg;
	while (!atomic_load(&stop)) {
		if (mhp_event_wait(engine, &ev, 50))
			continue;
		if (ev.seqnum <= last)
			FAIL("event seqnum %" PRIu64 " after %" PRIu64, ev.seqnum, last);
		last = ev.seqnum;
		atomic_fetch_add(&events_seen, 1);
	}
	return NULL;
}

static long long deadline_ns;

static void *watchdog_thread(void *arg)
{
	unsigned long last = 0;
	long long last_change = now_ns();

	(void)arg;
	for (;;) {
		unsigned long p = atomic_load(&progress);
		long long t = now_ns();

		if (p != last) {
			last = p;
			last_change = t;
		}
		if (t - last_change > STALL_SECONDS * 1000000000LL || t > deadline_ns) {
			fprintf(stderr, "torture: FAIL: hang: no progress for %lld s (stop %d)\n",
				(t - last_change) / 1000000000LL, atomic_load(&stop));
			for (int i = 0; i < NR_HOTPLUG; i++)
				fprintf(stderr, "  hotplug thread %d in %s\n", i,
					op_names[slots[i].current]);
			_exit(1);
		}
		usleep(200000);
	}
	return NULL;
}

/* ---- the end state -------------------------------------------------------------------------- */

static void check_end(void)
{
	struct mhp_pool_meminfo all;
	unsigned long tenant_pages = 0;
	char err[256];

	for (int i = 0; i < NR_TENANTS; i++)
		for (size_t p = 0; p < TENANT_PAGES; p++) {
			int present = mhp_tenant_page_present(tenants[i].t, p);

			tenant_pages += present == 1;
			if (tenants[i].version[p] && present != 1)
				FAIL("tenant %d page %zu written but gone", i, p);
			verify_page(&tenants[i], p, "at the end");
		}
	if (mhp_check_invariants(engine, boot, 2, err, sizeof(err)))
		FAIL("invariants: %s", err);
	for (int n = 0; n < 2; n++) {
		struct mhp_pool_meminfo mi;
		struct mhp_node_info ni;

		if (mhp_pool_meminfo(pool, n, &mi) || mhp_node_info(engine, n, &ni)) {
			FAIL("meminfo of node %d", n);
			continue;
		}
		if (mi.total != ni.present_pages)
			FAIL("node %d: the pool has %lu pages online, the engine %lu", n, mi.total,
			     ni.present_pages);
		if (mi.free + mi.used != mi.total)
			FAIL("node %d: free %lu + used %lu != total %lu", n, mi.free, mi.used,
			     mi.total);
		if (mi.isolated)
			FAIL("node %d: %lu pages still isolated", n, mi.isolated);
	}
	if (mhp_pool_meminfo(pool, MHP_NUMA_NO_NODE, &all))
		FAIL("meminfo of the pool");
	else if (all.movable + all.unmovable + all.cache != tenant_pages)
		FAIL("pool counts %lu movable + %lu unmovable + %lu cache, tenants hold %lu",
		     all.movable, all.unmovable, all.cache, tenant_pages);
	if (all.pinned)
		FAIL("%lu pages still pinned", all.pinned);
}

int main(void)
{
	const char *env = getenv("MHP_TORTURE_SECONDS");
	int seconds = env ? atoi(env) : 10;
	pthread_t hp[NR_HOTPLUG], tt[NR_TENANTS], canceller, events, watchdog;
	struct mhp_config cfg;
	unsigned int seed = (unsigned int)time(NULL);
	int r;

	if (getenv("MHP_TORTURE_SEED"))
		seed = (unsigned int)strtoul(getenv("MHP_TORTURE_SEED"), NULL, 0);
	if (seconds < 1)
		seconds = 1;
	printf("torture: %d s, seed %u (MHP_TORTURE_SEED=%u reproduces the choices)\n", seconds,
	       seed, seed);
	mhp_config_init(&cfg);
	cfg.block_size = BLOCK;
	cfg.nr_nodes = 2;
	cfg.cpu_nodes = 3;
	cfg.boot = boot;
	cfg.nr_boot = 2;
	cfg.numa = numa;
	cfg.nr_numa = 2;
	cfg.dma_end = 1 * MiB;
	cfg.dma32_end = 16 * MiB;
	r = mhp_pool_new(&cfg, &pool);
	if (r) {
		fprintf(stderr, "mhp_pool_new: %d\n", r);
		return 1;
	}
	cfg.mem_ops = mhp_pool_memory_ops();
	cfg.mem_ops_priv = pool;
	r = mhp_engine_new(&cfg, &engine);
	if (r) {
		fprintf(stderr, "mhp_engine_new: %d\n", r);
		return 1;
	}
	for (int i = 0; i < NR_TENANTS; i++) {
		tenants[i].no = i;
		tenants[i].seed = seed + 100 + (unsigned int)i;
		if (mhp_tenant_new(pool, TENANT_PAGES, &tenants[i].t)) {
			fprintf(stderr, "mhp_tenant_new failed\n");
			return 1;
		}
	}
	deadline_ns = now_ns() + (seconds + 60) * 1000000000LL;
	pthread_create(&watchdog, NULL, watchdog_thread, NULL);
	pthread_detach(watchdog);
	for (int i = 0; i < NR_HOTPLUG; i++) {
		mhp_cancel_init(&slots[i].cancel);
		slots[i].seed = seed + (unsigned int)i;
		pthread_create(&hp[i], NULL, hotplug_thread, &slots[i]);
	}
	for (int i = 0; i < NR_TENANTS; i++)
		pthread_create(&tt[i], NULL, tenant_thread, &tenants[i]);
	pthread_create(&canceller, NULL, canceller_thread, NULL);
	pthread_create(&events, NULL, event_thread, NULL);

	sleep((unsigned int)seconds);
	atomic_store(&stop, true);
	for (int i = 0; i < NR_TENANTS; i++)
		pthread_join(tt[i], NULL);
	pthread_join(canceller, NULL);
	for (int i = 0; i < NR_HOTPLUG; i++)
		pthread_join(hp[i], NULL);
	pthread_join(events, NULL);

	check_end();

	printf("torture: operations (calls/successes):");
	for (int i = 0; i < NR_OPS; i++)
		printf(" %s %lu/%lu", op_names[i], atomic_load(&op_calls[i]),
		       atomic_load(&op_ok[i]));
	printf("\ntorture: EINTR %lu, EBUSY %lu, events %lu\n", atomic_load(&op_eintr),
	       atomic_load(&op_ebusy), atomic_load(&events_seen));
	printf("torture: tenants: %lu populates, %lu pins, %lu refs, %lu bytes written, %lu bytes "
	       "verified\n",
	       atomic_load(&tenant_populates), atomic_load(&tenant_pins), atomic_load(&tenant_refs),
	       atomic_load(&tenant_writes), atomic_load(&tenant_verified));

	for (int i = 0; i < NR_TENANTS; i++)
		mhp_tenant_free(tenants[i].t);
	for (int i = 0; i < NR_HOTPLUG; i++)
		mhp_cancel_destroy(&slots[i].cancel);
	mhp_engine_free(engine);
	mhp_pool_free(pool);
	if (atomic_load(&failures)) {
		printf("torture: %d failures\n", atomic_load(&failures));
		return 1;
	}
	printf("torture: all invariants hold\n");
	return 0;
}
