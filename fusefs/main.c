// SPDX-License-Identifier: MIT
/*
 * fusefs/main.c - memhotplugfs: mount the memory hotplug sysfs of an emulated machine.
 *
 * Order matters: the options and the machine are checked (a throw-away engine is built) before
 * anything is mounted, so a bad option never leaves a mount behind; the real engine and the event
 * thread are created after fuse_daemonize(), whose fork would lose threads.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "memhotplugfs.h"

static int build_engine(struct mhpfs *fs)
{
	struct mhpfs_machine *m = &fs->m;
	int r;

	m->cfg.on_change = mhpfs_on_change;
	m->cfg.on_change_priv = fs;
	r = mhp_engine_new(&m->cfg, &fs->e);
	if (r) {
		fprintf(stderr,
			"memhotplugfs: the machine is invalid (%s): check --block-size, --boot, "
			"--hotplug, --reserved, --phys-bits, --kernelcore, --movablecore\n",
			strerror(-r));
		return r;
	}
	if (m->inject) {
		r = mhp_inject_new(fs->e, m->inject_priority, &fs->inj);
		if (r) {
			fprintf(stderr, "memhotplugfs: cannot load the error injector: %s\n",
				strerror(-r));
			mhp_engine_free(fs->e);
			fs->e = NULL;
			return r;
		}
	}
	return 0;
}

static void free_engine(struct mhpfs *fs)
{
	mhp_inject_free(fs->inj);
	fs->inj = NULL;
	mhp_engine_free(fs->e);
	fs->e = NULL;
}

int main(int argc, char *argv[])
{
	struct fuse_args args = FUSE_ARGS_INIT(argc, argv);
	struct fuse_cmdline_opts opts;
	struct fuse_loop_config *loop;
	struct fuse_session *se = NULL;
	struct mhpfs *fs;
	pthread_t worker;
	int ret = 1, status;

	fs = calloc(1, sizeof(*fs));
	if (!fs)
		return 1;
	pthread_mutex_init(&fs->power_lock, NULL);
	atomic_store(&fs->bus_autoprobe[0], 1);
	atomic_store(&fs->bus_autoprobe[1], 1);
	clock_gettime(CLOCK_REALTIME, &fs->start);

	if (mhpfs_parse_options(&args, &fs->m, &status)) {
		ret = status;
		goto out_args;
	}
	if (fuse_parse_cmdline(&args, &opts) != 0)
		goto out_args;
	if (!opts.mountpoint) {
		fprintf(stderr, "memhotplugfs: no mountpoint given (see %s --help)\n", argv[0]);
		goto out_opts;
	}

	/* validate the machine before mounting */
	if (build_engine(fs))
		goto out_opts;
	free_engine(fs);

	/* sysfs checks permissions itself; so must the kernel for non-root users */
	if (fuse_opt_add_arg(&args, "-odefault_permissions") ||
	    fuse_opt_add_arg(&args, "-ofsname=memhotplugfs") ||
	    fuse_opt_add_arg(&args, "-osubtype=memhotplugfs"))
		goto out_opts;

	se = fuse_session_new(&args, &mhpfs_ops, sizeof(mhpfs_ops), fs);
	if (!se)
		goto out_opts;
	if (fuse_set_signal_handlers(se) != 0)
		goto out_session;
	if (fuse_session_mount(se, opts.mountpoint) != 0)
		goto out_signals;
	fprintf(stderr, "memhotplugfs: mounted at %s (%s layout); stop with: fusermount3 -u %s\n",
		opts.mountpoint, fs->m.layout == MHPFS_LAYOUT_SYSFS ? "sysfs" : "memory",
		opts.mountpoint);
	if (fuse_daemonize(opts.foreground) != 0)
		goto out_unmount;
	if (build_engine(fs))
		goto out_unmount;
	fs->se = se;
	if (mhpfs_events_start(fs, &worker)) {
		fprintf(stderr, "memhotplugfs: cannot start the event thread\n");
		goto out_engine;
	}

	if (opts.singlethread) {
		ret = fuse_session_loop(se);
	} else {
		loop = fuse_loop_cfg_create();
		if (!loop) {
			ret = 1;
		} else {
			fuse_loop_cfg_set_clone_fd(loop, opts.clone_fd);
			fuse_loop_cfg_set_idle_threads(loop, opts.max_idle_threads);
			/* a slow offline holds one thread; readers need others */
			fuse_loop_cfg_set_max_threads(loop, opts.max_threads && opts.max_threads <=
											100000 ?
								    opts.max_threads :
								    64);
			ret = fuse_session_loop_mt(se, loop);
			fuse_loop_cfg_destroy(loop);
		}
	}
	ret = ret ? 1 : 0;

	mhpfs_events_stop(fs, worker);
	fs->se = NULL;
out_engine:
	free_engine(fs);
out_unmount:
	fuse_session_unmount(se);
out_signals:
	fuse_remove_signal_handlers(se);
out_session:
	fuse_session_destroy(se);
out_opts:
	free(opts.mountpoint);
out_args:
	fuse_opt_free_args(&args);
	mhpfs_power_free(fs);
	pthread_mutex_destroy(&fs->power_lock);
	free(fs);
	return ret;
}
