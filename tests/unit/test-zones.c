// SPDX-License-Identifier: MIT
/*
 * Unit tests of zone selection and valid_zones (SPEC §3, §5.4, §13.3): every row of the
 * valid_zones table under contig-zones and auto-movable, movable_node, the auto-movable ratio and
 * NUMA awareness, static and dynamic memory groups, kernelcore=/movablecore=, zone spans that grow
 * on online and shrink only at the edges on offline, and memmap_on_memory accounting.
 *
 * On tu_config_two_node(): node 1 has 4 GiB of boot Normal memory [8 GiB, 12 GiB) and hot-add
 * space from 12 GiB (ids 96..127); node 2 has none at all (ids 128..191).  Boot kernel memory
 * ("kernel early pages") is 7 GiB on node 0 and 4 GiB on node 1: 11 GiB = 2883584 pages in total.
 */
#include <check.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"

static struct mhp_engine *two_node(void)
{
	struct mhp_config cfg;

	tu_config_two_node(&cfg);
	return tu_engine_new(&cfg);
}

static struct mhp_zone_info zone_of(struct mhp_engine *e, int nid, int zone)
{
	return tu_node(e, nid).zones[zone];
}

#define ASSERT_VZ(e, id, want)                                                \
	do {                                                                  \
		char vz_buf_[32];                                             \
		ck_assert_str_eq(tu_valid_zones((e), (id), vz_buf_), (want)); \
	} while (0)

/* ---- online blocks (SPEC §3 "Block online") --------------------------------------------------- */

START_TEST(online_blocks_show_single_zone)
{
	struct mhp_engine *e = two_node();

	ASSERT_VZ(e, 0, "none\n"); /* DMA + DMA32 */
	ASSERT_VZ(e, 1, "DMA32\n");
	ASSERT_VZ(e, 23, "DMA32\n");
	ASSERT_VZ(e, 32, "Normal\n");
	ASSERT_VZ(e, 63, "Normal\n");
	ASSERT_VZ(e, 64, "Normal\n");
	ASSERT_VZ(e, 95, "Normal\n");

	ck_assert_int_eq(mhp_add_memory(e, 1, 12 * TU_GiB, 2 * TU_BLOCK, 0, -1), 0);
	ck_assert_int_eq(tu_store_state(e, 96, MHP_MMOP_ONLINE_MOVABLE), 0);
	ck_assert_int_eq(tu_store_state(e, 97, MHP_MMOP_ONLINE_KERNEL), 0);
	ASSERT_VZ(e, 96, "Movable\n");
	ASSERT_VZ(e, 97, "Normal\n");
	ck_assert_int_eq(tu_zone(e, 96), MHP_ZONE_MOVABLE);
	ck_assert_int_eq(tu_zone(e, 97), MHP_ZONE_NORMAL);

	/* -ENOSPC for a short buffer. */
	struct mhp_block *b = tu_block(e, 96);
	char small[4];
	ck_assert_int_eq(mhp_block_valid_zones(e, b, small, sizeof(small)), -ENOSPC);
	mhp_block_put(b);
	mhp_engine_free(e);
}
END_TEST

START_TEST(boot_block_zone_spans)
{
	struct mhp_engine *e = two_node();
	struct mhp_zone_info z;

	z = zone_of(e, 0, MHP_ZONE_DMA);
	ck_assert_uint_eq(z.start_pfn, 0);
	ck_assert_uint_eq(z.end_pfn, TU_PFN(16 * TU_MiB));
	z = zone_of(e, 0, MHP_ZONE_DMA32);
	ck_assert_uint_eq(z.start_pfn, TU_PFN(16 * TU_MiB));
	ck_assert_uint_eq(z.end_pfn, TU_PFN(4 * TU_GiB));
	z = zone_of(e, 1, MHP_ZONE_NORMAL);
	ck_assert_uint_eq(z.start_pfn, TU_PFN(8 * TU_GiB));
	ck_assert_uint_eq(z.end_pfn, TU_PFN(12 * TU_GiB));
	z = zone_of(e, 1, MHP_ZONE_DMA32);
	ck_assert_uint_eq(z.start_pfn, z.end_pfn);
	ck_assert_uint_eq(z.present_pages, 0);
	z = zone_of(e, 2, MHP_ZONE_NORMAL);
	ck_assert_uint_eq(z.start_pfn, z.end_pfn);
	mhp_engine_free(e);
}
END_TEST

/* ---- contig-zones (the valid_zones table of SPEC §3) ------------------------------------------ */

START_TEST(contig_fresh_hot_added)
{
	struct mhp_engine *e = two_node();

	ck_assert_int_eq(mhp_probe(e, 12 * TU_GiB), 0);
	ASSERT_VZ(e, 96, "Normal Movable\n");
	ck_assert_int_eq(mhp_probe(e, 16 * TU_GiB), 0); /* a node without any memory */
	ASSERT_VZ(e, 128, "Normal Movable\n");
	ck_assert_int_eq(tu_store_online(e, 128, true), 0);
	ck_assert_int_eq(tu_zone(e, 128), MHP_ZONE_NORMAL);
	mhp_engine_free(e);
}
END_TEST

START_TEST(contig_offlined_normal_blocks)
{
	struct mhp_engine *e = two_node();

	/* Middle and edge blocks of Normal: both just Normal Movable. */
	ck_assert_int_eq(tu_store_state(e, 80, MHP_MMOP_OFFLINE), 0);
	ASSERT_VZ(e, 80, "Normal Movable\n");
	ck_assert_int_eq(tu_store_state(e, 95, MHP_MMOP_OFFLINE), 0);
	ASSERT_VZ(e, 95, "Normal Movable\n");
	ck_assert_int_eq(tu_store_state(e, 32, MHP_MMOP_OFFLINE), 0);
	ASSERT_VZ(e, 32, "Normal Movable\n");
	/* Online again through `online`: back in Normal. */
	ck_assert_int_eq(tu_store_online(e, 80, true), 0);
	ck_assert_int_eq(tu_zone(e, 80), MHP_ZONE_NORMAL);
	mhp_engine_free(e);
}
END_TEST

