// SPDX-License-Identifier: MIT
/*
 * Unit tests of the page pool (core/pool*.c): the allocator's zone and node rules, isolation,
 * migration of real bytes under fixed addresses, every way an offline can fail, hole punching,
 * metadata lifetime, the built-in subsystems and the workload generator.
 *
 * Blocks are 256 KiB (64 pages) so that everything stays small and fast.  "Direct" tests drive
 * the pool through its struct mhp_memory_ops the way the engine does; "engine" tests run real
 * offlines through a real engine with the pool plugged in.
 */
#include <check.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "memhp/pool.h"
#include "testutil.h"

#define BS (256 * TU_KiB)
#define BP ((unsigned long)(BS >> MHP_PAGE_SHIFT)) /* 64 pages per block */
#define PS MHP_PAGE_SIZE

/* ---- direct helpers --------------------------------------------------------------------------- */

static struct mhp_pool *pool;
static const struct mhp_memory_ops *ops;

static void direct_setup(void)
{
	struct mhp_config cfg;

	mhp_config_init(&cfg);
	cfg.block_size = BS;
	cfg.nr_nodes = 2;
	ck_assert_int_eq(mhp_pool_new(&cfg, &pool), 0);
	ops = mhp_pool_memory_ops();
}

static void direct_teardown(void)
{
	mhp_pool_free(pool);
	pool = NULL;
}

static struct mhp_pfn_range rng(unsigned long id, int nid, int zone)
{
	return (struct mhp_pfn_range){
		.start_pfn = id * BP, .nr_pages = BP, .nid = nid, .zone = zone
	};
}

static void online(unsigned long id, int nid, int zone)
{
	struct mhp_pfn_range r = rng(id, nid, zone);

	ck_assert_int_eq(ops->online(pool, &r), 0);
}

static int isolate(unsigned long id)
{
	struct mhp_pfn_range r = rng(id, 0, 0);

	return ops->isolate(pool, &r);
}

static void unisolate(unsigned long id)
{
	struct mhp_pfn_range r = rng(id, 0, 0);

	ops->unisolate(pool, &r);
}

static int migrate(unsigned long id, struct mhp_cancel *c)
{
	struct mhp_pfn_range r = rng(id, 0, 0);

	return ops->migrate(pool, &r, c);
}

static void offline(unsigned long id)
{
	struct mhp_pfn_range r = rng(id, 0, 0);

	ops->offline(pool, &r);
}

static unsigned long block_of(struct mhp_tenant *t, size_t idx)
{
	unsigned long pfn;

	ck_assert_int_eq(mhp_tenant_page_pfn(t, idx, &pfn), 0);
	return pfn / BP;
}

static struct mhp_pool_meminfo mi(int nid)
{
	struct mhp_pool_meminfo m;

	ck_assert_int_eq(mhp_pool_meminfo(pool, nid, &m), 0);
	return m;
}

static void fill_pattern(struct mhp_tenant *t, size_t idx, size_t nr, unsigned int salt)
{
	size_t i, w;

	mhp_tenant_access_begin(t);
	for (i = idx; i < idx + nr; i++) {
		uint64_t *page = (uint64_t *)mhp_tenant_base(t) + i * (PS / 8);

		for (w = 0; w < PS / 8; w++)
			page[w] = (i << 32) ^ w ^ ((uint64_t)salt << 56);
	}
	mhp_tenant_access_end(t);
}

static bool check_pattern(struct mhp_tenant *t, size_t idx, size_t nr, unsigned int salt)
{
	size_t i, w;

	for (i = idx; i < idx + nr; i++) {
		const uint64_t *page = (const uint64_t *)mhp_tenant_base(t) + i * (PS / 8);

		for (w = 0; w < PS / 8; w++)
			if (page[w] != ((i << 32) ^ w ^ ((uint64_t)salt << 56)))
				return false;
	}
	return true;
}

static struct mhp_tenant *tenant(size_t nr)
{
	struct mhp_tenant *t;

	ck_assert_int_eq(mhp_tenant_new(pool, nr, &t), 0);
	return t;
}

/* ---- allocator -------------------------------------------------------------------------------- */

START_TEST(test_unmovable_only_from_kernel_zones)
{
	struct mhp_tenant *t;

	online(100, 0, MHP_ZONE_MOVABLE);
	t = tenant(2 * BP);
	/* Only Movable memory: a kernel allocation does not fit, and nothing is left behind. */
	ck_assert_int_eq(mhp_tenant_populate(t, 0, 1, MHP_PAGE_UNMOVABLE, 0), -ENOMEM);
	ck_assert_uint_eq(mi(0).free, BP);
	ck_assert_int_eq(mhp_tenant_page_present(t, 0), 0);
	online(101, 0, MHP_ZONE_NORMAL);
	ck_assert_int_eq(mhp_tenant_populate(t, 0, 4, MHP_PAGE_UNMOVABLE, 0), 0);
	ck_assert_uint_eq(block_of(t, 0), 101);
	ck_assert_uint_eq(block_of(t, 3), 101);
	ck_assert_uint_eq(mi(0).unmovable, 4);
	ck_assert_uint_eq(mi(0).free, 2 * BP - 4);
}
END_TEST

START_TEST(test_movable_prefers_movable_then_falls_back)
{
	struct mhp_tenant *t;

	online(101, 0, MHP_ZONE_NORMAL);
	online(100, 0, MHP_ZONE_MOVABLE);
	t = tenant(2 * BP);
	ck_assert_int_eq(mhp_tenant_populate(t, 0, BP, MHP_PAGE_MOVABLE, 0), 0);
	ck_assert_uint_eq(block_of(t, 0), 100);
	ck_assert_uint_eq(block_of(t, BP - 1), 100);
	/* Movable is full: the next movable page comes from Normal. */
	ck_assert_int_eq(mhp_tenant_populate(t, BP, 1, MHP_PAGE_MOVABLE, 0), 0);
	ck_assert_uint_eq(block_of(t, BP), 101);
	ck_assert_uint_eq(mi(0).movable, BP + 1);
}
END_TEST

START_TEST(test_preferred_node_first_then_others)
{
	struct mhp_tenant *t = tenant(3 * BP);

	online(100, 0, MHP_ZONE_NORMAL);
	online(200, 1, MHP_ZONE_NORMAL);
	ck_assert_int_eq(mhp_tenant_populate(t, 0, 1, MHP_PAGE_MOVABLE, 1), 0);
	ck_assert_uint_eq(block_of(t, 0), 200);
	ck_assert_int_eq(mhp_tenant_populate(t, 1, BP, MHP_PAGE_UNMOVABLE, 1), 0);
	/* 63 pages fit on node 1, the last comes from node 0. */
	ck_assert_uint_eq(block_of(t, BP - 1), 200);
	ck_assert_uint_eq(block_of(t, BP), 100);
	ck_assert_uint_eq(mi(1).free, 0);
	ck_assert_uint_eq(mi(0).free, BP - 1);
}
END_TEST

