// SPDX-License-Identifier: MIT
/*
 * fusefs/seed.c - build a machine from a system root, so that tools see what they saw there.
 *
 * What is read (all optional except the first two):
 *   sys/devices/system/memory/block_size_bytes, memoryN/ (state, valid_zones, removable,
 *     phys_index, nodeX links), auto_online_blocks, probe (existence)
 *   sys/devices/system/node/possible, nodeN/cpulist, nodeN/distance
 *   sys/devices/system/cpu/present (cpus of a kernel without NUMA)
 *   sys/module/memory_hotplug/parameters/{online_policy,auto_movable_ratio,
 *     auto_movable_numa_aware,memmap_on_memory}
 *   proc/cmdline (movable_node)
 *
 * How the source is reproduced.  sysfs does not say which blocks were boot memory, so every
 * present block becomes boot memory on its node and boots online in the zone its address gives.
 * Then, highest id first, every block the source shows offline or online in Movable is offlined
 * (each one is at the top edge of its zone span when it goes, so the spans shrink exactly as they
 * would have if those blocks had never been kernel memory), and the Movable ones are onlined
 * with online_movable, lowest id first.  The zone spans, and so valid_zones of offline blocks,
 * then match a source that hot-added those blocks or offlined them after boot; the holes between
 * present blocks are left out of boot memory, as in the source.  A "none" block (several zones or
 * nodes) comes out as "none" when its address spans the DMA/DMA32 boundary or its node links name
 * several nodes (the block is then split between them).
 *
 * Reading never writes and never follows a symbolic link: directories are opened one component
 * at a time with O_NOFOLLOW, files with O_NOFOLLOW|O_NONBLOCK and must be regular files, and a
 * value longer than a sysfs page is an error.
 */
#include <ctype.h>
#include <dirent.h>
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
#include "seed.h"

#define GiB (1ULL << 30)
#define SEED_MAX_BLOCKS (1UL << 24)
#define MAX_PHYS_BITS 52

struct seedctx {
	const char *root;
	char *err;
	size_t errlen;
	int rootfd;
	int memfd;
	uint64_t block_size;
};

static int fail(struct seedctx *c, int r, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int fail(struct seedctx *c, int r, const char *fmt, ...)
{
	char msg[384];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	snprintf(c->err, c->errlen, "seed %s: %s", c->root, msg);
	return r;
}

/* ---- reading without following links ------------------------------------------------------ */

/* Open a relative directory path below @dirfd, one component at a time, never through a link. */
static int open_dir_beneath(int dirfd, const char *rel)
{
	char buf[256], *save = NULL;
	int fd = dirfd, next;

	if (strlen(rel) >= sizeof(buf))
		return -ENAMETOOLONG;
	snprintf(buf, sizeof(buf), "%s", rel);
	for (char *comp = strtok_r(buf, "/", &save); comp; comp = strtok_r(NULL, "/", &save)) {
		if (!strcmp(comp, "..") || !strcmp(comp, ".")) {
			next = -EINVAL;
		} else {
			next = openat(fd, comp, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
			if (next < 0)
				next = -errno;
		}
		if (fd != dirfd)
			close(fd);
		if (next < 0)
			return next;
		fd = next;
	}
	return fd == dirfd ? -EINVAL : fd;
}

/*
 * Read one attribute: at most a sysfs page, one trailing newline removed.  Returns the length, or
 * -ENOENT, -EFBIG (longer than a page), -EINVAL (not a regular file, or a NUL byte), -errno.
 */
static int read_attr(int dirfd, const char *name, char *buf, size_t len)
{
	struct stat st;
	size_t got = 0;
	int fd, r = 0;

	fd = openat(dirfd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) || !S_ISREG(st.st_mode)) {
		close(fd);
		return -EINVAL;
	}
	for (;;) {
		ssize_t n = read(fd, buf + got, len - 1 - got);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			r = -errno;
			break;
		}
		if (n == 0)
			break;
		got += (size_t)n;
		if (got == len - 1) {
			char extra;

			n = read(fd, &extra, 1);
			if (n > 0)
				r = -EFBIG;
			break;
		}
	}
	close(fd);
	if (r)
		return r;
	buf[got] = '\0';
	if (strlen(buf) != got)
		return -EINVAL;
	if (got && buf[got - 1] == '\n')
		buf[--got] = '\0';
	return (int)got;
}

