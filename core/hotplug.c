// SPDX-License-Identifier: MIT
/*
 * Transitions (SPEC §2, §4.4, §5, §6): the block state machine, online_pages()/offline_pages()
 * with their notifier sequences, device_online()/device_offline(), the sysfs store semantics, and
 * hot-add / hot-remove.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "engine-internal.h"
#include "engine-priv.h"

/* Backoff between two passes of the offline retry loop while a page stays busy. */
#define OFFLINE_RETRY_USEC 1000

static const struct mhp_memory_ops *ops(struct mhp_engine *e)
{
	static const struct mhp_memory_ops none;

	return e->cfg.mem_ops ? e->cfg.mem_ops : &none;
}

static int memory_notify(struct mhp_engine *e, unsigned long action, struct mhp_memory_notify *arg)
{
	return mhp_notifier_call_chain(&e->memory_chain, action, arg);
}

static unsigned long block_start_pfn(const struct mhp_engine *e, const struct mhp_block *b)
{
	return b->id * e->pages_per_block;
}

/* Self-hosted memmap: x86 needs it PMD aligned, and pageblock aligned unless forced. */
static unsigned long vmemmap_pages(struct mhp_engine *e, unsigned int flags)
{
	unsigned long bytes = e->pages_per_block * STRUCT_PAGE_SIZE;
	unsigned long pages = (bytes + MHP_PAGE_SIZE - 1) / MHP_PAGE_SIZE;

	if (!(flags & MHP_ADD_MEMMAP_ON_MEMORY) || e->cfg.memmap_on_memory == MHP_MEMMAP_OFF)
		return 0;
	if (bytes % (PAGEBLOCK_NR_PAGES * MHP_PAGE_SIZE))
		return 0;
	if (e->cfg.memmap_on_memory == MHP_MEMMAP_FORCE)
		pages = (pages + PAGEBLOCK_NR_PAGES - 1) & ~(PAGEBLOCK_NR_PAGES - 1);
	else if (pages % PAGEBLOCK_NR_PAGES)
		return 0;
	return pages < e->pages_per_block ? pages : 0;
}

/* The memmap-on-memory pages at the start of @b. */
static unsigned long block_nr_vmemmap(struct mhp_engine *e, const struct mhp_block *b)
{
	return b->vmemmap ? vmemmap_pages(e, MHP_ADD_MEMMAP_ON_MEMORY) : 0;
}

/* online_pages() and the part of memory_block_online() around it. */
static int block_online(struct mhp_engine *e, struct mhp_block *b)
{
	unsigned long start = block_start_pfn(e, b), ppb = e->pages_per_block;
	unsigned long nr_vmemmap = block_nr_vmemmap(e, b);
	struct mhp_memory_notify arg;
	struct mhp_pfn_range r;
	int zone, ret;

	/* memblk_nr_poison(): poisoned pages never come back online, whatever the zone */
	if (__atomic_load_n(&b->hwpoison, __ATOMIC_RELAXED))
		return -EHWPOISON;

	pthread_rwlock_wrlock(&e->mem_hotplug_lock);
	pthread_mutex_lock(&e->stat_lock);
	zone = zone_for_locked(e, b->online_type, b->nid, b->group, start, ppb);
	/* The span grows before anyone is asked; a veto shrinks it back. */
	zone_grow_locked(e, b->nid, zone, start, ppb);
	arg.start_pfn = start + nr_vmemmap;
	arg.nr_pages = ppb - nr_vmemmap;
	check_changes_online_locked(e, b->nid, zone, &arg);
	notify_change(e, MHP_CHANGE_ZONES, 0);
	pthread_mutex_unlock(&e->stat_lock);

	r = (struct mhp_pfn_range){
		.start_pfn = arg.start_pfn, .nr_pages = arg.nr_pages, .nid = b->nid, .zone = zone
	};
	ret = mhp_notifier_to_errno(memory_notify(e, MHP_MEM_GOING_ONLINE, &arg));
	if (!ret && ops(e)->online)
		ret = ops(e)->online(e->cfg.mem_ops_priv, &r);
	if (ret) {
		memory_notify(e, MHP_MEM_CANCEL_ONLINE, &arg);
		pthread_mutex_lock(&e->stat_lock);
		zone_shrink_locked(e, b->nid, zone, start, ppb, b);
		notify_change(e, MHP_CHANGE_ZONES, 0);
		pthread_mutex_unlock(&e->stat_lock);
		pthread_rwlock_unlock(&e->mem_hotplug_lock);
		return ret;
	}

	pthread_mutex_lock(&e->stat_lock);
	adjust_present_locked(e, b, zone, (long)arg.nr_pages);
	e->nodes[b->nid].zones[zone].managed_pages += arg.nr_pages;
	node_states_set_locked(e, b->nid, &arg);
	notify_change(e, MHP_CHANGE_NODE, (unsigned long)b->nid);
	pthread_mutex_unlock(&e->stat_lock);

	memory_notify(e, MHP_MEM_ONLINE, &arg);

	pthread_mutex_lock(&e->stat_lock);
	/* memmap-on-memory pages count as present once onlining succeeded, never as managed. */
	if (nr_vmemmap)
		adjust_present_locked(e, b, zone, (long)nr_vmemmap);
	b->zone = zone;
	pthread_mutex_unlock(&e->stat_lock);
	pthread_rwlock_unlock(&e->mem_hotplug_lock);
	return 0;
}

