// SPDX-License-Identifier: MIT
/*
 * test-inject.c - the memory notifier error injector (SPEC §10, §13.6): the actions, the clamp and
 * cast of stored values, the debugfs `error` file's store and show, and what an injected error does
 * to onlining and offlining a real engine's blocks, including where the injector's priority puts it
 * among other callbacks.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>

#include "memhp/memhp.h"
#include "testutil.h"

/* The hot-added block of every test: 5 GiB, just above tu_config_small()'s boot memory. */
#define PROBE_ADDR (5ULL * TU_GiB)
#define PROBE_ID 40UL
#define BOOT_ID 33UL

static struct mhp_engine *eng;
static struct mhp_inject *inj;

static void engine_setup(void)
{
	struct mhp_config cfg;

	tu_config_small(&cfg);
	eng = tu_engine_new(&cfg);
	ck_assert_int_eq(mhp_inject_new(eng, 0, &inj), 0);
	ck_assert_ptr_nonnull(inj);
}

static void engine_teardown(void)
{
	mhp_inject_free(inj);
	inj = NULL;
	mhp_engine_free(eng);
	eng = NULL;
}

/* Hot-add PROBE_ID (offline, auto_online is offline) and forget the uevents that produced. */
static void probe_block(void)
{
	ck_assert_int_eq(mhp_probe(eng, PROBE_ADDR), 0);
	ck_assert_int_eq(tu_state(eng, PROBE_ID), MHP_STATE_OFFLINE);
	tu_events_drain(eng);
}

/* mhp_inject_store() of a C string, with the buffer cut to exactly its length (no NUL after it). */
static ssize_t store_str(int action, const char *s)
{
	size_t len = strlen(s);
	char *buf = malloc(len ? len : 1);
	ssize_t ret;

	ck_assert_ptr_nonnull(buf);
	memcpy(buf, s, len);
	ret = mhp_inject_store(inj, action, buf, len);
	free(buf);
	return ret;
}

static const char *show(int action, char *buf, size_t len)
{
	int ret = mhp_inject_show(inj, action, buf, len);

	ck_assert_int_ge(ret, 0);
	ck_assert_int_eq((size_t)ret, strlen(buf));
	return buf;
}

/* ---- action names --------------------------------------------------------------------------- */

START_TEST(test_action_names_are_the_debugfs_directories)
{
	ck_assert_int_eq(MHP_INJECT_NR_ACTIONS, 2);
	ck_assert_str_eq(mhp_inject_action_name(MHP_INJECT_GOING_ONLINE), "MEM_GOING_ONLINE");
	ck_assert_str_eq(mhp_inject_action_name(MHP_INJECT_GOING_OFFLINE), "MEM_GOING_OFFLINE");
}
END_TEST

START_TEST(test_action_name_out_of_range_is_null)
{
	ck_assert_ptr_null(mhp_inject_action_name(-1));
	ck_assert_ptr_null(mhp_inject_action_name(MHP_INJECT_NR_ACTIONS));
	ck_assert_ptr_null(mhp_inject_action_name(INT_MAX));
}
END_TEST

/* ---- set / get: cast to int, then clamp to [-4095, 0] --------------------------------------- */

struct clamp_case {
	long long value;
	int stored;
};

static const struct clamp_case clamp_cases[] = {
	{ 0, 0 },
	{ -1, -1 },
	{ -12, -12 },
	{ -4095, -4095 },
	{ -4096, -4095 },
	{ -100000, -4095 },
	{ INT_MIN, -4095 },
	{ 1, 0 },
	{ 12, 0 },
	{ 4095, 0 },
	{ INT_MAX, 0 },
	/* Values that do not fit in an int are cast (truncated to 32 bits) first. */
	{ 4294967284LL, -12 }, /* 0xFFFFFFF4 */
	{ 4294967295LL, -1 }, /* 0xFFFFFFFF */
	{ 4294967296LL, 0 }, /* 0x100000000 */
	{ 0x80000000LL, -4095 }, /* INT_MIN after the cast */
	{ 0xFFFFF000LL, -4095 }, /* -4096 after the cast */
	{ 0x1FFFFF001LL, -4095 }, /* -4095 after the cast */
	{ -4294967308LL, -12 }, /* -(2^32 + 12) */
	{ 4294967308LL, 0 }, /* 2^32 + 12 */
	{ LLONG_MIN, 0 }, /* low 32 bits are 0 */
	{ LLONG_MAX, -1 }, /* low 32 bits are 0xFFFFFFFF */
};

