// SPDX-License-Identifier: MIT
/*
 * test-notifier.c - blocking notifier chains with the kernel's semantics (SPEC §4.1, §13.7):
 * priority order, FIFO among equal priorities, the STOP mask, the chain's return value, the errno
 * encoding, the registration errors, re-entrant registration and concurrent use.
 */
#include <errno.h>
#include <limits.h>
#include <sched.h>
#include <stddef.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <check.h>

#include "memhp/notifier.h"

#define container_of(ptr, type, member) ((type *)(void *)((char *)(ptr)-offsetof(type, member)))

/*
 * A test callback: appends its tag to the order log passed as @data and returns a preset value.
 * Optional hook for the tests that act from inside a callback.
 */
struct order_log {
	char tags[64];
	size_t n;
	unsigned long actions[64];
};

struct tnb;
typedef void (*tnb_hook_fn)(struct tnb *t);

struct tnb {
	struct mhp_notifier_block nb;
	char tag;
	int ret;
	tnb_hook_fn hook;
	struct mhp_notifier_head *chain; /* for hooks */
	struct mhp_notifier_head *other_chain; /* for hooks */
	struct tnb *victim; /* for hooks: the block they (un)register */
	int hook_ret; /* what the hook's (un)register returned */
	atomic_int calls;
};

static int tnb_call(struct mhp_notifier_block *nb, unsigned long action, void *data)
{
	struct tnb *t = container_of(nb, struct tnb, nb);
	struct order_log *log = data;

	atomic_fetch_add(&t->calls, 1);
	if (log && log->n < sizeof(log->tags) - 1) {
		log->actions[log->n] = action;
		log->tags[log->n++] = t->tag;
		log->tags[log->n] = '\0';
	}
	if (t->hook)
		t->hook(t);
	return t->ret;
}

static void tnb_init(struct tnb *t, char tag, int priority, int ret)
{
	memset(t, 0, sizeof(*t));
	t->nb.notifier_call = tnb_call;
	t->nb.priority = priority;
	t->tag = tag;
	t->ret = ret;
}

static struct mhp_notifier_head chain;

static void chain_setup(void)
{
	ck_assert_int_eq(mhp_notifier_head_init(&chain), 0);
}

static void chain_teardown(void)
{
	mhp_notifier_head_destroy(&chain);
}

/* Call the chain with a fresh log; return the chain's value and the order in @log. */
static int call(struct order_log *log, unsigned long action)
{
	memset(log, 0, sizeof(*log));
	return mhp_notifier_call_chain(&chain, action, log);
}

/* The order in which callbacks run now, as a string of tags. */
static const char *order(void)
{
	static struct order_log log;

	call(&log, 0x42);
	return log.tags;
}

/* ---- constants and the errno encoding ------------------------------------------------------- */

START_TEST(test_notify_values_are_the_kernels)
{
	ck_assert_int_eq(MHP_NOTIFY_DONE, 0x0000);
	ck_assert_int_eq(MHP_NOTIFY_OK, 0x0001);
	ck_assert_int_eq(MHP_NOTIFY_STOP_MASK, 0x8000);
	ck_assert_int_eq(MHP_NOTIFY_BAD, 0x8002);
	ck_assert_int_eq(MHP_NOTIFY_STOP, 0x8001);
	ck_assert_int_eq(MHP_MEM_ONLINE, 0x01);
	ck_assert_int_eq(MHP_MEM_GOING_OFFLINE, 0x02);
	ck_assert_int_eq(MHP_MEM_OFFLINE, 0x04);
	ck_assert_int_eq(MHP_MEM_GOING_ONLINE, 0x08);
	ck_assert_int_eq(MHP_MEM_CANCEL_ONLINE, 0x10);
	ck_assert_int_eq(MHP_MEM_CANCEL_OFFLINE, 0x20);
}
END_TEST

