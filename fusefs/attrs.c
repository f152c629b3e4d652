// SPDX-License-Identifier: MIT
/*
 * fusefs/attrs.c - the attribute tables of the mini sysfs and their show/store handlers.
 *
 * As in drivers/base/memory.c, an attribute is a table line and two tiny functions: a show formats
 * one value, a store parses the text, calls one engine function and returns 0 or -errno.  The
 * caller (ops.c) turns 0 into "the whole count was written".
 */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "memhotplugfs.h"
#include "pools.h"
#include "templates.h"

/* ---- sbuf ---------------------------------------------------------------------------------- */

int sbuf_printf(struct sbuf *sb, const char *fmt, ...)
{
	va_list ap;
	int n;

	for (;;) {
		size_t room = sb->cap - sb->len;

		va_start(ap, fmt);
		n = vsnprintf(sb->data ? sb->data + sb->len : NULL, room, fmt, ap);
		va_end(ap);
		if (n < 0)
			return -EINVAL;
		if ((size_t)n < room) {
			sb->len += n;
			return 0;
		}
		size_t ncap = sb->cap ? sb->cap * 2 : 256;

		while (ncap < sb->len + n + 1)
			ncap *= 2;
		char *p = realloc(sb->data, ncap);

		if (!p)
			return -ENOMEM;
		sb->data = p;
		sb->cap = ncap;
	}
}

void sbuf_reset(struct sbuf *sb)
{
	sb->len = 0;
}

void sbuf_free(struct sbuf *sb)
{
	if (!sb)
		return;
	free(sb->data);
	sb->data = NULL;
	sb->len = sb->cap = 0;
}

/* ---- helpers -------------------------------------------------------------------------------- */

static int show_nodemask(struct sbuf *sb, struct mhpfs *fs, uint64_t mask)
{
	char buf[256];
	int n = mhp_format_nodelist(buf, sizeof(buf), &mask, mhp_engine_nr_nodes(fs->e));

	if (n < 0)
		return n;
	return sbuf_printf(sb, "%s\n", buf);
}

/* Split "a b c\n" into at most @max words; returns the number or -EINVAL. */
static int split_words(char *buf, char **words, int max)
{
	int n = 0;
	char *save = NULL;

	for (char *w = strtok_r(buf, " \t\n", &save); w; w = strtok_r(NULL, " \t\n", &save)) {
		if (n == max)
			return -EINVAL;
		words[n++] = w;
	}
	return n;
}

/* ---- /sys/devices/system/memory ------------------------------------------------------------ */

static int block_size_bytes_show(const struct mhpfs_attr_ctx *c, struct sbuf *sb)
{
	return sbuf_printf(sb, "%" PRIx64 "\n", mhp_engine_block_size(c->fs->e));
}

static int auto_online_blocks_show(const struct mhpfs_attr_ctx *c, struct sbuf *sb)
{
	const char *s = mhp_online_type_to_str(mhp_get_auto_online(c->fs->e));

	return sbuf_printf(sb, "%s\n", s ? s : "");
}

static int auto_online_blocks_store(const struct mhpfs_attr_ctx *c, const char *buf, size_t count)
{
	int type = mhp_online_type_from_str(buf);

	if (type < 0)
		return -EINVAL;
	return mhp_set_auto_online(c->fs->e, type);
}

static int probe_store(const struct mhpfs_attr_ctx *c, const char *buf, size_t count)
{
	unsigned long long addr;
	int r = mhp_kstrtoull(buf, 0, &addr);

	if (r)
		return r;
	return mhp_probe(c->fs->e, addr);
}

static int empty_show(const struct mhpfs_attr_ctx *c, struct sbuf *sb)
{
	return sbuf_printf(sb, "%s", "");
}

/*
 * A root device (memory, node) has no bus or class, so the kernel's uevent filter drops its
 * synthetic events: the write is parsed and succeeds, nothing is emitted.
 */
static int root_uevent_store(const struct mhpfs_attr_ctx *c, const char *buf, size_t count)
{
	return mhpfs_sinks_synth_store(c->fs, -1, 0, buf, count);
}

/* ---- power/ (runtime PM, never enabled for these devices) ---------------------------------- */

struct power_on {
	struct mhpfs_key k;
	struct power_on *next;
};

static bool key_eq(const struct mhpfs_key *a, const struct mhpfs_key *b)
{
	return a->t == b->t && a->nid == b->nid && a->id == b->id && a->tag == b->tag;
}

static int autosuspend_delay_ms_show(const struct mhpfs_attr_ctx *c, struct sbuf *sb)
{
	return -EIO; /* use_autosuspend is never set */
}

static int autosuspend_delay_ms_store(const struct mhpfs_attr_ctx *c, const char *buf, size_t count)
{
	return -EIO; /* checked before the value is parsed */
}

static int control_show(const struct mhpfs_attr_ctx *c, struct sbuf *sb)
{
	struct mhpfs *fs = c->fs;
	bool on = false;

	pthread_mutex_lock(&fs->power_lock);
	for (struct power_on *p = fs->power_on; p; p = p->next)
		if (key_eq(&p->k, c->k))
			on = true;
	pthread_mutex_unlock(&fs->power_lock);
	return sbuf_printf(sb, "%s\n", on ? "on" : "auto");
}

static int control_store(const struct mhpfs_attr_ctx *c, const char *buf, size_t count)
{
	struct mhpfs *fs = c->fs;
	struct power_on **pp, *p;
	bool on;

	if (mhp_sysfs_streq(buf, "on"))
		on = true;
	else if (mhp_sysfs_streq(buf, "auto"))
		on = false;
	else
		return -EINVAL;

	pthread_mutex_lock(&fs->power_lock);
	for (pp = &fs->power_on; *pp; pp = &(*pp)->next)
		if (key_eq(&(*pp)->k, c->k))
			break;
	if (on && !*pp) {
		p = calloc(1, sizeof(*p));
		if (!p) {
			pthread_mutex_unlock(&fs->power_lock);
			return -ENOMEM;
		}
		p->k = *c->k;
		*pp = p;
	} else if (!on && *pp) {
		p = *pp;
		*pp = p->next;
		free(p);
	}
	pthread_mutex_unlock(&fs->power_lock);
	return 0;
}

