/* SPDX-License-Identifier: MIT */
/*
 * BPF_MAP_TYPE_PERF_EVENT_ARRAY: bpf_perf_event_output() appends samples to
 * the perf ring buffer of one slot, and a consumer (bpfrt_perf_buffer__*,
 * as libbpf's perf_buffer__*) reads them. Map semantics are the kernel's
 * kernel/bpf/arraymap.c (an fd array: key u32, value 4 bytes, creation as
 * maps/fd_array.h); the output's those of __bpf_perf_event_output() in
 * kernel/trace/bpf_trace.c; the records those of the kernel's perf ring.
 *
 * Slots and perf events. In the kernel a slot holds a perf event (a
 * PERF_COUNT_SW_BPF_OUTPUT event that user space opened and stored by fd)
 * and the consumer mmaps each event's ring. bpfrt has no perf events: the
 * consumer itself puts one ring in each of slots 0..cpu_cnt-1 when it is
 * made, and takes them out when freed. So, from user space:
 *   - update: flags other than BPF_ANY EINVAL, index >= max_entries E2BIG,
 *     else EBADF, as the kernel answers for a value that is not a perf
 *     event fd (bpfrt has nothing a value could name);
 *   - delete: index >= max_entries E2BIG, a slot without a ring ENOENT,
 *     else the slot loses its ring (the consumer keeps it; outputs to the
 *     slot then fail with ENOENT), as deleting an event in the kernel;
 *   - lookup: ENOTSUPP, as the kernel (no fd look-up for this type);
 *   - get_next_key: as arrays. No batches, no lookup_and_delete (ENOTSUPP).
 *
 * Output (map_perf_event_output): flags other than the index bits EINVAL;
 * BPF_F_CURRENT_CPU (0xffffffff) means the run's worker index; an index >=
 * max_entries E2BIG; a slot without a ring ENOENT; a record that does not
 * fit the free space ENOSPC, and the sample counts as lost. Where the
 * kernel answers EOPNOTSUPP (the slot's event belongs to another CPU),
 * bpfrt writes: its rings take any number of concurrent producers. A
 * sample whose record would exceed 65535 bytes (the u16 size of a perf
 * record header) is E2BIG.
 *
 * Records. Each ring is data_size = page_cnt pages (a power of 2), with
 * positions that only grow (data_head, data_tail) and records 8-byte
 * aligned that may wrap around the end, as perf's:
 *
 *   PERF_RECORD_SAMPLE (9):  ┌ u32 type ┬ u16 misc ┬ u16 size ┐ 8-byte header
 *                            │ u32 raw_size │ data ... zero pad │ raw_size =
 *                            └────────────────────────────────┘ round_up(n + 4, 8) - 4
 *   PERF_RECORD_LOST (2):    header │ u64 id (the slot) │ u64 lost
 *
 * The sample callback gets raw_size bytes (data and padding), as libbpf's
 * does. After a drop, the next sample that fits is preceded by one LOST
 * record with the number dropped, as perf_output_begin() does.
 *
 * Concurrency. Producers on a ring serialise on its spin lock and publish
 * data_head with a release store after copying the record; the consumer
 * reads data_head (acquire) and publishes data_tail (release) after each
 * callback. A slot holds its ring with a count of producers using it:
 * taking a ring out of a slot waits for that count to drop to 0, so a ring
 * is never freed under a producer.
 *
 * Wake-ups as ringbuf.c's: a producer writes the consumer's eventfd when
 * the ring was empty (the consumer had caught up), after a full fence
 * between publishing data_head and reading data_tail; the consumer does
 * the converse before sleeping, so no wake-up is lost.
 */
#include <errno.h>
#include <limits.h>
#include <sched.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "core/core.h"
#include "maps/fd_array.h"

/* The kernel's perf_event_header types and bpf_perf_event_output flags. */
#define PERF_RECORD_LOST   2
#define PERF_RECORD_SAMPLE 9
#define F_INDEX_MASK       0xffffffffULL
#define F_CURRENT_CPU      0xffffffffULL

#define HDR_SZ      8U
#define LOST_SZ     24U
#define RECORD_MAX  0xffffU

struct perf_ring {
	char *data;
	uint64_t mask;             /* data size - 1 */
	uint32_t slot;
	int efd;                   /* the consumer's eventfd */
	uint32_t lock;             /* producers */
	uint64_t lost;             /* dropped since the last LOST record (under lock) */
	char pad0[64];
	uint64_t head;             /* data_head */
	char pad1[64];
	uint64_t tail;             /* data_tail: the consumer's */
	char pad2[64];
};

struct perf_slot {
	struct perf_ring *ring;
	uint32_t users;            /* producers between taking and leaving ring */
};

struct perf_array {
	struct map map;
	struct perf_slot *slots;
	size_t slots_size;
	int consumer;              /* 1 while a bpfrt_perf_buffer is attached */
};

