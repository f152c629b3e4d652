// SPDX-License-Identifier: MIT
/*
 * Unit tests of memory failure in the page pool (mhp_pool_soft_offline(), mhp_pool_hard_offline())
 * and of its engine side (mhp_block_hwpoison_add(): a block with poisoned pages refuses to come
 * back online with EHWPOISON).  The errnos are the kernel's soft_offline_page() and
 * memory_failure(MF_SW_SIMULATED) ones (mm/memory-failure.c).
 *
 * Blocks are 256 KiB (64 pages), as in test-pool.c.
 */
#include <check.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "memhp/pool.h"
#include "testutil.h"

#define BS (256 * TU_KiB)
#define BP ((unsigned long)(BS >> MHP_PAGE_SHIFT))
#define PS MHP_PAGE_SIZE

static struct mhp_pool *pool;
static const struct mhp_memory_ops *ops;
static struct mhp_engine *eng;

static void direct_setup(void)
{
	struct mhp_config cfg;

	mhp_config_init(&cfg);
	cfg.block_size = BS;
	cfg.nr_nodes = 2;
	ck_assert_int_eq(mhp_pool_new(&cfg, &pool), 0);
	ops = mhp_pool_memory_ops();
}

static void teardown(void)
{
	mhp_engine_free(eng);
	eng = NULL;
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

static struct mhp_pool_meminfo mi(int nid)
{
	struct mhp_pool_meminfo m;

	ck_assert_int_eq(mhp_pool_meminfo(pool, nid, &m), 0);
	return m;
}

static struct mhp_tenant *tenant(size_t nr)
{
	struct mhp_tenant *t;

	ck_assert_int_eq(mhp_tenant_new(pool, nr, &t), 0);
	return t;
}

static unsigned long pfn_of(struct mhp_tenant *t, size_t idx)
{
	unsigned long pfn;

	ck_assert_int_eq(mhp_tenant_page_pfn(t, idx, &pfn), 0);
	return pfn;
}

static void fill(struct mhp_tenant *t, size_t idx, unsigned char c)
{
	char page[PS];

	memset(page, c, sizeof(page));
	ck_assert_int_eq(mhp_tenant_write(t, idx * PS, page, PS), 0);
}

static bool filled(struct mhp_tenant *t, size_t idx, unsigned char c)
{
	char page[PS];

	if (mhp_tenant_read(t, idx * PS, page, PS))
		return false;
	for (size_t i = 0; i < PS; i++)
		if ((unsigned char)page[i] != c)
			return false;
	return true;
}

static struct mhp_tenant_stats stats(struct mhp_tenant *t)
{
	struct mhp_tenant_stats st;

	mhp_tenant_stats(t, &st);
	return st;
}

/* ---- soft offline ----------------------------------------------------------------------------- */

START_TEST(test_soft_free_frame_is_taken_off_for_good)
{
	struct mhp_tenant *t = tenant(BP);

	online(100, 0, MHP_ZONE_NORMAL);
	ck_assert_int_eq(mhp_pool_soft_offline(pool, 100 * BP + 5), 0);
	ck_assert_uint_eq(mi(0).free, BP - 1);
	ck_assert_uint_eq(mi(0).used, 1);
	ck_assert_uint_eq(mi(0).hwpoison, 1);
	/* The kernel answers success to a second soft offline; the pool says why. */
	ck_assert_int_eq(mhp_pool_soft_offline(pool, 100 * BP + 5), -EHWPOISON);
	ck_assert_uint_eq(mi(0).hwpoison, 1);
	/* Never allocated again: the block holds 63 pages now. */
	ck_assert_int_eq(mhp_tenant_populate(t, 0, BP, MHP_PAGE_MOVABLE, 0), -ENOMEM);
	ck_assert_int_eq(mhp_tenant_populate(t, 0, BP - 1, MHP_PAGE_MOVABLE, 0), 0);
	for (size_t i = 0; i < BP - 1; i++)
		ck_assert_uint_ne(pfn_of(t, i), 100 * BP + 5);
	ck_assert_uint_eq(mi(0).free, 0);
	/* Released pages come back, the poisoned frame does not. */
	ck_assert_int_eq(mhp_tenant_release(t, 0, BP - 1), 0);
	ck_assert_uint_eq(mi(0).free, BP - 1);
}
END_TEST

START_TEST(test_soft_movable_page_keeps_its_bytes)
{
	struct mhp_tenant *t = tenant(4);
	unsigned long old;

	online(100, 0, MHP_ZONE_NORMAL);
	ck_assert_int_eq(mhp_tenant_populate(t, 0, 4, MHP_PAGE_MOVABLE, 0), 0);
	for (size_t i = 0; i < 4; i++)
		fill(t, i, (unsigned char)(0x10 + i));
	old = pfn_of(t, 2);
	ck_assert_int_eq(mhp_pool_soft_offline(pool, old), 0);
	ck_assert_uint_ne(pfn_of(t, 2), old);
	for (size_t i = 0; i < 4; i++)
		ck_assert(filled(t, i, (unsigned char)(0x10 + i)));
	ck_assert_uint_eq(stats(t).migrated, 1);
	ck_assert_uint_eq(stats(t).hwpoisoned, 0);
	ck_assert_uint_eq(mi(0).movable, 4);
	ck_assert_uint_eq(mi(0).hwpoison, 1);
	ck_assert_uint_eq(mi(0).free, BP - 5);
	ck_assert_int_eq(mhp_pool_soft_offline(pool, old), -EHWPOISON);
}
END_TEST

START_TEST(test_soft_refusals)
{
	struct mhp_tenant *t = tenant(4);

	online(100, 0, MHP_ZONE_NORMAL);
	/* Not an online frame at all. */
	ck_assert_int_eq(mhp_pool_soft_offline(pool, 300 * BP), -EIO);
	ck_assert_int_eq(mhp_tenant_populate(t, 0, 1, MHP_PAGE_UNMOVABLE, 0), 0);
	ck_assert_int_eq(mhp_tenant_populate(t, 1, 2, MHP_PAGE_MOVABLE, 0), 0);
	/* A kernel page is "unhandlable": EIO, nothing poisoned. */
	ck_assert_int_eq(mhp_pool_soft_offline(pool, pfn_of(t, 0)), -EIO);
	/* Pinned and referenced pages fail to migrate: EBUSY. */
	ck_assert_int_eq(mhp_tenant_pin(t, 1, 1), 0);
	ck_assert_int_eq(mhp_pool_soft_offline(pool, pfn_of(t, 1)), -EBUSY);
	ck_assert_int_eq(mhp_tenant_get_ref(t, 2, NULL), 0);
	ck_assert_int_eq(mhp_pool_soft_offline(pool, pfn_of(t, 2)), -EBUSY);
	ck_assert_uint_eq(mi(0).hwpoison, 0);
	ck_assert_int_eq(mhp_tenant_put_ref(t, 2), 0);
	ck_assert_int_eq(mhp_pool_soft_offline(pool, pfn_of(t, 2)), 0);
	ck_assert_uint_eq(mi(0).hwpoison, 1);
}
END_TEST

START_TEST(test_soft_no_destination_is_enomem)
{
	struct mhp_tenant *t = tenant(BP);
	unsigned long pfn;

	online(100, 0, MHP_ZONE_NORMAL);
	ck_assert_int_eq(mhp_tenant_populate(t, 0, BP, MHP_PAGE_MOVABLE, 0), 0);
	fill(t, 7, 0x77);
	pfn = pfn_of(t, 7);
	ck_assert_int_eq(mhp_pool_soft_offline(pool, pfn), -ENOMEM);
	ck_assert_uint_eq(pfn_of(t, 7), pfn);
	ck_assert(filled(t, 7, 0x77));
	ck_assert_uint_eq(mi(0).hwpoison, 0);
}
END_TEST

/* ---- hard offline ----------------------------------------------------------------------------- */

START_TEST(test_hard_free_frame_then_ehwpoison)
{
	online(100, 0, MHP_ZONE_NORMAL);
	ck_assert_int_eq(mhp_pool_hard_offline(pool, 300 * BP), -ENXIO);
	ck_assert_int_eq(mhp_pool_hard_offline(pool, 100 * BP), 0);
	ck_assert_uint_eq(mi(0).free, BP - 1);
	ck_assert_int_eq(mhp_pool_hard_offline(pool, 100 * BP), -EHWPOISON);
	ck_assert_int_eq(mhp_pool_soft_offline(pool, 100 * BP), -EHWPOISON);
	ck_assert_uint_eq(mi(0).hwpoison, 1);
}
END_TEST

START_TEST(test_hard_movable_page_is_lost)
{
	struct mhp_tenant *t = tenant(3);
	char byte;

	online(100, 0, MHP_ZONE_NORMAL);
	ck_assert_int_eq(mhp_tenant_populate(t, 0, 3, MHP_PAGE_MOVABLE, 0), 0);
	fill(t, 0, 0xa0);
	fill(t, 2, 0xa2);
	ck_assert_int_eq(mhp_pool_hard_offline(pool, pfn_of(t, 1)), 0);
	ck_assert_int_eq(mhp_tenant_page_present(t, 1), 0);
	ck_assert_int_eq(mhp_tenant_read(t, PS, &byte, 1), -EFAULT);
	ck_assert_uint_eq(stats(t).hwpoisoned, 1);
	ck_assert_uint_eq(stats(t).present, 2);
	/* The neighbours are untouched. */
	ck_assert(filled(t, 0, 0xa0));
	ck_assert(filled(t, 2, 0xa2));
	ck_assert_uint_eq(mi(0).movable, 2);
	ck_assert_uint_eq(mi(0).free, BP - 3);
	/* A new page may be mapped at the address again (a fresh frame). */
	ck_assert_int_eq(mhp_tenant_populate(t, 1, 1, MHP_PAGE_MOVABLE, 0), 0);
	ck_assert(filled(t, 1, 0));
}
END_TEST

START_TEST(test_hard_pinned_unmovable_referenced_are_ebusy)
{
	struct mhp_tenant *t = tenant(3);
	unsigned long kpfn;

	online(100, 0, MHP_ZONE_NORMAL);
	ck_assert_int_eq(mhp_tenant_populate(t, 0, 1, MHP_PAGE_UNMOVABLE, 0), 0);
	ck_assert_int_eq(mhp_tenant_populate(t, 1, 2, MHP_PAGE_MOVABLE, 0), 0);
	kpfn = pfn_of(t, 0);
	/* A kernel page: poisoned, still used by its owner, EBUSY. */
	ck_assert_int_eq(mhp_pool_hard_offline(pool, kpfn), -EBUSY);
	ck_assert_int_eq(mhp_tenant_page_present(t, 0), 1);
	ck_assert_int_eq(mhp_pool_hard_offline(pool, kpfn), -EHWPOISON);
	/* A pinned page: its user mapping goes (the page is lost), the pin makes it EBUSY. */
	ck_assert_int_eq(mhp_tenant_pin(t, 1, 1), 0);
	ck_assert_uint_eq(mi(0).pinned, 1);
	ck_assert_int_eq(mhp_pool_hard_offline(pool, pfn_of(t, 1)), -EBUSY);
	ck_assert_int_eq(mhp_tenant_page_present(t, 1), 0);
	ck_assert_uint_eq(mi(0).pinned, 0);
	/* A referenced page keeps its frame until the reference goes. */
	ck_assert_int_eq(mhp_tenant_get_ref(t, 2, NULL), 0);
	ck_assert_int_eq(mhp_pool_hard_offline(pool, pfn_of(t, 2)), -EBUSY);
	ck_assert_int_eq(mhp_tenant_page_present(t, 2), 1);
	ck_assert_int_eq(mhp_tenant_put_ref(t, 2), 0);
	ck_assert_uint_eq(mi(0).hwpoison, 3);
	/* Freed poisoned frames never become free memory. */
	ck_assert_int_eq(mhp_tenant_release(t, 0, 3), 0);
	ck_assert_uint_eq(mi(0).free, BP - 3);
	ck_assert_uint_eq(mi(0).unmovable, 0);
}
END_TEST

/* ---- offline of a block with poisoned frames -------------------------------------------------- */

START_TEST(test_offline_skips_poisoned_frames)
{
	struct mhp_pfn_range r = rng(100, 0, MHP_ZONE_NORMAL);
	struct mhp_tenant *t = tenant(2);

	online(100, 0, MHP_ZONE_NORMAL);
	online(101, 0, MHP_ZONE_NORMAL);
	ck_assert_int_eq(mhp_tenant_populate(t, 0, 2, MHP_PAGE_MOVABLE, 0), 0);
	ck_assert_uint_eq(pfn_of(t, 0) / BP, 101); /* the newest block is the list head */
	/* Move the tenant into block 100, then poison a free frame and a used one there. */
	ck_assert_int_eq(mhp_pool_hard_offline(pool, 101 * BP + 10), 0);
	ck_assert_int_eq(ops->isolate(pool, &(struct mhp_pfn_range){ 101 * BP, BP, 0, 2 }), 0);
	ck_assert_int_eq(ops->migrate(pool, &(struct mhp_pfn_range){ 101 * BP, BP, 0, 2 }, NULL),
			 0);
	ck_assert_uint_eq(pfn_of(t, 0) / BP, 100);
	ops->offline(pool, &(struct mhp_pfn_range){ 101 * BP, BP, 0, 2 });
	ck_assert_uint_eq(mi(0).hwpoison, 0); /* only online blocks count */
	fill(t, 1, 0x5a);
	ck_assert_int_eq(mhp_tenant_get_ref(t, 0, NULL), 0);
	ck_assert_int_eq(mhp_pool_hard_offline(pool, pfn_of(t, 0)), -EBUSY);
	ck_assert_int_eq(mhp_pool_soft_offline(pool, 100 * BP + 50), 0);
	ck_assert_uint_eq(mi(0).hwpoison, 2);
	/* Nowhere to go (the only block): the movable page waits, the poisoned one is busy. */
	ck_assert_int_eq(ops->isolate(pool, &r), 0);
	ck_assert_int_eq(ops->migrate(pool, &r, NULL), -EAGAIN);
	online(102, 1, MHP_ZONE_NORMAL);
	/* The referenced poisoned page still holds the offline; the good page moved. */
	ck_assert_int_eq(ops->migrate(pool, &r, NULL), -EAGAIN);
	ck_assert_uint_eq(pfn_of(t, 1) / BP, 102);
	ck_assert(filled(t, 1, 0x5a));
	ck_assert_int_eq(mhp_tenant_put_ref(t, 0), 0);
	/* Reference gone: the poisoned page is unmapped, not copied, and the range is free. */
	ck_assert_int_eq(ops->migrate(pool, &r, NULL), 0);
	ck_assert_int_eq(mhp_tenant_page_present(t, 0), 0);
	ck_assert_uint_eq(stats(t).hwpoisoned, 1);
	ops->offline(pool, &r);
	ck_assert_uint_eq(mi(0).total, 0);
	ck_assert_uint_eq(mi(0).hwpoison, 0);
	ck_assert_uint_eq(mi(1).free, BP - 1);
}
END_TEST

START_TEST(test_poisoned_free_block_keeps_its_state_until_offline)
{
	struct mhp_pfn_range r = rng(100, 0, MHP_ZONE_NORMAL);
	size_t before = mhp_pool_meta_bytes(pool), header;

	online(100, 0, MHP_ZONE_NORMAL);
	header = mhp_pool_meta_bytes(pool);
	/* A free block has no per-page state; a poisoned frame needs it, although none is used. */
	ck_assert_int_eq(mhp_pool_hard_offline(pool, 100 * BP + 7), 0);
	ck_assert_uint_gt(mhp_pool_meta_bytes(pool), header);
	ck_assert_uint_eq(mi(0).free, BP - 1);
	ck_assert_int_eq(ops->isolate(pool, &r), 0);
	ck_assert_int_eq(ops->migrate(pool, &r, NULL), 0);
	ops->offline(pool, &r);
	ck_assert_uint_eq(mhp_pool_meta_bytes(pool), before);
	ck_assert_uint_eq(mi(0).hwpoison, 0);
}
END_TEST

/* ---- through the engine ----------------------------------------------------------------------- */

static const struct mhp_mem_range eboot[] = {
	{ 4 * TU_GiB, 4 * TU_GiB + TU_MiB, 0 }, /* blocks 16384..16387 */
};

#define B0 16384UL

static void engine_setup(void)
{
	struct mhp_config cfg;

	mhp_config_init(&cfg);
	cfg.block_size = BS;
	cfg.nr_nodes = 1;
	cfg.boot = eboot;
	cfg.nr_boot = 1;
	ck_assert_int_eq(mhp_pool_new(&cfg, &pool), 0);
	cfg.mem_ops = mhp_pool_memory_ops();
	cfg.mem_ops_priv = pool;
	eng = tu_engine_new(&cfg);
	ck_assert_int_eq(mhp_pool_register_subsystems(pool, eng), 0);
	ops = cfg.mem_ops;
}

START_TEST(test_engine_poisoned_block_goes_offline_but_never_online)
{
	struct mhp_block *b = tu_block(eng, B0 + 1);
	struct tu_recorder rec;
	struct tu_log log;
	char buf[256];

	ck_assert_int_eq(mhp_pool_soft_offline(pool, (B0 + 1) * BP + 3), 0);
	ck_assert_int_eq(mhp_block_hwpoison_add(eng, b, 1), 0);
	ck_assert_uint_eq(mhp_block_nr_hwpoison(b), 1);
	tu_events_drain(eng);
	ck_assert_int_eq(tu_store_state(eng, B0 + 1, MHP_MMOP_OFFLINE), 0);
	ck_assert_int_eq(tu_state(eng, B0 + 1), MHP_STATE_OFFLINE);
	tu_events_drain(eng);

	/* memory_block_online() refuses first: no notifier event, no uevent, still offline. */
	tu_log_init(&log);
	tu_recorder_register(eng, &rec, &log, "r", 0);
	ck_assert_int_eq(tu_store_state(eng, B0 + 1, MHP_MMOP_ONLINE), -EHWPOISON);
	ck_assert_int_eq(tu_store_online(eng, B0 + 1, true), -EHWPOISON);
	ck_assert_int_eq(tu_store_state(eng, B0 + 1, MHP_MMOP_ONLINE_MOVABLE), -EHWPOISON);
	ck_assert_str_eq(tu_log_str(&log, buf, sizeof(buf)), "");
	ck_assert_str_eq(tu_events_str(eng, buf, sizeof(buf)), "");
	ck_assert_int_eq(tu_state(eng, B0 + 1), MHP_STATE_OFFLINE);
	ck_assert(!tu_online_show(eng, B0 + 1));
	tu_recorder_unregister(eng, &rec);
	tu_log_destroy(&log);

	/* Removed and added again, the block starts clean. */
	ck_assert_int_eq(mhp_remove_memory(eng, (B0 + 1) * BS, BS), 0);
	ck_assert_int_eq(mhp_block_hwpoison_add(eng, b, 1), -ENODEV);
	mhp_block_put(b);
	ck_assert_int_eq(mhp_add_memory(eng, 0, (B0 + 1) * BS, BS, 0, -1), 0);
	b = tu_block(eng, B0 + 1);
	ck_assert_uint_eq(mhp_block_nr_hwpoison(b), 0);
	mhp_block_put(b);
	ck_assert_int_eq(tu_store_state(eng, B0 + 1, MHP_MMOP_ONLINE), 0);
	/* The frame was poisoned in the old block's metadata, which went with the offline. */
	ck_assert_uint_eq(mi(0).free, 4 * BP);
	ck_assert_uint_eq(mi(0).hwpoison, 0);
}
END_TEST

START_TEST(test_engine_workload_survives_hard_offline)
{
	struct mhp_workload_params wp;
	struct mhp_workload *w;
	struct mhp_pool_meminfo m;
	size_t pages = 0;
	unsigned long pfn;

	memset(&wp, 0, sizeof(wp));
	wp.fill[0][MHP_ZONE_NORMAL] = 50;
	wp.writers = 2;
	wp.seed = 7;
	ck_assert_int_eq(mhp_workload_new(pool, &wp, &w), 0);
	ck_assert_int_eq(mhp_workload_apply(w), 0);
	m = mi(0);
	ck_assert_uint_eq(m.movable, 2 * BP);
	/* Poison every used frame of the first block the workload got: the writers must go on. */
	for (pfn = B0 * BP; pfn < (B0 + 4) * BP; pfn++)
		(void)mhp_pool_hard_offline(pool, pfn);
	m = mi(0);
	ck_assert_uint_eq(m.hwpoison, 4 * BP);
	ck_assert_uint_eq(m.movable, 0);
	ck_assert_uint_eq(m.free, 0);
	usleep(20000);
	ck_assert_int_eq(mhp_workload_verify(w, &pages), 0);
	ck_assert_uint_eq(pages, 0);
	mhp_workload_free(w);
}
END_TEST

static Suite *poison_suite(void)
{
	Suite *s = suite_create("pool-poison");
	TCase *tc;

	tc = tcase_create("soft");
	tcase_add_checked_fixture(tc, direct_setup, teardown);
	tcase_add_test(tc, test_soft_free_frame_is_taken_off_for_good);
	tcase_add_test(tc, test_soft_movable_page_keeps_its_bytes);
	tcase_add_test(tc, test_soft_refusals);
	tcase_add_test(tc, test_soft_no_destination_is_enomem);
	suite_add_tcase(s, tc);

	tc = tcase_create("hard");
	tcase_add_checked_fixture(tc, direct_setup, teardown);
	tcase_add_test(tc, test_hard_free_frame_then_ehwpoison);
	tcase_add_test(tc, test_hard_movable_page_is_lost);
	tcase_add_test(tc, test_hard_pinned_unmovable_referenced_are_ebusy);
	suite_add_tcase(s, tc);

	tc = tcase_create("offline");
	tcase_add_checked_fixture(tc, direct_setup, teardown);
	tcase_add_test(tc, test_offline_skips_poisoned_frames);
	tcase_add_test(tc, test_poisoned_free_block_keeps_its_state_until_offline);
	suite_add_tcase(s, tc);

	tc = tcase_create("engine");
	tcase_add_checked_fixture(tc, engine_setup, teardown);
	tcase_add_test(tc, test_engine_poisoned_block_goes_offline_but_never_online);
	tcase_add_test(tc, test_engine_workload_survives_hard_offline);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(poison_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
