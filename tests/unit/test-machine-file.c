// SPDX-License-Identifier: MIT
/*
 * test-machine-file.c - machine configuration files (fusefs/machine-file.c): the format, how a
 * file applies on top of a machine, every error naming the file, the line and the problem, and
 * the ready machines of fusefs/machines/ booting into the blocks and zones the kernel would give.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <check.h>

#include "machine-file.h"
#include "memhotplugfs.h"

#define GiB (1ULL << 30)
#define MiB (1ULL << 20)

#ifndef MHPFS_MACHINES_DIR
#error "MHPFS_MACHINES_DIR must name fusefs/machines"
#endif

/* The machine underneath every file: one node, [4G, 8G) boot, 2 cpus, a reserved PCI hole. */
static void base_machine(struct mhpfs_machine *m)
{
	memset(m, 0, sizeof(*m));
	mhp_config_init(&m->cfg);
	m->cfg.nr_nodes = 1;
	m->boot[0] = (struct mhp_mem_range){ 4 * GiB, 8 * GiB, 0 };
	m->cfg.nr_boot = 1;
	m->reserved[0] = (struct mhp_mem_range){ 3 * GiB, 4 * GiB, MHP_NUMA_NO_NODE };
	m->cfg.nr_reserved = 1;
	m->nr_cpus = 2;
	m->probe = true;
	m->inject = true;
	for (int a = 0; a < MHP_MAX_NUMNODES; a++)
		for (int b = 0; b < MHP_MAX_NUMNODES; b++)
			m->distance[a][b] = a == b ? 10 : 21;
	m->cfg.cpu_nodes = 1;
	m->cfg.boot = m->boot;
	m->cfg.reserved = m->reserved;
	m->cfg.numa = m->numa;
}

static char path[64];

static const char *write_file(const char *text)
{
	FILE *f;
	int fd;

	snprintf(path, sizeof(path), "/tmp/mhpfs-cfg.XXXXXX");
	fd = mkstemp(path);
	ck_assert_int_ge(fd, 0);
	f = fdopen(fd, "w");
	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq(fputs(text, f) >= 0, 1);
	ck_assert_int_eq(fclose(f), 0);
	return path;
}

/* Load @text on top of the base machine; returns the result, @m and @err filled. */
static int load(const char *text, struct mhpfs_machine *m, char *err, size_t errlen)
{
	int r;

	base_machine(m);
	err[0] = '\0';
	r = mhpfs_machine_load_file(write_file(text), m, err, errlen);
	unlink(path);
	return r;
}

static unsigned long count_blocks(struct mhp_engine *e)
{
	unsigned long n = 0;

	for (unsigned long id = 0; mhp_block_next_id(e, id, &id) == 0; id++)
		n++;
	return n;
}

static const char *vz(struct mhp_engine *e, unsigned long id, char *buf)
{
	struct mhp_block *b = mhp_block_get(e, id);

	ck_assert_msg(b != NULL, "memory%lu does not exist", id);
	ck_assert_int_gt(mhp_block_valid_zones(e, b, buf, 32), 0);
	mhp_block_put(b);
	return buf;
}

static int block_nid(struct mhp_engine *e, unsigned long id)
{
	struct mhp_block *b = mhp_block_get(e, id);
	int nid;

	ck_assert_msg(b != NULL, "memory%lu does not exist", id);
	nid = mhp_block_nid(b);
	mhp_block_put(b);
	return nid;
}

static int block_state(struct mhp_engine *e, unsigned long id)
{
	struct mhp_block *b = mhp_block_get(e, id);
	int st;

	ck_assert_msg(b != NULL, "memory%lu does not exist", id);
	st = mhp_block_state(b);
	mhp_block_put(b);
	return st;
}

static int store_state(struct mhp_engine *e, unsigned long id, int type)
{
	struct mhp_block *b = mhp_block_get(e, id);
	int r;

	ck_assert_msg(b != NULL, "memory%lu does not exist", id);
	r = mhp_block_store_state(e, b, type, NULL);
	mhp_block_put(b);
	return r;
}

/* ---- values -------------------------------------------------------------------------------- */

