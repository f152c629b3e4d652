// SPDX-License-Identifier: MIT
/*
 * fusefs/sinks.c - the daemon's event sinks (see sinks.h): options, delivery of uevents to the
 * stream file, the helper and netlink, synthetic uevents, poll wakeups and inotify operations.
 *
 * Locks (leaves; never held while calling the engine, except synth_lock around
 * mhp_uevent_emit(), whose event lock is itself a leaf):
 *   synth_lock   the SYNTH_* keys of synthetic events not yet delivered, by SEQNUM
 *   files_lock   the open files list, their poll handles, parked stream reads, the toucher's
 *                current operation
 *   chg_lock     the queue of engine changes for the change thread
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "evstream.h"
#include "helper.h"
#include "memhotplugfs.h"
#include "netlink.h"
#include "sinks.h"
#include "templates.h"
#include "uevent.h"

#define DEFAULT_STREAM_CAPACITY 4096
#define CHG_MAX 4096
#define FUSE_SUPER_MAGIC 0x65735546

/* Changes the change thread knows beyond enum mhp_change. */
enum {
	CHG_NODE_ADDED = 100, /* @id: node; its directory appeared */
	CHG_NODE_REMOVED,
};

struct change {
	int what;
	unsigned long id;
};

struct synth {
	struct synth *next;
	uint64_t seqnum;
	struct mhpfs_uevent_env keys;
};

enum toucher_op {
	TOUCH_NONE = 0,
	TOUCH_MKDIR,
	TOUCH_RMDIR,
};

struct mhpfs_sinks {
	struct mhpfs *fs;
	struct mhpfs_evstream *stream;
	struct mhpfs_helper *helper;
	struct mhpfs_netlink *nl;
	char *mountpoint;

	pthread_mutex_t synth_lock;
	struct synth *synth; /* protected by synth_lock */

	pthread_mutex_t files_lock;
	struct mhpfs_pollfile *files; /* protected by files_lock */
	int cur_op; /* protected by files_lock: enum toucher_op */
	int cur_dir_t; /* protected by files_lock */
	char cur_name[256]; /* protected by files_lock */
	struct mhpfs_key cur_key; /* protected by files_lock */

	pthread_mutex_t chg_lock;
	pthread_cond_t chg_cond;
	struct change chg[CHG_MAX]; /* protected by chg_lock */
	size_t chg_head, chg_len; /* protected by chg_lock */
	bool chg_overflow; /* protected by chg_lock */
	bool stopping; /* protected by chg_lock */
	pthread_t chg_thread;
	bool chg_started;

	/* the change thread's own */
	atomic_int toucher_tid;
	atomic_bool quit; /* stop touching: the session may be gone */
	int root_t; /* the layout's root template, so the thread never reads struct mhpfs */
};

/* ---- options -------------------------------------------------------------------------------- */

struct evcli {
	char *capacity;
	char *helper;
	char *timeout;
	char *netlink;
	int no_inotify;
};

#define EOPT2(name, field)                                     \
	{ "--" name "=%s", offsetof(struct evcli, field), 0 }, \
	{                                                      \
		name "=%s", offsetof(struct evcli, field), 0   \
	}

static const struct fuse_opt evcli_spec[] = {
	EOPT2("event-stream-capacity", capacity),
	EOPT2("uevent-helper", helper),
	EOPT2("uevent_helper", helper),
	EOPT2("uevent-helper-timeout", timeout),
	EOPT2("netlink", netlink),
	{ "--no-inotify", offsetof(struct evcli, no_inotify), 1 },
	{ "no-inotify", offsetof(struct evcli, no_inotify), 1 },
	FUSE_OPT_END,
};

static int evcli_proc(void *data, const char *arg, int key, struct fuse_args *outargs)
{
	return 1; /* not ours: keep it for the machine options and FUSE */
}

static int bad(const char *opt, const char *val, const char *why)
{
	fprintf(stderr, "memhotplugfs: invalid %s '%s': %s\n", opt, val, why);
	return -EINVAL;
}

static int parse_uint(const char *s, unsigned long long max, unsigned long long *ret)
{
	unsigned long long v;
	char *end;

	if (!s[0] || s[0] == '-')
		return -EINVAL;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || *end || v > max)
		return -EINVAL;
	*ret = v;
	return 0;
}

