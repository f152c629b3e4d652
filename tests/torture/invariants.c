// SPDX-License-Identifier: MIT
/*
 * tests/torture/invariants.c - recount what the engine counts, from its blocks alone.
 *
 * The engine keeps per-zone and per-node counters, spans and masks that every online, offline,
 * add and remove updates in several places (and a failed transition rolls back).  A bug there
 * shows up as a drift between those counters and the blocks, which is what this recounts.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "invariants.h"

#define NR_KERNEL_ZONES (MHP_ZONE_NORMAL + 1)

struct expect {
	unsigned long present[MHP_NR_ZONES];
	unsigned long total; /* includes blocks without a single zone */
	unsigned long blocks;
	bool zoneless; /* an online block without a single zone: per-zone counts unknown */
};

static int violation(char *err, size_t len, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int violation(char *err, size_t len, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, len, fmt, ap);
	va_end(ap);
	return -EPROTO;
}

/* Pages of block @id that are present: its overlap with boot memory, or all of it (hot-added). */
static unsigned long block_present_pages(unsigned long id, unsigned long ppb,
					 const struct mhp_mem_range *boot, size_t nr_boot)
{
	unsigned long start = id * ppb, end = start + ppb, n = 0;
	bool boot_block = false;

	for (size_t i = 0; i < nr_boot; i++) {
		unsigned long s = boot[i].start >> MHP_PAGE_SHIFT;
		unsigned long e = boot[i].end >> MHP_PAGE_SHIFT;

		s = s > start ? s : start;
		e = e < end ? e : end;
		if (s < e) {
			n += e - s;
			boot_block = true;
		}
	}
	return boot_block ? n : ppb;
}

static int check_blocks(struct mhp_engine *e, const struct mhp_mem_range *boot, size_t nr_boot,
			struct expect *ex, char *err, size_t len)
{
	unsigned long ppb = mhp_engine_block_size(e) >> MHP_PAGE_SHIFT;
	unsigned int nr_nodes = mhp_engine_nr_nodes(e);
	unsigned long id = 0, next, count = 0;

	for (; !mhp_block_next_id(e, id, &next); id = next + 1) {
		struct mhp_block *b = mhp_block_get(e, next);
		int state, zone, nid;
		uint64_t mask;

		if (!b)
			return violation(err, len, "memory%lu listed but not found", next);
		count++;
		state = mhp_block_state(b);
		zone = mhp_block_zone(b);
		nid = mhp_block_nid(b);
		mask = mhp_block_node_mask(b);
		mhp_block_put(b);
		if (mhp_block_state_name(state) == NULL)
			return violation(err, len, "memory%lu: impossible state %d", next, state);
		if (!mask || nid < 0 || (unsigned int)nid >= nr_nodes || !(mask >> nid & 1))
			return violation(err, len, "memory%lu: node %d, mask %#llx", next, nid,
					 (unsigned long long)mask);
		for (unsigned int n = 0; n < nr_nodes; n++)
			if (mask >> n & 1)
				ex[n].blocks++;
		if (state == MHP_STATE_OFFLINE) {
			/* the kernel clears mem->zone when the offline completes */
			if (zone != MHP_ZONE_NONE)
				return violation(err, len, "memory%lu: offline but in zone %s",
						 next, mhp_zone_name(zone));
			continue;
		}
		if (mask & (mask - 1)) {
			/* several nodes: the split of its pages is not known here */
			for (unsigned int n = 0; n < nr_nodes; n++)
				if (mask >> n & 1)
					ex[n].zoneless = true;
			continue;
		}
		ex[nid].total += block_present_pages(next, ppb, boot, nr_boot);
		if (zone == MHP_ZONE_NONE) {
			ex[nid].zoneless = true;
			continue;
		}
		if (zone < 0 || zone >= MHP_NR_ZONES)
			return violation(err, len, "memory%lu: zone %d", next, zone);
		ex[nid].present[zone] += block_present_pages(next, ppb, boot, nr_boot);
	}
	if (count != mhp_block_count(e))
		return violation(err, len, "mhp_block_count() %lu, iteration found %lu",
				 mhp_block_count(e), count);
	return 0;
}

/*
 * Every online block of a single zone lies inside that zone's span; a boot block with holes only
 * has to meet it (spans cover present pages, so a block that is half hole may stick out).
 */
