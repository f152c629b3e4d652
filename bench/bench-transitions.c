// SPDX-License-Identifier: MIT
/*
 * bench-transitions - online/offline of empty memory blocks through the mount (open + write +
 * close of memoryN/state, no shell), next to the same transitions through libmemhp directly
 * (mhp_block_store_state()) in the same run.
 *
 * Both sides run the daemon's default machine (two nodes, the PCI hole, hot-pluggable ranges),
 * with page pools and the notifier error injector as the daemon has them, and probe the same
 * eight blocks at 12 GiB; those blocks hold no pages, so an offline migrates nothing.
 *
 * Usage: bench-transitions [-r ROUNDS] [-n TRANSITIONS] [-o DAEMON_OPTION]...
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "benchlib.h"
#include "memhp/memhp.h"
#include "memhp/pool.h"

#define GiB (1ULL << 30)
#define NBLOCKS 8
#define FIRST (12 * GiB)
#define BATCH 64

static const struct mhp_mem_range boot[] = {
	{ 0, 3 * GiB, 0 },
	{ 4 * GiB, 8 * GiB, 0 },
	{ 8 * GiB, 12 * GiB, 1 },
};
static const struct mhp_mem_range numa[] = {
	{ 12 * GiB, 20 * GiB, 0 },
	{ 20 * GiB, 28 * GiB, 1 },
};
static const struct mhp_mem_range reserved[] = {
	{ 3 * GiB, 4 * GiB, -1 },
};

struct lib {
	struct mhp_engine *e;
	struct mhp_pool *pool;
	struct mhp_inject *inj;
	struct mhp_block *b[NBLOCKS];
};

static int lib_new(struct lib *l)
{
	struct mhp_config cfg;
	int r;

	memset(l, 0, sizeof(*l));
	mhp_config_init(&cfg);
	cfg.nr_nodes = 2;
	cfg.cpu_nodes = 3;
	cfg.boot = boot;
	cfg.nr_boot = 3;
	cfg.numa = numa;
	cfg.nr_numa = 2;
	cfg.reserved = reserved;
	cfg.nr_reserved = 1;
	r = mhp_pool_new(&cfg, &l->pool);
	if (r)
		return r;
	cfg.mem_ops = mhp_pool_memory_ops();
	cfg.mem_ops_priv = l->pool;
	r = mhp_engine_new(&cfg, &l->e);
	if (r)
		return r;
	r = mhp_pool_register_subsystems(l->pool, l->e);
	if (!r)
		r = mhp_inject_new(l->e, 0, &l->inj);
	for (int i = 0; !r && i < NBLOCKS; i++) {
		uint64_t addr = FIRST + (uint64_t)i * mhp_engine_block_size(l->e);

		r = mhp_probe(l->e, addr);
		if (!r) {
			l->b[i] = mhp_block_get(l->e, addr / mhp_engine_block_size(l->e));
			r = l->b[i] ? 0 : -ENODEV;
		}
	}
	return r;
}

static void lib_free(struct lib *l)
{
	for (int i = 0; i < NBLOCKS; i++)
		mhp_block_put(l->b[i]);
	mhp_inject_free(l->inj);
	mhp_pool_unregister_subsystems(l->pool);
	mhp_engine_free(l->e);
	mhp_pool_free(l->pool);
}

/*
 * @n transitions from transition number @from on: even ones online a block, odd ones offline it
 * again.  Returns the seconds taken, or a negative errno.
 */
static double lib_run(struct lib *l, long from, long n)
{
	double t = bench_now();

	for (long i = from; i < from + n; i++) {
		struct mhp_block *b = l->b[(i / 2) % NBLOCKS];
		int r = mhp_block_store_state(l->e, b, i % 2 ? MHP_MMOP_OFFLINE : MHP_MMOP_ONLINE,
					      NULL);

		if (r) {
			fprintf(stderr, "bench-transitions: library: %s\n", strerror(-r));
			return r;
		}
	}
	return bench_now() - t;
}

static double mount_run(char paths[NBLOCKS][600], long from, long n)
{
	double t = bench_now();

	for (long i = from; i < from + n; i++) {
		const char *path = paths[(i / 2) % NBLOCKS];
		const char *word = i % 2 ? "offline" : "online";
		int fd = open(path, O_WRONLY);
		ssize_t w;

		if (fd < 0) {
			fprintf(stderr, "bench-transitions: open %s: %s\n", path, strerror(errno));
			return -errno;
		}
		w = write(fd, word, strlen(word));
		if (w < 0) {
			fprintf(stderr, "bench-transitions: %s > %s: %s\n", word, path,
				strerror(errno));
			close(fd);
			return -EIO;
		}
		close(fd);
	}
	return bench_now() - t;
}

