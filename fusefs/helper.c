// SPDX-License-Identifier: MIT
/*
 * fusefs/helper.c - the uevent helper thread (see helper.h).
 *
 * The program is started with posix_spawn() (a vfork-style clone: safe in a threaded process, and
 * no memory is copied), and waited for through a pidfd polled together with an eventfd that
 * mhpfs_helper_stop() signals, so neither the time limit nor a stop needs a timer thread.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "helper.h"

struct item {
	struct item *next;
	unsigned int nr;
	size_t len;
	char buf[]; /* the environment's strings */
};

struct mhpfs_helper {
	struct mhpfs_helper_config cfg;
	char *path;
	pthread_t thread;
	int stop_fd; /* eventfd, readable once stopping */
	pthread_mutex_t lock;
	pthread_cond_t cond; /* queue became non-empty, idle, or stopping */
	struct item *head; /* protected by lock */
	struct item *tail; /* protected by lock */
	size_t len; /* protected by lock */
	bool busy; /* protected by lock: a run is in progress */
	bool stopping; /* protected by lock */
	uint64_t burst; /* protected by lock: drops not reported yet */
	struct mhpfs_helper_stats st; /* protected by lock */
};

static void helper_log(struct mhpfs_helper *h, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void helper_log(struct mhpfs_helper *h, const char *fmt, ...)
{
	char line[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (h->cfg.log)
		h->cfg.log(h->cfg.log_priv, line);
	else
		fprintf(stderr, "memhotplugfs: %s\n", line);
}

static void *helper_thread(void *arg);

int mhpfs_helper_start(const struct mhpfs_helper_config *cfg, struct mhpfs_helper **ret)
{
	struct mhpfs_helper *h;
	int r;

	if (!cfg->path || cfg->path[0] != '/' || !cfg->timeout_ms || !cfg->queue_max)
		return -EINVAL;
	h = calloc(1, sizeof(*h));
	if (!h)
		return -ENOMEM;
	h->cfg = *cfg;
	h->path = strdup(cfg->path);
	h->stop_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (!h->path || h->stop_fd < 0) {
		r = h->path ? -errno : -ENOMEM;
		goto fail;
	}
	h->cfg.path = h->path;
	pthread_mutex_init(&h->lock, NULL);
	pthread_cond_init(&h->cond, NULL);
	r = -pthread_create(&h->thread, NULL, helper_thread, h);
	if (r) {
		pthread_cond_destroy(&h->cond);
		pthread_mutex_destroy(&h->lock);
		goto fail;
	}
	*ret = h;
	return 0;
fail:
	if (h->stop_fd >= 0)
		close(h->stop_fd);
	free(h->path);
	free(h);
	return r;
}

int mhpfs_helper_queue(struct mhpfs_helper *h, const struct mhpfs_uevent_env *env)
{
	struct item *it;

	if (!mhpfs_uevent_env_get(env, "SUBSYSTEM"))
		return -EINVAL;
	it = malloc(sizeof(*it) + env->len);
	if (!it)
		return -ENOMEM;
	it->next = NULL;
	it->nr = env->nr;
	it->len = env->len;
	memcpy(it->buf, env->buf, env->len);

	pthread_mutex_lock(&h->lock);
	if (h->stopping || h->len >= h->cfg.queue_max) {
		bool stopping = h->stopping;

		if (!stopping) {
			h->st.dropped++;
			h->burst++;
		}
		pthread_mutex_unlock(&h->lock);
		free(it);
		return stopping ? -ESHUTDOWN : -EAGAIN;
	}
	if (h->tail)
		h->tail->next = it;
	else
		h->head = it;
	h->tail = it;
	h->len++;
	h->st.queued++;
	pthread_cond_broadcast(&h->cond);
	pthread_mutex_unlock(&h->lock);
	return 0;
}

static int pidfd_open_(pid_t pid)
{
#ifdef SYS_pidfd_open
	return (int)syscall(SYS_pidfd_open, pid, 0);
#else
	errno = ENOSYS;
	return -1;
#endif
}

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/*
 * Wait for @pid until the time limit or a stop.  Return: 0 exited (status in @ret_status), 1 time
 * limit, 2 stop.  Without pidfd (Linux < 5.3) it polls every 10 ms.
 */
static int wait_child(struct mhpfs_helper *h, pid_t pid, int *ret_status)
{
	long long deadline = now_ms() + h->cfg.timeout_ms;
	int pfd = pidfd_open_(pid);

	for (;;) {
		struct pollfd p[2] = { { .fd = h->stop_fd, .events = POLLIN },
				       { .fd = pfd, .events = POLLIN } };
		long long left = deadline - now_ms();
		pid_t w = waitpid(pid, ret_status, WNOHANG);

		if (w == pid || (w < 0 && errno != EINTR)) {
			if (pfd >= 0)
				close(pfd);
			if (w < 0)
				*ret_status = -1;
			return 0;
		}
		if (left <= 0) {
			if (pfd >= 0)
				close(pfd);
			return 1;
		}
		if (poll(p, pfd >= 0 ? 2 : 1, pfd >= 0 ? (int)left : (left < 10 ? (int)left : 10)) >
			    0 &&
		    (p[0].revents & POLLIN)) {
			if (pfd >= 0)
				close(pfd);
			return 2;
		}
	}
}

static void kill_group(pid_t pid)
{
	int status;

	/* the helper is its own group leader: this takes its children along */
	kill(-pid, SIGKILL);
	kill(pid, SIGKILL);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
}

static void describe(const struct item *it, char *buf, size_t len)
{
	const char *seq = "?", *action = "?", *devpath = "?";
	const char *s = it->buf;

	for (unsigned int i = 0; i < it->nr; i++, s += strlen(s) + 1) {
		if (!strncmp(s, "SEQNUM=", 7))
			seq = s + 7;
		else if (!strncmp(s, "ACTION=", 7))
			action = s + 7;
		else if (!strncmp(s, "DEVPATH=", 8))
			devpath = s + 8;
	}
	snprintf(buf, len, "SEQNUM=%s %s %s", seq, action, devpath);
}

/* Run the helper for one event. Return: 0 success, 1 failure, 2 time limit, 3 stopped. */
static int run_one(struct mhpfs_helper *h, const struct item *it)
{
	char *envp[MHPFS_UEVENT_NUM_ENVP + 3], *argv[3], what[256];
	const char *subsys = "";
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t attr;
	sigset_t none, all;
	char *s = (char *)it->buf;
	unsigned int n = 0;
	int status, r;
	pid_t pid;

	for (unsigned int i = 0; i < it->nr; i++, s += strlen(s) + 1) {
		envp[n++] = s;
		if (!strncmp(s, "SUBSYSTEM=", 10))
			subsys = s + 10;
	}
	envp[n++] = (char *)"HOME=/";
	envp[n++] = (char *)MHPFS_HELPER_PATH_ENV;
	envp[n] = NULL;
	argv[0] = h->path;
	argv[1] = (char *)subsys;
	argv[2] = NULL;
	describe(it, what, sizeof(what));

	sigemptyset(&none);
	sigfillset(&all);
	posix_spawnattr_init(&attr);
	posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK |
						POSIX_SPAWN_SETSIGDEF);
	posix_spawnattr_setpgroup(&attr, 0);
	posix_spawnattr_setsigmask(&attr, &none);
	posix_spawnattr_setsigdefault(&attr, &all);
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDWR, 0);
	posix_spawn_file_actions_adddup2(&fa, 0, 1);
	posix_spawn_file_actions_adddup2(&fa, 0, 2);
	posix_spawn_file_actions_addchdir_np(&fa, "/");
	posix_spawn_file_actions_addclosefrom_np(&fa, 3);
	r = posix_spawn(&pid, h->path, &fa, &attr, argv, envp);
	posix_spawn_file_actions_destroy(&fa);
	posix_spawnattr_destroy(&attr);
	if (r) {
		helper_log(h, "uevent helper %s: cannot run it for %s: %s", h->path, what,
			   strerror(r));
		return 1;
	}

	switch (wait_child(h, pid, &status)) {
	case 1:
		kill_group(pid);
		helper_log(h, "uevent helper %s: %s: still running after %u ms, killed", h->path,
			   what, h->cfg.timeout_ms);
		return 2;
	case 2:
		kill_group(pid);
		return 3;
	}
	/* children the helper left running in the background live on, as with the kernel */
	if (status == -1) {
		helper_log(h, "uevent helper %s: %s: lost track of the process", h->path, what);
		return 1;
	}
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return 0;
	if (WIFEXITED(status))
		helper_log(h, "uevent helper %s: %s: exit status %d", h->path, what,
			   WEXITSTATUS(status));
	else
		helper_log(h, "uevent helper %s: %s: killed by signal %d", h->path, what,
			   WTERMSIG(status));
	return 1;
}

