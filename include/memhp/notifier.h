/* SPDX-License-Identifier: MIT */
/*
 * memhp/notifier.h - blocking notifier chains with the kernel's semantics (SPEC §4.1).
 *
 * A chain is a list of callbacks sorted by priority, highest first, FIFO among equal priorities.
 * Calling a chain runs the callbacks in order and stops after the first one whose return value has
 * MHP_NOTIFY_STOP_MASK set; the chain returns the value of the last callback called.
 *
 * Locking: each chain has a read/write lock; calls take it for reading (several threads may call a
 * chain at once), registration takes it for writing.  Registering or unregistering on a chain from
 * inside one of its own callbacks (on the calling thread) would self-deadlock in the kernel; here it
 * is refused with -EDEADLK and nothing changes.  Callbacks may block.
 */
#ifndef MEMHP_NOTIFIER_H
#define MEMHP_NOTIFIER_H

#include <pthread.h>

#ifdef __cplusplus
extern "C" {
#endif

#define MHP_NOTIFY_DONE 0x0000 /* don't care */
#define MHP_NOTIFY_OK 0x0001 /* suits me */
#define MHP_NOTIFY_STOP_MASK 0x8000 /* don't call further */
#define MHP_NOTIFY_BAD (MHP_NOTIFY_STOP_MASK | 0x0002) /* veto; -EPERM */
#define MHP_NOTIFY_STOP (MHP_NOTIFY_OK | MHP_NOTIFY_STOP_MASK) /* clean way to stop the chain */

/* Known memory-notifier priorities (include/linux/memory.h). */
enum {
	MHP_DEFAULT_CALLBACK_PRI = 0,
	MHP_SLAB_CALLBACK_PRI = 1,
	MHP_HMAT_CALLBACK_PRI = 2,
	MHP_CXL_CALLBACK_PRI = 5,
	MHP_MM_COMPUTE_BATCH_PRI = 10,
	MHP_CPUSET_CALLBACK_PRI = 10,
	MHP_MEMTIER_HOTPLUG_PRI = 100,
	MHP_KSM_CALLBACK_PRI = 100,
};

struct mhp_notifier_block;

/**
 * typedef mhp_notifier_fn_t - a notifier callback
 * @nb: the registered block (use container_of-style embedding to reach private data)
 * @action: the event (e.g. MHP_MEM_GOING_OFFLINE)
 * @data: the event payload (struct mhp_memory_notify * for the memory chain)
 *
 * Return: MHP_NOTIFY_* or mhp_notifier_from_errno().
 */
typedef int (*mhp_notifier_fn_t)(struct mhp_notifier_block *nb, unsigned long action, void *data);

struct mhp_notifier_block {
	mhp_notifier_fn_t notifier_call;
	int priority;
	struct mhp_notifier_block *next; /* owned by the chain while registered */
};

struct mhp_notifier_head {
	pthread_rwlock_t rwsem;
	struct mhp_notifier_block *head; /* protected by rwsem */
};

/**
 * mhp_notifier_head_init() - initialise an empty chain
 * @nh: the chain
 *
 * Return: 0 or -errno from pthread_rwlock_init().
 */
int mhp_notifier_head_init(struct mhp_notifier_head *nh);

/**
 * mhp_notifier_head_destroy() - release an (empty or not) chain; callbacks are not called
 * @nh: the chain (NULL is accepted)
 */
void mhp_notifier_head_destroy(struct mhp_notifier_head *nh);

/**
 * mhp_notifier_chain_register() - add a callback at its priority
 * @nh: the chain
 * @nb: the block; notifier_call and priority set by the caller
 *
 * Takes the chain lock for writing; may block while the chain is being called.
 *
 * Return: 0; -EEXIST if @nb is already registered (the kernel warns and refuses);
 * -EDEADLK when called from inside a callback of this chain.
 */
int mhp_notifier_chain_register(struct mhp_notifier_head *nh, struct mhp_notifier_block *nb);

/**
 * mhp_notifier_chain_register_unique_prio() - like register, refusing an equal priority
 * @nh: the chain
 * @nb: the block
 *
 * Return: 0, -EEXIST, -EBUSY (a block with the same priority exists), -EDEADLK.
 */
int mhp_notifier_chain_register_unique_prio(struct mhp_notifier_head *nh,
					    struct mhp_notifier_block *nb);

/**
 * mhp_notifier_chain_unregister() - remove a callback
 * @nh: the chain
 * @nb: the block
 *
 * Takes the chain lock for writing; once it returns, @nb is not being called and will not be.
 *
 * Return: 0; -ENOENT if @nb is not registered; -EDEADLK when called from inside a callback of
 * this chain.
 */
int mhp_notifier_chain_unregister(struct mhp_notifier_head *nh, struct mhp_notifier_block *nb);

/**
 * mhp_notifier_call_chain() - call the callbacks in order
 * @nh: the chain
 * @action: passed to every callback
 * @data: passed to every callback
 *
 * Takes the chain lock for reading; callbacks may block.
 *
 * Return: the value of the last callback called, MHP_NOTIFY_DONE for an empty chain.
 */
int mhp_notifier_call_chain(struct mhp_notifier_head *nh, unsigned long action, void *data);

/**
 * mhp_notifier_from_errno() - encode an errno as a notifier return value
 * @err: 0 or a negative errno
 *
 * Return: MHP_NOTIFY_OK for 0, else MHP_NOTIFY_STOP_MASK | (1 - @err).
 */
static inline int mhp_notifier_from_errno(int err)
{
	if (err)
		return MHP_NOTIFY_STOP_MASK | (MHP_NOTIFY_OK - err);
	return MHP_NOTIFY_OK;
}

/**
 * mhp_notifier_to_errno() - decode a notifier return value
 * @ret: a chain's return value
 *
 * Return: 0 for DONE, OK and STOP; -EPERM for MHP_NOTIFY_BAD; the encoded negative errno otherwise.
 */
static inline int mhp_notifier_to_errno(int ret)
{
	ret &= ~MHP_NOTIFY_STOP_MASK;
	return ret > MHP_NOTIFY_OK ? MHP_NOTIFY_OK - ret : 0;
}

/* Memory chain events (include/linux/memory.h).  PREPARE/FINISH (6.9-6.18) are not emulated. */
#define MHP_MEM_ONLINE (1 << 0) /* exposed to userspace */
#define MHP_MEM_GOING_OFFLINE (1 << 1) /* exposed to userspace */
#define MHP_MEM_OFFLINE (1 << 2) /* exposed to userspace */
#define MHP_MEM_GOING_ONLINE (1 << 3)
#define MHP_MEM_CANCEL_ONLINE (1 << 4)
#define MHP_MEM_CANCEL_OFFLINE (1 << 5)

/**
 * struct mhp_memory_notify - the memory chain's payload (the ≤6.16 layout, SPEC §4.3)
 * @start_pfn: first page frame of the range being onlined or offlined
 * @nr_pages: pages in the range (the block minus its memmap-on-memory pages)
 * @status_change_nid_normal: the node gaining its first / losing its last DMA..Normal memory, or -1
 * @status_change_nid: the node gaining its first / losing its last memory, or -1
 *
 * The same values are passed to GOING_x, x and CANCEL_x of one operation.
 */
struct mhp_memory_notify {
	unsigned long start_pfn;
	unsigned long nr_pages;
	int status_change_nid_normal;
	int status_change_nid;
};

#ifdef __cplusplus
}
#endif

#endif /* MEMHP_NOTIFIER_H */