static int check_spans(struct mhp_engine *e, const struct mhp_node_info *ni,
		       const struct mhp_mem_range *boot, size_t nr_boot, char *err, size_t len)
{
	unsigned long ppb = mhp_engine_block_size(e) >> MHP_PAGE_SHIFT;
	unsigned long id = 0, next;

	for (; !mhp_block_next_id(e, id, &next); id = next + 1) {
		struct mhp_block *b = mhp_block_get(e, next);
		int zone, nid, state;
		const struct mhp_zone_info *z;

		if (!b)
			continue;
		zone = mhp_block_zone(b);
		nid = mhp_block_nid(b);
		state = mhp_block_state(b);
		mhp_block_put(b);
		if (state == MHP_STATE_OFFLINE || zone < 0 || zone >= MHP_NR_ZONES)
			continue;
		z = &ni[nid].zones[zone];
		if (block_present_pages(next, ppb, boot, nr_boot) < ppb) {
			if (z->start_pfn >= (next + 1) * ppb || z->end_pfn <= next * ppb)
				return violation(
					err, len,
					"memory%lu (%s, node %d, with holes) does not meet its "
					"zone span [%#lx, %#lx)",
					next, mhp_zone_name(zone), nid, z->start_pfn, z->end_pfn);
			continue;
		}
		if (z->start_pfn > next * ppb || z->end_pfn < (next + 1) * ppb)
			return violation(
				err, len,
				"memory%lu (%s, node %d) outside its zone span [%#lx, %#lx)", next,
				mhp_zone_name(zone), nid, z->start_pfn, z->end_pfn);
	}
	return 0;
}

static int check_node(struct mhp_engine *e, int nid, const struct mhp_node_info *ni,
		      const struct expect *ex, char *err, size_t len)
{
	uint64_t bit = 1ULL << nid;
	unsigned long kernel = 0, sum = 0;
	bool in_memory = mhp_node_state_mask(e, MHP_N_MEMORY) & bit;
	bool in_normal = mhp_node_state_mask(e, MHP_N_NORMAL_MEMORY) & bit;
	bool in_online = mhp_node_state_mask(e, MHP_N_ONLINE) & bit;
	bool has_cpu = mhp_node_state_mask(e, MHP_N_CPU) & bit;

	for (int z = 0; z < MHP_NR_ZONES; z++) {
		const struct mhp_zone_info *zi = &ni->zones[z];

		sum += zi->present_pages;
		if (z < NR_KERNEL_ZONES)
			kernel += zi->present_pages;
		if (zi->present_pages && zi->start_pfn >= zi->end_pfn)
			return violation(err, len, "node %d %s: %lu present pages, empty span", nid,
					 mhp_zone_name(z), zi->present_pages);
		if (zi->present_pages > zi->end_pfn - zi->start_pfn)
			return violation(err, len, "node %d %s: %lu present pages in a span of %lu",
					 nid, mhp_zone_name(z), zi->present_pages,
					 zi->end_pfn - zi->start_pfn);
		if (zi->managed_pages > zi->present_pages)
			return violation(err, len, "node %d %s: managed %lu > present %lu", nid,
					 mhp_zone_name(z), zi->managed_pages, zi->present_pages);
		if (!ex->zoneless && zi->present_pages != ex->present[z])
			return violation(
				err, len,
				"node %d %s: %lu present pages, its online blocks have %lu", nid,
				mhp_zone_name(z), zi->present_pages, ex->present[z]);
	}
	if (sum != ni->present_pages)
		return violation(err, len, "node %d: present %lu, zones sum to %lu", nid,
				 ni->present_pages, sum);
	if (!ex->zoneless && ni->present_pages != ex->total)
		return violation(err, len, "node %d: %lu present pages, its online blocks have %lu",
				 nid, ni->present_pages, ex->total);
	if (ni->nr_blocks != ex->blocks)
		return violation(err, len, "node %d: nr_blocks %lu, %lu blocks registered", nid,
				 ni->nr_blocks, ex->blocks);
	if (in_memory != (sum != 0))
		return violation(err, len, "node %d: has_memory %d with %lu present pages", nid,
				 in_memory, sum);
	if (in_normal != (kernel != 0))
		return violation(err, len, "node %d: has_normal_memory %d with %lu kernel pages",
				 nid, in_normal, kernel);
	if (in_online != ni->online)
		return violation(err, len, "node %d: N_ONLINE %d, info.online %d", nid, in_online,
				 ni->online);
	if ((sum || ni->nr_blocks || has_cpu) && !in_online)
		return violation(err, len, "node %d: offline with %lu pages, %lu blocks, cpu %d",
				 nid, sum, ni->nr_blocks, has_cpu);
	return 0;
}

int mhp_check_invariants(struct mhp_engine *e, const struct mhp_mem_range *boot, size_t nr_boot,
			 char *err, size_t len)
{
	struct expect ex[MHP_MAX_NUMNODES];
	struct mhp_node_info ni[MHP_MAX_NUMNODES];
	unsigned int nr_nodes = mhp_engine_nr_nodes(e);
	int r = 0;

	memset(ex, 0, sizeof(ex));
	/* no store, add or remove runs while we count */
	mhp_lock_device_hotplug(e);
	r = check_blocks(e, boot, nr_boot, ex, err, len);
	for (unsigned int n = 0; !r && n < nr_nodes; n++)
		if (mhp_node_info(e, (int)n, &ni[n]))
			r = violation(err, len, "mhp_node_info(%u) failed", n);
	for (unsigned int n = 0; !r && n < nr_nodes; n++)
		r = check_node(e, (int)n, &ni[n], &ex[n], err, len);
	if (!r)
		r = check_spans(e, ni, boot, nr_boot, err, len);
	mhp_unlock_device_hotplug(e);
	return r;
}
