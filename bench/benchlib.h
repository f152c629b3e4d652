/* SPDX-License-Identifier: MIT */
/*
 * bench/benchlib.h - what the benchmarks share: clocks, medians, the report format, and daemons
 * started and stopped by pid with their mounts always removed (also on a signal).
 *
 * Every benchmark measures its figure and its baseline in the same run, round by round and
 * interleaved, so that the noise of a shared 2-core machine hits both; the ratio is computed per
 * round and its median and spread (minimum-maximum) are printed.
 */
#ifndef BENCHLIB_H
#define BENCHLIB_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/** bench_now() - CLOCK_MONOTONIC in seconds */
double bench_now(void);

/**
 * struct bench_stat - median and spread of a series
 * @med: median
 * @min: smallest value
 * @max: largest value
 */
struct bench_stat {
	double med;
	double min;
	double max;
};

/** bench_stats() - median, minimum and maximum of @n values (@v is left sorted) */
struct bench_stat bench_stats(double *v, size_t n);

/**
 * bench_report() - print a figure, its baseline and their ratio, all medians with spread
 * @name: benchmark name (the prefix of every line)
 * @what: what the figure is ("memhotplugfs")
 * @base: what the baseline is ("FUSE floor")
 * @unit: unit of the figure and the baseline
 * @fig: the figure of each round
 * @bas: the baseline of each round
 * @n: rounds
 * @target: the target ratio, or 0 for none
 * @lower_is_better: the ratio must stay at most @target (else at least @target)
 *
 * The ratio is figure / baseline per round.  Returns whether the target is met (true without one).
 */
bool bench_report(const char *name, const char *what, const char *base, const char *unit,
		  const double *fig, const double *bas, size_t n, double target,
		  bool lower_is_better);

/** bench_line() - print one series as "NAME: WHAT  MED UNIT (spread MIN-MAX, N rounds)" */
void bench_line(const char *name, const char *what, const char *unit, const double *v, size_t n);

/** bench_load_note() - say so when the machine is busy with other work (1-minute load average) */
void bench_load_note(const char *name);

/**
 * bench_daemon_path() - the memhotplugfs binary: $MEMHOTPLUGFS, else ../fusefs/memhotplugfs
 * next to this program (the build tree)
 */
const char *bench_daemon_path(void);

/**
 * bench_tmpdir() - a fresh directory under /tmp, removed (with what is in it) at exit
 * Return: its path (static storage of the library), or NULL.
 */
const char *bench_tmpdir(void);

/**
 * bench_tmpfs_dir() - a fresh directory on the tmpfs /dev/shm, removed at exit
 * Return: its path, or NULL (no tmpfs there).
 */
const char *bench_tmpfs_dir(void);

/**
 * bench_mount() - start memhotplugfs in the foreground on @dir and wait for the mount
 * @dir: the mount point (created)
 * @argv: extra daemon options, NULL-terminated (may be NULL)
 *
 * The daemon's stderr goes to DIR.log.  The daemon is tracked: bench_unmount_all() (run at exit and on SIGINT/SIGTERM) unmounts it and
 * kills it by pid.  The daemon also dies with the benchmark (PR_SET_PDEATHSIG).
 *
 * Return: the daemon's pid, or -1 (message printed).
 */
pid_t bench_mount(const char *dir, const char *const *argv);

/**
 * bench_track() - track a mount served by @pid (e.g. a server the benchmark forked itself)
 */
void bench_track(const char *dir, pid_t pid);

/**
 * bench_wait_mount() - wait until @dir is a FUSE mount served by a live @pid
 * Return: 0, -1 (the process died or 10 s passed).
 */
int bench_wait_mount(const char *dir, pid_t pid);

/** bench_unmount() - unmount @dir, wait for its tracked server to exit, stop tracking it */
void bench_unmount(const char *dir);

/** bench_unmount_all() - unmount every tracked mount and reap its server */
void bench_unmount_all(void);

/** bench_run() - run @argv (stdout to /dev/null unless @keep_stdout) and wait; exit status or -1 */
int bench_run(const char *const *argv, bool keep_stdout);

#endif /* BENCHLIB_H */
