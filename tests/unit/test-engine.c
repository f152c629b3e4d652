// SPDX-License-Identifier: MIT
/*
 * Unit tests of the engine (include/memhp/engine.h), written from SPEC §1.3, §2, §4-§7 and §13
 * without reading the implementation: the block state machine, the store semantics of `state` and
 * `online`, the exact notifier sequences and payloads, node masks, probe, hot-add, hot-remove and
 * the module parameters.
 *
 * Machines are the builders of testutil.h; on tu_config_two_node() the free hot-add addresses are
 * 12 GiB (id 96, node 1) and 16 GiB (id 128, node 2, which starts without memory and offline).
 */
#include <check.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"

#define EVBUF 4096
#define DEVMEM "/devices/system/memory/memory"
#define DEVNODE "/devices/system/node/node"

#define ASSERT_VZ_E(e, id, want)                                              \
	do {                                                                  \
		char vz_buf_[32];                                             \
		ck_assert_str_eq(tu_valid_zones((e), (id), vz_buf_), (want)); \
	} while (0)

static struct mhp_engine *two_node(void)
{
	struct mhp_config cfg;

	tu_config_two_node(&cfg);
	return tu_engine_new(&cfg);
}

static void assert_payload(const struct tu_log_entry *ent, unsigned long start_pfn,
			   unsigned long nr_pages, int nid_normal, int nid)
{
	ck_assert_uint_eq(ent->n.start_pfn, start_pfn);
	ck_assert_uint_eq(ent->n.nr_pages, nr_pages);
	ck_assert_int_eq(ent->n.status_change_nid_normal, nid_normal);
	ck_assert_int_eq(ent->n.status_change_nid, nid);
}

/* Every entry of the log carries the same payload values as the first one (SPEC §4.3). */
static void assert_same_payload(struct tu_log *log)
{
	size_t n = tu_log_count(log);
	struct tu_log_entry first;

	ck_assert_uint_gt(n, 0);
	first = tu_log_at(log, 0);
	for (size_t i = 1; i < n; i++) {
		struct tu_log_entry ent = tu_log_at(log, i);

		assert_payload(&ent, first.n.start_pfn, first.n.nr_pages,
			       first.n.status_change_nid_normal, first.n.status_change_nid);
	}
}

/* ---- configuration and boot ------------------------------------------------------------------- */

START_TEST(config_init_defaults)
{
	struct mhp_config cfg;

	memset(&cfg, 0xa5, sizeof(cfg));
	mhp_config_init(&cfg);
	ck_assert_uint_eq(cfg.block_size, 128 * TU_MiB);
	ck_assert_uint_eq(cfg.nr_nodes, 1);
	ck_assert_uint_eq(cfg.cpu_nodes, 0x1);
	ck_assert_uint_eq(cfg.nr_boot, 0);
	ck_assert_uint_eq(cfg.phys_bits, 46);
	ck_assert_uint_eq(cfg.dma_end, 16 * TU_MiB);
	ck_assert_uint_eq(cfg.dma32_end, 4 * TU_GiB);
	ck_assert_int_eq(cfg.auto_online, MHP_MMOP_OFFLINE);
	ck_assert_int_eq(cfg.online_policy, MHP_POLICY_CONTIG_ZONES);
	ck_assert_uint_eq(cfg.auto_movable_ratio, 301);
	ck_assert(cfg.auto_movable_numa_aware);
	ck_assert_int_eq(cfg.memmap_on_memory, MHP_MEMMAP_OFF);
	ck_assert(!cfg.movable_node);
	ck_assert_ptr_null(cfg.mem_ops);
	ck_assert_ptr_null(cfg.on_change);
}
END_TEST

START_TEST(engine_new_rejects_bad_config)
{
	static const struct mhp_mem_range overlap[] = {
		{ 4 * TU_GiB, 6 * TU_GiB, 0 },
		{ 5 * TU_GiB, 7 * TU_GiB, 0 },
	};
	static const struct mhp_mem_range bad_nid[] = {
		{ 4 * TU_GiB, 5 * TU_GiB, 1 },
	};
	struct mhp_engine *sentinel = (struct mhp_engine *)(uintptr_t)0x1;
	struct mhp_engine *e = sentinel;
	struct mhp_config cfg;

	tu_config_small(&cfg);
	cfg.block_size = 96 * TU_MiB; /* not a power of two */
	ck_assert_int_eq(mhp_engine_new(&cfg, &e), -EINVAL);
	ck_assert_ptr_eq(e, sentinel);

	tu_config_small(&cfg);
	cfg.block_size = MHP_MIN_BLOCK_SIZE / 2;
	ck_assert_int_eq(mhp_engine_new(&cfg, &e), -EINVAL);

	tu_config_small(&cfg);
	cfg.nr_nodes = 0;
	ck_assert_int_eq(mhp_engine_new(&cfg, &e), -EINVAL);

	tu_config_small(&cfg);
	cfg.nr_nodes = MHP_MAX_NUMNODES + 1;
	ck_assert_int_eq(mhp_engine_new(&cfg, &e), -EINVAL);

	tu_config_small(&cfg);
	cfg.boot = overlap;
	cfg.nr_boot = 2;
	ck_assert_int_eq(mhp_engine_new(&cfg, &e), -EINVAL);

	tu_config_small(&cfg);
	cfg.boot = bad_nid; /* node 1 of a 1-node machine */
	cfg.nr_boot = 1;
	ck_assert_int_eq(mhp_engine_new(&cfg, &e), -EINVAL);
	ck_assert_ptr_eq(e, sentinel);

	mhp_engine_free(NULL);
}
END_TEST

START_TEST(boot_topology)
{
	struct mhp_engine *e = two_node();
	unsigned long id = 0;

	ck_assert_uint_eq(mhp_engine_block_size(e), TU_BLOCK);
	ck_assert_uint_eq(mhp_engine_nr_nodes(e), 4);
	/* 24 + 32 + 32 boot blocks; ids 24..31 (PCI hole) are absent. */
	ck_assert_uint_eq(mhp_block_count(e), 88);
	ck_assert_ptr_null(mhp_block_get(e, 24));
	ck_assert_ptr_null(mhp_block_get(e, 31));
	ck_assert_ptr_null(mhp_block_get(e, 96));
	ck_assert_int_eq(mhp_block_next_id(e, 24, &id), 0);
	ck_assert_uint_eq(id, 32);
	ck_assert_int_eq(mhp_block_next_id(e, 0, &id), 0);
	ck_assert_uint_eq(id, 0);
	id = 12345;
	ck_assert_int_eq(mhp_block_next_id(e, 96, &id), -ENOENT);
	ck_assert_uint_eq(id, 12345);

	/* Boot blocks are online, `online` shows 1 (SPEC §12). */
	ck_assert_int_eq(tu_state(e, 0), MHP_STATE_ONLINE);
	ck_assert_int_eq(tu_state(e, 23), MHP_STATE_ONLINE);
	ck_assert_int_eq(tu_state(e, 32), MHP_STATE_ONLINE);
	ck_assert_int_eq(tu_state(e, 95), MHP_STATE_ONLINE);
	ck_assert(tu_online_show(e, 0));
	ck_assert(tu_online_show(e, 64));
	ck_assert_int_eq(tu_zone(e, 0), MHP_ZONE_NONE);
	ck_assert_int_eq(tu_zone(e, 1), MHP_ZONE_DMA32);
	ck_assert_int_eq(tu_zone(e, 32), MHP_ZONE_NORMAL);

	struct mhp_block *b = tu_block(e, 64);
	ck_assert_uint_eq(mhp_block_id(b), 64);
	ck_assert_int_eq(mhp_block_nid(b), 1);
	ck_assert_uint_eq(mhp_block_node_mask(b), 0x2);
	ck_assert(!mhp_block_removed(b));
	mhp_block_put(b);
	b = tu_block(e, 5);
	ck_assert_int_eq(mhp_block_nid(b), 0);
	ck_assert_uint_eq(mhp_block_node_mask(b), 0x1);
	mhp_block_put(b);
	mhp_block_put(NULL);

	/* Boot events are not queued. */
	ck_assert_uint_eq(tu_events_drain(e), 0);
	mhp_engine_free(e);
}
END_TEST

START_TEST(boot_node_masks_and_counts)
{
	struct mhp_engine *e = two_node();
	struct mhp_node_info ni;

	ck_assert_uint_eq(mhp_node_state_mask(e, MHP_N_POSSIBLE), 0xf);
	ck_assert_uint_eq(mhp_node_state_mask(e, MHP_N_ONLINE), 0x3);
	ck_assert_uint_eq(mhp_node_state_mask(e, MHP_N_MEMORY), 0x3);
	ck_assert_uint_eq(mhp_node_state_mask(e, MHP_N_NORMAL_MEMORY), 0x3);
	ck_assert_uint_eq(mhp_node_state_mask(e, MHP_N_CPU), 0x3);

	ni = tu_node(e, 0);
	ck_assert(ni.online);
	ck_assert_uint_eq(ni.present_pages, TU_PFN(7 * TU_GiB));
	ck_assert_uint_eq(ni.managed_pages, TU_PFN(7 * TU_GiB));
	ck_assert_uint_eq(ni.nr_blocks, 56);
	ck_assert_uint_eq(ni.zones[MHP_ZONE_DMA].start_pfn, 0);
	ck_assert_uint_eq(ni.zones[MHP_ZONE_DMA].end_pfn, TU_PFN(16 * TU_MiB));
	ck_assert_uint_eq(ni.zones[MHP_ZONE_DMA].present_pages, TU_PFN(16 * TU_MiB));
	ck_assert_uint_eq(ni.zones[MHP_ZONE_DMA32].start_pfn, TU_PFN(16 * TU_MiB));
	/* Zone spans are clamped by the zone limits, not by present memory: the hole is inside. */
	ck_assert_uint_eq(ni.zones[MHP_ZONE_DMA32].end_pfn, TU_PFN(4 * TU_GiB));
	ck_assert_uint_eq(ni.zones[MHP_ZONE_DMA32].present_pages, TU_PFN(3 * TU_GiB - 16 * TU_MiB));
	ck_assert_uint_eq(ni.zones[MHP_ZONE_NORMAL].start_pfn, TU_PFN(4 * TU_GiB));
	ck_assert_uint_eq(ni.zones[MHP_ZONE_NORMAL].end_pfn, TU_PFN(8 * TU_GiB));
	ck_assert_uint_eq(ni.zones[MHP_ZONE_NORMAL].present_pages, TU_PFN(4 * TU_GiB));
	ck_assert_uint_eq(ni.zones[MHP_ZONE_NORMAL].present_early_pages, TU_PFN(4 * TU_GiB));
	ck_assert_uint_eq(ni.zones[MHP_ZONE_MOVABLE].present_pages, 0);
	ck_assert_uint_eq(ni.zones[MHP_ZONE_MOVABLE].start_pfn, ni.zones[MHP_ZONE_MOVABLE].end_pfn);

	ni = tu_node(e, 1);
	ck_assert(ni.online);
	ck_assert_uint_eq(ni.present_pages, TU_PFN(4 * TU_GiB));
	ck_assert_uint_eq(ni.nr_blocks, 32);
	ck_assert_uint_eq(ni.zones[MHP_ZONE_DMA32].present_pages, 0);

	ni = tu_node(e, 2);
	ck_assert(!ni.online);
	ck_assert_uint_eq(ni.present_pages, 0);
	ck_assert_uint_eq(ni.nr_blocks, 0);

	memset(&ni, 0x5a, sizeof(ni));
	ck_assert_int_eq(mhp_node_info(e, 4, &ni), -EINVAL);
	ck_assert_int_eq(mhp_node_info(e, -1, &ni), -EINVAL);
	ck_assert_uint_eq(ni.nr_blocks, 0x5a5a5a5a5a5a5a5aUL);
	mhp_engine_free(e);
}
END_TEST

START_TEST(names)
{
	ck_assert_str_eq(mhp_zone_name(MHP_ZONE_DMA), "DMA");
	ck_assert_str_eq(mhp_zone_name(MHP_ZONE_DMA32), "DMA32");
	ck_assert_str_eq(mhp_zone_name(MHP_ZONE_NORMAL), "Normal");
	ck_assert_str_eq(mhp_zone_name(MHP_ZONE_MOVABLE), "Movable");
	ck_assert_str_eq(mhp_zone_name(MHP_ZONE_NONE), "none");
	ck_assert_str_eq(mhp_zone_name(42), "none");
	ck_assert_str_eq(mhp_block_state_name(MHP_STATE_ONLINE), "online");
	ck_assert_str_eq(mhp_block_state_name(MHP_STATE_GOING_OFFLINE), "going-offline");
	ck_assert_str_eq(mhp_block_state_name(MHP_STATE_OFFLINE), "offline");
	ck_assert_ptr_null(mhp_block_state_name(3));
	ck_assert_ptr_null(mhp_block_state_name(0));
}
END_TEST

/* ---- state machine (SPEC §1.3, §2) ------------------------------------------------------------ */

START_TEST(state_store_already_online_is_einval)
{
	struct mhp_engine *e = two_node();
	struct tu_log log;
	struct tu_recorder r;
	char buf[EVBUF];

	tu_log_init(&log);
	tu_recorder_register(e, &r, &log, "r", 0);
	ck_assert_int_eq(tu_store_state(e, 40, MHP_MMOP_ONLINE), -EINVAL);
	ck_assert_int_eq(tu_store_state(e, 40, MHP_MMOP_ONLINE_KERNEL), -EINVAL);
	ck_assert_int_eq(tu_store_state(e, 40, MHP_MMOP_ONLINE_MOVABLE), -EINVAL);
	ck_assert_int_eq(tu_state(e, 40), MHP_STATE_ONLINE);
	ck_assert_int_eq(tu_zone(e, 40), MHP_ZONE_NORMAL);
	ck_assert_uint_eq(tu_log_count(&log), 0);
	ck_assert_str_eq(tu_events_str(e, buf, sizeof(buf)), "");
	/* A bad type is EINVAL too. */
	ck_assert_int_eq(tu_store_state(e, 40, 4), -EINVAL);
	ck_assert_int_eq(tu_store_state(e, 40, -1), -EINVAL);
	ck_assert_int_eq(tu_state(e, 40), MHP_STATE_ONLINE);
	tu_recorder_unregister(e, &r);
	tu_log_destroy(&log);
	mhp_engine_free(e);
}
END_TEST

