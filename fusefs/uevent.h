/* SPDX-License-Identifier: MIT */
/*
 * fusefs/uevent.h - one uevent in the kernel's formats (SPEC §8): its environment as
 * kobject_uevent_env() builds it, the netlink message of the kernel, the text form of the event
 * stream file, and the parser of a write to a `uevent` file (kobject_synth_uevent()).
 *
 * No FUSE and no engine state here: everything works on a struct mhp_uevent and plain buffers,
 * so the sinks (event stream, helper, netlink) and the store handlers share one definition.
 *
 * Text form of the event stream file (a choice of ours; the kernel has no such file): the netlink
 * message with each NUL turned into a newline, then an empty line:
 *
 *	add@/devices/system/memory/memory40
 *	ACTION=add
 *	DEVPATH=/devices/system/memory/memory40
 *	SUBSYSTEM=memory
 *	SEQNUM=1234
 *	<empty line>
 *
 * Values never contain a newline (DEVPATHs are fixed, synthetic arguments are alphanumeric), so
 * a record is exactly "the lines up to the next empty line".
 */
#ifndef MHPFS_UEVENT_H
#define MHPFS_UEVENT_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include <memhp/engine.h>

/* The kernel's limits of one event environment (include/linux/kobject.h). */
#define MHPFS_UEVENT_BUFFER_SIZE 2048
#define MHPFS_UEVENT_NUM_ENVP 64
/* "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx" */
#define MHPFS_UUID_STRING_LEN 36
/* Room for any netlink message or text record this file formats. */
#define MHPFS_UEVENT_MSG_MAX (MHPFS_UEVENT_BUFFER_SIZE + 128)

/**
 * struct mhpfs_uevent_env - KEY=VALUE strings of one event, as the kernel's kobj_uevent_env
 * @nr: number of strings
 * @len: bytes used in @buf, each string with its NUL
 * @buf: the strings, back to back, each NUL-terminated
 */
struct mhpfs_uevent_env {
	unsigned int nr;
	size_t len;
	char buf[MHPFS_UEVENT_BUFFER_SIZE];
};

/** mhpfs_uevent_env_init() - empty @env. */
void mhpfs_uevent_env_init(struct mhpfs_uevent_env *env);

/**
 * mhpfs_uevent_env_add() - append one printf-formatted string, as the kernel's add_uevent_var()
 * @env: the environment
 * @fmt: format of "KEY=VALUE"
 *
 * Return: 0; -ENOMEM when @env already holds MHPFS_UEVENT_NUM_ENVP strings or the string (with
 * its NUL) does not fit in what is left of the 2048-byte buffer; @env is then unchanged.
 */
int mhpfs_uevent_env_add(struct mhpfs_uevent_env *env, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/**
 * mhpfs_uevent_env_get() - the value of @key in @env
 *
 * Return: a pointer into @env, or NULL when the key is absent.
 */
const char *mhpfs_uevent_env_get(const struct mhpfs_uevent_env *env, const char *key);

/**
 * mhpfs_uevent_env_next() - iterate: the string after @prev (NULL: the first), NULL at the end
 */
const char *mhpfs_uevent_env_next(const struct mhpfs_uevent_env *env, const char *prev);

/**
 * struct mhpfs_uevent_synth - what a write to a `uevent` file asks for
 * @action: enum mhp_uevent_action
 * @keys: the keys the event carries after SUBSYSTEM: "SYNTH_UUID=0" without arguments, else
 *        "SYNTH_UUID=<uuid>" and one "SYNTH_ARG_<KEY>=<VALUE>" per pair, in the written order
 */
struct mhpfs_uevent_synth {
	int action;
	struct mhpfs_uevent_env keys;
};

/**
 * mhpfs_uevent_synth_parse() - parse a write to a `uevent` file (kobject_synth_uevent())
 * @buf: the written bytes (need not be NUL-terminated)
 * @count: their number
 * @ret: the request, written on success
 *
 * The kernel's rules: one trailing '\n' or NUL is ignored; the action word runs up to the first
 * space and must be one of add, remove, change, move, online, offline, bind, unbind exactly.
 * Without a space, the event carries SYNTH_UUID=0.  After a space comes a UUID (36 characters,
 * '-' at 8, 13, 18, 23, hex digits elsewhere, either case), then any number of " KEY=VALUE"
 * pairs whose key and value are non-empty runs of alphanumeric characters (the kernel's ctype,
 * where Latin-1 letters 0xc0-0xff count as letters).  Anything else, and more arguments than the
 * kernel's 2048-byte, 64-string environment holds, is EINVAL.
 *
 * Return: 0 or -EINVAL.
 */
int mhpfs_uevent_synth_parse(const char *buf, size_t count, struct mhpfs_uevent_synth *ret);

/**
 * mhpfs_uevent_env_build() - the full environment of an event, in the kernel's order
 * @ev: the event
 * @extra: keys after SUBSYSTEM (synthetic keys), or NULL
 * @ret: ACTION, DEVPATH, SUBSYSTEM, @extra..., SEQNUM; written on success
 *
 * Return: 0; -EINVAL (action or subsystem out of range); -ENOMEM when the kernel's buffer would
 * overflow (the kernel then fails the synthetic write with ENOMEM).
 */
int mhpfs_uevent_env_build(const struct mhp_uevent *ev, const struct mhpfs_uevent_env *extra,
			   struct mhpfs_uevent_env *ret);

/**
 * mhpfs_uevent_format_netlink() - the kernel's netlink message: "ACTION@DEVPATH\0" then the
 * environment's strings, each with its NUL
 * @env: a built environment (mhpfs_uevent_env_build())
 * @buf: output
 * @len: size of @buf (MHPFS_UEVENT_MSG_MAX is enough)
 *
 * Return: the message length, -EINVAL (no ACTION or DEVPATH in @env), -ENOSPC.
 */
ssize_t mhpfs_uevent_format_netlink(const struct mhpfs_uevent_env *env, char *buf, size_t len);

/**
 * mhpfs_uevent_format_text() - the event stream record (see the top of this file), NUL-terminated
 * @env: a built environment
 * @buf: output
 * @len: size of @buf (MHPFS_UEVENT_MSG_MAX is enough)
 *
 * Return: the record length without the NUL, -EINVAL, -ENOSPC.
 */
ssize_t mhpfs_uevent_format_text(const struct mhpfs_uevent_env *env, char *buf, size_t len);

#endif /* MHPFS_UEVENT_H */