START_TEST(contig_dma32_blocks)
{
	struct mhp_engine *e = two_node();

	ck_assert_int_eq(tu_store_state(e, 5, MHP_MMOP_OFFLINE), 0);
	ASSERT_VZ(e, 5, "DMA32 Movable\n");
	ck_assert_int_eq(tu_store_state(e, 1, MHP_MMOP_OFFLINE), 0);
	ASSERT_VZ(e, 1, "DMA32 Movable\n");
	/* The DMA32 span ends at 4 GiB (the hole is inside it), so block 23 is no edge. */
	ck_assert_int_eq(tu_store_state(e, 23, MHP_MMOP_OFFLINE), 0);
	ASSERT_VZ(e, 23, "DMA32 Movable\n");
	ck_assert_uint_eq(zone_of(e, 0, MHP_ZONE_DMA32).end_pfn, TU_PFN(4 * TU_GiB));
	ck_assert_uint_eq(zone_of(e, 0, MHP_ZONE_DMA32).present_pages,
			  TU_PFN(3 * TU_GiB - 16 * TU_MiB) - 3 * TU_BLOCK_PAGES);
	/* online and online_kernel both go back to DMA32; online_movable goes to Movable. */
	ck_assert_int_eq(tu_store_state(e, 5, MHP_MMOP_ONLINE), 0);
	ck_assert_int_eq(tu_zone(e, 5), MHP_ZONE_DMA32);
	ck_assert_int_eq(tu_store_state(e, 1, MHP_MMOP_ONLINE_KERNEL), 0);
	ck_assert_int_eq(tu_zone(e, 1), MHP_ZONE_DMA32);
	ck_assert_int_eq(tu_store_state(e, 23, MHP_MMOP_ONLINE_MOVABLE), 0);
	ck_assert_int_eq(tu_zone(e, 23), MHP_ZONE_MOVABLE);
	ASSERT_VZ(e, 23, "Movable\n");
	/* Node 0 now has a Movable zone below 4 GiB. */
	ck_assert_uint_eq(zone_of(e, 0, MHP_ZONE_MOVABLE).start_pfn, TU_BLOCK_PFN(23));
	ck_assert_uint_eq(zone_of(e, 0, MHP_ZONE_MOVABLE).end_pfn, TU_BLOCK_PFN(24));
	mhp_engine_free(e);
}
END_TEST

/* Blocks 96..99 hot-added on node 1, all offline. */
static struct mhp_engine *two_node_with_hot(struct mhp_config *cfg)
{
	struct mhp_engine *e = tu_engine_new(cfg);

	ck_assert_int_eq(mhp_add_memory(e, 1, 12 * TU_GiB, 4 * TU_BLOCK, 0, -1), 0);
	return e;
}

START_TEST(contig_inside_movable_span)
{
	struct mhp_config cfg;
	struct mhp_engine *e;

	tu_config_two_node(&cfg);
	e = two_node_with_hot(&cfg);
	ck_assert_int_eq(tu_store_state(e, 96, MHP_MMOP_ONLINE_MOVABLE), 0);
	ck_assert_int_eq(tu_store_state(e, 98, MHP_MMOP_ONLINE_MOVABLE), 0);
	/* 97 lies inside the Movable span only. */
	ASSERT_VZ(e, 97, "Movable Normal\n");
	/* 99 is next to it but outside: spans must overlap, touching is not enough. */
	ASSERT_VZ(e, 99, "Normal Movable\n");
	ck_assert_int_eq(tu_store_online(e, 97, true), 0);
	ck_assert_int_eq(tu_zone(e, 97), MHP_ZONE_MOVABLE);
	/* online_kernel still picks the default kernel zone. */
	ck_assert_int_eq(tu_store_state(e, 97, MHP_MMOP_OFFLINE), 0);
	ck_assert_int_eq(tu_store_state(e, 97, MHP_MMOP_ONLINE_KERNEL), 0);
	ck_assert_int_eq(tu_zone(e, 97), MHP_ZONE_NORMAL);
	mhp_engine_free(e);
}
END_TEST

START_TEST(contig_both_spans)
{
	struct mhp_config cfg;
	struct mhp_engine *e;

	tu_config_two_node(&cfg);
	e = two_node_with_hot(&cfg);
	/* Normal span grows to 100, Movable spans 96..99: 97 intersects both once offline. */
	ck_assert_int_eq(tu_store_state(e, 96, MHP_MMOP_ONLINE_MOVABLE), 0);
	ck_assert_int_eq(tu_store_state(e, 97, MHP_MMOP_ONLINE_KERNEL), 0);
	ck_assert_int_eq(tu_store_state(e, 98, MHP_MMOP_ONLINE_MOVABLE), 0);
	ck_assert_int_eq(tu_store_state(e, 99, MHP_MMOP_ONLINE_KERNEL), 0);
	ck_assert_int_eq(tu_store_state(e, 97, MHP_MMOP_OFFLINE), 0);
	ASSERT_VZ(e, 97, "Normal Movable\n");
	ck_assert_int_eq(tu_store_online(e, 97, true), 0);
	ck_assert_int_eq(tu_zone(e, 97), MHP_ZONE_NORMAL);
	mhp_engine_free(e);
}
END_TEST

START_TEST(contig_both_spans_movable_node)
{
	struct mhp_config cfg;
	struct mhp_engine *e;

	tu_config_two_node(&cfg);
	cfg.movable_node = true;
	e = two_node_with_hot(&cfg);
	ck_assert_int_eq(tu_store_state(e, 96, MHP_MMOP_ONLINE_MOVABLE), 0);
	ck_assert_int_eq(tu_store_state(e, 97, MHP_MMOP_ONLINE_KERNEL), 0);
	ck_assert_int_eq(tu_store_state(e, 98, MHP_MMOP_ONLINE_MOVABLE), 0);
	ck_assert_int_eq(tu_store_state(e, 99, MHP_MMOP_ONLINE_KERNEL), 0);
	ck_assert_int_eq(tu_store_state(e, 97, MHP_MMOP_OFFLINE), 0);
	ASSERT_VZ(e, 97, "Movable Normal\n");
	ck_assert_int_eq(tu_store_online(e, 97, true), 0);
	ck_assert_int_eq(tu_zone(e, 97), MHP_ZONE_MOVABLE);
	mhp_engine_free(e);
}
END_TEST

