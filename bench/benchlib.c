// SPDX-License-Identifier: MIT
/*
 * bench/benchlib.c - clocks, medians, reports and tracked daemons for the benchmarks.
 */
#include "benchlib.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define FUSE_SUPER_MAGIC 0x65735546
#define TMPFS_MAGIC 0x01021994
#define MAX_TRACKED 256

struct tracked {
	char dir[PATH_MAX];
	pid_t pid;
	bool used;
};

static struct tracked tracked[MAX_TRACKED];
static char tmpdir[64];
static char shmdir[64];
static bool hooks_installed;

double bench_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

struct bench_stat bench_stats(double *v, size_t n)
{
	struct bench_stat s = { 0 };

	if (!n)
		return s;
	qsort(v, n, sizeof(*v), cmp_double);
	s.min = v[0];
	s.max = v[n - 1];
	s.med = n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
	return s;
}

static struct bench_stat stats_copy(const double *v, size_t n)
{
	double *tmp = malloc((n ? n : 1) * sizeof(*v));
	struct bench_stat s = { 0 };

	if (!tmp)
		return s;
	memcpy(tmp, v, n * sizeof(*v));
	s = bench_stats(tmp, n);
	free(tmp);
	return s;
}

/* Three significant digits whatever the magnitude. */
static void fmt(char *buf, size_t len, double x)
{
	double a = x < 0 ? -x : x;

	if (a >= 100 || a == 0)
		snprintf(buf, len, "%.0f", x);
	else if (a >= 10)
		snprintf(buf, len, "%.1f", x);
	else if (a >= 1)
		snprintf(buf, len, "%.2f", x);
	else
		snprintf(buf, len, "%.3g", x);
}

void bench_line(const char *name, const char *what, const char *unit, const double *v, size_t n)
{
	struct bench_stat s = stats_copy(v, n);
	char a[32], b[32], c[32];

	fmt(a, sizeof(a), s.med);
	fmt(b, sizeof(b), s.min);
	fmt(c, sizeof(c), s.max);
	printf("%s: %-28s %10s %-8s (spread %s-%s, %zu rounds)\n", name, what, a, unit, b, c, n);
}

bool bench_report(const char *name, const char *what, const char *base, const char *unit,
		  const double *fig, const double *bas, size_t n, double target,
		  bool lower_is_better)
{
	double *ratio = calloc(n ? n : 1, sizeof(*ratio));
	struct bench_stat s;
	char label[64];
	bool ok = true;

	if (!ratio)
		return false;
	for (size_t i = 0; i < n; i++)
		ratio[i] = bas[i] ? fig[i] / bas[i] : 0;
	bench_line(name, what, unit, fig, n);
	bench_line(name, base, unit, bas, n);
	s = stats_copy(ratio, n);
	snprintf(label, sizeof(label), "ratio (%s / %s)", "figure", "baseline");
	printf("%s: %-28s %10.3fx          (spread %.3f-%.3f)", name, label, s.med, s.min, s.max);
	if (target > 0) {
		ok = lower_is_better ? s.med <= target : s.med >= target;
		printf("  target %s %.2fx: %s", lower_is_better ? "<=" : ">=", target,
		       ok ? "met" : "MISSED");
	}
	printf("\n");
	fflush(stdout);
	free(ratio);
	return ok;
}

void bench_load_note(const char *name)
{
	double load = 0;
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	FILE *f = fopen("/proc/loadavg", "r");

	if (!f)
		return;
	if (fscanf(f, "%lf", &load) != 1)
		load = 0;
	fclose(f);
	/* the benchmark itself keeps about one CPU busy */
	if (cpus > 0 && load > (double)cpus + 1)
		printf("%s: note: load average %.1f on %ld CPUs: other work competes for the CPUs, "
		       "absolute figures and ratios are unreliable\n",
		       name, load, cpus);
}

const char *bench_daemon_path(void)
{
	static char path[PATH_MAX + 32];
	const char *env = getenv("MEMHOTPLUGFS");
	char self[PATH_MAX];
	ssize_t n;
	char *slash;

	if (env && *env)
		return env;
	n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (n < 0)
		return "memhotplugfs";
	self[n] = '\0';
	slash = strrchr(self, '/');
	if (slash)
		*slash = '\0';
	snprintf(path, sizeof(path), "%s/../fusefs/memhotplugfs", self);
	return path;
}

static void rm_tree(const char *dir)
{
	const char *argv[] = { "rm", "-rf", "--one-file-system", dir, NULL };

	bench_run(argv, false);
}

static void at_exit(void)
{
	bench_unmount_all();
	if (tmpdir[0])
		rm_tree(tmpdir);
	if (shmdir[0])
		rm_tree(shmdir);
}

/* Async-signal-safe: lazy unmounts, kills, then rm -rf of the temporary directories. */
static void on_signal(int sig)
{
	pid_t pid;

	for (int i = 0; i < MAX_TRACKED; i++) {
		if (!tracked[i].used)
			continue;
		umount2(tracked[i].dir, MNT_DETACH);
		if (tracked[i].pid > 0)
			kill(tracked[i].pid, SIGTERM);
	}
	pid = fork();
	if (pid == 0) {
		char a0[] = "rm", a1[] = "-rf", a2[] = "--one-file-system";
		char *argv[6] = { a0, a1, a2 };
		int n = 3;

		if (tmpdir[0])
			argv[n++] = tmpdir;
		if (shmdir[0])
			argv[n++] = shmdir;
		if (n > 3)
			execvp("rm", argv);
		_exit(0);
	}
	if (pid > 0)
		waitpid(pid, NULL, 0);
	_exit(128 + sig);
}

