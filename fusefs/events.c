// SPDX-License-Identifier: MIT
/*
 * fusefs/events.c - the event worker: drains the engine's uevent queue and tells the kernel
 * which directory entries changed.
 *
 * fuse_lowlevel_notify_*() must never run in a request handler (the kernel may wait for that very
 * handler while it holds a directory lock), so it runs here, on a thread of its own that holds no
 * lock of ours.  The sinks (uevent stream, helper program, netlink; sinks.c) hang off
 * handle_event(), poll wakeups and inotify off mhpfs_on_change().
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

#include "memhotplugfs.h"

/* A store waits at most this long for its names to be invalidated (a stuck worker, a lost event). */
#define SYNC_TIMEOUT_SEC 2

void mhpfs_on_change(void *priv, enum mhp_change what, unsigned long id)
{
	struct mhpfs *fs = priv;

	/* called with engine locks held: count and queue only (sinks.c) */
	atomic_fetch_add(&fs->stat_changes, 1);
	if (what == MHP_CHANGE_BLOCK_ADDED || what == MHP_CHANGE_BLOCK_REMOVED)
		atomic_fetch_add(&fs->tree_changes, 1);
	mhpfs_sinks_change(fs, what, id);
}

static void inval(struct mhpfs *fs, const struct mhpfs_key *dir, const char *name)
{
	int r;

	if (!fs->se)
		return;
	/* -ENOENT: the kernel never looked the directory up, nothing is cached */
	r = fuse_lowlevel_notify_inval_entry(fs->se, mhpfs_key_to_ino(fs, dir), name, strlen(name));
	if (!r)
		atomic_fetch_add(&fs->stat_invalidations, 1);
}

static bool template_visible(const struct mhpfs *fs, int t)
{
	int root = mhpfs_layout_root(fs);

	for (;; t = mhpfs_templates[t].parent) {
		if (t == root)
			return true;
		if (t == mhpfs_t_root())
			return false;
	}
}

/* The directory's attributes (its link count follows its subdirectories) are cached too. */
static void inval_attr(struct mhpfs *fs, const struct mhpfs_key *dir)
{
	if (fs->se && !fuse_lowlevel_notify_inval_inode(fs->se, mhpfs_key_to_ino(fs, dir), -1, 0))
		atomic_fetch_add(&fs->stat_invalidations, 1);
}

static void block_entries_changed(struct mhpfs *fs, unsigned long id)
{
	struct mhpfs_key k = { .t = mhpfs_t_memory() };
	char name[32];

	snprintf(name, sizeof(name), "memory%lu", id);
	mhpfs_dir_changed(fs, &k);
	inval(fs, &k, name);
	inval_attr(fs, &k);
	if (fs->m.layout != MHPFS_LAYOUT_SYSFS)
		return;
	k.t = mhpfs_t_bus_memory_devices();
	mhpfs_dir_changed(fs, &k);
	inval(fs, &k, name);
	inval_attr(fs, &k);
	for (unsigned int n = 0; n < mhp_engine_nr_nodes(fs->e); n++) {
		k = (struct mhpfs_key){ .t = mhpfs_t_node(),
					.nid = (int)n,
					.tag = mhpfs_node_tag(fs, (int)n) };
		if (!k.tag)
			continue;
		mhpfs_dir_changed(fs, &k);
		inval(fs, &k, name);
		inval_attr(fs, &k);
	}
}

static void node_entries_changed(struct mhpfs *fs, unsigned long nid)
{
	struct mhpfs_key k = { .t = mhpfs_t_node_root() };
	char name[32];

	if (!template_visible(fs, k.t))
		return;
	snprintf(name, sizeof(name), "node%lu", nid);
	mhpfs_dir_changed(fs, &k);
	inval(fs, &k, name);
	inval_attr(fs, &k);
	k.t = mhpfs_t_bus_node_devices();
	mhpfs_dir_changed(fs, &k);
	inval(fs, &k, name);
	inval_attr(fs, &k);
}

/* The event with @seqnum and every one before it are handled: wake mhpfs_events_sync(). */
static void events_handled(struct mhpfs *fs, uint64_t seqnum)
{
	pthread_mutex_lock(&fs->sync_lock);
	if (seqnum > fs->handled_seqnum)
		fs->handled_seqnum = seqnum;
	if (fs->sync_waiters)
		pthread_cond_broadcast(&fs->sync_cond);
	pthread_mutex_unlock(&fs->sync_lock);
}

