// SPDX-License-Identifier: MIT
/*
 * The emulated physical memory: a sparse memfd whose file offset is the physical address, an
 * allocator per node and zone over the online blocks, tenants whose pages are shared mappings of
 * frames, and the migration that empties a block going offline.
 *
 * Why a memfd: a frame costs host memory only once written, a block that goes offline gives its
 * frames back with one hole punch, and the same frame can be mapped twice (the pool's own window
 * per block, used to copy; the tenant's page, used by the tenant), which is what lets migration
 * move a page under a fixed virtual address the way the kernel rewrites a page table entry.
 *
 * Metadata is kept only for online blocks: a 64-byte header per block, and while a block has a
 * used or poisoned frame a free bitmap (a bit per frame) and a reverse map in chunks of 64 frames
 * that exist only while one of their frames is used.  A machine of a million free blocks costs
 * the headers and the hash table, nothing per frame.
 */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <fcntl.h>
#include <unistd.h>

#include "pool-internal.h"

#define BITS_PER_WORD 64UL
#define DIV_ROUND_UP(n, d) (((n) + (d)-1) / (d))

/*
 * Pages moved per hold of a tenant's access lock: large enough that a full block costs few
 * syscalls, small enough that the tenant's writers wait at most a few hundred microseconds.
 */
#define MOVE_BATCH 1024

/* Zone orders of the kernel's zonelists, highest zone first. */
static const int movable_zones[] = { MHP_ZONE_MOVABLE, MHP_ZONE_NORMAL, MHP_ZONE_DMA32,
				     MHP_ZONE_DMA };
static const int kernel_zones[] = { MHP_ZONE_NORMAL, MHP_ZONE_DMA32, MHP_ZONE_DMA };

/* ---- block table ------------------------------------------------------------------------------ */

static size_t hash_id(const struct mhp_pool *p, unsigned long id)
{
	uint64_t h = (uint64_t)id * 0x9e3779b97f4a7c15ULL;

	return (size_t)(h >> 17) & (p->hash_size - 1);
}

static unsigned long pblock_id(const struct mhp_pool *p, const struct pblock *b)
{
	return b->start_pfn >> p->block_shift;
}

/*
 * block_of_pfn_locked() - the online range that holds @pfn
 *
 * Hashed by block id; a boot block that spans several zones or nodes is onlined piece by piece,
 * so one id may hold several ranges on its chain.
 */
static struct pblock *block_of_pfn_locked(struct mhp_pool *p, unsigned long pfn)
{
	struct pblock *b;

	/* A range never crosses its block: holding the pfn is enough. */
	for (b = p->hash[hash_id(p, pfn >> p->block_shift)]; b; b = b->hnext)
		if (pfn >= b->start_pfn && pfn < b->start_pfn + b->nr_pages)
			return b;
	return NULL;
}

static bool range_overlaps_locked(struct mhp_pool *p, unsigned long id, unsigned long start,
				  unsigned long nr)
{
	struct pblock *b;

	for (b = p->hash[hash_id(p, id)]; b; b = b->hnext)
		if (start < b->start_pfn + b->nr_pages && b->start_pfn < start + nr)
			return true;
	return false;
}

static int hash_grow_locked(struct mhp_pool *p)
{
	size_t old_size = p->hash_size, i;
	struct pblock **old = p->hash, **nh;

	nh = calloc(old_size * 2, sizeof(*nh));
	if (!nh)
		return -ENOMEM;
	p->hash = nh;
	p->hash_size = old_size * 2;
	for (i = 0; i < old_size; i++) {
		struct pblock *b = old[i], *next;

		for (; b; b = next) {
			size_t h = hash_id(p, pblock_id(p, b));

			next = b->hnext;
			b->hnext = nh[h];
			nh[h] = b;
		}
	}
	free(old);
	return 0;
}

static void hash_del_locked(struct mhp_pool *p, struct pblock *b)
{
	struct pblock **pp = &p->hash[hash_id(p, pblock_id(p, b))];

	while (*pp != b)
		pp = &(*pp)->hnext;
	*pp = b->hnext;
	p->nr_blocks--;
}

/* ---- free lists and counters ------------------------------------------------------------------ */

static void list_add_locked(struct mhp_pool *p, struct pblock *b)
{
	struct pblock **head = &p->free_head[b->nid][b->zone];

	if (b->on_list)
		return;
	b->prev = NULL;
	b->next = *head;
	if (*head)
		(*head)->prev = b;
	*head = b;
	b->on_list = true;
}

static void list_del_locked(struct mhp_pool *p, struct pblock *b)
{
	if (!b->on_list)
		return;
	if (b->prev)
		b->prev->next = b->next;
	else
		p->free_head[b->nid][b->zone] = b->next;
	if (b->next)
		b->next->prev = b->prev;
	b->prev = b->next = NULL;
	b->on_list = false;
}

static void count_kind_locked(struct mhp_pool *p, const struct pblock *b, const struct rpage *e,
			      long delta)
{
	struct pnode *n = &p->node[b->nid];

	if (e->t->is_slab)
		n->slab += delta;
	else
		n->kind[e->kind] += delta;
	if (e->pins)
		n->pinned += delta;
}

/* ---- per-frame state -------------------------------------------------------------------------- */

static unsigned long nr_rchunks(unsigned long nr_pages)
{
	return DIV_ROUND_UP(nr_pages, RMAP_CHUNK_PAGES);
}

static struct rchunk **pmeta_rmap(struct pmeta *m)
{
	return (struct rchunk **)(m + 1);
}

static uint64_t *pmeta_free_map(struct pmeta *m, unsigned long nr_pages)
{
	return (uint64_t *)(pmeta_rmap(m) + nr_rchunks(nr_pages));
}

static size_t pmeta_size(unsigned long nr_pages)
{
	return sizeof(struct pmeta) + nr_rchunks(nr_pages) * sizeof(struct rchunk *) +
	       DIV_ROUND_UP(nr_pages, BITS_PER_WORD) * sizeof(uint64_t);
}

/* Reverse-map entries of chunk @c: RMAP_CHUNK_PAGES, fewer for the tail of a small block. */
static size_t rchunk_size(const struct pblock *b, unsigned long c)
{
	unsigned long n = b->nr_pages - c * RMAP_CHUNK_PAGES;

	if (n > RMAP_CHUNK_PAGES)
		n = RMAP_CHUNK_PAGES;
	return sizeof(struct rchunk) + n * sizeof(struct rpage);
}

static unsigned long block_nr_free(const struct pblock *b)
{
	return b->meta ? b->meta->nr_free : b->nr_pages;
}

/* pmeta_get_locked() - @b's per-frame state, made (every frame free) if it had none. */
static struct pmeta *pmeta_get_locked(struct pblock *b)
{
	unsigned long nwords = DIV_ROUND_UP(b->nr_pages, BITS_PER_WORD);
	struct pmeta *m = b->meta;
	uint64_t *free_map;

	if (m)
		return m;
	m = calloc(1, pmeta_size(b->nr_pages));
	if (!m)
		return NULL;
	m->nr_free = b->nr_pages;
	free_map = pmeta_free_map(m, b->nr_pages);
	memset(free_map, 0xff, nwords * sizeof(uint64_t));
	if (b->nr_pages % BITS_PER_WORD)
		free_map[nwords - 1] = (1ULL << (b->nr_pages % BITS_PER_WORD)) - 1;
	b->meta = m;
	return m;
}

static void pmeta_free(struct pblock *b)
{
	struct pmeta *m = b->meta;
	unsigned long c;

	if (!m)
		return;
	for (c = 0; c < nr_rchunks(b->nr_pages); c++)
		free(pmeta_rmap(m)[c]);
	free(m->poison_map);
	free(m);
	b->meta = NULL;
}

/* pmeta_put_locked() - drop @b's per-frame state if every frame is free (none is poisoned then). */
static void pmeta_put_locked(struct pblock *b)
{
	if (b->meta && b->meta->nr_free == b->nr_pages)
		pmeta_free(b);
}

static struct rpage *rpage_of(struct pblock *b, unsigned long pfn)
{
	unsigned long off = pfn - b->start_pfn;
	struct rchunk *c;

	if (!b->meta)
		return NULL;
	c = pmeta_rmap(b->meta)[off / RMAP_CHUNK_PAGES];
	return c ? &c->e[off % RMAP_CHUNK_PAGES] : NULL;
}

