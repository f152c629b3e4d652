// SPDX-License-Identifier: MIT
/*
 * tests/fuse/fusetest.c - exact syscalls for the mounted tests, with errno names as output.
 *
 *   fusetest open PATH r|w|rw             "ok" or the errno name of open()
 *   fusetest write PATH DATA...            one open(O_WRONLY) and one write() per DATA, each
 *                                          printed as the count returned or the errno name;
 *                                          DATA "@N:TEXT" is TEXT padded with 'x' to N bytes,
 *                                          "%N:TEXT" the same padded with NUL bytes
 *   fusetest reread PATH OTHER VALUE       read PATH, write VALUE to OTHER (another fd), read PATH
 *                                          again from offset 0 on the same fd
 *   fusetest pread PATH OFFSET LEN         one pread() after a read from 0 on the same fd
 *   fusetest removed PATH CTL CMD          open PATH, write CMD to CTL, then read and write PATH
 *   fusetest reborn DIR FILE CTLDIR RANGE [ADD]  open DIR and DIR/FILE, write RANGE to CTLDIR's
 *                                          remove_memory and then RANGE (or ADD) to add_memory,
 *                                          open DIR/FILE anew, then read the old file and open
 *                                          FILE in the old DIR
 *   fusetest asuser UID PATH r|w           open() as another user
 *   fusetest dtypes DIR                    "NAME d|f|l|u" per entry from readdir's d_type
 *   fusetest lsgone DIR CTL VALUE          open DIR, write VALUE to CTL, list what DIR still has
 *   fusetest listsmall DIR [CTL=VALUE]...  list DIR a few entries per getdents64(), writing
 *                                          each VALUE to its CTL after the first ("--" marks it)
 *   fusetest interrupt PATH VALUE STATE    write VALUE to PATH in a child, wait until STATE reads
 *                                          "going-offline", interrupt the writer with SIGUSR1,
 *                                          print the write's result
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static const char *ename(int e)
{
	const char *n = strerrorname_np(e);

	return n ? n : "E?";
}

static int open_mode(const char *m)
{
	if (!strcmp(m, "r"))
		return O_RDONLY;
	if (!strcmp(m, "w"))
		return O_WRONLY;
	return O_RDWR;
}

static void print_rw(ssize_t n)
{
	if (n < 0)
		printf("%s\n", ename(errno));
	else
		printf("%zd\n", n);
}

static char *make_data(const char *arg, size_t *len)
{
	char *buf;

	if (arg[0] == '@' || arg[0] == '%') {
		char *colon;
		size_t n = strtoul(arg + 1, &colon, 10);
		size_t tl;

		if (*colon != ':')
			exit(2);
		tl = strlen(colon + 1);
		buf = malloc(n + 1);
		if (!buf)
			exit(2);
		memset(buf, arg[0] == '@' ? 'x' : '\0', n);
		memcpy(buf, colon + 1, tl < n ? tl : n);
		*len = n;
		return buf;
	}
	*len = strlen(arg);
	buf = strdup(arg);
	if (!buf)
		exit(2);
	return buf;
}

static int cmd_write(int argc, char **argv)
{
	int fd = open(argv[0], O_WRONLY);

	if (fd < 0) {
		printf("open %s\n", ename(errno));
		return 0;
	}
	for (int i = 1; i < argc; i++) {
		size_t len;
		char *buf = make_data(argv[i], &len);

		print_rw(write(fd, buf, len));
		free(buf);
	}
	close(fd);
	return 0;
}

/* One open(O_WRONLY), write() of @text and close(): 0, or the errno of the first that failed. */
static int put_text(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY), err = 0;

	if (fd < 0)
		return errno;
	if (write(fd, text, strlen(text)) < 0)
		err = errno;
	close(fd);
	return err;
}

static void read_print(int fd, off_t off)
{
	char buf[8192];
	ssize_t n = pread(fd, buf, sizeof(buf), off);

	if (n < 0)
		printf("read %s\n", ename(errno));
	else
		printf("%.*s", (int)n, buf);
}

static int cmd_reread(char **argv)
{
	int fd = open(argv[0], O_RDONLY), err;

	if (fd < 0) {
		printf("open %s\n", ename(errno));
		return 0;
	}
	read_print(fd, 0);
	err = put_text(argv[1], argv[2]);
	if (err)
		printf("write %s\n", ename(err));
	read_print(fd, 0);
	close(fd);
	return 0;
}

