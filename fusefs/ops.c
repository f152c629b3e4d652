// SPDX-License-Identifier: MIT
/*
 * fusefs/ops.c - the FUSE low-level operations: kernfs semantics over the virtual tree.
 *
 * Every handler replies exactly once.  The rules copied from kernfs (SPEC §1.1):
 *  - open checks the mode bits *and* the presence of a show/store itself, so root gets EACCES
 *    too (FUSE's default_permissions lets root through);
 *  - a read at offset 0 runs the show into a per-open buffer that grows as needed; other offsets
 *    are served from that buffer; files are direct_io so the page cache never serves stale text;
 *  - every write() is one store, whatever its offset: zero bytes do nothing, sysfs files see at
 *    most 4096 bytes (NUL-terminated) and success returns the count the store was given;
 *  - descriptors of a removed block get ENODEV.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>

#include "memhotplugfs.h"

/*
 * The kernel caches names and attributes.  Static names are kept for an hour.  Names that come
 * and go with the engine (memoryN, nodeN and what is under them) and attributes (directory link
 * counts follow the blocks and nodes; nothing else ever changes) are kept for a second: the event
 * worker invalidates the names and the memory/ and node/ link counts of every block or node that
 * appears or disappears, and the store that did it waits for that (mhpfs_events_sync()), so that
 * after its write() no cached name or count is stale.  A lookup racing with the change cannot
 * undo the invalidation: the kernel holds the directory's lock (shared) from the LOOKUP to the new
 * dentry, and the invalidation takes it exclusively.  Without the caching every path walk cost a
 * LOOKUP and a GETATTR per directory (bench-attr-read: 7 requests, 2.3x the FUSE floor; with it
 * 3 requests, 1.01-1.03x).  Each incarnation of a block has inode numbers of its own (tree.c),
 * so the kernel's inodes of a removed one stay usable for ENODEV and ENOENT: with shared numbers
 * fuse_iget() marked them bad, and what still held them got EIO.
 */
#define STATIC_TIMEOUT 3600.0
#define DYNAMIC_TIMEOUT 1.0
#define ATTR_TIMEOUT 1.0

struct ofile {
	struct mhpfs_ohandle h; /* first: fs->open_list */
	struct mhpfs_key k;
	struct mhp_block *b; /* reference for block files */
	pthread_mutex_t lock; /* kernfs of->mutex: one read or write at a time per open file */
	struct sbuf buf; /* protected by lock */
	bool filled; /* protected by lock */
	struct mhpfs_pollfile pf; /* poll and event stream state (sinks.c) */
};

static struct mhpfs *req_fs(fuse_req_t req)
{
	return fuse_req_userdata(req);
}

static void ohandle_add(struct mhpfs *fs, struct mhpfs_ohandle *h)
{
	pthread_mutex_lock(&fs->open_lock);
	h->prev = NULL;
	h->next = fs->open_list;
	if (fs->open_list)
		fs->open_list->prev = h;
	fs->open_list = h;
	pthread_mutex_unlock(&fs->open_lock);
}

static void ohandle_del(struct mhpfs *fs, struct mhpfs_ohandle *h)
{
	pthread_mutex_lock(&fs->open_lock);
	if (h->prev)
		h->prev->next = h->next;
	else
		fs->open_list = h->next;
	if (h->next)
		h->next->prev = h->prev;
	pthread_mutex_unlock(&fs->open_lock);
}

static void ofile_free(struct mhpfs *fs, struct mhpfs_ohandle *h);

void mhpfs_release_leftovers(struct mhpfs *fs)
{
	for (;;) {
		struct mhpfs_ohandle *h;

		pthread_mutex_lock(&fs->open_lock);
		h = fs->open_list;
		pthread_mutex_unlock(&fs->open_lock);
		if (!h)
			break;
		ohandle_del(fs, h);
		ofile_free(fs, h);
	}
}

static void reply_errno(fuse_req_t req, int neg)
{
	fuse_reply_err(req, neg < 0 ? -neg : neg);
}

static const struct mhpfs_template *tmpl(const struct mhpfs_key *k)
{
	return &mhpfs_templates[k->t];
}

static bool key_dynamic(const struct mhpfs_key *k)
{
	return tmpl(k)->param != P_NONE;
}

