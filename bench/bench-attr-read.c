// SPDX-License-Identifier: MIT
/*
 * bench-attr-read - open + read + close of memoryN/state through memhotplugfs, next to the FUSE
 * floor and the host's real sysfs, in the same run.
 *
 * The FUSE floor is a minimal libfuse low-level server built here: a directory "memory0" holding a
 * file "state" that reads "online\n", opened with direct_io like memhotplugfs opens its attributes,
 * mounted with the same options (default_permissions, multithreaded loop), in a process of its own.
 * Its names and attributes are cached for --floor-timeout seconds (1, as libfuse's examples do);
 * whatever memhotplugfs costs beyond it is its own work or round trips the kernel makes because of
 * its replies.
 *
 * The host's /sys/devices/system/memory/memory0/state is read (never written) when it exists.
 *
 * The benchmark and both servers run on one CPU (-c, default 0; -c -1 for none): an open+read+close
 * is a chain of wake-ups between the reader and the server's threads, and on a machine of two CPUs
 * where those threads land decides more than the servers' work does (unpinned, either server's
 * figure moves by 2x from one run to the next).  One CPU gives every server the same placement.
 *
 * Usage: bench-attr-read [-r ROUNDS] [-n OPS] [-t FLOOR_TIMEOUT] [-c CPU] [-o DAEMON_OPTION]...
 */
#define FUSE_USE_VERSION 312

#include <errno.h>
#include <fcntl.h>
#include <fuse_lowlevel.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "benchlib.h"

#define CONTENT "online\n"
#define INO_DIR 2
#define INO_FILE 3
#define SYSFS_STATE "/sys/devices/system/memory/memory0/state"
#define BATCH 25

/* ---- the floor: a minimal low-level server ----------------------------------------------- */

static double floor_timeout = 1.0;

static void floor_stat(fuse_ino_t ino, struct stat *st)
{
	memset(st, 0, sizeof(*st));
	st->st_ino = ino;
	if (ino == INO_FILE) {
		st->st_mode = S_IFREG | 0644;
		st->st_nlink = 1;
		st->st_size = 4096;
	} else {
		st->st_mode = S_IFDIR | 0755;
		st->st_nlink = 2 + (ino == FUSE_ROOT_ID);
	}
}

static void floor_lookup(fuse_req_t req, fuse_ino_t parent, const char *name)
{
	struct fuse_entry_param e = { 0 };

	if (parent == FUSE_ROOT_ID && !strcmp(name, "memory0"))
		e.ino = INO_DIR;
	else if (parent == INO_DIR && !strcmp(name, "state"))
		e.ino = INO_FILE;
	else {
		fuse_reply_err(req, ENOENT);
		return;
	}
	e.attr_timeout = floor_timeout;
	e.entry_timeout = floor_timeout;
	floor_stat(e.ino, &e.attr);
	fuse_reply_entry(req, &e);
}

static void floor_getattr(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	struct stat st;

	if (ino != FUSE_ROOT_ID && ino != INO_DIR && ino != INO_FILE) {
		fuse_reply_err(req, ENOENT);
		return;
	}
	floor_stat(ino, &st);
	fuse_reply_attr(req, &st, floor_timeout);
}

static void floor_open(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	if (ino != INO_FILE) {
		fuse_reply_err(req, EISDIR);
		return;
	}
	if ((fi->flags & O_ACCMODE) != O_RDONLY) {
		fuse_reply_err(req, EACCES);
		return;
	}
	fi->direct_io = 1;
	fuse_reply_open(req, fi);
}

static void floor_read(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off,
		       struct fuse_file_info *fi)
{
	size_t len = sizeof(CONTENT) - 1;

	if (off >= (off_t)len)
		fuse_reply_buf(req, NULL, 0);
	else
		fuse_reply_buf(req, &CONTENT[off],
			       size < len - (size_t)off ? size : len - (size_t)off);
}

static const struct fuse_lowlevel_ops floor_ops = {
	.lookup = floor_lookup,
	.getattr = floor_getattr,
	.open = floor_open,
	.read = floor_read,
};