static int cmd_pread(char **argv)
{
	char buf[8192];
	int fd = open(argv[0], O_RDONLY);
	ssize_t n;

	if (fd < 0) {
		printf("open %s\n", ename(errno));
		return 0;
	}
	n = read(fd, buf, sizeof(buf));
	if (n < 0)
		printf("read %s\n", ename(errno));
	n = pread(fd, buf, strtoul(argv[2], NULL, 0), strtol(argv[1], NULL, 0));
	if (n < 0)
		printf("pread %s\n", ename(errno));
	else
		printf("[%.*s]\n", (int)n, buf);
	close(fd);
	return 0;
}

static int cmd_removed(char **argv)
{
	char buf[64];
	int fd = open(argv[0], O_RDWR), err;

	if (fd < 0) {
		printf("open %s\n", ename(errno));
		return 0;
	}
	err = put_text(argv[1], argv[2]);
	if (err) {
		printf("ctl %s\n", ename(err));
		close(fd);
		return 0;
	}
	printf("read %s\n", pread(fd, buf, sizeof(buf), 0) < 0 ? ename(errno) : "ok");
	printf("write %s\n", write(fd, "online", 6) < 0 ? ename(errno) : "ok");
	close(fd);
	return 0;
}

/* A block id that comes back is a new device: what was open on the old one stays dead. */
static int cmd_reborn(char **argv)
{
	const char *dir = argv[0], *file = argv[1], *ctldir = argv[2], *range = argv[3];
	const char *add = argv[4] ? argv[4] : range;
	char path[4096], buf[64];
	int dfd, fd, nfd;

	snprintf(path, sizeof(path), "%s/%s", dir, file);
	dfd = open(dir, O_RDONLY | O_DIRECTORY);
	fd = open(path, O_RDONLY);
	if (dfd < 0 || fd < 0) {
		printf("open %s\n", ename(errno));
		return 0;
	}
	for (int i = 0; i < 2; i++) {
		char ctl[4096];
		int err;

		snprintf(ctl, sizeof(ctl), "%s/%s", ctldir, i ? "add_memory" : "remove_memory");
		err = put_text(ctl, i ? add : range);
		if (err) {
			printf("ctl %s\n", ename(err));
			return 0;
		}
	}
	/* the kernel now knows the new incarnation */
	nfd = open(path, O_RDONLY);
	printf("new %s\n", nfd < 0 ? ename(errno) : "ok");
	if (nfd >= 0)
		close(nfd);
	printf("old read %s\n", pread(fd, buf, sizeof(buf), 0) < 0 ? ename(errno) : "ok");
	nfd = openat(dfd, file, O_RDONLY);
	printf("old dir %s\n", nfd < 0 ? ename(errno) : "ok");
	close(fd);
	close(dfd);
	return 0;
}

static int cmd_asuser(char **argv)
{
	pid_t pid = fork();
	int st;

	if (pid == 0) {
		uid_t uid = (uid_t)strtoul(argv[0], NULL, 10);

		if (setgid(uid) || setuid(uid))
			_exit(2);
		int fd = open(argv[1], open_mode(argv[2]));

		printf("%s\n", fd < 0 ? ename(errno) : "ok");
		_exit(0);
	}
	waitpid(pid, &st, 0);
	return WIFEXITED(st) ? WEXITSTATUS(st) : 1;
}

static void on_usr1(int sig)
{
	(void)sig;
}

static int read_state(const char *path, char *buf, size_t len)
{
	int fd = open(path, O_RDONLY);
	ssize_t n;

	if (fd < 0)
		return -1;
	n = read(fd, buf, len - 1);
	close(fd);
	if (n < 0)
		return -1;
	buf[n] = '\0';
	return 0;
}

static int cmd_interrupt(char **argv)
{
	struct timespec ts = { 0, 10 * 1000 * 1000 };
	char state[64] = "";
	int pfd[2], st, i;
	pid_t pid;

	if (pipe(pfd))
		return 2;
	pid = fork();
	if (pid == 0) {
		struct sigaction sa = { .sa_handler = on_usr1 };
		int fd = open(argv[0], O_WRONLY);
		ssize_t n;
		int err;

		/* no SA_RESTART: the interrupted write must come back */
		sigaction(SIGUSR1, &sa, NULL);
		n = fd < 0 ? -1 : write(fd, argv[1], strlen(argv[1]));
		err = errno;
		dprintf(pfd[1], "%s\n", n < 0 ? ename(err) : "ok");
		_exit(0);
	}
	close(pfd[1]);
	for (i = 0; i < 500; i++) {
		if (!read_state(argv[2], state, sizeof(state)) && !strcmp(state, "going-offline\n"))
			break;
		nanosleep(&ts, NULL);
	}
	printf("state %s", i < 500 ? state : "never going-offline\n");
	kill(pid, SIGUSR1);
	waitpid(pid, &st, 0);
	char res[64] = "";
	ssize_t n = read(pfd[0], res, sizeof(res) - 1);

	printf("write %s", n > 0 ? res : "?\n");
	return 0;
}

