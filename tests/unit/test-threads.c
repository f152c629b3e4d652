// SPDX-License-Identifier: MIT
/*
 * Concurrency tests of the engine (SPEC §9, §1.3, §5.2, §13.8-9): writers onlining and offlining
 * the same and different blocks through both store functions while readers query state, online,
 * valid_zones and node info, then invariants (every transition has exactly one uevent, node pages
 * equal the online blocks, no deadlock); `online` show blocking while an offline runs; lock
 * contention never reported as an error; cancellation from another thread.
 *
 * A watchdog alarm fails a test that deadlocks, well before libcheck's own timeout.
 */
#include <check.h>
#include <errno.h>
#include <pthread.h>
#include <semaphore.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "testutil.h"

#define STRESS_MS 1500
/*
 * Each writer stops after its share of requests, so that a consumer starved by a loaded machine can
 * never let the engine's queue (MHP_EVENT_QUEUE_MAX) overflow: a request emits at most one event.
 * It also goes on past the deadline until it has made a minimum, so that a writer starved by the
 * scheduler still exercises its own block.
 */
#define STRESS_MAX_REQUESTS (MHP_EVENT_QUEUE_MAX / 2 / NR_WRITERS)
#define STRESS_MIN_REQUESTS 200
#define NR_WRITERS 4
#define NR_READERS 2
#define NR_SHARED 4 /* blocks 96..99, used by every writer */
#define FIRST_HOT 96UL
#define NR_HOT (NR_SHARED + NR_WRITERS) /* plus one own block per writer: 100..103 */

static void watchdog_fired(int sig)
{
	static const char msg[] = "watchdog: test deadlocked\n";

	(void)sig;
	if (write(STDERR_FILENO, msg, sizeof(msg) - 1) < 0)
		_exit(3);
	_exit(3);
}

static void watchdog_arm(unsigned int seconds)
{
	signal(SIGALRM, watchdog_fired);
	alarm(seconds);
}

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* ---- stress ----------------------------------------------------------------------------------- */

struct stress {
	struct mhp_engine *e;
	struct mhp_block *blocks[NR_HOT];
	long long deadline;
	atomic_bool stop_consumer;
	/* Counted by the notifier. */
	struct mhp_notifier_block nb;
	atomic_ulong mem_online[NR_HOT], mem_offline[NR_HOT];
	/* Successful state stores (each is exactly one transition). */
	atomic_ulong state_ok[NR_HOT];
	/* Counted by the event consumer. */
	unsigned long ev_online[NR_HOT], ev_offline[NR_HOT], ev_total;
	int ev_last[NR_HOT];
	bool ev_alternation_broken;
	bool ev_seq_broken;
	/* Reader findings. */
	atomic_ulong reads;
	atomic_int bad_read;
};

static struct stress *stress_of(struct mhp_notifier_block *nb)
{
	return (struct stress *)(void *)((char *)nb - offsetof(struct stress, nb));
}

static int count_call(struct mhp_notifier_block *nb, unsigned long action, void *data)
{
	struct stress *s = stress_of(nb);
	const struct mhp_memory_notify *n = data;
	unsigned long idx = n->start_pfn / TU_BLOCK_PAGES - FIRST_HOT;

	if (idx >= NR_HOT)
		return MHP_NOTIFY_OK;
	if (action == MHP_MEM_ONLINE)
		atomic_fetch_add(&s->mem_online[idx], 1);
	else if (action == MHP_MEM_OFFLINE)
		atomic_fetch_add(&s->mem_offline[idx], 1);
	return MHP_NOTIFY_OK;
}

struct writer_arg {
	struct stress *s;
	unsigned int seed;
	int idx;
};

