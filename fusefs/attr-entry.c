// SPDX-License-Identifier: MIT
/*
 * fusefs/attr-entry.c - the attribute handlers without FUSE (see attr-entry.h).
 *
 * Not part of the daemon: the fuzz targets link it.  It repeats the few rules of ops.c that sit
 * between a write(2) and a store, so that what is fuzzed is what a client of the mount reaches.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "attr-entry.h"
#include "pools.h"

int mhpfs_attr_fs_new(int argc, char **argv, struct mhpfs **ret)
{
	struct fuse_args args = FUSE_ARGS_INIT(0, NULL);
	struct mhpfs *fs;
	int status, r;

	fs = mhpfs_new();
	if (!fs)
		return -ENOMEM;
	for (int i = 0; i < argc; i++) {
		if (fuse_opt_add_arg(&args, argv[i])) {
			r = -ENOMEM;
			goto fail;
		}
	}
	r = mhpfs_parse_options(&args, &fs->m, &status);
	if (r) {
		r = -EINVAL;
		goto fail;
	}
	/* as the daemon's build_engine(): the pool first, the engine onlines boot memory into it */
	r = mhpfs_pools_new(fs);
	if (r)
		goto fail;
	r = mhp_engine_new(&fs->m.cfg, &fs->e);
	if (r)
		goto fail;
	r = mhpfs_pools_attach(fs);
	if (r)
		goto fail;
	if (fs->m.inject) {
		r = mhp_inject_new(fs->e, fs->m.inject_priority, &fs->inj);
		if (r)
			goto fail;
	}
	fuse_opt_free_args(&args);
	*ret = fs;
	return 0;
fail:
	fuse_opt_free_args(&args);
	mhpfs_attr_fs_free(fs);
	return r;
}

void mhpfs_attr_fs_free(struct mhpfs *fs)
{
	if (!fs)
		return;
	mhpfs_workload_stop(fs);
	mhp_inject_free(fs->inj);
	mhp_engine_free(fs->e);
	mhpfs_pools_free(fs);
	mhpfs_free(fs);
}

int mhpfs_attr_resolve(struct mhpfs *fs, const char *path, struct mhpfs_key *ret)
{
	struct mhpfs_key k = { .t = mhpfs_layout_root(fs) };
	char name[256];

	while (*path) {
		const char *slash = strchr(path, '/');
		size_t n = slash ? (size_t)(slash - path) : strlen(path);
		struct mhpfs_key child;
		int r;

		if (n >= sizeof(name))
			return -ENAMETOOLONG;
		memcpy(name, path, n);
		name[n] = '\0';
		path += n + (slash ? 1 : 0);
		if (!n || !strcmp(name, "."))
			continue;
		if (!strcmp(name, "..")) {
			mhpfs_parent(fs, &k, &child);
		} else {
			r = mhpfs_lookup_child(fs, &k, name, &child);
			if (r)
				return r;
		}
		k = child;
	}
	*ret = k;
	return 0;
}

/* What mhpfs_open() checks, in its order. */
static int open_check(struct mhpfs *fs, const char *path, bool write, struct mhpfs_key *ret_k,
		      struct mhp_block **ret_b)
{
	const struct mhpfs_template *tp;
	struct mhpfs_key k;
	struct mhp_block *b = NULL;
	int r = mhpfs_attr_resolve(fs, path, &k);

	if (r)
		return r;
	tp = &mhpfs_templates[k.t];
	if (tp->kind == K_DIR)
		return -EISDIR;
	if (tp->kind != K_FILE)
		return -ENOENT; /* a symbolic link is followed by the kernel; not here */
	if (write && (!(tp->mode & 0222) || !tp->store))
		return -EACCES;
	if (!write && (!(tp->mode & 0444) || !tp->show))
		return -EACCES;
	if (tp->param == P_BLOCK) {
		b = mhp_block_get(fs->e, k.id);
		if (!b)
			return -ENODEV;
	}
	*ret_k = k;
	*ret_b = b;
	return 0;
}

ssize_t mhpfs_attr_write(struct mhpfs *fs, const char *path, const char *buf, size_t count,
			 struct mhp_cancel *cancel)
{
	struct mhpfs_key k;
	struct mhp_block *b;
	struct mhpfs_attr_ctx c = { .fs = fs, .k = &k, .cancel = cancel };
	const struct mhpfs_template *tp;
	size_t len = count;
	char *copy;
	int r = open_check(fs, path, true, &k, &b);

	if (r)
		return r;
	tp = &mhpfs_templates[k.t];
	c.b = b;
	if (b && mhp_block_removed(b)) {
		r = -ENODEV;
		goto out;
	}
	if (!count)
		goto out; /* the store is not called */
	if (!(tp->flags & TF_DEBUGFS) && len > MHPFS_SYSFS_PAGE)
		len = MHPFS_SYSFS_PAGE;
	copy = malloc(len + 1);
	if (!copy) {
		r = -ENOMEM;
		goto out;
	}
	memcpy(copy, buf, len);
	copy[len] = '\0';
	r = tp->store(&c, copy, len);
	free(copy);
out:
	mhp_block_put(b);
	return r < 0 ? r : (ssize_t)(count ? len : 0);
}

int mhpfs_attr_read(struct mhpfs *fs, const char *path, struct sbuf *sb)
{
	struct mhpfs_key k;
	struct mhp_block *b;
	struct mhpfs_attr_ctx c = { .fs = fs, .k = &k };
	int r = open_check(fs, path, false, &k, &b);

	if (r)
		return r;
	c.b = b;
	sbuf_reset(sb);
	r = b && mhp_block_removed(b) ? -ENODEV : mhpfs_templates[k.t].show(&c, sb);
	mhp_block_put(b);
	return r;
}
