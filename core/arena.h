/* SPDX-License-Identifier: MIT */
/*
 * Fixed-size objects carved out of large chunks: no allocator header per object, which is most of
 * the cost of a small object (malloc() rounds 64 bytes up to an 80-byte chunk).  Used for the
 * engine's blocks and the pool's online blocks, of which a machine may have millions.  Freed
 * objects go on a free list and are reused; chunks go back only with arena_destroy().  Not locked:
 * the owner serialises calls.  Not installed.
 */
#ifndef MEMHP_ARENA_H
#define MEMHP_ARENA_H

#include <stddef.h>

struct arena {
	size_t obj_size; /* a multiple of 8, at least a pointer */
	size_t per_chunk; /* objects per chunk */
	void *free; /* freed objects, linked through their first word */
	char *next, *end; /* the newest chunk's untouched tail */
	void *chunks; /* every chunk, linked through its first word */
};

/* arena_init() - an empty arena of objects of @size bytes; allocates nothing yet. */
void arena_init(struct arena *a, size_t size);

/* arena_alloc() - a zeroed object, or NULL when out of memory. */
void *arena_alloc(struct arena *a);

/* arena_free() - give back an object of arena_alloc(); NULL accepted. */
void arena_free(struct arena *a, void *obj);

/* arena_destroy() - free every chunk: objects still allocated are gone too. */
void arena_destroy(struct arena *a);

#endif /* MEMHP_ARENA_H */
