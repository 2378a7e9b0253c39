/* SPDX-License-Identifier: MIT */
/*
 * BPF_MAP_TYPE_RINGBUF, with the semantics of the kernel's
 * kernel/bpf/ringbuf.c (record layout and positions: maps/ringbuf.h), and
 * its consumer, with the semantics of libbpf's ring_buffer__poll/consume.
 *
 * Creation: key_size and value_size 0, max_entries a power of 2 and a
 * multiple of the page size, map_flags at most BPF_F_NUMA_NODE (EINVAL).
 * User space has no element operations: lookup, update, delete and
 * get_next_key answer ENOTSUPP, as the kernel's.
 *
 * Concurrency. Producers (any number of threads) take a spin lock to move
 * producer_pos, as the kernel's; they fill and commit their records without
 * it. The one consumer takes no lock: it reads producer_pos (acquire), each
 * header (acquire), and publishes consumer_pos (release) once it is done with
 * a record, so producers never overwrite what it still reads.
 *
 * Wake-ups. The kernel wakes its poll waiters from irq_work; here a commit
 * writes to an eventfd the consumer waits on in bpfrt_ringbuf__poll().
 */
#include <errno.h>
#include <limits.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <unistd.h>

#include "core/core.h"
#include "maps/map.h"
#include "maps/ringbuf.h"

/* The kernel's RINGBUF_MAX_RECORD_SZ. */
#define MAX_RECORD_SZ (UINT32_MAX / 4)
/* pg_off unit: fixed, so that a sample finds its ring without a global. */
#define PG_UNIT 4096U

#define RB_CREATE_FLAG_MASK BPFRT_F_NUMA_NODE

struct ringbuf {
	struct map map;
	char *area;                /* meta page + data twice (maps/ringbuf.h) */
	size_t area_size;
	size_t meta_size;
	char *data;
	uint64_t mask;             /* data size - 1 */
	int efd;                   /* eventfd: signalled on wake-ups */
	uint32_t lock;             /* producers */
	/* Positions on cache lines of their own: producers and consumer both spin. */
	char pad0[64];
	uint64_t consumer_pos;
	char pad1[64];
	uint64_t producer_pos;
	uint64_t pending_pos;      /* oldest record maybe still busy (producers only) */
	char pad2[64];
};

static uint32_t round8(uint64_t x)
{
	return (uint32_t)((x + 7) & ~7ULL);
}

/* ---- creation ---- */

static int rb_alloc_check(const struct map_attr *attr)
{
	uint64_t page = (uint64_t)sysconf(_SC_PAGESIZE);
	uint32_t me = attr->max_entries;

	if (attr->map_flags & ~RB_CREATE_FLAG_MASK)
		return -EINVAL;
	if (attr->key_size || attr->value_size || me == 0 || (me & (me - 1)) || me % page)
		return -EINVAL;
	/* RINGBUF_MAX_DATA_SZ ((2^24 - 3) pages) is above any u32 max_entries. */
	return 0;
}

/* Map the data area twice after one private meta page. 0 or -ENOMEM. */
static int rb_map_area(struct ringbuf *rb, size_t data_sz)
{
	size_t page = (size_t)sysconf(_SC_PAGESIZE);
	char *a;
	int fd;

	rb->meta_size = page;
	rb->area_size = page + 2 * data_sz;
	fd = memfd_create("bpfrt-ringbuf", MFD_CLOEXEC);
	if (fd < 0)
		return -ENOMEM;
	if (ftruncate(fd, (off_t)data_sz) < 0) {
		close(fd);
		return -ENOMEM;
	}
	a = mmap(NULL, rb->area_size, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE,
		 -1, 0);
	if (a == MAP_FAILED) {
		close(fd);
		return -ENOMEM;
	}
	if (mmap(a, page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1,
		 0) == MAP_FAILED ||
	    mmap(a + page, data_sz, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_FIXED, fd, 0) ==
		    MAP_FAILED ||
	    mmap(a + page + data_sz, data_sz, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_FIXED, fd,
		 0) == MAP_FAILED) {
		munmap(a, rb->area_size);
		close(fd);
		return -ENOMEM;
	}
	close(fd); /* the mappings keep the memory */
	rb->area = a;
	rb->data = a + page;
	*(struct ringbuf **)a = rb;
	return 0;
}

static struct map *rb_alloc(const struct map_attr *attr)
{
	struct ringbuf *rb;
	int err;