static void *helper_thread(void *arg)
{
	struct mhpfs_helper *h = arg;

	pthread_mutex_lock(&h->lock);
	for (;;) {
		struct item *it;
		uint64_t burst;
		int r;

		while (!h->head && !h->stopping)
			pthread_cond_wait(&h->cond, &h->lock);
		if (h->stopping)
			break;
		it = h->head;
		h->head = it->next;
		if (!h->head)
			h->tail = NULL;
		h->len--;
		h->busy = true;
		burst = h->burst;
		h->burst = 0;
		pthread_mutex_unlock(&h->lock);

		if (burst)
			helper_log(h,
				   "uevent helper %s: queue full, %llu events were not given to it",
				   h->path, (unsigned long long)burst);
		r = run_one(h, it);
		free(it);

		pthread_mutex_lock(&h->lock);
		h->busy = false;
		if (r != 3) {
			h->st.run++;
			if (r)
				h->st.failed++;
			if (r == 2)
				h->st.timed_out++;
		}
		pthread_cond_broadcast(&h->cond);
	}
	/* discard what is left */
	while (h->head) {
		struct item *it = h->head;

		h->head = it->next;
		free(it);
		h->st.dropped++;
	}
	h->tail = NULL;
	h->len = 0;
	pthread_cond_broadcast(&h->cond);
	pthread_mutex_unlock(&h->lock);
	return NULL;
}

