/* SPDX-License-Identifier: MIT */
/*
 * Internal structures of the page pool, shared by core/pool*.c.  Not installed.
 *
 * Locking (pool.h repeats it for users):
 *
 *   mhp_tenant.access   rwlock, writer preferring; readers are access sections and
 *                       mhp_tenant_get_ref(); writers are whatever changes the tenant's mappings
 *                       (populate, release, pin, migration, cache drop).
 *   mhp_pool.lock       mutex over everything else below marked "pool lock"; never held while
 *                       bytes are copied or the tenant's mappings change.
 *   slab.lock           the slab cache's object lists (pool-subsys.c); taken before tenant and
 *                       pool locks.
 *
 * Order: slab.lock -> mhp_tenant.access -> mhp_pool.lock.  The pool never calls into the engine.
 */
#ifndef MEMHP_POOL_INTERNAL_H
#define MEMHP_POOL_INTERNAL_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "arena.h"
#include "memhp/engine.h"
#include "memhp/pool.h"

#define POOL_PAGE_SIZE MHP_PAGE_SIZE
#define RMAP_CHUNK_PAGES 64UL
#define NO_PFN (~0UL)

/* Reverse map of one used frame: who owns it and what it is. */
struct rpage {
	struct mhp_tenant *t; /* NULL: free frame */
	size_t idx; /* page index in the tenant's region */
	uint8_t kind; /* enum mhp_page_kind */
	uint16_t pins; /* long-term pins */
	uint32_t refs; /* transient references */
};

/*
 * Reverse-map entries of up to 64 consecutive frames (fewer when the block is smaller); allocated
 * with the first used frame of the group and freed with the last.
 */
struct rchunk {
	unsigned int used;
	struct rpage e[];
};

/*
 * Per-frame state of an online block, allocated with its first used (or poisoned) frame and freed
 * when every frame is free again, so an entirely free block costs nothing per page, a block in use
 * a bit per page and a pointer per 64 pages.  One allocation: the header, then
 * pmeta_rmap() (a pointer per RMAP_CHUNK_PAGES frames, NULL while all of them are free), then
 * pmeta_free_map() (a bit per frame, set: free).
 */
struct pmeta {
	unsigned long nr_free;
	unsigned long hint; /* every free-map word below it is zero */
	unsigned long nr_unmovable; /* unmovable frames (slab included): isolation fails */
	unsigned long nr_poisoned;
	uint64_t *poison_map; /* bit set: frame hwpoisoned (never free again); NULL until one is */
};

/*
 * An online block (or the part of it the engine onlined).  Exists only while online; from an
 * arena, 64 bytes.
 */
struct pblock {
	struct pblock *hnext; /* block hash chain */
	struct pblock *prev, *next; /* free list of (nid, zone) */
	unsigned long start_pfn;
	unsigned long nr_pages;
	unsigned char *map; /* the block's frames inside the pool's chunk mapping */
	struct pmeta *meta; /* NULL: every frame free, none poisoned */
	int8_t nid;
	int8_t zone;
	bool on_list; /* on its free list: has free frames and is not isolated */
	bool isolated;
};

/* Page counts of a node, all protected by the pool lock. */
struct pnode {
	unsigned long total;
	unsigned long zone_total[MHP_NR_ZONES];
	unsigned long free; /* free frames of non-isolated blocks */
	unsigned long isolated;
	unsigned long blocks;
	unsigned long kind[MHP_NR_PAGE_KINDS];
	unsigned long pinned;
	unsigned long slab;
	unsigned long hwpoison; /* poisoned frames of online blocks */
};

struct mhp_tenant {
	struct mhp_pool *pool;
	struct mhp_tenant *prev, *next; /* the pool's tenant list; pool lock */
	pthread_rwlock_t access;
	unsigned char *base;
	size_t nr_pages;
	/*
	 * Per page, NO_PFN when absent.  Written with both the access lock (write) and the pool
	 * lock held, so either of them is enough to read it.
	 */
	unsigned long *pfn;
	unsigned int refcnt; /* the owner's reference plus passes working on it; pool lock */
	bool dead; /* freed by its owner; pool lock */
	bool is_slab; /* pages count as slab, not unmovable */
	unsigned long present, migrated, dropped, hwpoisoned; /* pool lock */
};

struct pool_slab;
struct pool_pcache;

/* One shared mapping of a large aligned window of the memfd (see chunk_map_locked()). */
struct pchunk {
	uint64_t idx; /* window number: file offset / chunk_size */
	unsigned char *base;
};

struct mhp_pool {
	pthread_mutex_t lock;
	int fd; /* the physical memory */
	uint64_t file_size; /* pool lock */
	uint64_t chunk_size; /* a power of two, at least the block size */
	struct pchunk *chunks; /* sorted by idx; pool lock; unmapped only by mhp_pool_free() */
	size_t nr_chunks;
	uint64_t block_size;
	unsigned long block_pages;
	unsigned int nr_nodes;
	uint64_t dma_end, dma32_end;
	struct mhp_mem_range *boot;
	size_t nr_boot;

	/* Block table: id -> struct pblock, chained hash; pool lock. */
	struct pblock **hash;
	size_t hash_size; /* power of two */
	size_t nr_blocks;
	struct arena blocks; /* the struct pblocks; pool lock */
	unsigned int block_shift; /* log2(block_pages) */

	/* Free lists (blocks with free frames that are not isolated); pool lock. */
	struct pblock *free_head[MHP_MAX_NUMNODES][MHP_NR_ZONES];
	struct pnode node[MHP_MAX_NUMNODES];

	struct mhp_tenant *tenants; /* pool lock */

	/* Built-in subsystems (pool-subsys.c). */
	struct mhp_engine *sub_engine;
	struct pool_slab *slab;
	struct pool_pcache *pcache;
};

/* pool.c, for the other pool files */
int pool_tenant_new(struct mhp_pool *p, size_t nr_pages, bool is_slab, struct mhp_tenant **ret);
void *pool_tenant_page_addr(struct mhp_tenant *t, size_t idx);
/* mhp_tenant_populate() from exactly one zone of one node, without fallback (-ENOMEM). */
int pool_tenant_populate_zone(struct mhp_tenant *t, size_t idx, size_t nr, int kind, int nid,
			      int zone);
/* Pages of online blocks in a zone of a node; takes the pool lock. */
unsigned long pool_zone_total(struct mhp_pool *p, int nid, int zone);

/* pool-subsys.c, for pool.c */
void pool_subsys_free(struct mhp_pool *p);

#endif /* MEMHP_POOL_INTERNAL_H */