/*
 * take_frame_locked() - take a free frame of @b for @e's owner (lowest free frame at or after the
 * hint, so consecutive allocations get consecutive frames and tenant mappings stay coalesced).
 */
static int take_frame_locked(struct mhp_pool *p, struct pblock *b, const struct rpage *e,
			     unsigned long *ret_pfn)
{
	unsigned long nwords = DIV_ROUND_UP(b->nr_pages, BITS_PER_WORD), w, off;
	struct pmeta *m = pmeta_get_locked(b);
	struct rchunk **cp;
	uint64_t *free_map;

	if (!m)
		return -ENOMEM;
	free_map = pmeta_free_map(m, b->nr_pages);
	for (w = m->hint; w < nwords && !free_map[w]; w++)
		;
	if (w == nwords)
		return -ENOMEM; /* cannot happen while nr_free > 0 */
	off = w * BITS_PER_WORD + (unsigned long)__builtin_ctzll(free_map[w]);
	cp = &pmeta_rmap(m)[off / RMAP_CHUNK_PAGES];
	if (!*cp) {
		*cp = calloc(1, rchunk_size(b, off / RMAP_CHUNK_PAGES));
		if (!*cp) {
			pmeta_put_locked(b);
			return -ENOMEM;
		}
	}
	free_map[w] &= ~(1ULL << (off % BITS_PER_WORD));
	m->hint = w;
	(*cp)->used++;
	(*cp)->e[off % RMAP_CHUNK_PAGES] = *e;
	m->nr_free--;
	if (!b->isolated)
		p->node[b->nid].free--;
	if (!m->nr_free)
		list_del_locked(p, b);
	if (e->kind == MHP_PAGE_UNMOVABLE)
		m->nr_unmovable++;
	count_kind_locked(p, b, e, 1);
	*ret_pfn = b->start_pfn + off;
	return 0;
}

static bool frame_poisoned(const struct pblock *b, unsigned long off)
{
	const uint64_t *map = b->meta ? b->meta->poison_map : NULL;

	return map && (map[off / BITS_PER_WORD] >> (off % BITS_PER_WORD)) & 1;
}

/*
 * put_frame_locked() - free used frame @pfn of @b.  The last used frame of a block takes its
 * per-frame state along: pointers into it (rpage_of()) are stale afterwards.
 */
static void put_frame_locked(struct mhp_pool *p, struct pblock *b, unsigned long pfn)
{
	unsigned long off = pfn - b->start_pfn;
	struct pmeta *m = b->meta;
	struct rchunk **cp = &pmeta_rmap(m)[off / RMAP_CHUNK_PAGES];
	struct rpage *e = &(*cp)->e[off % RMAP_CHUNK_PAGES];

	count_kind_locked(p, b, e, -1);
	if (e->kind == MHP_PAGE_UNMOVABLE)
		m->nr_unmovable--;
	memset(e, 0, sizeof(*e));
	if (!--(*cp)->used) {
		free(*cp);
		*cp = NULL;
	}
	/* A poisoned frame leaves its owner but never returns to the allocator. */
	if (frame_poisoned(b, off))
		return;
	pmeta_free_map(m, b->nr_pages)[off / BITS_PER_WORD] |= 1ULL << (off % BITS_PER_WORD);
	if (off / BITS_PER_WORD < m->hint)
		m->hint = off / BITS_PER_WORD;
	m->nr_free++;
	if (!b->isolated) {
		p->node[b->nid].free++;
		list_add_locked(p, b);
	}
	pmeta_put_locked(b);
}

static bool node_has_memory_locked(const struct mhp_pool *p, int nid)
{
	return p->node[nid].blocks > 0;
}

/*
 * alloc_frame_locked() - the page allocator: the kernel's zonelist walk
 * @p: the pool
 * @e: the reverse-map entry the frame gets (unmovable: kernel zones only)
 * @kernel_only: kernel zones only whatever the kind (a long-term pin)
 * @pref: the first node to try
 * @nodemask: nodes allowed
 * @ret_pfn: the frame
 * @ret_b: its block
 *
 * Node by node starting at @pref, zones highest first; O(nodes * zones) list heads, never a scan
 * over the blocks.
 */
static int alloc_frame_locked(struct mhp_pool *p, const struct rpage *e, bool kernel_only, int pref,
			      uint64_t nodemask, unsigned long *ret_pfn, struct pblock **ret_b)
{
	bool kernel = kernel_only || e->kind == MHP_PAGE_UNMOVABLE;
	const int *zones = kernel ? kernel_zones : movable_zones;
	size_t nz = kernel ? 3 : 4, z;
	unsigned int i;

	if (pref < 0 || (unsigned int)pref >= p->nr_nodes)
		pref = 0;
	for (i = 0; i < p->nr_nodes; i++) {
		int nid = (int)((pref + i) % p->nr_nodes);

		if (!(nodemask & (1ULL << nid)))
			continue;
		for (z = 0; z < nz; z++) {
			struct pblock *b = p->free_head[nid][zones[z]];

			if (b) {
				int r = take_frame_locked(p, b, e, ret_pfn);

				if (r < 0)
					return r;
				*ret_b = b;
				return 0;
			}
		}
	}
	return -ENOMEM;
}

static uint64_t all_nodes(const struct mhp_pool *p)
{
	return p->nr_nodes >= 64 ? ~0ULL : (1ULL << p->nr_nodes) - 1;
}

/*
 * The kernel's do_migrate_range() target nodes: every node with memory except the source, unless
 * the source is the only one.
 */
static uint64_t migrate_nodemask_locked(const struct mhp_pool *p, int src_nid)
{
	uint64_t mask = 0;
	unsigned int n;

	for (n = 0; n < p->nr_nodes; n++)
		if (node_has_memory_locked(p, (int)n) && (int)n != src_nid)
			mask |= 1ULL << n;
	return mask ? mask : 1ULL << src_nid;
}

/* ---- tenants: mapping helpers ----------------------------------------------------------------- */

static int map_frames(struct mhp_tenant *t, size_t idx, size_t nr, unsigned long pfn)
{
	void *addr = t->base + idx * POOL_PAGE_SIZE;
	void *m = mmap(addr, nr * POOL_PAGE_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_FIXED,
		       t->pool->fd, (off_t)(pfn * POOL_PAGE_SIZE));

	return m == MAP_FAILED ? -errno : 0;
}

/* Put the inaccessible reservation back over pages whose frames are gone. */
static void unmap_frames(struct mhp_tenant *t, size_t idx, size_t nr)
{
	mmap(t->base + idx * POOL_PAGE_SIZE, nr * POOL_PAGE_SIZE, PROT_NONE,
	     MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | MAP_FIXED, -1, 0);
}

static void tenant_put_locked(struct mhp_tenant *t, bool *ret_destroy)
{
	*ret_destroy = --t->refcnt == 0;
}

static void tenant_destroy(struct mhp_tenant *t)
{
	pthread_rwlock_destroy(&t->access);
	free(t->pfn);
	free(t);
}

static void tenant_put(struct mhp_tenant *t)
{
	struct mhp_pool *p = t->pool;
	bool destroy;

	pthread_mutex_lock(&p->lock);
	tenant_put_locked(t, &destroy);
	pthread_mutex_unlock(&p->lock);
	if (destroy)
		tenant_destroy(t);
}

/* ---- moving pages ----------------------------------------------------------------------------- */

struct move_batch {
	size_t n;
	size_t idx[MOVE_BATCH];
	unsigned long src[MOVE_BATCH];
	unsigned long dst[MOVE_BATCH];
	struct pblock *srcb[MOVE_BATCH];
	struct pblock *dstb[MOVE_BATCH];
	int err[MOVE_BATCH]; /* the remap of this page failed */
};

/*
 * batch_add_locked() - reserve a destination frame for tenant page @idx, now on @src in @srcb
 *
 * The destination gets a copy of the source's reverse-map entry, so the counters already see the
 * page twice until batch_commit_locked() frees one of the two.
 */