START_TEST(test_enomem_is_all_or_nothing)
{
	struct mhp_tenant *t = tenant(2 * BP);

	online(100, 0, MHP_ZONE_NORMAL);
	ck_assert_int_eq(mhp_tenant_populate(t, 0, 10, MHP_PAGE_MOVABLE, 0), 0);
	ck_assert_int_eq(mhp_tenant_populate(t, 10, BP, MHP_PAGE_MOVABLE, 0), -ENOMEM);
	ck_assert_uint_eq(mi(0).free, BP - 10);
	ck_assert_uint_eq(mi(0).movable, 10);
	ck_assert_int_eq(mhp_tenant_page_present(t, 10), 0);
	ck_assert_int_eq(mhp_tenant_populate(t, 5, 10, MHP_PAGE_MOVABLE, 0), -EEXIST);
	ck_assert_int_eq(mhp_tenant_populate(t, 2 * BP - 1, 2, MHP_PAGE_MOVABLE, 0), -EINVAL);
	ck_assert_int_eq(mhp_tenant_populate(t, 20, 1, MHP_NR_PAGE_KINDS, 0), -EINVAL);
	ck_assert_int_eq(mhp_tenant_populate(t, 20, 1, MHP_PAGE_MOVABLE, 2), -EINVAL);
}
END_TEST

START_TEST(test_new_pages_read_zero_and_release_frees)
{
	struct mhp_tenant *t = tenant(BP);
	const unsigned char *base;
	size_t i;

	online(100, 0, MHP_ZONE_NORMAL);
	ck_assert_int_eq(mhp_tenant_populate(t, 0, BP, MHP_PAGE_MOVABLE, 0), 0);
	fill_pattern(t, 0, BP, 1);
	ck_assert_int_eq(mhp_tenant_release(t, 0, BP), 0);
	ck_assert_uint_eq(mi(0).free, BP);
	/* The same frames again: the old owner's bytes must be gone. */
	ck_assert_int_eq(mhp_tenant_populate(t, 0, BP, MHP_PAGE_MOVABLE, 0), 0);
	base = mhp_tenant_base(t);
	for (i = 0; i < BP * PS && !base[i]; i++)
		;
	ck_assert_uint_eq(i, BP * PS);
}
END_TEST

START_TEST(test_tenant_read_write_and_absent_pages)
{
	struct mhp_tenant *t = tenant(4);
	char buf[16];

	online(100, 0, MHP_ZONE_NORMAL);
	ck_assert_int_eq(mhp_tenant_populate(t, 0, 2, MHP_PAGE_MOVABLE, 0), 0);
	ck_assert_int_eq(mhp_tenant_write(t, PS - 4, "abcdefgh", 8), 0);
	ck_assert_int_eq(mhp_tenant_read(t, PS - 4, buf, 8), 0);
	ck_assert_mem_eq(buf, "abcdefgh", 8);
	ck_assert_int_eq(mhp_tenant_write(t, 2 * PS - 4, "abcdefgh", 8), -EFAULT);
	ck_assert_int_eq(mhp_tenant_read(t, 4 * PS - 4, buf, 8), -EINVAL);
	ck_assert_int_eq(mhp_tenant_page_present(t, 4), -EINVAL);
}
END_TEST

/* ---- isolation -------------------------------------------------------------------------------- */

START_TEST(test_isolated_block_is_skipped)
{
	struct mhp_tenant *t = tenant(2 * BP);

	online(100, 0, MHP_ZONE_NORMAL);
	online(101, 0, MHP_ZONE_NORMAL);
	ck_assert_int_eq(isolate(100), 0);
	ck_assert_uint_eq(mi(0).free, BP);
	ck_assert_uint_eq(mi(0).isolated, BP);
	ck_assert_int_eq(mhp_tenant_populate(t, 0, BP, MHP_PAGE_MOVABLE, 0), 0);
	ck_assert_uint_eq(block_of(t, 0), 101);
	ck_assert_uint_eq(block_of(t, BP - 1), 101);
	ck_assert_int_eq(mhp_tenant_populate(t, BP, 1, MHP_PAGE_MOVABLE, 0), -ENOMEM);
	unisolate(100);
	ck_assert_uint_eq(mi(0).isolated, 0);
	ck_assert_uint_eq(mi(0).free, BP);
	ck_assert_int_eq(mhp_tenant_populate(t, BP, 1, MHP_PAGE_MOVABLE, 0), 0);
	ck_assert_uint_eq(block_of(t, BP), 100);
}
END_TEST

START_TEST(test_isolate_fails_on_unmovable)
{
	struct mhp_tenant *t = tenant(2);

	online(100, 0, MHP_ZONE_NORMAL);
	ck_assert_int_eq(mhp_tenant_populate(t, 0, 1, MHP_PAGE_UNMOVABLE, 0), 0);
	ck_assert_int_eq(isolate(100), -EBUSY);
	/* Nothing changed: the block still allocates. */
	ck_assert_uint_eq(mi(0).isolated, 0);
	ck_assert_int_eq(mhp_tenant_populate(t, 1, 1, MHP_PAGE_MOVABLE, 0), 0);
	ck_assert_uint_eq(block_of(t, 1), 100);
	ck_assert_int_eq(mhp_tenant_release(t, 0, 1), 0);
	ck_assert_int_eq(isolate(100), 0);
}
END_TEST

/* ---- migration -------------------------------------------------------------------------------- */

START_TEST(test_migrate_moves_bytes_under_fixed_address)
{
	struct mhp_tenant *t = tenant(BP);
	void *base;

	online(100, 0, MHP_ZONE_MOVABLE);
	ck_assert_int_eq(mhp_tenant_populate(t, 0, BP, MHP_PAGE_MOVABLE, 0), 0);
	fill_pattern(t, 0, BP, 7);
	base = mhp_tenant_base(t);
	online(200, 1, MHP_ZONE_NORMAL);
	online(101, 0, MHP_ZONE_MOVABLE);
	ck_assert_int_eq(isolate(100), 0);
	ck_assert_int_eq(migrate(100, NULL), 0);
	/* Another node first: node 1 had room, so nothing went to block 101 of node 0. */
	ck_assert_uint_eq(block_of(t, 0), 200);
	ck_assert_uint_eq(block_of(t, BP - 1), 200);
	ck_assert_ptr_eq(mhp_tenant_base(t), base);
	ck_assert(check_pattern(t, 0, BP, 7));
	ck_assert_uint_eq(mi(1).movable, BP);
	ck_assert_uint_eq(mi(0).movable, 0);
	ck_assert_uint_eq(mi(0).used, BP); /* the isolated block still counts as used */
	offline(100);
	ck_assert_uint_eq(mi(0).total, BP);
	ck_assert_uint_eq(mi(0).free, BP);
	/* Still writable after the move. */
	fill_pattern(t, 0, BP, 8);
	ck_assert(check_pattern(t, 0, BP, 8));
	struct mhp_tenant_stats st;
	mhp_tenant_stats(t, &st);
	ck_assert_uint_eq(st.migrated, BP);
	ck_assert_uint_eq(st.present, BP);
}
END_TEST

