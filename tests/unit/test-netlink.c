// SPDX-License-Identifier: MIT
/*
 * test-netlink.c - fusefs/netlink.c: libudev-format uevent broadcasts on the udev netlink group.
 *
 * Each test that sends runs in a private network namespace and a private mount namespace of its
 * own (libcheck forks every test; the test calls unshare()), with a tmpfs on /run holding an
 * empty /run/udev/control, because sd-device refuses to listen on the udev group when no udevd
 * seems to run.  Nothing leaks to the host: both namespaces die with the test process.
 *
 * Listeners: a raw netlink socket that checks the header and the sender's credentials the way
 * sd-device does, and sd_device_monitor from libsystemd itself (what udevadm monitor and udev
 * based daemons use) with in-kernel BPF subsystem filters, which prove the MurmurHash2 values.
 *
 * Needs root (unshare); exits 77 (skipped) otherwise.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <linux/netlink.h>
#include <poll.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <fcntl.h>
#include <unistd.h>

#include <check.h>
#include <systemd/sd-device.h>
#include <systemd/sd-event.h>

#include "netlink.h"

static void env_of(int action, int subsys, unsigned long id, uint64_t seqnum,
		   struct mhpfs_uevent_env *env)
{
	struct mhp_uevent ev = {
		.seqnum = seqnum, .action = action, .subsystem = subsys, .id = id
	};

	ck_assert_int_eq(mhpfs_uevent_env_build(&ev, NULL, env), 0);
}

/* A private network namespace with a fake running udev (see the top of the file). */
static void enter_private_netns(void)
{
	int fd;

	ck_assert_int_eq(unshare(CLONE_NEWNET | CLONE_NEWNS), 0);
	ck_assert_int_eq(mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL), 0);
	ck_assert_int_eq(mount("tmpfs", "/run", "tmpfs", 0, "mode=0755"), 0);
	ck_assert_int_eq(mkdir("/run/udev", 0755), 0);
	fd = open("/run/udev/control", O_CREAT | O_WRONLY | O_CLOEXEC, 0600);
	ck_assert_int_ge(fd, 0);
	close(fd);
}

static int listen_raw(void)
{
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK, .nl_groups = MHPFS_NETLINK_GROUP_UDEV };
	int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_KOBJECT_UEVENT), one = 1;

	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(setsockopt(fd, SOL_SOCKET, SO_PASSCRED, &one, sizeof(one)), 0);
	ck_assert_int_eq(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	return fd;
}

struct raw_msg {
	char buf[8192];
	ssize_t len;
	struct sockaddr_nl src;
	struct ucred cred;
	bool has_cred;
};

static void recv_raw(int fd, struct raw_msg *m)
{
	union {
		char buf[CMSG_SPACE(sizeof(struct ucred))];
		struct cmsghdr align;
	} control;
	struct iovec iov = { .iov_base = m->buf, .iov_len = sizeof(m->buf) };
	struct msghdr msg = { .msg_name = &m->src,
			      .msg_namelen = sizeof(m->src),
			      .msg_iov = &iov,
			      .msg_iovlen = 1,
			      .msg_control = &control,
			      .msg_controllen = sizeof(control) };
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	struct cmsghdr *c;

	ck_assert_int_eq(poll(&pfd, 1, 5000), 1);
	m->len = recvmsg(fd, &msg, 0);
	ck_assert_int_gt(m->len, 0);
	ck_assert_int_eq(msg.msg_flags & MSG_TRUNC, 0);
	c = CMSG_FIRSTHDR(&msg);
	m->has_cred = c && c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_CREDENTIALS;
	if (m->has_cred)
		memcpy(&m->cred, CMSG_DATA(c), sizeof(m->cred));
}

/* ---- format --------------------------------------------------------------------------------- */

START_TEST(test_murmurhash2_of_empty_string_is_0)
{
	ck_assert_uint_eq(mhpfs_murmurhash2("", 0, 0), 0);
	/* the length is mixed in: one NUL byte hashes to something else */
	ck_assert_uint_ne(mhpfs_murmurhash2("\0", 1, 0), 0);
}
END_TEST

