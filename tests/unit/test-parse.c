// SPDX-License-Identifier: MIT
/*
 * test-parse.c - the kernel's string helpers as the sysfs stores use them (SPEC §1.1, §1.5, §2,
 * §13.2): sysfs_streq, kstrtobool, kstrtoull/kstrtoll/kstrtouint, the online-type words and the
 * "%*pbl" node list format.
 *
 * Expected values come from the kernel's lib/string.c and lib/kstrtox.c semantics, not from
 * core/parse.c, so that the two are checked against each other.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>

#include "memhp/parse.h"

/* A printable form of a test input, so a failure names the exact bytes. */
static const char *esc(const char *s)
{
	static char buf[4][128];
	static int slot;
	char *out = buf[slot++ % 4];
	size_t o = 0;

	if (!s)
		return "(null)";
	for (; *s && o < sizeof(buf[0]) - 5; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '\n')
			o += (size_t)sprintf(out + o, "\\n");
		else if (c == '\r')
			o += (size_t)sprintf(out + o, "\\r");
		else if (c < 0x20 || c >= 0x7f)
			o += (size_t)sprintf(out + o, "\\x%02x", c);
		else
			out[o++] = (char)c;
	}
	out[o] = '\0';
	return out;
}

/* ---- sysfs_streq ---------------------------------------------------------------------------- */

struct streq_case {
	const char *a;
	const char *b;
	bool eq;
};

static const struct streq_case streq_cases[] = {
	{ "online", "online", true },
	{ "online\n", "online", true },
	{ "online", "online\n", true },
	{ "online\n", "online\n", true },
	{ "", "", true },
	{ "\n", "", true },
	{ "", "\n", true },
	/* Only one newline is forgiven. */
	{ "online\n\n", "online", false },
	{ "online", "online\n\n", false },
	{ "\n\n", "", false },
	/* No whitespace trimming of any kind. */
	{ " online", "online", false },
	{ "online ", "online", false },
	{ "online\t", "online", false },
	{ "online\r", "online", false },
	{ "online\r\n", "online", false },
	{ "online \n", "online", false },
	/* Case-sensitive. */
	{ "Online", "online", false },
	{ "ONLINE", "online", false },
	{ "online", "Online", false },
	/* Prefixes and extensions are different words. */
	{ "onlin", "online", false },
	{ "online", "onlin", false },
	{ "onlinex", "online", false },
	{ "online_kernel", "online", false },
	{ "online", "online_kernel", false },
	{ "online\nx", "online", false },
	{ "", "online", false },
	{ "online", "", false },
	{ "\n", "online", false },
};

START_TEST(test_sysfs_streq_table)
{
	const struct streq_case *c = &streq_cases[_i];

	ck_assert_msg(mhp_sysfs_streq(c->a, c->b) == c->eq, "sysfs_streq(\"%s\", \"%s\") != %d",
		      esc(c->a), esc(c->b), c->eq);
}
END_TEST

/*
 * The kernel walks both strings while they agree and then forgives one '\n' left on either side,
 * so a common newline followed by one more on the other side still matches.
 */
START_TEST(test_sysfs_streq_newline_after_common_newline_matches)
{
	ck_assert(mhp_sysfs_streq("online\n", "online\n\n"));
	ck_assert(mhp_sysfs_streq("online\n\n", "online\n"));
}
END_TEST

/* ---- kstrtobool ----------------------------------------------------------------------------- */

struct bool_case {
	const char *s;
	int ret;
	bool val;
};

