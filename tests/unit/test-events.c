// SPDX-License-Identifier: MIT
/*
 * Unit tests of the uevent queue (SPEC §8, §6, §5.3, §13.10): which ACTIONs are emitted when, in
 * which order, with which DEVPATH/SUBSYSTEM and SEQNUM, synthetic events, the action names, the
 * eventfd and the blocking wait.
 *
 * Boot events: the kernel emits an `add` for every memory block and every node device registered
 * at boot, before any listener exists.  The engine does not queue them, but they use sequence
 * numbers, so on tu_config_two_node() (88 boot blocks, nodes 0 and 1 online) the last SEQNUM after
 * boot is 88 + 2 = 90 and the first hot-plug event gets SEQNUM 91.
 */
#include <check.h>
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "testutil.h"

#define EVBUF 4096
#define DEVMEM "/devices/system/memory/memory"
#define DEVNODE "/devices/system/node/node"

static struct mhp_engine *two_node(void)
{
	struct mhp_config cfg;

	tu_config_two_node(&cfg);
	return tu_engine_new(&cfg);
}

static void pop_expect(struct mhp_engine *e, uint64_t seqnum, int action, int subsystem,
		       unsigned long id)
{
	struct mhp_uevent ev;

	memset(&ev, 0, sizeof(ev));
	ck_assert_int_eq(mhp_event_pop(e, &ev), 0);
	ck_assert_uint_eq(ev.seqnum, seqnum);
	ck_assert_int_eq(ev.action, action);
	ck_assert_int_eq(ev.subsystem, subsystem);
	ck_assert_uint_eq(ev.id, id);
}

static bool fd_readable(int fd)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	int n = poll(&p, 1, 0);

	ck_assert_int_ge(n, 0);
	return n == 1 && (p.revents & POLLIN);
}

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* ---- names ------------------------------------------------------------------------------------ */

START_TEST(action_names)
{
	static const char *const names[] = { "add",    "remove",  "change", "move",
					     "online", "offline", "bind",   "unbind" };

	for (int i = 0; i < MHP_KOBJ_MAX; i++) {
		char nl[16];

		ck_assert_str_eq(mhp_uevent_action_name(i), names[i]);
		ck_assert_int_eq(mhp_uevent_action_from_str(names[i]), i);
		snprintf(nl, sizeof(nl), "%s\n", names[i]);
		ck_assert_int_eq(mhp_uevent_action_from_str(nl), i);
	}
	ck_assert_ptr_null(mhp_uevent_action_name(MHP_KOBJ_MAX));
	ck_assert_ptr_null(mhp_uevent_action_name(-1));
	ck_assert_int_eq(mhp_uevent_action_from_str("Add"), -EINVAL);
	ck_assert_int_eq(mhp_uevent_action_from_str("add "), -EINVAL);
	ck_assert_int_eq(mhp_uevent_action_from_str(" add"), -EINVAL);
	ck_assert_int_eq(mhp_uevent_action_from_str("add\n\n"), -EINVAL);
	ck_assert_int_eq(mhp_uevent_action_from_str("ad"), -EINVAL);
	ck_assert_int_eq(mhp_uevent_action_from_str(""), -EINVAL);
	ck_assert_int_eq(mhp_uevent_action_from_str("offlin"), -EINVAL);
	ck_assert_str_eq(mhp_subsystem_name(MHP_SUBSYS_MEMORY), "memory");
	ck_assert_str_eq(mhp_subsystem_name(MHP_SUBSYS_NODE), "node");
	ck_assert_str_eq(mhp_subsystem_name(MHP_SUBSYS_BUS), "bus");
	ck_assert_ptr_null(mhp_subsystem_name(MHP_SUBSYS_BUS + 1));
	ck_assert_ptr_null(mhp_subsystem_name(-1));
}
END_TEST

