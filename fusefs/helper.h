/* SPDX-License-Identifier: MIT */
/*
 * fusefs/helper.h - the uevent helper: a program run once per event, as the kernel runs
 * /proc/sys/kernel/hotplug (uevent_helper).
 *
 * What the program gets, as from the kernel: argv[0] the program path, argv[1] the SUBSYSTEM,
 * nothing else; the environment ACTION, DEVPATH, SUBSYSTEM, [SYNTH_UUID, SYNTH_ARG_*], SEQNUM,
 * HOME=/, PATH=/sbin:/bin:/usr/sbin:/usr/bin and nothing else; the working directory "/".
 * Differences, on purpose: stdin, stdout and stderr are /dev/null (a kernel helper starts with no
 * open files at all, which breaks shell scripts); it runs in a process group of its own, with
 * default signal dispositions and an empty signal mask.
 *
 * Where we differ from the kernel's fire-and-forget UMH_NO_WAIT, also on purpose: runs are
 * serialised (one at a time, in event order) so that a script sees the events in order, and each
 * run has a time limit after which its whole process group is killed with SIGKILL.  A failure (no
 * such program, a non-zero exit, a signal, the time limit) is logged and counted, never fatal.
 *
 * The runs happen on a thread of their own fed by a bounded queue, so a hanging helper never
 * stalls the filesystem: mhpfs_helper_queue() never blocks.  When the queue is full the new
 * event is not given to the helper (the other sinks still get it); the loss is counted and one
 * line reports how many events were skipped when the queue moves again.
 */
#ifndef MHPFS_HELPER_H
#define MHPFS_HELPER_H

#include <stddef.h>
#include <stdint.h>

#include "uevent.h"

#define MHPFS_HELPER_PATH_ENV "PATH=/sbin:/bin:/usr/sbin:/usr/bin"
#define MHPFS_HELPER_DEFAULT_TIMEOUT_MS 10000
#define MHPFS_HELPER_DEFAULT_QUEUE 1024

/**
 * struct mhpfs_helper_config - how to run the helper
 * @path: absolute path of the program
 * @timeout_ms: time limit of one run (> 0)
 * @queue_max: events that may wait for the helper (> 0)
 * @log: receives one line (without newline) per failure; NULL: written to stderr
 * @log_priv: passed to @log
 */
struct mhpfs_helper_config {
	const char *path;
	unsigned int timeout_ms;
	size_t queue_max;
	void (*log)(void *priv, const char *line);
	void *log_priv;
};

/**
 * struct mhpfs_helper_stats - counters
 * @queued: events accepted by mhpfs_helper_queue()
 * @run: runs finished (successful or not)
 * @failed: runs that could not start, exited non-zero or were killed (includes @timed_out)
 * @timed_out: runs killed at the time limit
 * @dropped: events refused because the queue was full, or discarded at stop
 */
struct mhpfs_helper_stats {
	uint64_t queued;
	uint64_t run;
	uint64_t failed;
	uint64_t timed_out;
	uint64_t dropped;
};

struct mhpfs_helper;

/**
 * mhpfs_helper_start() - start the helper thread
 * @cfg: the configuration (copied)
 * @ret: the helper, written on success
 *
 * Return: 0; -EINVAL (relative or empty path, zero timeout or queue); -ENOMEM; a thread error.
 */
int mhpfs_helper_start(const struct mhpfs_helper_config *cfg, struct mhpfs_helper **ret);

/**
 * mhpfs_helper_queue() - hand one event to the helper; never blocks
 * @h: the helper
 * @env: the event's environment (mhpfs_uevent_env_build()); must contain SUBSYSTEM
 *
 * Return: 0; -EAGAIN when the queue is full (the event is dropped and counted); -EINVAL; -ENOMEM;
 * -ESHUTDOWN after mhpfs_helper_stop() began.
 */
int mhpfs_helper_queue(struct mhpfs_helper *h, const struct mhpfs_uevent_env *env);

/**
 * mhpfs_helper_wait_idle() - wait until the queue is empty and no helper runs
 * @h: the helper
 * @timeout_ms: -1 forever
 *
 * Return: 0 or -ETIMEDOUT.
 */
int mhpfs_helper_wait_idle(struct mhpfs_helper *h, int timeout_ms);

/** mhpfs_helper_get_stats() - a copy of the counters. */
void mhpfs_helper_get_stats(struct mhpfs_helper *h, struct mhpfs_helper_stats *ret);

/**
 * mhpfs_helper_stop() - stop: events still queued are discarded (counted as dropped), a running
 * helper's process group is killed; then the thread ends.  NULL accepted.
 */
void mhpfs_helper_stop(struct mhpfs_helper *h);

#endif /* MHPFS_HELPER_H */