static int netlink_refused(void)
{
	fprintf(stderr,
		"memhotplugfs: --netlink=on: refused in the host's initial network namespace "
		"(or one that cannot be told apart from it): udev and other listeners there "
		"would act on these fake devices.  Run the daemon under 'unshare -n', or use "
		"--netlink=force\n");
	return -EPERM;
}

int mhpfs_event_opts_parse(struct fuse_args *args, struct mhpfs_event_opts *o)
{
	struct evcli c = { 0 };
	unsigned long long v;
	int r = 0;

	*o = (struct mhpfs_event_opts){ .stream_capacity = DEFAULT_STREAM_CAPACITY,
					.helper_timeout_ms = MHPFS_HELPER_DEFAULT_TIMEOUT_MS,
					.netlink = MHPFS_NETLINK_OFF,
					.inotify = true };
	if (fuse_opt_parse(args, &c, evcli_spec, evcli_proc))
		return -EINVAL;
	if (c.capacity) {
		if (parse_uint(c.capacity, 1 << 20, &v))
			r = bad("--event-stream-capacity", c.capacity, "expected 0..1048576");
		else
			o->stream_capacity = (size_t)v;
	}
	if (!r && c.helper) {
		if (c.helper[0] != '/')
			r = bad("--uevent-helper", c.helper, "expected an absolute path");
		else
			o->helper = strdup(c.helper);
	}
	if (!r && c.timeout) {
		if (parse_uint(c.timeout, 3600000, &v) || !v)
			r = bad("--uevent-helper-timeout", c.timeout, "expected 1..3600000 (ms)");
		else
			o->helper_timeout_ms = (unsigned int)v;
	}
	if (!r && c.netlink) {
		if (!strcmp(c.netlink, "off"))
			o->netlink = MHPFS_NETLINK_OFF;
		else if (!strcmp(c.netlink, "on"))
			o->netlink = MHPFS_NETLINK_ON;
		else if (!strcmp(c.netlink, "force"))
			o->netlink = MHPFS_NETLINK_FORCE;
		else
			r = bad("--netlink", c.netlink, "expected off, on or force");
	}
	o->inotify = !c.no_inotify;
	/* refuse before anything is mounted (mhpfs_sinks_start() checks again) */
	if (!r && o->netlink == MHPFS_NETLINK_ON && mhpfs_netns_is_initial() != 0)
		r = netlink_refused();
	free(c.capacity);
	free(c.helper);
	free(c.timeout);
	free(c.netlink);
	if (r)
		mhpfs_event_opts_free(o);
	return r;
}

void mhpfs_event_opts_usage(void)
{
	printf("Events:\n"
	       "    --event-stream-capacity=N  records kernel/debug/memhotplugfs/events keeps for\n"
	       "                           slow readers (default 4096; 0: no stream file)\n"
	       "    --uevent-helper=PATH   run PATH once per uevent, like the kernel's uevent_helper\n"
	       "    --uevent-helper-timeout=MS  kill the helper's process group after MS (10000)\n"
	       "    --netlink=off|on|force libudev netlink broadcasts (udevadm monitor --udev);\n"
	       "                           'on' is refused in the host's network namespace\n"
	       "    --no-inotify           do not replay changes through the mount for inotify\n");
}

void mhpfs_event_opts_free(struct mhpfs_event_opts *o)
{
	free(o->helper);
	o->helper = NULL;
}

/* ---- start, stop ---------------------------------------------------------------------------- */

static void *change_thread(void *arg);

