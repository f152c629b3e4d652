// SPDX-License-Identifier: MIT
/*
 * Zones and nodes (SPEC §3, §4.3): which zone an online request lands in under contig-zones and
 * auto-movable, the valid_zones text, zone spans that grow on online and shrink only at the edges,
 * page accounting and the N_MEMORY / N_NORMAL_MEMORY transitions.  Everything here runs with
 * stat_lock held.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "engine-internal.h"
#include "engine-priv.h"

static const char *const zone_names[MHP_NR_ZONES] = {
	[MHP_ZONE_DMA] = "DMA",
	[MHP_ZONE_DMA32] = "DMA32",
	[MHP_ZONE_NORMAL] = "Normal",
	[MHP_ZONE_MOVABLE] = "Movable",
};

const char *mhp_zone_name(int zone)
{
	if (zone < 0 || zone >= MHP_NR_ZONES)
		return "none";
	return zone_names[zone];
}

static bool zone_is_empty(const struct mhp_zone_info *z)
{
	return z->start_pfn == z->end_pfn;
}

static bool zone_populated(const struct mhp_zone_info *z)
{
	return z->present_pages != 0;
}

/* zone_intersects(): the zone's span, holes included, overlaps the range. */
static bool zone_intersects(const struct mhp_zone_info *z, unsigned long pfn, unsigned long nr)
{
	if (zone_is_empty(z))
		return false;
	return pfn < z->end_pfn && pfn + nr > z->start_pfn;
}

/* The first zone below Normal that the range intersects, else Normal. */
static int default_kernel_zone(struct mhp_engine *e, int nid, unsigned long pfn, unsigned long nr)
{
	for (int zid = MHP_ZONE_DMA; zid < MHP_ZONE_NORMAL; zid++)
		if (zone_intersects(&e->nodes[nid].zones[zid], pfn, nr))
			return zid;
	return MHP_ZONE_NORMAL;
}

static int contig_zone(struct mhp_engine *e, int nid, unsigned long pfn, unsigned long nr)
{
	int kernel_zone = default_kernel_zone(e, nid, pfn, nr);
	bool in_kernel = zone_intersects(&e->nodes[nid].zones[kernel_zone], pfn, nr);
	bool in_movable = zone_intersects(&e->nodes[nid].zones[MHP_ZONE_MOVABLE], pfn, nr);

	/* Inside exactly one of them: stay contiguous.  Neither or both: the fallback decides. */
	if (in_kernel != in_movable)
		return in_kernel ? kernel_zone : MHP_ZONE_MOVABLE;
	return e->cfg.movable_node ? MHP_ZONE_MOVABLE : kernel_zone;
}

struct movable_stats {
	unsigned long kernel_early_pages;
	unsigned long movable_pages;
};

static void stats_account_node(struct mhp_engine *e, int nid, struct movable_stats *s)
{
	for (int zid = 0; zid < MHP_NR_ZONES; zid++) {
		const struct mhp_zone_info *z = &e->nodes[nid].zones[zid];

		if (!zone_populated(z))
			continue;
		/* No CMA is emulated, so nothing of the kernel zones counts as movable. */
		if (zid == MHP_ZONE_MOVABLE)
			s->movable_pages += z->present_pages;
		else
			s->kernel_early_pages += z->present_early_pages;
	}
}

/* auto_movable_can_online_movable(): would @nr_pages more Movable pages keep the ratio? */
static bool can_online_movable(struct mhp_engine *e, int nid, int group, unsigned long nr_pages)
{
	unsigned long req_kernel_early = 0, group_movable = 0;
	struct movable_stats s = { 0 };
	unsigned long kernel_early, movable;

	if (nid == MHP_NUMA_NO_NODE) {
		for (unsigned int n = 0; n < e->cfg.nr_nodes; n++)
			stats_account_node(e, (int)n, &s);
	} else {
		stats_account_node(e, nid, &s);
	}

	/* Kernel memory inside other dynamic groups only pays for their own Movable memory. */
	for (unsigned int g = 0; g < e->nr_groups; g++) {
		const struct mhp_group *grp = &e->groups[g];
		long pages;

		if (!grp->used || !grp->is_dynamic || (int)g == group)
			continue;
		if (nid != MHP_NUMA_NO_NODE && grp->nid != nid)
			continue;
		if (!e->auto_movable_ratio)
			continue;
		pages = (long)(grp->present_movable_pages * 100 / e->auto_movable_ratio) -
			(long)grp->present_kernel_pages;
		if (pages > 0)
			req_kernel_early += (unsigned long)pages;
		group_movable += grp->present_movable_pages;
	}

	kernel_early = s.kernel_early_pages;
	movable = s.movable_pages;
	if (kernel_early <= req_kernel_early)
		return false;
	kernel_early -= req_kernel_early;
	movable -= group_movable;
	if (group >= 0 && e->groups[group].is_dynamic)
		kernel_early += e->groups[group].present_kernel_pages;

	movable += nr_pages;
	return movable <= (unsigned long)e->auto_movable_ratio * kernel_early / 100;
}

