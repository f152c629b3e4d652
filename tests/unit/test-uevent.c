// SPDX-License-Identifier: MIT
/*
 * test-uevent.c - fusefs/uevent.c: the kernel's synthetic uevent parser (lib/kobject_uevent.c,
 * kobject_synth_uevent), the event environment with its limits (add_uevent_var), the netlink
 * message and the event stream's text form (SPEC §8).
 *
 * Expected values are written from the kernel's rules, not from uevent.c.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>

#include "uevent.h"

#define UUID "0123abcd-4567-89ef-ABCD-0123456789ab"

static int parse(const char *s, struct mhpfs_uevent_synth *ret)
{
	return mhpfs_uevent_synth_parse(s, strlen(s), ret);
}

/* The keys as "K=V|K=V" for compact comparisons. */
static const char *keys_str(const struct mhpfs_uevent_env *env)
{
	static char out[8192];
	size_t o = 0;

	out[0] = '\0';
	for (const char *s = mhpfs_uevent_env_next(env, NULL); s; s = mhpfs_uevent_env_next(env, s))
		o += (size_t)snprintf(out + o, sizeof(out) - o, "%s%s", o ? "|" : "", s);
	return out;
}

/* ---- action words --------------------------------------------------------------------------- */

START_TEST(test_every_action_word_is_accepted_with_synth_uuid_0)
{
	static const char *const words[] = { "add",    "remove",  "change", "move",
					     "online", "offline", "bind",   "unbind" };
	struct mhpfs_uevent_synth s;

	for (int i = 0; i < 8; i++) {
		ck_assert_int_eq(parse(words[i], &s), 0);
		ck_assert_int_eq(s.action, i);
		ck_assert_str_eq(keys_str(&s.keys), "SYNTH_UUID=0");
	}
}
END_TEST

START_TEST(test_one_trailing_newline_or_nul_is_ignored)
{
	struct mhpfs_uevent_synth s;

	ck_assert_int_eq(parse("online\n", &s), 0);
	ck_assert_int_eq(s.action, MHP_KOBJ_ONLINE);
	ck_assert_int_eq(mhpfs_uevent_synth_parse("change\0", 7, &s), 0);
	ck_assert_int_eq(s.action, MHP_KOBJ_CHANGE);
}
END_TEST

START_TEST(test_bad_action_words_are_einval)
{
	static const char *const bad[] = { "",	    "\n",    "add\n\n", "Add",	 " add",
					   "add ",  "ad",    "addx",	"add\r", "ADD",
					   "add\t", "adds ", "remove-", "on",	 "add \n" };
	struct mhpfs_uevent_synth s = { .action = 77 };

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ck_assert_msg(parse(bad[i], &s) == -EINVAL, "case %zu", i);
	/* nothing written on failure */
	ck_assert_int_eq(s.action, 77);
}
END_TEST

START_TEST(test_embedded_nul_ends_the_space_search)
{
	struct mhpfs_uevent_synth s;

	/* the kernel's strnchr() stops at the NUL: the whole string is then the action word */
	ck_assert_int_eq(mhpfs_uevent_synth_parse("add\0 " UUID, 5 + 36, &s), -EINVAL);
	ck_assert_int_eq(mhpfs_uevent_synth_parse("add\0x", 5, &s), -EINVAL);
}
END_TEST

/* ---- UUID and arguments --------------------------------------------------------------------- */

START_TEST(test_uuid_alone_gives_synth_uuid)
{
	struct mhpfs_uevent_synth s;

	ck_assert_int_eq(parse("add " UUID, &s), 0);
	ck_assert_int_eq(s.action, MHP_KOBJ_ADD);
	ck_assert_str_eq(keys_str(&s.keys), "SYNTH_UUID=" UUID);
	ck_assert_int_eq(parse("remove " UUID "\n", &s), 0);
	ck_assert_int_eq(s.action, MHP_KOBJ_REMOVE);
	ck_assert_str_eq(keys_str(&s.keys), "SYNTH_UUID=" UUID);
}
END_TEST

START_TEST(test_arguments_become_synth_arg_keys_in_order)
{
	struct mhpfs_uevent_synth s;

	ck_assert_int_eq(parse("change " UUID " A=1 bb=Xy9 Z0=0\n", &s), 0);
	ck_assert_int_eq(s.action, MHP_KOBJ_CHANGE);
	ck_assert_str_eq(keys_str(&s.keys),
			 "SYNTH_UUID=" UUID "|SYNTH_ARG_A=1|SYNTH_ARG_bb=Xy9|SYNTH_ARG_Z0=0");
	ck_assert_str_eq(mhpfs_uevent_env_get(&s.keys, "SYNTH_ARG_bb"), "Xy9");
	ck_assert_ptr_null(mhpfs_uevent_env_get(&s.keys, "SYNTH_ARG_b"));
}
END_TEST