START_TEST(contig_movable_node_fresh)
{
	struct mhp_config cfg;
	struct mhp_engine *e;

	tu_config_two_node(&cfg);
	cfg.movable_node = true;
	e = two_node_with_hot(&cfg);
	ASSERT_VZ(e, 96, "Movable Normal\n");
	/* Only one of {Normal, Movable} intersecting still wins over movable_node. */
	ck_assert_int_eq(tu_store_state(e, 70, MHP_MMOP_OFFLINE), 0);
	ASSERT_VZ(e, 70, "Normal Movable\n");
	ck_assert_int_eq(tu_store_state(e, 5, MHP_MMOP_OFFLINE), 0);
	ASSERT_VZ(e, 5, "DMA32 Movable\n");
	ck_assert_int_eq(tu_store_online(e, 96, true), 0);
	ck_assert_int_eq(tu_zone(e, 96), MHP_ZONE_MOVABLE);
	ASSERT_VZ(e, 96, "Movable\n");
	mhp_engine_free(e);
}
END_TEST

/* ---- zone spans (SPEC §3 "Zone spans change only on online and offline") ---------------------- */

START_TEST(spans_grow_and_shrink_at_edges)
{
	struct mhp_config cfg;
	struct mhp_engine *e;
	struct mhp_zone_info z;

	tu_config_two_node(&cfg);
	e = two_node_with_hot(&cfg);
	z = zone_of(e, 1, MHP_ZONE_MOVABLE);
	ck_assert_uint_eq(z.start_pfn, z.end_pfn);

	ck_assert_int_eq(tu_store_state(e, 97, MHP_MMOP_ONLINE_MOVABLE), 0);
	z = zone_of(e, 1, MHP_ZONE_MOVABLE);
	ck_assert_uint_eq(z.start_pfn, TU_BLOCK_PFN(97));
	ck_assert_uint_eq(z.end_pfn, TU_BLOCK_PFN(98));
	ck_assert_int_eq(tu_store_state(e, 99, MHP_MMOP_ONLINE_MOVABLE), 0);
	ck_assert_int_eq(tu_store_state(e, 98, MHP_MMOP_ONLINE_MOVABLE), 0);
	z = zone_of(e, 1, MHP_ZONE_MOVABLE);
	ck_assert_uint_eq(z.start_pfn, TU_BLOCK_PFN(97));
	ck_assert_uint_eq(z.end_pfn, TU_BLOCK_PFN(100));
	ck_assert_uint_eq(z.present_pages, 3 * TU_BLOCK_PAGES);

	/* Middle: the span stays, and the block still lies inside Movable only. */
	ck_assert_int_eq(tu_store_state(e, 98, MHP_MMOP_OFFLINE), 0);
	z = zone_of(e, 1, MHP_ZONE_MOVABLE);
	ck_assert_uint_eq(z.start_pfn, TU_BLOCK_PFN(97));
	ck_assert_uint_eq(z.end_pfn, TU_BLOCK_PFN(100));
	ck_assert_uint_eq(z.present_pages, 2 * TU_BLOCK_PAGES);
	ASSERT_VZ(e, 98, "Movable Normal\n");

	/* Start edge: shrinks to the next online block of the zone (99; 98 is offline). */
	ck_assert_int_eq(tu_store_state(e, 97, MHP_MMOP_OFFLINE), 0);
	z = zone_of(e, 1, MHP_ZONE_MOVABLE);
	ck_assert_uint_eq(z.start_pfn, TU_BLOCK_PFN(99));
	ck_assert_uint_eq(z.end_pfn, TU_BLOCK_PFN(100));
	ASSERT_VZ(e, 97, "Normal Movable\n");
	ASSERT_VZ(e, 98, "Normal Movable\n");

	/* Last block: the zone is empty. */
	ck_assert_int_eq(tu_store_state(e, 99, MHP_MMOP_OFFLINE), 0);
	z = zone_of(e, 1, MHP_ZONE_MOVABLE);
	ck_assert_uint_eq(z.start_pfn, z.end_pfn);
	ck_assert_uint_eq(z.present_pages, 0);
	ASSERT_VZ(e, 99, "Normal Movable\n");
	mhp_engine_free(e);
}
END_TEST

