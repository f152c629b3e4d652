// SPDX-License-Identifier: MIT
/*
 * bench-migrate - how fast an offline moves a 128 MiB block full of movable pages, next to what a
 * single-threaded memcpy of 128 MiB costs on the same machine in the same run, and what the pool's
 * per-page metadata costs.
 *
 * Two nodes of one 128 MiB block each; a tenant fills node 0's block, then the block is offlined
 * (its pages go to node 1: other nodes first), onlined, and the other block is offlined (pages come
 * back), several rounds.  Usage: bench-migrate [rounds]
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "memhp/memhp.h"
#include "memhp/pool.h"

#define MiB (1024ULL * 1024)
#define BLOCK (128 * MiB)
#define PAGES (BLOCK / MHP_PAGE_SIZE)
#define BASE (4096 * MiB)

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/*
 * The pool's hooks, timed: the migrate hook is the migration proper (copy and remap), the offline
 * hook gives the block's frames back to the host (hole punch).
 */
static const struct mhp_memory_ops *pool_ops;
static double migrate_sec, offline_sec;

static int timed_migrate(void *priv, const struct mhp_pfn_range *r, struct mhp_cancel *c)
{
	double t = now();
	int ret = pool_ops->migrate(priv, r, c);

	migrate_sec += now() - t;
	return ret;
}

