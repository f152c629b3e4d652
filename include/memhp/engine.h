/* SPDX-License-Identifier: MIT */
/*
 * memhp/engine.h - the memory hotplug engine: topology, memory blocks and their state machine,
 * zones, NUMA nodes, the memory notifier chain, hot-add and hot-remove, the module parameters and
 * the uevent queue.  It models the kernel's drivers/base/memory.c and mm/memory_hotplug.c
 * (SPEC §2-§9) with the ≤6.16 notifier payload.
 *
 * Conventions: functions return 0 (or a count) on success and a negative errno on failure; out
 * parameters are written only on success; destructors accept NULL.  "May block" means the function
 * may wait for locks held during a long offline.
 *
 * Locks, in the order they are taken (the kernel's, SPEC §9):
 *   1. device_hotplug_lock   engine mutex; every store, add and remove.  Contention is never an
 *                            error: callers simply wait.
 *   2. device lock           per block; a transition of that block, and mhp_block_online_show().
 *   3. mem_hotplug_lock      engine rwlock; written by online, offline, add and remove, read by
 *                            mhp_get_online_mems().
 *   4. notifier rwsem        the memory chain's lock (see notifier.h).
 *   5. stat lock             leaf mutex; zone spans, page counts, node masks, parameters; held
 *                            only for short copies, so readers never wait for an offline.
 *   (blocks lock)            leaf rwlock over the id -> block table; lookups and iteration.
 *   (event lock)             leaf mutex over the uevent queue.
 */
#ifndef MEMHP_ENGINE_H
#define MEMHP_ENGINE_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <pthread.h>

#include "notifier.h"
#include "parse.h"

