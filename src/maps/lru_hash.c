/* SPDX-License-Identifier: MIT */
/*
 * BPF_MAP_TYPE_LRU_HASH and BPF_MAP_TYPE_LRU_PERCPU_HASH: hash maps (the
 * table of hash.c, through htab.h) whose update, when no node is free,
 * evicts an element instead of failing with E2BIG. Nodes move between
 * lists as in the kernel's kernel/bpf/bpf_lru_list.c, so that a program
 * sequence on one CPU evicts the keys the kernel would:
 *
 *   common LRU (default): one global list set and, per CPU, a local list
 *   set; a CPU takes free nodes from the global FREE list a batch at a time
 *   (target_free) into its LOCAL_FREE list, and keeps the nodes it handed
 *   out on its LOCAL_PENDING list until the next batch moves them to the
 *   global ACTIVE (referenced) or INACTIVE list. With no free node, the
 *   tail of INACTIVE is evicted; a CPU with nothing at all steals from the
 *   local lists of the CPUs in turn.
 *
 *   BPF_F_NO_COMMON_LRU: every CPU has its own list set and its own share
 *   of the nodes (max_entries is rounded to a multiple of the CPUs, as in
 *   the kernel), and evicts only from it.
 *
 *   global / per-CPU:  ACTIVE ◄─► INACTIVE ─► FREE     local: FREE, PENDING
 *
 * Look-ups from programs set the node's reference bit; a referenced node
 * found while rotating or shrinking moves to ACTIVE instead of being
 * evicted. User-space look-ups do not set it, as in the kernel.
 *
 * Lists are circular and doubly linked by node index; list heads are extra
 * entries after the max_entries nodes. One lock guards all the lists (the
 * kernel has one per list; the order of operations, which is what a test
 * can see, is the same). Lock order: LRU lock, then a bucket lock; node
 * frees happen after the bucket lock is released, as in the kernel.
 *
 * Programs' CPU is the worker number they run on; user-space calls use the
 * CPU the calling thread runs on (as the kernel's syscalls do).
 */
#include <errno.h>
#include <sched.h>
#include <string.h>
#include <unistd.h>

#include "core/core.h"
#include "maps/htab.h"

#define LOCAL_FREE_TARGET 128U  /* batch of free nodes moved to a CPU */
#define LOCAL_NR_SCANS LOCAL_FREE_TARGET
#define PERCPU_FREE_TARGET 4U
#define PERCPU_NR_SCANS PERCPU_FREE_TARGET

enum lru_type {
	T_ACTIVE,       /* the two counted lists come first */
	T_INACTIVE,
	T_FREE,
	T_LOCAL_FREE,
	T_LOCAL_PENDING,
};

struct lru_node {
	uint32_t prev, next;
	uint32_t cpu;
	uint8_t type;
	uint8_t ref;          /* set by program look-ups without the lock */
	uint16_t pad;
};

/* A global (or, for NO_COMMON_LRU, per-CPU) list set. */
struct lru_list {
	uint32_t head[3];             /* ACTIVE, INACTIVE, FREE */
	uint32_t counts[2];           /* ACTIVE, INACTIVE */
	uint32_t next_inactive_rotation;
};

struct lru_local {
	uint32_t free_head, pending_head;
	uint32_t next_steal;
};

struct lru_htab {
	struct htab h;
	uint32_t lock;
	bool percpu_lru;
	uint32_t nr_cpus;             /* CPUs the lists are kept for */
	uint32_t nr_scans;
	uint32_t target_free;
	struct lru_node *ln;          /* nodes, then list heads */
	size_t ln_size;
	struct lru_list *lists;       /* 1, or nr_cpus with NO_COMMON_LRU */
	struct lru_local *locals;     /* nr_cpus, common LRU only */
};

#define NONE UINT32_MAX

/* ---- index lists ---- */

static void list_init(struct lru_htab *l, uint32_t head)
{
	l->ln[head].prev = l->ln[head].next = head;
}

static bool list_empty(const struct lru_htab *l, uint32_t head)
{
	return l->ln[head].next == head;
}

static void list_del(struct lru_htab *l, uint32_t i)
{
	struct lru_node *n = &l->ln[i];

	l->ln[n->prev].next = n->next;
	l->ln[n->next].prev = n->prev;
}