/*
 * Mappings of the pool's memfd ("memhp-phys"): the allocator's own mappings do not count (a
 * sanitizer's allocator maps more of them for 70,000 blocks' structures).
 */
static unsigned long map_count(void)
{
	FILE *f = fopen("/proc/self/maps", "r");
	unsigned long n = 0;
	char line[4096];

	ck_assert_ptr_nonnull(f);
	while (fgets(line, sizeof(line), f))
		n += strstr(line, "/memfd:memhp-phys") != NULL;
	fclose(f);
	return n;
}

/*
 * More online blocks than vm.max_map_count (65530 by default) allows mappings: the pool's own view
 * of the frames must not cost a mapping per block, or such a machine cannot boot.
 */
START_TEST(test_many_blocks_share_mappings)
{
	const unsigned long nr = 70000;
	unsigned long before = map_count(), id;
	struct mhp_tenant *t;

	for (id = 0; id < nr; id++)
		online(id, 0, MHP_ZONE_NORMAL);
	/* 70,000 blocks of 256 KiB: a few 1 GiB windows, not a mapping per block */
	ck_assert_uint_gt(map_count(), before);
	ck_assert_uint_lt(map_count(), before + 100);
	ck_assert_uint_eq(mi(0).total, nr * BP);

	/* Frames far apart in the windows still move with their bytes. */
	t = tenant(1);
	ck_assert_int_eq(mhp_tenant_populate(t, 0, 1, MHP_PAGE_MOVABLE, 0), 0);
	fill_pattern(t, 0, 1, 9);
	id = block_of(t, 0);
	ck_assert_int_eq(isolate(id), 0);
	ck_assert_int_eq(migrate(id, NULL), 0);
	ck_assert_uint_ne(block_of(t, 0), id);
	ck_assert(check_pattern(t, 0, 1, 9));
}
END_TEST

START_TEST(test_migrate_same_node_only_when_alone)
{
	struct mhp_tenant *t = tenant(4);

	online(100, 0, MHP_ZONE_NORMAL);
	ck_assert_int_eq(mhp_tenant_populate(t, 0, 4, MHP_PAGE_MOVABLE, 0), 0);
	fill_pattern(t, 0, 4, 3);
	online(101, 0, MHP_ZONE_NORMAL);
	ck_assert_int_eq(isolate(100), 0);
	ck_assert_int_eq(migrate(100, NULL), 0);
	ck_assert_uint_eq(block_of(t, 0), 101);
	ck_assert(check_pattern(t, 0, 4, 3));
}
END_TEST

START_TEST(test_migrate_never_to_same_node_when_others_have_memory)
{
	struct mhp_tenant *t = tenant(BP + 1);
	struct mhp_tenant *filler = tenant(BP);

	online(100, 0, MHP_ZONE_NORMAL);
	online(200, 1, MHP_ZONE_NORMAL);
	ck_assert_int_eq(mhp_tenant_populate(filler, 0, BP, MHP_PAGE_UNMOVABLE, 1), 0);
	ck_assert_int_eq(mhp_tenant_populate(t, 0, 1, MHP_PAGE_MOVABLE, 0), 0);
	ck_assert_uint_eq(block_of(t, 0), 100);
	online(101, 0, MHP_ZONE_NORMAL);
	ck_assert_int_eq(isolate(100), 0);
	/* Node 1 is full and node 0 is excluded although block 101 is free: the kernel retries. */
	ck_assert_int_eq(migrate(100, NULL), -EAGAIN);
	ck_assert_uint_eq(block_of(t, 0), 100);
	ck_assert_int_eq(mhp_tenant_release(filler, 0, 1), 0);
	ck_assert_int_eq(migrate(100, NULL), 0);
	ck_assert_uint_eq(block_of(t, 0), 200);
}
END_TEST

START_TEST(test_migrate_runs_are_coalesced)
{
	struct mhp_tenant *t = tenant(BP);
	struct mhp_tenant *u = tenant(BP);
	size_t i;

	online(100, 0, MHP_ZONE_NORMAL);
	/* Interleave two tenants so that each one's pages are scattered in the source block. */
	for (i = 0; i < BP / 2; i++) {
		ck_assert_int_eq(mhp_tenant_populate(t, i, 1, MHP_PAGE_MOVABLE, 0), 0);
		ck_assert_int_eq(mhp_tenant_populate(u, i, 1, MHP_PAGE_MOVABLE, 0), 0);
	}
	fill_pattern(t, 0, BP / 2, 1);
	fill_pattern(u, 0, BP / 2, 2);
	online(200, 1, MHP_ZONE_NORMAL);
	ck_assert_int_eq(isolate(100), 0);
	ck_assert_int_eq(migrate(100, NULL), 0);
	ck_assert(check_pattern(t, 0, BP / 2, 1));
	ck_assert(check_pattern(u, 0, BP / 2, 2));
	/* Each tenant's pages are now one contiguous run of frames. */
	for (i = 1; i < BP / 2; i++) {
		unsigned long a, b;

		ck_assert_int_eq(mhp_tenant_page_pfn(t, i - 1, &a), 0);
		ck_assert_int_eq(mhp_tenant_page_pfn(t, i, &b), 0);
		ck_assert_uint_eq(b, a + 1);
	}
}
END_TEST

START_TEST(test_pinned_page_blocks_migration_until_unpinned)
{
	struct mhp_tenant *t = tenant(4);

	online(100, 0, MHP_ZONE_NORMAL);
	online(200, 1, MHP_ZONE_NORMAL);
	ck_assert_int_eq(mhp_tenant_populate(t, 0, 4, MHP_PAGE_MOVABLE, 0), 0);
	fill_pattern(t, 0, 4, 5);
	ck_assert_int_eq(mhp_tenant_pin(t, 1, 1), 0);
	ck_assert_uint_eq(mi(0).pinned, 1);
	ck_assert_int_eq(mhp_tenant_release(t, 0, 4), -EBUSY);
	/* Isolation succeeds (a pinned page in a kernel zone is not "unmovable" to it)... */
	ck_assert_int_eq(isolate(100), 0);
	/* ...but migration keeps failing: the others moved, the pinned one stays. */
	ck_assert_int_eq(migrate(100, NULL), -EAGAIN);
	ck_assert_int_eq(migrate(100, NULL), -EAGAIN);
	ck_assert_uint_eq(block_of(t, 0), 200);
	ck_assert_uint_eq(block_of(t, 1), 100);
	ck_assert_int_eq(mhp_tenant_unpin(t, 1, 1), 0);
	ck_assert_int_eq(mhp_tenant_unpin(t, 1, 1), -EINVAL);
	ck_assert_uint_eq(mi(0).pinned, 0);
	ck_assert_int_eq(migrate(100, NULL), 0);
	ck_assert_uint_eq(block_of(t, 1), 200);
	ck_assert(check_pattern(t, 0, 4, 5));
}
END_TEST