static bool exists_nofollow(int dirfd, const char *name)
{
	struct stat st;

	return fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0;
}

/* "<prefix>N" with N decimal, no leading zero, below @max. */
static bool numbered_name(const char *name, const char *prefix, unsigned long max,
			  unsigned long *ret)
{
	size_t plen = strlen(prefix);
	unsigned long v = 0;
	const char *p;

	if (strncmp(name, prefix, plen) || !isdigit((unsigned char)name[plen]))
		return false;
	p = name + plen;
	if (p[0] == '0' && p[1])
		return false;
	for (; *p; p++) {
		if (!isdigit((unsigned char)*p))
			return false;
		v = v * 10 + (unsigned long)(*p - '0');
		if (v >= max)
			return false;
	}
	*ret = v;
	return true;
}

/* ---- blocks ---------------------------------------------------------------------------------- */

static int cmp_block(const void *a, const void *b)
{
	const struct mhpfs_seed_block *x = a, *y = b;

	return x->id < y->id ? -1 : x->id > y->id;
}

static int read_block(struct seedctx *c, const char *name, struct mhpfs_seed_block *blk)
{
	char buf[MHPFS_SYSFS_PAGE];
	unsigned long long idx;
	struct dirent *de;
	DIR *d;
	int fd, dfd, r;

	fd = open_dir_beneath(c->memfd, name);
	if (fd < 0)
		return fail(c, fd, "%s: %s", name, strerror(-fd));

	r = read_attr(fd, "state", buf, sizeof(buf));
	if (r < 0) {
		close(fd);
		return fail(c, r, "%s/state: %s", name, strerror(-r));
	}
	if (!strcmp(buf, "online") || !strcmp(buf, "going-offline")) {
		blk->state = MHP_STATE_ONLINE;
	} else if (!strcmp(buf, "offline")) {
		blk->state = MHP_STATE_OFFLINE;
	} else {
		close(fd);
		return fail(c, -EINVAL, "%s/state: unexpected '%.32s'", name, buf);
	}

	blk->valid_zones[0] = '\0';
	r = read_attr(fd, "valid_zones", buf, sizeof(buf));
	if (r >= (int)sizeof(blk->valid_zones)) {
		close(fd);
		return fail(c, -EINVAL, "%s/valid_zones: too long", name);
	}
	if (r >= 0)
		memcpy(blk->valid_zones, buf, (size_t)r + 1);

	blk->removable = -1;
	r = read_attr(fd, "removable", buf, sizeof(buf));
	if (r >= 0) {
		if (strcmp(buf, "0") && strcmp(buf, "1")) {
			close(fd);
			return fail(c, -EINVAL, "%s/removable: unexpected '%.32s'", name, buf);
		}
		blk->removable = buf[0] - '0';
	}

	r = read_attr(fd, "phys_index", buf, sizeof(buf));
	if (r >= 0 && (mhp_kstrtoull(buf, 16, &idx) || idx != blk->id)) {
		close(fd);
		return fail(c, -EINVAL, "%s/phys_index: '%.32s' is not the block id", name, buf);
	}

	/* nodeX links; never followed */
	blk->node_mask = 0;
	dfd = dup(fd);
	d = dfd >= 0 ? fdopendir(dfd) : NULL;
	if (!d) {
		r = -errno;
		if (dfd >= 0)
			close(dfd);
		close(fd);
		return fail(c, r, "%s: %s", name, strerror(-r));
	}
	while ((de = readdir(d))) {
		unsigned long nid;
		struct stat st;

		if (!numbered_name(de->d_name, "node", MHP_MAX_NUMNODES, &nid))
			continue;
		if (fstatat(fd, de->d_name, &st, AT_SYMLINK_NOFOLLOW) || !S_ISLNK(st.st_mode))
			continue;
		blk->node_mask |= 1ULL << nid;
	}
	closedir(d);
	close(fd);
	return 0;
}