/* Insert i between a and b. */
static void list_insert(struct lru_htab *l, uint32_t i, uint32_t a, uint32_t b)
{
	l->ln[i].prev = a;
	l->ln[i].next = b;
	l->ln[a].next = i;
	l->ln[b].prev = i;
}

/* To the front of head's list (the kernel's list_move). */
static void list_move(struct lru_htab *l, uint32_t i, uint32_t head)
{
	list_del(l, i);
	list_insert(l, i, head, l->ln[head].next);
}

static void clear_ref(struct lru_htab *l, uint32_t i)
{
	__atomic_store_n(&l->ln[i].ref, 0, __ATOMIC_RELAXED);
}

static bool is_ref(const struct lru_htab *l, uint32_t i)
{
	return __atomic_load_n(&l->ln[i].ref, __ATOMIC_RELAXED);
}

/* ---- moves between lists (the kernel's __bpf_lru_node_move*) ---- */

static void count_dec(struct lru_list *ll, uint8_t type)
{
	if (type < 2)
		ll->counts[type]--;
}

static void count_inc(struct lru_list *ll, uint8_t type)
{
	if (type < 2)
		ll->counts[type]++;
}

/* A node of list set ll to the front of its list tgt; clears the ref bit. */
static void node_move(struct lru_htab *l, struct lru_list *ll, uint32_t i, uint8_t tgt)
{
	if (l->ln[i].type != tgt) {
		count_dec(ll, l->ln[i].type);
		count_inc(ll, tgt);
		l->ln[i].type = tgt;
	}
	clear_ref(l, i);
	if (ll->next_inactive_rotation == i)
		ll->next_inactive_rotation = l->ln[i].prev;
	list_move(l, i, ll->head[tgt]);
}

/* A node of ll to a free list (ll's FREE or a CPU's LOCAL_FREE). */
static void node_move_to_free(struct lru_htab *l, struct lru_list *ll, uint32_t i,
			      uint32_t free_head, uint8_t free_type)
{
	if (ll->next_inactive_rotation == i)
		ll->next_inactive_rotation = l->ln[i].prev;
	count_dec(ll, l->ln[i].type);
	l->ln[i].type = free_type;
	list_move(l, i, free_head);
}

/* A CPU's pending node into the global lists. */
static void node_move_in(struct lru_htab *l, struct lru_list *ll, uint32_t i, uint8_t tgt)
{
	count_inc(ll, tgt);
	l->ln[i].type = tgt;
	clear_ref(l, i);
	list_move(l, i, ll->head[tgt]);
}

/*
 * Take node i out of the hash table, if it is there (the kernel's
 * htab_lru_map_delete_node). Called with the LRU lock held.
 */
static bool del_from_htab(struct lru_htab *l, uint32_t i)
{
	struct htab *h = &l->h;
	uint32_t b = bucket_of(h, node(h, i)->hash), ref, prev = NO_NODE;
	bool found = false;

	map_spin_lock(&h->buckets[b].lock);
	for (ref = head_load(h, b); !IS_NULLS(ref); ref = node(h, REF_IDX(ref))->next) {
		if (REF_IDX(ref) == i) {
			htab_unlink_node(h, b, i, prev);
			found = true;
			break;
		}
		prev = REF_IDX(ref);
	}
	map_spin_unlock(&h->buckets[b].lock);
	return found;
}

/* ---- rotation and shrinking ---- */

/* Unreferenced ACTIVE nodes, from the tail, become INACTIVE. */
static void rotate_active(struct lru_htab *l, struct lru_list *ll)
{
	uint32_t head = ll->head[T_ACTIVE], first = l->ln[head].next, i, prev, n = 0;

	for (i = l->ln[head].prev; i != head; i = prev) {
		prev = l->ln[i].prev;
		node_move(l, ll, i, is_ref(l, i) ? T_ACTIVE : T_INACTIVE);
		if (++n == l->nr_scans || i == first)
			break;
	}
}

/* Referenced INACTIVE nodes become ACTIVE, scanning on from where the last scan stopped. */
static void rotate_inactive(struct lru_htab *l, struct lru_list *ll)
{
	uint32_t head = ll->head[T_INACTIVE], cur, last, next = head, n = 0;

	if (list_empty(l, head))
		return;
	last = l->ln[ll->next_inactive_rotation].next;
	if (last == head)
		last = l->ln[last].next;
	cur = ll->next_inactive_rotation;
	while (n < l->nr_scans) {
		if (cur == head) {
			cur = l->ln[cur].prev;
			continue;
		}
		next = l->ln[cur].prev;
		if (is_ref(l, cur))
			node_move(l, ll, cur, T_ACTIVE);
		if (cur == last)
			break;
		cur = next;
		n++;
	}
	ll->next_inactive_rotation = next;
}