START_TEST(test_pin_in_movable_migrates_to_kernel_zone)
{
	struct mhp_tenant *t = tenant(4);

	online(100, 0, MHP_ZONE_MOVABLE);
	ck_assert_int_eq(mhp_tenant_populate(t, 0, 4, MHP_PAGE_MOVABLE, 0), 0);
	fill_pattern(t, 0, 4, 9);
	/* No kernel zone anywhere: FOLL_LONGTERM cannot pin. */
	ck_assert_int_eq(mhp_tenant_pin(t, 0, 2), -ENOMEM);
	ck_assert_uint_eq(mi(0).pinned, 0);
	online(200, 1, MHP_ZONE_NORMAL);
	online(101, 0, MHP_ZONE_NORMAL);
	ck_assert_int_eq(mhp_tenant_pin(t, 0, 2), 0);
	/* Same node first for a pin. */
	ck_assert_uint_eq(block_of(t, 0), 101);
	ck_assert_uint_eq(block_of(t, 1), 101);
	ck_assert_uint_eq(block_of(t, 2), 100);
	ck_assert(check_pattern(t, 0, 4, 9));
	ck_assert_uint_eq(mi(0).pinned, 2);
	ck_assert_int_eq(mhp_tenant_pin(t, 3, 2), -EINVAL);
}
END_TEST

START_TEST(test_transient_reference_retries)
{
	struct mhp_tenant *t = tenant(2);
	void *frame;

	online(100, 0, MHP_ZONE_MOVABLE);
	online(200, 1, MHP_ZONE_MOVABLE);
	ck_assert_int_eq(mhp_tenant_populate(t, 0, 2, MHP_PAGE_MOVABLE, 0), 0);
	fill_pattern(t, 0, 2, 4);
	ck_assert_int_eq(mhp_tenant_get_ref(t, 0, &frame), 0);
	/* The frame seen through the pool's mapping is the tenant's page. */
	ck_assert_mem_eq(frame, mhp_tenant_base(t), PS);
	/* In ZONE_MOVABLE too: isolation succeeds, migration waits. */
	ck_assert_int_eq(isolate(100), 0);
	ck_assert_int_eq(migrate(100, NULL), -EAGAIN);
	ck_assert_uint_eq(block_of(t, 0), 100);
	ck_assert_uint_eq(block_of(t, 1), 200);
	ck_assert_int_eq(mhp_tenant_put_ref(t, 0), 0);
	ck_assert_int_eq(mhp_tenant_put_ref(t, 0), -EINVAL);
	ck_assert_int_eq(migrate(100, NULL), 0);
	ck_assert(check_pattern(t, 0, 2, 4));
	ck_assert_int_eq(mhp_tenant_get_ref(t, 1, NULL), 0);
	ck_assert_int_eq(mhp_tenant_release(t, 1, 1), -EBUSY);
}
END_TEST

START_TEST(test_cache_pages_drop)
{
	struct mhp_tenant *t = tenant(8);
	struct mhp_tenant_stats st;

	online(100, 0, MHP_ZONE_NORMAL);
	ck_assert_int_eq(mhp_tenant_populate(t, 0, 4, MHP_PAGE_CACHE, 0), 0);
	ck_assert_int_eq(mhp_tenant_populate(t, 4, 2, MHP_PAGE_MOVABLE, 0), 0);
	ck_assert_int_eq(mhp_tenant_get_ref(t, 3, NULL), 0);
	ck_assert_uint_eq(mi(0).cache, 4);
	/* Referenced cache pages are not dropped; movable pages are never dropped. */
	ck_assert_uint_eq(mhp_pool_drop_cache(pool, 100 * BP, BP), 3);
	ck_assert_int_eq(mhp_tenant_page_present(t, 0), 0);
	ck_assert_int_eq(mhp_tenant_page_present(t, 3), 1);
	ck_assert_int_eq(mhp_tenant_page_present(t, 4), 1);
	ck_assert_uint_eq(mi(0).cache, 1);
	ck_assert_uint_eq(mi(0).free, BP - 3);
	mhp_tenant_stats(t, &st);
	ck_assert_uint_eq(st.dropped, 3);
	ck_assert_uint_eq(st.present, 3);
	/* Not the block's range: nothing. */
	ck_assert_uint_eq(mhp_pool_drop_cache(pool, 101 * BP, BP), 0);
}
END_TEST

START_TEST(test_cancel_during_migration)
{
	struct mhp_tenant *t = tenant(BP);
	struct mhp_cancel c;

	mhp_cancel_init(&c);
	online(100, 0, MHP_ZONE_NORMAL);
	online(200, 1, MHP_ZONE_NORMAL);
	ck_assert_int_eq(mhp_tenant_populate(t, 0, BP, MHP_PAGE_MOVABLE, 0), 0);
	mhp_cancel_raise(&c);
	ck_assert_int_eq(isolate(100), 0);
	/* The pass stops after the first tenant and reports "not done"; the engine says EINTR. */
	ck_assert_int_eq(migrate(100, &c), -EAGAIN);
	mhp_cancel_destroy(&c);
}
END_TEST

/* ---- host memory and metadata ----------------------------------------------------------------- */

static uint64_t host(void)
{
	uint64_t b;

	ck_assert_int_eq(mhp_pool_host_bytes(pool, &b), 0);
	return b;
}

START_TEST(test_offline_punches_frames)
{
	struct mhp_tenant *t = tenant(BP);
	uint64_t before;

	online(100, 0, MHP_ZONE_NORMAL);
	online(200, 1, MHP_ZONE_NORMAL);
	ck_assert_uint_eq(host(), 0); /* MAP_NORESERVE memfd: nothing touched yet */
	ck_assert_int_eq(mhp_tenant_populate(t, 0, BP, MHP_PAGE_MOVABLE, 0), 0);
	fill_pattern(t, 0, BP, 1);
	before = host();
	ck_assert_uint_eq(before, BS);
	ck_assert_int_eq(isolate(100), 0);
	ck_assert_int_eq(migrate(100, NULL), 0);
	/* Each source frame goes back to the host as soon as its page has moved (the kernel frees a
	 * migrated page at once): the host never holds the block twice. */
	ck_assert_uint_eq(host(), BS);
	offline(100);
	ck_assert_uint_eq(host(), BS);
	ck_assert(check_pattern(t, 0, BP, 1));
	/* Dropping the tenant and offlining the other block gives everything back. */
	mhp_tenant_free(t);
	ck_assert_int_eq(isolate(200), 0);
	ck_assert_int_eq(migrate(200, NULL), 0);
	offline(200);
	ck_assert_uint_eq(host(), 0);
}
END_TEST

/*
 * An offline that fails after some pages moved (one stays referenced) leaves their source frames
 * free in a block that comes back online: like every free frame they must read zero when they are
 * allocated again, never the bytes of the pages that left.
 */
