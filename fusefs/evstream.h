/* SPDX-License-Identifier: MIT */
/*
 * fusefs/evstream.h - the event stream file as a data structure: a ring of formatted event
 * records (uevent.h's text form) and readers, each with its own cursor.
 *
 * Semantics, as a reader of the event stream file sees them:
 * - A reader is a byte stream made of whole records: a read returns as many bytes as fit, and a
 *   record cut by the end of the buffer continues at the next read.  A record a reader has begun
 *   is copied to it, so it always comes out whole, even if the ring drops it meanwhile.
 * - A reader that keeps up (never more than the ring's capacity behind) gets every record pushed
 *   after its start exactly once, in push order.
 * - A reader that falls behind by more than the capacity loses the oldest records.  At the point
 *   of the loss it reads one marker record, "OVERRUN=<number of records lost>\n\n", and then
 *   continues with the oldest record still kept.  Event records start with "ACTION@DEVPATH", so
 *   the marker cannot be mistaken for an event.
 * - A reader at the end has nothing to read: mhpfs_evstream_read() gives -EAGAIN (the
 *   daemon parks the request), mhpfs_evstream_read_wait() blocks.  After
 *   mhpfs_evstream_shutdown() a reader at the end reads 0 (end of file).
 *
 * Locking: one mutex per stream covers the ring and every reader of it; all functions may be
 * called from any thread.  Only mhpfs_evstream_read_wait() blocks.  A reader may be used by
 * several threads at once (two read() calls on one open file): each record still goes to exactly
 * one of them.
 */
#ifndef MHPFS_EVSTREAM_H
#define MHPFS_EVSTREAM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct mhpfs_evstream;
struct mhpfs_evstream_reader;

/* Where a new reader starts. */
enum mhpfs_evstream_start {
	MHPFS_EVSTREAM_OLDEST = 0, /* at the oldest record kept (like /dev/kmsg) */
	MHPFS_EVSTREAM_NEW, /* only records pushed from now on */
};

/**
 * mhpfs_evstream_new() - an empty stream
 * @capacity: records kept for slow readers (at least 1)
 * @ret: the stream, written on success
 *
 * Return: 0, -EINVAL (capacity 0), -ENOMEM.
 */
int mhpfs_evstream_new(size_t capacity, struct mhpfs_evstream **ret);

/**
 * mhpfs_evstream_free() - destroy the stream; its readers must have been freed. NULL accepted.
 */
void mhpfs_evstream_free(struct mhpfs_evstream *s);

/**
 * mhpfs_evstream_push() - append a copy of one record; never blocks on readers
 * @s: the stream
 * @rec: the record bytes
 * @len: their number (at least 1)
 *
 * When the ring is full the oldest record is dropped (readers still on it will see an overrun).
 *
 * Return: 0, -EINVAL (empty record), -ENOMEM (the record is not added).
 */
int mhpfs_evstream_push(struct mhpfs_evstream *s, const char *rec, size_t len);

/**
 * mhpfs_evstream_shutdown() - no more records will come: blocked readers wake, and readers at the
 * end read 0 from now on
 */
void mhpfs_evstream_shutdown(struct mhpfs_evstream *s);

/** mhpfs_evstream_pushed() - records pushed since creation (the next record's number). */
uint64_t mhpfs_evstream_pushed(struct mhpfs_evstream *s);

/** mhpfs_evstream_evicted() - records dropped from the ring because it was full. */
uint64_t mhpfs_evstream_evicted(struct mhpfs_evstream *s);

/**
 * mhpfs_evstream_reader_new() - a reader (one per open file)
 * @s: the stream
 * @start: enum mhpfs_evstream_start
 * @ret: the reader, written on success
 *
 * Return: 0, -EINVAL, -ENOMEM.
 */
int mhpfs_evstream_reader_new(struct mhpfs_evstream *s, int start,
			      struct mhpfs_evstream_reader **ret);

/** mhpfs_evstream_reader_free() - forget a reader; no thread may be blocked in it. NULL accepted. */
void mhpfs_evstream_reader_free(struct mhpfs_evstream_reader *r);

/**
 * mhpfs_evstream_read() - read without blocking
 * @r: the reader
 * @buf: output
 * @len: its size
 *
 * Return: bytes read (> 0); 0 at the end after mhpfs_evstream_shutdown() or when @len is 0;
 * -EAGAIN when the reader is at the end.
 */
ssize_t mhpfs_evstream_read(struct mhpfs_evstream_reader *r, char *buf, size_t len);

/**
 * mhpfs_evstream_read_wait() - read, waiting for a record if the reader is at the end
 * @r: the reader
 * @buf: output
 * @len: its size
 * @timeout_ms: how long to wait; -1 forever
 *
 * Return: as mhpfs_evstream_read(), or -ETIMEDOUT, or -EINTR after
 * mhpfs_evstream_reader_interrupt().
 */
ssize_t mhpfs_evstream_read_wait(struct mhpfs_evstream_reader *r, char *buf, size_t len,
				 int timeout_ms);

/**
 * mhpfs_evstream_reader_interrupt() - make one blocked (or the next) mhpfs_evstream_read_wait()
 * of @r return -EINTR (a FUSE INTERRUPT of the reader's request)
 */
void mhpfs_evstream_reader_interrupt(struct mhpfs_evstream_reader *r);

/**
 * mhpfs_evstream_readable() - whether a read would return data (or end of file) now: poll()'s
 * POLLIN
 */
bool mhpfs_evstream_readable(struct mhpfs_evstream_reader *r);

#endif /* MHPFS_EVSTREAM_H */
