// SPDX-License-Identifier: MIT
/*
 * tests/torture/torture-fs.c - a mounted memhotplugfs (sysfs layout) under random concurrent
 * writes and reads, then a consistency check of everything the mount shows.
 *
 * Usage: torture-fs MOUNTPOINT SECONDS.  Writers store random (valid and invalid) values into
 * state, online, probe, auto_online_blocks, the module parameters, the injector, the uevent files
 * and the daemon's add_memory/remove_memory; readers list directories and read every value; a
 * holder keeps a block's directory and state open across the changes and uses them later (a
 * removed block's descriptor gets ENODEV, its directory holds nothing: never EIO, even when the
 * block id is back).  Every errno must be one the kernel can give for that file.  A watchdog
 * fails the run when no system call completes for 20 s.  Afterwards: every block reads online or
 * offline with a matching `online`, has exactly one node link and its mirror links, each node's
 * MemTotal is the sum of its online blocks and has_memory lists exactly the nodes with memory.
 * Exit: 0 pass, 1 a check failed, 2 a hang.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define NR_WRITERS 3
#define NR_READERS 2
#define HOT_FIRST 96 /* 12 GiB in 128 MiB blocks: the default machine's hot-pluggable range */
#define HOT_LAST 223
#define STALL_SECONDS 20

static const char *mnt;
static atomic_bool stop;
static atomic_ulong progress, writes, writes_ok, reads, failures;

#define FAIL(...)                                                  \
	do {                                                       \
		fprintf(stderr, "torture-fs: FAIL: " __VA_ARGS__); \
		fputc('\n', stderr);                               \
		atomic_fetch_add(&failures, 1);                    \
	} while (0)

/* write(2) once; 0 or -errno */
static int put(const char *rel, const char *text)
{
	char path[1280];
	ssize_t n;
	int fd, r = 0;

	snprintf(path, sizeof(path), "%s/%s", mnt, rel);
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = write(fd, text, strlen(text));
	if (n < 0)
		r = -errno;
	else if ((size_t)n != strlen(text))
		FAIL("%s: short write %zd of %zu", rel, n, strlen(text));
	close(fd);
	return r;
}

/* the whole file into @buf; length or -errno */
static int get(const char *rel, char *buf, size_t len)
{
	char path[1280];
	ssize_t n, total = 0;
	int fd;

	snprintf(path, sizeof(path), "%s/%s", mnt, rel);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	while ((n = read(fd, buf + total, len - 1 - (size_t)total)) > 0)
		total += n;
	close(fd);
	if (n < 0)
		return -errno;
	buf[total] = '\0';
	atomic_fetch_add(&reads, 1);
	return (int)total;
}

static bool in(int r, const int *ok)
{
	for (; *ok != 1; ok++)
		if (r == *ok)
			return true;
	return false;
}

/* 1 ends a list.  ENOENT: the block went away before open; ENODEV: while open. */
static const int ok_state[] = { 0, -EINVAL, -EBUSY, -ENOMEM, -ENOENT, -ENODEV, 1 };
static const int ok_probe[] = { 0, -EEXIST, -EINVAL, 1 };
static const int ok_param[] = { 0, -EINVAL, 1 };
static const int ok_ctl[] = { 0, -EEXIST, -EBUSY, -EINVAL, -ENOMEM, 1 };
static const int ok_uevent[] = { 0, -EINVAL, -ENOENT, -ENODEV, 1 };