static int migrate_loop(struct mhp_engine *e, const struct mhp_pfn_range *r,
			struct mhp_cancel *cancel)
{
	if (!ops(e)->migrate)
		return 0;
	/* No timeout, no retry limit: only a pending signal ends an offline that cannot finish. */
	for (;;) {
		int ret;

		if (mhp_cancel_pending(cancel))
			return -EINTR;
		ret = ops(e)->migrate(e->cfg.mem_ops_priv, r, cancel);
		if (ret != -EAGAIN)
			return ret;
		if (mhp_cancel_sleep(cancel, OFFLINE_RETRY_USEC) < 0)
			return -EINTR;
	}
}

/* memory_block_offline() and offline_pages(). */
static int block_offline(struct mhp_engine *e, struct mhp_block *b, struct mhp_cancel *cancel)
{
	unsigned long start = block_start_pfn(e, b), ppb = e->pages_per_block;
	unsigned long nr_vmemmap = block_nr_vmemmap(e, b);
	struct mhp_memory_notify arg;
	struct mhp_pfn_range r;
	int zone, ret;

	pthread_mutex_lock(&e->stat_lock);
	zone = b->zone;
	pthread_mutex_unlock(&e->stat_lock);
	/* Several zones or nodes: never offlineable. */
	if (zone == MHP_ZONE_NONE)
		return -EINVAL;

	pthread_rwlock_wrlock(&e->mem_hotplug_lock);
	if (nr_vmemmap) {
		pthread_mutex_lock(&e->stat_lock);
		adjust_present_locked(e, b, zone, -(long)nr_vmemmap);
		pthread_mutex_unlock(&e->stat_lock);
	}
	arg.start_pfn = start + nr_vmemmap;
	arg.nr_pages = ppb - nr_vmemmap;
	r = (struct mhp_pfn_range){
		.start_pfn = arg.start_pfn, .nr_pages = arg.nr_pages, .nid = b->nid, .zone = zone
	};

	/* Memory holes: the block's System RAM is not the whole block. */
	if (b->holes) {
		ret = -EINVAL;
		goto failed_removal;
	}
	if (ops(e)->isolate) {
		ret = ops(e)->isolate(e->cfg.mem_ops_priv, &r);
		if (ret)
			goto failed_removal;
	}

	pthread_mutex_lock(&e->stat_lock);
	check_changes_offline_locked(e, b->nid, zone, arg.nr_pages, &arg);
	pthread_mutex_unlock(&e->stat_lock);

	ret = mhp_notifier_to_errno(memory_notify(e, MHP_MEM_GOING_OFFLINE, &arg));
	if (ret)
		goto failed_removal_isolated;
	ret = migrate_loop(e, &r, cancel);
	if (ret)
		goto failed_removal_isolated;

	if (ops(e)->offline)
		ops(e)->offline(e->cfg.mem_ops_priv, &r);
	pthread_mutex_lock(&e->stat_lock);
	e->nodes[b->nid].zones[zone].managed_pages -= arg.nr_pages;
	adjust_present_locked(e, b, zone, -(long)arg.nr_pages);
	node_states_clear_locked(e, b->nid, &arg);
	notify_change(e, MHP_CHANGE_NODE, (unsigned long)b->nid);
	pthread_mutex_unlock(&e->stat_lock);

	memory_notify(e, MHP_MEM_OFFLINE, &arg);

	pthread_mutex_lock(&e->stat_lock);
	b->zone = MHP_ZONE_NONE;
	zone_shrink_locked(e, b->nid, zone, start, ppb, b);
	notify_change(e, MHP_CHANGE_ZONES, 0);
	pthread_mutex_unlock(&e->stat_lock);
	pthread_rwlock_unlock(&e->mem_hotplug_lock);
	return 0;

failed_removal_isolated:
	if (ops(e)->unisolate)
		ops(e)->unisolate(e->cfg.mem_ops_priv, &r);
	memory_notify(e, MHP_MEM_CANCEL_OFFLINE, &arg);
failed_removal:
	if (nr_vmemmap) {
		pthread_mutex_lock(&e->stat_lock);
		adjust_present_locked(e, b, zone, (long)nr_vmemmap);
		pthread_mutex_unlock(&e->stat_lock);
	}
	pthread_rwlock_unlock(&e->mem_hotplug_lock);
	return ret;
}