START_TEST(test_libudev_message_layout)
{
	static const char props[] = "ACTION=add\0DEVPATH=/devices/system/memory/memory40\0"
				    "SUBSYSTEM=memory\0SEQNUM=77\0USEC_INITIALIZED=123456789\0";
	struct mhpfs_libudev_header h;
	struct mhpfs_uevent_env env;
	char buf[MHPFS_LIBUDEV_MSG_MAX];
	ssize_t n;

	env_of(MHP_KOBJ_ADD, MHP_SUBSYS_MEMORY, 40, 77, &env);
	n = mhpfs_libudev_format(&env, 123456789, buf, sizeof(buf));
	ck_assert_int_eq(n, 40 + (ssize_t)sizeof(props) - 1);
	memcpy(&h, buf, sizeof(h));
	ck_assert_mem_eq(buf, "libudev\0", 8);
	/* magic and hashes are in network order: the first magic byte is 0xfe */
	ck_assert_uint_eq((unsigned char)buf[8], 0xfe);
	ck_assert_uint_eq((unsigned char)buf[9], 0xed);
	ck_assert_uint_eq((unsigned char)buf[10], 0xca);
	ck_assert_uint_eq((unsigned char)buf[11], 0xfe);
	ck_assert_uint_eq(h.header_size, 40);
	ck_assert_uint_eq(h.properties_off, 40);
	ck_assert_uint_eq(h.properties_len, sizeof(props) - 1);
	ck_assert_uint_eq(ntohl(h.filter_subsystem_hash), mhpfs_murmurhash2("memory", 6, 0));
	ck_assert_uint_eq(h.filter_devtype_hash, 0);
	ck_assert_uint_eq(h.filter_tag_bloom_hi, 0);
	ck_assert_uint_eq(h.filter_tag_bloom_lo, 0);
	ck_assert_mem_eq(buf + 40, props, sizeof(props) - 1);
	ck_assert_int_eq(mhpfs_libudev_format(&env, 123456789, buf, (size_t)n - 1), -ENOSPC);
	/* without USEC_INITIALIZED */
	n = mhpfs_libudev_format(&env, 0, buf, sizeof(buf));
	ck_assert_int_eq(n, 40 + (ssize_t)env.len);
}
END_TEST

START_TEST(test_format_needs_subsystem)
{
	struct mhpfs_uevent_env env;
	char buf[256];

	mhpfs_uevent_env_init(&env);
	ck_assert_int_eq(mhpfs_uevent_env_add(&env, "ACTION=add"), 0);
	ck_assert_int_eq(mhpfs_libudev_format(&env, 1, buf, sizeof(buf)), -EINVAL);
}
END_TEST

/* ---- network namespaces --------------------------------------------------------------------- */

START_TEST(test_host_namespace_needs_force)
{
	struct mhpfs_netlink *nl = NULL;
	int initial = mhpfs_netns_is_initial();

	if (initial == 0) {
		/* the test itself runs in a container's namespace: nothing to refuse */
		ck_assert_int_eq(mhpfs_netlink_open(false, &nl), 0);
	} else {
		/* initial, or cannot tell: refused unless forced */
		ck_assert_int_eq(mhpfs_netlink_open(false, &nl), -EPERM);
		ck_assert_ptr_null(nl);
		ck_assert_int_eq(mhpfs_netlink_open(true, &nl), 0);
	}
	mhpfs_netlink_close(nl);
	mhpfs_netlink_close(NULL);
}
END_TEST

START_TEST(test_private_namespace_is_not_initial)
{
	struct mhpfs_netlink *nl = NULL;

	enter_private_netns();
	ck_assert_int_eq(mhpfs_netns_is_initial(), 0);
	ck_assert_int_eq(mhpfs_netlink_open(false, &nl), 0);
	mhpfs_netlink_close(nl);
}
END_TEST

/* ---- delivery ------------------------------------------------------------------------------- */

