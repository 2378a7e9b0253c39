/* SPDX-License-Identifier: MIT */
/*
 * BPF_MAP_TYPE_LPM_TRIE, with the semantics of the kernel's
 * kernel/bpf/lpm_trie.c: keys are struct bpf_lpm_trie_key_u8,
 *
 *   | u32 prefixlen (host order) | data[key_size - 4], most significant bit first |
 *
 * look-ups find the longest stored prefix that matches the key's first
 * prefixlen bits; updates and deletes take the exact prefix (bits past it
 * are stored as given and returned by get_next_key, as in the kernel).
 * BPF_F_NO_PREALLOC is required. Errors: EINVAL for a prefixlen above
 * 8 * (key_size - 4) (look-ups: ENOENT), ENOSPC for a new prefix when
 * max_entries are stored, EEXIST / ENOENT for BPF_NOEXIST / BPF_EXIST.
 *
 * The trie is the kernel's, node for node: a binary path-compressed trie
 * where each node holds a prefix and two children selected by the bit after
 * it; "intermediate" nodes (no value) join two subtrees whose prefixes part
 * at a bit, and always have two children. Building the same trie makes
 * get_next_key's post-order (more specific prefixes first, left before
 * right) and its answer for a key that is not there the kernel's.
 *
 * Layout. Nodes live in one node arena and are named by index; node i's
 * value is slot i of the value arena (map.h). A stored prefix needs a node
 * and at most one intermediate node, so 2 * max_entries nodes suffice
 * (reserved, not committed; bounded for huge maps, beyond which an update
 * fails with ENOMEM as the kernel's allocation might). An update of a
 * stored prefix installs a new node, as the kernel does, so a program's
 * pointer to the old value keeps the old value; freed nodes are reused
 * oldest first to keep such values intact as long as possible.
 *
 * Concurrency. One lock for the whole trie, as the kernel's, taken by every
 * operation, look-ups from programs included (the kernel's look-ups use RCU
 * instead; a lock-free walk is future work).
 */
#include <errno.h>
#include <string.h>

#include "core/core.h"
#include "maps/map.h"

#define K_KMALLOC_MAX (4U << 20)        /* KMALLOC_MAX_SIZE (x86-64) */
#define K_NODE 24U                      /* sizeof(struct lpm_trie_node) */
#define LPM_KEY_HDR 4U                  /* sizeof(struct bpf_lpm_trie_key_u8) */
#define LPM_DATA_SIZE_MIN 1U
#define LPM_DATA_SIZE_MAX 256U
#define LPM_VAL_SIZE_MAX (K_KMALLOC_MAX - LPM_DATA_SIZE_MAX - K_NODE)
#define LPM_MAX_PREFIXLEN (LPM_DATA_SIZE_MAX * 8)

/* Largest reservation (node and value arenas together) a trie makes. */
#define LPM_RESERVE_MAX (1ULL << 38)

#define LPM_CREATE_FLAG_MASK (BPFRT_F_NO_PREALLOC | BPFRT_F_NUMA_NODE | BPFRT_F_RDONLY | \
			      BPFRT_F_WRONLY | BPFRT_F_RDONLY_PROG | BPFRT_F_WRONLY_PROG)

#define NIL UINT32_MAX
#define F_IM 1U                         /* intermediate node: no value */

struct lpm_node {
	uint32_t child[2];
	uint32_t prefixlen;
	uint32_t flags;
	uint32_t free_next;
	uint32_t pad;
	unsigned char data[];
};

struct lpm_trie {
	struct map map;
	char *nodes;
	size_t nodes_size;
	size_t node_size;
	uint32_t n_nodes;         /* nodes reserved */
	uint32_t data_size;
	uint32_t max_prefixlen;
	uint32_t lock;
	uint32_t root;
	uint32_t n_entries;       /* prefixes stored (intermediate nodes not counted) */
	/* Node allocation: a FIFO of freed nodes, then nodes never used. */
	uint32_t free_head;
	uint32_t free_tail;
	uint32_t fresh;
};