START_TEST(test_set_casts_to_int_then_clamps)
{
	size_t i;
	int a;

	for (i = 0; i < sizeof(clamp_cases) / sizeof(clamp_cases[0]); i++) {
		const struct clamp_case *c = &clamp_cases[i];

		for (a = 0; a < MHP_INJECT_NR_ACTIONS; a++) {
			ck_assert_int_eq(mhp_inject_set(inj, a, c->value), 0);
			ck_assert_msg(mhp_inject_get(inj, a) == c->stored,
				      "set(%s, %lld) stored %d, want %d", mhp_inject_action_name(a),
				      c->value, mhp_inject_get(inj, a), c->stored);
		}
	}
}
END_TEST

START_TEST(test_errors_start_at_zero)
{
	ck_assert_int_eq(mhp_inject_get(inj, MHP_INJECT_GOING_ONLINE), 0);
	ck_assert_int_eq(mhp_inject_get(inj, MHP_INJECT_GOING_OFFLINE), 0);
}
END_TEST

START_TEST(test_actions_are_independent)
{
	ck_assert_int_eq(mhp_inject_set(inj, MHP_INJECT_GOING_ONLINE, -12), 0);
	ck_assert_int_eq(mhp_inject_get(inj, MHP_INJECT_GOING_OFFLINE), 0);
	ck_assert_int_eq(mhp_inject_set(inj, MHP_INJECT_GOING_OFFLINE, -16), 0);
	ck_assert_int_eq(mhp_inject_get(inj, MHP_INJECT_GOING_ONLINE), -12);
	ck_assert_int_eq(mhp_inject_get(inj, MHP_INJECT_GOING_OFFLINE), -16);
}
END_TEST

START_TEST(test_bad_action_is_einval_and_int_min)
{
	ck_assert_int_eq(mhp_inject_set(inj, -1, -12), -EINVAL);
	ck_assert_int_eq(mhp_inject_set(inj, MHP_INJECT_NR_ACTIONS, -12), -EINVAL);
	ck_assert_int_eq(mhp_inject_get(inj, -1), INT_MIN);
	ck_assert_int_eq(mhp_inject_get(inj, MHP_INJECT_NR_ACTIONS), INT_MIN);
	ck_assert_int_eq(mhp_inject_get(inj, MHP_INJECT_GOING_ONLINE), 0);
	ck_assert_int_eq(mhp_inject_get(inj, MHP_INJECT_GOING_OFFLINE), 0);
}
END_TEST

/* ---- store (a write to actions/<ACTION>/error) ---------------------------------------------- */

struct store_case {
	const char *s;
	ssize_t ret; /* strlen(s) on success */
	int stored; /* on success; on failure the previous value (-7) stays */
};

static const struct store_case store_cases[] = {
	{ "-12", 3, -12 },
	{ "-12\n", 4, -12 },
	{ "0", 1, 0 },
	{ "0\n", 2, 0 },
	{ "-0", 2, 0 },
	{ "-1", 2, -1 },
	{ "-4095", 5, -4095 },
	{ "-4096", 5, -4095 },
	{ "-99999", 6, -4095 },
	{ "12", 2, 0 },
	{ "+12", 3, 0 },
	{ "-0xc", 4, -12 },
	{ "-0XC", 4, -12 },
	{ "-014", 4, -12 },
	{ "4294967284", 10, -12 },
	{ "0xfffffff4", 10, -12 },
	{ "-4294967308", 11, -12 },
	{ "-9223372036854775808", 20, 0 },
	{ "9223372036854775807", 19, -1 },
	/* parse failures */
	{ "", -EINVAL, -7 },
	{ "\n", -EINVAL, -7 },
	{ "abc", -EINVAL, -7 },
	{ "-12x", -EINVAL, -7 },
	{ "-12 ", -EINVAL, -7 },
	{ " -12", -EINVAL, -7 },
	{ "-12\n\n", -EINVAL, -7 },
	{ "-12\r\n", -EINVAL, -7 },
	{ "--12", -EINVAL, -7 },
	{ "-+12", -EINVAL, -7 },
	{ "-", -EINVAL, -7 },
	{ "-0x", -EINVAL, -7 },
	{ "-08", -EINVAL, -7 },
	{ "ENOMEM", -EINVAL, -7 },
	{ "9223372036854775808", -ERANGE, -7 },
	{ "-9223372036854775809", -ERANGE, -7 },
	{ "18446744073709551616", -ERANGE, -7 },
};