START_TEST(test_raw_listener_gets_udev_group_message_from_root)
{
	struct mhpfs_netlink *nl;
	struct mhpfs_uevent_env env;
	struct mhpfs_libudev_header h;
	static struct raw_msg m;
	const char *usec;
	char want[512];
	int fd, wl;

	enter_private_netns();
	fd = listen_raw();
	ck_assert_int_eq(mhpfs_netlink_open(false, &nl), 0);
	/* nobody listening is fine too */
	env_of(MHP_KOBJ_ADD, MHP_SUBSYS_MEMORY, 40, 5, &env);
	ck_assert_int_eq(mhpfs_netlink_send(nl, &env), 0);
	recv_raw(fd, &m);

	ck_assert_uint_eq(m.src.nl_groups, MHPFS_NETLINK_GROUP_UDEV);
	/* a userspace sender: never pid 0, which listeners reserve for the kernel */
	ck_assert_uint_ne(m.src.nl_pid, 0);
	ck_assert(m.has_cred);
	ck_assert_uint_eq(m.cred.uid, 0);
	ck_assert_int_ge(m.len, 40 + 32);
	memcpy(&h, m.buf, sizeof(h));
	ck_assert_str_eq(m.buf, "libudev");
	ck_assert_uint_eq(h.magic, htonl(0xfeedcafe));
	ck_assert_uint_eq(h.properties_off + h.properties_len, (size_t)m.len);

	usec = memmem(m.buf + 40, (size_t)m.len - 40, "USEC_INITIALIZED=", 17);
	ck_assert_ptr_nonnull(usec);
	ck_assert_uint_gt(strtoull(usec + 17, NULL, 10), 0);
	wl = snprintf(want, sizeof(want),
		      "ACTION=add%cDEVPATH=/devices/system/memory/memory40%cSUBSYSTEM=memory%c"
		      "SEQNUM=5%cUSEC_INITIALIZED=%s",
		      0, 0, 0, 0, usec + 17);
	ck_assert_int_eq(m.len, 40 + wl + 1);
	ck_assert_mem_eq(m.buf + 40, want, (size_t)wl + 1);
	ck_assert_uint_eq(mhpfs_netlink_sent(nl), 1);
	mhpfs_netlink_close(nl);
	close(fd);
}
END_TEST

/* The USEC_INITIALIZED value of the next message on @fd. */
static unsigned long long next_usec(int fd)
{
	static struct raw_msg m;
	const char *usec;

	recv_raw(fd, &m);
	usec = memmem(m.buf + 40, (size_t)m.len - 40, "USEC_INITIALIZED=", 17);
	ck_assert_ptr_nonnull(usec);
	return strtoull(usec + 17, NULL, 10);
}

START_TEST(test_usec_initialized_lives_from_add_to_remove)
{
	struct mhpfs_netlink *nl;
	struct mhpfs_uevent_env env;
	unsigned long long a, b, c, d;
	int fd;

	enter_private_netns();
	fd = listen_raw();
	ck_assert_int_eq(mhpfs_netlink_open(false, &nl), 0);
	env_of(MHP_KOBJ_ADD, MHP_SUBSYS_MEMORY, 41, 1, &env);
	ck_assert_int_eq(mhpfs_netlink_send(nl, &env), 0);
	a = next_usec(fd);
	usleep(2000);
	env_of(MHP_KOBJ_ONLINE, MHP_SUBSYS_MEMORY, 41, 2, &env);
	ck_assert_int_eq(mhpfs_netlink_send(nl, &env), 0);
	b = next_usec(fd);
	env_of(MHP_KOBJ_REMOVE, MHP_SUBSYS_MEMORY, 41, 3, &env);
	ck_assert_int_eq(mhpfs_netlink_send(nl, &env), 0);
	c = next_usec(fd);
	usleep(2000);
	env_of(MHP_KOBJ_ADD, MHP_SUBSYS_MEMORY, 41, 4, &env);
	ck_assert_int_eq(mhpfs_netlink_send(nl, &env), 0);
	d = next_usec(fd);
	ck_assert_uint_eq(a, b);
	ck_assert_uint_eq(a, c);
	/* a device that comes back is a new device */
	ck_assert_uint_ge(d, a + 2000);
	mhpfs_netlink_close(nl);
	close(fd);
}
END_TEST