	/* The kernel allocates every page up front. */
	err = map_check_mem(attr->max_entries);
	if (err) {
		errno = -err;
		return NULL;
	}
	rb = core_calloc(1, sizeof(*rb));
	if (!rb)
		return NULL;
	map_init(&rb->map, attr);
	rb->mask = (uint64_t)attr->max_entries - 1;
	err = rb_map_area(rb, attr->max_entries);
	if (err) {
		core_free(rb);
		errno = -err;
		return NULL;
	}
	rb->efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (rb->efd < 0) {
		munmap(rb->area, rb->area_size);
		core_free(rb);
		errno = ENOMEM;
		return NULL;
	}
	/* Programs may access samples, which may run into the second copy. */
	rb->map.values = rb->data;
	rb->map.values_size = 2 * (size_t)attr->max_entries;
	return &rb->map;
}

static void rb_free(struct map *m)
{
	struct ringbuf *rb = (struct ringbuf *)m;

	close(rb->efd);
	munmap(rb->area, rb->area_size);
	core_free(rb);
}

/* ---- no element operations (the kernel's ringbuf_map_*_elem) ---- */

static void *rb_lookup(struct map *m, const void *key, unsigned int cpu)
{
	(void)m, (void)key, (void)cpu;
	return NULL;
}

static int rb_update(struct map *m, const void *key, const void *value, uint64_t flags,
		     unsigned int cpu)
{
	(void)m, (void)key, (void)value, (void)flags, (void)cpu;
	return -ENOTSUPP;
}

static int rb_delete(struct map *m, const void *key)
{
	(void)m, (void)key;
	return -ENOTSUPP;
}

static int rb_lookup_sys(struct map *m, const void *key, void *value, uint64_t flags)
{
	(void)m, (void)key, (void)value, (void)flags;
	return -ENOTSUPP;
}

static int rb_update_sys(struct map *m, const void *key, const void *value, uint64_t flags)
{
	(void)m, (void)key, (void)value, (void)flags;
	return -ENOTSUPP;
}

static int rb_get_next_key(struct map *m, const void *key, void *next_key)
{
	(void)m, (void)key, (void)next_key;
	return -ENOTSUPP;
}

const struct map_ops ringbuf_map_ops = {
	.alloc_check = rb_alloc_check,
	.alloc = rb_alloc,
	.free = rb_free,
	.lookup = rb_lookup,
	.update = rb_update,
	.delete = rb_delete,
	.lookup_sys = rb_lookup_sys,
	.update_sys = rb_update_sys,
	.get_next_key = rb_get_next_key,
};

/* ---- producers ---- */

static struct ringbuf *rb_of(struct map *m)
{
	return m && m->type == BPFRT_MAP_TYPE_RINGBUF ? (struct ringbuf *)m : NULL;
}

static void rb_wakeup(struct ringbuf *rb)
{
	uint64_t one = 1;
	ssize_t r;

	/* EAGAIN only when the counter is saturated: a wake-up is pending anyway. */
	r = write(rb->efd, &one, sizeof(one));
	(void)r;
}

/* The kernel's __bpf_ringbuf_reserve(). */
static void *rb_reserve(struct ringbuf *rb, uint64_t size)
{
	uint64_t cons_pos, prod_pos, new_prod_pos, pend_pos;
	uint32_t *hdr, len, hdr_len;

	if (size > MAX_RECORD_SZ)
		return NULL;
	len = round8(size + RINGBUF_HDR_SZ);
	if (len > rb->mask + 1)
		return NULL;

	cons_pos = __atomic_load_n(&rb->consumer_pos, __ATOMIC_ACQUIRE);
	map_spin_lock(&rb->lock);
	pend_pos = rb->pending_pos;
	prod_pos = rb->producer_pos;
	new_prod_pos = prod_pos + len;

	/* Move past the records committed since, to the oldest still busy. */
	while (pend_pos < prod_pos) {
		hdr = (uint32_t *)(rb->data + (pend_pos & rb->mask));
		hdr_len = __atomic_load_n(hdr, __ATOMIC_ACQUIRE);
		if (hdr_len & RINGBUF_BUSY_BIT)
			break;
		pend_pos += round8((uint64_t)(hdr_len & ~RINGBUF_DISCARD_BIT) + RINGBUF_HDR_SZ);
	}
	rb->pending_pos = pend_pos;

	/*
	 * Out of space when the producer would get more than size - 1 bytes
	 * ahead of the consumer, or of the oldest record not yet committed
	 * (whose header the new record must not overwrite).
	 */
	if (new_prod_pos - cons_pos > rb->mask || new_prod_pos - pend_pos > rb->mask) {
		map_spin_unlock(&rb->lock);
		return NULL;
	}

	hdr = (uint32_t *)(rb->data + (prod_pos & rb->mask));
	__atomic_store_n(&hdr[0], (uint32_t)size | RINGBUF_BUSY_BIT, __ATOMIC_RELAXED);
	hdr[1] = (uint32_t)(((uintptr_t)hdr & ~(uintptr_t)(PG_UNIT - 1)) - (uintptr_t)rb->area) /
		 PG_UNIT;
	/* Pairs with the consumer's acquire: it sees the busy header first. */
	__atomic_store_n(&rb->producer_pos, new_prod_pos, __ATOMIC_RELEASE);
	map_spin_unlock(&rb->lock);
	return (char *)hdr + RINGBUF_HDR_SZ;
}