int mhpfs_helper_wait_idle(struct mhpfs_helper *h, int timeout_ms)
{
	struct timespec deadline;
	int r = 0;

	clock_gettime(CLOCK_REALTIME, &deadline);
	if (timeout_ms >= 0) {
		deadline.tv_sec += timeout_ms / 1000;
		deadline.tv_nsec += (long)(timeout_ms % 1000) * 1000000L;
		if (deadline.tv_nsec >= 1000000000L) {
			deadline.tv_sec++;
			deadline.tv_nsec -= 1000000000L;
		}
	}
	pthread_mutex_lock(&h->lock);
	while ((h->head || h->busy) && !r) {
		if (timeout_ms < 0)
			pthread_cond_wait(&h->cond, &h->lock);
		else if (pthread_cond_timedwait(&h->cond, &h->lock, &deadline) == ETIMEDOUT)
			r = (h->head || h->busy) ? -ETIMEDOUT : 0;
	}
	pthread_mutex_unlock(&h->lock);
	return r;
}

void mhpfs_helper_get_stats(struct mhpfs_helper *h, struct mhpfs_helper_stats *ret)
{
	pthread_mutex_lock(&h->lock);
	*ret = h->st;
	pthread_mutex_unlock(&h->lock);
}

void mhpfs_helper_stop(struct mhpfs_helper *h)
{
	uint64_t one = 1;

	if (!h)
		return;
	pthread_mutex_lock(&h->lock);
	h->stopping = true;
	pthread_cond_broadcast(&h->cond);
	pthread_mutex_unlock(&h->lock);
	(void)!write(h->stop_fd, &one, sizeof(one));
	pthread_join(h->thread, NULL);
	close(h->stop_fd);
	pthread_cond_destroy(&h->cond);
	pthread_mutex_destroy(&h->lock);
	free(h->path);
	free(h);
}
