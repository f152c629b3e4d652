/* SPDX-License-Identifier: MIT */
/*
 * fusefs/attr-entry.h - the attribute handlers without FUSE, for fuzzing and in-process tests.
 *
 * A path names a file as a mount of the sysfs layout shows it ("devices/system/memory/probe");
 * a write goes through the same rules as ops.c applies to a write() (permission at open, empty
 * writes, the 4096-byte cap, NUL termination, the block reference), so a fuzzer reaches exactly
 * what a client of the mount reaches.
 */
#ifndef MHPFS_ATTR_ENTRY_H
#define MHPFS_ATTR_ENTRY_H

#include <stddef.h>
#include <sys/types.h>

#include "memhotplugfs.h"

/**
 * mhpfs_attr_fs_new() - a filesystem state with its engine, as the daemon builds it, unmounted
 * @argc: number of @argv entries
 * @argv: daemon options (argv[0] is the program name), e.g. { "x", "--layout=sysfs" }
 * @ret: the state, written on success
 *
 * The page pools exist (no workload runs); no event sink and no FUSE session exist, so events
 * stay in the engine's queue.
 *
 * Return: 0, -EINVAL (an option), -ENOMEM, or the engine's error.
 */
int mhpfs_attr_fs_new(int argc, char **argv, struct mhpfs **ret);

/** mhpfs_attr_fs_free() - free what mhpfs_attr_fs_new() made; NULL accepted */
void mhpfs_attr_fs_free(struct mhpfs *fs);

/**
 * mhpfs_attr_resolve() - the key of a path below the mount's root
 * @fs: the state
 * @path: components separated by '/', no leading '/'
 * @ret: the key, written on success
 *
 * Return: 0, -ENOENT, -ENOTDIR, -ENAMETOOLONG.
 */
int mhpfs_attr_resolve(struct mhpfs *fs, const char *path, struct mhpfs_key *ret);

/**
 * mhpfs_attr_write() - open the file for writing and write @count bytes once, as write(2) does
 * @fs: the state
 * @path: as for mhpfs_attr_resolve()
 * @buf: the bytes (need not be NUL-terminated)
 * @count: their number
 * @cancel: the writer's cancellation flag, or NULL
 *
 * Return: the count write(2) returns, or -errno: what open(O_WRONLY) gives (ENOENT, EACCES,
 * EISDIR, ENODEV) or what the store gives.
 */
ssize_t mhpfs_attr_write(struct mhpfs *fs, const char *path, const char *buf, size_t count,
			 struct mhp_cancel *cancel);

/**
 * mhpfs_attr_read() - open the file for reading and read it whole, as cat does
 * @fs: the state
 * @path: as for mhpfs_attr_resolve()
 * @sb: receives the text (reset first)
 *
 * Return: 0 or -errno (open or show).
 */
int mhpfs_attr_read(struct mhpfs *fs, const char *path, struct sbuf *sb);

#endif /* MHPFS_ATTR_ENTRY_H */
