// SPDX-License-Identifier: MIT
/*
 * tests/fuzz/fuzz-attrs.c - every store of the daemon (fusefs/attrs.c), reached as a write(2) to
 * a mount of the sysfs layout reaches it (fusefs/attr-entry.c), on the default machine.
 *
 * Input: a sequence of writes, each [selector][block or node][length][bytes...].  After every
 * write:
 *  - a failed write changed nothing a client can see (block states, parameters, injector,
 *    uevent sequence number), except offline_and_remove, whose rollback is itself visible;
 *  - the errno is the one SPEC names for that input (oracle.h decides what parses);
 *  - a successful write did exactly what it says (state reached, value read back);
 *  - the engine's counters agree with its blocks (tests/torture/invariants.c).
 * A fresh engine per input keeps runs independent, so every crash reproduces.
 */
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "attr-entry.h"
#include "invariants.h"
#include "oracle.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_IDS 256

enum arg {
	A_NONE,
	A_BLOCK, /* memory%lu */
	A_NODE, /* node%d */
};

enum check {
	C_NONE,
	C_STATE,
	C_ONLINE,
	C_AUTO_ONLINE,
	C_PROBE,
	C_POLICY,
	C_RATIO,
	C_NUMA_AWARE,
	C_INJECT,
	C_CONTROL,
	C_EIO,
	C_EACCES,
	C_UEVENT, /* a block's synthetic uevent */
	C_REMOVE, /* offline_and_remove: a failure may be visible */
};

static const struct target {
	const char *fmt;
	int arg;
	int check;
} targets[] = {
	{ "devices/system/memory/memory%lu/state", A_BLOCK, C_STATE },
	{ "devices/system/memory/memory%lu/online", A_BLOCK, C_ONLINE },
	{ "devices/system/memory/auto_online_blocks", A_NONE, C_AUTO_ONLINE },
	{ "devices/system/memory/probe", A_NONE, C_PROBE },
	{ "devices/system/memory/memory%lu/state", A_BLOCK, C_STATE },
	{ "devices/system/memory/memory%lu/uevent", A_BLOCK, C_UEVENT },
	{ "devices/system/memory/uevent", A_NONE, C_NONE },
	{ "devices/system/memory/memory%lu/power/control", A_BLOCK, C_CONTROL },
	{ "devices/system/memory/memory%lu/power/autosuspend_delay_ms", A_BLOCK, C_EIO },
	{ "devices/system/memory/memory%lu/phys_index", A_BLOCK, C_EACCES },
	{ "devices/system/memory/memory%lu/valid_zones", A_BLOCK, C_EACCES },
	{ "devices/system/memory/block_size_bytes", A_NONE, C_EACCES },
	{ "devices/system/node/node%d/uevent", A_NODE, C_NONE },
	{ "devices/system/node/node%d/compact", A_NODE, C_NONE },
	{ "devices/system/node/node%d/reclaim", A_NODE, C_NONE },
	{ "devices/system/node/uevent", A_NONE, C_NONE },
	{ "devices/system/node/possible", A_NONE, C_EACCES },
	{ "bus/memory/drivers_probe", A_NONE, C_NONE },
	{ "bus/memory/drivers_autoprobe", A_NONE, C_NONE },
	{ "bus/memory/uevent", A_NONE, C_NONE },
	{ "bus/node/drivers_probe", A_NONE, C_NONE },
	{ "module/memory_hotplug/parameters/online_policy", A_NONE, C_POLICY },
	{ "module/memory_hotplug/parameters/auto_movable_ratio", A_NONE, C_RATIO },
	{ "module/memory_hotplug/parameters/auto_movable_numa_aware", A_NONE, C_NUMA_AWARE },
	{ "module/memory_hotplug/parameters/memmap_on_memory", A_NONE, C_EACCES },
	{ "kernel/debug/notifier-error-inject/memory/actions/MEM_GOING_ONLINE/error", A_NONE,
	  C_INJECT },
	{ "kernel/debug/notifier-error-inject/memory/actions/MEM_GOING_OFFLINE/error", A_NONE,
	  C_INJECT },
	{ "kernel/debug/memhotplugfs/add_memory", A_NONE, C_NONE },
	{ "kernel/debug/memhotplugfs/remove_memory", A_NONE, C_REMOVE },
	{ "kernel/debug/memhotplugfs/stats", A_NONE, C_EACCES },
	{ "kernel/uevent_seqnum", A_NONE, C_EACCES },
	{ "devices/system/memory/memory%lu/online", A_BLOCK, C_ONLINE },
	{ "devices/system/memory/soft_offline_page", A_NONE, C_NONE },
	{ "devices/system/memory/hard_offline_page", A_NONE, C_NONE },
	{ "kernel/debug/memhotplugfs/workload", A_NONE, C_NONE },
	{ "kernel/debug/memhotplugfs/dimm_slots", A_NONE, C_NONE },
};

