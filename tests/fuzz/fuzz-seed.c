// SPDX-License-Identifier: MIT
/*
 * tests/fuzz/fuzz-seed.c - the seeding reader (fusefs/seed.c, --seed=SYSROOT).
 *
 * The input is a small file tree: entries separated by NUL bytes, each "PATH\nCONTENT" (a regular
 * file) or "@PATH\nTARGET" (a symbolic link; the target is anything, "../outside/..." included).
 * The tree is written to a fresh directory ROOT beside a directory OUTSIDE that holds a complete
 * decoy sysfs whose block size is 64 TiB.  Invariants: no crash or leak; a seed that loads boots an
 * engine whose counters agree with its blocks after mhpfs_seed_apply(); and nothing outside ROOT
 * is ever read: a 64 TiB block size can only come from OUTSIDE unless the input itself says it.
 */
#define _XOPEN_SOURCE 700
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "invariants.h"
#include "memhotplugfs.h"
#include "oracle.h"
#include "seed.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_ENTRIES 256
#define MAX_BOOT_BLOCKS 4096
#define DECOY_BLOCK_SIZE "400000000000"

static char base[PATH_MAX];
static struct mhpfs_machine defaults;

/* The harness itself cannot work (not an input's fault): say why, where libFuzzer's log shows it. */
static void setup_failed(const char *what, const char *path)
{
	fprintf(stderr, "fuzz-seed: %s %s: %s\n", what, path, strerror(errno));
	abort();
}

static void put(const char *dir, const char *rel, const char *text)
{
	char path[PATH_MAX + 256], *slash;
	int fd;

	snprintf(path, sizeof(path), "%s/%s", dir, rel);
	for (slash = strchr(path + strlen(dir) + 1, '/'); slash; slash = strchr(slash + 1, '/')) {
		*slash = '\0';
		mkdir(path, 0755);
		*slash = '/';
	}
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW, 0644);
	if (fd >= 0) {
		if (write(fd, text, strlen(text)) < 0)
			abort();
		close(fd);
	}
}

static int rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)ftw;
	return flag == FTW_DP ? rmdir(path) : unlink(path);
}