static int batch_add_locked(struct mhp_pool *p, struct move_batch *mb, size_t idx,
			    struct pblock *srcb, unsigned long src, bool to_kernel, int pref,
			    uint64_t nodemask)
{
	struct pblock *db;
	unsigned long dst;
	int r;

	r = alloc_frame_locked(p, rpage_of(srcb, src), to_kernel, pref, nodemask, &dst, &db);
	if (r < 0)
		return r;
	mb->idx[mb->n] = idx;
	mb->src[mb->n] = src;
	mb->dst[mb->n] = dst;
	mb->srcb[mb->n] = srcb;
	mb->dstb[mb->n] = db;
	mb->err[mb->n] = 0;
	mb->n++;
	return 0;
}

/* Copy @len bytes of frames inside the memfd, from frame @src to frame @dst. */
static int copy_frames(struct mhp_pool *p, struct pblock *srcb, unsigned long src,
		       unsigned long dst, size_t len)
{
	loff_t in = (loff_t)(src * POOL_PAGE_SIZE), out = (loff_t)(dst * POOL_PAGE_SIZE);
	size_t done = 0;

	while (done < len) {
		ssize_t n = copy_file_range(p->fd, &in, p->fd, &out, len - done, 0);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		done += (size_t)n;
	}
	/* Kernels or file systems without it: a plain write from the pool's own mapping. */
	while (done < len) {
		ssize_t n =
			pwrite(p->fd, srcb->map + (src - srcb->start_pfn) * POOL_PAGE_SIZE + done,
			       len - done, (off_t)(dst * POOL_PAGE_SIZE + done));

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return n < 0 ? -errno : -EIO;
		done += (size_t)n;
	}
	return 0;
}

static void punch(struct mhp_pool *p, unsigned long start_pfn, unsigned long nr_pages)
{
	fallocate(p->fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE,
		  (off_t)(start_pfn * POOL_PAGE_SIZE), (off_t)(nr_pages * POOL_PAGE_SIZE));
}

/*
 * punch_sources() - give the host back the source frames of the pages of @mb that moved, as soon
 * as they moved: the kernel frees a migrated page at once too (into an isolated pageblock), the
 * host never holds a block twice while it goes offline, and the next batch's copies can reuse the
 * memory just freed.
 */
static void punch_sources(struct mhp_pool *p, const struct move_batch *mb)
{
	size_t i, j;

	for (i = 0; i < mb->n; i = j) {
		for (j = i + 1; j < mb->n && mb->src[j] == mb->src[j - 1] + 1 && !mb->err[j]; j++)
			;
		if (!mb->err[i])
			punch(p, mb->src[i], j - i);
	}
}

/*
 * batch_copy_remap() - the bytes: called with @t's access lock held for writing and no pool lock.
 *
 * First the tenant's pages are made read-only (the migration entry: a writer that bypasses the
 * access lock faults here instead of writing into a frame that was already copied).  Then runs
 * contiguous in both source and destination frames are copied inside the memfd, and runs
 * contiguous in both the tenant and the destination are mapped with one mmap(MAP_FIXED) each.
 *
 * The copy is copy_file_range() rather than memcpy() through mappings: the kernel allocates each
 * destination page without zeroing it first (it is overwritten whole) and no page table has to be
 * filled on either side, which makes a block's migration several times faster.
 */
static void batch_copy_remap(struct mhp_tenant *t, struct move_batch *mb)
{
	size_t i = 0, j;
	int r = 0;

	while (i < mb->n) {
		for (j = i + 1; j < mb->n && mb->idx[j] == mb->idx[j - 1] + 1; j++)
			;
		mprotect(t->base + mb->idx[i] * POOL_PAGE_SIZE, (j - i) * POOL_PAGE_SIZE,
			 PROT_READ);
		i = j;
	}
	for (i = 0; i < mb->n && !r; i = j) {
		for (j = i + 1; j < mb->n && mb->src[j] == mb->src[j - 1] + 1 &&
				mb->dst[j] == mb->dst[j - 1] + 1 && mb->srcb[j] == mb->srcb[i];
		     j++)
			;
		r = copy_frames(t->pool, mb->srcb[i], mb->src[i], mb->dst[i],
				(j - i) * POOL_PAGE_SIZE);
	}
	if (r < 0) {
		/* The copy failed: nothing was remapped, every page stays. */
		for (i = 0; i < mb->n; i++) {
			mprotect(t->base + mb->idx[i] * POOL_PAGE_SIZE, POOL_PAGE_SIZE,
				 PROT_READ | PROT_WRITE);
			mb->err[i] = r;
		}
		return;
	}
	for (i = 0; i < mb->n && !r; i = j) {
		for (j = i + 1; j < mb->n && mb->idx[j] == mb->idx[j - 1] + 1 &&
				mb->dst[j] == mb->dst[j - 1] + 1;
		     j++)
			;
		r = map_frames(t, mb->idx[i], j - i, mb->dst[i]);
		if (r < 0) {
			/* Runs before this one moved; this one and the rest stay where they were. */
			for (; i < mb->n; i++) {
				mprotect(t->base + mb->idx[i] * POOL_PAGE_SIZE, POOL_PAGE_SIZE,
					 PROT_READ | PROT_WRITE);
				mb->err[i] = r;
			}
		}
	}
	punch_sources(t->pool, mb);
}

/* batch_commit_locked() - point the tenant at the new frames and free the old ones (or the new
 * ones of failed remaps).  Returns the first remap error. */
static int batch_commit_locked(struct mhp_pool *p, struct mhp_tenant *t, struct move_batch *mb)
{
	int ret = 0;
	size_t i;

	for (i = 0; i < mb->n; i++) {
		if (mb->err[i]) {
			put_frame_locked(p, mb->dstb[i], mb->dst[i]);
			ret = ret ?: mb->err[i];
			continue;
		}
		t->pfn[mb->idx[i]] = mb->dst[i];
		put_frame_locked(p, mb->srcb[i], mb->src[i]);
		t->migrated++;
	}
	mb->n = 0;
	return ret;
}

/* batch_flush_locked() - copy, remap and commit a batch; drops the pool lock meanwhile. */
static int batch_flush_locked(struct mhp_pool *p, struct mhp_tenant *t, struct move_batch *mb)
{
	pthread_mutex_unlock(&p->lock);
	batch_copy_remap(t, mb);
	pthread_mutex_lock(&p->lock);
	return batch_commit_locked(p, t, mb);
}

/*
 * block_next_used() - the first used frame of @b at or after offset *@pos; skips whole free
 * chunks, so an empty block costs one pointer test per 64 frames.
 */
static struct rpage *block_next_used(struct pblock *b, unsigned long *pos)
{
	unsigned long off = b->meta ? *pos : b->nr_pages;

	while (off < b->nr_pages) {
		struct rchunk *c = pmeta_rmap(b->meta)[off / RMAP_CHUNK_PAGES];

		if (!c) {
			off = (off / RMAP_CHUNK_PAGES + 1) * RMAP_CHUNK_PAGES;
			continue;
		}
		if (c->e[off % RMAP_CHUNK_PAGES].t) {
			*pos = off;
			return &c->e[off % RMAP_CHUNK_PAGES];
		}
		off++;
	}
	*pos = off;
	return NULL;
}

static bool page_movable(const struct rpage *e)
{
	return e->kind != MHP_PAGE_UNMOVABLE && !e->pins && !e->refs;
}

/*
 * lock_tenant_write_locked() - take @t's access lock for writing while the pool lock is held
 *
 * The order is access lock before pool lock, so when the access lock is busy the pool lock is
 * dropped while waiting; the reference taken keeps @t alive meanwhile.  Returns false (pool lock
 * held, no access lock, reference dropped) if the tenant was freed while we waited.
 */
static bool lock_tenant_write_locked(struct mhp_pool *p, struct mhp_tenant *t)
{
	bool destroy;

	t->refcnt++;
	if (pthread_rwlock_trywrlock(&t->access)) {
		pthread_mutex_unlock(&p->lock);
		pthread_rwlock_wrlock(&t->access);
		pthread_mutex_lock(&p->lock);
	}
	if (!t->dead)
		return true;
	pthread_rwlock_unlock(&t->access);
	tenant_put_locked(t, &destroy);
	if (destroy) {
		pthread_mutex_unlock(&p->lock);
		tenant_destroy(t);
		pthread_mutex_lock(&p->lock);
	}
	return false;
}

static void unlock_tenant_write_locked(struct mhp_pool *p, struct mhp_tenant *t)
{
	bool destroy;

	pthread_rwlock_unlock(&t->access);
	tenant_put_locked(t, &destroy);
	if (destroy) {
		pthread_mutex_unlock(&p->lock);
		tenant_destroy(t);
		pthread_mutex_lock(&p->lock);
	}
}