#define NR_TARGETS (sizeof(targets) / sizeof(targets[0]))

/* What a client can see, for "a failed write changed nothing". */
struct snapshot {
	unsigned long nr;
	unsigned long id[MAX_IDS];
	int state[MAX_IDS];
	int auto_online, policy, numa_aware, inject[2];
	unsigned int ratio;
	uint64_t seqnum;
};

static void snap(struct mhpfs *fs, struct snapshot *s)
{
	unsigned long id = 0, next;

	memset(s, 0, sizeof(*s));
	for (; !mhp_block_next_id(fs->e, id, &next) && s->nr < MAX_IDS; id = next + 1) {
		struct mhp_block *b = mhp_block_get(fs->e, next);

		s->id[s->nr] = next;
		s->state[s->nr++] = b ? mhp_block_state(b) : -1;
		mhp_block_put(b);
	}
	s->auto_online = mhp_get_auto_online(fs->e);
	s->policy = mhp_get_online_policy(fs->e);
	s->numa_aware = mhp_get_auto_movable_numa_aware(fs->e);
	s->ratio = mhp_get_auto_movable_ratio(fs->e);
	s->inject[0] = mhp_inject_get(fs->inj, 0);
	s->inject[1] = mhp_inject_get(fs->inj, 1);
	s->seqnum = mhp_uevent_seqnum(fs->e);
}

static int block_state(struct mhpfs *fs, unsigned long id)
{
	struct mhp_block *b = mhp_block_get(fs->e, id);
	int st = b ? mhp_block_state(b) : 0;

	mhp_block_put(b);
	return st;
}

