/* SPDX-License-Identifier: MIT */
/*
 * fusefs/pools.h - the page pools behind the daemon's engine: the emulated physical memory, its
 * built-in notifier subsystems, the workload that keeps it in use, memory failure
 * (soft_offline_page, hard_offline_page) and the control files that drive them.
 *
 * Lifetime: mhpfs_pools_new() before mhp_engine_new() (it plugs the pool into the machine's
 * config), mhpfs_pools_attach() right after, mhpfs_workload_start() once the daemon serves (after
 * fuse_daemonize(): the writers are threads), mhpfs_workload_stop() before mhp_engine_free() and
 * mhpfs_pools_free() after it.
 */
#ifndef MHPFS_POOLS_H
#define MHPFS_POOLS_H

#include "memhotplugfs.h"

/**
 * mhpfs_pools_new() - create the pool of @fs's machine and point the machine's config at it
 * @fs: the filesystem; fs->pool is set
 *
 * Return: 0 or the errno of mhp_pool_new() (logged).
 */
int mhpfs_pools_new(struct mhpfs *fs);

/**
 * mhpfs_pools_attach() - register the pool's slab and page-cache subsystems on fs->e's chain
 * @fs: the filesystem, with fs->e built over fs->pool
 *
 * Return: 0 or -errno (logged).
 */
int mhpfs_pools_attach(struct mhpfs *fs);

/**
 * mhpfs_workload_start() - start the workload of the machine (fs->m.workload) and apply it
 * @fs: the filesystem
 *
 * An empty text starts an idle workload (no pages, no threads) that the control file can change.
 * A fill level that does not fit is kept as far as memory allows.
 *
 * Return: 0, -EINVAL (bad text), -ENOMEM, a thread error (logged).
 */
int mhpfs_workload_start(struct mhpfs *fs);

/**
 * mhpfs_workload_stop() - stop the workload and free its pages; nothing when there is none
 * @fs: the filesystem
 */
void mhpfs_workload_stop(struct mhpfs *fs);

/**
 * mhpfs_pools_free() - stop the workload, then free the pool; call after mhp_engine_free()
 * @fs: the filesystem (fs->pool may be NULL)
 */
void mhpfs_pools_free(struct mhpfs *fs);

/**
 * mhpfs_workload_text_append() - add "K=V,K=V" items (the --workload option) to a workload text
 * @text: "key=value" lines (struct mhpfs_machine.workload)
 * @size: its buffer size
 * @items: comma-separated key=value items; later keys override earlier ones
 *
 * Return: 0, -EINVAL (an item is bad: @text unchanged), -E2BIG (too long: @text unchanged).
 */
int mhpfs_workload_text_append(char *text, size_t size, const char *items);

/* Attribute handlers (attrs.c tables). */
int mhpfs_workload_show(const struct mhpfs_attr_ctx *c, struct sbuf *sb);
int mhpfs_workload_store(const struct mhpfs_attr_ctx *c, const char *buf, size_t count);
int mhpfs_workload_verify_show(const struct mhpfs_attr_ctx *c, struct sbuf *sb);
int mhpfs_soft_offline_page_store(const struct mhpfs_attr_ctx *c, const char *buf, size_t count);
int mhpfs_hard_offline_page_store(const struct mhpfs_attr_ctx *c, const char *buf, size_t count);

/**
 * mhpfs_pool_node_meminfo() - page counts of a node for meminfo and vmstat
 * @fs: the filesystem
 * @nid: the node
 * @ret: written on success
 *
 * Return: 0, -EINVAL (node), -ENODEV (no pool).
 */
int mhpfs_pool_node_meminfo(struct mhpfs *fs, int nid, struct mhp_pool_meminfo *ret);

#endif /* MHPFS_POOLS_H */