START_TEST(test_failed_offline_leaves_no_bytes_behind)
{
	struct mhp_tenant *t = tenant(BP), *again = tenant(BP);
	const unsigned char *base;
	size_t i;

	online(100, 0, MHP_ZONE_MOVABLE);
	online(200, 1, MHP_ZONE_MOVABLE);
	ck_assert_int_eq(mhp_tenant_populate(t, 0, BP, MHP_PAGE_MOVABLE, 0), 0);
	fill_pattern(t, 0, BP, 6);
	ck_assert_int_eq(mhp_tenant_get_ref(t, 0, NULL), 0);
	ck_assert_int_eq(isolate(100), 0);
	ck_assert_int_eq(migrate(100, NULL), -EAGAIN);
	unisolate(100); /* the offline gives up: the block stays online */
	ck_assert_uint_eq(block_of(t, 0), 100);
	ck_assert_uint_eq(block_of(t, 1), 200);
	ck_assert_uint_eq(host(), BP * PS); /* the moved pages are not held twice */
	ck_assert_uint_eq(mi(0).free, BP - 1);
	ck_assert_int_eq(mhp_tenant_populate(again, 0, BP - 1, MHP_PAGE_MOVABLE, 0), 0);
	for (i = 0; i < BP - 1; i++)
		ck_assert_uint_eq(block_of(again, i), 100);
	base = mhp_tenant_base(again);
	for (i = 0; i < (BP - 1) * PS && !base[i]; i++)
		;
	ck_assert_uint_eq(i, (BP - 1) * PS);
	ck_assert(check_pattern(t, 0, BP, 6));
	ck_assert_int_eq(mhp_tenant_put_ref(t, 0), 0);
}
END_TEST

START_TEST(test_metadata_only_for_online_blocks)
{
	struct mhp_config cfg;
	struct mhp_pool *big;
	struct mhp_pfn_range r = {
		.start_pfn = 32768 * 4, .nr_pages = 32768, .nid = 0, .zone = MHP_ZONE_NORMAL
	};
	size_t empty, header, used;
	struct mhp_tenant *t;

	/* 128 MiB blocks, as on x86-64. */
	mhp_config_init(&cfg);
	ck_assert_int_eq(mhp_pool_new(&cfg, &big), 0);
	empty = mhp_pool_meta_bytes(big);
	ck_assert_int_eq(ops->online(big, &r), 0);
	header = mhp_pool_meta_bytes(big);
	/* An entirely free block costs its fixed header and nothing per page. */
	ck_assert_uint_gt(header, empty);
	ck_assert_uint_le(header - empty, 128);
	/*
	 * With a used page: a bit per page plus a pointer per 64 pages, and the reverse map of the
	 * one 64-page group in use.
	 */
	ck_assert_int_eq(mhp_tenant_new(big, 1, &t), 0);
	ck_assert_int_eq(mhp_tenant_populate(t, 0, 1, MHP_PAGE_MOVABLE, 0), 0);
	used = mhp_pool_meta_bytes(big);
	ck_assert_uint_ge(used - header, 32768 / 8 + 32768 / 64 * 8 + 64 * 24);
	ck_assert_uint_le(used - header, 32768 / 8 + 32768 / 64 * 8 + 64 * 24 + 512);
	/* The last used page takes the per-page state along. */
	ck_assert_int_eq(mhp_tenant_release(t, 0, 1), 0);
	ck_assert_uint_eq(mhp_pool_meta_bytes(big), header);
	mhp_tenant_free(t);
	ck_assert_int_eq(ops->isolate(big, &r), 0);
	ck_assert_int_eq(ops->migrate(big, &r, NULL), 0);
	ops->offline(big, &r);
	ck_assert_uint_eq(mhp_pool_meta_bytes(big), empty);
	mhp_pool_free(big);
}
END_TEST

START_TEST(test_online_errors)
{
	struct mhp_pfn_range r = rng(100, 0, MHP_ZONE_NORMAL);
	struct mhp_pfn_range cross = {
		.start_pfn = 100 * BP + 1, .nr_pages = BP, .nid = 0, .zone = MHP_ZONE_NORMAL
	};

	ck_assert_int_eq(ops->online(pool, &r), 0);
	ck_assert_int_eq(ops->online(pool, &r), -EEXIST);
	ck_assert_int_eq(ops->online(pool, &cross), -EINVAL);
	ck_assert_uint_eq(mi(MHP_NUMA_NO_NODE).total, BP);
	ck_assert_int_eq(mhp_pool_meminfo(pool, 2, &(struct mhp_pool_meminfo){ 0 }), -EINVAL);
}
END_TEST

/* ---- with the engine -------------------------------------------------------------------------- */

/*
 * Two nodes, 256 KiB blocks: node 0 boot [4 GiB, 4 GiB + 1 MiB) = blocks 16384..16387, node 1
 * boot [4 GiB + 1 MiB, 4 GiB + 2 MiB) = blocks 16388..16391, all Normal.
 */
static const struct mhp_mem_range eboot[] = {
	{ 4 * TU_GiB, 4 * TU_GiB + TU_MiB, 0 },
	{ 4 * TU_GiB + TU_MiB, 4 * TU_GiB + 2 * TU_MiB, 1 },
};

#define B0 16384UL /* first block of node 0 */
#define B1 16388UL /* first block of node 1 */
#define HOT (8 * TU_GiB) /* hot-add address: block 32768 */
#define HOT_ID 32768UL

static struct mhp_engine *eng;

static void engine_setup(void)
{
	struct mhp_config cfg;

	mhp_config_init(&cfg);
	cfg.block_size = BS;
	cfg.nr_nodes = 2;
	cfg.cpu_nodes = 1;
	cfg.boot = eboot;
	cfg.nr_boot = 2;
	ck_assert_int_eq(mhp_pool_new(&cfg, &pool), 0);
	cfg.mem_ops = mhp_pool_memory_ops();
	cfg.mem_ops_priv = pool;
	eng = tu_engine_new(&cfg);
	ops = cfg.mem_ops;
}

static void engine_teardown(void)
{
	mhp_engine_free(eng);
	eng = NULL;
	mhp_pool_free(pool);
	pool = NULL;
}

START_TEST(test_engine_boot_blocks_are_in_the_pool)
{
	ck_assert_uint_eq(mi(0).total, 4 * BP);
	ck_assert_uint_eq(mi(1).total, 4 * BP);
	ck_assert_uint_eq(mi(0).free, 4 * BP);
	ck_assert_uint_eq(mi(0).blocks, 4);
}
END_TEST

START_TEST(test_engine_offline_migrates_and_onlines_back)
{
	struct mhp_tenant *t = tenant(BP);
	char ev[512];

	ck_assert_int_eq(mhp_tenant_populate(t, 0, BP, MHP_PAGE_MOVABLE, 0), 0);
	ck_assert_uint_eq(block_of(t, 0), B0 + 3); /* the newest list head */
	fill_pattern(t, 0, BP, 2);
	tu_events_drain(eng);
	ck_assert_int_eq(tu_store_state(eng, B0 + 3, MHP_MMOP_OFFLINE), 0);
	ck_assert_int_eq(tu_state(eng, B0 + 3), MHP_STATE_OFFLINE);
	ck_assert_uint_ge(block_of(t, 0), B1);
	ck_assert(check_pattern(t, 0, BP, 2));
	ck_assert_uint_eq(mi(0).total, 3 * BP);
	ck_assert_uint_eq(mi(1).movable, BP);
	ck_assert_str_eq(tu_events_str(eng, ev, sizeof(ev)),
			 "offline:/devices/system/memory/memory16387");
	ck_assert_int_eq(tu_store_state(eng, B0 + 3, MHP_MMOP_ONLINE), 0);
	ck_assert_uint_eq(mi(0).total, 4 * BP);
	ck_assert_uint_eq(mi(0).free, 4 * BP);
}
END_TEST

