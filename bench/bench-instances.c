// SPDX-License-Identifier: MIT
/*
 * bench-instances - what an idle memhotplugfs costs when many run on one host: 50 daemons (the
 * default machine each) idle for 10 s, against one daemon alone measured the same way first.
 *
 * CPU: utime + stime of /proc/PID/stat (clock ticks) over the window, and, because ticks are
 * coarse, the run time of every thread from /proc/PID/task/TID/schedstat (ns) and its wakeups
 * (context switches).  Memory: Rss and Pss of /proc/PID/smaps_rollup (Pss shares the binary and
 * the libraries among the instances).  Figures are per instance: the median over the instances,
 * with the spread; the baseline is the single instance.
 *
 * Usage: bench-instances [-n INSTANCES] [-s SECONDS] [-o DAEMON_OPTION]...
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "benchlib.h"

struct sample {
	double ticks; /* utime + stime */
	double run_ns; /* sum of threads' schedstat run time */
	double switches; /* sum of threads' context switches */
};

struct usage {
	double cpu_pct; /* from ticks */
	double cpu_us_per_s; /* from schedstat */
	double wakeups_per_s;
	double rss_kb;
	double pss_kb;
};

static int read_text(const char *path, char *buf, size_t len)
{
	FILE *f = fopen(path, "r");
	size_t n;

	if (!f)
		return -errno;
	n = fread(buf, 1, len - 1, f);
	buf[n] = '\0';
	fclose(f);
	return 0;
}