START_TEST(test_store_parses_kstrtoll_base0)
{
	size_t i;
	int a;

	for (i = 0; i < sizeof(store_cases) / sizeof(store_cases[0]); i++) {
		const struct store_case *c = &store_cases[i];

		for (a = 0; a < MHP_INJECT_NR_ACTIONS; a++) {
			ssize_t ret;

			ck_assert_int_eq(mhp_inject_set(inj, a, -7), 0);
			ret = store_str(a, c->s);
			ck_assert_msg(ret == c->ret, "store(%s, \"%s\") = %zd, want %zd",
				      mhp_inject_action_name(a), c->s, ret, c->ret);
			ck_assert_msg(mhp_inject_get(inj, a) == c->stored,
				      "store(%s, \"%s\") left %d, want %d",
				      mhp_inject_action_name(a), c->s, mhp_inject_get(inj, a),
				      c->stored);
		}
	}
}
END_TEST

START_TEST(test_store_considers_only_23_bytes)
{
	/* 23 bytes that parse to -12 ("-0x" and 20 hex digits), then 7 more hex digits. */
	static const char head[] = "-0x0000000000000000000c";
	char buf[30];

	ck_assert_uint_eq(strlen(head), 23);
	memcpy(buf, head, 23);
	memcpy(buf + 23, "fffffff", 7);
	ck_assert_int_eq(mhp_inject_store(inj, MHP_INJECT_GOING_ONLINE, buf, 30), 30);
	ck_assert_int_eq(mhp_inject_get(inj, MHP_INJECT_GOING_ONLINE), -12);

	/* Junk right after the 23rd byte is never seen either. */
	memcpy(buf, head, 23);
	buf[23] = 'x';
	ck_assert_int_eq(mhp_inject_store(inj, MHP_INJECT_GOING_OFFLINE, buf, 24), 24);
	ck_assert_int_eq(mhp_inject_get(inj, MHP_INJECT_GOING_OFFLINE), -12);
}
END_TEST

START_TEST(test_store_sees_junk_within_23_bytes)
{
	char buf[40];

	/* "-12" and 20 spaces: the spaces are inside the window. */
	memset(buf, ' ', sizeof(buf));
	memcpy(buf, "-12", 3);
	ck_assert_int_eq(mhp_inject_store(inj, MHP_INJECT_GOING_ONLINE, buf, 23), -EINVAL);
	ck_assert_int_eq(mhp_inject_store(inj, MHP_INJECT_GOING_ONLINE, buf, 40), -EINVAL);
	ck_assert_int_eq(mhp_inject_get(inj, MHP_INJECT_GOING_ONLINE), 0);
	/* "-12\n" and then junk inside the window: only one newline may end the number. */
	memset(buf, 'x', sizeof(buf));
	memcpy(buf, "-12\n", 4);
	ck_assert_int_eq(mhp_inject_store(inj, MHP_INJECT_GOING_ONLINE, buf, 30), -EINVAL);
	ck_assert_int_eq(mhp_inject_get(inj, MHP_INJECT_GOING_ONLINE), 0);
}
END_TEST

START_TEST(test_store_stops_at_an_embedded_nul)
{
	/* The store parses a NUL-terminated copy, so what follows a NUL byte is not seen. */
	static const char buf[8] = { '-', '1', '2', '\0', 'j', 'u', 'n', 'k' };

	ck_assert_int_eq(mhp_inject_store(inj, MHP_INJECT_GOING_ONLINE, buf, sizeof(buf)), 8);
	ck_assert_int_eq(mhp_inject_get(inj, MHP_INJECT_GOING_ONLINE), -12);
}
END_TEST

