/* SPDX-License-Identifier: MIT */
/*
 * The id registry (see ids.h): per kind, an open-addressing table from id
 * to object and one from object to id, both under one read-write lock.
 * Look-ups are rare (user-space updates of prog arrays and map-in-maps,
 * checked runs that pass map pointers), so a lock is cheap enough.
 */
#include <pthread.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "core/core.h"
#include "core/ids.h"

struct ids_slot {
	uint32_t id;   /* 0: empty; UINT32_MAX: deleted */
	void *ptr;
};

struct ids_table {
	struct ids_slot *by_id;
	struct ids_slot *by_ptr;
	uint32_t cap;   /* power of 2 */
	uint32_t used;  /* live + deleted slots in each table */
	uint32_t live;
	uint32_t next;
};

#define IDS_TOMB UINT32_MAX
#define IDS_MAX  0x7fffffffU

static struct ids_table tables[IDS__COUNT];
static pthread_rwlock_t ids_lock = PTHREAD_RWLOCK_INITIALIZER;

static uint32_t hash_id(uint32_t id)
{
	return id * 2654435761U;
}

static uint32_t hash_ptr(const void *p)
{
	uint64_t v = (uint64_t)(uintptr_t)p;

	v ^= v >> 33;
	v *= 0xff51afd7ed558ccdULL;
	v ^= v >> 33;
	return (uint32_t)v;
}

/* The slot holding `id` (or the empty slot where it would go). */
static struct ids_slot *find_id(const struct ids_table *t, uint32_t id)
{
	for (uint32_t i = hash_id(id) & (t->cap - 1);; i = (i + 1) & (t->cap - 1))
		if (t->by_id[i].id == id || t->by_id[i].id == 0)
			return &t->by_id[i];
}

static struct ids_slot *find_ptr(const struct ids_table *t, const void *ptr)
{
	for (uint32_t i = hash_ptr(ptr) & (t->cap - 1);; i = (i + 1) & (t->cap - 1)) {
		struct ids_slot *s = &t->by_ptr[i];

		if (s->id == 0 || (s->id != IDS_TOMB && s->ptr == ptr))
			return s;
	}
}

static void insert(struct ids_table *t, uint32_t id, void *ptr)
{
	struct ids_slot *s;
	uint32_t i;

	for (i = hash_id(id) & (t->cap - 1); t->by_id[i].id && t->by_id[i].id != IDS_TOMB;
	     i = (i + 1) & (t->cap - 1))
		;
	t->by_id[i] = (struct ids_slot){ id, ptr };
	for (i = hash_ptr(ptr) & (t->cap - 1); t->by_ptr[i].id && t->by_ptr[i].id != IDS_TOMB;
	     i = (i + 1) & (t->cap - 1))
		;
	s = &t->by_ptr[i];
	*s = (struct ids_slot){ id, ptr };
}

/* Rebuild both tables with room for twice the live entries (no tombstones). */
static int grow(struct ids_table *t)
{
	struct ids_table n = *t;
	uint32_t cap = 16;

	while (cap < (t->live + 1) * 4)
		cap *= 2;
	n.cap = cap;
	n.by_id = core_calloc(cap, sizeof(*n.by_id));
	n.by_ptr = core_calloc(cap, sizeof(*n.by_ptr));
	if (!n.by_id || !n.by_ptr) {
		core_free(n.by_id);
		core_free(n.by_ptr);
		return -1;
	}
	for (uint32_t i = 0; i < t->cap; i++)
		if (t->by_id[i].id && t->by_id[i].id != IDS_TOMB)
			insert(&n, t->by_id[i].id, t->by_id[i].ptr);
	n.used = t->live;
	core_free(t->by_id);
	core_free(t->by_ptr);
	*t = n;
	return 0;
}

uint32_t ids_alloc(enum ids_kind kind, void *ptr)
{
	struct ids_table *t = &tables[kind];
	uint32_t id = 0;

	pthread_rwlock_wrlock(&ids_lock);
	if ((t->used + 1) * 2 > t->cap && grow(t))
		goto out;
	do {
		t->next = t->next >= IDS_MAX ? 1 : t->next + 1;
	} while (find_id(t, t->next)->id == t->next);
	id = t->next;
	insert(t, id, ptr);
	t->used++;
	t->live++;
out:
	pthread_rwlock_unlock(&ids_lock);
	return id;
}

void ids_free(enum ids_kind kind, uint32_t id)
{
	struct ids_table *t = &tables[kind];
	struct ids_slot *s;

	if (!id || id == IDS_TOMB)
		return;
	pthread_rwlock_wrlock(&ids_lock);
	if (t->cap && (s = find_id(t, id))->id == id) {
		struct ids_slot *p = find_ptr(t, s->ptr);

		if (p->id)
			p->id = IDS_TOMB;
		s->id = IDS_TOMB;
		t->live--;
		if (!t->live) {
			core_free(t->by_id);
			core_free(t->by_ptr);
			memset(t, 0, offsetof(struct ids_table, next));
		}
	}
	pthread_rwlock_unlock(&ids_lock);
}

void *ids_get(enum ids_kind kind, uint32_t id)
{
	const struct ids_table *t = &tables[kind];
	void *ptr = NULL;

	if (!id || id == IDS_TOMB)
		return NULL;
	pthread_rwlock_rdlock(&ids_lock);
	if (t->cap) {
		const struct ids_slot *s = find_id(t, id);

		if (s->id == id)
			ptr = s->ptr;
	}
	pthread_rwlock_unlock(&ids_lock);
	return ptr;
}

bool ids_has_ptr(enum ids_kind kind, const void *ptr)
{
	const struct ids_table *t = &tables[kind];
	bool has = false;

	pthread_rwlock_rdlock(&ids_lock);
	if (t->cap)
		has = find_ptr(t, ptr)->id != 0;
	pthread_rwlock_unlock(&ids_lock);
	return has;
}