/* memory_block_change_state(): the only place `state` changes. */
static int change_state(struct mhp_engine *e, struct mhp_block *b, int to, int from,
			struct mhp_cancel *cancel)
{
	int ret;

	if (atomic_load(&b->state) != from)
		return -EINVAL;
	if (to == MHP_STATE_OFFLINE) {
		atomic_store(&b->state, MHP_STATE_GOING_OFFLINE);
		notify_change(e, MHP_CHANGE_BLOCK_STATE, b->id);
		ret = block_offline(e, b, cancel);
	} else {
		ret = block_online(e, b);
	}
	atomic_store(&b->state, ret ? from : to);
	notify_change(e, MHP_CHANGE_BLOCK_STATE, b->id);
	return ret;
}

/* memory_subsys_online(): a driver or the `online` file gives no type, so "online" it is. */
static int subsys_online(struct mhp_engine *e, struct mhp_block *b)
{
	int ret;

	if (atomic_load(&b->state) == MHP_STATE_ONLINE)
		return 0;
	if (b->online_type == MHP_MMOP_OFFLINE)
		b->online_type = MHP_MMOP_ONLINE;
	ret = change_state(e, b, MHP_STATE_ONLINE, MHP_STATE_OFFLINE, NULL);
	b->online_type = MHP_MMOP_OFFLINE;
	return ret;
}

static int subsys_offline(struct mhp_engine *e, struct mhp_block *b, struct mhp_cancel *cancel)
{
	if (atomic_load(&b->state) == MHP_STATE_OFFLINE)
		return 0;
	return change_state(e, b, MHP_STATE_OFFLINE, MHP_STATE_ONLINE, cancel);
}

/* device_online(): 1 if already online, else the bus result; uevent on success. */
static int device_online(struct mhp_engine *e, struct mhp_block *b)
{
	int ret;

	assert_hotplug_held(e);
	block_dev_lock(e, b);
	if (!b->dev_offline) {
		ret = 1;
	} else {
		ret = subsys_online(e, b);
		if (!ret) {
			event_emit(e, MHP_KOBJ_ONLINE, MHP_SUBSYS_MEMORY, b->id);
			b->dev_offline = false;
		}
	}
	block_dev_unlock(e, b);
	return ret;
}

static int device_offline(struct mhp_engine *e, struct mhp_block *b, struct mhp_cancel *cancel)
{
	int ret;

	assert_hotplug_held(e);
	/* Memory blocks never disable offlining and have no child devices. */
	block_dev_lock(e, b);
	if (b->dev_offline) {
		ret = 1;
	} else {
		ret = subsys_offline(e, b, cancel);
		if (!ret) {
			event_emit(e, MHP_KOBJ_OFFLINE, MHP_SUBSYS_MEMORY, b->id);
			b->dev_offline = true;
		}
	}
	block_dev_unlock(e, b);
	return ret;
}

int mhp_block_online_show(struct mhp_engine *e, struct mhp_block *b, bool *ret)
{
	int r = 0;

	block_dev_lock(e, b);
	if (atomic_load(&b->removed))
		r = -ENODEV;
	else
		*ret = !b->dev_offline;
	block_dev_unlock(e, b);
	return r;
}

int mhp_block_hwpoison_add(struct mhp_engine *e, struct mhp_block *b, unsigned long nr)
{
	(void)e;
	if (atomic_load(&b->removed))
		return -ENODEV;
	/* atomic: the poisoner holds no engine lock, block_online() reads it under its own */
	__atomic_fetch_add(&b->hwpoison, nr, __ATOMIC_RELAXED);
	return 0;
}