START_TEST(test_from_errno_encodes_with_stop_mask)
{
	ck_assert_int_eq(mhp_notifier_from_errno(0), MHP_NOTIFY_OK);
	ck_assert_int_eq(mhp_notifier_from_errno(-12), 0x800D);
	ck_assert_int_eq(mhp_notifier_from_errno(-4095), 0x9000);
	ck_assert_int_eq(mhp_notifier_from_errno(-1), MHP_NOTIFY_BAD);
	ck_assert_int_eq(mhp_notifier_from_errno(-EBUSY), 0x8011);
}
END_TEST

START_TEST(test_to_errno_decodes)
{
	ck_assert_int_eq(mhp_notifier_to_errno(0x800D), -12);
	ck_assert_int_eq(mhp_notifier_to_errno(0x9000), -4095);
	ck_assert_int_eq(mhp_notifier_to_errno(MHP_NOTIFY_BAD), -EPERM);
	ck_assert_int_eq(mhp_notifier_to_errno(MHP_NOTIFY_STOP), 0);
	ck_assert_int_eq(mhp_notifier_to_errno(MHP_NOTIFY_OK), 0);
	ck_assert_int_eq(mhp_notifier_to_errno(MHP_NOTIFY_DONE), 0);
	ck_assert_int_eq(mhp_notifier_to_errno(MHP_NOTIFY_STOP_MASK), 0);
	/* The mask is ignored when decoding: an unmasked 0x000D still means -12. */
	ck_assert_int_eq(mhp_notifier_to_errno(0x000D), -12);
}
END_TEST

START_TEST(test_errno_round_trips_for_every_errno)
{
	int e;

	for (e = -1; e >= -4095; e--) {
		int v = mhp_notifier_from_errno(e);

		ck_assert_msg(v & MHP_NOTIFY_STOP_MASK, "from_errno(%d) = %#x lacks the stop mask",
			      e, v);
		ck_assert_msg(mhp_notifier_to_errno(v) == e, "to_errno(from_errno(%d)) = %d", e,
			      mhp_notifier_to_errno(v));
	}
	ck_assert_int_eq(mhp_notifier_to_errno(mhp_notifier_from_errno(0)), 0);
}
END_TEST

/* ---- ordering ------------------------------------------------------------------------------- */

START_TEST(test_empty_chain_returns_done)
{
	struct order_log log;

	ck_assert_int_eq(call(&log, MHP_MEM_GOING_ONLINE), MHP_NOTIFY_DONE);
	ck_assert_uint_eq(log.n, 0);
}
END_TEST

START_TEST(test_higher_priority_runs_first)
{
	struct tnb a, b, c, d;

	tnb_init(&a, 'a', 0, MHP_NOTIFY_OK);
	tnb_init(&b, 'b', 10, MHP_NOTIFY_OK);
	tnb_init(&c, 'c', -5, MHP_NOTIFY_OK);
	tnb_init(&d, 'd', 100, MHP_NOTIFY_OK);
	ck_assert_int_eq(mhp_notifier_chain_register(&chain, &a.nb), 0);
	ck_assert_int_eq(mhp_notifier_chain_register(&chain, &b.nb), 0);
	ck_assert_int_eq(mhp_notifier_chain_register(&chain, &c.nb), 0);
	ck_assert_int_eq(mhp_notifier_chain_register(&chain, &d.nb), 0);
	ck_assert_str_eq(order(), "dbac");
}
END_TEST

START_TEST(test_equal_priorities_run_in_registration_order)
{
	struct tnb a, b, c, hi, lo;

	tnb_init(&a, 'a', 1, MHP_NOTIFY_OK);
	tnb_init(&b, 'b', 1, MHP_NOTIFY_OK);
	tnb_init(&c, 'c', 1, MHP_NOTIFY_OK);
	tnb_init(&hi, 'H', 2, MHP_NOTIFY_OK);
	tnb_init(&lo, 'L', 0, MHP_NOTIFY_OK);
	ck_assert_int_eq(mhp_notifier_chain_register(&chain, &lo.nb), 0);
	ck_assert_int_eq(mhp_notifier_chain_register(&chain, &a.nb), 0);
	ck_assert_int_eq(mhp_notifier_chain_register(&chain, &hi.nb), 0);
	ck_assert_int_eq(mhp_notifier_chain_register(&chain, &b.nb), 0);
	ck_assert_int_eq(mhp_notifier_chain_register(&chain, &c.nb), 0);
	ck_assert_str_eq(order(), "HabcL");
}
END_TEST

