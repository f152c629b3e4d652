// SPDX-License-Identifier: MIT
/*
 * The memory notifier error injector (lib/notifier-error-inject.c, SPEC §10).
 */
#include <errno.h>
#include <limits.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "memhp/inject.h"

struct mhp_inject {
	struct mhp_notifier_block nb; /* first: the callback gets back to us from it */
	struct mhp_engine *engine;
	atomic_int error[MHP_INJECT_NR_ACTIONS];
};

static const char *const action_names[MHP_INJECT_NR_ACTIONS] = {
	[MHP_INJECT_GOING_ONLINE] = "MEM_GOING_ONLINE",
	[MHP_INJECT_GOING_OFFLINE] = "MEM_GOING_OFFLINE",
};

static const unsigned long action_events[MHP_INJECT_NR_ACTIONS] = {
	[MHP_INJECT_GOING_ONLINE] = MHP_MEM_GOING_ONLINE,
	[MHP_INJECT_GOING_OFFLINE] = MHP_MEM_GOING_OFFLINE,
};

const char *mhp_inject_action_name(int action)
{
	if (action < 0 || action >= MHP_INJECT_NR_ACTIONS)
		return NULL;
	return action_names[action];
}

static int inject_callback(struct mhp_notifier_block *nb, unsigned long val, void *data)
{
	struct mhp_inject *inj = (struct mhp_inject *)nb;
	int err = 0;

	for (int i = 0; i < MHP_INJECT_NR_ACTIONS; i++) {
		if (action_events[i] == val) {
			err = atomic_load(&inj->error[i]);
			break;
		}
	}
	/* notifier_from_errno(0) is NOTIFY_OK: every other event is simply acknowledged. */
	return mhp_notifier_from_errno(err);
}

int mhp_inject_new(struct mhp_engine *e, int priority, struct mhp_inject **ret)
{
	struct mhp_inject *inj;
	int r;

	inj = calloc(1, sizeof(*inj));
	if (!inj)
		return -ENOMEM;
	inj->engine = e;
	inj->nb.notifier_call = inject_callback;
	inj->nb.priority = priority;
	r = mhp_register_memory_notifier(e, &inj->nb);
	if (r < 0) {
		free(inj);
		return r;
	}
	*ret = inj;
	return 0;
}

void mhp_inject_free(struct mhp_inject *inj)
{
	if (!inj)
		return;
	mhp_unregister_memory_notifier(inj->engine, &inj->nb);
	free(inj);
}

int mhp_inject_set(struct mhp_inject *inj, int action, long long value)
{
	int v;

	if (action < 0 || action >= MHP_INJECT_NR_ACTIONS)
		return -EINVAL;
	/* debugfs_errno_set(): clamp_t(int, val, -MAX_ERRNO, 0) casts to int before clamping. */
	v = (int)value;
	if (v > 0)
		v = 0;
	if (v < -4095)
		v = -4095;
	atomic_store(&inj->error[action], v);
	return 0;
}

int mhp_inject_get(struct mhp_inject *inj, int action)
{
	if (action < 0 || action >= MHP_INJECT_NR_ACTIONS)
		return INT_MIN;
	return atomic_load(&inj->error[action]);
}

ssize_t mhp_inject_store(struct mhp_inject *inj, int action, const char *buf, size_t len)
{
	char tmp[24]; /* simple_attr's set_buf: 23 bytes are considered */
	size_t n = len < sizeof(tmp) - 1 ? len : sizeof(tmp) - 1;
	long long val;
	int r;

	if (action < 0 || action >= MHP_INJECT_NR_ACTIONS)
		return -EINVAL;
	memcpy(tmp, buf, n);
	tmp[n] = '\0';
	r = mhp_kstrtoll(tmp, 0, &val);
	if (r < 0)
		return r;
	mhp_inject_set(inj, action, val);
	return (ssize_t)len;
}

int mhp_inject_show(struct mhp_inject *inj, int action, char *buf, size_t len)
{
	int n;

	if (action < 0 || action >= MHP_INJECT_NR_ACTIONS)
		return -EINVAL;
	n = snprintf(buf, len, "%lld\n", (long long)atomic_load(&inj->error[action]));
	if (n < 0 || (size_t)n >= len)
		return -ENOSPC;
	return n;
}