static void one_write(unsigned int *seed)
{
	static const char *const words[] = { "online",	       "offline",   "online_kernel",
					     "online_movable", "offline\n", "Online",
					     "online ",	       "1",	    "0" };
	static const char *const bools[] = { "1", "0", "y", "n", "on", "off", "2", "" };
	unsigned long id = (unsigned long)rand_r(seed) % (HOT_LAST + 1);
	char rel[128], text[96];
	const int *ok;
	int r;

	switch (rand_r(seed) % 10) {
	case 0:
	case 1:
	case 2:
		snprintf(rel, sizeof(rel), "devices/system/memory/memory%lu/state", id);
		snprintf(text, sizeof(text), "%s", words[rand_r(seed) % 9]);
		ok = ok_state;
		break;
	case 3:
		snprintf(rel, sizeof(rel), "devices/system/memory/memory%lu/online", id);
		snprintf(text, sizeof(text), "%s", bools[rand_r(seed) % 8]);
		ok = ok_state;
		break;
	case 4:
		snprintf(rel, sizeof(rel), "devices/system/memory/probe");
		snprintf(text, sizeof(text), "0x%lx",
			 (HOT_FIRST + (unsigned long)rand_r(seed) % (HOT_LAST - HOT_FIRST + 1))
				 << 27);
		ok = ok_probe;
		break;
	case 5:
		snprintf(rel, sizeof(rel), "devices/system/memory/auto_online_blocks");
		snprintf(text, sizeof(text), "%s",
			 rand_r(seed) % 4 ? "offline" : words[rand_r(seed) % 9]);
		ok = ok_param;
		break;
	case 6: {
		static const char *const params[] = { "online_policy", "auto_movable_ratio",
						      "auto_movable_numa_aware" };
		static const char *const values[] = {
			"contig-zones", "auto-movable", "301", "0", "Y", "N", "x"
		};

		snprintf(rel, sizeof(rel), "module/memory_hotplug/parameters/%s",
			 params[rand_r(seed) % 3]);
		snprintf(text, sizeof(text), "%s", values[rand_r(seed) % 7]);
		ok = ok_param;
		break;
	}
	case 7: {
		bool add = rand_r(seed) & 1;
		unsigned long first = HOT_FIRST + (unsigned long)rand_r(seed) % 120;

		snprintf(rel, sizeof(rel), "kernel/debug/memhotplugfs/%s",
			 add ? "add_memory" : "remove_memory");
		snprintf(text, sizeof(text), "0x%lx %dM", first << 27,
			 128 * (1 + rand_r(seed) % 4));
		ok = ok_ctl;
		break;
	}
	case 8:
		snprintf(rel, sizeof(rel),
			 "kernel/debug/notifier-error-inject/memory/actions/%s/error",
			 rand_r(seed) & 1 ? "MEM_GOING_ONLINE" : "MEM_GOING_OFFLINE");
		snprintf(text, sizeof(text), "%s", rand_r(seed) % 4 ? "0" : "-12");
		ok = ok_param;
		break;
	default:
		snprintf(rel, sizeof(rel), "devices/system/memory/memory%lu/uevent", id);
		snprintf(text, sizeof(text), "%s", rand_r(seed) & 1 ? "change" : "bogus");
		ok = ok_uevent;
		break;
	}
	r = put(rel, text);
	atomic_fetch_add(&writes, 1);
	if (!r)
		atomic_fetch_add(&writes_ok, 1);
	/* a block that does not exist: ENOENT at open, before anything else */
	if (!in(r, ok))
		FAIL("echo '%s' > %s: %s", text, rel, strerror(-r));
}

static void *writer(void *arg)
{
	unsigned int seed = (unsigned int)(uintptr_t)arg;

	while (!atomic_load(&stop)) {
		one_write(&seed);
		atomic_fetch_add(&progress, 1);
	}
	return NULL;
}

static void *reader(void *arg)
{
	static const char *const files[] = { "state", "online", "valid_zones", "phys_index",
					     "removable" };
	unsigned int seed = (unsigned int)(uintptr_t)arg;
	char rel[128], buf[8192];

	while (!atomic_load(&stop)) {
		unsigned long id = (unsigned long)rand_r(&seed) % (HOT_LAST + 1);
		int r;

		snprintf(rel, sizeof(rel), "devices/system/memory/memory%lu/%s", id,
			 files[rand_r(&seed) % 5]);
		r = get(rel, buf, sizeof(buf));
		if (r < 0 && r != -ENOENT && r != -ENODEV)
			FAIL("cat %s: %s", rel, strerror(-r));
		if (rand_r(&seed) % 8 == 0) {
			snprintf(rel, sizeof(rel), "devices/system/node/node%d/meminfo",
				 rand_r(&seed) & 1);
			r = get(rel, buf, sizeof(buf));
			if (r < 0 && r != -ENOENT && r != -ENODEV)
				FAIL("cat %s: %s", rel, strerror(-r));
		}
		if (rand_r(&seed) % 16 == 0) {
			static const char *const dirs[] = { "devices/system/memory",
							    "devices/system/node/node0",
							    "devices/system/node/node1",
							    "bus/memory/devices" };
			DIR *d;

			/* listings the kernel keeps, while their children come and go */
			snprintf(rel, sizeof(rel), "%s/%s", mnt, dirs[rand_r(&seed) % 4]);
			d = opendir(rel);
			if (!d)
				FAIL("opendir %s: %s", rel, strerror(errno));
			else {
				while (readdir(d))
					;
				closedir(d);
			}
		}
		atomic_fetch_add(&progress, 1);
	}
	return NULL;
}

