/* SPDX-License-Identifier: MIT */
/*
 * fusefs/netlink.h - uevents as libudev-format netlink broadcasts, the messages udevd sends to
 * its listeners after processing a kernel uevent, so that `udevadm monitor --udev` and
 * libudev/sd-device based daemons receive our events.
 *
 * Why not the kernel's own format on the kernel group (1)?  Listeners ignore kernel-group
 * messages whose sender nl_pid is not 0, and a userspace sender never gets nl_pid 0.  The udev
 * group (2) accepts any sender whose credentials say uid 0.
 *
 * The message is a 40-byte header followed by the properties, each "KEY=VALUE\0":
 *	prefix "libudev\0"; magic 0xfeedcafe (network order); header size, properties offset and
 *	properties length (host order); MurmurHash2 (seed 0) of SUBSYSTEM and of DEVTYPE (0 when
 *	there is none) and the 64-bit tag bloom filter (0: no tags), all in network order.  The
 *	hashes let listeners filter in the kernel with BPF.
 * The properties are the kernel's keys (ACTION, DEVPATH, SUBSYSTEM, synthetic keys, SEQNUM)
 * followed by USEC_INITIALIZED, as udevd sends them for a device no rule touched.
 *
 * Safety: real udev listeners in the host's initial network namespace would act on our fake
 * devices (udevd itself would run rules against the host's /sys).  So opening refuses in the
 * initial network namespace unless forced; run the daemon under `unshare -n` (or in a
 * container with its own network namespace) instead.
 */
#ifndef MHPFS_NETLINK_H
#define MHPFS_NETLINK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "uevent.h"

#define MHPFS_UDEV_MONITOR_MAGIC 0xfeedcafeU
#define MHPFS_NETLINK_GROUP_KERNEL 1
#define MHPFS_NETLINK_GROUP_UDEV 2
/* The header plus the largest environment and USEC_INITIALIZED. */
#define MHPFS_LIBUDEV_MSG_MAX (40 + MHPFS_UEVENT_BUFFER_SIZE + 64)

/**
 * struct mhpfs_libudev_header - the header of a libudev netlink message (40 bytes)
 */
struct mhpfs_libudev_header {
	char prefix[8];
	uint32_t magic; /* network order */
	uint32_t header_size; /* host order */
	uint32_t properties_off; /* host order */
	uint32_t properties_len; /* host order */
	uint32_t filter_subsystem_hash; /* network order */
	uint32_t filter_devtype_hash; /* network order */
	uint32_t filter_tag_bloom_hi; /* network order */
	uint32_t filter_tag_bloom_lo; /* network order */
};

/** mhpfs_murmurhash2() - Austin Appleby's MurmurHash2, 32-bit, as libudev hashes strings. */
uint32_t mhpfs_murmurhash2(const void *key, size_t len, uint32_t seed);

/**
 * mhpfs_libudev_format() - one libudev message
 * @env: the event's environment (mhpfs_uevent_env_build()); must contain SUBSYSTEM
 * @usec_initialized: the USEC_INITIALIZED value (CLOCK_MONOTONIC microseconds at which udev
 *                    first saw the device); 0 leaves the key out
 * @buf: output
 * @len: size of @buf (MHPFS_LIBUDEV_MSG_MAX is enough)
 *
 * Return: the message length, -EINVAL (no SUBSYSTEM), -ENOSPC.
 */
ssize_t mhpfs_libudev_format(const struct mhpfs_uevent_env *env, uint64_t usec_initialized,
			     char *buf, size_t len);

/**
 * mhpfs_netns_is_initial() - whether this process is in the host's initial network namespace
 *
 * Compares /proc/self/ns/net with /proc/1/ns/net (device and inode).  When pid 1's namespace
 * cannot be read (a sandbox hides it), the kernel's fixed inode number of the initial network
 * namespace (0xeffffff9, since Linux 6.18; other namespaces get numbers from 0xf0000000 up)
 * decides, and on older kernels the answer is unknown.
 *
 * Return: 1 (initial), 0 (another namespace), or a negative errno when it cannot tell.
 */
int mhpfs_netns_is_initial(void);

struct mhpfs_netlink;

/**
 * mhpfs_netlink_open() - a socket that broadcasts on the udev group
 * @force: open even in the host's initial network namespace (or when that cannot be told)
 * @ret: the sender, written on success
 *
 * Return: 0; -EPERM in the initial network namespace (or when it cannot be told) without
 * @force; -ENOMEM; the socket's errno.
 */
int mhpfs_netlink_open(bool force, struct mhpfs_netlink **ret);

/** mhpfs_netlink_close() - close the socket, forget the devices; NULL accepted. */
void mhpfs_netlink_close(struct mhpfs_netlink *nl);

/**
 * mhpfs_netlink_send() - broadcast one event
 * @nl: the sender
 * @env: the event's environment
 *
 * USEC_INITIALIZED is the time of the device's first event (its "add", or the first event seen
 * for a boot device) and is forgotten after its "remove", as udevd keeps it in its database.
 * Having no listener is not an error.  Never blocks.
 *
 * Return: 0, -EINVAL (no ACTION, DEVPATH or SUBSYSTEM), -ENOMEM, or sendmsg's errno.
 */
int mhpfs_netlink_send(struct mhpfs_netlink *nl, const struct mhpfs_uevent_env *env);

/** mhpfs_netlink_sent() - messages broadcast so far. */
uint64_t mhpfs_netlink_sent(struct mhpfs_netlink *nl);

#endif /* MHPFS_NETLINK_H */