/* The checks that need the text: what SPEC says the write must give. */
static void check_write(struct mhpfs *fs, const struct target *t, const char *path,
			unsigned long id, const char *text, size_t len, ssize_t r,
			const struct snapshot *before)
{
	unsigned long long ull;
	unsigned int ui;
	int st_before = block_state(fs, id), expect;
	bool v;
	struct sbuf sb = { 0 };

	(void)st_before;
	switch (t->check) {
	case C_STATE: {
		int type = ref_online_type(text);

		if (type < 0) {
			FUZZ_CHECK(r == -EINVAL || r == -ENOENT, "%s \"%s\": %zd", path, text, r);
			break;
		}
		if (r >= 0)
			FUZZ_CHECK(block_state(fs, id) ==
					   (type ? MHP_STATE_ONLINE : MHP_STATE_OFFLINE),
				   "%s \"%s\" succeeded, state %d", path, text,
				   block_state(fs, id));
		break;
	}
	case C_ONLINE:
		if (ref_kstrtobool(text, &v)) {
			FUZZ_CHECK(r == -EINVAL || r == -ENOENT, "%s \"%s\": %zd", path, text, r);
			break;
		}
		if (r >= 0)
			FUZZ_CHECK(
				block_state(fs, id) == (v ? MHP_STATE_ONLINE : MHP_STATE_OFFLINE),
				"%s \"%s\" succeeded, state %d", path, text, block_state(fs, id));
		break;
	case C_AUTO_ONLINE:
		expect = ref_online_type(text);
		FUZZ_CHECK((r >= 0) == (expect >= 0), "%s \"%s\": %zd", path, text, r);
		FUZZ_CHECK(r >= 0 || r == -EINVAL, "%s \"%s\": %zd", path, text, r);
		if (r >= 0)
			FUZZ_CHECK(mhp_get_auto_online(fs->e) == expect, "auto_online %d",
				   mhp_get_auto_online(fs->e));
		break;
	case C_PROBE:
		expect = ref_kstrtoull(text, 0, &ull);
		if (expect) {
			FUZZ_CHECK(r == expect, "probe \"%s\": %zd, expected %d", text, r, expect);
			break;
		}
		if (ull % mhp_engine_block_size(fs->e)) {
			FUZZ_CHECK(r == -EINVAL, "probe %#llx (unaligned): %zd", ull, r);
			break;
		}
		if (ull >= (1ULL << fs->m.cfg.phys_bits)) {
			FUZZ_CHECK(r == -E2BIG, "probe %#llx (beyond phys_bits): %zd", ull, r);
			break;
		}
		for (unsigned long i = 0; i < before->nr; i++)
			if (before->id[i] == ull / mhp_engine_block_size(fs->e))
				FUZZ_CHECK(r == -EEXIST, "probe %#llx over memory%lu: %zd", ull,
					   before->id[i], r);
		if (r >= 0)
			FUZZ_CHECK(block_state(fs, ull / mhp_engine_block_size(fs->e)) != 0,
				   "probe %#llx succeeded, no block", ull);
		break;
	case C_POLICY:
		expect = ref_streq(text, "contig-zones") ? 0 :
			 ref_streq(text, "auto-movable") ? 1 :
							   -1;
		FUZZ_CHECK(expect < 0 ? r == -EINVAL : r >= 0, "online_policy \"%s\": %zd", text,
			   r);
		if (expect >= 0)
			FUZZ_CHECK(mhp_get_online_policy(fs->e) == expect, "policy %d",
				   mhp_get_online_policy(fs->e));
		break;
	case C_RATIO:
		expect = ref_kstrtouint(text, 0, &ui);
		FUZZ_CHECK(expect ? r == expect : r >= 0, "ratio \"%s\": %zd, expected %d", text, r,
			   expect);
		if (!expect)
			FUZZ_CHECK(mhp_get_auto_movable_ratio(fs->e) == ui, "ratio %u",
				   mhp_get_auto_movable_ratio(fs->e));
		break;
	case C_NUMA_AWARE:
		expect = ref_kstrtobool(text, &v);
		FUZZ_CHECK(expect ? r == -EINVAL : r >= 0, "numa_aware \"%s\": %zd", text, r);
		if (!expect)
			FUZZ_CHECK(mhp_get_auto_movable_numa_aware(fs->e) == v, "numa_aware");
		break;
	case C_INJECT: {
		int val;

		/* debugfs files take the bytes as given: the store sees NULs and all */
		expect = ref_inject_store(text, len, &val);
		FUZZ_CHECK(expect ? r == expect : r == (ssize_t)len, "%s: %zd, expected %d", path,
			   r, expect);
		break;
	}
	case C_CONTROL:
		if (r == -ENOENT || r == -ENODEV)
			break;
		expect = ref_streq(text, "on") || ref_streq(text, "auto") ? 0 : -EINVAL;
		FUZZ_CHECK(expect ? r == expect : r >= 0, "%s \"%s\": %zd", path, text, r);
		if (!expect) {
			FUZZ_CHECK(!mhpfs_attr_read(fs, path, &sb), "read back %s", path);
			FUZZ_CHECK(ref_streq(sb.data, text), "%s reads \"%s\" after \"%s\"", path,
				   sb.data, text);
		}
		break;
	case C_EIO:
		FUZZ_CHECK(r == -EIO || r == -ENOENT, "%s: %zd", path, r);
		break;
	case C_EACCES:
		FUZZ_CHECK(r == -EACCES || r == -ENOENT, "%s: %zd", path, r);
		break;
	case C_UEVENT:
		if (r >= 0 && len)
			FUZZ_CHECK(mhp_uevent_seqnum(fs->e) == before->seqnum + 1,
				   "synthetic uevent: seqnum %" PRIu64 " -> %" PRIu64,
				   before->seqnum, mhp_uevent_seqnum(fs->e));
		break;
	}
	sbuf_free(&sb);
}

