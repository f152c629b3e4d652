// SPDX-License-Identifier: MIT
/*
 * tests/fuzz/fuzz-machine-file.c - the machine file parser (fusefs/machine-file.c, --config).
 *
 * The input is the file.  Invariants: a refused file leaves the machine untouched and says
 * "FILE:LINE: ..." (or names the file); an accepted file is a machine the engine accepts (the
 * parser promises to check every range first) whose workload parses, and whose counters agree
 * with its blocks.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include "invariants.h"
#include "memhotplugfs.h"
#include "oracle.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Machines bigger than this are accepted by the parser but not booted here (time, not bugs). */
#define MAX_BOOT_BLOCKS 4096

static struct mhpfs_machine defaults;

static void load_defaults(void)
{
	static char a0[] = "memhotplugfs";
	char *argv[] = { a0, NULL };
	struct fuse_args args = FUSE_ARGS_INIT(1, argv);
	int status;

	if (mhpfs_parse_options(&args, &defaults, &status))
		abort();
	fuse_opt_free_args(&args);
}

static uint64_t boot_blocks(const struct mhp_config *cfg)
{
	uint64_t n = 0;

	for (size_t i = 0; i < cfg->nr_boot; i++)
		n += (cfg->boot[i].end - cfg->boot[i].start) / cfg->block_size + 2;
	return n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mhpfs_machine *m, *copy;
	struct mhp_workload_params wp;
	struct mhp_engine *e = NULL;
	char path[64], err[512], inv[256];
	int fd, r;

	if (!defaults.cfg.block_size)
		load_defaults();
	fd = memfd_create("machine.conf", MFD_CLOEXEC);
	if (fd < 0 || write(fd, data, size) != (ssize_t)size)
		abort();
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);

	m = malloc(sizeof(*m));
	copy = malloc(sizeof(*copy));
	if (!m || !copy)
		abort();
	*m = defaults;
	m->cfg.boot = m->boot;
	m->cfg.numa = m->numa;
	m->cfg.reserved = m->reserved;
	*copy = *m;
	memset(err, 0x55, sizeof(err));
	r = mhpfs_machine_load_file(path, m, err, sizeof(err));
	if (r) {
		FUZZ_CHECK(memchr(err, '\0', sizeof(err)), "message not terminated");
		FUZZ_CHECK(r == -EINVAL || r == -E2BIG || r == -ENOMEM, "load: %d (%s)", r, err);
		FUZZ_CHECK(!memcmp(m, copy, sizeof(*m)), "a refused file changed the machine: %s",
			   err);
		FUZZ_CHECK(!strncmp(err, path, strlen(path)), "message does not name the file: %s",
			   err);
		goto out;
	}
	FUZZ_CHECK(m->cfg.boot == m->boot || m->cfg.nr_boot == 0, "cfg.boot points elsewhere");
	FUZZ_CHECK(m->cfg.numa == m->numa && m->cfg.reserved == m->reserved,
		   "cfg arrays point elsewhere");
	FUZZ_CHECK(m->cfg.nr_boot <= MHPFS_MAX_RANGES && m->cfg.nr_numa <= MHPFS_MAX_RANGES &&
			   m->cfg.nr_reserved <= MHPFS_MAX_RANGES &&
			   m->nr_dimms <= MHPFS_MAX_DIMMS && m->nr_cpus <= MHPFS_MAX_CPUS,
		   "counts beyond the arrays");
	FUZZ_CHECK(memchr(m->workload, '\0', sizeof(m->workload)), "workload not terminated");
	r = mhpfs_workload_parse(m->workload, &wp);
	FUZZ_CHECK(!r, "accepted workload does not parse: %d \"%s\"", r, m->workload);
	if (boot_blocks(&m->cfg) > MAX_BOOT_BLOCKS)
		goto out;
	r = mhp_engine_new(&m->cfg, &e);
	FUZZ_CHECK(!r, "accepted machine refused by the engine: %d", r);
	FUZZ_CHECK(!mhp_check_invariants(e, m->cfg.boot, m->cfg.nr_boot, inv, sizeof(inv)),
		   "booted machine: %s", inv);
	mhp_engine_free(e);
out:
	close(fd);
	free(m);
	free(copy);
	return 0;
}
