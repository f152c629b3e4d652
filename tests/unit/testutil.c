// SPDX-License-Identifier: MIT
/*
 * Shared helpers of the unit tests; see testutil.h for the machine layouts.
 */
#include <check.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* ---- machines --------------------------------------------------------------------------------- */

static const struct mhp_mem_range two_node_boot[] = {
	{ 0, 3 * TU_GiB, 0 },
	{ 4 * TU_GiB, 8 * TU_GiB, 0 },
	{ 8 * TU_GiB, 12 * TU_GiB, 1 },
};

static const struct mhp_mem_range two_node_numa[] = {
	{ 0, 8 * TU_GiB, 0 },
	{ 8 * TU_GiB, 16 * TU_GiB, 1 },
	{ 16 * TU_GiB, 24 * TU_GiB, 2 },
	{ 24 * TU_GiB, 32 * TU_GiB, 3 },
};

static const struct mhp_mem_range two_node_reserved[] = {
	{ 3 * TU_GiB, 4 * TU_GiB, 0 },
};

void tu_config_two_node(struct mhp_config *cfg)
{
	mhp_config_init(cfg);
	cfg->block_size = TU_BLOCK;
	cfg->nr_nodes = 4;
	cfg->cpu_nodes = 0x3;
	cfg->boot = two_node_boot;
	cfg->nr_boot = ARRAY_SIZE(two_node_boot);
	cfg->numa = two_node_numa;
	cfg->nr_numa = ARRAY_SIZE(two_node_numa);
	cfg->reserved = two_node_reserved;
	cfg->nr_reserved = ARRAY_SIZE(two_node_reserved);
	cfg->phys_bits = 46;
	cfg->dma_end = 16 * TU_MiB;
	cfg->dma32_end = 4 * TU_GiB;
}

static const struct mhp_mem_range small_boot[] = {
	{ 4 * TU_GiB, 5 * TU_GiB, 0 },
};

void tu_config_small(struct mhp_config *cfg)
{
	mhp_config_init(cfg);
	cfg->block_size = TU_BLOCK;
	cfg->nr_nodes = 1;
	cfg->cpu_nodes = 0x1;
	cfg->boot = small_boot;
	cfg->nr_boot = ARRAY_SIZE(small_boot);
	cfg->numa = NULL;
	cfg->nr_numa = 0;
	cfg->reserved = NULL;
	cfg->nr_reserved = 0;
	cfg->phys_bits = 46;
	cfg->dma_end = 16 * TU_MiB;
	cfg->dma32_end = 4 * TU_GiB;
}

static const struct mhp_mem_range small_hole_boot[] = {
	{ 4 * TU_GiB, 5 * TU_GiB + 64 * TU_MiB, 0 },
};

void tu_config_small_hole(struct mhp_config *cfg)
{
	tu_config_small(cfg);
	cfg->boot = small_hole_boot;
	cfg->nr_boot = ARRAY_SIZE(small_hole_boot);
}

static const struct mhp_mem_range empty_node_numa[] = {
	{ 8 * TU_GiB, 16 * TU_GiB, 1 },
};

void tu_config_empty_node(struct mhp_config *cfg)
{
	tu_config_small(cfg);
	cfg->nr_nodes = 2;
	cfg->cpu_nodes = 0x1;
	cfg->numa = empty_node_numa;
	cfg->nr_numa = ARRAY_SIZE(empty_node_numa);
}

struct mhp_engine *tu_engine_new(const struct mhp_config *cfg)
{
	struct mhp_engine *e = NULL;
	int ret = mhp_engine_new(cfg, &e);

	ck_assert_msg(ret == 0, "mhp_engine_new: %d", ret);
	ck_assert_ptr_nonnull(e);
	return e;
}

/* ---- blocks ----------------------------------------------------------------------------------- */

struct mhp_block *tu_block(struct mhp_engine *e, unsigned long id)
{
	struct mhp_block *b = mhp_block_get(e, id);

	ck_assert_msg(b != NULL, "no block %lu", id);
	return b;
}

int tu_state(struct mhp_engine *e, unsigned long id)
{
	struct mhp_block *b = tu_block(e, id);
	int st = mhp_block_state(b);

	mhp_block_put(b);
	return st;
}

