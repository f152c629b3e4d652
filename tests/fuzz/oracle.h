/* SPDX-License-Identifier: MIT */
/*
 * tests/fuzz/oracle.h - reference versions of the kernel's string helpers (SPEC §1.1), written
 * independently of core/parse.c and as plainly as possible, so that the fuzz targets can compare
 * every answer and every errno of the real parsers against them.
 */
#ifndef MHP_FUZZ_ORACLE_H
#define MHP_FUZZ_ORACLE_H

#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <string.h>

/* Abort with a message; libFuzzer then saves the input. */
#define FUZZ_CHECK(cond, ...)                                                                    \
	do {                                                                                     \
		if (!(cond)) {                                                                   \
			fprintf(stderr, "%s:%d: check failed: %s: ", __FILE__, __LINE__, #cond); \
			fprintf(stderr, __VA_ARGS__);                                            \
			fputc('\n', stderr);                                                     \
			abort();                                                                 \
		}                                                                                \
	} while (0)

/* sysfs_streq(): either side may end with one '\n'. */
static inline bool ref_streq(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);

	if (la && a[la - 1] == '\n')
		la--;
	if (lb && b[lb - 1] == '\n')
		lb--;
	return la == lb && !memcmp(a, b, la);
}

static inline int ref_kstrtobool(const char *s, bool *ret)
{
	const char *t = "YyTt1", *f = "NnFf0";

	if (!s || !*s)
		return -EINVAL;
	if (strchr(t, s[0])) {
		*ret = true;
		return 0;
	}
	if (strchr(f, s[0])) {
		*ret = false;
		return 0;
	}
	if ((s[0] == 'o' || s[0] == 'O') && s[1]) {
		if (s[1] == 'n' || s[1] == 'N') {
			*ret = true;
			return 0;
		}
		if (s[1] == 'f' || s[1] == 'F') {
			*ret = false;
			return 0;
		}
	}
	return -EINVAL;
}

static inline int ref_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return 99;
}

/* _kstrtoull(): no sign; radix fix-up, digits, overflow before junk, one '\n'. */
static inline int ref_kstrtoull_nosign(const char *s, unsigned int base, unsigned long long *ret)
{
	unsigned __int128 v = 0;
	bool overflow = false;
	size_t nd = 0;

	if (base == 0) {
		if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X') && ref_digit(s[2]) < 16)
			base = 16;
		else if (s[0] == '0')
			base = 8;
		else
			base = 10;
	}
	if (base == 16 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
		s += 2;
	for (; ref_digit(*s) < (int)base; s++, nd++) {
		v = v * base + (unsigned int)ref_digit(*s);
		if (v > ULLONG_MAX) {
			overflow = true;
			v = ULLONG_MAX; /* keep the product bounded; the value no longer matters */
		}
	}
	if (!nd)
		return -EINVAL;
	if (overflow)
		return -ERANGE;
	if (*s == '\n')
		s++;
	if (*s)
		return -EINVAL;
	*ret = (unsigned long long)v;
	return 0;
}

static inline int ref_kstrtoull(const char *s, unsigned int base, unsigned long long *ret)
{
	if (s[0] == '+')
		s++;
	return ref_kstrtoull_nosign(s, base, ret);
}

static inline int ref_kstrtoll(const char *s, unsigned int base, long long *ret)
{
	unsigned long long v;
	int r;

	if (s[0] == '-') {
		r = ref_kstrtoull_nosign(s + 1, base, &v);
		if (r)
			return r;
		if (v > (unsigned long long)LLONG_MAX + 1)
			return -ERANGE;
		*ret = v == (unsigned long long)LLONG_MAX + 1 ? LLONG_MIN : -(long long)v;
		return 0;
	}
	r = ref_kstrtoull(s, base, &v);
	if (r)
		return r;
	if (v > LLONG_MAX)
		return -ERANGE;
	*ret = (long long)v;
	return 0;
}

static inline int ref_kstrtouint(const char *s, unsigned int base, unsigned int *ret)
{
	unsigned long long v;
	int r = ref_kstrtoull(s, base, &v);

	if (r)
		return r;
	if (v > UINT_MAX)
		return -ERANGE;
	*ret = (unsigned int)v;
	return 0;
}

static inline int ref_online_type(const char *s)
{
	static const char *const words[] = { "offline", "online", "online_kernel",
					     "online_movable" };

	for (int i = 0; i < 4; i++)
		if (ref_streq(s, words[i]))
			return i;
	return -EINVAL;
}

/* debugfs_create_errno()'s store: 23 bytes, kstrtoll base 0, cast to int, clamp [-4095, 0]. */
static inline int ref_inject_store(const char *buf, size_t len, int *ret)
{
	char tmp[24];
	size_t n = len < 23 ? len : 23;
	long long v;
	int r, i;

	memcpy(tmp, buf, n);
	tmp[n] = '\0';
	r = ref_kstrtoll(tmp, 0, &v);
	if (r)
		return r;
	i = (int)(unsigned int)(unsigned long long)v;
	*ret = i > 0 ? 0 : i < -4095 ? -4095 : i;
	return 0;
}

#endif /* MHP_FUZZ_ORACLE_H */
