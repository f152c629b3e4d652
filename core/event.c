// SPDX-License-Identifier: MIT
/*
 * The uevent queue (SPEC §8): an ordered ring of records that the front end drains.  The eventfd is
 * readable exactly while the ring is non-empty, so a poll loop needs no timer.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

#include "engine-internal.h"
#include "engine-priv.h"

static const char *const action_names[MHP_KOBJ_MAX] = {
	[MHP_KOBJ_ADD] = "add",	  [MHP_KOBJ_REMOVE] = "remove", [MHP_KOBJ_CHANGE] = "change",
	[MHP_KOBJ_MOVE] = "move", [MHP_KOBJ_ONLINE] = "online", [MHP_KOBJ_OFFLINE] = "offline",
	[MHP_KOBJ_BIND] = "bind", [MHP_KOBJ_UNBIND] = "unbind",
};

const char *mhp_uevent_action_name(int action)
{
	if (action < 0 || action >= MHP_KOBJ_MAX)
		return NULL;
	return action_names[action];
}

int mhp_uevent_action_from_str(const char *s)
{
	for (int i = 0; i < MHP_KOBJ_MAX; i++)
		if (mhp_sysfs_streq(s, action_names[i]))
			return i;
	return -EINVAL;
}

const char *mhp_subsystem_name(int subsystem)
{
	switch (subsystem) {
	case MHP_SUBSYS_MEMORY:
		return "memory";
	case MHP_SUBSYS_NODE:
		return "node";
	case MHP_SUBSYS_BUS:
		return "bus";
	default:
		return NULL;
	}
}

int mhp_uevent_devpath(const struct mhp_uevent *ev, char *buf, size_t len)
{
	int n;

	if (ev->subsystem == MHP_SUBSYS_MEMORY)
		n = snprintf(buf, len, "/devices/system/memory/memory%lu", ev->id);
	else if (ev->subsystem == MHP_SUBSYS_NODE)
		n = snprintf(buf, len, "/devices/system/node/node%lu", ev->id);
	else if (ev->subsystem == MHP_SUBSYS_BUS &&
		 (ev->id == MHP_SUBSYS_MEMORY || ev->id == MHP_SUBSYS_NODE))
		n = snprintf(buf, len, "/bus/%s", mhp_subsystem_name((int)ev->id));
	else
		return -EINVAL;
	if (n < 0 || (size_t)n >= len)
		return -ENOSPC;
	return n;
}

int event_init(struct mhp_engine *e)
{
	pthread_condattr_t attr;

	e->ev_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (e->ev_fd < 0)
		return -errno;
	pthread_mutex_init(&e->ev_lock, NULL);
	pthread_condattr_init(&attr);
	pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
	pthread_cond_init(&e->ev_cond, &attr);
	pthread_condattr_destroy(&attr);
	return 0;
}

void event_fini(struct mhp_engine *e)
{
	if (e->ev_fd >= 0)
		close(e->ev_fd);
	pthread_cond_destroy(&e->ev_cond);
	pthread_mutex_destroy(&e->ev_lock);
	free(e->ev_ring);
}

static void ev_fd_signal(struct mhp_engine *e)
{
	uint64_t one = 1;

	(void)!write(e->ev_fd, &one, sizeof(one));
}

static void ev_fd_drain(struct mhp_engine *e)
{
	uint64_t v;

	(void)!read(e->ev_fd, &v, sizeof(v));
}

static bool ring_push_locked(struct mhp_engine *e, const struct mhp_uevent *ev)
{
	if (e->ev_count == e->ev_cap) {
		if (e->ev_cap < MHP_EVENT_QUEUE_MAX) {
			size_t ncap = e->ev_cap ? e->ev_cap * 2 : 64;
			struct mhp_uevent *n = malloc(ncap * sizeof(*n));

			if (!n)
				return false;
			for (size_t i = 0; i < e->ev_count; i++)
				n[i] = e->ev_ring[(e->ev_head + i) % e->ev_cap];
			free(e->ev_ring);
			e->ev_ring = n;
			e->ev_cap = ncap;
			e->ev_head = 0;
		} else {
			/* Full: a reader that does not keep up loses the oldest events. */
			e->ev_head = (e->ev_head + 1) % e->ev_cap;
			e->ev_count--;
			e->dropped++;
		}
	}
	e->ev_ring[(e->ev_head + e->ev_count) % e->ev_cap] = *ev;
	e->ev_count++;
	return true;
}