START_TEST(test_full_file)
{
	struct mhpfs_machine m;
	char err[512];
	int r = load("# a comment\n"
		     "; another\n"
		     "\n"
		     "[machine]\n"
		     "  block_size =  256M  \n"
		     "phys_bits=44\n"
		     "dma_end = 16M\n"
		     "dma32_end = 0x100000000\n"
		     "reserved = 3G-4G, 0xfe000000000+1G\n"
		     "probe = no\n"
		     "[kernel]\n"
		     "kernelcore = 25%\n"
		     "movablecore = 2G\n"
		     "movable_node = yes\n"
		     "memhp_default_state = online_movable\n"
		     "[memory_hotplug]\n"
		     "online_policy = auto-movable\n"
		     "auto_movable_ratio = 0x100\n"
		     "auto_movable_numa_aware = N\n"
		     "memmap_on_memory = force\n"
		     "[notifier-error-inject]\n"
		     "loaded = no\n"
		     "priority = -5\n"
		     "[node 1]\n"
		     "cpus = 2-3,5\n"
		     "distance = 20 10\n"
		     "memory = 8G+4G\n"
		     "hotplug = 32G-48G\n"
		     "dimm = 32G+1G\n"
		     "[node 0]\n"
		     "cpus = 0-1,4\n"
		     "memory = 0-3G\n"
		     "memory = 4G-8G\n"
		     "hole = 640K-1M\n"
		     "dimm = 16G+512M\n"
		     "[workload]\n"
		     "fill = 30\n"
		     "fill.1.Movable = 80\n",
		     &m, err, sizeof(err));

	ck_assert_msg(r == 0, "%d: %s", r, err);
	ck_assert_uint_eq(m.cfg.block_size, 256 * MiB);
	ck_assert_uint_eq(m.cfg.phys_bits, 44);
	ck_assert_uint_eq(m.cfg.nr_nodes, 2);
	ck_assert_uint_eq(m.cfg.dma_end, 16 * MiB);
	ck_assert_uint_eq(m.cfg.dma32_end, 4 * GiB);
	ck_assert(!m.probe);
	ck_assert(!m.inject);
	ck_assert_int_eq(m.inject_priority, -5);
	ck_assert_uint_eq(m.cfg.kernelcore.percent, 25);
	ck_assert_uint_eq(m.cfg.kernelcore.bytes, 0);
	ck_assert_uint_eq(m.cfg.movablecore.bytes, 2 * GiB);
	ck_assert(m.cfg.movable_node);
	ck_assert_int_eq(m.cfg.auto_online, MHP_MMOP_ONLINE_MOVABLE);
	ck_assert_int_eq(m.cfg.online_policy, MHP_POLICY_AUTO_MOVABLE);
	ck_assert_uint_eq(m.cfg.auto_movable_ratio, 256);
	ck_assert(!m.cfg.auto_movable_numa_aware);
	ck_assert_int_eq(m.cfg.memmap_on_memory, MHP_MEMMAP_FORCE);

	/* boot memory sorted, the hole punched out of node 0's first range */
	ck_assert_uint_eq(m.cfg.nr_boot, 4);
	ck_assert_ptr_eq(m.cfg.boot, m.boot);
	ck_assert_uint_eq(m.boot[0].start, 0);
	ck_assert_uint_eq(m.boot[0].end, 640 * 1024);
	ck_assert_uint_eq(m.boot[1].start, 1 * MiB);
	ck_assert_uint_eq(m.boot[1].end, 3 * GiB);
	ck_assert_uint_eq(m.boot[2].start, 4 * GiB);
	ck_assert_uint_eq(m.boot[2].end, 8 * GiB);
	ck_assert_int_eq(m.boot[2].nid, 0);
	ck_assert_uint_eq(m.boot[3].start, 8 * GiB);
	ck_assert_uint_eq(m.boot[3].end, 12 * GiB);
	ck_assert_int_eq(m.boot[3].nid, 1);

	ck_assert_uint_eq(m.cfg.nr_reserved, 2);
	ck_assert_uint_eq(m.reserved[1].start, 0xfe000000000ULL);
	ck_assert_uint_eq(m.reserved[1].end, 0xfe000000000ULL + GiB);

	/* slots in file order; node 0's slot had no hotplug range, so it got one */
	ck_assert_uint_eq(m.nr_dimms, 2);
	ck_assert_uint_eq(m.dimm[0].start, 32 * GiB);
	ck_assert_uint_eq(m.dimm[0].size, GiB);
	ck_assert_int_eq(m.dimm[0].nid, 1);
	ck_assert_uint_eq(m.dimm[1].start, 16 * GiB);
	ck_assert_uint_eq(m.dimm[1].size, 512 * MiB);
	ck_assert_int_eq(m.dimm[1].nid, 0);
	ck_assert_uint_eq(m.cfg.nr_numa, 2);
	ck_assert_uint_eq(m.numa[0].start, 16 * GiB);
	ck_assert_uint_eq(m.numa[0].end, 16 * GiB + 512 * MiB);
	ck_assert_int_eq(m.numa[0].nid, 0);
	ck_assert_uint_eq(m.numa[1].start, 32 * GiB);
	ck_assert_uint_eq(m.numa[1].end, 48 * GiB);
	ck_assert_int_eq(m.numa[1].nid, 1);

	ck_assert_uint_eq(m.nr_cpus, 6);
	ck_assert_int_eq(m.cpu_node[0], 0);
	ck_assert_int_eq(m.cpu_node[1], 0);
	ck_assert_int_eq(m.cpu_node[2], 1);
	ck_assert_int_eq(m.cpu_node[3], 1);
	ck_assert_int_eq(m.cpu_node[4], 0);
	ck_assert_int_eq(m.cpu_node[5], 1);
	ck_assert_uint_eq(m.cfg.cpu_nodes, 3);
	ck_assert_uint_eq(m.distance[1][0], 20);
	ck_assert_uint_eq(m.distance[1][1], 10);
	ck_assert_uint_eq(m.distance[0][0], 10); /* no row for node 0: 10 local, 21 remote */
	ck_assert_uint_eq(m.distance[0][1], 21);

	ck_assert_str_eq(m.workload, "fill=30\nfill.1.Movable=80\n");
}
END_TEST