void *ringbuf_reserve(struct map *m, uint64_t size, uint64_t flags)
{
	struct ringbuf *rb = rb_of(m);

	if (!rb || flags)
		return NULL;
	return rb_reserve(rb, size);
}

/* The kernel's bpf_ringbuf_restore_from_rec(). */
static struct ringbuf *rb_from_hdr(uint32_t *hdr)
{
	uintptr_t area = ((uintptr_t)hdr & ~(uintptr_t)(PG_UNIT - 1)) - (uintptr_t)hdr[1] * PG_UNIT;

	return *(struct ringbuf **)area;
}

/* The kernel's bpf_ringbuf_commit(). */
static void rb_commit(void *sample, uint64_t flags, bool discard)
{
	uint32_t *hdr = (uint32_t *)((char *)sample - RINGBUF_HDR_SZ);
	struct ringbuf *rb = rb_from_hdr(hdr);
	uint32_t new_len = hdr[0] ^ RINGBUF_BUSY_BIT;
	uint64_t rec_pos, cons_pos;

	if (discard)
		new_len |= RINGBUF_DISCARD_BIT;
	/* A full barrier: the sample's bytes are visible before the header says so. */
	__atomic_exchange_n(&hdr[0], new_len, __ATOMIC_SEQ_CST);

	/* Wake the consumer if it has caught up and waits for this record. */
	rec_pos = (uint64_t)((char *)hdr - rb->data);
	cons_pos = __atomic_load_n(&rb->consumer_pos, __ATOMIC_ACQUIRE) & rb->mask;
	if (flags & RINGBUF_FORCE_WAKEUP)
		rb_wakeup(rb);
	else if (cons_pos == rec_pos && !(flags & RINGBUF_NO_WAKEUP))
		rb_wakeup(rb);
}

void ringbuf_submit(void *sample, uint64_t flags)
{
	rb_commit(sample, flags, false);
}

void ringbuf_discard(void *sample, uint64_t flags)
{
	rb_commit(sample, flags, true);
}

int ringbuf_output(struct map *m, const void *data, uint64_t size, uint64_t flags)
{
	struct ringbuf *rb = rb_of(m);
	void *rec;

	if (!rb || (flags & ~(uint64_t)(RINGBUF_NO_WAKEUP | RINGBUF_FORCE_WAKEUP)))
		return -EINVAL;
	rec = rb_reserve(rb, size);
	if (!rec)
		return -EAGAIN;
	memcpy(rec, data, size);
	rb_commit(rec, flags, false);
	return 0;
}

uint64_t ringbuf_query(struct map *m, uint64_t flags)
{
	struct ringbuf *rb = rb_of(m);

	if (!rb)
		return 0;
	switch (flags) {
	case RINGBUF_AVAIL_DATA:
		return __atomic_load_n(&rb->producer_pos, __ATOMIC_ACQUIRE) -
		       __atomic_load_n(&rb->consumer_pos, __ATOMIC_ACQUIRE);
	case RINGBUF_RING_SIZE:
		return rb->mask + 1;
	case RINGBUF_CONS_POS:
		return __atomic_load_n(&rb->consumer_pos, __ATOMIC_ACQUIRE);
	case RINGBUF_PROD_POS:
		return __atomic_load_n(&rb->producer_pos, __ATOMIC_ACQUIRE);
	default:
		return 0;
	}
}