static const struct bool_case bool_cases[] = {
	/* Every accepted first character, alone and with a tail (ignored). */
	{ "Y", 0, true },
	{ "y", 0, true },
	{ "T", 0, true },
	{ "t", 0, true },
	{ "1", 0, true },
	{ "N", 0, false },
	{ "n", 0, false },
	{ "F", 0, false },
	{ "f", 0, false },
	{ "0", 0, false },
	{ "Y\n", 0, true },
	{ "0\n", 0, false },
	{ "yes", 0, true },
	{ "yes\n", 0, true },
	{ "true", 0, true },
	{ "tomato", 0, true },
	{ "1abc", 0, true },
	{ "10", 0, true },
	{ "1\n\n\n", 0, true },
	{ "no", 0, false },
	{ "false", 0, false },
	{ "nope", 0, false },
	{ "01", 0, false },
	{ "0x1", 0, false },
	/* o/O needs a second character: n/N on, f/F off. */
	{ "on", 0, true },
	{ "oN", 0, true },
	{ "On", 0, true },
	{ "ON", 0, true },
	{ "on\n", 0, true },
	{ "onion", 0, true },
	{ "of", 0, false },
	{ "oF", 0, false },
	{ "Of", 0, false },
	{ "OF", 0, false },
	{ "off", 0, false },
	{ "off\n", 0, false },
	{ "o", -EINVAL, false },
	{ "O", -EINVAL, false },
	{ "o\n", -EINVAL, false },
	{ "ox", -EINVAL, false },
	{ "oo", -EINVAL, false },
	{ "o1", -EINVAL, false },
	/* Everything else. */
	{ "", -EINVAL, false },
	{ "\n", -EINVAL, false },
	{ "2", -EINVAL, false },
	{ "-1", -EINVAL, false },
	{ "+1", -EINVAL, false },
	{ " 1", -EINVAL, false },
	{ " y", -EINVAL, false },
	{ "\t1", -EINVAL, false },
	{ "x", -EINVAL, false },
	{ "a", -EINVAL, false },
	{ "enable", -EINVAL, false },
	{ "9", -EINVAL, false },
};

START_TEST(test_kstrtobool_table)
{
	const struct bool_case *c = &bool_cases[_i];
	/* A sentinel that neither true nor false would leave: out param untouched on failure. */
	union {
		bool b;
		unsigned char raw;
	} out;
	int ret;

	out.raw = 0x5a;
	ret = mhp_kstrtobool(c->s, &out.b);
	ck_assert_msg(ret == c->ret, "kstrtobool(\"%s\") returned %d, want %d", esc(c->s), ret,
		      c->ret);
	if (c->ret == 0)
		ck_assert_msg(out.b == c->val, "kstrtobool(\"%s\") gave %d, want %d", esc(c->s),
			      out.b, c->val);
	else
		ck_assert_msg(out.raw == 0x5a, "kstrtobool(\"%s\") wrote its result on failure",
			      esc(c->s));
}
END_TEST

START_TEST(test_kstrtobool_null_is_einval)
{
	bool out = true;

	ck_assert_int_eq(mhp_kstrtobool(NULL, &out), -EINVAL);
	ck_assert(out);
}
END_TEST

/* ---- kstrtoull ------------------------------------------------------------------------------ */

struct ull_case {
	const char *s;
	unsigned int base;
	int ret;
	unsigned long long val;
};