START_TEST(test_overlay_changes_only_what_it_names)
{
	struct mhpfs_machine m, before;
	char err[512];
	int r;

	/* the command line fills the arrays before it points the config at them */
	base_machine(&m);
	m.cfg.boot = m.cfg.numa = m.cfg.reserved = NULL;
	r = mhpfs_machine_load_file(write_file("[machine]\nphys_bits = 40\n"), &m, err,
				    sizeof(err));
	unlink(path);
	ck_assert_msg(r == 0, "%s", err);
	ck_assert_uint_eq(m.cfg.nr_reserved, 1);
	ck_assert_ptr_eq(m.cfg.reserved, m.reserved);
	ck_assert_uint_eq(m.reserved[0].start, 3 * GiB);
	ck_assert_ptr_eq(m.cfg.boot, m.boot);

	base_machine(&before);
	r = load("[memory_hotplug]\nauto_movable_ratio = 150\n[kernel]\nmovable_node = on\n", &m,
		 err, sizeof(err));
	ck_assert_msg(r == 0, "%s", err);
	ck_assert_uint_eq(m.cfg.auto_movable_ratio, 150);
	ck_assert(m.cfg.movable_node);
	/* everything else as it was */
	ck_assert_uint_eq(m.cfg.nr_boot, 1);
	ck_assert_uint_eq(m.boot[0].start, 4 * GiB);
	ck_assert_uint_eq(m.boot[0].end, 8 * GiB);
	ck_assert_uint_eq(m.cfg.nr_reserved, 1);
	ck_assert_uint_eq(m.cfg.block_size, before.cfg.block_size);
	ck_assert_uint_eq(m.cfg.nr_nodes, 1);
	ck_assert_uint_eq(m.nr_cpus, 2);
	ck_assert(m.probe);
	ck_assert_str_eq(m.workload, "");
	ck_assert_ptr_eq(m.cfg.boot, m.boot);
}
END_TEST

START_TEST(test_engine_boots_the_file)
{
	struct mhpfs_machine m;
	struct mhp_engine *e = NULL;
	char err[512], buf[32];
	int r = load("[machine]\nreserved = 3G-4G\n"
		     "[node 0]\ncpus = 0\nmemory = 0-3G, 4G-5G\nhole = 0x9f000-0x100000\n"
		     "[node 1]\ncpus = 1\nmemory = 5G-6G\n",
		     &m, err, sizeof(err));

	ck_assert_msg(r == 0, "%s", err);
	ck_assert_int_eq(mhp_engine_new(&m.cfg, &e), 0);
	ck_assert_uint_eq(count_blocks(e), 24 + 8 + 8);
	ck_assert_str_eq(vz(e, 0, buf), "none\n");
	ck_assert_str_eq(vz(e, 1, buf), "DMA32\n");
	ck_assert_str_eq(vz(e, 32, buf), "Normal\n");
	ck_assert_int_eq(block_nid(e, 40), 1);
	ck_assert_int_eq(block_nid(e, 39), 0);
	/* block 0 keeps its hole and spans DMA and DMA32: offline is refused */
	ck_assert_int_eq(store_state(e, 0, MHP_MMOP_OFFLINE), -EINVAL);
	ck_assert_int_eq(store_state(e, 33, MHP_MMOP_OFFLINE), 0);
	/* the reserved PCI window is busy iomem */
	ck_assert_int_eq(mhp_probe(e, 3 * GiB), -EEXIST);
	mhp_engine_free(e);
}
END_TEST

/* ---- errors --------------------------------------------------------------------------------- */

struct err_case {
	const char *text;
	int ret;
	const char *msg; /* after "FILE" */
};