void mhpfs_power_forget(struct mhpfs *fs)
{
	struct power_on **pp = &fs->power_on;

	/* the engine's locks come after power_lock: it never calls back into the daemon */
	pthread_mutex_lock(&fs->power_lock);
	while (*pp) {
		struct power_on *p = *pp;

		if (mhpfs_key_valid(fs, &p->k)) {
			*pp = p->next;
			free(p);
		} else {
			pp = &p->next;
		}
	}
	pthread_mutex_unlock(&fs->power_lock);
}

void mhpfs_power_free(struct mhpfs *fs)
{
	while (fs->power_on) {
		struct power_on *p = fs->power_on;

		fs->power_on = p->next;
		free(p);
	}
}

static int zero_show(const struct mhpfs_attr_ctx *c, struct sbuf *sb)
{
	return sbuf_printf(sb, "0\n");
}

static int runtime_status_show(const struct mhpfs_attr_ctx *c, struct sbuf *sb)
{
	return sbuf_printf(sb, "unsupported\n");
}

/* ---- memoryN/ -------------------------------------------------------------------------------- */

static int phys_index_show(const struct mhpfs_attr_ctx *c, struct sbuf *sb)
{
	return sbuf_printf(sb, "%08lx\n", mhp_block_id(c->b));
}

static int one_show(const struct mhpfs_attr_ctx *c, struct sbuf *sb)
{
	return sbuf_printf(sb, "1\n");
}

static int state_show(const struct mhpfs_attr_ctx *c, struct sbuf *sb)
{
	int state = mhp_block_state(c->b);
	const char *s = mhp_block_state_name(state);

	if (!s)
		return sbuf_printf(sb, "ERROR-UNKNOWN-%ld\n", (long)state);
	return sbuf_printf(sb, "%s\n", s);
}

static int state_store(const struct mhpfs_attr_ctx *c, const char *buf, size_t count)
{
	int type = mhp_online_type_from_str(buf);

	/* parsed before any lock, as in 6.x */
	if (type < 0)
		return -EINVAL;
	return mhp_block_store_state(c->fs->e, c->b, type, c->cancel);
}

static int online_show(const struct mhpfs_attr_ctx *c, struct sbuf *sb)
{
	bool on;
	int r = mhp_block_online_show(c->fs->e, c->b, &on);

	if (r)
		return r;
	return sbuf_printf(sb, "%u\n", on ? 1U : 0U);
}

static int online_store(const struct mhpfs_attr_ctx *c, const char *buf, size_t count)
{
	bool on;

	if (mhp_kstrtobool(buf, &on))
		return -EINVAL;
	return mhp_block_store_online(c->fs->e, c->b, on, c->cancel);
}

static int valid_zones_show(const struct mhpfs_attr_ctx *c, struct sbuf *sb)
{
	char buf[64];
	int n = mhp_block_valid_zones(c->fs->e, c->b, buf, sizeof(buf));

	if (n < 0)
		return n;
	return sbuf_printf(sb, "%.*s", n, buf);
}

static int block_uevent_store(const struct mhpfs_attr_ctx *c, const char *buf, size_t count)
{
	/* ACTION, DEVPATH, SUBSYSTEM, SYNTH_UUID[, SYNTH_ARG_*], SEQNUM (sinks.c) */
	return mhpfs_sinks_synth_store(c->fs, MHP_SUBSYS_MEMORY, c->k->id, buf, count);
}

/* ---- /sys/devices/system/node ------------------------------------------------------------- */

static int possible_show(const struct mhpfs_attr_ctx *c, struct sbuf *sb)
{
	return show_nodemask(sb, c->fs, mhp_node_state_mask(c->fs->e, MHP_N_POSSIBLE));
}

static int node_online_show(const struct mhpfs_attr_ctx *c, struct sbuf *sb)
{
	return show_nodemask(sb, c->fs, mhp_node_state_mask(c->fs->e, MHP_N_ONLINE));
}

static int has_normal_memory_show(const struct mhpfs_attr_ctx *c, struct sbuf *sb)
{
	return show_nodemask(sb, c->fs, mhp_node_state_mask(c->fs->e, MHP_N_NORMAL_MEMORY));
}

static int has_memory_show(const struct mhpfs_attr_ctx *c, struct sbuf *sb)
{
	return show_nodemask(sb, c->fs, mhp_node_state_mask(c->fs->e, MHP_N_MEMORY));
}

static int has_cpu_show(const struct mhpfs_attr_ctx *c, struct sbuf *sb)
{
	return show_nodemask(sb, c->fs, mhp_node_state_mask(c->fs->e, MHP_N_CPU));
}

static int has_generic_initiator_show(const struct mhpfs_attr_ctx *c, struct sbuf *sb)
{
	return show_nodemask(sb, c->fs, 0);
}

static void node_cpumask(const struct mhpfs *fs, int nid, uint64_t *mask, size_t words)
{
	memset(mask, 0, words * sizeof(*mask));
	for (unsigned int cpu = 0; cpu < fs->m.nr_cpus; cpu++)
		if (fs->m.cpu_node[cpu] == nid)
			mask[cpu / 64] |= 1ULL << (cpu % 64);
}

static int cpulist_show(const struct mhpfs_attr_ctx *c, struct sbuf *sb)
{
	uint64_t mask[MHPFS_MAX_CPUS / 64];
	char buf[MHPFS_SYSFS_PAGE];
	int n;

	node_cpumask(c->fs, c->k->nid, mask, MHPFS_MAX_CPUS / 64);
	n = mhp_format_nodelist(buf, sizeof(buf), mask, c->fs->m.nr_cpus);
	if (n < 0)
		return n;
	return sbuf_printf(sb, "%s\n", buf);
}