static void *writer(void *arg)
{
	struct writer_arg *w = arg;
	struct stress *s = w->s;

	for (unsigned long n = 0;
	     n < STRESS_MIN_REQUESTS || (now_ms() < s->deadline && n < STRESS_MAX_REQUESTS); n++) {
		unsigned int pick = (unsigned int)rand_r(&w->seed);
		/* Half the time a shared block, half the time the writer's own. */
		unsigned int idx =
			(pick & 1) ? (pick >> 1) % NR_SHARED : (unsigned int)(NR_SHARED + w->idx);
		struct mhp_block *b = s->blocks[idx];
		int ret;

		switch ((pick >> 8) % 6) {
		case 0:
			ret = mhp_block_store_state(s->e, b, MHP_MMOP_ONLINE, NULL);
			break;
		case 1:
			ret = mhp_block_store_state(s->e, b, MHP_MMOP_ONLINE_MOVABLE, NULL);
			break;
		case 2:
			ret = mhp_block_store_state(s->e, b, MHP_MMOP_ONLINE_KERNEL, NULL);
			break;
		case 3:
			ret = mhp_block_store_state(s->e, b, MHP_MMOP_OFFLINE, NULL);
			break;
		case 4:
			ret = mhp_block_store_online(s->e, b, true, NULL);
			if (ret != 0)
				atomic_store(&s->bad_read, 100 + -ret);
			continue;
		default:
			ret = mhp_block_store_online(s->e, b, false, NULL);
			if (ret != 0)
				atomic_store(&s->bad_read, 200 + -ret);
			continue;
		}
		/* A state store either transitions or finds the block already there. */
		if (ret == 0)
			atomic_fetch_add(&s->state_ok[idx], 1);
		else if (ret != -EINVAL)
			atomic_store(&s->bad_read, 300 + -ret);
	}
	return NULL;
}

static bool valid_zones_ok(const char *vz)
{
	return !strcmp(vz, "Normal\n") || !strcmp(vz, "Movable\n") ||
	       !strcmp(vz, "Normal Movable\n") || !strcmp(vz, "Movable Normal\n");
}

static void *reader(void *arg)
{
	struct stress *s = arg;
	const unsigned long base = TU_PFN(4 * TU_GiB);

	while (now_ms() < s->deadline) {
		for (int i = 0; i < NR_HOT; i++) {
			struct mhp_block *b = s->blocks[i];
			struct mhp_node_info ni;
			char vz[32];
			bool on = false;
			int st = mhp_block_state(b);

			if (st != MHP_STATE_ONLINE && st != MHP_STATE_OFFLINE &&
			    st != MHP_STATE_GOING_OFFLINE)
				atomic_store(&s->bad_read, 1);
			if (mhp_block_online_show(s->e, b, &on) != 0)
				atomic_store(&s->bad_read, 2);
			if (mhp_block_valid_zones(s->e, b, vz, sizeof(vz)) <= 0 ||
			    !valid_zones_ok(vz))
				atomic_store(&s->bad_read, 3);
			if (mhp_node_info(s->e, 1, &ni) != 0)
				atomic_store(&s->bad_read, 4);
			else if (ni.present_pages < base ||
				 (ni.present_pages - base) % TU_BLOCK_PAGES != 0 ||
				 ni.present_pages > base + NR_HOT * TU_BLOCK_PAGES)
				atomic_store(&s->bad_read, 5);
			if (mhp_node_state_mask(s->e, MHP_N_MEMORY) != 0x3)
				atomic_store(&s->bad_read, 6);
			atomic_fetch_add(&s->reads, 1);
		}
	}
	return NULL;
}

static void *consumer(void *arg)
{
	struct stress *s = arg;
	uint64_t last = 0;

	for (;;) {
		struct mhp_uevent ev;
		unsigned long idx;

		if (mhp_event_wait(s->e, &ev, 20) != 0) {
			if (atomic_load(&s->stop_consumer))
				break;
			continue;
		}
		if (last && ev.seqnum != last + 1)
			s->ev_seq_broken = true;
		last = ev.seqnum;
		s->ev_total++;
		idx = ev.id - FIRST_HOT;
		if (ev.subsystem != MHP_SUBSYS_MEMORY || idx >= NR_HOT) {
			s->ev_alternation_broken = true;
			continue;
		}
		/* Per block, online and offline must alternate, starting with online. */
		if (ev.action == MHP_KOBJ_ONLINE) {
			if (s->ev_last[idx] == MHP_KOBJ_ONLINE)
				s->ev_alternation_broken = true;
			s->ev_online[idx]++;
		} else if (ev.action == MHP_KOBJ_OFFLINE) {
			if (s->ev_last[idx] != MHP_KOBJ_ONLINE)
				s->ev_alternation_broken = true;
			s->ev_offline[idx]++;
		} else {
			s->ev_alternation_broken = true;
		}
		s->ev_last[idx] = ev.action;
	}
	return NULL;
}

