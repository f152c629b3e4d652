// SPDX-License-Identifier: MIT
/*
 * fusefs/options.c - the command line: the machine's shape, its boot parameters and the daemon's
 * switches, parsed with fuse_opt so that "--name=value" and "-o name=value" both work.  Values
 * that contain commas (range lists) need the "--name=value" form, since -o splits at commas.
 *
 * The default machine is a two-node x86-64 box:
 *   128 MiB blocks, 46 physical address bits, DMA below 16 MiB, DMA32 below 4 GiB;
 *   node 0: boot memory [0, 3G) and [4G, 8G), the PCI hole [3G, 4G) is reserved (busy iomem);
 *   node 1: boot memory [8G, 12G);
 *   hot-pluggable (SRAT): [12G, 20G) on node 0, [20G, 28G) on node 1;
 *   cpus 0-1 on node 0, cpus 2-3 on node 1; distances 10 local, 21 remote;
 *   auto_online_blocks offline, contig-zones, ratio 301, NUMA aware, memmap_on_memory N;
 *   probe present, error injector loaded (priority 0).
 */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "memhotplugfs.h"
#include "pools.h"
#include "seed.h"

#define GiB (1ULL << 30)

struct cli {
	char *layout;
	char *block_size;
	char *nodes;
	char *boot;
	char *hotplug;
	char *reserved;
	char *cpus;
	char *phys_bits;
	char *kernelcore;
	char *movablecore;
	char *auto_online;
	char *online_policy;
	char *ratio;
	char *numa_aware;
	char *memmap;
	char *inject_priority;
	char *config;
	char *seed;
	char *workload;
	int no_memory_failure;
	int movable_node;
	int no_probe;
	int probe;
	int no_inject;
	int action; /* KEY_* + 1 from cli_proc */
};

enum {
	KEY_HELP,
	KEY_VERSION,
};

#define OPT2(name, field)                                    \
	{ "--" name "=%s", offsetof(struct cli, field), 0 }, \
	{                                                    \
		name "=%s", offsetof(struct cli, field), 0   \
	}
#define FLAG2(name, field)                             \
	{ "--" name, offsetof(struct cli, field), 1 }, \
	{                                              \
		name, offsetof(struct cli, field), 1   \
	}

static const struct fuse_opt cli_spec[] = {
	OPT2("layout", layout),
	OPT2("block-size", block_size),
	OPT2("block_size", block_size),
	OPT2("nodes", nodes),
	OPT2("boot", boot),
	OPT2("hotplug", hotplug),
	OPT2("reserved", reserved),
	OPT2("cpus", cpus),
	OPT2("phys-bits", phys_bits),
	OPT2("phys_bits", phys_bits),
	OPT2("kernelcore", kernelcore),
	OPT2("movablecore", movablecore),
	OPT2("auto-online", auto_online),
	OPT2("auto_online_blocks", auto_online),
	OPT2("memhp_default_state", auto_online),
	OPT2("online-policy", online_policy),
	OPT2("online_policy", online_policy),
	OPT2("auto-movable-ratio", ratio),
	OPT2("auto_movable_ratio", ratio),
	OPT2("auto-movable-numa-aware", numa_aware),
	OPT2("auto_movable_numa_aware", numa_aware),
	OPT2("memmap-on-memory", memmap),
	OPT2("memmap_on_memory", memmap),
	OPT2("inject-priority", inject_priority),
	OPT2("inject_priority", inject_priority),
	OPT2("config", config),
	OPT2("seed", seed),
	OPT2("workload", workload),
	FLAG2("no-memory-failure", no_memory_failure),
	FLAG2("no_memory_failure", no_memory_failure),
	FLAG2("movable-node", movable_node),
	FLAG2("movable_node", movable_node),
	FLAG2("no-probe", no_probe),
	FLAG2("noprobe", no_probe),
	FLAG2("probe", probe),
	FLAG2("no-inject", no_inject),
	FLAG2("noinject", no_inject),
	FUSE_OPT_KEY("-h", KEY_HELP),
	FUSE_OPT_KEY("--help", KEY_HELP),
	FUSE_OPT_KEY("-V", KEY_VERSION),
	FUSE_OPT_KEY("--version", KEY_VERSION),
	FUSE_OPT_END,
};