/*
 * migrate_tenant_locked() - move every movable page of @t that is in @b to other blocks
 *
 * Called with @t's access lock (write) and the pool lock; drops the pool lock around each copy.
 * @b is isolated, so nothing else allocates from it, and @t is locked, so nothing else changes
 * its pages: the pages collected stay valid while the pool lock is dropped.
 *
 * Return: 0, -ENOMEM (no destination frame), or a remap error.
 */
static int migrate_tenant_locked(struct mhp_pool *p, struct pblock *b, struct mhp_tenant *t,
				 unsigned long from, struct move_batch *mb)
{
	uint64_t mask = migrate_nodemask_locked(p, b->nid);
	int pref = (b->nid + 1) % (int)p->nr_nodes;
	unsigned long pos = from;
	int ret = 0;

	for (;;) {
		struct rpage *e;

		while (mb->n < MOVE_BATCH && (e = block_next_used(b, &pos))) {
			if (e->t == t && page_movable(e) && !frame_poisoned(b, pos)) {
				ret = batch_add_locked(p, mb, e->idx, b, b->start_pfn + pos, false,
						       pref, mask);
				if (ret < 0)
					break;
			}
			pos++;
		}
		if (!mb->n)
			return ret;
		ret = batch_flush_locked(p, t, mb) ?: ret;
		if (ret < 0)
			return ret;
	}
}

static void release_page_locked(struct mhp_pool *p, struct mhp_tenant *t, size_t idx);

/*
 * detach_poisoned_locked() - the tenant loses page @idx, whose frame is poisoned: the address
 * becomes inaccessible (the kernel's hwpoison swap entry: an access faults) and the page absent;
 * pins go with it.  The frame stays poisoned and unowned.  Tenant access lock (write) and pool
 * lock held.
 */
static void detach_poisoned_locked(struct mhp_pool *p, struct mhp_tenant *t, size_t idx)
{
	unmap_frames(t, idx, 1);
	release_page_locked(p, t, idx);
	t->hwpoisoned++;
}

static int pool_migrate_block(struct mhp_pool *p, struct pblock *b, struct mhp_cancel *cancel,
			      struct move_batch *mb)
{
	unsigned long pos = 0;
	bool busy = false;
	struct rpage *e;

	while ((e = block_next_used(b, &pos))) {
		struct mhp_tenant *t = e->t;
		int r;

		if (e->kind == MHP_PAGE_UNMOVABLE)
			return -EBUSY;
		if (frame_poisoned(b, pos)) {
			/* do_migrate_range(): a hwpoisoned page is only unmapped, never copied */
			if (e->refs) {
				busy = true;
				pos++;
				continue;
			}
			if (!lock_tenant_write_locked(p, t))
				continue;
			e = rpage_of(b, b->start_pfn + pos);
			if (e && e->t == t && !e->refs)
				detach_poisoned_locked(p, t, e->idx);
			else
				pos++;
			unlock_tenant_write_locked(p, t);
			continue;
		}
		if (!page_movable(e)) {
			busy = true;
			pos++;
			continue;
		}
		if (!lock_tenant_write_locked(p, t))
			continue;
		r = migrate_tenant_locked(p, b, t, pos, mb);
		unlock_tenant_write_locked(p, t);
		if (r < 0)
			return -EAGAIN; /* no room now: the kernel retries */
		if (mhp_cancel_pending(cancel))
			return -EAGAIN; /* the engine turns this into EINTR */
	}
	return busy ? -EAGAIN : 0;
}

/* ---- memory ops ------------------------------------------------------------------------------- */

static int zone_of_phys(const struct mhp_pool *p, uint64_t addr)
{
	if (addr < p->dma_end)
		return MHP_ZONE_DMA;
	if (addr < p->dma32_end)
		return MHP_ZONE_DMA32;
	return MHP_ZONE_NORMAL;
}

static int nid_of_phys(const struct mhp_pool *p, uint64_t addr)
{
	size_t i;

	for (i = 0; i < p->nr_boot; i++)
		if (addr >= p->boot[i].start && addr < p->boot[i].end)
			return p->boot[i].nid;
	return 0;
}

static struct pblock *block_of_range_locked(struct mhp_pool *p, const struct mhp_pfn_range *r)
{
	return block_of_pfn_locked(p, r->start_pfn);
}

/*
 * The pool's own view of the frames: windows of chunk_size bytes of the memfd, each mapped once
 * when a block in it first comes online and kept until the pool is freed (offline only punches
 * holes).  One mapping per block would hit vm.max_map_count (65530) long before a machine of a
 * million blocks, and cost an mmap/munmap pair per online/offline.
 */
static int chunk_map_locked(struct mhp_pool *p, uint64_t start, unsigned char **ret)
{
	uint64_t idx = start / p->chunk_size, end = (idx + 1) * p->chunk_size;
	size_t lo = 0, hi = p->nr_chunks;
	struct pchunk *n;
	void *base;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (p->chunks[mid].idx == idx) {
			*ret = p->chunks[mid].base + (start - idx * p->chunk_size);
			return 0;
		}
		if (p->chunks[mid].idx < idx)
			lo = mid + 1;
		else
			hi = mid;
	}
	/* The file must cover the whole window, or touching its tail would raise SIGBUS. */
	if (end > p->file_size) {
		if (ftruncate(p->fd, (off_t)end) < 0)
			return -errno;
		p->file_size = end;
	}
	n = realloc(p->chunks, (p->nr_chunks + 1) * sizeof(*n));
	if (!n)
		return -ENOMEM;
	p->chunks = n;
	base = mmap(NULL, p->chunk_size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_NORESERVE, p->fd,
		    (off_t)(idx * p->chunk_size));
	if (base == MAP_FAILED)
		return -ENOMEM;
	memmove(&p->chunks[lo + 1], &p->chunks[lo], (p->nr_chunks - lo) * sizeof(*n));
	p->chunks[lo] = (struct pchunk){ .idx = idx, .base = base };
	p->nr_chunks++;
	*ret = (unsigned char *)base + (start - idx * p->chunk_size);
	return 0;
}

static int op_online(void *priv, const struct mhp_pfn_range *r)
{
	struct mhp_pool *p = priv;
	unsigned long id = r->start_pfn >> p->block_shift;
	uint64_t start = (uint64_t)r->start_pfn * POOL_PAGE_SIZE;
	unsigned char *map = NULL;
	struct pblock *b;
	int ret;

	if (!r->nr_pages)
		return -EINVAL;
	pthread_mutex_lock(&p->lock);
	if (id != (r->start_pfn + r->nr_pages - 1) >> p->block_shift) {
		ret = -EINVAL; /* a range is never larger than its block */
		goto out;
	}
	if (range_overlaps_locked(p, id, r->start_pfn, r->nr_pages)) {
		ret = -EEXIST;
		goto out;
	}
	/* Two blocks per hash slot on average at most: 4 to 8 bytes of table per block. */
	if (p->nr_blocks >= 2 * p->hash_size && hash_grow_locked(p) < 0) {
		ret = -ENOMEM;
		goto out;
	}
	ret = chunk_map_locked(p, start, &map);
	if (ret < 0)
		goto out;
	/* No per-frame state yet: pmeta_get_locked() makes it with the first used frame. */
	b = arena_alloc(&p->blocks);
	if (!b) {
		ret = -ENOMEM;
		goto out;
	}
	b->start_pfn = r->start_pfn;
	b->nr_pages = r->nr_pages;
	b->map = map;
	/* Boot blocks over several zones or nodes ("none") still hold kernel memory. */
	b->nid = r->nid >= 0 && (unsigned int)r->nid < p->nr_nodes ? r->nid : nid_of_phys(p, start);
	b->zone = r->zone >= 0 && r->zone < MHP_NR_ZONES ? r->zone : zone_of_phys(p, start);
	b->hnext = p->hash[hash_id(p, id)];
	p->hash[hash_id(p, id)] = b;
	p->nr_blocks++;
	p->node[b->nid].total += b->nr_pages;
	p->node[b->nid].zone_total[b->zone] += b->nr_pages;
	p->node[b->nid].free += b->nr_pages;
	p->node[b->nid].blocks++;
	list_add_locked(p, b);
out:
	pthread_mutex_unlock(&p->lock);
	return ret;
}

