// SPDX-License-Identifier: MIT
/*
 * fusefs/machine-file.c - machine configuration files.
 *
 * The format is INI-like.  One item per line; '#' or ';' as the first non-blank character makes a
 * comment; blank lines are ignored; a line is at most 1024 bytes.  Keys and section names are
 * case-sensitive, blanks around keys and values are ignored.  Sizes are numbers as the kernel's
 * kstrtoull(base 0) reads them (decimal, 0x hex, 0 octal) with an optional K, M, G, T or P
 * suffix (powers of 1024).  A range is START-END (END excluded) or START+SIZE; a range list is
 * comma-separated, and list keys may be repeated: their lines add up.
 *
 *   [machine]
 *   block_size = 128M          memory block size: a power of two, at least 32K
 *   phys_bits = 46             physical address bits (32..52); hot-add beyond gives E2BIG
 *   nodes = 2                  possible nodes; default: one more than the highest [node N]
 *   dma_end = 16M              end of ZONE_DMA
 *   dma32_end = 4G             end of ZONE_DMA32
 *   reserved = 3G-4G           busy iomem (the PCI hole): hot-add over it gives EEXIST (list)
 *   probe = yes                whether memory/probe exists (CONFIG_ARCH_MEMORY_PROBE)
 *
 *   [kernel]                   the boot command line
 *   kernelcore = 4G | 25%      kernelcore=
 *   movablecore = 2G | 10%     movablecore=
 *   movable_node = no          movable_node
 *   memhp_default_state = offline   the initial auto_online_blocks (alias: auto_online_blocks)
 *
 *   [memory_hotplug]           module parameters
 *   online_policy = contig-zones    or auto-movable
 *   auto_movable_ratio = 301
 *   auto_movable_numa_aware = Y
 *   memmap_on_memory = N       Y, N or force
 *
 *   [notifier-error-inject]    the debugfs error injector module
 *   loaded = yes
 *   priority = 0
 *
 *   [node 0]                   one section per node (0..63)
 *   cpus = 0-3                 the node's cpus, as cpulist prints them
 *   distance = 10 21           the node's SLIT row, one value per node
 *   memory = 0-3G, 4G-8G       boot memory (list)
 *   hole = 640K-1M             not present, punched out of this node's memory (list)
 *   hotplug = 12G-20G          hot-pluggable, firmware NUMA affinity (SRAT) (list)
 *   dimm = 12G+4G              a firmware DIMM slot; slots are numbered 0, 1, ... in file order
 *
 *   [workload]                 the initial page-pool workload (see mhpfs_workload_parse())
 *   fill = 30
 *   unmovable_pct = 10
 *
 * Booleans are yes/no, true/false, on/off, y/n, Y/N, 1/0.  A file that has any [node N] section
 * describes every node: the boot memory, hot-pluggable ranges, DIMMs, cpus and distances of the
 * machine underneath are dropped.  Other keys change only what they name, so the command line
 * can say --config=FILE and let later options override.  Scalar keys may appear once per file.
 *
 * Errors are reported as "FILE:LINE: what is wrong", and the machine is left untouched.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "machine-file.h"
#include "memhotplugfs.h"

#define MAX_ITEMS 256 /* lines of one list kind, before holes are punched */

enum section {
	SEC_NONE = 0,
	SEC_MACHINE,
	SEC_KERNEL,
	SEC_MODULE,
	SEC_INJECT,
	SEC_NODE,
	SEC_WORKLOAD,
};

/* A range from the file, with the line that gave it (for messages about the whole machine). */
struct item {
	uint64_t start;
	uint64_t end;
	int nid;
	unsigned int line;
};

struct list {
	struct item v[MAX_ITEMS];
	size_t n;
};

/* Scalar keys seen, so that a second one is reported. */
struct seen {
	char name[40];
	int sec;
	int nid;
	unsigned int line;
};

struct ctx {
	const char *path;
	unsigned int line;
	char *err;
	size_t errlen;
	struct mhpfs_machine m; /* working copy; copied out on success */

	int sec;
	int nid;
	char secname[32];

	bool any_node;
	unsigned int max_node;
	bool nodes_given;
	unsigned int nodes_line;

	struct list mem, holes, hot, dimms, reserved;
	bool reserved_given;

	uint64_t cpus[MHP_MAX_NUMNODES][MHPFS_MAX_CPUS / 64];
	unsigned int cpus_line[MHP_MAX_NUMNODES];
	bool cpus_given[MHP_MAX_NUMNODES];
	unsigned int dist_line[MHP_MAX_NUMNODES];
	unsigned int dist_count[MHP_MAX_NUMNODES];
	bool dist_given[MHP_MAX_NUMNODES];

	bool workload_given;
	size_t workload_len;

	struct seen seen[64];
	size_t nr_seen;
};