START_TEST(online_store_noop_succeeds_silently)
{
	struct mhp_engine *e = two_node();
	struct tu_log log;
	struct tu_recorder r;
	char buf[EVBUF];

	tu_log_init(&log);
	tu_recorder_register(e, &r, &log, "r", 0);
	ck_assert_int_eq(tu_store_online(e, 40, true), 0);
	ck_assert_int_eq(tu_state(e, 40), MHP_STATE_ONLINE);
	ck_assert_uint_eq(tu_log_count(&log), 0);
	ck_assert_str_eq(tu_events_str(e, buf, sizeof(buf)), "");

	/* Offline it, then the same two kinds of no-op on an offline block. */
	ck_assert_int_eq(tu_store_online(e, 40, false), 0);
	ck_assert_int_eq(tu_state(e, 40), MHP_STATE_OFFLINE);
	ck_assert(!tu_online_show(e, 40));
	ck_assert_str_eq(tu_log_str(&log, buf, sizeof(buf)), "r:GOING_OFFLINE r:OFFLINE");
	ck_assert_str_eq(tu_events_str(e, buf, sizeof(buf)), "offline:" DEVMEM "40");
	tu_log_clear(&log);

	ck_assert_int_eq(tu_store_online(e, 40, false), 0);
	ck_assert_int_eq(tu_store_state(e, 40, MHP_MMOP_OFFLINE), -EINVAL);
	ck_assert_int_eq(tu_state(e, 40), MHP_STATE_OFFLINE);
	ck_assert_uint_eq(tu_log_count(&log), 0);
	ck_assert_str_eq(tu_events_str(e, buf, sizeof(buf)), "");

	/* And back through `online`: automatic zone, Normal here. */
	ck_assert_int_eq(tu_store_online(e, 40, true), 0);
	ck_assert_int_eq(tu_state(e, 40), MHP_STATE_ONLINE);
	ck_assert(tu_online_show(e, 40));
	ck_assert_int_eq(tu_zone(e, 40), MHP_ZONE_NORMAL);
	ck_assert_str_eq(tu_log_str(&log, buf, sizeof(buf)), "r:GOING_ONLINE r:ONLINE");
	ck_assert_str_eq(tu_events_str(e, buf, sizeof(buf)), "online:" DEVMEM "40");
	tu_recorder_unregister(e, &r);
	tu_log_destroy(&log);
	mhp_engine_free(e);
}
END_TEST

START_TEST(hot_added_block_is_offline)
{
	struct mhp_engine *e = two_node();
	struct mhp_block *b;

	ck_assert_int_eq(mhp_probe(e, 12 * TU_GiB), 0);
	b = tu_block(e, 96);
	ck_assert_int_eq(mhp_block_state(b), MHP_STATE_OFFLINE);
	ck_assert_int_eq(mhp_block_zone(b), MHP_ZONE_NONE);
	ck_assert_int_eq(mhp_block_nid(b), 1);
	/* The node link exists although the block is offline (SPEC §12). */
	ck_assert_uint_eq(mhp_block_node_mask(b), 0x2);
	ck_assert(!tu_online_show(e, 96));
	ck_assert_uint_eq(tu_node(e, 1).nr_blocks, 33);
	ck_assert_uint_eq(tu_node(e, 1).present_pages, TU_PFN(4 * TU_GiB));
	mhp_block_put(b);
	mhp_engine_free(e);
}
END_TEST

START_TEST(none_block_refuses_offline)
{
	struct mhp_engine *e;
	struct tu_memops m;
	struct tu_log log;
	struct tu_recorder r;
	struct mhp_config cfg;
	char buf[EVBUF];

	tu_memops_init(&m);
	tu_config_two_node(&cfg);
	tu_memops_attach(&cfg, &m);
	e = tu_engine_new(&cfg);
	tu_log_init(&log);
	tu_recorder_register(e, &r, &log, "r", 0);

	/* Block 0 spans DMA and DMA32: EINVAL before anything else (SPEC §4.4 offline step 1). */
	ck_assert_int_eq(tu_store_state(e, 0, MHP_MMOP_OFFLINE), -EINVAL);
	ck_assert_int_eq(tu_store_online(e, 0, false), -EINVAL);
	ck_assert_int_eq(tu_state(e, 0), MHP_STATE_ONLINE);
	ck_assert(tu_online_show(e, 0));
	ck_assert_uint_eq(tu_log_count(&log), 0);
	ck_assert_uint_eq(atomic_load(&m.nr_isolate), 0);
	ck_assert_str_eq(tu_events_str(e, buf, sizeof(buf)), "");
	ck_assert_str_eq(tu_valid_zones(e, 0, buf), "none\n");
	tu_recorder_unregister(e, &r);
	tu_log_destroy(&log);
	mhp_engine_free(e);
	tu_memops_destroy(&m);
}
END_TEST

START_TEST(hole_block_refuses_offline)
{
	struct mhp_config cfg;
	struct mhp_engine *e;
	struct tu_memops m;
	struct tu_log log;
	struct tu_recorder r;
	char buf[EVBUF];

	tu_memops_init(&m);
	tu_config_small_hole(&cfg);
	tu_memops_attach(&cfg, &m);
	e = tu_engine_new(&cfg);
	tu_log_init(&log);
	tu_recorder_register(e, &r, &log, "r", 0);

	/* Block 40 is half present: online at boot, refuses offline with EINVAL (SPEC §2). */
	ck_assert_uint_eq(mhp_block_count(e), 9);
	ck_assert_int_eq(tu_state(e, 40), MHP_STATE_ONLINE);
	ck_assert_uint_eq(tu_node(e, 0).present_pages, TU_PFN(TU_GiB + 64 * TU_MiB));
	ck_assert_int_eq(tu_store_state(e, 40, MHP_MMOP_OFFLINE), -EINVAL);
	ck_assert_int_eq(tu_store_online(e, 40, false), -EINVAL);
	ck_assert_int_eq(tu_state(e, 40), MHP_STATE_ONLINE);
	ck_assert_uint_eq(tu_log_count(&log), 0);
	ck_assert_uint_eq(atomic_load(&m.nr_isolate), 0);
	ck_assert_str_eq(tu_events_str(e, buf, sizeof(buf)), "");
	/* A full neighbour offlines fine. */
	ck_assert_int_eq(tu_store_state(e, 39, MHP_MMOP_OFFLINE), 0);
	ck_assert_int_eq(tu_state(e, 39), MHP_STATE_OFFLINE);
	tu_recorder_unregister(e, &r);
	tu_log_destroy(&log);
	mhp_engine_free(e);
	tu_memops_destroy(&m);
}
END_TEST

START_TEST(state_seen_by_callbacks)
{
	struct mhp_engine *e = two_node();
	struct tu_log log;
	struct tu_recorder r;
	struct mhp_block *b;
	char buf[EVBUF];

	tu_log_init(&log);
	tu_recorder_register(e, &r, &log, "r", 0);
	b = tu_block(e, 50);
	r.watch = b;

	/* Offline: going-offline during GOING_OFFLINE and OFFLINE. */
	ck_assert_int_eq(mhp_block_store_state(e, b, MHP_MMOP_OFFLINE, NULL), 0);
	ck_assert_str_eq(tu_log_str(&log, buf, sizeof(buf)), "r:GOING_OFFLINE r:OFFLINE");
	ck_assert_int_eq(tu_log_at(&log, 0).watch_state, MHP_STATE_GOING_OFFLINE);
	ck_assert_int_eq(tu_log_at(&log, 1).watch_state, MHP_STATE_GOING_OFFLINE);
	ck_assert_int_eq(mhp_block_state(b), MHP_STATE_OFFLINE);
	tu_log_clear(&log);

	/* Online: there is no going-online; the state stays offline until the end. */
	ck_assert_int_eq(mhp_block_store_state(e, b, MHP_MMOP_ONLINE, NULL), 0);
	ck_assert_str_eq(tu_log_str(&log, buf, sizeof(buf)), "r:GOING_ONLINE r:ONLINE");
	ck_assert_int_eq(tu_log_at(&log, 0).watch_state, MHP_STATE_OFFLINE);
	ck_assert_int_eq(tu_log_at(&log, 1).watch_state, MHP_STATE_OFFLINE);
	ck_assert_int_eq(mhp_block_state(b), MHP_STATE_ONLINE);
	tu_log_clear(&log);

	/* A vetoed offline: CANCEL_OFFLINE still sees going-offline, then back to online. */
	tu_recorder_set_ret(&r, MHP_MEM_GOING_OFFLINE, mhp_notifier_from_errno(-EBUSY));
	ck_assert_int_eq(mhp_block_store_state(e, b, MHP_MMOP_OFFLINE, NULL), -EBUSY);
	ck_assert_str_eq(tu_log_str(&log, buf, sizeof(buf)), "r:GOING_OFFLINE r:CANCEL_OFFLINE");
	ck_assert_int_eq(tu_log_at(&log, 0).watch_state, MHP_STATE_GOING_OFFLINE);
	ck_assert_int_eq(tu_log_at(&log, 1).watch_state, MHP_STATE_GOING_OFFLINE);
	ck_assert_int_eq(mhp_block_state(b), MHP_STATE_ONLINE);
	ck_assert_int_eq(mhp_block_zone(b), MHP_ZONE_NORMAL);
	tu_recorder_unregister(e, &r);
	mhp_block_put(b);
	tu_log_destroy(&log);
	mhp_engine_free(e);
}
END_TEST

/* ---- notifier sequences (SPEC §4.4, ≤6.16: no PREPARE/FINISH, no NODE_*) ---------------------- */

struct seq_fixture {
	struct mhp_engine *e;
	struct tu_memops m;
	struct tu_log log;
	struct tu_recorder a, b, c; /* priorities 10, 0, 0 (b registered before c) */
};

static void seq_setup(struct seq_fixture *f)
{
	struct mhp_config cfg;

	tu_memops_init(&f->m);
	tu_config_two_node(&cfg);
	tu_memops_attach(&cfg, &f->m);
	f->e = tu_engine_new(&cfg);
	tu_log_init(&f->log);
	/* Registered out of order on purpose: priority decides, FIFO among equals. */
	tu_recorder_register(f->e, &f->b, &f->log, "b", 0);
	tu_recorder_register(f->e, &f->a, &f->log, "a", 10);
	tu_recorder_register(f->e, &f->c, &f->log, "c", 0);
	ck_assert_int_eq(mhp_probe(f->e, 12 * TU_GiB), 0); /* block 96, node 1, offline */
	tu_events_drain(f->e);
}

static void seq_teardown(struct seq_fixture *f)
{
	tu_recorder_unregister(f->e, &f->a);
	tu_recorder_unregister(f->e, &f->b);
	tu_recorder_unregister(f->e, &f->c);
	mhp_engine_free(f->e);
	tu_log_destroy(&f->log);
	tu_memops_destroy(&f->m);
}

START_TEST(seq_online_success)
{
	struct seq_fixture f;
	char buf[EVBUF];
	struct tu_log_entry ent;

	unsigned long onlines;

	seq_setup(&f);
	/* Boot memory may have been handed to the ops at boot; count from here. */
	onlines = atomic_load(&f.m.nr_online);
	ck_assert_int_eq(tu_store_state(f.e, 96, MHP_MMOP_ONLINE), 0);
	ck_assert_str_eq(tu_log_str(&f.log, buf, sizeof(buf)),
			 "a:GOING_ONLINE b:GOING_ONLINE c:GOING_ONLINE a:ONLINE b:ONLINE c:ONLINE");
	ent = tu_log_at(&f.log, 0);
	assert_payload(&ent, TU_BLOCK_PFN(96), TU_BLOCK_PAGES, -1, -1);
	assert_same_payload(&f.log);
	ck_assert_str_eq(tu_events_str(f.e, buf, sizeof(buf)), "online:" DEVMEM "96");
	ck_assert_int_eq(tu_state(f.e, 96), MHP_STATE_ONLINE);
	ck_assert_int_eq(tu_zone(f.e, 96), MHP_ZONE_NORMAL);
	/* The page accounting was told, with the block's range. */
	ck_assert_uint_eq(atomic_load(&f.m.nr_online), onlines + 1);
	ck_assert_uint_eq(tu_memops_last(&f.m).start_pfn, TU_BLOCK_PFN(96));
	ck_assert_uint_eq(tu_memops_last(&f.m).nr_pages, TU_BLOCK_PAGES);
	ck_assert_int_eq(tu_memops_last(&f.m).nid, 1);
	ck_assert_int_eq(tu_memops_last(&f.m).zone, MHP_ZONE_NORMAL);
	seq_teardown(&f);
}
END_TEST

