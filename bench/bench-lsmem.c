// SPDX-License-Identifier: MIT
/*
 * bench-lsmem - `lsmem --sysroot` over 65,536 memory blocks served by memhotplugfs (sysfs layout),
 * next to the same tree copied to tmpfs as plain files, in the same run.
 *
 * The machine has 128 KiB blocks: 1 GiB of boot memory (8,192 online blocks) and a 7 GiB DIMM
 * added offline through kernel/debug/memhotplugfs/add_memory (57,344 blocks), so lsmem shows
 * two ranges.  (Offline blocks hold no page-pool mapping: a machine of 65,536 online blocks hits
 * the host's vm.max_map_count.)
 *
 * The copy has every entry of the memory directory and of each memoryN directory with the same
 * name, type and mode; the files lsmem reads (block_size_bytes, auto_online_blocks, state,
 * removable, valid_zones) carry the mount's content, links their targets, the other files are
 * empty and the power directories too.
 *
 * Usage: bench-lsmem [-r ROUNDS] [-b BLOCKS] [-o DAEMON_OPTION]...   (BLOCKS: a multiple of 8192)
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "benchlib.h"

#define BOOT_BLOCKS 8192

static const char *const copied[] = {
	"block_size_bytes", "auto_online_blocks", "state",  "removable", "valid_zones",
	"phys_index",	    "phys_device",	  "online", NULL,
};

static bool is_copied(const char *name)
{
	for (int i = 0; copied[i]; i++)
		if (!strcmp(name, copied[i]))
			return true;
	return false;
}

static int copy_file(const char *from, const char *to, mode_t mode, bool content)
{
	char buf[4096];
	ssize_t n = 0;
	int in, out;

	out = open(to, O_WRONLY | O_CREAT | O_TRUNC, mode & 07777);
	if (out < 0)
		return -errno;
	if (content) {
		in = open(from, O_RDONLY);
		if (in < 0) {
			close(out);
			return -errno;
		}
		while ((n = read(in, buf, sizeof(buf))) > 0)
			if (write(out, buf, (size_t)n) != n) {
				n = -1;
				break;
			}
		close(in);
	}
	close(out);
	return n < 0 ? -EIO : 0;
}

/* One level of @from into @to; @depth 1 goes into the memoryN directories. */
static int copy_dir(const char *from, const char *to, int depth)
{
	DIR *d = opendir(from);
	struct dirent *de;
	int r = 0;

	if (!d)
		return -errno;
	mkdir(to, 0755);
	while (!r && (de = readdir(d))) {
		char src[1024], dst[1024], link[512];
		struct stat st;
		ssize_t n;

		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		snprintf(src, sizeof(src), "%s/%s", from, de->d_name);
		snprintf(dst, sizeof(dst), "%s/%s", to, de->d_name);
		if (lstat(src, &st)) {
			r = -errno;
			break;
		}
		if (S_ISLNK(st.st_mode)) {
			n = readlink(src, link, sizeof(link) - 1);
			if (n < 0) {
				r = -errno;
				break;
			}
			link[n] = '\0';
			if (symlink(link, dst))
				r = -errno;
		} else if (S_ISDIR(st.st_mode)) {
			if (depth > 0 && !strncmp(de->d_name, "memory", 6))
				r = copy_dir(src, dst, depth - 1);
			else if (mkdir(dst, st.st_mode & 07777))
				r = -errno;
		} else {
			r = copy_file(src, dst, st.st_mode,
				      is_copied(de->d_name) && (st.st_mode & 0444));
		}
	}
	closedir(d);
	return r;
}

static double run_lsmem(const char *root)
{
	const char *argv[] = { "lsmem", "--sysroot", root, NULL };
	double t = bench_now();

	if (bench_run(argv, false) != 0) {
		fprintf(stderr, "bench-lsmem: lsmem --sysroot %s failed\n", root);
		return -1;
	}
	return bench_now() - t;
}

static int write_str(const char *path, const char *s)
{
	int fd = open(path, O_WRONLY);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = write(fd, s, strlen(s));
	close(fd);
	return n == (ssize_t)strlen(s) ? 0 : -errno;
}

static int same_output(const char *a, const char *b)
{
	char cmd[2048];

	snprintf(cmd, sizeof(cmd),
		 "cmp -s <(lsmem --sysroot '%s' -o RANGE,SIZE,STATE,BLOCK) "
		 "<(lsmem --sysroot '%s' -o RANGE,SIZE,STATE,BLOCK)",
		 a, b);
	{
		const char *argv[] = { "bash", "-c", cmd, NULL };

		return bench_run(argv, false);
	}
}

