// SPDX-License-Identifier: MIT
/*
 * fusefs/netlink.c - libudev-format uevent broadcasts (see netlink.h).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/netlink.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include "netlink.h"

_Static_assert(sizeof(struct mhpfs_libudev_header) == 40, "libudev header is 40 bytes");

/* The inode number Linux gives the initial network namespace (PROC_NET_INIT_INO, 6.18+). */
#define NET_INIT_INO 0xeffffff9ULL

uint32_t mhpfs_murmurhash2(const void *key, size_t len, uint32_t seed)
{
	const uint32_t m = 0x5bd1e995;
	const unsigned char *p = key;
	uint32_t h = seed ^ (uint32_t)len;

	while (len >= 4) {
		uint32_t k;

		/* little-endian word load, independent of alignment */
		k = (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
		    (uint32_t)p[3] << 24;
		k *= m;
		k ^= k >> 24;
		k *= m;
		h *= m;
		h ^= k;
		p += 4;
		len -= 4;
	}
	switch (len) {
	case 3:
		h ^= (uint32_t)p[2] << 16;
		/* fall through */
	case 2:
		h ^= (uint32_t)p[1] << 8;
		/* fall through */
	case 1:
		h ^= p[0];
		h *= m;
	}
	h ^= h >> 13;
	h *= m;
	h ^= h >> 15;
	return h;
}

static uint32_t string_hash(const char *s)
{
	return mhpfs_murmurhash2(s, strlen(s), 0);
}

ssize_t mhpfs_libudev_format(const struct mhpfs_uevent_env *env, uint64_t usec_initialized,
			     char *buf, size_t len)
{
	struct mhpfs_libudev_header h = { .prefix = "libudev" };
	const char *subsys = mhpfs_uevent_env_get(env, "SUBSYSTEM");
	const char *devtype = mhpfs_uevent_env_get(env, "DEVTYPE");
	size_t plen = env->len;
	int n = 0;

	if (!subsys)
		return -EINVAL;
	if (sizeof(h) + plen > len)
		return -ENOSPC;
	memcpy(buf + sizeof(h), env->buf, plen);
	if (usec_initialized) {
		n = snprintf(buf + sizeof(h) + plen, len - sizeof(h) - plen,
			     "USEC_INITIALIZED=%llu", (unsigned long long)usec_initialized);
		if (n < 0 || (size_t)n + 1 > len - sizeof(h) - plen)
			return -ENOSPC;
		plen += (size_t)n + 1;
	}
	h.magic = htonl(MHPFS_UDEV_MONITOR_MAGIC);
	h.header_size = sizeof(h);
	h.properties_off = sizeof(h);
	h.properties_len = (uint32_t)plen;
	h.filter_subsystem_hash = htonl(string_hash(subsys));
	if (devtype)
		h.filter_devtype_hash = htonl(string_hash(devtype));
	/* no tags: the bloom filter stays 0, as udevd leaves it for an untagged device */
	memcpy(buf, &h, sizeof(h));
	return (ssize_t)(sizeof(h) + plen);
}

int mhpfs_netns_is_initial(void)
{
	struct stat self, init;
	struct utsname u;
	unsigned int major, minor;

	if (stat("/proc/self/ns/net", &self))
		return -errno;
	if (!stat("/proc/1/ns/net", &init))
		return self.st_dev == init.st_dev && self.st_ino == init.st_ino;
	if ((unsigned long long)self.st_ino == NET_INIT_INO)
		return 1;
	/* since 6.18 the initial namespace always has NET_INIT_INO, so ours is another one */
	if (!uname(&u) && sscanf(u.release, "%u.%u", &major, &minor) == 2 &&
	    (major > 6 || (major == 6 && minor >= 18)))
		return 0;
	return -EACCES;
}

/* USEC_INITIALIZED per DEVPATH, as udevd's database keeps it. */
struct dev_time {
	struct dev_time *next;
	uint64_t usec;
	char devpath[];
};

#define NR_BUCKETS 1024

struct mhpfs_netlink {
	int fd;
	pthread_mutex_t lock;
	struct dev_time *buckets[NR_BUCKETS]; /* protected by lock */
	uint64_t sent; /* protected by lock */
};

int mhpfs_netlink_open(bool force, struct mhpfs_netlink **ret)
{
	struct mhpfs_netlink *nl;
	int r;

	if (!force) {
		r = mhpfs_netns_is_initial();
		if (r != 0)
			return -EPERM;
	}
	nl = calloc(1, sizeof(*nl));
	if (!nl)
		return -ENOMEM;
	nl->fd =
		socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC | SOCK_NONBLOCK, NETLINK_KOBJECT_UEVENT);
	if (nl->fd < 0) {
		r = -errno;
		free(nl);
		return r;
	}
	pthread_mutex_init(&nl->lock, NULL);
	*ret = nl;
	return 0;
}

