/* SPDX-License-Identifier: MIT */
/*
 * tests/torture/invariants.h - the engine's bookkeeping checked against its blocks, shared by the
 * torture test and the fuzz targets.
 */
#ifndef MHP_TEST_INVARIANTS_H
#define MHP_TEST_INVARIANTS_H

#include <stddef.h>

#include <memhp/memhp.h>

/**
 * mhp_check_invariants() - check every counting invariant of a quiescent engine
 * @e: the engine; device_hotplug_lock is taken, so no transition runs during the check
 * @boot: the machine's boot ranges (a boot block's present pages are its overlap with them)
 * @nr_boot: entries in @boot
 * @err: the first violation, as text
 * @len: size of @err
 *
 * Per node: present pages == sum over its online (and going-offline) blocks; per zone likewise,
 * and the zone span contains every online block of that zone; N_MEMORY, N_NORMAL_MEMORY and
 * N_ONLINE agree with the page and block counts; nr_blocks equals the blocks registered under
 * the node; every block is online, offline or going-offline, and an offline block has no zone.
 *
 * Return: 0, or -EPROTO with @err describing the first violation.
 */
int mhp_check_invariants(struct mhp_engine *e, const struct mhp_mem_range *boot, size_t nr_boot,
			 char *err, size_t len);

#endif /* MHP_TEST_INVARIANTS_H */