START_TEST(test_extreme_priorities_order)
{
	struct tnb a, b, c;

	tnb_init(&a, 'a', INT_MIN, MHP_NOTIFY_OK);
	tnb_init(&b, 'b', INT_MAX, MHP_NOTIFY_OK);
	tnb_init(&c, 'c', 0, MHP_NOTIFY_OK);
	ck_assert_int_eq(mhp_notifier_chain_register(&chain, &a.nb), 0);
	ck_assert_int_eq(mhp_notifier_chain_register(&chain, &b.nb), 0);
	ck_assert_int_eq(mhp_notifier_chain_register(&chain, &c.nb), 0);
	ck_assert_str_eq(order(), "bca");
}
END_TEST

START_TEST(test_callbacks_get_action_and_data)
{
	struct tnb a, b;
	struct order_log log;

	tnb_init(&a, 'a', 1, MHP_NOTIFY_OK);
	tnb_init(&b, 'b', 0, MHP_NOTIFY_OK);
	ck_assert_int_eq(mhp_notifier_chain_register(&chain, &a.nb), 0);
	ck_assert_int_eq(mhp_notifier_chain_register(&chain, &b.nb), 0);
	call(&log, MHP_MEM_CANCEL_OFFLINE);
	ck_assert_uint_eq(log.n, 2);
	ck_assert_uint_eq(log.actions[0], MHP_MEM_CANCEL_OFFLINE);
	ck_assert_uint_eq(log.actions[1], MHP_MEM_CANCEL_OFFLINE);
}
END_TEST

/* ---- return value and STOP mask ------------------------------------------------------------- */

START_TEST(test_chain_returns_value_of_last_callback)
{
	struct tnb a, b;
	struct order_log log;

	tnb_init(&a, 'a', 1, MHP_NOTIFY_OK);
	tnb_init(&b, 'b', 0, MHP_NOTIFY_DONE);
	ck_assert_int_eq(mhp_notifier_chain_register(&chain, &a.nb), 0);
	ck_assert_int_eq(mhp_notifier_chain_register(&chain, &b.nb), 0);
	ck_assert_int_eq(call(&log, 1), MHP_NOTIFY_DONE);
	ck_assert_str_eq(log.tags, "ab");

	a.ret = MHP_NOTIFY_DONE;
	b.ret = MHP_NOTIFY_OK;
	ck_assert_int_eq(call(&log, 1), MHP_NOTIFY_OK);

	/* A value without the stop mask does not stop the walk, even if it looks like an error. */
	a.ret = 0x000D;
	b.ret = MHP_NOTIFY_DONE;
	ck_assert_int_eq(call(&log, 1), MHP_NOTIFY_DONE);
	ck_assert_str_eq(log.tags, "ab");
}
END_TEST

START_TEST(test_stop_mask_stops_the_walk)
{
	static const int stoppers[] = { MHP_NOTIFY_STOP, MHP_NOTIFY_BAD, MHP_NOTIFY_STOP_MASK,
					0x800D, 0x9000 };
	struct tnb a, b, c;
	struct order_log log;
	size_t i;

	tnb_init(&a, 'a', 2, MHP_NOTIFY_OK);
	tnb_init(&b, 'b', 1, MHP_NOTIFY_OK);
	tnb_init(&c, 'c', 0, MHP_NOTIFY_OK);
	ck_assert_int_eq(mhp_notifier_chain_register(&chain, &a.nb), 0);
	ck_assert_int_eq(mhp_notifier_chain_register(&chain, &b.nb), 0);
	ck_assert_int_eq(mhp_notifier_chain_register(&chain, &c.nb), 0);
	for (i = 0; i < sizeof(stoppers) / sizeof(stoppers[0]); i++) {
		b.ret = stoppers[i];
		ck_assert_int_eq(call(&log, 1), stoppers[i]);
		ck_assert_msg(strcmp(log.tags, "ab") == 0, "%#x: ran \"%s\", want \"ab\"",
			      stoppers[i], log.tags);
	}
	a.ret = mhp_notifier_from_errno(-12);
	ck_assert_int_eq(call(&log, 1), 0x800D);
	ck_assert_str_eq(log.tags, "a");
	ck_assert_int_eq(atomic_load(&c.calls), 0);
	/* The last callback may stop too; the chain returns its value. */
	a.ret = MHP_NOTIFY_OK;
	b.ret = MHP_NOTIFY_OK;
	c.ret = MHP_NOTIFY_BAD;
	ck_assert_int_eq(call(&log, 1), MHP_NOTIFY_BAD);
	ck_assert_str_eq(log.tags, "abc");
}
END_TEST