static const struct ull_case ull_cases[] = {
	/* base 0: decimal */
	{ "0", 0, 0, 0 },
	{ "1", 0, 0, 1 },
	{ "42", 0, 0, 42 },
	{ "9663676416", 0, 0, 9663676416ULL },
	{ "+42", 0, 0, 42 },
	{ "42\n", 0, 0, 42 },
	{ "+42\n", 0, 0, 42 },
	/* base 0: hex needs 0x/0X followed by a hex digit */
	{ "0x10", 0, 0, 16 },
	{ "0X10", 0, 0, 16 },
	{ "0xff", 0, 0, 255 },
	{ "0xFF", 0, 0, 255 },
	{ "0XaBcD", 0, 0, 0xabcd },
	{ "0x240000000", 0, 0, 0x240000000ULL },
	{ "0x240000000\n", 0, 0, 0x240000000ULL },
	{ "+0x10", 0, 0, 16 },
	{ "0x0", 0, 0, 0 },
	{ "0x", 0, -EINVAL, 0 }, /* octal "0", then junk "x" */
	{ "0X", 0, -EINVAL, 0 },
	{ "0x\n", 0, -EINVAL, 0 },
	{ "0xg", 0, -EINVAL, 0 },
	{ "0x 1", 0, -EINVAL, 0 },
	{ "0x10g", 0, -EINVAL, 0 },
	/* base 0: a leading 0 means octal */
	{ "010", 0, 0, 8 },
	{ "0777", 0, 0, 511 },
	{ "00", 0, 0, 0 },
	{ "0240000000", 0, 0, 0240000000ULL },
	{ "08", 0, -EINVAL, 0 },
	{ "09", 0, -EINVAL, 0 },
	{ "0779", 0, -EINVAL, 0 },
	/* base 0: no hex digits without a prefix */
	{ "ff", 0, -EINVAL, 0 },
	{ "240000000a", 0, -EINVAL, 0 },
	/* base 10 */
	{ "0", 10, 0, 0 },
	{ "010", 10, 0, 10 },
	{ "123\n", 10, 0, 123 },
	{ "+123", 10, 0, 123 },
	{ "0x10", 10, -EINVAL, 0 },
	{ "12a", 10, -EINVAL, 0 },
	/* base 8 */
	{ "17", 8, 0, 15 },
	{ "017", 8, 0, 15 },
	{ "8", 8, -EINVAL, 0 },
	{ "0x10", 8, -EINVAL, 0 },
	/* base 16: an optional 0x/0X prefix, digits of either case */
	{ "ff", 16, 0, 255 },
	{ "FF", 16, 0, 255 },
	{ "10", 16, 0, 16 },
	{ "0x10", 16, 0, 16 },
	{ "0X10", 16, 0, 16 },
	{ "+0x10", 16, 0, 16 },
	{ "0xffffffffffffffff", 16, 0, ULLONG_MAX },
	{ "0x", 16, -EINVAL, 0 },
	{ "g", 16, -EINVAL, 0 },
	/* at least one digit */
	{ "", 0, -EINVAL, 0 },
	{ "\n", 0, -EINVAL, 0 },
	{ "+", 0, -EINVAL, 0 },
	{ "+\n", 0, -EINVAL, 0 },
	{ "", 16, -EINVAL, 0 },
	/* signs: one '+' only, never '-' */
	{ "++1", 0, -EINVAL, 0 },
	{ "-1", 0, -EINVAL, 0 },
	{ "-0", 0, -EINVAL, 0 },
	{ "+-1", 0, -EINVAL, 0 },
	/* no whitespace anywhere, one trailing newline only */
	{ " 1", 0, -EINVAL, 0 },
	{ "\t1", 0, -EINVAL, 0 },
	{ "\n1", 0, -EINVAL, 0 },
	{ "1 ", 0, -EINVAL, 0 },
	{ "1 \n", 0, -EINVAL, 0 },
	{ "1\n\n", 0, -EINVAL, 0 },
	{ "1\r\n", 0, -EINVAL, 0 },
	{ "1\r", 0, -EINVAL, 0 },
	{ "1\nx", 0, -EINVAL, 0 },
	{ "1x", 0, -EINVAL, 0 },
	{ "1.0", 0, -EINVAL, 0 },
	/* range: 2^64 - 1 fits, 2^64 does not */
	{ "18446744073709551615", 0, 0, ULLONG_MAX },
	{ "18446744073709551615\n", 10, 0, ULLONG_MAX },
	{ "0xffffffffffffffff", 0, 0, ULLONG_MAX },
	{ "01777777777777777777777", 0, 0, ULLONG_MAX },
	{ "18446744073709551616", 0, -ERANGE, 0 },
	{ "18446744073709551616", 10, -ERANGE, 0 },
	{ "18446744073709551620", 0, -ERANGE, 0 },
	{ "99999999999999999999", 0, -ERANGE, 0 },
	{ "0x10000000000000000", 0, -ERANGE, 0 },
	{ "10000000000000000", 16, -ERANGE, 0 },
	{ "02000000000000000000000", 0, -ERANGE, 0 },
	{ "184467440737095516150", 0, -ERANGE, 0 },
	{ "18446744073709551616\n", 0, -ERANGE, 0 },
	/* leading zeros do not count towards overflow */
	{ "0000000000000000000000000001", 10, 0, 1 },
	{ "0x00000000000000000000000001", 0, 0, 1 },
};