static bool alive_in(int dfd)
{
	int fd = openat(dfd, "online", O_RDONLY | O_CLOEXEC);

	if (fd >= 0)
		close(fd);
	return fd >= 0;
}

/* List @dfd: the number of entries, and whether "state" is one of them. */
static int list_held(int dfd, unsigned long id, bool *ret_state)
{
	int n = 0, fd = dup(dfd);
	struct dirent *de;
	DIR *d = fd < 0 ? NULL : fdopendir(fd);

	*ret_state = false;
	if (!d) {
		FAIL("fdopendir memory%lu: %s", id, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	rewinddir(d);
	errno = 0;
	while ((de = readdir(d))) {
		n++;
		*ret_state |= !strcmp(de->d_name, "state");
	}
	if (errno)
		FAIL("readdir of memory%lu held open: %s", id, strerror(errno));
	closedir(d);
	return n;
}

/*
 * List the held directory @dfd of block @id (the kernel keeps listings): a block still there
 * after the listing lists all its files (one that went away meanwhile may list part of them).  A
 * block gone before it lists "." and ".." only once the store that removed it has returned: as
 * for cached names, an observer racing with that store may still see the old listing for a
 * moment, so it is listed again for up to 0.5 s (the kernel would keep it for a second without
 * the invalidation of the removed directory).  Nothing at all is right too: the inotify replay
 * removed the directory through the mount, and the kernel lists a dead directory as empty.
 */
static void check_held_listing(int dfd, unsigned long id)
{
	bool before = alive_in(dfd), after, state;
	int n = list_held(dfd, id, &state);

	if (n < 0)
		return;
	after = alive_in(dfd);
	if (after && !state)
		FAIL("memory%lu, there, lists no state (%d entries)", id, n);
	for (int i = 0; !before && n > 2 && i < 25; i++) {
		usleep(20000);
		n = list_held(dfd, id, &state);
	}
	if (!before && n > 2)
		FAIL("memory%lu, gone, still lists %d entries after 0.5 s", id, n);
}

static void *holder(void *arg)
{
	unsigned int seed = (unsigned int)(uintptr_t)arg;
	char rel[1280], buf[64];

	while (!atomic_load(&stop)) {
		unsigned long id =
			HOT_FIRST + (unsigned long)rand_r(&seed) % (HOT_LAST - HOT_FIRST + 1);
		int dfd, fd, nfd;

		snprintf(rel, sizeof(rel), "%s/devices/system/memory/memory%lu", mnt, id);
		dfd = open(rel, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (dfd < 0) {
			if (errno != ENOENT)
				FAIL("open %s: %s", rel, strerror(errno));
			atomic_fetch_add(&progress, 1);
			continue;
		}
		fd = openat(dfd, "state", O_RDONLY | O_CLOEXEC);
		if (fd < 0 && errno != ENOENT && errno != ENODEV)
			FAIL("open memory%lu/state: %s", id, strerror(errno));
		check_held_listing(dfd, id); /* the kernel keeps this listing */
		/* now and then past the second after which the kernel trusts what it cached */
		usleep(rand_r(&seed) % 8 ? 10000 + (unsigned int)rand_r(&seed) % 40000 : 1100000);
		/* the block may be gone, and maybe back as a new device */
		if (fd >= 0 && pread(fd, buf, sizeof(buf), 0) < 0 && errno != ENODEV)
			FAIL("read memory%lu/state held open: %s", id, strerror(errno));
		check_held_listing(dfd, id);
		nfd = openat(dfd, "online", O_RDONLY | O_CLOEXEC);
		if (nfd < 0 && errno != ENOENT && errno != ENODEV)
			FAIL("open online in memory%lu held open: %s", id, strerror(errno));
		if (nfd >= 0)
			close(nfd);
		if (fd >= 0)
			close(fd);
		close(dfd);
		atomic_fetch_add(&reads, 1);
		atomic_fetch_add(&progress, 1);
	}
	return NULL;
}

static void *watchdog(void *arg)
{
	unsigned long last = (unsigned long)-1;
	time_t changed = time(NULL);

	(void)arg;
	for (;;) {
		unsigned long p = atomic_load(&progress);

		if (p != last) {
			last = p;
			changed = time(NULL);
		}
		if (time(NULL) - changed > STALL_SECONDS) {
			fprintf(stderr,
				"torture-fs: FAIL: hang: no system call completed for %d s\n",
				STALL_SECONDS);
			_exit(2);
		}
		usleep(200000);
	}
	return NULL;
}

/* ---- the end state ------------------------------------------------------------------------- */

static unsigned long parse_kb(const char *meminfo, const char *key)
{
	const char *p = strstr(meminfo, key);

	return p ? strtoul(p + strlen(key), NULL, 10) : (unsigned long)-1;
}

/* The memoryN entries a listing of @rel shows (a missing node directory shows none). */
static unsigned long count_listed(const char *rel)
{
	char path[1280];
	unsigned long n = 0, id;
	struct dirent *de;
	DIR *d;

	snprintf(path, sizeof(path), "%s/%s", mnt, rel);
	d = opendir(path);
	if (!d)
		return 0;
	while ((de = readdir(d)))
		n += sscanf(de->d_name, "memory%lu", &id) == 1;
	closedir(d);
	return n;
}

static void check_end(void)
{
	unsigned long online_kb[2] = { 0, 0 }, blocks = 0, online = 0, bs;
	char rel[1024], buf[8192], want[64];
	struct dirent *de;
	DIR *d;

	if (get("devices/system/memory/block_size_bytes", buf, sizeof(buf)) < 0) {
		FAIL("block_size_bytes");
		return;
	}
	bs = strtoul(buf, NULL, 16);
	snprintf(rel, sizeof(rel), "%s/devices/system/memory", mnt);
	d = opendir(rel);
	if (!d) {
		FAIL("opendir %s", rel);
		return;
	}
	while ((de = readdir(d))) {
		unsigned long id;
		int nodes = 0, nid = -1, r;
		bool on;

		if (sscanf(de->d_name, "memory%lu", &id) != 1)
			continue;
		blocks++;
		snprintf(rel, sizeof(rel), "devices/system/memory/%s/state", de->d_name);
		r = get(rel, buf, sizeof(buf));
		if (r < 0) {
			FAIL("%s: %s at rest", rel, strerror(-r));
			continue;
		}
		if (strcmp(buf, "online\n") && strcmp(buf, "offline\n")) {
			FAIL("%s reads '%s' at rest", rel, buf);
			continue;
		}
		on = !strcmp(buf, "online\n");
		online += on;
		snprintf(rel, sizeof(rel), "devices/system/memory/%s/online", de->d_name);
		if (get(rel, buf, sizeof(buf)) < 0 || strcmp(buf, on ? "1\n" : "0\n"))
			FAIL("%s reads '%s' for a block %s", rel, buf, on ? "online" : "offline");
		snprintf(rel, sizeof(rel), "devices/system/memory/%s/valid_zones", de->d_name);
		if (get(rel, buf, sizeof(buf)) < 0 || (on && strchr(buf, ' ')))
			FAIL("%s reads '%s'", rel, buf);
		for (int n = 0; n < 2; n++) {
			struct stat st;

			snprintf(rel, sizeof(rel), "%s/devices/system/memory/%s/node%d", mnt,
				 de->d_name, n);
			if (lstat(rel, &st))
				continue;
			nodes++;
			nid = n;
			snprintf(rel, sizeof(rel), "%s/devices/system/node/node%d/%s", mnt, n,
				 de->d_name);
			if (lstat(rel, &st))
				FAIL("%s missing", rel);
		}
		if (nodes != 1)
			FAIL("%s has %d node links", de->d_name, nodes);
		else if (on)
			online_kb[nid] += bs >> 10;
		snprintf(rel, sizeof(rel), "%s/bus/memory/devices/%s", mnt, de->d_name);
		if (access(rel, F_OK))
			FAIL("%s missing", rel);
	}
	closedir(d);
	want[0] = '\0';
	for (int n = 0; n < 2; n++) {
		snprintf(rel, sizeof(rel), "devices/system/node/node%d/meminfo", n);
		if (get(rel, buf, sizeof(buf)) < 0) {
			FAIL("cat %s", rel);
			continue;
		}
		if (parse_kb(buf, "MemTotal:") != online_kb[n])
			FAIL("node%d MemTotal %lu kB, its online blocks make %lu kB", n,
			     parse_kb(buf, "MemTotal:"), online_kb[n]);
	}
	snprintf(want, sizeof(want), "%s\n",
		 online_kb[0] && online_kb[1] ? "0-1" :
		 online_kb[0]		      ? "0" :
		 online_kb[1]		      ? "1" :
						"");
	if (get("devices/system/node/has_memory", buf, sizeof(buf)) < 0 || strcmp(buf, want))
		FAIL("has_memory '%s', expected '%s'", buf, want);
	/* every listing that shows blocks shows all of them, once (the kernel keeps listings) */
	if (count_listed("bus/memory/devices") != blocks)
		FAIL("bus/memory/devices lists %lu blocks, the memory directory %lu",
		     count_listed("bus/memory/devices"), blocks);
	if (count_listed("devices/system/node/node0") + count_listed("devices/system/node/node1") !=
	    blocks)
		FAIL("the node directories list %lu + %lu blocks, the memory directory %lu",
		     count_listed("devices/system/node/node0"),
		     count_listed("devices/system/node/node1"), blocks);
	if (get("kernel/debug/memhotplugfs/stats", buf, sizeof(buf)) < 0 ||
	    parse_kb(buf, "blocks ") != blocks || parse_kb(buf, "blocks_online ") != online)
		FAIL("stats say '%.80s', the tree has %lu blocks, %lu online", buf, blocks, online);
	printf("torture-fs: at rest: %lu blocks, %lu online\n", blocks, online);
}

int main(int argc, char **argv)
{
	pthread_t w[NR_WRITERS], r[NR_READERS], h, wd;
	int seconds;

	if (argc != 3) {
		fprintf(stderr, "usage: torture-fs MOUNTPOINT SECONDS\n");
		return 1;
	}
	mnt = argv[1];
	seconds = atoi(argv[2]);
	pthread_create(&wd, NULL, watchdog, NULL);
	pthread_detach(wd);
	for (int i = 0; i < NR_WRITERS; i++)
		pthread_create(&w[i], NULL, writer, (void *)(uintptr_t)(time(NULL) + i));
	for (int i = 0; i < NR_READERS; i++)
		pthread_create(&r[i], NULL, reader, (void *)(uintptr_t)(time(NULL) + 100 + i));
	pthread_create(&h, NULL, holder, (void *)(uintptr_t)(time(NULL) + 200));
	sleep((unsigned int)(seconds > 0 ? seconds : 1));
	atomic_store(&stop, true);
	for (int i = 0; i < NR_WRITERS; i++)
		pthread_join(w[i], NULL);
	for (int i = 0; i < NR_READERS; i++)
		pthread_join(r[i], NULL);
	pthread_join(h, NULL);
	/* the injector off, so that nothing is left armed for other tests */
	put("kernel/debug/notifier-error-inject/memory/actions/MEM_GOING_ONLINE/error", "0");
	put("kernel/debug/notifier-error-inject/memory/actions/MEM_GOING_OFFLINE/error", "0");
	check_end();
	printf("torture-fs: %lu writes (%lu succeeded), %lu reads\n", atomic_load(&writes),
	       atomic_load(&writes_ok), atomic_load(&reads));
	return atomic_load(&failures) ? 1 : 0;
}