int mhpfs_sinks_start(struct mhpfs *fs, const char *mountpoint)
{
	const struct mhpfs_event_opts *o = &fs->evopts;
	struct mhpfs_sinks *s;
	int r;

	s = calloc(1, sizeof(*s));
	if (!s)
		return -ENOMEM;
	s->fs = fs;
	s->root_t = mhpfs_layout_root(fs);
	pthread_mutex_init(&s->synth_lock, NULL);
	pthread_mutex_init(&s->files_lock, NULL);
	pthread_mutex_init(&s->chg_lock, NULL);
	pthread_cond_init(&s->chg_cond, NULL);
	fs->sinks = s;

	if (o->stream_capacity) {
		r = mhpfs_evstream_new(o->stream_capacity, &s->stream);
		if (r)
			goto fail;
	}
	if (o->helper) {
		struct mhpfs_helper_config hc = { .path = o->helper,
						  .timeout_ms = o->helper_timeout_ms,
						  .queue_max = MHPFS_HELPER_DEFAULT_QUEUE };

		r = mhpfs_helper_start(&hc, &s->helper);
		if (r) {
			fprintf(stderr, "memhotplugfs: --uevent-helper: cannot start: %s\n",
				strerror(-r));
			goto fail;
		}
	}
	if (o->netlink != MHPFS_NETLINK_OFF) {
		r = mhpfs_netlink_open(o->netlink == MHPFS_NETLINK_FORCE, &s->nl);
		if (r == -EPERM) {
			netlink_refused();
			goto fail;
		}
		if (r) {
			fprintf(stderr, "memhotplugfs: --netlink: cannot open the socket: %s\n",
				strerror(-r));
			goto fail;
		}
	}
	if (o->inotify && mountpoint) {
		s->mountpoint = strdup(mountpoint);
		if (!s->mountpoint) {
			r = -ENOMEM;
			goto fail;
		}
	}
	r = -pthread_create(&s->chg_thread, NULL, change_thread, s);
	if (r)
		goto fail;
	s->chg_started = true;
	return 0;
fail:
	mhpfs_sinks_stop(fs);
	return r;
}

void mhpfs_sinks_stop(struct mhpfs *fs)
{
	struct mhpfs_sinks *s = fs->sinks;

	if (!s)
		return;
	fs->sinks = NULL;
	if (s->chg_started) {
		struct timespec until;

		atomic_store(&s->quit, true);
		pthread_mutex_lock(&s->chg_lock);
		s->stopping = true;
		pthread_cond_broadcast(&s->chg_cond);
		pthread_mutex_unlock(&s->chg_lock);
		clock_gettime(CLOCK_REALTIME, &until);
		until.tv_sec += 2;
		if (pthread_timedjoin_np(s->chg_thread, NULL, &until)) {
			/*
			 * Stuck in an operation on our own mount that no loop serves any more: it
			 * fails with ENOTCONN at unmount.  The thread only uses @s, so @s stays.
			 */
			if (s->stream)
				mhpfs_evstream_shutdown(s->stream);
			mhpfs_helper_stop(s->helper);
			mhpfs_netlink_close(s->nl);
			return;
		}
	}
	if (s->stream)
		mhpfs_evstream_shutdown(s->stream);
	mhpfs_helper_stop(s->helper);
	mhpfs_netlink_close(s->nl);
	/* the session is over: every file was released, so no reader is left */
	mhpfs_evstream_free(s->stream);
	while (s->synth) {
		struct synth *n = s->synth->next;

		free(s->synth);
		s->synth = n;
	}
	free(s->mountpoint);
	pthread_cond_destroy(&s->chg_cond);
	pthread_mutex_destroy(&s->chg_lock);
	pthread_mutex_destroy(&s->files_lock);
	pthread_mutex_destroy(&s->synth_lock);
	free(s);
}

bool mhpfs_sinks_stream_enabled(const struct mhpfs *fs)
{
	return fs->evopts.stream_capacity > 0;
}

/* ---- changes -------------------------------------------------------------------------------- */

static void queue_change(struct mhpfs_sinks *s, int what, unsigned long id)
{
	pthread_mutex_lock(&s->chg_lock);
	if (s->chg_len == CHG_MAX) {
		/* the change thread is far behind: it will treat everything as changed */
		s->chg_overflow = true;
	} else {
		s->chg[(s->chg_head + s->chg_len) % CHG_MAX] = (struct change){ what, id };
		s->chg_len++;
	}
	pthread_cond_signal(&s->chg_cond);
	pthread_mutex_unlock(&s->chg_lock);
}

void mhpfs_sinks_change(struct mhpfs *fs, enum mhp_change what, unsigned long id)
{
	/* NULL during the throw-away engine build and at boot: nobody can watch yet */
	if (fs->sinks)
		queue_change(fs->sinks, (int)what, id);
}

