/* SPDX-License-Identifier: MIT */
/*
 * fusefs/log.h - the daemon's log: one line per message on stderr, with a syslog level.
 *
 * On a terminal a line reads "memhotplugfs: TEXT".  When stderr is connected to the journal
 * (systemd sets $JOURNAL_STREAM to the "device:inode" of that stream), each line starts with
 * the sd-daemon level prefix "<N>" instead, so journalctl -p filters by level.  Lines written
 * to stderr without this module carry no prefix and get the level the unit's SyslogLevel= sets.
 */
#ifndef MHPFS_LOG_H
#define MHPFS_LOG_H

#include <stdbool.h>
#include <syslog.h>

/**
 * mhpfs_log_init() - decide how lines are written and route libfuse's messages here
 *
 * Compares $JOURNAL_STREAM with stderr (fstat device and inode): only an exact match means the
 * journal, so a terminal or a file that merely inherited the variable gets plain lines.
 * Call once, early, before other threads log.
 */
void mhpfs_log_init(void);

/**
 * mhpfs_log_to_journal() - whether mhpfs_log_init() found stderr to be the journal
 */
bool mhpfs_log_to_journal(void);

/**
 * mhpfs_log() - write one line at level @prio (LOG_ERR .. LOG_DEBUG)
 * @prio: a syslog level from <syslog.h>
 * @fmt: printf format of the text, without a trailing newline
 *
 * The whole line goes out in one write(), so lines of concurrent threads never interleave.
 */
void mhpfs_log(int prio, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif /* MHPFS_LOG_H */
