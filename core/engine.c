// SPDX-License-Identifier: MIT
/*
 * The engine's life cycle and topology: configuration, the boot machine (zones from the zone
 * boundaries and kernelcore=/movablecore=, boot blocks online), the id -> block table, references,
 * parameters, locks and cancellation flags.  Transitions live in hotplug.c, zones in zone.c.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "engine-internal.h"
#include "engine-priv.h"

#define GIB (1ULL << 30)
#define MIB (1ULL << 20)

void mhp_config_init(struct mhp_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->block_size = 128 * MIB;
	cfg->nr_nodes = 1;
	cfg->cpu_nodes = 1;
	cfg->phys_bits = 46;
	cfg->dma_end = 16 * MIB;
	cfg->dma32_end = 4 * GIB;
	cfg->auto_online = MHP_MMOP_OFFLINE;
	cfg->online_policy = MHP_POLICY_CONTIG_ZONES;
	cfg->auto_movable_ratio = 301;
	cfg->auto_movable_numa_aware = true;
	cfg->memmap_on_memory = MHP_MEMMAP_OFF;
}

uint64_t mhp_engine_block_size(const struct mhp_engine *e)
{
	return e->cfg.block_size;
}

unsigned int mhp_engine_nr_nodes(const struct mhp_engine *e)
{
	return e->cfg.nr_nodes;
}

/* ---- locks ---------------------------------------------------------------------------------- */

void hotplug_lock(struct mhp_engine *e)
{
	pthread_mutex_lock(&e->hotplug_lock);
	e->hotplug_owner = pthread_self();
	e->hotplug_held = true;
}

void hotplug_unlock(struct mhp_engine *e)
{
	assert_hotplug_held(e);
	e->hotplug_held = false;
	pthread_mutex_unlock(&e->hotplug_lock);
}

void mhp_lock_device_hotplug(struct mhp_engine *e)
{
	hotplug_lock(e);
}

void mhp_unlock_device_hotplug(struct mhp_engine *e)
{
	hotplug_unlock(e);
}

void mhp_get_online_mems(struct mhp_engine *e)
{
	pthread_rwlock_rdlock(&e->mem_hotplug_lock);
}

void mhp_put_online_mems(struct mhp_engine *e)
{
	pthread_rwlock_unlock(&e->mem_hotplug_lock);
}

void notify_change(struct mhp_engine *e, enum mhp_change what, unsigned long id)
{
	if (e->cfg.on_change)
		e->cfg.on_change(e->cfg.on_change_priv, what, id);
}

/* ---- cancellation --------------------------------------------------------------------------- */

void mhp_cancel_init(struct mhp_cancel *c)
{
	pthread_condattr_t attr;

	atomic_init(&c->raised, false);
	pthread_mutex_init(&c->lock, NULL);
	pthread_condattr_init(&attr);
	pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
	pthread_cond_init(&c->cond, &attr);
	pthread_condattr_destroy(&attr);
}

void mhp_cancel_destroy(struct mhp_cancel *c)
{
	if (!c)
		return;
	pthread_cond_destroy(&c->cond);
	pthread_mutex_destroy(&c->lock);
}

void mhp_cancel_raise(struct mhp_cancel *c)
{
	pthread_mutex_lock(&c->lock);
	atomic_store(&c->raised, true);
	pthread_cond_broadcast(&c->cond);
	pthread_mutex_unlock(&c->lock);
}

bool mhp_cancel_pending(struct mhp_cancel *c)
{
	return c && atomic_load(&c->raised);
}

int mhp_cancel_sleep(struct mhp_cancel *c, unsigned int usec)
{
	struct timespec t;
	int r = 0;

	clock_gettime(CLOCK_MONOTONIC, &t);
	t.tv_sec += usec / 1000000;
	t.tv_nsec += (long)(usec % 1000000) * 1000;
	if (t.tv_nsec >= 1000000000L) {
		t.tv_sec++;
		t.tv_nsec -= 1000000000L;
	}
	if (!c) {
		while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &t, NULL) == EINTR)
			;
		return 0;
	}
	pthread_mutex_lock(&c->lock);
	while (!atomic_load(&c->raised) && r == 0)
		r = pthread_cond_timedwait(&c->cond, &c->lock, &t);
	pthread_mutex_unlock(&c->lock);
	return atomic_load(&c->raised) ? -EINTR : 0;
}

/* ---- the id -> block table ------------------------------------------------------------------ */

static unsigned long radix_top(unsigned long id)
{
	return id >> (RADIX_LEAF_BITS + RADIX_MID_BITS);
}

static unsigned long radix_mid(unsigned long id)
{
	return (id >> RADIX_LEAF_BITS) & (RADIX_MID_SIZE - 1);
}

static unsigned long radix_leaf(unsigned long id)
{
	return id & (RADIX_LEAF_SIZE - 1);
}

static struct mhp_block *radix_get(struct mhp_engine *e, unsigned long id)
{
	struct mhp_block ***mid, **leaf;

