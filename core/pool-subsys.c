// SPDX-License-Identifier: MIT
/*
 * Built-in users of the pool that sit on the memory notifier chain, so that the chain is never
 * empty and an offline has the kernel's side effects:
 *
 *  - a slab-like object cache (mm/slub.c's memory callback, priority SLAB_CALLBACK_PRI): its
 *    per-node structure is created when a node gets its first memory (status_change_nid on
 *    MEM_GOING_ONLINE; a failure vetoes the online as in the kernel), its empty slabs are given
 *    back on MEM_GOING_OFFLINE, and its objects live on unmovable pages, so a block holding a
 *    used slab fails isolation with EBUSY;
 *  - a page-cache-like pool of clean file pages (priority DEFAULT): on MEM_GOING_OFFLINE it drops
 *    its pages of the range instead of letting them be migrated, as reclaim would.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "pool-internal.h"

#define SLAB_MAX_PAGES 16384 /* 64 MiB of slab */
#define SLAB_OBJS (POOL_PAGE_SIZE / MHP_SLAB_OBJECT_SIZE)
#define PCACHE_MAX_PAGES 65536 /* 256 MiB of file */

/* A slab page, indexed like the slab tenant's pages. */
struct slab_meta {
	int32_t next; /* partial list of its node, -1 at the end */
	int16_t nid;
	uint16_t inuse;
	uint16_t free_mask; /* bit set: object free */
	bool used; /* the tenant page is populated */
	bool on_partial;
};

struct kmem_node {
	unsigned long nr_slabs;
};

struct pool_slab {
	pthread_mutex_t lock;
	struct mhp_pool *pool;
	struct mhp_tenant *t;
	struct slab_meta *meta;
	int32_t partial[MHP_MAX_NUMNODES];
	int32_t *free_idx; /* stack of unused tenant pages */
	size_t nr_free_idx;
	struct kmem_node *node[MHP_MAX_NUMNODES];
	struct mhp_notifier_block nb;
};

struct pool_pcache {
	pthread_mutex_t lock;
	struct mhp_pool *pool;
	struct mhp_tenant *t;
	size_t nr; /* file pages read so far */
	struct mhp_notifier_block nb;
};

/* ---- slab ------------------------------------------------------------------------------------- */

static int slab_node_up_locked(struct pool_slab *s, int nid)
{
	if (s->node[nid])
		return 0;
	s->node[nid] = calloc(1, sizeof(*s->node[nid]));
	return s->node[nid] ? 0 : -ENOMEM;
}

static unsigned long slab_shrink_locked(struct pool_slab *s)
{
	unsigned long freed = 0;
	unsigned int nid;

	for (nid = 0; nid < s->pool->nr_nodes; nid++) {
		int32_t *pp = &s->partial[nid];

		while (*pp >= 0) {
			struct slab_meta *m = &s->meta[*pp];
			int32_t idx = *pp;

			if (m->inuse || mhp_tenant_release(s->t, (size_t)idx, 1) < 0) {
				pp = &m->next;
				continue;
			}
			*pp = m->next;
			memset(m, 0, sizeof(*m));
			m->next = -1;
			s->free_idx[s->nr_free_idx++] = idx;
			if (s->node[nid])
				s->node[nid]->nr_slabs--;
			freed++;
		}
	}
	return freed;
}

static int slab_callback(struct mhp_notifier_block *nb, unsigned long action, void *data)
{
	struct pool_slab *s =
		(struct pool_slab *)(void *)((char *)nb - offsetof(struct pool_slab, nb));
	const struct mhp_memory_notify *arg = data;
	int ret = 0;

	pthread_mutex_lock(&s->lock);
	switch (action) {
	case MHP_MEM_GOING_ONLINE:
		/* A node getting its first memory needs its per-node structure first. */
		if (arg->status_change_nid >= 0 &&
		    (unsigned int)arg->status_change_nid < s->pool->nr_nodes)
			ret = slab_node_up_locked(s, arg->status_change_nid);
		break;
	case MHP_MEM_GOING_OFFLINE:
		slab_shrink_locked(s);
		break;
	default:
		/* The kernel keeps the per-node structure after the node's last memory left. */
		break;
	}
	pthread_mutex_unlock(&s->lock);
	return mhp_notifier_from_errno(ret);
}