static const struct err_case err_cases[] = {
	{ "[node 1]\nmemory = 8G-9G\ncpus = 0\nx = 1\n", -EINVAL,
	  ":4: unknown key 'x' in [node 1]" },
	{ "[machine]\nblock_size = 3M\n", -EINVAL,
	  ":2: bad value '3M' for 'block_size' in [machine]: expected a power of two of at least 32K" },
	{ "[machine]\nblock_size = 16K\n", -EINVAL,
	  ":2: bad value '16K' for 'block_size' in [machine]: expected a power of two of at least 32K" },
	{ "[machine]\nblock_size = 99999999999999999999\n", -EINVAL,
	  ":2: bad value '99999999999999999999' for 'block_size' in [machine]: expected a power of two of at least 32K" },
	{ "[machine]\nblock_size = 0x100000000000000000G\n", -EINVAL,
	  ":2: bad value '0x100000000000000000G' for 'block_size' in [machine]: expected a power of two of at least 32K" },
	{ "[machine]\nphys_bits = 53\n", -EINVAL,
	  ":2: bad value '53' for 'phys_bits' in [machine]: expected 32..52" },
	{ "[machine]\nphys_bits = 40\nphys_bits = 41\n", -EINVAL,
	  ":3: 'phys_bits' given twice in [machine] (first on line 2)" },
	{ "[machin]\n", -EINVAL,
	  ":1: unknown section [machin]: expected [machine], [kernel], [memory_hotplug], "
	  "[notifier-error-inject], [node N] (N 0..63) or [workload]" },
	{ "[node 64]\n", -EINVAL,
	  ":1: unknown section [node 64]: expected [machine], [kernel], [memory_hotplug], "
	  "[notifier-error-inject], [node N] (N 0..63) or [workload]" },
	{ "[node 01]\n", -EINVAL,
	  ":1: unknown section [node 01]: expected [machine], [kernel], [memory_hotplug], "
	  "[notifier-error-inject], [node N] (N 0..63) or [workload]" },
	{ "[machine\n", -EINVAL, ":1: a section header must end with ']'" },
	{ "probe = yes\n", -EINVAL, ":1: key 'probe' outside of any section" },
	{ "[machine]\nprobe\n", -EINVAL, ":2: expected 'key = value' or '[section]'" },
	{ "[machine]\nprobe =\n", -EINVAL, ":2: missing value for 'probe'" },
	{ "[machine]\n= yes\n", -EINVAL, ":2: missing key before '='" },
	{ "[machine]\nprobe = maybe\n", -EINVAL,
	  ":2: bad value 'maybe' for 'probe' in [machine]: expected yes or no" },
	{ "[kernel]\nkernelcore = 0%\n", -EINVAL,
	  ":2: bad value '0%' for 'kernelcore' in [kernel]: expected a non-zero size or a percentage 1%..100%" },
	{ "[kernel]\nmovablecore = 101%\n", -EINVAL,
	  ":2: bad value '101%' for 'movablecore' in [kernel]: expected a non-zero size or a percentage 1%..100%" },
	{ "[kernel]\nkernelcore = mirror\n", -EINVAL,
	  ":2: bad value 'mirror' for 'kernelcore' in [kernel]: expected a size or a percentage ('mirror' is not emulated)" },
	{ "[kernel]\nmemhp_default_state = Online\n", -EINVAL,
	  ":2: bad value 'Online' for 'memhp_default_state' in [kernel]: expected offline, online, online_kernel or online_movable" },
	{ "[memory_hotplug]\nonline_policy = contig\n", -EINVAL,
	  ":2: bad value 'contig' for 'online_policy' in [memory_hotplug]: expected contig-zones or auto-movable" },
	{ "[memory_hotplug]\nauto_movable_ratio = 4294967296\n", -EINVAL,
	  ":2: bad value '4294967296' for 'auto_movable_ratio' in [memory_hotplug]: expected an unsigned 32-bit number" },
	{ "[notifier-error-inject]\npriority = 2147483648\n", -EINVAL,
	  ":2: bad value '2147483648' for 'priority' in [notifier-error-inject]: expected an int" },
	{ "[node 0]\ncpus = 0\nmemory = 4G\n", -EINVAL,
	  ":3: bad range '4G' for 'memory': expected START-END or START+SIZE with START below END" },
	{ "[node 0]\ncpus = 0\nmemory = 5G-4G\n", -EINVAL,
	  ":3: bad range '5G-4G' for 'memory': expected START-END or START+SIZE with START below END" },
	{ "[node 0]\ncpus = 0\nmemory = 4G+0\n", -EINVAL,
	  ":3: bad range '4G+0' for 'memory': expected START-END or START+SIZE with START below END" },
	{ "[node 0]\ncpus = 0\nmemory = 0xfffffffffffff000+1M\n", -EINVAL,
	  ":3: bad range '0xfffffffffffff000+1M' for 'memory': expected START-END or START+SIZE with START below END" },
	{ "[node 0]\ncpus = 0\nmemory = 4G-5G,\n", -EINVAL,
	  ":3: empty item in the list of 'memory'" },
	{ "[node 0]\ncpus = 0\nmemory = 0-4097\n", -EINVAL,
	  ":3: memory range 0-0x1001 is not aligned to 0x1000" },
	{ "[node 0]\ncpus = 0\nmemory = 0-1G\n\nmemory = 512M-2G\n", -EINVAL,
	  ":5: memory range 0x20000000-0x80000000 overlaps 0-0x40000000 (line 3)" },
	{ "[node 0]\ncpus = 0\nmemory = 64T-65T\n", -EINVAL,
	  ":3: memory range 0x400000000000-0x410000000000 ends beyond phys_bits=46 (0x400000000000)" },
	{ "[machine]\nphys_bits = 32\n", -EINVAL,
	  ": memory range 0x100000000-0x200000000 ends beyond phys_bits=32 (0x100000000)" },
	{ "[node 0]\ncpus = 0\nmemory = 2G-4G\n", -EINVAL,
	  ":3: memory 0x80000000-0x100000000 overlaps reserved range 0xc0000000-0x100000000" },
	{ "[node 0]\ncpus = 0\nmemory = 4G-5G\nhole = 6G-7G\n", -EINVAL,
	  ":4: hole 0x180000000-0x1c0000000 is not inside one memory range of node 0" },
	{ "[node 0]\ncpus = 0\nmemory = 4G-5G\ndimm = 8G+100M\n", -EINVAL,
	  ":4: dimm range 0x200000000-0x206400000 is not aligned to 0x8000000" },
	{ "[node 0]\ncpus = 0\nmemory = 4G-5G\ndimm = 4G+1G\n", -EINVAL,
	  ":4: DIMM slot 0x100000000-0x140000000 overlaps memory 0x100000000-0x140000000" },
	{ "[node 0]\ncpus = 0\nmemory = 4G-5G\ndimm = 8G+1G\ndimm = 8G+2G\n", -EINVAL,
	  ":5: dimm range 0x200000000-0x280000000 overlaps 0x200000000-0x240000000 (line 4)" },
	{ "[node 0]\ncpus = 0\nmemory = 4G-5G\nhotplug = 8G-16G\n[node 1]\ncpus = 1\ndimm = 8G+1G\n",
	  -EINVAL,
	  ":7: DIMM slot 0 (0x200000000-0x240000000, node 1) is not inside the hotplug range "
	  "0x200000000-0x400000000 of node 0 that it overlaps" },
	{ "[node 0]\ncpus = 0-1\nmemory = 4G-5G\n[node 1]\ncpus = 1-2\n", -EINVAL,
	  ":5: cpu 1 is in node 0 and node 1" },
	{ "[node 0]\ncpus = 0,2\nmemory = 4G-5G\n", -EINVAL,
	  ": cpu 1 is in no node (cpus are numbered 0..2 without gaps)" },
	{ "[node 0]\nmemory = 4G-5G\n", -EINVAL, ": no node has cpus (give 'cpus = ...')" },
	{ "[node 0]\ncpus = 1024\n", -EINVAL, ":2: cpu number in '1024' is not below 1024" },
	{ "[node 0]\ncpus = 3-1\n", -EINVAL,
	  ":2: bad value '3-1' for 'cpus' in [node 0]: expected a cpu list such as 0-3,8" },
	{ "[node 0]\ncpus = 0\nmemory = 4G-5G\ndistance = 10 21\n", -EINVAL,
	  ":4: distance has 2 values, expected one per node (1)" },
	{ "[node 0]\ncpus = 0\nmemory = 4G-5G\ndistance = 11\n", -EINVAL,
	  ":4: distance to node 0 is 11: 10 is the local distance and only the local one" },
	{ "[node 0]\ncpus = 0\nmemory = 4G-5G\ndistance = 9\n", -EINVAL,
	  ":4: bad value '9' for 'distance' in [node 0]: expected distances of 10..255" },
	{ "[machine]\nnodes = 1\n[node 1]\ncpus = 0\nmemory = 4G-5G\n", -EINVAL,
	  ":2: nodes=1 but the file describes [node 1]" },
	{ "[node 0]\ncpus = 0\nhotplug = 8G-9G\n", -EINVAL, ": the machine has no boot memory" },
	{ "[machine]\ndma_end = 8G\n", -EINVAL,
	  ": dma_end 0x200000000 is above dma32_end 0x100000000" },
	{ "[workload]\nfill = 101\n", -EINVAL,
	  ":2: bad workload item 'fill = 101': keys are fill, fill.N, fill.N.ZONE, unmovable_pct, "
	  "pinned_pct, cache_pct (0..100), writers (0..64), seed" },
	{ "[workload]\nfill.0.Highmem = 1\n", -EINVAL,
	  ":2: bad workload item 'fill.0.Highmem = 1': keys are fill, fill.N, fill.N.ZONE, "
	  "unmovable_pct, pinned_pct, cache_pct (0..100), writers (0..64), seed" },
};