static inline struct lpm_node *node(const struct lpm_trie *t, uint32_t idx)
{
	return (struct lpm_node *)(t->nodes + (size_t)idx * t->node_size);
}

static uint32_t node_alloc(struct lpm_trie *t)
{
	uint32_t idx;

	if (t->free_head != NIL) {
		idx = t->free_head;
		t->free_head = node(t, idx)->free_next;
		if (t->free_head == NIL)
			t->free_tail = NIL;
	} else if (t->fresh < t->n_nodes) {
		idx = t->fresh++;
	} else {
		return NIL;
	}
	node(t, idx)->flags = 0;
	node(t, idx)->child[0] = node(t, idx)->child[1] = NIL;
	return idx;
}

static void node_free(struct lpm_trie *t, uint32_t idx)
{
	node(t, idx)->free_next = NIL;
	if (t->free_tail == NIL)
		t->free_head = idx;
	else
		node(t, t->free_tail)->free_next = idx;
	t->free_tail = idx;
}

static uint32_t key_prefixlen(const void *key)
{
	uint32_t plen;

	memcpy(&plen, key, sizeof(plen)); /* keys on a program's stack need not be aligned */
	return plen;
}

static inline const unsigned char *key_data(const void *key)
{
	return (const unsigned char *)key + LPM_KEY_HDR;
}

/* Bit `index` of data, most significant bit of data[0] first. */
static inline unsigned int extract_bit(const unsigned char *data, uint32_t index)
{
	return (data[index / 8] >> (7 - index % 8)) & 1;
}

/* The number of leading bits node and key share, at most both prefix lengths. */
static uint32_t longest_prefix_match(const struct lpm_trie *t, const struct lpm_node *n,
				     const unsigned char *kdata, uint32_t kplen)
{
	uint32_t limit = n->prefixlen < kplen ? n->prefixlen : kplen, plen = 0, i;

	for (i = 0; i < t->data_size && plen < limit; i++) {
		unsigned int diff = n->data[i] ^ kdata[i];

		if (diff) {
			plen += (uint32_t)__builtin_clz(diff) - 24;
			break;
		}
		plen += 8;
	}
	return plen < limit ? plen : limit;
}

/* ---- creation ---- */

/* trie_alloc()'s checks. */
static int trie_alloc_check(const struct map_attr *attr)
{
	uint32_t f = attr->map_flags;

	if (attr->max_entries == 0 || !(f & BPFRT_F_NO_PREALLOC) ||
	    (f & ~LPM_CREATE_FLAG_MASK) ||
	    ((f & BPFRT_F_RDONLY_PROG) && (f & BPFRT_F_WRONLY_PROG)) ||
	    attr->key_size < LPM_KEY_HDR + LPM_DATA_SIZE_MIN ||
	    attr->key_size > LPM_KEY_HDR + LPM_DATA_SIZE_MAX ||
	    attr->value_size < 1 || attr->value_size > LPM_VAL_SIZE_MAX)
		return -EINVAL;
	return 0;
}

static void trie_free(struct map *m)
{
	struct lpm_trie *t = (struct lpm_trie *)m;

	map_area_free(t->nodes, t->nodes_size);
	map_free_values(m);
	core_free(t);
}

static struct map *trie_alloc(const struct map_attr *attr)
{
	uint64_t node_size = sizeof(struct lpm_node) +
			     MAP_ROUND_UP((uint64_t)attr->key_size - LPM_KEY_HDR, 8);
	uint64_t per = node_size + MAP_ROUND_UP((uint64_t)attr->value_size, 8);
	uint64_t n = 2 * (uint64_t)attr->max_entries;
	struct lpm_trie *t;
	int err;