START_TEST(devpaths)
{
	struct mhp_uevent ev = { .seqnum = 1, .action = MHP_KOBJ_ADD };
	char buf[64];

	ev.subsystem = MHP_SUBSYS_MEMORY;
	ev.id = 195;
	ck_assert_int_eq(mhp_uevent_devpath(&ev, buf, sizeof(buf)), 32);
	ck_assert_str_eq(buf, "/devices/system/memory/memory195");
	ev.id = 0;
	ck_assert_int_eq(mhp_uevent_devpath(&ev, buf, sizeof(buf)), 30);
	ck_assert_str_eq(buf, "/devices/system/memory/memory0");
	ev.subsystem = MHP_SUBSYS_NODE;
	ev.id = 3;
	ck_assert_int_eq(mhp_uevent_devpath(&ev, buf, sizeof(buf)), 26);
	ck_assert_str_eq(buf, "/devices/system/node/node3");
	/* Too small, including no room for the NUL. */
	ck_assert_int_eq(mhp_uevent_devpath(&ev, buf, 26), -ENOSPC);
	ck_assert_int_eq(mhp_uevent_devpath(&ev, buf, 8), -ENOSPC);
	ck_assert_int_eq(mhp_uevent_devpath(&ev, buf, 27), 26);
	/* a bus: its id names the bus, and only the two buses exist */
	ev.subsystem = MHP_SUBSYS_BUS;
	ev.id = MHP_SUBSYS_MEMORY;
	ck_assert_int_eq(mhp_uevent_devpath(&ev, buf, sizeof(buf)), 11);
	ck_assert_str_eq(buf, "/bus/memory");
	ev.id = MHP_SUBSYS_NODE;
	ck_assert_int_eq(mhp_uevent_devpath(&ev, buf, sizeof(buf)), 9);
	ck_assert_str_eq(buf, "/bus/node");
	ev.id = MHP_SUBSYS_BUS;
	ck_assert_int_eq(mhp_uevent_devpath(&ev, buf, sizeof(buf)), -EINVAL);
	ev.id = 3;
	ck_assert_int_eq(mhp_uevent_devpath(&ev, buf, sizeof(buf)), -EINVAL);
}
END_TEST

/* ---- boot and sequence numbers ---------------------------------------------------------------- */

START_TEST(boot_events_counted_not_queued)
{
	struct mhp_engine *e = two_node();
	struct mhp_uevent ev;

	memset(&ev, 0x77, sizeof(ev));
	ck_assert_int_eq(mhp_event_pop(e, &ev), -EAGAIN);
	ck_assert_uint_eq(ev.seqnum, 0x7777777777777777ULL); /* untouched */
	ck_assert_uint_eq(mhp_uevent_seqnum(e), 90);
	ck_assert_uint_eq(mhp_event_dropped(e), 0);
	ck_assert(!fd_readable(mhp_event_fd(e)));

	ck_assert_int_eq(mhp_probe(e, 12 * TU_GiB), 0);
	pop_expect(e, 91, MHP_KOBJ_ADD, MHP_SUBSYS_MEMORY, 96);
	ck_assert_uint_eq(mhp_uevent_seqnum(e), 91);
	mhp_engine_free(e);
}
END_TEST

START_TEST(seqnum_increments_by_one)
{
	struct mhp_engine *e = two_node();
	uint64_t s0 = mhp_uevent_seqnum(e);
	char buf[EVBUF];

	ck_assert_int_eq(mhp_set_auto_online(e, MHP_MMOP_ONLINE), 0);
	ck_assert_int_eq(mhp_add_memory(e, 3, 24 * TU_GiB, 2 * TU_BLOCK, 0, -1), 0);
	/* add, add, node add, online, online: five events, SEQNUM s0+1..s0+5. */
	pop_expect(e, s0 + 1, MHP_KOBJ_ADD, MHP_SUBSYS_MEMORY, 192);
	pop_expect(e, s0 + 2, MHP_KOBJ_ADD, MHP_SUBSYS_MEMORY, 193);
	pop_expect(e, s0 + 3, MHP_KOBJ_ADD, MHP_SUBSYS_NODE, 3);
	pop_expect(e, s0 + 4, MHP_KOBJ_ONLINE, MHP_SUBSYS_MEMORY, 192);
	pop_expect(e, s0 + 5, MHP_KOBJ_ONLINE, MHP_SUBSYS_MEMORY, 193);
	ck_assert_uint_eq(mhp_uevent_seqnum(e), s0 + 5);

	ck_assert_int_eq(tu_store_state(e, 192, MHP_MMOP_OFFLINE), 0);
	ck_assert_int_eq(tu_store_online(e, 193, false), 0);
	pop_expect(e, s0 + 6, MHP_KOBJ_OFFLINE, MHP_SUBSYS_MEMORY, 192);
	pop_expect(e, s0 + 7, MHP_KOBJ_OFFLINE, MHP_SUBSYS_MEMORY, 193);
	ck_assert_int_eq(mhp_remove_memory(e, 24 * TU_GiB, 2 * TU_BLOCK), 0);
	pop_expect(e, s0 + 8, MHP_KOBJ_REMOVE, MHP_SUBSYS_MEMORY, 192);
	pop_expect(e, s0 + 9, MHP_KOBJ_REMOVE, MHP_SUBSYS_MEMORY, 193);
	pop_expect(e, s0 + 10, MHP_KOBJ_REMOVE, MHP_SUBSYS_NODE, 3);
	ck_assert_uint_eq(mhp_uevent_seqnum(e), s0 + 10);
	ck_assert_str_eq(tu_events_str(e, buf, sizeof(buf)), "");
	mhp_engine_free(e);
}
END_TEST