/* "%*pb": 32-bit hex chunks, most significant first, the first one only as wide as needed. */
static int cpumap_show(const struct mhpfs_attr_ctx *c, struct sbuf *sb)
{
	uint64_t mask[MHPFS_MAX_CPUS / 64];
	unsigned int nbits = c->fs->m.nr_cpus;
	unsigned int chunksz = nbits % 32 ? nbits % 32 : 32;
	const char *sep = "";
	int r = 0;

	node_cpumask(c->fs, c->k->nid, mask, MHPFS_MAX_CPUS / 64);
	for (int i = (int)((nbits + 31) / 32 * 32) - 32; i >= 0 && !r; i -= 32) {
		uint32_t val = (uint32_t)(mask[i / 64] >> (i % 64));

		if (chunksz < 32)
			val &= (1U << chunksz) - 1;
		r = sbuf_printf(sb, "%s%0*x", sep, (int)(chunksz + 3) / 4, val);
		chunksz = 32;
		sep = ",";
	}
	return r ? r : sbuf_printf(sb, "\n");
}

static int distance_show(const struct mhpfs_attr_ctx *c, struct sbuf *sb)
{
	uint64_t online = mhp_node_state_mask(c->fs->e, MHP_N_ONLINE);
	const char *sep = "";
	int r = 0;

	/* the kernel prints one entry per online node */
	for (unsigned int n = 0; n < mhp_engine_nr_nodes(c->fs->e) && !r; n++) {
		if (!(online & (1ULL << n)))
			continue;
		r = sbuf_printf(sb, "%s%d", sep, c->fs->m.distance[c->k->nid][n]);
		sep = " ";
	}
	return r ? r : sbuf_printf(sb, "\n");
}

/*
 * The page pools' counts of the node (a node whose blocks are all offline has none).  Anonymous
 * pages are the tenants' movable pages, file pages the page cache, slab the built-in slab cache;
 * unmovable kernel pages count only in MemUsed.  Nothing is ever reclaimed to the inactive lists.
 */
static int node_counts(const struct mhpfs_attr_ctx *c, struct mhp_pool_meminfo *ret)
{
	struct mhp_node_info ni;
	int r = mhp_node_info(c->fs->e, c->k->nid, &ni);

	return r ?: mhpfs_pool_node_meminfo(c->fs, c->k->nid, ret);
}

static int meminfo_show(const struct mhpfs_attr_ctx *c, struct sbuf *sb)
{
	static const char *const huge_lines[] = {
		"HugePages_Total:",
		"HugePages_Free:",
		"HugePages_Surp:",
	};
	struct mhp_pool_meminfo m;
	int nid = c->k->nid, r = node_counts(c, &m);

	if (r)
		return r;
	const struct {
		const char *name;
		unsigned long pages;
	} lines[] = {
		{ "MemTotal:", m.total },
		{ "MemFree:", m.free },
		{ "MemUsed:", m.used },
		{ "SwapCached:", 0 },
		{ "Active:", m.movable + m.cache },
		{ "Inactive:", 0 },
		{ "Active(anon):", m.movable },
		{ "Inactive(anon):", 0 },
		{ "Active(file):", m.cache },
		{ "Inactive(file):", 0 },
		{ "Unevictable:", 0 },
		{ "Mlocked:", 0 },
		{ "Dirty:", 0 },
		{ "Writeback:", 0 },
		{ "FilePages:", m.cache },
		{ "Mapped:", 0 },
		{ "AnonPages:", m.movable },
		{ "Shmem:", 0 },
		{ "KernelStack:", 0 },
		{ "PageTables:", 0 },
		{ "SecPageTables:", 0 },
		{ "NFS_Unstable:", 0 },
		{ "Bounce:", 0 },
		{ "WritebackTmp:", 0 },
		{ "KReclaimable:", 0 },
		{ "Slab:", m.slab },
		{ "SReclaimable:", 0 },
		{ "SUnreclaim:", m.slab },
		{ "AnonHugePages:", 0 },
		{ "ShmemHugePages:", 0 },
		{ "ShmemPmdMapped:", 0 },
		{ "FileHugePages:", 0 },
		{ "FilePmdMapped:", 0 },
		{ "Unaccepted:", 0 },
	};

	for (size_t i = 0; i < sizeof(lines) / sizeof(lines[0]) && !r; i++)
		r = sbuf_printf(sb, "Node %d %-16s%8lu kB\n", nid, lines[i].name,
				lines[i].pages << (MHP_PAGE_SHIFT - 10));
	for (size_t i = 0; i < sizeof(huge_lines) / sizeof(huge_lines[0]) && !r; i++)
		r = sbuf_printf(sb, "Node %d %-16s %5u\n", nid, huge_lines[i], 0U);
	return r;
}

static int numastat_show(const struct mhpfs_attr_ctx *c, struct sbuf *sb)
{
	return sbuf_printf(sb, "numa_hit 0\nnuma_miss 0\nnuma_foreign 0\ninterleave_hit 0\n"
			       "local_node 0\nother_node 0\n");
}

static int vmstat_show(const struct mhpfs_attr_ctx *c, struct sbuf *sb)
{
	struct mhp_pool_meminfo m;
	int r = node_counts(c, &m);

	if (r)
		return r;
	/* in pages, in the kernel's order of the node's zone items then node items */
	const struct {
		const char *name;
		unsigned long pages;
	} items[] = {
		{ "nr_free_pages", m.free },
		{ "nr_free_pages_blocks", m.free },
		{ "nr_zone_inactive_anon", 0 },
		{ "nr_zone_active_anon", m.movable },
		{ "nr_zone_inactive_file", 0 },
		{ "nr_zone_active_file", m.cache },
		{ "nr_zone_unevictable", 0 },
		{ "nr_zone_write_pending", 0 },
		{ "nr_mlock", 0 },
		{ "nr_zspages", 0 },
		{ "nr_free_cma", 0 },
		{ "numa_hit", 0 },
		{ "numa_miss", 0 },
		{ "numa_foreign", 0 },
		{ "numa_interleave", 0 },
		{ "numa_local", 0 },
		{ "numa_other", 0 },
		{ "nr_inactive_anon", 0 },
		{ "nr_active_anon", m.movable },
		{ "nr_inactive_file", 0 },
		{ "nr_active_file", m.cache },
		{ "nr_unevictable", 0 },
		{ "nr_slab_reclaimable", 0 },
		{ "nr_slab_unreclaimable", m.slab },
		{ "nr_isolated_anon", 0 },
		{ "nr_isolated_file", 0 },
		{ "nr_anon_pages", m.movable },
		{ "nr_mapped", 0 },
		{ "nr_file_pages", m.cache },
		{ "nr_dirty", 0 },
		{ "nr_writeback", 0 },
		{ "nr_shmem", 0 },
		{ "nr_kernel_stack", 0 },
		{ "nr_page_table_pages", 0 },
	};

	for (size_t i = 0; i < sizeof(items) / sizeof(items[0]) && !r; i++)
		r = sbuf_printf(sb, "%s %lu\n", items[i].name, items[i].pages);
	return r;
}