START_TEST(test_store_bad_action_is_einval)
{
	ck_assert_int_eq(mhp_inject_store(inj, MHP_INJECT_NR_ACTIONS, "-12", 3), -EINVAL);
	ck_assert_int_eq(mhp_inject_store(inj, -1, "-12", 3), -EINVAL);
}
END_TEST

/* ---- show ----------------------------------------------------------------------------------- */

START_TEST(test_show_is_lld_newline)
{
	char buf[64];

	ck_assert_str_eq(show(MHP_INJECT_GOING_ONLINE, buf, sizeof(buf)), "0\n");
	ck_assert_str_eq(show(MHP_INJECT_GOING_OFFLINE, buf, sizeof(buf)), "0\n");
	ck_assert_int_eq(store_str(MHP_INJECT_GOING_ONLINE, "-12\n"), 4);
	ck_assert_str_eq(show(MHP_INJECT_GOING_ONLINE, buf, sizeof(buf)), "-12\n");
	ck_assert_str_eq(show(MHP_INJECT_GOING_OFFLINE, buf, sizeof(buf)), "0\n");
	ck_assert_int_eq(store_str(MHP_INJECT_GOING_OFFLINE, "-5000"), 5);
	ck_assert_str_eq(show(MHP_INJECT_GOING_OFFLINE, buf, sizeof(buf)), "-4095\n");
	ck_assert_int_eq(store_str(MHP_INJECT_GOING_OFFLINE, "0xfffffff4"), 10);
	ck_assert_str_eq(show(MHP_INJECT_GOING_OFFLINE, buf, sizeof(buf)), "-12\n");
	ck_assert_int_eq(store_str(MHP_INJECT_GOING_OFFLINE, "7"), 1);
	ck_assert_str_eq(show(MHP_INJECT_GOING_OFFLINE, buf, sizeof(buf)), "0\n");
}
END_TEST

START_TEST(test_show_returns_length)
{
	char buf[8];

	ck_assert_int_eq(mhp_inject_set(inj, MHP_INJECT_GOING_ONLINE, -4095), 0);
	ck_assert_int_eq(mhp_inject_show(inj, MHP_INJECT_GOING_ONLINE, buf, sizeof(buf)), 6);
	ck_assert_str_eq(buf, "-4095\n");
}
END_TEST

START_TEST(test_show_errors)
{
	char buf[64];

	ck_assert_int_eq(mhp_inject_show(inj, MHP_INJECT_NR_ACTIONS, buf, sizeof(buf)), -EINVAL);
	ck_assert_int_eq(mhp_inject_show(inj, -1, buf, sizeof(buf)), -EINVAL);
	ck_assert_int_eq(mhp_inject_set(inj, MHP_INJECT_GOING_ONLINE, -4095), 0);
	ck_assert_int_eq(mhp_inject_show(inj, MHP_INJECT_GOING_ONLINE, buf, 3), -ENOSPC);
}
END_TEST

/* ---- with the engine ------------------------------------------------------------------------ */

START_TEST(test_going_online_error_fails_online_with_that_errno)
{
	char ev[256];
	struct mhp_block *b;
	bool on = true;

	probe_block();
	ck_assert_int_eq(store_str(MHP_INJECT_GOING_ONLINE, "-12\n"), 4);
	b = tu_block(eng, PROBE_ID);
	ck_assert_int_eq(mhp_block_store_state(eng, b, MHP_MMOP_ONLINE, NULL), -ENOMEM);
	ck_assert_int_eq(mhp_block_state(b), MHP_STATE_OFFLINE);
	ck_assert_int_eq(mhp_block_online_show(eng, b, &on), 0);
	ck_assert(!on);
	/* Every way of onlining meets the same veto. */
	ck_assert_int_eq(mhp_block_store_state(eng, b, MHP_MMOP_ONLINE_KERNEL, NULL), -ENOMEM);
	ck_assert_int_eq(mhp_block_store_state(eng, b, MHP_MMOP_ONLINE_MOVABLE, NULL), -ENOMEM);
	ck_assert_int_eq(mhp_block_store_online(eng, b, true, NULL), -ENOMEM);
	ck_assert_int_eq(mhp_block_state(b), MHP_STATE_OFFLINE);
	/* A failed online sends no uevent. */
	ck_assert_str_eq(tu_events_str(eng, ev, sizeof(ev)), "");
	mhp_block_put(b);
}
END_TEST