static int bad_at(struct ctx *c, unsigned int line, int err, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static int bad_at(struct ctx *c, unsigned int line, int err, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (line)
		snprintf(c->err, c->errlen, "%s:%u: %s", c->path, line, msg);
	else
		snprintf(c->err, c->errlen, "%s: %s", c->path, msg);
	return err;
}

/* ---- value parsers ------------------------------------------------------------------------- */

int mhpfs_parse_size(const char *s, uint64_t *ret)
{
	char num[32];
	size_t len = strlen(s);
	unsigned int shift = 0;
	unsigned long long v;
	int r;

	if (!len || len >= sizeof(num) || strchr(s, '\n'))
		return -EINVAL;
	switch (s[len - 1]) {
	case 'K':
	case 'k':
		shift = 10;
		break;
	case 'M':
	case 'm':
		shift = 20;
		break;
	case 'G':
	case 'g':
		shift = 30;
		break;
	case 'T':
	case 't':
		shift = 40;
		break;
	case 'P':
	case 'p':
		shift = 50;
		break;
	}
	memcpy(num, s, len + 1);
	if (shift)
		num[len - 1] = '\0';
	r = mhp_kstrtoull(num, 0, &v);
	if (r)
		return r;
	if (shift && v > (~0ULL >> shift))
		return -ERANGE;
	*ret = (uint64_t)v << shift;
	return 0;
}

/* A plain decimal/hex number with nothing after it. */
static int parse_ul(const char *s, unsigned long long max, unsigned long long *ret)
{
	unsigned long long v;
	int r;

	if (strchr(s, '\n'))
		return -EINVAL;
	r = mhp_kstrtoull(s, 0, &v);
	if (r)
		return r;
	if (v > max)
		return -ERANGE;
	*ret = v;
	return 0;
}

int mhpfs_parse_cpulist(const char *s, uint64_t *mask, unsigned int nbits)
{
	const char *p = s;

	memset(mask, 0, (nbits + 63) / 64 * sizeof(*mask));
	while (*p) {
		unsigned long long a = 0, b;
		const char *q = p;

		if (!isdigit((unsigned char)*p))
			return -EINVAL;
		for (; isdigit((unsigned char)*q); q++) {
			a = a * 10 + (unsigned long long)(*q - '0');
			if (a >= nbits)
				return -ERANGE;
		}
		b = a;
		if (*q == '-') {
			b = 0;
			if (!isdigit((unsigned char)*++q))
				return -EINVAL;
			for (; isdigit((unsigned char)*q); q++) {
				b = b * 10 + (unsigned long long)(*q - '0');
				if (b >= nbits)
					return -ERANGE;
			}
			if (b < a)
				return -EINVAL;
		}
		for (unsigned long long i = a; i <= b; i++)
			mask[i / 64] |= 1ULL << (i % 64);
		if (*q == ',') {
			q++;
			if (!*q)
				return -EINVAL;
		} else if (*q) {
			return -EINVAL;
		}
		p = q;
	}
	return 0;
}

static int parse_bool(const char *s, bool *ret)
{
	static const char *const yes[] = { "yes", "true", "on", "y", "Y", "1" };
	static const char *const no[] = { "no", "false", "off", "n", "N", "0" };

	for (size_t i = 0; i < sizeof(yes) / sizeof(yes[0]); i++) {
		if (!strcmp(s, yes[i])) {
			*ret = true;
			return 0;
		}
		if (!strcmp(s, no[i])) {
			*ret = false;
			return 0;
		}
	}
	return -EINVAL;
}

static char *trim(char *s)
{
	char *e;

	while (*s == ' ' || *s == '\t')
		s++;
	e = s + strlen(s);
	while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r'))
		*--e = '\0';
	return s;
}

/* One range: START-END or START+SIZE. */
static int parse_range(char *s, uint64_t *ret_start, uint64_t *ret_end)
{
	char *sep = strpbrk(s, "-+");
	uint64_t a, b;
	bool plus;

	if (!sep)
		return -EINVAL;
	plus = *sep == '+';
	*sep = '\0';
	if (mhpfs_parse_size(trim(s), &a) || mhpfs_parse_size(trim(sep + 1), &b))
		return -EINVAL;
	if (plus) {
		if (!b || a + b < a)
			return -EINVAL;
		b += a;
	}
	if (a >= b)
		return -EINVAL;
	*ret_start = a;
	*ret_end = b;
	return 0;
}

static int add_ranges(struct ctx *c, struct list *l, char *val, int nid, const char *key)
{
	char *rest = val, *tok;

	while ((tok = strsep(&rest, ","))) {
		struct item *it;
		char copy[128];

		tok = trim(tok);
		if (!*tok)
			return bad_at(c, c->line, -EINVAL, "empty item in the list of '%s'", key);
		if (strlen(tok) >= sizeof(copy))
			return bad_at(c, c->line, -EINVAL, "range '%.40s...' is too long", tok);
		snprintf(copy, sizeof(copy), "%s", tok);
		if (l->n == MAX_ITEMS)
			return bad_at(c, c->line, -E2BIG, "more than %d '%s' ranges", MAX_ITEMS,
				      key);
		it = &l->v[l->n];
		if (parse_range(copy, &it->start, &it->end))
			return bad_at(c, c->line, -EINVAL,
				      "bad range '%s' for '%s': expected START-END or START+SIZE "
				      "with START below END",
				      tok, key);
		it->nid = nid;
		it->line = c->line;
		l->n++;
	}
	return 0;
}

/* ---- the workload ---------------------------------------------------------------------------- */

static int zone_from_name(const char *s)
{
	for (int z = 0; z < MHP_NR_ZONES; z++)
		if (!strcmp(s, mhp_zone_name(z)))
			return z;
	return -1;
}

static int workload_key(struct mhp_workload_params *p, const char *key, const char *val)
{
	unsigned long long v;

	if (!strcmp(key, "seed"))
		return parse_ul(val, ~0ULL, &v) ? -EINVAL : (p->seed = v, 0);
	if (!strcmp(key, "writers")) {
		if (parse_ul(val, 64, &v))
			return -EINVAL;
		p->writers = (unsigned int)v;
		return 0;
	}
	if (parse_ul(val, 100, &v))
		return -EINVAL;
	if (!strcmp(key, "unmovable_pct")) {
		p->unmovable_pct = (unsigned int)v;
	} else if (!strcmp(key, "pinned_pct")) {
		p->pinned_pct = (unsigned int)v;
	} else if (!strcmp(key, "cache_pct")) {
		p->cache_pct = (unsigned int)v;
	} else if (!strcmp(key, "fill")) {
		for (int n = 0; n < MHP_MAX_NUMNODES; n++)
			for (int z = 0; z < MHP_NR_ZONES; z++)
				p->fill[n][z] = (unsigned int)v;
	} else if (!strncmp(key, "fill.", 5)) {
		const char *dot = strchr(key + 5, '.');
		size_t len = dot ? (size_t)(dot - (key + 5)) : strlen(key + 5);
		unsigned long long nid;
		char node[8];
		int zone = -1;

		if (len >= sizeof(node))
			return -EINVAL;
		memcpy(node, key + 5, len);
		node[len] = '\0';
		if (dot) {
			zone = zone_from_name(dot + 1);
			if (zone < 0)
				return -EINVAL;
		}
		if (!isdigit((unsigned char)node[0]) || parse_ul(node, MHP_MAX_NUMNODES - 1, &nid))
			return -EINVAL;
		for (int z = 0; z < MHP_NR_ZONES; z++)
			if (zone < 0 || z == zone)
				p->fill[nid][z] = (unsigned int)v;
	} else {
		return -EINVAL;
	}
	return 0;
}

int mhpfs_workload_parse(const char *text, struct mhp_workload_params *ret)
{
	struct mhp_workload_params p;
	const char *line = text;

	memset(&p, 0, sizeof(p));
	while (line && *line) {
		const char *nl = strchr(line, '\n');
		size_t len = nl ? (size_t)(nl - line) : strlen(line);
		char buf[MHPFS_CONFIG_LINE_MAX + 1], *eq;

		if (len > MHPFS_CONFIG_LINE_MAX)
			return -EINVAL;
		memcpy(buf, line, len);
		buf[len] = '\0';
		line = nl ? nl + 1 : NULL;
		if (!*trim(buf))
			continue;
		eq = strchr(buf, '=');
		if (!eq)
			return -EINVAL;
		*eq = '\0';
		if (workload_key(&p, trim(buf), trim(eq + 1)))
			return -EINVAL;
	}
	*ret = p;
	return 0;
}

/* ---- keys ---------------------------------------------------------------------------------- */

static int once(struct ctx *c, const char *key)
{
	for (size_t i = 0; i < c->nr_seen; i++) {
		const struct seen *s = &c->seen[i];

		if (s->sec == c->sec && s->nid == c->nid && !strcmp(s->name, key))
			return bad_at(c, c->line, -EINVAL,
				      "'%s' given twice in [%s] (first on line %u)", key,
				      c->secname, s->line);
	}
	if (c->nr_seen < sizeof(c->seen) / sizeof(c->seen[0])) {
		struct seen *s = &c->seen[c->nr_seen++];

		snprintf(s->name, sizeof(s->name), "%s", key);
		s->sec = c->sec;
		s->nid = c->nid;
		s->line = c->line;
	}
	return 0;
}

static int bad_value(struct ctx *c, const char *key, const char *val, const char *expected)
{
	return bad_at(c, c->line, -EINVAL, "bad value '%s' for '%s' in [%s]: expected %s", val, key,
		      c->secname, expected);
}

static int unknown_key(struct ctx *c, const char *key)
{
	return bad_at(c, c->line, -EINVAL, "unknown key '%s' in [%s]", key, c->secname);
}

static int key_machine(struct ctx *c, const char *key, char *val)
{
	struct mhp_config *cfg = &c->m.cfg;
	unsigned long long v;
	uint64_t sz;
	bool b;

	if (!strcmp(key, "reserved")) {
		if (!c->reserved_given)
			c->reserved.n = 0;
		c->reserved_given = true;
		return add_ranges(c, &c->reserved, val, MHP_NUMA_NO_NODE, key);
	}
	if (once(c, key))
		return -EINVAL;
	if (!strcmp(key, "block_size")) {
		if (mhpfs_parse_size(val, &sz) || sz < MHP_MIN_BLOCK_SIZE || (sz & (sz - 1)))
			return bad_value(c, key, val, "a power of two of at least 32K");
		cfg->block_size = sz;
	} else if (!strcmp(key, "phys_bits")) {
		if (parse_ul(val, 52, &v) || v < 32)
			return bad_value(c, key, val, "32..52");
		cfg->phys_bits = (unsigned int)v;
	} else if (!strcmp(key, "nodes")) {
		if (parse_ul(val, MHP_MAX_NUMNODES, &v) || !v)
			return bad_value(c, key, val, "1..64");
		cfg->nr_nodes = (unsigned int)v;
		c->nodes_given = true;
		c->nodes_line = c->line;
	} else if (!strcmp(key, "dma_end")) {
		if (mhpfs_parse_size(val, &sz) || (sz & (MHP_PAGE_SIZE - 1)))
			return bad_value(c, key, val, "a page-aligned size");
		cfg->dma_end = sz;
	} else if (!strcmp(key, "dma32_end")) {
		if (mhpfs_parse_size(val, &sz) || (sz & (MHP_PAGE_SIZE - 1)))
			return bad_value(c, key, val, "a page-aligned size");
		cfg->dma32_end = sz;
	} else if (!strcmp(key, "probe")) {
		if (parse_bool(val, &b))
			return bad_value(c, key, val, "yes or no");
		c->m.probe = b;
	} else {
		return unknown_key(c, key);
	}
	return 0;
}

static int parse_core(const char *val, struct mhp_size_or_percent *ret)
{
	size_t len = strlen(val);
	unsigned long long p;
	char tmp[32];

	memset(ret, 0, sizeof(*ret));
	if (len && val[len - 1] == '%') {
		if (len >= sizeof(tmp))
			return -EINVAL;
		memcpy(tmp, val, len - 1);
		tmp[len - 1] = '\0';
		if (parse_ul(tmp, 100, &p) || !p)
			return -EINVAL;
		ret->percent = (unsigned int)p;
		return 0;
	}
	if (mhpfs_parse_size(val, &ret->bytes) || !ret->bytes)
		return -EINVAL;
	return 0;
}

static int key_kernel(struct ctx *c, const char *key, char *val)
{
	struct mhp_config *cfg = &c->m.cfg;
	bool b;

	if (once(c, key))
		return -EINVAL;
	if (!strcmp(key, "kernelcore") || !strcmp(key, "movablecore")) {
		struct mhp_size_or_percent *v =
			key[0] == 'k' ? &cfg->kernelcore : &cfg->movablecore;

		if (!strcmp(val, "mirror"))
			return bad_value(c, key, val,
					 "a size or a percentage ('mirror' is not emulated)");
		if (parse_core(val, v))
			return bad_value(c, key, val, "a non-zero size or a percentage 1%..100%");
	} else if (!strcmp(key, "movable_node")) {
		if (parse_bool(val, &b))
			return bad_value(c, key, val, "yes or no");
		cfg->movable_node = b;
	} else if (!strcmp(key, "memhp_default_state") || !strcmp(key, "auto_online_blocks")) {
		int t = mhp_online_type_from_str(val);

		if (t < 0 || strchr(val, '\n'))
			return bad_value(c, key, val,
					 "offline, online, online_kernel or online_movable");
		cfg->auto_online = t;
	} else {
		return unknown_key(c, key);
	}
	return 0;
}

static int key_module(struct ctx *c, const char *key, char *val)
{
	struct mhp_config *cfg = &c->m.cfg;
	unsigned long long v;
	bool b;

	if (once(c, key))
		return -EINVAL;
	if (!strcmp(key, "online_policy")) {
		if (!strcmp(val, "contig-zones"))
			cfg->online_policy = MHP_POLICY_CONTIG_ZONES;
		else if (!strcmp(val, "auto-movable"))
			cfg->online_policy = MHP_POLICY_AUTO_MOVABLE;
		else
			return bad_value(c, key, val, "contig-zones or auto-movable");
	} else if (!strcmp(key, "auto_movable_ratio")) {
		if (parse_ul(val, 0xffffffffULL, &v))
			return bad_value(c, key, val, "an unsigned 32-bit number");
		cfg->auto_movable_ratio = (unsigned int)v;
	} else if (!strcmp(key, "auto_movable_numa_aware")) {
		if (parse_bool(val, &b))
			return bad_value(c, key, val, "Y or N");
		cfg->auto_movable_numa_aware = b;
	} else if (!strcmp(key, "memmap_on_memory")) {
		if (!strcmp(val, "force") || !strcmp(val, "FORCE"))
			cfg->memmap_on_memory = MHP_MEMMAP_FORCE;
		else if (!parse_bool(val, &b))
			cfg->memmap_on_memory = b ? MHP_MEMMAP_ON : MHP_MEMMAP_OFF;
		else
			return bad_value(c, key, val, "Y, N or force");
	} else {
		return unknown_key(c, key);
	}
	return 0;
}

static int key_inject(struct ctx *c, const char *key, char *val)
{
	long long v;
	bool b;

	if (once(c, key))
		return -EINVAL;
	if (!strcmp(key, "loaded")) {
		if (parse_bool(val, &b))
			return bad_value(c, key, val, "yes or no");
		c->m.inject = b;
	} else if (!strcmp(key, "priority")) {
		if (strchr(val, '\n') || mhp_kstrtoll(val, 0, &v) || v < -2147483648LL ||
		    v > 2147483647LL)
			return bad_value(c, key, val, "an int");
		c->m.inject_priority = (int)v;
	} else {
		return unknown_key(c, key);
	}
	return 0;
}

static int key_node(struct ctx *c, const char *key, char *val)
{
	int nid = c->nid;

	if (!strcmp(key, "memory"))
		return add_ranges(c, &c->mem, val, nid, key);
	if (!strcmp(key, "hole"))
		return add_ranges(c, &c->holes, val, nid, key);
	if (!strcmp(key, "hotplug"))
		return add_ranges(c, &c->hot, val, nid, key);
	if (!strcmp(key, "dimm")) {
		size_t before = c->dimms.n;
		int r = add_ranges(c, &c->dimms, val, nid, key);

		if (r == 0 && c->dimms.n > MHPFS_MAX_DIMMS) {
			c->dimms.n = before;
			return bad_at(c, c->line, -E2BIG, "more than %d DIMM slots",
				      MHPFS_MAX_DIMMS);
		}
		return r;
	}
	if (once(c, key))
		return -EINVAL;
	if (!strcmp(key, "cpus")) {
		int r = mhpfs_parse_cpulist(val, c->cpus[nid], MHPFS_MAX_CPUS);

		if (r == -ERANGE)
			return bad_at(c, c->line, -EINVAL, "cpu number in '%s' is not below %d",
				      val, MHPFS_MAX_CPUS);
		if (r)
			return bad_value(c, key, val, "a cpu list such as 0-3,8");
		c->cpus_given[nid] = true;
		c->cpus_line[nid] = c->line;
	} else if (!strcmp(key, "distance")) {
		char *save = NULL;
		unsigned int n = 0;

		for (char *tok = strtok_r(val, " \t", &save); tok;
		     tok = strtok_r(NULL, " \t", &save)) {
			unsigned long long d;

			if (n == MHP_MAX_NUMNODES)
				return bad_at(c, c->line, -EINVAL, "more than %d distances",
					      MHP_MAX_NUMNODES);
			if (parse_ul(tok, 255, &d) || d < 10)
				return bad_value(c, key, tok, "distances of 10..255");
			c->m.distance[nid][n++] = (unsigned char)d;
		}
		c->dist_given[nid] = true;
		c->dist_count[nid] = n;
		c->dist_line[nid] = c->line;
	} else {
		return unknown_key(c, key);
	}
	return 0;
}

static int key_workload(struct ctx *c, const char *key, char *val)
{
	struct mhp_workload_params p;
	size_t need;

	memset(&p, 0, sizeof(p));
	if (workload_key(&p, key, val))
		return bad_at(
			c, c->line, -EINVAL,
			"bad workload item '%s = %s': keys are fill, fill.N, fill.N.ZONE, "
			"unmovable_pct, pinned_pct, cache_pct (0..100), writers (0..64), seed",
			key, val);
	if (!c->workload_given) {
		c->m.workload[0] = '\0';
		c->workload_len = 0;
		c->workload_given = true;
	}
	need = strlen(key) + 1 + strlen(val) + 1;
	if (c->workload_len + need >= sizeof(c->m.workload))
		return bad_at(c, c->line, -E2BIG, "the workload is longer than %d bytes",
			      MHPFS_WORKLOAD_MAX - 1);
	c->workload_len +=
		(size_t)snprintf(c->m.workload + c->workload_len,
				 sizeof(c->m.workload) - c->workload_len, "%s=%s\n", key, val);
	return 0;
}

static int section(struct ctx *c, char *name)
{
	static const struct {
		const char *name;
		int sec;
	} fixed[] = {
		{ "machine", SEC_MACHINE },	  { "kernel", SEC_KERNEL },
		{ "memory_hotplug", SEC_MODULE }, { "notifier-error-inject", SEC_INJECT },
		{ "workload", SEC_WORKLOAD },
	};
	unsigned long long nid;

	name = trim(name);
	for (size_t i = 0; i < sizeof(fixed) / sizeof(fixed[0]); i++) {
		if (!strcmp(name, fixed[i].name)) {
			c->sec = fixed[i].sec;
			c->nid = -1;
			snprintf(c->secname, sizeof(c->secname), "%s", name);
			return 0;
		}
	}
	if (!strncmp(name, "node ", 5) && isdigit((unsigned char)name[5]) &&
	    !(name[5] == '0' && name[6]) && !parse_ul(name + 5, MHP_MAX_NUMNODES - 1, &nid)) {
		c->sec = SEC_NODE;
		c->nid = (int)nid;
		snprintf(c->secname, sizeof(c->secname), "node %d", c->nid);
		if (!c->any_node || nid > c->max_node)
			c->max_node = (unsigned int)nid;
		c->any_node = true;
		return 0;
	}
	return bad_at(c, c->line, -EINVAL,
		      "unknown section [%.40s]: expected [machine], [kernel], [memory_hotplug], "
		      "[notifier-error-inject], [node N] (N 0..63) or [workload]",
		      name);
}

static int line(struct ctx *c, char *s)
{
	char *eq, *key, *val;

	s = trim(s);
	if (!*s || *s == '#' || *s == ';')
		return 0;
	if (*s == '[') {
		size_t len = strlen(s);

		if (s[len - 1] != ']')
			return bad_at(c, c->line, -EINVAL, "a section header must end with ']'");
		s[len - 1] = '\0';
		return section(c, s + 1);
	}
	eq = strchr(s, '=');
	if (!eq)
		return bad_at(c, c->line, -EINVAL, "expected 'key = value' or '[section]'");
	*eq = '\0';
	key = trim(s);
	val = trim(eq + 1);
	if (!*key)
		return bad_at(c, c->line, -EINVAL, "missing key before '='");
	if (!*val)
		return bad_at(c, c->line, -EINVAL, "missing value for '%s'", key);
	switch (c->sec) {
	case SEC_MACHINE:
		return key_machine(c, key, val);
	case SEC_KERNEL:
		return key_kernel(c, key, val);
	case SEC_MODULE:
		return key_module(c, key, val);
	case SEC_INJECT:
		return key_inject(c, key, val);
	case SEC_NODE:
		return key_node(c, key, val);
	case SEC_WORKLOAD:
		return key_workload(c, key, val);
	default:
		return bad_at(c, c->line, -EINVAL, "key '%s' outside of any section", key);
	}
}

/* ---- checking the whole machine ------------------------------------------------------------ */

static int cmp_item(const void *a, const void *b)
{
	const struct item *x = a, *y = b;

	return x->start < y->start ? -1 : x->start > y->start;
}

static bool overlap(const struct item *a, const struct item *b)
{
	return a->start < b->end && b->start < a->end;
}

static void fmt_range(char *buf, size_t len, const struct item *it)
{
	snprintf(buf, len, "%#llx-%#llx", (unsigned long long)it->start,
		 (unsigned long long)it->end);
}

/* Ranges of one kind must not overlap; reported at the later line. */
static int no_overlaps(struct ctx *c, struct list *l, const char *what)
{
	qsort(l->v, l->n, sizeof(l->v[0]), cmp_item);
	for (size_t i = 1; i < l->n; i++) {
		if (overlap(&l->v[i - 1], &l->v[i])) {
			const struct item *a = &l->v[i - 1], *b = &l->v[i];
			char ra[64], rb[64];

			if (a->line > b->line) {
				const struct item *t = a;

				a = b;
				b = t;
			}
			fmt_range(ra, sizeof(ra), a);
			fmt_range(rb, sizeof(rb), b);
			return bad_at(c, b->line, -EINVAL, "%s range %s overlaps %s (line %u)",
				      what, rb, ra, a->line);
		}
	}
	return 0;
}

static int cross_overlaps(struct ctx *c, const struct list *a, const char *wa, const struct list *b,
			  const char *wb)
{
	for (size_t i = 0; i < a->n; i++)
		for (size_t j = 0; j < b->n; j++)
			if (overlap(&a->v[i], &b->v[j])) {
				char ra[64], rb[64];
				unsigned int ln =
					a->v[i].line > b->v[j].line ? a->v[i].line : b->v[j].line;

				fmt_range(ra, sizeof(ra), &a->v[i]);
				fmt_range(rb, sizeof(rb), &b->v[j]);
				return bad_at(c, ln, -EINVAL, "%s %s overlaps %s %s", wa, ra, wb,
					      rb);
			}
	return 0;
}

static int check_list(struct ctx *c, const struct list *l, const char *what, uint64_t align)
{
	uint64_t limit = 1ULL << c->m.cfg.phys_bits;

	for (size_t i = 0; i < l->n; i++) {
		const struct item *it = &l->v[i];
		char r[64];

		fmt_range(r, sizeof(r), it);
		if ((it->start | it->end) & (align - 1))
			return bad_at(c, it->line, -EINVAL, "%s range %s is not aligned to %#llx",
				      what, r, (unsigned long long)align);
		if (it->end > limit)
			return bad_at(c, it->line, -EINVAL,
				      "%s range %s ends beyond phys_bits=%u (%#llx)", what, r,
				      c->m.cfg.phys_bits, (unsigned long long)limit);
		if (it->nid != MHP_NUMA_NO_NODE && (unsigned int)it->nid >= c->m.cfg.nr_nodes)
			return bad_at(c, it->line, -EINVAL,
				      "%s range %s is on node %d, not below nodes=%u", what, r,
				      it->nid, c->m.cfg.nr_nodes);
	}
	return 0;
}

/* Take the holes out of the boot memory of their node. */
static int punch_holes(struct ctx *c)
{
	for (size_t h = 0; h < c->holes.n; h++) {
		const struct item *hole = &c->holes.v[h];
		bool done = false;

		for (size_t i = 0; i < c->mem.n && !done; i++) {
			struct item *it = &c->mem.v[i];

			if (it->nid != hole->nid || hole->start < it->start || hole->end > it->end)
				continue;
			done = true;
			if (hole->start == it->start && hole->end == it->end) {
				c->mem.v[i] = c->mem.v[--c->mem.n];
			} else if (hole->start == it->start) {
				it->start = hole->end;
			} else if (hole->end == it->end) {
				it->end = hole->start;
			} else {
				if (c->mem.n == MAX_ITEMS)
					return bad_at(c, hole->line, -E2BIG,
						      "too many memory ranges");
				c->mem.v[c->mem.n] = *it;
				c->mem.v[c->mem.n].start = hole->end;
				c->mem.n++;
				it->end = hole->start;
			}
		}
		if (!done) {
			char r[64];

			fmt_range(r, sizeof(r), hole);
			return bad_at(c, hole->line, -EINVAL,
				      "hole %s is not inside one memory range of node %d", r,
				      hole->nid);
		}
	}
	return 0;
}

/* DIMM slots are hot-pluggable: add an SRAT range for a slot that none covers. */
static int cover_dimms(struct ctx *c)
{
	for (size_t d = 0; d < c->dimms.n; d++) {
		const struct item *dimm = &c->dimms.v[d];
		bool covered = false;

		for (size_t i = 0; i < c->hot.n && !covered; i++) {
			const struct item *h = &c->hot.v[i];

			if (!overlap(h, dimm))
				continue;
			if (h->nid != dimm->nid || dimm->start < h->start || dimm->end > h->end) {
				char rd[64], rh[64];

				fmt_range(rd, sizeof(rd), dimm);
				fmt_range(rh, sizeof(rh), h);
				return bad_at(
					c, dimm->line, -EINVAL,
					"DIMM slot %zu (%s, node %d) is not inside the hotplug "
					"range %s of node %d that it overlaps",
					d, rd, dimm->nid, rh, h->nid);
			}
			covered = true;
		}
		if (!covered) {
			if (c->hot.n == MAX_ITEMS)
				return bad_at(c, dimm->line, -E2BIG, "too many hotplug ranges");
			c->hot.v[c->hot.n++] = *dimm;
		}
	}
	return 0;
}

/* Lists of the machine underneath, as items with no line, so that one check covers both. */
static void load_list(struct list *l, const struct mhp_mem_range *r, size_t n)
{
	l->n = 0;
	for (size_t i = 0; i < n && i < MAX_ITEMS; i++)
		l->v[l->n++] = (struct item){ r[i].start, r[i].end, r[i].nid, 0 };
}

static int store_list(struct ctx *c, const struct list *l, struct mhp_mem_range *dst, size_t *ret_n,
		      const char *what)
{
	if (l->n > MHPFS_MAX_RANGES)
		return bad_at(c, l->v[MHPFS_MAX_RANGES].line, -E2BIG,
			      "more than %d %s ranges (after punching holes)", MHPFS_MAX_RANGES,
			      what);
	for (size_t i = 0; i < l->n; i++)
		dst[i] = (struct mhp_mem_range){ l->v[i].start, l->v[i].end, l->v[i].nid };
	*ret_n = l->n;
	return 0;
}

static int finish(struct ctx *c)
{
	struct mhpfs_machine *m = &c->m;
	struct mhp_config *cfg = &m->cfg;
	int r;

	if (cfg->dma_end > cfg->dma32_end)
		return bad_at(c, 0, -EINVAL, "dma_end %#llx is above dma32_end %#llx",
			      (unsigned long long)cfg->dma_end, (unsigned long long)cfg->dma32_end);
	if (cfg->block_size > (1ULL << cfg->phys_bits))
		return bad_at(c, 0, -EINVAL,
			      "block_size is larger than the physical address space");
	if (c->any_node) {
		unsigned int nr_cpus = 0;

		if (!c->nodes_given)
			cfg->nr_nodes = c->max_node + 1;
		else if (c->max_node >= cfg->nr_nodes)
			return bad_at(c, c->nodes_line, -EINVAL,
				      "nodes=%u but the file describes [node %u]", cfg->nr_nodes,
				      c->max_node);

		/* cpus: each in one node, numbered without gaps */
		memset(m->cpu_node, 0, sizeof(m->cpu_node));
		for (unsigned int cpu = 0; cpu < MHPFS_MAX_CPUS; cpu++) {
			int owner = -1;

			for (unsigned int n = 0; n < MHP_MAX_NUMNODES; n++) {
				if (!(c->cpus[n][cpu / 64] & (1ULL << (cpu % 64))))
					continue;
				if (owner >= 0)
					return bad_at(c, c->cpus_line[n], -EINVAL,
						      "cpu %u is in node %d and node %u", cpu,
						      owner, n);
				owner = (int)n;
			}
			if (owner >= 0) {
				m->cpu_node[cpu] = owner;
				nr_cpus = cpu + 1;
			}
		}
		for (unsigned int cpu = 0; cpu < nr_cpus; cpu++) {
			bool found = false;

			for (unsigned int n = 0; n < MHP_MAX_NUMNODES && !found; n++)
				found = c->cpus[n][cpu / 64] & (1ULL << (cpu % 64));
			if (!found)
				return bad_at(
					c, 0, -EINVAL,
					"cpu %u is in no node (cpus are numbered 0..%u without gaps)",
					cpu, nr_cpus - 1);
		}
		if (!nr_cpus)
			return bad_at(c, 0, -EINVAL, "no node has cpus (give 'cpus = ...')");
		m->nr_cpus = nr_cpus;

		/* distances: the rows the file gives, 10 local and 21 remote elsewhere */
		for (unsigned int a = 0; a < MHP_MAX_NUMNODES; a++) {
			if (c->dist_given[a]) {
				if (a >= cfg->nr_nodes)
					continue;
				if (c->dist_count[a] != cfg->nr_nodes)
					return bad_at(
						c, c->dist_line[a], -EINVAL,
						"distance has %u values, expected one per node (%u)",
						c->dist_count[a], cfg->nr_nodes);
				for (unsigned int b = 0; b < cfg->nr_nodes; b++)
					if ((a == b) != (m->distance[a][b] == 10))
						return bad_at(
							c, c->dist_line[a], -EINVAL,
							"distance to node %u is %u: 10 is the local "
							"distance and only the local one",
							b, m->distance[a][b]);
				continue;
			}
			for (unsigned int b = 0; b < MHP_MAX_NUMNODES; b++)
				m->distance[a][b] = a == b ? 10 : 21;
		}
		r = punch_holes(c);
		if (r)
			return r;
	} else {
		/* no node sections: the underlying nodes stay; check them against the file */
		if (cfg->nr_boot > MAX_ITEMS || cfg->nr_numa > MAX_ITEMS)
			return bad_at(c, 0, -E2BIG, "the machine has too many ranges to change");
		load_list(&c->mem, cfg->boot ? cfg->boot : m->boot, cfg->nr_boot);
		load_list(&c->hot, cfg->numa ? cfg->numa : m->numa, cfg->nr_numa);
		for (unsigned int i = 0; i < m->nr_cpus; i++)
			if ((unsigned int)m->cpu_node[i] >= cfg->nr_nodes)
				return bad_at(c, c->nodes_line, -EINVAL,
					      "cpu %u is on node %d, not below nodes=%u", i,
					      m->cpu_node[i], cfg->nr_nodes);
		c->dimms.n = 0;
		for (unsigned int i = 0; i < m->nr_dimms; i++)
			c->dimms.v[c->dimms.n++] =
				(struct item){ m->dimm[i].start, m->dimm[i].start + m->dimm[i].size,
					       m->dimm[i].nid, 0 };
	}
	if (!c->reserved_given) {
		if (cfg->nr_reserved > MAX_ITEMS)
			return bad_at(c, 0, -E2BIG, "the machine has too many ranges to change");
		load_list(&c->reserved, cfg->reserved ? cfg->reserved : m->reserved,
			  cfg->nr_reserved);
	}

	r = check_list(c, &c->mem, "memory", MHP_PAGE_SIZE);
	if (!r)
		r = check_list(c, &c->hot, "hotplug", MHP_PAGE_SIZE);
	if (!r)
		r = check_list(c, &c->reserved, "reserved", MHP_PAGE_SIZE);
	if (!r)
		r = check_list(c, &c->dimms, "dimm", cfg->block_size);
	if (!r)
		r = no_overlaps(c, &c->mem, "memory");
	if (!r)
		r = no_overlaps(c, &c->reserved, "reserved");
	if (!r)
		r = no_overlaps(c, &c->hot, "hotplug");
	if (!r)
		r = cross_overlaps(c, &c->mem, "memory", &c->reserved, "reserved range");
	if (!r) {
		/* slots stay in file order: their index is their number */
		struct list sorted = c->dimms;

		r = no_overlaps(c, &sorted, "dimm");
	}
	if (!r)
		r = cross_overlaps(c, &c->dimms, "DIMM slot", &c->mem, "memory");
	if (!r)
		r = cross_overlaps(c, &c->dimms, "DIMM slot", &c->reserved, "reserved range");
	if (!r)
		r = cover_dimms(c);
	if (!r)
		r = no_overlaps(c, &c->hot, "hotplug");
	if (r)
		return r;
	if (!c->mem.n)
		return bad_at(c, 0, -EINVAL, "the machine has no boot memory");

	r = store_list(c, &c->mem, m->boot, &cfg->nr_boot, "memory");
	if (!r)
		r = store_list(c, &c->hot, m->numa, &cfg->nr_numa, "hotplug");
	if (!r)
		r = store_list(c, &c->reserved, m->reserved, &cfg->nr_reserved, "reserved");
	if (r)
		return r;
	m->nr_dimms = (unsigned int)c->dimms.n;
	for (size_t i = 0; i < c->dimms.n; i++)
		m->dimm[i] = (struct mhpfs_dimm){ c->dimms.v[i].start,
						  c->dimms.v[i].end - c->dimms.v[i].start,
						  c->dimms.v[i].nid };
	cfg->cpu_nodes = 0;
	for (unsigned int i = 0; i < m->nr_cpus; i++)
		cfg->cpu_nodes |= 1ULL << m->cpu_node[i];
	return 0;
}

/* ---- reading ------------------------------------------------------------------------------ */

static int read_lines(struct ctx *c, FILE *f)
{
	char buf[MHPFS_CONFIG_LINE_MAX + 2];
	size_t len = 0;
	int ch, r;

	c->line = 1;
	for (;;) {
		ch = getc(f);
		if (ch == EOF || ch == '\n') {
			buf[len] = '\0';
			r = line(c, buf);
			if (r)
				return r;
			if (ch == EOF)
				break;
			len = 0;
			c->line++;
			continue;
		}
		if (ch == '\0')
			return bad_at(c, c->line, -EINVAL, "NUL byte in the line");
		if (len == MHPFS_CONFIG_LINE_MAX)
			return bad_at(c, c->line, -E2BIG, "line longer than %d bytes",
				      MHPFS_CONFIG_LINE_MAX);
		buf[len++] = (char)ch;
	}
	if (ferror(f))
		return bad_at(c, c->line, -EIO, "read error");
	return 0;
}

int mhpfs_machine_load_file(const char *path, struct mhpfs_machine *m, char *err, size_t errlen)
{
	struct ctx *c;
	struct stat st;
	FILE *f;
	int fd, r;

	c = calloc(1, sizeof(*c));
	if (!c) {
		snprintf(err, errlen, "%s: out of memory", path);
		return -ENOMEM;
	}
	c->path = path;
	c->err = err;
	c->errlen = errlen;
	c->m = *m;
	c->nid = -1;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		r = -errno;
		snprintf(err, errlen, "%s: %s", path, strerror(-r));
		free(c);
		return r;
	}
	if (fstat(fd, &st) == 0 && !S_ISREG(st.st_mode)) {
		snprintf(err, errlen, "%s: not a regular file", path);
		close(fd);
		free(c);
		return -EINVAL;
	}
	f = fdopen(fd, "r");
	if (!f) {
		r = -errno;
		close(fd);
		snprintf(err, errlen, "%s: %s", path, strerror(-r));
		free(c);
		return r;
	}
	r = read_lines(c, f);
	fclose(f);
	if (!r)
		r = finish(c);
	if (!r) {
		*m = c->m;
		m->cfg.boot = m->boot;
		m->cfg.numa = m->numa;
		m->cfg.reserved = m->reserved;
	}
	free(c);
	return r;
}