/* ---- which events, when (SPEC §8 table) ------------------------------------------------------- */

START_TEST(probe_add_node_then_online)
{
	struct mhp_engine *e = two_node();
	char buf[EVBUF];

	ck_assert_int_eq(mhp_set_auto_online(e, MHP_MMOP_ONLINE_MOVABLE), 0);
	ck_assert_int_eq(mhp_probe(e, 16 * TU_GiB), 0);
	ck_assert_str_eq(tu_events_str(e, buf, sizeof(buf)),
			 "add:" DEVMEM "128 add:" DEVNODE "2 online:" DEVMEM "128");
	/* A second block on the now-online node: no node event. */
	ck_assert_int_eq(mhp_probe(e, 16 * TU_GiB + TU_BLOCK), 0);
	ck_assert_str_eq(tu_events_str(e, buf, sizeof(buf)),
			 "add:" DEVMEM "129 online:" DEVMEM "129");
	mhp_engine_free(e);
}
END_TEST

START_TEST(no_events_for_failures_and_noops)
{
	struct mhp_config cfg;
	struct mhp_engine *e;
	struct tu_memops m;
	struct tu_log log;
	struct tu_recorder r;
	char buf[EVBUF];
	uint64_t s0;

	tu_memops_init(&m);
	tu_config_two_node(&cfg);
	tu_memops_attach(&cfg, &m);
	e = tu_engine_new(&cfg);
	tu_log_init(&log);
	tu_recorder_register(e, &r, &log, "r", 0);
	ck_assert_int_eq(mhp_probe(e, 12 * TU_GiB), 0);
	tu_events_drain(e);
	s0 = mhp_uevent_seqnum(e);

	/* No-ops. */
	ck_assert_int_eq(tu_store_online(e, 96, false), 0);
	ck_assert_int_eq(tu_store_state(e, 96, MHP_MMOP_OFFLINE), -EINVAL);
	ck_assert_int_eq(tu_store_online(e, 40, true), 0);
	ck_assert_int_eq(tu_store_state(e, 40, MHP_MMOP_ONLINE), -EINVAL);
	/* Refusals and failures. */
	ck_assert_int_eq(tu_store_state(e, 0, MHP_MMOP_OFFLINE), -EINVAL);
	tu_recorder_set_ret(&r, MHP_MEM_GOING_ONLINE, mhp_notifier_from_errno(-ENOMEM));
	ck_assert_int_eq(tu_store_state(e, 96, MHP_MMOP_ONLINE), -ENOMEM);
	ck_assert_int_eq(tu_store_online(e, 96, true), -ENOMEM);
	tu_recorder_set_ret(&r, MHP_MEM_GOING_OFFLINE, MHP_NOTIFY_BAD);
	ck_assert_int_eq(tu_store_state(e, 40, MHP_MMOP_OFFLINE), -EPERM);
	tu_recorder_set_ret(&r, MHP_MEM_GOING_OFFLINE, MHP_NOTIFY_OK);
	atomic_store(&m.isolate_ret, -EBUSY);
	ck_assert_int_eq(tu_store_state(e, 40, MHP_MMOP_OFFLINE), -EBUSY);
	atomic_store(&m.isolate_ret, 0);
	atomic_store(&m.migrate_mode, TU_MIGRATE_EBUSY);
	ck_assert_int_eq(tu_store_online(e, 40, false), -EBUSY);
	ck_assert_int_eq(mhp_remove_memory(e, 5 * TU_GiB, TU_BLOCK), -EBUSY);
	ck_assert_int_eq(mhp_probe(e, 12 * TU_GiB), -EEXIST);
	ck_assert_int_eq(mhp_probe(e, 3 * TU_GiB), -EEXIST);

	ck_assert_str_eq(tu_events_str(e, buf, sizeof(buf)), "");
	ck_assert_uint_eq(mhp_uevent_seqnum(e), s0);
	ck_assert(!fd_readable(mhp_event_fd(e)));
	tu_recorder_unregister(e, &r);
	tu_log_destroy(&log);
	mhp_engine_free(e);
	tu_memops_destroy(&m);
}
END_TEST