static int auto_movable_zone(struct mhp_engine *e, int nid, int group, unsigned long pfn,
			     unsigned long nr_pages)
{
	unsigned long online_pages = 0, max_pages;
	const struct mhp_group *grp = group >= 0 ? &e->groups[group] : NULL;

	if (!e->auto_movable_ratio)
		goto kernel_zone;

	if (grp && !grp->is_dynamic) {
		max_pages = grp->max_pages;
		online_pages = grp->present_movable_pages;
		/* If anything of the device is in a kernel zone, keep the rest there too. */
		if (grp->present_kernel_pages)
			goto kernel_zone;
	} else if (!grp || grp->unit_pages == nr_pages) {
		max_pages = nr_pages;
	} else {
		unsigned long first = pfn & ~(grp->unit_pages - 1);

		max_pages = grp->unit_pages;
		for (unsigned long id = first / e->pages_per_block;
		     id < (first + grp->unit_pages) / e->pages_per_block; id++) {
			struct mhp_block *b = block_lookup_locked_stat(e, id);

			if (!b || b->zone < 0 || atomic_load(&b->state) != MHP_STATE_ONLINE)
				continue;
			if (b->zone != MHP_ZONE_MOVABLE)
				goto kernel_zone;
			online_pages += e->pages_per_block;
		}
	}

	/* Movable if all of the rest could currently go Movable too. */
	nr_pages = max_pages - online_pages;
	if (!can_online_movable(e, MHP_NUMA_NO_NODE, group, nr_pages))
		goto kernel_zone;
	if (e->auto_movable_numa_aware && !can_online_movable(e, nid, group, nr_pages))
		goto kernel_zone;
	return MHP_ZONE_MOVABLE;

kernel_zone:
	return default_kernel_zone(e, nid, pfn, nr_pages);
}

int zone_for_locked(struct mhp_engine *e, int type, int nid, int group, unsigned long pfn,
		    unsigned long nr)
{
	if (type == MHP_MMOP_ONLINE_KERNEL)
		return default_kernel_zone(e, nid, pfn, nr);
	if (type == MHP_MMOP_ONLINE_MOVABLE)
		return MHP_ZONE_MOVABLE;
	if (e->online_policy == MHP_POLICY_AUTO_MOVABLE)
		return auto_movable_zone(e, nid, group, pfn, nr);
	return contig_zone(e, nid, pfn, nr);
}

int mhp_block_valid_zones(struct mhp_engine *e, struct mhp_block *b, char *buf, size_t len)
{
	unsigned long pfn = b->id * e->pages_per_block, nr = e->pages_per_block;
	int n, def, other;

	pthread_mutex_lock(&e->stat_lock);
	if (atomic_load(&b->removed)) {
		n = -ENODEV;
		goto out;
	}
	if (atomic_load(&b->state) == MHP_STATE_ONLINE) {
		n = snprintf(buf, len, "%s\n", mhp_zone_name(b->zone));
		goto check;
	}
	/* Offline or going offline: the default zone first, then only the zones that differ. */
	def = zone_for_locked(e, MHP_MMOP_ONLINE, b->nid, b->group, pfn, nr);
	n = snprintf(buf, len, "%s", mhp_zone_name(def));
	if (n < 0 || (size_t)n >= len)
		goto check;
	other = zone_for_locked(e, MHP_MMOP_ONLINE_KERNEL, b->nid, b->group, pfn, nr);
	if (other != def)
		n += snprintf(buf + n, len - (size_t)n, " %s", mhp_zone_name(other));
	if (n < 0 || (size_t)n >= len)
		goto check;
	if (def != MHP_ZONE_MOVABLE)
		n += snprintf(buf + n, len - (size_t)n, " %s", mhp_zone_name(MHP_ZONE_MOVABLE));
	if (n < 0 || (size_t)n >= len)
		goto check;
	n += snprintf(buf + n, len - (size_t)n, "\n");
check:
	if (n >= 0 && (size_t)n >= len)
		n = -ENOSPC;
out:
	pthread_mutex_unlock(&e->stat_lock);
	return n;
}