static int get_key(struct mhpfs *fs, fuse_ino_t ino, struct mhpfs_key *ret)
{
	struct mhpfs_key k;

	if (mhpfs_ino_to_key(fs, ino, &k) || mhpfs_key_valid(fs, &k))
		return -ENOENT;
	*ret = k;
	return 0;
}

static void fill_entry(struct mhpfs *fs, const struct mhpfs_key *k, struct fuse_entry_param *e)
{
	memset(e, 0, sizeof(*e));
	e->ino = mhpfs_key_to_ino(fs, k);
	e->generation = mhpfs_key_generation(fs, k);
	mhpfs_fill_stat(fs, k, &e->attr);
	e->attr_timeout = ATTR_TIMEOUT;
	e->entry_timeout = key_dynamic(k) ? DYNAMIC_TIMEOUT : STATIC_TIMEOUT;
}

static void mhpfs_init(void *userdata, struct fuse_conn_info *conn)
{
	struct mhpfs *fs = userdata;

	/* the page cache must never hold attribute text */
	conn->want &= ~FUSE_CAP_WRITEBACK_CACHE;
	if (conn->capable & FUSE_CAP_ATOMIC_O_TRUNC)
		conn->want |= FUSE_CAP_ATOMIC_O_TRUNC;
	/* a link's target never changes while its inode number lives (tree.c) */
	if (conn->capable & FUSE_CAP_CACHE_SYMLINKS)
		conn->want |= FUSE_CAP_CACHE_SYMLINKS;
	/*
	 * Directory listings: without OPENDIR the kernel keeps each directory's listing in its page
	 * cache and lists it again from there.  A listing from the start first refreshes the
	 * directory's attributes when they were invalidated (auto_inval_data) and drops the cached
	 * listing when the modification time moved: the event worker moves it and invalidates the
	 * attributes of every directory whose children came or went (events.c) before the store
	 * that did it returns.
	 */
	if ((conn->capable & FUSE_CAP_NO_OPENDIR_SUPPORT) &&
	    (conn->capable & FUSE_CAP_AUTO_INVAL_DATA)) {
		conn->want |= FUSE_CAP_AUTO_INVAL_DATA;
		fs->dir_cache = true;
	}
}

static void mhpfs_lookup(fuse_req_t req, fuse_ino_t parent, const char *name)
{
	struct mhpfs *fs = req_fs(req);
	struct mhpfs_key dir, k;
	struct fuse_entry_param e;
	bool gone = false;
	int r;

	r = get_key(fs, parent, &dir);
	/* the change thread's own mkdir/rmdir for inotify (sinks.h) */
	if (!r)
		r = mhpfs_sinks_toucher_lookup(fs, req, &dir, name, &k);
	if (!r) {
		r = mhpfs_lookup_child(fs, &dir, name, &k);
	} else if (r > 0) {
		r = 0;
		gone = true;
	}
	if (r) {
		reply_errno(req, r);
		return;
	}
	fill_entry(fs, &k, &e);
	/* a removed directory shown to the change thread only: nobody else may find it cached */
	if (gone)
		e.entry_timeout = e.attr_timeout = 0;
	fuse_reply_entry(req, &e);
}

static void mhpfs_forget(fuse_req_t req, fuse_ino_t ino, uint64_t nlookup)
{
	fuse_reply_none(req); /* inodes are virtual: nothing to free */
}

static void mhpfs_forget_multi(fuse_req_t req, size_t count, struct fuse_forget_data *forgets)
{
	fuse_reply_none(req);
}

static void mhpfs_getattr(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	struct mhpfs *fs = req_fs(req);
	struct mhpfs_key k;
	struct stat st;

	if (mhpfs_ino_to_key(fs, ino, &k)) {
		fuse_reply_err(req, ENOENT);
		return;
	}
	mhpfs_fill_stat(fs, &k, &st);
	if (mhpfs_key_valid(fs, &k)) {
		/*
		 * A removed block or node that something still holds: kernfs answers fstat() for
		 * its inode all the same.  Its times move at every call and are not kept, so a
		 * listing of it never comes from the kernel's cache (mhpfs_init()).
		 */
		clock_gettime(CLOCK_REALTIME, &st.st_mtim);
		st.st_ctim = st.st_mtim;
		fuse_reply_attr(req, &st, 0);
		return;
	}
	fuse_reply_attr(req, &st, ATTR_TIMEOUT);
}