START_TEST(stress_online_offline)
{
	static struct stress s; /* big; not on the stack */
	struct writer_arg wa[NR_WRITERS];
	pthread_t wt[NR_WRITERS], rt[NR_READERS], ct;
	struct mhp_config cfg;
	unsigned long online_blocks = 0, transitions = 0, state_ok = 0;
	uint64_t seq0;

	watchdog_arm(20);
	memset(&s, 0, sizeof(s));
	tu_config_two_node(&cfg);
	s.e = tu_engine_new(&cfg);
	ck_assert_int_eq(mhp_add_memory(s.e, 1, FIRST_HOT * TU_BLOCK, NR_HOT * TU_BLOCK, 0, -1), 0);
	tu_events_drain(s.e);
	seq0 = mhp_uevent_seqnum(s.e);
	for (int i = 0; i < NR_HOT; i++) {
		s.blocks[i] = tu_block(s.e, FIRST_HOT + (unsigned long)i);
		s.ev_last[i] = MHP_KOBJ_OFFLINE;
	}
	s.nb.notifier_call = count_call;
	s.nb.priority = 0;
	ck_assert_int_eq(mhp_register_memory_notifier(s.e, &s.nb), 0);

	s.deadline = now_ms() + STRESS_MS;
	ck_assert_int_eq(pthread_create(&ct, NULL, consumer, &s), 0);
	for (int i = 0; i < NR_WRITERS; i++) {
		wa[i].s = &s;
		wa[i].seed = 0x1234u + (unsigned int)i * 7919u;
		wa[i].idx = i;
		ck_assert_int_eq(pthread_create(&wt[i], NULL, writer, &wa[i]), 0);
	}
	for (int i = 0; i < NR_READERS; i++)
		ck_assert_int_eq(pthread_create(&rt[i], NULL, reader, &s), 0);
	for (int i = 0; i < NR_WRITERS; i++)
		pthread_join(wt[i], NULL);
	for (int i = 0; i < NR_READERS; i++)
		pthread_join(rt[i], NULL);
	atomic_store(&s.stop_consumer, true);
	pthread_join(ct, NULL);

	ck_assert_int_eq(atomic_load(&s.bad_read), 0);
	ck_assert_uint_gt(atomic_load(&s.reads), 0);
	ck_assert(!s.ev_seq_broken);
	ck_assert(!s.ev_alternation_broken);
	ck_assert_uint_eq(mhp_event_dropped(s.e), 0);
	ck_assert_uint_eq(s.ev_total, mhp_uevent_seqnum(s.e) - seq0);
	for (int i = 0; i < NR_HOT; i++) {
		unsigned long on = atomic_load(&s.mem_online[i]);
		unsigned long off = atomic_load(&s.mem_offline[i]);
		int st = mhp_block_state(s.blocks[i]);

		/* Exactly one uevent per successful transition. */
		ck_assert_uint_eq(s.ev_online[i], on);
		ck_assert_uint_eq(s.ev_offline[i], off);
		ck_assert_uint_le(atomic_load(&s.state_ok[i]), on + off);
		ck_assert(on == off || on == off + 1);
		ck_assert_int_eq(st, on == off + 1 ? MHP_STATE_ONLINE : MHP_STATE_OFFLINE);
		if (st == MHP_STATE_ONLINE)
			online_blocks++;
		transitions += on + off;
		state_ok += atomic_load(&s.state_ok[i]);
	}
	/* Some work really happened, on every block. */
	ck_assert_uint_gt(transitions, 100);
	ck_assert_uint_gt(state_ok, 0);
	for (int i = 0; i < NR_HOT; i++)
		ck_assert_uint_gt(atomic_load(&s.mem_online[i]), 0);
	ck_assert_uint_eq(tu_node(s.e, 1).present_pages,
			  TU_PFN(4 * TU_GiB) + online_blocks * TU_BLOCK_PAGES);
	ck_assert_uint_eq(tu_node(s.e, 1).managed_pages,
			  TU_PFN(4 * TU_GiB) + online_blocks * TU_BLOCK_PAGES);

	ck_assert_int_eq(mhp_unregister_memory_notifier(s.e, &s.nb), 0);
	for (int i = 0; i < NR_HOT; i++)
		mhp_block_put(s.blocks[i]);
	mhp_engine_free(s.e);
	alarm(0);
}
END_TEST

/* ---- a long offline, seen from other threads -------------------------------------------------- */

struct slow {
	struct tu_recorder r;
	sem_t entered;
	unsigned int sleep_ms;
};