START_TEST(test_zero_disables_going_online_error)
{
	char ev[256];

	probe_block();
	ck_assert_int_eq(store_str(MHP_INJECT_GOING_ONLINE, "-12"), 3);
	ck_assert_int_eq(tu_store_state(eng, PROBE_ID, MHP_MMOP_ONLINE), -ENOMEM);
	ck_assert_int_eq(store_str(MHP_INJECT_GOING_ONLINE, "0\n"), 2);
	ck_assert_int_eq(tu_store_state(eng, PROBE_ID, MHP_MMOP_ONLINE), 0);
	ck_assert_int_eq(tu_state(eng, PROBE_ID), MHP_STATE_ONLINE);
	ck_assert(tu_online_show(eng, PROBE_ID));
	ck_assert_str_eq(tu_events_str(eng, ev, sizeof(ev)),
			 "online:/devices/system/memory/memory40");
}
END_TEST

START_TEST(test_going_offline_error_fails_offline_with_that_errno)
{
	char ev[256];

	probe_block();
	ck_assert_int_eq(tu_store_state(eng, PROBE_ID, MHP_MMOP_ONLINE), 0);
	tu_events_drain(eng);
	ck_assert_int_eq(store_str(MHP_INJECT_GOING_OFFLINE, "-12\n"), 4);
	ck_assert_int_eq(tu_store_state(eng, PROBE_ID, MHP_MMOP_OFFLINE), -ENOMEM);
	ck_assert_int_eq(tu_state(eng, PROBE_ID), MHP_STATE_ONLINE);
	ck_assert(tu_online_show(eng, PROBE_ID));
	ck_assert_int_eq(tu_store_online(eng, PROBE_ID, false), -ENOMEM);
	ck_assert_int_eq(tu_state(eng, PROBE_ID), MHP_STATE_ONLINE);
	/* Boot memory is vetoed the same way. */
	ck_assert_int_eq(tu_store_state(eng, BOOT_ID, MHP_MMOP_OFFLINE), -ENOMEM);
	ck_assert_int_eq(tu_state(eng, BOOT_ID), MHP_STATE_ONLINE);
	ck_assert_str_eq(tu_events_str(eng, ev, sizeof(ev)), "");

	ck_assert_int_eq(store_str(MHP_INJECT_GOING_OFFLINE, "0"), 1);
	ck_assert_int_eq(tu_store_state(eng, PROBE_ID, MHP_MMOP_OFFLINE), 0);
	ck_assert_int_eq(tu_state(eng, PROBE_ID), MHP_STATE_OFFLINE);
	ck_assert_str_eq(tu_events_str(eng, ev, sizeof(ev)),
			 "offline:/devices/system/memory/memory40");
}
END_TEST

START_TEST(test_injected_errno_reaches_the_writer_exactly)
{
	static const struct {
		const char *write;
		int err;
	} cases[] = {
		{ "-1", -EPERM }, /* the same value as a bare NOTIFY_BAD */
		{ "-16", -EBUSY },  { "-133", -133 },	      { "-4095", -4095 },
		{ "-5000", -4095 }, { "0xfffffffc", -EINTR },
	};
	size_t i;

	probe_block();
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		ck_assert_int_eq(store_str(MHP_INJECT_GOING_ONLINE, cases[i].write),
				 (ssize_t)strlen(cases[i].write));
		ck_assert_int_eq(tu_store_state(eng, PROBE_ID, MHP_MMOP_ONLINE), cases[i].err);
		ck_assert_int_eq(tu_state(eng, PROBE_ID), MHP_STATE_OFFLINE);
	}
	ck_assert_int_eq(mhp_inject_set(inj, MHP_INJECT_GOING_ONLINE, 0), 0);
	ck_assert_int_eq(tu_store_state(eng, PROBE_ID, MHP_MMOP_ONLINE), 0);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		ck_assert_int_eq(store_str(MHP_INJECT_GOING_OFFLINE, cases[i].write),
				 (ssize_t)strlen(cases[i].write));
		ck_assert_int_eq(tu_store_state(eng, PROBE_ID, MHP_MMOP_OFFLINE), cases[i].err);
		ck_assert_int_eq(tu_state(eng, PROBE_ID), MHP_STATE_ONLINE);
	}
}
END_TEST

