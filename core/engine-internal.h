/* SPDX-License-Identifier: MIT */
/*
 * Internal structures of the engine, shared by the files of core/.  Not installed.
 *
 * Locking (the full list; the public header repeats the order):
 *
 *   hotplug_lock (device_hotplug_lock)   mutex; serialises every store, add and remove; protects
 *                                        mhp_block.online_type, the group table and block creation
 *                                        and removal.
 *   device lock (block_dev_lock())       one block's transitions; protects dev_offline.  A flag
 *                                        per block (mhp_block.dev_locked) that dev_wait_lock, a
 *                                        leaf mutex, guards: taken briefly to set or clear it.
 *   mem_hotplug_lock                     rwlock; write during online, offline, add, remove.
 *   memory_chain.rwsem                   the notifier chain (notifier.c).
 *   stat_lock                            leaf mutex; zone spans and counters, node masks, node
 *                                        info, parameters, mhp_block.zone, group counters.
 *   blocks_lock                          leaf rwlock; the id -> block table and nr_blocks.
 *   ev_lock                              leaf mutex; the uevent queue and seqnum.
 *   arena_lock                           leaf mutex; the block arena and nr_live.
 *
 * Order: hotplug_lock -> device lock -> mem_hotplug_lock -> chain -> stat_lock -> blocks_lock ->
 * ev_lock.  Never the other way round.  mhp_block.state is atomic and read without any lock (the
 * kernel's state_show() takes none either).
 */
#ifndef MEMHP_ENGINE_INTERNAL_H
#define MEMHP_ENGINE_INTERNAL_H

#include <assert.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "arena.h"
#include "memhp/engine.h"

#define RADIX_LEAF_BITS 12
#define RADIX_MID_BITS 12
#define RADIX_LEAF_SIZE (1UL << RADIX_LEAF_BITS)
#define RADIX_MID_SIZE (1UL << RADIX_MID_BITS)

/* MAX_ORDER_NR_PAGES on x86-64 6.x (order 10): kernelcore= boundaries are rounded to it. */
#define MAX_ORDER_NR_PAGES 1024UL
/* pageblock_nr_pages on x86-64: 2 MiB. */
#define PAGEBLOCK_NR_PAGES 512UL
/* sizeof(struct page) on x86-64. */
#define STRUCT_PAGE_SIZE 64UL

/*
 * A machine may have millions of blocks: 64 bytes each, from an arena (no malloc header), with the
 * device lock a flag under one engine-wide mutex and the rarely used facts a flag or a byte.
 */
struct mhp_block {
	struct mhp_engine *engine;
	unsigned long id;
	uint64_t generation;
	uint64_t node_mask; /* nodes it is registered under */
	unsigned long hwpoison; /* poisoned pages (EHWPOISON on online); atomic, no lock */
	atomic_uint refcount;
	atomic_int state; /* enum mhp_block_state; no lock */
	int group; /* memory group id or -1 */
	int8_t nid; /* last node registered, as the kernel's mem->nid */
	int8_t zone; /* protected by stat_lock; MHP_ZONE_NONE unless online in one zone */
	int8_t online_type; /* protected by hotplug_lock */
	uint8_t boot_zone_mask; /* zones its boot pages are in (multi-zone blocks) */
	atomic_bool removed;
	bool dev_locked; /* the device lock (block_dev_lock()); protected by dev_wait_lock */
	bool dev_offline; /* protected by the device lock */
	bool early : 1; /* boot memory: counts in present_early_pages */
	bool holes : 1; /* boot memory that is not the whole block (never offlineable) */
	bool vmemmap : 1; /* added with its memmap on it: block_nr_vmemmap() pages at its start */
};

struct mhp_group {
	bool used;
	bool is_dynamic;
	int nid;
	unsigned long max_pages; /* static groups */
	unsigned long unit_pages; /* dynamic groups */
	unsigned long present_kernel_pages; /* protected by stat_lock */
	unsigned long present_movable_pages; /* protected by stat_lock */
	unsigned long nr_blocks; /* protected by hotplug_lock */
};

struct mhp_node {
	bool online; /* stat_lock */
	uint32_t incarnation; /* stat_lock: the times it came online */
	unsigned long nr_blocks; /* stat_lock */
	unsigned long zone_movable_pfn; /* boot: kernelcore=/movablecore= split, 0 for none */
	struct mhp_zone_info zones[MHP_NR_ZONES]; /* stat_lock */
};

struct mhp_engine {
	struct mhp_config cfg; /* arrays point into the copies below */
	struct mhp_mem_range *boot;
	struct mhp_mem_range *numa;
	struct mhp_mem_range *reserved;
	unsigned int block_shift;
	unsigned long pages_per_block;
	unsigned long max_block_id; /* exclusive */

	pthread_mutex_t hotplug_lock;
	pthread_t hotplug_owner; /* debug: lock ownership assertions */
	bool hotplug_held;
	pthread_rwlock_t mem_hotplug_lock;
	pthread_mutex_t stat_lock;
	pthread_rwlock_t blocks_lock;
	pthread_mutex_t dev_wait_lock; /* the device locks' flags */
	pthread_cond_t dev_wait; /* a device lock was released */
	struct mhp_notifier_head memory_chain;

	/* Block objects: the engine lives on after mhp_engine_free() until the last is put. */
	pthread_mutex_t arena_lock;
	struct arena block_arena; /* arena_lock */
	unsigned long nr_live; /* arena_lock: blocks not yet freed */
	bool freed; /* arena_lock: mhp_engine_free() was called */

	/* parameters, protected by stat_lock */
	int auto_online;
	int online_policy;
	unsigned int auto_movable_ratio;
	bool auto_movable_numa_aware;

	uint64_t node_states[MHP_NR_NODE_STATES]; /* stat_lock */
	struct mhp_node nodes[MHP_MAX_NUMNODES];

	/* id -> block: three levels (top, mid, leaf) so that lookups are O(1) for any id width */
	unsigned int top_bits;
	struct mhp_block ****radix; /* blocks_lock */
	unsigned long nr_blocks; /* blocks_lock */
	uint64_t next_generation; /* hotplug_lock */

	struct mhp_group *groups; /* hotplug_lock (table), stat_lock (counters) */
	unsigned int nr_groups;

	/* uevents */
	pthread_mutex_t ev_lock;
	pthread_cond_t ev_cond;
	struct mhp_uevent *ev_ring;
	size_t ev_cap, ev_head, ev_count;
	uint64_t seqnum;
	uint64_t dropped;
	int ev_fd;
	bool booting;
};

#ifndef NDEBUG
#define assert_hotplug_held(e) \
	assert((e)->hotplug_held &&pthread_equal((e)->hotplug_owner, pthread_self()))
#else
#define assert_hotplug_held(e) ((void)(e))
#endif

#endif /* MEMHP_ENGINE_INTERNAL_H */