void mhpfs_netlink_close(struct mhpfs_netlink *nl)
{
	if (!nl)
		return;
	for (size_t i = 0; i < NR_BUCKETS; i++) {
		struct dev_time *d = nl->buckets[i], *next;

		for (; d; d = next) {
			next = d->next;
			free(d);
		}
	}
	close(nl->fd);
	pthread_mutex_destroy(&nl->lock);
	free(nl);
}

static uint64_t now_usec(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000ULL + (uint64_t)ts.tv_nsec / 1000;
}

/* The device's USEC_INITIALIZED (set at its first event); forget it when @forget. */
static int usec_initialized_locked(struct mhpfs_netlink *nl, const char *devpath, bool forget,
				   uint64_t *ret)
{
	struct dev_time **pp = &nl->buckets[string_hash(devpath) % NR_BUCKETS], *d;
	size_t len = strlen(devpath);

	for (; (d = *pp); pp = &d->next)
		if (!strcmp(d->devpath, devpath))
			break;
	if (!d) {
		if (forget) {
			/* a remove for a device never seen: udevd would give it one now */
			*ret = now_usec();
			return 0;
		}
		d = malloc(sizeof(*d) + len + 1);
		if (!d)
			return -ENOMEM;
		d->usec = now_usec();
		memcpy(d->devpath, devpath, len + 1);
		d->next = NULL;
		*pp = d;
	}
	*ret = d->usec;
	if (forget) {
		*pp = d->next;
		free(d);
	}
	return 0;
}

int mhpfs_netlink_send(struct mhpfs_netlink *nl, const struct mhpfs_uevent_env *env)
{
	const char *action = mhpfs_uevent_env_get(env, "ACTION");
	const char *devpath = mhpfs_uevent_env_get(env, "DEVPATH");
	struct sockaddr_nl dst = { .nl_family = AF_NETLINK, .nl_groups = MHPFS_NETLINK_GROUP_UDEV };
	char buf[MHPFS_LIBUDEV_MSG_MAX];
	uint64_t usec;
	ssize_t len;
	int r;

	if (!action || !devpath)
		return -EINVAL;
	pthread_mutex_lock(&nl->lock);
	r = usec_initialized_locked(nl, devpath, !strcmp(action, "remove"), &usec);
	if (!r) {
		len = mhpfs_libudev_format(env, usec, buf, sizeof(buf));
		if (len < 0)
			r = (int)len;
	}
	if (!r) {
		/* ECONNREFUSED only says that nobody listens */
		if (sendto(nl->fd, buf, (size_t)len, 0, (struct sockaddr *)&dst, sizeof(dst)) < 0 &&
		    errno != ECONNREFUSED)
			r = -errno;
		else
			nl->sent++;
	}
	pthread_mutex_unlock(&nl->lock);
	return r;
}

uint64_t mhpfs_netlink_sent(struct mhpfs_netlink *nl)
{
	uint64_t n;

	pthread_mutex_lock(&nl->lock);
	n = nl->sent;
	pthread_mutex_unlock(&nl->lock);
	return n;
}