START_TEST(test_errors)
{
	const struct err_case *c = &err_cases[_i];
	struct mhpfs_machine m, before;
	char err[512], want[600];
	int r;

	base_machine(&before);
	r = load(c->text, &m, err, sizeof(err));
	snprintf(want, sizeof(want), "%s%s", path, c->msg);
	ck_assert_msg(r == c->ret, "case %d: returned %d, expected %d (%s)", _i, r, c->ret, err);
	ck_assert_str_eq(err, want);
	/* nothing of the file was applied */
	before.cfg.boot = m.cfg.boot;
	before.cfg.numa = m.cfg.numa;
	before.cfg.reserved = m.cfg.reserved;
	ck_assert_int_eq(memcmp(&m, &before, sizeof(m)), 0);
}
END_TEST

START_TEST(test_long_line_and_nul)
{
	struct mhpfs_machine m;
	char err[512], want[128];
	char *text = malloc(4000);
	int r;

	ck_assert_ptr_nonnull(text);
	memset(text, '#', 3000);
	strcpy(text + 3000, "\n");
	r = load(text, &m, err, sizeof(err));
	ck_assert_int_eq(r, -E2BIG);
	snprintf(want, sizeof(want), "%s:1: line longer than 1024 bytes", path);
	ck_assert_str_eq(err, want);
	free(text);

	/* a NUL byte cannot hide the rest of a line */
	{
		FILE *f;
		int fd;

		snprintf(path, sizeof(path), "/tmp/mhpfs-cfg.XXXXXX");
		fd = mkstemp(path);
		ck_assert_int_ge(fd, 0);
		f = fdopen(fd, "w");
		fwrite("[machine]\nprobe = no\0x\n", 1, 23, f);
		fclose(f);
		base_machine(&m);
		r = mhpfs_machine_load_file(path, &m, err, sizeof(err));
		unlink(path);
		ck_assert_int_eq(r, -EINVAL);
		snprintf(want, sizeof(want), "%s:2: NUL byte in the line", path);
		ck_assert_str_eq(err, want);
	}
}
END_TEST