void mhpfs_usage(const char *prog)
{
	printf("usage: %s [options] MOUNTPOINT\n"
	       "\n"
	       "Emulates the Linux memory hotplug sysfs over a real hotplug engine.\n"
	       "\n"
	       "Layout:\n"
	       "    --layout=memory        the mount is /sys/devices/system/memory (default)\n"
	       "    --layout=sysfs         the mount is a mini /sys (devices, bus, module, kernel)\n"
	       "\n"
	       "Machine (sizes take K/M/G/T suffixes; lists need the --name=value form):\n"
	       "    --config=FILE          a machine file (fusefs/machines/*.conf); the options\n"
	       "                           below override what it says\n"
	       "    --seed=SYSROOT         copy the machine a system root shows (as lsmem\n"
	       "                           --sysroot reads it; --seed=/ for this host); read only\n"
	       "    --block-size=SIZE      memory block size (default 128M)\n"
	       "    --nodes=N              possible NUMA nodes (default 2)\n"
	       "    --boot=S-E@N,...       boot memory ranges (default 0-3G@0,4G-8G@0,8G-12G@1)\n"
	       "    --hotplug=S-E@N,...    hot-pluggable ranges (default 12G-20G@0,20G-28G@1)\n"
	       "    --reserved=S-E,...     busy iomem (default 3G-4G, the PCI hole)\n"
	       "    --cpus=C0,C1,...       cpus per node, numbered in order (default 2,2)\n"
	       "    --phys-bits=N          physical address bits (default 46)\n"
	       "    --kernelcore=SIZE|P%%   kernelcore= boot parameter\n"
	       "    --movablecore=SIZE|P%%  movablecore= boot parameter\n"
	       "    --movable-node         movable_node boot flag\n"
	       "\n"
	       "Parameters:\n"
	       "    --auto-online=TYPE     auto_online_blocks: offline|online|online_kernel|online_movable\n"
	       "    --online-policy=P      contig-zones|auto-movable\n"
	       "    --auto-movable-ratio=N percent (default 301)\n"
	       "    --auto-movable-numa-aware=Y|N\n"
	       "    --memmap-on-memory=Y|N|force\n"
	       "    --no-probe             no memory/probe file\n"
	       "    --no-inject            no notifier-error-inject in kernel/debug\n"
	       "    --inject-priority=N    the injector's notifier priority (default 0)\n"
	       "    --no-memory-failure    no soft_offline_page, hard_offline_page\n"
	       "    --workload=K=V,...     page-pool workload: fill, fill.N, fill.N.ZONE,\n"
	       "                           unmovable_pct, pinned_pct, cache_pct, writers, seed\n"
	       "\n"
	       "Every option also works as -o name=value (use '_' or '-').\n"
	       "\n",
	       prog);
}

static int cli_proc(void *data, const char *arg, int key, struct fuse_args *outargs)
{
	struct cli *c = data;

	switch (key) {
	case KEY_HELP:
	case KEY_VERSION:
		c->action = key + 1;
		return 0;
	default:
		return 1; /* keep for FUSE */
	}
}

static int parse_uint(const char *s, unsigned long max, unsigned long *ret)
{
	unsigned long long v;

	if (mhp_kstrtoull(s, 0, &v) || v > max)
		return -EINVAL;
	*ret = v;
	return 0;
}

/* "S-E@N,S-E@N" (with_nid) or "S-E,S-E". */
static int parse_ranges(const char *s, bool with_nid, struct mhp_mem_range *r, size_t *ret_n)
{
	char *copy = strdup(s), *save = NULL;
	size_t n = 0;
	int err = 0;

	if (!copy)
		return -ENOMEM;
	for (char *tok = strtok_r(copy, ",", &save); tok && !err;
	     tok = strtok_r(NULL, ",", &save)) {
		char *at = strchr(tok, '@'), *dash;
		unsigned long nid = 0;

		if (n == MHPFS_MAX_RANGES || (with_nid != !!at)) {
			err = -EINVAL;
			break;
		}
		if (at) {
			*at = '\0';
			if (parse_uint(at + 1, MHP_MAX_NUMNODES - 1, &nid)) {
				err = -EINVAL;
				break;
			}
		}
		dash = strchr(tok, '-');
		if (!dash) {
			err = -EINVAL;
			break;
		}
		*dash = '\0';
		if (mhpfs_parse_size(tok, &r[n].start) || mhpfs_parse_size(dash + 1, &r[n].end) ||
		    r[n].start >= r[n].end) {
			err = -EINVAL;
			break;
		}
		r[n].nid = with_nid ? (int)nid : MHP_NUMA_NO_NODE;
		n++;
	}
	free(copy);
	if (err)
		return err;
	*ret_n = n;
	return 0;
}

