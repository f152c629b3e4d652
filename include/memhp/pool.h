/* SPDX-License-Identifier: MIT */
/*
 * memhp/pool.h - the emulated physical memory behind the engine's blocks: a sparse memfd whose file
 * offset is the physical address, a page allocator per node and zone, tenants (in-process users
 * whose pages are real shared mappings of frames), page migration when a block goes offline, and
 * two built-in notifier subsystems (a slab-like cache and a page-cache-like pool).
 *
 * Use: mhp_pool_new() from the same struct mhp_config the engine gets, then set
 * cfg.mem_ops = mhp_pool_memory_ops() and cfg.mem_ops_priv = pool before mhp_engine_new(); the
 * engine calls the pool's online hook for every boot block and every online, and the isolate,
 * migrate, unisolate, offline and remove hooks as SPEC §4.4 orders them.  Free the engine before
 * the pool.
 *
 * Locks of the pool, in the order they are taken:
 *   1. tenant access lock   per tenant rwlock (writer preferring).  Readers: tenant code between
 *                           mhp_tenant_access_begin()/_end() and mhp_tenant_get_ref().  Writers:
 *                           everything that changes the tenant's mappings (populate, release,
 *                           pin, migration of its pages, cache drops).
 *   2. pool lock            mutex over the allocator: block table, free lists, bitmaps, the
 *                           reverse map, the tenants' page tables and all counters.  Never held
 *                           while copying pages.
 * Neither lock is an engine lock, and the pool never calls the engine: the engine may call the
 * pool's hooks with its own locks held.  Code inside an access section must not call the engine
 * (an offline would wait for that section to end) nor the same tenant's populate/release/pin.
 *
 * Writers and migration (the kernel's migration entry): a page is moved only while its tenant's
 * access lock is held for writing, so no access section of that tenant is running; the moving
 * pages are also made read-only in the tenant's mapping before the copy, so a thread that writes
 * outside an access section faults loudly instead of writing into the old frame after it was
 * copied.  The new frame is mapped over the same virtual address (MAP_FIXED) before the lock is
 * released, so every write made in an access section either lands before the copy (and is copied)
 * or after the remap (on the new frame): none is lost.  Plain reads need no lock except on cache
 * pages (which may be dropped, leaving the address inaccessible).
 *
 * Conventions: 0 or -errno; ret_* written only on success; destructors accept NULL.
 */
#ifndef MEMHP_POOL_H
#define MEMHP_POOL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "engine.h"