struct seen {
	int n;
	char lines[8][256];
};

static int on_device(sd_device_monitor *m, sd_device *d, void *userdata)
{
	struct seen *s = userdata;
	const char *devpath = "?", *subsys = "?", *usec = "?";
	sd_device_action_t action = _SD_DEVICE_ACTION_INVALID;
	uint64_t seqnum = 0, ui = 0;

	(void)sd_device_get_devpath(d, &devpath);
	(void)sd_device_get_subsystem(d, &subsys);
	(void)sd_device_get_action(d, &action);
	(void)sd_device_get_seqnum(d, &seqnum);
	(void)sd_device_get_property_value(d, "USEC_INITIALIZED", &usec);
	(void)sd_device_get_usec_initialized(d, &ui);
	if (s->n < 8)
		snprintf(s->lines[s->n], sizeof(s->lines[0]), "%d %s %s %llu %s", (int)action,
			 devpath, subsys, (unsigned long long)seqnum,
			 ui > 0 && strtoull(usec, NULL, 10) == ui ? "usec-ok" : "usec-bad");
	s->n++;
	return 0;
}

static sd_device_monitor *monitor(sd_event *ev, const char *subsystem, struct seen *s)
{
	sd_device_monitor *m = NULL;

	ck_assert_int_ge(sd_device_monitor_new(&m), 0);
	ck_assert_int_ge(sd_device_monitor_attach_event(m, ev), 0);
	ck_assert_int_ge(sd_device_monitor_filter_add_match_subsystem_devtype(m, subsystem, NULL),
			 0);
	ck_assert_int_ge(sd_device_monitor_start(m, on_device, s), 0);
	return m;
}

START_TEST(test_sd_device_monitor_receives_with_kernel_subsystem_filters)
{
	static const int actions[] = { MHP_KOBJ_ADD, MHP_KOBJ_ONLINE, MHP_KOBJ_OFFLINE,
				       MHP_KOBJ_REMOVE };
	struct seen mem = { 0 }, node = { 0 };
	sd_device_monitor *mm, *mn;
	struct mhpfs_netlink *nl;
	struct mhpfs_uevent_env env;
	sd_event *ev;
	char want[256];

	enter_private_netns();
	ck_assert_int_ge(sd_event_new(&ev), 0);
	mm = monitor(ev, "memory", &mem);
	mn = monitor(ev, "node", &node);
	ck_assert_int_eq(mhpfs_netlink_open(false, &nl), 0);
	for (int i = 0; i < 4; i++) {
		env_of(actions[i], MHP_SUBSYS_MEMORY, 96, 10 + (uint64_t)i, &env);
		ck_assert_int_eq(mhpfs_netlink_send(nl, &env), 0);
	}
	env_of(MHP_KOBJ_ADD, MHP_SUBSYS_NODE, 2, 14, &env);
	ck_assert_int_eq(mhpfs_netlink_send(nl, &env), 0);
	for (int tries = 0; tries < 50 && (mem.n < 4 || node.n < 1); tries++)
		ck_assert_int_ge(sd_event_run(ev, 100000), 0);
	/* nothing more arrives: the BPF filters keep the other subsystem out */
	for (int tries = 0; tries < 3; tries++)
		ck_assert_int_ge(sd_event_run(ev, 20000), 0);

	ck_assert_int_eq(mem.n, 4);
	ck_assert_int_eq(node.n, 1);
	snprintf(want, sizeof(want), "%d /devices/system/memory/memory96 memory 10 usec-ok",
		 (int)SD_DEVICE_ADD);
	ck_assert_str_eq(mem.lines[0], want);
	snprintf(want, sizeof(want), "%d /devices/system/memory/memory96 memory 11 usec-ok",
		 (int)SD_DEVICE_ONLINE);
	ck_assert_str_eq(mem.lines[1], want);
	snprintf(want, sizeof(want), "%d /devices/system/memory/memory96 memory 12 usec-ok",
		 (int)SD_DEVICE_OFFLINE);
	ck_assert_str_eq(mem.lines[2], want);
	snprintf(want, sizeof(want), "%d /devices/system/memory/memory96 memory 13 usec-ok",
		 (int)SD_DEVICE_REMOVE);
	ck_assert_str_eq(mem.lines[3], want);
	snprintf(want, sizeof(want), "%d /devices/system/node/node2 node 14 usec-ok",
		 (int)SD_DEVICE_ADD);
	ck_assert_str_eq(node.lines[0], want);

	mhpfs_netlink_close(nl);
	sd_device_monitor_unref(mm);
	sd_device_monitor_unref(mn);
	sd_event_unref(ev);
}
END_TEST