/* Every file of a block reads and looks like the kernel's. */
static void check_block_files(struct mhpfs *fs, unsigned long id)
{
	static const char *const states[] = { "online\n", "offline\n", "going-offline\n" };
	char path[128];
	struct sbuf sb = { 0 };
	int st = block_state(fs, id);
	bool ok = false;

	if (!st)
		return;
	snprintf(path, sizeof(path), "devices/system/memory/memory%lu/state", id);
	FUZZ_CHECK(!mhpfs_attr_read(fs, path, &sb), "read %s", path);
	for (int i = 0; i < 3; i++)
		ok |= !strcmp(sb.data, states[i]);
	FUZZ_CHECK(ok, "%s reads \"%s\"", path, sb.data);
	snprintf(path, sizeof(path), "devices/system/memory/memory%lu/online", id);
	FUZZ_CHECK(!mhpfs_attr_read(fs, path, &sb), "read %s", path);
	FUZZ_CHECK(!strcmp(sb.data, st == MHP_STATE_OFFLINE ? "0\n" : "1\n"), "%s reads \"%s\"",
		   path, sb.data);
	snprintf(path, sizeof(path), "devices/system/memory/memory%lu/valid_zones", id);
	FUZZ_CHECK(!mhpfs_attr_read(fs, path, &sb), "read %s", path);
	FUZZ_CHECK(sb.len > 1 && sb.data[sb.len - 1] == '\n', "%s reads \"%s\"", path, sb.data);
	/* an online block lists only its zone; an offline one at most two, never twice */
	if (st == MHP_STATE_ONLINE)
		FUZZ_CHECK(!strchr(sb.data, ' '), "online %s reads \"%s\"", path, sb.data);
	snprintf(path, sizeof(path), "devices/system/memory/memory%lu/phys_index", id);
	FUZZ_CHECK(!mhpfs_attr_read(fs, path, &sb), "read %s", path);
	FUZZ_CHECK(strtoul(sb.data, NULL, 16) == id && sb.len >= 9, "%s reads \"%s\"", path,
		   sb.data);
	sbuf_free(&sb);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char a0[] = "memhotplugfs", a1[] = "--layout=sysfs";
	char *argv[] = { a0, a1 };
	struct mhpfs *fs;
	char err[256];
	size_t pos = 0;

	if (mhpfs_attr_fs_new(2, argv, &fs))
		abort();
	while (pos + 3 <= size) {
		const struct target *t = &targets[data[pos] % NR_TARGETS];
		unsigned long id = data[pos + 1];
		size_t len = data[pos + 2];
		struct snapshot before, after;
		char path[160], *text;
		ssize_t r;

		/* a long write now and then: the 4096-byte cap and big buffers */
		if (data[pos] >= 0xf0)
			len *= 32;
		pos += 3;
		if (len > size - pos)
			len = size - pos;
			/* the formats are the table's, each with the one conversion its arg says */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
		if (t->arg == A_BLOCK)
			snprintf(path, sizeof(path), t->fmt, id);
		else if (t->arg == A_NODE)
			snprintf(path, sizeof(path), t->fmt, (int)(id % 4));
		else
			snprintf(path, sizeof(path), "%s", t->fmt);
#pragma GCC diagnostic pop
		/* what the store sees: at most a page of sysfs text, cut at the first NUL */
		text = calloc(1, len + 1);
		if (!text)
			abort();
		memcpy(text, data + pos, len);
		if (t->check != C_INJECT && len > MHPFS_SYSFS_PAGE)
			text[MHPFS_SYSFS_PAGE] = '\0';

		snap(fs, &before);
		r = mhpfs_attr_write(fs, path, (const char *)data + pos, len, NULL);
		snap(fs, &after);
		pos += len;

		FUZZ_CHECK(
			r < 0 || r == (ssize_t)(len > MHPFS_SYSFS_PAGE && t->check != C_INJECT &&
								strncmp(path, "kernel/debug", 12) ?
							MHPFS_SYSFS_PAGE :
							len),
			"%s: write of %zu returned %zd", path, len, r);
		if (r < 0 && t->check != C_REMOVE)
			FUZZ_CHECK(!memcmp(&before, &after, sizeof(before)),
				   "%s \"%.40s\" failed (%zd) and changed state", path, text, r);
		if (!len)
			FUZZ_CHECK(r == 0 || r == -ENOENT || r == -EACCES,
				   "%s: empty write returned %zd", path, r);
		if (len)
			check_write(fs, t, path, id, text, len, r, &before);
		free(text);
		FUZZ_CHECK(!mhp_check_invariants(fs->e, fs->m.cfg.boot, fs->m.cfg.nr_boot, err,
						 sizeof(err)),
			   "after %s: %s", path, err);
		if (t->arg == A_BLOCK)
			check_block_files(fs, id);
	}
	mhpfs_attr_fs_free(fs);
	return 0;
}