START_TEST(test_engine_unmovable_gives_ebusy_without_events)
{
	struct mhp_tenant *t = tenant(1);
	struct tu_recorder rec;
	struct tu_log log;
	char buf[256];

	tu_log_init(&log);
	tu_recorder_register(eng, &rec, &log, "r", 0);
	ck_assert_int_eq(mhp_tenant_populate(t, 0, 1, MHP_PAGE_UNMOVABLE, 0), 0);
	ck_assert_int_eq(tu_store_state(eng, block_of(t, 0), MHP_MMOP_OFFLINE), -EBUSY);
	ck_assert_int_eq(tu_state(eng, block_of(t, 0)), MHP_STATE_ONLINE);
	/* Isolation failed: no notifier event at all (SPEC §4.4 step 4). */
	ck_assert_str_eq(tu_log_str(&log, buf, sizeof(buf)), "");
	ck_assert_uint_eq(mi(0).isolated, 0);
	tu_recorder_unregister(eng, &rec);
	tu_log_destroy(&log);
}
END_TEST

struct raiser {
	struct mhp_cancel *c;
	unsigned int usec;
};

static void *raise_later(void *arg)
{
	struct raiser *r = arg;

	usleep(r->usec);
	mhp_cancel_raise(r->c);
	return NULL;
}

START_TEST(test_engine_pinned_page_loops_until_eintr)
{
	struct mhp_tenant *t = tenant(BP);
	struct mhp_pool_meminfo before;
	struct tu_recorder rec;
	struct mhp_cancel c;
	struct tu_log log;
	struct raiser rs = { &c, 30000 };
	struct mhp_block *b;
	unsigned long id;
	pthread_t th;
	char buf[256];

	tu_log_init(&log);
	tu_recorder_register(eng, &rec, &log, "r", 0);
	mhp_cancel_init(&c);
	ck_assert_int_eq(mhp_tenant_populate(t, 0, BP, MHP_PAGE_MOVABLE, 0), 0);
	fill_pattern(t, 0, BP, 6);
	ck_assert_int_eq(mhp_tenant_pin(t, 10, 1), 0);
	id = block_of(t, 10);
	before = mi(0);
	b = tu_block(eng, id);
	ck_assert_int_eq(pthread_create(&th, NULL, raise_later, &rs), 0);
	ck_assert_int_eq(mhp_block_store_state(eng, b, MHP_MMOP_OFFLINE, &c), -EINTR);
	pthread_join(th, NULL);
	ck_assert_int_eq(mhp_block_state(b), MHP_STATE_ONLINE);
	ck_assert_str_eq(tu_log_str(&log, buf, sizeof(buf)), "r:GOING_OFFLINE r:CANCEL_OFFLINE");
	/* The other pages moved, the pinned one stayed; nothing is isolated any more. */
	ck_assert_uint_eq(block_of(t, 10), id);
	ck_assert_uint_ne(block_of(t, 11), id);
	ck_assert(check_pattern(t, 0, BP, 6));
	ck_assert_uint_eq(mi(0).isolated, 0);
	ck_assert_uint_eq(mi(0).total, before.total);
	/* The block allocates again. */
	ck_assert_uint_eq(mi(0).free + mi(1).free, 8 * BP - BP);
	mhp_block_put(b);
	mhp_cancel_destroy(&c);
	tu_recorder_unregister(eng, &rec);
	tu_log_destroy(&log);
}
END_TEST

struct putter {
	struct mhp_tenant *t;
	size_t idx;
};

static void *put_later(void *arg)
{
	struct putter *p = arg;

	usleep(20000);
	mhp_tenant_put_ref(p->t, p->idx);
	return NULL;
}

START_TEST(test_engine_transient_reference_waits_then_succeeds)
{
	struct mhp_tenant *t = tenant(4);
	struct putter pu = { t, 2 };
	unsigned long id;
	pthread_t th;

	ck_assert_int_eq(mhp_tenant_populate(t, 0, 4, MHP_PAGE_MOVABLE, 0), 0);
	fill_pattern(t, 0, 4, 1);
	ck_assert_int_eq(mhp_tenant_get_ref(t, 2, NULL), 0);
	id = block_of(t, 2);
	ck_assert_int_eq(pthread_create(&th, NULL, put_later, &pu), 0);
	ck_assert_int_eq(tu_store_state(eng, id, MHP_MMOP_OFFLINE), 0);
	pthread_join(th, NULL);
	ck_assert_uint_ne(block_of(t, 2), id);
	ck_assert(check_pattern(t, 0, 4, 1));
}
END_TEST

START_TEST(test_engine_veto_restores_everything)
{
	struct mhp_tenant *t = tenant(4);
	struct tu_recorder rec;
	struct tu_log log;
	unsigned long id;

	tu_log_init(&log);
	tu_recorder_register(eng, &rec, &log, "r", 0);
	tu_recorder_set_ret(&rec, MHP_MEM_GOING_OFFLINE, mhp_notifier_from_errno(-ENOMEM));
	ck_assert_int_eq(mhp_tenant_populate(t, 0, 4, MHP_PAGE_MOVABLE, 0), 0);
	id = block_of(t, 0);
	ck_assert_int_eq(tu_store_state(eng, id, MHP_MMOP_OFFLINE), -ENOMEM);
	/* Vetoed before migration: the pages did not move and the block is not isolated. */
	ck_assert_uint_eq(block_of(t, 0), id);
	ck_assert_uint_eq(mi(MHP_NUMA_NO_NODE).isolated, 0);
	ck_assert_uint_eq(mi(MHP_NUMA_NO_NODE).free, 8 * BP - 4);
	tu_recorder_unregister(eng, &rec);
	tu_log_destroy(&log);
}
END_TEST

START_TEST(test_engine_hot_add_movable_and_remove_punches)
{
	struct mhp_tenant *t = tenant(BP);
	uint64_t h;

	ck_assert_int_eq(mhp_add_memory(eng, 0, HOT, BS, 0, -1), 0);
	ck_assert_int_eq(tu_store_state(eng, HOT_ID, MHP_MMOP_ONLINE_MOVABLE), 0);
	ck_assert_uint_eq(mi(0).total, 5 * BP);
	ck_assert_int_eq(mhp_tenant_populate(t, 0, BP, MHP_PAGE_MOVABLE, 0), 0);
	ck_assert_uint_eq(block_of(t, 0), HOT_ID); /* Movable first */
	fill_pattern(t, 0, BP, 3);
	ck_assert_int_eq(mhp_offline_and_remove_memory(eng, HOT, BS, NULL), 0);
	ck_assert(check_pattern(t, 0, BP, 3));
	ck_assert_uint_eq(mi(0).total, 4 * BP);
	ck_assert_int_eq(mhp_pool_host_bytes(pool, &h), 0);
	ck_assert_uint_eq(h, BS);
}
END_TEST

