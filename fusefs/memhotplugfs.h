/* SPDX-License-Identifier: MIT */
/*
 * fusefs/memhotplugfs.h - the daemon's internal interfaces: the machine options, the sysfs-like
 * tree of templates, the attribute handlers and the event worker.
 *
 * The tree is virtual: an inode number encodes a template (a node of the mini sysfs, such as
 * "memoryN/state") and its parameters (block id and incarnation, node id, cpu).  Nothing is
 * allocated when a block appears or disappears; existence is always asked from the engine, which is
 * the only owner of hotplug state.
 */
#ifndef MEMHOTPLUGFS_H
#define MEMHOTPLUGFS_H

#define FUSE_USE_VERSION 312

#include <fuse_lowlevel.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <memhp/memhp.h>

#include "sinks.h"

#include "machine-file.h"

#define MHPFS_MAX_CPUS 1024
#define MHPFS_MAX_RANGES 64
#define MHPFS_SYSFS_PAGE 4096

/* ---- the machine and the command line (options.c) --------------------------------------- */

enum mhpfs_layout {
	MHPFS_LAYOUT_MEMORY = 0, /* the mount is /sys/devices/system/memory */
	MHPFS_LAYOUT_SYSFS, /* the mount is a mini /sys */
};

/**
 * struct mhpfs_machine - everything the command line decides
 * @cfg: the engine configuration; its arrays point into @boot, @numa and @reserved
 * @boot: boot memory ranges
 * @numa: firmware NUMA affinity of hot-pluggable ranges
 * @reserved: busy iomem
 * @cpu_node: node of each cpu
 * @nr_cpus: number of cpus
 * @distance: SLIT, distance[a][b]
 * @layout: enum mhpfs_layout
 * @probe: whether memory/probe exists
 * @no_memory_failure: no soft_offline_page and hard_offline_page (CONFIG_MEMORY_FAILURE unset)
 * @inject: whether the notifier error injector is loaded
 * @inject_priority: its notifier priority
 * @dimm: firmware DIMM slots (machine files), numbered by index
 * @nr_dimms: entries in @dimm
 * @workload: the initial workload, "key=value" lines (see mhpfs_workload_parse())
 * @seed: the system root the machine was seeded from, or NULL (its boot ranges live there)
 */
struct mhpfs_machine {
	struct mhp_config cfg;
	struct mhp_mem_range boot[MHPFS_MAX_RANGES];
	struct mhp_mem_range numa[MHPFS_MAX_RANGES];
	struct mhp_mem_range reserved[MHPFS_MAX_RANGES];
	int cpu_node[MHPFS_MAX_CPUS];
	unsigned int nr_cpus;
	unsigned char distance[MHP_MAX_NUMNODES][MHP_MAX_NUMNODES];
	int layout;
	bool probe;
	bool no_memory_failure;
	bool inject;
	int inject_priority;
	struct mhpfs_dimm dimm[MHPFS_MAX_DIMMS];
	unsigned int nr_dimms;
	char workload[MHPFS_WORKLOAD_MAX];
	struct mhpfs_seed *seed;
};

/**
 * mhpfs_parse_options() - parse the daemon's own options out of @args
 * @args: the command line; the daemon's options are removed, FUSE's stay
 * @m: filled with the default machine changed by the options
 * @ret_exit: set to an exit status when the program should stop (help, version, error)
 *
 * Prints a message naming the option on error.
 *
 * Return: 0 to continue, or -EINVAL / 1 (stop; see @ret_exit).
 */
int mhpfs_parse_options(struct fuse_args *args, struct mhpfs_machine *m, int *ret_exit);

/** mhpfs_usage() - print the daemon's option summary */
void mhpfs_usage(const char *prog);

/* ---- the filesystem state ------------------------------------------------------------------ */