static int op_isolate(void *priv, const struct mhp_pfn_range *r)
{
	struct mhp_pool *p = priv;
	struct pblock *b;
	int ret = 0;

	pthread_mutex_lock(&p->lock);
	b = block_of_range_locked(p, r);
	if (!b || b->isolated)
		goto out;
	/* has_unmovable_pages(): ZONE_MOVABLE is assumed to hold none, as in the kernel. */
	if (b->meta && b->meta->nr_unmovable && b->zone != MHP_ZONE_MOVABLE) {
		ret = -EBUSY;
		goto out;
	}
	b->isolated = true;
	list_del_locked(p, b);
	p->node[b->nid].free -= block_nr_free(b);
	p->node[b->nid].isolated += b->nr_pages;
out:
	pthread_mutex_unlock(&p->lock);
	return ret;
}

static void op_unisolate(void *priv, const struct mhp_pfn_range *r)
{
	struct mhp_pool *p = priv;
	struct pblock *b;

	pthread_mutex_lock(&p->lock);
	b = block_of_range_locked(p, r);
	if (b && b->isolated) {
		b->isolated = false;
		p->node[b->nid].free += block_nr_free(b);
		p->node[b->nid].isolated -= b->nr_pages;
		if (block_nr_free(b))
			list_add_locked(p, b);
	}
	pthread_mutex_unlock(&p->lock);
}

static int op_migrate(void *priv, const struct mhp_pfn_range *r, struct mhp_cancel *cancel)
{
	struct mhp_pool *p = priv;
	struct move_batch *mb;
	struct pblock *b;
	int ret = 0;

	mb = malloc(sizeof(*mb));
	if (!mb)
		return -EAGAIN; /* allocation failures during migration are retried */
	mb->n = 0;
	pthread_mutex_lock(&p->lock);
	b = block_of_range_locked(p, r);
	if (b)
		ret = pool_migrate_block(p, b, cancel, mb);
	pthread_mutex_unlock(&p->lock);
	free(mb);
	return ret;
}

static void op_offline(void *priv, const struct mhp_pfn_range *r)
{
	struct mhp_pool *p = priv;
	unsigned long start, nr;
	struct pnode *n;
	struct pblock *b;

	pthread_mutex_lock(&p->lock);
	b = block_of_range_locked(p, r);
	if (!b) {
		pthread_mutex_unlock(&p->lock);
		return;
	}
	hash_del_locked(p, b);
	list_del_locked(p, b);
	n = &p->node[b->nid];
	n->total -= b->nr_pages;
	n->zone_total[b->zone] -= b->nr_pages;
	n->blocks--;
	if (b->meta)
		n->hwpoison -= b->meta->nr_poisoned;
	if (b->isolated)
		n->isolated -= b->nr_pages;
	else
		n->free -= block_nr_free(b);
	start = b->start_pfn;
	nr = b->nr_pages;
	/* Only poisoned frames can still have per-frame state: the engine migrated the rest. */
	pmeta_free(b);
	arena_free(&p->blocks, b);
	pthread_mutex_unlock(&p->lock);
	/* The range is free: its frames go back to the host. */
	punch(p, start, nr);
}

static void op_remove(void *priv, const struct mhp_pfn_range *r)
{
	punch(priv, r->start_pfn, r->nr_pages);
}

static const struct mhp_memory_ops pool_ops = {
	.isolate = op_isolate,
	.unisolate = op_unisolate,
	.migrate = op_migrate,
	.online = op_online,
	.offline = op_offline,
	.remove = op_remove,
};

const struct mhp_memory_ops *mhp_pool_memory_ops(void)
{
	return &pool_ops;
}

/* ---- pool ------------------------------------------------------------------------------------- */

int mhp_pool_new(const struct mhp_config *cfg, struct mhp_pool **ret)
{
	uint64_t top = 0;
	struct mhp_pool *p;
	size_t i;
	int r;

	if (!cfg || cfg->block_size < MHP_MIN_BLOCK_SIZE ||
	    (cfg->block_size & (cfg->block_size - 1)) || !cfg->nr_nodes ||
	    cfg->nr_nodes > MHP_MAX_NUMNODES || cfg->phys_bits < 12 || cfg->phys_bits > 52 ||
	    (cfg->nr_boot && !cfg->boot))
		return -EINVAL;
	p = calloc(1, sizeof(*p));
	if (!p)
		return -ENOMEM;
	p->fd = -1;
	p->block_size = cfg->block_size;
	p->block_pages = cfg->block_size / POOL_PAGE_SIZE;
	p->block_shift = (unsigned int)__builtin_ctzl(p->block_pages);
	arena_init(&p->blocks, sizeof(struct pblock));
	/* 1 GiB windows: a million 32 KiB blocks need 32 mappings, 128 MiB blocks 8 per window. */
	p->chunk_size = cfg->block_size > (1ULL << 30) ? cfg->block_size : 1ULL << 30;
	p->nr_nodes = cfg->nr_nodes;
	p->dma_end = cfg->dma_end;
	p->dma32_end = cfg->dma32_end;
	p->hash_size = 64;
	p->hash = calloc(p->hash_size, sizeof(*p->hash));
	if (cfg->nr_boot)
		p->boot = malloc(cfg->nr_boot * sizeof(*p->boot));
	if (!p->hash || (cfg->nr_boot && !p->boot)) {
		r = -ENOMEM;
		goto err;
	}
	p->nr_boot = cfg->nr_boot;
	for (i = 0; i < cfg->nr_boot; i++) {
		p->boot[i] = cfg->boot[i];
		if (cfg->boot[i].end > top)
			top = cfg->boot[i].end;
	}
	r = pthread_mutex_init(&p->lock, NULL);
	if (r) {
		r = -r;
		goto err;
	}
	p->fd = memfd_create("memhp-phys", MFD_CLOEXEC);
	if (p->fd < 0 || ftruncate(p->fd, (off_t)top) < 0) {
		r = -errno;
		pthread_mutex_destroy(&p->lock);
		goto err;
	}
	p->file_size = top;
	*ret = p;
	return 0;
err:
	if (p->fd >= 0)
		close(p->fd);
	free(p->boot);
	free(p->hash);
	free(p);
	return r;
}

void mhp_pool_free(struct mhp_pool *p)
{
	size_t i;

	if (!p)
		return;
	pool_subsys_free(p);
	while (p->tenants)
		mhp_tenant_free(p->tenants);
	for (i = 0; i < p->hash_size; i++) {
		struct pblock *b, *next;

		for (b = p->hash[i]; b; b = next) {
			next = b->hnext;
			pmeta_free(b);
			arena_free(&p->blocks, b);
		}
	}
	arena_destroy(&p->blocks);
	for (i = 0; i < p->nr_chunks; i++)
		munmap(p->chunks[i].base, p->chunk_size);
	free(p->chunks);
	close(p->fd);
	pthread_mutex_destroy(&p->lock);
	free(p->boot);
	free(p->hash);
	free(p);
}

int mhp_pool_meminfo(struct mhp_pool *p, int nid, struct mhp_pool_meminfo *ret)
{
	struct mhp_pool_meminfo mi = { 0 };
	unsigned int n;

	if (nid != MHP_NUMA_NO_NODE && (nid < 0 || (unsigned int)nid >= p->nr_nodes))
		return -EINVAL;
	pthread_mutex_lock(&p->lock);
	for (n = 0; n < p->nr_nodes; n++) {
		const struct pnode *pn = &p->node[n];

		if (nid != MHP_NUMA_NO_NODE && (int)n != nid)
			continue;
		mi.total += pn->total;
		mi.free += pn->free;
		mi.movable += pn->kind[MHP_PAGE_MOVABLE];
		mi.unmovable += pn->kind[MHP_PAGE_UNMOVABLE];
		mi.cache += pn->kind[MHP_PAGE_CACHE];
		mi.pinned += pn->pinned;
		mi.slab += pn->slab;
		mi.isolated += pn->isolated;
		mi.blocks += pn->blocks;
		mi.hwpoison += pn->hwpoison;
	}
	pthread_mutex_unlock(&p->lock);
	mi.used = mi.total - mi.free;
	*ret = mi;
	return 0;
}