int mhp_slab_alloc(struct mhp_pool *p, int nid, void **ret)
{
	struct pool_slab *s = p->slab;
	struct slab_meta *m;
	unsigned int slot;
	int32_t idx;
	int r;

	if (!s)
		return -ENOMEM;
	if (nid == MHP_NUMA_NO_NODE)
		nid = 0;
	if (nid < 0 || (unsigned int)nid >= p->nr_nodes)
		return -EINVAL;
	pthread_mutex_lock(&s->lock);
	for (idx = s->partial[nid]; idx >= 0 && !s->meta[idx].free_mask; idx = s->meta[idx].next)
		;
	if (idx < 0) {
		if (!s->nr_free_idx) {
			pthread_mutex_unlock(&s->lock);
			return -ENOMEM;
		}
		idx = s->free_idx[s->nr_free_idx - 1];
		r = mhp_tenant_populate(s->t, (size_t)idx, 1, MHP_PAGE_UNMOVABLE, nid);
		if (r < 0) {
			pthread_mutex_unlock(&s->lock);
			return r;
		}
		s->nr_free_idx--;
		m = &s->meta[idx];
		m->used = true;
		m->nid = (int16_t)nid;
		m->inuse = 0;
		m->free_mask = (uint16_t)((1U << SLAB_OBJS) - 1);
		m->next = s->partial[nid];
		m->on_partial = true;
		s->partial[nid] = idx;
		if (s->node[nid])
			s->node[nid]->nr_slabs++;
	}
	m = &s->meta[idx];
	slot = (unsigned int)__builtin_ctz(m->free_mask);
	m->free_mask &= (uint16_t) ~(1U << slot);
	m->inuse++;
	pthread_mutex_unlock(&s->lock);
	*ret = (char *)pool_tenant_page_addr(s->t, (size_t)idx) + slot * MHP_SLAB_OBJECT_SIZE;
	/* Slab pages are unmovable and never dropped: no access section needed. */
	memset(*ret, 0, MHP_SLAB_OBJECT_SIZE);
	return 0;
}

int mhp_slab_free(struct mhp_pool *p, void *obj)
{
	struct pool_slab *s = p->slab;
	unsigned char *base;
	size_t off, idx;
	unsigned int slot;
	int ret = -EINVAL;

	if (!obj)
		return 0;
	if (!s)
		return -EINVAL;
	base = mhp_tenant_base(s->t);
	if ((unsigned char *)obj < base ||
	    (unsigned char *)obj >= base + (size_t)SLAB_MAX_PAGES * POOL_PAGE_SIZE)
		return -EINVAL;
	off = (size_t)((unsigned char *)obj - base);
	if (off % MHP_SLAB_OBJECT_SIZE)
		return -EINVAL;
	idx = off / POOL_PAGE_SIZE;
	slot = (unsigned int)(off % POOL_PAGE_SIZE / MHP_SLAB_OBJECT_SIZE);
	pthread_mutex_lock(&s->lock);
	if (s->meta[idx].used && !(s->meta[idx].free_mask & (1U << slot))) {
		s->meta[idx].free_mask |= (uint16_t)(1U << slot);
		s->meta[idx].inuse--;
		ret = 0;
	}
	pthread_mutex_unlock(&s->lock);
	return ret;
}

unsigned long mhp_slab_shrink(struct mhp_pool *p)
{
	unsigned long freed;

	if (!p->slab)
		return 0;
	pthread_mutex_lock(&p->slab->lock);
	freed = slab_shrink_locked(p->slab);
	pthread_mutex_unlock(&p->slab->lock);
	return freed;
}

bool mhp_slab_node_ready(struct mhp_pool *p, int nid)
{
	bool ready;

	if (!p->slab || nid < 0 || (unsigned int)nid >= p->nr_nodes)
		return false;
	pthread_mutex_lock(&p->slab->lock);
	ready = p->slab->node[nid] != NULL;
	pthread_mutex_unlock(&p->slab->lock);
	return ready;
}