/*
 * Truncation (shell redirections) and time updates succeed and change nothing, as on sysfs.
 * Ownership and mode changes are not modelled, so they are refused.
 */
static void mhpfs_setattr(fuse_req_t req, fuse_ino_t ino, struct stat *attr, int to_set,
			  struct fuse_file_info *fi)
{
	struct mhpfs *fs = req_fs(req);
	struct mhpfs_key k;
	struct stat st;
	int r = get_key(fs, ino, &k);

	if (r) {
		reply_errno(req, r);
		return;
	}
	if (to_set & (FUSE_SET_ATTR_MODE | FUSE_SET_ATTR_UID | FUSE_SET_ATTR_GID)) {
		fuse_reply_err(req, EPERM);
		return;
	}
	mhpfs_fill_stat(fs, &k, &st);
	fuse_reply_attr(req, &st, ATTR_TIMEOUT);
}

static void mhpfs_readlink(fuse_req_t req, fuse_ino_t ino)
{
	struct mhpfs *fs = req_fs(req);
	struct sbuf sb = { 0 };
	struct mhpfs_key k;
	int r = get_key(fs, ino, &k);

	if (!r && tmpl(&k)->kind != K_LINK)
		r = -EINVAL;
	if (!r)
		r = tmpl(&k)->link(&k, &sb);
	if (r)
		reply_errno(req, r);
	else
		fuse_reply_readlink(req, sb.data);
	sbuf_free(&sb);
}

static void ofile_free(struct mhpfs *fs, struct mhpfs_ohandle *h)
{
	struct ofile *of = (struct ofile *)h;

	mhpfs_sinks_file_release(fs, &of->pf);
	mhp_block_put(of->b);
	sbuf_free(&of->buf);
	pthread_mutex_destroy(&of->lock);
	free(of);
}

static void mhpfs_open(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	struct mhpfs *fs = req_fs(req);
	const struct mhpfs_template *tp;
	struct ofile *of;
	struct mhpfs_key k;
	int acc = fi->flags & O_ACCMODE, r;

	/*
	 * A name the kernel still caches for a removed block or node (reached through a directory
	 * descriptor or working directory of the old one, or racing with the removal): on sysfs
	 * that name fails kernfs's revalidation and the lookup that follows finds nothing.
	 */
	if (get_key(fs, ino, &k)) {
		fuse_reply_err(req, ENOENT);
		return;
	}
	tp = tmpl(&k);
	if (tp->kind == K_DIR) {
		fuse_reply_err(req, EISDIR);
		return;
	}
	if ((acc == O_WRONLY || acc == O_RDWR) && (!(tp->mode & 0222) || !tp->store)) {
		fuse_reply_err(req, EACCES);
		return;
	}
	if ((acc == O_RDONLY || acc == O_RDWR) &&
	    (!(tp->mode & 0444) || (!tp->show && !(tp->flags & TF_STREAM)))) {
		fuse_reply_err(req, EACCES);
		return;
	}
	of = calloc(1, sizeof(*of));
	if (!of) {
		fuse_reply_err(req, ENOMEM);
		return;
	}
	of->k = k;
	pthread_mutex_init(&of->lock, NULL);
	if (tp->param == P_BLOCK) {
		of->b = mhp_block_get(fs->e, k.id);
		if (!of->b) {
			pthread_mutex_destroy(&of->lock);
			free(of);
			fuse_reply_err(req, ENODEV);
			return;
		}
	}
	r = mhpfs_sinks_file_open(fs, &of->pf, &k);
	if (r) {
		mhp_block_put(of->b);
		pthread_mutex_destroy(&of->lock);
		free(of);
		reply_errno(req, r);
		return;
	}
	atomic_fetch_add(&fs->stat_opens, 1);
	ohandle_add(fs, &of->h);
	fi->fh = (uintptr_t)of;
	fi->direct_io = 1;
	fi->keep_cache = 0;
	/* the event stream is a stream: no offsets, as a pipe */
	if (tp->flags & TF_STREAM)
		fi->nonseekable = 1;
	if (fuse_reply_open(req, fi) == -ENOENT) {
		/* the opener was interrupted: nobody will release this */
		ohandle_del(fs, &of->h);
		ofile_free(fs, &of->h);
	}
}