START_TEST(seq_offline_success)
{
	struct seq_fixture f;
	char buf[EVBUF];
	struct tu_log_entry ent;

	seq_setup(&f);
	ck_assert_int_eq(tu_store_state(f.e, 96, MHP_MMOP_ONLINE_MOVABLE), 0);
	tu_log_clear(&f.log);
	tu_events_drain(f.e);
	ck_assert_int_eq(tu_store_state(f.e, 96, MHP_MMOP_OFFLINE), 0);
	ck_assert_str_eq(
		tu_log_str(&f.log, buf, sizeof(buf)),
		"a:GOING_OFFLINE b:GOING_OFFLINE c:GOING_OFFLINE a:OFFLINE b:OFFLINE c:OFFLINE");
	ent = tu_log_at(&f.log, 0);
	assert_payload(&ent, TU_BLOCK_PFN(96), TU_BLOCK_PAGES, -1, -1);
	assert_same_payload(&f.log);
	ck_assert_str_eq(tu_events_str(f.e, buf, sizeof(buf)), "offline:" DEVMEM "96");
	ck_assert_int_eq(tu_state(f.e, 96), MHP_STATE_OFFLINE);
	ck_assert_int_eq(tu_zone(f.e, 96), MHP_ZONE_NONE);
	ck_assert_uint_eq(atomic_load(&f.m.nr_isolate), 1);
	ck_assert_uint_ge(atomic_load(&f.m.nr_migrate), 1);
	ck_assert_uint_eq(atomic_load(&f.m.nr_offline), 1);
	ck_assert_uint_eq(atomic_load(&f.m.nr_unisolate), 0);
	seq_teardown(&f);
}
END_TEST

START_TEST(seq_online_veto_errno)
{
	struct seq_fixture f;
	char buf[EVBUF];

	seq_setup(&f);
	/* b vetoes: c never sees GOING_ONLINE, but everybody sees CANCEL_ONLINE. */
	tu_recorder_set_ret(&f.b, MHP_MEM_GOING_ONLINE, mhp_notifier_from_errno(-ENOSPC));
	ck_assert_int_eq(tu_store_state(f.e, 96, MHP_MMOP_ONLINE), -ENOSPC);
	ck_assert_str_eq(
		tu_log_str(&f.log, buf, sizeof(buf)),
		"a:GOING_ONLINE b:GOING_ONLINE a:CANCEL_ONLINE b:CANCEL_ONLINE c:CANCEL_ONLINE");
	assert_same_payload(&f.log);
	ck_assert_int_eq(tu_state(f.e, 96), MHP_STATE_OFFLINE);
	ck_assert(!tu_online_show(f.e, 96));
	ck_assert_int_eq(tu_zone(f.e, 96), MHP_ZONE_NONE);
	ck_assert_str_eq(tu_events_str(f.e, buf, sizeof(buf)), "");
	ck_assert_uint_eq(tu_node(f.e, 1).present_pages, TU_PFN(4 * TU_GiB));

	/* Through `online` the errno is the same (only "already" differs). */
	tu_log_clear(&f.log);
	ck_assert_int_eq(tu_store_online(f.e, 96, true), -ENOSPC);
	ck_assert_uint_eq(tu_log_count(&f.log), 5);
	ck_assert_int_eq(tu_state(f.e, 96), MHP_STATE_OFFLINE);

	/* Any errno passes unchanged, e.g. the injector's -12 and the maximum -4095. */
	tu_recorder_set_ret(&f.b, MHP_MEM_GOING_ONLINE, mhp_notifier_from_errno(-ENOMEM));
	ck_assert_int_eq(tu_store_state(f.e, 96, MHP_MMOP_ONLINE_KERNEL), -ENOMEM);
	tu_recorder_set_ret(&f.b, MHP_MEM_GOING_ONLINE, mhp_notifier_from_errno(-4095));
	ck_assert_int_eq(tu_store_state(f.e, 96, MHP_MMOP_ONLINE_MOVABLE), -4095);
	ck_assert_int_eq(tu_state(f.e, 96), MHP_STATE_OFFLINE);

	/* Once the veto is gone the same block onlines. */
	tu_recorder_set_ret(&f.b, MHP_MEM_GOING_ONLINE, MHP_NOTIFY_OK);
	ck_assert_int_eq(tu_store_state(f.e, 96, MHP_MMOP_ONLINE), 0);
	ck_assert_int_eq(tu_state(f.e, 96), MHP_STATE_ONLINE);
	ck_assert_str_eq(tu_events_str(f.e, buf, sizeof(buf)), "online:" DEVMEM "96");
	seq_teardown(&f);
}
END_TEST

START_TEST(seq_online_notify_bad_is_eperm)
{
	struct seq_fixture f;
	char buf[EVBUF];

	seq_setup(&f);
	tu_recorder_set_ret(&f.a, MHP_MEM_GOING_ONLINE, MHP_NOTIFY_BAD);
	ck_assert_int_eq(tu_store_state(f.e, 96, MHP_MMOP_ONLINE), -EPERM);
	ck_assert_str_eq(tu_log_str(&f.log, buf, sizeof(buf)),
			 "a:GOING_ONLINE a:CANCEL_ONLINE b:CANCEL_ONLINE c:CANCEL_ONLINE");
	ck_assert_int_eq(tu_state(f.e, 96), MHP_STATE_OFFLINE);
	ck_assert_str_eq(tu_events_str(f.e, buf, sizeof(buf)), "");
	seq_teardown(&f);
}
END_TEST

START_TEST(seq_online_notify_stop_succeeds)
{
	struct seq_fixture f;
	char buf[EVBUF];

	seq_setup(&f);
	/* NOTIFY_STOP ends the walk for that event only, and is not an error. */
	tu_recorder_set_ret(&f.a, MHP_MEM_GOING_ONLINE, MHP_NOTIFY_STOP);
	ck_assert_int_eq(tu_store_state(f.e, 96, MHP_MMOP_ONLINE), 0);
	ck_assert_str_eq(tu_log_str(&f.log, buf, sizeof(buf)),
			 "a:GOING_ONLINE a:ONLINE b:ONLINE c:ONLINE");
	ck_assert_int_eq(tu_state(f.e, 96), MHP_STATE_ONLINE);
	ck_assert_str_eq(tu_events_str(f.e, buf, sizeof(buf)), "online:" DEVMEM "96");
	/* NOTIFY_DONE is not an error either. */
	tu_log_clear(&f.log);
	tu_recorder_set_ret(&f.c, MHP_MEM_GOING_OFFLINE, MHP_NOTIFY_DONE);
	ck_assert_int_eq(tu_store_state(f.e, 96, MHP_MMOP_OFFLINE), 0);
	ck_assert_str_eq(
		tu_log_str(&f.log, buf, sizeof(buf)),
		"a:GOING_OFFLINE b:GOING_OFFLINE c:GOING_OFFLINE a:OFFLINE b:OFFLINE c:OFFLINE");
	seq_teardown(&f);
}
END_TEST

START_TEST(seq_online_ops_failure_cancels)
{
	struct seq_fixture f;
	char buf[EVBUF];

	seq_setup(&f);
	atomic_store(&f.m.online_ret, -ENOMEM);
	ck_assert_int_eq(tu_store_state(f.e, 96, MHP_MMOP_ONLINE), -ENOMEM);
	ck_assert_str_eq(tu_log_str(&f.log, buf, sizeof(buf)),
			 "a:GOING_ONLINE b:GOING_ONLINE c:GOING_ONLINE "
			 "a:CANCEL_ONLINE b:CANCEL_ONLINE c:CANCEL_ONLINE");
	ck_assert_int_eq(tu_state(f.e, 96), MHP_STATE_OFFLINE);
	ck_assert_str_eq(tu_events_str(f.e, buf, sizeof(buf)), "");
	ck_assert_uint_eq(tu_node(f.e, 1).present_pages, TU_PFN(4 * TU_GiB));
	seq_teardown(&f);
}
END_TEST

START_TEST(seq_offline_veto)
{
	struct seq_fixture f;
	char buf[EVBUF];

	seq_setup(&f);
	ck_assert_int_eq(tu_store_state(f.e, 96, MHP_MMOP_ONLINE), 0);
	tu_log_clear(&f.log);
	tu_events_drain(f.e);

	tu_recorder_set_ret(&f.b, MHP_MEM_GOING_OFFLINE, mhp_notifier_from_errno(-ENOMEM));
	ck_assert_int_eq(tu_store_state(f.e, 96, MHP_MMOP_OFFLINE), -ENOMEM);
	ck_assert_str_eq(
		tu_log_str(&f.log, buf, sizeof(buf)),
		"a:GOING_OFFLINE b:GOING_OFFLINE a:CANCEL_OFFLINE b:CANCEL_OFFLINE c:CANCEL_OFFLINE");
	assert_same_payload(&f.log);
	ck_assert_int_eq(tu_state(f.e, 96), MHP_STATE_ONLINE);
	ck_assert(tu_online_show(f.e, 96));
	ck_assert_int_eq(tu_zone(f.e, 96), MHP_ZONE_NORMAL);
	ck_assert_str_eq(tu_events_str(f.e, buf, sizeof(buf)), "");
	ck_assert_uint_eq(tu_node(f.e, 1).present_pages, TU_PFN(4 * TU_GiB) + TU_BLOCK_PAGES);
	/* Isolation was undone. */
	ck_assert_uint_eq(atomic_load(&f.m.nr_unisolate), 1);
	ck_assert_uint_eq(atomic_load(&f.m.nr_offline), 0);

	tu_log_clear(&f.log);
	tu_recorder_set_ret(&f.b, MHP_MEM_GOING_OFFLINE, MHP_NOTIFY_BAD);
	ck_assert_int_eq(tu_store_online(f.e, 96, false), -EPERM);
	ck_assert_str_eq(
		tu_log_str(&f.log, buf, sizeof(buf)),
		"a:GOING_OFFLINE b:GOING_OFFLINE a:CANCEL_OFFLINE b:CANCEL_OFFLINE c:CANCEL_OFFLINE");
	ck_assert_int_eq(tu_state(f.e, 96), MHP_STATE_ONLINE);
	seq_teardown(&f);
}
END_TEST

START_TEST(seq_offline_isolate_ebusy_no_events)
{
	struct seq_fixture f;
	char buf[EVBUF];

	seq_setup(&f);
	ck_assert_int_eq(tu_store_state(f.e, 96, MHP_MMOP_ONLINE), 0);
	tu_log_clear(&f.log);
	tu_events_drain(f.e);

	atomic_store(&f.m.isolate_ret, -EBUSY);
	ck_assert_int_eq(tu_store_state(f.e, 96, MHP_MMOP_OFFLINE), -EBUSY);
	ck_assert_uint_eq(tu_log_count(&f.log), 0);
	ck_assert_int_eq(tu_state(f.e, 96), MHP_STATE_ONLINE);
	ck_assert_str_eq(tu_events_str(f.e, buf, sizeof(buf)), "");
	ck_assert_uint_eq(atomic_load(&f.m.nr_isolate), 1);
	ck_assert_uint_eq(atomic_load(&f.m.nr_migrate), 0);
	ck_assert_uint_eq(tu_memops_last(&f.m).start_pfn, TU_BLOCK_PFN(96));
	ck_assert_uint_eq(tu_memops_last(&f.m).nr_pages, TU_BLOCK_PAGES);
	ck_assert_int_eq(tu_store_online(f.e, 96, false), -EBUSY);
	ck_assert_uint_eq(tu_log_count(&f.log), 0);

	/* Unmovable pages only in another block do not matter. */
	atomic_store(&f.m.only_pfn, TU_BLOCK_PFN(95));
	ck_assert_int_eq(tu_store_state(f.e, 96, MHP_MMOP_OFFLINE), 0);
	ck_assert_int_eq(tu_state(f.e, 96), MHP_STATE_OFFLINE);
	seq_teardown(&f);
}
END_TEST

START_TEST(seq_offline_migrate_ebusy)
{
	struct seq_fixture f;
	char buf[EVBUF];

	seq_setup(&f);
	ck_assert_int_eq(tu_store_state(f.e, 96, MHP_MMOP_ONLINE), 0);
	tu_log_clear(&f.log);
	tu_events_drain(f.e);

	atomic_store(&f.m.migrate_mode, TU_MIGRATE_EBUSY);
	ck_assert_int_eq(tu_store_state(f.e, 96, MHP_MMOP_OFFLINE), -EBUSY);
	ck_assert_str_eq(tu_log_str(&f.log, buf, sizeof(buf)),
			 "a:GOING_OFFLINE b:GOING_OFFLINE c:GOING_OFFLINE "
			 "a:CANCEL_OFFLINE b:CANCEL_OFFLINE c:CANCEL_OFFLINE");
	assert_same_payload(&f.log);
	ck_assert_int_eq(tu_state(f.e, 96), MHP_STATE_ONLINE);
	ck_assert_str_eq(tu_events_str(f.e, buf, sizeof(buf)), "");
	ck_assert_uint_eq(atomic_load(&f.m.nr_unisolate), 1);
	ck_assert_uint_eq(atomic_load(&f.m.nr_offline), 0);
	ck_assert_uint_eq(tu_node(f.e, 1).present_pages, TU_PFN(4 * TU_GiB) + TU_BLOCK_PAGES);
	seq_teardown(&f);
}
END_TEST