START_TEST(test_each_action_vetoes_only_its_event)
{
	struct tu_recorder lo;
	struct tu_log log;
	char buf[256];

	tu_log_init(&log);
	tu_recorder_register(eng, &lo, &log, "lo", -1);
	probe_block();
	/* GOING_ONLINE armed: offlining is unaffected, and the lower callback sees everything. */
	ck_assert_int_eq(mhp_inject_set(inj, MHP_INJECT_GOING_ONLINE, -12), 0);
	ck_assert_int_eq(tu_store_state(eng, BOOT_ID, MHP_MMOP_OFFLINE), 0);
	ck_assert_str_eq(tu_log_str(&log, buf, sizeof(buf)), "lo:GOING_OFFLINE lo:OFFLINE");
	tu_log_clear(&log);
	/* GOING_OFFLINE armed instead: onlining is unaffected. */
	ck_assert_int_eq(mhp_inject_set(inj, MHP_INJECT_GOING_ONLINE, 0), 0);
	ck_assert_int_eq(mhp_inject_set(inj, MHP_INJECT_GOING_OFFLINE, -12), 0);
	ck_assert_int_eq(tu_store_state(eng, PROBE_ID, MHP_MMOP_ONLINE), 0);
	ck_assert_int_eq(tu_store_state(eng, BOOT_ID, MHP_MMOP_ONLINE), 0);
	ck_assert_str_eq(tu_log_str(&log, buf, sizeof(buf)),
			 "lo:GOING_ONLINE lo:ONLINE lo:GOING_ONLINE lo:ONLINE");
	tu_recorder_unregister(eng, &lo);
	tu_log_destroy(&log);
}
END_TEST

/*
 * The injector sits at its priority like any callback: a higher one has seen GOING_x before the
 * veto, a lower one never sees GOING_x, and both see CANCEL_x.
 */
START_TEST(test_priority_decides_who_sees_going_online)
{
	struct tu_recorder hi, lo;
	struct tu_log log;
	struct tu_log_entry ent;
	char buf[256];
	size_t i;

	tu_log_init(&log);
	tu_recorder_register(eng, &hi, &log, "hi", 1);
	tu_recorder_register(eng, &lo, &log, "lo", -1);
	probe_block();
	ck_assert_int_eq(mhp_inject_set(inj, MHP_INJECT_GOING_ONLINE, -12), 0);
	ck_assert_int_eq(tu_store_state(eng, PROBE_ID, MHP_MMOP_ONLINE), -ENOMEM);
	ck_assert_str_eq(tu_log_str(&log, buf, sizeof(buf)),
			 "hi:GOING_ONLINE hi:CANCEL_ONLINE lo:CANCEL_ONLINE");
	for (i = 0; i < tu_log_count(&log); i++) {
		ent = tu_log_at(&log, i);
		ck_assert_uint_eq(ent.n.start_pfn, TU_BLOCK_PFN(PROBE_ID));
		ck_assert_uint_eq(ent.n.nr_pages, TU_BLOCK_PAGES);
	}
	tu_log_clear(&log);
	ck_assert_int_eq(mhp_inject_set(inj, MHP_INJECT_GOING_ONLINE, 0), 0);
	ck_assert_int_eq(tu_store_state(eng, PROBE_ID, MHP_MMOP_ONLINE), 0);
	ck_assert_str_eq(tu_log_str(&log, buf, sizeof(buf)),
			 "hi:GOING_ONLINE lo:GOING_ONLINE hi:ONLINE lo:ONLINE");
	tu_recorder_unregister(eng, &hi);
	tu_recorder_unregister(eng, &lo);
	tu_log_destroy(&log);
}
END_TEST

