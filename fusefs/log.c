// SPDX-License-Identifier: MIT
/*
 * fusefs/log.c - level-tagged lines on stderr (see log.h).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fuse_log.h>

#include "log.h"

/* written once by mhpfs_log_init() before any other thread exists */
static bool to_journal;

/*
 * libfuse may build one line from several calls; only the first piece of a line gets the level
 * prefix.  Per thread, since threads log independently.
 */
static __thread bool mid_line;

static bool stderr_is_journal(void)
{
	const char *e = getenv("JOURNAL_STREAM");
	unsigned long long dev, ino;
	struct stat st;
	int n = 0;

	if (!e || sscanf(e, "%llu:%llu%n", &dev, &ino, &n) != 2 || e[n])
		return false;
	if (fstat(STDERR_FILENO, &st))
		return false;
	return (unsigned long long)st.st_dev == dev && (unsigned long long)st.st_ino == ino;
}

/*
 * One write() per line: stdio's stderr is unbuffered and would split a line into pieces that
 * other threads' lines could land between.
 */
static void __attribute__((format(printf, 4, 0)))
emit(int prio, bool prefix, bool add_newline, const char *fmt, va_list ap)
{
	char line[1024];
	bool truncated;
	size_t n = 0;
	int r;

	if (prefix) {
		if (to_journal)
			r = snprintf(line, sizeof(line), "<%d>", prio & 7);
		else
			r = snprintf(line, sizeof(line), "memhotplugfs: ");
		n = r > 0 ? (size_t)r : 0;
	}
	/* keep one byte for the newline */
	r = vsnprintf(line + n, sizeof(line) - n - 1, fmt, ap);
	if (r < 0)
		return;
	truncated = (size_t)r >= sizeof(line) - n - 1;
	n = truncated ? sizeof(line) - 2 : n + (size_t)r;
	/* a truncated line still ends the line */
	if (add_newline || truncated)
		line[n++] = '\n';
	for (size_t done = 0; done < n;) {
		ssize_t w = write(STDERR_FILENO, line + done, n - done);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return;
		done += (size_t)w;
	}
}

void mhpfs_log(int prio, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	emit(prio, true, true, fmt, ap);
	va_end(ap);
	mid_line = false;
}

/* libfuse's messages start with "fuse: " and end with their own newline */
static void fuse_log_to_stderr(enum fuse_log_level level, const char *fmt, va_list ap)
{
	size_t len = strlen(fmt);

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
	if (to_journal) {
		emit((int)level, !mid_line, false, fmt, ap);
	} else {
		char line[1024];

		if (vsnprintf(line, sizeof(line), fmt, ap) >= 0)
			fputs(line, stderr);
	}
#pragma GCC diagnostic pop
	mid_line = !len || fmt[len - 1] != '\n';
}

void mhpfs_log_init(void)
{
	to_journal = stderr_is_journal();
	fuse_set_log_func(fuse_log_to_stderr);
}

bool mhpfs_log_to_journal(void)
{
	return to_journal;
}