/* Whether what the open file names still exists (block not removed, node still online). */
static int ofile_alive(struct mhpfs *fs, struct ofile *of)
{
	if (of->b)
		return mhp_block_removed(of->b) ? -ENODEV : 0;
	if (tmpl(&of->k)->param != P_NONE && mhpfs_key_valid(fs, &of->k))
		return -ENODEV;
	return 0;
}

static void mhpfs_read(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off,
		       struct fuse_file_info *fi)
{
	struct mhpfs *fs = req_fs(req);
	struct ofile *of = (struct ofile *)(uintptr_t)fi->fh;
	struct mhpfs_attr_ctx c = { .fs = fs, .k = &of->k, .b = of->b };
	char small[MHPFS_SYSFS_PAGE], *p = small;
	size_t n = 0;
	int r;

	atomic_fetch_add(&fs->stat_reads, 1);
	if (tmpl(&of->k)->flags & TF_STREAM) {
		/* may park the request until an event comes (sinks.c) */
		mhpfs_sinks_stream_read(fs, req, &of->pf, size, fi->flags);
		return;
	}
	pthread_mutex_lock(&of->lock);
	r = ofile_alive(fs, of);
	if (!r && (off == 0 || !of->filled)) {
		/* a new read session: fresh text, as seq_file gives on a read from 0 */
		sbuf_reset(&of->buf);
		of->filled = false;
		r = tmpl(&of->k)->show(&c, &of->buf);
		if (!r) {
			of->filled = true;
			/* poll: the value is seen, POLLPRI only after the next change */
			mhpfs_sinks_file_read(fs, &of->pf);
		}
	}
	if (r) {
		pthread_mutex_unlock(&of->lock);
		reply_errno(req, r);
		return;
	}
	if (off >= 0 && (size_t)off < of->buf.len) {
		n = size < of->buf.len - (size_t)off ? size : of->buf.len - (size_t)off;
		p = n <= sizeof(small) ? small : malloc(n);
		if (p)
			memcpy(p, of->buf.data + off, n);
	}
	/*
	 * Reply only after unlocking: as soon as the reply is written the reader may close the
	 * file, and its RELEASE, on another thread, frees @of (and the lock in it).
	 */
	pthread_mutex_unlock(&of->lock);
	if (!p)
		fuse_reply_err(req, ENOMEM);
	else
		fuse_reply_buf(req, p, n);
	if (p != small)
		free(p);
}

static void on_interrupt(fuse_req_t req, void *data)
{
	struct mhpfs *fs = req_fs(req);

	atomic_fetch_add(&fs->stat_interrupts, 1);
	mhp_cancel_raise(data);
}

static void mhpfs_write(fuse_req_t req, fuse_ino_t ino, const char *data, size_t size, off_t off,
			struct fuse_file_info *fi)
{
	struct mhpfs *fs = req_fs(req);
	struct ofile *of = (struct ofile *)(uintptr_t)fi->fh;
	const struct mhpfs_template *tp = tmpl(&of->k);
	struct mhp_cancel cancel;
	const struct fuse_ctx *ctx = fuse_req_ctx(req);
	struct mhpfs_attr_ctx c = { .fs = fs,
				    .k = &of->k,
				    .b = of->b,
				    .cancel = &cancel,
				    .uid = ctx->uid,
				    .pid = ctx->pid };
	size_t len = size;
	unsigned long tree;
	char *buf;
	int r;

	atomic_fetch_add(&fs->stat_writes, 1);
	r = ofile_alive(fs, of);
	if (r) {
		atomic_fetch_add(&fs->stat_write_errors, 1);
		reply_errno(req, r);
		return;
	}
	if (!size) {
		fuse_reply_write(req, 0); /* the store is not called */
		return;
	}
	if (!(tp->flags & TF_DEBUGFS) && len > MHPFS_SYSFS_PAGE)
		len = MHPFS_SYSFS_PAGE;
	buf = malloc(len + 1);
	if (!buf) {
		fuse_reply_err(req, ENOMEM);
		return;
	}
	memcpy(buf, data, len);
	buf[len] = '\0';

	mhp_cancel_init(&cancel);
	fuse_req_interrupt_func(req, on_interrupt, &cancel);
	tree = atomic_load(&fs->tree_changes);
	pthread_mutex_lock(&of->lock);
	r = tp->store(&c, buf, len);
	pthread_mutex_unlock(&of->lock);
	/* waits for a running on_interrupt(): @cancel lives on this stack */
	fuse_req_interrupt_func(req, NULL, NULL);
	mhp_cancel_destroy(&cancel);
	free(buf);
	/* blocks came or went (also in a failed store): no cached name may outlive the reply */
	if (atomic_load(&fs->tree_changes) != tree)
		mhpfs_events_sync(fs, mhp_uevent_seqnum(fs->e));