static void slow_hook(struct tu_recorder *r, unsigned long action,
		      const struct mhp_memory_notify *n)
{
	struct slow *sl = r->hook_priv;

	if (action != MHP_MEM_GOING_OFFLINE)
		return;
	sem_post(&sl->entered);
	usleep(sl->sleep_ms * 1000);
}

struct op_arg {
	struct mhp_engine *e;
	unsigned long id;
	int type;
	struct mhp_cancel *cancel;
	int ret;
	long long ms;
};

static void *do_store_state(void *arg)
{
	struct op_arg *o = arg;
	struct mhp_block *b = mhp_block_get(o->e, o->id);
	long long t0 = now_ms();

	o->ret = b ? mhp_block_store_state(o->e, b, o->type, o->cancel) : -ENOENT;
	o->ms = now_ms() - t0;
	mhp_block_put(b);
	return NULL;
}

static void wait_entered(sem_t *sem)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_sec += 5;
	ck_assert_int_eq(sem_timedwait(sem, &ts), 0);
}

START_TEST(online_show_blocks_during_offline)
{
	struct mhp_engine *e;
	struct mhp_config cfg;
	struct tu_log log;
	struct slow sl;
	struct op_arg op = { 0 };
	struct mhp_block *b;
	struct mhp_node_info ni;
	pthread_t t;
	char vz[32];
	bool on = true;
	long long t0;

	watchdog_arm(20);
	tu_config_two_node(&cfg);
	e = tu_engine_new(&cfg);
	ck_assert_int_eq(mhp_probe(e, 12 * TU_GiB), 0);
	ck_assert_int_eq(tu_store_state(e, 96, MHP_MMOP_ONLINE_MOVABLE), 0);
	tu_log_init(&log);
	sem_init(&sl.entered, 0, 0);
	sl.sleep_ms = 400;
	tu_recorder_register(e, &sl.r, &log, "slow", 0);
	sl.r.hook = slow_hook;
	sl.r.hook_priv = &sl;

	op.e = e;
	op.id = 96;
	op.type = MHP_MMOP_OFFLINE;
	ck_assert_int_eq(pthread_create(&t, NULL, do_store_state, &op), 0);
	wait_entered(&sl.entered);

	/* state takes no lock: going-offline, at once. */
	b = tu_block(e, 96);
	t0 = now_ms();
	ck_assert_int_eq(mhp_block_state(b), MHP_STATE_GOING_OFFLINE);
	/* valid_zones of a going-offline block is the offline list; its span still holds it. */
	ck_assert_int_gt(mhp_block_valid_zones(e, b, vz, sizeof(vz)), 0);
	ck_assert_str_eq(vz, "Movable Normal\n");
	ck_assert_int_eq(mhp_node_info(e, 1, &ni), 0);
	ck_assert(tu_online_show(e, 64)); /* another block's device lock is free */
	ck_assert_int_lt(now_ms() - t0, 200);

	/* online waits for the device lock, then sees the result. */
	t0 = now_ms();
	ck_assert_int_eq(mhp_block_online_show(e, b, &on), 0);
	ck_assert_int_ge(now_ms() - t0, 150);
	ck_assert(!on);
	ck_assert_int_eq(mhp_block_state(b), MHP_STATE_OFFLINE);
	pthread_join(t, NULL);
	ck_assert_int_eq(op.ret, 0);
	ck_assert_int_ge(op.ms, 350);
	ck_assert_int_gt(mhp_block_valid_zones(e, b, vz, sizeof(vz)), 0);
	ck_assert_str_eq(vz, "Normal Movable\n");
	mhp_block_put(b);
	tu_recorder_unregister(e, &sl.r);
	sem_destroy(&sl.entered);
	tu_log_destroy(&log);
	mhp_engine_free(e);
	alarm(0);
}
END_TEST