static void rotate(struct lru_htab *l, struct lru_list *ll)
{
	if (ll->counts[T_INACTIVE] < ll->counts[T_ACTIVE])
		rotate_active(l, ll);
	rotate_inactive(l, ll);
}

/* Evict up to want nodes from ll's lists into a free list; how many were. */
static uint32_t shrink(struct lru_htab *l, struct lru_list *ll, uint32_t want, uint32_t free_head,
		       uint8_t free_type)
{
	uint32_t head = ll->head[T_INACTIVE], i, prev, done = 0, n = 0;

	for (i = l->ln[head].prev; i != head; i = prev) {
		prev = l->ln[i].prev;
		if (is_ref(l, i)) {
			node_move(l, ll, i, T_ACTIVE);
		} else if (del_from_htab(l, i)) {
			node_move_to_free(l, ll, i, free_head, free_type);
			if (++done == want)
				break;
		}
		if (++n == l->nr_scans)
			break;
	}
	if (done)
		return done;

	/* Nothing unreferenced: evict the oldest node regardless of its bit. */
	head = list_empty(l, head) ? ll->head[T_ACTIVE] : head;
	for (i = l->ln[head].prev; i != head; i = prev) {
		prev = l->ln[i].prev;
		if (del_from_htab(l, i)) {
			node_move_to_free(l, ll, i, free_head, free_type);
			return 1;
		}
	}
	return 0;
}

/* ---- node allocation ---- */

static uint32_t local_pop_free(struct lru_htab *l, struct lru_local *loc)
{
	uint32_t i = l->ln[loc->free_head].next;

	if (i == loc->free_head)
		return NONE;
	list_del(l, i);
	return i;
}

/* The oldest pending node of a CPU that can be evicted (unreferenced first). */
static uint32_t local_pop_pending(struct lru_htab *l, struct lru_local *loc)
{
	uint32_t head = loc->pending_head, i;

	for (int force = 0; force < 2; force++)
		for (i = l->ln[head].prev; i != head; i = l->ln[i].prev)
			if ((force || !is_ref(l, i)) && del_from_htab(l, i)) {
				list_del(l, i);
				return i;
			}
	return NONE;
}

static void local_add_pending(struct lru_htab *l, struct lru_local *loc, uint32_t cpu,
			      uint32_t i)
{
	l->ln[i].cpu = cpu;
	l->ln[i].type = T_LOCAL_PENDING;
	clear_ref(l, i);
	list_insert(l, i, loc->pending_head, l->ln[loc->pending_head].next);
}

/* A batch of free nodes to a CPU, after its pending nodes went back to the global lists. */
static void pop_free_to_local(struct lru_htab *l, struct lru_local *loc)
{
	struct lru_list *ll = &l->lists[0];
	uint32_t i, prev, next, nfree = 0;

	for (i = l->ln[loc->pending_head].prev; i != loc->pending_head; i = prev) {
		prev = l->ln[i].prev;
		node_move_in(l, ll, i, is_ref(l, i) ? T_ACTIVE : T_INACTIVE);
	}
	rotate(l, ll);
	for (i = l->ln[ll->head[T_FREE]].next; i != ll->head[T_FREE]; i = next) {
		next = l->ln[i].next;
		node_move_to_free(l, ll, i, loc->free_head, T_LOCAL_FREE);
		if (++nfree == l->target_free)
			break;
	}
	if (nfree < l->target_free)
		shrink(l, ll, l->target_free - nfree, loc->free_head, T_LOCAL_FREE);
}

static uint32_t common_pop_free(struct lru_htab *l, uint32_t cpu)
{
	struct lru_local *loc = &l->locals[cpu];
	uint32_t i, first, steal;

	i = local_pop_free(l, loc);
	if (i == NONE) {
		pop_free_to_local(l, loc);
		i = local_pop_free(l, loc);
	}
	if (i != NONE) {
		local_add_pending(l, loc, cpu, i);
		return i;
	}
	/* Nothing free anywhere global: steal from the CPUs' local lists in turn. */
	first = steal = loc->next_steal;
	do {
		struct lru_local *sl = &l->locals[steal];

		i = local_pop_free(l, sl);
		if (i == NONE)
			i = local_pop_pending(l, sl);
		steal = (steal + 1) % l->nr_cpus;
	} while (i == NONE && steal != first);
	loc->next_steal = steal;
	if (i != NONE)
		local_add_pending(l, loc, cpu, i);
	return i;
}