START_TEST(seq_offline_cancel_eintr)
{
	struct seq_fixture f;
	struct mhp_cancel cancel;
	struct mhp_block *b;
	char buf[EVBUF];

	seq_setup(&f);
	ck_assert_int_eq(tu_store_state(f.e, 96, MHP_MMOP_ONLINE), 0);
	tu_log_clear(&f.log);
	tu_events_drain(f.e);

	/* A page stays busy forever; the writer's "signal" arrives after the third pass. */
	mhp_cancel_init(&cancel);
	atomic_store(&f.m.migrate_mode, TU_MIGRATE_EAGAIN);
	f.m.raise_cancel = &cancel;
	atomic_store(&f.m.cancel_after, 3);
	b = tu_block(f.e, 96);
	ck_assert_int_eq(mhp_block_store_state(f.e, b, MHP_MMOP_OFFLINE, &cancel), -EINTR);
	ck_assert_str_eq(tu_log_str(&f.log, buf, sizeof(buf)),
			 "a:GOING_OFFLINE b:GOING_OFFLINE c:GOING_OFFLINE "
			 "a:CANCEL_OFFLINE b:CANCEL_OFFLINE c:CANCEL_OFFLINE");
	ck_assert_uint_ge(atomic_load(&f.m.nr_migrate), 3);
	ck_assert(atomic_load(&f.m.migrate_had_cancel));
	ck_assert_int_eq(mhp_block_state(b), MHP_STATE_ONLINE);
	ck_assert_str_eq(tu_events_str(f.e, buf, sizeof(buf)), "");
	ck_assert_uint_eq(atomic_load(&f.m.nr_unisolate), 1);

	/* A flag raised before the call fails the same way through `online`. */
	tu_log_clear(&f.log);
	ck_assert_int_eq(mhp_block_store_online(f.e, b, false, &cancel), -EINTR);
	ck_assert_int_eq(mhp_block_state(b), MHP_STATE_ONLINE);
	ck_assert_uint_eq(tu_log_count(&f.log), 6);

	/* Busy for a few passes, then free: the offline just takes longer (no timeout). */
	f.m.raise_cancel = NULL;
	atomic_store(&f.m.nr_migrate, 0);
	atomic_store(&f.m.eagain_left, 4);
	atomic_store(&f.m.migrate_mode, TU_MIGRATE_EAGAIN_N);
	tu_log_clear(&f.log);
	ck_assert_int_eq(mhp_block_store_state(f.e, b, MHP_MMOP_OFFLINE, NULL), 0);
	ck_assert_uint_ge(atomic_load(&f.m.nr_migrate), 5);
	ck_assert_str_eq(
		tu_log_str(&f.log, buf, sizeof(buf)),
		"a:GOING_OFFLINE b:GOING_OFFLINE c:GOING_OFFLINE a:OFFLINE b:OFFLINE c:OFFLINE");
	ck_assert_int_eq(mhp_block_state(b), MHP_STATE_OFFLINE);
	ck_assert_str_eq(tu_events_str(f.e, buf, sizeof(buf)), "offline:" DEVMEM "96");
	mhp_block_put(b);
	mhp_cancel_destroy(&cancel);
	seq_teardown(&f);
}
END_TEST

START_TEST(seq_offline_other_migrate_errno)
{
	struct seq_fixture f;

	seq_setup(&f);
	ck_assert_int_eq(tu_store_state(f.e, 96, MHP_MMOP_ONLINE), 0);
	tu_log_clear(&f.log);
	/* A page owner that fails with an errno other than EAGAIN/EBUSY fails the offline. */
	atomic_store(&f.m.migrate_mode, TU_MIGRATE_EBUSY);
	atomic_store(&f.m.only_pfn, TU_BLOCK_PFN(96) + 100);
	ck_assert_int_eq(tu_store_online(f.e, 96, false), -EBUSY);
	ck_assert_uint_eq(tu_log_count(&f.log), 6);
	ck_assert_int_eq(tu_state(f.e, 96), MHP_STATE_ONLINE);
	seq_teardown(&f);
}
END_TEST

START_TEST(cancel_flag_basics)
{
	struct mhp_cancel c;

	mhp_cancel_init(&c);
	ck_assert(!mhp_cancel_pending(&c));
	ck_assert(!mhp_cancel_pending(NULL));
	ck_assert_int_eq(mhp_cancel_sleep(&c, 1000), 0);
	ck_assert_int_eq(mhp_cancel_sleep(NULL, 1000), 0);
	mhp_cancel_raise(&c);
	ck_assert(mhp_cancel_pending(&c));
	ck_assert_int_eq(mhp_cancel_sleep(&c, 10 * 1000 * 1000), -EINTR);
	mhp_cancel_destroy(&c);
	mhp_cancel_destroy(NULL);
}
END_TEST

/* ---- payloads and node masks (SPEC §4.3, §1.5) ------------------------------------------------ */

/* Records the node masks seen inside each callback. */
struct mask_probe {
	struct tu_recorder r;
	struct mhp_engine *e;
	uint64_t memory[8];
	uint64_t normal[8];
	unsigned int n;
};

static void mask_hook(struct tu_recorder *r, unsigned long action,
		      const struct mhp_memory_notify *n)
{
	struct mask_probe *p = r->hook_priv;

	if (p->n < 8) {
		p->memory[p->n] = mhp_node_state_mask(p->e, MHP_N_MEMORY);
		p->normal[p->n] = mhp_node_state_mask(p->e, MHP_N_NORMAL_MEMORY);
		p->n++;
	}
}

START_TEST(payload_first_and_last_memory_of_node)
{
	struct mhp_engine *e = two_node();
	struct tu_log log;
	struct mask_probe p;
	struct tu_log_entry ent;
	char buf[EVBUF];

	tu_log_init(&log);
	memset(&p, 0, sizeof(p));
	tu_recorder_register(e, &p.r, &log, "r", 0);
	p.e = e;
	p.r.hook = mask_hook;
	p.r.hook_priv = &p;

	/* Node 2 gets memory added: online node, but no memory yet. */
	ck_assert_int_eq(mhp_add_memory(e, 2, 16 * TU_GiB, 2 * TU_BLOCK, 0, -1), 0);
	ck_assert_uint_eq(mhp_node_state_mask(e, MHP_N_ONLINE), 0x7);
	ck_assert_uint_eq(mhp_node_state_mask(e, MHP_N_MEMORY), 0x3);

	/* First memory of node 2, in Normal: both fields say 2. */
	ck_assert_int_eq(tu_store_state(e, 128, MHP_MMOP_ONLINE), 0);
	ck_assert_int_eq(tu_zone(e, 128), MHP_ZONE_NORMAL);
	ck_assert_str_eq(tu_log_str(&log, buf, sizeof(buf)), "r:GOING_ONLINE r:ONLINE");
	ent = tu_log_at(&log, 0);
	assert_payload(&ent, TU_BLOCK_PFN(128), TU_BLOCK_PAGES, 2, 2);
	assert_same_payload(&log);
	/* Masks are set after GOING_ONLINE, before ONLINE. */
	ck_assert_uint_eq(p.n, 2);
	ck_assert_uint_eq(p.memory[0], 0x3);
	ck_assert_uint_eq(p.normal[0], 0x3);
	ck_assert_uint_eq(p.memory[1], 0x7);
	ck_assert_uint_eq(p.normal[1], 0x7);
	ck_assert_uint_eq(mhp_node_state_mask(e, MHP_N_MEMORY), 0x7);
	ck_assert_uint_eq(mhp_node_state_mask(e, MHP_N_NORMAL_MEMORY), 0x7);

	/* The second block of the node changes nothing. */
	tu_log_clear(&log);
	p.n = 0;
	ck_assert_int_eq(tu_store_state(e, 129, MHP_MMOP_ONLINE_KERNEL), 0);
	ent = tu_log_at(&log, 0);
	assert_payload(&ent, TU_BLOCK_PFN(129), TU_BLOCK_PAGES, -1, -1);
	assert_same_payload(&log);

	/* Offline one: not the last. */
	tu_log_clear(&log);
	ck_assert_int_eq(tu_store_state(e, 128, MHP_MMOP_OFFLINE), 0);
	ent = tu_log_at(&log, 0);
	assert_payload(&ent, TU_BLOCK_PFN(128), TU_BLOCK_PAGES, -1, -1);
	ck_assert_uint_eq(mhp_node_state_mask(e, MHP_N_MEMORY), 0x7);

	/* Offline the last: both fields say 2; masks cleared before OFFLINE, after GOING_OFFLINE. */
	tu_log_clear(&log);
	p.n = 0;
	ck_assert_int_eq(tu_store_state(e, 129, MHP_MMOP_OFFLINE), 0);
	ck_assert_str_eq(tu_log_str(&log, buf, sizeof(buf)), "r:GOING_OFFLINE r:OFFLINE");
	ent = tu_log_at(&log, 0);
	assert_payload(&ent, TU_BLOCK_PFN(129), TU_BLOCK_PAGES, 2, 2);
	assert_same_payload(&log);
	ck_assert_uint_eq(p.memory[0], 0x7);
	ck_assert_uint_eq(p.normal[0], 0x7);
	ck_assert_uint_eq(p.memory[1], 0x3);
	ck_assert_uint_eq(p.normal[1], 0x3);
	ck_assert_uint_eq(mhp_node_state_mask(e, MHP_N_MEMORY), 0x3);
	ck_assert_uint_eq(mhp_node_state_mask(e, MHP_N_NORMAL_MEMORY), 0x3);
	/* The node stays online: its blocks are still present. */
	ck_assert_uint_eq(mhp_node_state_mask(e, MHP_N_ONLINE), 0x7);

	tu_recorder_unregister(e, &p.r);
	tu_log_destroy(&log);
	mhp_engine_free(e);
}
END_TEST

START_TEST(payload_movable_only_node)
{
	struct mhp_engine *e = two_node();
	struct tu_log log;
	struct tu_recorder r;
	struct tu_log_entry ent;

	tu_log_init(&log);
	tu_recorder_register(e, &r, &log, "r", 0);
	ck_assert_int_eq(mhp_add_memory(e, 2, 16 * TU_GiB, 2 * TU_BLOCK, 0, -1), 0);

	/* Movable first: the node gains memory but no normal memory. */
	ck_assert_int_eq(tu_store_state(e, 128, MHP_MMOP_ONLINE_MOVABLE), 0);
	ck_assert_int_eq(tu_zone(e, 128), MHP_ZONE_MOVABLE);
	ent = tu_log_at(&log, 0);
	assert_payload(&ent, TU_BLOCK_PFN(128), TU_BLOCK_PAGES, -1, 2);
	assert_same_payload(&log);
	ck_assert_uint_eq(mhp_node_state_mask(e, MHP_N_MEMORY), 0x7);
	ck_assert_uint_eq(mhp_node_state_mask(e, MHP_N_NORMAL_MEMORY), 0x3);

	/* Then kernel memory: normal memory appears, memory was there already. */
	tu_log_clear(&log);
	ck_assert_int_eq(tu_store_state(e, 129, MHP_MMOP_ONLINE_KERNEL), 0);
	ck_assert_int_eq(tu_zone(e, 129), MHP_ZONE_NORMAL);
	ent = tu_log_at(&log, 0);
	assert_payload(&ent, TU_BLOCK_PFN(129), TU_BLOCK_PAGES, 2, -1);
	ck_assert_uint_eq(mhp_node_state_mask(e, MHP_N_NORMAL_MEMORY), 0x7);

	/* Offlining the last Normal block while Movable remains: nid_normal only. */
	tu_log_clear(&log);
	ck_assert_int_eq(tu_store_state(e, 129, MHP_MMOP_OFFLINE), 0);
	ent = tu_log_at(&log, 0);
	assert_payload(&ent, TU_BLOCK_PFN(129), TU_BLOCK_PAGES, 2, -1);
	assert_same_payload(&log);
	ck_assert_uint_eq(mhp_node_state_mask(e, MHP_N_MEMORY), 0x7);
	ck_assert_uint_eq(mhp_node_state_mask(e, MHP_N_NORMAL_MEMORY), 0x3);

	/* Offlining the last (Movable) block: nid only. */
	tu_log_clear(&log);
	ck_assert_int_eq(tu_store_state(e, 128, MHP_MMOP_OFFLINE), 0);
	ent = tu_log_at(&log, 0);
	assert_payload(&ent, TU_BLOCK_PFN(128), TU_BLOCK_PAGES, -1, 2);
	ck_assert_uint_eq(mhp_node_state_mask(e, MHP_N_MEMORY), 0x3);
	ck_assert_uint_eq(mhp_node_state_mask(e, MHP_N_NORMAL_MEMORY), 0x3);

	/* A Movable block on a node with normal memory: nothing changes. */
	tu_log_clear(&log);
	ck_assert_int_eq(mhp_probe(e, 12 * TU_GiB), 0);
	ck_assert_int_eq(tu_store_state(e, 96, MHP_MMOP_ONLINE_MOVABLE), 0);
	ent = tu_log_at(&log, 0);
	assert_payload(&ent, TU_BLOCK_PFN(96), TU_BLOCK_PAGES, -1, -1);
	tu_recorder_unregister(e, &r);
	tu_log_destroy(&log);
	mhp_engine_free(e);
}
END_TEST

START_TEST(payload_cancel_restores_masks)
{
	struct mhp_engine *e = two_node();
	struct tu_log log;
	struct tu_recorder r;
	struct tu_log_entry ent;
	char buf[EVBUF];

	tu_log_init(&log);
	tu_recorder_register(e, &r, &log, "r", 0);
	ck_assert_int_eq(mhp_add_memory(e, 2, 16 * TU_GiB, TU_BLOCK, 0, -1), 0);
	/* A veto of the first memory of a node: CANCEL carries the same nid fields. */
	tu_recorder_set_ret(&r, MHP_MEM_GOING_ONLINE, MHP_NOTIFY_BAD);
	ck_assert_int_eq(tu_store_state(e, 128, MHP_MMOP_ONLINE), -EPERM);
	ck_assert_str_eq(tu_log_str(&log, buf, sizeof(buf)), "r:GOING_ONLINE r:CANCEL_ONLINE");
	ent = tu_log_at(&log, 1);
	assert_payload(&ent, TU_BLOCK_PFN(128), TU_BLOCK_PAGES, 2, 2);
	ck_assert_uint_eq(mhp_node_state_mask(e, MHP_N_MEMORY), 0x3);
	ck_assert_uint_eq(mhp_node_state_mask(e, MHP_N_NORMAL_MEMORY), 0x3);
	ck_assert_uint_eq(tu_node(e, 2).present_pages, 0);

	/* A vetoed offline of the last memory: masks stay set. */
	tu_recorder_set_ret(&r, MHP_MEM_GOING_ONLINE, MHP_NOTIFY_OK);
	ck_assert_int_eq(tu_store_state(e, 128, MHP_MMOP_ONLINE), 0);
	tu_log_clear(&log);
	tu_recorder_set_ret(&r, MHP_MEM_GOING_OFFLINE, MHP_NOTIFY_BAD);
	ck_assert_int_eq(tu_store_state(e, 128, MHP_MMOP_OFFLINE), -EPERM);
	ck_assert_str_eq(tu_log_str(&log, buf, sizeof(buf)), "r:GOING_OFFLINE r:CANCEL_OFFLINE");
	ent = tu_log_at(&log, 1);
	assert_payload(&ent, TU_BLOCK_PFN(128), TU_BLOCK_PAGES, 2, 2);
	ck_assert_uint_eq(mhp_node_state_mask(e, MHP_N_MEMORY), 0x7);
	ck_assert_uint_eq(mhp_node_state_mask(e, MHP_N_NORMAL_MEMORY), 0x7);
	ck_assert_uint_eq(tu_node(e, 2).present_pages, TU_BLOCK_PAGES);
	tu_recorder_unregister(e, &r);
	tu_log_destroy(&log);
	mhp_engine_free(e);
}
END_TEST