START_TEST(contention_waits_never_fails)
{
	struct mhp_engine *e;
	struct mhp_config cfg;
	struct tu_log log;
	struct slow sl;
	struct op_arg op1 = { 0 }, op2 = { 0 }, op3 = { 0 };
	pthread_t t1, t2, t3;
	char buf[1024];

	watchdog_arm(20);
	tu_config_two_node(&cfg);
	e = tu_engine_new(&cfg);
	ck_assert_int_eq(mhp_add_memory(e, 1, 12 * TU_GiB, 2 * TU_BLOCK, 0, -1), 0);
	ck_assert_int_eq(tu_store_state(e, 96, MHP_MMOP_ONLINE), 0);
	tu_events_drain(e);
	tu_log_init(&log);
	sem_init(&sl.entered, 0, 0);
	sl.sleep_ms = 300;
	tu_recorder_register(e, &sl.r, &log, "slow", 0);
	sl.r.hook = slow_hook;
	sl.r.hook_priv = &sl;

	op1 = (struct op_arg){ .e = e, .id = 96, .type = MHP_MMOP_OFFLINE };
	ck_assert_int_eq(pthread_create(&t1, NULL, do_store_state, &op1), 0);
	wait_entered(&sl.entered);
	/* Another block (device_hotplug_lock is global) and the same block: both wait. */
	op2 = (struct op_arg){ .e = e, .id = 97, .type = MHP_MMOP_ONLINE };
	op3 = (struct op_arg){ .e = e, .id = 96, .type = MHP_MMOP_ONLINE_MOVABLE };
	ck_assert_int_eq(pthread_create(&t2, NULL, do_store_state, &op2), 0);
	usleep(20 * 1000);
	ck_assert_int_eq(pthread_create(&t3, NULL, do_store_state, &op3), 0);
	/* Hot-add waits for device_hotplug_lock too, and then succeeds. */
	ck_assert_int_eq(mhp_probe(e, 14 * TU_GiB), 0);
	pthread_join(t1, NULL);
	pthread_join(t2, NULL);
	pthread_join(t3, NULL);
	ck_assert_int_eq(op1.ret, 0);
	ck_assert_int_eq(op2.ret, 0);
	ck_assert_int_ge(op2.ms, 150);
	/* op3 ran after op1: 96 was offline by then, so it onlined. */
	ck_assert_int_eq(op3.ret, 0);
	ck_assert_int_eq(tu_zone(e, 96), MHP_ZONE_MOVABLE);
	ck_assert_int_eq(tu_state(e, 97), MHP_STATE_ONLINE);
	ck_assert_int_eq(tu_state(e, 112), MHP_STATE_OFFLINE);
	/*
	 * The offline finished before anything else touched the engine; the three waiters then ran
	 * in whatever order they got the lock (a mutex is not fair), each exactly once.
	 */
	tu_events_str(e, buf, sizeof(buf));
	ck_assert_msg(!strncmp(buf, "offline:/devices/system/memory/memory96 ", 40), "%s", buf);
	ck_assert_ptr_nonnull(strstr(buf, " online:/devices/system/memory/memory97"));
	ck_assert_ptr_nonnull(strstr(buf, " online:/devices/system/memory/memory96"));
	ck_assert_ptr_nonnull(strstr(buf, " add:/devices/system/memory/memory112"));
	ck_assert_uint_eq(strlen(buf), 40 + 38 + 1 + 38 + 1 + 36);
	tu_recorder_unregister(e, &sl.r);
	sem_destroy(&sl.entered);
	tu_log_destroy(&log);
	mhp_engine_free(e);
	alarm(0);
}
END_TEST

START_TEST(cancel_from_other_thread)
{
	struct mhp_engine *e;
	struct mhp_config cfg;
	struct tu_memops m;
	struct mhp_cancel cancel;
	struct op_arg op = { 0 };
	struct mhp_block *b;
	pthread_t t;
	bool on = false;
	char buf[256];

	watchdog_arm(20);
	tu_memops_init(&m);
	tu_config_two_node(&cfg);
	tu_memops_attach(&cfg, &m);
	e = tu_engine_new(&cfg);
	ck_assert_int_eq(mhp_probe(e, 12 * TU_GiB), 0);
	ck_assert_int_eq(tu_store_state(e, 96, MHP_MMOP_ONLINE_MOVABLE), 0);
	tu_events_drain(e);
	mhp_cancel_init(&cancel);
	atomic_store(&m.migrate_mode, TU_MIGRATE_EAGAIN);

	op = (struct op_arg){ .e = e, .id = 96, .type = MHP_MMOP_OFFLINE, .cancel = &cancel };
	ck_assert_int_eq(pthread_create(&t, NULL, do_store_state, &op), 0);
	/* The offline retries with no timeout... */
	usleep(300 * 1000);
	ck_assert_int_eq(tu_state(e, 96), MHP_STATE_GOING_OFFLINE);
	ck_assert_uint_gt(atomic_load(&m.nr_migrate), 1);
	/* ...until the writer's "signal". */
	mhp_cancel_raise(&cancel);
	pthread_join(t, NULL);
	ck_assert_int_eq(op.ret, -EINTR);
	ck_assert_int_eq(tu_state(e, 96), MHP_STATE_ONLINE);
	ck_assert_int_eq(tu_zone(e, 96), MHP_ZONE_MOVABLE);
	b = tu_block(e, 96);
	ck_assert_int_eq(mhp_block_online_show(e, b, &on), 0);
	ck_assert(on);
	mhp_block_put(b);
	ck_assert_str_eq(tu_events_str(e, buf, sizeof(buf)), "");
	mhp_cancel_destroy(&cancel);
	mhp_engine_free(e);
	tu_memops_destroy(&m);
	alarm(0);
}
END_TEST