/* move_pfn_range_to_zone(): the zone's span grows to cover the range. */
void zone_grow_locked(struct mhp_engine *e, int nid, int zid, unsigned long pfn, unsigned long nr)
{
	struct mhp_zone_info *z = &e->nodes[nid].zones[zid];

	if (zone_is_empty(z)) {
		z->start_pfn = pfn;
		z->end_pfn = pfn + nr;
		return;
	}
	if (pfn < z->start_pfn)
		z->start_pfn = pfn;
	if (pfn + nr > z->end_pfn)
		z->end_pfn = pfn + nr;
}

/* Does online (or going-offline) block @b hold pages of zone @zid on node @nid? */
static bool block_in_zone(struct mhp_engine *e, const struct mhp_block *b, int nid, int zid)
{
	if (atomic_load(&b->state) == MHP_STATE_OFFLINE)
		return false;
	if (!(b->node_mask & (1ULL << nid)))
		return false;
	if (b->zone == zid)
		return true;
	/* A boot block spanning zones or nodes is online for good and holds pages of each. */
	return b->zone == MHP_ZONE_NONE && b->early && (b->boot_zone_mask & (1U << zid));
}

/*
 * shrink_zone_span(): offlining a block at either edge of the span moves that edge to the nearest
 * online block of the same zone and node; a block in the middle leaves the span alone.
 */
void zone_shrink_locked(struct mhp_engine *e, int nid, int zid, unsigned long pfn, unsigned long nr,
			const struct mhp_block *skip)
{
	struct mhp_zone_info *z = &e->nodes[nid].zones[zid];
	unsigned long ppb = e->pages_per_block;
	unsigned long first_id, last_id;

	if (zone_is_empty(z))
		return;
	first_id = z->start_pfn / ppb;
	last_id = (z->end_pfn - 1) / ppb;

	if (pfn <= z->start_pfn) {
		for (unsigned long id = (pfn + nr) / ppb; id <= last_id; id++) {
			struct mhp_block *b = block_lookup_locked_stat(e, id);

			if (!b || b == skip || !block_in_zone(e, b, nid, zid))
				continue;
			z->start_pfn = id * ppb > z->start_pfn ? id * ppb : z->start_pfn;
			return;
		}
		z->start_pfn = z->end_pfn = 0;
	} else if (pfn + nr >= z->end_pfn) {
		for (unsigned long id = pfn / ppb; id-- > first_id;) {
			struct mhp_block *b = block_lookup_locked_stat(e, id);

			if (!b || b == skip || !block_in_zone(e, b, nid, zid))
				continue;
			z->end_pfn = (id + 1) * ppb < z->end_pfn ? (id + 1) * ppb : z->end_pfn;
			return;
		}
		z->start_pfn = z->end_pfn = 0;
	}
}

/* adjust_present_page_count(): zone, early and group counters move together. */
void adjust_present_locked(struct mhp_engine *e, const struct mhp_block *b, int zid, long nr)
{
	struct mhp_zone_info *z = &e->nodes[b->nid].zones[zid];

	z->present_pages += (unsigned long)nr;
	if (b->early)
		z->present_early_pages += (unsigned long)nr;
	if (b->group >= 0) {
		struct mhp_group *g = &e->groups[b->group];

		if (zid == MHP_ZONE_MOVABLE)
			g->present_movable_pages += (unsigned long)nr;
		else
			g->present_kernel_pages += (unsigned long)nr;
	}
}

