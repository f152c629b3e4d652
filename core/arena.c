// SPDX-License-Identifier: MIT
/*
 * The object arena (arena.h).  Under AddressSanitizer every object is its own malloc() instead,
 * so that a use after free or a leak of one object is still reported.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"

#if defined(__SANITIZE_ADDRESS__)
#define ARENA_MALLOC 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define ARENA_MALLOC 1
#endif
#endif

/* 64 KiB chunks: below malloc's mmap threshold, and few enough for a million objects. */
#define CHUNK_BYTES (64UL * 1024)
#define CHUNK_HEADER 16UL /* the chunk list link, padded to malloc()'s alignment */

void arena_init(struct arena *a, size_t size)
{
	memset(a, 0, sizeof(*a));
	if (size < sizeof(void *))
		size = sizeof(void *);
	a->obj_size = (size + 7) & ~(size_t)7;
	a->per_chunk = (CHUNK_BYTES - CHUNK_HEADER) / a->obj_size;
	if (!a->per_chunk)
		a->per_chunk = 1;
}

#ifdef ARENA_MALLOC
void *arena_alloc(struct arena *a)
{
	return calloc(1, a->obj_size);
}

void arena_free(struct arena *a, void *obj)
{
	free(obj);
}
#else
void *arena_alloc(struct arena *a)
{
	void *obj;

	if (a->free) {
		obj = a->free;
		memcpy(&a->free, obj, sizeof(void *));
	} else {
		if (a->next == a->end) {
			char *c = malloc(CHUNK_HEADER + a->per_chunk * a->obj_size);

			if (!c)
				return NULL;
			memcpy(c, &a->chunks, sizeof(void *));
			a->chunks = c;
			a->next = c + CHUNK_HEADER;
			a->end = a->next + a->per_chunk * a->obj_size;
		}
		obj = a->next;
		a->next += a->obj_size;
	}
	return memset(obj, 0, a->obj_size);
}

void arena_free(struct arena *a, void *obj)
{
	if (!obj)
		return;
	memcpy(obj, &a->free, sizeof(void *));
	a->free = obj;
}
#endif

void arena_destroy(struct arena *a)
{
	while (a->chunks) {
		void *c = a->chunks;

		memcpy(&a->chunks, c, sizeof(void *));
		free(c);
	}
	a->free = NULL;
	a->next = a->end = NULL;
}