static uint32_t percpu_pop_free(struct lru_htab *l, uint32_t cpu)
{
	struct lru_list *ll = &l->lists[cpu];
	uint32_t i;

	rotate(l, ll);
	if (list_empty(l, ll->head[T_FREE]))
		shrink(l, ll, PERCPU_FREE_TARGET, ll->head[T_FREE], T_FREE);
	if (list_empty(l, ll->head[T_FREE]))
		return NONE;
	i = l->ln[ll->head[T_FREE]].next;
	clear_ref(l, i);
	node_move(l, ll, i, T_INACTIVE);
	return i;
}

/* A node for key (hash), evicting if needed (prealloc_lru_pop()), or NO_NODE. */
static uint32_t lru_pop(struct lru_htab *l, const void *key, uint32_t hash, uint32_t cpu)
{
	struct htab_node *n;
	uint32_t i;

	cpu %= l->nr_cpus;
	map_spin_lock(&l->lock);
	i = l->percpu_lru ? percpu_pop_free(l, cpu) : common_pop_free(l, cpu);
	map_spin_unlock(&l->lock);
	if (i == NONE)
		return NO_NODE;
	n = node(&l->h, i);
	memcpy(n->key, key, l->h.map.key_size);
	__atomic_store_n(&n->hash, hash, __ATOMIC_RELAXED);
	return i;
}

/* bpf_lru_push_free(): a node out of the table back to a free list. */
static void lru_push_free(struct htab *h, uint32_t i)
{
	struct lru_htab *l = (struct lru_htab *)h;
	struct lru_node *n = &l->ln[i];

	map_spin_lock(&l->lock);
	if (l->percpu_lru) {
		node_move(l, &l->lists[n->cpu], i, T_FREE);
	} else if (n->type == T_LOCAL_PENDING) {
		n->type = T_LOCAL_FREE;
		clear_ref(l, i);
		list_move(l, i, l->locals[n->cpu].free_head);
	} else {
		node_move(l, &l->lists[0], i, T_FREE);
	}
	map_spin_unlock(&l->lock);
}

/* ---- creation ---- */

/*
 * The CPUs to keep lists for: a per-CPU map's workers, else the machine's
 * configured CPUs (the kernel's num_possible_cpus()).
 */
static uint32_t lru_cpus(const struct map_attr *attr)
{
	long n;

	if (htab_is_percpu(attr->type))
		return attr->nr_cpus;
	n = sysconf(_SC_NPROCESSORS_CONF);
	return n > 0 ? (uint32_t)n : 1;
}

static void lru_free(struct map *m)
{
	struct lru_htab *l = (struct lru_htab *)m;

	if (l->ln)
		map_area_free(l->ln, l->ln_size);
	core_free(l->lists);
	core_free(l->locals);
	htab_free(m);
}

static struct map *lru_alloc(const struct map_attr *attr)
{
	struct map_attr a = *attr;
	uint32_t ncpu = lru_cpus(attr), nodes, heads, c, i;
	bool percpu_lru = attr->map_flags & BPFRT_F_NO_COMMON_LRU;
	struct lru_htab *l;