	if (n > LPM_RESERVE_MAX / per)
		n = LPM_RESERVE_MAX / per;
	if (n > UINT32_MAX - 1)
		n = UINT32_MAX - 1;
	if (n < 2)
		n = 2;
	t = core_calloc(1, sizeof(*t));
	if (!t)
		return NULL;
	map_init(&t->map, attr);
	t->data_size = attr->key_size - LPM_KEY_HDR;
	t->max_prefixlen = t->data_size * 8;
	t->node_size = (size_t)node_size;
	t->n_nodes = (uint32_t)n;
	t->root = NIL;
	t->free_head = t->free_tail = NIL;
	t->nodes_size = (size_t)(n * node_size);
	t->nodes = map_area_alloc(t->nodes_size);
	err = t->nodes ? map_alloc_values(&t->map, n) : -ENOMEM;
	if (err) {
		trie_free(&t->map);
		errno = -err;
		return NULL;
	}
	return &t->map;
}

/* ---- element operations (the trie locked) ---- */

/* trie_lookup_elem(): the node of the longest matching prefix, or NIL. */
static uint32_t trie_find(const struct lpm_trie *t, const void *key)
{
	uint32_t kplen = key_prefixlen(key), idx, found = NIL;
	const unsigned char *kdata = key_data(key);

	if (kplen > t->max_prefixlen)
		return NIL;
	for (idx = t->root; idx != NIL;) {
		const struct lpm_node *n = node(t, idx);
		uint32_t matchlen = longest_prefix_match(t, n, kdata, kplen);

		/* All the trie's bits match: nothing more specific exists. */
		if (matchlen == t->max_prefixlen)
			return idx;
		/* The node is more specific than what matches: its parent is the answer. */
		if (matchlen < n->prefixlen)
			break;
		if (!(n->flags & F_IM))
			found = idx;
		idx = n->child[extract_bit(kdata, n->prefixlen)];
	}
	return found;
}

/* The kernel's trie_check_add_elem(): may a new prefix be stored? */
static int check_add_elem(struct lpm_trie *t, uint64_t flags)
{
	if (flags == BPFRT_EXIST)
		return -ENOENT;
	if (t->n_entries == t->map.max_entries)
		return -ENOSPC;
	t->n_entries++;
	return 0;
}

/* trie_update_elem(), the lock held. */
static int trie_update_locked(struct lpm_trie *t, const void *key, const void *value,
			      uint64_t flags)
{
	uint32_t kplen = key_prefixlen(key), matchlen = 0, idx, new_idx, im_idx, *slot;
	const unsigned char *kdata = key_data(key);
	struct lpm_node *n = NULL, *nn, *im;
	int err;

	new_idx = node_alloc(t);
	if (new_idx == NIL)
		return -ENOMEM;
	nn = node(t, new_idx);
	nn->prefixlen = kplen;
	memcpy(nn->data, kdata, t->data_size);

	/* Walk down while the node's whole prefix matches and is shorter than the key's. */
	slot = &t->root;
	while ((idx = *slot) != NIL) {
		n = node(t, idx);
		matchlen = longest_prefix_match(t, n, kdata, kplen);
		if (n->prefixlen != matchlen || n->prefixlen == kplen)
			break;
		slot = &n->child[extract_bit(kdata, n->prefixlen)];
	}

	/* An empty slot: the new node goes there. */
	if (idx == NIL) {
		err = check_add_elem(t, flags);
		if (err)
			goto fail;
		goto install;
	}

	/* The same prefix: the new node replaces the old one, children and all. */
	if (n->prefixlen == matchlen) {
		if (!(n->flags & F_IM)) {
			if (flags == BPFRT_NOEXIST) {
				err = -EEXIST;
				goto fail;
			}
		} else {
			err = check_add_elem(t, flags);
			if (err)
				goto fail;
		}
		nn->child[0] = n->child[0];
		nn->child[1] = n->child[1];
		*slot = new_idx;
		node_free(t, idx);
		goto value;
	}

	err = check_add_elem(t, flags);
	if (err)
		goto fail;

	/* The key is a prefix of the node's: the new node becomes its parent. */
	if (matchlen == kplen) {
		nn->child[extract_bit(n->data, matchlen)] = idx;
		goto install;
	}

	/* They part at bit matchlen: join them under an intermediate node. */
	im_idx = node_alloc(t);
	if (im_idx == NIL) {
		t->n_entries--;
		err = -ENOMEM;
		goto fail;
	}
	im = node(t, im_idx);
	im->prefixlen = matchlen;
	im->flags = F_IM;
	memcpy(im->data, n->data, t->data_size);
	if (extract_bit(kdata, matchlen)) {
		im->child[0] = idx;
		im->child[1] = new_idx;
	} else {
		im->child[0] = new_idx;
		im->child[1] = idx;
	}
	*slot = im_idx;
	goto value;
install:
	*slot = new_idx;
value:
	memset(map_slot(&t->map, new_idx, 0), 0, t->map.value_stride);
	memcpy(map_slot(&t->map, new_idx, 0), value, t->map.value_size);
	return 0;
fail:
	node_free(t, new_idx);
	return err;
}