START_TEST(test_priority_decides_who_sees_going_offline)
{
	struct tu_recorder hi, lo;
	struct tu_log log;
	char buf[256];

	tu_log_init(&log);
	tu_recorder_register(eng, &hi, &log, "hi", 1);
	tu_recorder_register(eng, &lo, &log, "lo", -1);
	ck_assert_int_eq(mhp_inject_set(inj, MHP_INJECT_GOING_OFFLINE, -12), 0);
	ck_assert_int_eq(tu_store_state(eng, BOOT_ID, MHP_MMOP_OFFLINE), -ENOMEM);
	ck_assert_str_eq(tu_log_str(&log, buf, sizeof(buf)),
			 "hi:GOING_OFFLINE hi:CANCEL_OFFLINE lo:CANCEL_OFFLINE");
	tu_log_clear(&log);
	ck_assert_int_eq(mhp_inject_set(inj, MHP_INJECT_GOING_OFFLINE, 0), 0);
	ck_assert_int_eq(tu_store_state(eng, BOOT_ID, MHP_MMOP_OFFLINE), 0);
	ck_assert_str_eq(tu_log_str(&log, buf, sizeof(buf)),
			 "hi:GOING_OFFLINE lo:GOING_OFFLINE hi:OFFLINE lo:OFFLINE");
	tu_recorder_unregister(eng, &hi);
	tu_recorder_unregister(eng, &lo);
	tu_log_destroy(&log);
}
END_TEST

START_TEST(test_injector_priority_parameter_and_fifo)
{
	struct tu_recorder r20, r10a, r10b, r5;
	struct mhp_inject *inj10;
	struct tu_log log;
	char buf[512];

	/* The fixture's injector stays at 0 and inactive; a second one sits at 10. */
	tu_log_init(&log);
	tu_recorder_register(eng, &r20, &log, "p20", 20);
	tu_recorder_register(eng, &r10a, &log, "p10a", 10);
	ck_assert_int_eq(mhp_inject_new(eng, 10, &inj10), 0);
	tu_recorder_register(eng, &r10b, &log, "p10b", 10);
	tu_recorder_register(eng, &r5, &log, "p5", 5);
	probe_block();
	ck_assert_int_eq(mhp_inject_set(inj10, MHP_INJECT_GOING_ONLINE, -EBUSY), 0);
	ck_assert_int_eq(tu_store_state(eng, PROBE_ID, MHP_MMOP_ONLINE), -EBUSY);
	/* Equal priorities run FIFO: p10a came before the injector, p10b after it. */
	ck_assert_str_eq(tu_log_str(&log, buf, sizeof(buf)),
			 "p20:GOING_ONLINE p10a:GOING_ONLINE p20:CANCEL_ONLINE p10a:CANCEL_ONLINE "
			 "p10b:CANCEL_ONLINE p5:CANCEL_ONLINE");
	tu_log_clear(&log);
	/* Freeing the injector is `modprobe -r`: the veto is gone with it. */
	mhp_inject_free(inj10);
	ck_assert_int_eq(tu_store_state(eng, PROBE_ID, MHP_MMOP_ONLINE), 0);
	ck_assert_str_eq(tu_log_str(&log, buf, sizeof(buf)),
			 "p20:GOING_ONLINE p10a:GOING_ONLINE p10b:GOING_ONLINE p5:GOING_ONLINE "
			 "p20:ONLINE p10a:ONLINE p10b:ONLINE p5:ONLINE");
	tu_recorder_unregister(eng, &r20);
	tu_recorder_unregister(eng, &r10a);
	tu_recorder_unregister(eng, &r10b);
	tu_recorder_unregister(eng, &r5);
	tu_log_destroy(&log);
}
END_TEST

START_TEST(test_free_unregisters_and_accepts_null)
{
	mhp_inject_free(NULL);
	probe_block();
	ck_assert_int_eq(mhp_inject_set(inj, MHP_INJECT_GOING_ONLINE, -12), 0);
	mhp_inject_free(inj);
	inj = NULL;
	ck_assert_int_eq(tu_store_state(eng, PROBE_ID, MHP_MMOP_ONLINE), 0);
	ck_assert_int_eq(tu_state(eng, PROBE_ID), MHP_STATE_ONLINE);
}
END_TEST