	if (r < 0) {
		atomic_fetch_add(&fs->stat_write_errors, 1);
		reply_errno(req, r);
	} else {
		fuse_reply_write(req, len);
	}
}

static void mhpfs_fsync(fuse_req_t req, fuse_ino_t ino, int datasync, struct fuse_file_info *fi)
{
	fuse_reply_err(req, 0);
}

static void mhpfs_release(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	struct ofile *of = (struct ofile *)(uintptr_t)fi->fh;

	if (of) {
		ohandle_del(req_fs(req), &of->h);
		ofile_free(req_fs(req), &of->h);
	}
	fuse_reply_err(req, 0);
}

static void mhpfs_opendir(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	struct mhpfs *fs = req_fs(req);
	struct mhpfs_key k;
	int r = get_key(fs, ino, &k);

	if (r) {
		reply_errno(req, r);
		return;
	}
	if (tmpl(&k)->kind != K_DIR) {
		fuse_reply_err(req, ENOTDIR);
		return;
	}
	/* the kernel then keeps listings itself, and stops asking (mhpfs_init()) */
	if (fs->dir_cache) {
		fuse_reply_err(req, ENOSYS);
		return;
	}
	/* a listing needs no state (tree.c's positions): nothing to keep per open */
	fi->fh = 0;
	fuse_reply_open(req, fi);
}

/* One READDIR(PLUS) reply being filled. */
struct dirbuf {
	struct mhpfs *fs;
	fuse_req_t req;
	bool plus;
	char *buf;
	size_t size, len;
};

/* Add one entry; 1 when it does not fit (the listing stops, the entry comes next time). */
static int dirbuf_add(struct dirbuf *db, const char *name, const struct mhpfs_key *k, bool dot,
		      uint64_t pos)
{
	size_t n;

	if (db->plus) {
		struct fuse_entry_param e;

		if (dot || mhpfs_key_valid(db->fs, k)) {
			/* no inode for the kernel to instantiate: type and number only */
			memset(&e, 0, sizeof(e));
			mhpfs_fill_stat(db->fs, k, &e.attr);
		} else {
			fill_entry(db->fs, k, &e);
		}
		n = fuse_add_direntry_plus(db->req, db->buf + db->len, db->size - db->len, name, &e,
					   (off_t)pos);
	} else {
		struct stat st;

		/* d_type matters: glibc users and qemu-ga skip DT_UNKNOWN */
		mhpfs_fill_stat(db->fs, k, &st);
		n = fuse_add_direntry(db->req, db->buf + db->len, db->size - db->len, name, &st,
				      (off_t)pos);
	}
	if (n > db->size - db->len)
		return 1;
	db->len += n;
	return 0;
}

static int dirbuf_add_cb(void *priv, const char *name, const struct mhpfs_key *k, uint64_t pos)
{
	return dirbuf_add(priv, name, k, false, pos);
}

/*
 * A listing resumes at @off, a position of tree.c: what came or went since the last call shows
 * or not, as in kernfs, whose positions are name hashes.  A directory that is gone (a removed
 * block or node still held open) lists "." and ".." only, as kernfs does.
 */
static void do_readdir(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off,
		       struct fuse_file_info *fi, bool plus)
{
	struct mhpfs *fs = req_fs(req);
	struct dirbuf db = { .fs = fs, .req = req, .plus = plus, .size = size };
	struct mhpfs_key k, parent;
	bool gone = false;
	int r = 0;