static int probe_all(const char *mnt, char paths[NBLOCKS][600])
{
	char probe[600];

	snprintf(probe, sizeof(probe), "%s/probe", mnt);
	for (int i = 0; i < NBLOCKS; i++) {
		uint64_t addr = FIRST + (uint64_t)i * (128ULL << 20);
		char buf[32];
		int fd = open(probe, O_WRONLY);
		int len = snprintf(buf, sizeof(buf), "0x%llx", (unsigned long long)addr);

		if (fd < 0 || write(fd, buf, (size_t)len) != len) {
			fprintf(stderr, "bench-transitions: probe %s: %s\n", buf, strerror(errno));
			if (fd >= 0)
				close(fd);
			return -1;
		}
		close(fd);
		snprintf(paths[i], 600, "%s/memory%llu/state", mnt,
			 (unsigned long long)(addr >> 27));
	}
	return 0;
}

int main(int argc, char **argv)
{
	const char *dopts[32] = { 0 };
	char paths[NBLOCKS][600], mnt[512];
	long rounds = 7, ops = 1000;
	double *fs_rate, *lib_rate;
	struct lib l;
	const char *tmp;
	size_t nd = 0;
	bool met;
	int c, r;

	while ((c = getopt(argc, argv, "r:n:o:h")) != -1) {
		switch (c) {
		case 'r':
			rounds = strtol(optarg, NULL, 10);
			break;
		case 'n':
			ops = strtol(optarg, NULL, 10);
			break;
		case 'o':
			if (nd < 31)
				dopts[nd++] = optarg;
			break;
		default:
			fprintf(stderr,
				"usage: %s [-r ROUNDS] [-n TRANSITIONS] [-o DAEMON_OPTION]...\n",
				argv[0]);
			return c == 'h' ? 0 : 2;
		}
	}
	/* whole online+offline pairs */
	ops += ops % 2;
	if (rounds < 1 || ops < 2)
		return 2;
	r = lib_new(&l);
	if (r) {
		fprintf(stderr, "bench-transitions: library engine: %s\n", strerror(-r));
		return 1;
	}
	tmp = bench_tmpdir();
	if (!tmp)
		return 1;
	snprintf(mnt, sizeof(mnt), "%s/mhp", tmp);
	if (bench_mount(mnt, dopts) < 0 || probe_all(mnt, paths))
		return 1;
	fs_rate = calloc((size_t)rounds, sizeof(double));
	lib_rate = calloc((size_t)rounds, sizeof(double));
	if (!fs_rate || !lib_rate)
		return 1;

	/* warm up both (thread creation in the daemon, first metadata allocations) */
	if (mount_run(paths, 0, 2 * NBLOCKS) < 0 || lib_run(&l, 0, 2 * NBLOCKS) < 0)
		return 1;
	for (long rd = 0; rd < rounds; rd++) {
		double tf = 0, tl = 0, t;

		for (long done = 0; done < ops; done += BATCH) {
			long n = ops - done < BATCH ? ops - done : BATCH;

			t = mount_run(paths, done, n);
			if (t < 0)
				return 1;
			tf += t;
			t = lib_run(&l, done, n);
			if (t < 0)
				return 1;
			tl += t;
		}
		fs_rate[rd] = (double)ops / tf;
		lib_rate[rd] = (double)ops / tl;
	}
	printf("transitions: online/offline of %d empty blocks, %ld transitions x %ld rounds; "
	       "daemon options:",
	       NBLOCKS, ops, rounds);
	for (size_t i = 0; i < nd; i++)
		printf(" %s", dopts[i]);
	printf("%s\n", nd ? "" : " (none)");
	bench_report("transitions", "through the mount", "libmemhp directly", "trans/s", fs_rate,
		     lib_rate, (size_t)rounds, 0, false);
	{
		/* sorts fs_rate: after the report */
		struct bench_stat s = bench_stats(fs_rate, (size_t)rounds);

		met = s.med >= 2000;
		printf("transitions: through the mount %.0f trans/s (median)  target >= 2000/s: %s\n",
		       s.med, met ? "met" : "MISSED");
	}
	bench_load_note("transitions");
	bench_unmount(mnt);
	lib_free(&l);
	free(fs_rate);
	free(lib_rate);
	return met ? 0 : 3;
}