#ifdef __cplusplus
extern "C" {
#endif

#define MHP_PAGE_SHIFT 12
#define MHP_PAGE_SIZE (1UL << MHP_PAGE_SHIFT)
#define MHP_MIN_BLOCK_SIZE (MHP_PAGE_SIZE * 8)
#define MHP_MAX_NUMNODES 64
#define MHP_NUMA_NO_NODE (-1)

/* Zones, in the kernel's order; the names are what valid_zones prints. */
enum mhp_zone_type {
	MHP_ZONE_NONE = -1, /* a block spanning several zones or nodes */
	MHP_ZONE_DMA = 0,
	MHP_ZONE_DMA32,
	MHP_ZONE_NORMAL,
	MHP_ZONE_MOVABLE,
	MHP_NR_ZONES,
};

/**
 * mhp_zone_name() - the kernel's name of a zone
 * @zone: an enum mhp_zone_type value
 *
 * Return: "DMA", "DMA32", "Normal", "Movable", or "none" for MHP_ZONE_NONE and anything else.
 */
const char *mhp_zone_name(int zone);

/* Exposed block states (include/linux/memory.h); these are the values of mhp_block_state(). */
enum mhp_block_state {
	MHP_STATE_ONLINE = 1,
	MHP_STATE_GOING_OFFLINE = 2,
	MHP_STATE_OFFLINE = 4,
};

/**
 * mhp_block_state_name() - the text of `state` for a state value
 * @state: an enum mhp_block_state value
 *
 * Return: "online", "going-offline", "offline", or NULL for an impossible value (the caller prints
 * the kernel's "ERROR-UNKNOWN-%ld").
 */
const char *mhp_block_state_name(int state);

enum mhp_online_policy {
	MHP_POLICY_CONTIG_ZONES = 0, /* "contig-zones" */
	MHP_POLICY_AUTO_MOVABLE = 1, /* "auto-movable" */
};

enum mhp_memmap_on_memory {
	MHP_MEMMAP_OFF = 0, /* "N" */
	MHP_MEMMAP_ON = 1, /* "Y" */
	MHP_MEMMAP_FORCE = 2, /* "force" */
};

/* Node states (include/linux/nodemask.h); masks are uint64_t, bit n = node n. */
enum mhp_node_state {
	MHP_N_POSSIBLE = 0,
	MHP_N_ONLINE,
	MHP_N_NORMAL_MEMORY,
	MHP_N_MEMORY,
	MHP_N_CPU,
	MHP_NR_NODE_STATES,
};

/**
 * struct mhp_mem_range - a physical range with its node
 * @start: first byte
 * @end: one past the last byte
 * @nid: NUMA node
 */
struct mhp_mem_range {
	uint64_t start;
	uint64_t end;
	int nid;
};

/**
 * struct mhp_size_or_percent - a kernelcore= / movablecore= value
 * @bytes: a size in bytes (used when @percent is 0)
 * @percent: a percentage of all boot memory, 1..100; 0 when @bytes is used
 *
 * Both 0 means "not given".
 */
struct mhp_size_or_percent {
	uint64_t bytes;
	unsigned int percent;
};

/**
 * struct mhp_pfn_range - the range an offline or online works on, as the memory ops see it
 * @start_pfn: first frame
 * @nr_pages: number of frames
 * @nid: node of the block
 * @zone: zone the range is (or goes) in
 */
struct mhp_pfn_range {
	unsigned long start_pfn;
	unsigned long nr_pages;
	int nid;
	int zone;
};

struct mhp_cancel;

/**
 * struct mhp_memory_ops - the page accounting behind the blocks (the page pools plug in here)
 *
 * All hooks are optional; a missing hook means "no page is in use": isolation succeeds, migration
 * finds nothing to move.  Hooks are called with device_hotplug_lock, the block's device lock and
 * mem_hotplug_lock (write) held, and must not call back into the engine's locking functions.
 *
 * @isolate: stop allocating from the range (SPEC §4.4 offline step 4).  -EBUSY if it holds pages
 *           that can never move (the offline then fails with EBUSY and no notifier event).
 * @unisolate: undo @isolate after a failed offline.
 * @migrate: one pass of the offline retry loop: move or drop every movable page.  Return 0 when the
 *           range is free, -EAGAIN when some page is still busy (the engine sleeps briefly and calls
 *           again unless @cancel was raised: then EINTR), -EBUSY for an unmovable page, or another
 *           negative errno, which fails the offline.
 * @online: hand the range's pages to the allocator after MEM_GOING_ONLINE succeeded; a negative
 *          errno fails the online like a notifier veto (MEM_CANCEL_ONLINE is sent).  Also called
 *          by mhp_engine_new() for boot memory: once per present piece of a boot block and zone
 *          (holes and zone boundaries split a block into pieces); an error fails the creation.
 * @offline: the range is free and isolated; drop it from the allocator (before MEM_OFFLINE).
 * @remove: the block is being removed; give its frames back to the host.
 */
struct mhp_memory_ops {
	int (*isolate)(void *priv, const struct mhp_pfn_range *r);
	void (*unisolate)(void *priv, const struct mhp_pfn_range *r);
	int (*migrate)(void *priv, const struct mhp_pfn_range *r, struct mhp_cancel *cancel);
	int (*online)(void *priv, const struct mhp_pfn_range *r);
	void (*offline)(void *priv, const struct mhp_pfn_range *r);
	void (*remove)(void *priv, const struct mhp_pfn_range *r);
};

/* What changed, for struct mhp_config.on_change (poll wakeups, inotify in the front end). */
enum mhp_change {
	MHP_CHANGE_BLOCK_STATE, /* @id: block id; state/online of that block */
	MHP_CHANGE_BLOCK_ADDED, /* @id: block id */
	MHP_CHANGE_BLOCK_REMOVED, /* @id: block id */
	MHP_CHANGE_ZONES, /* valid_zones of any block may have changed */
	MHP_CHANGE_NODE, /* @id: node; its masks, page counts or presence */
	MHP_CHANGE_PARAM, /* auto_online_blocks or a module parameter */
};

/**
 * struct mhp_config - the machine and its boot parameters
 *
 * Fill with mhp_config_init() and change what differs.  Arrays are copied by mhp_engine_new().
 *
 * @block_size: memory block size in bytes: a power of two, at least MHP_MIN_BLOCK_SIZE
 * @nr_nodes: possible NUMA nodes 0..nr_nodes-1 (1..MHP_MAX_NUMNODES)
 * @cpu_nodes: bitmask of nodes that have CPUs (they are online even without memory)
 * @boot: present memory at boot; blocks that contain any of it are created online
 * @nr_boot: entries in @boot
 * @numa: firmware NUMA affinity of hot-pluggable address ranges (SRAT); probe and add with
 *        MHP_NUMA_NO_NODE take the node from here, else from @boot, else the first node
 * @nr_numa: entries in @numa
 * @reserved: busy iomem (e.g. the PCI hole): hot-adding over it fails with EEXIST
 * @nr_reserved: entries in @reserved
 * @phys_bits: addressable physical bits; hot-adding beyond fails with E2BIG
 * @dma_end: end of ZONE_DMA (16 MiB on x86-64)
 * @dma32_end: end of ZONE_DMA32 (4 GiB)
 * @kernelcore: the kernelcore= boot parameter
 * @movablecore: the movablecore= boot parameter
 * @movable_node: the movable_node boot flag
 * @auto_online: initial auto_online_blocks, an enum mhp_online_type
 * @online_policy: initial online_policy
 * @auto_movable_ratio: initial auto_movable_ratio
 * @auto_movable_numa_aware: initial auto_movable_numa_aware
 * @memmap_on_memory: memory_hotplug.memmap_on_memory= (boot only)
 * @mem_ops: page accounting (NULL: no page is ever in use)
 * @mem_ops_priv: passed to @mem_ops
 * @on_change: called after a visible value changed, with engine locks held: it must not block and
 *             must not call the engine; NULL for none
 * @on_change_priv: passed to @on_change
 */
struct mhp_config {
	uint64_t block_size;
	unsigned int nr_nodes;
	uint64_t cpu_nodes;
	const struct mhp_mem_range *boot;
	size_t nr_boot;
	const struct mhp_mem_range *numa;
	size_t nr_numa;
	const struct mhp_mem_range *reserved;
	size_t nr_reserved;
	unsigned int phys_bits;
	uint64_t dma_end;
	uint64_t dma32_end;
	struct mhp_size_or_percent kernelcore;
	struct mhp_size_or_percent movablecore;
	bool movable_node;
	int auto_online;
	int online_policy;
	unsigned int auto_movable_ratio;
	bool auto_movable_numa_aware;
	int memmap_on_memory;
	const struct mhp_memory_ops *mem_ops;
	void *mem_ops_priv;
	void (*on_change)(void *priv, enum mhp_change what, unsigned long id);
	void *on_change_priv;
};

/**
 * mhp_config_init() - the defaults of a distribution x86-64 kernel
 * @cfg: filled with: 128 MiB blocks, one node with a CPU, no memory, phys_bits 46, DMA below
 *       16 MiB, DMA32 below 4 GiB, no kernelcore/movablecore, auto_online offline, contig-zones,
 *       ratio 301, NUMA aware, memmap_on_memory off, no ops.
 */
void mhp_config_init(struct mhp_config *cfg);

struct mhp_engine;
struct mhp_block;

/**
 * mhp_engine_new() - build a machine: boot memory online, zones, nodes
 * @cfg: the machine
 * @ret: the engine, written on success
 *
 * Boot blocks get their zone from the zone spans they intersect (several: "none"), their node from
 * the boot ranges (several: registered under each, zone "none").  Boot uevents use sequence numbers but are not queued
 * (no listener exists at boot).
 *
 * Return: 0; -EINVAL for an invalid configuration (block size, overlapping or misaligned ranges,
 * nodes out of range, phys_bits); -ENOMEM.
 */
int mhp_engine_new(const struct mhp_config *cfg, struct mhp_engine **ret);

/**
 * mhp_engine_free() - destroy the engine; no other thread may use it
 * @e: the engine (NULL is accepted)
 *
 * A block reference still held stays good for mhp_block_put(), which frees what is left of the
 * engine with the last one.
 */
void mhp_engine_free(struct mhp_engine *e);

/** mhp_engine_block_size() - the block size in bytes; no lock. */
uint64_t mhp_engine_block_size(const struct mhp_engine *e);

/** mhp_engine_nr_nodes() - the number of possible nodes; no lock. */
unsigned int mhp_engine_nr_nodes(const struct mhp_engine *e);

/* ---- locks (SPEC §9) ------------------------------------------------------------------------ */

/** mhp_lock_device_hotplug() - take device_hotplug_lock; may block. */
void mhp_lock_device_hotplug(struct mhp_engine *e);
/** mhp_unlock_device_hotplug() - release device_hotplug_lock. */
void mhp_unlock_device_hotplug(struct mhp_engine *e);
/** mhp_get_online_mems() - take mem_hotplug_lock for reading: layout, zones and nodes stay put. */
void mhp_get_online_mems(struct mhp_engine *e);
/** mhp_put_online_mems() - release what mhp_get_online_mems() took. */
void mhp_put_online_mems(struct mhp_engine *e);

/* ---- cancellation (the writer's pending signal) ---------------------------------------------- */

/**
 * struct mhp_cancel - a request's cancellation flag (a FUSE interrupt, a signal)
 *
 * Raise it from any thread; an offline waiting in its retry loop fails with EINTR.
 */
struct mhp_cancel {
	atomic_bool raised;
	pthread_mutex_t lock;
	pthread_cond_t cond;
};

/** mhp_cancel_init() - initialise a lowered flag. */
void mhp_cancel_init(struct mhp_cancel *c);
/** mhp_cancel_destroy() - release the flag; NULL accepted. */
void mhp_cancel_destroy(struct mhp_cancel *c);
/** mhp_cancel_raise() - raise the flag and wake a sleeper; any thread; never blocks long. */
void mhp_cancel_raise(struct mhp_cancel *c);
/** mhp_cancel_pending() - whether the flag is raised; NULL is never raised. */
bool mhp_cancel_pending(struct mhp_cancel *c);
/**
 * mhp_cancel_sleep() - sleep up to @usec microseconds, waking early when the flag is raised
 * @c: the flag (NULL: plain sleep)
 * @usec: time
 *
 * Return: 0 after the time, -EINTR if the flag is (or becomes) raised.
 */
int mhp_cancel_sleep(struct mhp_cancel *c, unsigned int usec);

/* ---- memory blocks ------------------------------------------------------------------------- */

/**
 * mhp_block_get() - look a block up by id and take a reference
 * @e: the engine
 * @id: block id (physical address / block size)
 *
 * O(1).  Takes the blocks lock for reading.  The reference keeps the object alive after the block
 * is removed (then mhp_block_removed() is true and operations give -ENODEV).
 *
 * Return: the block, or NULL if no block has that id.
 */
struct mhp_block *mhp_block_get(struct mhp_engine *e, unsigned long id);

/** mhp_block_put() - drop a reference from mhp_block_get(); NULL accepted. */
void mhp_block_put(struct mhp_block *b);

/**
 * mhp_block_next_id() - the smallest present block id at or above @from (iteration)
 * @e: the engine
 * @from: first id to consider
 * @ret_id: the id, written on success
 *
 * Return: 0, or -ENOENT when there is none.
 */
int mhp_block_next_id(struct mhp_engine *e, unsigned long from, unsigned long *ret_id);

/** mhp_block_count() - the number of present blocks. */
unsigned long mhp_block_count(struct mhp_engine *e);

/** mhp_block_id() - the block's id. */
unsigned long mhp_block_id(const struct mhp_block *b);

/**
 * mhp_block_generation() - a number that differs for every block object ever created by an engine,
 * so that a block id that comes back after removal can be told apart (FUSE inode generations).
 */
uint64_t mhp_block_generation(const struct mhp_block *b);

/** mhp_block_removed() - whether the block has been removed (its id may since be reused). */
bool mhp_block_removed(const struct mhp_block *b);

/**
 * mhp_block_nid() - the block's node
 *
 * Return: the node.  A boot block spanning several nodes reports the last one registered, as the
 * kernel's mem->nid does; mhp_block_node_mask() lists them all.
 */
int mhp_block_nid(const struct mhp_block *b);

/** mhp_block_node_mask() - the nodes the block is registered under (its nodeX links). */
uint64_t mhp_block_node_mask(const struct mhp_block *b);

/** mhp_block_state() - enum mhp_block_state, as `state` shows it; no lock, never blocks. */
int mhp_block_state(const struct mhp_block *b);

/**
 * mhp_block_online_show() - the value of `online`: 1 unless the device is offline
 * @e: the engine
 * @b: the block
 * @ret: the value, written on success
 *
 * Takes the block's device lock, so it waits while a transition of that block runs (SPEC §1.3).
 *
 * Return: 0 or -ENODEV (removed).
 */
int mhp_block_online_show(struct mhp_engine *e, struct mhp_block *b, bool *ret);

/**
 * mhp_block_hwpoison_add() - count pages of the block that memory-failure handling poisoned
 * @e: the engine
 * @b: the block
 * @nr: pages poisoned now
 *
 * The kernel's memblk_nr_poison_inc(): a block with poisoned pages refuses to go online with
 * -EHWPOISON until it is removed (a block added again at the same address starts clean).  The
 * caller is whoever poisoned the frames (the page pool's soft/hard offline, called by the
 * daemon's soft_offline_page and hard_offline_page stores); the pool never calls the engine.
 * Atomic, takes no lock, never blocks.
 *
 * Return: 0, -ENODEV (removed).
 */
int mhp_block_hwpoison_add(struct mhp_engine *e, struct mhp_block *b, unsigned long nr);

/** mhp_block_nr_hwpoison() - the block's poisoned pages (memblk_nr_poison()); no lock. */
unsigned long mhp_block_nr_hwpoison(const struct mhp_block *b);

/**
 * mhp_block_zone() - the zone recorded for an online block
 *
 * Return: an enum mhp_zone_type, MHP_ZONE_NONE for a multi-zone/node block, or for an offline one.
 */
int mhp_block_zone(const struct mhp_block *b);

/**
 * mhp_block_valid_zones() - the text of `valid_zones` (SPEC §3), with its newline
 * @e: the engine
 * @b: the block
 * @buf: output
 * @len: size of @buf (32 is enough)
 *
 * Takes the stat lock only.
 *
 * Return: the length written, -ENODEV (removed) or -ENOSPC.
 */
int mhp_block_valid_zones(struct mhp_engine *e, struct mhp_block *b, char *buf, size_t len);

/**
 * mhp_block_store_state() - what writing @type to `state` does (SPEC §1.3)
 * @e: the engine
 * @b: the block
 * @type: an enum mhp_online_type (already parsed by mhp_online_type_from_str())
 * @cancel: the writer's cancellation flag, or NULL
 *
 * Takes device_hotplug_lock, the block's device lock and mem_hotplug_lock; may block for the whole
 * offline.  Emits the notifier sequence of SPEC §4.4 and, on success, an online/offline uevent.
 * The requested online type stays recorded when the block was already online, as in the kernel.
 *
 * Return: 0; -EINVAL if the block is already in the requested state, for a bad @type, or for the
 * offline refusals (several zones or nodes, holes); -EBUSY (unmovable pages); -EINTR (@cancel
 * raised during the offline); a notifier veto's errno; -EHWPOISON; -ENODEV (removed).
 */
int mhp_block_store_state(struct mhp_engine *e, struct mhp_block *b, int type,
			  struct mhp_cancel *cancel);

/**
 * mhp_block_store_online() - what writing a boolean to `online` does (SPEC §1.3)
 * @e: the engine
 * @b: the block
 * @online: true: device_online (with the recorded online type, else MHP_MMOP_ONLINE), false:
 *          device_offline
 * @cancel: the writer's cancellation flag, or NULL
 *
 * Locks and events as mhp_block_store_state().
 *
 * Return: 0, also when the block is already in that state (then nothing happens); otherwise the
 * errors of mhp_block_store_state().
 */
int mhp_block_store_online(struct mhp_engine *e, struct mhp_block *b, bool online,
			   struct mhp_cancel *cancel);

/* ---- hot-add and hot-remove (SPEC §5.3, §6) ------------------------------------------------- */

/* Flags of mhp_add_memory(). */
#define MHP_ADD_MEMMAP_ON_MEMORY (1U << 0) /* self-hosted memmap if the parameter allows it */

/**
 * mhp_probe() - what writing an address to `probe` does: add one block at @phys_addr
 * @e: the engine
 * @phys_addr: physical byte address
 *
 * Takes device_hotplug_lock; auto-onlines with auto_online_blocks (a failure there is ignored).
 *
 * Return: 0; -EINVAL (not block aligned); -E2BIG (beyond phys_bits); -EEXIST (overlaps a block or
 * reserved iomem); -ENOMEM.
 */
int mhp_probe(struct mhp_engine *e, uint64_t phys_addr);

/**
 * mhp_add_memory() - firmware-style hot-add (an ACPI DIMM): create the blocks of a range offline,
 * bring the node online if needed, link, then auto-online
 * @e: the engine
 * @nid: node, or MHP_NUMA_NO_NODE for the firmware's NUMA affinity of @start
 * @start: physical byte address, block aligned
 * @size: bytes, a non-zero multiple of the block size
 * @flags: MHP_ADD_* flags
 * @group: memory group id from mhp_group_register_*(), or -1 for none
 *
 * Return: 0; -EINVAL (alignment, node not possible, unknown group); -E2BIG; -EEXIST; -ENOMEM.
 */
int mhp_add_memory(struct mhp_engine *e, int nid, uint64_t start, uint64_t size, unsigned int flags,
		   int group);

/**
 * mhp_remove_memory() - remove every block of a range; all must be offline
 * @e: the engine
 * @start: physical byte address, block aligned
 * @size: bytes, a multiple of the block size
 *
 * Node links go first, then a remove uevent per block; a node left without blocks and CPUs goes
 * offline (node remove uevent).
 *
 * Return: 0; -EINVAL (alignment, no block in the range); -EBUSY (a block is not offline).
 */
int mhp_remove_memory(struct mhp_engine *e, uint64_t start, uint64_t size);

/**
 * mhp_offline_and_remove_memory() - offline every online block of a range, then remove it
 * @e: the engine
 * @start: as mhp_remove_memory()
 * @size: as mhp_remove_memory()
 * @cancel: cancellation flag, or NULL
 *
 * If an offline fails, the blocks offlined so far are onlined again in their former zone type and
 * the error is returned.
 *
 * Return: 0 or the errors of offline and remove.
 */
int mhp_offline_and_remove_memory(struct mhp_engine *e, uint64_t start, uint64_t size,
				  struct mhp_cancel *cancel);

/**
 * mhp_group_register_static() - a memory group for one device of fixed size (an ACPI DIMM)
 * @e: the engine
 * @nid: the group's node
 * @max_pages: the device's size in pages
 * @ret_id: the group id, written on success
 *
 * Return: 0, -EINVAL, -ENOMEM.
 */
int mhp_group_register_static(struct mhp_engine *e, int nid, unsigned long max_pages, int *ret_id);

/**
 * mhp_group_register_dynamic() - a memory group whose memory comes and goes in units (virtio-mem)
 * @e: the engine
 * @nid: the group's node
 * @unit_pages: the unit in pages, a multiple of the block pages (power of two)
 * @ret_id: the group id, written on success
 *
 * Return: 0, -EINVAL, -ENOMEM.
 */
int mhp_group_register_dynamic(struct mhp_engine *e, int nid, unsigned long unit_pages,
			       int *ret_id);

/**
 * mhp_group_unregister() - forget a group that has no blocks
 *
 * Return: 0, -EINVAL (unknown id), -EBUSY (blocks still use it).
 */
int mhp_group_unregister(struct mhp_engine *e, int id);

/* ---- parameters (SPEC §1.6, §7) ------------------------------------------------------------- */

/** mhp_get_auto_online() - auto_online_blocks, an enum mhp_online_type. */
int mhp_get_auto_online(struct mhp_engine *e);
/** mhp_set_auto_online() - set auto_online_blocks for memory added later; -EINVAL out of range. */
int mhp_set_auto_online(struct mhp_engine *e, int type);
/** mhp_get_online_policy() - enum mhp_online_policy. */
int mhp_get_online_policy(struct mhp_engine *e);
/** mhp_set_online_policy() - -EINVAL out of range. */
int mhp_set_online_policy(struct mhp_engine *e, int policy);
/** mhp_get_auto_movable_ratio() - percent. */
unsigned int mhp_get_auto_movable_ratio(struct mhp_engine *e);
/** mhp_set_auto_movable_ratio() - any value; 0 means never Movable automatically. */
void mhp_set_auto_movable_ratio(struct mhp_engine *e, unsigned int ratio);
/** mhp_get_auto_movable_numa_aware() - bool. */
bool mhp_get_auto_movable_numa_aware(struct mhp_engine *e);
/** mhp_set_auto_movable_numa_aware() - set it. */
void mhp_set_auto_movable_numa_aware(struct mhp_engine *e, bool aware);
/** mhp_get_memmap_on_memory() - enum mhp_memmap_on_memory (boot only, read-only at run time). */
int mhp_get_memmap_on_memory(struct mhp_engine *e);

/* ---- nodes and zones ------------------------------------------------------------------------ */

/** mhp_node_state_mask() - the nodes in state @state (enum mhp_node_state); stat lock. */
uint64_t mhp_node_state_mask(struct mhp_engine *e, int state);
/**
 * mhp_node_incarnation() - which coming online of node @nid this is: 1 for the first, one more
 * each time the node comes back after removal (the kernel registers a new node device then);
 * 0 while the node is offline or out of range.  Stat lock.
 */
uint32_t mhp_node_incarnation(struct mhp_engine *e, int nid);

/**
 * struct mhp_zone_info - a zone of a node
 * @start_pfn: span start (the span is empty when @start_pfn == @end_pfn)
 * @end_pfn: span end
 * @present_pages: pages in online blocks (holes excluded)
 * @present_early_pages: the part of @present_pages that is boot memory
 * @managed_pages: @present_pages minus memmap-on-memory pages
 */
struct mhp_zone_info {
	unsigned long start_pfn;
	unsigned long end_pfn;
	unsigned long present_pages;
	unsigned long present_early_pages;
	unsigned long managed_pages;
};

/**
 * struct mhp_node_info - a snapshot of a node
 * @online: N_ONLINE (the nodeX directory exists)
 * @present_pages: sum over the zones
 * @managed_pages: sum over the zones
 * @nr_blocks: blocks registered under the node (its memoryN links)
 * @zones: per zone
 */
struct mhp_node_info {
	bool online;
	unsigned long present_pages;
	unsigned long managed_pages;
	unsigned long nr_blocks;
	struct mhp_zone_info zones[MHP_NR_ZONES];
};

/**
 * mhp_node_info() - copy a node's state; stat lock
 *
 * Return: 0, -EINVAL (not a possible node).
 */
int mhp_node_info(struct mhp_engine *e, int nid, struct mhp_node_info *ret);

/* ---- the memory notifier chain -------------------------------------------------------------- */

/**
 * mhp_register_memory_notifier() - add a callback to the memory chain (struct mhp_memory_notify
 * payload, MHP_MEM_* events)
 *
 * Return: as mhp_notifier_chain_register().
 */
int mhp_register_memory_notifier(struct mhp_engine *e, struct mhp_notifier_block *nb);
/** mhp_unregister_memory_notifier() - as mhp_notifier_chain_unregister(). */
int mhp_unregister_memory_notifier(struct mhp_engine *e, struct mhp_notifier_block *nb);

/* ---- uevents (SPEC §8) ---------------------------------------------------------------------- */

enum mhp_uevent_action {
	MHP_KOBJ_ADD = 0,
	MHP_KOBJ_REMOVE,
	MHP_KOBJ_CHANGE,
	MHP_KOBJ_MOVE,
	MHP_KOBJ_ONLINE,
	MHP_KOBJ_OFFLINE,
	MHP_KOBJ_BIND,
	MHP_KOBJ_UNBIND,
	MHP_KOBJ_MAX,
};

enum mhp_subsystem {
	MHP_SUBSYS_MEMORY = 0, /* DEVPATH /devices/system/memory/memory<id> */
	MHP_SUBSYS_NODE, /* DEVPATH /devices/system/node/node<id> */
	MHP_SUBSYS_BUS, /* a bus itself (synthetic events only): DEVPATH /bus/<name of subsystem id> */
};

/**
 * struct mhp_uevent - one uevent
 * @seqnum: SEQNUM, increasing by one per event of the engine
 * @action: enum mhp_uevent_action
 * @subsystem: enum mhp_subsystem
 * @id: block id or node id; for MHP_SUBSYS_BUS, the bus (MHP_SUBSYS_MEMORY or MHP_SUBSYS_NODE)
 * @gone: for the removal of a block or node, what went away: the block's mhp_block_generation()
 *	or the node's mhp_node_incarnation() until then; 0 for every other event (synthetic ones too)
 */
struct mhp_uevent {
	uint64_t seqnum;
	int action;
	int subsystem;
	unsigned long id;
	uint64_t gone;
};

/** mhp_uevent_action_name() - "add", "remove", ...; NULL out of range. */
const char *mhp_uevent_action_name(int action);
/**
 * mhp_uevent_action_from_str() - match an action word exactly (sysfs_streq)
 *
 * Return: the enum value, or -EINVAL.
 */
int mhp_uevent_action_from_str(const char *s);
/** mhp_subsystem_name() - "memory", "node" or "bus"; NULL out of range. */
const char *mhp_subsystem_name(int subsystem);
/**
 * mhp_uevent_devpath() - the event's DEVPATH
 *
 * Return: the length written, or -ENOSPC.
 */
int mhp_uevent_devpath(const struct mhp_uevent *ev, char *buf, size_t len);

/**
 * mhp_uevent_emit() - queue an event with the next sequence number (synthetic events)
 * @e: the engine
 * @action: enum mhp_uevent_action
 * @subsystem: enum mhp_subsystem
 * @id: block or node id (the bus for MHP_SUBSYS_BUS)
 * @ret_seqnum: the sequence number given, written on success (NULL allowed)
 *
 * Return: 0, -EINVAL.
 */
int mhp_uevent_emit(struct mhp_engine *e, int action, int subsystem, unsigned long id,
		    uint64_t *ret_seqnum);

/**
 * mhp_event_pop() - take the oldest queued event; never blocks
 *
 * The queue keeps at most MHP_EVENT_QUEUE_MAX events; when full, the oldest is dropped and counted
 * in mhp_event_dropped().
 *
 * Return: 0, or -EAGAIN when the queue is empty.
 */
int mhp_event_pop(struct mhp_engine *e, struct mhp_uevent *ret);

#define MHP_EVENT_QUEUE_MAX 65536

/**
 * mhp_event_wait() - take the oldest event, waiting up to @timeout_ms (-1: forever)
 *
 * Return: 0, or -ETIMEDOUT.
 */
int mhp_event_wait(struct mhp_engine *e, struct mhp_uevent *ret, int timeout_ms);

/**
 * mhp_event_fd() - an eventfd that is readable while events are queued (for poll loops); the
 * engine owns it; read it only through mhp_event_pop().
 */
int mhp_event_fd(struct mhp_engine *e);

/** mhp_event_dropped() - events dropped because the queue was full. */
uint64_t mhp_event_dropped(struct mhp_engine *e);

/** mhp_uevent_seqnum() - the last SEQNUM given (/sys/kernel/uevent_seqnum). */
uint64_t mhp_uevent_seqnum(struct mhp_engine *e);

#ifdef __cplusplus
}
#endif

#endif /* MEMHP_ENGINE_H */