START_TEST(test_selftest_sequence)
{
	/* mem-on-off-test.sh steps 8-11 on every hot-pluggable block of a small machine. */
	unsigned long id;

	probe_block();
	ck_assert_int_eq(store_str(MHP_INJECT_GOING_ONLINE, "-12\n"), 4);
	ck_assert_int_eq(tu_store_state(eng, PROBE_ID, MHP_MMOP_ONLINE), -ENOMEM);
	ck_assert_int_eq(tu_state(eng, PROBE_ID), MHP_STATE_OFFLINE);
	ck_assert_int_eq(store_str(MHP_INJECT_GOING_ONLINE, "0\n"), 2);
	ck_assert_int_eq(tu_store_state(eng, PROBE_ID, MHP_MMOP_ONLINE), 0);
	ck_assert_int_eq(store_str(MHP_INJECT_GOING_OFFLINE, "-12\n"), 4);
	for (id = 32; id <= PROBE_ID; id++) {
		ck_assert_int_eq(tu_store_state(eng, id, MHP_MMOP_OFFLINE), -ENOMEM);
		ck_assert_int_eq(tu_state(eng, id), MHP_STATE_ONLINE);
	}
	ck_assert_int_eq(store_str(MHP_INJECT_GOING_OFFLINE, "0\n"), 2);
	for (id = 33; id <= PROBE_ID; id++)
		ck_assert_int_eq(tu_store_state(eng, id, MHP_MMOP_OFFLINE), 0);
}
END_TEST

static Suite *inject_suite(void)
{
	Suite *s = suite_create("inject");
	TCase *tc;

	tc = tcase_create("names");
	tcase_add_test(tc, test_action_names_are_the_debugfs_directories);
	tcase_add_test(tc, test_action_name_out_of_range_is_null);
	suite_add_tcase(s, tc);

	tc = tcase_create("set_get");
	tcase_add_checked_fixture(tc, engine_setup, engine_teardown);
	tcase_add_test(tc, test_set_casts_to_int_then_clamps);
	tcase_add_test(tc, test_errors_start_at_zero);
	tcase_add_test(tc, test_actions_are_independent);
	tcase_add_test(tc, test_bad_action_is_einval_and_int_min);
	suite_add_tcase(s, tc);

	tc = tcase_create("store");
	tcase_add_checked_fixture(tc, engine_setup, engine_teardown);
	tcase_add_test(tc, test_store_parses_kstrtoll_base0);
	tcase_add_test(tc, test_store_considers_only_23_bytes);
	tcase_add_test(tc, test_store_sees_junk_within_23_bytes);
	tcase_add_test(tc, test_store_stops_at_an_embedded_nul);
	tcase_add_test(tc, test_store_bad_action_is_einval);
	suite_add_tcase(s, tc);

	tc = tcase_create("show");
	tcase_add_checked_fixture(tc, engine_setup, engine_teardown);
	tcase_add_test(tc, test_show_is_lld_newline);
	tcase_add_test(tc, test_show_returns_length);
	tcase_add_test(tc, test_show_errors);
	suite_add_tcase(s, tc);

	tc = tcase_create("engine");
	tcase_add_checked_fixture(tc, engine_setup, engine_teardown);
	tcase_add_test(tc, test_going_online_error_fails_online_with_that_errno);
	tcase_add_test(tc, test_zero_disables_going_online_error);
	tcase_add_test(tc, test_going_offline_error_fails_offline_with_that_errno);
	tcase_add_test(tc, test_injected_errno_reaches_the_writer_exactly);
	tcase_add_test(tc, test_each_action_vetoes_only_its_event);
	tcase_add_test(tc, test_priority_decides_who_sees_going_online);
	tcase_add_test(tc, test_priority_decides_who_sees_going_offline);
	tcase_add_test(tc, test_injector_priority_parameter_and_fifo);
	tcase_add_test(tc, test_free_unregisters_and_accepts_null);
	tcase_add_test(tc, test_selftest_sequence);
	suite_add_tcase(s, tc);

	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(inject_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