/* The uevent comes after MEM_ONLINE / MEM_OFFLINE: no event is queued while callbacks run. */
struct queue_probe {
	struct tu_recorder r;
	struct mhp_engine *e;
	uint64_t seq_at[8];
	unsigned int n;
};

static void seq_hook(struct tu_recorder *r, unsigned long action, const struct mhp_memory_notify *n)
{
	struct queue_probe *p = r->hook_priv;

	if (p->n < 8)
		p->seq_at[p->n++] = mhp_uevent_seqnum(p->e);
}

START_TEST(online_event_after_mem_online)
{
	struct mhp_engine *e = two_node();
	struct tu_log log;
	struct queue_probe p;
	uint64_t s0;

	tu_log_init(&log);
	memset(&p, 0, sizeof(p));
	tu_recorder_register(e, &p.r, &log, "r", 0);
	p.e = e;
	p.r.hook = seq_hook;
	p.r.hook_priv = &p;
	ck_assert_int_eq(mhp_probe(e, 12 * TU_GiB), 0);
	tu_events_drain(e);
	s0 = mhp_uevent_seqnum(e);
	ck_assert_int_eq(tu_store_state(e, 96, MHP_MMOP_ONLINE), 0);
	ck_assert_int_eq(tu_store_state(e, 96, MHP_MMOP_OFFLINE), 0);
	ck_assert_uint_eq(p.n, 4);
	ck_assert_uint_eq(p.seq_at[0], s0); /* GOING_ONLINE */
	ck_assert_uint_eq(p.seq_at[1], s0); /* ONLINE */
	ck_assert_uint_eq(p.seq_at[2], s0 + 1); /* GOING_OFFLINE: the online event was sent */
	ck_assert_uint_eq(p.seq_at[3], s0 + 1); /* OFFLINE */
	ck_assert_uint_eq(mhp_uevent_seqnum(e), s0 + 2);
	pop_expect(e, s0 + 1, MHP_KOBJ_ONLINE, MHP_SUBSYS_MEMORY, 96);
	pop_expect(e, s0 + 2, MHP_KOBJ_OFFLINE, MHP_SUBSYS_MEMORY, 96);
	tu_recorder_unregister(e, &p.r);
	tu_log_destroy(&log);
	mhp_engine_free(e);
}
END_TEST

START_TEST(remove_events)
{
	struct mhp_engine *e = two_node();
	char buf[EVBUF];

	ck_assert_int_eq(mhp_add_memory(e, 1, 12 * TU_GiB, 3 * TU_BLOCK, 0, -1), 0);
	tu_events_drain(e);
	ck_assert_int_eq(mhp_remove_memory(e, 12 * TU_GiB, 3 * TU_BLOCK), 0);
	ck_assert_str_eq(tu_events_str(e, buf, sizeof(buf)),
			 "remove:" DEVMEM "96 remove:" DEVMEM "97 remove:" DEVMEM "98");
	/* Boot blocks can be removed once offline, too. */
	ck_assert_int_eq(tu_store_state(e, 95, MHP_MMOP_OFFLINE), 0);
	ck_assert_int_eq(mhp_remove_memory(e, 95 * TU_BLOCK, TU_BLOCK), 0);
	ck_assert_str_eq(tu_events_str(e, buf, sizeof(buf)),
			 "offline:" DEVMEM "95 remove:" DEVMEM "95");
	ck_assert_uint_eq(tu_node(e, 1).nr_blocks, 31);
	mhp_engine_free(e);
}
END_TEST

/* ---- synthetic events ------------------------------------------------------------------------- */

