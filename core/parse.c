// SPDX-License-Identifier: MIT
/*
 * The kernel's string helpers as sysfs stores see them (SPEC §1.1).  Strictness is the point:
 * each accepts exactly what the kernel accepts, so a test that passes here passes on a kernel.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "memhp/parse.h"

bool mhp_sysfs_streq(const char *a, const char *b)
{
	while (*a && *a == *b) {
		a++;
		b++;
	}
	if (*a == *b)
		return true;
	if (*a == '\n' && a[1] == '\0' && *b == '\0')
		return true;
	if (*b == '\n' && b[1] == '\0' && *a == '\0')
		return true;
	return false;
}

int mhp_kstrtobool(const char *s, bool *ret)
{
	if (!s)
		return -EINVAL;

	switch (s[0]) {
	case 'y':
	case 'Y':
	case 't':
	case 'T':
	case '1':
		*ret = true;
		return 0;
	case 'n':
	case 'N':
	case 'f':
	case 'F':
	case '0':
		*ret = false;
		return 0;
	case 'o':
	case 'O':
		switch (s[1]) {
		case 'n':
		case 'N':
			*ret = true;
			return 0;
		case 'f':
		case 'F':
			*ret = false;
			return 0;
		default:
			break;
		}
		break;
	default:
		break;
	}
	return -EINVAL;
}

static int digit_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return 16;
}

/* lib/kstrtox.c: _parse_integer_fixup_radix(); "0x" needs a hex digit after it to mean hex. */
static const char *fixup_radix(const char *s, unsigned int *base)
{
	if (*base == 0) {
		if (s[0] == '0') {
			if ((s[1] == 'x' || s[1] == 'X') && digit_value(s[2]) < 16)
				*base = 16;
			else
				*base = 8;
		} else {
			*base = 10;
		}
	}
	if (*base == 16 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
		s += 2;
	return s;
}

static int parse_ull(const char *s, unsigned int base, unsigned long long *ret)
{
	unsigned long long res = 0;
	bool overflow = false;
	const char *p;

	if (base != 0 && base != 8 && base != 10 && base != 16)
		return -EINVAL;
	s = fixup_radix(s, &base);
	for (p = s;; p++) {
		unsigned int v = (unsigned int)digit_value(*p);

		if (v >= base)
			break;
		if (res > (ULLONG_MAX - v) / base)
			overflow = true;
		res = res * base + v;
	}
	/* Overflow is reported before anything about what follows the digits. */
	if (overflow)
		return -ERANGE;
	if (p == s)
		return -EINVAL;
	if (*p == '\n')
		p++;
	if (*p)
		return -EINVAL;
	*ret = res;
	return 0;
}

int mhp_kstrtoull(const char *s, unsigned int base, unsigned long long *ret)
{
	if (!s)
		return -EINVAL;
	if (s[0] == '+')
		s++;
	return parse_ull(s, base, ret);
}

int mhp_kstrtoll(const char *s, unsigned int base, long long *ret)
{
	unsigned long long tmp;
	int r;

	if (!s)
		return -EINVAL;
	if (s[0] == '-') {
		r = parse_ull(s + 1, base, &tmp);
		if (r < 0)
			return r;
		if (tmp > (unsigned long long)LLONG_MAX + 1)
			return -ERANGE;
		*ret = (long long)(0 - tmp);
		return 0;
	}
	r = mhp_kstrtoull(s, base, &tmp);
	if (r < 0)
		return r;
	if (tmp > (unsigned long long)LLONG_MAX)
		return -ERANGE;
	*ret = (long long)tmp;
	return 0;
}

int mhp_kstrtouint(const char *s, unsigned int base, unsigned int *ret)
{
	unsigned long long tmp;
	int r;

	r = mhp_kstrtoull(s, base, &tmp);
	if (r < 0)
		return r;
	if (tmp > UINT_MAX)
		return -ERANGE;
	*ret = (unsigned int)tmp;
	return 0;
}

static const char *const online_type_to_str[] = {
	[MHP_MMOP_OFFLINE] = "offline",
	[MHP_MMOP_ONLINE] = "online",
	[MHP_MMOP_ONLINE_KERNEL] = "online_kernel",
	[MHP_MMOP_ONLINE_MOVABLE] = "online_movable",
};

int mhp_online_type_from_str(const char *s)
{
	for (size_t i = 0; i < sizeof(online_type_to_str) / sizeof(online_type_to_str[0]); i++)
		if (mhp_sysfs_streq(s, online_type_to_str[i]))
			return (int)i;
	return -EINVAL;
}

const char *mhp_online_type_to_str(int type)
{
	if (type < 0 || type > MHP_MMOP_ONLINE_MOVABLE)
		return NULL;
	return online_type_to_str[type];
}

static bool test_bit(const uint64_t *mask, unsigned int bit)
{
	return mask[bit / 64] >> (bit % 64) & 1;
}

int mhp_format_nodelist(char *buf, size_t len, const uint64_t *mask, unsigned int nbits)
{
	size_t used = 0;
	unsigned int i = 0;

	if (!len)
		return -ENOSPC;
	buf[0] = '\0';
	while (i < nbits) {
		unsigned int first, last;
		int n;

		if (!test_bit(mask, i)) {
			i++;
			continue;
		}
		first = i;
		while (i + 1 < nbits && test_bit(mask, i + 1))
			i++;
		last = i++;
		if (first == last)
			n = snprintf(buf + used, len - used, "%s%u", used ? "," : "", first);
		else
			n = snprintf(buf + used, len - used, "%s%u-%u", used ? "," : "", first,
				     last);
		if (n < 0 || (size_t)n >= len - used)
			return -ENOSPC;
		used += (size_t)n;
	}
	return (int)used;
}
