/* SPDX-License-Identifier: MIT */
/*
 * memhp/parse.h - the kernel's string helpers, as sysfs stores use them.
 *
 * Every parser here is pure (no locks, never blocks) and returns 0 on success or a negative errno.
 * Out parameters are written only on success.  See SPEC §1.1 for the exact rules.
 */
#ifndef MEMHP_PARSE_H
#define MEMHP_PARSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/**
 * mhp_sysfs_streq() - compare two strings as sysfs does
 * @a: first string (NUL-terminated)
 * @b: second string (NUL-terminated)
 *
 * Exact, case-sensitive comparison in which either side may end with one '\n' that is ignored.
 * No other whitespace is tolerated.
 *
 * Return: true if the strings match.
 */
bool mhp_sysfs_streq(const char *a, const char *b);

/**
 * mhp_kstrtobool() - parse a boolean as kstrtobool() does
 * @s: input (NUL-terminated)
 * @ret: result, written on success
 *
 * Only the first one or two characters count: Y y T t 1 are true; N n F f 0 are false; o/O followed
 * by n/N is true and by f/F false.  Trailing characters are ignored.
 *
 * Return: 0, or -EINVAL (also for an empty string or NULL).
 */
int mhp_kstrtobool(const char *s, bool *ret);

/**
 * mhp_kstrtoull() - parse an unsigned 64-bit integer as kstrtoull() does
 * @s: input (NUL-terminated)
 * @base: 0 (auto: 0x hex, leading 0 octal, else decimal), 8, 10 or 16
 * @ret: result, written on success
 *
 * One optional leading '+', at least one digit, then only one optional '\n'.
 *
 * Return: 0, -EINVAL (format, junk, leading whitespace), -ERANGE (overflow).
 */
int mhp_kstrtoull(const char *s, unsigned int base, unsigned long long *ret);

/**
 * mhp_kstrtoll() - parse a signed 64-bit integer as kstrtoll() does
 * @s: input; an optional leading '-' (or '+') followed by what mhp_kstrtoull() accepts
 * @base: as for mhp_kstrtoull()
 * @ret: result, written on success
 *
 * Return: 0, -EINVAL, -ERANGE (outside [LLONG_MIN, LLONG_MAX]).
 */
int mhp_kstrtoll(const char *s, unsigned int base, long long *ret);

/**
 * mhp_kstrtouint() - parse an unsigned int as kstrtouint() does
 * @s: input, as for mhp_kstrtoull()
 * @base: as for mhp_kstrtoull()
 * @ret: result, written on success
 *
 * Return: 0, -EINVAL, -ERANGE (does not fit in unsigned int).
 */
int mhp_kstrtouint(const char *s, unsigned int base, unsigned int *ret);

/* Online types (MMOP_*), index of the kernel's online_type_to_str[] table. */
enum mhp_online_type {
	MHP_MMOP_OFFLINE = 0,
	MHP_MMOP_ONLINE = 1, /* automatic zone */
	MHP_MMOP_ONLINE_KERNEL = 2,
	MHP_MMOP_ONLINE_MOVABLE = 3,
};

/**
 * mhp_online_type_from_str() - match a string against the online-type words
 * @s: input (NUL-terminated); matched with mhp_sysfs_streq() against "offline", "online",
 *     "online_kernel", "online_movable"
 *
 * Return: the enum mhp_online_type value, or -EINVAL.
 */
int mhp_online_type_from_str(const char *s);

/**
 * mhp_online_type_to_str() - the word for an online type
 * @type: an enum mhp_online_type value
 *
 * Return: "offline", "online", "online_kernel", "online_movable", or NULL if out of range.
 */
const char *mhp_online_type_to_str(int type);

/**
 * mhp_format_nodelist() - format a bitmap as the kernel's "%*pbl" does
 * @buf: output
 * @len: size of @buf
 * @mask: bitmap, 64 bits per word, bit n of word n/64 is node n
 * @nbits: number of valid bits
 *
 * Produces comma-separated ranges such as "0", "0-1", "0-2,4"; an empty mask gives "".  No newline.
 *
 * Return: the length written (excluding NUL), or -ENOSPC if @buf is too small.
 */
int mhp_format_nodelist(char *buf, size_t len, const uint64_t *mask, unsigned int nbits);

#ifdef __cplusplus
}
#endif

#endif /* MEMHP_PARSE_H */
