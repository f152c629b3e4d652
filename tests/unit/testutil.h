/* SPDX-License-Identifier: MIT */
/*
 * testutil.h - shared helpers of the libcheck unit tests: machine builders (struct mhp_config
 * layouts), a recording memory notifier with a shared thread-safe log, a fake struct mhp_memory_ops
 * and uevent helpers.
 *
 * Every helper that can fail does so with a libcheck assertion (ck_assert*), so tests stay short.
 * Nothing here knows how the engine is written: it only uses include/memhp/.
 */
#ifndef MEMHP_TESTUTIL_H
#define MEMHP_TESTUTIL_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "memhp/memhp.h"

#define TU_KiB (1024ULL)
#define TU_MiB (1024ULL * TU_KiB)
#define TU_GiB (1024ULL * TU_MiB)

/* The block size of every builder below: 128 MiB, 32768 pages of 4 KiB (x86-64). */
#define TU_BLOCK (128ULL * TU_MiB)
#define TU_BLOCK_PAGES (TU_BLOCK >> MHP_PAGE_SHIFT)
/* Page frame number of a byte address and of the first page of a block id. */
#define TU_PFN(addr) ((unsigned long)((addr) >> MHP_PAGE_SHIFT))
#define TU_BLOCK_PFN(id) ((unsigned long)(id) * (unsigned long)TU_BLOCK_PAGES)
/* Block id of a byte address. */
#define TU_ID(addr) ((unsigned long)((addr) / TU_BLOCK))

/* ---- machines --------------------------------------------------------------------------------- */

/*
 * tu_config_two_node() - a 2-node x86-64-like machine (the reference VM, larger):
 *
 *   nodes possible 0..3; CPUs on nodes 0 and 1 (cpu_nodes = 0x3); nodes 2, 3 have neither CPU nor
 *   boot memory, so they start offline and come online when memory is added to them.
 *   block size 128 MiB, phys_bits 46, DMA [0, 16 MiB), DMA32 [16 MiB, 4 GiB).
 *
 *   boot memory (online at boot)           blocks     zone(s)           node
 *     [0, 3 GiB)                           0..23      0: DMA+DMA32 "none", 1..23 DMA32   0
 *     [4 GiB, 8 GiB)                       32..63     Normal            0
 *     [8 GiB, 12 GiB)                      64..95     Normal            1
 *   reserved (busy iomem, PCI hole)
 *     [3 GiB, 4 GiB)                       (24..31 absent)
 *   NUMA affinity of hot-pluggable ranges (SRAT)
 *     [0, 8 GiB) node 0; [8 GiB, 16 GiB) node 1; [16 GiB, 24 GiB) node 2; [24 GiB, 32 GiB) node 3
 *
 *   Free for hot-add: ids 96..127 (node 1), 128..191 (node 2), 192..255 (node 3).
 *   Boot pages: node 0: 3 GiB + 4 GiB = 1835008 pages; node 1: 4 GiB = 1048576 pages.
 *   Everything else is mhp_config_init()'s default (auto_online offline, contig-zones, ratio 301,
 *   NUMA aware, memmap_on_memory off, no ops).
 */
void tu_config_two_node(struct mhp_config *cfg);

/*
 * tu_config_small() - one node, memory above 4 GiB only, so every block has one zone:
 *
 *   node 0 (possible 1, CPU on node 0), block 128 MiB, phys_bits 46.
 *   boot memory: [4 GiB, 5 GiB) = blocks 32..39, all Normal, online.
 *   no reserved ranges, no NUMA ranges (hot-add goes to node 0).
 *   Free for hot-add: everything else, e.g. id 40 (5 GiB) upwards, or 0..31.
 */
void tu_config_small(struct mhp_config *cfg);

/*
 * tu_config_small_hole() - tu_config_small() plus a boot range that ends inside a block:
 *
 *   boot memory: [4 GiB, 5 GiB + 64 MiB): blocks 32..39 full, block 40 is present but its upper
 *   half is a hole, so it is online at boot and refuses offline with EINVAL.
 */