static int parse_size_or_percent(const char *s, struct mhp_size_or_percent *ret)
{
	size_t len = strlen(s);

	memset(ret, 0, sizeof(*ret));
	if (len && s[len - 1] == '%') {
		char tmp[32];
		unsigned long p;

		if (len >= sizeof(tmp))
			return -EINVAL;
		memcpy(tmp, s, len - 1);
		tmp[len - 1] = '\0';
		if (parse_uint(tmp, 100, &p) || !p)
			return -EINVAL;
		ret->percent = (unsigned int)p;
		return 0;
	}
	return mhpfs_parse_size(s, &ret->bytes);
}

static void default_machine(struct mhpfs_machine *m)
{
	struct mhp_config *cfg = &m->cfg;

	memset(m, 0, sizeof(*m));
	mhp_config_init(cfg);
	cfg->block_size = 128ULL << 20;
	cfg->nr_nodes = 2;
	m->boot[0] = (struct mhp_mem_range){ 0, 3 * GiB, 0 };
	m->boot[1] = (struct mhp_mem_range){ 4 * GiB, 8 * GiB, 0 };
	m->boot[2] = (struct mhp_mem_range){ 8 * GiB, 12 * GiB, 1 };
	cfg->nr_boot = 3;
	m->numa[0] = (struct mhp_mem_range){ 12 * GiB, 20 * GiB, 0 };
	m->numa[1] = (struct mhp_mem_range){ 20 * GiB, 28 * GiB, 1 };
	cfg->nr_numa = 2;
	m->reserved[0] = (struct mhp_mem_range){ 3 * GiB, 4 * GiB, MHP_NUMA_NO_NODE };
	cfg->nr_reserved = 1;
	m->nr_cpus = 4;
	m->cpu_node[0] = m->cpu_node[1] = 0;
	m->cpu_node[2] = m->cpu_node[3] = 1;
	m->layout = MHPFS_LAYOUT_MEMORY;
	m->probe = true;
	m->inject = true;
	m->inject_priority = 0;
	/* distances: the SLIT of a plain multi-socket box */
	for (unsigned int a = 0; a < MHP_MAX_NUMNODES; a++)
		for (unsigned int b = 0; b < MHP_MAX_NUMNODES; b++)
			m->distance[a][b] = a == b ? 10 : 21;
	cfg->boot = m->boot;
	cfg->numa = m->numa;
	cfg->reserved = m->reserved;
}

static int fail(const char *opt, const char *val, const char *why)
{
	fprintf(stderr, "memhotplugfs: invalid %s '%s': %s\n", opt, val, why);
	return -EINVAL;
}