	if (id >= e->max_block_id)
		return NULL;
	mid = e->radix[radix_top(id)];
	if (!mid)
		return NULL;
	leaf = mid[radix_mid(id)];
	if (!leaf)
		return NULL;
	return leaf[radix_leaf(id)];
}

struct mhp_block *block_lookup_locked_stat(struct mhp_engine *e, unsigned long id)
{
	struct mhp_block *b;

	/* Removal unlinks with stat_lock held, so the block outlives our use of it. */
	pthread_rwlock_rdlock(&e->blocks_lock);
	b = radix_get(e, id);
	pthread_rwlock_unlock(&e->blocks_lock);
	return b;
}

int block_insert(struct mhp_engine *e, struct mhp_block *b)
{
	unsigned long id = b->id;
	struct mhp_block ***mid, **leaf;
	int r = 0;

	pthread_rwlock_wrlock(&e->blocks_lock);
	mid = e->radix[radix_top(id)];
	if (!mid) {
		mid = calloc(RADIX_MID_SIZE, sizeof(*mid));
		if (!mid) {
			r = -ENOMEM;
			goto out;
		}
		e->radix[radix_top(id)] = mid;
	}
	leaf = mid[radix_mid(id)];
	if (!leaf) {
		leaf = calloc(RADIX_LEAF_SIZE, sizeof(*leaf));
		if (!leaf) {
			r = -ENOMEM;
			goto out;
		}
		mid[radix_mid(id)] = leaf;
	}
	if (leaf[radix_leaf(id)]) {
		r = -EEXIST;
		goto out;
	}
	leaf[radix_leaf(id)] = b;
	e->nr_blocks++;
out:
	pthread_rwlock_unlock(&e->blocks_lock);
	return r;
}

void block_unlink(struct mhp_engine *e, struct mhp_block *b)
{
	pthread_rwlock_wrlock(&e->blocks_lock);
	e->radix[radix_top(b->id)][radix_mid(b->id)][radix_leaf(b->id)] = NULL;
	e->nr_blocks--;
	pthread_rwlock_unlock(&e->blocks_lock);
}

struct mhp_block *block_alloc(struct mhp_engine *e, unsigned long id)
{
	struct mhp_block *b;

	pthread_mutex_lock(&e->arena_lock);
	b = arena_alloc(&e->block_arena);
	if (b)
		e->nr_live++;
	pthread_mutex_unlock(&e->arena_lock);
	if (!b)
		return NULL;
	b->engine = e;
	b->id = id;
	b->generation = ++e->next_generation;
	atomic_init(&b->refcount, 1);
	atomic_init(&b->state, MHP_STATE_OFFLINE);
	atomic_init(&b->removed, false);
	b->dev_offline = true;
	b->online_type = MHP_MMOP_OFFLINE;
	b->nid = MHP_NUMA_NO_NODE;
	b->zone = MHP_ZONE_NONE;
	b->group = -1;
	return b;
}

/* What stays of an engine until its last block is freed: the arena and its lock. */
static void engine_release(struct mhp_engine *e)
{
	arena_destroy(&e->block_arena);
	pthread_mutex_destroy(&e->arena_lock);
	free(e);
}

static void block_free(struct mhp_block *b)
{
	struct mhp_engine *e = b->engine;
	bool last;

	pthread_mutex_lock(&e->arena_lock);
	arena_free(&e->block_arena, b);
	last = !--e->nr_live && e->freed;
	pthread_mutex_unlock(&e->arena_lock);
	if (last)
		engine_release(e);
}

/*
 * The device lock: the kernel's device_lock(), a mutex per device.  A flag per block under one
 * mutex instead, since a pthread mutex alone would be 40 bytes of each of a million blocks; one
 * transition at a time holds one (hotplug_lock serialises them), so waiters are few.
 */
void block_dev_lock(struct mhp_engine *e, struct mhp_block *b)
{
	pthread_mutex_lock(&e->dev_wait_lock);
	while (b->dev_locked)
		pthread_cond_wait(&e->dev_wait, &e->dev_wait_lock);
	b->dev_locked = true;
	pthread_mutex_unlock(&e->dev_wait_lock);
}

void block_dev_unlock(struct mhp_engine *e, struct mhp_block *b)
{
	pthread_mutex_lock(&e->dev_wait_lock);
	b->dev_locked = false;
	pthread_cond_broadcast(&e->dev_wait);
	pthread_mutex_unlock(&e->dev_wait_lock);
}

struct mhp_block *mhp_block_get(struct mhp_engine *e, unsigned long id)
{
	struct mhp_block *b;

	pthread_rwlock_rdlock(&e->blocks_lock);
	b = radix_get(e, id);
	if (b)
		atomic_fetch_add(&b->refcount, 1);
	pthread_rwlock_unlock(&e->blocks_lock);
	return b;
}

void mhp_block_put(struct mhp_block *b)
{
	if (b && atomic_fetch_sub(&b->refcount, 1) == 1)
		block_free(b);
}

