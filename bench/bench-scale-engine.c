// SPDX-License-Identifier: MIT
/*
 * bench/bench-scale-engine.c - the core alone at scale: how long mhp_engine_new() takes to boot a
 * machine of N blocks and how much memory it keeps per block, with and without the page pool
 * behind it (the daemon always has the pool).  bench-scale.sh measures the mounted daemon; this
 * separates the engine's share from the pool's and the FUSE layer's.
 *
 * usage: bench-scale-engine [BLOCK_SIZE_BYTES [N...]]   (default 32768; 1 65536 262144 1048576)
 *
 * Each machine: one node, boot memory [0, N * BLOCK_SIZE), phys_bits 52.  RSS is VmRSS of this
 * process before and after, so the figure includes malloc overhead; "1" is the baseline.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <memhp/memhp.h>
#include <memhp/pool.h>

static double now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static long rss_kb(void)
{
	FILE *f = fopen("/proc/self/status", "r");
	char line[256];
	long v = 0;

	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, "VmRSS:", 6))
			v = atol(line + 6);
	fclose(f);
	return v;
}

static void run(unsigned long long bs, unsigned long long n, bool pool)
{
	struct mhp_mem_range r = { 0, n * bs, 0 };
	struct mhp_engine *e = NULL;
	struct mhp_pool *p = NULL;
	struct mhp_config cfg;
	long before, after;
	double t0, t1;
	int ret = 0;

	mhp_config_init(&cfg);
	cfg.block_size = bs;
	cfg.phys_bits = 52;
	cfg.boot = &r;
	cfg.nr_boot = 1;
	before = rss_kb();
	t0 = now();
	if (pool) {
		ret = mhp_pool_new(&cfg, &p);
		cfg.mem_ops = mhp_pool_memory_ops();
		cfg.mem_ops_priv = p;
	}
	if (!ret)
		ret = mhp_engine_new(&cfg, &e);
	t1 = now();
	after = rss_kb();
	if (ret)
		printf("%-6s %9llu %10.3f   failed: %s\n", pool ? "pool" : "engine", n, t1 - t0,
		       strerror(-ret));
	else
		printf("%-6s %9llu %10.3f %10.1f %12.0f\n", pool ? "pool" : "engine", n, t1 - t0,
		       (double)(after - before) / 1024.0,
		       (double)(after - before) * 1024.0 / (double)n);
	mhp_engine_free(e);
	mhp_pool_free(p);
}

int main(int argc, char **argv)
{
	static const unsigned long long def[] = { 1, 65536, 262144, 1048576 };
	unsigned long long bs = argc > 1 ? strtoull(argv[1], NULL, 0) : 32768;

	printf("%-6s %9s %10s %10s %12s\n", "what", "blocks", "boot_s", "rss_MiB", "rss_B/block");
	for (int pool = 0; pool < 2; pool++) {
		if (argc > 2) {
			for (int i = 2; i < argc; i++)
				run(bs, strtoull(argv[i], NULL, 0), pool);
		} else {
			for (size_t i = 0; i < sizeof(def) / sizeof(def[0]); i++)
				run(bs, def[i], pool);
		}
	}
	return 0;
}
