// SPDX-License-Identifier: MIT
/*
 * fusefs/tree.c - the virtual sysfs tree: keys, inode numbers, lookup, listing and stat.
 *
 * An inode number is template << 57 | node << 51 | tag << 37 | block-or-cpu and needs no table:
 * a block that appears is visible at once, a block that goes away stops resolving at once.  The
 * tag names the block's incarnation (its engine generation folded into 1..16383), so a block id
 * that comes back after removal gets inode numbers of its own, as a re-created kernfs node does.
 * With the same numbers and a new FUSE generation only, fuse_iget() marked the kernel's inodes of
 * the old incarnation bad, and whatever still held them (open descriptors, a working directory,
 * a path walk under way) got EIO instead of ENODEV or ENOENT.  A number whose tag is not the
 * block's now names a removed block; tag 0 is never a live one.  Tags wrap after 16383
 * generations: then the FUSE generation still tells the two apart, as before.
 *
 * A node directory, its files and its cpu links carry the node's incarnation the same way (the
 * times it came online), so a node removed and added again is a new directory: what still holds
 * the old one gets ENOENT, as from a removed kernfs directory, not the new node's files.  The
 * nodeN/memoryM links carry the block's tag (a node comes back with new blocks only).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <time.h>

#include "memhotplugfs.h"
#include "templates.h"

/*
 * Block ids: the engine takes at most 52 physical address bits (check_config() in
 * core/engine.c) and blocks of at least MHP_MIN_BLOCK_SIZE, so ids stay below 2^37.
 */
#define MAX_PHYS_BITS 52
#define INO_ID_BITS 37
#define INO_TAG_BITS 14
#define INO_NID_BITS 6
#define INO_TAG_SHIFT INO_ID_BITS
#define INO_NID_SHIFT (INO_TAG_SHIFT + INO_TAG_BITS)
#define INO_T_SHIFT (INO_NID_SHIFT + INO_NID_BITS)
#define INO_ID_MASK ((1ULL << INO_ID_BITS) - 1)
#define INO_TAG_MASK ((1ULL << INO_TAG_BITS) - 1)
#define INO_NID_MASK ((1ULL << INO_NID_BITS) - 1)

_Static_assert(T_NR <= 1 << (64 - INO_T_SHIFT), "templates do not fit the inode number");
_Static_assert(MHP_MAX_NUMNODES <= 1 << INO_NID_BITS, "nodes do not fit the inode number");
_Static_assert((1ULL << MAX_PHYS_BITS) / MHP_MIN_BLOCK_SIZE <= 1ULL << INO_ID_BITS,
	       "block ids do not fit the inode number");
_Static_assert(MHPFS_MAX_CPUS <= 1ULL << INO_ID_BITS, "cpus do not fit the inode number");

int mhpfs_layout_root(const struct mhpfs *fs)
{
	return fs->m.layout == MHPFS_LAYOUT_SYSFS ? T_ROOT : T_MEMORY;
}

static bool in_layout(const struct mhpfs *fs, int t)
{
	int root = mhpfs_layout_root(fs);

	for (;;) {
		if (t == root)
			return true;
		if (t == T_ROOT)
			return false;
		t = mhpfs_templates[t].parent;
	}
}

fuse_ino_t mhpfs_key_to_ino(const struct mhpfs *fs, const struct mhpfs_key *k)
{
	if (k->t == mhpfs_layout_root(fs))
		return FUSE_ROOT_ID;
	return ((uint64_t)k->t << INO_T_SHIFT) |
	       (((uint64_t)k->nid & INO_NID_MASK) << INO_NID_SHIFT) |
	       (((uint64_t)k->tag & INO_TAG_MASK) << INO_TAG_SHIFT) | (k->id & INO_ID_MASK);
}

int mhpfs_ino_to_key(const struct mhpfs *fs, fuse_ino_t ino, struct mhpfs_key *ret)
{
	struct mhpfs_key k;

	if (ino == FUSE_ROOT_ID) {
		*ret = (struct mhpfs_key){ .t = mhpfs_layout_root(fs) };
		return 0;
	}
	k.t = (int)(ino >> INO_T_SHIFT);
	k.nid = (int)((ino >> INO_NID_SHIFT) & INO_NID_MASK);
	k.tag = (unsigned int)((ino >> INO_TAG_SHIFT) & INO_TAG_MASK);
	k.id = (unsigned long)(ino & INO_ID_MASK);
	if (k.t <= T_INVALID || k.t >= T_NR || k.t == mhpfs_layout_root(fs) || !in_layout(fs, k.t))
		return -ENOENT;
	*ret = k;
	return 0;
}