START_TEST(test_engine_reference_layout)
{
	struct mhp_config cfg;
	struct mhp_engine *e;
	struct mhp_pool *p;
	struct mhp_pool_meminfo m;
	struct mhp_tenant *t;
	unsigned long pfn;

	/* 128 MiB blocks, block 0 split over DMA and DMA32, a PCI hole: as the reference VM. */
	tu_config_two_node(&cfg);
	ck_assert_int_eq(mhp_pool_new(&cfg, &p), 0);
	cfg.mem_ops = mhp_pool_memory_ops();
	cfg.mem_ops_priv = p;
	e = tu_engine_new(&cfg);
	ck_assert_int_eq(mhp_pool_meminfo(p, 0, &m), 0);
	ck_assert_uint_eq(m.total, 1835008);
	ck_assert_uint_eq(m.blocks, 24 + 32 + 1); /* memory0 is two ranges: DMA, DMA32 */
	ck_assert_int_eq(mhp_pool_meminfo(p, 1, &m), 0);
	ck_assert_uint_eq(m.total, 1048576);
	ck_assert_int_eq(mhp_tenant_new(p, 1, &t), 0);
	ck_assert_int_eq(mhp_tenant_populate(t, 0, 1, MHP_PAGE_UNMOVABLE, 0), 0);
	ck_assert_int_eq(mhp_tenant_page_pfn(t, 0, &pfn), 0);
	/* Normal before DMA32 before DMA. */
	ck_assert_uint_ge(pfn, TU_PFN(4 * TU_GiB));
	ck_assert_int_eq(tu_store_state(e, 5, MHP_MMOP_OFFLINE), 0);
	ck_assert_int_eq(tu_store_state(e, 0, MHP_MMOP_OFFLINE), -EINVAL);
	ck_assert_int_eq(mhp_pool_meminfo(p, 0, &m), 0);
	ck_assert_uint_eq(m.total, 1835008 - TU_BLOCK_PAGES);
	mhp_engine_free(e);
	mhp_pool_free(p);
}
END_TEST

/* ---- built-in subsystems ---------------------------------------------------------------------- */

START_TEST(test_subsys_slab_node_structure_on_first_memory)
{
	ck_assert_int_eq(mhp_pool_register_subsystems(pool, eng), 0);
	ck_assert_int_eq(mhp_pool_register_subsystems(pool, eng), -EALREADY);
	ck_assert(mhp_slab_node_ready(pool, 0));
	ck_assert(mhp_slab_node_ready(pool, 1));
	mhp_pool_unregister_subsystems(pool);
	mhp_pool_unregister_subsystems(pool);
	ck_assert_int_eq(mhp_pool_register_subsystems(pool, eng), 0);
}
END_TEST

START_TEST(test_subsys_slab_objects_pin_their_block)
{
	void *obj[20];
	unsigned int i;
	unsigned long id;
	struct mhp_tenant *probe = tenant(1);

	ck_assert_int_eq(mhp_pool_register_subsystems(pool, eng), 0);
	for (i = 0; i < 20; i++)
		ck_assert_int_eq(mhp_slab_alloc(pool, 0, &obj[i]), 0);
	ck_assert_uint_eq(mi(0).slab, 2); /* 16 objects of 256 bytes per page */
	ck_assert_uint_eq(mi(0).unmovable, 0);
	memset(obj[19], 0x5a, MHP_SLAB_OBJECT_SIZE);
	/* Where is the slab?  The next kernel page lands right after it. */
	ck_assert_int_eq(mhp_tenant_populate(probe, 0, 1, MHP_PAGE_UNMOVABLE, 0), 0);
	id = block_of(probe, 0);
	ck_assert_int_eq(mhp_tenant_release(probe, 0, 1), 0);
	ck_assert_int_eq(tu_store_state(eng, id, MHP_MMOP_OFFLINE), -EBUSY);
	for (i = 0; i < 20; i++)
		ck_assert_int_eq(mhp_slab_free(pool, obj[i]), 0);
	ck_assert_int_eq(mhp_slab_free(pool, obj[0]), -EINVAL);
	/* Empty slabs are kept until asked... */
	ck_assert_uint_eq(mi(0).slab, 2);
	ck_assert_uint_eq(mhp_slab_shrink(pool), 2);
	ck_assert_uint_eq(mi(0).slab, 0);
	ck_assert_int_eq(tu_store_state(eng, id, MHP_MMOP_OFFLINE), 0);
}
END_TEST

START_TEST(test_subsys_slab_shrinks_on_going_offline)
{
	void *obj;

	ck_assert_int_eq(mhp_pool_register_subsystems(pool, eng), 0);
	ck_assert_int_eq(mhp_slab_alloc(pool, 1, &obj), 0);
	ck_assert_int_eq(mhp_slab_free(pool, obj), 0);
	ck_assert_uint_eq(mi(1).slab, 1);
	/* Any offline runs MEM_GOING_OFFLINE, and the slab callback frees its empty slabs. */
	ck_assert_int_eq(tu_store_state(eng, B0, MHP_MMOP_OFFLINE), 0);
	ck_assert_uint_eq(mi(1).slab, 0);
}
END_TEST

START_TEST(test_subsys_slab_node_created_when_node_gets_memory)
{
	unsigned long i;

	/* Node 1 without memory when the subsystems start: no structure for it. */
	for (i = 0; i < 4; i++)
		ck_assert_int_eq(tu_store_state(eng, B1 + i, MHP_MMOP_OFFLINE), 0);
	ck_assert_uint_eq(mi(1).total, 0);
	ck_assert_int_eq(mhp_pool_register_subsystems(pool, eng), 0);
	ck_assert(mhp_slab_node_ready(pool, 0));
	ck_assert(!mhp_slab_node_ready(pool, 1));
	/* status_change_nid = 1 on MEM_GOING_ONLINE: the structure appears. */
	ck_assert_int_eq(tu_store_state(eng, B1 + 2, MHP_MMOP_ONLINE), 0);
	ck_assert(mhp_slab_node_ready(pool, 1));
	/* The kernel keeps it after the node's last memory left. */
	ck_assert_int_eq(tu_store_state(eng, B1 + 2, MHP_MMOP_OFFLINE), 0);
	ck_assert(mhp_slab_node_ready(pool, 1));
}
END_TEST