START_TEST(node_page_counts_follow_blocks)
{
	struct mhp_engine *e = two_node();
	struct mhp_node_info ni;
	const unsigned long base = TU_PFN(4 * TU_GiB);

	ck_assert_int_eq(mhp_add_memory(e, 1, 12 * TU_GiB, 2 * TU_BLOCK, 0, -1), 0);
	ni = tu_node(e, 1);
	ck_assert_uint_eq(ni.present_pages, base);
	ck_assert_uint_eq(ni.managed_pages, base);
	ck_assert_uint_eq(ni.nr_blocks, 34);

	ck_assert_int_eq(tu_store_state(e, 96, MHP_MMOP_ONLINE), 0);
	ck_assert_int_eq(tu_store_state(e, 97, MHP_MMOP_ONLINE_MOVABLE), 0);
	ni = tu_node(e, 1);
	ck_assert_uint_eq(ni.present_pages, base + 2 * TU_BLOCK_PAGES);
	ck_assert_uint_eq(ni.managed_pages, base + 2 * TU_BLOCK_PAGES);
	ck_assert_uint_eq(ni.zones[MHP_ZONE_NORMAL].present_pages, base + TU_BLOCK_PAGES);
	/* Hot-added memory is not early (boot) memory. */
	ck_assert_uint_eq(ni.zones[MHP_ZONE_NORMAL].present_early_pages, base);
	ck_assert_uint_eq(ni.zones[MHP_ZONE_MOVABLE].present_pages, TU_BLOCK_PAGES);
	ck_assert_uint_eq(ni.zones[MHP_ZONE_MOVABLE].managed_pages, TU_BLOCK_PAGES);
	ck_assert_uint_eq(ni.zones[MHP_ZONE_MOVABLE].present_early_pages, 0);

	ck_assert_int_eq(tu_store_state(e, 97, MHP_MMOP_OFFLINE), 0);
	ck_assert_int_eq(tu_store_state(e, 70, MHP_MMOP_OFFLINE), 0);
	ni = tu_node(e, 1);
	ck_assert_uint_eq(ni.present_pages, base);
	ck_assert_uint_eq(ni.managed_pages, base);
	ck_assert_uint_eq(ni.zones[MHP_ZONE_NORMAL].present_pages, base);
	ck_assert_uint_eq(ni.zones[MHP_ZONE_NORMAL].present_early_pages, base - TU_BLOCK_PAGES);
	ck_assert_uint_eq(ni.zones[MHP_ZONE_MOVABLE].present_pages, 0);
	/* Node 0 is untouched. */
	ck_assert_uint_eq(tu_node(e, 0).present_pages, TU_PFN(7 * TU_GiB));
	mhp_engine_free(e);
}
END_TEST

/* ---- online_type quirk (SPEC §1.3, §2) -------------------------------------------------------- */

START_TEST(online_type_recorded_when_already_online)
{
	struct mhp_engine *e = two_node();

	ck_assert_int_eq(mhp_probe(e, 12 * TU_GiB), 0);
	ck_assert_int_eq(tu_store_state(e, 96, MHP_MMOP_ONLINE), 0);
	ck_assert_int_eq(tu_zone(e, 96), MHP_ZONE_NORMAL);
	/* Refused, but mem->online_type keeps online_movable. */
	ck_assert_int_eq(tu_store_state(e, 96, MHP_MMOP_ONLINE_MOVABLE), -EINVAL);
	ck_assert_int_eq(tu_zone(e, 96), MHP_ZONE_NORMAL);
	ck_assert_int_eq(tu_store_online(e, 96, false), 0);
	/* `online` 1 uses the recorded type: Movable, not the automatic Normal. */
	ck_assert_int_eq(tu_store_online(e, 96, true), 0);
	ck_assert_int_eq(tu_zone(e, 96), MHP_ZONE_MOVABLE);
	/* That online consumed the recorded type: the next one is automatic again. */
	ck_assert_int_eq(tu_store_online(e, 96, false), 0);
	ck_assert_int_eq(tu_store_online(e, 96, true), 0);
	ck_assert_int_eq(tu_zone(e, 96), MHP_ZONE_NORMAL);
	mhp_engine_free(e);
}
END_TEST

START_TEST(online_type_not_remembered_after_transition)
{
	struct mhp_engine *e = two_node();

	ck_assert_int_eq(mhp_probe(e, 12 * TU_GiB), 0);
	ck_assert_int_eq(tu_store_state(e, 96, MHP_MMOP_ONLINE_MOVABLE), 0);
	ck_assert_int_eq(tu_zone(e, 96), MHP_ZONE_MOVABLE);
	ck_assert_int_eq(tu_store_state(e, 96, MHP_MMOP_OFFLINE), 0);
	/* The Movable span shrank away with its only block; automatic is Normal again. */
	ck_assert_int_eq(tu_store_online(e, 96, true), 0);
	ck_assert_int_eq(tu_zone(e, 96), MHP_ZONE_NORMAL);
	ck_assert_int_eq(tu_store_state(e, 96, MHP_MMOP_OFFLINE), 0);
	ck_assert_int_eq(tu_store_state(e, 96, MHP_MMOP_ONLINE_KERNEL), 0);
	ck_assert_int_eq(tu_zone(e, 96), MHP_ZONE_NORMAL);
	mhp_engine_free(e);
}
END_TEST

START_TEST(failed_online_consumes_online_type)
{
	struct mhp_engine *e = two_node();
	struct tu_log log;
	struct tu_recorder r;

	tu_log_init(&log);
	tu_recorder_register(e, &r, &log, "r", 0);
	ck_assert_int_eq(mhp_probe(e, 12 * TU_GiB), 0);
	tu_recorder_set_ret(&r, MHP_MEM_GOING_ONLINE, MHP_NOTIFY_BAD);
	ck_assert_int_eq(tu_store_state(e, 96, MHP_MMOP_ONLINE_MOVABLE), -EPERM);
	tu_recorder_set_ret(&r, MHP_MEM_GOING_ONLINE, MHP_NOTIFY_OK);
	/* memory_subsys_online() resets online_type whatever the result. */
	ck_assert_int_eq(tu_store_online(e, 96, true), 0);
	ck_assert_int_eq(tu_zone(e, 96), MHP_ZONE_NORMAL);
	tu_recorder_unregister(e, &r);
	tu_log_destroy(&log);
	mhp_engine_free(e);
}
END_TEST

/* ---- probe (SPEC §6) -------------------------------------------------------------------------- */

START_TEST(probe_errors)
{
	struct mhp_engine *e = two_node();
	char buf[EVBUF];

	ck_assert_int_eq(mhp_probe(e, 12 * TU_GiB + MHP_PAGE_SIZE), -EINVAL);
	ck_assert_int_eq(mhp_probe(e, 12 * TU_GiB + 64 * TU_MiB), -EINVAL);
	ck_assert_int_eq(mhp_probe(e, 1ULL << 46), -E2BIG);
	ck_assert_int_eq(mhp_probe(e, 1ULL << 50), -E2BIG);
	ck_assert_int_eq(mhp_probe(e, 4 * TU_GiB), -EEXIST); /* boot block 32 */
	ck_assert_int_eq(mhp_probe(e, 0), -EEXIST); /* boot block 0 */
	ck_assert_int_eq(mhp_probe(e, 3 * TU_GiB), -EEXIST); /* PCI hole */
	ck_assert_int_eq(mhp_probe(e, 3 * TU_GiB + 7 * TU_BLOCK), -EEXIST);
	ck_assert_uint_eq(mhp_block_count(e), 88);
	ck_assert_ptr_null(mhp_block_get(e, 24));
	ck_assert_str_eq(tu_events_str(e, buf, sizeof(buf)), "");

	ck_assert_int_eq(mhp_probe(e, 12 * TU_GiB), 0);
	ck_assert_int_eq(mhp_probe(e, 12 * TU_GiB), -EEXIST);
	ck_assert_uint_eq(mhp_block_count(e), 89);
	mhp_engine_free(e);
}
END_TEST

START_TEST(probe_creates_offline_block_on_numa_node)
{
	struct mhp_engine *e = two_node();
	struct mhp_block *b;
	char buf[EVBUF];

	ck_assert_int_eq(mhp_probe(e, 15 * TU_GiB), 0);
	b = tu_block(e, 120);
	ck_assert_int_eq(mhp_block_state(b), MHP_STATE_OFFLINE);
	ck_assert_int_eq(mhp_block_nid(b), 1);
	mhp_block_put(b);
	ck_assert_str_eq(tu_events_str(e, buf, sizeof(buf)), "add:" DEVMEM "120");

	/* Into node 3's range: the node comes online with the block (add before node add). */
	ck_assert_int_eq(mhp_probe(e, 24 * TU_GiB), 0);
	b = tu_block(e, 192);
	ck_assert_int_eq(mhp_block_nid(b), 3);
	ck_assert_uint_eq(mhp_block_node_mask(b), 0x8);
	ck_assert_int_eq(mhp_block_state(b), MHP_STATE_OFFLINE);
	mhp_block_put(b);
	ck_assert_str_eq(tu_events_str(e, buf, sizeof(buf)), "add:" DEVMEM "192 add:" DEVNODE "3");
	ck_assert_uint_eq(mhp_node_state_mask(e, MHP_N_ONLINE), 0xb);
	ck_assert_uint_eq(mhp_node_state_mask(e, MHP_N_MEMORY), 0x3);
	ck_assert(tu_node(e, 3).online);
	ck_assert_uint_eq(tu_node(e, 3).nr_blocks, 1);

	/* The biggest aligned address below 2^46 is fine (no NUMA range: first node). */
	ck_assert_int_eq(mhp_probe(e, (1ULL << 46) - TU_BLOCK), 0);
	ck_assert_uint_eq(mhp_block_count(e), 91);
	b = tu_block(e, TU_ID((1ULL << 46) - TU_BLOCK));
	ck_assert_int_eq(mhp_block_nid(b), 0);
	mhp_block_put(b);
	mhp_engine_free(e);
}
END_TEST

static void probe_auto_online_case(int type, int want_state, int want_zone, const char *want_ev)
{
	struct mhp_engine *e = two_node();
	char buf[EVBUF];

	ck_assert_int_eq(mhp_set_auto_online(e, type), 0);
	ck_assert_int_eq(mhp_get_auto_online(e), type);
	ck_assert_int_eq(mhp_probe(e, 12 * TU_GiB), 0);
	ck_assert_int_eq(tu_state(e, 96), want_state);
	ck_assert_int_eq(tu_zone(e, 96), want_zone);
	ck_assert_str_eq(tu_events_str(e, buf, sizeof(buf)), want_ev);
	/* Existing blocks are not touched by the setting. */
	ck_assert_int_eq(tu_state(e, 64), MHP_STATE_ONLINE);
	mhp_engine_free(e);
}

START_TEST(probe_auto_online_words)
{
	probe_auto_online_case(MHP_MMOP_OFFLINE, MHP_STATE_OFFLINE, MHP_ZONE_NONE,
			       "add:" DEVMEM "96");
	probe_auto_online_case(MHP_MMOP_ONLINE, MHP_STATE_ONLINE, MHP_ZONE_NORMAL,
			       "add:" DEVMEM "96 online:" DEVMEM "96");
	probe_auto_online_case(MHP_MMOP_ONLINE_KERNEL, MHP_STATE_ONLINE, MHP_ZONE_NORMAL,
			       "add:" DEVMEM "96 online:" DEVMEM "96");
	probe_auto_online_case(MHP_MMOP_ONLINE_MOVABLE, MHP_STATE_ONLINE, MHP_ZONE_MOVABLE,
			       "add:" DEVMEM "96 online:" DEVMEM "96");
}
END_TEST

START_TEST(probe_auto_online_failure_ignored)
{
	struct mhp_engine *e = two_node();
	struct mhp_inject *inj = NULL;
	struct tu_log log;
	struct tu_recorder r;
	char buf[EVBUF];

	tu_log_init(&log);
	tu_recorder_register(e, &r, &log, "r", -10);
	ck_assert_int_eq(mhp_inject_new(e, 0, &inj), 0);
	ck_assert_int_eq(mhp_inject_set(inj, MHP_INJECT_GOING_ONLINE, -12), 0);
	ck_assert_int_eq(mhp_set_auto_online(e, MHP_MMOP_ONLINE), 0);

	ck_assert_int_eq(mhp_probe(e, 12 * TU_GiB), 0);
	ck_assert_int_eq(tu_state(e, 96), MHP_STATE_OFFLINE);
	ck_assert(!tu_online_show(e, 96));
	ck_assert_str_eq(tu_events_str(e, buf, sizeof(buf)), "add:" DEVMEM "96");
	/* The recorder (below the injector) sees only the cancel. */
	ck_assert_str_eq(tu_log_str(&log, buf, sizeof(buf)), "r:CANCEL_ONLINE");

	/* The same for a multi-block add: every auto-online fails, the add succeeds. */
	ck_assert_int_eq(mhp_add_memory(e, MHP_NUMA_NO_NODE, 13 * TU_GiB, 2 * TU_BLOCK, 0, -1), 0);
	ck_assert_int_eq(tu_state(e, 104), MHP_STATE_OFFLINE);
	ck_assert_int_eq(tu_state(e, 105), MHP_STATE_OFFLINE);
	ck_assert_str_eq(tu_events_str(e, buf, sizeof(buf)), "add:" DEVMEM "104 add:" DEVMEM "105");

	/* Without the injection the block onlines by hand. */
	ck_assert_int_eq(mhp_inject_set(inj, MHP_INJECT_GOING_ONLINE, 0), 0);
	ck_assert_int_eq(tu_store_state(e, 96, MHP_MMOP_ONLINE), 0);
	mhp_inject_free(inj);
	tu_recorder_unregister(e, &r);
	tu_log_destroy(&log);
	mhp_engine_free(e);
}
END_TEST