/* ---- registration errors -------------------------------------------------------------------- */

START_TEST(test_register_twice_is_eexist)
{
	struct tnb a, b;

	tnb_init(&a, 'a', 0, MHP_NOTIFY_OK);
	tnb_init(&b, 'b', 5, MHP_NOTIFY_OK);
	ck_assert_int_eq(mhp_notifier_chain_register(&chain, &a.nb), 0);
	ck_assert_int_eq(mhp_notifier_chain_register(&chain, &b.nb), 0);
	ck_assert_int_eq(mhp_notifier_chain_register(&chain, &a.nb), -EEXIST);
	ck_assert_int_eq(mhp_notifier_chain_register(&chain, &b.nb), -EEXIST);
	ck_assert_str_eq(order(), "ba");
}
END_TEST

START_TEST(test_unique_prio_refuses_equal_priority_with_ebusy)
{
	struct tnb a, b, c;

	tnb_init(&a, 'a', 3, MHP_NOTIFY_OK);
	tnb_init(&b, 'b', 3, MHP_NOTIFY_OK);
	tnb_init(&c, 'c', 4, MHP_NOTIFY_OK);
	ck_assert_int_eq(mhp_notifier_chain_register_unique_prio(&chain, &a.nb), 0);
	ck_assert_int_eq(mhp_notifier_chain_register_unique_prio(&chain, &b.nb), -EBUSY);
	ck_assert_int_eq(mhp_notifier_chain_register_unique_prio(&chain, &c.nb), 0);
	ck_assert_str_eq(order(), "ca");
	/* The plain variant still accepts the equal priority. */
	ck_assert_int_eq(mhp_notifier_chain_register(&chain, &b.nb), 0);
	ck_assert_str_eq(order(), "cab");
}
END_TEST

START_TEST(test_unique_prio_twice_is_eexist)
{
	struct tnb a;

	tnb_init(&a, 'a', 3, MHP_NOTIFY_OK);
	ck_assert_int_eq(mhp_notifier_chain_register_unique_prio(&chain, &a.nb), 0);
	ck_assert_int_eq(mhp_notifier_chain_register_unique_prio(&chain, &a.nb), -EEXIST);
	ck_assert_str_eq(order(), "a");
}
END_TEST

START_TEST(test_unregister_unknown_is_enoent)
{
	struct tnb a, b;

	tnb_init(&a, 'a', 0, MHP_NOTIFY_OK);
	tnb_init(&b, 'b', 0, MHP_NOTIFY_OK);
	ck_assert_int_eq(mhp_notifier_chain_unregister(&chain, &a.nb), -ENOENT);
	ck_assert_int_eq(mhp_notifier_chain_register(&chain, &a.nb), 0);
	ck_assert_int_eq(mhp_notifier_chain_unregister(&chain, &b.nb), -ENOENT);
	ck_assert_int_eq(mhp_notifier_chain_unregister(&chain, &a.nb), 0);
	ck_assert_int_eq(mhp_notifier_chain_unregister(&chain, &a.nb), -ENOENT);
	ck_assert_str_eq(order(), "");
}
END_TEST