/* trie_delete_elem(), the lock held. */
static int trie_delete_locked(struct lpm_trie *t, const void *key)
{
	uint32_t kplen = key_prefixlen(key), matchlen = 0, idx, parent = NIL, *trim, *trim2;
	const unsigned char *kdata = key_data(key);
	struct lpm_node *n = NULL, *p;

	/* Find the node, the slot that points at it, its parent and the parent's slot. */
	trim = trim2 = &t->root;
	while ((idx = *trim) != NIL) {
		n = node(t, idx);
		matchlen = longest_prefix_match(t, n, kdata, kplen);
		if (n->prefixlen != matchlen || n->prefixlen == kplen)
			break;
		parent = idx;
		trim2 = trim;
		trim = &n->child[extract_bit(kdata, n->prefixlen)];
	}
	if (idx == NIL || n->prefixlen != kplen || n->prefixlen != matchlen || (n->flags & F_IM))
		return -ENOENT;
	t->n_entries--;

	/* Two children: the node stays, as an intermediate one. */
	if (n->child[0] != NIL && n->child[1] != NIL) {
		n->flags |= F_IM;
		return 0;
	}

	/*
	 * A leaf under an intermediate parent: the parent goes too, and its
	 * other child takes its place (intermediate nodes keep two children).
	 */
	p = parent != NIL ? node(t, parent) : NULL;
	if (p && (p->flags & F_IM) && n->child[0] == NIL && n->child[1] == NIL) {
		*trim2 = p->child[0] == idx ? p->child[1] : p->child[0];
		node_free(t, parent);
		node_free(t, idx);
		return 0;
	}

	/* At most one child: it takes the node's place. */
	*trim = n->child[0] != NIL ? n->child[0] : n->child[1];
	node_free(t, idx);
	return 0;
}

/* trie_get_next_key(), the lock held: the post-order successor. */
static int trie_next_locked(struct lpm_trie *t, const void *key, void *next_key)
{
	uint32_t stack[LPM_MAX_PREFIXLEN + 1];
	uint32_t search_root = t->root, next = NIL, idx, matchlen = 0, kplen;
	const unsigned char *kdata;
	struct lpm_node *n = NULL;
	int sp = -1;

	if (search_root == NIL)
		return -ENOENT;
	/* No key, or an invalid one: the first node in post-order. */
	if (!key || key_prefixlen(key) > t->max_prefixlen)
		goto leftmost;
	kplen = key_prefixlen(key);
	kdata = key_data(key);

	/* The node of exactly this prefix, and the path to it. */
	for (idx = search_root; idx != NIL;) {
		n = node(t, idx);
		stack[++sp] = idx;
		matchlen = longest_prefix_match(t, n, kdata, kplen);
		if (n->prefixlen != matchlen || n->prefixlen == kplen)
			break;
		idx = n->child[extract_bit(kdata, n->prefixlen)];
	}
	/* Not stored: start over from the first node, as the kernel does. */
	if (idx == NIL || n->prefixlen != kplen || n->prefixlen != matchlen || (n->flags & F_IM))
		goto leftmost;

	/*
	 * Up the path: after a left child comes its right sibling's subtree,
	 * after a right child (or a left one alone) the parent itself.
	 */
	idx = stack[sp];
	while (sp > 0) {
		uint32_t parent = stack[sp - 1];
		struct lpm_node *p = node(t, parent);

		if (p->child[0] == idx) {
			search_root = p->child[1];
			if (search_root != NIL)
				goto leftmost;
		}
		if (!(p->flags & F_IM)) {
			next = parent;
			goto copy;
		}
		idx = parent;
		sp--;
	}
	return -ENOENT;

leftmost:
	/* The first node in post-order below search_root that holds a value. */
	for (idx = search_root; idx != NIL;) {
		n = node(t, idx);
		if (n->flags & F_IM) {
			idx = n->child[0];
		} else {
			next = idx;
			idx = n->child[0] != NIL ? n->child[0] : n->child[1];
		}
	}
copy:
	n = node(t, next);
	memcpy(next_key, &n->prefixlen, sizeof(n->prefixlen));
	memcpy((unsigned char *)next_key + LPM_KEY_HDR, n->data, t->data_size);
	return 0;
}