START_TEST(spans_end_edge_shrinks)
{
	struct mhp_config cfg;
	struct mhp_engine *e;
	struct mhp_zone_info z;

	tu_config_two_node(&cfg);
	e = two_node_with_hot(&cfg);
	ck_assert_int_eq(tu_store_state(e, 96, MHP_MMOP_ONLINE_MOVABLE), 0);
	ck_assert_int_eq(tu_store_state(e, 97, MHP_MMOP_ONLINE_MOVABLE), 0);
	ck_assert_int_eq(tu_store_state(e, 98, MHP_MMOP_ONLINE_MOVABLE), 0);
	ck_assert_int_eq(tu_store_state(e, 98, MHP_MMOP_OFFLINE), 0);
	z = zone_of(e, 1, MHP_ZONE_MOVABLE);
	ck_assert_uint_eq(z.start_pfn, TU_BLOCK_PFN(96));
	ck_assert_uint_eq(z.end_pfn, TU_BLOCK_PFN(98));
	/* The edge block was offlined: outside every span now. */
	ASSERT_VZ(e, 98, "Normal Movable\n");

	/* Normal of node 1 grows to cover an online_kernel block at 99, beyond the Movable ones. */
	ck_assert_int_eq(tu_store_state(e, 99, MHP_MMOP_ONLINE_KERNEL), 0);
	z = zone_of(e, 1, MHP_ZONE_NORMAL);
	ck_assert_uint_eq(z.start_pfn, TU_PFN(8 * TU_GiB));
	ck_assert_uint_eq(z.end_pfn, TU_BLOCK_PFN(100));
	/* Now 96..98 all lie inside the Normal span, and 96/97 inside Movable too. */
	ck_assert_int_eq(tu_store_state(e, 97, MHP_MMOP_OFFLINE), 0);
	ASSERT_VZ(e, 97, "Normal Movable\n");
	ASSERT_VZ(e, 98, "Normal Movable\n");
	/* Boot start edge of node 1's Normal zone. */
	ck_assert_int_eq(tu_store_state(e, 64, MHP_MMOP_OFFLINE), 0);
	z = zone_of(e, 1, MHP_ZONE_NORMAL);
	ck_assert_uint_eq(z.start_pfn, TU_BLOCK_PFN(65));
	ck_assert_uint_eq(z.end_pfn, TU_BLOCK_PFN(100));
	/* A middle boot block: no change. */
	ck_assert_int_eq(tu_store_state(e, 80, MHP_MMOP_OFFLINE), 0);
	z = zone_of(e, 1, MHP_ZONE_NORMAL);
	ck_assert_uint_eq(z.start_pfn, TU_BLOCK_PFN(65));
	ck_assert_uint_eq(z.end_pfn, TU_BLOCK_PFN(100));
	mhp_engine_free(e);
}
END_TEST

START_TEST(spans_failed_online_rolled_back)
{
	struct mhp_config cfg;
	struct mhp_engine *e;
	struct tu_log log;
	struct tu_recorder r;
	struct mhp_zone_info z;

	tu_config_two_node(&cfg);
	e = two_node_with_hot(&cfg);
	tu_log_init(&log);
	tu_recorder_register(e, &r, &log, "r", 0);
	tu_recorder_set_ret(&r, MHP_MEM_GOING_ONLINE, MHP_NOTIFY_BAD);
	ck_assert_int_eq(tu_store_state(e, 97, MHP_MMOP_ONLINE_MOVABLE), -EPERM);
	z = zone_of(e, 1, MHP_ZONE_MOVABLE);
	ck_assert_uint_eq(z.start_pfn, z.end_pfn);
	ck_assert_uint_eq(z.present_pages, 0);
	ck_assert_int_eq(tu_store_state(e, 99, MHP_MMOP_ONLINE_KERNEL), -EPERM);
	z = zone_of(e, 1, MHP_ZONE_NORMAL);
	ck_assert_uint_eq(z.end_pfn, TU_PFN(12 * TU_GiB));
	ASSERT_VZ(e, 98, "Normal Movable\n");
	tu_recorder_unregister(e, &r);
	tu_log_destroy(&log);
	mhp_engine_free(e);
}
END_TEST

/* ---- auto-movable (SPEC §3 auto_movable_zone) ------------------------------------------------- */

START_TEST(auto_movable_ratio_allows)
{
	struct mhp_config cfg;
	struct mhp_engine *e;

	tu_config_two_node(&cfg);
	cfg.online_policy = MHP_POLICY_AUTO_MOVABLE;
	e = two_node_with_hot(&cfg);
	ASSERT_VZ(e, 96, "Movable Normal\n");
	ck_assert_int_eq(tu_store_online(e, 96, true), 0);
	ck_assert_int_eq(tu_zone(e, 96), MHP_ZONE_MOVABLE);
	ck_assert_int_eq(tu_store_state(e, 97, MHP_MMOP_ONLINE), 0);
	ck_assert_int_eq(tu_zone(e, 97), MHP_ZONE_MOVABLE);
	/* online_kernel is not affected by the policy. */
	ck_assert_int_eq(tu_store_state(e, 98, MHP_MMOP_ONLINE_KERNEL), 0);
	ck_assert_int_eq(tu_zone(e, 98), MHP_ZONE_NORMAL);
	/* An offlined boot block also goes Movable under auto-movable. */
	ck_assert_int_eq(tu_store_state(e, 80, MHP_MMOP_OFFLINE), 0);
	ASSERT_VZ(e, 80, "Movable Normal\n");
	/* Switching the policy back changes the answer at once. */
	ck_assert_int_eq(mhp_set_online_policy(e, MHP_POLICY_CONTIG_ZONES), 0);
	ASSERT_VZ(e, 80, "Normal Movable\n");
	ASSERT_VZ(e, 99, "Normal Movable\n");
	mhp_engine_free(e);
}
END_TEST

START_TEST(auto_movable_ratio_zero)
{
	struct mhp_config cfg;
	struct mhp_engine *e;

	tu_config_two_node(&cfg);
	cfg.online_policy = MHP_POLICY_AUTO_MOVABLE;
	cfg.auto_movable_ratio = 0;
	cfg.movable_node = true; /* ignored by auto-movable */
	e = two_node_with_hot(&cfg);
	ASSERT_VZ(e, 96, "Normal Movable\n");
	ck_assert_int_eq(tu_store_online(e, 96, true), 0);
	ck_assert_int_eq(tu_zone(e, 96), MHP_ZONE_NORMAL);
	/* ratio 0 even ignores a Movable span around the block. */
	ck_assert_int_eq(tu_store_state(e, 97, MHP_MMOP_ONLINE_MOVABLE), 0);
	ck_assert_int_eq(tu_store_state(e, 99, MHP_MMOP_ONLINE_MOVABLE), 0);
	ASSERT_VZ(e, 98, "Normal Movable\n");
	mhp_set_auto_movable_ratio(e, 301);
	ASSERT_VZ(e, 98, "Movable Normal\n");
	mhp_engine_free(e);
}
END_TEST