void mhpfs_events_sync(struct mhpfs *fs, uint64_t seqnum)
{
	struct timespec end;

	clock_gettime(CLOCK_MONOTONIC, &end);
	end.tv_sec += SYNC_TIMEOUT_SEC;
	pthread_mutex_lock(&fs->sync_lock);
	fs->sync_waiters++;
	while (fs->handled_seqnum < seqnum && !atomic_load(&fs->stop))
		if (pthread_cond_timedwait(&fs->sync_cond, &fs->sync_lock, &end) == ETIMEDOUT)
			break;
	fs->sync_waiters--;
	pthread_mutex_unlock(&fs->sync_lock);
}

static void handle_event(struct mhpfs *fs, const struct mhp_uevent *ev)
{
	atomic_fetch_add(&fs->stat_events, 1);
	/*
	 * Names first: the kernel caches them (ops.c), and the store that added or removed them
	 * waits for this before it returns; listeners of the uevent then find the tree changed.
	 */
	if (ev->action == MHP_KOBJ_ADD || ev->action == MHP_KOBJ_REMOVE) {
		struct mhpfs_key gone;

		/* a synthetic add or remove changes nothing, and the power state stays */
		if (ev->action == MHP_KOBJ_REMOVE)
			mhpfs_power_forget(fs);
		/*
		 * The directory that went away: the kernel forgets its attributes and its listing,
		 * so what still holds it open lists "." and ".." (ops.c), as on kernfs.
		 */
		if (!mhpfs_gone_dir(fs, ev, &gone) && fs->se)
			fuse_lowlevel_notify_inval_inode(fs->se, mhpfs_key_to_ino(fs, &gone), 0, 0);
		if (ev->subsystem == MHP_SUBSYS_MEMORY)
			block_entries_changed(fs, ev->id);
		else if (ev->subsystem == MHP_SUBSYS_NODE)
			node_entries_changed(fs, ev->id);
	}
	events_handled(fs, ev->seqnum);
	/* stream file, helper, netlink (sinks.c) */
	mhpfs_sinks_event(fs, ev);
}

static void *worker(void *arg)
{
	struct mhpfs *fs = arg;
	struct pollfd pfd[2] = {
		{ .fd = mhp_event_fd(fs->e), .events = POLLIN },
		{ .fd = fs->worker_wake_fd, .events = POLLIN },
	};
	struct mhp_uevent ev;

	while (!atomic_load(&fs->stop)) {
		/* no timeout: an idle daemon never wakes up (mhpfs_events_stop() writes the wake fd) */
		if (poll(pfd, 2, -1) < 0 && errno != EINTR)
			break;
		while (!atomic_load(&fs->stop) && !mhp_event_pop(fs->e, &ev))
			handle_event(fs, &ev);
	}
	return NULL;
}

int mhpfs_events_start(struct mhpfs *fs, pthread_t *ret)
{
	pthread_condattr_t ca;
	pthread_t th;
	int r;

	atomic_store(&fs->stop, false);
	fs->worker_wake_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (fs->worker_wake_fd < 0)
		return -errno;
	pthread_mutex_init(&fs->sync_lock, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&fs->sync_cond, &ca);
	pthread_condattr_destroy(&ca);
	r = pthread_create(&th, NULL, worker, fs);
	if (r) {
		pthread_cond_destroy(&fs->sync_cond);
		pthread_mutex_destroy(&fs->sync_lock);
		close(fs->worker_wake_fd);
		return -r;
	}
	*ret = th;
	return 0;
}

void mhpfs_events_stop(struct mhpfs *fs, pthread_t thread)
{
	uint64_t one = 1;

	atomic_store(&fs->stop, true);
	if (write(fs->worker_wake_fd, &one, sizeof(one)) < 0)
		perror("memhotplugfs: waking the event worker");
	pthread_join(thread, NULL);
	close(fs->worker_wake_fd);
	pthread_cond_destroy(&fs->sync_cond);
	pthread_mutex_destroy(&fs->sync_lock);
}
