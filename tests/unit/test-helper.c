// SPDX-License-Identifier: MIT
/*
 * test-helper.c - fusefs/helper.c: the uevent helper (helper.h): the kernel's argv and
 * environment, serialised runs in event order, the time limit (the process group is killed),
 * failures logged and survived, the bounded queue that never blocks.
 *
 * The helpers are small /bin/sh scripts written into a temporary directory.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <check.h>

#include "helper.h"

static char dir[64];

static void setup(void)
{
	strcpy(dir, "/tmp/mhpfs-helper-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
}

static void teardown(void)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	ck_assert_int_eq(system(cmd), 0);
}

/* Write the script @body (after "#!/bin/sh\nD=<dir>\n") as <dir>/helper; return its path. */
static const char *script(const char *body)
{
	static char path[128];
	FILE *f;

	snprintf(path, sizeof(path), "%s/helper", dir);
	f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	fprintf(f, "#!/bin/sh\nD=%s\n%s", dir, body);
	ck_assert_int_eq(fclose(f), 0);
	ck_assert_int_eq(chmod(path, 0755), 0);
	return path;
}

/* The contents of <dir>/@name, "" if it does not exist. */
static const char *slurp(const char *name)
{
	static char buf[8192];
	char path[128];
	size_t n = 0;
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	buf[0] = '\0';
	f = fopen(path, "r");
	if (!f)
		return buf;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

static bool exists(const char *name)
{
	char path[128];

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	return access(path, F_OK) == 0;
}

static void touch(const char *name)
{
	char path[128];
	int fd;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	fd = open(path, O_CREAT | O_WRONLY | O_CLOEXEC, 0644);
	ck_assert_int_ge(fd, 0);
	close(fd);
}

static void wait_for(const char *name)
{
	for (int i = 0; i < 500 && !exists(name); i++)
		usleep(10000);
	ck_assert_msg(exists(name), "%s never appeared", name);
}

/* Captured log lines. */
static char logbuf[4096];
static pthread_mutex_t log_lock = PTHREAD_MUTEX_INITIALIZER;

static void capture(void *priv, const char *line)
{
	pthread_mutex_lock(&log_lock);
	strncat(logbuf, line, sizeof(logbuf) - strlen(logbuf) - 2);
	strcat(logbuf, "\n");
	pthread_mutex_unlock(&log_lock);
}

static struct mhpfs_helper *start(const char *path, unsigned int timeout_ms, size_t queue_max)
{
	struct mhpfs_helper_config cfg = {
		.path = path, .timeout_ms = timeout_ms, .queue_max = queue_max, .log = capture
	};
	struct mhpfs_helper *h = NULL;

	logbuf[0] = '\0';
	ck_assert_int_eq(mhpfs_helper_start(&cfg, &h), 0);
	return h;
}

static void queue(struct mhpfs_helper *h, int action, int subsys, unsigned long id, uint64_t seqnum,
		  int want)
{
	struct mhp_uevent ev = {
		.seqnum = seqnum, .action = action, .subsystem = subsys, .id = id
	};
	struct mhpfs_uevent_env env;

	ck_assert_int_eq(mhpfs_uevent_env_build(&ev, NULL, &env), 0);
	ck_assert_int_eq(mhpfs_helper_queue(h, &env), want);
}

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

START_TEST(test_helper_gets_the_kernels_argv_and_environment)
{
	/* /proc/$$/environ is what the shell was started with, untouched by the shell */
	struct mhpfs_helper *h =
		start(script("tr '\\000' '\\n' < /proc/$$/environ > $D/env.$SEQNUM\n"
			     "echo \"$0|$1|$#|$(pwd)\" > $D/argv.$SEQNUM\n"
			     "[ -t 0 ] || cat > $D/stdin.$SEQNUM\n"),
		      5000, 16);
	struct mhpfs_helper_stats st;
	char want[256];

	queue(h, MHP_KOBJ_ADD, MHP_SUBSYS_MEMORY, 40, 5, 0);
	queue(h, MHP_KOBJ_REMOVE, MHP_SUBSYS_NODE, 2, 6, 0);
	ck_assert_int_eq(mhpfs_helper_wait_idle(h, 5000), 0);
	ck_assert_str_eq(slurp("env.5"), "ACTION=add\nDEVPATH=/devices/system/memory/memory40\n"
					 "SUBSYSTEM=memory\nSEQNUM=5\nHOME=/\n"
					 "PATH=/sbin:/bin:/usr/sbin:/usr/bin\n");
	ck_assert_str_eq(slurp("env.6"), "ACTION=remove\nDEVPATH=/devices/system/node/node2\n"
					 "SUBSYSTEM=node\nSEQNUM=6\nHOME=/\n"
					 "PATH=/sbin:/bin:/usr/sbin:/usr/bin\n");
	snprintf(want, sizeof(want), "%s/helper|memory|1|/\n", dir);
	ck_assert_str_eq(slurp("argv.5"), want);
	snprintf(want, sizeof(want), "%s/helper|node|1|/\n", dir);
	ck_assert_str_eq(slurp("argv.6"), want);
	/* stdin is /dev/null: empty */
	ck_assert_str_eq(slurp("stdin.5"), "");
	mhpfs_helper_get_stats(h, &st);
	ck_assert_uint_eq(st.queued, 2);
	ck_assert_uint_eq(st.run, 2);
	ck_assert_uint_eq(st.failed, 0);
	ck_assert_str_eq(logbuf, "");
	mhpfs_helper_stop(h);
}
END_TEST

START_TEST(test_synthetic_keys_reach_the_helper)
{
	struct mhpfs_helper *h =
		start(script("tr '\\000' '\\n' < /proc/$$/environ > $D/env\n"), 5000, 16);
	struct mhp_uevent ev = {
		.seqnum = 9, .action = MHP_KOBJ_CHANGE, .subsystem = MHP_SUBSYS_MEMORY, .id = 3
	};
	static const char w[] = "change 00000000-1111-2222-3333-444444444444 X=y";
	struct mhpfs_uevent_synth s;
	struct mhpfs_uevent_env env;

	ck_assert_int_eq(mhpfs_uevent_synth_parse(w, sizeof(w) - 1, &s), 0);
	ck_assert_int_eq(mhpfs_uevent_env_build(&ev, &s.keys, &env), 0);
	ck_assert_int_eq(mhpfs_helper_queue(h, &env), 0);
	ck_assert_int_eq(mhpfs_helper_wait_idle(h, 5000), 0);
	ck_assert_str_eq(slurp("env"), "ACTION=change\nDEVPATH=/devices/system/memory/memory3\n"
				       "SUBSYSTEM=memory\n"
				       "SYNTH_UUID=00000000-1111-2222-3333-444444444444\n"
				       "SYNTH_ARG_X=y\nSEQNUM=9\nHOME=/\n"
				       "PATH=/sbin:/bin:/usr/sbin:/usr/bin\n");
	mhpfs_helper_stop(h);
}
END_TEST

START_TEST(test_runs_are_serialised_in_event_order)
{
	struct mhpfs_helper *h = start(script("echo start $SEQNUM >> $D/log\nsleep 0.03\n"
					      "echo end $SEQNUM >> $D/log\n"),
				       5000, 16);

	for (unsigned int i = 1; i <= 5; i++)
		queue(h, MHP_KOBJ_ONLINE, MHP_SUBSYS_MEMORY, i, i, 0);
	ck_assert_int_eq(mhpfs_helper_wait_idle(h, 10000), 0);
	ck_assert_str_eq(slurp("log"), "start 1\nend 1\nstart 2\nend 2\nstart 3\nend 3\n"
				       "start 4\nend 4\nstart 5\nend 5\n");
	mhpfs_helper_stop(h);
}
END_TEST

START_TEST(test_time_limit_kills_the_process_group)
{
	/* the helper starts a grandchild in its group, then hangs */
	struct mhpfs_helper *h = start(script("if [ $SEQNUM = 1 ]; then\n"
					      "  sleep 30 & echo $! > $D/grandchild\n"
					      "  sleep 30\n"
					      "fi\n"
					      "echo ran $SEQNUM >> $D/log\n"),
				       300, 16);
	struct mhpfs_helper_stats st;
	long long t0 = now_ms();
	char stat_path[64], state = '?';
	FILE *f;
	int pid;

	queue(h, MHP_KOBJ_ADD, MHP_SUBSYS_MEMORY, 1, 1, 0);
	queue(h, MHP_KOBJ_ADD, MHP_SUBSYS_MEMORY, 2, 2, 0);
	ck_assert_int_eq(mhpfs_helper_wait_idle(h, 10000), 0);
	ck_assert_int_lt(now_ms() - t0, 5000);
	/* the next event ran normally */
	ck_assert_str_eq(slurp("log"), "ran 2\n");
	mhpfs_helper_get_stats(h, &st);
	ck_assert_uint_eq(st.run, 2);
	ck_assert_uint_eq(st.failed, 1);
	ck_assert_uint_eq(st.timed_out, 1);
	ck_assert_ptr_nonnull(strstr(logbuf, "SEQNUM=1 add /devices/system/memory/memory1: still "
					     "running after 300 ms, killed"));
	/* the grandchild is gone (or a zombie waiting for its new parent to reap it) */
	pid = atoi(slurp("grandchild"));
	ck_assert_int_gt(pid, 0);
	for (int i = 0; i < 100; i++) {
		snprintf(stat_path, sizeof(stat_path), "/proc/%d/stat", pid);
		f = fopen(stat_path, "r");
		if (!f) {
			state = 'X';
			break;
		}
		if (fscanf(f, "%*d %*s %c", &state) != 1)
			state = '?';
		fclose(f);
		if (state == 'Z')
			break;
		usleep(10000);
	}
	ck_assert_msg(state == 'X' || state == 'Z', "grandchild state %c", state);
	mhpfs_helper_stop(h);
}
END_TEST

START_TEST(test_failures_are_logged_and_not_fatal)
{
	struct mhpfs_helper *h = start(script("[ $SEQNUM = 1 ] && exit 3\n"
					      "[ $SEQNUM = 2 ] && kill -TERM $$\n"
					      "echo ok $SEQNUM >> $D/log\n"),
				       5000, 16);
	struct mhpfs_helper_stats st;

	queue(h, MHP_KOBJ_ADD, MHP_SUBSYS_MEMORY, 7, 1, 0);
	queue(h, MHP_KOBJ_ONLINE, MHP_SUBSYS_MEMORY, 7, 2, 0);
	queue(h, MHP_KOBJ_OFFLINE, MHP_SUBSYS_MEMORY, 7, 3, 0);
	ck_assert_int_eq(mhpfs_helper_wait_idle(h, 5000), 0);
	ck_assert_str_eq(slurp("log"), "ok 3\n");
	mhpfs_helper_get_stats(h, &st);
	ck_assert_uint_eq(st.run, 3);
	ck_assert_uint_eq(st.failed, 2);
	ck_assert_uint_eq(st.timed_out, 0);
	ck_assert_ptr_nonnull(
		strstr(logbuf, "SEQNUM=1 add /devices/system/memory/memory7: exit status 3\n"));
	ck_assert_ptr_nonnull(strstr(
		logbuf, "SEQNUM=2 online /devices/system/memory/memory7: killed by signal 15\n"));
	mhpfs_helper_stop(h);
}
END_TEST

START_TEST(test_missing_program_is_logged_and_not_fatal)
{
	struct mhpfs_helper_config cfg = {
		.path = "/nonexistent/helper", .timeout_ms = 1000, .queue_max = 4, .log = capture
	};
	struct mhpfs_helper *h;
	struct mhpfs_helper_stats st;

	logbuf[0] = '\0';
	ck_assert_int_eq(mhpfs_helper_start(&cfg, &h), 0);
	queue(h, MHP_KOBJ_ADD, MHP_SUBSYS_MEMORY, 1, 1, 0);
	ck_assert_int_eq(mhpfs_helper_wait_idle(h, 5000), 0);
	mhpfs_helper_get_stats(h, &st);
	ck_assert_uint_eq(st.run, 1);
	ck_assert_uint_eq(st.failed, 1);
	ck_assert_str_eq(logbuf, "uevent helper /nonexistent/helper: cannot run it for SEQNUM=1 "
				 "add /devices/system/memory/memory1: No such file or directory\n");
	mhpfs_helper_stop(h);
}
END_TEST

START_TEST(test_full_queue_drops_new_events_without_blocking)
{
	/* the first run waits for the test's go-ahead */
	struct mhpfs_helper *h = start(script("echo $SEQNUM >> $D/log\n"
					      "if [ $SEQNUM = 1 ]; then touch $D/started\n"
					      "  while [ ! -e $D/go ]; do sleep 0.01; done\nfi\n"),
				       10000, 2);
	struct mhpfs_helper_stats st;
	char want[256];
	long long t0;

	queue(h, MHP_KOBJ_ADD, MHP_SUBSYS_MEMORY, 1, 1, 0);
	wait_for("started");
	t0 = now_ms();
	queue(h, MHP_KOBJ_ADD, MHP_SUBSYS_MEMORY, 2, 2, 0);
	queue(h, MHP_KOBJ_ADD, MHP_SUBSYS_MEMORY, 3, 3, 0);
	queue(h, MHP_KOBJ_ADD, MHP_SUBSYS_MEMORY, 4, 4, -EAGAIN);
	queue(h, MHP_KOBJ_ADD, MHP_SUBSYS_MEMORY, 5, 5, -EAGAIN);
	/* never blocked by the hanging run */
	ck_assert_int_lt(now_ms() - t0, 500);
	ck_assert_int_eq(mhpfs_helper_wait_idle(h, 100), -ETIMEDOUT);
	touch("go");
	ck_assert_int_eq(mhpfs_helper_wait_idle(h, 5000), 0);
	ck_assert_str_eq(slurp("log"), "1\n2\n3\n");
	mhpfs_helper_get_stats(h, &st);
	ck_assert_uint_eq(st.queued, 3);
	ck_assert_uint_eq(st.run, 3);
	ck_assert_uint_eq(st.dropped, 2);
	/* reported once, when the helper thread takes the next event */
	snprintf(want, sizeof(want),
		 "uevent helper %s/helper: queue full, 2 events were not given to it\n", dir);
	ck_assert_str_eq(logbuf, want);
	mhpfs_helper_stop(h);
}
END_TEST

START_TEST(test_stop_kills_a_hanging_helper_and_discards_the_queue)
{
	struct mhpfs_helper *h = start(script("touch $D/started; sleep 30\n"), 60000, 8);
	long long t0;

	queue(h, MHP_KOBJ_ADD, MHP_SUBSYS_MEMORY, 1, 1, 0);
	queue(h, MHP_KOBJ_ADD, MHP_SUBSYS_MEMORY, 2, 2, 0);
	wait_for("started");
	t0 = now_ms();
	mhpfs_helper_stop(h);
	ck_assert_int_lt(now_ms() - t0, 2000);
}
END_TEST

START_TEST(test_bad_configurations_are_einval)
{
	struct mhpfs_helper_config cfg = { .path = "helper", .timeout_ms = 1, .queue_max = 1 };
	struct mhpfs_helper *h = NULL;
	struct mhpfs_uevent_env env;

	ck_assert_int_eq(mhpfs_helper_start(&cfg, &h), -EINVAL);
	cfg.path = "/bin/true";
	cfg.timeout_ms = 0;
	ck_assert_int_eq(mhpfs_helper_start(&cfg, &h), -EINVAL);
	cfg.timeout_ms = 1;
	cfg.queue_max = 0;
	ck_assert_int_eq(mhpfs_helper_start(&cfg, &h), -EINVAL);
	ck_assert_ptr_null(h);
	cfg.queue_max = 1;
	ck_assert_int_eq(mhpfs_helper_start(&cfg, &h), 0);
	mhpfs_uevent_env_init(&env);
	ck_assert_int_eq(mhpfs_helper_queue(h, &env), -EINVAL);
	mhpfs_helper_stop(h);
	mhpfs_helper_stop(NULL);
}
END_TEST

static Suite *helper_suite(void)
{
	Suite *s = suite_create("helper");
	TCase *tc;

	tc = tcase_create("environment");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_helper_gets_the_kernels_argv_and_environment);
	tcase_add_test(tc, test_synthetic_keys_reach_the_helper);
	suite_add_tcase(s, tc);

	tc = tcase_create("runs");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_runs_are_serialised_in_event_order);
	tcase_add_test(tc, test_time_limit_kills_the_process_group);
	tcase_add_test(tc, test_failures_are_logged_and_not_fatal);
	tcase_add_test(tc, test_missing_program_is_logged_and_not_fatal);
	suite_add_tcase(s, tc);

	tc = tcase_create("queue");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_full_queue_drops_new_events_without_blocking);
	tcase_add_test(tc, test_stop_kills_a_hanging_helper_and_discards_the_queue);
	tcase_add_test(tc, test_bad_configurations_are_einval);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(helper_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