int mhp_block_next_id(struct mhp_engine *e, unsigned long from, unsigned long *ret_id)
{
	unsigned long id = from;
	int r = -ENOENT;

	pthread_rwlock_rdlock(&e->blocks_lock);
	while (id < e->max_block_id) {
		struct mhp_block ***mid = e->radix[radix_top(id)];
		struct mhp_block **leaf;

		if (!mid) {
			id = (radix_top(id) + 1) << (RADIX_LEAF_BITS + RADIX_MID_BITS);
			continue;
		}
		leaf = mid[radix_mid(id)];
		if (!leaf) {
			id = ((id >> RADIX_LEAF_BITS) + 1) << RADIX_LEAF_BITS;
			continue;
		}
		if (leaf[radix_leaf(id)]) {
			*ret_id = id;
			r = 0;
			break;
		}
		id++;
	}
	pthread_rwlock_unlock(&e->blocks_lock);
	return r;
}

unsigned long mhp_block_count(struct mhp_engine *e)
{
	unsigned long n;

	pthread_rwlock_rdlock(&e->blocks_lock);
	n = e->nr_blocks;
	pthread_rwlock_unlock(&e->blocks_lock);
	return n;
}

unsigned long mhp_block_id(const struct mhp_block *b)
{
	return b->id;
}

uint64_t mhp_block_generation(const struct mhp_block *b)
{
	return b->generation;
}

bool mhp_block_removed(const struct mhp_block *b)
{
	return atomic_load(&b->removed);
}

int mhp_block_nid(const struct mhp_block *b)
{
	return b->nid;
}

uint64_t mhp_block_node_mask(const struct mhp_block *b)
{
	struct mhp_engine *e = b->engine;
	uint64_t mask;

	/* Hot-added blocks are linked to their node after their add uevent. */
	pthread_mutex_lock(&e->stat_lock);
	mask = b->node_mask;
	pthread_mutex_unlock(&e->stat_lock);
	return mask;
}

int mhp_block_state(const struct mhp_block *b)
{
	return atomic_load(&b->state);
}

int mhp_block_zone(const struct mhp_block *b)
{
	struct mhp_engine *e = b->engine;
	int z;

	pthread_mutex_lock(&e->stat_lock);
	z = b->zone;
	pthread_mutex_unlock(&e->stat_lock);
	return z;
}

const char *mhp_block_state_name(int state)
{
	switch (state) {
	case MHP_STATE_ONLINE:
		return "online";
	case MHP_STATE_GOING_OFFLINE:
		return "going-offline";
	case MHP_STATE_OFFLINE:
		return "offline";
	default:
		return NULL;
	}
}

/* ---- firmware NUMA information -------------------------------------------------------------- */

static int range_nid(const struct mhp_mem_range *r, size_t n, uint64_t addr)
{
	for (size_t i = 0; i < n; i++)
		if (addr >= r[i].start && addr < r[i].end)
			return r[i].nid;
	return MHP_NUMA_NO_NODE;
}

/* memory_add_physaddr_to_nid(): the SRAT affinity, else boot memory's node, else the first node. */
int addr_to_nid(struct mhp_engine *e, uint64_t addr)
{
	int nid = range_nid(e->numa, e->cfg.nr_numa, addr);

	if (nid == MHP_NUMA_NO_NODE)
		nid = range_nid(e->boot, e->cfg.nr_boot, addr);
	if (nid == MHP_NUMA_NO_NODE)
		nid = 0;
	return nid;
}

/* ---- configuration and boot ----------------------------------------------------------------- */

static int cmp_range(const void *a, const void *b)
{
	const struct mhp_mem_range *x = a, *y = b;

	return x->start < y->start ? -1 : x->start > y->start;
}

static int copy_ranges(const struct mhp_mem_range *src, size_t n, struct mhp_mem_range **ret)
{
	*ret = NULL;
	if (!n)
		return 0;
	*ret = malloc(n * sizeof(**ret));
	if (!*ret)
		return -ENOMEM;
	memcpy(*ret, src, n * sizeof(**ret));
	qsort(*ret, n, sizeof(**ret), cmp_range);
	return 0;
}

static int check_ranges(const struct mhp_config *cfg, const struct mhp_mem_range *r, size_t n,
			bool need_nid)
{
	uint64_t limit = 1ULL << cfg->phys_bits;

	for (size_t i = 0; i < n; i++) {
		if (r[i].start >= r[i].end || r[i].end > limit)
			return -EINVAL;
		if ((r[i].start | r[i].end) & (MHP_PAGE_SIZE - 1))
			return -EINVAL;
		if (need_nid && (r[i].nid < 0 || (unsigned int)r[i].nid >= cfg->nr_nodes))
			return -EINVAL;
		if (i && r[i].start < r[i - 1].end)
			return -EINVAL; /* sorted copies: overlap */
	}
	return 0;
}