static int compact_store(const struct mhpfs_attr_ctx *c, const char *buf, size_t count)
{
	return 0; /* any input compacts the node; nothing is fragmented here */
}

/*
 * Proactive reclaim: "SIZE [swappiness=N|max]".  No page of the model is reclaimable, so a
 * non-zero request runs out of retries with EAGAIN, as the kernel does on an idle node.
 */
static int reclaim_store(const struct mhpfs_attr_ctx *c, const char *buf, size_t count)
{
	char tmp[MHPFS_SYSFS_PAGE + 1];
	char *words[3];
	uint64_t nr;
	int n;

	snprintf(tmp, sizeof(tmp), "%s", buf);
	n = split_words(tmp, words, 2);
	if (n < 1)
		return -EINVAL;
	if (mhpfs_parse_size(words[0], &nr))
		return -EINVAL;
	if (n == 2) {
		unsigned int sw;

		if (strncmp(words[1], "swappiness=", 11))
			return -EINVAL;
		if (strcmp(words[1] + 11, "max") &&
		    (mhp_kstrtouint(words[1] + 11, 10, &sw) || sw > 200))
			return -EINVAL;
	}
	return nr ? -EAGAIN : 0;
}

static int node_uevent_store(const struct mhpfs_attr_ctx *c, const char *buf, size_t count)
{
	return mhpfs_sinks_synth_store(c->fs, MHP_SUBSYS_NODE, (unsigned long)c->k->nid, buf,
				       count);
}

/* ---- /sys/bus/{memory,node} ---------------------------------------------------------------- */

static int bus_index(const struct mhpfs_attr_ctx *c)
{
	return c->k->t == T_BM_AUTOPROBE ? 0 : 1;
}

static int drivers_autoprobe_show(const struct mhpfs_attr_ctx *c, struct sbuf *sb)
{
	return sbuf_printf(sb, "%d\n", atomic_load(&c->fs->bus_autoprobe[bus_index(c)]));
}

static int drivers_autoprobe_store(const struct mhpfs_attr_ctx *c, const char *buf, size_t count)
{
	/* the kernel only looks at the first character */
	atomic_store(&c->fs->bus_autoprobe[bus_index(c)], buf[0] == '0' ? 0 : 1);
	return 0;
}

/*
 * A bus's own uevent file: the kernel's bus filter lets the bus kobject through, so the event goes
 * out with DEVPATH=/bus/NAME and SUBSYSTEM=bus (udevadm trigger --type=subsystems writes these).
 */
static int bus_uevent_store(const struct mhpfs_attr_ctx *c, const char *buf, size_t count)
{
	return mhpfs_sinks_synth_store(c->fs, MHP_SUBSYS_BUS,
				       c->k->t == T_BM_UEVENT ? MHP_SUBSYS_MEMORY : MHP_SUBSYS_NODE,
				       buf, count);
}

/* Rescanning a device of a bus without drivers succeeds; an unknown name is ENODEV. */
static int drivers_probe_store(const struct mhpfs_attr_ctx *c, const char *buf, size_t count)
{
	struct mhpfs_key dir = { .t = c->k->t == T_BM_PROBE ? T_BM_DEVICES : T_BN_DEVICES };
	struct mhpfs_key child;
	char name[64];
	size_t n = strlen(buf);

	/* device names are matched with sysfs_streq */
	if (n && buf[n - 1] == '\n')
		n--;
	if (!n || n >= sizeof(name))
		return -ENODEV;
	memcpy(name, buf, n);
	name[n] = '\0';
	if (mhpfs_lookup_child(c->fs, &dir, name, &child))
		return -ENODEV;
	return 0;
}

/* ---- /sys/module/memory_hotplug/parameters ------------------------------------------------- */

static const char *const policy_names[] = { "contig-zones", "auto-movable" };

static int online_policy_show(const struct mhpfs_attr_ctx *c, struct sbuf *sb)
{
	int p = mhp_get_online_policy(c->fs->e);

	return sbuf_printf(sb, "%s\n",
			   p == MHP_POLICY_AUTO_MOVABLE ? policy_names[1] : policy_names[0]);
}

static int online_policy_store(const struct mhpfs_attr_ctx *c, const char *buf, size_t count)
{
	for (int i = 0; i < 2; i++)
		if (mhp_sysfs_streq(buf, policy_names[i]))
			return mhp_set_online_policy(c->fs->e, i);
	return -EINVAL;
}

static int auto_movable_ratio_show(const struct mhpfs_attr_ctx *c, struct sbuf *sb)
{
	return sbuf_printf(sb, "%u\n", mhp_get_auto_movable_ratio(c->fs->e));
}

static int auto_movable_ratio_store(const struct mhpfs_attr_ctx *c, const char *buf, size_t count)
{
	unsigned int v;
	int r = mhp_kstrtouint(buf, 0, &v);

	if (r)
		return r;
	mhp_set_auto_movable_ratio(c->fs->e, v);
	return 0;
}

static int auto_movable_numa_aware_show(const struct mhpfs_attr_ctx *c, struct sbuf *sb)
{
	return sbuf_printf(sb, "%c\n", mhp_get_auto_movable_numa_aware(c->fs->e) ? 'Y' : 'N');
}