START_TEST(test_unreadable)
{
	struct mhpfs_machine m;
	char err[256];

	base_machine(&m);
	ck_assert_int_eq(mhpfs_machine_load_file("/nonexistent/x.conf", &m, err, sizeof(err)),
			 -ENOENT);
	ck_assert_str_eq(err, "/nonexistent/x.conf: No such file or directory");
	ck_assert_int_eq(mhpfs_machine_load_file("/tmp", &m, err, sizeof(err)), -EINVAL);
	ck_assert_str_eq(err, "/tmp: not a regular file");
}
END_TEST

START_TEST(test_too_many_lists)
{
	struct mhpfs_machine m;
	char err[512], want[128];
	size_t cap = 300 * 40, len = 0;
	char *text = malloc(cap);
	int r;

	ck_assert_ptr_nonnull(text);
	len += (size_t)snprintf(text + len, cap - len, "[node 0]\ncpus = 0\n");
	for (int i = 0; i < 65; i++)
		len += (size_t)snprintf(text + len, cap - len, "memory = %dG+1M\n", i + 4);
	r = load(text, &m, err, sizeof(err));
	free(text);
	ck_assert_int_eq(r, -E2BIG);
	snprintf(want, sizeof(want), "%s:67: more than 64 memory ranges (after punching holes)",
		 path);
	ck_assert_str_eq(err, want);
}
END_TEST

/* ---- helpers ---------------------------------------------------------------------------------- */

START_TEST(test_parse_size)
{
	uint64_t v;

	ck_assert_int_eq(mhpfs_parse_size("128M", &v), 0);
	ck_assert_uint_eq(v, 128 * MiB);
	ck_assert_int_eq(mhpfs_parse_size("0x8000000", &v), 0);
	ck_assert_uint_eq(v, 128 * MiB);
	ck_assert_int_eq(mhpfs_parse_size("010", &v), 0); /* octal, as kstrtoull base 0 */
	ck_assert_uint_eq(v, 8);
	ck_assert_int_eq(mhpfs_parse_size("1p", &v), 0);
	ck_assert_uint_eq(v, 1ULL << 50);
	ck_assert_int_eq(mhpfs_parse_size("16383P", &v), 0);
	ck_assert_int_eq(mhpfs_parse_size("16384P", &v), -ERANGE);
	ck_assert_int_eq(mhpfs_parse_size("18446744073709551616", &v), -ERANGE);
	ck_assert_int_eq(mhpfs_parse_size("", &v), -EINVAL);
	ck_assert_int_eq(mhpfs_parse_size("M", &v), -EINVAL);
	ck_assert_int_eq(mhpfs_parse_size("-1", &v), -EINVAL);
	ck_assert_int_eq(mhpfs_parse_size(" 1", &v), -EINVAL);
	ck_assert_int_eq(mhpfs_parse_size("1\n", &v), -EINVAL);
	ck_assert_int_eq(mhpfs_parse_size("1KB", &v), -EINVAL);
	ck_assert_int_eq(mhpfs_parse_size("0x", &v), -EINVAL);
}
END_TEST

START_TEST(test_cpulist)
{
	uint64_t mask[2];

	ck_assert_int_eq(mhpfs_parse_cpulist("0-3,8,64-65", mask, 128), 0);
	ck_assert_uint_eq(mask[0], 0x10f);
	ck_assert_uint_eq(mask[1], 3);
	ck_assert_int_eq(mhpfs_parse_cpulist("", mask, 128), 0);
	ck_assert_uint_eq(mask[0] | mask[1], 0);
	ck_assert_int_eq(mhpfs_parse_cpulist("128", mask, 128), -ERANGE);
	ck_assert_int_eq(mhpfs_parse_cpulist("99999999999999999999999", mask, 128), -ERANGE);
	ck_assert_int_eq(mhpfs_parse_cpulist("1,", mask, 128), -EINVAL);
	ck_assert_int_eq(mhpfs_parse_cpulist("1-", mask, 128), -EINVAL);
	ck_assert_int_eq(mhpfs_parse_cpulist(" 1", mask, 128), -EINVAL);
	ck_assert_int_eq(mhpfs_parse_cpulist("2-1", mask, 128), -EINVAL);
}
END_TEST