int main(int argc, char **argv)
{
	const char *dopts[40] = { "--layout=sysfs", "--block-size=128K", "--boot=0-1G@0" };
	size_t nd = 3;
	long rounds = 3, blocks = 65536;
	char froot[512], fsys[600], troot[512], tsys[600], tdev[700], path[800], dimm[64];
	const char *tmp, *shm;
	double *fu, *tm, t;
	bool met;
	int c, r;

	while ((c = getopt(argc, argv, "r:b:o:h")) != -1) {
		switch (c) {
		case 'r':
			rounds = strtol(optarg, NULL, 10);
			break;
		case 'b':
			blocks = strtol(optarg, NULL, 10);
			break;
		case 'o':
			if (nd < 39)
				dopts[nd++] = optarg;
			break;
		default:
			fprintf(stderr, "usage: %s [-r ROUNDS] [-b BLOCKS] [-o DAEMON_OPTION]...\n",
				argv[0]);
			return c == 'h' ? 0 : 2;
		}
	}
	if (rounds < 1 || blocks < 2 * BOOT_BLOCKS || blocks % BOOT_BLOCKS) {
		fprintf(stderr,
			"bench-lsmem: ROUNDS must be at least 1 and BLOCKS a multiple of %d, at "
			"least %d\n",
			BOOT_BLOCKS, 2 * BOOT_BLOCKS);
		return 2;
	}
	tmp = bench_tmpdir();
	shm = bench_tmpfs_dir();
	if (!tmp || !shm)
		return 1;
	snprintf(froot, sizeof(froot), "%s/root", tmp);
	snprintf(fsys, sizeof(fsys), "%s/sys", froot);
	mkdir(froot, 0755);
	if (bench_mount(fsys, dopts) < 0)
		return 1;
	/* the DIMM: 12 GiB on, offline blocks */
	snprintf(path, sizeof(path), "%s/kernel/debug/memhotplugfs/add_memory", fsys);
	snprintf(dimm, sizeof(dimm), "0x300000000 %ldK", (blocks - BOOT_BLOCKS) * 128);
	r = write_str(path, dimm);
	if (r) {
		fprintf(stderr, "bench-lsmem: add_memory %s: %s\n", dimm, strerror(-r));
		return 1;
	}

	/* the plain copy */
	snprintf(troot, sizeof(troot), "%s/root", shm);
	snprintf(tsys, sizeof(tsys), "%s/sys", troot);
	snprintf(tdev, sizeof(tdev), "%s/devices/system", tsys);
	snprintf(path, sizeof(path), "mkdir -p '%s'", tdev);
	{
		const char *mk[] = { "bash", "-c", path, NULL };

		bench_run(mk, false);
	}
	snprintf(path, sizeof(path), "%s/devices/system/memory", fsys);
	t = bench_now();
	snprintf(tdev + strlen(tdev), sizeof(tdev) - strlen(tdev), "/memory");
	r = copy_dir(path, tdev, 1);
	if (r) {
		fprintf(stderr, "bench-lsmem: copy to tmpfs: %s\n", strerror(-r));
		return 1;
	}
	printf("lsmem: %ld blocks (%d online, %ld offline) copied to tmpfs in %.1f s\n", blocks,
	       BOOT_BLOCKS, blocks - BOOT_BLOCKS, bench_now() - t);
	if (same_output(froot, troot)) {
		fprintf(stderr, "bench-lsmem: lsmem shows the mount and the copy differently\n");
		return 1;
	}

	fu = calloc((size_t)rounds, sizeof(double));
	tm = calloc((size_t)rounds, sizeof(double));
	if (!fu || !tm)
		return 1;
	for (long rd = 0; rd < rounds; rd++) {
		/* alternate which goes first */
		if (rd % 2) {
			tm[rd] = run_lsmem(troot);
			fu[rd] = run_lsmem(froot);
		} else {
			fu[rd] = run_lsmem(froot);
			tm[rd] = run_lsmem(troot);
		}
		if (fu[rd] < 0 || tm[rd] < 0)
			return 1;
	}
	printf("lsmem: lsmem --sysroot, %ld blocks, %ld rounds; daemon options:", blocks, rounds);
	for (size_t i = 0; i < nd; i++)
		printf(" %s", dopts[i]);
	printf("\n");
	met = bench_report("lsmem", "memhotplugfs", "tmpfs copy", "s", fu, tm, (size_t)rounds, 3.0,
			   true);
	bench_load_note("lsmem");
	bench_unmount(fsys);
	free(fu);
	free(tm);
	return met ? 0 : 3;
}