static int apply(struct cli *c, struct mhpfs_machine *m)
{
	struct mhp_config *cfg = &m->cfg;
	unsigned long v;
	uint64_t sz;

	if (c->layout) {
		if (!strcmp(c->layout, "memory"))
			m->layout = MHPFS_LAYOUT_MEMORY;
		else if (!strcmp(c->layout, "sysfs"))
			m->layout = MHPFS_LAYOUT_SYSFS;
		else
			return fail("--layout", c->layout, "expected memory or sysfs");
	}
	if (c->block_size) {
		if (mhpfs_parse_size(c->block_size, &sz) || sz < MHP_MIN_BLOCK_SIZE ||
		    (sz & (sz - 1)))
			return fail("--block-size", c->block_size,
				    "expected a power of two of at least 32K");
		cfg->block_size = sz;
	}
	if (c->nodes) {
		if (parse_uint(c->nodes, MHP_MAX_NUMNODES, &v) || !v)
			return fail("--nodes", c->nodes, "expected 1..64");
		cfg->nr_nodes = (unsigned int)v;
	}
	if (c->boot && parse_ranges(c->boot, true, m->boot, &cfg->nr_boot))
		return fail("--boot", c->boot, "expected START-END@NODE[,...]");
	if (c->hotplug && parse_ranges(c->hotplug, true, m->numa, &cfg->nr_numa))
		return fail("--hotplug", c->hotplug, "expected START-END@NODE[,...]");
	if (c->reserved && parse_ranges(c->reserved, false, m->reserved, &cfg->nr_reserved))
		return fail("--reserved", c->reserved, "expected START-END[,...]");
	for (size_t i = 0; i < cfg->nr_boot; i++)
		if ((unsigned int)cfg->boot[i].nid >= cfg->nr_nodes)
			return fail("--boot", c->boot ? c->boot : "(default)",
				    "node not below --nodes");
	for (size_t i = 0; i < cfg->nr_numa; i++)
		if ((unsigned int)cfg->numa[i].nid >= cfg->nr_nodes)
			return fail("--hotplug", c->hotplug ? c->hotplug : "(default)",
				    "node not below --nodes");
	if (c->cpus) {
		char *copy = strdup(c->cpus), *save = NULL;
		unsigned int node = 0, cpu = 0;
		int err = copy ? 0 : -ENOMEM;

		for (char *tok = copy ? strtok_r(copy, ",", &save) : NULL; tok && !err;
		     tok = strtok_r(NULL, ",", &save), node++) {
			if (node >= cfg->nr_nodes || parse_uint(tok, MHPFS_MAX_CPUS, &v) ||
			    cpu + v > MHPFS_MAX_CPUS) {
				err = -EINVAL;
				break;
			}
			for (unsigned long i = 0; i < v; i++)
				m->cpu_node[cpu++] = (int)node;
		}
		free(copy);
		if (err)
			return fail(
				"--cpus", c->cpus,
				"expected a cpu count per node, e.g. 2,2 (at most --nodes entries)");
		m->nr_cpus = cpu;
	}
	for (unsigned int i = 0; i < m->nr_cpus; i++)
		if ((unsigned int)m->cpu_node[i] >= cfg->nr_nodes)
			return fail("--cpus", c->cpus ? c->cpus : "(default)",
				    "a node with cpus is not below --nodes");
	if (c->phys_bits) {
		if (parse_uint(c->phys_bits, 64, &v) || v < 32)
			return fail("--phys-bits", c->phys_bits, "expected 32..64");
		cfg->phys_bits = (unsigned int)v;
	}
	if (c->kernelcore && parse_size_or_percent(c->kernelcore, &cfg->kernelcore))
		return fail("--kernelcore", c->kernelcore, "expected a size or a percentage");
	if (c->movablecore && parse_size_or_percent(c->movablecore, &cfg->movablecore))
		return fail("--movablecore", c->movablecore, "expected a size or a percentage");
	if (c->movable_node)
		cfg->movable_node = true;
	if (c->auto_online) {
		int t = mhp_online_type_from_str(c->auto_online);

		if (t < 0)
			return fail("--auto-online", c->auto_online,
				    "expected offline, online, online_kernel or online_movable");
		cfg->auto_online = t;
	}
	if (c->online_policy) {
		if (!strcmp(c->online_policy, "contig-zones"))
			cfg->online_policy = MHP_POLICY_CONTIG_ZONES;
		else if (!strcmp(c->online_policy, "auto-movable"))
			cfg->online_policy = MHP_POLICY_AUTO_MOVABLE;
		else
			return fail("--online-policy", c->online_policy,
				    "expected contig-zones or auto-movable");
	}
	if (c->ratio) {
		unsigned int r;

		if (mhp_kstrtouint(c->ratio, 0, &r))
			return fail("--auto-movable-ratio", c->ratio,
				    "expected an unsigned number");
		cfg->auto_movable_ratio = r;
	}
	if (c->numa_aware) {
		bool b;

		if (mhp_kstrtobool(c->numa_aware, &b))
			return fail("--auto-movable-numa-aware", c->numa_aware, "expected Y or N");
		cfg->auto_movable_numa_aware = b;
	}
	if (c->memmap) {
		bool b;

		if (!strcmp(c->memmap, "force") || !strcmp(c->memmap, "FORCE"))
			cfg->memmap_on_memory = MHP_MEMMAP_FORCE;
		else if (!mhp_kstrtobool(c->memmap, &b))
			cfg->memmap_on_memory = b ? MHP_MEMMAP_ON : MHP_MEMMAP_OFF;
		else
			return fail("--memmap-on-memory", c->memmap, "expected Y, N or force");
	}
	if (c->no_probe)
		m->probe = false;
	if (c->probe)
		m->probe = true;
	if (c->no_inject)
		m->inject = false;
	if (c->no_memory_failure)
		m->no_memory_failure = true;
	/* after a machine file's [workload]: later keys win */
	if (c->workload &&
	    mhpfs_workload_text_append(m->workload, sizeof(m->workload), c->workload))
		return fail("--workload", c->workload,
			    "expected KEY=VALUE,... with keys fill, fill.N, fill.N.ZONE, "
			    "unmovable_pct, pinned_pct, cache_pct (0..100), writers (0..64), seed");
	if (c->inject_priority) {
		long long p;

		if (mhp_kstrtoll(c->inject_priority, 0, &p) || p < -2147483648LL ||
		    p > 2147483647LL)
			return fail("--inject-priority", c->inject_priority, "expected an int");
		m->inject_priority = (int)p;
	}

	cfg->cpu_nodes = 0;
	for (unsigned int i = 0; i < m->nr_cpus; i++)
		cfg->cpu_nodes |= 1ULL << m->cpu_node[i];
	/* a seeded machine's boot ranges live in the seed (there may be more than fit in @m) */
	if (!m->seed)
		cfg->boot = m->boot;
	cfg->numa = m->numa;
	cfg->reserved = m->reserved;
	return 0;
}