static int floor_serve(const char *dir)
{
	static char a0[] = "bench-floor", a1[] = "-odefault_permissions",
		    a2[] = "-ofsname=benchfloor", a3[] = "-oauto_unmount";
	char *argv[] = { a0, a1, a2, a3, NULL };
	struct fuse_args args = FUSE_ARGS_INIT(4, argv);
	struct fuse_loop_config *loop;
	struct fuse_session *se;
	int ret = 1;

	se = fuse_session_new(&args, &floor_ops, sizeof(floor_ops), NULL);
	if (!se)
		return 1;
	if (fuse_set_signal_handlers(se) == 0) {
		if (fuse_session_mount(se, dir) == 0) {
			loop = fuse_loop_cfg_create();
			if (loop) {
				/* what memhotplugfs runs with */
				fuse_loop_cfg_set_max_threads(loop, 64);
				ret = fuse_session_loop_mt(se, loop) ? 1 : 0;
				fuse_loop_cfg_destroy(loop);
			}
			fuse_session_unmount(se);
		}
		fuse_remove_signal_handlers(se);
	}
	fuse_session_destroy(se);
	return ret;
}

static pid_t floor_start(const char *dir)
{
	pid_t pid;

	mkdir(dir, 0755);
	pid = fork();
	if (pid < 0)
		return -1;
	if (!pid) {
		int null = open("/dev/null", O_WRONLY);

		prctl(PR_SET_PDEATHSIG, SIGTERM);
		/* quiet: fusermount3 complains when the benchmark unmounted first */
		if (null >= 0)
			dup2(null, STDERR_FILENO);
		_exit(floor_serve(dir));
	}
	bench_track(dir, pid);
	if (bench_wait_mount(dir, pid))
		return -1;
	return pid;
}

/* ---- the measurement ------------------------------------------------------------------------ */

/* Seconds per open + read + close of @path, over @n operations. */
static double time_reads(const char *path, long n, bool *ret_ok)
{
	char buf[4096];
	double t = bench_now();

	for (long i = 0; i < n; i++) {
		int fd = open(path, O_RDONLY);
		ssize_t r;

		if (fd < 0) {
			fprintf(stderr, "bench-attr-read: open %s: %s\n", path, strerror(errno));
			*ret_ok = false;
			return 0;
		}
		r = read(fd, buf, sizeof(buf));
		close(fd);
		if (r <= 0) {
			fprintf(stderr, "bench-attr-read: read %s: %s\n", path,
				r < 0 ? strerror(errno) : "empty");
			*ret_ok = false;
			return 0;
		}
	}
	return (bench_now() - t) / (double)n;
}

static double mean(const double *v, long n)
{
	double sum = 0;

	for (long i = 0; i < n; i++)
		sum += v[i];
	return sum / (double)n;
}

static double p10(double *v, long n)
{
	bench_stats(v, (size_t)n);
	return v[n / 10];
}

static int check_content(const char *path, const char *want)
{
	char buf[64] = { 0 };
	int fd = open(path, O_RDONLY);
	ssize_t r;

	if (fd < 0)
		return -errno;
	r = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (r < 0 || strcmp(buf, want)) {
		fprintf(stderr, "bench-attr-read: %s reads '%s', expected '%s'\n", path, buf, want);
		return -EIO;
	}
	return 0;
}

