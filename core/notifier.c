// SPDX-License-Identifier: MIT
/*
 * Blocking notifier chains (SPEC §4.1): priority order, FIFO among equals, STOP mask, return value
 * of the last callback called.
 */
#include <errno.h>
#include <stdbool.h>
#include <stddef.h>

#include "memhp/notifier.h"

/*
 * The chain this thread is calling right now, innermost first.  A chain may legitimately call
 * another chain from a callback, so this is a small stack rather than a single pointer.
 */
#define MAX_NESTED_CALLS 8
static _Thread_local struct mhp_notifier_head *calling[MAX_NESTED_CALLS];
static _Thread_local unsigned int nr_calling;

static bool calling_chain(const struct mhp_notifier_head *nh)
{
	for (unsigned int i = 0; i < nr_calling && i < MAX_NESTED_CALLS; i++)
		if (calling[i] == nh)
			return true;
	return false;
}

int mhp_notifier_head_init(struct mhp_notifier_head *nh)
{
	nh->head = NULL;
	return -pthread_rwlock_init(&nh->rwsem, NULL);
}

void mhp_notifier_head_destroy(struct mhp_notifier_head *nh)
{
	if (!nh)
		return;
	nh->head = NULL;
	pthread_rwlock_destroy(&nh->rwsem);
}

static int chain_register_locked(struct mhp_notifier_head *nh, struct mhp_notifier_block *n,
				 bool unique_priority)
{
	struct mhp_notifier_block **nl = &nh->head;

	for (struct mhp_notifier_block *p = nh->head; p; p = p->next)
		if (p == n)
			return -EEXIST;

	/* Insert after every entry of higher or equal priority: equal priorities run FIFO. */
	while (*nl) {
		if (n->priority > (*nl)->priority)
			break;
		if (unique_priority && n->priority == (*nl)->priority)
			return -EBUSY;
		nl = &(*nl)->next;
	}
	n->next = *nl;
	*nl = n;
	return 0;
}

static int chain_register(struct mhp_notifier_head *nh, struct mhp_notifier_block *n,
			  bool unique_priority)
{
	int r;

	if (calling_chain(nh))
		return -EDEADLK;
	pthread_rwlock_wrlock(&nh->rwsem);
	r = chain_register_locked(nh, n, unique_priority);
	pthread_rwlock_unlock(&nh->rwsem);
	return r;
}

int mhp_notifier_chain_register(struct mhp_notifier_head *nh, struct mhp_notifier_block *nb)
{
	return chain_register(nh, nb, false);
}

int mhp_notifier_chain_register_unique_prio(struct mhp_notifier_head *nh,
					    struct mhp_notifier_block *nb)
{
	return chain_register(nh, nb, true);
}

int mhp_notifier_chain_unregister(struct mhp_notifier_head *nh, struct mhp_notifier_block *nb)
{
	struct mhp_notifier_block **nl;
	int r = -ENOENT;

	if (calling_chain(nh))
		return -EDEADLK;
	pthread_rwlock_wrlock(&nh->rwsem);
	for (nl = &nh->head; *nl; nl = &(*nl)->next) {
		if (*nl == nb) {
			*nl = nb->next;
			nb->next = NULL;
			r = 0;
			break;
		}
	}
	pthread_rwlock_unlock(&nh->rwsem);
	return r;
}

int mhp_notifier_call_chain(struct mhp_notifier_head *nh, unsigned long action, void *data)
{
	int ret = MHP_NOTIFY_DONE;

	pthread_rwlock_rdlock(&nh->rwsem);
	if (nr_calling < MAX_NESTED_CALLS)
		calling[nr_calling] = nh;
	nr_calling++;
	for (struct mhp_notifier_block *nb = nh->head; nb; nb = nb->next) {
		ret = nb->notifier_call(nb, action, data);
		if (ret & MHP_NOTIFY_STOP_MASK)
			break;
	}
	nr_calling--;
	pthread_rwlock_unlock(&nh->rwsem);
	return ret;
}