bool tu_online_show(struct mhp_engine *e, unsigned long id)
{
	struct mhp_block *b = tu_block(e, id);
	bool v = false;
	int ret = mhp_block_online_show(e, b, &v);

	mhp_block_put(b);
	ck_assert_int_eq(ret, 0);
	return v;
}

int tu_zone(struct mhp_engine *e, unsigned long id)
{
	struct mhp_block *b = tu_block(e, id);
	int z = mhp_block_zone(b);

	mhp_block_put(b);
	return z;
}

int tu_store_state(struct mhp_engine *e, unsigned long id, int type)
{
	struct mhp_block *b = tu_block(e, id);
	int ret = mhp_block_store_state(e, b, type, NULL);

	mhp_block_put(b);
	return ret;
}

int tu_store_online(struct mhp_engine *e, unsigned long id, bool online)
{
	struct mhp_block *b = tu_block(e, id);
	int ret = mhp_block_store_online(e, b, online, NULL);

	mhp_block_put(b);
	return ret;
}

const char *tu_valid_zones(struct mhp_engine *e, unsigned long id, char *buf)
{
	struct mhp_block *b = tu_block(e, id);
	int ret = mhp_block_valid_zones(e, b, buf, 32);

	mhp_block_put(b);
	ck_assert_msg(ret > 0, "valid_zones of %lu: %d", id, ret);
	ck_assert_int_eq((size_t)ret, strlen(buf));
	return buf;
}

struct mhp_node_info tu_node(struct mhp_engine *e, int nid)
{
	struct mhp_node_info ni;
	int ret;

	memset(&ni, 0, sizeof(ni));
	ret = mhp_node_info(e, nid, &ni);
	ck_assert_msg(ret == 0, "mhp_node_info(%d): %d", nid, ret);
	return ni;
}

/* ---- recording memory notifier ---------------------------------------------------------------- */

void tu_log_init(struct tu_log *log)
{
	pthread_mutex_init(&log->lock, NULL);
	log->v = NULL;
	log->n = 0;
	log->cap = 0;
}

void tu_log_destroy(struct tu_log *log)
{
	if (!log)
		return;
	free(log->v);
	log->v = NULL;
	log->n = log->cap = 0;
	pthread_mutex_destroy(&log->lock);
}

void tu_log_clear(struct tu_log *log)
{
	pthread_mutex_lock(&log->lock);
	log->n = 0;
	pthread_mutex_unlock(&log->lock);
}

size_t tu_log_count(struct tu_log *log)
{
	size_t n;

	pthread_mutex_lock(&log->lock);
	n = log->n;
	pthread_mutex_unlock(&log->lock);
	return n;
}

struct tu_log_entry tu_log_at(struct tu_log *log, size_t i)
{
	struct tu_log_entry ent;

	pthread_mutex_lock(&log->lock);
	ck_assert_msg(i < log->n, "log entry %zu of %zu", i, log->n);
	ent = log->v[i];
	pthread_mutex_unlock(&log->lock);
	return ent;
}

const char *tu_mem_event_name(unsigned long action)
{
	switch (action) {
	case MHP_MEM_ONLINE:
		return "ONLINE";
	case MHP_MEM_GOING_OFFLINE:
		return "GOING_OFFLINE";
	case MHP_MEM_OFFLINE:
		return "OFFLINE";
	case MHP_MEM_GOING_ONLINE:
		return "GOING_ONLINE";
	case MHP_MEM_CANCEL_ONLINE:
		return "CANCEL_ONLINE";
	case MHP_MEM_CANCEL_OFFLINE:
		return "CANCEL_OFFLINE";
	default:
		return "?";
	}
}

const char *tu_log_str(struct tu_log *log, char *buf, size_t len)
{
	size_t off = 0;

	buf[0] = '\0';
	pthread_mutex_lock(&log->lock);
	for (size_t i = 0; i < log->n; i++) {
		int w = snprintf(buf + off, len - off, "%s%s:%s", i ? " " : "", log->v[i].name,
				 tu_mem_event_name(log->v[i].action));

		ck_assert_msg(w > 0 && (size_t)w < len - off, "log string too long");
		off += (size_t)w;
	}
	pthread_mutex_unlock(&log->lock);
	return buf;
}