START_TEST(synthetic_emit)
{
	struct mhp_engine *e = two_node();
	uint64_t s0 = mhp_uevent_seqnum(e), got = 0;
	char buf[EVBUF];

	ck_assert_int_eq(mhp_uevent_emit(e, MHP_KOBJ_CHANGE, MHP_SUBSYS_MEMORY, 32, &got), 0);
	ck_assert_uint_eq(got, s0 + 1);
	ck_assert_int_eq(mhp_uevent_emit(e, MHP_KOBJ_ADD, MHP_SUBSYS_NODE, 0, NULL), 0);
	ck_assert_int_eq(mhp_uevent_emit(e, MHP_KOBJ_UNBIND, MHP_SUBSYS_MEMORY, 5, &got), 0);
	ck_assert_uint_eq(got, s0 + 3);
	got = 4242;
	ck_assert_int_eq(mhp_uevent_emit(e, MHP_KOBJ_MAX, MHP_SUBSYS_MEMORY, 5, &got), -EINVAL);
	ck_assert_int_eq(mhp_uevent_emit(e, -1, MHP_SUBSYS_MEMORY, 5, &got), -EINVAL);
	ck_assert_int_eq(mhp_uevent_emit(e, MHP_KOBJ_ADD, MHP_SUBSYS_BUS + 1, 5, &got), -EINVAL);
	/* a bus event needs a bus that exists */
	ck_assert_int_eq(mhp_uevent_emit(e, MHP_KOBJ_ADD, MHP_SUBSYS_BUS, 5, &got), -EINVAL);
	ck_assert_int_eq(mhp_uevent_emit(e, MHP_KOBJ_ADD, MHP_SUBSYS_BUS, MHP_SUBSYS_BUS, &got),
			 -EINVAL);
	ck_assert_uint_eq(got, 4242);
	ck_assert_uint_eq(mhp_uevent_seqnum(e), s0 + 3);
	ck_assert_str_eq(tu_events_str(e, buf, sizeof(buf)),
			 "change:" DEVMEM "32 add:" DEVNODE "0 unbind:" DEVMEM "5");
	ck_assert_int_eq(mhp_uevent_emit(e, MHP_KOBJ_ADD, MHP_SUBSYS_BUS, MHP_SUBSYS_NODE, &got),
			 0);
	ck_assert_uint_eq(got, s0 + 4);
	ck_assert_str_eq(tu_events_str(e, buf, sizeof(buf)), "add:/bus/node");
	/* A synthetic event changes no state. */
	ck_assert_int_eq(tu_state(e, 32), MHP_STATE_ONLINE);
	mhp_engine_free(e);
}
END_TEST

START_TEST(queue_overflow_drops_oldest)
{
	struct mhp_engine *e = two_node();
	uint64_t s0 = mhp_uevent_seqnum(e);
	struct mhp_uevent ev;

	for (unsigned long i = 0; i < MHP_EVENT_QUEUE_MAX + 10; i++)
		ck_assert_int_eq(
			mhp_uevent_emit(e, MHP_KOBJ_CHANGE, MHP_SUBSYS_MEMORY, i % 88, NULL), 0);
	ck_assert_uint_eq(mhp_event_dropped(e), 10);
	ck_assert_uint_eq(mhp_uevent_seqnum(e), s0 + MHP_EVENT_QUEUE_MAX + 10);
	ck_assert_int_eq(mhp_event_pop(e, &ev), 0);
	ck_assert_uint_eq(ev.seqnum, s0 + 11);
	ck_assert_uint_eq(tu_events_drain(e), MHP_EVENT_QUEUE_MAX - 1);
	ck_assert_int_eq(mhp_event_pop(e, &ev), -EAGAIN);
	mhp_engine_free(e);
}
END_TEST

/* ---- eventfd and wait ------------------------------------------------------------------------- */