static int read_blocks(struct seedctx *c, struct mhpfs_seed *s)
{
	unsigned long max_id = (unsigned long)((1ULL << MAX_PHYS_BITS) / c->block_size);
	size_t cap = 0;
	struct dirent *de;
	DIR *d;
	int fd, r = 0;

	fd = dup(c->memfd);
	d = fd >= 0 ? fdopendir(fd) : NULL;
	if (!d) {
		if (fd >= 0)
			close(fd);
		return fail(c, -errno, "sys/devices/system/memory: %s", strerror(errno));
	}
	while ((de = readdir(d))) {
		unsigned long id;
		struct stat st;

		if (!numbered_name(de->d_name, "memory", max_id, &id))
			continue;
		if (fstatat(c->memfd, de->d_name, &st, AT_SYMLINK_NOFOLLOW) || !S_ISDIR(st.st_mode))
			continue;
		if (s->nr_blocks == SEED_MAX_BLOCKS) {
			r = fail(c, -E2BIG, "more than %lu memory blocks", SEED_MAX_BLOCKS);
			break;
		}
		if (s->nr_blocks == cap) {
			size_t ncap = cap ? cap * 2 : 256;
			struct mhpfs_seed_block *nb = realloc(s->blocks, ncap * sizeof(*nb));

			if (!nb) {
				r = fail(c, -ENOMEM, "out of memory");
				break;
			}
			s->blocks = nb;
			cap = ncap;
		}
		s->blocks[s->nr_blocks].id = id;
		r = read_block(c, de->d_name, &s->blocks[s->nr_blocks]);
		if (r)
			break;
		s->nr_blocks++;
	}
	closedir(d);
	if (r)
		return r;
	if (!s->nr_blocks)
		return fail(c, -ENOENT, "sys/devices/system/memory has no memory blocks");
	qsort(s->blocks, s->nr_blocks, sizeof(*s->blocks), cmp_block);
	return 0;
}

/* ---- nodes, cpus, parameters ------------------------------------------------------------------ */

static int read_nodes(struct seedctx *c, struct mhpfs_seed *s, struct mhpfs_machine *m)
{
	char buf[MHPFS_SYSFS_PAGE];
	uint64_t possible = 0, used = 0;
	unsigned int nr_nodes = 1, nr_cpus = 0;
	int nodefd, r;

	for (size_t i = 0; i < s->nr_blocks; i++)
		used |= s->blocks[i].node_mask;

	for (int a = 0; a < MHP_MAX_NUMNODES; a++)
		for (int b = 0; b < MHP_MAX_NUMNODES; b++)
			m->distance[a][b] = a == b ? 10 : 20;
	for (unsigned int i = 0; i < MHPFS_MAX_CPUS; i++)
		m->cpu_node[i] = 0;

	nodefd = open_dir_beneath(c->rootfd, "sys/devices/system/node");
	if (nodefd >= 0) {
		r = read_attr(nodefd, "possible", buf, sizeof(buf));
		if (r >= 0 && mhpfs_parse_cpulist(buf, &possible, MHP_MAX_NUMNODES)) {
			close(nodefd);
			return fail(c, -EINVAL,
				    "node/possible: '%.40s' is not a node list of 0..63", buf);
		}
	}
	possible |= used;
	if (possible)
		nr_nodes = 64 - (unsigned int)__builtin_clzll(possible);

	for (unsigned int nid = 0; nodefd >= 0 && nid < nr_nodes; nid++) {
		uint64_t cpus[MHPFS_MAX_CPUS / 64];
		char name[16];
		int fd;

		snprintf(name, sizeof(name), "node%u", nid);
		fd = open_dir_beneath(nodefd, name);
		if (fd < 0)
			continue;
		r = read_attr(fd, "cpulist", buf, sizeof(buf));
		if (r >= 0) {
			if (mhpfs_parse_cpulist(buf, cpus, MHPFS_MAX_CPUS)) {
				close(fd);
				close(nodefd);
				return fail(c, -EINVAL,
					    "%s/cpulist: '%.40s' is not a cpu list below %d", name,
					    buf, MHPFS_MAX_CPUS);
			}
			for (unsigned int cpu = 0; cpu < MHPFS_MAX_CPUS; cpu++) {
				if (!(cpus[cpu / 64] & (1ULL << (cpu % 64))))
					continue;
				m->cpu_node[cpu] = (int)nid;
				if (cpu + 1 > nr_cpus)
					nr_cpus = cpu + 1;
			}
		}
		r = read_attr(fd, "distance", buf, sizeof(buf));
		if (r >= 0) {
			char *save = NULL;
			unsigned int n = 0;

			for (char *tok = strtok_r(buf, " ", &save); tok && n < MHP_MAX_NUMNODES;
			     tok = strtok_r(NULL, " ", &save)) {
				unsigned long long d;

				if (mhp_kstrtoull(tok, 10, &d) || d > 255) {
					close(fd);
					close(nodefd);
					return fail(c, -EINVAL, "%s/distance: bad value '%.16s'",
						    name, tok);
				}
				m->distance[nid][n++] = (unsigned char)d;
			}
		}
		close(fd);
	}
	if (nodefd >= 0)
		close(nodefd);

	if (!nr_cpus) {
		/* no NUMA: the cpus the system has, all on node 0 */
		int cpufd = open_dir_beneath(c->rootfd, "sys/devices/system/cpu");
		uint64_t cpus[MHPFS_MAX_CPUS / 64];

		if (cpufd >= 0) {
			r = read_attr(cpufd, "present", buf, sizeof(buf));
			if (r >= 0 && !mhpfs_parse_cpulist(buf, cpus, MHPFS_MAX_CPUS))
				for (unsigned int cpu = 0; cpu < MHPFS_MAX_CPUS; cpu++)
					if (cpus[cpu / 64] & (1ULL << (cpu % 64)))
						nr_cpus = cpu + 1;
			close(cpufd);
		}
		if (!nr_cpus)
			nr_cpus = 1;
	}
	m->nr_cpus = nr_cpus;
	m->cfg.nr_nodes = nr_nodes;
	m->cfg.cpu_nodes = 0;
	for (unsigned int i = 0; i < nr_cpus; i++)
		m->cfg.cpu_nodes |= 1ULL << m->cpu_node[i];
	return 0;
}