static int auto_movable_numa_aware_store(const struct mhpfs_attr_ctx *c, const char *buf,
					 size_t count)
{
	bool v;

	if (mhp_kstrtobool(buf, &v))
		return -EINVAL;
	mhp_set_auto_movable_numa_aware(c->fs->e, v);
	return 0;
}

static int memmap_on_memory_show(const struct mhpfs_attr_ctx *c, struct sbuf *sb)
{
	switch (mhp_get_memmap_on_memory(c->fs->e)) {
	case MHP_MEMMAP_ON:
		return sbuf_printf(sb, "Y\n");
	case MHP_MEMMAP_FORCE:
		return sbuf_printf(sb, "force\n");
	default:
		return sbuf_printf(sb, "N\n");
	}
}

/* ---- /sys/kernel ---------------------------------------------------------------------------- */

static int uevent_seqnum_show(const struct mhpfs_attr_ctx *c, struct sbuf *sb)
{
	return sbuf_printf(sb, "%" PRIu64 "\n", mhp_uevent_seqnum(c->fs->e));
}

static int inject_action(const struct mhpfs_attr_ctx *c)
{
	return c->k->t == T_NEI_GON_ERR ? MHP_INJECT_GOING_ONLINE : MHP_INJECT_GOING_OFFLINE;
}

static int inject_error_show(const struct mhpfs_attr_ctx *c, struct sbuf *sb)
{
	char buf[32];
	int n = mhp_inject_show(c->fs->inj, inject_action(c), buf, sizeof(buf));

	if (n < 0)
		return n;
	return sbuf_printf(sb, "%.*s", n, buf);
}

static int inject_error_store(const struct mhpfs_attr_ctx *c, const char *buf, size_t count)
{
	ssize_t r = mhp_inject_store(c->fs->inj, inject_action(c), buf, count);

	return r < 0 ? (int)r : 0;
}

static bool inject_exists(const struct mhpfs *fs)
{
	return fs->inj != NULL;
}

static bool events_exists(const struct mhpfs *fs)
{
	return mhpfs_sinks_stream_enabled(fs);
}

static bool probe_exists(const struct mhpfs *fs)
{
	return fs->m.probe;
}

static bool memory_failure_exists(const struct mhpfs *fs)
{
	return !fs->m.no_memory_failure;
}

/* ---- kernel/debug/memhotplugfs: the daemon's own controls ---------------------------------- */

/* "START SIZE [NODE]": a firmware-style hot-add of a DIMM (ACPI), created offline then auto-onlined */
static int ctl_add_memory_store(const struct mhpfs_attr_ctx *c, const char *buf, size_t count)
{
	char tmp[MHPFS_SYSFS_PAGE + 1];
	char *w[3];
	uint64_t start, size;
	unsigned long long nid = (unsigned long long)-1;
	int n;

	snprintf(tmp, sizeof(tmp), "%s", buf);
	n = split_words(tmp, w, 3);
	if (n < 2)
		return -EINVAL;
	if (mhpfs_parse_size(w[0], &start) || mhpfs_parse_size(w[1], &size))
		return -EINVAL;
	if (n == 3 && (mhp_kstrtoull(w[2], 0, &nid) || nid >= MHP_MAX_NUMNODES))
		return -EINVAL;
	return mhp_add_memory(c->fs->e, n == 3 ? (int)nid : MHP_NUMA_NO_NODE, start, size, 0, -1);
}

/* "START SIZE": offline_and_remove_memory(), as a driver unplugging a DIMM does */
static int ctl_remove_memory_store(const struct mhpfs_attr_ctx *c, const char *buf, size_t count)
{
	char tmp[MHPFS_SYSFS_PAGE + 1];
	char *w[2];
	uint64_t start, size;

	snprintf(tmp, sizeof(tmp), "%s", buf);
	if (split_words(tmp, w, 2) != 2)
		return -EINVAL;
	if (mhpfs_parse_size(w[0], &start) || mhpfs_parse_size(w[1], &size))
		return -EINVAL;
	return mhp_offline_and_remove_memory(c->fs->e, start, size, c->cancel);
}

/*
 * dimm_slots: the firmware DIMM slots of the machine file, plugged and unplugged by number as an
 * ACPI memory device is: "plug N" registers a static memory group for the slot and hot-adds it
 * (memmap on memory when the parameter allows; auto-online applies), "unplug N" offlines and
 * removes it.  Reading lists "SLOT START SIZE NODE empty|plugged".  The lock is held across a
 * plug or unplug, so a read waits for one that is running.
 */
static int ctl_dimm_slots_show(const struct mhpfs_attr_ctx *c, struct sbuf *sb)
{
	const struct mhpfs_machine *m = &c->fs->m;
	int r = 0;

	pthread_mutex_lock(&c->fs->dimm_lock);
	for (unsigned int i = 0; i < m->nr_dimms && !r; i++)
		r = sbuf_printf(sb, "%u %#llx %#llx %d %s\n", i,
				(unsigned long long)m->dimm[i].start,
				(unsigned long long)m->dimm[i].size, m->dimm[i].nid,
				c->fs->dimm_group[i] ? "plugged" : "empty");
	pthread_mutex_unlock(&c->fs->dimm_lock);
	return r;
}

static int ctl_dimm_slots_store(const struct mhpfs_attr_ctx *c, const char *buf, size_t count)
{
	const struct mhpfs_machine *m = &c->fs->m;
	char tmp[MHPFS_SYSFS_PAGE + 1];
	unsigned long long slot;
	const struct mhpfs_dimm *d;
	char *w[2];
	int r, gid;

	snprintf(tmp, sizeof(tmp), "%s", buf);
	if (split_words(tmp, w, 2) != 2 || mhp_kstrtoull(w[1], 10, &slot) || slot >= m->nr_dimms)
		return -EINVAL;
	d = &m->dimm[slot];
	pthread_mutex_lock(&c->fs->dimm_lock);
	if (!strcmp(w[0], "plug")) {
		r = c->fs->dimm_group[slot] ? -EEXIST : 0;
		if (!r)
			r = mhp_group_register_static(c->fs->e, d->nid, d->size >> MHP_PAGE_SHIFT,
						      &gid);
		if (!r) {
			r = mhp_add_memory(c->fs->e, d->nid, d->start, d->size,
					   MHP_ADD_MEMMAP_ON_MEMORY, gid);
			if (r)
				mhp_group_unregister(c->fs->e, gid);
			else
				c->fs->dimm_group[slot] = gid + 1;
		}
	} else if (!strcmp(w[0], "unplug")) {
		r = c->fs->dimm_group[slot] ? 0 : -EINVAL;
		if (!r)
			r = mhp_offline_and_remove_memory(c->fs->e, d->start, d->size, c->cancel);
		if (!r) {
			mhp_group_unregister(c->fs->e, c->fs->dimm_group[slot] - 1);
			c->fs->dimm_group[slot] = 0;
		}
	} else {
		r = -EINVAL;
	}
	pthread_mutex_unlock(&c->fs->dimm_lock);
	return r;
}

