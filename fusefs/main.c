// SPDX-License-Identifier: MIT
/*
 * fusefs/main.c - memhotplugfs: mount the memory hotplug sysfs of an emulated machine.
 *
 * Order matters: the machine is built (engine, pools, injector) before anything is mounted, so a
 * bad option never leaves a mount behind.  Building creates no thread, so it survives the fork of
 * fuse_daemonize(); the workload's writers and the event threads are started after it.
 */
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <systemd/sd-daemon.h>

#include "log.h"
#include "memhotplugfs.h"
#include "pools.h"
#include "seed.h"

static void free_engine(struct mhpfs *fs)
{
	mhpfs_workload_stop(fs);
	mhp_inject_free(fs->inj);
	fs->inj = NULL;
	mhp_engine_free(fs->e);
	fs->e = NULL;
	/* the engine calls the pool's hooks until it is gone */
	mhpfs_pools_free(fs);
}

static int build_engine(struct mhpfs *fs)
{
	struct mhpfs_machine *m = &fs->m;
	int r;

	m->cfg.on_change = mhpfs_on_change;
	m->cfg.on_change_priv = fs;
	/* the physical memory first: the engine onlines the boot blocks into it */
	r = mhpfs_pools_new(fs);
	if (r)
		return r;
	r = mhp_engine_new(&m->cfg, &fs->e);
	if (r) {
		mhpfs_log(LOG_ERR,
			  "the machine is invalid (%s): check --block-size, --boot, --hotplug, "
			  "--reserved, --phys-bits, --kernelcore, --movablecore",
			  strerror(-r));
		mhpfs_pools_free(fs);
		return r;
	}
	if (m->seed) {
		/*
		 * boot is over: replay what the seeded system did since (offline,
		 * online_movable), before the pools' subsystems take pages that could pin a block
		 */
		static bool warned;
		char err[512];

		r = mhpfs_seed_apply(fs->e, m->seed, err, sizeof(err));
		if (r < 0) {
			fprintf(stderr, "memhotplugfs: %s\n", err);
			free_engine(fs);
			return r;
		}
		if (r > 0 && !warned)
			fprintf(stderr,
				"memhotplugfs: warning: %d difference(s) from the seed: %s\n", r,
				err);
		warned = true;
	}
	r = mhpfs_pools_attach(fs);
	if (r) {
		free_engine(fs);
		return r;
	}
	if (m->inject) {
		r = mhp_inject_new(fs->e, m->inject_priority, &fs->inj);
		if (r) {
			mhpfs_log(LOG_ERR, "cannot load the error injector: %s", strerror(-r));
			free_engine(fs);
			return r;
		}
	}
	return 0;
}

/*
 * A daemon killed without -o auto_unmount leaves its mount behind, and every access to it fails
 * with ENOTCONN.  Whether to drop that mount is its owner's call, so say how instead of libfuse's
 * bare "failed to access mountpoint".
 */
static bool stale_mountpoint(const char *mnt)
{
	struct stat st;

	if (stat(mnt, &st) == 0 || errno != ENOTCONN)
		return false;
	mhpfs_log(LOG_ERR,
		  "%s is a stale FUSE mount (its daemon died): recover with 'fusermount3 -u %s' "
		  "(or 'umount -l %s') and start again; -o auto_unmount prevents this",
		  mnt, mnt, mnt);
	return true;
}