int main(int argc, char **argv)
{
	const char *dopts[32] = { 0 };
	size_t nd = 0;
	long rounds = 9, ops = 2000, cpu = 0;
	char fdir[512], mdir[512], fpath[600], mpath[600];
	const char *tmp;
	bool sysfs, ok = true, met;
	double *fl, *mh, *sy, *lf, *lm, *ls, *fl10, *mh10;
	int c;

	while ((c = getopt(argc, argv, "r:n:t:c:o:h")) != -1) {
		switch (c) {
		case 'r':
			rounds = strtol(optarg, NULL, 10);
			break;
		case 'n':
			ops = strtol(optarg, NULL, 10);
			break;
		case 't':
			floor_timeout = strtod(optarg, NULL);
			break;
		case 'c':
			cpu = strtol(optarg, NULL, 10);
			break;
		case 'o':
			if (nd < 31)
				dopts[nd++] = optarg;
			break;
		default:
			fprintf(stderr,
				"usage: %s [-r ROUNDS] [-n OPS] [-t FLOOR_TIMEOUT] [-c CPU] "
				"[-o DAEMON_OPTION]...\n",
				argv[0]);
			return c == 'h' ? 0 : 2;
		}
	}
	if (rounds < 1 || ops < 1)
		return 2;
	if (cpu >= 0) {
		cpu_set_t set;

		/* Before the servers start: they inherit it. */
		CPU_ZERO(&set);
		CPU_SET((int)cpu, &set);
		if (cpu >= CPU_SETSIZE || sched_setaffinity(0, sizeof(set), &set)) {
			fprintf(stderr,
				"bench-attr-read: cannot run on CPU %ld (-c -1: anywhere)\n", cpu);
			return 2;
		}
		printf("attr-read: the benchmark and both servers on CPU %ld\n", cpu);
	}
	tmp = bench_tmpdir();
	if (!tmp)
		return 1;
	snprintf(fdir, sizeof(fdir), "%s/floor", tmp);
	snprintf(mdir, sizeof(mdir), "%s/mhp", tmp);
	snprintf(fpath, sizeof(fpath), "%s/memory0/state", fdir);
	snprintf(mpath, sizeof(mpath), "%s/memory0/state", mdir);
	if (floor_start(fdir) < 0 || bench_mount(mdir, dopts) < 0)
		return 1;
	if (check_content(fpath, CONTENT) || check_content(mpath, CONTENT))
		return 1;
	sysfs = access(SYSFS_STATE, R_OK) == 0;

	fl = calloc((size_t)rounds, sizeof(double));
	mh = calloc((size_t)rounds, sizeof(double));
	sy = calloc((size_t)rounds, sizeof(double));
	fl10 = calloc((size_t)rounds, sizeof(double));
	mh10 = calloc((size_t)rounds, sizeof(double));
	if (!fl || !mh || !sy || !fl10 || !mh10)
		return 1;

	/* warm up: dentries, daemon threads, the CPU's caches */
	time_reads(fpath, ops / 4 + 1, &ok);
	time_reads(mpath, ops / 4 + 1, &ok);
	if (sysfs)
		time_reads(SYSFS_STATE, ops / 4 + 1, &ok);

	/*
	 * Each round alternates short batches of every target, so that load from elsewhere on the
	 * machine hits all of them alike.  The figure of a round is the mean time per operation;
	 * the 10th percentile of the latencies is printed too: on a loaded machine most wake-ups
	 * wait for a CPU, and that percentile shows what each server costs when they do not.
	 */
	lf = calloc((size_t)ops, sizeof(double));
	lm = calloc((size_t)ops, sizeof(double));
	ls = calloc((size_t)ops, sizeof(double));
	if (!lf || !lm || !ls)
		return 1;
	for (long r = 0; r < rounds && ok; r++) {
		for (long i = 0; i < 2 * ops && ok; i++) {
			/* batches of BATCH operations per target, in alternating order */
			long b = i / (2 * BATCH), k = i % (2 * BATCH);
			bool mfirst = b % 2, second = k >= BATCH;
			long j = b * BATCH + k % BATCH;

			if (j >= ops)
				continue;
			if (mfirst != second)
				lm[j] = time_reads(mpath, 1, &ok);
			else
				lf[j] = time_reads(fpath, 1, &ok);
			if (sysfs && second && k == 2 * BATCH - 1)
				for (long q = b * BATCH; q < b * BATCH + BATCH && q < ops; q++)
					ls[q] = time_reads(SYSFS_STATE, 1, &ok);
		}
		fl[r] = mean(lf, ops) * 1e6;
		mh[r] = mean(lm, ops) * 1e6;
		sy[r] = sysfs ? mean(ls, ops) * 1e6 : 0;
		/* sorts the latencies: after the means */
		fl10[r] = p10(lf, ops) * 1e6;
		mh10[r] = p10(lm, ops) * 1e6;
	}
	free(lf);
	free(lm);
	free(ls);
	if (!ok)
		return 1;

	printf("attr-read: open+read+close of memory0/state, %ld ops x %ld "
	       "rounds; daemon options:",
	       ops, rounds);
	for (size_t i = 0; i < nd; i++)
		printf(" %s", dopts[i]);
	printf("%s\n", nd ? "" : " (none)");
	met = bench_report("attr-read", "memhotplugfs", "FUSE floor", "us/op", mh, fl,
			   (size_t)rounds, 1.10, true);
	bench_report("attr-read", "memhotplugfs, 10th pct", "FUSE floor, 10th pct", "us/op", mh10,
		     fl10, (size_t)rounds, 0, true);
	if (sysfs)
		bench_report("attr-read", "memhotplugfs", "host sysfs", "us/op", mh, sy,
			     (size_t)rounds, 0, true);
	else
		printf("attr-read: no %s on this host: no sysfs baseline\n", SYSFS_STATE);
	bench_load_note("attr-read");
	free(fl);
	free(mh);
	free(sy);
	free(fl10);
	free(mh10);
	return met ? 0 : 3;
}