/* Whether a change touches the value of an open file. */
static bool change_hits(const struct change *c, const struct mhpfs_pollfile *pf)
{
	switch (c->what) {
	case MHP_CHANGE_BLOCK_STATE:
		return pf->id == c->id && (pf->t == T_BLK_STATE || pf->t == T_BLK_ONLINE ||
					   pf->t == T_BLK_VALID_ZONES);
	case MHP_CHANGE_BLOCK_REMOVED:
		/* kernfs: a file of a removed device polls POLLERR|POLLPRI */
		return pf->id == c->id && pf->t >= T_BLOCK && pf->t <= T_BLK_VALID_ZONES;
	case MHP_CHANGE_ZONES:
		return pf->t == T_BLK_VALID_ZONES;
	case MHP_CHANGE_NODE:
		return pf->t == T_NR_HAS_MEMORY || pf->t == T_NR_HAS_NORMAL ||
		       pf->t == T_NR_ONLINE ||
		       ((pf->t == T_ND_MEMINFO || pf->t == T_ND_NUMASTAT || pf->t == T_ND_VMSTAT) &&
			(unsigned long)pf->nid == c->id);
	case MHP_CHANGE_PARAM:
		return pf->t == T_MEM_AUTO_ONLINE || pf->t == T_P_NUMA_AWARE ||
		       pf->t == T_P_RATIO || pf->t == T_P_POLICY;
	default:
		return false;
	}
}

static void wake_pollfile_locked(struct mhpfs_sinks *s, struct mhpfs_pollfile *pf)
{
	if (!pf->ph)
		return;
	/* we are not a request handler: notifying here cannot deadlock */
	fuse_lowlevel_notify_poll(pf->ph);
	fuse_pollhandle_destroy(pf->ph);
	pf->ph = NULL;
}

static void poll_changes(struct mhpfs_sinks *s, const struct change *c, bool all)
{
	pthread_mutex_lock(&s->files_lock);
	for (struct mhpfs_pollfile *pf = s->files; pf; pf = pf->next) {
		if (pf->reader || !(all || change_hits(c, pf)))
			continue;
		pf->events++;
		wake_pollfile_locked(s, pf);
	}
	pthread_mutex_unlock(&s->files_lock);
}

/*
 * The path of a node of the tree relative to the mount's root, e.g.
 * "devices/system/memory/memory40/state"; -ENOENT when the layout does not show it.
 */
static int rel_path(int root, int t, int nid, unsigned long id, char *buf, size_t len)
{
	char tmp[256];
	size_t o = len - 1;

	buf[o] = '\0';
	for (; t != root; t = mhpfs_templates[t].parent) {
		const struct mhpfs_template *tp = &mhpfs_templates[t];
		int n;

		if (t == T_ROOT)
			return -ENOENT;
		if (tp->numbered)
			n = snprintf(tmp, sizeof(tmp), "%s%lu", tp->name,
				     tp->param == P_NODE ? (unsigned long)nid : id);
		else
			n = snprintf(tmp, sizeof(tmp), "%s", tp->name);
		if (n < 0 || (size_t)n + 1 > o)
			return -ENOSPC;
		if (buf[o])
			buf[--o] = '/';
		o -= (size_t)n;
		memcpy(buf + o, tmp, (size_t)n);
	}
	if (!buf[o])
		return -ENOENT; /* the root itself */
	memmove(buf, buf + o, len - o);
	return 0;
}

static pid_t my_tid(void)
{
	return (pid_t)syscall(SYS_gettid);
}

/*
 * The mount's root, opened for one operation only: an fd kept open would make the mount busy
 * and `fusermount3 -u` fail.  Checked to be FUSE, so that nothing is ever created or truncated
 * on the directory under the mount once it is gone.
 */
