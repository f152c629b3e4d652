// SPDX-License-Identifier: MIT
/*
 * test-seed.c - seeding a machine from a system root (fusefs/seed.c): what is read from the
 * sysfs tree, that the seeded engine shows every block in the source's state, zone and node,
 * that the source is never written, and that hostile trees (links, FIFOs, odd names, huge
 * values) are refused or ignored without escaping the root.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <check.h>

#include "machine-file.h"
#include "memhotplugfs.h"
#include "seed.h"

#define GiB (1ULL << 30)
#define MiB (1ULL << 20)

static char root[64];

/* ---- building trees ------------------------------------------------------------------------ */

static void mkdirs(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void put(const char *content, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void lnk(const char *target, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void vpath(char *buf, size_t len, const char *fmt, va_list ap)
	__attribute__((format(printf, 3, 0)));

static void vpath(char *buf, size_t len, const char *fmt, va_list ap)
{
	size_t n = (size_t)snprintf(buf, len, "%s/", root);

	vsnprintf(buf + n, len - n, fmt, ap);
}

static void mkdir_p(char *p)
{
	for (char *s = p + 1; *s; s++) {
		if (*s != '/')
			continue;
		*s = '\0';
		mkdir(p, 0755);
		*s = '/';
	}
	mkdir(p, 0755);
}

static void mkdirs(const char *fmt, ...)
{
	char p[512];
	va_list ap;

	va_start(ap, fmt);
	vpath(p, sizeof(p), fmt, ap);
	va_end(ap);
	mkdir_p(p);
}

static void put(const char *content, const char *fmt, ...)
{
	char p[512], *slash;
	va_list ap;
	FILE *f;

	va_start(ap, fmt);
	vpath(p, sizeof(p), fmt, ap);
	va_end(ap);
	slash = strrchr(p, '/');
	*slash = '\0';
	mkdir_p(p);
	*slash = '/';
	f = fopen(p, "w");
	ck_assert_msg(f != NULL, "%s", p);
	fputs(content, f);
	fclose(f);
}

static void lnk(const char *target, const char *fmt, ...)
{
	char p[512], *slash;
	va_list ap;

	va_start(ap, fmt);
	vpath(p, sizeof(p), fmt, ap);
	va_end(ap);
	slash = strrchr(p, '/');
	*slash = '\0';
	mkdir_p(p);
	*slash = '/';
	ck_assert_msg(symlink(target, p) == 0, "%s: %s", p, strerror(errno));
}

#define MEM "sys/devices/system/memory"
#define NODE "sys/devices/system/node"
#define PARAMS "sys/module/memory_hotplug/parameters"

/* A block as the kernel shows it. */
static void block(unsigned long id, const char *state, const char *zones, int nid)
{
	char buf[64];

	mkdirs(MEM "/memory%lu/power", id);
	snprintf(buf, sizeof(buf), "%s\n", state);
	put(buf, MEM "/memory%lu/state", id);
	put(strcmp(state, "offline") ? "1\n" : "0\n", MEM "/memory%lu/online", id);
	snprintf(buf, sizeof(buf), "%s\n", zones);
	put(buf, MEM "/memory%lu/valid_zones", id);
	put("1\n", MEM "/memory%lu/removable", id);
	put("0\n", MEM "/memory%lu/phys_device", id);
	snprintf(buf, sizeof(buf), "%08lx\n", id);
	put(buf, MEM "/memory%lu/phys_index", id);
	put("", MEM "/memory%lu/uevent", id);
	lnk("../../../../bus/memory", MEM "/memory%lu/subsystem", id);
	if (nid >= 0) {
		snprintf(buf, sizeof(buf), "../../node/node%d", nid);
		lnk(buf, MEM "/memory%lu/node%d", id, nid);
		snprintf(buf, sizeof(buf), "../../memory/memory%lu", id);
		lnk(buf, NODE "/node%d/memory%lu", nid, id);
	}
}

static void new_root(void)
{
	snprintf(root, sizeof(root), "/tmp/mhpfs-seed.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(root));
}

static int rm_one(const char *p, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(p);
}

static void drop_root(void)
{
	if (root[0])
		nftw(root, rm_one, 16, FTW_DEPTH | FTW_PHYS);
	root[0] = '\0';
}

/* The reference VM (SPEC §0): 128 MiB blocks 0..23 and 32..199 on node 0, all online. */
static void reference_tree(void)
{
	new_root();
	put("8000000\n", MEM "/block_size_bytes");
	put("offline\n", MEM "/auto_online_blocks");
	put("", MEM "/uevent");
	for (unsigned long id = 0; id < 200; id++) {
		if (id >= 24 && id < 32)
			continue;
		block(id, "online", id == 0 ? "none" : id < 24 ? "DMA32" : "Normal", 0);
	}
	put("0\n", NODE "/possible");
	put("0\n", NODE "/online");
	put("0\n", NODE "/has_cpu");
	put("0\n", NODE "/has_memory");
	put("0-1\n", NODE "/node0/cpulist");
	put("10\n", NODE "/node0/distance");
	put("Y\n", PARAMS "/auto_movable_numa_aware");
	put("301\n", PARAMS "/auto_movable_ratio");
	put("N\n", PARAMS "/memmap_on_memory");
	put("contig-zones\n", PARAMS "/online_policy");
}

static void default_machine(struct mhpfs_machine *m)
{
	memset(m, 0, sizeof(*m));
	mhp_config_init(&m->cfg);
	m->boot[0] = (struct mhp_mem_range){ 4 * GiB, 8 * GiB, 0 };
	m->cfg.nr_boot = 1;
	m->cfg.boot = m->boot;
	m->nr_cpus = 1;
	m->probe = true;
	m->inject = true;
}

static struct mhp_engine *seed_engine(struct mhpfs_machine *m, struct mhpfs_seed **ret_s,
				      int *ret_diffs, char *err, size_t errlen)
{
	struct mhp_engine *e = NULL;
	int r;

	default_machine(m);
	r = mhpfs_seed_load(root, m, ret_s, err, errlen);
	ck_assert_msg(r == 0, "seed load: %d %s", r, err);
	r = mhp_engine_new(&m->cfg, &e);
	ck_assert_msg(r == 0, "engine: %d", r);
	*ret_diffs = mhpfs_seed_apply(e, *ret_s, err, errlen);
	return e;
}

static const char *vz(struct mhp_engine *e, unsigned long id, char *buf)
{
	struct mhp_block *b = mhp_block_get(e, id);

	ck_assert_msg(b != NULL, "memory%lu does not exist", id);
	ck_assert_int_gt(mhp_block_valid_zones(e, b, buf, 32), 0);
	mhp_block_put(b);
	return buf;
}

static int state(struct mhp_engine *e, unsigned long id)
{
	struct mhp_block *b = mhp_block_get(e, id);
	int st;

	ck_assert_msg(b != NULL, "memory%lu does not exist", id);
	st = mhp_block_state(b);
	mhp_block_put(b);
	return st;
}

static unsigned long count_blocks(struct mhp_engine *e)
{
	unsigned long n = 0;

	for (unsigned long id = 0; mhp_block_next_id(e, id, &id) == 0; id++)
		n++;
	return n;
}

/* ---- a fingerprint of the whole source tree: names, types, modes, mtimes and contents ---- */

static char *fp_buf;
static size_t fp_len, fp_cap;

static void fp_add(const char *s, size_t n)
{
	if (fp_len + n + 1 > fp_cap) {
		fp_cap = (fp_len + n + 1) * 2;
		fp_buf = realloc(fp_buf, fp_cap);
		ck_assert_ptr_nonnull(fp_buf);
	}
	memcpy(fp_buf + fp_len, s, n);
	fp_len += n;
	fp_buf[fp_len] = '\0';
}

static int fp_one(const char *p, const struct stat *st, int flag, struct FTW *ftw)
{
	char line[768], data[4096];
	(void)flag;
	(void)ftw;

	snprintf(line, sizeof(line), "%s %o %lld.%09ld %lld.%09ld %lld\n", p, st->st_mode,
		 (long long)st->st_mtim.tv_sec, st->st_mtim.tv_nsec, (long long)st->st_ctim.tv_sec,
		 st->st_ctim.tv_nsec, (long long)st->st_size);
	fp_add(line, strlen(line));
	if (S_ISREG(st->st_mode)) {
		int fd = open(p, O_RDONLY);
		ssize_t n;

		if (fd >= 0) {
			while ((n = read(fd, data, sizeof(data))) > 0)
				fp_add(data, (size_t)n);
			close(fd);
		}
	}
	return 0;
}

static char *fingerprint(void)
{
	fp_buf = NULL;
	fp_len = fp_cap = 0;
	fp_add("", 0);
	nftw(root, fp_one, 16, FTW_PHYS);
	return fp_buf;
}

/* ---- the reference VM ----------------------------------------------------------------------- */

START_TEST(test_reference_vm)
{
	struct mhpfs_machine m;
	struct mhpfs_seed *s;
	struct mhp_uevent ev;
	char err[512], buf[32], *before, *after;
	int diffs;
	struct mhp_engine *e;

	reference_tree();
	before = fingerprint();
	e = seed_engine(&m, &s, &diffs, err, sizeof(err));
	ck_assert_msg(diffs == 0, "%d: %s", diffs, err);

	ck_assert_uint_eq(m.cfg.block_size, 128 * MiB);
	ck_assert_uint_eq(m.cfg.nr_nodes, 1);
	ck_assert_uint_eq(m.nr_cpus, 2);
	ck_assert_uint_eq(m.cfg.cpu_nodes, 1);
	ck_assert_uint_eq(m.distance[0][0], 10);
	ck_assert(!m.probe);
	ck_assert_uint_eq(m.cfg.dma_end, 16 * MiB);
	ck_assert_uint_eq(m.cfg.dma32_end, 4 * GiB);
	ck_assert_uint_eq(m.cfg.nr_boot, 2);
	ck_assert_uint_eq(m.cfg.boot[0].start, 0);
	ck_assert_uint_eq(m.cfg.boot[0].end, 3 * GiB);
	ck_assert_uint_eq(m.cfg.boot[1].start, 4 * GiB);
	ck_assert_uint_eq(m.cfg.boot[1].end, 25 * GiB);
	/* the PCI window between the end of low memory and 4 GiB is busy */
	ck_assert_uint_eq(m.cfg.nr_reserved, 1);
	ck_assert_uint_eq(m.cfg.reserved[0].start, 3 * GiB);
	ck_assert_uint_eq(m.cfg.reserved[0].end, 4 * GiB);
	ck_assert_uint_eq(s->nr_blocks, 192);
	ck_assert_uint_eq(s->nr_actions, 0);

	ck_assert_uint_eq(count_blocks(e), 192);
	ck_assert_str_eq(vz(e, 0, buf), "none\n");
	ck_assert_str_eq(vz(e, 23, buf), "DMA32\n");
	ck_assert_str_eq(vz(e, 32, buf), "Normal\n");
	ck_assert_str_eq(vz(e, 199, buf), "Normal\n");
	ck_assert_ptr_null(mhp_block_get(e, 24));
	ck_assert_ptr_null(mhp_block_get(e, 200));
	ck_assert_int_eq(mhp_get_auto_online(e), MHP_MMOP_OFFLINE);
	ck_assert_int_eq(mhp_event_pop(e, &ev), -EAGAIN);
	/* and it stays a kernel: offline, a second offline, hot-add into the hole */
	{
		struct mhp_block *b = mhp_block_get(e, 100);

		ck_assert_int_eq(mhp_block_store_state(e, b, MHP_MMOP_OFFLINE, NULL), 0);
		ck_assert_int_eq(mhp_block_store_state(e, b, MHP_MMOP_OFFLINE, NULL), -EINVAL);
		mhp_block_put(b);
		ck_assert_str_eq(vz(e, 100, buf), "Normal Movable\n");
		ck_assert_int_eq(mhp_probe(e, 3 * GiB), -EEXIST);
		ck_assert_int_eq(mhp_probe(e, 200 * 128 * MiB), 0);
	}

	after = fingerprint();
	ck_assert_str_eq(before, after);
	free(before);
	free(after);
	mhp_engine_free(e);
	mhpfs_seed_free(s);
	drop_root();
}
END_TEST

/* ---- history: offline blocks, Movable blocks, two nodes, a block on both ------------------- */

START_TEST(test_history)
{
	static const struct {
		unsigned long id;
		const char *state;
		const char *zones;
	} expect[] = {
		{ 32, "online", "Normal" },	      { 55, "online", "Normal" },
		{ 56, "online", "Movable" },	      { 59, "online", "Movable" },
		{ 60, "offline", "Movable Normal" },  { 61, "online", "Movable" },
		{ 62, "online", "Movable" },	      { 63, "offline", "Normal Movable" },
		{ 64, "online", "Normal" },	      { 96, "online", "none" },
		{ 80, "offline", "Normal Movable" },  { 95, "online", "Normal" },
		{ 100, "offline", "Normal Movable" },
	};
	struct mhpfs_machine m;
	struct mhpfs_seed *s;
	struct mhp_uevent ev;
	char err[512], buf[32], *before, *after;
	struct mhp_engine *e;
	int diffs;

	new_root();
	put("8000000\n", MEM "/block_size_bytes");
	put("online_movable\n", MEM "/auto_online_blocks");
	put("", MEM "/probe");
	for (unsigned long id = 32; id < 64; id++) {
		const char *st = "online", *z = "Normal";

		if (id >= 56)
			z = "Movable";
		if (id == 60) {
			st = "offline";
			z = "Movable Normal";
		}
		if (id == 63) {
			st = "offline";
			z = "Normal Movable";
		}
		block(id, st, z, 0);
	}
	for (unsigned long id = 64; id < 96; id++)
		block(id, id == 80 ? "offline" : "online", id == 80 ? "Normal Movable" : "Normal",
		      1);
	/* block 96 is shared by nodes 1 and 2: registered under each, zone "none" */
	block(96, "online", "none", 1);
	lnk("../../node/node2", MEM "/memory96/node2");
	block(100, "offline", "Normal Movable", 1);
	put("0-2\n", NODE "/possible");
	put("0-1\n", NODE "/node0/cpulist");
	put("10 21 21\n", NODE "/node0/distance");
	put("2-3\n", NODE "/node1/cpulist");
	put("21 10 21\n", NODE "/node1/distance");
	put("\n", NODE "/node2/cpulist");
	put("21 21 10\n", NODE "/node2/distance");
	put("200\n", PARAMS "/auto_movable_ratio");
	put("N\n", PARAMS "/auto_movable_numa_aware");
	put("Y\n", PARAMS "/memmap_on_memory");
	put("contig-zones\n", PARAMS "/online_policy");
	put("BOOT_IMAGE=/vmlinuz root=/dev/vda1 movable_node_x quiet\n", "proc/cmdline");
	before = fingerprint();

	e = seed_engine(&m, &s, &diffs, err, sizeof(err));
	ck_assert_msg(diffs == 0, "%d: %s", diffs, err);
	ck_assert_uint_eq(m.cfg.nr_nodes, 3);
	ck_assert_uint_eq(m.nr_cpus, 4);
	ck_assert_int_eq(m.cpu_node[2], 1);
	ck_assert_uint_eq(m.cfg.cpu_nodes, 3);
	ck_assert_uint_eq(m.distance[0][1], 21);
	ck_assert_uint_eq(m.distance[1][0], 21);
	ck_assert(m.probe);
	ck_assert(!m.cfg.movable_node); /* "movable_node_x" is another word */
	ck_assert_uint_eq(m.cfg.nr_reserved, 0);
	ck_assert_int_eq(m.cfg.auto_online, MHP_MMOP_ONLINE_MOVABLE);
	ck_assert_uint_eq(m.cfg.auto_movable_ratio, 200);
	ck_assert(!m.cfg.auto_movable_numa_aware);
	ck_assert_int_eq(m.cfg.memmap_on_memory, MHP_MEMMAP_ON);
	ck_assert_uint_eq(m.distance[2][0], 21);
	ck_assert_uint_eq(m.distance[2][2], 10);
	/* block 96 split between its nodes */
	ck_assert_uint_eq(m.cfg.nr_boot, 4);
	ck_assert_uint_eq(m.cfg.boot[0].start, 4 * GiB);
	ck_assert_uint_eq(m.cfg.boot[0].end, 8 * GiB);
	ck_assert_int_eq(m.cfg.boot[1].nid, 1);
	ck_assert_uint_eq(m.cfg.boot[1].start, 8 * GiB);
	ck_assert_uint_eq(m.cfg.boot[1].end, 12 * GiB + 64 * MiB);
	ck_assert_int_eq(m.cfg.boot[2].nid, 2);
	ck_assert_uint_eq(m.cfg.boot[2].end, 12 * GiB + 128 * MiB);
	ck_assert_uint_eq(m.cfg.boot[3].start, 100 * 128 * MiB);
	ck_assert_int_eq(m.cfg.boot[3].nid, 1);

	ck_assert_uint_eq(count_blocks(e), 32 + 32 + 1 + 1);
	for (size_t i = 0; i < sizeof(expect) / sizeof(expect[0]); i++) {
		char want[40];

		snprintf(want, sizeof(want), "%s\n", expect[i].zones);
		ck_assert_msg(!strcmp(vz(e, expect[i].id, buf), want), "memory%lu: '%s' != '%s'",
			      expect[i].id, buf, expect[i].zones);
		ck_assert_str_eq(mhp_block_state_name(state(e, expect[i].id)), expect[i].state);
	}
	{
		struct mhp_block *b = mhp_block_get(e, 96);

		ck_assert_uint_eq(mhp_block_node_mask(b), 6);
		mhp_block_put(b);
	}
	/* the seeding's own online/offline events are history, not news */
	ck_assert_int_eq(mhp_event_pop(e, &ev), -EAGAIN);
	/* from here on the kernel: Movable onlines again into the Movable span */
	{
		struct mhp_block *b = mhp_block_get(e, 60);

		ck_assert_int_eq(mhp_block_store_state(e, b, MHP_MMOP_ONLINE, NULL), 0);
		mhp_block_put(b);
		ck_assert_str_eq(vz(e, 60, buf), "Movable\n");
		ck_assert_int_eq(mhp_event_pop(e, &ev), 0);
		ck_assert_int_eq(ev.action, MHP_KOBJ_ONLINE);
		ck_assert_uint_eq(ev.id, 60);
	}

	after = fingerprint();
	ck_assert_str_eq(before, after);
	free(before);
	free(after);
	mhp_engine_free(e);
	mhpfs_seed_free(s);
	drop_root();
}
END_TEST

START_TEST(test_movable_node_cmdline_and_no_numa)
{
	struct mhpfs_machine m;
	struct mhpfs_seed *s;
	char err[512], buf[32];
	struct mhp_engine *e;
	int diffs;

	/* a kernel without NUMA: no node links, no node directory; cpus from cpu/present */
	new_root();
	put("8000000\n", MEM "/block_size_bytes");
	for (unsigned long id = 32; id < 40; id++)
		block(id, id == 39 ? "offline" : "online", id == 39 ? "Movable Normal" : "Normal",
		      -1);
	put("0-7\n", "sys/devices/system/cpu/present");
	put("root=/dev/sda movable_node\n", "proc/cmdline");
	e = seed_engine(&m, &s, &diffs, err, sizeof(err));
	ck_assert_msg(diffs == 0, "%d: %s", diffs, err);
	ck_assert(m.cfg.movable_node);
	ck_assert_uint_eq(m.cfg.nr_nodes, 1);
	ck_assert_uint_eq(m.nr_cpus, 8);
	ck_assert_str_eq(vz(e, 39, buf), "Movable Normal\n");
	mhp_engine_free(e);
	mhpfs_seed_free(s);
	drop_root();
}
END_TEST

START_TEST(test_differences_are_reported)
{
	struct mhpfs_machine m;
	struct mhpfs_seed *s;
	char err[512], want[600];
	struct mhp_engine *e;
	int diffs;

	/* a zone list no kernel with these blocks would print, and a pre-5.7 "removable" */
	new_root();
	put("8000000\n", MEM "/block_size_bytes");
	for (unsigned long id = 32; id < 36; id++)
		block(id, "online", "Normal", 0);
	block(36, "offline", "Movable Normal", 0);
	put("0\n", MEM "/memory33/removable");
	e = seed_engine(&m, &s, &diffs, err, sizeof(err));
	ck_assert_int_eq(diffs, 2);
	snprintf(want, sizeof(want), "seed %s: memory33/removable is 1, the source's is 0", root);
	ck_assert_str_eq(err, want);
	mhp_engine_free(e);
	mhpfs_seed_free(s);
	drop_root();
}
END_TEST

/* ---- hostile and broken trees ----------------------------------------------------------------- */

static int seed_err(char *err, size_t errlen)
{
	struct mhpfs_machine m;
	struct mhpfs_seed *s = NULL;
	int r;

	default_machine(&m);
	r = mhpfs_seed_load(root, &m, &s, err, errlen);
	if (r == 0)
		mhpfs_seed_free(s);
	return r;
}

START_TEST(test_refuses_links_and_junk)
{
	char err[512], want[600], outside[64];
	struct mhpfs_machine m;
	struct mhpfs_seed *s;
	int r;

	/* a memory directory that is a link to the real thing is not followed */
	new_root();
	mkdirs("sys/devices/system");
	lnk("/sys/devices/system/memory", MEM);
	r = seed_err(err, sizeof(err));
	ck_assert_int_eq(r, -ENOTDIR); /* O_DIRECTORY | O_NOFOLLOW on a link */
	snprintf(want, sizeof(want), "seed %s: sys/devices/system/memory: %s", root,
		 strerror(ENOTDIR));
	ck_assert_str_eq(err, want);
	drop_root();

	/* nor is an attribute that is a link out of the root */
	snprintf(outside, sizeof(outside), "/tmp/mhpfs-outside.XXXXXX");
	ck_assert_int_ge(mkstemp(outside), 0);
	new_root();
	put("8000000\n", MEM "/block_size_bytes");
	block(32, "online", "Normal", 0);
	unlink(strcat(strcpy(want, root), "/" MEM "/memory32/state"));
	lnk(outside, MEM "/memory32/state");
	r = seed_err(err, sizeof(err));
	ck_assert_int_eq(r, -ELOOP);
	drop_root();
	unlink(outside);

	/* a FIFO does not block the reader */
	new_root();
	put("8000000\n", MEM "/block_size_bytes");
	block(32, "online", "Normal", 0);
	strcat(strcpy(want, root), "/" MEM "/memory32/valid_zones");
	unlink(want);
	ck_assert_int_eq(mkfifo(want, 0644), 0);
	r = seed_err(err, sizeof(err));
	ck_assert_int_eq(r, 0); /* valid_zones is optional: an unreadable one counts as missing */
	drop_root();

	/* names that are not memoryN / nodeN, or N out of range, are ignored */
	new_root();
	put("8000000\n", MEM "/block_size_bytes");
	block(32, "online", "Normal", 0);
	mkdirs(MEM "/memory033");
	mkdirs(MEM "/memoryX");
	mkdirs(MEM "/memory99999999999999999999999");
	mkdirs(MEM "/memory%llu", (1ULL << 52) / (128 * MiB)); /* beyond 52 physical bits */
	put("", MEM "/memory34"); /* a file, not a directory */
	lnk("../../node/node64", MEM "/memory32/node64");
	lnk("../../node/node01", MEM "/memory32/node01");
	put("", MEM "/memory32/node2"); /* not a link */
	default_machine(&m);
	r = mhpfs_seed_load(root, &m, &s, err, sizeof(err));
	ck_assert_msg(r == 0, "%s", err);
	ck_assert_uint_eq(s->nr_blocks, 1);
	ck_assert_uint_eq(s->blocks[0].id, 32);
	ck_assert_uint_eq(s->blocks[0].node_mask, 1);
	ck_assert_uint_eq(m.cfg.nr_nodes, 1);
	mhpfs_seed_free(s);
	drop_root();
}
END_TEST

START_TEST(test_bad_values)
{
	char err[512], want[600], *big;

	new_root();
	ck_assert_int_eq(seed_err(err, sizeof(err)), -ENOENT);
	snprintf(want, sizeof(want), "seed %s: sys/devices/system/memory: %s", root,
		 strerror(ENOENT));
	ck_assert_str_eq(err, want);

	put("3000\n", MEM "/block_size_bytes");
	ck_assert_int_eq(seed_err(err, sizeof(err)), -EINVAL);
	snprintf(want, sizeof(want),
		 "seed %s: block_size_bytes: '3000' is not a power of two of 32K..1T in hex", root);
	ck_assert_str_eq(err, want);

	put("8000000\n", MEM "/block_size_bytes");
	ck_assert_int_eq(seed_err(err, sizeof(err)), -ENOENT);
	snprintf(want, sizeof(want), "seed %s: sys/devices/system/memory has no memory blocks",
		 root);
	ck_assert_str_eq(err, want);

	block(32, "online", "Normal", 0);
	put("Online\n", MEM "/memory32/state");
	ck_assert_int_eq(seed_err(err, sizeof(err)), -EINVAL);
	snprintf(want, sizeof(want), "seed %s: memory32/state: unexpected 'Online'", root);
	ck_assert_str_eq(err, want);

	put("online\n", MEM "/memory32/state");
	put("00000021\n", MEM "/memory32/phys_index");
	ck_assert_int_eq(seed_err(err, sizeof(err)), -EINVAL);
	snprintf(want, sizeof(want), "seed %s: memory32/phys_index: '00000021' is not the block id",
		 root);
	ck_assert_str_eq(err, want);

	put("00000020\n", MEM "/memory32/phys_index");
	big = malloc(5000);
	ck_assert_ptr_nonnull(big);
	memset(big, 'N', 4999);
	big[4999] = '\0';
	put(big, MEM "/memory32/valid_zones");
	free(big);
	ck_assert_int_eq(seed_err(err, sizeof(err)), 0); /* optional file: too long = unusable */
	put("Normal\n", MEM "/memory32/valid_zones");
	put("0-1,x\n", NODE "/possible");
	ck_assert_int_eq(seed_err(err, sizeof(err)), -EINVAL);
	snprintf(want, sizeof(want), "seed %s: node/possible: '0-1,x' is not a node list of 0..63",
		 root);
	ck_assert_str_eq(err, want);

	put("0\n", NODE "/possible");
	put("sometimes\n", MEM "/auto_online_blocks");
	ck_assert_int_eq(seed_err(err, sizeof(err)), -EINVAL);
	snprintf(want, sizeof(want), "seed %s: auto_online_blocks: unexpected 'sometimes'", root);
	ck_assert_str_eq(err, want);
	drop_root();

	{
		struct mhpfs_machine m;
		struct mhpfs_seed *s;

		default_machine(&m);
		ck_assert_int_eq(mhpfs_seed_load("/nonexistent-root", &m, &s, err, sizeof(err)),
				 -ENOENT);
	}
	ck_assert_str_eq(err, "seed /nonexistent-root: No such file or directory");
}
END_TEST

/* ---- this host, read-only --------------------------------------------------------------------- */

START_TEST(test_this_host)
{
	struct mhpfs_machine m;
	struct mhpfs_seed *s;
	struct mhp_engine *e;
	char err[512];
	int r, diffs;

	if (access("/sys/devices/system/memory/block_size_bytes", R_OK) != 0)
		return; /* no memory blocks on this host: nothing to compare */
	default_machine(&m);
	r = mhpfs_seed_load("/", &m, &s, err, sizeof(err));
	ck_assert_msg(r == 0, "%s", err);
	r = mhp_engine_new(&m.cfg, &e);
	ck_assert_int_eq(r, 0);
	diffs = mhpfs_seed_apply(e, s, err, sizeof(err));
	ck_assert_msg(diffs == 0, "%d: %s", diffs, err);
	ck_assert_uint_eq(count_blocks(e), s->nr_blocks);
	mhp_engine_free(e);
	mhpfs_seed_free(s);
}
END_TEST

static Suite *seed_suite(void)
{
	Suite *s = suite_create("seed");
	TCase *tc;

	tc = tcase_create("reproduce");
	tcase_add_checked_fixture(tc, NULL, drop_root);
	tcase_add_test(tc, test_reference_vm);
	tcase_add_test(tc, test_history);
	tcase_add_test(tc, test_movable_node_cmdline_and_no_numa);
	tcase_add_test(tc, test_differences_are_reported);
	tcase_add_test(tc, test_this_host);
	suite_add_tcase(s, tc);

	tc = tcase_create("safety");
	tcase_add_checked_fixture(tc, NULL, drop_root);
	tcase_add_test(tc, test_refuses_links_and_junk);
	tcase_add_test(tc, test_bad_values);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(seed_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