	if (percpu_lru) {
		/* Every CPU gets the same share, at least one node (htab_map_alloc()). */
		uint64_t up = ((uint64_t)attr->max_entries + ncpu - 1) / ncpu * ncpu;

		a.max_entries = up <= UINT32_MAX ? (uint32_t)up : attr->max_entries / ncpu * ncpu;
	}
	l = (struct lru_htab *)htab_alloc_size(&a, sizeof(*l));
	if (!l)
		return NULL;
	l->h.elem_free = lru_push_free;
	l->percpu_lru = percpu_lru;
	l->nr_cpus = ncpu;
	nodes = a.max_entries;
	heads = percpu_lru ? 3 * ncpu : 3 + 2 * ncpu;
	l->ln_size = ((size_t)nodes + heads) * sizeof(struct lru_node);
	l->ln = map_area_alloc(l->ln_size);
	l->lists = core_calloc(percpu_lru ? ncpu : 1, sizeof(*l->lists));
	l->locals = percpu_lru ? NULL : core_calloc(ncpu, sizeof(*l->locals));
	if (!l->ln || !l->lists || (!percpu_lru && !l->locals)) {
		lru_free(&l->h.map);
		errno = ENOMEM;
		return NULL;
	}
	heads = nodes;
	for (c = 0; c < (percpu_lru ? ncpu : 1); c++) {
		struct lru_list *ll = &l->lists[c];

		for (int t = 0; t < 3; t++) {
			ll->head[t] = heads++;
			list_init(l, ll->head[t]);
		}
		ll->next_inactive_rotation = ll->head[T_INACTIVE];
	}
	for (c = 0; !percpu_lru && c < ncpu; c++) {
		l->locals[c].free_head = heads++;
		l->locals[c].pending_head = heads++;
		list_init(l, l->locals[c].free_head);
		list_init(l, l->locals[c].pending_head);
		l->locals[c].next_steal = c;
	}
	/* All nodes free, in index order; per-CPU lists get consecutive shares. */
	for (i = 0; i < nodes; i++) {
		c = percpu_lru ? i / (nodes / ncpu) : 0;
		l->ln[i].type = T_FREE;
		l->ln[i].cpu = c;
		list_insert(l, i, l->ln[l->lists[c].head[T_FREE]].prev, l->lists[c].head[T_FREE]);
	}
	if (percpu_lru) {
		l->nr_scans = PERCPU_NR_SCANS;
	} else {
		/* Half a CPU's share, at most a batch (bpf_common_lru_populate()). */
		l->nr_scans = LOCAL_NR_SCANS;
		l->target_free = nodes / ncpu / 2;
		if (l->target_free < 1)
			l->target_free = 1;
		if (l->target_free > LOCAL_FREE_TARGET)
			l->target_free = LOCAL_FREE_TARGET;
	}
	return &l->h.map;
}

/* ---- element operations ---- */

static unsigned int user_cpu(void)
{
	int c = sched_getcpu();

	return c > 0 ? (unsigned int)c : 0;
}

static void set_ref(struct lru_htab *l, uint32_t i)
{
	if (!__atomic_load_n(&l->ln[i].ref, __ATOMIC_RELAXED))
		__atomic_store_n(&l->ln[i].ref, 1, __ATOMIC_RELAXED);
}

static void *lru_lookup(struct map *m, const void *key, unsigned int cpu)
{
	struct lru_htab *l = (struct lru_htab *)m;
	uint32_t idx = lookup_nulls(&l->h, htab_hash(&l->h, key), key);

	if (idx == NO_NODE)
		return NULL;
	set_ref(l, idx);
	return map_slot(m, idx, m->percpu ? map_cpu(m, cpu) : 0);
}

/*
 * htab_lru_map_update_elem(): the new element always takes a new node
 * (taken, and perhaps evicted, before the bucket lock) and goes first in its
 * bucket; an old one is then unlinked and freed. On failure the new node is
 * freed again, so even a failed update may have evicted an element.
 */
static int lru_update_cpu(struct lru_htab *l, const void *key, const void *value,
			  uint64_t flags, unsigned int cpu)
{
	struct htab *h = &l->h;
	struct map *m = &h->map;
	uint32_t hash, b, idx, old, prev;
	int err = 0;

	if (flags > BPFRT_EXIST)
		return -EINVAL;
	hash = htab_hash(h, key);
	b = bucket_of(h, hash);
	idx = lru_pop(l, key, hash, cpu);
	if (idx == NO_NODE)
		return -ENOMEM;
	memset(map_slot(m, idx, 0), 0, m->value_stride);
	map_copy_in(m, map_slot(m, idx, 0), value);

	map_spin_lock(&h->buckets[b].lock);
	old = htab_lookup_locked(h, b, hash, key, &prev);
	if (old != NO_NODE && flags == BPFRT_NOEXIST) {
		err = -EEXIST;
	} else if (old == NO_NODE && flags == BPFRT_EXIST) {
		err = -ENOENT;
	} else {
		__atomic_store_n(&node(h, idx)->next, head_load(h, b), __ATOMIC_RELAXED);
		head_store(h, b, REF(idx));
		if (old != NO_NODE) {
			set_ref(l, idx);
			htab_unlink_node(h, b, old, prev == NO_NODE ? idx : prev);
		}
	}
	map_spin_unlock(&h->buckets[b].lock);
	if (err)
		lru_push_free(h, idx);
	else if (old != NO_NODE)
		lru_push_free(h, old);
	return err;
}

