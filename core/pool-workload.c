// SPDX-License-Identifier: MIT
/*
 * A workload generator for the pool: keeps zones of nodes filled to given levels with a mix of
 * movable, pinned, unmovable and cache pages, and runs writer threads that keep rewriting movable
 * pages with a pattern that names the page and the write's generation, so that a lost write (a
 * page with an older generation than the last one written) or a torn one (words of different
 * generations in one page) is found by mhp_workload_verify().
 *
 * Pages are kept in segments: a tenant of SEG_PAGES pages of one kind in one zone of one node.
 * Every page of a segment is written by exactly one writer thread (page id modulo the number of
 * writers), so a page never has two writers and its expected generation is exact.
 *
 * Locks: seglock (rwlock) over the segment array and the expected generations; writers hold it
 * for reading around one page write, apply and verify hold it for writing.  Order: seglock ->
 * tenant access lock -> pool lock.
 */
#include <errno.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "pool-internal.h"

#define SEG_PAGES 256
#define MAX_WRITERS 64
#define WORDS (POOL_PAGE_SIZE / sizeof(uint64_t))

struct wl_seg {
	struct mhp_tenant *t;
	uint64_t id;
	int nid, zone, kind;
	size_t nr; /* pages 0..nr-1 were populated */
	bool pinned;
	uint32_t gen[SEG_PAGES]; /* generation last written; seglock */
};

struct wl_writer {
	struct mhp_workload *w;
	pthread_t thread;
	unsigned int n;
	uint64_t rng;
};

struct mhp_workload {
	struct mhp_pool *p;
	pthread_rwlock_t seglock;
	struct mhp_workload_params params; /* seglock */
	struct wl_seg **segs; /* seglock */
	size_t nr_segs, cap;
	uint64_t next_id;
	struct wl_writer writer[MAX_WRITERS];
	unsigned int nr_writers;
	atomic_bool stop;
	atomic_uint_fast64_t writes;
};

static uint64_t wl_word(uint64_t page_id, uint32_t gen, size_t i)
{
	return ((uint64_t)gen << 40) ^ (page_id << 12) ^ (uint64_t)i ^ 0xa5a5000000000000ULL;
}

static uint64_t xorshift(uint64_t *s)
{
	uint64_t x = *s;

	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	return *s = x;
}

static void write_page(struct wl_seg *s, size_t idx, uint32_t gen)
{
	uint64_t *page = pool_tenant_page_addr(s->t, idx);
	uint64_t id = s->id * SEG_PAGES + idx;
	size_t i;

	for (i = 0; i < WORDS; i++)
		page[i] = wl_word(id, gen, i);
}

static void *writer_main(void *arg)
{
	struct wl_writer *wr = arg;
	struct mhp_workload *w = wr->w;

	while (!atomic_load(&w->stop)) {
		struct wl_seg *s;
		size_t idx;

		pthread_rwlock_rdlock(&w->seglock);
		if (!w->nr_segs) {
			pthread_rwlock_unlock(&w->seglock);
			usleep(1000);
			continue;
		}
		s = w->segs[xorshift(&wr->rng) % w->nr_segs];
		idx = (size_t)(xorshift(&wr->rng) % SEG_PAGES);
		if (s->kind != MHP_PAGE_MOVABLE || idx >= s->nr ||
		    (s->id * SEG_PAGES + idx) % w->nr_writers != wr->n) {
			pthread_rwlock_unlock(&w->seglock);
			continue;
		}
		mhp_tenant_access_begin(s->t);
		/* A page lost to memory failure is unmapped: writing it would fault. */
		if (s->t->pfn[idx] == NO_PFN) {
			mhp_tenant_access_end(s->t);
			pthread_rwlock_unlock(&w->seglock);
			continue;
		}
		write_page(s, idx, s->gen[idx] + 1);
		s->gen[idx]++;
		mhp_tenant_access_end(s->t);
		pthread_rwlock_unlock(&w->seglock);
		atomic_fetch_add(&w->writes, 1);
	}
	return NULL;
}

static int check_params(const struct mhp_workload_params *params)
{
	unsigned int n, z;

	if (params->unmovable_pct > 100 || params->pinned_pct > 100 || params->cache_pct > 100 ||
	    params->unmovable_pct + params->cache_pct > 100 || params->writers > MAX_WRITERS)
		return -EINVAL;
	for (n = 0; n < MHP_MAX_NUMNODES; n++)
		for (z = 0; z < MHP_NR_ZONES; z++)
			if (params->fill[n][z] > 100)
				return -EINVAL;
	return 0;
}