	if (mhpfs_ino_to_key(fs, ino, &k)) {
		fuse_reply_err(req, ENOENT);
		return;
	}
	if (tmpl(&k)->kind != K_DIR) {
		fuse_reply_err(req, ENOTDIR);
		return;
	}
	gone = mhpfs_key_valid(fs, &k) != 0;
	db.buf = malloc(size);
	if (!db.buf) {
		fuse_reply_err(req, ENOMEM);
		return;
	}
	mhpfs_parent(fs, &k, &parent);
	if (off < MHPFS_POS_DOT)
		r = dirbuf_add(&db, ".", &k, true, MHPFS_POS_DOT);
	if (!r && off < MHPFS_POS_CHILDREN)
		r = dirbuf_add(&db, "..", &parent, true, MHPFS_POS_CHILDREN);
	if (!r && !gone) {
		uint64_t pos = off < MHPFS_POS_CHILDREN ? MHPFS_POS_CHILDREN : (uint64_t)off;

		r = mhpfs_list_children(fs, &k, pos, dirbuf_add_cb, &db);
	}
	if (r < 0 && !db.len)
		reply_errno(req, r);
	else
		fuse_reply_buf(req, db.buf, db.len);
	free(db.buf);
}

static void mhpfs_readdir(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off,
			  struct fuse_file_info *fi)
{
	do_readdir(req, ino, size, off, fi, false);
}

static void mhpfs_readdirplus(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off,
			      struct fuse_file_info *fi)
{
	do_readdir(req, ino, size, off, fi, true);
}

static void mhpfs_releasedir(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	fuse_reply_err(req, 0);
}

static void mhpfs_poll(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi,
		       struct fuse_pollhandle *ph)
{
	struct ofile *of = (struct ofile *)(uintptr_t)fi->fh;

	/* keeps @ph; the change thread or the event worker notifies it (sinks.c) */
	mhpfs_sinks_poll(req_fs(req), req, &of->pf, ph);
}

/*
 * kernfs directories have no mkdir or rmdir: EPERM.  The only exception is the daemon's own
 * change thread, which replays an appearing or disappearing directory through the mount so that
 * inotify watchers see it (sinks.h); nothing changes here.
 */
static void mhpfs_mkdir(fuse_req_t req, fuse_ino_t parent, const char *name, mode_t mode)
{
	struct mhpfs *fs = req_fs(req);
	struct fuse_entry_param e;
	struct mhpfs_key dir, k;

	if (get_key(fs, parent, &dir) || !mhpfs_sinks_toucher_dirop(fs, req, &dir, name, false) ||
	    mhpfs_lookup_child(fs, &dir, name, &k)) {
		fuse_reply_err(req, EPERM);
		return;
	}
	fill_entry(fs, &k, &e);
	fuse_reply_entry(req, &e);
}

static void mhpfs_rmdir(fuse_req_t req, fuse_ino_t parent, const char *name)
{
	struct mhpfs *fs = req_fs(req);
	struct mhpfs_key dir, k;

	if (get_key(fs, parent, &dir) || !mhpfs_sinks_toucher_dirop(fs, req, &dir, name, true)) {
		fuse_reply_err(req, EPERM);
		return;
	}
	/* the change thread's replay of a removal: never for a name that exists again */
	if (mhpfs_lookup_child(fs, &dir, name, &k) == 0) {
		fuse_reply_err(req, EBUSY);
		return;
	}
	fuse_reply_err(req, 0);
}

static void mhpfs_statfs(fuse_req_t req, fuse_ino_t ino)
{
	struct statvfs st;

	/* sysfs reports an empty filesystem */
	memset(&st, 0, sizeof(st));
	st.f_bsize = 4096;
	st.f_frsize = 4096;
	st.f_namemax = 255;
	fuse_reply_statfs(req, &st);
}

const struct fuse_lowlevel_ops mhpfs_ops = {
	.init = mhpfs_init,
	.lookup = mhpfs_lookup,
	.forget = mhpfs_forget,
	.forget_multi = mhpfs_forget_multi,
	.getattr = mhpfs_getattr,
	.setattr = mhpfs_setattr,
	.readlink = mhpfs_readlink,
	.open = mhpfs_open,
	.read = mhpfs_read,
	.write = mhpfs_write,
	/*
	 * No .flush: the first close gets ENOSYS from libfuse and the kernel stops sending FLUSH
	 * (a close never fails, as on sysfs), one request less per close.
	 */
	.fsync = mhpfs_fsync,
	.release = mhpfs_release,
	.opendir = mhpfs_opendir,
	.readdir = mhpfs_readdir,
	.readdirplus = mhpfs_readdirplus,
	.releasedir = mhpfs_releasedir,
	.statfs = mhpfs_statfs,
	.poll = mhpfs_poll,
	.mkdir = mhpfs_mkdir,
	.rmdir = mhpfs_rmdir,
};