/* ---- add_memory, remove (SPEC §5.3, §6) ------------------------------------------------------- */

START_TEST(add_memory_multi_block)
{
	struct mhp_engine *e = two_node();
	char buf[EVBUF];

	ck_assert_int_eq(mhp_add_memory(e, MHP_NUMA_NO_NODE, 12 * TU_GiB, 4 * TU_BLOCK, 0, -1), 0);
	for (unsigned long id = 96; id < 100; id++) {
		struct mhp_block *b = tu_block(e, id);

		ck_assert_int_eq(mhp_block_state(b), MHP_STATE_OFFLINE);
		ck_assert_int_eq(mhp_block_nid(b), 1);
		mhp_block_put(b);
	}
	ck_assert_ptr_null(mhp_block_get(e, 100));
	ck_assert_uint_eq(mhp_block_count(e), 92);
	ck_assert_str_eq(tu_events_str(e, buf, sizeof(buf)),
			 "add:" DEVMEM "96 add:" DEVMEM "97 add:" DEVMEM "98 add:" DEVMEM "99");

	/* Auto-online: all adds first, then the onlines, in id order. */
	ck_assert_int_eq(mhp_set_auto_online(e, MHP_MMOP_ONLINE_MOVABLE), 0);
	ck_assert_int_eq(mhp_add_memory(e, 1, 14 * TU_GiB, 2 * TU_BLOCK, 0, -1), 0);
	ck_assert_str_eq(tu_events_str(e, buf, sizeof(buf)),
			 "add:" DEVMEM "112 add:" DEVMEM "113 online:" DEVMEM "112 online:" DEVMEM
			 "113");
	ck_assert_int_eq(tu_zone(e, 112), MHP_ZONE_MOVABLE);
	ck_assert_int_eq(tu_zone(e, 113), MHP_ZONE_MOVABLE);
	mhp_engine_free(e);
}
END_TEST

START_TEST(add_memory_errors)
{
	struct mhp_engine *e = two_node();
	char buf[EVBUF];

	ck_assert_int_eq(mhp_add_memory(e, 1, 12 * TU_GiB + MHP_PAGE_SIZE, TU_BLOCK, 0, -1),
			 -EINVAL);
	ck_assert_int_eq(mhp_add_memory(e, 1, 12 * TU_GiB, 0, 0, -1), -EINVAL);
	ck_assert_int_eq(mhp_add_memory(e, 1, 12 * TU_GiB, TU_BLOCK / 2, 0, -1), -EINVAL);
	ck_assert_int_eq(mhp_add_memory(e, 4, 12 * TU_GiB, TU_BLOCK, 0, -1), -EINVAL);
	ck_assert_int_eq(mhp_add_memory(e, 1, 12 * TU_GiB, TU_BLOCK, 0, 77), -EINVAL);
	ck_assert_int_eq(mhp_add_memory(e, 1, (1ULL << 46) - TU_BLOCK, 2 * TU_BLOCK, 0, -1),
			 -E2BIG);
	/* Overlapping the last boot block of node 1, or the PCI hole: nothing is added. */
	ck_assert_int_eq(mhp_add_memory(e, 1, 11 * TU_GiB, 2 * TU_GiB, 0, -1), -EEXIST);
	ck_assert_int_eq(mhp_add_memory(e, 0, 2 * TU_GiB + 896 * TU_MiB, 2 * TU_BLOCK, 0, -1),
			 -EEXIST);
	ck_assert_ptr_null(mhp_block_get(e, 96));
	ck_assert_uint_eq(mhp_block_count(e), 88);
	ck_assert_str_eq(tu_events_str(e, buf, sizeof(buf)), "");
	mhp_engine_free(e);
}
END_TEST

START_TEST(add_memory_brings_node_online)
{
	struct mhp_engine *e = two_node();
	char buf[EVBUF];
	struct mhp_node_info ni;

	ck_assert(!tu_node(e, 2).online);
	ck_assert_int_eq(mhp_set_auto_online(e, MHP_MMOP_ONLINE), 0);
	ck_assert_int_eq(mhp_add_memory(e, 2, 16 * TU_GiB, 2 * TU_BLOCK, 0, -1), 0);
	/* Block adds, then the node, then the auto-onlines (SPEC §6 effect order). */
	ck_assert_str_eq(tu_events_str(e, buf, sizeof(buf)),
			 "add:" DEVMEM "128 add:" DEVMEM "129 add:" DEVNODE "2 online:" DEVMEM
			 "128 online:" DEVMEM "129");
	ni = tu_node(e, 2);
	ck_assert(ni.online);
	ck_assert_uint_eq(ni.nr_blocks, 2);
	ck_assert_uint_eq(ni.present_pages, 2 * TU_BLOCK_PAGES);
	ck_assert_uint_eq(mhp_node_state_mask(e, MHP_N_ONLINE), 0x7);
	ck_assert_uint_eq(mhp_node_state_mask(e, MHP_N_MEMORY), 0x7);
	ck_assert_uint_eq(mhp_node_state_mask(e, MHP_N_NORMAL_MEMORY), 0x7);
	ck_assert_uint_eq(mhp_node_state_mask(e, MHP_N_CPU), 0x3);
	mhp_engine_free(e);
}
END_TEST

START_TEST(remove_requires_offline)
{
	struct mhp_engine *e = two_node();
	char buf[EVBUF];

	ck_assert_int_eq(mhp_add_memory(e, 1, 12 * TU_GiB, 2 * TU_BLOCK, 0, -1), 0);
	ck_assert_int_eq(tu_store_state(e, 97, MHP_MMOP_ONLINE), 0);
	tu_events_drain(e);
	ck_assert_int_eq(mhp_remove_memory(e, 12 * TU_GiB, 2 * TU_BLOCK), -EBUSY);
	ck_assert_uint_eq(mhp_block_count(e), 90);
	ck_assert_int_eq(tu_state(e, 96), MHP_STATE_OFFLINE);
	ck_assert_int_eq(tu_state(e, 97), MHP_STATE_ONLINE);
	ck_assert_str_eq(tu_events_str(e, buf, sizeof(buf)), "");

	ck_assert_int_eq(mhp_remove_memory(e, 12 * TU_GiB + MHP_PAGE_SIZE, TU_BLOCK), -EINVAL);
	ck_assert_int_eq(mhp_remove_memory(e, 12 * TU_GiB, TU_BLOCK / 2), -EINVAL);
	ck_assert_int_eq(mhp_remove_memory(e, 20 * TU_GiB, TU_BLOCK), -EINVAL);

	ck_assert_int_eq(tu_store_state(e, 97, MHP_MMOP_OFFLINE), 0);
	tu_events_drain(e);
	ck_assert_int_eq(mhp_remove_memory(e, 12 * TU_GiB, 2 * TU_BLOCK), 0);
	ck_assert_uint_eq(mhp_block_count(e), 88);
	ck_assert_ptr_null(mhp_block_get(e, 96));
	ck_assert_ptr_null(mhp_block_get(e, 97));
	ck_assert_str_eq(tu_events_str(e, buf, sizeof(buf)),
			 "remove:" DEVMEM "96 remove:" DEVMEM "97");
	/* Node 1 keeps its boot memory and its CPU. */
	ck_assert(tu_node(e, 1).online);
	ck_assert_uint_eq(tu_node(e, 1).nr_blocks, 32);
	mhp_engine_free(e);
}
END_TEST

START_TEST(remove_takes_empty_node_offline)
{
	struct mhp_engine *e = two_node();
	char buf[EVBUF];
	uint32_t inc2;

	ck_assert_uint_eq(mhp_node_incarnation(e, 2), 0);
	ck_assert_int_eq(mhp_add_memory(e, 2, 16 * TU_GiB, 2 * TU_BLOCK, 0, -1), 0);
	inc2 = mhp_node_incarnation(e, 2);
	ck_assert_uint_ne(inc2, 0);
	ck_assert_int_eq(tu_store_state(e, 128, MHP_MMOP_ONLINE), 0);
	ck_assert_int_eq(tu_store_state(e, 128, MHP_MMOP_OFFLINE), 0);
	tu_events_drain(e);

	/* Removing one of two blocks keeps the node. */
	ck_assert_int_eq(mhp_remove_memory(e, 16 * TU_GiB + TU_BLOCK, TU_BLOCK), 0);
	ck_assert_str_eq(tu_events_str(e, buf, sizeof(buf)), "remove:" DEVMEM "129");
	ck_assert(tu_node(e, 2).online);
	ck_assert_uint_eq(tu_node(e, 2).nr_blocks, 1);

	/* The last block: no blocks, no CPU: the node goes (after the block's remove). */
	ck_assert_int_eq(mhp_remove_memory(e, 16 * TU_GiB, TU_BLOCK), 0);
	ck_assert_str_eq(tu_events_str(e, buf, sizeof(buf)),
			 "remove:" DEVMEM "128 remove:" DEVNODE "2");
	ck_assert(!tu_node(e, 2).online);
	ck_assert_uint_eq(tu_node(e, 2).nr_blocks, 0);
	ck_assert_uint_eq(mhp_node_state_mask(e, MHP_N_ONLINE), 0x3);
	ck_assert_uint_eq(mhp_node_state_mask(e, MHP_N_POSSIBLE), 0xf);
	ck_assert_uint_eq(mhp_node_incarnation(e, 2), 0);

	/* It comes back with new memory, as a new incarnation; the others keep theirs. */
	ck_assert_int_eq(mhp_probe(e, 16 * TU_GiB), 0);
	ck_assert_str_eq(tu_events_str(e, buf, sizeof(buf)), "add:" DEVMEM "128 add:" DEVNODE "2");
	ck_assert_uint_eq(mhp_node_incarnation(e, 2), inc2 + 1);
	ck_assert_uint_eq(mhp_node_incarnation(e, 0), 1);
	ck_assert_uint_eq(mhp_node_incarnation(e, 3), 0);
	ck_assert_uint_eq(mhp_node_incarnation(e, -1), 0);
	ck_assert_uint_eq(mhp_node_incarnation(e, MHP_MAX_NUMNODES), 0);
	mhp_engine_free(e);
}
END_TEST

/* A remove event names what went away: the block's generation, the node's incarnation. */
START_TEST(remove_events_name_what_went)
{
	struct mhp_engine *e = two_node();
	struct mhp_uevent ev;
	struct mhp_block *b;
	uint64_t gen;
	uint32_t inc;

	ck_assert_int_eq(mhp_add_memory(e, 2, 16 * TU_GiB, TU_BLOCK, 0, -1), 0);
	b = tu_block(e, 128);
	gen = mhp_block_generation(b);
	mhp_block_put(b);
	inc = mhp_node_incarnation(e, 2);
	while (mhp_event_pop(e, &ev) == 0)
		ck_assert_uint_eq(ev.gone, 0); /* adds name nothing */
	ck_assert_int_eq(mhp_remove_memory(e, 16 * TU_GiB, TU_BLOCK), 0);
	ck_assert_int_eq(mhp_event_pop(e, &ev), 0);
	ck_assert_int_eq(ev.subsystem, MHP_SUBSYS_MEMORY);
	ck_assert_int_eq(ev.action, MHP_KOBJ_REMOVE);
	ck_assert_uint_eq(ev.gone, gen);
	ck_assert_int_eq(mhp_event_pop(e, &ev), 0);
	ck_assert_int_eq(ev.subsystem, MHP_SUBSYS_NODE);
	ck_assert_int_eq(ev.action, MHP_KOBJ_REMOVE);
	ck_assert_uint_eq(ev.gone, inc);
	/* a synthetic remove takes nothing away */
	ck_assert_int_eq(mhp_uevent_emit(e, MHP_KOBJ_REMOVE, MHP_SUBSYS_MEMORY, 5, NULL), 0);
	ck_assert_int_eq(mhp_event_pop(e, &ev), 0);
	ck_assert_uint_eq(ev.gone, 0);
	mhp_engine_free(e);
}
END_TEST

START_TEST(remove_keeps_node_with_cpu)
{
	struct mhp_config cfg;
	struct mhp_engine *e;
	char buf[EVBUF];

	tu_config_two_node(&cfg);
	cfg.cpu_nodes = 0x7; /* node 2 has a CPU but no memory */
	e = tu_engine_new(&cfg);
	ck_assert_uint_eq(mhp_node_state_mask(e, MHP_N_ONLINE), 0x7);
	ck_assert_uint_eq(mhp_node_state_mask(e, MHP_N_MEMORY), 0x3);
	ck_assert_uint_eq(mhp_node_state_mask(e, MHP_N_CPU), 0x7);
	ck_assert(tu_node(e, 2).online);

	ck_assert_int_eq(mhp_probe(e, 16 * TU_GiB), 0);
	/* The node is online already: no node add. */
	ck_assert_str_eq(tu_events_str(e, buf, sizeof(buf)), "add:" DEVMEM "128");
	ck_assert_int_eq(mhp_remove_memory(e, 16 * TU_GiB, TU_BLOCK), 0);
	ck_assert_str_eq(tu_events_str(e, buf, sizeof(buf)), "remove:" DEVMEM "128");
	ck_assert(tu_node(e, 2).online);
	ck_assert_uint_eq(mhp_node_state_mask(e, MHP_N_ONLINE), 0x7);
	mhp_engine_free(e);
}
END_TEST