static void seg_free(struct wl_seg *s)
{
	if (!s)
		return;
	mhp_tenant_free(s->t);
	free(s);
}

static void seg_del_locked(struct mhp_workload *w, size_t i)
{
	seg_free(w->segs[i]);
	w->segs[i] = w->segs[--w->nr_segs];
}

static int seg_add_locked(struct mhp_workload *w, int nid, int zone, int kind, size_t nr, bool pin)
{
	struct wl_seg *s;
	size_t i;
	int r;

	if (w->nr_segs == w->cap) {
		size_t cap = w->cap ? w->cap * 2 : 64;
		struct wl_seg **v = realloc(w->segs, cap * sizeof(*v));

		if (!v)
			return -ENOMEM;
		w->segs = v;
		w->cap = cap;
	}
	s = calloc(1, sizeof(*s));
	if (!s)
		return -ENOMEM;
	r = mhp_tenant_new(w->p, SEG_PAGES, &s->t);
	if (r < 0) {
		free(s);
		return r;
	}
	r = pool_tenant_populate_zone(s->t, 0, nr, kind, nid, zone);
	if (r < 0) {
		seg_free(s);
		return r;
	}
	s->id = w->next_id++;
	s->nid = nid;
	s->zone = zone;
	s->kind = kind;
	s->nr = nr;
	mhp_tenant_access_begin(s->t);
	for (i = 0; i < nr; i++) {
		write_page(s, i, 1);
		s->gen[i] = 1;
	}
	mhp_tenant_access_end(s->t);
	if (pin && mhp_tenant_pin(s->t, 0, nr) == 0)
		s->pinned = true;
	w->segs[w->nr_segs++] = s;
	return 0;
}

/* Pages a segment holds now (cache pages may have been dropped). */
static size_t seg_present(struct wl_seg *s)
{
	struct mhp_tenant_stats st;

	mhp_tenant_stats(s->t, &st);
	return st.present;
}

static int apply_zone_locked(struct mhp_workload *w, int nid, int zone)
{
	const struct mhp_workload_params *pa = &w->params;
	unsigned long total = pool_zone_total(w->p, nid, zone);
	unsigned long target = total * pa->fill[nid][zone] / 100;
	unsigned long cur = 0, kind_cur[MHP_NR_PAGE_KINDS] = { 0 }, kind_want[MHP_NR_PAGE_KINDS];
	unsigned long pinned = 0;
	bool kernel = zone != MHP_ZONE_MOVABLE;
	size_t i;

	for (i = 0; i < w->nr_segs;) {
		struct wl_seg *s = w->segs[i];
		size_t n;

		if (s->nid != nid || s->zone != zone) {
			i++;
			continue;
		}
		n = seg_present(s);
		if (!n) {
			seg_del_locked(w, i);
			continue;
		}
		cur += n;
		kind_cur[s->kind] += n;
		if (s->pinned)
			pinned += n;
		i++;
	}
	/* Too much: free whole segments from the end of the array. */
	for (i = w->nr_segs; i-- > 0 && cur > target;) {
		struct wl_seg *s = w->segs[i];

		if (s->nid != nid || s->zone != zone)
			continue;
		cur -= seg_present(s);
		seg_del_locked(w, i);
	}
	kind_want[MHP_PAGE_UNMOVABLE] = kernel ? target * pa->unmovable_pct / 100 : 0;
	kind_want[MHP_PAGE_CACHE] = target * pa->cache_pct / 100;
	while (cur < target) {
		unsigned long n = target - cur < SEG_PAGES ? target - cur : SEG_PAGES;
		int kind = MHP_PAGE_MOVABLE, r;
		bool pin = false;

		if (kind_cur[MHP_PAGE_UNMOVABLE] < kind_want[MHP_PAGE_UNMOVABLE]) {
			kind = MHP_PAGE_UNMOVABLE;
			n = n < kind_want[kind] - kind_cur[kind] ? n :
								   kind_want[kind] - kind_cur[kind];
		} else if (kind_cur[MHP_PAGE_CACHE] < kind_want[MHP_PAGE_CACHE]) {
			kind = MHP_PAGE_CACHE;
			n = n < kind_want[kind] - kind_cur[kind] ? n :
								   kind_want[kind] - kind_cur[kind];
		} else if (kernel &&
			   pinned * 100 < (kind_cur[MHP_PAGE_MOVABLE] + n) * pa->pinned_pct) {
			/* Pins only in kernel zones: a pin in Movable would move the page out. */
			pin = true;
		}
		r = seg_add_locked(w, nid, zone, kind, n, pin);
		if (r < 0)
			return r;
		cur += n;
		kind_cur[kind] += n;
		if (pin)
			pinned += n;
	}
	return 0;
}