static int read_params(struct seedctx *c, struct mhpfs_machine *m)
{
	struct mhp_config *cfg = &m->cfg;
	char buf[MHPFS_SYSFS_PAGE];
	int fd, r;

	r = read_attr(c->memfd, "auto_online_blocks", buf, sizeof(buf));
	if (r >= 0) {
		int t = mhp_online_type_from_str(buf);

		if (t < 0)
			return fail(c, -EINVAL, "auto_online_blocks: unexpected '%.32s'", buf);
		cfg->auto_online = t;
	}
	r = 0; /* auto_online_blocks is optional: its absence is not an error of what follows */
	m->probe = exists_nofollow(c->memfd, "probe");

	fd = open_dir_beneath(c->rootfd, "sys/module/memory_hotplug/parameters");
	if (fd >= 0) {
		unsigned int v;
		bool b;

		if (read_attr(fd, "online_policy", buf, sizeof(buf)) >= 0) {
			if (!strcmp(buf, "contig-zones"))
				cfg->online_policy = MHP_POLICY_CONTIG_ZONES;
			else if (!strcmp(buf, "auto-movable"))
				cfg->online_policy = MHP_POLICY_AUTO_MOVABLE;
			else
				r = fail(c, -EINVAL, "online_policy: unexpected '%.32s'", buf);
		}
		if (read_attr(fd, "auto_movable_ratio", buf, sizeof(buf)) >= 0) {
			if (mhp_kstrtouint(buf, 10, &v))
				r = fail(c, -EINVAL, "auto_movable_ratio: unexpected '%.32s'", buf);
			else
				cfg->auto_movable_ratio = v;
		}
		if (read_attr(fd, "auto_movable_numa_aware", buf, sizeof(buf)) >= 0) {
			if (mhp_kstrtobool(buf, &b))
				r = fail(c, -EINVAL, "auto_movable_numa_aware: unexpected '%.32s'",
					 buf);
			else
				cfg->auto_movable_numa_aware = b;
		}
		if (read_attr(fd, "memmap_on_memory", buf, sizeof(buf)) >= 0) {
			if (!strcmp(buf, "force"))
				cfg->memmap_on_memory = MHP_MEMMAP_FORCE;
			else if (!mhp_kstrtobool(buf, &b))
				cfg->memmap_on_memory = b ? MHP_MEMMAP_ON : MHP_MEMMAP_OFF;
			else
				r = fail(c, -EINVAL, "memmap_on_memory: unexpected '%.32s'", buf);
		}
		close(fd);
		if (r < 0)
			return r;
	}

	/* the boot command line says whether movable_node was given */
	fd = open_dir_beneath(c->rootfd, "proc");
	if (fd >= 0) {
		if (read_attr(fd, "cmdline", buf, sizeof(buf)) >= 0) {
			char *save = NULL;

			for (char *tok = strtok_r(buf, " \t\n", &save); tok;
			     tok = strtok_r(NULL, " \t\n", &save))
				if (!strcmp(tok, "movable_node"))
					cfg->movable_node = true;
		}
		close(fd);
	}
	return 0;
}