void tu_config_small_hole(struct mhp_config *cfg);

/*
 * tu_config_empty_node() - tu_config_small() with a second possible node without CPU or memory:
 *
 *   nodes possible 0..1, CPU only on node 0; node 0 boot [4 GiB, 5 GiB) (blocks 32..39).
 *   NUMA: [8 GiB, 16 GiB) node 1 (ids 64..127).  Node 1 starts offline.
 */
void tu_config_empty_node(struct mhp_config *cfg);

/* tu_engine_new() - mhp_engine_new() that must succeed. */
struct mhp_engine *tu_engine_new(const struct mhp_config *cfg);

/* ---- blocks ----------------------------------------------------------------------------------- */

/* tu_block() - mhp_block_get() that must find the block; the caller puts it. */
struct mhp_block *tu_block(struct mhp_engine *e, unsigned long id);
/* tu_state() - mhp_block_state() of block @id (must exist). */
int tu_state(struct mhp_engine *e, unsigned long id);
/* tu_online_show() - mhp_block_online_show() of block @id; must succeed. */
bool tu_online_show(struct mhp_engine *e, unsigned long id);
/* tu_zone() - mhp_block_zone() of block @id. */
int tu_zone(struct mhp_engine *e, unsigned long id);
/* tu_store_state() - mhp_block_store_state() on block @id without cancel flag. */
int tu_store_state(struct mhp_engine *e, unsigned long id, int type);
/* tu_store_online() - mhp_block_store_online() on block @id without cancel flag. */
int tu_store_online(struct mhp_engine *e, unsigned long id, bool online);
/* tu_valid_zones() - the text of valid_zones of block @id into @buf (32 bytes); returns @buf. */
const char *tu_valid_zones(struct mhp_engine *e, unsigned long id, char *buf);
/* tu_node() - mhp_node_info() that must succeed. */
struct mhp_node_info tu_node(struct mhp_engine *e, int nid);

/* ---- recording memory notifier ---------------------------------------------------------------- */

/* One callback invocation. */
struct tu_log_entry {
	char name[16]; /* the recorder's name */
	unsigned long action; /* MHP_MEM_* */
	struct mhp_memory_notify n; /* copy of the payload */
	const void *payload; /* the payload pointer as passed to the callback */
	int watch_state; /* mhp_block_state() of the recorder's watched block, or 0 */
};

/* A log shared by several recorders, so the order across them is visible. */
struct tu_log {
	pthread_mutex_t lock;
	struct tu_log_entry *v;
	size_t n;
	size_t cap;
};

void tu_log_init(struct tu_log *log);
void tu_log_destroy(struct tu_log *log);
void tu_log_clear(struct tu_log *log);
size_t tu_log_count(struct tu_log *log);
/* tu_log_at() - a copy of entry @i (must exist). */
struct tu_log_entry tu_log_at(struct tu_log *log, size_t i);
/*
 * tu_log_str() - the log as "name:EVENT name:EVENT ..." (e.g. "a:GOING_ONLINE a:ONLINE"), event
 * names without the MEM_ prefix; "" when empty.  Returns @buf.
 */
const char *tu_log_str(struct tu_log *log, char *buf, size_t len);

/* tu_mem_event_name() - "GOING_ONLINE", ... for a MHP_MEM_* value, "?" otherwise. */
const char *tu_mem_event_name(unsigned long action);

struct tu_recorder;
/* Optional extra work inside a callback (sleep, look at engine state); runs after logging. */
typedef void (*tu_recorder_hook_fn)(struct tu_recorder *r, unsigned long action,
				    const struct mhp_memory_notify *n);