static bool node_online(struct mhpfs *fs, int nid)
{
	if (nid < 0 || (unsigned int)nid >= mhp_engine_nr_nodes(fs->e))
		return false;
	return mhp_node_state_mask(fs->e, MHP_N_ONLINE) & (1ULL << nid);
}

/* A node incarnation in inode numbers: 1..INO_TAG_MASK, or 0 for none. */
static unsigned int node_tag_of(uint64_t inc)
{
	return inc ? (unsigned int)((inc - 1) % INO_TAG_MASK) + 1 : 0;
}

/* Node @nid's incarnation in inode numbers: 1..INO_TAG_MASK, or 0 while it is offline. */
unsigned int mhpfs_node_tag(const struct mhpfs *fs, int nid)
{
	return node_tag_of(mhp_node_incarnation(fs->e, nid));
}

/* Whether @k names node @k->nid in the incarnation it is in now. */
static bool node_present(const struct mhpfs *fs, const struct mhpfs_key *k)
{
	return k->nid >= 0 && (unsigned int)k->nid < mhp_engine_nr_nodes(fs->e) && k->tag &&
	       mhpfs_node_tag(fs, k->nid) == k->tag;
}

/* A block generation in inode numbers: 1..INO_TAG_MASK, never 0 (a removed block). */
static unsigned int block_tag_of(uint64_t generation)
{
	return (unsigned int)(generation % INO_TAG_MASK) + 1;
}

static unsigned int block_tag(const struct mhp_block *b)
{
	return block_tag_of(mhp_block_generation(b));
}

int mhpfs_gone_dir(const struct mhpfs *fs, const struct mhp_uevent *ev, struct mhpfs_key *ret)
{
	if (ev->action != MHP_KOBJ_REMOVE || !ev->gone)
		return -ENOENT;
	if (ev->subsystem == MHP_SUBSYS_MEMORY)
		*ret = (struct mhpfs_key){ .t = T_BLOCK,
					   .id = ev->id,
					   .tag = block_tag_of(ev->gone) };
	else if (ev->subsystem == MHP_SUBSYS_NODE && ev->id < MHP_MAX_NUMNODES)
		*ret = (struct mhpfs_key){ .t = T_NODE,
					   .nid = (int)ev->id,
					   .tag = node_tag_of(ev->gone) };
	else
		return -ENOENT;
	return in_layout(fs, ret->t) ? 0 : -ENOENT;
}

/* The tag of block @id now, or 0 when there is no such block. */
static unsigned int block_tag_now(struct mhpfs *fs, unsigned long id)
{
	struct mhp_block *b = mhp_block_get(fs->e, id);
	unsigned int tag = b ? block_tag(b) : 0;

	mhp_block_put(b);
	return tag;
}

/*
 * Whether the incarnation of block @k->id that @k->tag names exists and, for @nid >= 0, is
 * registered under that node.
 */
static bool block_present(struct mhpfs *fs, const struct mhpfs_key *k, int nid)
{
	struct mhp_block *b = mhp_block_get(fs->e, k->id);
	bool ok;

	if (!b)
		return false;
	ok = !mhp_block_removed(b) && block_tag(b) == k->tag;
	if (ok && nid >= 0)
		ok = nid < MHP_MAX_NUMNODES && (mhp_block_node_mask(b) & (1ULL << nid));
	mhp_block_put(b);
	return ok;
}

int mhpfs_key_valid(struct mhpfs *fs, const struct mhpfs_key *k)
{
	const struct mhpfs_template *tp;
	bool ok;

	if (k->t <= T_INVALID || k->t >= T_NR || !in_layout(fs, k->t))
		return -ENOENT;
	for (int t = k->t;; t = mhpfs_templates[t].parent) {
		if (mhpfs_templates[t].exists && !mhpfs_templates[t].exists(fs))
			return -ENOENT;
		if (t == T_ROOT)
			break;
	}
	tp = &mhpfs_templates[k->t];
	switch (tp->param) {
	case P_NONE:
		ok = !k->nid && !k->id && !k->tag;
		break;
	case P_BLOCK:
		ok = !k->nid && block_present(fs, k, -1);
		break;
	case P_NODE:
		ok = !k->id && node_present(fs, k);
		break;
	case P_BLOCK_NODE:
		ok = block_present(fs, k, k->nid);
		break;
	case P_NODE_BLOCK:
		ok = node_online(fs, k->nid) && block_present(fs, k, k->nid);
		break;
	case P_NODE_CPU:
		ok = node_present(fs, k) && k->id < fs->m.nr_cpus &&
		     fs->m.cpu_node[k->id] == k->nid;
		break;
	default:
		ok = false;
	}
	return ok ? 0 : -ENOENT;
}