/* ---- the machine ------------------------------------------------------------------------------ */

static int zone_of_name(const char *s)
{
	for (int z = 0; z < MHP_NR_ZONES; z++)
		if (!strcmp(s, mhp_zone_name(z)))
			return z;
	return MHP_ZONE_NONE;
}

/* The zone an online block shows; MHP_ZONE_NONE for "none" or an unknown/missing value. */
static int online_zone(const struct mhpfs_seed_block *b)
{
	if (b->state != MHP_STATE_ONLINE)
		return MHP_ZONE_NONE;
	return zone_of_name(b->valid_zones);
}

/*
 * x86-64 zone boundaries unless the source's online blocks say otherwise (other architectures
 * put ZONE_DMA and ZONE_DMA32 elsewhere, or have no ZONE_DMA32).
 */
static void zone_bounds(const struct mhpfs_seed *s, uint64_t bs, struct mhp_config *cfg)
{
	uint64_t dma = 16ULL << 20, dma32 = 4 * GiB, low_normal = ~0ULL, hi_dma = 0, hi_dma32 = 0;

	for (size_t i = 0; i < s->nr_blocks; i++) {
		uint64_t start = s->blocks[i].id * bs, end = start + bs;

		switch (online_zone(&s->blocks[i])) {
		case MHP_ZONE_DMA:
			hi_dma = end > hi_dma ? end : hi_dma;
			break;
		case MHP_ZONE_DMA32:
			hi_dma32 = end > hi_dma32 ? end : hi_dma32;
			break;
		case MHP_ZONE_NORMAL:
			low_normal = start < low_normal ? start : low_normal;
			break;
		}
	}
	if (low_normal < dma32)
		dma32 = low_normal;
	if (hi_dma32 > dma32)
		dma32 = hi_dma32;
	if (hi_dma > dma)
		dma = hi_dma;
	if (dma > dma32)
		dma32 = dma;
	cfg->dma_end = dma;
	cfg->dma32_end = dma32;
}

static int add_boot(struct mhpfs_seed *s, size_t *cap, uint64_t start, uint64_t end, int nid)
{
	struct mhp_mem_range *last = s->nr_boot ? &s->boot[s->nr_boot - 1] : NULL;

	if (last && last->end == start && last->nid == nid) {
		last->end = end;
		return 0;
	}
	if (s->nr_boot == *cap) {
		size_t ncap = *cap ? *cap * 2 : 64;
		struct mhp_mem_range *nb = realloc(s->boot, ncap * sizeof(*nb));

		if (!nb)
			return -ENOMEM;
		s->boot = nb;
		*cap = ncap;
	}
	s->boot[s->nr_boot++] = (struct mhp_mem_range){ start, end, nid };
	return 0;
}

