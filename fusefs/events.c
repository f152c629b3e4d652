// SPDX-License-Identifier: MIT
/*
 * fusefs/events.c - the event worker: drains the engine's uevent queue and tells the kernel
 * which directory entries changed.
 *
 * fuse_lowlevel_notify_*() must never run in a request handler (the kernel may wait for that very
 * handler while it holds a directory lock), so it runs here, on a thread of its own that holds no
 * lock of ours.  Later sinks (uevent stream, helper program, netlink, poll wakeups) hang off
 * handle_event().
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "memhotplugfs.h"

void mhpfs_on_change(void *priv, enum mhp_change what, unsigned long id)
{
	struct mhpfs *fs = priv;

	/* called with engine locks held: count only */
	atomic_fetch_add(&fs->stat_changes, 1);
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

static void block_entries_changed(struct mhpfs *fs, unsigned long id)
{
	struct mhpfs_key k = { .t = mhpfs_t_memory() };
	char name[32];

	snprintf(name, sizeof(name), "memory%lu", id);
	inval(fs, &k, name);
	if (fs->m.layout != MHPFS_LAYOUT_SYSFS)
		return;
	k.t = mhpfs_t_bus_memory_devices();
	inval(fs, &k, name);
	for (unsigned int n = 0; n < mhp_engine_nr_nodes(fs->e); n++) {
		k = (struct mhpfs_key){ .t = mhpfs_t_node(), .nid = (int)n };
		inval(fs, &k, name);
	}
}

static void node_entries_changed(struct mhpfs *fs, unsigned long nid)
{
	struct mhpfs_key k = { .t = mhpfs_t_node_root() };
	char name[32];

	if (!template_visible(fs, k.t))
		return;
	snprintf(name, sizeof(name), "node%lu", nid);
	inval(fs, &k, name);
	k.t = mhpfs_t_bus_node_devices();
	inval(fs, &k, name);
}

static void handle_event(struct mhpfs *fs, const struct mhp_uevent *ev)
{
	atomic_fetch_add(&fs->stat_events, 1);
	if (ev->action != MHP_KOBJ_ADD && ev->action != MHP_KOBJ_REMOVE)
		return;
	if (ev->subsystem == MHP_SUBSYS_MEMORY) {
		if (ev->action == MHP_KOBJ_REMOVE)
			mhpfs_power_forget(fs, ev->id);
		block_entries_changed(fs, ev->id);
	} else if (ev->subsystem == MHP_SUBSYS_NODE) {
		node_entries_changed(fs, ev->id);
	}
}

static void *worker(void *arg)
{
	struct mhpfs *fs = arg;
	struct mhp_uevent ev;

	while (!atomic_load(&fs->stop)) {
		if (mhp_event_wait(fs->e, &ev, 200))
			continue;
		handle_event(fs, &ev);
	}
	return NULL;
}

int mhpfs_events_start(struct mhpfs *fs, pthread_t *ret)
{
	pthread_t th;
	int r;

	atomic_store(&fs->stop, false);
	r = pthread_create(&th, NULL, worker, fs);
	if (r)
		return -r;
	*ret = th;
	return 0;
}

void mhpfs_events_stop(struct mhpfs *fs, pthread_t thread)
{
	atomic_store(&fs->stop, true);
	pthread_join(thread, NULL);
}