START_TEST(auto_movable_ratio_exhausted)
{
	struct mhp_config cfg;
	struct mhp_engine *e;

	tu_config_two_node(&cfg);
	cfg.online_policy = MHP_POLICY_AUTO_MOVABLE;
	/* 3% of 2883584 boot kernel pages = 86507 pages: two blocks (65536) fit, three do not. */
	cfg.auto_movable_ratio = 3;
	cfg.auto_movable_numa_aware = false;
	e = two_node_with_hot(&cfg);
	ASSERT_VZ(e, 96, "Movable Normal\n");
	ck_assert_int_eq(tu_store_online(e, 96, true), 0);
	ck_assert_int_eq(tu_zone(e, 96), MHP_ZONE_MOVABLE);
	ASSERT_VZ(e, 97, "Movable Normal\n");
	ck_assert_int_eq(tu_store_online(e, 97, true), 0);
	ck_assert_int_eq(tu_zone(e, 97), MHP_ZONE_MOVABLE);
	ASSERT_VZ(e, 98, "Normal Movable\n");
	ck_assert_int_eq(tu_store_online(e, 98, true), 0);
	ck_assert_int_eq(tu_zone(e, 98), MHP_ZONE_NORMAL);
	/* Hot-added kernel memory does not raise the allowance. */
	ASSERT_VZ(e, 99, "Normal Movable\n");
	/* Freeing Movable memory does. */
	ck_assert_int_eq(tu_store_state(e, 97, MHP_MMOP_OFFLINE), 0);
	ASSERT_VZ(e, 99, "Movable Normal\n");
	mhp_engine_free(e);
}
END_TEST

START_TEST(auto_movable_numa_aware)
{
	struct mhp_config cfg;
	struct mhp_engine *e;

	/* Node 2 has no boot kernel memory: per node nothing may go Movable. */
	tu_config_two_node(&cfg);
	cfg.online_policy = MHP_POLICY_AUTO_MOVABLE;
	e = tu_engine_new(&cfg);
	ck_assert_int_eq(mhp_probe(e, 16 * TU_GiB), 0);
	ASSERT_VZ(e, 128, "Normal Movable\n");
	mhp_set_auto_movable_numa_aware(e, false);
	ASSERT_VZ(e, 128, "Movable Normal\n");
	ck_assert_int_eq(tu_store_online(e, 128, true), 0);
	ck_assert_int_eq(tu_zone(e, 128), MHP_ZONE_MOVABLE);
	mhp_engine_free(e);

	/* Ratio 3: globally one block fits, but 3% of node 1's 4 GiB (31457 pages) does not. */
	tu_config_two_node(&cfg);
	cfg.online_policy = MHP_POLICY_AUTO_MOVABLE;
	cfg.auto_movable_ratio = 3;
	e = two_node_with_hot(&cfg);
	ASSERT_VZ(e, 96, "Normal Movable\n");
	mhp_set_auto_movable_numa_aware(e, false);
	ASSERT_VZ(e, 96, "Movable Normal\n");
	mhp_engine_free(e);
}
END_TEST

START_TEST(auto_movable_static_group)
{
	struct mhp_config cfg;
	struct mhp_engine *e;
	int g1 = -1, g2 = -1;

	tu_config_two_node(&cfg);
	cfg.online_policy = MHP_POLICY_AUTO_MOVABLE;
	e = tu_engine_new(&cfg);
	/* Two 4-block DIMMs on node 1. */
	ck_assert_int_eq(mhp_group_register_static(e, 1, 4 * TU_BLOCK_PAGES, &g1), 0);
	ck_assert_int_eq(mhp_group_register_static(e, 1, 4 * TU_BLOCK_PAGES, &g2), 0);
	ck_assert_int_eq(mhp_add_memory(e, 1, 12 * TU_GiB, 4 * TU_BLOCK, 0, g1), 0);
	ck_assert_int_eq(mhp_add_memory(e, 1, 12 * TU_GiB + 4 * TU_BLOCK, 4 * TU_BLOCK, 0, g2), 0);

	/* DIMM 1 gets kernel memory: the rest of it stays kernel. */
	ASSERT_VZ(e, 96, "Movable Normal\n");
	ck_assert_int_eq(tu_store_state(e, 96, MHP_MMOP_ONLINE_KERNEL), 0);
	ASSERT_VZ(e, 97, "Normal Movable\n");
	ck_assert_int_eq(tu_store_online(e, 97, true), 0);
	ck_assert_int_eq(tu_zone(e, 97), MHP_ZONE_NORMAL);

	/* DIMM 2 starts Movable and stays Movable. */
	ASSERT_VZ(e, 100, "Movable Normal\n");
	ck_assert_int_eq(tu_store_online(e, 100, true), 0);
	ck_assert_int_eq(tu_zone(e, 100), MHP_ZONE_MOVABLE);
	ASSERT_VZ(e, 101, "Movable Normal\n");
	mhp_engine_free(e);
}
END_TEST

START_TEST(auto_movable_static_group_too_big)
{
	struct mhp_config cfg;
	struct mhp_engine *e;
	int g = -1;

	/* 86507 pages allowed: one block would fit, but the whole 4-block DIMM (131072) is needed. */
	tu_config_two_node(&cfg);
	cfg.online_policy = MHP_POLICY_AUTO_MOVABLE;
	cfg.auto_movable_ratio = 3;
	cfg.auto_movable_numa_aware = false;
	e = tu_engine_new(&cfg);
	ck_assert_int_eq(mhp_group_register_static(e, 1, 4 * TU_BLOCK_PAGES, &g), 0);
	ck_assert_int_eq(mhp_add_memory(e, 1, 12 * TU_GiB, 4 * TU_BLOCK, 0, g), 0);
	ASSERT_VZ(e, 96, "Normal Movable\n");
	/* A block outside any group fits. */
	ck_assert_int_eq(mhp_probe(e, 13 * TU_GiB), 0);
	ASSERT_VZ(e, 104, "Movable Normal\n");
	mhp_engine_free(e);
}
END_TEST