static int action_index(unsigned long action)
{
	if (action == 0 || (action & (action - 1)) || action > 0x80)
		return -1;
	return __builtin_ctzl(action);
}

static int recorder_call(struct mhp_notifier_block *nb, unsigned long action, void *data)
{
	/* nb is the first member, so this is the recorder. */
	struct tu_recorder *r = (struct tu_recorder *)(void *)nb;
	const struct mhp_memory_notify *n = data;
	struct tu_log_entry ent;
	int idx = action_index(action);

	memset(&ent, 0, sizeof(ent));
	snprintf(ent.name, sizeof(ent.name), "%s", r->name);
	ent.action = action;
	if (n)
		ent.n = *n;
	ent.payload = data;
	ent.watch_state = r->watch ? mhp_block_state(r->watch) : 0;

	pthread_mutex_lock(&r->log->lock);
	if (r->log->n == r->log->cap) {
		size_t cap = r->log->cap ? r->log->cap * 2 : 64;
		struct tu_log_entry *v = realloc(r->log->v, cap * sizeof(*v));

		if (!v)
			abort();
		r->log->v = v;
		r->log->cap = cap;
	}
	r->log->v[r->log->n++] = ent;
	pthread_mutex_unlock(&r->log->lock);

	atomic_fetch_add(&r->calls, 1);
	if (r->hook)
		r->hook(r, action, n);
	return idx >= 0 ? atomic_load(&r->ret[idx]) : MHP_NOTIFY_OK;
}

void tu_recorder_register(struct mhp_engine *e, struct tu_recorder *r, struct tu_log *log,
			  const char *name, int priority)
{
	int ret;

	memset(r, 0, sizeof(*r));
	r->nb.notifier_call = recorder_call;
	r->nb.priority = priority;
	snprintf(r->name, sizeof(r->name), "%s", name);
	r->log = log;
	for (int i = 0; i < 8; i++)
		atomic_init(&r->ret[i], MHP_NOTIFY_OK);
	atomic_init(&r->calls, 0);
	ret = mhp_register_memory_notifier(e, &r->nb);
	ck_assert_msg(ret == 0, "register %s: %d", name, ret);
}

void tu_recorder_unregister(struct mhp_engine *e, struct tu_recorder *r)
{
	int ret = mhp_unregister_memory_notifier(e, &r->nb);

	ck_assert_msg(ret == 0, "unregister %s: %d", r->name, ret);
}

void tu_recorder_set_ret(struct tu_recorder *r, unsigned long action, int value)
{
	int idx = action_index(action);

	ck_assert_int_ge(idx, 0);
	atomic_store(&r->ret[idx], value);
}

/* ---- fake page accounting --------------------------------------------------------------------- */

static bool applies(struct tu_memops *m, const struct mhp_pfn_range *r)
{
	unsigned long pfn = atomic_load(&m->only_pfn);

	if (pfn == ULONG_MAX)
		return true;
	return pfn >= r->start_pfn && pfn - r->start_pfn < r->nr_pages;
}

static void remember(struct tu_memops *m, const struct mhp_pfn_range *r)
{
	pthread_mutex_lock(&m->lock);
	m->last = *r;
	pthread_mutex_unlock(&m->lock);
}

static int fake_isolate(void *priv, const struct mhp_pfn_range *r)
{
	struct tu_memops *m = priv;

	atomic_fetch_add(&m->nr_isolate, 1);
	remember(m, r);
	return applies(m, r) ? atomic_load(&m->isolate_ret) : 0;
}

static void fake_unisolate(void *priv, const struct mhp_pfn_range *r)
{
	struct tu_memops *m = priv;

	atomic_fetch_add(&m->nr_unisolate, 1);
	remember(m, r);
}