/* ---- the map ---- */

static struct map *pa_alloc(const struct map_attr *attr)
{
	/* The kernel's array holds one pointer per slot, up front. */
	uint64_t bytes = (uint64_t)attr->max_entries * sizeof(struct perf_slot);
	struct perf_array *pa;
	int err;

	err = map_check_mem((uint64_t)attr->max_entries * sizeof(void *));
	if (err || bytes > SIZE_MAX / 2) {
		errno = ENOMEM;
		return NULL;
	}
	pa = core_calloc(1, sizeof(*pa));
	if (!pa)
		return NULL;
	map_init(&pa->map, attr);
	pa->slots_size = (size_t)bytes;
	pa->slots = map_area_alloc(pa->slots_size);
	if (!pa->slots) {
		core_free(pa);
		errno = ENOMEM;
		return NULL;
	}
	return &pa->map;
}

/* The consumer holds a reference: no ring is left when the map goes. */
static void pa_free(struct map *m)
{
	struct perf_array *pa = (struct perf_array *)m;

	map_area_free(pa->slots, pa->slots_size);
	core_free(pa);
}

static uint32_t key_index(const void *key)
{
	uint32_t idx;

	memcpy(&idx, key, sizeof(idx));
	return idx;
}

/* Take the ring out of a slot, and wait until no producer uses it. */
static struct perf_ring *slot_detach(struct perf_slot *s)
{
	struct perf_ring *r = __atomic_exchange_n(&s->ring, NULL, __ATOMIC_SEQ_CST);

	while (__atomic_load_n(&s->users, __ATOMIC_SEQ_CST))
		sched_yield();
	return r;
}

static int pa_update_sys(struct map *m, const void *key, const void *value, uint64_t flags)
{
	(void)value;
	if (flags != BPFRT_ANY)
		return -EINVAL;
	if (key_index(key) >= m->max_entries)
		return -E2BIG;
	return -EBADF; /* nothing in bpfrt is a perf event fd */
}

static int pa_lookup_sys(struct map *m, const void *key, void *value, uint64_t flags)
{
	(void)m, (void)key, (void)value, (void)flags;
	return -ENOTSUPP;
}

static int pa_delete(struct map *m, const void *key)
{
	struct perf_array *pa = (struct perf_array *)m;
	uint32_t idx = key_index(key);

	if (idx >= m->max_entries)
		return -E2BIG;
	return slot_detach(&pa->slots[idx]) ? 0 : -ENOENT;
}

static void *pa_lookup(struct map *m, const void *key, unsigned int cpu)
{
	(void)m, (void)key, (void)cpu;
	return NULL;
}

const struct map_ops perf_event_array_map_ops = {
	.alloc_check = fd_array_alloc_check,
	.alloc = pa_alloc,
	.free = pa_free,
	.lookup = pa_lookup,
	.delete = pa_delete,
	.lookup_sys = pa_lookup_sys,
	.update_sys = pa_update_sys,
	.get_next_key = fd_array_get_next_key,
};

/* ---- producers ---- */

static void ring_write(struct perf_ring *r, uint64_t pos, const void *src, size_t n)
{
	size_t off = (size_t)(pos & r->mask), first = (size_t)(r->mask + 1) - off;

	if (first > n)
		first = n;
	if (src) {
		memcpy(r->data + off, src, first);
		memcpy(r->data, (const char *)src + first, n - first);
	} else {
		memset(r->data + off, 0, first);
		memset(r->data, 0, n - first);
	}
}

static void write_header(struct perf_ring *r, uint64_t pos, uint32_t type, uint16_t size)
{
	char hdr[HDR_SZ];
	uint16_t misc = 0;

	memcpy(hdr, &type, 4);
	memcpy(hdr + 4, &misc, 2);
	memcpy(hdr + 6, &size, 2);
	ring_write(r, pos, hdr, sizeof(hdr));
}

static void ring_wakeup(struct perf_ring *r)
{
	uint64_t one = 1;
	ssize_t w;

	/* EAGAIN only when the counter is saturated: a wake-up is pending anyway. */
	w = write(r->efd, &one, sizeof(one));
	(void)w;
}