static bool dimms_exist(const struct mhpfs *fs)
{
	return fs->m.nr_dimms > 0;
}

static int ctl_stats_show(const struct mhpfs_attr_ctx *c, struct sbuf *sb)
{
	struct mhpfs *fs = c->fs;
	unsigned long id = 0, n[5] = { 0 };
	int r;

	for (unsigned long next; !mhp_block_next_id(fs->e, id, &next); id = next + 1) {
		struct mhp_block *b = mhp_block_get(fs->e, next);

		if (!b)
			continue;
		n[0]++;
		switch (mhp_block_state(b)) {
		case MHP_STATE_ONLINE:
			n[1]++;
			break;
		case MHP_STATE_GOING_OFFLINE:
			n[2]++;
			break;
		case MHP_STATE_OFFLINE:
			n[3]++;
			break;
		}
		mhp_block_put(b);
	}
	r = sbuf_printf(sb,
			"blocks %lu\nblocks_online %lu\nblocks_going_offline %lu\n"
			"blocks_offline %lu\n",
			n[0], n[1], n[2], n[3]);
	r = r	  ?:
		    sbuf_printf(sb, "uevent_seqnum %" PRIu64 "\nevents_dropped %" PRIu64 "\n",
				mhp_uevent_seqnum(fs->e), mhp_event_dropped(fs->e));
	r = r	  ?:
		    sbuf_printf(sb,
				"events_handled %lu\nchanges %lu\ninvalidations %lu\nopens %lu\n"
				"reads %lu\nwrites %lu\nwrite_errors %lu\ninterrupts %lu\n",
				atomic_load(&fs->stat_events), atomic_load(&fs->stat_changes),
				atomic_load(&fs->stat_invalidations), atomic_load(&fs->stat_opens),
				atomic_load(&fs->stat_reads), atomic_load(&fs->stat_writes),
				atomic_load(&fs->stat_write_errors),
				atomic_load(&fs->stat_interrupts));
	return r;
}

/* ---- link targets --------------------------------------------------------------------------- */

static int link_block_node(const struct mhpfs_key *k, struct sbuf *sb)
{
	return sbuf_printf(sb, "../../node/node%d", k->nid);
}

static int link_block_subsystem(const struct mhpfs_key *k, struct sbuf *sb)
{
	return sbuf_printf(sb, "../../../../bus/memory");
}

static int link_node_subsystem(const struct mhpfs_key *k, struct sbuf *sb)
{
	return sbuf_printf(sb, "../../../../bus/node");
}

static int link_node_memory(const struct mhpfs_key *k, struct sbuf *sb)
{
	return sbuf_printf(sb, "../../memory/memory%lu", k->id);
}

static int link_node_cpu(const struct mhpfs_key *k, struct sbuf *sb)
{
	return sbuf_printf(sb, "../../cpu/cpu%lu", k->id);
}

static int link_bus_memory(const struct mhpfs_key *k, struct sbuf *sb)
{
	return sbuf_printf(sb, "../../../devices/system/memory/memory%lu", k->id);
}

static int link_bus_node(const struct mhpfs_key *k, struct sbuf *sb)
{
	return sbuf_printf(sb, "../../../devices/system/node/node%d", k->nid);
}

/* ---- the table ------------------------------------------------------------------------------ */

#define DIR(idx, nm, par, prm, md) \
	[idx] = { .name = nm, .parent = par, .kind = K_DIR, .mode = md, .param = prm }
#define NDIR(idx, nm, par, prm)  \
	[idx] = { .name = nm,    \
		  .parent = par, \
		  .kind = K_DIR, \
		  .mode = 0755,  \
		  .param = prm,  \
		  .numbered = true }
#define ATTR(idx, nm, par, prm, md, sh, st) \
	[idx] = { .name = nm,               \
		  .parent = par,            \
		  .kind = K_FILE,           \
		  .mode = md,               \
		  .param = prm,             \
		  .show = sh,               \
		  .store = st }
#define DBGF(idx, nm, par, md, sh, st) \
	[idx] = { .name = nm,          \
		  .parent = par,       \
		  .kind = K_FILE,      \
		  .mode = md,          \
		  .flags = TF_DEBUGFS, \
		  .show = sh,          \
		  .store = st }
#define LINK(idx, nm, par, prm, fn)                                                               \
	[idx] = {                                                                                 \
		.name = nm, .parent = par, .kind = K_LINK, .mode = 0777, .param = prm, .link = fn \
	}
#define NLINK(idx, nm, par, prm, fn) \
	[idx] = { .name = nm,        \
		  .parent = par,     \
		  .kind = K_LINK,    \
		  .mode = 0777,      \
		  .param = prm,      \
		  .link = fn,        \
		  .numbered = true }
#define POWER(base, par, prm)                                                                      \
	DIR(base, "power", par, prm, 0755),                                                        \
		ATTR(base + 1, "autosuspend_delay_ms", base, prm, 0644, autosuspend_delay_ms_show, \
		     autosuspend_delay_ms_store),                                                  \
		ATTR(base + 2, "control", base, prm, 0644, control_show, control_store),           \
		ATTR(base + 3, "runtime_active_time", base, prm, 0444, zero_show, NULL),           \
		ATTR(base + 4, "runtime_status", base, prm, 0444, runtime_status_show, NULL),      \
		ATTR(base + 5, "runtime_suspended_time", base, prm, 0444, zero_show, NULL)

