// SPDX-License-Identifier: MIT
/*
 * fusefs/pools.c - the page pools behind the daemon (see pools.h), the workload control file and
 * the memory-failure attributes of /sys/devices/system/memory.
 *
 * The workload file speaks the machine files' [workload] keys (mhpfs_workload_parse()).  A read
 * prints every parameter as a key=value line; a write of "key=value ..." changes only the keys it
 * names: the current parameters are printed, the written items appended, and the whole text
 * parsed, so later keys win and a bad item leaves everything as it was.
 */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "pools.h"

/**
 * struct mhpfs_wl - the workload of the mount
 * @lock: serialises the control file's writers and readers; held while applying (may block)
 * @w: the running workload (protected by @lock)
 * @params: its parameters, writers and seed included (protected by @lock)
 */
struct mhpfs_wl {
	pthread_mutex_t lock;
	struct mhp_workload *w;
	struct mhp_workload_params params;
};

/* ---- lifetime --------------------------------------------------------------------------------- */

int mhpfs_pools_new(struct mhpfs *fs)
{
	int r = mhp_pool_new(&fs->m.cfg, &fs->pool);

	if (r) {
		mhpfs_log(LOG_ERR, "cannot create the page pools: %s", strerror(-r));
		return r;
	}
	fs->m.cfg.mem_ops = mhp_pool_memory_ops();
	fs->m.cfg.mem_ops_priv = fs->pool;
	return 0;
}

int mhpfs_pools_attach(struct mhpfs *fs)
{
	int r = mhp_pool_register_subsystems(fs->pool, fs->e);

	if (r)
		mhpfs_log(LOG_ERR, "cannot register the slab and page-cache subsystems: %s",
			  strerror(-r));
	return r;
}

/* Fill levels of nodes that cannot exist are meaningless: "fill=N" sets all 64, keep only ours. */
static void clamp_nodes(struct mhpfs *fs, struct mhp_workload_params *p)
{
	for (unsigned int n = fs->m.cfg.nr_nodes; n < MHP_MAX_NUMNODES; n++)
		memset(p->fill[n], 0, sizeof(p->fill[n]));
}

/* Apply the levels; one that does not fit is kept as far as memory allows (documented). */
static void apply_locked(struct mhpfs_wl *wl)
{
	int r = mhp_workload_apply(wl->w);

	if (r && r != -ENOMEM)
		mhpfs_log(LOG_WARNING, "workload: %s", strerror(-r));
}

int mhpfs_workload_start(struct mhpfs *fs)
{
	struct mhpfs_wl *wl;
	int r;

	wl = calloc(1, sizeof(*wl));
	if (!wl)
		return -ENOMEM;
	r = mhpfs_workload_parse(fs->m.workload, &wl->params);
	if (!r) {
		clamp_nodes(fs, &wl->params);
		r = mhp_workload_new(fs->pool, &wl->params, &wl->w);
	}
	if (r) {
		mhpfs_log(LOG_ERR, "cannot start the workload: %s", strerror(-r));
		free(wl);
		return r;
	}
	pthread_mutex_init(&wl->lock, NULL);
	pthread_mutex_lock(&wl->lock);
	apply_locked(wl);
	pthread_mutex_unlock(&wl->lock);
	fs->wl = wl;
	return 0;
}

void mhpfs_workload_stop(struct mhpfs *fs)
{
	if (!fs->wl)
		return;
	mhp_workload_free(fs->wl->w);
	pthread_mutex_destroy(&fs->wl->lock);
	free(fs->wl);
	fs->wl = NULL;
}

void mhpfs_pools_free(struct mhpfs *fs)
{
	mhpfs_workload_stop(fs);
	mhp_pool_free(fs->pool);
	fs->pool = NULL;
}

int mhpfs_workload_text_append(char *text, size_t size, const char *items)
{
	struct mhp_workload_params p;
	size_t len = strlen(text), n = strlen(items);
	char *tmp;
	int r;

	/* every item ends with a newline: commas become newlines, plus one at the end */
	if (len + n + 2 > size)
		return -E2BIG;
	tmp = malloc(len + n + 2);
	if (!tmp)
		return -ENOMEM;
	memcpy(tmp, text, len);
	for (size_t i = 0; i < n; i++)
		tmp[len + i] = items[i] == ',' ? '\n' : items[i];
	tmp[len + n] = '\n';
	tmp[len + n + 1] = '\0';
	r = mhpfs_workload_parse(tmp, &p);
	if (!r)
		memcpy(text, tmp, len + n + 2);
	free(tmp);
	return r;
}