START_TEST(auto_movable_dynamic_group_unit)
{
	struct mhp_config cfg;
	struct mhp_engine *e;
	int g = -1;

	tu_config_two_node(&cfg);
	cfg.online_policy = MHP_POLICY_AUTO_MOVABLE;
	e = tu_engine_new(&cfg);
	/* virtio-mem style: 2-block units. */
	ck_assert_int_eq(mhp_group_register_dynamic(e, 1, 2 * TU_BLOCK_PAGES, &g), 0);
	ck_assert_int_eq(mhp_add_memory(e, 1, 12 * TU_GiB, 4 * TU_BLOCK, 0, g), 0);
	ASSERT_VZ(e, 96, "Movable Normal\n");
	ck_assert_int_eq(tu_store_state(e, 96, MHP_MMOP_ONLINE_KERNEL), 0);
	/* Same unit as a kernel block: kernel; the next unit is free to go Movable. */
	ASSERT_VZ(e, 97, "Normal Movable\n");
	ASSERT_VZ(e, 98, "Movable Normal\n");
	ck_assert_int_eq(tu_store_online(e, 98, true), 0);
	ck_assert_int_eq(tu_zone(e, 98), MHP_ZONE_MOVABLE);
	ASSERT_VZ(e, 99, "Movable Normal\n");
	mhp_engine_free(e);
}
END_TEST

/* ---- kernelcore= / movablecore= (SPEC §3 last paragraph) -------------------------------------- */

START_TEST(movablecore_bytes)
{
	struct mhp_config cfg;
	struct mhp_engine *e;
	struct mhp_zone_info z;

	/* small: node 0 boot [4 GiB, 5 GiB) = blocks 32..39; the top 512 MiB become Movable. */
	tu_config_small(&cfg);
	cfg.movablecore.bytes = 512 * TU_MiB;
	e = tu_engine_new(&cfg);
	for (unsigned long id = 32; id < 36; id++)
		ASSERT_VZ(e, id, "Normal\n");
	for (unsigned long id = 36; id < 40; id++) {
		ASSERT_VZ(e, id, "Movable\n");
		ck_assert_int_eq(tu_zone(e, id), MHP_ZONE_MOVABLE);
	}
	z = zone_of(e, 0, MHP_ZONE_MOVABLE);
	ck_assert_uint_eq(z.start_pfn, TU_BLOCK_PFN(36));
	ck_assert_uint_eq(z.end_pfn, TU_BLOCK_PFN(40));
	ck_assert_uint_eq(z.present_pages, 4 * TU_BLOCK_PAGES);
	ck_assert_uint_eq(z.present_early_pages, 4 * TU_BLOCK_PAGES);
	z = zone_of(e, 0, MHP_ZONE_NORMAL);
	ck_assert_uint_eq(z.start_pfn, TU_BLOCK_PFN(32));
	ck_assert_uint_eq(z.end_pfn, TU_BLOCK_PFN(36));
	ck_assert_uint_eq(z.present_pages, 4 * TU_BLOCK_PAGES);

	/* An offlined block inside the Movable span defaults to Movable. */
	ck_assert_int_eq(tu_store_state(e, 37, MHP_MMOP_OFFLINE), 0);
	ASSERT_VZ(e, 37, "Movable Normal\n");
	ck_assert_int_eq(tu_store_online(e, 37, true), 0);
	ck_assert_int_eq(tu_zone(e, 37), MHP_ZONE_MOVABLE);
	mhp_engine_free(e);
}
END_TEST

START_TEST(movablecore_straddling_block_is_none)
{
	struct mhp_config cfg;
	struct mhp_engine *e;

	/* 448 MiB Movable: the boundary is 4.5 GiB + 64 MiB, inside block 36. */
	tu_config_small(&cfg);
	cfg.movablecore.bytes = 448 * TU_MiB;
	e = tu_engine_new(&cfg);
	ASSERT_VZ(e, 35, "Normal\n");
	ASSERT_VZ(e, 36, "none\n");
	ck_assert_int_eq(tu_zone(e, 36), MHP_ZONE_NONE);
	ASSERT_VZ(e, 37, "Movable\n");
	ck_assert_uint_eq(zone_of(e, 0, MHP_ZONE_MOVABLE).start_pfn,
			  TU_PFN(4 * TU_GiB + 576 * TU_MiB));
	ck_assert_uint_eq(zone_of(e, 0, MHP_ZONE_NORMAL).end_pfn,
			  TU_PFN(4 * TU_GiB + 576 * TU_MiB));
	ck_assert_int_eq(tu_store_state(e, 36, MHP_MMOP_OFFLINE), -EINVAL);
	ck_assert_int_eq(tu_state(e, 36), MHP_STATE_ONLINE);
	mhp_engine_free(e);
}
END_TEST

START_TEST(kernelcore_bytes_and_percent)
{
	struct mhp_config cfg;
	struct mhp_engine *e;

	/* kernelcore=640M: blocks 32..36 kernel, 37..39 Movable. */
	tu_config_small(&cfg);
	cfg.kernelcore.bytes = 640 * TU_MiB;
	e = tu_engine_new(&cfg);
	ASSERT_VZ(e, 36, "Normal\n");
	ASSERT_VZ(e, 37, "Movable\n");
	ASSERT_VZ(e, 39, "Movable\n");
	mhp_engine_free(e);

	/* kernelcore=75%: 768 MiB kernel, blocks 38..39 Movable. */
	tu_config_small(&cfg);
	cfg.kernelcore.percent = 75;
	e = tu_engine_new(&cfg);
	ASSERT_VZ(e, 37, "Normal\n");
	ASSERT_VZ(e, 38, "Movable\n");
	mhp_engine_free(e);

	/* movablecore=50%: 512 MiB Movable, blocks 36..39. */
	tu_config_small(&cfg);
	cfg.movablecore.percent = 50;
	e = tu_engine_new(&cfg);
	ASSERT_VZ(e, 35, "Normal\n");
	ASSERT_VZ(e, 36, "Movable\n");
	ck_assert_uint_eq(tu_node(e, 0).zones[MHP_ZONE_MOVABLE].present_pages, 4 * TU_BLOCK_PAGES);
	mhp_engine_free(e);
}
END_TEST