static void slab_free(struct pool_slab *s)
{
	unsigned int n;

	if (!s)
		return;
	mhp_tenant_free(s->t);
	for (n = 0; n < MHP_MAX_NUMNODES; n++)
		free(s->node[n]);
	free(s->meta);
	free(s->free_idx);
	pthread_mutex_destroy(&s->lock);
	free(s);
}

static int slab_new(struct mhp_pool *p, struct pool_slab **ret)
{
	struct pool_slab *s = calloc(1, sizeof(*s));
	int32_t i;
	int r;

	if (!s)
		return -ENOMEM;
	s->pool = p;
	pthread_mutex_init(&s->lock, NULL);
	s->meta = calloc(SLAB_MAX_PAGES, sizeof(*s->meta));
	s->free_idx = malloc(SLAB_MAX_PAGES * sizeof(*s->free_idx));
	if (!s->meta || !s->free_idx) {
		slab_free(s);
		return -ENOMEM;
	}
	/* Lowest index on top, so slabs fill the region from its start. */
	for (i = 0; i < SLAB_MAX_PAGES; i++)
		s->free_idx[i] = SLAB_MAX_PAGES - 1 - i;
	s->nr_free_idx = SLAB_MAX_PAGES;
	for (i = 0; i < MHP_MAX_NUMNODES; i++)
		s->partial[i] = -1;
	r = pool_tenant_new(p, SLAB_MAX_PAGES, true, &s->t);
	if (r < 0) {
		slab_free(s);
		return r;
	}
	s->nb.notifier_call = slab_callback;
	s->nb.priority = MHP_SLAB_CALLBACK_PRI;
	*ret = s;
	return 0;
}

/* ---- page cache ------------------------------------------------------------------------------- */

/* The pattern of a file page: every 64-bit word names its page and its position. */
static uint64_t pcache_word(size_t idx, size_t w)
{
	return ((uint64_t)idx << 32) ^ (w * 0x9e3779b97f4a7c15ULL) ^ 0x5ca1ab1e;
}

static int pcache_callback(struct mhp_notifier_block *nb, unsigned long action, void *data)
{
	struct pool_pcache *c =
		(struct pool_pcache *)(void *)((char *)nb - offsetof(struct pool_pcache, nb));
	const struct mhp_memory_notify *arg = data;

	/* Clean pages are cheaper to drop than to copy; whoever reads them again re-reads them. */
	if (action == MHP_MEM_GOING_OFFLINE)
		mhp_pool_drop_cache(c->pool, arg->start_pfn, arg->nr_pages);
	return MHP_NOTIFY_OK;
}

int mhp_pcache_fill(struct mhp_pool *p, int nid, size_t nr)
{
	struct pool_pcache *c = p->pcache;
	size_t i, w;
	int ret = 0;

	if (!c || (nid != MHP_NUMA_NO_NODE && (nid < 0 || (unsigned int)nid >= p->nr_nodes)))
		return -EINVAL;
	pthread_mutex_lock(&c->lock);
	if (nr > PCACHE_MAX_PAGES - c->nr) {
		ret = -ENOMEM;
		goto out;
	}
	for (i = 0; i < nr; i++) {
		size_t idx = c->nr;
		uint64_t *page;

		ret = mhp_tenant_populate(c->t, idx, 1, MHP_PAGE_CACHE, nid);
		if (ret < 0)
			break;
		mhp_tenant_access_begin(c->t);
		page = pool_tenant_page_addr(c->t, idx);
		for (w = 0; w < POOL_PAGE_SIZE / sizeof(uint64_t); w++)
			page[w] = pcache_word(idx, w);
		mhp_tenant_access_end(c->t);
		c->nr++;
	}
out:
	pthread_mutex_unlock(&c->lock);
	return ret;
}