/* ---- kernel/debug/memhotplugfs/workload ------------------------------------------------------- */

static int params_print(struct mhpfs *fs, const struct mhp_workload_params *p, struct sbuf *sb)
{
	int r = 0;

	for (unsigned int n = 0; n < fs->m.cfg.nr_nodes && !r; n++)
		for (int z = 0; z < MHP_NR_ZONES && !r; z++)
			r = sbuf_printf(sb, "fill.%u.%s=%u\n", n, mhp_zone_name(z), p->fill[n][z]);
	return r     ?:
		       sbuf_printf(sb,
				   "unmovable_pct=%u\npinned_pct=%u\ncache_pct=%u\nwriters=%u\n"
				   "seed=%" PRIu64 "\n",
				   p->unmovable_pct, p->pinned_pct, p->cache_pct, p->writers,
				   p->seed);
}

int mhpfs_workload_show(const struct mhpfs_attr_ctx *c, struct sbuf *sb)
{
	struct mhpfs_wl *wl = c->fs->wl;
	int r;

	if (!wl)
		return -ENODEV;
	pthread_mutex_lock(&wl->lock);
	r = params_print(c->fs, &wl->params, sb);
	pthread_mutex_unlock(&wl->lock);
	return r;
}

/*
 * Check the written items before they are merged: each must be one key=value word, and a fill
 * key must name a possible node (the parser knows 64).
 */
static int check_items(struct mhpfs *fs, char *buf, struct sbuf *out)
{
	char *save = NULL;
	int r = 0;

	for (char *w = strtok_r(buf, " \t\n", &save); w && !r; w = strtok_r(NULL, " \t\n", &save)) {
		char *eq = strchr(w, '=');

		if (!eq || eq == w)
			return -EINVAL;
		if (!strncmp(w, "fill.", 5)) {
			char *end;
			unsigned long nid;

			if (!isdigit((unsigned char)w[5]))
				return -EINVAL;
			nid = strtoul(w + 5, &end, 10);
			if (nid >= fs->m.cfg.nr_nodes || (*end != '.' && *end != '='))
				return -EINVAL;
		}
		r = sbuf_printf(out, "%s\n", w);
	}
	return r;
}

int mhpfs_workload_store(const struct mhpfs_attr_ctx *c, const char *buf, size_t count)
{
	struct mhpfs *fs = c->fs;
	struct mhpfs_wl *wl = fs->wl;
	struct mhp_workload_params np;
	struct mhp_workload *nw;
	struct sbuf text = { 0 };
	char *items;
	int r;

	if (!wl)
		return -ENODEV;
	items = strndup(buf, count);
	if (!items)
		return -ENOMEM;
	pthread_mutex_lock(&wl->lock);
	r = params_print(fs, &wl->params, &text);
	r = r ?: check_items(fs, items, &text);
	r = r ?: mhpfs_workload_parse(text.data, &np);
	if (r) {
		r = r == -ENOMEM ? r : -EINVAL;
		goto out;
	}
	clamp_nodes(fs, &np);
	if (np.writers == wl->params.writers && np.seed == wl->params.seed) {
		r = mhp_workload_set(wl->w, &np);
	} else {
		/* writers partition the pages at creation: a new number means a new workload */
		r = mhp_workload_new(fs->pool, &np, &nw);
		if (!r) {
			mhp_workload_free(wl->w);
			wl->w = nw;
		}
	}
	if (r)
		goto out;
	wl->params = np;
	apply_locked(wl);
out:
	pthread_mutex_unlock(&wl->lock);
	sbuf_free(&text);
	free(items);
	return r;
}

/*
 * A read checks every byte the workload wrote and every page-cache page (the writers pause
 * meanwhile): EIO if one is wrong, else what was checked.
 */