START_TEST(test_bad_uuids_are_einval)
{
	static const char *const bad[] = {
		"add 0123abcd-4567-89ef-ABCD-0123456789a", /* 35 characters */
		"add 0123abcd-4567-89ef-ABCD-0123456789ag", /* not hex */
		"add 0123abcd_4567-89ef-ABCD-0123456789ab", /* '_' for '-' */
		"add 0123abcd-456789ef-ABCD-0123456789ab0", /* hyphen missing */
		"add 0123abcd-4567-89ef-ABCD-0123456789abc", /* 37 characters */
		"add  0123abcd-4567-89ef-ABCD-0123456789ab", /* two spaces */
		"add {0123abcd-4567-89ef-ABCD-0123456789ab}", "add 0",
	};
	struct mhpfs_uevent_synth s;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ck_assert_msg(parse(bad[i], &s) == -EINVAL, "case %zu: %s", i, bad[i]);
}
END_TEST

START_TEST(test_bad_arguments_are_einval)
{
	static const char *const bad[] = {
		"add " UUID " ",       "add " UUID " A",       "add " UUID " A=",
		"add " UUID " =1",     "add " UUID " A_B=1",   "add " UUID " A=1 ",
		"add " UUID "  A=1",   "add " UUID " A=1=2",   "add " UUID " A=-1",
		"add " UUID "\tA=1",   "add " UUID " A=1\n\n", "add " UUID "x",
		"add " UUID " A=\xd7", "add " UUID " \xf7=1",
	};
	struct mhpfs_uevent_synth s;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ck_assert_msg(parse(bad[i], &s) == -EINVAL, "case %zu", i);
}
END_TEST

START_TEST(test_latin1_letters_are_alphanumeric_as_in_the_kernel)
{
	struct mhpfs_uevent_synth s;

	ck_assert_int_eq(parse("add " UUID " \xc0\xff=\xe9t\xdf", &s), 0);
	ck_assert_str_eq(keys_str(&s.keys), "SYNTH_UUID=" UUID "|SYNTH_ARG_\xc0\xff=\xe9t\xdf");
}
END_TEST

/* Write "add UUID" followed by @n pairs " K<i>=v". */
static size_t many_args(char *buf, size_t len, int n)
{
	size_t o = (size_t)snprintf(buf, len, "add " UUID);

	for (int i = 0; i < n; i++)
		o += (size_t)snprintf(buf + o, len - o, " K%d=v", i);
	return o;
}

START_TEST(test_63_arguments_fit_64_do_not)
{
	static char buf[4096];
	struct mhpfs_uevent_synth s;
	size_t n;

	/* 64 strings: SYNTH_UUID and 63 arguments */
	n = many_args(buf, sizeof(buf), 63);
	ck_assert_int_eq(mhpfs_uevent_synth_parse(buf, n, &s), 0);
	ck_assert_uint_eq(s.keys.nr, 64);
	ck_assert_str_eq(mhpfs_uevent_env_get(&s.keys, "SYNTH_ARG_K62"), "v");
	n = many_args(buf, sizeof(buf), 64);
	ck_assert_int_eq(mhpfs_uevent_synth_parse(buf, n, &s), -EINVAL);
}
END_TEST

START_TEST(test_arguments_beyond_2048_bytes_are_einval)
{
	static char buf[4096];
	struct mhpfs_uevent_synth s;
	size_t o;

	/* "SYNTH_UUID=<36>\0" is 48 bytes; "SYNTH_ARG_A=" + value + NUL takes the other 2000 */
	o = (size_t)snprintf(buf, sizeof(buf), "add " UUID " A=");
	memset(buf + o, 'v', 1987);
	ck_assert_int_eq(mhpfs_uevent_synth_parse(buf, o + 1987, &s), 0);
	ck_assert_uint_eq(s.keys.len, 2048);
	memset(buf + o, 'v', 1988);
	ck_assert_int_eq(mhpfs_uevent_synth_parse(buf, o + 1988, &s), -EINVAL);
}
END_TEST

/* ---- environment and formats ---------------------------------------------------------------- */