START_TEST(test_synthetic_keys_reach_sd_device)
{
	struct mhp_uevent uev = {
		.seqnum = 3, .action = MHP_KOBJ_CHANGE, .subsystem = MHP_SUBSYS_MEMORY, .id = 7
	};
	static const char *const w = "change 12345678-1234-1234-1234-123456789abc A=1\n";
	struct mhpfs_uevent_synth synth;
	struct mhpfs_uevent_env env;
	struct mhpfs_netlink *nl;
	int fd;
	static struct raw_msg m;
	static const char props[] =
		"ACTION=change\0DEVPATH=/devices/system/memory/memory7\0SUBSYSTEM=memory\0"
		"SYNTH_UUID=12345678-1234-1234-1234-123456789abc\0SYNTH_ARG_A=1\0SEQNUM=3\0"
		"USEC_INITIALIZED=";

	enter_private_netns();
	fd = listen_raw();
	ck_assert_int_eq(mhpfs_uevent_synth_parse(w, strlen(w), &synth), 0);
	ck_assert_int_eq(mhpfs_uevent_env_build(&uev, &synth.keys, &env), 0);
	ck_assert_int_eq(mhpfs_netlink_open(false, &nl), 0);
	ck_assert_int_eq(mhpfs_netlink_send(nl, &env), 0);
	recv_raw(fd, &m);
	ck_assert_mem_eq(m.buf + 40, props, sizeof(props) - 1);
	mhpfs_netlink_close(nl);
	close(fd);
}
END_TEST

static Suite *netlink_suite(void)
{
	Suite *s = suite_create("netlink");
	TCase *tc;

	tc = tcase_create("format");
	tcase_add_test(tc, test_murmurhash2_of_empty_string_is_0);
	tcase_add_test(tc, test_libudev_message_layout);
	tcase_add_test(tc, test_format_needs_subsystem);
	suite_add_tcase(s, tc);

	tc = tcase_create("netns");
	tcase_add_test(tc, test_host_namespace_needs_force);
	tcase_add_test(tc, test_private_namespace_is_not_initial);
	suite_add_tcase(s, tc);

	tc = tcase_create("delivery");
	tcase_add_test(tc, test_raw_listener_gets_udev_group_message_from_root);
	tcase_add_test(tc, test_usec_initialized_lives_from_add_to_remove);
	tcase_add_test(tc, test_sd_device_monitor_receives_with_kernel_subsystem_filters);
	tcase_add_test(tc, test_synthetic_keys_reach_sd_device);
	suite_add_tcase(s, tc);
	return s;
}

/* Whether this process may create network and mount namespaces (root, no seccomp veto). */
static bool can_unshare(void)
{
	int status;
	pid_t pid = fork();

	if (pid < 0)
		return false;
	if (!pid)
		_exit(unshare(CLONE_NEWNET | CLONE_NEWNS) ? 1 : 0);
	if (waitpid(pid, &status, 0) != pid)
		return false;
	return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

int main(void)
{
	SRunner *sr;
	int failed;

	if (!can_unshare()) {
		fprintf(stderr, "test-netlink: skipped: unshare(CLONE_NEWNET|CLONE_NEWNS) is not "
				"permitted (run as root)\n");
		return 77;
	}
	sr = srunner_create(netlink_suite());
	/* every test must run in a child of its own: the namespaces die with it */
	srunner_set_fork_status(sr, CK_FORK);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