int mhpfs_workload_verify_show(const struct mhpfs_attr_ctx *c, struct sbuf *sb)
{
	struct mhpfs_wl *wl = c->fs->wl;
	size_t pages = 0, cached = 0;
	int r;

	if (!wl)
		return -ENODEV;
	pthread_mutex_lock(&wl->lock);
	r = mhp_workload_verify(wl->w, &pages);
	if (!r) {
		r = mhp_pcache_verify(c->fs->pool, &cached);
		r = r == -EINVAL ? 0 : r; /* no page cache subsystem */
	}
	if (!r)
		r = sbuf_printf(sb, "pages %zu\ncache_pages %zu\nwrites %" PRIu64 "\n", pages,
				cached, mhp_workload_writes(wl->w));
	pthread_mutex_unlock(&wl->lock);
	return r;
}

/* ---- soft_offline_page, hard_offline_page ----------------------------------------------------- */

/*
 * capable(CAP_SYS_ADMIN) of the writer: its effective set in /proc/TID/status (FUSE gives the
 * writer's thread id).  When the daemon cannot see the writer (another pid namespace, gone
 * already), uid 0 stands for the capability: an approximation.
 */
static bool writer_capable_sys_admin(const struct mhpfs_attr_ctx *c)
{
	char path[64], line[256];
	bool found = false, cap = false;
	FILE *f = NULL;

	if (c->pid > 0) {
		snprintf(path, sizeof(path), "/proc/%d/status", (int)c->pid);
		f = fopen(path, "re");
	}
	if (f) {
		while (!found && fgets(line, sizeof(line), f)) {
			unsigned long long eff;

			if (sscanf(line, "CapEff: %llx", &eff) == 1) {
				found = true;
				cap = (eff >> 21) & 1; /* CAP_SYS_ADMIN */
			}
		}
		fclose(f);
	}
	return found ? cap : c->uid == 0;
}

/*
 * The kernel's order: capability, then kstrtoull (any failure, ERANGE included, is EINVAL), then
 * the pfn.  mem_hotplug_lock is held for reading so the block cannot go offline or away between
 * the pool's answer and the engine's poison count.
 */
static int memory_failure_store(const struct mhpfs_attr_ctx *c, const char *buf, bool hard)
{
	struct mhpfs *fs = c->fs;
	unsigned long long addr;
	struct mhp_block *b;
	unsigned long pfn;
	int r;

	if (!writer_capable_sys_admin(c))
		return -EPERM;
	if (mhp_kstrtoull(buf, 0, &addr))
		return -EINVAL;
	pfn = (unsigned long)(addr >> MHP_PAGE_SHIFT);
	mhp_get_online_mems(fs->e);
	b = mhp_block_get(fs->e, (unsigned long)(addr / mhp_engine_block_size(fs->e)));
	if (!b) {
		r = -ENXIO; /* !pfn_valid(): no present section there */
	} else if (hard) {
		r = mhp_pool_hard_offline(fs->pool, pfn);
		if (r == 0 || r == -EBUSY)
			mhp_block_hwpoison_add(fs->e, b, 1);
		if (r == -EOPNOTSUPP)
			r = 0; /* hard_offline_page_store() hides it */
	} else {
		r = mhp_pool_soft_offline(fs->pool, pfn);
		if (r == 0)
			mhp_block_hwpoison_add(fs->e, b, 1);
		if (r == -EHWPOISON)
			r = 0; /* "page already poisoned" is a success for soft offline */
	}
	mhp_block_put(b);
	mhp_put_online_mems(fs->e);
	return r;
}

int mhpfs_soft_offline_page_store(const struct mhpfs_attr_ctx *c, const char *buf, size_t count)
{
	return memory_failure_store(c, buf, false);
}

int mhpfs_hard_offline_page_store(const struct mhpfs_attr_ctx *c, const char *buf, size_t count)
{
	return memory_failure_store(c, buf, true);
}

/* ---- meminfo ---------------------------------------------------------------------------------- */

int mhpfs_pool_node_meminfo(struct mhpfs *fs, int nid, struct mhp_pool_meminfo *ret)
{
	if (!fs->pool)
		return -ENODEV;
	return mhp_pool_meminfo(fs->pool, nid, ret);
}