static int cmd_dtypes(const char *path)
{
	DIR *d = opendir(path);
	struct dirent *de;

	if (!d) {
		printf("opendir %s\n", ename(errno));
		return 0;
	}
	while ((de = readdir(d)))
		printf("%s %c\n", de->d_name,
		       de->d_type == DT_DIR ? 'd' :
		       de->d_type == DT_REG ? 'f' :
		       de->d_type == DT_LNK ? 'l' :
					      'u');
	closedir(d);
	return 0;
}

/*
 * List DIR with getdents64() into a buffer of a few entries, so the kernel resumes the listing at
 * an offset again and again; after the first call, write each CTL=VALUE given (a block comes or
 * goes in the middle of the listing).  Prints one name per line; after a write, "--" first.
 */
static int cmd_listsmall(int argc, char **argv)
{
	int fd = open(argv[0], O_RDONLY | O_DIRECTORY);
	/* room for about a dozen entries: a READDIR fills the kernel's page, the rest waits */
	char buf[512];
	long n;
	int i = 1;

	if (fd < 0) {
		printf("open %s\n", ename(errno));
		return 0;
	}
	while ((n = syscall(SYS_getdents64, fd, buf, sizeof(buf))) > 0) {
		for (long pos = 0; pos < n;) {
			unsigned short reclen;

			/* fields by offset: a char buffer has no struct alignment (-Wcast-align) */
			memcpy(&reclen, buf + pos + offsetof(struct dirent64, d_reclen),
			       sizeof(reclen));
			printf("%s\n", buf + pos + offsetof(struct dirent64, d_name));
			pos += reclen;
		}
		for (; i < argc; i++) {
			char *eq = strchr(argv[i], '=');
			int err;

			if (!eq)
				return 2;
			*eq = '\0';
			err = put_text(argv[i], eq + 1);
			if (err)
				printf("write %s\n", ename(err));
			else
				printf("--\n");
		}
	}
	if (n < 0)
		printf("getdents %s\n", ename(errno));
	close(fd);
	return 0;
}

/* Open DIR, write VALUE to CTL (DIR goes away), then list the descriptor: names on one line. */
static int cmd_lsgone(char **argv)
{
	int fd = open(argv[0], O_RDONLY | O_DIRECTORY), err;
	struct dirent *de;
	DIR *d;

	if (fd < 0) {
		printf("open %s\n", ename(errno));
		return 0;
	}
	err = put_text(argv[1], argv[2]);
	if (err) {
		printf("write %s\n", ename(err));
		close(fd);
		return 0;
	}
	d = fdopendir(fd);
	if (!d)
		return 1;
	errno = 0;
	while ((de = readdir(d)))
		printf("%s ", de->d_name);
	printf("%s\n", errno ? ename(errno) : "end");
	closedir(d);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc < 3) {
		fprintf(stderr, "usage: see the comment in fusetest.c\n");
		return 2;
	}
	setvbuf(stdout, NULL, _IONBF, 0);
	if (!strcmp(argv[1], "open") && argc == 4) {
		int fd = open(argv[2], open_mode(argv[3]));

		printf("%s\n", fd < 0 ? ename(errno) : "ok");
		return 0;
	}
	if (!strcmp(argv[1], "dtypes"))
		return cmd_dtypes(argv[2]);
	if (!strcmp(argv[1], "write"))
		return cmd_write(argc - 2, argv + 2);
	if (!strcmp(argv[1], "lsgone") && argc == 5)
		return cmd_lsgone(argv + 2);
	if (!strcmp(argv[1], "listsmall"))
		return cmd_listsmall(argc - 2, argv + 2);
	if (!strcmp(argv[1], "reread") && argc == 5)
		return cmd_reread(argv + 2);
	if (!strcmp(argv[1], "pread") && argc == 5)
		return cmd_pread(argv + 2);
	if (!strcmp(argv[1], "removed") && argc == 5)
		return cmd_removed(argv + 2);
	if (!strcmp(argv[1], "reborn") && (argc == 6 || argc == 7))
		return cmd_reborn(argv + 2);
	if (!strcmp(argv[1], "asuser") && argc == 5)
		return cmd_asuser(argv + 2);
	if (!strcmp(argv[1], "interrupt") && argc == 5)
		return cmd_interrupt(argv + 2);
	fprintf(stderr, "fusetest: bad command\n");
	return 2;
}