unsigned long mhp_block_nr_hwpoison(const struct mhp_block *b)
{
	return __atomic_load_n(&b->hwpoison, __ATOMIC_RELAXED);
}

int mhp_block_store_state(struct mhp_engine *e, struct mhp_block *b, int type,
			  struct mhp_cancel *cancel)
{
	int ret;

	if (type < MHP_MMOP_OFFLINE || type > MHP_MMOP_ONLINE_MOVABLE)
		return -EINVAL;
	hotplug_lock(e);
	if (atomic_load(&b->removed)) {
		ret = -ENODEV;
	} else if (type == MHP_MMOP_OFFLINE) {
		ret = device_offline(e, b, cancel);
	} else {
		/*
		 * Recorded before device_online(), and left recorded when the block turns out to
		 * be online already: a later `echo 1 > online` then uses it.  The kernel does this.
		 */
		b->online_type = type;
		ret = device_online(e, b);
	}
	hotplug_unlock(e);
	if (ret < 0)
		return ret;
	return ret ? -EINVAL : 0;
}

int mhp_block_store_online(struct mhp_engine *e, struct mhp_block *b, bool online,
			   struct mhp_cancel *cancel)
{
	int ret;

	hotplug_lock(e);
	if (atomic_load(&b->removed))
		ret = -ENODEV;
	else if (online)
		ret = device_online(e, b);
	else
		ret = device_offline(e, b, cancel);
	hotplug_unlock(e);
	return ret < 0 ? ret : 0;
}

/* ---- hot-add -------------------------------------------------------------------------------- */

static bool ranges_overlap(uint64_t a, uint64_t b, uint64_t c, uint64_t d)
{
	return a < d && c < b;
}

static int online_type_of_zone(int zone)
{
	return zone == MHP_ZONE_MOVABLE ? MHP_MMOP_ONLINE_MOVABLE : MHP_MMOP_ONLINE_KERNEL;
}

/* __add_memory() / add_memory_resource() with device_hotplug_lock held. */
static int add_memory_locked(struct mhp_engine *e, int nid, uint64_t start, uint64_t size,
			     unsigned int flags, int group)
{
	uint64_t bs = e->cfg.block_size, end = start + size;
	unsigned long first = (unsigned long)(start / bs), n = (unsigned long)(size / bs);
	bool vmemmap = vmemmap_pages(e, flags) != 0;
	bool new_node;
	int auto_type, ret = 0;

	assert_hotplug_held(e);
	if (!size || (start | size) & (bs - 1))
		return -EINVAL;
	if (end < start || end > 1ULL << e->cfg.phys_bits)
		return -E2BIG;
	for (size_t i = 0; i < e->cfg.nr_reserved; i++)
		if (ranges_overlap(start, end, e->reserved[i].start, e->reserved[i].end))
			return -EEXIST;
	for (unsigned long id = first; id < first + n; id++) {
		struct mhp_block *b = mhp_block_get(e, id);

		mhp_block_put(b);
		if (b)
			return -EEXIST;
	}
	if (nid < 0 || (unsigned int)nid >= e->cfg.nr_nodes)
		return -EINVAL;
	if (group >= 0 && ((unsigned int)group >= e->nr_groups || !e->groups[group].used ||
			   e->groups[group].nid != nid))
		return -EINVAL;

	pthread_rwlock_wrlock(&e->mem_hotplug_lock);
	for (unsigned long id = first; id < first + n; id++) {
		struct mhp_block *b = block_alloc(e, id);

		if (!b) {
			ret = -ENOMEM;
			break;
		}
		b->nid = (int8_t)nid;
		b->group = group;
		b->vmemmap = vmemmap;
		pthread_mutex_lock(&e->stat_lock);
		ret = block_insert(e, b);
		pthread_mutex_unlock(&e->stat_lock);
		if (ret < 0) {
			mhp_block_put(b);
			break;
		}
		if (group >= 0)
			e->groups[group].nr_blocks++;
		event_emit(e, MHP_KOBJ_ADD, MHP_SUBSYS_MEMORY, id);
		notify_change(e, MHP_CHANGE_BLOCK_ADDED, id);
	}
	if (ret < 0) {
		/* Undo the blocks made so far (only allocation failures get here). */
		for (unsigned long id = first; id < first + n; id++) {
			struct mhp_block *b = mhp_block_get(e, id);

			if (!b)
				break;
			pthread_mutex_lock(&e->stat_lock);
			block_unlink(e, b);
			pthread_mutex_unlock(&e->stat_lock);
			atomic_store(&b->removed, true);
			if (group >= 0)
				e->groups[group].nr_blocks--;
			event_emit_removed(e, MHP_SUBSYS_MEMORY, id, b->generation);
			notify_change(e, MHP_CHANGE_BLOCK_REMOVED, id);
			mhp_block_put(b);
			mhp_block_put(b);
		}
		pthread_rwlock_unlock(&e->mem_hotplug_lock);
		return ret;
	}

	pthread_mutex_lock(&e->stat_lock);
	new_node = !e->nodes[nid].online;
	if (new_node)
		node_set_online_locked(e, nid, true);
	pthread_mutex_unlock(&e->stat_lock);
	if (new_node) {
		event_emit(e, MHP_KOBJ_ADD, MHP_SUBSYS_NODE, (unsigned long)nid);
		notify_change(e, MHP_CHANGE_NODE, (unsigned long)nid);
	}

	/* The nodeX <-> memoryN links come after the add uevents. */
	pthread_mutex_lock(&e->stat_lock);
	for (unsigned long id = first; id < first + n; id++) {
		struct mhp_block *b = block_lookup_locked_stat(e, id);

		b->node_mask = 1ULL << nid;
		e->nodes[nid].nr_blocks++;
	}
	auto_type = e->auto_online;
	notify_change(e, MHP_CHANGE_NODE, (unsigned long)nid);
	pthread_mutex_unlock(&e->stat_lock);
	pthread_rwlock_unlock(&e->mem_hotplug_lock);

	/* Auto-online after dropping mem_hotplug_lock; a failure leaves the block offline. */
	if (auto_type != MHP_MMOP_OFFLINE) {
		for (unsigned long id = first; id < first + n; id++) {
			struct mhp_block *b = mhp_block_get(e, id);

			b->online_type = auto_type;
			(void)device_online(e, b);
			mhp_block_put(b);
		}
	}
	return 0;
}