/* ---- the consumer (public) ---- */

struct bpfrt_ringbuf {
	struct ringbuf *rb;
	bpfrt_ringbuf_sample_fn fn;
	void *ctx;
};

struct bpfrt_ringbuf *bpfrt_ringbuf__new(struct bpfrt_map *map, bpfrt_ringbuf_sample_fn fn,
					 void *ctx, const struct bpfrt_ringbuf_opts *opts)
{
	struct ringbuf *rb = rb_of(map_of(map));
	struct bpfrt_ringbuf *r;

	if (!rb || !fn || !CORE_OPTS_VALID(opts)) {
		errno = EINVAL;
		return NULL;
	}
	r = core_calloc(1, sizeof(*r));
	if (!r) {
		errno = ENOMEM;
		return NULL;
	}
	r->rb = rb;
	r->fn = fn;
	r->ctx = ctx;
	return r;
}

void bpfrt_ringbuf__free(struct bpfrt_ringbuf *r)
{
	core_free(r);
}

/*
 * libbpf's ringbuf_process_ring(): hand each committed record to the
 * callback, skip discarded ones, stop at a busy one. The number of samples
 * handed over, or the callback's negative return (the record that returned
 * it counts as consumed).
 */
static int rb_process(struct bpfrt_ringbuf *r)
{
	struct ringbuf *rb = r->rb;
	uint64_t cons_pos, prod_pos;
	bool got_new_data;
	uint32_t *hdr, len;
	int cnt = 0, err;

	cons_pos = __atomic_load_n(&rb->consumer_pos, __ATOMIC_ACQUIRE);
	do {
		got_new_data = false;
		prod_pos = __atomic_load_n(&rb->producer_pos, __ATOMIC_ACQUIRE);
		while (cons_pos < prod_pos) {
			hdr = (uint32_t *)(rb->data + (cons_pos & rb->mask));
			len = __atomic_load_n(hdr, __ATOMIC_ACQUIRE);
			if (len & RINGBUF_BUSY_BIT)
				return cnt;
			got_new_data = true;
			cons_pos += round8((uint64_t)(len & ~RINGBUF_DISCARD_BIT) + RINGBUF_HDR_SZ);
			if (!(len & RINGBUF_DISCARD_BIT)) {
				err = r->fn(r->ctx, hdr + 2, len);
				if (err < 0) {
					__atomic_store_n(&rb->consumer_pos, cons_pos, __ATOMIC_RELEASE);
					return err;
				}
				cnt++;
			}
			__atomic_store_n(&rb->consumer_pos, cons_pos, __ATOMIC_RELEASE);
			if (cnt == INT_MAX)
				return cnt;
		}
	} while (got_new_data);
	return cnt;
}

int bpfrt_ringbuf__consume(struct bpfrt_ringbuf *r)
{
	if (!r)
		return -EINVAL;
	return rb_process(r);
}

/*
 * Whether the record at consumer_pos is committed, after a full fence. A
 * producer's commit is an exchange (a full barrier too) followed by a load of
 * consumer_pos; with both fences, either the producer sees our consumer_pos
 * (and signals) or we see its commit here: no wake-up is lost. (The kernel
 * gets the same from its poll, which re-checks for data after queueing the
 * waiter.)
 */
static bool rb_ready(void *ctx)
{
	struct ringbuf *rb = ((struct bpfrt_ringbuf *)ctx)->rb;
	uint64_t cons_pos, prod_pos;
	uint32_t len;

	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	cons_pos = __atomic_load_n(&rb->consumer_pos, __ATOMIC_ACQUIRE);
	prod_pos = __atomic_load_n(&rb->producer_pos, __ATOMIC_ACQUIRE);
	if (cons_pos >= prod_pos)
		return false;
	len = __atomic_load_n((uint32_t *)(rb->data + (cons_pos & rb->mask)), __ATOMIC_ACQUIRE);
	return !(len & RINGBUF_BUSY_BIT);
}

static int rb_process_cb(void *ctx)
{
	return rb_process(ctx);
}

int bpfrt_ringbuf__poll(struct bpfrt_ringbuf *r, int timeout_ms)
{
	if (!r)
		return -EINVAL;
	return map_consumer_poll(r->rb->efd, timeout_ms, rb_process_cb, rb_ready, r);
}