/* ---- memmap_on_memory (SPEC §5.4, §4.3) ------------------------------------------------------- */

#define VMEMMAP_PAGES 512UL /* 128 MiB of 4 KiB pages, 64-byte struct page: 2 MiB */

START_TEST(memmap_on_memory_accounting)
{
	struct mhp_config cfg;
	struct mhp_engine *e;
	struct tu_log log;
	struct tu_recorder r;
	struct tu_log_entry ent;
	struct mhp_node_info ni;
	const unsigned long base = TU_PFN(4 * TU_GiB);

	tu_config_two_node(&cfg);
	cfg.memmap_on_memory = MHP_MEMMAP_ON;
	e = tu_engine_new(&cfg);
	tu_log_init(&log);
	tu_recorder_register(e, &r, &log, "r", 0);
	ck_assert_int_eq(
		mhp_add_memory(e, 1, 12 * TU_GiB, 2 * TU_BLOCK, MHP_ADD_MEMMAP_ON_MEMORY, -1), 0);

	ck_assert_int_eq(tu_store_state(e, 97, MHP_MMOP_ONLINE_MOVABLE), 0);
	ent = tu_log_at(&log, 0);
	ck_assert_uint_eq(ent.n.start_pfn, TU_BLOCK_PFN(97) + VMEMMAP_PAGES);
	ck_assert_uint_eq(ent.n.nr_pages, TU_BLOCK_PAGES - VMEMMAP_PAGES);
	ent = tu_log_at(&log, 1);
	ck_assert_uint_eq(ent.action, MHP_MEM_ONLINE);
	ck_assert_uint_eq(ent.n.start_pfn, TU_BLOCK_PFN(97) + VMEMMAP_PAGES);
	ck_assert_uint_eq(ent.n.nr_pages, TU_BLOCK_PAGES - VMEMMAP_PAGES);

	/* The memmap pages are present in the zone but never managed. */
	ni = tu_node(e, 1);
	ck_assert_uint_eq(ni.present_pages, base + TU_BLOCK_PAGES);
	ck_assert_uint_eq(ni.managed_pages, base + TU_BLOCK_PAGES - VMEMMAP_PAGES);
	ck_assert_uint_eq(ni.zones[MHP_ZONE_MOVABLE].present_pages, TU_BLOCK_PAGES);
	ck_assert_uint_eq(ni.zones[MHP_ZONE_MOVABLE].managed_pages, TU_BLOCK_PAGES - VMEMMAP_PAGES);
	/* The zone span covers the whole block, memmap included. */
	ck_assert_uint_eq(ni.zones[MHP_ZONE_MOVABLE].start_pfn, TU_BLOCK_PFN(97));
	ck_assert_uint_eq(ni.zones[MHP_ZONE_MOVABLE].end_pfn, TU_BLOCK_PFN(98));

	tu_log_clear(&log);
	ck_assert_int_eq(tu_store_state(e, 97, MHP_MMOP_OFFLINE), 0);
	ent = tu_log_at(&log, 0);
	ck_assert_uint_eq(ent.action, MHP_MEM_GOING_OFFLINE);
	ck_assert_uint_eq(ent.n.start_pfn, TU_BLOCK_PFN(97) + VMEMMAP_PAGES);
	ck_assert_uint_eq(ent.n.nr_pages, TU_BLOCK_PAGES - VMEMMAP_PAGES);
	ni = tu_node(e, 1);
	ck_assert_uint_eq(ni.present_pages, base);
	ck_assert_uint_eq(ni.managed_pages, base);

	/* A vetoed offline restores the memmap pages' accounting. */
	ck_assert_int_eq(tu_store_state(e, 96, MHP_MMOP_ONLINE_KERNEL), 0);
	tu_recorder_set_ret(&r, MHP_MEM_GOING_OFFLINE, MHP_NOTIFY_BAD);
	ck_assert_int_eq(tu_store_state(e, 96, MHP_MMOP_OFFLINE), -EPERM);
	ni = tu_node(e, 1);
	ck_assert_uint_eq(ni.present_pages, base + TU_BLOCK_PAGES);
	ck_assert_uint_eq(ni.managed_pages, base + TU_BLOCK_PAGES - VMEMMAP_PAGES);
	tu_recorder_unregister(e, &r);
	tu_log_destroy(&log);
	mhp_engine_free(e);
}
END_TEST

START_TEST(memmap_on_memory_needs_flag_and_param)
{
	struct mhp_config cfg;
	struct mhp_engine *e;
	struct tu_log log;
	struct tu_recorder r;
	struct tu_log_entry ent;

	/* Parameter on, but probe never uses the feature. */
	tu_config_two_node(&cfg);
	cfg.memmap_on_memory = MHP_MEMMAP_ON;
	e = tu_engine_new(&cfg);
	tu_log_init(&log);
	tu_recorder_register(e, &r, &log, "r", 0);
	ck_assert_int_eq(mhp_probe(e, 12 * TU_GiB), 0);
	ck_assert_int_eq(tu_store_state(e, 96, MHP_MMOP_ONLINE), 0);
	ent = tu_log_at(&log, 0);
	ck_assert_uint_eq(ent.n.start_pfn, TU_BLOCK_PFN(96));
	ck_assert_uint_eq(ent.n.nr_pages, TU_BLOCK_PAGES);
	ck_assert_uint_eq(tu_node(e, 1).managed_pages, TU_PFN(4 * TU_GiB) + TU_BLOCK_PAGES);
	/* Nor does add_memory without the flag. */
	tu_log_clear(&log);
	ck_assert_int_eq(mhp_add_memory(e, 1, 13 * TU_GiB, TU_BLOCK, 0, -1), 0);
	ck_assert_int_eq(tu_store_state(e, 104, MHP_MMOP_ONLINE), 0);
	ent = tu_log_at(&log, 0);
	ck_assert_uint_eq(ent.n.start_pfn, TU_BLOCK_PFN(104));
	ck_assert_uint_eq(ent.n.nr_pages, TU_BLOCK_PAGES);
	tu_recorder_unregister(e, &r);
	mhp_engine_free(e);

	/* Flag given, parameter off: no memmap on memory. */
	tu_config_two_node(&cfg);
	e = tu_engine_new(&cfg);
	tu_log_clear(&log);
	tu_recorder_register(e, &r, &log, "r", 0);
	ck_assert_int_eq(mhp_add_memory(e, 1, 12 * TU_GiB, TU_BLOCK, MHP_ADD_MEMMAP_ON_MEMORY, -1),
			 0);
	ck_assert_int_eq(tu_store_state(e, 96, MHP_MMOP_ONLINE), 0);
	ent = tu_log_at(&log, 0);
	ck_assert_uint_eq(ent.n.start_pfn, TU_BLOCK_PFN(96));
	ck_assert_uint_eq(ent.n.nr_pages, TU_BLOCK_PAGES);
	ck_assert_uint_eq(tu_node(e, 1).managed_pages, TU_PFN(4 * TU_GiB) + TU_BLOCK_PAGES);
	tu_recorder_unregister(e, &r);
	tu_log_destroy(&log);
	mhp_engine_free(e);
}
END_TEST

