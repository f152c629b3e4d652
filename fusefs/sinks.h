/* SPDX-License-Identifier: MIT */
/*
 * fusefs/sinks.h - where the daemon's events go: the event stream file, the uevent helper,
 * libudev netlink broadcasts, poll() wakeups of attribute files, inotify events and synthetic
 * uevents with their SYNTH_* keys.
 *
 * Threads: the event worker (events.c) calls mhpfs_sinks_event() for every uevent; the engine's
 * on_change hook calls mhpfs_sinks_change(), which only queues; a "change" thread of our own
 * turns queued changes into poll notifications and inotify events.  Request handlers never call
 * fuse_lowlevel_notify_*(): they only register poll handles and parked reads under files_lock.
 *
 * inotify (beyond the kernel, and the README says so): FUSE shows a watcher only what happens
 * through the mount, so the change thread performs the VFS operation itself through the
 * daemon's own mountpoint: mkdir of a block or node directory that appeared (IN_CREATE|IN_ISDIR),
 * rmdir of one that disappeared (IN_DELETE|IN_ISDIR) and truncate of an attribute whose value
 * the engine changed (IN_MODIFY).  The handlers recognise those requests by the thread id and
 * answer them without changing anything; everyone else gets sysfs's EPERM for mkdir and rmdir.
 */
#ifndef MHPFS_SINKS_H
#define MHPFS_SINKS_H

#define FUSE_USE_VERSION 312

#include <fuse_lowlevel.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <memhp/engine.h>

struct mhpfs;
struct mhpfs_key;
struct mhpfs_evstream_reader;

enum mhpfs_netlink_mode {
	MHPFS_NETLINK_OFF = 0,
	MHPFS_NETLINK_ON, /* refused in the host's initial network namespace */
	MHPFS_NETLINK_FORCE,
};

/**
 * struct mhpfs_event_opts - the event options of the command line
 * @stream_capacity: records the event stream file keeps for slow readers; 0: no stream file
 * @helper: the uevent helper program, or NULL
 * @helper_timeout_ms: its time limit
 * @netlink: enum mhpfs_netlink_mode
 * @inotify: perform VFS operations through the mountpoint so that inotify sees changes
 */
struct mhpfs_event_opts {
	size_t stream_capacity;
	char *helper;
	unsigned int helper_timeout_ms;
	int netlink;
	bool inotify;
};

/**
 * mhpfs_event_opts_parse() - take the event options out of @args (before the machine options)
 * @args: the command line
 * @o: filled with the defaults changed by the options
 *
 * Options (both "--name=value" and "-o name=value"): --event-stream-capacity=N (default 4096, 0:
 * no kernel/debug/memhotplugfs/events), --uevent-helper=PATH, --uevent-helper-timeout=MS
 * (default 10000), --netlink=off|on|force (default off), --no-inotify.
 *
 * Return: 0, or -EINVAL after printing a message naming the option.
 */
int mhpfs_event_opts_parse(struct fuse_args *args, struct mhpfs_event_opts *o);

/** mhpfs_event_opts_usage() - print the event options' help lines. */
void mhpfs_event_opts_usage(void);

/** mhpfs_event_opts_free() - free what parsing allocated. */
void mhpfs_event_opts_free(struct mhpfs_event_opts *o);

/**
 * mhpfs_sinks_start() - open the sinks the options ask for; call after the engine exists and
 * fs->se is set, before the event worker starts
 * @fs: the filesystem (fs->sinks is set)
 * @mountpoint: the mount's path, for the inotify operations; NULL for none (they need the
 *              multithreaded loop: a replayed operation needs a free loop thread)
 *
 * Return: 0, or a negative errno after printing why (e.g. netlink refused in the host's network
 * namespace, naming --netlink=force).
 */
int mhpfs_sinks_start(struct mhpfs *fs, const char *mountpoint);

/** mhpfs_sinks_stop() - stop and free the sinks; after the event worker stopped. */
void mhpfs_sinks_stop(struct mhpfs *fs);

/** mhpfs_sinks_event() - deliver one uevent to every sink; event worker only. */
void mhpfs_sinks_event(struct mhpfs *fs, const struct mhp_uevent *ev);