START_TEST(test_unregister_keeps_the_others_in_order)
{
	struct tnb a, b, c, d;

	tnb_init(&a, 'a', 3, MHP_NOTIFY_OK);
	tnb_init(&b, 'b', 2, MHP_NOTIFY_OK);
	tnb_init(&c, 'c', 2, MHP_NOTIFY_OK);
	tnb_init(&d, 'd', 1, MHP_NOTIFY_OK);
	ck_assert_int_eq(mhp_notifier_chain_register(&chain, &a.nb), 0);
	ck_assert_int_eq(mhp_notifier_chain_register(&chain, &b.nb), 0);
	ck_assert_int_eq(mhp_notifier_chain_register(&chain, &c.nb), 0);
	ck_assert_int_eq(mhp_notifier_chain_register(&chain, &d.nb), 0);
	ck_assert_int_eq(mhp_notifier_chain_unregister(&chain, &b.nb), 0);
	ck_assert_str_eq(order(), "acd");
	ck_assert_int_eq(mhp_notifier_chain_unregister(&chain, &a.nb), 0);
	ck_assert_str_eq(order(), "cd");
	ck_assert_int_eq(mhp_notifier_chain_unregister(&chain, &d.nb), 0);
	ck_assert_str_eq(order(), "c");
	/* Re-registering goes behind the equal priority already there. */
	ck_assert_int_eq(mhp_notifier_chain_register(&chain, &b.nb), 0);
	ck_assert_str_eq(order(), "cb");
	ck_assert_int_eq(atomic_load(&d.calls), 2);
}
END_TEST

START_TEST(test_destroy_accepts_null_and_nonempty_chain)
{
	struct mhp_notifier_head h;
	struct tnb a;

	mhp_notifier_head_destroy(NULL);
	tnb_init(&a, 'a', 0, MHP_NOTIFY_OK);
	ck_assert_int_eq(mhp_notifier_head_init(&h), 0);
	ck_assert_int_eq(mhp_notifier_chain_register(&h, &a.nb), 0);
	mhp_notifier_head_destroy(&h);
	ck_assert_int_eq(atomic_load(&a.calls), 0);
}
END_TEST

/* ---- re-entrancy ---------------------------------------------------------------------------- */

static void hook_register_victim(struct tnb *t)
{
	t->hook_ret = mhp_notifier_chain_register(t->chain, &t->victim->nb);
}

static void hook_unregister_victim(struct tnb *t)
{
	t->hook_ret = mhp_notifier_chain_unregister(t->chain, &t->victim->nb);
}

static void hook_register_unique_victim(struct tnb *t)
{
	t->hook_ret = mhp_notifier_chain_register_unique_prio(t->chain, &t->victim->nb);
}

static void hook_register_on_other_chain(struct tnb *t)
{
	t->hook_ret = mhp_notifier_chain_register(t->other_chain, &t->victim->nb);
}

START_TEST(test_register_from_callback_is_edeadlk)
{
	struct tnb a, b, v;

	tnb_init(&a, 'a', 1, MHP_NOTIFY_OK);
	tnb_init(&b, 'b', 0, MHP_NOTIFY_OK);
	tnb_init(&v, 'v', 5, MHP_NOTIFY_OK);
	a.hook = hook_register_victim;
	a.chain = &chain;
	a.victim = &v;
	ck_assert_int_eq(mhp_notifier_chain_register(&chain, &a.nb), 0);
	ck_assert_int_eq(mhp_notifier_chain_register(&chain, &b.nb), 0);
	ck_assert_str_eq(order(), "ab");
	ck_assert_int_eq(a.hook_ret, -EDEADLK);
	a.hook = NULL;
	ck_assert_str_eq(order(), "ab");
	ck_assert_int_eq(atomic_load(&v.calls), 0);
	/* Outside a callback the same thread may register again. */
	ck_assert_int_eq(mhp_notifier_chain_register(&chain, &v.nb), 0);
	ck_assert_str_eq(order(), "vab");
}
END_TEST

START_TEST(test_register_unique_prio_from_callback_is_edeadlk)
{
	struct tnb a, v;

	tnb_init(&a, 'a', 1, MHP_NOTIFY_OK);
	tnb_init(&v, 'v', 5, MHP_NOTIFY_OK);
	a.hook = hook_register_unique_victim;
	a.chain = &chain;
	a.victim = &v;
	ck_assert_int_eq(mhp_notifier_chain_register(&chain, &a.nb), 0);
	ck_assert_str_eq(order(), "a");
	ck_assert_int_eq(a.hook_ret, -EDEADLK);
	a.hook = NULL;
	ck_assert_str_eq(order(), "a");
}
END_TEST