START_TEST(test_kstrtoull_table)
{
	const struct ull_case *c = &ull_cases[_i];
	unsigned long long out = 0xdeadbeefcafef00dULL;
	int ret;

	ret = mhp_kstrtoull(c->s, c->base, &out);
	ck_assert_msg(ret == c->ret, "kstrtoull(\"%s\", %u) returned %d, want %d", esc(c->s),
		      c->base, ret, c->ret);
	if (c->ret == 0)
		ck_assert_msg(out == c->val, "kstrtoull(\"%s\", %u) gave %llu, want %llu",
			      esc(c->s), c->base, out, c->val);
	else
		ck_assert_msg(out == 0xdeadbeefcafef00dULL,
			      "kstrtoull(\"%s\", %u) wrote its result on failure", esc(c->s),
			      c->base);
}
END_TEST

/*
 * The kernel reports overflow before it looks at what follows the digits: the digit run is
 * consumed in full, the overflow flag checked, and only then the tail.
 */
START_TEST(test_kstrtoull_overflow_is_reported_before_trailing_junk)
{
	unsigned long long out = 7;

	ck_assert_int_eq(mhp_kstrtoull("18446744073709551616x", 0, &out), -ERANGE);
	ck_assert_int_eq(mhp_kstrtoull("99999999999999999999 ", 10, &out), -ERANGE);
	ck_assert_uint_eq(out, 7);
}
END_TEST

/* ---- kstrtoll ------------------------------------------------------------------------------- */

struct ll_case {
	const char *s;
	unsigned int base;
	int ret;
	long long val;
};

static const struct ll_case ll_cases[] = {
	{ "0", 0, 0, 0 },
	{ "-0", 0, 0, 0 },
	{ "+0", 0, 0, 0 },
	{ "12", 0, 0, 12 },
	{ "+12", 0, 0, 12 },
	{ "-12", 0, 0, -12 },
	{ "-12\n", 0, 0, -12 },
	{ "-0xc", 0, 0, -12 },
	{ "-0XC", 0, 0, -12 },
	{ "-014", 0, 0, -12 },
	{ "-4095", 0, 0, -4095 },
	{ "-4096", 10, 0, -4096 },
	{ "-c", 16, 0, -12 },
	{ "-0xc", 16, 0, -12 },
	{ "-17", 8, 0, -15 },
	{ "9223372036854775807", 0, 0, LLONG_MAX },
	{ "0x7fffffffffffffff", 0, 0, LLONG_MAX },
	{ "-9223372036854775807", 0, 0, -LLONG_MAX },
	{ "-9223372036854775808", 0, 0, LLONG_MIN },
	{ "-0x8000000000000000", 0, 0, LLONG_MIN },
	{ "-9223372036854775808\n", 10, 0, LLONG_MIN },
	/* out of range */
	{ "9223372036854775808", 0, -ERANGE, 0 },
	{ "0x8000000000000000", 0, -ERANGE, 0 },
	{ "18446744073709551615", 0, -ERANGE, 0 },
	{ "-9223372036854775809", 0, -ERANGE, 0 },
	{ "-18446744073709551615", 0, -ERANGE, 0 },
	{ "-18446744073709551616", 0, -ERANGE, 0 },
	{ "18446744073709551616", 0, -ERANGE, 0 },
	/* signs: one '-' or one '+', never both, never two */
	{ "-+1", 0, -EINVAL, 0 },
	{ "+-1", 0, -EINVAL, 0 },
	{ "--1", 0, -EINVAL, 0 },
	{ "++1", 0, -EINVAL, 0 },
	{ "-", 0, -EINVAL, 0 },
	{ "-\n", 0, -EINVAL, 0 },
	{ "- 1", 0, -EINVAL, 0 },
	{ " -1", 0, -EINVAL, 0 },
	/* the same tail rules as kstrtoull */
	{ "", 0, -EINVAL, 0 },
	{ "-1\n\n", 0, -EINVAL, 0 },
	{ "-1 ", 0, -EINVAL, 0 },
	{ "-1x", 0, -EINVAL, 0 },
	{ "-0x", 0, -EINVAL, 0 },
	{ "-08", 0, -EINVAL, 0 },
	{ "abc", 0, -EINVAL, 0 },
};