struct done_op {
	struct op_arg op;
	atomic_bool started;
	atomic_bool done;
};

static void *do_store_state_flag(void *arg)
{
	struct done_op *d = arg;

	atomic_store(&d->started, true);
	do_store_state(&d->op);
	atomic_store(&d->done, true);
	return NULL;
}

/*
 * The writer has started before the lock holder sleeps, so "not done after 200 ms" means it waited.
 * How long it measured itself is not asserted: a loaded or instrumented (TSan) machine may
 * deschedule it between starting and calling the store.
 */
static void wait_started(struct done_op *d)
{
	for (int i = 0; i < 10000 && !atomic_load(&d->started); i++)
		usleep(1000);
	ck_assert(atomic_load(&d->started));
}

START_TEST(held_locks_make_writers_wait)
{
	struct mhp_engine *e;
	struct mhp_config cfg;
	struct done_op d;
	pthread_t t;

	watchdog_arm(20);
	tu_config_two_node(&cfg);
	e = tu_engine_new(&cfg);
	ck_assert_int_eq(mhp_probe(e, 12 * TU_GiB), 0);

	/* device_hotplug_lock held by someone else: the store waits, then succeeds. */
	memset(&d, 0, sizeof(d));
	d.op = (struct op_arg){ .e = e, .id = 96, .type = MHP_MMOP_ONLINE };
	mhp_lock_device_hotplug(e);
	ck_assert_int_eq(pthread_create(&t, NULL, do_store_state_flag, &d), 0);
	wait_started(&d);
	usleep(200 * 1000);
	ck_assert(!atomic_load(&d.done));
	ck_assert_int_eq(tu_state(e, 96), MHP_STATE_OFFLINE);
	mhp_unlock_device_hotplug(e);
	pthread_join(t, NULL);
	ck_assert_int_eq(d.op.ret, 0);
	ck_assert_int_eq(tu_state(e, 96), MHP_STATE_ONLINE);

	/* mem_hotplug_lock held for reading: an offline cannot change the layout meanwhile. */
	memset(&d, 0, sizeof(d));
	d.op = (struct op_arg){ .e = e, .id = 96, .type = MHP_MMOP_OFFLINE };
	mhp_get_online_mems(e);
	ck_assert_int_eq(pthread_create(&t, NULL, do_store_state_flag, &d), 0);
	wait_started(&d);
	usleep(200 * 1000);
	ck_assert(!atomic_load(&d.done));
	ck_assert_uint_eq(tu_node(e, 1).present_pages, TU_PFN(4 * TU_GiB) + TU_BLOCK_PAGES);
	/* Readers share the lock. */
	mhp_get_online_mems(e);
	mhp_put_online_mems(e);
	mhp_put_online_mems(e);
	pthread_join(t, NULL);
	ck_assert_int_eq(d.op.ret, 0);
	ck_assert_int_eq(tu_state(e, 96), MHP_STATE_OFFLINE);
	ck_assert_uint_eq(tu_node(e, 1).present_pages, TU_PFN(4 * TU_GiB));
	mhp_engine_free(e);
	alarm(0);
}
END_TEST

static Suite *threads_suite(void)
{
	Suite *s = suite_create("threads");
	TCase *tc;

	tc = tcase_create("stress");
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, stress_online_offline);
	suite_add_tcase(s, tc);

	tc = tcase_create("blocking");
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, online_show_blocks_during_offline);
	tcase_add_test(tc, contention_waits_never_fails);
	tcase_add_test(tc, cancel_from_other_thread);
	tcase_add_test(tc, held_locks_make_writers_wait);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(threads_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
