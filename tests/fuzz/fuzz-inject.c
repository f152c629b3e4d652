// SPDX-License-Identifier: MIT
/*
 * tests/fuzz/fuzz-inject.c - writes to notifier-error-inject/memory/actions/<ACTION>/error
 * (mhp_inject_store) against the reference debugfs errno store of oracle.h, then the injected
 * error's effect: an online (or offline) must fail with exactly that errno and leave the block
 * as it was.
 *
 * Input: byte 0 bit 0 chooses the action; the rest is what is written, NULs included.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include <memhp/memhp.h>

#include "oracle.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct mhp_engine *engine;
static struct mhp_inject *inj;

/* One engine for the whole run: a block 1 that can go on- and offline, an injector at 0. */
static void setup(void)
{
	static const struct mhp_mem_range boot[] = { { 0, 4ULL << 27, 0 } };
	struct mhp_config cfg;

	mhp_config_init(&cfg);
	cfg.boot = boot;
	cfg.nr_boot = 1;
	if (mhp_engine_new(&cfg, &engine) || mhp_inject_new(engine, 0, &inj))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	int action, expect = 0, before, after, r, ref;
	struct mhp_block *b;
	char show[32];
	ssize_t n;

	if (!engine)
		setup();
	if (size < 1)
		return 0;
	action = data[0] & 1;
	/* inputs must not depend on each other: only this input's action may be armed */
	mhp_inject_set(inj, !action, 0);
	before = mhp_inject_get(inj, action);
	n = mhp_inject_store(inj, action, (const char *)data + 1, size - 1);
	ref = ref_inject_store((const char *)data + 1, size - 1, &expect);
	after = mhp_inject_get(inj, action);
	if (ref) {
		FUZZ_CHECK(n == ref, "store failed with %zd, expected %d", n, ref);
		FUZZ_CHECK(after == before, "a failed store changed %d to %d", before, after);
		return 0;
	}
	FUZZ_CHECK(n == (ssize_t)(size - 1), "store returned %zd for %zu bytes", n, size - 1);
	FUZZ_CHECK(after == expect, "stored %d, expected %d", after, expect);
	r = mhp_inject_show(inj, action, show, sizeof(show));
	FUZZ_CHECK(r > 0 && atoll(show) == expect && show[r - 1] == '\n', "shows \"%s\"", show);

	/* the injected errno is exactly what the transition fails with, and nothing changes */
	b = mhp_block_get(engine, 1);
	FUZZ_CHECK(b, "no memory1");
	if (action == MHP_INJECT_GOING_OFFLINE) {
		r = mhp_block_store_state(engine, b, MHP_MMOP_OFFLINE, NULL);
		FUZZ_CHECK(r == expect, "offline with %d injected: %d", expect, r);
		if (!r) {
			r = mhp_block_store_state(engine, b, MHP_MMOP_ONLINE, NULL);
			FUZZ_CHECK(!r, "online back: %d", r);
		}
	} else {
		r = mhp_block_store_state(engine, b, MHP_MMOP_OFFLINE, NULL);
		FUZZ_CHECK(!r, "offline with nothing injected for it: %d", r);
		r = mhp_block_store_state(engine, b, MHP_MMOP_ONLINE, NULL);
		FUZZ_CHECK(r == expect, "online with %d injected: %d", expect, r);
		FUZZ_CHECK(mhp_block_state(b) == (expect ? MHP_STATE_OFFLINE : MHP_STATE_ONLINE),
			   "state %d after online returned %d", mhp_block_state(b), r);
		if (expect) {
			mhp_inject_set(inj, action, 0);
			r = mhp_block_store_state(engine, b, MHP_MMOP_ONLINE, NULL);
			FUZZ_CHECK(!r, "online without injection: %d", r);
			mhp_inject_set(inj, action, expect);
		}
	}
	FUZZ_CHECK(mhp_block_state(b) == MHP_STATE_ONLINE, "memory1 left in state %d",
		   mhp_block_state(b));
	mhp_block_put(b);
	/* drain the queue so it never fills up during a long run */
	for (struct mhp_uevent ev; !mhp_event_pop(engine, &ev);)
		;
	return 0;
}