int main(int argc, char *argv[])
{
	struct fuse_args args = FUSE_ARGS_INIT(argc, argv);
	struct fuse_cmdline_opts opts;
	struct fuse_loop_config *loop;
	struct fuse_session *se = NULL;
	struct mhpfs *fs;
	pthread_t worker;
	int ret = 1, status, notify_r;

	fs = mhpfs_new();
	if (!fs)
		return 1;

	mhpfs_log_init();
	if (mhpfs_event_opts_parse(&args, &fs->evopts))
		goto out_args;
	if (mhpfs_parse_options(&args, &fs->m, &status)) {
		ret = status;
		goto out_args;
	}
	if (fuse_parse_cmdline(&args, &opts) != 0)
		goto out_args;
	if (!opts.mountpoint) {
		mhpfs_log(LOG_ERR, "no mountpoint given (see %s --help)", argv[0]);
		goto out_opts;
	}
	if (stale_mountpoint(opts.mountpoint))
		goto out_opts;

	/* build (and so validate) the machine before mounting: once, it is large at scale */
	if (build_engine(fs))
		goto out_opts;

	/* sysfs checks permissions itself; so must the kernel for non-root users */
	if (fuse_opt_add_arg(&args, "-odefault_permissions") ||
	    fuse_opt_add_arg(&args, "-ofsname=memhotplugfs") ||
	    fuse_opt_add_arg(&args, "-osubtype=memhotplugfs"))
		goto out_engine_unmounted;

	se = fuse_session_new(&args, &mhpfs_ops, sizeof(mhpfs_ops), fs);
	if (!se)
		goto out_engine_unmounted;
	if (fuse_set_signal_handlers(se) != 0)
		goto out_session;
	if (fuse_session_mount(se, opts.mountpoint) != 0)
		goto out_signals;
	mhpfs_log(LOG_INFO, "mounted at %s (%s layout); stop with: fusermount3 -u %s",
		  opts.mountpoint, fs->m.layout == MHPFS_LAYOUT_SYSFS ? "sysfs" : "memory",
		  opts.mountpoint);
	if (fuse_daemonize(opts.foreground) != 0)
		goto out_unmount;
	/* after the fork: the workload's writers are threads */
	if (mhpfs_workload_start(fs))
		goto out_engine;
	fs->se = se;
	/*
	 * inotify replays are VFS operations on our own mount: they need a free loop thread while
	 * a store may hold another one (sinks.h), so not with the single-threaded loop
	 */
	if (mhpfs_sinks_start(fs, opts.singlethread ? NULL : opts.mountpoint))
		goto out_engine;
	if (mhpfs_events_start(fs, &worker)) {
		mhpfs_log(LOG_ERR, "cannot start the event thread");
		goto out_sinks;
	}
	/*
	 * Usable from here: the kernel queues requests until the loop below reads them.  After
	 * fuse_daemonize() the pid is the daemon's, which a supervisor not using -f must learn.
	 */
	notify_r = sd_notifyf(0, "READY=1\nSTATUS=serving %s\nMAINPID=%lu", opts.mountpoint,
			      (unsigned long)getpid());
	if (notify_r < 0)
		mhpfs_log(LOG_WARNING, "sd_notify READY=1 failed: %s", strerror(-notify_r));

	if (opts.singlethread) {
		ret = fuse_session_loop(se);
	} else {
		loop = fuse_loop_cfg_create();
		if (!loop) {
			ret = 1;
		} else {
			fuse_loop_cfg_set_clone_fd(loop, opts.clone_fd);
			/* UINT_MAX is "not given"; libfuse would log it as an invalid value */
			if (opts.max_idle_threads != UINT_MAX)
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
	/*
	 * The loop returns the number of the signal that ended it (SIGTERM from systemctl stop,
	 * SIGINT, SIGHUP): that is an orderly stop, not a failure for the supervisor to restart.
	 */
	ret = ret == 0 || ret == SIGTERM || ret == SIGINT || ret == SIGHUP ? 0 : 1;
	/* unmounting follows; systemd shows "deactivating" instead of a failure meanwhile */
	(void)sd_notify(0, "STOPPING=1\nSTATUS=unmounting");

	/* no request runs any more; the sinks still know the files' poll handles */
	mhpfs_release_leftovers(fs);
	mhpfs_events_stop(fs, worker);
out_sinks:
	mhpfs_sinks_stop(fs);
	fs->se = NULL;
out_engine:
	free_engine(fs);
out_unmount:
	fuse_session_unmount(se);
out_signals:
	fuse_remove_signal_handlers(se);
out_session:
	fuse_session_destroy(se);
out_engine_unmounted:
	/* early failures reach here with the machine still built */
	if (fs->e)
		free_engine(fs);
out_opts:
	free(opts.mountpoint);
out_args:
	fuse_opt_free_args(&args);
	mhpfs_event_opts_free(&fs->evopts);
	mhpfs_seed_free(fs->m.seed);
	mhpfs_free(fs);
	return ret;
}