int mhp_pcache_verify(struct mhp_pool *p, size_t *ret_cached)
{
	struct pool_pcache *c = p->pcache;
	size_t idx, w, cached = 0;
	int ret = 0;

	if (!c)
		return -EINVAL;
	pthread_mutex_lock(&c->lock);
	/* The access section keeps drops away while a page is compared. */
	mhp_tenant_access_begin(c->t);
	for (idx = 0; idx < c->nr && !ret; idx++) {
		const uint64_t *page = pool_tenant_page_addr(c->t, idx);

		if (mhp_tenant_page_present(c->t, idx) != 1)
			continue;
		cached++;
		for (w = 0; w < POOL_PAGE_SIZE / sizeof(uint64_t); w++) {
			if (page[w] != pcache_word(idx, w)) {
				ret = -EIO;
				break;
			}
		}
	}
	mhp_tenant_access_end(c->t);
	pthread_mutex_unlock(&c->lock);
	if (!ret && ret_cached)
		*ret_cached = cached;
	return ret;
}

static void pcache_free(struct pool_pcache *c)
{
	if (!c)
		return;
	mhp_tenant_free(c->t);
	pthread_mutex_destroy(&c->lock);
	free(c);
}

static int pcache_new(struct mhp_pool *p, struct pool_pcache **ret)
{
	struct pool_pcache *c = calloc(1, sizeof(*c));
	int r;

	if (!c)
		return -ENOMEM;
	c->pool = p;
	pthread_mutex_init(&c->lock, NULL);
	r = mhp_tenant_new(p, PCACHE_MAX_PAGES, &c->t);
	if (r < 0) {
		pthread_mutex_destroy(&c->lock);
		free(c);
		return r;
	}
	c->nb.notifier_call = pcache_callback;
	c->nb.priority = MHP_DEFAULT_CALLBACK_PRI;
	*ret = c;
	return 0;
}

/* ---- registration ----------------------------------------------------------------------------- */

int mhp_pool_register_subsystems(struct mhp_pool *p, struct mhp_engine *e)
{
	struct pool_slab *s = NULL;
	struct pool_pcache *c = NULL;
	unsigned int nid;
	int r;

	if (p->sub_engine)
		return -EALREADY;
	if (p->slab) {
		/* Registered before and unregistered since: the caches are still there. */
		r = mhp_register_memory_notifier(e, &p->slab->nb);
		if (r < 0)
			return r;
		r = mhp_register_memory_notifier(e, &p->pcache->nb);
		if (r < 0) {
			mhp_unregister_memory_notifier(e, &p->slab->nb);
			return r;
		}
		p->sub_engine = e;
		return 0;
	}
	r = slab_new(p, &s);
	if (r < 0)
		return r;
	r = pcache_new(p, &c);
	if (r < 0)
		goto err;
	/* Nodes that have memory already got it before we listened: set them up now. */
	for (nid = 0; nid < p->nr_nodes; nid++) {
		struct mhp_pool_meminfo mi;

		if (!mhp_pool_meminfo(p, (int)nid, &mi) && mi.total) {
			r = slab_node_up_locked(s, (int)nid);
			if (r < 0)
				goto err;
		}
	}
	p->slab = s;
	p->pcache = c;
	r = mhp_register_memory_notifier(e, &s->nb);
	if (r < 0)
		goto err_unpublish;
	r = mhp_register_memory_notifier(e, &c->nb);
	if (r < 0) {
		mhp_unregister_memory_notifier(e, &s->nb);
		goto err_unpublish;
	}
	p->sub_engine = e;
	return 0;

err_unpublish:
	p->slab = NULL;
	p->pcache = NULL;
err:
	slab_free(s);
	pcache_free(c);
	return r;
}

void mhp_pool_unregister_subsystems(struct mhp_pool *p)
{
	if (!p->sub_engine)
		return;
	mhp_unregister_memory_notifier(p->sub_engine, &p->pcache->nb);
	mhp_unregister_memory_notifier(p->sub_engine, &p->slab->nb);
	p->sub_engine = NULL;
}

void pool_subsys_free(struct mhp_pool *p)
{
	/* The engine is gone by now (it is freed first), so there is nothing to unregister from. */
	p->sub_engine = NULL;
	slab_free(p->slab);
	pcache_free(p->pcache);
	p->slab = NULL;
	p->pcache = NULL;
}
