/* SPDX-License-Identifier: MIT */
/* Functions shared between the engine's source files.  Not installed. */
#ifndef MEMHP_ENGINE_PRIV_H
#define MEMHP_ENGINE_PRIV_H

#include "engine-internal.h"

/* engine.c */
struct mhp_block *block_lookup_locked_stat(struct mhp_engine *e, unsigned long id);
int block_insert(struct mhp_engine *e, struct mhp_block *b);
void block_unlink(struct mhp_engine *e, struct mhp_block *b);
struct mhp_block *block_alloc(struct mhp_engine *e, unsigned long id);
void block_dev_lock(struct mhp_engine *e, struct mhp_block *b);
void block_dev_unlock(struct mhp_engine *e, struct mhp_block *b);
void notify_change(struct mhp_engine *e, enum mhp_change what, unsigned long id);
void hotplug_lock(struct mhp_engine *e);
void hotplug_unlock(struct mhp_engine *e);
int addr_to_nid(struct mhp_engine *e, uint64_t addr);

/* event.c */
int event_init(struct mhp_engine *e);
void event_fini(struct mhp_engine *e);
uint64_t event_emit(struct mhp_engine *e, int action, int subsystem, unsigned long id);
/* The remove event of a block or node: @gone is its generation or incarnation (mhp_uevent). */
uint64_t event_emit_removed(struct mhp_engine *e, int subsystem, unsigned long id, uint64_t gone);

/* zone.c (stat_lock held) */
int zone_for_locked(struct mhp_engine *e, int type, int nid, int group, unsigned long pfn,
		    unsigned long nr);
void zone_grow_locked(struct mhp_engine *e, int nid, int zid, unsigned long pfn, unsigned long nr);
void zone_shrink_locked(struct mhp_engine *e, int nid, int zid, unsigned long pfn, unsigned long nr,
			const struct mhp_block *skip);
void adjust_present_locked(struct mhp_engine *e, const struct mhp_block *b, int zid, long nr);
void check_changes_online_locked(struct mhp_engine *e, int nid, int zid,
				 struct mhp_memory_notify *arg);
void check_changes_offline_locked(struct mhp_engine *e, int nid, int zid, unsigned long nr_pages,
				  struct mhp_memory_notify *arg);
void node_states_set_locked(struct mhp_engine *e, int nid, const struct mhp_memory_notify *arg);
void node_states_clear_locked(struct mhp_engine *e, int nid, const struct mhp_memory_notify *arg);
void node_set_online_locked(struct mhp_engine *e, int nid, bool online);

#endif /* MEMHP_ENGINE_PRIV_H */