/** mhpfs_sinks_change() - the engine's on_change: queue only, never blocks for long. */
void mhpfs_sinks_change(struct mhpfs *fs, enum mhp_change what, unsigned long id);

/**
 * mhpfs_sinks_synth_store() - what writing to a device's `uevent` file does (SPEC §8)
 * @fs: the filesystem
 * @subsystem: enum mhp_subsystem of the device, or -1 for a root device (memory, node, the
 *             buses): the kernel's uevent filter drops its events, so nothing is emitted
 * @id: block or node id
 * @buf: the written bytes
 * @count: their number
 *
 * Return: 0, -EINVAL (kobject_synth_uevent's rules), -ENOMEM (the environment overflows).
 */
int mhpfs_sinks_synth_store(struct mhpfs *fs, int subsystem, unsigned long id, const char *buf,
			    size_t count);

/** mhpfs_sinks_stream_enabled() - whether kernel/debug/memhotplugfs/events exists. */
bool mhpfs_sinks_stream_enabled(const struct mhpfs *fs);

/**
 * struct mhpfs_pollfile - the event side of an open file (embedded in ops.c's open file)
 *
 * All fields are protected by the sinks' files_lock.
 */
struct mhpfs_pollfile {
	struct mhpfs_pollfile *prev, *next;
	int t;
	int nid;
	unsigned long id;
	uint64_t events; /* changes of the value since open */
	uint64_t seen; /* @events at the last read */
	struct fuse_pollhandle *ph;
	struct mhpfs_evstream_reader *reader; /* the event stream file */
	fuse_req_t parked; /* a stream read waiting for a record */
	size_t parked_size;
};

/**
 * mhpfs_sinks_file_open() - register an open file (attribute or event stream)
 *
 * Return: 0, -ENOMEM, -ENOENT (stream file without stream).
 */
int mhpfs_sinks_file_open(struct mhpfs *fs, struct mhpfs_pollfile *pf, const struct mhpfs_key *k);

/** mhpfs_sinks_file_release() - forget it (destroys its poll handle and reader). */
void mhpfs_sinks_file_release(struct mhpfs *fs, struct mhpfs_pollfile *pf);

/** mhpfs_sinks_file_read() - a read session of an attribute began: the value is seen. */
void mhpfs_sinks_file_read(struct mhpfs *fs, struct mhpfs_pollfile *pf);

/**
 * mhpfs_sinks_poll() - answer a FUSE poll request for an open file, keeping @ph for later
 * notification; replies to @req
 */
void mhpfs_sinks_poll(struct mhpfs *fs, fuse_req_t req, struct mhpfs_pollfile *pf,
		      struct fuse_pollhandle *ph);

/**
 * mhpfs_sinks_stream_read() - a read of the event stream file; replies to @req now, or later
 * from the event worker when a record arrives (blocking read), or EAGAIN for O_NONBLOCK
 */
void mhpfs_sinks_stream_read(struct mhpfs *fs, fuse_req_t req, struct mhpfs_pollfile *pf,
			     size_t size, int flags);

/**
 * mhpfs_sinks_toucher_lookup() - how lookup answers the change thread's own requests
 * @ret: the key to answer with (when 1 is returned)
 *
 * Return: 0 not ours (answer normally); 1 answer with @ret (a directory about to be rmdir'ed);
 * -ENOENT pretend absent (a directory about to be mkdir'ed).
 */
int mhpfs_sinks_toucher_lookup(struct mhpfs *fs, fuse_req_t req, const struct mhpfs_key *dir,
			       const char *name, struct mhpfs_key *ret);

/**
 * mhpfs_sinks_toucher_dirop() - whether a mkdir or rmdir is the change thread's own
 * @rmdir: true for rmdir
 *
 * Return: true when the request must succeed (with the existing entry for mkdir).
 */
bool mhpfs_sinks_toucher_dirop(struct mhpfs *fs, fuse_req_t req, const struct mhpfs_key *dir,
			       const char *name, bool rmdir);

#endif /* MHPFS_SINKS_H */