/* perf_output_begin() .. perf_output_end() of one sample. 0 or -ENOSPC. */
static int ring_output(struct perf_ring *r, const void *data, uint32_t size, uint32_t rec)
{
	uint32_t raw = rec - HDR_SZ - 4;
	uint64_t start, head, tail, need;

	map_spin_lock(&r->lock);
	start = head = r->head;
	tail = __atomic_load_n(&r->tail, __ATOMIC_ACQUIRE);
	need = rec + (r->lost ? LOST_SZ : 0);
	if (need > r->mask + 1 - (head - tail)) {
		r->lost++;
		map_spin_unlock(&r->lock);
		return -ENOSPC;
	}
	if (r->lost) {
		uint64_t id = r->slot;

		write_header(r, head, PERF_RECORD_LOST, LOST_SZ);
		ring_write(r, head + HDR_SZ, &id, 8);
		ring_write(r, head + HDR_SZ + 8, &r->lost, 8);
		r->lost = 0;
		head += LOST_SZ;
	}
	write_header(r, head, PERF_RECORD_SAMPLE, (uint16_t)rec);
	ring_write(r, head + HDR_SZ, &raw, 4);
	ring_write(r, head + HDR_SZ + 4, data, size);
	ring_write(r, head + HDR_SZ + 4 + size, NULL, raw - size);
	__atomic_store_n(&r->head, head + rec, __ATOMIC_RELEASE);
	map_spin_unlock(&r->lock);

	/* Wake the consumer if it had read everything before: it may be asleep. */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	if (__atomic_load_n(&r->tail, __ATOMIC_ACQUIRE) == start)
		ring_wakeup(r);
	return 0;
}

int map_perf_event_output(struct map *m, unsigned int cpu, uint64_t flags, const void *data,
			  uint64_t size)
{
	struct perf_array *pa = (struct perf_array *)m;
	uint64_t index = flags & F_INDEX_MASK, rec;
	struct perf_slot *s;
	struct perf_ring *r;
	int err;

	if (!m || m->type != BPFRT_MAP_TYPE_PERF_EVENT_ARRAY || (flags & ~F_INDEX_MASK))
		return -EINVAL;
	if (index == F_CURRENT_CPU)
		index = cpu;
	if (index >= m->max_entries)
		return -E2BIG;
	rec = HDR_SZ + MAP_ROUND_UP(size + 4, 8);
	s = &pa->slots[index];
	__atomic_add_fetch(&s->users, 1, __ATOMIC_SEQ_CST);
	r = __atomic_load_n(&s->ring, __ATOMIC_SEQ_CST);
	if (!r)
		err = -ENOENT;
	else if (size > RECORD_MAX || rec > RECORD_MAX)
		err = -E2BIG;
	else
		err = ring_output(r, data, (uint32_t)size, (uint32_t)rec);
	__atomic_sub_fetch(&s->users, 1, __ATOMIC_RELEASE);
	return err;
}

/* ---- the consumer (public) ---- */

struct bpfrt_perf_buffer {
	struct perf_array *pa;
	bpfrt_perf_sample_fn sample_fn;
	bpfrt_perf_lost_fn lost_fn;
	void *ctx;
	int efd;
	uint32_t ring_cnt;
	struct perf_ring *rings;
	char *area;                /* every ring's data, one after another */
	size_t area_size;
	char scratch[RECORD_MAX + 1]; /* a record that wraps, made contiguous */
};

struct bpfrt_perf_buffer *bpfrt_perf_buffer__new(struct bpfrt_map *map, size_t page_cnt,
						 bpfrt_perf_sample_fn sample_fn,
						 const struct bpfrt_perf_buffer_opts *opts)
{
	struct map *m = map_of(map);
	struct perf_array *pa = (struct perf_array *)m;
	struct bpfrt_perf_buffer_opts o;
	struct bpfrt_perf_buffer *pb;
	size_t page = (size_t)sysconf(_SC_PAGESIZE), ring_size;
	uint32_t cnt;
	int expected = 0;

	memset(&o, 0, sizeof(o));
	if (!m || m->type != BPFRT_MAP_TYPE_PERF_EVENT_ARRAY || !sample_fn ||
	    !CORE_OPTS_VALID(opts) || !page_cnt || (page_cnt & (page_cnt - 1)) ||
	    page_cnt > SIZE_MAX / page / 2) {
		errno = EINVAL;
		return NULL;
	}
	if (opts)
		memcpy(&o, opts, opts->sz < sizeof(o) ? opts->sz : sizeof(o));
	cnt = o.cpu_cnt ? o.cpu_cnt : map_possible_cpus();
	if (cnt > m->max_entries) {
		if (o.cpu_cnt) {
			errno = EINVAL;
			return NULL;
		}
		cnt = m->max_entries;
	}
	ring_size = page_cnt * page;
	if (cnt > SIZE_MAX / 2 / ring_size || map_check_mem((uint64_t)cnt * ring_size)) {
		errno = ENOMEM;
		return NULL;
	}
	if (!__atomic_compare_exchange_n(&pa->consumer, &expected, 1, false, __ATOMIC_SEQ_CST,
					 __ATOMIC_SEQ_CST)) {
		errno = EBUSY;
		return NULL;
	}
	pb = core_calloc(1, sizeof(*pb));
	if (pb) {
		pb->rings = core_calloc(cnt, sizeof(*pb->rings));
		pb->area_size = cnt * ring_size;
		pb->area = pb->rings ? map_area_alloc(pb->area_size) : NULL;
		pb->efd = pb->area ? eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK) : -1;
	}
	if (!pb || pb->efd < 0) {
		if (pb) {
			map_area_free(pb->area, pb->area_size);
			core_free(pb->rings);
			core_free(pb);
		}
		__atomic_store_n(&pa->consumer, 0, __ATOMIC_SEQ_CST);
		errno = ENOMEM;
		return NULL;
	}
	pb->pa = pa;
	pb->sample_fn = sample_fn;
	pb->lost_fn = o.lost_fn;
	pb->ctx = o.ctx;
	pb->ring_cnt = cnt;
	map_get(m);
	for (uint32_t i = 0; i < cnt; i++) {
		struct perf_ring *r = &pb->rings[i];

		r->data = pb->area + (size_t)i * ring_size;
		r->mask = ring_size - 1;
		r->slot = i;
		r->efd = pb->efd;
		/* Replaces nothing: slots hold rings only while a consumer exists. */
		__atomic_store_n(&pa->slots[i].ring, r, __ATOMIC_SEQ_CST);
	}
	return pb;
}