START_TEST(test_kstrtoll_table)
{
	const struct ll_case *c = &ll_cases[_i];
	long long out = 0x5a5a5a5a5a5a5a5aLL;
	int ret;

	ret = mhp_kstrtoll(c->s, c->base, &out);
	ck_assert_msg(ret == c->ret, "kstrtoll(\"%s\", %u) returned %d, want %d", esc(c->s),
		      c->base, ret, c->ret);
	if (c->ret == 0)
		ck_assert_msg(out == c->val, "kstrtoll(\"%s\", %u) gave %lld, want %lld", esc(c->s),
			      c->base, out, c->val);
	else
		ck_assert_msg(out == 0x5a5a5a5a5a5a5a5aLL,
			      "kstrtoll(\"%s\", %u) wrote its result on failure", esc(c->s),
			      c->base);
}
END_TEST

/* ---- kstrtouint ----------------------------------------------------------------------------- */

struct uint_case {
	const char *s;
	unsigned int base;
	int ret;
	unsigned int val;
};

static const struct uint_case uint_cases[] = {
	{ "0", 0, 0, 0 },
	{ "301", 0, 0, 301 },
	{ "301\n", 0, 0, 301 },
	{ "+301", 0, 0, 301 },
	{ "0x12d", 0, 0, 301 },
	{ "0455", 0, 0, 301 },
	{ "4294967295", 0, 0, UINT_MAX },
	{ "0xffffffff", 0, 0, UINT_MAX },
	{ "ffffffff", 16, 0, UINT_MAX },
	{ "4294967296", 0, -ERANGE, 0 },
	{ "0x100000000", 0, -ERANGE, 0 },
	{ "18446744073709551615", 0, -ERANGE, 0 },
	{ "18446744073709551616", 0, -ERANGE, 0 },
	{ "-1", 0, -EINVAL, 0 },
	{ "-0", 0, -EINVAL, 0 },
	{ "", 0, -EINVAL, 0 },
	{ " 1", 0, -EINVAL, 0 },
	{ "1 ", 0, -EINVAL, 0 },
	{ "1\n\n", 0, -EINVAL, 0 },
	{ "1.5", 0, -EINVAL, 0 },
	{ "0x", 0, -EINVAL, 0 },
};

START_TEST(test_kstrtouint_table)
{
	const struct uint_case *c = &uint_cases[_i];
	unsigned int out = 0xa5a5a5a5U;
	int ret;

	ret = mhp_kstrtouint(c->s, c->base, &out);
	ck_assert_msg(ret == c->ret, "kstrtouint(\"%s\", %u) returned %d, want %d", esc(c->s),
		      c->base, ret, c->ret);
	if (c->ret == 0)
		ck_assert_msg(out == c->val, "kstrtouint(\"%s\", %u) gave %u, want %u", esc(c->s),
			      c->base, out, c->val);
	else
		ck_assert_msg(out == 0xa5a5a5a5U,
			      "kstrtouint(\"%s\", %u) wrote its result on failure", esc(c->s),
			      c->base);
}
END_TEST

/* ---- online-type words ---------------------------------------------------------------------- */