int mhp_probe(struct mhp_engine *e, uint64_t phys_addr)
{
	int ret;

	if (phys_addr & (e->cfg.block_size - 1))
		return -EINVAL;
	hotplug_lock(e);
	ret = add_memory_locked(e, addr_to_nid(e, phys_addr), phys_addr, e->cfg.block_size, 0, -1);
	hotplug_unlock(e);
	return ret;
}

int mhp_add_memory(struct mhp_engine *e, int nid, uint64_t start, uint64_t size, unsigned int flags,
		   int group)
{
	int ret;

	hotplug_lock(e);
	if (nid == MHP_NUMA_NO_NODE)
		nid = addr_to_nid(e, start);
	ret = add_memory_locked(e, nid, start, size, flags, group);
	hotplug_unlock(e);
	return ret;
}

/* ---- hot-remove ----------------------------------------------------------------------------- */

static int check_range(struct mhp_engine *e, uint64_t start, uint64_t size, unsigned long *first,
		       unsigned long *n)
{
	uint64_t bs = e->cfg.block_size;
	unsigned long id, present = 0;

	if (!size || (start | size) & (bs - 1) || start + size < start ||
	    start + size > 1ULL << e->cfg.phys_bits)
		return -EINVAL;
	*first = (unsigned long)(start / bs);
	*n = (unsigned long)(size / bs);
	for (id = *first; mhp_block_next_id(e, id, &id) == 0 && id < *first + *n; id++)
		present++;
	return present ? 0 : -EINVAL;
}

/* try_offline_node(): no blocks, no CPUs, no span left. */
static void try_offline_node_locked(struct mhp_engine *e, int nid)
{
	const struct mhp_node *n = &e->nodes[nid];

	if (!n->online || n->nr_blocks || (e->cfg.cpu_nodes & (1ULL << nid)))
		return;
	for (int z = 0; z < MHP_NR_ZONES; z++)
		if (n->zones[z].start_pfn != n->zones[z].end_pfn)
			return;
	node_set_online_locked(e, nid, false);
	event_emit_removed(e, MHP_SUBSYS_NODE, (unsigned long)nid, n->incarnation);
	notify_change(e, MHP_CHANGE_NODE, (unsigned long)nid);
}