static int fake_migrate(void *priv, const struct mhp_pfn_range *r, struct mhp_cancel *cancel)
{
	struct tu_memops *m = priv;
	unsigned long calls = atomic_fetch_add(&m->nr_migrate, 1) + 1;
	int after = atomic_load(&m->cancel_after);

	atomic_store(&m->migrate_had_cancel, cancel != NULL);
	remember(m, r);
	if (m->raise_cancel && after > 0 && calls >= (unsigned long)after)
		mhp_cancel_raise(m->raise_cancel);
	if (!applies(m, r))
		return 0;
	switch (atomic_load(&m->migrate_mode)) {
	case TU_MIGRATE_EBUSY:
		return -EBUSY;
	case TU_MIGRATE_EAGAIN:
		return -EAGAIN;
	case TU_MIGRATE_EAGAIN_N:
		if (atomic_fetch_sub(&m->eagain_left, 1) > 0)
			return -EAGAIN;
		return 0;
	default:
		return 0;
	}
}

static int fake_online(void *priv, const struct mhp_pfn_range *r)
{
	struct tu_memops *m = priv;

	atomic_fetch_add(&m->nr_online, 1);
	remember(m, r);
	return applies(m, r) ? atomic_load(&m->online_ret) : 0;
}

static void fake_offline(void *priv, const struct mhp_pfn_range *r)
{
	struct tu_memops *m = priv;

	atomic_fetch_add(&m->nr_offline, 1);
	remember(m, r);
}

static void fake_remove(void *priv, const struct mhp_pfn_range *r)
{
	struct tu_memops *m = priv;

	atomic_fetch_add(&m->nr_remove, 1);
	remember(m, r);
}

const struct mhp_memory_ops tu_memops_ops = {
	.isolate = fake_isolate,
	.unisolate = fake_unisolate,
	.migrate = fake_migrate,
	.online = fake_online,
	.offline = fake_offline,
	.remove = fake_remove,
};

void tu_memops_init(struct tu_memops *m)
{
	memset(m, 0, sizeof(*m));
	atomic_init(&m->isolate_ret, 0);
	atomic_init(&m->migrate_mode, TU_MIGRATE_OK);
	atomic_init(&m->eagain_left, 0);
	atomic_init(&m->online_ret, 0);
	atomic_init(&m->only_pfn, ULONG_MAX);
	atomic_init(&m->cancel_after, 0);
	atomic_init(&m->nr_isolate, 0);
	atomic_init(&m->nr_unisolate, 0);
	atomic_init(&m->nr_migrate, 0);
	atomic_init(&m->nr_online, 0);
	atomic_init(&m->nr_offline, 0);
	atomic_init(&m->nr_remove, 0);
	atomic_init(&m->migrate_had_cancel, false);
	pthread_mutex_init(&m->lock, NULL);
}

void tu_memops_destroy(struct tu_memops *m)
{
	if (!m)
		return;
	pthread_mutex_destroy(&m->lock);
}

void tu_memops_attach(struct mhp_config *cfg, struct tu_memops *m)
{
	cfg->mem_ops = &tu_memops_ops;
	cfg->mem_ops_priv = m;
}

struct mhp_pfn_range tu_memops_last(struct tu_memops *m)
{
	struct mhp_pfn_range r;

	pthread_mutex_lock(&m->lock);
	r = m->last;
	pthread_mutex_unlock(&m->lock);
	return r;
}

/* ---- uevents ---------------------------------------------------------------------------------- */

const char *tu_events_str(struct mhp_engine *e, char *buf, size_t len)
{
	struct mhp_uevent ev;
	uint64_t last = 0;
	bool first = true;
	size_t off = 0;

	buf[0] = '\0';
	while (mhp_event_pop(e, &ev) == 0) {
		char path[128];
		int w;

		ck_assert_int_gt(mhp_uevent_devpath(&ev, path, sizeof(path)), 0);
		if (!first)
			ck_assert_msg(ev.seqnum == last + 1, "SEQNUM %llu after %llu",
				      (unsigned long long)ev.seqnum, (unsigned long long)last);
		last = ev.seqnum;
		w = snprintf(buf + off, len - off, "%s%s:%s", first ? "" : " ",
			     mhp_uevent_action_name(ev.action), path);
		ck_assert_msg(w > 0 && (size_t)w < len - off, "event string too long");
		off += (size_t)w;
		first = false;
	}
	return buf;
}

size_t tu_events_drain(struct mhp_engine *e)
{
	struct mhp_uevent ev;
	size_t n = 0;

	while (mhp_event_pop(e, &ev) == 0)
		n++;
	return n;
}