struct type_case {
	const char *s;
	int ret;
};

static const struct type_case type_cases[] = {
	{ "offline", MHP_MMOP_OFFLINE },
	{ "online", MHP_MMOP_ONLINE },
	{ "online_kernel", MHP_MMOP_ONLINE_KERNEL },
	{ "online_movable", MHP_MMOP_ONLINE_MOVABLE },
	{ "offline\n", MHP_MMOP_OFFLINE },
	{ "online\n", MHP_MMOP_ONLINE },
	{ "online_kernel\n", MHP_MMOP_ONLINE_KERNEL },
	{ "online_movable\n", MHP_MMOP_ONLINE_MOVABLE },
	{ "Online", -EINVAL },
	{ "ONLINE", -EINVAL },
	{ "Offline", -EINVAL },
	{ "online_Kernel", -EINVAL },
	{ "ONLINE_MOVABLE", -EINVAL },
	{ " online", -EINVAL },
	{ "online ", -EINVAL },
	{ "online\t", -EINVAL },
	{ "online\r", -EINVAL },
	{ "online\r\n", -EINVAL },
	{ "online\n\n", -EINVAL },
	{ "offline\n\n", -EINVAL },
	{ "online-kernel", -EINVAL },
	{ "online-movable", -EINVAL },
	{ "onlinekernel", -EINVAL },
	{ "online_", -EINVAL },
	{ "onlin", -EINVAL },
	{ "on", -EINVAL },
	{ "1", -EINVAL },
	{ "0", -EINVAL },
	{ "going-offline", -EINVAL },
	{ "going-online", -EINVAL },
	{ "online_keep", -EINVAL },
	{ "", -EINVAL },
	{ "\n", -EINVAL },
};

START_TEST(test_online_type_from_str_table)
{
	const struct type_case *c = &type_cases[_i];
	int ret = mhp_online_type_from_str(c->s);

	ck_assert_msg(ret == c->ret, "online_type_from_str(\"%s\") = %d, want %d", esc(c->s), ret,
		      c->ret);
}
END_TEST

START_TEST(test_online_type_values_are_the_kernels_mmop_indices)
{
	ck_assert_int_eq(MHP_MMOP_OFFLINE, 0);
	ck_assert_int_eq(MHP_MMOP_ONLINE, 1);
	ck_assert_int_eq(MHP_MMOP_ONLINE_KERNEL, 2);
	ck_assert_int_eq(MHP_MMOP_ONLINE_MOVABLE, 3);
}
END_TEST

START_TEST(test_online_type_to_str_gives_the_four_words)
{
	ck_assert_str_eq(mhp_online_type_to_str(MHP_MMOP_OFFLINE), "offline");
	ck_assert_str_eq(mhp_online_type_to_str(MHP_MMOP_ONLINE), "online");
	ck_assert_str_eq(mhp_online_type_to_str(MHP_MMOP_ONLINE_KERNEL), "online_kernel");
	ck_assert_str_eq(mhp_online_type_to_str(MHP_MMOP_ONLINE_MOVABLE), "online_movable");
}
END_TEST

START_TEST(test_online_type_to_str_out_of_range_is_null)
{
	ck_assert_ptr_null(mhp_online_type_to_str(-1));
	ck_assert_ptr_null(mhp_online_type_to_str(4));
	ck_assert_ptr_null(mhp_online_type_to_str(INT_MAX));
	ck_assert_ptr_null(mhp_online_type_to_str(INT_MIN));
}
END_TEST

START_TEST(test_online_type_round_trips)
{
	int t;

	for (t = MHP_MMOP_OFFLINE; t <= MHP_MMOP_ONLINE_MOVABLE; t++)
		ck_assert_int_eq(mhp_online_type_from_str(mhp_online_type_to_str(t)), t);
}
END_TEST

/* ---- node lists ("%*pbl") ------------------------------------------------------------------- */