START_TEST(test_env_add_refuses_the_65th_string_and_overflow)
{
	struct mhpfs_uevent_env env;
	char big[2100];

	mhpfs_uevent_env_init(&env);
	for (int i = 0; i < 64; i++)
		ck_assert_int_eq(mhpfs_uevent_env_add(&env, "K%d=1", i), 0);
	ck_assert_int_eq(mhpfs_uevent_env_add(&env, "X=1"), -ENOMEM);
	ck_assert_uint_eq(env.nr, 64);

	mhpfs_uevent_env_init(&env);
	memset(big, 'a', sizeof(big));
	/* 2047 characters and the NUL fill the buffer; one more does not fit */
	ck_assert_int_eq(mhpfs_uevent_env_add(&env, "%.*s", 2048, big), -ENOMEM);
	ck_assert_uint_eq(env.len, 0);
	ck_assert_uint_eq(env.nr, 0);
	ck_assert_int_eq(mhpfs_uevent_env_add(&env, "%.*s", 2047, big), 0);
	ck_assert_uint_eq(env.len, 2048);
	ck_assert_int_eq(mhpfs_uevent_env_add(&env, "%s", ""), -ENOMEM);
}
END_TEST

START_TEST(test_memory_event_has_the_four_keys_in_order)
{
	struct mhp_uevent ev = {
		.seqnum = 1234, .action = MHP_KOBJ_ONLINE, .subsystem = MHP_SUBSYS_MEMORY, .id = 40
	};
	struct mhpfs_uevent_env env;

	ck_assert_int_eq(mhpfs_uevent_env_build(&ev, NULL, &env), 0);
	ck_assert_str_eq(keys_str(&env), "ACTION=online|DEVPATH=/devices/system/memory/memory40|"
					 "SUBSYSTEM=memory|SEQNUM=1234");
}
END_TEST

START_TEST(test_node_event_devpath_and_subsystem)
{
	struct mhp_uevent ev = {
		.seqnum = 7, .action = MHP_KOBJ_REMOVE, .subsystem = MHP_SUBSYS_NODE, .id = 3
	};
	struct mhpfs_uevent_env env;

	ck_assert_int_eq(mhpfs_uevent_env_build(&ev, NULL, &env), 0);
	ck_assert_str_eq(
		keys_str(&env),
		"ACTION=remove|DEVPATH=/devices/system/node/node3|SUBSYSTEM=node|SEQNUM=7");
}
END_TEST

START_TEST(test_synthetic_keys_go_between_subsystem_and_seqnum)
{
	struct mhp_uevent ev = {
		.seqnum = 99, .action = MHP_KOBJ_CHANGE, .subsystem = MHP_SUBSYS_MEMORY, .id = 5
	};
	struct mhpfs_uevent_synth s;
	struct mhpfs_uevent_env env;

	ck_assert_int_eq(parse("change " UUID " A=1", &s), 0);
	ck_assert_int_eq(mhpfs_uevent_env_build(&ev, &s.keys, &env), 0);
	ck_assert_str_eq(keys_str(&env),
			 "ACTION=change|DEVPATH=/devices/system/memory/memory5|"
			 "SUBSYSTEM=memory|SYNTH_UUID=" UUID "|SYNTH_ARG_A=1|SEQNUM=99");
}
END_TEST

START_TEST(test_full_environment_is_enomem_like_the_kernel)
{
	struct mhp_uevent ev = {
		.seqnum = 1, .action = MHP_KOBJ_ADD, .subsystem = MHP_SUBSYS_MEMORY, .id = 1
	};
	struct mhpfs_uevent_env extra, env;

	/* ACTION, DEVPATH, SUBSYSTEM, 60 extra and SEQNUM are 64 strings: the limit */
	mhpfs_uevent_env_init(&extra);
	for (int i = 0; i < 60; i++)
		ck_assert_int_eq(mhpfs_uevent_env_add(&extra, "SYNTH_ARG_K%d=v", i), 0);
	ck_assert_int_eq(mhpfs_uevent_env_build(&ev, &extra, &env), 0);
	ck_assert_uint_eq(env.nr, 64);
	ck_assert_int_eq(mhpfs_uevent_env_add(&extra, "SYNTH_ARG_K60=v"), 0);
	ck_assert_int_eq(mhpfs_uevent_env_build(&ev, &extra, &env), -ENOMEM);
}
END_TEST

START_TEST(test_bad_event_is_einval)
{
	struct mhp_uevent ev = { .seqnum = 1, .action = MHP_KOBJ_MAX, .subsystem = 0, .id = 1 };
	struct mhpfs_uevent_env env;

	ck_assert_int_eq(mhpfs_uevent_env_build(&ev, NULL, &env), -EINVAL);
	ev.action = MHP_KOBJ_ADD;
	ev.subsystem = 9;
	ck_assert_int_eq(mhpfs_uevent_env_build(&ev, NULL, &env), -EINVAL);
}
END_TEST