static int check_config(const struct mhp_config *cfg)
{
	if (cfg->block_size < MHP_MIN_BLOCK_SIZE || (cfg->block_size & (cfg->block_size - 1)))
		return -EINVAL;
	if (!cfg->nr_nodes || cfg->nr_nodes > MHP_MAX_NUMNODES)
		return -EINVAL;
	if (cfg->phys_bits < 32 || cfg->phys_bits > 52)
		return -EINVAL;
	if ((1ULL << cfg->phys_bits) < cfg->block_size)
		return -EINVAL;
	if (cfg->dma_end > cfg->dma32_end || (cfg->dma_end | cfg->dma32_end) & (MHP_PAGE_SIZE - 1))
		return -EINVAL;
	if (cfg->auto_online < MHP_MMOP_OFFLINE || cfg->auto_online > MHP_MMOP_ONLINE_MOVABLE)
		return -EINVAL;
	if (cfg->online_policy != MHP_POLICY_CONTIG_ZONES &&
	    cfg->online_policy != MHP_POLICY_AUTO_MOVABLE)
		return -EINVAL;
	if (cfg->memmap_on_memory < MHP_MEMMAP_OFF || cfg->memmap_on_memory > MHP_MEMMAP_FORCE)
		return -EINVAL;
	if (cfg->kernelcore.percent > 100 || cfg->movablecore.percent > 100)
		return -EINVAL;
	if (cfg->nr_nodes < 64 && cfg->cpu_nodes >> cfg->nr_nodes)
		return -EINVAL;
	return 0;
}

static unsigned long pfn_of(uint64_t addr)
{
	return (unsigned long)(addr >> MHP_PAGE_SHIFT);
}

/* The lowest pfn a zone can have; arch_zone_lowest_possible_pfn[]. */
static unsigned long zone_low_pfn(const struct mhp_engine *e, int zid)
{
	switch (zid) {
	case MHP_ZONE_DMA:
		return 0;
	case MHP_ZONE_DMA32:
		return pfn_of(e->cfg.dma_end);
	default:
		return pfn_of(e->cfg.dma32_end);
	}
}

static unsigned long zone_high_pfn(const struct mhp_engine *e, int zid)
{
	switch (zid) {
	case MHP_ZONE_DMA:
		return pfn_of(e->cfg.dma_end);
	case MHP_ZONE_DMA32:
		return pfn_of(e->cfg.dma32_end);
	default:
		return pfn_of(1ULL << e->cfg.phys_bits);
	}
}

static unsigned long min_ul(unsigned long a, unsigned long b)
{
	return a < b ? a : b;
}

static unsigned long max_ul(unsigned long a, unsigned long b)
{
	return a > b ? a : b;
}

static unsigned long pct_pages(unsigned long total, const struct mhp_size_or_percent *v)
{
	if (v->percent)
		return (unsigned long)((unsigned long long)total * v->percent / 100);
	return pfn_of(v->bytes);
}

/*
 * find_zone_movable_pfns_for_nodes(), without mirroring and movable_node: kernelcore is spread
 * evenly over the nodes with memory, memory below the movable-capable zone always counts as kernel,
 * and ZONE_MOVABLE gets what is left at the top of each node.
 */