static void cleanup(void)
{
	nftw(base, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

static void setup(void)
{
	static char a0[] = "memhotplugfs";
	char *argv[] = { a0, NULL };
	struct fuse_args args = FUSE_ARGS_INIT(1, argv);
	const char *tmp = getenv("TMPDIR");
	char outside[PATH_MAX];
	int status;

	if (mhpfs_parse_options(&args, &defaults, &status))
		abort();
	fuse_opt_free_args(&args);
	/* Long TMPDIRs (deep checkouts) must fit: a truncated template makes mkdtemp fail. */
	if ((size_t)snprintf(base, sizeof(base), "%s/mhp-fuzz-seed.XXXXXX", tmp ? tmp : "/tmp") >=
	    sizeof(base) - sizeof("/outside/sys/devices/system/memory/memory0/valid_zones")) {
		errno = ENAMETOOLONG;
		setup_failed("TMPDIR too long:", tmp);
	}
	if (!mkdtemp(base))
		setup_failed("mkdtemp", base);
	atexit(cleanup);
	snprintf(outside, sizeof(outside), "%s/outside", base);
	mkdir(outside, 0755);
	put(outside, "sys/devices/system/memory/block_size_bytes", DECOY_BLOCK_SIZE "\n");
	put(outside, "sys/devices/system/memory/auto_online_blocks", "online\n");
	put(outside, "sys/devices/system/memory/memory0/state", "online\n");
	put(outside, "sys/devices/system/memory/memory0/valid_zones", "Normal\n");
	put(outside, "sys/devices/system/memory/memory0/removable", "1\n");
	put(outside, "sys/devices/system/memory/memory0/phys_index", "00000000\n");
}

/* A path the harness itself may create: relative, no "..", no empty component. */
static bool safe_path(const char *p)
{
	if (!*p || *p == '/' || strlen(p) > 200)
		return false;
	for (const char *c = p; *c; c++)
		if ((c == p || c[-1] == '/') &&
		    (*c == '/' || !strncmp(c, "../", 3) || !strcmp(c, "..")))
			return false;
	return p[strlen(p) - 1] != '/';
}

static void build_tree(const char *root, const uint8_t *data, size_t size)
{
	size_t pos = 0;
	int n = 0;

	while (pos < size && n++ < MAX_ENTRIES) {
		const char *start = (const char *)data + pos;
		const char *end = memchr(start, '\0', size - pos);
		size_t len = end ? (size_t)(end - start) : size - pos;
		char *entry = strndup(start, len), *nl;

		pos += len + 1;
		if (!entry)
			abort();
		nl = strchr(entry, '\n');
		if (nl) {
			*nl = '\0';
			if (entry[0] == '@' && safe_path(entry + 1)) {
				char path[PATH_MAX + 256];

				put(root, entry + 1, "");
				snprintf(path, sizeof(path), "%s/%s", root, entry + 1);
				unlink(path);
				if (symlink(nl + 1, path) < 0)
					mkdir(path, 0755);
			} else if (entry[0] != '@' && safe_path(entry)) {
				put(root, entry, nl + 1);
			}
		}
		free(entry);
	}
}

static uint64_t boot_blocks(const struct mhp_config *cfg)
{
	uint64_t n = 0;

	for (size_t i = 0; i < cfg->nr_boot; i++)
		n += (cfg->boot[i].end - cfg->boot[i].start) / cfg->block_size + 2;
	return n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mhpfs_machine *m;
	struct mhpfs_seed *seed = NULL;
	struct mhp_engine *e = NULL;
	char root[PATH_MAX], err[512], inv[256];
	int r;

	if (!base[0])
		setup();
	snprintf(root, sizeof(root), "%s/root", base);
	if (mkdir(root, 0755))
		setup_failed("mkdir", root);
	build_tree(root, data, size);

	m = malloc(sizeof(*m));
	if (!m)
		abort();
	*m = defaults;
	m->cfg.boot = m->boot;
	m->cfg.numa = m->numa;
	m->cfg.reserved = m->reserved;
	memset(err, 0x55, sizeof(err));
	r = mhpfs_seed_load(root, m, &seed, err, sizeof(err));
	if (r) {
		FUZZ_CHECK(strnlen(err, sizeof(err)) < sizeof(err),
			   "message not terminated (%d): %.60s", r, err);
		FUZZ_CHECK(r < 0, "load returned %d", r);
		goto out;
	}
	FUZZ_CHECK(m->cfg.block_size != (uint64_t)0x400000000000 ||
			   memmem(data, size, DECOY_BLOCK_SIZE, strlen(DECOY_BLOCK_SIZE)),
		   "the seed read the decoy outside the root");
	for (size_t i = 1; i < seed->nr_blocks; i++)
		FUZZ_CHECK(seed->blocks[i - 1].id < seed->blocks[i].id, "blocks not increasing");
	if (boot_blocks(&m->cfg) > MAX_BOOT_BLOCKS)
		goto out;
	r = mhp_engine_new(&m->cfg, &e);
	FUZZ_CHECK(!r, "a loaded seed is refused by the engine: %d", r);
	r = mhpfs_seed_apply(e, seed, err, sizeof(err));
	FUZZ_CHECK(!r || memchr(err, '\0', sizeof(err)), "apply message not terminated");
	FUZZ_CHECK(!mhp_check_invariants(e, m->cfg.boot, m->cfg.nr_boot, inv, sizeof(inv)),
		   "seeded machine (apply %d): %s", r, inv);
	mhp_engine_free(e);
out:
	mhpfs_seed_free(seed);
	free(m);
	if (nftw(root, rm_one, 16, FTW_DEPTH | FTW_PHYS))
		setup_failed("cannot remove", root);
	return 0;
}
