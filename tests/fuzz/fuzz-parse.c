// SPDX-License-Identifier: MIT
/*
 * tests/fuzz/fuzz-parse.c - every string helper of core/parse.c against the reference versions
 * of oracle.h: same verdict, same errno, same value.  Also the node-list formatter, whose text
 * must parse back (mhpfs_parse_cpulist) to the same mask.
 *
 * Input: byte 0 chooses the base of the integer parsers (0, 8, 10 or 16); the rest is the string
 * (cut at the first NUL, as a store sees it).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include <memhp/memhp.h>

#include "machine-file.h"
#include "oracle.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_integers(const char *s, unsigned int base)
{
	unsigned long long u = 0, ru = 0;
	long long l = 0, rl = 0;
	unsigned int i = 0, ri = 0;
	int a, b;

	a = mhp_kstrtoull(s, base, &u);
	b = ref_kstrtoull(s, base, &ru);
	FUZZ_CHECK(a == b, "kstrtoull(\"%s\", %u): %d, expected %d", s, base, a, b);
	FUZZ_CHECK(a || u == ru, "kstrtoull(\"%s\", %u): %llu, expected %llu", s, base, u, ru);

	a = mhp_kstrtoll(s, base, &l);
	b = ref_kstrtoll(s, base, &rl);
	FUZZ_CHECK(a == b, "kstrtoll(\"%s\", %u): %d, expected %d", s, base, a, b);
	FUZZ_CHECK(a || l == rl, "kstrtoll(\"%s\", %u): %lld, expected %lld", s, base, l, rl);

	a = mhp_kstrtouint(s, base, &i);
	b = ref_kstrtouint(s, base, &ri);
	FUZZ_CHECK(a == b, "kstrtouint(\"%s\", %u): %d, expected %d", s, base, a, b);
	FUZZ_CHECK(a || i == ri, "kstrtouint(\"%s\", %u): %u, expected %u", s, base, i, ri);
}

static void check_words(const char *s)
{
	static const char *const words[] = { "offline",	       "online",       "online_kernel",
					     "online_movable", "contig-zones", "on",
					     "auto",	       "add",	       "" };
	bool v = false, rv = false;
	int a, b;

	/* out parameters are written only on success */
	v = true;
	a = mhp_kstrtobool(s, &v);
	b = ref_kstrtobool(s, &rv);
	FUZZ_CHECK(a == b, "kstrtobool(\"%s\"): %d, expected %d", s, a, b);
	FUZZ_CHECK(a ? v : v == rv, "kstrtobool(\"%s\"): value %d, expected %d", s, v, rv);

	for (size_t w = 0; w < sizeof(words) / sizeof(words[0]); w++) {
		FUZZ_CHECK(mhp_sysfs_streq(s, words[w]) == ref_streq(s, words[w]),
			   "sysfs_streq(\"%s\", \"%s\")", s, words[w]);
		FUZZ_CHECK(mhp_sysfs_streq(words[w], s) == ref_streq(words[w], s),
			   "sysfs_streq(\"%s\", \"%s\")", words[w], s);
	}
	FUZZ_CHECK(mhp_sysfs_streq(s, s), "sysfs_streq(s, s) false for \"%s\"", s);

	a = mhp_online_type_from_str(s);
	b = ref_online_type(s);
	FUZZ_CHECK(a == b, "online_type_from_str(\"%s\"): %d, expected %d", s, a, b);
	if (a >= 0)
		FUZZ_CHECK(ref_streq(s, mhp_online_type_to_str(a)), "type %d is not \"%s\"", a, s);

	a = mhp_uevent_action_from_str(s);
	if (a >= 0)
		FUZZ_CHECK(ref_streq(s, mhp_uevent_action_name(a)), "action %d is not \"%s\"", a,
			   s);
	else
		FUZZ_CHECK(a == -EINVAL, "uevent_action_from_str(\"%s\"): %d", s, a);
}

/* The raw bytes as a node mask: "%*pbl" must parse back to exactly the same bits. */
static void check_nodelist(const uint8_t *data, size_t size)
{
	uint64_t mask[2] = { 0, 0 }, back[2] = { 0, 0 };
	unsigned int nbits;
	char buf[512], small[8];
	int n, r;

	if (size < 1)
		return;
	nbits = 1 + data[0] % 128;
	memcpy(mask, data + 1, size - 1 < sizeof(mask) ? size - 1 : sizeof(mask));
	if (nbits < 64)
		mask[0] &= (1ULL << nbits) - 1;
	if (nbits <= 64)
		mask[1] = 0;
	else if (nbits < 128)
		mask[1] &= (1ULL << (nbits - 64)) - 1;
	n = mhp_format_nodelist(buf, sizeof(buf), mask, nbits);
	FUZZ_CHECK(n >= 0 && (size_t)n == strlen(buf), "format_nodelist: %d", n);
	r = mhpfs_parse_cpulist(buf, back, 128);
	FUZZ_CHECK(r == 0, "parse_cpulist(\"%s\"): %d", buf, r);
	FUZZ_CHECK(!memcmp(mask, back, sizeof(mask)), "\"%s\" does not round-trip", buf);
	/* too small a buffer is -ENOSPC, never an overflow (ASan watches) */
	r = mhp_format_nodelist(small, (size_t)n + 1 > sizeof(small) ? sizeof(small) : (size_t)n,
				mask, nbits);
	FUZZ_CHECK(r == -ENOSPC || (r >= 0 && (size_t)r < sizeof(small)),
		   "format_nodelist into %zu bytes: %d", sizeof(small), r);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const unsigned int bases[] = { 0, 8, 10, 16 };
	char *s;

	if (size < 1)
		return 0;
	s = malloc(size);
	if (!s)
		return 0;
	memcpy(s, data + 1, size - 1);
	s[size - 1] = '\0';
	check_integers(s, bases[data[0] & 3]);
	check_words(s);
	check_nodelist(data, size);
	free(s);
	return 0;
}