/* clang-format off */
const struct mhpfs_template mhpfs_templates[T_NR] = {
	DIR(T_ROOT, "", T_ROOT, P_NONE, 0755),
	DIR(T_DEVICES, "devices", T_ROOT, P_NONE, 0755),
	DIR(T_SYSTEM, "system", T_DEVICES, P_NONE, 0755),

	DIR(T_MEMORY, "memory", T_SYSTEM, P_NONE, 0755),
	ATTR(T_MEM_AUTO_ONLINE, "auto_online_blocks", T_MEMORY, P_NONE, 0644, auto_online_blocks_show, auto_online_blocks_store),
	ATTR(T_MEM_BLOCK_SIZE, "block_size_bytes", T_MEMORY, P_NONE, 0444, block_size_bytes_show, NULL),
	[T_MEM_PROBE] = { .name = "probe", .parent = T_MEMORY, .kind = K_FILE, .mode = 0200, .store = probe_store, .exists = probe_exists },
	/* CONFIG_MEMORY_FAILURE (pools.c) */
	[T_MEM_SOFT_OFFLINE] = { .name = "soft_offline_page", .parent = T_MEMORY, .kind = K_FILE, .mode = 0200, .store = mhpfs_soft_offline_page_store, .exists = memory_failure_exists },
	[T_MEM_HARD_OFFLINE] = { .name = "hard_offline_page", .parent = T_MEMORY, .kind = K_FILE, .mode = 0200, .store = mhpfs_hard_offline_page_store, .exists = memory_failure_exists },
	ATTR(T_MEM_UEVENT, "uevent", T_MEMORY, P_NONE, 0644, empty_show, root_uevent_store),
	POWER(T_MEM_POWER, T_MEMORY, P_NONE),

	NDIR(T_BLOCK, "memory", T_MEMORY, P_BLOCK),
	NLINK(T_BLK_NODE, "node", T_BLOCK, P_BLOCK_NODE, link_block_node),
	ATTR(T_BLK_ONLINE, "online", T_BLOCK, P_BLOCK, 0644, online_show, online_store),
	ATTR(T_BLK_PHYS_DEVICE, "phys_device", T_BLOCK, P_BLOCK, 0444, zero_show, NULL),
	ATTR(T_BLK_PHYS_INDEX, "phys_index", T_BLOCK, P_BLOCK, 0444, phys_index_show, NULL),
	POWER(T_BLK_POWER, T_BLOCK, P_BLOCK),
	ATTR(T_BLK_REMOVABLE, "removable", T_BLOCK, P_BLOCK, 0444, one_show, NULL),
	ATTR(T_BLK_STATE, "state", T_BLOCK, P_BLOCK, 0644, state_show, state_store),
	LINK(T_BLK_SUBSYSTEM, "subsystem", T_BLOCK, P_BLOCK, link_block_subsystem),
	ATTR(T_BLK_UEVENT, "uevent", T_BLOCK, P_BLOCK, 0644, empty_show, block_uevent_store),
	ATTR(T_BLK_VALID_ZONES, "valid_zones", T_BLOCK, P_BLOCK, 0444, valid_zones_show, NULL),

	DIR(T_NODEROOT, "node", T_SYSTEM, P_NONE, 0755),
	ATTR(T_NR_HAS_CPU, "has_cpu", T_NODEROOT, P_NONE, 0444, has_cpu_show, NULL),
	ATTR(T_NR_HAS_GI, "has_generic_initiator", T_NODEROOT, P_NONE, 0444, has_generic_initiator_show, NULL),
	ATTR(T_NR_HAS_MEMORY, "has_memory", T_NODEROOT, P_NONE, 0444, has_memory_show, NULL),
	ATTR(T_NR_HAS_NORMAL, "has_normal_memory", T_NODEROOT, P_NONE, 0444, has_normal_memory_show, NULL),
	ATTR(T_NR_ONLINE, "online", T_NODEROOT, P_NONE, 0444, node_online_show, NULL),
	ATTR(T_NR_POSSIBLE, "possible", T_NODEROOT, P_NONE, 0444, possible_show, NULL),
	POWER(T_NR_POWER, T_NODEROOT, P_NONE),
	ATTR(T_NR_UEVENT, "uevent", T_NODEROOT, P_NONE, 0644, empty_show, root_uevent_store),

	NDIR(T_NODE, "node", T_NODEROOT, P_NODE),
	ATTR(T_ND_COMPACT, "compact", T_NODE, P_NODE, 0200, NULL, compact_store),
	NLINK(T_ND_CPU, "cpu", T_NODE, P_NODE_CPU, link_node_cpu),
	ATTR(T_ND_CPULIST, "cpulist", T_NODE, P_NODE, 0444, cpulist_show, NULL),
	ATTR(T_ND_CPUMAP, "cpumap", T_NODE, P_NODE, 0444, cpumap_show, NULL),
	ATTR(T_ND_DISTANCE, "distance", T_NODE, P_NODE, 0444, distance_show, NULL),
	ATTR(T_ND_MEMINFO, "meminfo", T_NODE, P_NODE, 0444, meminfo_show, NULL),
	NLINK(T_ND_MEMORY, "memory", T_NODE, P_NODE_BLOCK, link_node_memory),
	ATTR(T_ND_NUMASTAT, "numastat", T_NODE, P_NODE, 0444, numastat_show, NULL),
	POWER(T_ND_POWER, T_NODE, P_NODE),
	ATTR(T_ND_RECLAIM, "reclaim", T_NODE, P_NODE, 0200, NULL, reclaim_store),
	LINK(T_ND_SUBSYSTEM, "subsystem", T_NODE, P_NODE, link_node_subsystem),
	ATTR(T_ND_UEVENT, "uevent", T_NODE, P_NODE, 0644, empty_show, node_uevent_store),
	ATTR(T_ND_VMSTAT, "vmstat", T_NODE, P_NODE, 0444, vmstat_show, NULL),

	DIR(T_BUS, "bus", T_ROOT, P_NONE, 0755),
	DIR(T_BUSMEM, "memory", T_BUS, P_NONE, 0755),
	DIR(T_BM_DEVICES, "devices", T_BUSMEM, P_NONE, 0755),
	NLINK(T_BM_DEV, "memory", T_BM_DEVICES, P_BLOCK, link_bus_memory),
	DIR(T_BM_DRIVERS, "drivers", T_BUSMEM, P_NONE, 0755),
	ATTR(T_BM_AUTOPROBE, "drivers_autoprobe", T_BUSMEM, P_NONE, 0644, drivers_autoprobe_show, drivers_autoprobe_store),
	ATTR(T_BM_PROBE, "drivers_probe", T_BUSMEM, P_NONE, 0200, NULL, drivers_probe_store),
	ATTR(T_BM_UEVENT, "uevent", T_BUSMEM, P_NONE, 0200, NULL, bus_uevent_store),
	DIR(T_BUSNODE, "node", T_BUS, P_NONE, 0755),
	DIR(T_BN_DEVICES, "devices", T_BUSNODE, P_NONE, 0755),
	NLINK(T_BN_DEV, "node", T_BN_DEVICES, P_NODE, link_bus_node),
	DIR(T_BN_DRIVERS, "drivers", T_BUSNODE, P_NONE, 0755),
	ATTR(T_BN_AUTOPROBE, "drivers_autoprobe", T_BUSNODE, P_NONE, 0644, drivers_autoprobe_show, drivers_autoprobe_store),
	ATTR(T_BN_PROBE, "drivers_probe", T_BUSNODE, P_NONE, 0200, NULL, drivers_probe_store),
	ATTR(T_BN_UEVENT, "uevent", T_BUSNODE, P_NONE, 0200, NULL, bus_uevent_store),

	DIR(T_MODULE, "module", T_ROOT, P_NONE, 0755),
	DIR(T_MOD_MH, "memory_hotplug", T_MODULE, P_NONE, 0755),
	DIR(T_MOD_PARAMS, "parameters", T_MOD_MH, P_NONE, 0755),
	ATTR(T_P_NUMA_AWARE, "auto_movable_numa_aware", T_MOD_PARAMS, P_NONE, 0644, auto_movable_numa_aware_show, auto_movable_numa_aware_store),
	ATTR(T_P_RATIO, "auto_movable_ratio", T_MOD_PARAMS, P_NONE, 0644, auto_movable_ratio_show, auto_movable_ratio_store),
	ATTR(T_P_MEMMAP, "memmap_on_memory", T_MOD_PARAMS, P_NONE, 0444, memmap_on_memory_show, NULL),
	ATTR(T_P_POLICY, "online_policy", T_MOD_PARAMS, P_NONE, 0644, online_policy_show, online_policy_store),

	DIR(T_KERNEL, "kernel", T_ROOT, P_NONE, 0755),
	ATTR(T_K_SEQNUM, "uevent_seqnum", T_KERNEL, P_NONE, 0444, uevent_seqnum_show, NULL),
	/* the debugfs mount point is root-only, as /sys/kernel/debug is */
	DIR(T_DEBUG, "debug", T_KERNEL, P_NONE, 0700),
	[T_NEI] = { .name = "notifier-error-inject", .parent = T_DEBUG, .kind = K_DIR, .mode = 0755, .exists = inject_exists },
	DIR(T_NEI_MEM, "memory", T_NEI, P_NONE, 0755),
	DIR(T_NEI_ACTIONS, "actions", T_NEI_MEM, P_NONE, 0755),
	DIR(T_NEI_GON, "MEM_GOING_ONLINE", T_NEI_ACTIONS, P_NONE, 0755),
	DBGF(T_NEI_GON_ERR, "error", T_NEI_GON, 0600, inject_error_show, inject_error_store),
	DIR(T_NEI_GOFF, "MEM_GOING_OFFLINE", T_NEI_ACTIONS, P_NONE, 0755),
	DBGF(T_NEI_GOFF_ERR, "error", T_NEI_GOFF, 0600, inject_error_show, inject_error_store),
	DIR(T_CTL, "memhotplugfs", T_DEBUG, P_NONE, 0700),
	DBGF(T_CTL_ADD, "add_memory", T_CTL, 0200, NULL, ctl_add_memory_store),
	DBGF(T_CTL_REMOVE, "remove_memory", T_CTL, 0200, NULL, ctl_remove_memory_store),
	DBGF(T_CTL_STATS, "stats", T_CTL, 0400, ctl_stats_show, NULL),
	/* the event stream (sinks.c): blocking reads and poll, no show */
	[T_CTL_EVENTS] = { .name = "events", .parent = T_CTL, .kind = K_FILE, .mode = 0400, .flags = TF_DEBUGFS | TF_STREAM, .exists = events_exists },
	/* the page pools' workload (pools.c) */
	DBGF(T_CTL_WORKLOAD, "workload", T_CTL, 0600, mhpfs_workload_show, mhpfs_workload_store),
	DBGF(T_CTL_WORKLOAD_VERIFY, "workload_verify", T_CTL, 0400, mhpfs_workload_verify_show, NULL),
	/* the machine file's DIMM slots (machine-file.h) */
	[T_CTL_DIMMS] = { .name = "dimm_slots", .parent = T_CTL, .kind = K_FILE, .mode = 0600, .flags = TF_DEBUGFS, .show = ctl_dimm_slots_show, .store = ctl_dimm_slots_store, .exists = dimms_exist },
};
/* clang-format on */

const int mhpfs_nr_templates = T_NR;

int mhpfs_t_root(void)
{
	return T_ROOT;
}

int mhpfs_t_memory(void)
{
	return T_MEMORY;
}

int mhpfs_t_node_root(void)
{
	return T_NODEROOT;
}

int mhpfs_t_node(void)
{
	return T_NODE;
}

int mhpfs_t_bus_memory_devices(void)
{
	return T_BM_DEVICES;
}

int mhpfs_t_bus_node_devices(void)
{
	return T_BN_DEVICES;
}