/*
 * The machine underneath the options: a machine file, or a copy of a system root.  The other
 * options then change it, so --config=FILE --nodes=4 means the file with four nodes.  A seeded
 * machine keeps its shape (the seed's actions need exactly its blocks); only its parameters and
 * the daemon's switches can be changed.
 */
static int load_machine(struct cli *c, struct mhpfs_machine *m)
{
	const char *shape[] = { c->block_size, c->nodes,      c->boot,
				c->hotplug,    c->reserved,   c->cpus,
				c->phys_bits,  c->kernelcore, c->movablecore };
	char err[512];
	int r;

	if (c->config && c->seed)
		return fail("--seed", c->seed, "cannot be combined with --config");
	if (c->config) {
		r = mhpfs_machine_load_file(c->config, m, err, sizeof(err));
		if (r) {
			fprintf(stderr, "memhotplugfs: invalid --config: %s\n", err);
			return r;
		}
	}
	if (c->seed) {
		for (size_t i = 0; i < sizeof(shape) / sizeof(shape[0]); i++)
			if (shape[i])
				return fail(
					"--seed", c->seed,
					"the machine's shape comes from the seed: drop --block-size, "
					"--nodes, --boot, --hotplug, --reserved, --cpus, --phys-bits, "
					"--kernelcore and --movablecore");
		r = mhpfs_seed_load(c->seed, m, &m->seed, err, sizeof(err));
		if (r) {
			fprintf(stderr, "memhotplugfs: invalid --seed: %s\n", err);
			return r;
		}
	}
	return 0;
}

static void cli_free(struct cli *c)
{
	char **strs[] = { &c->layout,	  &c->block_size,  &c->nodes,	    &c->boot,
			  &c->hotplug,	  &c->reserved,	   &c->cpus,	    &c->phys_bits,
			  &c->kernelcore, &c->movablecore, &c->auto_online, &c->online_policy,
			  &c->ratio,	  &c->numa_aware,  &c->memmap,	    &c->inject_priority,
			  &c->config,	  &c->seed,	   &c->workload };

	for (size_t i = 0; i < sizeof(strs) / sizeof(strs[0]); i++) {
		free(*strs[i]);
		*strs[i] = NULL;
	}
}

int mhpfs_parse_options(struct fuse_args *args, struct mhpfs_machine *m, int *ret_exit)
{
	struct cli c;
	int r;

	memset(&c, 0, sizeof(c));
	default_machine(m);
	if (fuse_opt_parse(args, &c, cli_spec, cli_proc) == -1) {
		cli_free(&c);
		*ret_exit = 1;
		return -EINVAL;
	}
	if (c.action == KEY_HELP + 1) {
		mhpfs_usage(args->argv[0]);
		mhpfs_event_opts_usage();
		printf("FUSE options:\n");
		fuse_cmdline_help();
		fuse_lowlevel_help();
		cli_free(&c);
		*ret_exit = 0;
		return 1;
	}
	if (c.action == KEY_VERSION + 1) {
		printf("memhotplugfs version %s\n", MHPFS_VERSION);
		fuse_lowlevel_version();
		cli_free(&c);
		*ret_exit = 0;
		return 1;
	}
	r = load_machine(&c, m);
	if (!r)
		r = apply(&c, m);
	cli_free(&c);
	if (r) {
		mhpfs_seed_free(m->seed);
		m->seed = NULL;
		*ret_exit = 1;
		return r;
	}
	return 0;
}