START_TEST(event_fd_readable_iff_queued)
{
	struct mhp_engine *e = two_node();
	int fd = mhp_event_fd(e);
	struct mhp_uevent ev;

	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(mhp_event_fd(e), fd);
	ck_assert(!fd_readable(fd));
	ck_assert_int_eq(mhp_add_memory(e, 1, 12 * TU_GiB, 2 * TU_BLOCK, 0, -1), 0);
	ck_assert(fd_readable(fd));
	ck_assert_int_eq(mhp_event_pop(e, &ev), 0);
	ck_assert(fd_readable(fd)); /* one left */
	ck_assert_int_eq(mhp_event_pop(e, &ev), 0);
	ck_assert(!fd_readable(fd));
	ck_assert_int_eq(mhp_event_pop(e, &ev), -EAGAIN);
	ck_assert(!fd_readable(fd));
	ck_assert_int_eq(mhp_uevent_emit(e, MHP_KOBJ_CHANGE, MHP_SUBSYS_MEMORY, 96, NULL), 0);
	ck_assert(fd_readable(fd));
	ck_assert_int_eq(mhp_event_wait(e, &ev, 0), 0);
	ck_assert(!fd_readable(fd));
	mhp_engine_free(e);
}
END_TEST

START_TEST(event_wait_timeout)
{
	struct mhp_engine *e = two_node();
	struct mhp_uevent ev;
	long long t0;

	memset(&ev, 0x33, sizeof(ev));
	t0 = now_ms();
	ck_assert_int_eq(mhp_event_wait(e, &ev, 100), -ETIMEDOUT);
	ck_assert_int_ge(now_ms() - t0, 95);
	ck_assert_int_lt(now_ms() - t0, 2000);
	ck_assert_uint_eq(ev.id, 0x3333333333333333UL);
	ck_assert_int_eq(mhp_event_wait(e, &ev, 0), -ETIMEDOUT);

	/* An event already queued is returned at once. */
	ck_assert_int_eq(mhp_probe(e, 12 * TU_GiB), 0);
	t0 = now_ms();
	ck_assert_int_eq(mhp_event_wait(e, &ev, 5000), 0);
	ck_assert_int_lt(now_ms() - t0, 1000);
	ck_assert_int_eq(ev.action, MHP_KOBJ_ADD);
	ck_assert_uint_eq(ev.id, 96);
	mhp_engine_free(e);
}
END_TEST

static void *late_online(void *arg)
{
	struct mhp_engine *e = arg;

	usleep(100 * 1000);
	ck_assert_int_eq(tu_store_state(e, 96, MHP_MMOP_ONLINE), 0);
	return NULL;
}

START_TEST(event_wait_wakes_on_event)
{
	struct mhp_engine *e = two_node();
	struct mhp_uevent ev;
	pthread_t t;
	long long t0;

	ck_assert_int_eq(mhp_probe(e, 12 * TU_GiB), 0);
	tu_events_drain(e);
	ck_assert_int_eq(pthread_create(&t, NULL, late_online, e), 0);
	t0 = now_ms();
	ck_assert_int_eq(mhp_event_wait(e, &ev, -1), 0);
	ck_assert_int_ge(now_ms() - t0, 50);
	ck_assert_int_lt(now_ms() - t0, 5000);
	ck_assert_int_eq(ev.action, MHP_KOBJ_ONLINE);
	ck_assert_int_eq(ev.subsystem, MHP_SUBSYS_MEMORY);
	ck_assert_uint_eq(ev.id, 96);
	pthread_join(t, NULL);
	/* The block is online by the time its event can be seen. */
	ck_assert_int_eq(tu_state(e, 96), MHP_STATE_ONLINE);
	mhp_engine_free(e);
}
END_TEST

static Suite *events_suite(void)
{
	Suite *s = suite_create("events");
	TCase *tc;

	tc = tcase_create("names");
	tcase_add_test(tc, action_names);
	tcase_add_test(tc, devpaths);
	suite_add_tcase(s, tc);

	tc = tcase_create("seqnum");
	tcase_add_test(tc, boot_events_counted_not_queued);
	tcase_add_test(tc, seqnum_increments_by_one);
	suite_add_tcase(s, tc);

	tc = tcase_create("when");
	tcase_add_test(tc, probe_add_node_then_online);
	tcase_add_test(tc, no_events_for_failures_and_noops);
	tcase_add_test(tc, online_event_after_mem_online);
	tcase_add_test(tc, remove_events);
	suite_add_tcase(s, tc);

	tc = tcase_create("queue");
	tcase_add_test(tc, synthetic_emit);
	tcase_add_test(tc, queue_overflow_drops_oldest);
	tcase_add_test(tc, event_fd_readable_iff_queued);
	tcase_add_test(tc, event_wait_timeout);
	tcase_add_test(tc, event_wait_wakes_on_event);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(events_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