static uint64_t emit(struct mhp_engine *e, struct mhp_uevent ev)
{
	pthread_mutex_lock(&e->ev_lock);
	ev.seqnum = ++e->seqnum;
	/* Boot events are numbered like the kernel's but nobody listens yet: not queued. */
	if (!e->booting) {
		if (!ring_push_locked(e, &ev))
			e->dropped++;
		else if (e->ev_count == 1)
			ev_fd_signal(e);
		pthread_cond_broadcast(&e->ev_cond);
	}
	pthread_mutex_unlock(&e->ev_lock);
	return ev.seqnum;
}

uint64_t event_emit(struct mhp_engine *e, int action, int subsystem, unsigned long id)
{
	return emit(e, (struct mhp_uevent){ .action = action, .subsystem = subsystem, .id = id });
}

uint64_t event_emit_removed(struct mhp_engine *e, int subsystem, unsigned long id, uint64_t gone)
{
	return emit(e, (struct mhp_uevent){ .action = MHP_KOBJ_REMOVE,
					    .subsystem = subsystem,
					    .id = id,
					    .gone = gone });
}

int mhp_uevent_emit(struct mhp_engine *e, int action, int subsystem, unsigned long id,
		    uint64_t *ret_seqnum)
{
	struct mhp_uevent ev = { .action = action, .subsystem = subsystem, .id = id };
	char devpath[64];
	uint64_t seq;

	/* an event with no DEVPATH (a bus that is not one) is refused, as is a bad action */
	if (!mhp_uevent_action_name(action) ||
	    mhp_uevent_devpath(&ev, devpath, sizeof(devpath)) < 0)
		return -EINVAL;
	seq = emit(e, ev);
	if (ret_seqnum)
		*ret_seqnum = seq;
	return 0;
}

static void ring_pop_locked(struct mhp_engine *e, struct mhp_uevent *ret)
{
	*ret = e->ev_ring[e->ev_head];
	e->ev_head = (e->ev_head + 1) % e->ev_cap;
	e->ev_count--;
	if (!e->ev_count)
		ev_fd_drain(e);
}

int mhp_event_pop(struct mhp_engine *e, struct mhp_uevent *ret)
{
	int r = -EAGAIN;

	pthread_mutex_lock(&e->ev_lock);
	if (e->ev_count) {
		ring_pop_locked(e, ret);
		r = 0;
	}
	pthread_mutex_unlock(&e->ev_lock);
	return r;
}

int mhp_event_wait(struct mhp_engine *e, struct mhp_uevent *ret, int timeout_ms)
{
	struct timespec deadline;
	int r = 0;

	clock_gettime(CLOCK_MONOTONIC, &deadline);
	if (timeout_ms > 0) {
		deadline.tv_sec += timeout_ms / 1000;
		deadline.tv_nsec += (long)(timeout_ms % 1000) * 1000000L;
		if (deadline.tv_nsec >= 1000000000L) {
			deadline.tv_sec++;
			deadline.tv_nsec -= 1000000000L;
		}
	}
	pthread_mutex_lock(&e->ev_lock);
	while (!e->ev_count && r == 0) {
		if (timeout_ms < 0)
			r = pthread_cond_wait(&e->ev_cond, &e->ev_lock);
		else if (timeout_ms == 0)
			r = ETIMEDOUT;
		else
			r = pthread_cond_timedwait(&e->ev_cond, &e->ev_lock, &deadline);
	}
	if (e->ev_count) {
		ring_pop_locked(e, ret);
		r = 0;
	} else {
		r = -ETIMEDOUT;
	}
	pthread_mutex_unlock(&e->ev_lock);
	return r;
}

int mhp_event_fd(struct mhp_engine *e)
{
	return e->ev_fd;
}

uint64_t mhp_event_dropped(struct mhp_engine *e)
{
	uint64_t v;

	pthread_mutex_lock(&e->ev_lock);
	v = e->dropped;
	pthread_mutex_unlock(&e->ev_lock);
	return v;
}

uint64_t mhp_uevent_seqnum(struct mhp_engine *e)
{
	uint64_t v;

	pthread_mutex_lock(&e->ev_lock);
	v = e->seqnum;
	pthread_mutex_unlock(&e->ev_lock);
	return v;
}