/**
 * struct mhpfs - one mounted filesystem
 * @e: the engine
 * @inj: the error injector, or NULL
 * @m: the machine
 * @se: the FUSE session (NULL until mounted)
 * @start: mount time, used for all timestamps
 * @bus_autoprobe: drivers_autoprobe of bus/memory and bus/node
 * @power_lock: protects @power_on
 * @power_on: power/control set to "on" (struct power_on list)
 * @stop: asks the event worker to end
 * @evopts: the event options (sinks.h)
 * @sinks: the event sinks, NULL while none exist (sinks.c)
 * @tree_changes: blocks added or removed so far (the engine's on_change)
 * @sync_lock: protects @handled_seqnum and @sync_waiters
 * @sync_cond: signalled when @handled_seqnum grows
 * @handled_seqnum: the event worker has invalidated the names of every event up to this SEQNUM
 * @sync_waiters: stores waiting in mhpfs_events_sync()
 * @worker_wake_fd: eventfd that wakes the event worker to stop
 * @stat_*: counters for kernel/debug/memhotplugfs/stats
 * @dir_cache: the kernel keeps directory listings (no OPENDIR; ops.c)
 * @dir_mtime_ns: modification times of the directories whose children come and go
 *	(memory/, node/, bus/memory/devices/, bus/node/devices/, then node/nodeN/), 0 until they
 *	first change (tree.c mhpfs_dir_changed())
 * @pool: the emulated physical memory (page pools)
 * @wl: the workload on @pool
 */
struct mhpfs {
	struct mhp_engine *e;
	struct mhp_inject *inj;
	struct mhpfs_machine m;
	struct fuse_session *se;
	struct timespec start;
	atomic_int bus_autoprobe[2];
	pthread_mutex_t power_lock;
	struct power_on *power_on; /* protected by power_lock */
	atomic_bool stop;
	struct mhpfs_event_opts evopts;
	struct mhpfs_sinks *sinks;
	atomic_ulong tree_changes;
	pthread_mutex_t sync_lock;
	pthread_cond_t sync_cond;
	uint64_t handled_seqnum; /* protected by sync_lock */
	unsigned int sync_waiters; /* protected by sync_lock */
	int worker_wake_fd;
	atomic_ulong stat_opens;
	atomic_ulong stat_reads;
	atomic_ulong stat_writes;
	atomic_ulong stat_write_errors;
	atomic_ulong stat_interrupts;
	atomic_ulong stat_changes;
	atomic_ulong stat_events;
	atomic_ulong stat_invalidations;
	bool dir_cache;
	_Atomic int64_t dir_mtime_ns[4 + MHP_MAX_NUMNODES];
	struct mhp_pool *pool; /* created before @e, freed after it (pools.c) */
	struct mhpfs_wl *wl; /* kernel/debug/memhotplugfs/workload (pools.c) */
	pthread_mutex_t open_lock;
	struct mhpfs_ohandle *open_list; /* open files (ops.c); open_lock */
	/* held across a DIMM plug or unplug (attrs.c dimm_slots) */
	pthread_mutex_t dimm_lock;
	int dimm_group[MHPFS_MAX_DIMMS]; /* dimm_lock: memory group id + 1, 0 when empty */
};

/**
 * struct mhpfs_ohandle - list entry of an open file (first member of ops.c's struct ofile;
 * directories need nothing per open)
 *
 * FUSE sends RELEASE asynchronously: a session that ends right after a close never sees it, so
 * what is still listed when the loop returns is freed by mhpfs_release_leftovers().
 */
struct mhpfs_ohandle {
	struct mhpfs_ohandle *prev, *next;
};

/** mhpfs_release_leftovers() - free open files the kernel never released; after the loop only */
void mhpfs_release_leftovers(struct mhpfs *fs);

/* ---- templates (tree.c) ------------------------------------------------------------------- */

enum mhpfs_kind {
	K_DIR,
	K_FILE,
	K_LINK,
};

/* Which parameters a template's key carries. */
enum mhpfs_param {
	P_NONE = 0,
	P_BLOCK, /* id */
	P_NODE, /* nid */
	P_BLOCK_NODE, /* id, nid: memoryN/nodeX */
	P_NODE_BLOCK, /* nid, id: nodeX/memoryN */
	P_NODE_CPU, /* nid, id = cpu */
};

/**
 * struct mhpfs_key - a node of the tree: template and parameters
 * @t: template index
 * @nid: node id (P_NODE*, P_BLOCK_NODE)
 * @id: block id or cpu number
 * @tag: which incarnation of block @id (P_BLOCK, P_BLOCK_NODE, P_NODE_BLOCK; tree.c), 0 otherwise;
 *       a key whose tag is no longer the block's names a removed block
 */