START_TEST(removed_block_reference)
{
	struct mhp_engine *e = two_node();
	struct mhp_block *old, *now;
	uint64_t gen_old;
	bool v = true;
	char buf[32];

	ck_assert_int_eq(mhp_probe(e, 12 * TU_GiB), 0);
	old = tu_block(e, 96);
	gen_old = mhp_block_generation(old);
	ck_assert_int_eq(mhp_remove_memory(e, 12 * TU_GiB, TU_BLOCK), 0);

	ck_assert_ptr_null(mhp_block_get(e, 96));
	ck_assert(mhp_block_removed(old));
	ck_assert_uint_eq(mhp_block_id(old), 96);
	ck_assert_int_eq(mhp_block_store_state(e, old, MHP_MMOP_ONLINE, NULL), -ENODEV);
	ck_assert_int_eq(mhp_block_store_online(e, old, true, NULL), -ENODEV);
	ck_assert_int_eq(mhp_block_online_show(e, old, &v), -ENODEV);
	ck_assert(v); /* not written on failure */
	ck_assert_int_eq(mhp_block_valid_zones(e, old, buf, sizeof(buf)), -ENODEV);

	/* The id comes back as a different object with a different generation. */
	ck_assert_int_eq(mhp_probe(e, 12 * TU_GiB), 0);
	now = tu_block(e, 96);
	ck_assert_ptr_ne(now, old);
	ck_assert(!mhp_block_removed(now));
	ck_assert(mhp_block_removed(old));
	ck_assert_uint_ne(mhp_block_generation(now), gen_old);
	ck_assert_int_eq(mhp_block_store_state(e, now, MHP_MMOP_ONLINE, NULL), 0);
	ck_assert_int_eq(mhp_block_state(now), MHP_STATE_ONLINE);
	mhp_block_put(old);
	mhp_block_put(now);

	/* Every block object has its own generation. */
	old = tu_block(e, 32);
	now = tu_block(e, 33);
	ck_assert_uint_ne(mhp_block_generation(old), mhp_block_generation(now));
	mhp_block_put(old);
	mhp_block_put(now);
	mhp_engine_free(e);
}
END_TEST

START_TEST(block_reference_outlives_engine)
{
	struct mhp_engine *e = two_node();
	struct mhp_block *b = tu_block(e, 32), *c = tu_block(e, 33);

	/* Block objects come from the engine's arena, which waits for the last reference. */
	mhp_engine_free(e);
	ck_assert_uint_eq(mhp_block_id(b), 32);
	mhp_block_put(b);
	ck_assert_uint_eq(mhp_block_id(c), 33);
	mhp_block_put(c);
}
END_TEST

START_TEST(offline_and_remove_success)
{
	struct mhp_engine *e = two_node();
	char buf[EVBUF];

	ck_assert_int_eq(mhp_add_memory(e, 1, 12 * TU_GiB, 3 * TU_BLOCK, 0, -1), 0);
	ck_assert_int_eq(tu_store_state(e, 96, MHP_MMOP_ONLINE_MOVABLE), 0);
	ck_assert_int_eq(tu_store_state(e, 98, MHP_MMOP_ONLINE_KERNEL), 0);
	tu_events_drain(e);
	ck_assert_int_eq(mhp_offline_and_remove_memory(e, 12 * TU_GiB, 3 * TU_BLOCK, NULL), 0);
	ck_assert_str_eq(tu_events_str(e, buf, sizeof(buf)),
			 "offline:" DEVMEM "96 offline:" DEVMEM "98 remove:" DEVMEM
			 "96 remove:" DEVMEM "97 remove:" DEVMEM "98");
	ck_assert_ptr_null(mhp_block_get(e, 96));
	ck_assert_ptr_null(mhp_block_get(e, 98));
	ck_assert_uint_eq(tu_node(e, 1).present_pages, TU_PFN(4 * TU_GiB));
	mhp_engine_free(e);
}
END_TEST

START_TEST(offline_and_remove_reonlines_on_failure)
{
	struct mhp_config cfg;
	struct mhp_engine *e;
	struct tu_memops m;
	char buf[EVBUF];

	tu_memops_init(&m);
	tu_config_two_node(&cfg);
	tu_memops_attach(&cfg, &m);
	e = tu_engine_new(&cfg);
	ck_assert_int_eq(mhp_add_memory(e, 1, 12 * TU_GiB, 3 * TU_BLOCK, 0, -1), 0);
	ck_assert_int_eq(tu_store_state(e, 96, MHP_MMOP_ONLINE_MOVABLE), 0);
	ck_assert_int_eq(tu_store_state(e, 97, MHP_MMOP_ONLINE_KERNEL), 0);
	ck_assert_int_eq(tu_store_state(e, 98, MHP_MMOP_ONLINE_MOVABLE), 0);
	tu_events_drain(e);

	/* Block 98 holds an unmovable page: 96 and 97 go offline, 98 fails, both come back. */
	atomic_store(&m.migrate_mode, TU_MIGRATE_EBUSY);
	atomic_store(&m.only_pfn, TU_BLOCK_PFN(98) + 1);
	ck_assert_int_eq(mhp_offline_and_remove_memory(e, 12 * TU_GiB, 3 * TU_BLOCK, NULL), -EBUSY);
	ck_assert_str_eq(tu_events_str(e, buf, sizeof(buf)),
			 "offline:" DEVMEM "96 offline:" DEVMEM "97 online:" DEVMEM
			 "96 online:" DEVMEM "97");
	ck_assert_uint_eq(mhp_block_count(e), 91);
	ck_assert_int_eq(tu_state(e, 96), MHP_STATE_ONLINE);
	ck_assert_int_eq(tu_state(e, 97), MHP_STATE_ONLINE);
	ck_assert_int_eq(tu_state(e, 98), MHP_STATE_ONLINE);
	/* In the zone type they had. */
	ck_assert_int_eq(tu_zone(e, 96), MHP_ZONE_MOVABLE);
	ck_assert_int_eq(tu_zone(e, 97), MHP_ZONE_NORMAL);
	ck_assert_int_eq(tu_zone(e, 98), MHP_ZONE_MOVABLE);
	ck_assert_uint_eq(tu_node(e, 1).present_pages, TU_PFN(4 * TU_GiB) + 3 * TU_BLOCK_PAGES);
	mhp_engine_free(e);
	tu_memops_destroy(&m);
}
END_TEST

START_TEST(groups)
{
	struct mhp_engine *e = two_node();
	int g = -1, g2 = -1;

	ck_assert_int_eq(mhp_group_register_static(e, 1, 4 * TU_BLOCK_PAGES, &g), 0);
	ck_assert_int_ge(g, 0);
	ck_assert_int_eq(mhp_group_register_dynamic(e, 1, 2 * TU_BLOCK_PAGES, &g2), 0);
	ck_assert_int_ne(g, g2);
	ck_assert_int_eq(mhp_add_memory(e, 1, 12 * TU_GiB, 2 * TU_BLOCK, 0, g), 0);
	ck_assert_int_eq(mhp_group_unregister(e, g), -EBUSY);
	ck_assert_int_eq(mhp_remove_memory(e, 12 * TU_GiB, 2 * TU_BLOCK), 0);
	ck_assert_int_eq(mhp_group_unregister(e, g), 0);
	ck_assert_int_eq(mhp_group_unregister(e, g), -EINVAL);
	ck_assert_int_eq(mhp_group_unregister(e, g2), 0);
	ck_assert_int_eq(mhp_group_register_static(e, 9, TU_BLOCK_PAGES, &g), -EINVAL);
	mhp_engine_free(e);
}
END_TEST

/* ---- module parameters (SPEC §1.6, §7) -------------------------------------------------------- */

START_TEST(parameters)
{
	struct mhp_engine *e = two_node();
	struct mhp_config cfg;

	ck_assert_int_eq(mhp_get_auto_online(e), MHP_MMOP_OFFLINE);
	for (int t = MHP_MMOP_OFFLINE; t <= MHP_MMOP_ONLINE_MOVABLE; t++) {
		ck_assert_int_eq(mhp_set_auto_online(e, t), 0);
		ck_assert_int_eq(mhp_get_auto_online(e), t);
	}
	ck_assert_int_eq(mhp_set_auto_online(e, 4), -EINVAL);
	ck_assert_int_eq(mhp_set_auto_online(e, -1), -EINVAL);
	ck_assert_int_eq(mhp_get_auto_online(e), MHP_MMOP_ONLINE_MOVABLE);

	ck_assert_int_eq(mhp_get_online_policy(e), MHP_POLICY_CONTIG_ZONES);
	ck_assert_int_eq(mhp_set_online_policy(e, MHP_POLICY_AUTO_MOVABLE), 0);
	ck_assert_int_eq(mhp_get_online_policy(e), MHP_POLICY_AUTO_MOVABLE);
	ck_assert_int_eq(mhp_set_online_policy(e, 2), -EINVAL);
	ck_assert_int_eq(mhp_set_online_policy(e, -1), -EINVAL);
	ck_assert_int_eq(mhp_get_online_policy(e), MHP_POLICY_AUTO_MOVABLE);

	ck_assert_uint_eq(mhp_get_auto_movable_ratio(e), 301);
	mhp_set_auto_movable_ratio(e, 0);
	ck_assert_uint_eq(mhp_get_auto_movable_ratio(e), 0);
	mhp_set_auto_movable_ratio(e, 4294967295U);
	ck_assert_uint_eq(mhp_get_auto_movable_ratio(e), 4294967295U);

	ck_assert(mhp_get_auto_movable_numa_aware(e));
	mhp_set_auto_movable_numa_aware(e, false);
	ck_assert(!mhp_get_auto_movable_numa_aware(e));
	ck_assert_int_eq(mhp_get_memmap_on_memory(e), MHP_MEMMAP_OFF);
	mhp_engine_free(e);

	/* Boot values come from the config. */
	tu_config_two_node(&cfg);
	cfg.auto_online = MHP_MMOP_ONLINE_KERNEL;
	cfg.online_policy = MHP_POLICY_AUTO_MOVABLE;
	cfg.auto_movable_ratio = 50;
	cfg.auto_movable_numa_aware = false;
	cfg.memmap_on_memory = MHP_MEMMAP_FORCE;
	e = tu_engine_new(&cfg);
	ck_assert_int_eq(mhp_get_auto_online(e), MHP_MMOP_ONLINE_KERNEL);
	ck_assert_int_eq(mhp_get_online_policy(e), MHP_POLICY_AUTO_MOVABLE);
	ck_assert_uint_eq(mhp_get_auto_movable_ratio(e), 50);
	ck_assert(!mhp_get_auto_movable_numa_aware(e));
	ck_assert_int_eq(mhp_get_memmap_on_memory(e), MHP_MEMMAP_FORCE);
	mhp_engine_free(e);
}
END_TEST

/* on_change is called for visible changes (the front end's poll/inotify source). */
struct change_count {
	atomic_int state, added, removed, node, param;
};

static void count_change(void *priv, enum mhp_change what, unsigned long id)
{
	struct change_count *c = priv;

	switch (what) {
	case MHP_CHANGE_BLOCK_STATE:
		atomic_fetch_add(&c->state, 1);
		break;
	case MHP_CHANGE_BLOCK_ADDED:
		atomic_fetch_add(&c->added, 1);
		break;
	case MHP_CHANGE_BLOCK_REMOVED:
		atomic_fetch_add(&c->removed, 1);
		break;
	case MHP_CHANGE_NODE:
		atomic_fetch_add(&c->node, 1);
		break;
	case MHP_CHANGE_PARAM:
		atomic_fetch_add(&c->param, 1);
		break;
	default:
		break;
	}
}

START_TEST(on_change_reports)
{
	struct mhp_config cfg;
	struct mhp_engine *e;
	struct change_count c;

	memset(&c, 0, sizeof(c));
	tu_config_two_node(&cfg);
	cfg.on_change = count_change;
	cfg.on_change_priv = &c;
	e = tu_engine_new(&cfg);
	atomic_store(&c.state, 0);
	atomic_store(&c.added, 0);
	atomic_store(&c.node, 0);
	ck_assert_int_eq(mhp_probe(e, 16 * TU_GiB), 0);
	ck_assert_int_eq(atomic_load(&c.added), 1);
	ck_assert_int_ge(atomic_load(&c.node), 1);
	ck_assert_int_eq(tu_store_state(e, 128, MHP_MMOP_ONLINE), 0);
	ck_assert_int_ge(atomic_load(&c.state), 1);
	ck_assert_int_eq(tu_store_state(e, 128, MHP_MMOP_OFFLINE), 0);
	ck_assert_int_eq(mhp_remove_memory(e, 16 * TU_GiB, TU_BLOCK), 0);
	ck_assert_int_eq(atomic_load(&c.removed), 1);
	ck_assert_int_eq(mhp_set_auto_online(e, MHP_MMOP_ONLINE), 0);
	ck_assert_int_ge(atomic_load(&c.param), 1);
	mhp_engine_free(e);
}
END_TEST

/* ---- step order inside the transitions (SPEC §4.4) -------------------------------------------- */

/* Records the node's zone as seen from each callback. */
struct zone_probe {
	struct tu_recorder r;
	struct mhp_engine *e;
	int nid, zone;
	struct mhp_zone_info seen[8];
	unsigned int n;
};

