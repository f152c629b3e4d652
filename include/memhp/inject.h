/* SPDX-License-Identifier: MIT */
/*
 * memhp/inject.h - the kernel's memory notifier error injector (SPEC §10): a callback on the memory
 * chain that, while an error is set for MEM_GOING_ONLINE or MEM_GOING_OFFLINE, vetoes that event
 * with exactly that errno.  Creating one is `modprobe memory-notifier-error-inject priority=N`;
 * freeing it is `modprobe -r`.
 */
#ifndef MEMHP_INJECT_H
#define MEMHP_INJECT_H

#include <stddef.h>
#include <sys/types.h>

#include "engine.h"

#ifdef __cplusplus
extern "C" {
#endif

struct mhp_inject;

/* The injector's actions: the only two the kernel has. */
enum mhp_inject_action {
	MHP_INJECT_GOING_ONLINE = 0, /* "MEM_GOING_ONLINE" */
	MHP_INJECT_GOING_OFFLINE = 1, /* "MEM_GOING_OFFLINE" */
	MHP_INJECT_NR_ACTIONS,
};

/**
 * mhp_inject_action_name() - the debugfs directory name of an action
 *
 * Return: "MEM_GOING_ONLINE", "MEM_GOING_OFFLINE", or NULL out of range.
 */
const char *mhp_inject_action_name(int action);

/**
 * mhp_inject_new() - register an injector on the engine's memory chain at @priority
 * @e: the engine
 * @priority: notifier priority (the module parameter `priority`, default 0)
 * @ret: the injector, written on success
 *
 * Both errors start at 0 (inactive).
 *
 * Return: 0, -ENOMEM, or the chain's registration error.
 */
int mhp_inject_new(struct mhp_engine *e, int priority, struct mhp_inject **ret);

/**
 * mhp_inject_free() - unregister and free; NULL accepted
 */
void mhp_inject_free(struct mhp_inject *inj);

/**
 * mhp_inject_set() - set an action's error, clamped to [-4095, 0] after a cast to int
 * @inj: the injector
 * @action: enum mhp_inject_action
 * @value: the value written
 *
 * Return: 0, -EINVAL (bad action).
 */
int mhp_inject_set(struct mhp_inject *inj, int action, long long value);

/**
 * mhp_inject_get() - an action's error (0 when inactive); INT_MIN for a bad action
 */
int mhp_inject_get(struct mhp_inject *inj, int action);

/**
 * mhp_inject_store() - what a write to actions/<ACTION>/error does
 * @inj: the injector
 * @action: enum mhp_inject_action
 * @buf: the bytes written (need not be NUL-terminated)
 * @len: their number
 *
 * At most 23 bytes are considered; they are parsed with kstrtoll base 0 and the value goes through
 * mhp_inject_set().
 *
 * Return: @len, or -EINVAL / -ERANGE from the parse.
 */
ssize_t mhp_inject_store(struct mhp_inject *inj, int action, const char *buf, size_t len);

/**
 * mhp_inject_show() - what reading actions/<ACTION>/error gives: "%lld\n"
 *
 * Return: the length written, -EINVAL (bad action), -ENOSPC.
 */
int mhp_inject_show(struct mhp_inject *inj, int action, char *buf, size_t len);

#ifdef __cplusplus
}
#endif

#endif /* MEMHP_INJECT_H */