START_TEST(memmap_on_memory_last_memory_of_node)
{
	struct mhp_config cfg;
	struct mhp_engine *e;
	struct tu_log log;
	struct tu_recorder r;
	struct tu_log_entry ent;

	tu_config_two_node(&cfg);
	cfg.memmap_on_memory = MHP_MEMMAP_ON;
	e = tu_engine_new(&cfg);
	tu_log_init(&log);
	tu_recorder_register(e, &r, &log, "r", 0);
	ck_assert_int_eq(mhp_add_memory(e, 2, 16 * TU_GiB, TU_BLOCK, MHP_ADD_MEMMAP_ON_MEMORY, -1),
			 0);
	ck_assert_int_eq(tu_store_state(e, 128, MHP_MMOP_ONLINE), 0);
	ent = tu_log_at(&log, 0);
	ck_assert_uint_eq(ent.n.start_pfn, TU_BLOCK_PFN(128) + VMEMMAP_PAGES);
	ck_assert_uint_eq(ent.n.nr_pages, TU_BLOCK_PAGES - VMEMMAP_PAGES);
	ck_assert_int_eq(ent.n.status_change_nid, 2);
	ck_assert_int_eq(ent.n.status_change_nid_normal, 2);
	ck_assert_uint_eq(tu_node(e, 2).present_pages, TU_BLOCK_PAGES);

	/*
	 * The memmap pages are un-accounted before the "last memory" test, so the remaining
	 * pages are exactly nr_pages: the node loses its last memory.
	 */
	tu_log_clear(&log);
	ck_assert_int_eq(tu_store_state(e, 128, MHP_MMOP_OFFLINE), 0);
	ent = tu_log_at(&log, 0);
	ck_assert_uint_eq(ent.action, MHP_MEM_GOING_OFFLINE);
	ck_assert_int_eq(ent.n.status_change_nid, 2);
	ck_assert_int_eq(ent.n.status_change_nid_normal, 2);
	ck_assert_uint_eq(mhp_node_state_mask(e, MHP_N_MEMORY), 0x3);
	ck_assert_uint_eq(mhp_node_state_mask(e, MHP_N_NORMAL_MEMORY), 0x3);
	ck_assert_uint_eq(tu_node(e, 2).present_pages, 0);
	ck_assert_uint_eq(tu_node(e, 2).managed_pages, 0);
	tu_recorder_unregister(e, &r);
	tu_log_destroy(&log);
	mhp_engine_free(e);
}
END_TEST

static Suite *zones_suite(void)
{
	Suite *s = suite_create("zones");
	TCase *tc;

	tc = tcase_create("online_blocks");
	tcase_add_test(tc, online_blocks_show_single_zone);
	tcase_add_test(tc, boot_block_zone_spans);
	suite_add_tcase(s, tc);

	tc = tcase_create("contig_zones");
	tcase_add_test(tc, contig_fresh_hot_added);
	tcase_add_test(tc, contig_offlined_normal_blocks);
	tcase_add_test(tc, contig_dma32_blocks);
	tcase_add_test(tc, contig_inside_movable_span);
	tcase_add_test(tc, contig_both_spans);
	tcase_add_test(tc, contig_both_spans_movable_node);
	tcase_add_test(tc, contig_movable_node_fresh);
	suite_add_tcase(s, tc);

	tc = tcase_create("spans");
	tcase_add_test(tc, spans_grow_and_shrink_at_edges);
	tcase_add_test(tc, spans_end_edge_shrinks);
	tcase_add_test(tc, spans_failed_online_rolled_back);
	suite_add_tcase(s, tc);

	tc = tcase_create("auto_movable");
	tcase_add_test(tc, auto_movable_ratio_allows);
	tcase_add_test(tc, auto_movable_ratio_zero);
	tcase_add_test(tc, auto_movable_ratio_exhausted);
	tcase_add_test(tc, auto_movable_numa_aware);
	tcase_add_test(tc, auto_movable_static_group);
	tcase_add_test(tc, auto_movable_static_group_too_big);
	tcase_add_test(tc, auto_movable_dynamic_group_unit);
	suite_add_tcase(s, tc);

	tc = tcase_create("boot_movable");
	tcase_add_test(tc, movablecore_bytes);
	tcase_add_test(tc, movablecore_straddling_block_is_none);
	tcase_add_test(tc, kernelcore_bytes_and_percent);
	suite_add_tcase(s, tc);

	tc = tcase_create("memmap_on_memory");
	tcase_add_test(tc, memmap_on_memory_accounting);
	tcase_add_test(tc, memmap_on_memory_needs_flag_and_param);
	tcase_add_test(tc, memmap_on_memory_last_memory_of_node);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(zones_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