static void node_set_state(struct mhp_engine *e, int nid, int state, bool on)
{
	if (on)
		e->node_states[state] |= 1ULL << nid;
	else
		e->node_states[state] &= ~(1ULL << nid);
}

static bool node_state(struct mhp_engine *e, int nid, int state)
{
	return e->node_states[state] >> nid & 1;
}

void check_changes_online_locked(struct mhp_engine *e, int nid, int zid,
				 struct mhp_memory_notify *arg)
{
	arg->status_change_nid = MHP_NUMA_NO_NODE;
	arg->status_change_nid_normal = MHP_NUMA_NO_NODE;
	if (!node_state(e, nid, MHP_N_MEMORY))
		arg->status_change_nid = nid;
	if (zid <= MHP_ZONE_NORMAL && !node_state(e, nid, MHP_N_NORMAL_MEMORY))
		arg->status_change_nid_normal = nid;
}

void check_changes_offline_locked(struct mhp_engine *e, int nid, int zid, unsigned long nr_pages,
				  struct mhp_memory_notify *arg)
{
	unsigned long present = 0;

	arg->status_change_nid = MHP_NUMA_NO_NODE;
	arg->status_change_nid_normal = MHP_NUMA_NO_NODE;
	for (int z = 0; z <= MHP_ZONE_NORMAL; z++)
		present += e->nodes[nid].zones[z].present_pages;
	if (zid <= MHP_ZONE_NORMAL && nr_pages >= present)
		arg->status_change_nid_normal = nid;
	present += e->nodes[nid].zones[MHP_ZONE_MOVABLE].present_pages;
	if (nr_pages >= present)
		arg->status_change_nid = nid;
}

void node_states_set_locked(struct mhp_engine *e, int nid, const struct mhp_memory_notify *arg)
{
	if (arg->status_change_nid_normal >= 0)
		node_set_state(e, nid, MHP_N_NORMAL_MEMORY, true);
	if (arg->status_change_nid >= 0)
		node_set_state(e, nid, MHP_N_MEMORY, true);
}

void node_states_clear_locked(struct mhp_engine *e, int nid, const struct mhp_memory_notify *arg)
{
	if (arg->status_change_nid_normal >= 0)
		node_set_state(e, nid, MHP_N_NORMAL_MEMORY, false);
	if (arg->status_change_nid >= 0)
		node_set_state(e, nid, MHP_N_MEMORY, false);
}

void node_set_online_locked(struct mhp_engine *e, int nid, bool online)
{
	if (online && !e->nodes[nid].online)
		e->nodes[nid].incarnation++;
	e->nodes[nid].online = online;
	node_set_state(e, nid, MHP_N_ONLINE, online);
}

uint64_t mhp_node_state_mask(struct mhp_engine *e, int state)
{
	uint64_t v = 0;

	if (state < 0 || state >= MHP_NR_NODE_STATES)
		return 0;
	pthread_mutex_lock(&e->stat_lock);
	v = e->node_states[state];
	pthread_mutex_unlock(&e->stat_lock);
	return v;
}

uint32_t mhp_node_incarnation(struct mhp_engine *e, int nid)
{
	uint32_t v = 0;

	if (nid < 0 || nid >= MHP_MAX_NUMNODES)
		return 0;
	pthread_mutex_lock(&e->stat_lock);
	if (e->nodes[nid].online)
		v = e->nodes[nid].incarnation;
	pthread_mutex_unlock(&e->stat_lock);
	return v;
}

int mhp_node_info(struct mhp_engine *e, int nid, struct mhp_node_info *ret)
{
	const struct mhp_node *n;

	if (nid < 0 || (unsigned int)nid >= e->cfg.nr_nodes)
		return -EINVAL;
	n = &e->nodes[nid];
	pthread_mutex_lock(&e->stat_lock);
	memset(ret, 0, sizeof(*ret));
	ret->online = n->online;
	ret->nr_blocks = n->nr_blocks;
	for (int z = 0; z < MHP_NR_ZONES; z++) {
		ret->zones[z] = n->zones[z];
		ret->present_pages += n->zones[z].present_pages;
		ret->managed_pages += n->zones[z].managed_pages;
	}
	pthread_mutex_unlock(&e->stat_lock);
	return 0;
}