START_TEST(test_workload_parse)
{
	struct mhp_workload_params p;

	ck_assert_int_eq(mhpfs_workload_parse("", &p), 0);
	ck_assert_uint_eq(p.fill[0][MHP_ZONE_NORMAL], 0);
	ck_assert_uint_eq(p.writers, 0);
	ck_assert_int_eq(mhpfs_workload_parse("fill=30\nfill.1=50\nfill.1.Movable=90\n"
					      "unmovable_pct=5\npinned_pct=1\ncache_pct=20\n"
					      "writers=4\nseed=0x10\n",
					      &p),
			 0);
	ck_assert_uint_eq(p.fill[0][MHP_ZONE_DMA], 30);
	ck_assert_uint_eq(p.fill[63][MHP_ZONE_MOVABLE], 30);
	ck_assert_uint_eq(p.fill[1][MHP_ZONE_NORMAL], 50);
	ck_assert_uint_eq(p.fill[1][MHP_ZONE_MOVABLE], 90);
	ck_assert_uint_eq(p.unmovable_pct, 5);
	ck_assert_uint_eq(p.pinned_pct, 1);
	ck_assert_uint_eq(p.cache_pct, 20);
	ck_assert_uint_eq(p.writers, 4);
	ck_assert_uint_eq(p.seed, 16);
	ck_assert_int_eq(mhpfs_workload_parse("writers=65\n", &p), -EINVAL);
	ck_assert_int_eq(mhpfs_workload_parse("fill.64=1\n", &p), -EINVAL);
	ck_assert_int_eq(mhpfs_workload_parse("fill.0.none=1\n", &p), -EINVAL);
	ck_assert_int_eq(mhpfs_workload_parse("nope\n", &p), -EINVAL);
}
END_TEST

/* ---- the ready machines ------------------------------------------------------------------------ */

static struct mhp_engine *boot_ready(const char *name, struct mhpfs_machine *m)
{
	char file[512], err[512];
	struct mhp_engine *e = NULL;
	int r;

	snprintf(file, sizeof(file), "%s/%s", MHPFS_MACHINES_DIR, name);
	base_machine(m);
	r = mhpfs_machine_load_file(file, m, err, sizeof(err));
	ck_assert_msg(r == 0, "%s: %s", name, err);
	r = mhp_engine_new(&m->cfg, &e);
	ck_assert_msg(r == 0, "%s: the engine refused it: %d", name, r);
	return e;
}

START_TEST(test_ready_small_vm)
{
	struct mhpfs_machine m;
	struct mhp_engine *e = boot_ready("small-vm.conf", &m);
	struct mhp_workload_params p;
	char buf[32];

	ck_assert_uint_eq(count_blocks(e), 32);
	ck_assert_str_eq(vz(e, 0, buf), "none\n");
	ck_assert_str_eq(vz(e, 15, buf), "DMA32\n");
	ck_assert_str_eq(vz(e, 32, buf), "Normal\n");
	ck_assert_str_eq(vz(e, 47, buf), "Normal\n");
	ck_assert_ptr_null(mhp_block_get(e, 16));
	ck_assert_ptr_null(mhp_block_get(e, 48));
	ck_assert(!m.probe);
	ck_assert(m.inject);
	ck_assert_uint_eq(m.nr_cpus, 2);
	ck_assert_uint_eq(m.nr_dimms, 4);
	ck_assert_uint_eq(m.dimm[3].start, 11 * GiB);
	ck_assert_int_eq(mhp_get_auto_online(e), MHP_MMOP_OFFLINE);
	/* a DIMM slot hot-adds offline, beyond every zone: Normal first */
	ck_assert_int_eq(
		mhp_add_memory(e, MHP_NUMA_NO_NODE, m.dimm[0].start, m.dimm[0].size, 0, -1), 0);
	ck_assert_uint_eq(count_blocks(e), 40);
	ck_assert_int_eq(block_state(e, 64), MHP_STATE_OFFLINE);
	ck_assert_str_eq(vz(e, 64, buf), "Normal Movable\n");
	/* the PCI window is busy iomem */
	ck_assert_int_eq(mhp_probe(e, 3 * GiB), -EEXIST);
	ck_assert_int_eq(mhpfs_workload_parse(m.workload, &p), 0);
	mhp_engine_free(e);
}
END_TEST