static void find_zone_movable_pfns(struct mhp_engine *e)
{
	unsigned long total = 0, required_kernelcore, required_movablecore, usable_startpfn;
	unsigned long kernelcore_node;
	unsigned int usable_nodes = 0;
	int movable_zone = MHP_ZONE_DMA;

	for (size_t i = 0; i < e->cfg.nr_boot; i++)
		total += pfn_of(e->boot[i].end) - pfn_of(e->boot[i].start);
	required_kernelcore = pct_pages(total, &e->cfg.kernelcore);
	required_movablecore = pct_pages(total, &e->cfg.movablecore);
	if (!required_kernelcore && !required_movablecore)
		return;

	/* ZONE_MOVABLE is carved out of the highest populated zone. */
	for (size_t i = 0; i < e->cfg.nr_boot; i++)
		for (int z = MHP_ZONE_NORMAL; z > movable_zone; z--)
			if (pfn_of(e->boot[i].end) > zone_low_pfn(e, z))
				movable_zone = z;
	usable_startpfn = zone_low_pfn(e, movable_zone);

	if (required_movablecore) {
		unsigned long corepages;

		required_movablecore =
			(required_movablecore + MAX_ORDER_NR_PAGES - 1) & ~(MAX_ORDER_NR_PAGES - 1);
		required_movablecore = min_ul(total, required_movablecore);
		corepages = total - required_movablecore;
		required_kernelcore = max_ul(required_kernelcore, corepages);
	}
	if (!required_kernelcore || required_kernelcore >= total)
		return;

	for (unsigned int nid = 0; nid < e->cfg.nr_nodes; nid++)
		for (size_t i = 0; i < e->cfg.nr_boot; i++)
			if (e->boot[i].nid == (int)nid) {
				usable_nodes++;
				break;
			}
	if (!usable_nodes)
		return;

restart:
	/* Spread evenly; a node only lowers the share when less than it is still needed. */
	kernelcore_node = required_kernelcore / usable_nodes;
	for (unsigned int nid = 0; nid < e->cfg.nr_nodes; nid++) {
		unsigned long remaining;
		bool has_memory = false;

		for (size_t i = 0; i < e->cfg.nr_boot; i++)
			has_memory |= e->boot[i].nid == (int)nid;
		if (!has_memory)
			continue;
		if (required_kernelcore < kernelcore_node)
			kernelcore_node = required_kernelcore / usable_nodes;
		remaining = kernelcore_node;
		for (size_t i = 0; i < e->cfg.nr_boot && remaining; i++) {
			unsigned long start, end, size;

			if (e->boot[i].nid != (int)nid)
				continue;
			start = max_ul(pfn_of(e->boot[i].start), e->nodes[nid].zone_movable_pfn);
			end = pfn_of(e->boot[i].end);
			if (start >= end)
				continue;
			if (start < usable_startpfn) {
				unsigned long kernel_pages = min_ul(end, usable_startpfn) - start;

				remaining -= min_ul(kernel_pages, remaining);
				required_kernelcore -= min_ul(kernel_pages, required_kernelcore);
				if (end <= usable_startpfn) {
					e->nodes[nid].zone_movable_pfn = end;
					continue;
				}
				start = usable_startpfn;
			}
			size = min_ul(end - start, remaining);
			e->nodes[nid].zone_movable_pfn = start + size;
			required_kernelcore -= min_ul(required_kernelcore, size);
			remaining -= size;
		}
	}
	usable_nodes--;
	if (usable_nodes && required_kernelcore > usable_nodes)
		goto restart;

	for (unsigned int nid = 0; nid < e->cfg.nr_nodes; nid++) {
		unsigned long node_end = 0, *pfn = &e->nodes[nid].zone_movable_pfn;

		for (size_t i = 0; i < e->cfg.nr_boot; i++)
			if (e->boot[i].nid == (int)nid)
				node_end = max_ul(node_end, pfn_of(e->boot[i].end));
		if (*pfn)
			*pfn = (*pfn + MAX_ORDER_NR_PAGES - 1) & ~(MAX_ORDER_NR_PAGES - 1);
		if (*pfn >= node_end)
			*pfn = 0;
	}
}

/* Boot zone spans: the node's span clamped to each zone's range, then ZONE_MOVABLE carved out. */
static void init_zone_spans(struct mhp_engine *e)
{
	for (unsigned int nid = 0; nid < e->cfg.nr_nodes; nid++) {
		struct mhp_node *n = &e->nodes[nid];
		unsigned long node_start = ~0UL, node_end = 0, mpfn = n->zone_movable_pfn;

		for (size_t i = 0; i < e->cfg.nr_boot; i++) {
			if (e->boot[i].nid != (int)nid)
				continue;
			node_start = min_ul(node_start, pfn_of(e->boot[i].start));
			node_end = max_ul(node_end, pfn_of(e->boot[i].end));
		}
		if (node_start >= node_end)
			continue;
		for (int z = MHP_ZONE_DMA; z <= MHP_ZONE_NORMAL; z++) {
			unsigned long s =
				min_ul(max_ul(node_start, zone_low_pfn(e, z)), zone_high_pfn(e, z));
			unsigned long t =
				min_ul(max_ul(node_end, zone_low_pfn(e, z)), zone_high_pfn(e, z));

			if (mpfn) {
				if (s < mpfn && t > mpfn)
					t = mpfn;
				else if (s >= mpfn)
					s = t;
			}
			if (s < t) {
				n->zones[z].start_pfn = s;
				n->zones[z].end_pfn = t;
			}
		}
		if (mpfn && mpfn < node_end) {
			n->zones[MHP_ZONE_MOVABLE].start_pfn = mpfn;
			n->zones[MHP_ZONE_MOVABLE].end_pfn = node_end;
		}
	}
}

/* The zone a boot pfn belongs to on its node. */
static int boot_zone_of(const struct mhp_engine *e, int nid, unsigned long pfn)
{
	const struct mhp_node *n = &e->nodes[nid];

	for (int z = 0; z < MHP_NR_ZONES; z++)
		if (n->zones[z].start_pfn <= pfn && pfn < n->zones[z].end_pfn)
			return z;
	return MHP_ZONE_NORMAL;
}

static unsigned long zone_piece_end(const struct mhp_engine *e, int nid, int z)
{
	return e->nodes[nid].zones[z].end_pfn;
}