static int mount_fd(struct mhpfs_sinks *s)
{
	struct statfs sf;
	int fd;

	if (!s->mountpoint)
		return -1;
	fd = open(s->mountpoint, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	if (fstatfs(fd, &sf) || sf.f_type != FUSE_SUPER_MAGIC) {
		close(fd);
		return -1;
	}
	return fd;
}

static void touch_file(struct mhpfs_sinks *s, int t, int nid, unsigned long id)
{
	char path[256], proc[64];
	int fd, tfd;

	if (atomic_load(&s->quit) || rel_path(s->root_t, t, nid, id, path, sizeof(path)))
		return;
	fd = mount_fd(s);
	if (fd < 0)
		return;
	/* truncate(2) through the mount: FUSE's setattr changes nothing, VFS says IN_MODIFY */
	tfd = openat(fd, path, O_PATH | O_CLOEXEC | O_NOFOLLOW);
	close(fd);
	if (tfd < 0)
		return;
	snprintf(proc, sizeof(proc), "/proc/self/fd/%d", tfd);
	(void)!truncate(proc, 0);
	close(tfd);
}

static void touch_dir(struct mhpfs_sinks *s, int op, int t, int nid, unsigned long id)
{
	struct mhpfs_key k = { .t = t, .nid = nid, .id = id };
	char path[256], *slash;
	int fd;

	if (atomic_load(&s->quit) || rel_path(s->root_t, t, nid, id, path, sizeof(path)))
		return;
	fd = mount_fd(s);
	if (fd < 0)
		return;
	slash = strrchr(path, '/');
	pthread_mutex_lock(&s->files_lock);
	s->cur_op = op;
	s->cur_dir_t = mhpfs_templates[t].parent;
	snprintf(s->cur_name, sizeof(s->cur_name), "%s", slash ? slash + 1 : path);
	s->cur_key = k;
	pthread_mutex_unlock(&s->files_lock);

	if (op == TOUCH_MKDIR) {
		struct mhpfs_key parent = { .t = mhpfs_templates[t].parent };

		/* a positive entry the kernel cached meanwhile would make mkdir EEXIST */
		if (s->fs->se)
			fuse_lowlevel_notify_inval_entry(s->fs->se,
							 mhpfs_key_to_ino(s->fs, &parent),
							 s->cur_name, strlen(s->cur_name));
		(void)!mkdirat(fd, path, 0755);
	} else
		(void)!unlinkat(fd, path, AT_REMOVEDIR);

	pthread_mutex_lock(&s->files_lock);
	s->cur_op = TOUCH_NONE;
	pthread_mutex_unlock(&s->files_lock);
	close(fd);
}

static void inotify_change(struct mhpfs_sinks *s, const struct change *c)
{
	switch (c->what) {
	case MHP_CHANGE_BLOCK_ADDED:
		touch_dir(s, TOUCH_MKDIR, T_BLOCK, 0, c->id);
		break;
	case MHP_CHANGE_BLOCK_REMOVED:
		touch_dir(s, TOUCH_RMDIR, T_BLOCK, 0, c->id);
		break;
	case CHG_NODE_ADDED:
		touch_dir(s, TOUCH_MKDIR, T_NODE, (int)c->id, 0);
		break;
	case CHG_NODE_REMOVED:
		touch_dir(s, TOUCH_RMDIR, T_NODE, (int)c->id, 0);
		break;
	case MHP_CHANGE_BLOCK_STATE:
		touch_file(s, T_BLK_STATE, 0, c->id);
		touch_file(s, T_BLK_ONLINE, 0, c->id);
		touch_file(s, T_BLK_VALID_ZONES, 0, c->id);
		break;
	case MHP_CHANGE_NODE:
		touch_file(s, T_NR_HAS_MEMORY, 0, 0);
		touch_file(s, T_NR_HAS_NORMAL, 0, 0);
		touch_file(s, T_NR_ONLINE, 0, 0);
		touch_file(s, T_ND_MEMINFO, (int)c->id, 0);
		break;
	case MHP_CHANGE_PARAM:
		touch_file(s, T_MEM_AUTO_ONLINE, 0, 0);
		touch_file(s, T_P_POLICY, 0, 0);
		touch_file(s, T_P_RATIO, 0, 0);
		touch_file(s, T_P_NUMA_AWARE, 0, 0);
		break;
	}
}

static void *change_thread(void *arg)
{
	struct mhpfs_sinks *s = arg;

	atomic_store(&s->toucher_tid, my_tid());
	pthread_mutex_lock(&s->chg_lock);
	for (;;) {
		struct change c;
		bool overflow;

		while (!s->chg_len && !s->chg_overflow && !s->stopping)
			pthread_cond_wait(&s->chg_cond, &s->chg_lock);
		if (s->stopping)
			break;
		overflow = s->chg_overflow;
		if (overflow) {
			s->chg_overflow = false;
			s->chg_len = 0;
			c = (struct change){ -1, 0 };
		} else {
			c = s->chg[s->chg_head];
			s->chg_head = (s->chg_head + 1) % CHG_MAX;
			s->chg_len--;
		}
		pthread_mutex_unlock(&s->chg_lock);

		poll_changes(s, &c, overflow);
		if (!overflow && s->mountpoint)
			inotify_change(s, &c);

		pthread_mutex_lock(&s->chg_lock);
	}
	pthread_mutex_unlock(&s->chg_lock);
	return NULL;
}

int mhpfs_sinks_toucher_lookup(struct mhpfs *fs, fuse_req_t req, const struct mhpfs_key *dir,
			       const char *name, struct mhpfs_key *ret)
{
	struct mhpfs_sinks *s = fs->sinks;
	int r = 0;

	if (!s || fuse_req_ctx(req)->pid != atomic_load(&s->toucher_tid))
		return 0;
	pthread_mutex_lock(&s->files_lock);
	if (s->cur_op != TOUCH_NONE && dir->t == s->cur_dir_t && !strcmp(name, s->cur_name)) {
		if (s->cur_op == TOUCH_MKDIR) {
			r = -ENOENT;
		} else {
			*ret = s->cur_key;
			r = 1;
		}
	}
	pthread_mutex_unlock(&s->files_lock);
	/*
	 * A replayed rmdir of a block or node that is back already must not remove the live
	 * directory: the VFS would mark its inode dead, and lookups in it would fail until the
	 * kernel drops the inode.  A block's new incarnation has inode numbers of its own
	 * (tree.c), a node's has not.  Answer as for anyone else, so that mhpfs_rmdir() refuses it.
	 */
	if (r == 1) {
		struct mhpfs_key live;

		if (mhpfs_lookup_child(fs, dir, name, &live) == 0)
			r = 0;
	}
	return r;
}

bool mhpfs_sinks_toucher_dirop(struct mhpfs *fs, fuse_req_t req, const struct mhpfs_key *dir,
			       const char *name, bool rmdir)
{
	struct mhpfs_sinks *s = fs->sinks;
	bool ok;

	if (!s || fuse_req_ctx(req)->pid != atomic_load(&s->toucher_tid))
		return false;
	pthread_mutex_lock(&s->files_lock);
	ok = s->cur_op == (rmdir ? TOUCH_RMDIR : TOUCH_MKDIR) && dir->t == s->cur_dir_t &&
	     !strcmp(name, s->cur_name);
	pthread_mutex_unlock(&s->files_lock);
	return ok;
}

/* ---- uevents -------------------------------------------------------------------------------- */

int mhpfs_sinks_synth_store(struct mhpfs *fs, int subsystem, unsigned long id, const char *buf,
			    size_t count)
{
	struct mhpfs_sinks *s = fs->sinks;
	struct mhpfs_uevent_synth syn;
	struct mhpfs_uevent_env env;
	struct mhp_uevent ev;
	struct synth *e;
	uint64_t seq;
	int r;

	r = mhpfs_uevent_synth_parse(buf, count, &syn);
	if (r)
		return r;
	/* a root device has no bus or class: the kernel's uevent filter drops it, successfully */
	if (subsystem < 0)
		return 0;
	/* the kernel builds the whole environment first; an overflow fails the write */
	ev = (struct mhp_uevent){ .seqnum = mhp_uevent_seqnum(fs->e) + 1,
				  .action = syn.action,
				  .subsystem = subsystem,
				  .id = id };
	r = mhpfs_uevent_env_build(&ev, &syn.keys, &env);
	if (r)
		return r;
	if (!s)
		return mhp_uevent_emit(fs->e, syn.action, subsystem, id, NULL);
	e = malloc(sizeof(*e));
	if (!e)
		return -ENOMEM;
	e->keys = syn.keys;
	/* held across the emit, so the worker cannot look the SEQNUM up before it is recorded */
	pthread_mutex_lock(&s->synth_lock);
	r = mhp_uevent_emit(fs->e, syn.action, subsystem, id, &seq);
	if (!r) {
		e->seqnum = seq;
		e->next = s->synth;
		s->synth = e;
		e = NULL;
	}
	pthread_mutex_unlock(&s->synth_lock);
	free(e);
	return r;
}

static struct synth *take_synth(struct mhpfs_sinks *s, uint64_t seqnum)
{
	struct synth **pp, *e = NULL;

	pthread_mutex_lock(&s->synth_lock);
	for (pp = &s->synth; *pp; pp = &(*pp)->next) {
		if ((*pp)->seqnum == seqnum) {
			e = *pp;
			*pp = e->next;
			break;
		}
	}
	pthread_mutex_unlock(&s->synth_lock);
	return e;
}

/* Reply to a parked stream read if a record is there; files_lock held. */
static void serve_parked_locked(struct mhpfs_pollfile *pf)
{
	char *buf;
	ssize_t n;

	if (!pf->parked)
		return;
	buf = malloc(pf->parked_size);
	if (!buf)
		return;
	n = mhpfs_evstream_read(pf->reader, buf, pf->parked_size);
	if (n != -EAGAIN) {
		fuse_req_t req = pf->parked;

		pf->parked = NULL;
		if (n < 0)
			fuse_reply_err(req, (int)-n);
		else
			fuse_reply_buf(req, buf, (size_t)n);
	}
	free(buf);
}

void mhpfs_sinks_event(struct mhpfs *fs, const struct mhp_uevent *ev)
{
	struct mhpfs_sinks *s = fs->sinks;
	struct mhpfs_uevent_env env;
	struct synth *syn;
	char text[MHPFS_UEVENT_MSG_MAX];
	ssize_t n;
	int r;

	if (!s)
		return;
	syn = take_synth(s, ev->seqnum);
	r = mhpfs_uevent_env_build(ev, syn ? &syn->keys : NULL, &env);
	free(syn);
	if (r)
		return;

	if (ev->subsystem == MHP_SUBSYS_NODE && ev->action == MHP_KOBJ_ADD)
		queue_change(s, CHG_NODE_ADDED, ev->id);
	else if (ev->subsystem == MHP_SUBSYS_NODE && ev->action == MHP_KOBJ_REMOVE)
		queue_change(s, CHG_NODE_REMOVED, ev->id);

	if (s->stream) {
		n = mhpfs_uevent_format_text(&env, text, sizeof(text));
		if (n > 0 && !mhpfs_evstream_push(s->stream, text, (size_t)n)) {
			pthread_mutex_lock(&s->files_lock);
			for (struct mhpfs_pollfile *pf = s->files; pf; pf = pf->next) {
				if (!pf->reader)
					continue;
				serve_parked_locked(pf);
				wake_pollfile_locked(s, pf);
			}
			pthread_mutex_unlock(&s->files_lock);
		}
	}
	if (s->helper)
		(void)mhpfs_helper_queue(s->helper, &env); /* full: counted, reported by it */
	if (s->nl) {
		r = mhpfs_netlink_send(s->nl, &env);
		if (r)
			fprintf(stderr, "memhotplugfs: netlink: SEQNUM=%llu not sent: %s\n",
				(unsigned long long)ev->seqnum, strerror(-r));
	}
}

/* ---- open files ----------------------------------------------------------------------------- */

int mhpfs_sinks_file_open(struct mhpfs *fs, struct mhpfs_pollfile *pf, const struct mhpfs_key *k)
{
	struct mhpfs_sinks *s = fs->sinks;

	memset(pf, 0, sizeof(*pf));
	pf->t = k->t;
	pf->nid = k->nid;
	pf->id = k->id;
	if (!s)
		return k->t == T_CTL_EVENTS ? -ENOENT : 0;
	if (k->t == T_CTL_EVENTS) {
		int r;

		if (!s->stream)
			return -ENOENT;
		/* a reader starts with the oldest record kept, like /dev/kmsg */
		r = mhpfs_evstream_reader_new(s->stream, MHPFS_EVSTREAM_OLDEST, &pf->reader);
		if (r)
			return r;
	}
	pthread_mutex_lock(&s->files_lock);
	pf->next = s->files;
	if (s->files)
		s->files->prev = pf;
	s->files = pf;
	pthread_mutex_unlock(&s->files_lock);
	return 0;
}

void mhpfs_sinks_file_release(struct mhpfs *fs, struct mhpfs_pollfile *pf)
{
	struct mhpfs_sinks *s = fs->sinks;

	if (!s)
		return;
	pthread_mutex_lock(&s->files_lock);
	if (pf->prev)
		pf->prev->next = pf->next;
	else if (s->files == pf)
		s->files = pf->next;
	if (pf->next)
		pf->next->prev = pf->prev;
	pf->prev = pf->next = NULL;
	if (pf->ph)
		fuse_pollhandle_destroy(pf->ph);
	pf->ph = NULL;
	if (pf->parked)
		fuse_reply_err(pf->parked, EBADF);
	pf->parked = NULL;
	pthread_mutex_unlock(&s->files_lock);
	mhpfs_evstream_reader_free(pf->reader);
	pf->reader = NULL;
}

void mhpfs_sinks_file_read(struct mhpfs *fs, struct mhpfs_pollfile *pf)
{
	struct mhpfs_sinks *s = fs->sinks;

	if (!s)
		return;
	pthread_mutex_lock(&s->files_lock);
	pf->seen = pf->events;
	pthread_mutex_unlock(&s->files_lock);
}

void mhpfs_sinks_poll(struct mhpfs *fs, fuse_req_t req, struct mhpfs_pollfile *pf,
		      struct fuse_pollhandle *ph)
{
	struct mhpfs_sinks *s = fs->sinks;
	unsigned int revents;

	if (!s) {
		fuse_pollhandle_destroy(ph);
		fuse_reply_poll(req, POLLIN | POLLOUT | POLLRDNORM | POLLWRNORM);
		return;
	}
	pthread_mutex_lock(&s->files_lock);
	if (pf->reader) {
		revents = mhpfs_evstream_readable(pf->reader) ? POLLIN | POLLRDNORM : 0;
	} else {
		/* kernfs: always readable and writable; ERR|PRI once the value changed */
		revents = POLLIN | POLLOUT | POLLRDNORM | POLLWRNORM;
		if (pf->events != pf->seen)
			revents |= POLLERR | POLLPRI;
	}
	if (ph) {
		if (pf->ph)
			fuse_pollhandle_destroy(pf->ph);
		pf->ph = ph;
	}
	pthread_mutex_unlock(&s->files_lock);
	fuse_reply_poll(req, revents);
}

static void stream_interrupted(fuse_req_t req, void *data)
{
	struct mhpfs *fs = fuse_req_userdata(req);
	struct mhpfs_pollfile *pf = data;
	struct mhpfs_sinks *s = fs->sinks;
	bool mine = false;

	if (!s)
		return;
	pthread_mutex_lock(&s->files_lock);
	if (pf->parked == req) {
		pf->parked = NULL;
		mine = true;
	}
	pthread_mutex_unlock(&s->files_lock);
	if (mine)
		fuse_reply_err(req, EINTR);
}

void mhpfs_sinks_stream_read(struct mhpfs *fs, fuse_req_t req, struct mhpfs_pollfile *pf,
			     size_t size, int flags)
{
	struct mhpfs_sinks *s = fs->sinks;
	char *buf;
	ssize_t n;

	if (!s || !pf->reader) {
		fuse_reply_err(req, EBADF);
		return;
	}
	buf = malloc(size ? size : 1);
	if (!buf) {
		fuse_reply_err(req, ENOMEM);
		return;
	}
	n = mhpfs_evstream_read(pf->reader, buf, size);
	if (n == -EAGAIN && !(flags & O_NONBLOCK)) {
		/*
		 * Park the request; the event worker answers it.  The interrupt callback goes in
		 * first, so that an answer from the worker can never race with its registration.
		 */
		fuse_req_interrupt_func(req, stream_interrupted, pf);
		pthread_mutex_lock(&s->files_lock);
		n = mhpfs_evstream_read(pf->reader, buf, size);
		if (n == -EAGAIN) {
			if (fuse_req_interrupted(req)) {
				n = -EINTR;
			} else if (pf->parked) {
				n = -EBUSY; /* one blocked read per open file at a time */
			} else {
				pf->parked = req;
				pf->parked_size = size;
				pthread_mutex_unlock(&s->files_lock);
				free(buf);
				return;
			}
		}
		pthread_mutex_unlock(&s->files_lock);
	}
	if (n < 0)
		fuse_reply_err(req, (int)-n);
	else
		fuse_reply_buf(req, buf, (size_t)n);
	free(buf);
}