START_TEST(test_subsys_page_cache_dropped_not_migrated)
{
	size_t cached;
	struct mhp_pool_meminfo m;

	ck_assert_int_eq(mhp_pool_register_subsystems(pool, eng), 0);
	ck_assert_int_eq(mhp_pcache_fill(pool, 0, 10), 0);
	m = mi(0);
	ck_assert_uint_eq(m.cache, 10);
	ck_assert_int_eq(mhp_pcache_verify(pool, &cached), 0);
	ck_assert_uint_eq(cached, 10);
	/* All ten are in the newest block of node 0. */
	ck_assert_int_eq(tu_store_state(eng, B0 + 3, MHP_MMOP_OFFLINE), 0);
	ck_assert_uint_eq(mi(MHP_NUMA_NO_NODE).cache, 0);
	ck_assert_int_eq(mhp_pcache_verify(pool, &cached), 0);
	ck_assert_uint_eq(cached, 0);
	ck_assert_int_eq(mhp_pcache_fill(pool, 1, 3), 0);
	ck_assert_int_eq(mhp_pcache_verify(pool, &cached), 0);
	ck_assert_uint_eq(cached, 3);
}
END_TEST

START_TEST(test_subsys_page_cache_migrates_without_subsystem_callback)
{
	size_t cached;

	ck_assert_int_eq(mhp_pool_register_subsystems(pool, eng), 0);
	mhp_pool_unregister_subsystems(pool);
	ck_assert_int_eq(mhp_pcache_fill(pool, 0, 10), 0);
	/* Nobody drops them: clean pages are migrated like any movable page. */
	ck_assert_int_eq(tu_store_state(eng, B0 + 3, MHP_MMOP_OFFLINE), 0);
	ck_assert_uint_eq(mi(1).cache, 10);
	ck_assert_int_eq(mhp_pcache_verify(pool, &cached), 0);
	ck_assert_uint_eq(cached, 10);
}
END_TEST

/* ---- workload --------------------------------------------------------------------------------- */

START_TEST(test_workload_fill_levels)
{
	struct mhp_workload_params wp = { 0 };
	struct mhp_workload *w;
	size_t pages;

	wp.fill[0][MHP_ZONE_NORMAL] = 50;
	wp.fill[1][MHP_ZONE_NORMAL] = 25;
	wp.unmovable_pct = 25;
	wp.cache_pct = 25;
	wp.pinned_pct = 50;
	ck_assert_int_eq(mhp_workload_new(pool, &wp, &w), 0);
	ck_assert_int_eq(mhp_workload_apply(w), 0);
	ck_assert_uint_eq(mi(0).used, 2 * BP);
	ck_assert_uint_eq(mi(0).unmovable, BP / 2);
	ck_assert_uint_eq(mi(0).cache, BP / 2);
	ck_assert_uint_eq(mi(0).movable, BP);
	ck_assert_uint_ge(mi(0).pinned, BP / 2);
	ck_assert_uint_eq(mi(1).used, BP);
	ck_assert_int_eq(mhp_workload_verify(w, &pages), 0);
	ck_assert_uint_eq(pages, 3 * BP);
	wp.fill[0][MHP_ZONE_NORMAL] = 0;
	ck_assert_int_eq(mhp_workload_set(w, &wp), 0);
	ck_assert_int_eq(mhp_workload_apply(w), 0);
	ck_assert_uint_eq(mi(0).used, 0);
	wp.fill[0][MHP_ZONE_NORMAL] = 101;
	ck_assert_int_eq(mhp_workload_set(w, &wp), -EINVAL);
	mhp_workload_free(w);
	ck_assert_uint_eq(mi(1).used, 0);
}
END_TEST

static Suite *pool_suite(void)
{
	Suite *s = suite_create("pool");
	TCase *tc;

	tc = tcase_create("allocator");
	tcase_add_checked_fixture(tc, direct_setup, direct_teardown);
	tcase_add_test(tc, test_unmovable_only_from_kernel_zones);
	tcase_add_test(tc, test_movable_prefers_movable_then_falls_back);
	tcase_add_test(tc, test_preferred_node_first_then_others);
	tcase_add_test(tc, test_enomem_is_all_or_nothing);
	tcase_add_test(tc, test_new_pages_read_zero_and_release_frees);
	tcase_add_test(tc, test_tenant_read_write_and_absent_pages);
	tcase_add_test(tc, test_online_errors);
	suite_add_tcase(s, tc);

	tc = tcase_create("isolation");
	tcase_add_checked_fixture(tc, direct_setup, direct_teardown);
	tcase_add_test(tc, test_isolated_block_is_skipped);
	tcase_add_test(tc, test_isolate_fails_on_unmovable);
	suite_add_tcase(s, tc);

	tc = tcase_create("migration");
	tcase_add_checked_fixture(tc, direct_setup, direct_teardown);
	tcase_add_test(tc, test_migrate_moves_bytes_under_fixed_address);
	tcase_add_test(tc, test_migrate_same_node_only_when_alone);
	tcase_add_test(tc, test_migrate_never_to_same_node_when_others_have_memory);
	tcase_add_test(tc, test_migrate_runs_are_coalesced);
	tcase_add_test(tc, test_pinned_page_blocks_migration_until_unpinned);
	tcase_add_test(tc, test_pin_in_movable_migrates_to_kernel_zone);
	tcase_add_test(tc, test_transient_reference_retries);
	tcase_add_test(tc, test_cache_pages_drop);
	tcase_add_test(tc, test_cancel_during_migration);
	suite_add_tcase(s, tc);

	tc = tcase_create("host memory");
	tcase_add_checked_fixture(tc, direct_setup, direct_teardown);
	tcase_add_test(tc, test_offline_punches_frames);
	tcase_add_test(tc, test_failed_offline_leaves_no_bytes_behind);
	tcase_add_test(tc, test_metadata_only_for_online_blocks);
	tcase_add_test(tc, test_many_blocks_share_mappings);
	suite_add_tcase(s, tc);

	tc = tcase_create("engine");
	tcase_add_checked_fixture(tc, engine_setup, engine_teardown);
	tcase_add_test(tc, test_engine_boot_blocks_are_in_the_pool);
	tcase_add_test(tc, test_engine_offline_migrates_and_onlines_back);
	tcase_add_test(tc, test_engine_unmovable_gives_ebusy_without_events);
	tcase_add_test(tc, test_engine_pinned_page_loops_until_eintr);
	tcase_add_test(tc, test_engine_transient_reference_waits_then_succeeds);
	tcase_add_test(tc, test_engine_veto_restores_everything);
	tcase_add_test(tc, test_engine_hot_add_movable_and_remove_punches);
	tcase_add_test(tc, test_engine_reference_layout);
	suite_add_tcase(s, tc);

	tc = tcase_create("subsystems");
	tcase_add_checked_fixture(tc, engine_setup, engine_teardown);
	tcase_add_test(tc, test_subsys_slab_node_structure_on_first_memory);
	tcase_add_test(tc, test_subsys_slab_objects_pin_their_block);
	tcase_add_test(tc, test_subsys_slab_shrinks_on_going_offline);
	tcase_add_test(tc, test_subsys_slab_node_created_when_node_gets_memory);
	tcase_add_test(tc, test_subsys_page_cache_dropped_not_migrated);
	tcase_add_test(tc, test_subsys_page_cache_migrates_without_subsystem_callback);
	suite_add_tcase(s, tc);

	tc = tcase_create("workload");
	tcase_add_checked_fixture(tc, engine_setup, engine_teardown);
	tcase_add_test(tc, test_workload_fill_levels);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(pool_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