int mhp_workload_apply(struct mhp_workload *w)
{
	unsigned int nid;
	int zone, ret = 0;

	pthread_rwlock_wrlock(&w->seglock);
	for (nid = 0; nid < w->p->nr_nodes; nid++) {
		for (zone = 0; zone < MHP_NR_ZONES; zone++) {
			int r = apply_zone_locked(w, (int)nid, zone);

			ret = ret ?: r;
		}
	}
	pthread_rwlock_unlock(&w->seglock);
	return ret;
}

int mhp_workload_verify(struct mhp_workload *w, size_t *ret_pages)
{
	size_t i, idx, k, pages = 0;
	int ret = 0;

	pthread_rwlock_wrlock(&w->seglock);
	for (i = 0; i < w->nr_segs && !ret; i++) {
		struct wl_seg *s = w->segs[i];

		mhp_tenant_access_begin(s->t);
		for (idx = 0; idx < s->nr && !ret; idx++) {
			const uint64_t *page = pool_tenant_page_addr(s->t, idx);
			uint64_t id = s->id * SEG_PAGES + idx;

			if (mhp_tenant_page_present(s->t, idx) != 1)
				continue; /* a dropped cache page */
			for (k = 0; k < WORDS; k++) {
				if (page[k] != wl_word(id, s->gen[idx], k)) {
					ret = -EIO;
					break;
				}
			}
			pages++;
		}
		mhp_tenant_access_end(s->t);
	}
	pthread_rwlock_unlock(&w->seglock);
	if (!ret && ret_pages)
		*ret_pages = pages;
	return ret;
}

uint64_t mhp_workload_writes(struct mhp_workload *w)
{
	return atomic_load(&w->writes);
}

int mhp_workload_set(struct mhp_workload *w, const struct mhp_workload_params *params)
{
	int r = check_params(params);

	if (r < 0)
		return r;
	pthread_rwlock_wrlock(&w->seglock);
	w->params = *params;
	w->params.writers = w->nr_writers;
	pthread_rwlock_unlock(&w->seglock);
	return 0;
}

int mhp_workload_new(struct mhp_pool *p, const struct mhp_workload_params *params,
		     struct mhp_workload **ret)
{
	pthread_rwlockattr_t attr;
	struct mhp_workload *w;
	unsigned int i;
	int r = check_params(params);

	if (r < 0)
		return r;
	w = calloc(1, sizeof(*w));
	if (!w)
		return -ENOMEM;
	w->p = p;
	w->params = *params;
	/* Writer preference, so apply and verify get in between the writer threads. */
	pthread_rwlockattr_init(&attr);
	pthread_rwlockattr_setkind_np(&attr, PTHREAD_RWLOCK_PREFER_WRITER_NONRECURSIVE_NP);
	pthread_rwlock_init(&w->seglock, &attr);
	pthread_rwlockattr_destroy(&attr);
	/* The page partition among writers needs their final number before the first starts. */
	w->nr_writers = params->writers;
	for (i = 0; i < params->writers; i++) {
		struct wl_writer *wr = &w->writer[i];

		wr->w = w;
		wr->n = i;
		wr->rng = (params->seed ^ 0x2545f4914f6cdd1dULL) + 0x9e3779b97f4a7c15ULL * (i + 1);
		r = pthread_create(&wr->thread, NULL, writer_main, wr);
		if (r) {
			atomic_store(&w->stop, true);
			while (i-- > 0)
				pthread_join(w->writer[i].thread, NULL);
			w->nr_writers = 0;
			mhp_workload_free(w);
			return -r;
		}
	}
	*ret = w;
	return 0;
}

void mhp_workload_free(struct mhp_workload *w)
{
	unsigned int i;

	if (!w)
		return;
	atomic_store(&w->stop, true);
	for (i = 0; i < w->nr_writers; i++)
		pthread_join(w->writer[i].thread, NULL);
	while (w->nr_segs)
		seg_del_locked(w, w->nr_segs - 1);
	free(w->segs);
	pthread_rwlock_destroy(&w->seglock);
	free(w);
}
