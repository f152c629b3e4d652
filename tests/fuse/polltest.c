// SPDX-License-Identifier: MIT
/*
 * tests/fuse/polltest.c - a poll() client for the mounted tests.
 *
 *   polltest attr PATH MS     open PATH, read it once (the value is now seen), print "ready",
 *                             then poll for POLLPRI (sysfs style) up to MS milliseconds and print
 *                             the revents as "ERR PRI" (the bits set, in that order) or "timeout";
 *                             then, after a wakeup, read again from offset 0 and poll 300 ms,
 *                             printing the revents, until a poll times out (at most 4 times: a
 *                             store can change a value more than once, online -> going-offline
 *                             -> offline), and print "value TEXT": the last text read
 *   polltest stream PATH MS   open PATH, poll for POLLIN up to MS, print "IN" or "timeout", then
 *                             read once and print the first line read
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void print_revents(short r)
{
	const char *sep = "";

	if (!r) {
		printf("timeout\n");
		return;
	}
	if (r & POLLERR) {
		printf("%sERR", sep);
		sep = " ";
	}
	if (r & POLLPRI) {
		printf("%sPRI", sep);
		sep = " ";
	}
	if (r & POLLIN) {
		printf("%sIN", sep);
		sep = " ";
	}
	if (r & POLLHUP)
		printf("%sHUP", sep);
	printf("\n");
}

static int do_poll(int fd, short events, int ms)
{
	struct pollfd p = { .fd = fd, .events = events };
	int n = poll(&p, 1, ms);

	if (n < 0) {
		printf("poll: %s\n", strerror(errno));
		return -1;
	}
	print_revents(n ? p.revents : 0);
	return 0;
}

int main(int argc, char **argv)
{
	char buf[65536];
	ssize_t n;
	int fd;

	if (argc != 4) {
		fprintf(stderr, "usage: polltest attr|stream PATH MS\n");
		return 2;
	}
	setvbuf(stdout, NULL, _IONBF, 0);
	fd = open(argv[2], O_RDONLY);
	if (fd < 0) {
		printf("open: %s\n", strerror(errno));
		return 1;
	}
	if (!strcmp(argv[1], "attr")) {
		if (read(fd, buf, sizeof(buf)) < 0)
			printf("read: %s\n", strerror(errno));
		printf("ready\n");
		if (do_poll(fd, POLLPRI, atoi(argv[3])))
			return 1;
		for (int i = 0; i < 4; i++) {
			struct pollfd p = { .fd = fd, .events = POLLPRI };

			n = pread(fd, buf, sizeof(buf) - 1, 0);
			if (n < 0) {
				printf("read: %s\n", strerror(errno));
				return 1;
			}
			buf[n] = '\0';
			buf[strcspn(buf, "\n")] = '\0';
			if (poll(&p, 1, 300) < 0)
				return 1;
			print_revents(p.revents);
			if (!p.revents)
				break;
		}
		printf("value %s\n", buf);
		return 0;
	}
	if (!strcmp(argv[1], "stream")) {
		if (do_poll(fd, POLLIN, atoi(argv[3])))
			return 1;
		n = read(fd, buf, sizeof(buf) - 1);
		if (n < 0) {
			printf("read: %s\n", strerror(errno));
			return 1;
		}
		buf[n] = '\0';
		buf[strcspn(buf, "\n")] = '\0';
		printf("%s\n", buf);
		return 0;
	}
	return 2;
}