static int sample(pid_t pid, struct sample *ret)
{
	char path[256], buf[4096], *p;
	unsigned long long ut, st;
	struct sample s = { 0 };
	struct dirent *de;
	DIR *d;

	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	if (read_text(path, buf, sizeof(buf)))
		return -ESRCH;
	/* fields after the command name, which may hold spaces: state is field 3, utime 14 */
	p = strrchr(buf, ')');
	if (!p ||
	    sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu", &ut, &st) != 2)
		return -EIO;
	s.ticks = (double)(ut + st);
	snprintf(path, sizeof(path), "/proc/%d/task", pid);
	d = opendir(path);
	while (d && (de = readdir(d))) {
		unsigned long long run, wait, slices;
		char tpath[300];

		if (de->d_name[0] == '.')
			continue;
		snprintf(tpath, sizeof(tpath), "/proc/%d/task/%s/schedstat", pid, de->d_name);
		if (!read_text(tpath, buf, sizeof(buf)) &&
		    sscanf(buf, "%llu %llu %llu", &run, &wait, &slices) == 3) {
			s.run_ns += (double)run;
			s.switches += (double)slices;
		}
	}
	if (d)
		closedir(d);
	*ret = s;
	return 0;
}

static int memory(pid_t pid, double *ret_rss, double *ret_pss)
{
	char path[256], buf[8192], *p;

	snprintf(path, sizeof(path), "/proc/%d/smaps_rollup", pid);
	if (read_text(path, buf, sizeof(buf)))
		return -ESRCH;
	p = strstr(buf, "\nRss:");
	if (!p)
		return -EIO;
	*ret_rss = strtod(p + 5, NULL);
	p = strstr(buf, "\nPss:");
	if (!p)
		return -EIO;
	*ret_pss = strtod(p + 5, NULL);
	return 0;
}

/* Idle usage of each of @n daemons over @sec seconds. */
static int measure(const pid_t *pids, int n, double sec, struct usage *ret)
{
	struct sample *a = calloc((size_t)n, sizeof(*a)), b;
	long hz = sysconf(_SC_CLK_TCK);
	double t0, t1;
	int r = 0;

	if (!a)
		return -ENOMEM;
	t0 = bench_now();
	for (int i = 0; i < n && !r; i++)
		r = sample(pids[i], &a[i]);
	while (!r && bench_now() - t0 < sec)
		usleep(100000);
	t1 = bench_now();
	for (int i = 0; i < n && !r; i++) {
		r = sample(pids[i], &b);
		if (r)
			break;
		ret[i].cpu_pct = (b.ticks - a[i].ticks) / (double)hz / (t1 - t0) * 100;
		ret[i].cpu_us_per_s = (b.run_ns - a[i].run_ns) / 1e3 / (t1 - t0);
		ret[i].wakeups_per_s = (b.switches - a[i].switches) / (t1 - t0);
		r = memory(pids[i], &ret[i].rss_kb, &ret[i].pss_kb);
	}
	free(a);
	return r;
}

static void report(const char *what, const struct usage *one, const struct usage *many, int n)
{
	double *v = calloc((size_t)n, sizeof(double));
	struct {
		const char *name;
		const char *unit;
		size_t off;
	} f[] = {
		{ "idle CPU (stat ticks)", "%", offsetof(struct usage, cpu_pct) },
		{ "idle CPU (schedstat)", "us/s", offsetof(struct usage, cpu_us_per_s) },
		{ "wakeups", "/s", offsetof(struct usage, wakeups_per_s) },
		{ "RSS", "KiB", offsetof(struct usage, rss_kb) },
		{ "PSS", "KiB", offsetof(struct usage, pss_kb) },
	};

	if (!v)
		return;
	for (size_t k = 0; k < sizeof(f) / sizeof(f[0]); k++) {
		double base;

		memcpy(&base, (const char *)one + f[k].off, sizeof(base));
		char label[64];
		struct bench_stat s;

		for (int i = 0; i < n; i++)
			memcpy(&v[i], (const char *)&many[i] + f[k].off, sizeof(v[i]));
		snprintf(label, sizeof(label), "%s, %s", f[k].name, what);
		bench_line("instances", label, f[k].unit, v, (size_t)n);
		s = bench_stats(v, (size_t)n);
		printf("instances: %-28s %10.3g %-8s (one instance alone)", f[k].name, base,
		       f[k].unit);
		if (base > 0)
			printf("  ratio %.2fx\n", s.med / base);
		else
			printf("  ratio n/a (baseline 0)\n");
	}
	free(v);
}

int main(int argc, char **argv)
{
	const char *dopts[32] = { 0 };
	int n = 50, c;
	double sec = 10;
	size_t nd = 0;
	struct usage one, *many;
	char dir[600];
	pid_t *pids;
	const char *tmp;

	while ((c = getopt(argc, argv, "n:s:o:h")) != -1) {
		switch (c) {
		case 'n':
			n = atoi(optarg);
			break;
		case 's':
			sec = strtod(optarg, NULL);
			break;
		case 'o':
			if (nd < 31)
				dopts[nd++] = optarg;
			break;
		default:
			fprintf(stderr,
				"usage: %s [-n INSTANCES] [-s SECONDS] [-o DAEMON_OPTION]...\n",
				argv[0]);
			return c == 'h' ? 0 : 2;
		}
	}
	if (n < 1 || n > 200 || sec <= 0)
		return 2;
	tmp = bench_tmpdir();
	pids = calloc((size_t)n, sizeof(*pids));
	many = calloc((size_t)n, sizeof(*many));
	if (!tmp || !pids || !many)
		return 1;

	/* one alone: the baseline */
	snprintf(dir, sizeof(dir), "%s/one", tmp);
	pids[0] = bench_mount(dir, dopts);
	if (pids[0] < 0)
		return 1;
	sleep(1);
	if (measure(pids, 1, sec, &one))
		return 1;
	bench_unmount(dir);

	for (int i = 0; i < n; i++) {
		snprintf(dir, sizeof(dir), "%s/m%d", tmp, i);
		pids[i] = bench_mount(dir, dopts);
		if (pids[i] < 0)
			return 1;
	}
	sleep(1);
	if (measure(pids, n, sec, many))
		return 1;
	printf("instances: %d idle daemons for %.0f s (per instance: median over the instances) "
	       "against one alone; daemon options:",
	       n, sec);
	for (size_t i = 0; i < nd; i++)
		printf(" %s", dopts[i]);
	printf("%s\n", nd ? "" : " (none)");
	report("each of many", &one, many, n);
	bench_load_note("instances");
	bench_unmount_all();
	free(pids);
	free(many);
	return 0;
}