static int remove_memory_locked(struct mhp_engine *e, uint64_t start, uint64_t size)
{
	unsigned long first, n, id;
	uint64_t nodes = 0;
	int ret;

	assert_hotplug_held(e);
	ret = check_range(e, start, size, &first, &n);
	if (ret < 0)
		return ret;
	for (id = first; mhp_block_next_id(e, id, &id) == 0 && id < first + n; id++) {
		struct mhp_block *b = mhp_block_get(e, id);
		bool offline = atomic_load(&b->state) == MHP_STATE_OFFLINE;

		mhp_block_put(b);
		if (!offline)
			return -EBUSY;
	}

	pthread_rwlock_wrlock(&e->mem_hotplug_lock);
	for (id = first; mhp_block_next_id(e, id, &id) == 0 && id < first + n; id++) {
		struct mhp_block *b = mhp_block_get(e, id);
		struct mhp_pfn_range r = { .start_pfn = block_start_pfn(e, b),
					   .nr_pages = e->pages_per_block,
					   .nid = b->nid,
					   .zone = MHP_ZONE_NONE };

		/*
		 * No device lock here: it ranks above mem_hotplug_lock, and `removed` is atomic, so
		 * mhp_block_online_show() sees either the old value or -ENODEV.
		 */
		pthread_mutex_lock(&e->stat_lock);
		/* Node links first, then the device. */
		for (unsigned int nid = 0; nid < e->cfg.nr_nodes; nid++)
			if (b->node_mask & (1ULL << nid))
				e->nodes[nid].nr_blocks--;
		nodes |= b->node_mask;
		block_unlink(e, b);
		atomic_store(&b->removed, true);
		pthread_mutex_unlock(&e->stat_lock);
		if (b->group >= 0)
			e->groups[b->group].nr_blocks--;
		if (ops(e)->remove)
			ops(e)->remove(e->cfg.mem_ops_priv, &r);
		event_emit_removed(e, MHP_SUBSYS_MEMORY, id, b->generation);
		notify_change(e, MHP_CHANGE_BLOCK_REMOVED, id);
		mhp_block_put(b); /* the table's reference */
		mhp_block_put(b);
	}
	pthread_mutex_lock(&e->stat_lock);
	for (unsigned int nid = 0; nid < e->cfg.nr_nodes; nid++)
		if (nodes & (1ULL << nid))
			try_offline_node_locked(e, (int)nid);
	pthread_mutex_unlock(&e->stat_lock);
	pthread_rwlock_unlock(&e->mem_hotplug_lock);
	return 0;
}

int mhp_remove_memory(struct mhp_engine *e, uint64_t start, uint64_t size)
{
	int ret;

	hotplug_lock(e);
	ret = remove_memory_locked(e, start, size);
	hotplug_unlock(e);
	return ret;
}

int mhp_offline_and_remove_memory(struct mhp_engine *e, uint64_t start, uint64_t size,
				  struct mhp_cancel *cancel)
{
	unsigned long first, n, id;
	int *types, ret;

	hotplug_lock(e);
	ret = check_range(e, start, size, &first, &n);
	if (ret < 0)
		goto out;
	types = calloc(n, sizeof(*types));
	if (!types) {
		ret = -ENOMEM;
		goto out;
	}
	/* Offline everything, remembering each block's zone type to undo a partial failure. */
	for (id = first; mhp_block_next_id(e, id, &id) == 0 && id < first + n; id++) {
		struct mhp_block *b = mhp_block_get(e, id);

		types[id - first] = MHP_MMOP_OFFLINE;
		if (atomic_load(&b->state) != MHP_STATE_OFFLINE) {
			int zone = mhp_block_zone(b);

			ret = device_offline(e, b, cancel);
			if (ret < 0) {
				mhp_block_put(b);
				break;
			}
			types[id - first] = online_type_of_zone(zone);
		}
		mhp_block_put(b);
		ret = 0;
	}
	if (ret < 0) {
		for (id = first; id < first + n; id++) {
			struct mhp_block *b;

			if (types[id - first] == MHP_MMOP_OFFLINE)
				continue;
			b = mhp_block_get(e, id);
			b->online_type = types[id - first];
			(void)device_online(e, b);
			mhp_block_put(b);
		}
	} else {
		ret = remove_memory_locked(e, start, size);
	}
	free(types);
out:
	hotplug_unlock(e);
	return ret;
}