START_TEST(test_unregister_self_from_callback_is_edeadlk)
{
	struct tnb a, b;

	tnb_init(&a, 'a', 1, MHP_NOTIFY_OK);
	tnb_init(&b, 'b', 0, MHP_NOTIFY_OK);
	a.hook = hook_unregister_victim;
	a.chain = &chain;
	a.victim = &a;
	ck_assert_int_eq(mhp_notifier_chain_register(&chain, &a.nb), 0);
	ck_assert_int_eq(mhp_notifier_chain_register(&chain, &b.nb), 0);
	ck_assert_str_eq(order(), "ab");
	ck_assert_int_eq(a.hook_ret, -EDEADLK);
	a.hook = NULL;
	ck_assert_str_eq(order(), "ab");
	ck_assert_int_eq(mhp_notifier_chain_unregister(&chain, &a.nb), 0);
	ck_assert_str_eq(order(), "b");
}
END_TEST

START_TEST(test_unregister_other_from_callback_is_edeadlk)
{
	struct tnb a, b;

	tnb_init(&a, 'a', 0, MHP_NOTIFY_OK);
	tnb_init(&b, 'b', 1, MHP_NOTIFY_OK);
	b.hook = hook_unregister_victim;
	b.chain = &chain;
	b.victim = &a;
	ck_assert_int_eq(mhp_notifier_chain_register(&chain, &a.nb), 0);
	ck_assert_int_eq(mhp_notifier_chain_register(&chain, &b.nb), 0);
	ck_assert_str_eq(order(), "ba");
	ck_assert_int_eq(b.hook_ret, -EDEADLK);
	ck_assert_int_eq(atomic_load(&a.calls), 1);
	b.hook = NULL;
	ck_assert_str_eq(order(), "ba");
}
END_TEST

START_TEST(test_register_on_another_chain_from_callback_works)
{
	struct mhp_notifier_head other;
	struct tnb a, v;
	struct order_log log;

	ck_assert_int_eq(mhp_notifier_head_init(&other), 0);
	tnb_init(&a, 'a', 0, MHP_NOTIFY_OK);
	tnb_init(&v, 'v', 0, MHP_NOTIFY_OK);
	a.hook = hook_register_on_other_chain;
	a.other_chain = &other;
	a.victim = &v;
	ck_assert_int_eq(mhp_notifier_chain_register(&chain, &a.nb), 0);
	ck_assert_str_eq(order(), "a");
	ck_assert_int_eq(a.hook_ret, 0);
	memset(&log, 0, sizeof(log));
	ck_assert_int_eq(mhp_notifier_call_chain(&other, 7, &log), MHP_NOTIFY_OK);
	ck_assert_str_eq(log.tags, "v");
	ck_assert_int_eq(mhp_notifier_chain_unregister(&other, &v.nb), 0);
	mhp_notifier_head_destroy(&other);
}
END_TEST

/* ---- threads -------------------------------------------------------------------------------- */