static void zone_hook(struct tu_recorder *r, unsigned long action,
		      const struct mhp_memory_notify *n)
{
	struct zone_probe *p = r->hook_priv;
	struct mhp_node_info ni;

	if (p->n < 8 && mhp_node_info(p->e, p->nid, &ni) == 0)
		p->seen[p->n++] = ni.zones[p->zone];
}

START_TEST(step_order_span_and_present)
{
	struct mhp_engine *e = two_node();
	struct tu_log log;
	struct zone_probe p;
	struct mhp_zone_info z;
	char buf[EVBUF];

	tu_log_init(&log);
	memset(&p, 0, sizeof(p));
	tu_recorder_register(e, &p.r, &log, "r", 0);
	p.e = e;
	p.nid = 1;
	p.zone = MHP_ZONE_MOVABLE;
	p.r.hook = zone_hook;
	p.r.hook_priv = &p;
	ck_assert_int_eq(mhp_add_memory(e, 1, 12 * TU_GiB, 2 * TU_BLOCK, 0, -1), 0);

	/* Online: the span grows before GOING_ONLINE; pages count only from MEM_ONLINE. */
	ck_assert_int_eq(tu_store_state(e, 97, MHP_MMOP_ONLINE_MOVABLE), 0);
	ck_assert_uint_eq(p.n, 2);
	ck_assert_uint_eq(p.seen[0].start_pfn, TU_BLOCK_PFN(97));
	ck_assert_uint_eq(p.seen[0].end_pfn, TU_BLOCK_PFN(98));
	ck_assert_uint_eq(p.seen[0].present_pages, 0);
	ck_assert_uint_eq(p.seen[1].present_pages, TU_BLOCK_PAGES);
	ck_assert_uint_eq(p.seen[1].end_pfn, TU_BLOCK_PFN(98));

	/* Offline: pages go before MEM_OFFLINE, the span shrinks only after it. */
	p.n = 0;
	ck_assert_int_eq(tu_store_state(e, 97, MHP_MMOP_OFFLINE), 0);
	ck_assert_uint_eq(p.n, 2);
	ck_assert_uint_eq(p.seen[0].present_pages, TU_BLOCK_PAGES);
	ck_assert_uint_eq(p.seen[1].present_pages, 0);
	ck_assert_uint_eq(p.seen[1].start_pfn, TU_BLOCK_PFN(97));
	ck_assert_uint_eq(p.seen[1].end_pfn, TU_BLOCK_PFN(98));
	z = tu_node(e, 1).zones[MHP_ZONE_MOVABLE];
	ck_assert_uint_eq(z.start_pfn, z.end_pfn);

	/* A vetoed online: CANCEL_ONLINE still sees the grown span; afterwards it is gone. */
	p.n = 0;
	tu_log_clear(&log);
	tu_recorder_set_ret(&p.r, MHP_MEM_GOING_ONLINE, MHP_NOTIFY_BAD);
	ck_assert_int_eq(tu_store_state(e, 96, MHP_MMOP_ONLINE_MOVABLE), -EPERM);
	ck_assert_str_eq(tu_log_str(&log, buf, sizeof(buf)), "r:GOING_ONLINE r:CANCEL_ONLINE");
	ck_assert_uint_eq(p.seen[1].start_pfn, TU_BLOCK_PFN(96));
	ck_assert_uint_eq(p.seen[1].end_pfn, TU_BLOCK_PFN(97));
	ck_assert_uint_eq(p.seen[1].present_pages, 0);
	z = tu_node(e, 1).zones[MHP_ZONE_MOVABLE];
	ck_assert_uint_eq(z.start_pfn, z.end_pfn);
	tu_recorder_unregister(e, &p.r);
	tu_log_destroy(&log);
	mhp_engine_free(e);
}
END_TEST

START_TEST(boot_block_spanning_nodes)
{
	static const struct mhp_mem_range boot[] = {
		{ 4 * TU_GiB, 4 * TU_GiB + 64 * TU_MiB, 0 },
		{ 4 * TU_GiB + 64 * TU_MiB, 5 * TU_GiB, 1 },
	};
	struct mhp_config cfg;
	struct mhp_engine *e;
	struct mhp_block *b;
	char buf[32];

	tu_config_small(&cfg);
	cfg.nr_nodes = 2;
	cfg.cpu_nodes = 0x3;
	cfg.boot = boot;
	cfg.nr_boot = 2;
	e = tu_engine_new(&cfg);
	b = tu_block(e, 32);
	/*
	 * The kernel's memory_block_add_nid() keeps the last node processed (zone NULL forbids the
	 * offline); engine.h says MHP_NUMA_NO_NODE here, but the kernel's value is what counts.
	 */
	ck_assert_int_eq(mhp_block_nid(b), 1);
	ck_assert_uint_eq(mhp_block_node_mask(b), 0x3);
	ck_assert_int_eq(mhp_block_zone(b), MHP_ZONE_NONE);
	ck_assert_int_eq(mhp_block_state(b), MHP_STATE_ONLINE);
	ck_assert_int_eq(mhp_block_valid_zones(e, b, buf, sizeof(buf)), 5);
	ck_assert_str_eq(buf, "none\n");
	ck_assert_int_eq(mhp_block_store_state(e, b, MHP_MMOP_OFFLINE, NULL), -EINVAL);
	ck_assert_int_eq(mhp_block_store_online(e, b, false, NULL), -EINVAL);
	ck_assert_int_eq(mhp_block_state(b), MHP_STATE_ONLINE);
	mhp_block_put(b);
	/* Each node counts its own part; the block is linked under both. */
	ck_assert_uint_eq(tu_node(e, 0).present_pages, TU_PFN(64 * TU_MiB));
	ck_assert_uint_eq(tu_node(e, 1).present_pages, TU_PFN(TU_GiB - 64 * TU_MiB));
	ck_assert_uint_eq(tu_node(e, 0).nr_blocks, 1);
	ck_assert_uint_eq(tu_node(e, 1).nr_blocks, 8);
	ASSERT_VZ_E(e, 33, "Normal\n");
	ck_assert_int_eq(tu_store_state(e, 33, MHP_MMOP_OFFLINE), 0);
	mhp_engine_free(e);
}
END_TEST

START_TEST(iteration_visits_every_block)
{
	struct mhp_engine *e = two_node();
	unsigned long id = 0, n = 0, prev = 0;
	int ret;

	ck_assert_int_eq(mhp_probe(e, 20 * TU_GiB), 0);
	for (ret = mhp_block_next_id(e, 0, &id); ret == 0;
	     ret = mhp_block_next_id(e, id + 1, &id)) {
		if (n)
			ck_assert_uint_gt(id, prev);
		ck_assert(!(id >= 24 && id < 32));
		prev = id;
		n++;
	}
	ck_assert_int_eq(ret, -ENOENT);
	ck_assert_uint_eq(prev, 160);
	ck_assert_uint_eq(n, mhp_block_count(e));
	ck_assert_uint_eq(n, 89);
	mhp_engine_free(e);
}
END_TEST

static int reenter_call(struct mhp_notifier_block *nb, unsigned long action, void *data);

struct reenter {
	struct mhp_notifier_block nb;
	struct mhp_notifier_block other;
	struct mhp_engine *e;
	int reg_ret, unreg_ret;
};

static int reenter_call(struct mhp_notifier_block *nb, unsigned long action, void *data)
{
	struct reenter *r = (struct reenter *)(void *)nb;

	if (action == MHP_MEM_GOING_ONLINE) {
		r->reg_ret = mhp_register_memory_notifier(r->e, &r->other);
		r->unreg_ret = mhp_unregister_memory_notifier(r->e, nb);
	}
	return MHP_NOTIFY_OK;
}

START_TEST(memory_notifier_registration)
{
	struct mhp_engine *e = two_node();
	struct tu_log log;
	struct tu_recorder r;
	struct reenter re;

	tu_log_init(&log);
	tu_recorder_register(e, &r, &log, "r", 0);
	ck_assert_int_eq(mhp_register_memory_notifier(e, &r.nb), -EEXIST);
	tu_recorder_unregister(e, &r);
	ck_assert_int_eq(mhp_unregister_memory_notifier(e, &r.nb), -ENOENT);
	/* An unregistered callback is not called any more. */
	ck_assert_int_eq(tu_store_state(e, 40, MHP_MMOP_OFFLINE), 0);
	ck_assert_uint_eq(tu_log_count(&log), 0);

	/* (Un)registering from inside a callback of the chain is refused, not a deadlock. */
	memset(&re, 0, sizeof(re));
	re.nb.notifier_call = reenter_call;
	re.other.notifier_call = reenter_call;
	re.e = e;
	ck_assert_int_eq(mhp_register_memory_notifier(e, &re.nb), 0);
	ck_assert_int_eq(tu_store_state(e, 40, MHP_MMOP_ONLINE), 0);
	ck_assert_int_eq(re.reg_ret, -EDEADLK);
	ck_assert_int_eq(re.unreg_ret, -EDEADLK);
	ck_assert_int_eq(mhp_unregister_memory_notifier(e, &re.nb), 0);
	tu_log_destroy(&log);
	mhp_engine_free(e);
}
END_TEST

START_TEST(boot_auto_online_from_config)
{
	struct mhp_config cfg;
	struct mhp_engine *e;

	tu_config_two_node(&cfg);
	cfg.auto_online = MHP_MMOP_ONLINE_MOVABLE;
	e = tu_engine_new(&cfg);
	ck_assert_int_eq(mhp_get_auto_online(e), MHP_MMOP_ONLINE_MOVABLE);
	/* Boot memory is online in its boot zone whatever the setting. */
	ck_assert_int_eq(tu_zone(e, 40), MHP_ZONE_NORMAL);
	ck_assert_int_eq(mhp_probe(e, 12 * TU_GiB), 0);
	ck_assert_int_eq(tu_state(e, 96), MHP_STATE_ONLINE);
	ck_assert_int_eq(tu_zone(e, 96), MHP_ZONE_MOVABLE);
	mhp_engine_free(e);
}
END_TEST

static Suite *engine_suite(void)
{
	Suite *s = suite_create("engine");
	TCase *tc;

	tc = tcase_create("boot");
	tcase_add_test(tc, config_init_defaults);
	tcase_add_test(tc, engine_new_rejects_bad_config);
	tcase_add_test(tc, boot_topology);
	tcase_add_test(tc, boot_node_masks_and_counts);
	tcase_add_test(tc, names);
	tcase_add_test(tc, boot_block_spanning_nodes);
	tcase_add_test(tc, iteration_visits_every_block);
	tcase_add_test(tc, boot_auto_online_from_config);
	suite_add_tcase(s, tc);

	tc = tcase_create("state_machine");
	tcase_add_test(tc, state_store_already_online_is_einval);
	tcase_add_test(tc, online_store_noop_succeeds_silently);
	tcase_add_test(tc, hot_added_block_is_offline);
	tcase_add_test(tc, none_block_refuses_offline);
	tcase_add_test(tc, hole_block_refuses_offline);
	tcase_add_test(tc, state_seen_by_callbacks);
	tcase_add_test(tc, online_type_recorded_when_already_online);
	tcase_add_test(tc, online_type_not_remembered_after_transition);
	tcase_add_test(tc, failed_online_consumes_online_type);
	suite_add_tcase(s, tc);

	tc = tcase_create("notifier_sequences");
	tcase_add_test(tc, seq_online_success);
	tcase_add_test(tc, seq_offline_success);
	tcase_add_test(tc, seq_online_veto_errno);
	tcase_add_test(tc, seq_online_notify_bad_is_eperm);
	tcase_add_test(tc, seq_online_notify_stop_succeeds);
	tcase_add_test(tc, seq_online_ops_failure_cancels);
	tcase_add_test(tc, seq_offline_veto);
	tcase_add_test(tc, seq_offline_isolate_ebusy_no_events);
	tcase_add_test(tc, seq_offline_migrate_ebusy);
	tcase_add_test(tc, seq_offline_cancel_eintr);
	tcase_add_test(tc, seq_offline_other_migrate_errno);
	tcase_add_test(tc, cancel_flag_basics);
	tcase_add_test(tc, step_order_span_and_present);
	tcase_add_test(tc, memory_notifier_registration);
	suite_add_tcase(s, tc);

	tc = tcase_create("payload_and_nodes");
	tcase_add_test(tc, payload_first_and_last_memory_of_node);
	tcase_add_test(tc, payload_movable_only_node);
	tcase_add_test(tc, payload_cancel_restores_masks);
	tcase_add_test(tc, node_page_counts_follow_blocks);
	suite_add_tcase(s, tc);

	tc = tcase_create("probe");
	tcase_add_test(tc, probe_errors);
	tcase_add_test(tc, probe_creates_offline_block_on_numa_node);
	tcase_add_test(tc, probe_auto_online_words);
	tcase_add_test(tc, probe_auto_online_failure_ignored);
	suite_add_tcase(s, tc);

	tc = tcase_create("add_remove");
	tcase_add_test(tc, add_memory_multi_block);
	tcase_add_test(tc, add_memory_errors);
	tcase_add_test(tc, add_memory_brings_node_online);
	tcase_add_test(tc, remove_requires_offline);
	tcase_add_test(tc, remove_takes_empty_node_offline);
	tcase_add_test(tc, remove_events_name_what_went);
	tcase_add_test(tc, remove_keeps_node_with_cpu);
	tcase_add_test(tc, removed_block_reference);
	tcase_add_test(tc, block_reference_outlives_engine);
	tcase_add_test(tc, offline_and_remove_success);
	tcase_add_test(tc, offline_and_remove_reonlines_on_failure);
	tcase_add_test(tc, groups);
	suite_add_tcase(s, tc);

	tc = tcase_create("parameters");
	tcase_add_test(tc, parameters);
	tcase_add_test(tc, on_change_reports);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(engine_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