static int build_machine(struct seedctx *c, struct mhpfs_seed *s, struct mhpfs_machine *m)
{
	struct mhp_config *cfg = &m->cfg;
	uint64_t bs = c->block_size, top, low_end = 0;
	size_t cap = 0, nact = 0;
	bool high = false;

	for (size_t i = 0; i < s->nr_blocks; i++) {
		const struct mhpfs_seed_block *b = &s->blocks[i];
		uint64_t start = b->id * bs, mask = b->node_mask ? b->node_mask : 1;
		unsigned int k = (unsigned int)__builtin_popcountll(mask), piece = 0;
		uint64_t step = (bs / k) & ~(uint64_t)(MHP_PAGE_SIZE - 1);

		/* a block on several nodes: split it between them, lowest node first */
		for (int nid = 0; nid < MHP_MAX_NUMNODES; nid++) {
			uint64_t a, e;

			if (!(mask & (1ULL << nid)))
				continue;
			a = start + piece * step;
			e = ++piece == k ? start + bs : a + step;
			if (add_boot(s, &cap, a, e, nid))
				return fail(c, -ENOMEM, "out of memory");
		}
		if (start + bs <= 4 * GiB)
			low_end = start + bs;
		else
			high = true;
	}

	top = s->blocks[s->nr_blocks - 1].id * bs + bs;
	while (cfg->phys_bits < MAX_PHYS_BITS && top > (1ULL << cfg->phys_bits))
		cfg->phys_bits++;
	if (top > (1ULL << cfg->phys_bits))
		return fail(c, -E2BIG, "memory ends beyond %d physical address bits",
			    MAX_PHYS_BITS);
	cfg->block_size = bs;
	cfg->boot = s->boot;
	cfg->nr_boot = s->nr_boot;
	cfg->numa = NULL;
	cfg->nr_numa = 0;
	cfg->kernelcore = (struct mhp_size_or_percent){ 0, 0 };
	cfg->movablecore = (struct mhp_size_or_percent){ 0, 0 };
	zone_bounds(s, bs, cfg);
	m->nr_dimms = 0;

	/* x86: the 32-bit PCI window below 4 GiB is busy iomem whenever RAM continues above it */
	cfg->reserved = m->reserved;
	cfg->nr_reserved = 0;
	if (high && low_end && low_end < 4 * GiB && cfg->dma32_end == 4 * GiB) {
		m->reserved[0] = (struct mhp_mem_range){ low_end, 4 * GiB, MHP_NUMA_NO_NODE };
		cfg->nr_reserved = 1;
	}

	/* offline, highest first, what must not stay kernel memory; then online the Movable ones */
	s->actions = calloc(s->nr_blocks * 2 + 1, sizeof(*s->actions));
	if (!s->actions)
		return fail(c, -ENOMEM, "out of memory");
	for (size_t i = s->nr_blocks; i-- > 0;) {
		const struct mhpfs_seed_block *b = &s->blocks[i];

		if (b->state == MHP_STATE_OFFLINE || online_zone(b) == MHP_ZONE_MOVABLE)
			s->actions[nact++] = (struct mhpfs_seed_action){ b->id, MHP_MMOP_OFFLINE };
	}
	for (size_t i = 0; i < s->nr_blocks; i++)
		if (online_zone(&s->blocks[i]) == MHP_ZONE_MOVABLE)
			s->actions[nact++] = (struct mhpfs_seed_action){ s->blocks[i].id,
									 MHP_MMOP_ONLINE_MOVABLE };
	s->nr_actions = nact;
	return 0;
}