static int create_boot_blocks(struct mhp_engine *e)
{
	unsigned long ppb = e->pages_per_block, present = 0;
	struct mhp_block *prev = NULL;

	/* The ranges are sorted: the pieces of one block come one after the other. */
	for (size_t i = 0; i < e->cfg.nr_boot; i++) {
		const struct mhp_mem_range *r = &e->boot[i];
		unsigned long pfn = pfn_of(r->start), end = pfn_of(r->end);

		while (pfn < end) {
			unsigned long id = pfn / ppb;
			unsigned long piece_end = min_ul(end, (id + 1) * ppb);
			struct mhp_block *b = radix_get(e, id);

			if (b != prev) {
				if (prev)
					prev->holes = present != ppb;
				prev = b;
				present = 0;
			}
			if (!b) {
				int ret;

				b = block_alloc(e, id);
				if (!b)
					return -ENOMEM;
				b->early = true;
				atomic_store(&b->state, MHP_STATE_ONLINE);
				b->dev_offline = false;
				ret = block_insert(e, b);
				if (ret < 0) {
					block_free(b);
					return ret;
				}
				prev = b;
			}
			b->node_mask |= 1ULL << r->nid;
			b->nid = (int8_t)r->nid;
			present += piece_end - pfn;

			/* Account the piece zone by zone and tell the page pool about it. */
			while (pfn < piece_end) {
				int z = boot_zone_of(e, r->nid, pfn);
				unsigned long zend =
					min_ul(piece_end, zone_piece_end(e, r->nid, z));
				struct mhp_zone_info *zi = &e->nodes[r->nid].zones[z];

				if (zend <= pfn)
					zend = piece_end;
				b->boot_zone_mask |= 1U << z;
				zi->present_pages += zend - pfn;
				zi->present_early_pages += zend - pfn;
				zi->managed_pages += zend - pfn;
				if (e->cfg.mem_ops && e->cfg.mem_ops->online) {
					struct mhp_pfn_range pr = { .start_pfn = pfn,
								    .nr_pages = zend - pfn,
								    .nid = r->nid,
								    .zone = z };
					int ret = e->cfg.mem_ops->online(e->cfg.mem_ops_priv, &pr);

					if (ret < 0)
						return ret;
				}
				pfn = zend;
			}
		}
	}
	if (prev)
		prev->holes = present != ppb;
	return 0;
}

/*
 * early_node_zone_for_memory_block(): a boot block gets the one populated zone whose span it
 * intersects; several zones, or several nodes, leave it without a zone ("none").
 */
static void assign_boot_zones(struct mhp_engine *e)
{
	unsigned long ppb = e->pages_per_block;

	for (unsigned long id = 0; mhp_block_next_id(e, id, &id) == 0; id++) {
		struct mhp_block *b = radix_get(e, id);
		int match = MHP_ZONE_NONE;

		for (unsigned int nid = 0; nid < e->cfg.nr_nodes; nid++)
			if (b->node_mask & (1ULL << nid))
				e->nodes[nid].nr_blocks++;
		if (b->node_mask & (b->node_mask - 1)) {
			b->zone = MHP_ZONE_NONE;
			continue;
		}
		for (int z = 0; z < MHP_NR_ZONES; z++) {
			const struct mhp_zone_info *zi = &e->nodes[b->nid].zones[z];

			if (!zi->present_pages || zi->start_pfn == zi->end_pfn)
				continue;
			if (id * ppb >= zi->end_pfn || (id + 1) * ppb <= zi->start_pfn)
				continue;
			if (match != MHP_ZONE_NONE) {
				match = MHP_ZONE_NONE;
				break;
			}
			match = z;
		}
		b->zone = match;
	}
}

static void init_node_states(struct mhp_engine *e)
{
	for (unsigned int nid = 0; nid < e->cfg.nr_nodes; nid++) {
		const struct mhp_node *n = &e->nodes[nid];
		unsigned long kernel = 0, all = 0;

		e->node_states[MHP_N_POSSIBLE] |= 1ULL << nid;
		for (int z = 0; z < MHP_NR_ZONES; z++) {
			all += n->zones[z].present_pages;
			if (z <= MHP_ZONE_NORMAL)
				kernel += n->zones[z].present_pages;
		}
		if (all)
			e->node_states[MHP_N_MEMORY] |= 1ULL << nid;
		if (kernel)
			e->node_states[MHP_N_NORMAL_MEMORY] |= 1ULL << nid;
		if (e->cfg.cpu_nodes & (1ULL << nid))
			e->node_states[MHP_N_CPU] |= 1ULL << nid;
		if (all || n->nr_blocks || (e->cfg.cpu_nodes & (1ULL << nid)))
			node_set_online_locked(e, (int)nid, true);
	}
}

static int boot(struct mhp_engine *e)
{
	int r;

	find_zone_movable_pfns(e);
	init_zone_spans(e);
	r = create_boot_blocks(e);
	if (r < 0)
		return r;
	assign_boot_zones(e);
	init_node_states(e);

	/* The kernel numbers node and block registrations at boot; nobody hears them. */
	for (unsigned int nid = 0; nid < e->cfg.nr_nodes; nid++)
		if (e->nodes[nid].online)
			event_emit(e, MHP_KOBJ_ADD, MHP_SUBSYS_NODE, nid);
	for (unsigned long id = 0; mhp_block_next_id(e, id, &id) == 0; id++)
		event_emit(e, MHP_KOBJ_ADD, MHP_SUBSYS_MEMORY, id);
	return 0;
}