struct tu_recorder {
	struct mhp_notifier_block nb; /* registered on the engine's memory chain */
	char name[16];
	struct tu_log *log;
	/* What to return per event, indexed by bit number of MHP_MEM_*; default MHP_NOTIFY_OK. */
	atomic_int ret[8];
	/* A block whose mhp_block_state() is recorded at every call, or NULL. */
	struct mhp_block *watch;
	tu_recorder_hook_fn hook;
	void *hook_priv;
	atomic_ulong calls;
};

/*
 * tu_recorder_register() - set up @r (name, log, priority, all events NOTIFY_OK) and register it
 * on @e's memory chain; must succeed.
 */
void tu_recorder_register(struct mhp_engine *e, struct tu_recorder *r, struct tu_log *log,
			  const char *name, int priority);
/* tu_recorder_unregister() - remove it from the chain; must succeed. */
void tu_recorder_unregister(struct mhp_engine *e, struct tu_recorder *r);
/*
 * tu_recorder_set_ret() - return @value for @action from now on (e.g. MHP_NOTIFY_BAD for
 * MHP_MEM_GOING_OFFLINE, mhp_notifier_from_errno(-ENOSPC), MHP_NOTIFY_STOP).
 */
void tu_recorder_set_ret(struct tu_recorder *r, unsigned long action, int value);

/* ---- fake page accounting (struct mhp_memory_ops test double) --------------------------------- */

enum tu_migrate_mode {
	TU_MIGRATE_OK = 0, /* range is free: return 0 */
	TU_MIGRATE_EBUSY, /* an unmovable page: return -EBUSY */
	TU_MIGRATE_EAGAIN, /* a page stays busy: -EAGAIN forever (until the cancel flag ends it) */
	TU_MIGRATE_EAGAIN_N, /* -EAGAIN for the first @eagain_left calls, then 0 */
};

/*
 * struct tu_memops - the test double; the failure knobs apply to ranges that contain @only_pfn,
 * or to every range when @only_pfn is ULONG_MAX (the default).
 */
struct tu_memops {
	atomic_int isolate_ret; /* 0 or e.g. -EBUSY (unmovable pages found at isolation) */
	atomic_int migrate_mode; /* enum tu_migrate_mode */
	atomic_int eagain_left; /* for TU_MIGRATE_EAGAIN_N */
	atomic_int online_ret; /* returned by the online hook */
	atomic_ulong only_pfn;
	/* Raise this flag from inside migrate after @cancel_after calls (0: never). */
	struct mhp_cancel *raise_cancel;
	atomic_int cancel_after;
	/* Call counts. */
	atomic_ulong nr_isolate, nr_unisolate, nr_migrate, nr_online, nr_offline, nr_remove;
	/* Whether migrate was given a cancel flag (the last call). */
	atomic_bool migrate_had_cancel;
	/* The last range seen by any hook. */
	pthread_mutex_t lock;
	struct mhp_pfn_range last;
};

extern const struct mhp_memory_ops tu_memops_ops;

/* tu_memops_init() - everything succeeds, counters 0. */
void tu_memops_init(struct tu_memops *m);
void tu_memops_destroy(struct tu_memops *m);
/* tu_memops_attach() - point @cfg at the double. */
void tu_memops_attach(struct mhp_config *cfg, struct tu_memops *m);
struct mhp_pfn_range tu_memops_last(struct tu_memops *m);

/* ---- uevents ---------------------------------------------------------------------------------- */

/*
 * tu_events_str() - pop every queued event and describe them as "ACTION:DEVPATH ..." (e.g.
 * "add:/devices/system/memory/memory96 online:/devices/system/memory/memory96"); "" when none.
 * Also checks that SEQNUMs increase by exactly one.  Returns @buf.
 */
const char *tu_events_str(struct mhp_engine *e, char *buf, size_t len);
/* tu_events_drain() - pop every queued event; return how many there were. */
size_t tu_events_drain(struct mhp_engine *e);

#endif /* MEMHP_TESTUTIL_H */