START_TEST(test_netlink_message_bytes)
{
	static const char want[] = "offline@/devices/system/memory/memory33\0"
				   "ACTION=offline\0DEVPATH=/devices/system/memory/memory33\0"
				   "SUBSYSTEM=memory\0SEQNUM=18446744073709551615\0";
	struct mhp_uevent ev = { .seqnum = UINT64_MAX,
				 .action = MHP_KOBJ_OFFLINE,
				 .subsystem = MHP_SUBSYS_MEMORY,
				 .id = 33 };
	struct mhpfs_uevent_env env;
	char buf[MHPFS_UEVENT_MSG_MAX];
	ssize_t n;

	ck_assert_int_eq(mhpfs_uevent_env_build(&ev, NULL, &env), 0);
	n = mhpfs_uevent_format_netlink(&env, buf, sizeof(buf));
	ck_assert_int_eq(n, (ssize_t)sizeof(want) - 1);
	ck_assert_mem_eq(buf, want, sizeof(want) - 1);
	ck_assert_int_eq(mhpfs_uevent_format_netlink(&env, buf, (size_t)n - 1), -ENOSPC);
	ck_assert_int_eq(mhpfs_uevent_format_netlink(&env, buf, (size_t)n), n);
}
END_TEST

START_TEST(test_text_record_bytes)
{
	struct mhp_uevent ev = {
		.seqnum = 5, .action = MHP_KOBJ_ADD, .subsystem = MHP_SUBSYS_MEMORY, .id = 40
	};
	struct mhpfs_uevent_env env;
	char buf[MHPFS_UEVENT_MSG_MAX];
	ssize_t n;

	ck_assert_int_eq(mhpfs_uevent_env_build(&ev, NULL, &env), 0);
	n = mhpfs_uevent_format_text(&env, buf, sizeof(buf));
	ck_assert_str_eq(buf, "add@/devices/system/memory/memory40\nACTION=add\n"
			      "DEVPATH=/devices/system/memory/memory40\nSUBSYSTEM=memory\n"
			      "SEQNUM=5\n\n");
	ck_assert_int_eq(n, (ssize_t)strlen(buf));
	ck_assert_int_eq(mhpfs_uevent_format_text(&env, buf, (size_t)n), -ENOSPC);
	ck_assert_int_eq(mhpfs_uevent_format_text(&env, buf, (size_t)n + 1), n);
}
END_TEST

static Suite *uevent_suite(void)
{
	Suite *s = suite_create("uevent");
	TCase *tc;

	tc = tcase_create("action");
	tcase_add_test(tc, test_every_action_word_is_accepted_with_synth_uuid_0);
	tcase_add_test(tc, test_one_trailing_newline_or_nul_is_ignored);
	tcase_add_test(tc, test_bad_action_words_are_einval);
	tcase_add_test(tc, test_embedded_nul_ends_the_space_search);
	suite_add_tcase(s, tc);

	tc = tcase_create("arguments");
	tcase_add_test(tc, test_uuid_alone_gives_synth_uuid);
	tcase_add_test(tc, test_arguments_become_synth_arg_keys_in_order);
	tcase_add_test(tc, test_bad_uuids_are_einval);
	tcase_add_test(tc, test_bad_arguments_are_einval);
	tcase_add_test(tc, test_latin1_letters_are_alphanumeric_as_in_the_kernel);
	tcase_add_test(tc, test_63_arguments_fit_64_do_not);
	tcase_add_test(tc, test_arguments_beyond_2048_bytes_are_einval);
	suite_add_tcase(s, tc);

	tc = tcase_create("environment");
	tcase_add_test(tc, test_env_add_refuses_the_65th_string_and_overflow);
	tcase_add_test(tc, test_memory_event_has_the_four_keys_in_order);
	tcase_add_test(tc, test_node_event_devpath_and_subsystem);
	tcase_add_test(tc, test_synthetic_keys_go_between_subsystem_and_seqnum);
	tcase_add_test(tc, test_full_environment_is_enomem_like_the_kernel);
	tcase_add_test(tc, test_bad_event_is_einval);
	suite_add_tcase(s, tc);

	tc = tcase_create("formats");
	tcase_add_test(tc, test_netlink_message_bytes);
	tcase_add_test(tc, test_text_record_bytes);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(uevent_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