int mhp_engine_new(const struct mhp_config *cfg, struct mhp_engine **ret)
{
	struct mhp_engine *e;
	unsigned long id_bits;
	int r;

	r = check_config(cfg);
	if (r < 0)
		return r;
	e = calloc(1, sizeof(*e));
	if (!e)
		return -ENOMEM;
	e->cfg = *cfg;
	e->ev_fd = -1;
	r = copy_ranges(cfg->boot, cfg->nr_boot, &e->boot);
	if (r == 0)
		r = copy_ranges(cfg->numa, cfg->nr_numa, &e->numa);
	if (r == 0)
		r = copy_ranges(cfg->reserved, cfg->nr_reserved, &e->reserved);
	if (r < 0)
		goto fail_ranges;
	e->cfg.boot = e->boot;
	e->cfg.numa = e->numa;
	e->cfg.reserved = e->reserved;
	r = check_ranges(cfg, e->boot, cfg->nr_boot, true);
	if (r == 0)
		r = check_ranges(cfg, e->numa, cfg->nr_numa, true);
	if (r == 0)
		r = check_ranges(cfg, e->reserved, cfg->nr_reserved, false);
	if (r < 0)
		goto fail_ranges;

	e->block_shift = (unsigned int)__builtin_ctzll(cfg->block_size);
	e->pages_per_block = (unsigned long)(cfg->block_size >> MHP_PAGE_SHIFT);
	e->max_block_id = (unsigned long)((1ULL << cfg->phys_bits) >> e->block_shift);
	id_bits = cfg->phys_bits - e->block_shift;
	e->top_bits = id_bits > RADIX_LEAF_BITS + RADIX_MID_BITS ?
			      (unsigned int)(id_bits - RADIX_LEAF_BITS - RADIX_MID_BITS) :
			      0;
	e->radix = calloc(1UL << e->top_bits, sizeof(*e->radix));
	if (!e->radix) {
		r = -ENOMEM;
		goto fail_ranges;
	}

	e->auto_online = cfg->auto_online;
	e->online_policy = cfg->online_policy;
	e->auto_movable_ratio = cfg->auto_movable_ratio;
	e->auto_movable_numa_aware = cfg->auto_movable_numa_aware;

	pthread_mutex_init(&e->hotplug_lock, NULL);
	pthread_rwlock_init(&e->mem_hotplug_lock, NULL);
	pthread_mutex_init(&e->stat_lock, NULL);
	pthread_rwlock_init(&e->blocks_lock, NULL);
	pthread_mutex_init(&e->dev_wait_lock, NULL);
	pthread_cond_init(&e->dev_wait, NULL);
	pthread_mutex_init(&e->arena_lock, NULL);
	arena_init(&e->block_arena, sizeof(struct mhp_block));
	r = mhp_notifier_head_init(&e->memory_chain);
	if (r == 0)
		r = event_init(e);
	if (r < 0)
		goto fail;

	e->booting = true;
	r = boot(e);
	e->booting = false;
	if (r < 0)
		goto fail;
	*ret = e;
	return 0;

fail:
	mhp_engine_free(e);
	return r;
fail_ranges:
	free(e->boot);
	free(e->numa);
	free(e->reserved);
	free(e);
	return r;
}

void mhp_engine_free(struct mhp_engine *e)
{
	bool last;

	if (!e)
		return;
	if (e->radix) {
		for (unsigned long t = 0; t < 1UL << e->top_bits; t++) {
			struct mhp_block ***mid = e->radix[t];

			if (!mid)
				continue;
			for (unsigned long m = 0; m < RADIX_MID_SIZE; m++) {
				struct mhp_block **leaf = mid[m];

				if (!leaf)
					continue;
				for (unsigned long l = 0; l < RADIX_LEAF_SIZE; l++)
					if (leaf[l])
						mhp_block_put(leaf[l]);
				free(leaf);
			}
			free(mid);
		}
		free(e->radix);
	}
	event_fini(e);
	mhp_notifier_head_destroy(&e->memory_chain);
	pthread_cond_destroy(&e->dev_wait);
	pthread_mutex_destroy(&e->dev_wait_lock);
	pthread_rwlock_destroy(&e->blocks_lock);
	pthread_mutex_destroy(&e->stat_lock);
	pthread_rwlock_destroy(&e->mem_hotplug_lock);
	pthread_mutex_destroy(&e->hotplug_lock);
	free(e->groups);
	free(e->boot);
	free(e->numa);
	free(e->reserved);
	/* Blocks someone still holds a reference to are freed into the arena by their last put. */
	pthread_mutex_lock(&e->arena_lock);
	e->freed = true;
	last = !e->nr_live;
	pthread_mutex_unlock(&e->arena_lock);
	if (last)
		engine_release(e);
}

/* ---- the memory chain ----------------------------------------------------------------------- */

int mhp_register_memory_notifier(struct mhp_engine *e, struct mhp_notifier_block *nb)
{
	return mhp_notifier_chain_register(&e->memory_chain, nb);
}

int mhp_unregister_memory_notifier(struct mhp_engine *e, struct mhp_notifier_block *nb)
{
	return mhp_notifier_chain_unregister(&e->memory_chain, nb);
}

/* ---- parameters ----------------------------------------------------------------------------- */