struct mhpfs_key {
	int t;
	int nid;
	unsigned long id;
	unsigned int tag;
};

/* A growing output buffer (LXCFS learnt that fixed-size ones break). */
struct sbuf {
	char *data;
	size_t len;
	size_t cap;
};

int sbuf_printf(struct sbuf *sb, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void sbuf_reset(struct sbuf *sb);
void sbuf_free(struct sbuf *sb);

/* File flavours: kernfs (sysfs) files or debugfs files. */
#define TF_DEBUGFS (1U << 0) /* st_size 0, no 4096-byte cap on writes */
#define TF_STREAM (1U << 1) /* the event stream: reads served by sinks.c, not show */

/**
 * struct mhpfs_attr_ctx - what a show or store works on
 * @fs: the filesystem
 * @k: the key of the file
 * @b: the block when the key has one (a reference held by the open file), else NULL
 * @cancel: the writer's cancellation flag (stores only)
 * @uid: the writer's uid (stores only; fuse_req_ctx())
 * @pid: the writer's thread id as the daemon sees it, 0 if unknown (stores only)
 */
struct mhpfs_attr_ctx {
	struct mhpfs *fs;
	const struct mhpfs_key *k;
	struct mhp_block *b;
	struct mhp_cancel *cancel;
	uid_t uid;
	pid_t pid;
};

typedef int (*mhpfs_show_t)(const struct mhpfs_attr_ctx *c, struct sbuf *sb);
typedef int (*mhpfs_store_t)(const struct mhpfs_attr_ctx *c, const char *buf, size_t count);
typedef int (*mhpfs_link_t)(const struct mhpfs_key *k, struct sbuf *sb);
typedef bool (*mhpfs_exists_t)(const struct mhpfs *fs);

/**
 * struct mhpfs_template - one node of the mini sysfs
 * @name: fixed name, or the prefix of a parametrised name ("memory" for memoryN)
 * @parent: template index of the parent directory
 * @kind: enum mhpfs_kind
 * @mode: permission bits
 * @param: enum mhpfs_param of the key
 * @numbered: the name is @name followed by the parameter this template introduces
 * @flags: TF_*
 * @show: read handler (NULL: EACCES at open for reading)
 * @store: write handler (NULL: EACCES at open for writing)
 * @link: symlink target
 * @exists: whether the template exists in this configuration (NULL: always)
 */
struct mhpfs_template {
	const char *name;
	int parent;
	int kind;
	mode_t mode;
	int param;
	bool numbered;
	unsigned int flags;
	mhpfs_show_t show;
	mhpfs_store_t store;
	mhpfs_link_t link;
	mhpfs_exists_t exists;
};

extern const struct mhpfs_template mhpfs_templates[];
extern const int mhpfs_nr_templates;

/* Template indices other files need. */
int mhpfs_t_root(void);
int mhpfs_t_memory(void);
int mhpfs_t_node_root(void);
int mhpfs_t_node(void);
int mhpfs_t_bus_memory_devices(void);
int mhpfs_t_bus_node_devices(void);

/** mhpfs_layout_root() - the template shown at the mount point */
int mhpfs_layout_root(const struct mhpfs *fs);

fuse_ino_t mhpfs_key_to_ino(const struct mhpfs *fs, const struct mhpfs_key *k);
int mhpfs_ino_to_key(const struct mhpfs *fs, fuse_ino_t ino, struct mhpfs_key *ret);

/**
 * mhpfs_key_valid() - whether the node exists now
 *
 * Return: 0, -ENOENT (never existed or gone).
 */
int mhpfs_key_valid(struct mhpfs *fs, const struct mhpfs_key *k);

/**
 * mhpfs_key_generation() - the FUSE generation: the engine's block generation, 0 when @k has none
 * or names an incarnation that is gone
 */
uint64_t mhpfs_key_generation(struct mhpfs *fs, const struct mhpfs_key *k);

/**
 * mhpfs_lookup_child() - find a child by name
 *
 * Return: 0 with @ret set, -ENOENT, -ENOTDIR.
 */
int mhpfs_lookup_child(struct mhpfs *fs, const struct mhpfs_key *dir, const char *name,
		       struct mhpfs_key *ret);

/**
 * mhpfs_node_tag() - node @nid's incarnation as inode numbers carry it (its directory's key
 * tag): 1..16383, 0 while the node is offline
 */
unsigned int mhpfs_node_tag(const struct mhpfs *fs, int nid);
/** mhpfs_parent() - the parent of a node (the root is its own parent) */
void mhpfs_parent(const struct mhpfs *fs, const struct mhpfs_key *k, struct mhpfs_key *ret);

/*
 * Directory positions (readdir offsets) need no state: 0 is the start, MHPFS_POS_DOT the position
 * after ".", MHPFS_POS_CHILDREN after "..", and a child's position names its template and
 * number, so a listing resumes after the child it stopped at whatever came or went meanwhile.
 */
#define MHPFS_POS_DOT 1
#define MHPFS_POS_CHILDREN 2

/**
 * mhpfs_child_cb - called for each child while listing a directory
 * @pos: the position right after this child
 * Return: 0 to go on, non-zero to stop (that value is returned by mhpfs_list_children()).
 */
typedef int (*mhpfs_child_cb)(void *priv, const char *name, const struct mhpfs_key *k,
			      uint64_t pos);

/** mhpfs_list_children() - the children of @dir that come after position @pos */
int mhpfs_list_children(struct mhpfs *fs, const struct mhpfs_key *dir, uint64_t pos,
			mhpfs_child_cb cb, void *priv);

/**
 * mhpfs_gone_dir() - the directory of the block or node whose removal @ev reports, as the
 * incarnation that went away named it (-ENOENT: not such an event, or not in the layout)
 */
int mhpfs_gone_dir(const struct mhpfs *fs, const struct mhp_uevent *ev, struct mhpfs_key *ret);

/**
 * mhpfs_dir_changed() - children of directory @dir came or went: its modification time moves on
 * (the kernel's cached listing of it is dropped at the next listing from the start)
 */
void mhpfs_dir_changed(struct mhpfs *fs, const struct mhpfs_key *dir);

/** mhpfs_fill_stat() - st_mode, st_size, st_nlink, owner and times of a node */
void mhpfs_fill_stat(struct mhpfs *fs, const struct mhpfs_key *k, struct stat *st);

/* ---- attribute helpers (attrs.c) ---------------------------------------------------------- */

/**
 * mhpfs_power_forget() - drop the power/control state of devices that are gone (removed blocks
 * and nodes; a device that comes back is a new one, with its own inode numbers and "auto")
 */
void mhpfs_power_forget(struct mhpfs *fs);

/** mhpfs_power_free() - drop all power/control state (at exit) */
void mhpfs_power_free(struct mhpfs *fs);

/**
 * mhpfs_new() - a filesystem state with its locks and defaults, and no machine yet
 *
 * Return: the state, or NULL (out of memory).
 */
struct mhpfs *mhpfs_new(void);

/** mhpfs_free() - release what mhpfs_new() set up (the engine and pools are freed before); NULL ok */
void mhpfs_free(struct mhpfs *fs);

/* ---- the FUSE operations (ops.c) ---------------------------------------------------------- */

extern const struct fuse_lowlevel_ops mhpfs_ops;

/* ---- the event worker (events.c) ---------------------------------------------------------- */

/** mhpfs_on_change() - the engine's on_change hook: never blocks, never calls the engine */
void mhpfs_on_change(void *priv, enum mhp_change what, unsigned long id);

int mhpfs_events_start(struct mhpfs *fs, pthread_t *ret);
void mhpfs_events_stop(struct mhpfs *fs, pthread_t thread);

/**
 * mhpfs_events_sync() - wait until the event worker has handled every event up to @seqnum
 *
 * The kernel caches names and directory attributes; a store that added or removed blocks calls
 * this before replying, so that its caller never finds a stale name.  Waits at most 2 s.
 */
void mhpfs_events_sync(struct mhpfs *fs, uint64_t seqnum);

#endif /* MEMHOTPLUGFS_H */