uint64_t mhpfs_key_generation(struct mhpfs *fs, const struct mhpfs_key *k)
{
	int p = mhpfs_templates[k->t].param;
	struct mhp_block *b;
	uint64_t gen;

	if (p != P_BLOCK && p != P_BLOCK_NODE && p != P_NODE_BLOCK)
		return 0;
	b = mhp_block_get(fs->e, k->id);
	if (!b)
		return 0;
	gen = block_tag(b) == k->tag ? mhp_block_generation(b) : 0;
	mhp_block_put(b);
	return gen;
}

void mhpfs_parent(const struct mhpfs *fs, const struct mhpfs_key *k, struct mhpfs_key *ret)
{
	int p;

	if (k->t == mhpfs_layout_root(fs)) {
		*ret = *k;
		return;
	}
	p = mhpfs_templates[k->t].parent;
	*ret = (struct mhpfs_key){ .t = p };
	switch (mhpfs_templates[p].param) {
	case P_BLOCK:
		ret->id = k->id;
		ret->tag = k->tag;
		break;
	case P_NODE:
		ret->nid = k->nid;
		/* a nodeN/memoryM link carries its block's tag, the other children the node's */
		if (mhpfs_templates[k->t].param == P_NODE_BLOCK)
			ret->tag = mhpfs_node_tag(fs, k->nid);
		else
			ret->tag = k->tag;
		break;
	}
}

/* "memory12" after prefix "memory": decimal, no sign, no leading zero, no junk. */
static int parse_numbered(const char *name, const char *prefix, unsigned long long max,
			  unsigned long long *ret)
{
	size_t pl = strlen(prefix);
	const char *s = name + pl;
	unsigned long long v = 0;

	if (strncmp(name, prefix, pl) || !*s || (s[0] == '0' && s[1]))
		return -ENOENT;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return -ENOENT;
		if (v > (max - (unsigned long long)(*s - '0')) / 10)
			return -ENOENT;
		v = v * 10 + (unsigned long long)(*s - '0');
	}
	*ret = v;
	return 0;
}

int mhpfs_lookup_child(struct mhpfs *fs, const struct mhpfs_key *dir, const char *name,
		       struct mhpfs_key *ret)
{
	if (mhpfs_templates[dir->t].kind != K_DIR)
		return -ENOTDIR;
	for (int t = T_ROOT + 1; t < T_NR; t++) {
		const struct mhpfs_template *tp = &mhpfs_templates[t];
		struct mhpfs_key k = { .t = t };
		unsigned long long v;

		if (tp->parent != dir->t)
			continue;
		if (!tp->numbered) {
			if (strcmp(name, tp->name))
				continue;
			if (tp->param != P_NONE) {
				k.nid = dir->nid;
				k.id = dir->id;
				k.tag = dir->tag;
			}
		} else {
			bool node = tp->param == P_NODE || tp->param == P_BLOCK_NODE;

			if (parse_numbered(name, tp->name,
					   node ? MHP_MAX_NUMNODES - 1 : INO_ID_MASK, &v))
				continue;
			switch (tp->param) {
			case P_BLOCK:
				k.id = v;
				k.tag = block_tag_now(fs, k.id);
				break;
			case P_NODE:
				k.nid = (int)v;
				k.tag = mhpfs_node_tag(fs, k.nid);
				break;
			case P_BLOCK_NODE:
				k.id = dir->id;
				k.tag = dir->tag;
				k.nid = (int)v;
				break;
			case P_NODE_BLOCK:
				k.nid = dir->nid;
				k.id = v;
				k.tag = block_tag_now(fs, k.id);
				break;
			case P_NODE_CPU:
				k.nid = dir->nid;
				k.id = v;
				k.tag = dir->tag;
				break;
			}
		}
		if (mhpfs_key_valid(fs, &k))
			return -ENOENT;
		*ret = k;
		return 0;
	}
	return -ENOENT;
}

/* A child's position: its template and 1 + its number (0 for a fixed name). */
#define POS_T_SHIFT 40
#define POS_SUB_MASK ((1ULL << POS_T_SHIFT) - 1)