int mhp_get_auto_online(struct mhp_engine *e)
{
	int v;

	pthread_mutex_lock(&e->stat_lock);
	v = e->auto_online;
	pthread_mutex_unlock(&e->stat_lock);
	return v;
}

int mhp_set_auto_online(struct mhp_engine *e, int type)
{
	if (type < MHP_MMOP_OFFLINE || type > MHP_MMOP_ONLINE_MOVABLE)
		return -EINVAL;
	pthread_mutex_lock(&e->stat_lock);
	e->auto_online = type;
	notify_change(e, MHP_CHANGE_PARAM, 0);
	pthread_mutex_unlock(&e->stat_lock);
	return 0;
}

int mhp_get_online_policy(struct mhp_engine *e)
{
	int v;

	pthread_mutex_lock(&e->stat_lock);
	v = e->online_policy;
	pthread_mutex_unlock(&e->stat_lock);
	return v;
}

int mhp_set_online_policy(struct mhp_engine *e, int policy)
{
	if (policy != MHP_POLICY_CONTIG_ZONES && policy != MHP_POLICY_AUTO_MOVABLE)
		return -EINVAL;
	pthread_mutex_lock(&e->stat_lock);
	e->online_policy = policy;
	notify_change(e, MHP_CHANGE_PARAM, 0);
	notify_change(e, MHP_CHANGE_ZONES, 0);
	pthread_mutex_unlock(&e->stat_lock);
	return 0;
}

unsigned int mhp_get_auto_movable_ratio(struct mhp_engine *e)
{
	unsigned int v;

	pthread_mutex_lock(&e->stat_lock);
	v = e->auto_movable_ratio;
	pthread_mutex_unlock(&e->stat_lock);
	return v;
}

void mhp_set_auto_movable_ratio(struct mhp_engine *e, unsigned int ratio)
{
	pthread_mutex_lock(&e->stat_lock);
	e->auto_movable_ratio = ratio;
	notify_change(e, MHP_CHANGE_PARAM, 0);
	notify_change(e, MHP_CHANGE_ZONES, 0);
	pthread_mutex_unlock(&e->stat_lock);
}

bool mhp_get_auto_movable_numa_aware(struct mhp_engine *e)
{
	bool v;

	pthread_mutex_lock(&e->stat_lock);
	v = e->auto_movable_numa_aware;
	pthread_mutex_unlock(&e->stat_lock);
	return v;
}

void mhp_set_auto_movable_numa_aware(struct mhp_engine *e, bool aware)
{
	pthread_mutex_lock(&e->stat_lock);
	e->auto_movable_numa_aware = aware;
	notify_change(e, MHP_CHANGE_PARAM, 0);
	notify_change(e, MHP_CHANGE_ZONES, 0);
	pthread_mutex_unlock(&e->stat_lock);
}

int mhp_get_memmap_on_memory(struct mhp_engine *e)
{
	return e->cfg.memmap_on_memory;
}

/* ---- memory groups -------------------------------------------------------------------------- */

static int group_register(struct mhp_engine *e, int nid, bool dynamic, unsigned long pages,
			  int *ret_id)
{
	struct mhp_group *g;
	int r = 0;

	if (nid < 0 || (unsigned int)nid >= e->cfg.nr_nodes || !pages)
		return -EINVAL;
	if (dynamic && (pages % e->pages_per_block || (pages & (pages - 1))))
		return -EINVAL;
	hotplug_lock(e);
	g = realloc(e->groups, (e->nr_groups + 1) * sizeof(*g));
	if (!g) {
		r = -ENOMEM;
		goto out;
	}
	pthread_mutex_lock(&e->stat_lock);
	e->groups = g;
	g = &e->groups[e->nr_groups];
	memset(g, 0, sizeof(*g));
	g->used = true;
	g->is_dynamic = dynamic;
	g->nid = nid;
	if (dynamic)
		g->unit_pages = pages;
	else
		g->max_pages = pages;
	*ret_id = (int)e->nr_groups++;
	pthread_mutex_unlock(&e->stat_lock);
out:
	hotplug_unlock(e);
	return r;
}

int mhp_group_register_static(struct mhp_engine *e, int nid, unsigned long max_pages, int *ret_id)
{
	return group_register(e, nid, false, max_pages, ret_id);
}

int mhp_group_register_dynamic(struct mhp_engine *e, int nid, unsigned long unit_pages, int *ret_id)
{
	return group_register(e, nid, true, unit_pages, ret_id);
}

int mhp_group_unregister(struct mhp_engine *e, int id)
{
	int r = 0;

	hotplug_lock(e);
	if (id < 0 || (unsigned int)id >= e->nr_groups || !e->groups[id].used)
		r = -EINVAL;
	else if (e->groups[id].nr_blocks)
		r = -EBUSY;
	else {
		pthread_mutex_lock(&e->stat_lock);
		e->groups[id].used = false;
		pthread_mutex_unlock(&e->stat_lock);
	}
	hotplug_unlock(e);
	return r;
}