START_TEST(test_ready_two_socket_movable)
{
	struct mhpfs_machine m;
	struct mhp_engine *e = boot_ready("two-socket-movable.conf", &m);
	struct mhp_workload_params p;
	char buf[32];
	struct mhp_block *b;

	ck_assert_uint_eq(count_blocks(e), 24 + 232 + 256);
	ck_assert_uint_eq(m.nr_cpus, 16);
	ck_assert_uint_eq(m.distance[0][1], 21);
	ck_assert_uint_eq(m.nr_dimms, 4);
	ck_assert(m.cfg.movable_node);
	/* kernelcore=32G: 16 GiB of kernel memory on each node (find_zone_movable_pfns_for_nodes) */
	ck_assert_str_eq(vz(e, 0, buf), "none\n");
	ck_assert_str_eq(vz(e, 23, buf), "DMA32\n");
	ck_assert_str_eq(vz(e, 135, buf), "Normal\n");
	ck_assert_str_eq(vz(e, 136, buf), "Movable\n");
	ck_assert_str_eq(vz(e, 263, buf), "Movable\n");
	ck_assert_str_eq(vz(e, 264, buf), "Normal\n");
	ck_assert_str_eq(vz(e, 391, buf), "Normal\n");
	ck_assert_str_eq(vz(e, 392, buf), "Movable\n");
	ck_assert_str_eq(vz(e, 519, buf), "Movable\n");
	b = mhp_block_get(e, 300);
	ck_assert_int_eq(mhp_block_nid(b), 1);
	mhp_block_put(b);
	/* memhp_default_state=online + movable_node: a DIMM goes online into Movable */
	ck_assert_int_eq(
		mhp_add_memory(e, MHP_NUMA_NO_NODE, m.dimm[2].start, m.dimm[2].size, 0, -1), 0);
	b = mhp_block_get(e, 192 * 8);
	ck_assert_ptr_nonnull(b);
	ck_assert_int_eq(mhp_block_state(b), MHP_STATE_ONLINE);
	ck_assert_int_eq(mhp_block_nid(b), 1);
	mhp_block_put(b);
	ck_assert_str_eq(vz(e, 192 * 8, buf), "Movable\n");
	ck_assert_int_eq(mhpfs_workload_parse(m.workload, &p), 0);
	ck_assert_uint_eq(p.fill[0][MHP_ZONE_DMA32], 2);
	ck_assert_uint_eq(p.fill[0][MHP_ZONE_NORMAL], 0);
	ck_assert_uint_eq(p.fill[1][MHP_ZONE_NORMAL], 0);
	ck_assert_uint_eq(p.unmovable_pct, 10);
	ck_assert_uint_eq(p.cache_pct, 20);
	mhp_engine_free(e);
}
END_TEST

START_TEST(test_ready_large_blocks)
{
	struct mhpfs_machine m;
	struct mhp_engine *e = boot_ready("large-blocks.conf", &m);
	char buf[32];

	ck_assert_uint_eq(mhp_engine_block_size(e), 2 * GiB);
	ck_assert_uint_eq(count_blocks(e), 128);
	ck_assert_str_eq(vz(e, 0, buf), "none\n");
	ck_assert_str_eq(vz(e, 1, buf), "DMA32\n");
	ck_assert_str_eq(vz(e, 2, buf), "Normal\n");
	ck_assert_str_eq(vz(e, 127, buf), "Normal\n");
	/* block 1 has a hole: offline refused with EINVAL; a whole Normal block goes */
	{
		struct mhp_block *b = mhp_block_get(e, 1);

		ck_assert_int_eq(mhp_block_store_state(e, b, MHP_MMOP_OFFLINE, NULL), -EINVAL);
		mhp_block_put(b);
		b = mhp_block_get(e, 100);
		ck_assert_int_eq(mhp_block_store_state(e, b, MHP_MMOP_OFFLINE, NULL), 0);
		mhp_block_put(b);
	}
	/* probe adds one 2 GiB block, on the node of the SRAT range */
	ck_assert_int_eq(mhp_probe(e, 512 * GiB), 0);
	ck_assert_int_eq(mhp_probe(e, 513 * GiB), -EINVAL);
	{
		struct mhp_block *b = mhp_block_get(e, 256);

		ck_assert_ptr_nonnull(b);
		ck_assert_int_eq(mhp_block_nid(b), 1);
		mhp_block_put(b);
	}
	ck_assert_int_eq(mhp_get_online_policy(e), MHP_POLICY_AUTO_MOVABLE);
	mhp_engine_free(e);
}
END_TEST

static Suite *machine_file_suite(void)
{
	Suite *s = suite_create("machine-file");
	TCase *tc;

	tc = tcase_create("values");
	tcase_add_test(tc, test_full_file);
	tcase_add_test(tc, test_overlay_changes_only_what_it_names);
	tcase_add_test(tc, test_engine_boots_the_file);
	suite_add_tcase(s, tc);

	tc = tcase_create("errors");
	tcase_add_loop_test(tc, test_errors, 0, (int)(sizeof(err_cases) / sizeof(err_cases[0])));
	tcase_add_test(tc, test_long_line_and_nul);
	tcase_add_test(tc, test_unreadable);
	tcase_add_test(tc, test_too_many_lists);
	suite_add_tcase(s, tc);

	tc = tcase_create("helpers");
	tcase_add_test(tc, test_parse_size);
	tcase_add_test(tc, test_cpulist);
	tcase_add_test(tc, test_workload_parse);
	suite_add_tcase(s, tc);

	tc = tcase_create("ready-machines");
	tcase_add_test(tc, test_ready_small_vm);
	tcase_add_test(tc, test_ready_two_socket_movable);
	tcase_add_test(tc, test_ready_large_blocks);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(machine_file_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