static uint64_t child_pos(int t, uint64_t nr_plus_1)
{
	return ((uint64_t)(t + 1) << POS_T_SHIFT) | nr_plus_1;
}

_Static_assert(INO_ID_BITS < POS_T_SHIFT, "a child's number does not fit its position");

/* The numbered children of template @t in @dir, from number @from on. */
static int list_numbered(struct mhpfs *fs, const struct mhpfs_key *dir, int t, uint64_t from,
			 mhpfs_child_cb cb, void *priv)
{
	const struct mhpfs_template *tp = &mhpfs_templates[t];
	char name[64];
	int r = 0;

	switch (tp->param) {
	case P_BLOCK:
	case P_NODE_BLOCK: {
		unsigned long id = (unsigned long)from, next;

		for (; !r && !mhp_block_next_id(fs->e, id, &next); id = next + 1) {
			struct mhpfs_key k = { .t = t, .id = next };
			struct mhp_block *b = mhp_block_get(fs->e, next);
			bool ok = b;

			if (tp->param == P_NODE_BLOCK) {
				k.nid = dir->nid;
				ok = b && (mhp_block_node_mask(b) & (1ULL << dir->nid));
			}
			k.tag = b ? block_tag(b) : 0;
			mhp_block_put(b);
			if (!ok)
				continue;
			snprintf(name, sizeof(name), "%s%lu", tp->name, next);
			r = cb(priv, name, &k, child_pos(t, (uint64_t)next + 1));
			if (next == ~0UL)
				break;
		}
		break;
	}
	case P_NODE:
	case P_BLOCK_NODE: {
		uint64_t mask;

		if (tp->param == P_NODE) {
			mask = mhp_node_state_mask(fs->e, MHP_N_ONLINE);
		} else {
			struct mhp_block *b = mhp_block_get(fs->e, dir->id);

			mask = b ? mhp_block_node_mask(b) : 0;
			mhp_block_put(b);
		}
		for (uint64_t n = from; n < MHP_MAX_NUMNODES && !r; n++) {
			struct mhpfs_key k = { .t = t, .nid = (int)n };

			if (!(mask & (1ULL << n)))
				continue;
			if (tp->param == P_BLOCK_NODE) {
				k.id = dir->id;
				k.tag = dir->tag;
			} else {
				k.tag = mhpfs_node_tag(fs, (int)n);
				if (!k.tag)
					continue; /* went offline meanwhile */
			}
			snprintf(name, sizeof(name), "%s%d", tp->name, (int)n);
			r = cb(priv, name, &k, child_pos(t, n + 1));
		}
		break;
	}
	case P_NODE_CPU:
		for (uint64_t cpu = from; cpu < fs->m.nr_cpus && !r; cpu++) {
			struct mhpfs_key k = {
				.t = t, .nid = dir->nid, .tag = dir->tag, .id = (unsigned long)cpu
			};

			if (fs->m.cpu_node[cpu] != dir->nid)
				continue;
			snprintf(name, sizeof(name), "%s%u", tp->name, (unsigned int)cpu);
			r = cb(priv, name, &k, child_pos(t, cpu + 1));
		}
		break;
	}
	return r;
}

int mhpfs_list_children(struct mhpfs *fs, const struct mhpfs_key *dir, uint64_t pos,
			mhpfs_child_cb cb, void *priv)
{
	int t0 = T_ROOT + 1, r = 0;
	uint64_t from = 0;

	if (mhpfs_templates[dir->t].kind != K_DIR)
		return -ENOTDIR;
	if (pos >= child_pos(T_ROOT + 1, 0)) {
		/* after a child of template t: the rest of t's numbers, or the next template */
		t0 = (int)(pos >> POS_T_SHIFT) - 1;
		from = pos & POS_SUB_MASK;
		if (t0 >= T_NR)
			return 0;
		if (!mhpfs_templates[t0].numbered)
			t0++;
	}
	for (int t = t0; t < T_NR && !r; t++) {
		const struct mhpfs_template *tp = &mhpfs_templates[t];

		if (tp->parent != dir->t)
			continue;
		if (tp->numbered) {
			r = list_numbered(fs, dir, t, t == t0 ? from : 0, cb, priv);
		} else {
			struct mhpfs_key k = { .t = t };

			if (tp->param != P_NONE) {
				k.nid = dir->nid;
				k.id = dir->id;
				k.tag = dir->tag;
			}
			if (tp->exists && !tp->exists(fs))
				continue;
			r = cb(priv, tp->name, &k, child_pos(t, 0));
		}
	}
	return r;
}

