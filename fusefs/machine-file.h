/* SPDX-License-Identifier: MIT */
/*
 * fusefs/machine-file.h - machine configuration files (--config=FILE) and the parts of a machine
 * that only such a file can describe: firmware DIMM slots and the initial workload.
 *
 * The format is documented at the top of machine-file.c and in fusefs/machines/README.md; ready
 * machines live in fusefs/machines/.
 */
#ifndef MHPFS_MACHINE_FILE_H
#define MHPFS_MACHINE_FILE_H

#include <stddef.h>
#include <stdint.h>

#include <memhp/pool.h>

struct mhpfs_machine;
struct mhpfs_seed;

#define MHPFS_MAX_DIMMS 64
#define MHPFS_WORKLOAD_MAX 2048
#define MHPFS_CONFIG_LINE_MAX 1024

/**
 * struct mhpfs_dimm - a firmware DIMM slot: memory the platform can hot-add as one device
 * @start: physical start, block aligned
 * @size: bytes, a non-zero multiple of the block size
 * @nid: the slot's node (its SRAT proximity domain)
 *
 * Slots are numbered by their index in struct mhpfs_machine.dimm; the control directory's DIMM
 * add refers to them by that number.
 */
struct mhpfs_dimm {
	uint64_t start;
	uint64_t size;
	int nid;
};

/**
 * mhpfs_machine_load_file() - apply a machine file on top of @m
 * @path: the file
 * @m: the machine, usually the default one already changed by earlier options; changed only where
 *     the file says so, and only on success (on failure @m is left as it was)
 * @err: where the message goes on failure: "FILE:LINE: what is wrong" (never NULL)
 * @errlen: size of @err
 *
 * A file that has any [node N] section describes all nodes: boot memory, holes, hot-pluggable
 * ranges, DIMM slots, CPUs and distances are then taken from the file alone.  Every range is
 * checked (page or block alignment, overlaps, phys_bits) before the engine sees it.  The arrays of
 * @m->cfg point into @m when this returns 0.
 *
 * Return: 0; -ENOENT/-EACCES/... (the file cannot be read); -EINVAL (syntax or a bad machine);
 * -E2BIG (a line, a list or the workload is too long); -ENOMEM.
 */
int mhpfs_machine_load_file(const char *path, struct mhpfs_machine *m, char *err, size_t errlen);

/**
 * mhpfs_workload_parse() - turn the workload text of a machine into pool parameters
 * @text: "key=value" lines as struct mhpfs_machine.workload holds them
 * @ret: the parameters, written on success
 *
 * Keys: fill (every node and zone), fill.N (every zone of node N), fill.N.ZONE (ZONE as valid_zones
 * prints it), unmovable_pct, pinned_pct, cache_pct (0..100), writers (0..64), seed.  Later keys
 * override earlier ones.  An empty text gives an idle workload (all zero).
 *
 * Return: 0, -EINVAL (unknown key or bad value).
 */
int mhpfs_workload_parse(const char *text, struct mhp_workload_params *ret);

/**
 * mhpfs_parse_size() - a size as machine files and options write it
 * @s: a number as kstrtoull base 0 reads it, then an optional K, M, G, T or P suffix
 * @ret: bytes, written on success
 *
 * Return: 0, -EINVAL (format), -ERANGE (does not fit in 64 bits).
 */
int mhpfs_parse_size(const char *s, uint64_t *ret);

/**
 * mhpfs_parse_cpulist() - a list such as the kernel's "%*pbl" prints: "0-3,8,10-11"
 * @s: the list ("" is the empty list)
 * @mask: bitmap filled (cleared first), 64 bits per word
 * @nbits: bits in @mask; a cpu at or above is -ERANGE
 *
 * Return: 0, -EINVAL (syntax, a reversed range), -ERANGE.
 */
int mhpfs_parse_cpulist(const char *s, uint64_t *mask, unsigned int nbits);

#endif /* MHPFS_MACHINE_FILE_H */