static void timed_offline(void *priv, const struct mhp_pfn_range *r)
{
	double t = now();

	pool_ops->offline(priv, r);
	offline_sec += now() - t;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* Best-of-n single-thread memcpy bandwidth between two prefaulted 128 MiB buffers. */
static double memcpy_bandwidth(int rounds)
{
	unsigned char *src = malloc(BLOCK), *dst = malloc(BLOCK);
	double best = 0;
	int i;

	if (!src || !dst) {
		fprintf(stderr, "bench-migrate: out of memory\n");
		exit(1);
	}
	memset(src, 0x5a, BLOCK);
	memset(dst, 0xa5, BLOCK);
	for (i = 0; i < rounds; i++) {
		double t = now(), bw;

		memcpy(dst, src, BLOCK);
		bw = (double)BLOCK / (now() - t);
		if (bw > best)
			best = bw;
		src[i] ^= dst[BLOCK - 1 - (size_t)i]; /* keep the copies observable */
	}
	free(src);
	free(dst);
	return best;
}

/*
 * The floor under any migration into frames of one memfd: copying 128 MiB inside a memfd with
 * copy_file_range() (best of n), into a hole (every destination page is allocated on the way, as
 * for a migration into free frames) or, with @allocated, into pages fallocate() allocated first
 * (the copy alone: what a pool that kept its free frames allocated could reach at best).
 */
static double kernel_copy_bandwidth(int rounds, bool allocated)
{
	unsigned char *buf = malloc(BLOCK);
	int fd = memfd_create("bench-floor", MFD_CLOEXEC);
	double best = 0;
	int i;

	if (!buf || fd < 0 || ftruncate(fd, 2 * (off_t)BLOCK) < 0) {
		fprintf(stderr, "bench-migrate: memfd: %s\n", strerror(errno));
		exit(1);
	}
	memset(buf, 0x3c, BLOCK);
	if (pwrite(fd, buf, BLOCK, 0) != (ssize_t)BLOCK) {
		fprintf(stderr, "bench-migrate: pwrite: %s\n", strerror(errno));
		exit(1);
	}
	for (i = 0; i < rounds; i++) {
		loff_t in = 0, out = BLOCK;
		size_t done = 0;
		double t, bw;

		fallocate(fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, BLOCK, BLOCK);
		if (allocated && fallocate(fd, 0, BLOCK, BLOCK) < 0) {
			fprintf(stderr, "bench-migrate: fallocate: %s\n", strerror(errno));
			exit(1);
		}
		t = now();
		while (done < BLOCK) {
			ssize_t n = copy_file_range(fd, &in, fd, &out, BLOCK - done, 0);

			if (n <= 0)
				break;
			done += (size_t)n;
		}
		bw = (double)done / (now() - t);
		if (bw > best)
			best = bw;
	}
	close(fd);
	free(buf);
	return best;
}

static int offline_timed(struct mhp_engine *e, unsigned long id, double *ret_sec,
			 double *ret_migrate, double *ret_punch)
{
	struct mhp_block *b = mhp_block_get(e, id);
	double t;
	int r;

	if (!b)
		return -ENOENT;
	migrate_sec = offline_sec = 0;
	t = now();
	r = mhp_block_store_state(e, b, MHP_MMOP_OFFLINE, NULL);
	*ret_sec = now() - t;
	*ret_migrate = migrate_sec;
	*ret_punch = offline_sec;
	if (!r)
		r = mhp_block_store_state(e, b, MHP_MMOP_ONLINE, NULL);
	mhp_block_put(b);
	return r;
}

int main(int argc, char **argv)
{
	static const struct mhp_mem_range boot[] = {
		{ BASE, BASE + BLOCK, 0 },
		{ BASE + BLOCK, BASE + 2 * BLOCK, 1 },
	};
	int rounds = argc > 1 ? atoi(argv[1]) : 5, i, r;
	size_t meta_free, meta_full, meta_empty;
	struct mhp_config cfg;
	struct mhp_tenant *t;
	struct mhp_engine *e;
	struct mhp_pool *p;
	double *sec, *mig, *punch, memcpy_bw, floor_bw, alloc_bw, mig_bw, best = 1e9;
	struct mhp_memory_ops timed;
	unsigned long pfn;
	size_t k;

	if (rounds < 1)
		rounds = 1;
	sec = calloc((size_t)rounds, sizeof(*sec));
	mig = calloc((size_t)rounds, sizeof(*mig));
	punch = calloc((size_t)rounds, sizeof(*punch));
	mhp_config_init(&cfg);
	cfg.nr_nodes = 2;
	cfg.cpu_nodes = 1;
	cfg.boot = boot;
	cfg.nr_boot = 2;
	r = mhp_pool_new(&cfg, &p);
	if (r < 0 || !sec || !mig || !punch) {
		fprintf(stderr, "bench-migrate: pool: %s\n", strerror(-r));
		return 1;
	}
	meta_empty = mhp_pool_meta_bytes(p);
	pool_ops = mhp_pool_memory_ops();
	timed = *pool_ops;
	timed.migrate = timed_migrate;
	timed.offline = timed_offline;
	cfg.mem_ops = &timed;
	cfg.mem_ops_priv = p;
	r = mhp_engine_new(&cfg, &e);
	if (r < 0) {
		fprintf(stderr, "bench-migrate: engine: %s\n", strerror(-r));
		return 1;
	}
	meta_free = mhp_pool_meta_bytes(p);
	r = mhp_tenant_new(p, PAGES, &t);
	if (!r)
		r = mhp_tenant_populate(t, 0, PAGES, MHP_PAGE_MOVABLE, 0);
	if (r < 0) {
		fprintf(stderr, "bench-migrate: tenant: %s\n", strerror(-r));
		return 1;
	}
	meta_full = mhp_pool_meta_bytes(p);
	/* Every page written, so every frame really exists on the host. */
	mhp_tenant_access_begin(t);
	for (k = 0; k < PAGES; k++)
		memset((char *)mhp_tenant_base(t) + k * MHP_PAGE_SIZE, (int)(k & 0xff),
		       MHP_PAGE_SIZE);
	mhp_tenant_access_end(t);

	memcpy_bw = memcpy_bandwidth(5);
	floor_bw = kernel_copy_bandwidth(3, false);
	alloc_bw = kernel_copy_bandwidth(3, true);
	for (i = 0; i < rounds; i++) {
		r = mhp_tenant_page_pfn(t, 0, &pfn);
		if (!r)
			r = offline_timed(e, pfn * MHP_PAGE_SIZE / BLOCK, &sec[i], &mig[i],
					  &punch[i]);
		if (r < 0) {
			fprintf(stderr, "bench-migrate: offline: %s\n", strerror(-r));
			return 1;
		}
	}
	for (k = 0; k < PAGES; k++) {
		const unsigned char *pg =
			(const unsigned char *)mhp_tenant_base(t) + k * MHP_PAGE_SIZE;

		if (pg[0] != (k & 0xff) || pg[MHP_PAGE_SIZE - 1] != (k & 0xff)) {
			fprintf(stderr, "bench-migrate: page %zu damaged\n", k);
			return 1;
		}
	}
	qsort(sec, (size_t)rounds, sizeof(*sec), cmp_double);
	qsort(mig, (size_t)rounds, sizeof(*mig), cmp_double);
	qsort(punch, (size_t)rounds, sizeof(*punch), cmp_double);
	best = mig[0];
	mig_bw = (double)BLOCK / best;
	printf("offline of a 128 MiB block full of movable pages (%llu pages), %d rounds\n",
	       (unsigned long long)PAGES, rounds);
	printf("  memcpy, 1 thread     %6.0f MiB/s (best of 5)\n", memcpy_bw / MiB);
	printf("  migration (copy+remap, migrate hook)\n");
	printf("                       %6.0f MiB/s best, %6.0f MiB/s median (%.1f / %.1f ms)\n",
	       mig_bw / MiB, (double)BLOCK / mig[rounds / 2] / MiB, mig[0] * 1e3,
	       mig[rounds / 2] * 1e3);
	printf("  ratio to memcpy      %6.2f best, %6.2f median   (target >= 0.5)\n",
	       mig_bw / memcpy_bw, (double)BLOCK / mig[rounds / 2] / memcpy_bw);
	printf("  floor: copy_file_range of 128 MiB into a memfd hole %6.0f MiB/s; migration "
	       "reaches %.0f%% of it\n",
	       floor_bw / MiB, 100 * mig_bw / floor_bw);
	printf("  the same into allocated pages %6.0f MiB/s: ratio to memcpy %.2f, the most a "
	       "copy inside the memfd reaches\n",
	       alloc_bw / MiB, alloc_bw / memcpy_bw);
	printf("  hole punch (offline hook)  %.1f ms median\n", punch[rounds / 2] * 1e3);
	printf("  whole offline        %6.0f MiB/s best (%.1f ms), %.1f ms median; ratio %.2f\n",
	       (double)BLOCK / sec[0] / MiB, sec[0] * 1e3, sec[rounds / 2] * 1e3,
	       (double)BLOCK / sec[0] / memcpy_bw);
	printf("per-page metadata of an online block (pool side)\n");
	printf("  free block         %.2f bits/page (%zu bytes for %llu pages)\n",
	       (double)(meta_free - meta_empty) / 2 * 8 / PAGES, (meta_free - meta_empty) / 2,
	       (unsigned long long)PAGES);
	printf("  full block         %.2f bytes/page (reverse map)\n",
	       (double)(meta_full - meta_empty - (meta_free - meta_empty) / 2) / PAGES);
	printf("  tenant page table  %zu bytes/page\n", sizeof(unsigned long));

	mhp_tenant_free(t);
	mhp_engine_free(e);
	mhp_pool_free(p);
	free(sec);
	free(mig);
	free(punch);
	return 0;
}