static int count_dirs(void *priv, const char *name, const struct mhpfs_key *k, uint64_t pos)
{
	if (mhpfs_templates[k->t].kind == K_DIR)
		(*(nlink_t *)priv)++;
	return 0;
}

/* The slot of @dir in fs->dir_mtime_ns, -1 for a directory whose children never change. */
static int dir_mtime_slot(const struct mhpfs_key *dir)
{
	switch (dir->t) {
	case T_MEMORY:
		return 0;
	case T_NODEROOT:
		return 1;
	case T_BM_DEVICES:
		return 2;
	case T_BN_DEVICES:
		return 3;
	case T_NODE:
		return dir->nid >= 0 && dir->nid < MHP_MAX_NUMNODES ? 4 + dir->nid : -1;
	default:
		return -1;
	}
}

void mhpfs_dir_changed(struct mhpfs *fs, const struct mhpfs_key *dir)
{
	int slot = dir_mtime_slot(dir);
	struct timespec now;
	int64_t old, ns;

	if (slot < 0)
		return;
	clock_gettime(CLOCK_REALTIME, &now);
	ns = (int64_t)now.tv_sec * 1000000000 + now.tv_nsec;
	old = atomic_load(&fs->dir_mtime_ns[slot]);
	do {
		/* strictly later than before, whatever the clock did */
		if (ns <= old)
			ns = old + 1;
	} while (!atomic_compare_exchange_weak(&fs->dir_mtime_ns[slot], &old, ns));
}

void mhpfs_fill_stat(struct mhpfs *fs, const struct mhpfs_key *k, struct stat *st)
{
	const struct mhpfs_template *tp = &mhpfs_templates[k->t];
	int slot;

	memset(st, 0, sizeof(*st));
	st->st_ino = mhpfs_key_to_ino(fs, k);
	st->st_uid = 0;
	st->st_gid = 0;
	st->st_blksize = 4096;
	st->st_atim = st->st_mtim = st->st_ctim = fs->start;
	switch (tp->kind) {
	case K_DIR:
		st->st_mode = S_IFDIR | tp->mode;
		st->st_nlink = 2;
		slot = dir_mtime_slot(k);
		if (slot >= 0) {
			int64_t ns = atomic_load(&fs->dir_mtime_ns[slot]);

			/* as kernfs, a change of the children moves mtime and ctime */
			if (ns) {
				st->st_mtim.tv_sec = (time_t)(ns / 1000000000);
				st->st_mtim.tv_nsec = (long)(ns % 1000000000);
				st->st_ctim = st->st_mtim;
			}
		}
		if (k->t == T_MEMORY) /* the big one: no need to walk the blocks */
			st->st_nlink += mhp_block_count(fs->e) + 1;
		else
			mhpfs_list_children(fs, k, MHPFS_POS_CHILDREN, count_dirs, &st->st_nlink);
		break;
	case K_FILE:
		st->st_mode = S_IFREG | tp->mode;
		st->st_nlink = 1;
		/* kernfs reports a page; debugfs files report 0 */
		st->st_size = (tp->flags & TF_DEBUGFS) ? 0 : MHPFS_SYSFS_PAGE;
		break;
	case K_LINK:
		st->st_mode = S_IFLNK | tp->mode;
		st->st_nlink = 1;
		break;
	}
}

struct mhpfs *mhpfs_new(void)
{
	struct mhpfs *fs = calloc(1, sizeof(*fs));

	if (!fs)
		return NULL;
	pthread_mutex_init(&fs->power_lock, NULL);
	pthread_mutex_init(&fs->open_lock, NULL);
	pthread_mutex_init(&fs->dimm_lock, NULL);
	/* bus/memory and bus/node drivers_autoprobe read 1 */
	atomic_store(&fs->bus_autoprobe[0], 1);
	atomic_store(&fs->bus_autoprobe[1], 1);
	clock_gettime(CLOCK_REALTIME, &fs->start);
	return fs;
}

void mhpfs_free(struct mhpfs *fs)
{
	if (!fs)
		return;
	mhpfs_power_free(fs);
	pthread_mutex_destroy(&fs->dimm_lock);
	pthread_mutex_destroy(&fs->open_lock);
	pthread_mutex_destroy(&fs->power_lock);
	free(fs);
}