int mhpfs_seed_load(const char *sysroot, struct mhpfs_machine *m, struct mhpfs_seed **ret,
		    char *err, size_t errlen)
{
	struct seedctx c = {
		.root = sysroot, .err = err, .errlen = errlen, .rootfd = -1, .memfd = -1
	};
	struct mhpfs_machine *work;
	struct mhpfs_seed *s;
	char buf[MHPFS_SYSFS_PAGE];
	unsigned long long bs;
	int r;

	s = calloc(1, sizeof(*s));
	work = malloc(sizeof(*work));
	if (!s || !work || !(s->root = strdup(sysroot))) {
		free(work);
		mhpfs_seed_free(s);
		return fail(&c, -ENOMEM, "out of memory");
	}
	*work = *m;

	c.rootfd = open(sysroot, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (c.rootfd < 0) {
		r = fail(&c, -errno, "%s", strerror(errno));
		goto out;
	}
	c.memfd = open_dir_beneath(c.rootfd, "sys/devices/system/memory");
	if (c.memfd < 0) {
		r = fail(&c, c.memfd, "sys/devices/system/memory: %s", strerror(-c.memfd));
		goto out;
	}
	r = read_attr(c.memfd, "block_size_bytes", buf, sizeof(buf));
	if (r < 0) {
		r = fail(&c, r, "block_size_bytes: %s", strerror(-r));
		goto out;
	}
	if (mhp_kstrtoull(buf, 16, &bs) || bs < MHP_MIN_BLOCK_SIZE || (bs & (bs - 1)) ||
	    bs > (1ULL << 40)) {
		r = fail(&c, -EINVAL,
			 "block_size_bytes: '%.32s' is not a power of two of 32K..1T in hex", buf);
		goto out;
	}
	c.block_size = bs;

	r = read_blocks(&c, s);
	if (!r)
		r = read_nodes(&c, s, work);
	if (!r)
		r = read_params(&c, work);
	if (!r)
		r = build_machine(&c, s, work);
out:
	if (c.memfd >= 0)
		close(c.memfd);
	if (c.rootfd >= 0)
		close(c.rootfd);
	if (r) {
		free(work);
		mhpfs_seed_free(s);
		return r;
	}
	*m = *work;
	/* the boot ranges stay in the seed; the rest points into the machine itself */
	m->cfg.reserved = m->reserved;
	m->cfg.numa = m->numa;
	free(work);
	*ret = s;
	return 0;
}

/* ---- applying -------------------------------------------------------------------------------- */

static int apply_fail(const struct mhpfs_seed *s, char *err, size_t errlen, int r, const char *fmt,
		      ...) __attribute__((format(printf, 5, 6)));

static int apply_fail(const struct mhpfs_seed *s, char *err, size_t errlen, int r, const char *fmt,
		      ...)
{
	char msg[384];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	snprintf(err, errlen, "seed %s: %s", s->root, msg);
	return r;
}

int mhpfs_seed_apply(struct mhp_engine *e, const struct mhpfs_seed *s, char *err, size_t errlen)
{
	struct mhp_uevent ev;
	unsigned long id, count = 0;
	int diffs = 0;

	for (size_t i = 0; i < s->nr_actions; i++) {
		const struct mhpfs_seed_action *a = &s->actions[i];
		struct mhp_block *b = mhp_block_get(e, a->id);
		int r;

		if (!b)
			return apply_fail(s, err, errlen, -EPROTO, "memory%lu was not created",
					  a->id);
		r = mhp_block_store_state(e, b, a->type, NULL);
		mhp_block_put(b);
		if (r < 0)
			return apply_fail(s, err, errlen, r, "memory%lu: writing %s to state: %s",
					  a->id, mhp_online_type_to_str(a->type), strerror(-r));
	}
	while (mhp_event_pop(e, &ev) == 0)
		;

	for (id = 0; mhp_block_next_id(e, id, &id) == 0; id++)
		count++;
	if (count != s->nr_blocks)
		return apply_fail(s, err, errlen, -EPROTO, "%lu blocks emulated, %zu in the source",
				  count, s->nr_blocks);
	for (size_t i = 0; i < s->nr_blocks; i++) {
		const struct mhpfs_seed_block *sb = &s->blocks[i];
		struct mhp_block *b = mhp_block_get(e, sb->id);
		char vz[32];
		int st, r;
		uint64_t nodes;

		if (!b)
			return apply_fail(s, err, errlen, -EPROTO, "memory%lu is missing", sb->id);
		st = mhp_block_state(b);
		nodes = mhp_block_node_mask(b);
		r = mhp_block_valid_zones(e, b, vz, sizeof(vz));
		mhp_block_put(b);
		if (st != sb->state)
			return apply_fail(
				s, err, errlen, -EPROTO, "memory%lu is %s, the source's is %s",
				sb->id, mhp_block_state_name(st), mhp_block_state_name(sb->state));
		if (nodes != (sb->node_mask ? sb->node_mask : 1))
			return apply_fail(s, err, errlen, -EPROTO,
					  "memory%lu has other nodes than the source's", sb->id);
		if (r > 0 && vz[r - 1] == '\n')
			vz[r - 1] = '\0';
		if (sb->valid_zones[0] && (r < 0 || strcmp(vz, sb->valid_zones))) {
			if (!diffs++)
				apply_fail(s, err, errlen, 0,
					   "memory%lu/valid_zones is '%s', the source's is '%s'",
					   sb->id, r < 0 ? "?" : vz, sb->valid_zones);
		}
		if (sb->removable == 0) {
			/* CONFIG_MEMORY_HOTREMOVE makes every block removable; the source had none */
			if (!diffs++)
				apply_fail(s, err, errlen, 0,
					   "memory%lu/removable is 1, the source's is 0", sb->id);
		}
	}
	return diffs;
}

void mhpfs_seed_free(struct mhpfs_seed *s)
{
	if (!s)
		return;
	free(s->root);
	free(s->boot);
	free(s->blocks);
	free(s->actions);
	free(s);
}