/*
 * __htab_lru_percpu_map_update_elem(): a present key is updated in place
 * (and marked referenced); a node is taken first unless flags is EXIST.
 */
static int lru_percpu_update_cpu(struct lru_htab *l, const void *key, const void *value,
				 uint64_t flags, unsigned int cpu, bool all_cpus)
{
	struct htab *h = &l->h;
	struct map *m = &h->map;
	uint32_t hash, b, idx = NO_NODE, old;
	int err = 0;

	if (flags > BPFRT_EXIST)
		return -EINVAL;
	hash = htab_hash(h, key);
	b = bucket_of(h, hash);
	if (flags != BPFRT_EXIST) {
		idx = lru_pop(l, key, hash, cpu);
		if (idx == NO_NODE)
			return -ENOMEM;
	}
	cpu = map_cpu(m, cpu);

	map_spin_lock(&h->buckets[b].lock);
	old = htab_lookup_locked(h, b, hash, key, NULL);
	if (old != NO_NODE && flags == BPFRT_NOEXIST) {
		err = -EEXIST;
	} else if (old == NO_NODE && flags == BPFRT_EXIST) {
		err = -ENOENT;
	} else if (old != NO_NODE) {
		set_ref(l, old);
		if (all_cpus)
			map_pcpu_copy_in(m, old, value);
		else
			memcpy(map_slot(m, old, cpu), value, m->value_size);
	} else {
		if (all_cpus) {
			map_pcpu_copy_in(m, idx, value);
		} else {
			for (uint32_t c = 0; c < m->nr_cpus; c++)
				memset(map_slot(m, idx, c), 0, m->value_stride);
			memcpy(map_slot(m, idx, cpu), value, m->value_size);
		}
		__atomic_store_n(&node(h, idx)->next, head_load(h, b), __ATOMIC_RELAXED);
		head_store(h, b, REF(idx));
		idx = NO_NODE;
	}
	map_spin_unlock(&h->buckets[b].lock);
	if (idx != NO_NODE)
		lru_push_free(h, idx);
	return err;
}

static int lru_update(struct map *m, const void *key, const void *value, uint64_t flags,
		      unsigned int cpu)
{
	return lru_update_cpu((struct lru_htab *)m, key, value, flags, cpu);
}

static int lru_update_sys(struct map *m, const void *key, const void *value, uint64_t flags)
{
	return lru_update_cpu((struct lru_htab *)m, key, value, flags, user_cpu());
}

static int lru_percpu_update(struct map *m, const void *key, const void *value,
			     uint64_t flags, unsigned int cpu)
{
	return lru_percpu_update_cpu((struct lru_htab *)m, key, value, flags, cpu, false);
}

static int lru_percpu_update_sys(struct map *m, const void *key, const void *value,
				 uint64_t flags)
{
	return lru_percpu_update_cpu((struct lru_htab *)m, key, value, flags, user_cpu(), true);
}

const struct map_ops htab_lru_map_ops = {
	.alloc_check = htab_alloc_check,
	.alloc = lru_alloc,
	.free = lru_free,
	.lookup = lru_lookup,
	.update = lru_update,
	.delete = htab_delete,
	.lookup_sys = htab_lookup_sys,
	.update_sys = lru_update_sys,
	.lookup_and_delete = htab_lookup_and_delete,
	.get_next_key = htab_get_next_key,
	.lookup_batch = htab_lookup_batch,
	.lookup_and_delete_batch = htab_lookup_and_delete_batch,
	.update_batch = map_generic_update_batch,
	.delete_batch = map_generic_delete_batch,
	.for_each = htab_for_each,
};

const struct map_ops htab_lru_percpu_map_ops = {
	.alloc_check = htab_alloc_check,
	.alloc = lru_alloc,
	.free = lru_free,
	.lookup = lru_lookup,
	.update = lru_percpu_update,
	.delete = htab_delete,
	.lookup_sys = htab_lookup_sys,
	.update_sys = lru_percpu_update_sys,
	.lookup_and_delete = htab_lookup_and_delete,
	.get_next_key = htab_get_next_key,
	.lookup_batch = htab_lookup_batch,
	.lookup_and_delete_batch = htab_lookup_and_delete_batch,
	.update_batch = map_generic_update_batch,
	.delete_batch = map_generic_delete_batch,
	.for_each = htab_for_each,
};