/* Format @mask with a generous buffer and compare. */
static void check_nodelist(const uint64_t *mask, unsigned int nbits, const char *want)
{
	char buf[512];
	int ret;

	memset(buf, 'X', sizeof(buf));
	ret = mhp_format_nodelist(buf, sizeof(buf), mask, nbits);
	ck_assert_msg(ret == (int)strlen(want), "nodelist(%#llx.., %u) returned %d, want %zu",
		      (unsigned long long)mask[0], nbits, ret, strlen(want));
	ck_assert_str_eq(buf, want);
}

START_TEST(test_nodelist_empty_mask_is_empty_string)
{
	uint64_t m[2] = { 0, 0 };

	check_nodelist(m, 64, "");
	check_nodelist(m, 128, "");
	check_nodelist(m, 1, "");
}
END_TEST

START_TEST(test_nodelist_single_bits)
{
	uint64_t m = 1;

	check_nodelist(&m, 64, "0");
	m = 1ULL << 3;
	check_nodelist(&m, 64, "3");
	m = 1ULL << 63;
	check_nodelist(&m, 64, "63");
	m = 1ULL << 10;
	check_nodelist(&m, 11, "10");
}
END_TEST

START_TEST(test_nodelist_two_adjacent_bits_are_a_range)
{
	uint64_t m = 0x3;

	check_nodelist(&m, 64, "0-1");
	m = 0x3ULL << 62;
	check_nodelist(&m, 64, "62-63");
}
END_TEST

START_TEST(test_nodelist_ranges_and_singles)
{
	uint64_t m;

	m = 0x7; /* 0 1 2 */
	check_nodelist(&m, 64, "0-2");
	m = 0x17; /* 0 1 2 4 */
	check_nodelist(&m, 64, "0-2,4");
	m = 0xea; /* 1 3 5 6 7 */
	check_nodelist(&m, 64, "1,3,5-7");
	m = 0x5; /* 0 2 */
	check_nodelist(&m, 64, "0,2");
	m = 0x8000000000000001ULL;
	check_nodelist(&m, 64, "0,63");
	m = 0xf0f0ULL;
	check_nodelist(&m, 64, "4-7,12-15");
	m = 0xaaaaaaaaaaaaaaaaULL;
	check_nodelist(&m, 64,
		       "1,3,5,7,9,11,13,15,17,19,21,23,25,27,29,31,33,35,37,39,41,43,45,47,49,51,"
		       "53,55,57,59,61,63");
}
END_TEST

START_TEST(test_nodelist_all_64_bits)
{
	uint64_t m = ~0ULL;

	check_nodelist(&m, 64, "0-63");
}
END_TEST

START_TEST(test_nodelist_ignores_bits_beyond_nbits)
{
	uint64_t m = 0xff;

	check_nodelist(&m, 4, "0-3");
	m = ~0ULL;
	check_nodelist(&m, 1, "0");
	m = 0x100;
	check_nodelist(&m, 8, "");
}
END_TEST

START_TEST(test_nodelist_spans_words)
{
	uint64_t m[2];

	m[0] = 1ULL << 63;
	m[1] = 1;
	check_nodelist(m, 128, "63-64");
	m[0] = 0x1;
	m[1] = 0x6;
	check_nodelist(m, 128, "0,65-66");
	m[0] = ~0ULL;
	m[1] = ~0ULL;
	check_nodelist(m, 128, "0-127");
}
END_TEST

START_TEST(test_nodelist_too_small_buffer_is_enospc)
{
	uint64_t m = 0x17; /* "0-2,4" */
	char buf[16];

	ck_assert_int_eq(mhp_format_nodelist(buf, 6, &m, 64), 5);
	ck_assert_str_eq(buf, "0-2,4");
	ck_assert_int_eq(mhp_format_nodelist(buf, 5, &m, 64), -ENOSPC);
	ck_assert_int_eq(mhp_format_nodelist(buf, 3, &m, 64), -ENOSPC);
	ck_assert_int_eq(mhp_format_nodelist(buf, 1, &m, 64), -ENOSPC);
	m = 1;
	ck_assert_int_eq(mhp_format_nodelist(buf, 2, &m, 64), 1);
	ck_assert_str_eq(buf, "0");
	ck_assert_int_eq(mhp_format_nodelist(buf, 1, &m, 64), -ENOSPC);
	m = 0;
	ck_assert_int_eq(mhp_format_nodelist(buf, 1, &m, 64), 0);
	ck_assert_str_eq(buf, "");
}
END_TEST