/* ---- the ops ---- */

static void *trie_lookup(struct map *m, const void *key, unsigned int cpu)
{
	struct lpm_trie *t = (struct lpm_trie *)m;
	uint32_t idx;

	(void)cpu;
	map_spin_lock(&t->lock);
	idx = trie_find(t, key);
	map_spin_unlock(&t->lock);
	return idx == NIL ? NULL : map_slot(m, idx, 0);
}

static int trie_update(struct map *m, const void *key, const void *value, uint64_t flags,
		       unsigned int cpu)
{
	struct lpm_trie *t = (struct lpm_trie *)m;
	int err;

	(void)cpu;
	if (flags > BPFRT_EXIST)
		return -EINVAL;
	if (key_prefixlen(key) > t->max_prefixlen)
		return -EINVAL;
	map_spin_lock(&t->lock);
	err = trie_update_locked(t, key, value, flags);
	map_spin_unlock(&t->lock);
	return err;
}

static int trie_update_sys(struct map *m, const void *key, const void *value, uint64_t flags)
{
	return trie_update(m, key, value, flags, 0);
}

static int trie_delete(struct map *m, const void *key)
{
	struct lpm_trie *t = (struct lpm_trie *)m;
	int err;

	if (key_prefixlen(key) > t->max_prefixlen)
		return -EINVAL;
	map_spin_lock(&t->lock);
	err = trie_delete_locked(t, key);
	map_spin_unlock(&t->lock);
	return err;
}

static int trie_lookup_sys(struct map *m, const void *key, void *value, uint64_t flags)
{
	struct lpm_trie *t = (struct lpm_trie *)m;
	uint32_t idx;

	(void)flags; /* BPF_F_LOCK was refused above: no spin lock here */
	map_spin_lock(&t->lock);
	idx = trie_find(t, key);
	if (idx != NIL)
		memcpy(value, map_slot(m, idx, 0), m->value_size);
	map_spin_unlock(&t->lock);
	return idx == NIL ? -ENOENT : 0;
}

static int trie_get_next_key(struct map *m, const void *key, void *next_key)
{
	struct lpm_trie *t = (struct lpm_trie *)m;
	int err;

	map_spin_lock(&t->lock);
	err = trie_next_locked(t, key, next_key);
	map_spin_unlock(&t->lock);
	return err;
}

/* No lookup_and_delete: the syscall answers ENOTSUPP for tries. */
const struct map_ops trie_map_ops = {
	.alloc_check = trie_alloc_check,
	.alloc = trie_alloc,
	.free = trie_free,
	.lookup = trie_lookup,
	.update = trie_update,
	.delete = trie_delete,
	.lookup_sys = trie_lookup_sys,
	.update_sys = trie_update_sys,
	.get_next_key = trie_get_next_key,
	.lookup_batch = map_generic_lookup_batch,
	.update_batch = map_generic_update_batch,
	.delete_batch = map_generic_delete_batch,
};