void bpfrt_perf_buffer__free(struct bpfrt_perf_buffer *pb)
{
	if (!pb)
		return;
	for (uint32_t i = 0; i < pb->ring_cnt; i++)
		slot_detach(&pb->pa->slots[i]);
	__atomic_store_n(&pb->pa->consumer, 0, __ATOMIC_SEQ_CST);
	map_put(&pb->pa->map);
	close(pb->efd);
	map_area_free(pb->area, pb->area_size);
	core_free(pb->rings);
	core_free(pb);
}

/*
 * Hand ring r's records to the callbacks, oldest first. The number of
 * samples handled (LOST records are not samples).
 */
static int ring_process(struct bpfrt_perf_buffer *pb, struct perf_ring *r)
{
	uint64_t tail = r->tail, head = __atomic_load_n(&r->head, __ATOMIC_ACQUIRE);
	int cnt = 0;

	while (tail < head) {
		size_t off = (size_t)(tail & r->mask), ring = (size_t)r->mask + 1;
		uint32_t type, raw;
		uint16_t size;
		uint64_t lost;
		char *rec = r->data + off;

		/* Headers are 8-byte aligned and never wrap; the rest may. */
		memcpy(&type, rec, 4);
		memcpy(&size, rec + 6, 2);
		if (off + size > ring) {
			memcpy(pb->scratch, rec, ring - off);
			memcpy(pb->scratch + (ring - off), r->data, size - (ring - off));
			rec = pb->scratch;
		}
		if (type == PERF_RECORD_SAMPLE) {
			memcpy(&raw, rec + HDR_SZ, 4);
			pb->sample_fn(pb->ctx, (int)r->slot, rec + HDR_SZ + 4, raw);
			if (cnt < INT_MAX)
				cnt++;
		} else if (type == PERF_RECORD_LOST && pb->lost_fn) {
			memcpy(&lost, rec + HDR_SZ + 8, 8);
			pb->lost_fn(pb->ctx, (int)r->slot, lost);
		}
		tail += size;
		__atomic_store_n(&r->tail, tail, __ATOMIC_RELEASE);
		if (tail == head)
			head = __atomic_load_n(&r->head, __ATOMIC_ACQUIRE);
	}
	return cnt;
}

static int pb_process(struct bpfrt_perf_buffer *pb)
{
	int cnt = 0, n;

	for (uint32_t i = 0; i < pb->ring_cnt; i++) {
		n = ring_process(pb, &pb->rings[i]);
		cnt = n > INT_MAX - cnt ? INT_MAX : cnt + n;
	}
	return cnt;
}

int bpfrt_perf_buffer__consume(struct bpfrt_perf_buffer *pb)
{
	if (!pb)
		return -EINVAL;
	return pb_process(pb);
}

/* Whether some ring has records, after a full fence (see the top of the file). */
static bool pb_ready(void *ctx)
{
	struct bpfrt_perf_buffer *pb = ctx;
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	for (uint32_t i = 0; i < pb->ring_cnt; i++)
		if (__atomic_load_n(&pb->rings[i].head, __ATOMIC_ACQUIRE) !=
		    __atomic_load_n(&pb->rings[i].tail, __ATOMIC_RELAXED))
			return true;
	return false;
}

static int pb_process_cb(void *ctx)
{
	return pb_process(ctx);
}

int bpfrt_perf_buffer__poll(struct bpfrt_perf_buffer *pb, int timeout_ms)
{
	if (!pb)
		return -EINVAL;
	return map_consumer_poll(pb->efd, timeout_ms, pb_process_cb, pb_ready, pb);
}