#ifdef __cplusplus
extern "C" {
#endif

struct mhp_pool;
struct mhp_tenant;

/* What a tenant's page is (the kernel's migratetype and mapping, reduced to what offline sees). */
enum mhp_page_kind {
	MHP_PAGE_MOVABLE = 0, /* anonymous memory: any zone, Movable first; migrates */
	MHP_PAGE_UNMOVABLE, /* a kernel allocation: kernel zones only; its block fails isolation */
	MHP_PAGE_CACHE, /* a clean page-cache page: like movable, and may simply be dropped */
	MHP_NR_PAGE_KINDS,
};

/**
 * mhp_pool_new() - create the physical memory for a machine
 * @cfg: the machine (block_size, nr_nodes, boot, phys_bits, dma_end, dma32_end are used; the
 *       boot ranges only to give a node to boot blocks that the engine reports without one)
 * @ret: the pool, written on success
 *
 * Creates the memfd (sized to the end of boot memory; it grows as blocks above come online).  No
 * block is online until the engine's online hook says so.  Does not block.
 *
 * Return: 0; -EINVAL (block size not a power of two of at least MHP_MIN_BLOCK_SIZE, no node or too
 * many, phys_bits out of 12..52); -ENOMEM; the errno of memfd_create() or ftruncate().
 */
int mhp_pool_new(const struct mhp_config *cfg, struct mhp_pool **ret);

/**
 * mhp_pool_free() - destroy the pool, its tenants and its subsystems; NULL accepted
 * @p: the pool
 *
 * The engine using the pool must be freed first; no other thread may use the pool or its tenants.
 */
void mhp_pool_free(struct mhp_pool *p);

/**
 * mhp_pool_memory_ops() - the hooks to put in struct mhp_config.mem_ops (priv: the pool)
 *
 * isolate: -EBUSY when the range holds an unmovable page (no event is sent then), else the
 * allocator stops using the range.  migrate: one pass; drops nothing itself (cache pages are
 * dropped by the page-cache subsystem's MEM_GOING_OFFLINE callback), moves every movable and cache
 * page to other online blocks (other nodes first; the same node only when no other node has
 * memory) and returns 0 when the range is free, -EAGAIN while a page is transiently referenced,
 * long-term pinned or no destination frame is free (the kernel retries these forever, so the
 * offline ends only by success or cancellation), -EBUSY for an unmovable page; a pass stops early
 * (-EAGAIN) when @cancel is raised.  online: -ENOMEM (metadata or mapping), -EEXIST (range already
 * online), -EINVAL (empty range, or one that crosses a block boundary), or the errno of
 * ftruncate() growing the memfd.  offline and remove give the range's frames back to the host
 * (hole punch) and free its metadata.  All hooks take tenant access locks for
 * writing and the pool lock; they may block while a tenant is inside an access section.
 *
 * Return: a static table.
 */
const struct mhp_memory_ops *mhp_pool_memory_ops(void);

/**
 * struct mhp_pool_meminfo - page counts of a node (or of the whole pool), in pages
 * @total: pages of online blocks (MemTotal)
 * @free: free pages of online blocks that are not isolated (MemFree; the kernel does not count
 *        free pages of isolated pageblocks either)
 * @used: @total - @free (MemUsed; includes the free pages of a block being offlined)
 * @movable: tenant pages of kind MHP_PAGE_MOVABLE (AnonPages), pinned ones included
 * @pinned: long-term pinned pages
 * @unmovable: tenant pages of kind MHP_PAGE_UNMOVABLE, slab pages excluded
 * @cache: page-cache pages (FilePages)
 * @slab: pages of the built-in slab cache (Slab, SUnreclaim)
 * @isolated: pages of isolated blocks
 * @blocks: online blocks
 * @hwpoison: poisoned frames of online blocks (HardwareCorrupted; counted in @used, never free)
 */
struct mhp_pool_meminfo {
	unsigned long total;
	unsigned long free;
	unsigned long used;
	unsigned long movable;
	unsigned long pinned;
	unsigned long unmovable;
	unsigned long cache;
	unsigned long slab;
	unsigned long isolated;
	unsigned long blocks;
	unsigned long hwpoison;
};

/**
 * mhp_pool_meminfo() - the page counts of a node
 * @p: the pool
 * @nid: a node, or MHP_NUMA_NO_NODE for the sum over all nodes
 * @ret: written on success
 *
 * Takes the pool lock (briefly; never waits for a migration copy).
 *
 * Return: 0, -EINVAL (node out of range).
 */
int mhp_pool_meminfo(struct mhp_pool *p, int nid, struct mhp_pool_meminfo *ret);

/**
 * mhp_pool_host_bytes() - bytes of host memory the memfd holds now (st_blocks * 512)
 * @p: the pool
 * @ret: written on success
 *
 * Return: 0 or the errno of fstat().
 */
int mhp_pool_host_bytes(struct mhp_pool *p, uint64_t *ret);

/**
 * mhp_pool_meta_bytes() - bytes of heap metadata the pool keeps for online blocks
 * @p: the pool
 *
 * The block table, a header per online block and, only while a block has a used or poisoned page,
 * its free bitmap (a bit per page), reverse-map pointers (one per 64 pages), a reverse-map chunk
 * for every 64-page group with a used page and its poison bitmap.  Takes the pool lock.
 *
 * Return: the byte count.
 */
size_t mhp_pool_meta_bytes(struct mhp_pool *p);

/**
 * mhp_pool_drop_cache() - drop clean page-cache pages in a physical range
 * @p: the pool
 * @start_pfn: first frame
 * @nr_pages: frames
 *
 * Every MHP_PAGE_CACHE page in the range that is neither pinned nor referenced is freed and its
 * tenant page becomes absent (mhp_tenant_page_present() is false, its address inaccessible).
 * Takes tenant access locks for writing and the pool lock; may block.
 *
 * Return: the number of pages dropped.
 */
unsigned long mhp_pool_drop_cache(struct mhp_pool *p, unsigned long start_pfn,
				  unsigned long nr_pages);

/* ---- memory failure (mm/memory-failure.c) ----------------------------------------------------- */

/**
 * mhp_pool_soft_offline() - soft_offline_page(): move a frame's contents away, then poison it
 * @p: the pool
 * @pfn: the frame
 *
 * A free frame is taken off the allocator; a movable or cache page that is neither pinned nor
 * referenced is migrated to another frame (its node first, then the others; the tenant keeps its
 * address and its bytes) and its old frame is poisoned.  A poisoned frame is never allocated
 * again; offline skips it.  The caller keeps the frame's block online meanwhile
 * (mhp_get_online_mems()) and counts the poison in the engine (mhp_block_hwpoison_add()).  Takes
 * tenant access locks for writing and the pool lock; may block.
 *
 * Return: 0 (poisoned now); -EHWPOISON (it already was: the kernel reports success then); -EIO
 * (the frame is not online, or holds an unmovable page: the kernel's "unhandlable page");
 * -EBUSY (a pinned or referenced page: its migration fails); -ENOMEM (no destination frame).
 */
int mhp_pool_soft_offline(struct mhp_pool *p, unsigned long pfn);

/**
 * mhp_pool_hard_offline() - memory_failure(MF_SW_SIMULATED): poison a frame whatever it holds
 * @p: the pool
 * @pfn: the frame
 *
 * The frame is poisoned first, then its owner is dealt with.  A movable or cache page that is not
 * transiently referenced is lost: its tenant page becomes absent (mhp_tenant_page_present() 0,
 * mhp_tenant_read() -EFAULT) and its address inaccessible, so plain accesses fault (SIGSEGV where
 * the kernel would send SIGBUS); long-term pins on it are dropped.  An unmovable page (a kernel
 * allocation) and a referenced page keep their frame (the kernel cannot take a page from its
 * kernel user either).  Caller duties and locks as mhp_pool_soft_offline().
 *
 * Return: 0 (poisoned, the owner was handled: a free frame or a lost page); -EBUSY (poisoned, but
 * the page was pinned, referenced or unmovable: the kernel's MF_FAILED/MF_IGNORED); -EHWPOISON
 * (already poisoned; nothing changes); -ENXIO (the frame is not online: "memory outside kernel
 * control").  The frame is newly poisoned exactly when the return is 0 or -EBUSY.
 */
int mhp_pool_hard_offline(struct mhp_pool *p, unsigned long pfn);

/* ---- tenants ---------------------------------------------------------------------------------- */

/**
 * mhp_tenant_new() - a user of the memory with a virtual region of @nr_pages pages
 * @p: the pool
 * @nr_pages: size of the region, at least 1
 * @ret: the tenant, written on success
 *
 * The region is reserved inaccessible; mhp_tenant_populate() maps frames into it.
 *
 * Return: 0, -EINVAL (0 pages or too many), -ENOMEM.
 */
int mhp_tenant_new(struct mhp_pool *p, size_t nr_pages, struct mhp_tenant **ret);

/**
 * mhp_tenant_free() - free every page of the tenant (pins and references are ignored) and its
 * region; NULL accepted
 * @t: the tenant
 *
 * No other thread may use @t.  Takes the pool lock.
 */
void mhp_tenant_free(struct mhp_tenant *t);

/**
 * mhp_tenant_base() - the start of the tenant's region: page @idx is at base + idx * 4096
 * @t: the tenant
 *
 * The address never changes, also when pages migrate.
 *
 * Return: the base address.
 */
void *mhp_tenant_base(const struct mhp_tenant *t);

/**
 * mhp_tenant_nr_pages() - the region's size in pages
 * @t: the tenant
 *
 * Return: the number given to mhp_tenant_new().
 */
size_t mhp_tenant_nr_pages(const struct mhp_tenant *t);

/**
 * mhp_tenant_populate() - allocate frames for pages [@idx, @idx + @nr) and map them
 * @t: the tenant
 * @idx: first page
 * @nr: pages
 * @kind: enum mhp_page_kind
 * @nid: preferred node, or MHP_NUMA_NO_NODE (node 0 first)
 *
 * Allocation policy (the kernel's zonelists): the preferred node first, then the others in order;
 * in a node, MHP_PAGE_UNMOVABLE takes Normal, DMA32, DMA (never Movable), the others take Movable,
 * Normal, DMA32, DMA.  Isolated blocks are skipped.  The new pages read as zero.  All or nothing.
 * Takes the tenant access lock for writing, then the pool lock; may block.
 *
 * Return: 0; -EINVAL (range outside the region, bad kind or node); -EEXIST (a page of the range is
 * already present); -ENOMEM (no free frame fits, or the mapping failed).
 */
int mhp_tenant_populate(struct mhp_tenant *t, size_t idx, size_t nr, int kind, int nid);

/**
 * mhp_tenant_release() - free the frames of pages [@idx, @idx + @nr) that are present
 * @t: the tenant
 * @idx: first page
 * @nr: pages
 *
 * The addresses become inaccessible again.  Locks as mhp_tenant_populate().
 *
 * Return: 0; -EINVAL (range outside the region); -EBUSY (a page is pinned or referenced: nothing
 * is released).
 */
int mhp_tenant_release(struct mhp_tenant *t, size_t idx, size_t nr);

/**
 * mhp_tenant_page_present() - whether page @idx has a frame
 * @t: the tenant
 * @idx: the page
 *
 * A dropped cache page is absent.  Takes the pool lock.
 *
 * Return: 1, 0, or -EINVAL (outside the region).
 */
int mhp_tenant_page_present(struct mhp_tenant *t, size_t idx);

/**
 * mhp_tenant_page_pfn() - the frame page @idx is on now
 * @t: the tenant
 * @idx: the page
 * @ret_pfn: written on success
 *
 * Takes the pool lock.  The answer may be stale as soon as the lock is dropped unless the caller
 * is in an access section of @t or holds a reference on the page.
 *
 * Return: 0, -EINVAL (outside the region), -ENOENT (absent).
 */
int mhp_tenant_page_pfn(struct mhp_tenant *t, size_t idx, unsigned long *ret_pfn);

/**
 * mhp_tenant_pin() - long-term pin pages [@idx, @idx + @nr) (FOLL_LONGTERM)
 * @t: the tenant
 * @idx: first page
 * @nr: pages
 *
 * Pages in ZONE_MOVABLE are first migrated to a kernel zone (same node first), as the kernel does
 * before a long-term pin; pinned pages never migrate, so an offline of their block retries until
 * it is cancelled.  Pins nest.  All or nothing.  Locks as mhp_tenant_populate().
 *
 * Return: 0; -EINVAL (range); -ENOENT (a page is absent); -ENOMEM (no kernel-zone frame for a page
 * that had to leave ZONE_MOVABLE).
 */
int mhp_tenant_pin(struct mhp_tenant *t, size_t idx, size_t nr);

/**
 * mhp_tenant_unpin() - drop one pin of each page [@idx, @idx + @nr)
 * @t: the tenant
 * @idx: first page
 * @nr: pages
 *
 * Takes the pool lock only; never blocks long.
 *
 * Return: 0; -EINVAL (range, or a page that is not pinned: nothing changes).
 */
int mhp_tenant_unpin(struct mhp_tenant *t, size_t idx, size_t nr);

/**
 * mhp_tenant_get_ref() - take a transient reference on page @idx (get_page() by a driver doing
 * I/O on the frame)
 * @t: the tenant
 * @idx: the page
 * @ret_frame: the frame's address in the pool's own mapping (valid until the reference is put;
 *             NULL allowed)
 *
 * A referenced page does not migrate: an offline of its block retries until the reference is put
 * or the offline is cancelled.  Takes the tenant access lock for reading, then the pool lock; may
 * block while the tenant's pages are being moved.
 *
 * Return: 0, -EINVAL (range), -ENOENT (absent).
 */
int mhp_tenant_get_ref(struct mhp_tenant *t, size_t idx, void **ret_frame);

/**
 * mhp_tenant_put_ref() - drop a reference from mhp_tenant_get_ref()
 * @t: the tenant
 * @idx: the page
 *
 * Takes the pool lock only.
 *
 * Return: 0, -EINVAL (range, or no reference held).
 */
int mhp_tenant_put_ref(struct mhp_tenant *t, size_t idx);

/**
 * mhp_tenant_access_begin() - enter an access section: plain-pointer writes to the tenant's pages
 * are safe until mhp_tenant_access_end()
 * @t: the tenant
 *
 * Takes the tenant access lock for reading (shared with other writers of the tenant); may block
 * while pages of the tenant are being moved, dropped or remapped.  Sections of one thread must not
 * nest with a pending migration (the lock prefers writers).
 */
void mhp_tenant_access_begin(struct mhp_tenant *t);

/**
 * mhp_tenant_access_end() - leave the access section entered by mhp_tenant_access_begin()
 * @t: the tenant
 */
void mhp_tenant_access_end(struct mhp_tenant *t);

/**
 * mhp_tenant_write() - copy @len bytes to byte offset @off of the region in one access section
 * @t: the tenant
 * @off: byte offset
 * @buf: the bytes
 * @len: their number
 *
 * Return: 0, -EINVAL (outside the region), -EFAULT (a page of the range is absent: nothing is
 * written).
 */
int mhp_tenant_write(struct mhp_tenant *t, size_t off, const void *buf, size_t len);

/**
 * mhp_tenant_read() - copy @len bytes from byte offset @off of the region in one access section
 * @t: the tenant
 * @off: byte offset
 * @buf: destination
 * @len: bytes
 *
 * Return: 0, -EINVAL, -EFAULT (a page is absent).
 */
int mhp_tenant_read(struct mhp_tenant *t, size_t off, void *buf, size_t len);

/**
 * struct mhp_tenant_stats - counters of a tenant
 * @present: pages with a frame
 * @migrated: pages moved by offlines and pins since creation
 * @dropped: cache pages dropped since creation
 * @hwpoisoned: pages lost to memory failure (mhp_pool_hard_offline()) since creation
 */
struct mhp_tenant_stats {
	unsigned long present;
	unsigned long migrated;
	unsigned long dropped;
	unsigned long hwpoisoned;
};

/**
 * mhp_tenant_stats() - copy the tenant's counters
 * @t: the tenant
 * @ret: written
 *
 * Takes the pool lock.
 */
void mhp_tenant_stats(struct mhp_tenant *t, struct mhp_tenant_stats *ret);

/* ---- built-in subsystems on the memory notifier chain ----------------------------------------- */

/**
 * mhp_pool_register_subsystems() - register the slab-like cache (priority MHP_SLAB_CALLBACK_PRI)
 * and the page-cache-like pool (priority MHP_DEFAULT_CALLBACK_PRI) on the engine's memory chain
 * @p: the pool
 * @e: the engine whose mem_ops is @p
 *
 * The slab cache creates its per-node structure on MEM_GOING_ONLINE when status_change_nid names
 * a node that gets its first memory (-ENOMEM vetoes the online) and releases its empty slabs on
 * MEM_GOING_OFFLINE; its objects live on unmovable pages.  The page cache drops its clean pages
 * of the range on MEM_GOING_OFFLINE, so they are not migrated.  Nodes that already have memory get
 * their slab structure now.  Unregistered by mhp_pool_unregister_subsystems() or
 * mhp_pool_free().
 *
 * Return: 0; -EALREADY (already registered); -ENOMEM; the chain's registration error.
 */
int mhp_pool_register_subsystems(struct mhp_pool *p, struct mhp_engine *e);

/**
 * mhp_pool_unregister_subsystems() - unregister both callbacks; nothing happens when they are not
 * registered.  Objects and cache pages stay allocated until freed or mhp_pool_free().
 * @p: the pool
 */
void mhp_pool_unregister_subsystems(struct mhp_pool *p);

/** Size of a slab object in bytes. */
#define MHP_SLAB_OBJECT_SIZE 256

/**
 * mhp_slab_alloc() - allocate an object of MHP_SLAB_OBJECT_SIZE bytes from the slab cache
 * @p: the pool
 * @nid: node, or MHP_NUMA_NO_NODE
 * @ret: the object's address (zeroed), written on success
 *
 * Partial slabs of the node first, else a new unmovable page (kernel zones only).  Takes the slab
 * lock, then (for a new slab) tenant and pool locks.
 *
 * Return: 0, -EINVAL (node), -ENOMEM.
 */
int mhp_slab_alloc(struct mhp_pool *p, int nid, void **ret);

/**
 * mhp_slab_free() - free an object; an empty slab stays cached until MEM_GOING_OFFLINE or
 * mhp_slab_shrink()
 * @p: the pool
 * @obj: from mhp_slab_alloc() (NULL accepted)
 *
 * Return: 0, -EINVAL (not an allocated object).
 */
int mhp_slab_free(struct mhp_pool *p, void *obj);

/**
 * mhp_slab_shrink() - give every empty slab page back to the allocator
 * @p: the pool
 *
 * Return: the number of pages freed.
 */
unsigned long mhp_slab_shrink(struct mhp_pool *p);

/**
 * mhp_slab_node_ready() - whether the slab cache has its per-node structure for a node
 * @p: the pool
 * @nid: the node
 *
 * Takes the slab lock.
 *
 * Return: true once the structure exists; false for a bad node or before the subsystems run.
 */
bool mhp_slab_node_ready(struct mhp_pool *p, int nid);

/**
 * mhp_pcache_fill() - read @nr pages of a file into the page cache (clean cache pages)
 * @p: the pool
 * @nid: preferred node, or MHP_NUMA_NO_NODE
 * @nr: pages
 *
 * Each page is filled with a pattern derived from its file index, so mhp_pcache_verify() can tell
 * a page that was migrated intact from one that was damaged.
 *
 * Return: 0, -EINVAL, -ENOMEM (pages added so far stay cached).
 */
int mhp_pcache_fill(struct mhp_pool *p, int nid, size_t nr);

/**
 * mhp_pcache_verify() - check every cached page against its pattern
 * @p: the pool
 * @ret_cached: pages present now (NULL allowed)
 *
 * Return: 0, or -EIO if a cached page has wrong bytes.
 */
int mhp_pcache_verify(struct mhp_pool *p, size_t *ret_cached);

/* ---- workload generator ----------------------------------------------------------------------- */

struct mhp_workload;

/**
 * struct mhp_workload_params - what the workload keeps allocated
 * @fill: per node and zone, the share of the zone's online pages to keep used, in percent (0..100)
 * @unmovable_pct: share of the used pages that are unmovable (kernel zones only)
 * @pinned_pct: share of the movable pages that are long-term pinned (kernel zones only)
 * @cache_pct: share of the used pages that are page-cache pages (unmovable + cache <= 100)
 * @writers: writer threads that keep rewriting movable pages with a verifiable pattern (0..64)
 * @seed: random seed
 */
struct mhp_workload_params {
	unsigned int fill[MHP_MAX_NUMNODES][MHP_NR_ZONES];
	unsigned int unmovable_pct;
	unsigned int pinned_pct;
	unsigned int cache_pct;
	unsigned int writers;
	uint64_t seed;
};

/**
 * mhp_workload_new() - start a workload on the pool
 * @p: the pool (with the subsystems registered if cache pages should be dropped on offline)
 * @params: initial parameters (copied)
 * @ret: the workload, written on success
 *
 * Return: 0, -EINVAL (a percentage above 100, too many writers), -ENOMEM, a thread error.
 */
int mhp_workload_new(struct mhp_pool *p, const struct mhp_workload_params *params,
		     struct mhp_workload **ret);

/**
 * mhp_workload_set() - change the parameters at run time; the next mhp_workload_apply() follows
 * them (the number of writers is fixed at creation and ignored here)
 * @w: the workload
 * @params: the new parameters (copied)
 *
 * Waits for the writers' current page writes (the workload's segment lock).
 *
 * Return: 0, -EINVAL (a percentage above 100, or unmovable + cache above 100).
 */
int mhp_workload_set(struct mhp_workload *w, const struct mhp_workload_params *params);

/**
 * mhp_workload_apply() - allocate or release pages until the fill levels are met as far as free
 * memory allows
 * @w: the workload
 *
 * Levels are shares of each zone's online pages now; pages allocated for a zone that have since
 * migrated elsewhere still count for it.  Unmovable pages go only to kernel zones, pins only to
 * pages in kernel zones (a pin in Movable would move the page out).  Writers pause meanwhile.
 * Takes the segment lock, tenant and pool locks; may block.
 *
 * Return: 0, -ENOMEM when a level could not be reached (what fits is kept).
 */
int mhp_workload_apply(struct mhp_workload *w);

/**
 * mhp_workload_verify() - pause the writers, check every byte of every movable page the workload
 * owns against the last pattern written to it, resume
 * @w: the workload
 * @ret_pages: pages checked (NULL allowed)
 *
 * Return: 0, or -EIO for the first wrong byte (a lost or torn write).
 */
int mhp_workload_verify(struct mhp_workload *w, size_t *ret_pages);

/**
 * mhp_workload_writes() - the number of page writes the writers completed so far
 * @w: the workload
 *
 * Return: the count; no lock.
 */
uint64_t mhp_workload_writes(struct mhp_workload *w);

/**
 * mhp_workload_free() - stop the writers and free every page of the workload
 * @w: the workload (NULL is accepted)
 */
void mhp_workload_free(struct mhp_workload *w);

#ifdef __cplusplus
}
#endif

#endif /* MEMHP_POOL_H */