START_TEST(test_nodelist_does_not_write_past_len)
{
	uint64_t m = ~0ULL;
	char buf[32];

	memset(buf, 'X', sizeof(buf));
	ck_assert_int_eq(mhp_format_nodelist(buf, 4, &m, 64), -ENOSPC);
	ck_assert_int_eq(buf[4], 'X');
	ck_assert_int_eq(buf[31], 'X');
}
END_TEST

#define N_ELEM(a) ((int)(sizeof(a) / sizeof((a)[0])))

static Suite *parse_suite(void)
{
	Suite *s = suite_create("parse");
	TCase *tc;

	tc = tcase_create("sysfs_streq");
	tcase_add_loop_test(tc, test_sysfs_streq_table, 0, N_ELEM(streq_cases));
	tcase_add_test(tc, test_sysfs_streq_newline_after_common_newline_matches);
	suite_add_tcase(s, tc);

	tc = tcase_create("kstrtobool");
	tcase_add_loop_test(tc, test_kstrtobool_table, 0, N_ELEM(bool_cases));
	tcase_add_test(tc, test_kstrtobool_null_is_einval);
	suite_add_tcase(s, tc);

	tc = tcase_create("kstrtoull");
	tcase_add_loop_test(tc, test_kstrtoull_table, 0, N_ELEM(ull_cases));
	tcase_add_test(tc, test_kstrtoull_overflow_is_reported_before_trailing_junk);
	suite_add_tcase(s, tc);

	tc = tcase_create("kstrtoll");
	tcase_add_loop_test(tc, test_kstrtoll_table, 0, N_ELEM(ll_cases));
	suite_add_tcase(s, tc);

	tc = tcase_create("kstrtouint");
	tcase_add_loop_test(tc, test_kstrtouint_table, 0, N_ELEM(uint_cases));
	suite_add_tcase(s, tc);

	tc = tcase_create("online_type");
	tcase_add_loop_test(tc, test_online_type_from_str_table, 0, N_ELEM(type_cases));
	tcase_add_test(tc, test_online_type_values_are_the_kernels_mmop_indices);
	tcase_add_test(tc, test_online_type_to_str_gives_the_four_words);
	tcase_add_test(tc, test_online_type_to_str_out_of_range_is_null);
	tcase_add_test(tc, test_online_type_round_trips);
	suite_add_tcase(s, tc);

	tc = tcase_create("nodelist");
	tcase_add_test(tc, test_nodelist_empty_mask_is_empty_string);
	tcase_add_test(tc, test_nodelist_single_bits);
	tcase_add_test(tc, test_nodelist_two_adjacent_bits_are_a_range);
	tcase_add_test(tc, test_nodelist_ranges_and_singles);
	tcase_add_test(tc, test_nodelist_all_64_bits);
	tcase_add_test(tc, test_nodelist_ignores_bits_beyond_nbits);
	tcase_add_test(tc, test_nodelist_spans_words);
	tcase_add_test(tc, test_nodelist_too_small_buffer_is_enospc);
	tcase_add_test(tc, test_nodelist_does_not_write_past_len);
	suite_add_tcase(s, tc);

	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(parse_suite());
	int failed;

	/*
	 * Every check here is a pure function of its input, so nothing needs a process of its own;
	 * a fork per table row costs most of the suite's time under the sanitizers.
	 */
	srunner_set_fork_status(sr, CK_NOFORK);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