static void install_hooks(void)
{
	struct sigaction sa = { .sa_handler = on_signal };

	if (hooks_installed)
		return;
	hooks_installed = true;
	atexit(at_exit);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
}

const char *bench_tmpdir(void)
{
	if (tmpdir[0])
		return tmpdir;
	install_hooks();
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/mhpfs-bench.XXXXXX");
	if (!mkdtemp(tmpdir)) {
		perror("mkdtemp");
		tmpdir[0] = '\0';
		return NULL;
	}
	chmod(tmpdir, 0755);
	return tmpdir;
}

const char *bench_tmpfs_dir(void)
{
	struct statfs sf;

	if (shmdir[0])
		return shmdir;
	install_hooks();
	if (statfs("/dev/shm", &sf) || sf.f_type != TMPFS_MAGIC) {
		fprintf(stderr, "bench: /dev/shm is not a tmpfs\n");
		return NULL;
	}
	snprintf(shmdir, sizeof(shmdir), "/dev/shm/mhpfs-bench.XXXXXX");
	if (!mkdtemp(shmdir)) {
		perror("mkdtemp");
		shmdir[0] = '\0';
		return NULL;
	}
	chmod(shmdir, 0755);
	return shmdir;
}

void bench_track(const char *dir, pid_t pid)
{
	install_hooks();
	for (int i = 0; i < MAX_TRACKED; i++) {
		if (tracked[i].used)
			continue;
		snprintf(tracked[i].dir, sizeof(tracked[i].dir), "%s", dir);
		tracked[i].pid = pid;
		tracked[i].used = true;
		return;
	}
	fprintf(stderr, "bench: more than %d mounts\n", MAX_TRACKED);
}

static bool is_fuse_mount(const char *dir)
{
	struct statfs sf;

	return !statfs(dir, &sf) && sf.f_type == FUSE_SUPER_MAGIC;
}

int bench_wait_mount(const char *dir, pid_t pid)
{
	double end = bench_now() + 10;

	while (bench_now() < end) {
		if (is_fuse_mount(dir))
			return 0;
		if (pid > 0 && waitpid(pid, NULL, WNOHANG) == pid) {
			fprintf(stderr, "bench: the server of %s exited before mounting\n", dir);
			return -1;
		}
		usleep(2000);
	}
	fprintf(stderr, "bench: %s did not appear in 10 s\n", dir);
	return -1;
}

pid_t bench_mount(const char *dir, const char *const *argv)
{
	const char *daemon = bench_daemon_path();
	const char *args[64];
	size_t n = 0;
	pid_t pid;

	mkdir(dir, 0755);
	args[n++] = daemon;
	args[n++] = "-f";
	args[n++] = "-o";
	args[n++] = "auto_unmount";
	for (size_t i = 0; argv && argv[i] && n < 62; i++)
		args[n++] = argv[i];
	args[n++] = dir;
	args[n] = NULL;

	pid = fork();
	if (pid < 0) {
		perror("fork");
		return -1;
	}
	if (!pid) {
		int null = open("/dev/null", O_WRONLY);
		char log[PATH_MAX];
		int lfd;

		prctl(PR_SET_PDEATHSIG, SIGTERM);
		if (null >= 0) {
			dup2(null, STDOUT_FILENO);
			close(null);
		}
		/* the daemon's messages go to a log beside the mount point */
		snprintf(log, sizeof(log), "%s.log", dir);
		lfd = open(log, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
		if (lfd >= 0)
			dup2(lfd, STDERR_FILENO);
		execv(daemon, (char *const *)args);
		fprintf(stderr, "bench: cannot run %s: %s\n", daemon, strerror(errno));
		_exit(127);
	}
	bench_track(dir, pid);
	if (bench_wait_mount(dir, pid)) {
		char log[PATH_MAX + 8], buf[4096];
		ssize_t got;
		int fd;

		snprintf(log, sizeof(log), "%s.log", dir);
		fd = open(log, O_RDONLY);
		while (fd >= 0 && (got = read(fd, buf, sizeof(buf))) > 0)
			fwrite(buf, 1, (size_t)got, stderr);
		if (fd >= 0)
			close(fd);
		bench_unmount(dir);
		return -1;
	}
	return pid;
}

static void unmount_one(struct tracked *t)
{
	const char *argv[] = { "fusermount3", "-u", "-q", t->dir, NULL };

	if (is_fuse_mount(t->dir) && bench_run(argv, false) != 0)
		umount2(t->dir, MNT_DETACH);
	if (t->pid > 0) {
		double end = bench_now() + 5;

		while (waitpid(t->pid, NULL, WNOHANG) == 0) {
			if (bench_now() > end) {
				kill(t->pid, SIGKILL);
				waitpid(t->pid, NULL, 0);
				break;
			}
			usleep(1000);
		}
	}
	t->used = false;
}

void bench_unmount(const char *dir)
{
	for (int i = 0; i < MAX_TRACKED; i++)
		if (tracked[i].used && !strcmp(tracked[i].dir, dir))
			unmount_one(&tracked[i]);
}

void bench_unmount_all(void)
{
	for (int i = 0; i < MAX_TRACKED; i++)
		if (tracked[i].used)
			unmount_one(&tracked[i]);
}

int bench_run(const char *const *argv, bool keep_stdout)
{
	int status;
	pid_t pid = fork();

	if (pid < 0)
		return -1;
	if (!pid) {
		if (!keep_stdout) {
			int null = open("/dev/null", O_WRONLY);

			if (null >= 0) {
				dup2(null, STDOUT_FILENO);
				close(null);
			}
		}
		execvp(argv[0], (char *const *)argv);
		_exit(127);
	}
	if (waitpid(pid, &status, 0) != pid)
		return -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}