static void sleep_ms(unsigned int ms)
{
	struct timespec ts = { .tv_sec = ms / 1000, .tv_nsec = (long)(ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

/* A callback that announces it runs, then waits before returning. */
struct slow_nb {
	struct mhp_notifier_block nb;
	atomic_int entered;
	atomic_int exited;
};

static int slow_call(struct mhp_notifier_block *nb, unsigned long action, void *data)
{
	struct slow_nb *s = container_of(nb, struct slow_nb, nb);

	atomic_store(&s->entered, 1);
	sleep_ms(150);
	atomic_store(&s->exited, 1);
	return MHP_NOTIFY_OK;
}

static void *call_chain_thread(void *arg)
{
	mhp_notifier_call_chain(arg, 1, NULL);
	return NULL;
}

static void wait_entered(struct slow_nb *s)
{
	int i;

	for (i = 0; i < 5000 && !atomic_load(&s->entered); i++)
		sleep_ms(1);
	ck_assert_msg(atomic_load(&s->entered), "the callback never ran");
}

START_TEST(test_unregister_waits_for_running_callback)
{
	struct slow_nb s = { .nb = { .notifier_call = slow_call } };
	pthread_t th;

	ck_assert_int_eq(mhp_notifier_chain_register(&chain, &s.nb), 0);
	ck_assert_int_eq(pthread_create(&th, NULL, call_chain_thread, &chain), 0);
	wait_entered(&s);
	/* Another thread (not a callback): no -EDEADLK, but it must wait for the call to end. */
	ck_assert_int_eq(mhp_notifier_chain_unregister(&chain, &s.nb), 0);
	ck_assert_msg(atomic_load(&s.exited), "unregister returned while the callback was running");
	pthread_join(th, NULL);
}
END_TEST

START_TEST(test_register_from_other_thread_during_call_waits_and_succeeds)
{
	struct slow_nb s = { .nb = { .notifier_call = slow_call, .priority = 1 } };
	struct tnb b;
	pthread_t th;

	tnb_init(&b, 'b', 0, MHP_NOTIFY_OK);
	ck_assert_int_eq(mhp_notifier_chain_register(&chain, &s.nb), 0);
	ck_assert_int_eq(pthread_create(&th, NULL, call_chain_thread, &chain), 0);
	wait_entered(&s);
	ck_assert_int_eq(mhp_notifier_chain_register(&chain, &b.nb), 0);
	ck_assert_msg(atomic_load(&s.exited), "register returned while the callback was running");
	pthread_join(th, NULL);
	/* The walk in progress had already been decided: b came too late for it. */
	ck_assert_int_eq(atomic_load(&b.calls), 0);
}
END_TEST

/* Callers record the priorities they see, in order, per call. */
struct prio_trace {
	int prio[16];
	int n;
};

static int trace_call(struct mhp_notifier_block *nb, unsigned long action, void *data)
{
	struct prio_trace *t = data;

	if (t->n < 16)
		t->prio[t->n] = nb->priority;
	t->n++;
	return MHP_NOTIFY_OK;
}

struct stress {
	atomic_int stop;
	atomic_long calls;
	atomic_int bad_order;
	atomic_int bad_count;
	atomic_int reg_errors;
};

static void *caller_thread(void *arg)
{
	struct stress *st = arg;

	while (!atomic_load(&st->stop)) {
		struct prio_trace t = { .n = 0 };
		int i;

		if (mhp_notifier_call_chain(&chain, 1, &t) != MHP_NOTIFY_OK)
			atomic_fetch_add(&st->bad_count, 1);
		/* Three fixed blocks, plus 0..2 of the churning ones. */
		if (t.n < 3 || t.n > 5)
			atomic_fetch_add(&st->bad_count, 1);
		for (i = 1; i < t.n && i < 16; i++)
			if (t.prio[i] > t.prio[i - 1])
				atomic_fetch_add(&st->bad_order, 1);
		atomic_fetch_add(&st->calls, 1);
		/* Leave the registering thread a gap even if the chain lock prefers readers. */
		sched_yield();
	}
	return NULL;
}

START_TEST(test_concurrent_calls_while_registering)
{
	struct mhp_notifier_block fixed[3], churn[2];
	struct stress st;
	pthread_t callers[2];
	int i, round;

	memset(&st, 0, sizeof(st));
	memset(fixed, 0, sizeof(fixed));
	memset(churn, 0, sizeof(churn));
	for (i = 0; i < 3; i++) {
		fixed[i].notifier_call = trace_call;
		fixed[i].priority = 10 * i;
		ck_assert_int_eq(mhp_notifier_chain_register(&chain, &fixed[i]), 0);
	}
	churn[0].notifier_call = trace_call;
	churn[0].priority = 15;
	churn[1].notifier_call = trace_call;
	churn[1].priority = -3;
	for (i = 0; i < 2; i++)
		ck_assert_int_eq(pthread_create(&callers[i], NULL, caller_thread, &st), 0);
	for (round = 0; round < 1000; round++) {
		struct mhp_notifier_block *nb = &churn[round % 2];

		if (mhp_notifier_chain_register(&chain, nb))
			atomic_fetch_add(&st.reg_errors, 1);
		if (round % 7 == 0)
			sched_yield();
		if (mhp_notifier_chain_unregister(&chain, nb))
			atomic_fetch_add(&st.reg_errors, 1);
	}
	/* Let the callers make some progress even on a slow machine. */
	for (i = 0; i < 2000 && atomic_load(&st.calls) < 1000; i++)
		sleep_ms(1);
	atomic_store(&st.stop, 1);
	for (i = 0; i < 2; i++)
		pthread_join(callers[i], NULL);
	ck_assert_int_eq(atomic_load(&st.reg_errors), 0);
	ck_assert_int_eq(atomic_load(&st.bad_order), 0);
	ck_assert_int_eq(atomic_load(&st.bad_count), 0);
	ck_assert_int_ge(atomic_load(&st.calls), 1000);
	for (i = 0; i < 3; i++)
		ck_assert_int_eq(mhp_notifier_chain_unregister(&chain, &fixed[i]), 0);
	ck_assert_int_eq(mhp_notifier_chain_unregister(&chain, &churn[0]), -ENOENT);
}
END_TEST

static Suite *notifier_suite(void)
{
	Suite *s = suite_create("notifier");
	TCase *tc;

	tc = tcase_create("encoding");
	tcase_add_test(tc, test_notify_values_are_the_kernels);
	tcase_add_test(tc, test_from_errno_encodes_with_stop_mask);
	tcase_add_test(tc, test_to_errno_decodes);
	tcase_add_test(tc, test_errno_round_trips_for_every_errno);
	suite_add_tcase(s, tc);

	tc = tcase_create("order");
	tcase_add_checked_fixture(tc, chain_setup, chain_teardown);
	tcase_add_test(tc, test_empty_chain_returns_done);
	tcase_add_test(tc, test_higher_priority_runs_first);
	tcase_add_test(tc, test_equal_priorities_run_in_registration_order);
	tcase_add_test(tc, test_extreme_priorities_order);
	tcase_add_test(tc, test_callbacks_get_action_and_data);
	suite_add_tcase(s, tc);

	tc = tcase_create("return_value");
	tcase_add_checked_fixture(tc, chain_setup, chain_teardown);
	tcase_add_test(tc, test_chain_returns_value_of_last_callback);
	tcase_add_test(tc, test_stop_mask_stops_the_walk);
	suite_add_tcase(s, tc);

	tc = tcase_create("registration");
	tcase_add_checked_fixture(tc, chain_setup, chain_teardown);
	tcase_add_test(tc, test_register_twice_is_eexist);
	tcase_add_test(tc, test_unique_prio_refuses_equal_priority_with_ebusy);
	tcase_add_test(tc, test_unique_prio_twice_is_eexist);
	tcase_add_test(tc, test_unregister_unknown_is_enoent);
	tcase_add_test(tc, test_unregister_keeps_the_others_in_order);
	tcase_add_test(tc, test_destroy_accepts_null_and_nonempty_chain);
	suite_add_tcase(s, tc);

	tc = tcase_create("reentrancy");
	tcase_add_checked_fixture(tc, chain_setup, chain_teardown);
	tcase_add_test(tc, test_register_from_callback_is_edeadlk);
	tcase_add_test(tc, test_register_unique_prio_from_callback_is_edeadlk);
	tcase_add_test(tc, test_unregister_self_from_callback_is_edeadlk);
	tcase_add_test(tc, test_unregister_other_from_callback_is_edeadlk);
	tcase_add_test(tc, test_register_on_another_chain_from_callback_works);
	suite_add_tcase(s, tc);

	tc = tcase_create("threads");
	tcase_add_checked_fixture(tc, chain_setup, chain_teardown);
	tcase_add_test(tc, test_unregister_waits_for_running_callback);
	tcase_add_test(tc, test_register_from_other_thread_during_call_waits_and_succeeds);
	tcase_add_test(tc, test_concurrent_calls_while_registering);
	suite_add_tcase(s, tc);

	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(notifier_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
