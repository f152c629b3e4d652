/* SPDX-License-Identifier: MIT */
/*
 * fusefs/seed.h - seeding a machine from a system root (--seed=SYSROOT): a directory laid out
 * like / as `lsmem --sysroot` reads it.  The source is only ever opened read-only.
 */
#ifndef MHPFS_SEED_H
#define MHPFS_SEED_H

#include <stddef.h>
#include <stdint.h>

#include <memhp/engine.h>

struct mhpfs_machine;

/**
 * struct mhpfs_seed_block - a memory block as the source shows it
 * @id: block id (memoryN)
 * @state: MHP_STATE_ONLINE or MHP_STATE_OFFLINE ("going-offline" counts as online: an offline
 *         that had not finished when the snapshot was taken)
 * @node_mask: its nodeX links (0 when the source has none: a kernel without NUMA)
 * @removable: `removable` as shown: 0, 1, or -1 when the file is missing
 * @valid_zones: `valid_zones` without its newline; "" when the file is missing
 */
struct mhpfs_seed_block {
	unsigned long id;
	int state;
	uint64_t node_mask;
	int removable;
	char valid_zones[32];
};

/**
 * struct mhpfs_seed_action - one step that makes the booted engine show the source
 * @id: block id
 * @type: an enum mhp_online_type written to the block's `state`
 */
struct mhpfs_seed_action {
	unsigned long id;
	int type;
};

/**
 * struct mhpfs_seed - what seeding read, and how to reproduce it
 * @root: the source directory
 * @boot: boot memory: every present block, whole, on its node (the machine's cfg.boot points here)
 * @nr_boot: entries in @boot
 * @blocks: the source's blocks, by increasing id
 * @nr_blocks: entries in @blocks
 * @actions: steps for mhpfs_seed_apply(), in order
 * @nr_actions: entries in @actions
 */
struct mhpfs_seed {
	char *root;
	struct mhp_mem_range *boot;
	size_t nr_boot;
	struct mhpfs_seed_block *blocks;
	size_t nr_blocks;
	struct mhpfs_seed_action *actions;
	size_t nr_actions;
};

/**
 * mhpfs_seed_load() - read a system root and turn @m into the machine it shows
 * @sysroot: the directory (SYSROOT/sys/devices/system/memory must exist)
 * @m: the machine to change: block size, nodes, cpus, distances, boot memory (pointing into the
 *     returned seed, which must outlive every engine built from @m), the PCI hole, zone
 *     boundaries, parameters, auto_online_blocks, probe, movable_node (from SYSROOT/proc/cmdline)
 * @ret: the seed, written on success
 * @err: message on failure: "seed SYSROOT: what is wrong"
 * @errlen: size of @err
 *
 * Reads only: every file is opened O_RDONLY, nothing is followed through a symbolic link, names
 * are checked (memoryN, nodeN with N in range), values are bounded to a sysfs page.  Every block
 * is made boot memory, so the engine boots it online; mhpfs_seed_apply() then offlines what the
 * source shows offline and moves Movable blocks into ZONE_MOVABLE, as the source's own history
 * did (boot, then offline / online_movable), which gives the same zone spans and valid_zones.
 *
 * Return: 0; -ENOENT (no memory directory), -EINVAL (a malformed value, named in @err), -E2BIG,
 * -ENOMEM, or the errno of a failed read.
 */
int mhpfs_seed_load(const char *sysroot, struct mhpfs_machine *m, struct mhpfs_seed **ret,
		    char *err, size_t errlen);

/**
 * mhpfs_seed_apply() - run the seed's actions on a freshly built engine and compare
 * @e: the engine, built from the machine mhpfs_seed_load() filled, before any workload or
 *     listener uses it
 * @s: the seed
 * @err: the first problem, if any
 * @errlen: size of @err
 *
 * Takes the engine's hotplug locks through the normal state stores.  The online/offline uevents
 * of the actions are history, as a real system's are before a listener starts: they are taken
 * off the queue (their sequence numbers stay used).  Afterwards every block's existence, state
 * and nodes are compared with the source (a difference is an error), then valid_zones and
 * removable (a difference is counted and the first one described in @err).
 *
 * Return: 0 when the emulation shows what the source shows; a positive count of valid_zones or
 * removable differences; -EPROTO (a block missing, extra, in another state or node), or the
 * errno of a failed action.
 */
int mhpfs_seed_apply(struct mhp_engine *e, const struct mhpfs_seed *s, char *err, size_t errlen);

/** mhpfs_seed_free() - free a seed; NULL accepted */
void mhpfs_seed_free(struct mhpfs_seed *s);

#endif /* MHPFS_SEED_H */