int mhp_pool_host_bytes(struct mhp_pool *p, uint64_t *ret)
{
	struct stat st;

	if (fstat(p->fd, &st) < 0)
		return -errno;
	*ret = (uint64_t)st.st_blocks * 512;
	return 0;
}

size_t mhp_pool_meta_bytes(struct mhp_pool *p)
{
	size_t bytes = 0, i;

	pthread_mutex_lock(&p->lock);
	bytes += p->hash_size * sizeof(*p->hash);
	for (i = 0; i < p->hash_size; i++) {
		struct pblock *b;

		for (b = p->hash[i]; b; b = b->hnext) {
			unsigned long c;

			bytes += p->blocks.obj_size;
			if (!b->meta)
				continue;
			bytes += pmeta_size(b->nr_pages);
			if (b->meta->poison_map)
				bytes +=
					DIV_ROUND_UP(b->nr_pages, BITS_PER_WORD) * sizeof(uint64_t);
			for (c = 0; c < nr_rchunks(b->nr_pages); c++)
				if (pmeta_rmap(b->meta)[c])
					bytes += rchunk_size(b, c);
		}
	}
	pthread_mutex_unlock(&p->lock);
	return bytes;
}

/* ---- tenants ---------------------------------------------------------------------------------- */

int pool_tenant_new(struct mhp_pool *p, size_t nr_pages, bool is_slab, struct mhp_tenant **ret)
{
	pthread_rwlockattr_t attr;
	struct mhp_tenant *t;
	size_t i;
	int r;

	if (!nr_pages || nr_pages > (SIZE_MAX / POOL_PAGE_SIZE) / 2)
		return -EINVAL;
	t = calloc(1, sizeof(*t));
	if (!t)
		return -ENOMEM;
	t->pfn = malloc(nr_pages * sizeof(*t->pfn));
	if (!t->pfn) {
		free(t);
		return -ENOMEM;
	}
	for (i = 0; i < nr_pages; i++)
		t->pfn[i] = NO_PFN;
	t->base = mmap(NULL, nr_pages * POOL_PAGE_SIZE, PROT_NONE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (t->base == MAP_FAILED) {
		free(t->pfn);
		free(t);
		return -ENOMEM;
	}
	/*
	 * Writer preference: a migration waiting for the lock must not starve behind a stream of
	 * access sections, or an offline would never finish under a busy workload.
	 */
	pthread_rwlockattr_init(&attr);
	pthread_rwlockattr_setkind_np(&attr, PTHREAD_RWLOCK_PREFER_WRITER_NONRECURSIVE_NP);
	r = pthread_rwlock_init(&t->access, &attr);
	pthread_rwlockattr_destroy(&attr);
	if (r) {
		munmap(t->base, nr_pages * POOL_PAGE_SIZE);
		free(t->pfn);
		free(t);
		return -r;
	}
	t->pool = p;
	t->nr_pages = nr_pages;
	t->refcnt = 1;
	t->is_slab = is_slab;
	pthread_mutex_lock(&p->lock);
	t->next = p->tenants;
	if (p->tenants)
		p->tenants->prev = t;
	p->tenants = t;
	pthread_mutex_unlock(&p->lock);
	*ret = t;
	return 0;
}

int mhp_tenant_new(struct mhp_pool *p, size_t nr_pages, struct mhp_tenant **ret)
{
	return pool_tenant_new(p, nr_pages, false, ret);
}

static void release_page_locked(struct mhp_pool *p, struct mhp_tenant *t, size_t idx)
{
	struct pblock *b = block_of_pfn_locked(p, t->pfn[idx]);

	if (b)
		put_frame_locked(p, b, t->pfn[idx]);
	t->pfn[idx] = NO_PFN;
	t->present--;
}

void mhp_tenant_free(struct mhp_tenant *t)
{
	struct mhp_pool *p;
	size_t i;

	if (!t)
		return;
	p = t->pool;
	pthread_rwlock_wrlock(&t->access);
	pthread_mutex_lock(&p->lock);
	for (i = 0; i < t->nr_pages; i++)
		if (t->pfn[i] != NO_PFN)
			release_page_locked(p, t, i);
	t->dead = true;
	if (t->prev)
		t->prev->next = t->next;
	else
		p->tenants = t->next;
	if (t->next)
		t->next->prev = t->prev;
	pthread_mutex_unlock(&p->lock);
	munmap(t->base, t->nr_pages * POOL_PAGE_SIZE);
	pthread_rwlock_unlock(&t->access);
	tenant_put(t);
}

void *mhp_tenant_base(const struct mhp_tenant *t)
{
	return t->base;
}

size_t mhp_tenant_nr_pages(const struct mhp_tenant *t)
{
	return t->nr_pages;
}

void *pool_tenant_page_addr(struct mhp_tenant *t, size_t idx)
{
	return t->base + idx * POOL_PAGE_SIZE;
}

static bool range_ok(const struct mhp_tenant *t, size_t idx, size_t nr)
{
	return nr && idx < t->nr_pages && nr <= t->nr_pages - idx;
}

/* The workload's fill levels need frames of one given zone: no fallback at all. */
static int alloc_frame_zone_locked(struct mhp_pool *p, const struct rpage *e, int nid, int zone,
				   unsigned long *ret_pfn, struct pblock **ret_b)
{
	struct pblock *b = p->free_head[nid][zone];
	int r;

	if (!b || (zone == MHP_ZONE_MOVABLE && e->kind == MHP_PAGE_UNMOVABLE))
		return -ENOMEM;
	r = take_frame_locked(p, b, e, ret_pfn);
	if (!r)
		*ret_b = b;
	return r;
}

static int populate(struct mhp_tenant *t, size_t idx, size_t nr, int kind, int nid, int zone)
{
	struct mhp_pool *p = t->pool;
	struct rpage e = { .t = t, .kind = (uint8_t)kind };
	size_t i, run;
	int ret = 0;

	if (!range_ok(t, idx, nr) || kind < 0 || kind >= MHP_NR_PAGE_KINDS ||
	    (nid != MHP_NUMA_NO_NODE && (nid < 0 || (unsigned int)nid >= p->nr_nodes)) ||
	    zone >= MHP_NR_ZONES || (zone >= 0 && nid < 0))
		return -EINVAL;
	pthread_rwlock_wrlock(&t->access);
	pthread_mutex_lock(&p->lock);
	for (i = idx; i < idx + nr; i++) {
		if (t->pfn[i] != NO_PFN) {
			ret = -EEXIST;
			goto out;
		}
	}
	for (i = idx; i < idx + nr; i++) {
		struct pblock *b;

		e.idx = i;
		if (zone >= 0)
			ret = alloc_frame_zone_locked(p, &e, nid, zone, &t->pfn[i], &b);
		else
			ret = alloc_frame_locked(p, &e, false, nid, all_nodes(p), &t->pfn[i], &b);
		if (ret < 0)
			break;
		t->present++;
	}
	if (ret < 0) {
		while (i-- > idx)
			release_page_locked(p, t, i);
		goto out;
	}
	/*
	 * The frames are ours and the access lock keeps every other writer of t->pfn away, so
	 * the syscalls run without the pool lock.  A free frame may still hold the bytes of its
	 * last owner (released, dropped, or the source of a migration whose offline then failed):
	 * punching the run makes it read as zero and costs no host memory until written.  Then
	 * one mmap per run.
	 */
	pthread_mutex_unlock(&p->lock);
	for (i = idx; i < idx + nr; i += run) {
		for (run = 1; i + run < idx + nr && t->pfn[i + run] == t->pfn[i] + run; run++)
			;
		punch(p, t->pfn[i], run);
		ret = map_frames(t, i, run, t->pfn[i]);
		if (ret < 0)
			break;
	}
	pthread_mutex_lock(&p->lock);
	if (ret < 0) {
		unmap_frames(t, idx, nr);
		for (i = idx; i < idx + nr; i++)
			release_page_locked(p, t, i);
		ret = -ENOMEM;
	}
out:
	pthread_mutex_unlock(&p->lock);
	pthread_rwlock_unlock(&t->access);
	return ret;
}

int mhp_tenant_populate(struct mhp_tenant *t, size_t idx, size_t nr, int kind, int nid)
{
	return populate(t, idx, nr, kind, nid, -1);
}

int pool_tenant_populate_zone(struct mhp_tenant *t, size_t idx, size_t nr, int kind, int nid,
			      int zone)
{
	return populate(t, idx, nr, kind, nid, zone);
}

unsigned long pool_zone_total(struct mhp_pool *p, int nid, int zone)
{
	unsigned long n;

	pthread_mutex_lock(&p->lock);
	n = p->node[nid].zone_total[zone];
	pthread_mutex_unlock(&p->lock);
	return n;
}

int mhp_tenant_release(struct mhp_tenant *t, size_t idx, size_t nr)
{
	struct mhp_pool *p = t->pool;
	size_t i;
	int ret = 0;

	if (!range_ok(t, idx, nr))
		return -EINVAL;
	pthread_rwlock_wrlock(&t->access);
	pthread_mutex_lock(&p->lock);
	for (i = idx; i < idx + nr; i++) {
		struct pblock *b;
		struct rpage *e;

		if (t->pfn[i] == NO_PFN)
			continue;
		b = block_of_pfn_locked(p, t->pfn[i]);
		e = b ? rpage_of(b, t->pfn[i]) : NULL;
		if (e && (e->pins || e->refs)) {
			ret = -EBUSY;
			goto out;
		}
	}
	unmap_frames(t, idx, nr);
	for (i = idx; i < idx + nr; i++) {
		if (t->pfn[i] == NO_PFN)
			continue;
		release_page_locked(p, t, i);
	}
out:
	pthread_mutex_unlock(&p->lock);
	pthread_rwlock_unlock(&t->access);
	return ret;
}

int mhp_tenant_page_present(struct mhp_tenant *t, size_t idx)
{
	int ret;

	if (idx >= t->nr_pages)
		return -EINVAL;
	pthread_mutex_lock(&t->pool->lock);
	ret = t->pfn[idx] != NO_PFN;
	pthread_mutex_unlock(&t->pool->lock);
	return ret;
}

int mhp_tenant_page_pfn(struct mhp_tenant *t, size_t idx, unsigned long *ret_pfn)
{
	unsigned long pfn;

	if (idx >= t->nr_pages)
		return -EINVAL;
	pthread_mutex_lock(&t->pool->lock);
	pfn = t->pfn[idx];
	pthread_mutex_unlock(&t->pool->lock);
	if (pfn == NO_PFN)
		return -ENOENT;
	*ret_pfn = pfn;
	return 0;
}

static struct rpage *tenant_rpage_locked(struct mhp_tenant *t, size_t idx, struct pblock **ret_b)
{
	struct pblock *b;

	if (t->pfn[idx] == NO_PFN)
		return NULL;
	b = block_of_pfn_locked(t->pool, t->pfn[idx]);
	if (!b)
		return NULL;
	if (ret_b)
		*ret_b = b;
	return rpage_of(b, t->pfn[idx]);
}

int mhp_tenant_pin(struct mhp_tenant *t, size_t idx, size_t nr)
{
	struct mhp_pool *p = t->pool;
	struct move_batch *mb;
	size_t i;
	int ret = 0;

	if (!range_ok(t, idx, nr))
		return -EINVAL;
	mb = malloc(sizeof(*mb));
	if (!mb)
		return -ENOMEM;
	mb->n = 0;
	pthread_rwlock_wrlock(&t->access);
	pthread_mutex_lock(&p->lock);
	for (i = idx; i < idx + nr; i++) {
		if (!tenant_rpage_locked(t, i, NULL)) {
			ret = -ENOENT;
			goto out;
		}
	}
	/*
	 * FOLL_LONGTERM: a page in ZONE_MOVABLE must leave it before it is pinned, or the block
	 * could never go offline.  Destination: kernel zones, the page's own node first.
	 */
	for (i = idx; i < idx + nr; i++) {
		struct pblock *b = NULL; /* set: the loop above checked every page */
		struct rpage *e = tenant_rpage_locked(t, i, &b);

		if (b->zone != MHP_ZONE_MOVABLE || e->pins)
			continue;
		ret = batch_add_locked(p, mb, i, b, t->pfn[i], true, b->nid, all_nodes(p));
		if (ret < 0)
			break;
		if (mb->n == MOVE_BATCH) {
			ret = batch_flush_locked(p, t, mb);
			if (ret < 0)
				break;
		}
	}
	if (mb->n)
		ret = batch_flush_locked(p, t, mb) ?: ret;
	if (ret < 0) {
		ret = -ENOMEM;
		goto out;
	}
	for (i = idx; i < idx + nr; i++) {
		struct pblock *b;
		struct rpage *e = tenant_rpage_locked(t, i, &b);

		if (!e->pins++)
			p->node[b->nid].pinned++;
	}
out:
	pthread_mutex_unlock(&p->lock);
	pthread_rwlock_unlock(&t->access);
	free(mb);
	return ret;
}

int mhp_tenant_unpin(struct mhp_tenant *t, size_t idx, size_t nr)
{
	struct mhp_pool *p = t->pool;
	size_t i;
	int ret = 0;

	if (!range_ok(t, idx, nr))
		return -EINVAL;
	pthread_mutex_lock(&p->lock);
	for (i = idx; i < idx + nr; i++) {
		struct rpage *e = tenant_rpage_locked(t, i, NULL);

		if (!e || !e->pins) {
			ret = -EINVAL;
			goto out;
		}
	}
	for (i = idx; i < idx + nr; i++) {
		struct pblock *b;
		struct rpage *e = tenant_rpage_locked(t, i, &b);

		if (!--e->pins)
			p->node[b->nid].pinned--;
	}
out:
	pthread_mutex_unlock(&p->lock);
	return ret;
}

int mhp_tenant_get_ref(struct mhp_tenant *t, size_t idx, void **ret_frame)
{
	struct mhp_pool *p = t->pool;
	struct pblock *b;
	struct rpage *e;
	int ret = 0;

	if (idx >= t->nr_pages)
		return -EINVAL;
	/* Shared with access sections: a reference cannot appear while the page is being moved. */
	pthread_rwlock_rdlock(&t->access);
	pthread_mutex_lock(&p->lock);
	e = tenant_rpage_locked(t, idx, &b);
	if (!e) {
		ret = -ENOENT;
	} else {
		e->refs++;
		if (ret_frame)
			*ret_frame = b->map + (t->pfn[idx] - b->start_pfn) * POOL_PAGE_SIZE;
	}
	pthread_mutex_unlock(&p->lock);
	pthread_rwlock_unlock(&t->access);
	return ret;
}

int mhp_tenant_put_ref(struct mhp_tenant *t, size_t idx)
{
	struct rpage *e;
	int ret = 0;

	if (idx >= t->nr_pages)
		return -EINVAL;
	pthread_mutex_lock(&t->pool->lock);
	e = tenant_rpage_locked(t, idx, NULL);
	if (!e || !e->refs)
		ret = -EINVAL;
	else
		e->refs--;
	pthread_mutex_unlock(&t->pool->lock);
	return ret;
}

void mhp_tenant_access_begin(struct mhp_tenant *t)
{
	pthread_rwlock_rdlock(&t->access);
}

void mhp_tenant_access_end(struct mhp_tenant *t)
{
	pthread_rwlock_unlock(&t->access);
}

static int tenant_copy(struct mhp_tenant *t, size_t off, void *buf, size_t len, bool write)
{
	size_t first, last, i;
	int ret = 0;

	if (off > t->nr_pages * POOL_PAGE_SIZE || len > t->nr_pages * POOL_PAGE_SIZE - off)
		return -EINVAL;
	if (!len)
		return 0;
	first = off / POOL_PAGE_SIZE;
	last = (off + len - 1) / POOL_PAGE_SIZE;
	pthread_rwlock_rdlock(&t->access);
	/* The page table cannot change while we hold the access lock; the pool lock orders the
	 * reads of t->pfn with the writers of it. */
	pthread_mutex_lock(&t->pool->lock);
	for (i = first; i <= last; i++)
		if (t->pfn[i] == NO_PFN)
			ret = -EFAULT;
	pthread_mutex_unlock(&t->pool->lock);
	if (!ret) {
		if (write)
			memcpy(t->base + off, buf, len);
		else
			memcpy(buf, t->base + off, len);
	}
	pthread_rwlock_unlock(&t->access);
	return ret;
}

int mhp_tenant_write(struct mhp_tenant *t, size_t off, const void *buf, size_t len)
{
	return tenant_copy(t, off, (void *)buf, len, true);
}

int mhp_tenant_read(struct mhp_tenant *t, size_t off, void *buf, size_t len)
{
	return tenant_copy(t, off, buf, len, false);
}

void mhp_tenant_stats(struct mhp_tenant *t, struct mhp_tenant_stats *ret)
{
	pthread_mutex_lock(&t->pool->lock);
	ret->present = t->present;
	ret->migrated = t->migrated;
	ret->dropped = t->dropped;
	ret->hwpoisoned = t->hwpoisoned;
	pthread_mutex_unlock(&t->pool->lock);
}

/* ---- memory failure --------------------------------------------------------------------------- */

/*
 * poison_frame_locked() - mark frame @off of @b poisoned (SetPageHWPoison); a free frame is taken
 * off the allocator (take_page_off_buddy()), an owned one stays with its owner until freed.
 */
static int poison_frame_locked(struct mhp_pool *p, struct pblock *b, unsigned long off)
{
	uint64_t bit = 1ULL << (off % BITS_PER_WORD), *free_map;
	struct pmeta *m = pmeta_get_locked(b);

	if (!m)
		return -ENOMEM;
	if (!m->poison_map) {
		m->poison_map = calloc(DIV_ROUND_UP(b->nr_pages, BITS_PER_WORD), sizeof(uint64_t));
		if (!m->poison_map) {
			pmeta_put_locked(b);
			return -ENOMEM;
		}
	}
	m->poison_map[off / BITS_PER_WORD] |= bit;
	m->nr_poisoned++;
	p->node[b->nid].hwpoison++;
	free_map = pmeta_free_map(m, b->nr_pages);
	if (free_map[off / BITS_PER_WORD] & bit) {
		free_map[off / BITS_PER_WORD] &= ~bit;
		m->nr_free--;
		if (!b->isolated)
			p->node[b->nid].free--;
		if (!m->nr_free)
			list_del_locked(p, b);
	}
	return 0;
}

int mhp_pool_soft_offline(struct mhp_pool *p, unsigned long pfn)
{
	struct move_batch *mb = malloc(sizeof(*mb));
	int ret;

	if (!mb)
		return -ENOMEM;
	pthread_mutex_lock(&p->lock);
	for (;;) {
		struct pblock *b = block_of_pfn_locked(p, pfn);
		struct mhp_tenant *t;
		struct rpage *e;
		size_t idx;

		if (!b) {
			ret = -EIO; /* pfn_to_online_page() found nothing */
			break;
		}
		if (frame_poisoned(b, pfn - b->start_pfn)) {
			ret = -EHWPOISON;
			break;
		}
		e = rpage_of(b, pfn);
		if (!e || !e->t) {
			ret = poison_frame_locked(p, b, pfn - b->start_pfn);
			break;
		}
		if (e->kind == MHP_PAGE_UNMOVABLE) {
			ret = -EIO; /* neither LRU nor movable: get_any_page() gives up */
			break;
		}
		if (e->pins || e->refs) {
			ret = -EBUSY; /* the migration would find extra references */
			break;
		}
		t = e->t;
		idx = e->idx;
		if (!lock_tenant_write_locked(p, t))
			continue; /* freed meanwhile: look again */
		/* The pool lock may have been dropped: the page may have moved or gone. */
		b = block_of_pfn_locked(p, pfn);
		e = b ? rpage_of(b, pfn) : NULL;
		if (!e || e->t != t || e->idx != idx || e->pins || e->refs ||
		    frame_poisoned(b, pfn - b->start_pfn)) {
			unlock_tenant_write_locked(p, t);
			continue;
		}
		/* alloc_migration_target(): the page's own node first, its kind's zones */
		mb->n = 0;
		ret = batch_add_locked(p, mb, idx, b, pfn, false, b->nid, all_nodes(p));
		if (!ret && batch_flush_locked(p, t, mb) < 0)
			ret = -EBUSY;
		/* The old frame is free now (the pool lock was held since the commit). */
		b = ret ? NULL : block_of_pfn_locked(p, pfn);
		if (b)
			ret = poison_frame_locked(p, b, pfn - b->start_pfn);
		unlock_tenant_write_locked(p, t);
		break;
	}
	pthread_mutex_unlock(&p->lock);
	free(mb);
	return ret;
}

int mhp_pool_hard_offline(struct mhp_pool *p, unsigned long pfn)
{
	struct mhp_tenant *t;
	struct pblock *b;
	struct rpage *e;
	size_t idx;
	int ret;

	pthread_mutex_lock(&p->lock);
	b = block_of_pfn_locked(p, pfn);
	if (!b) {
		ret = -ENXIO;
		goto out;
	}
	if (frame_poisoned(b, pfn - b->start_pfn)) {
		ret = -EHWPOISON;
		goto out;
	}
	/* TestSetPageHWPoison() comes first: whatever follows, the frame is poisoned. */
	ret = poison_frame_locked(p, b, pfn - b->start_pfn);
	e = rpage_of(b, pfn);
	if (ret || !e || !e->t)
		goto out; /* a free frame: MF_MSG_BUDDY, recovered */
	if (e->kind == MHP_PAGE_UNMOVABLE || e->refs) {
		ret = -EBUSY; /* a kernel page or an extra reference: MF_IGNORED / MF_FAILED */
		goto out;
	}
	t = e->t;
	idx = e->idx;
	if (!lock_tenant_write_locked(p, t))
		goto out; /* the tenant freed the page meanwhile: nothing is lost */
	b = block_of_pfn_locked(p, pfn);
	e = b ? rpage_of(b, pfn) : NULL;
	if (e && e->t == t && e->idx == idx) {
		if (e->refs) {
			ret = -EBUSY;
		} else {
			/* hwpoison_user_mappings(); a pinned page still fails on its extra refcount */
			ret = e->pins ? -EBUSY : 0;
			detach_poisoned_locked(p, t, idx);
		}
	}
	unlock_tenant_write_locked(p, t);
out:
	pthread_mutex_unlock(&p->lock);
	return ret;
}

/* ---- cache drop ------------------------------------------------------------------------------- */

static bool page_droppable(const struct rpage *e)
{
	return e->kind == MHP_PAGE_CACHE && !e->pins && !e->refs;
}

static unsigned long drop_tenant_locked(struct mhp_pool *p, struct pblock *b, struct mhp_tenant *t,
					unsigned long from, unsigned long end)
{
	unsigned long pos = from, dropped = 0;
	struct rpage *e;

	while ((e = block_next_used(b, &pos)) && pos < end) {
		if (e->t == t && page_droppable(e)) {
			size_t idx = e->idx;

			/* Clean: nothing to write back, the page is simply forgotten. */
			unmap_frames(t, idx, 1);
			punch(p, b->start_pfn + pos, 1);
			release_page_locked(p, t, idx);
			t->dropped++;
			dropped++;
		}
		pos++;
	}
	return dropped;
}

unsigned long mhp_pool_drop_cache(struct mhp_pool *p, unsigned long start_pfn,
				  unsigned long nr_pages)
{
	unsigned long pfn = start_pfn, end = start_pfn + nr_pages, dropped = 0;

	pthread_mutex_lock(&p->lock);
	while (pfn < end) {
		struct pblock *b = block_of_pfn_locked(p, pfn);
		unsigned long pos, stop;
		struct rpage *e;

		if (!b) {
			pfn = (pfn / p->block_pages + 1) * p->block_pages;
			continue;
		}
		pos = pfn - b->start_pfn;
		stop = end - b->start_pfn < b->nr_pages ? end - b->start_pfn : b->nr_pages;
		while ((e = block_next_used(b, &pos)) && pos < stop) {
			struct mhp_tenant *t = e->t;

			if (!page_droppable(e)) {
				pos++;
				continue;
			}
			bool locked = lock_tenant_write_locked(p, t);

			/* The block may have gone offline while the pool lock was dropped. */
			b = block_of_pfn_locked(p, pfn);
			if (locked && b)
				dropped += drop_tenant_locked(p, b, t, pos, stop);
			if (locked)
				unlock_tenant_write_locked(p, t);
			b = block_of_pfn_locked(p, pfn);
			if (!b)
				break;
		}
		pfn = b ? b->start_pfn + b->nr_pages : (pfn / p->block_pages + 1) * p->block_pages;
	}
	pthread_mutex_unlock(&p->lock);
	return dropped;
}
