/* SPDX-License-Identifier: MIT */
/*
 * Live maps: creation and the checks common to every type, the public API of
 * include/bpfrt/map.h, value copies, the value arena, the generic batches.
 *
 * The public functions check what the kernel's syscall layer checks
 * (kernel/bpf/syscall.c: map_create, map_lookup_elem, ...), in its order, so
 * that the same bad call fails with the same errno; what depends on the type
 * is left to its ops. The access flags BPFRT_F_RDONLY/WRONLY and freezing
 * play the part of the kernel's fd permissions (map_get_sys_perms()).
 */
#include <errno.h>
#include <time.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "core/core.h"
#include "core/ids.h"
#include "loader/object_int.h"
#include "maps/map.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

#define F_ACCESS_MASK (BPFRT_F_RDONLY | BPFRT_F_WRONLY | BPFRT_F_RDONLY_PROG | \
		       BPFRT_F_WRONLY_PROG)

static const struct map_ops *const map_types[] = {
#define X(type, ops) [type] = &ops,
	MAP_TYPES(X)
#undef X
};

/* ---- system facts ---- */

/*
 * Parse a sysfs list such as "0-3,8,10-11": the number of members, and
 * whether `want` is one. -1 if the file cannot be read.
 */
static int sysfs_list(const char *path, uint32_t want, uint32_t *count, bool *has)
{
	char buf[1024], *p, *end;
	FILE *f = fopen(path, "re");
	size_t n;

	if (!f)
		return -1;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = 0;
	*count = 0;
	*has = false;
	for (p = buf; *p && *p != '\n';) {
		unsigned long lo = strtoul(p, &end, 10), hi = lo;

		if (end == p)
			return -1;
		p = end;
		if (*p == '-') {
			hi = strtoul(p + 1, &end, 10);
			if (end == p + 1 || hi < lo)
				return -1;
			p = end;
		}
		*count += (uint32_t)(hi - lo + 1);
		if (want >= lo && want <= hi)
			*has = true;
		if (*p == ',')
			p++;
	}
	return 0;
}

/* The kernel's num_possible_cpus(): per-CPU user buffers hold that many values. */
uint32_t map_possible_cpus(void)
{
	uint32_t n;
	bool has;
	long conf;

	if (sysfs_list("/sys/devices/system/cpu/possible", 0, &n, &has) == 0 && n > 0)
		return n;
	conf = sysconf(_SC_NPROCESSORS_CONF);
	return conf > 0 ? (uint32_t)conf : 1;
}

static bool numa_node_online(uint32_t node)
{
	uint32_t n;
	bool has;

	if (sysfs_list("/sys/devices/system/node/online", node, &n, &has) == 0)
		return has;
	return node == 0;
}

/* The kernel's bpf_obj_name_cpy(): [A-Za-z0-9_.], NUL within 16 bytes. */
static bool name_ok(const char *name)
{
	size_t i;

	for (i = 0; name[i]; i++) {
		char c = name[i];

		if (i == 15)
			return false;
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '_' || c == '.'))
			return false;
	}
	return true;
}

/* ---- memory ---- */

void *map_area_alloc(size_t size)
{
	void *p;

	if (size == 0)
		size = 1;
	p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE,
		 -1, 0);
	if (p == MAP_FAILED) {
		errno = ENOMEM;
		return NULL;
	}
	return p;
}

void map_area_free(void *p, size_t size)
{
	if (p)
		munmap(p, size ? size : 1);
}

int map_check_mem(uint64_t bytes)
{
	long pages = sysconf(_SC_PHYS_PAGES), page = sysconf(_SC_PAGESIZE);

	if (pages <= 0 || page <= 0)
		return 0;
	return bytes > (uint64_t)pages * (uint64_t)page ? -ENOMEM : 0;
}

int map_alloc_values(struct map *m, uint64_t slots)
{
	uint64_t page = (uint64_t)sysconf(_SC_PAGESIZE);
	uint64_t one = slots * m->value_stride; /* both < 2^32: no overflow */
	uint64_t total;

	if (m->percpu) {
		one = MAP_ROUND_UP(one, page);
		if (one > UINT64_MAX / m->nr_cpus)
			return -ENOMEM;
		total = one * m->nr_cpus;
	} else {
		total = one;
	}
	if (total > SIZE_MAX - page)
		return -ENOMEM;
	total = MAP_ROUND_UP(total, page);
	m->values = map_area_alloc(total);
	if (!m->values)
		return -ENOMEM;
	m->values_size = total;
	m->pcpu_stride = m->percpu ? one : 0;
	return 0;
}

void map_free_values(struct map *m)
{
	map_area_free(m->values, m->values_size);
	m->values = NULL;
}

void map_init(struct map *m, const struct map_attr *attr)
{
	m->type = attr->type;
	m->key_size = attr->key_size;
	m->value_size = attr->value_size;
	m->max_entries = attr->max_entries;
	m->map_flags = attr->map_flags;
	m->value_stride = MAP_ROUND_UP(attr->value_size, 8U);
	m->nr_cpus = attr->nr_cpus;
	m->percpu = attr->type == BPFRT_MAP_TYPE_PERCPU_ARRAY ||
		    attr->type == BPFRT_MAP_TYPE_PERCPU_HASH ||
		    attr->type == BPFRT_MAP_TYPE_LRU_PERCPU_HASH;
	m->spin_lock_off = attr->spin_lock_off;
}

/* ---- value copies ---- */

void map_copy_in(const struct map *m, void *dst, const void *src)
{
	size_t off = (size_t)m->spin_lock_off;

	if (m->spin_lock_off < 0) {
		memcpy(dst, src, m->value_size);
		return;
	}
	memcpy(dst, src, off);
	memcpy((char *)dst + off + 4, (const char *)src + off + 4, m->value_size - off - 4);
}

void map_copy_out(const struct map *m, void *dst, const void *src)
{
	size_t off = (size_t)m->spin_lock_off;

	if (m->spin_lock_off < 0) {
		memcpy(dst, src, m->value_size);
		return;
	}
	/* Around the lock word, which others may be taking right now. */
	memcpy(dst, src, off);
	memset((char *)dst + off, 0, 4);
	memcpy((char *)dst + off + 4, (const char *)src + off + 4, m->value_size - off - 4);
}

void map_copy_in_locked(const struct map *m, void *dst, const void *src)
{
	uint32_t *lock = (uint32_t *)((char *)dst + m->spin_lock_off);

	map_spin_lock(lock);
	map_copy_in(m, dst, src);
	map_spin_unlock(lock);
}

void map_copy_out_locked(const struct map *m, void *dst, const void *src)
{
	uint32_t *lock = (uint32_t *)((char *)src + m->spin_lock_off);

	map_spin_lock(lock);
	map_copy_out(m, dst, src);
	map_spin_unlock(lock);
}

void map_pcpu_copy_out(const struct map *m, uint32_t idx, void *dst)
{
	for (uint32_t cpu = 0; cpu < m->nr_cpus; cpu++)
		memcpy((char *)dst + (size_t)cpu * m->value_stride, map_slot(m, idx, cpu),
		       m->value_stride);
}

void map_pcpu_copy_in(const struct map *m, uint32_t idx, const void *src)
{
	for (uint32_t cpu = 0; cpu < m->nr_cpus; cpu++)
		memcpy(map_slot(m, idx, cpu), (const char *)src + (size_t)cpu * m->value_stride,
		       m->value_stride);
}

/* ---- lifetime: ids, references, the memory programs may touch ---- */

/*
 * Live maps are known three ways: by id (core/ids.h), by pointer (the same
 * registry, for map_is_live) and by the memory they hand to programs: a
 * sorted array of non-overlapping ranges [start, end), one per map with a
 * value arena (ring buffers: their data area, both mappings), for
 * map_mem_find. live_lock guards the ranges and orders the last map_put()
 * after any map_get_by_id() that found the map.
 */
struct mem_range {
	uint64_t start, end;
	const struct map *map;
};

static pthread_rwlock_t live_lock = PTHREAD_RWLOCK_INITIALIZER;
static struct mem_range *ranges;
static size_t range_cnt, range_cap;

/* The index of the first range with start > addr. */
static size_t range_upper(uint64_t addr)
{
	size_t lo = 0, hi = range_cnt;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (ranges[mid].start <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* With live_lock held for writing. */
static int range_add(const struct map *m)
{
	uint64_t start = (uint64_t)(uintptr_t)m->values;
	size_t i;

	if (range_cnt == range_cap) {
		size_t cap = range_cap ? 2 * range_cap : 16;
		struct mem_range *n = core_realloc(ranges, cap * sizeof(*n));

		if (!n)
			return -ENOMEM;
		ranges = n;
		range_cap = cap;
	}
	i = range_upper(start);
	memmove(&ranges[i + 1], &ranges[i], (range_cnt - i) * sizeof(*ranges));
	ranges[i] = (struct mem_range){ start, start + m->values_size, m };
	range_cnt++;
	return 0;
}

static void range_del(const struct map *m)
{
	size_t i = range_upper((uint64_t)(uintptr_t)m->values);

	if (i && ranges[i - 1].map == m) {
		memmove(&ranges[i - 1], &ranges[i], (range_cnt - i) * sizeof(*ranges));
		if (!--range_cnt) {
			core_free(ranges);
			ranges = NULL;
			range_cap = 0;
		}
	}
}

static bool map_has_range(const struct map *m)
{
	return m->values && m->values_size && !m->values_private;
}

/* A new map becomes live: one reference (the caller's), an id, its memory known. */
static int live_add(struct map *m)
{
	int err = 0;

	m->refcnt = 1;
	pthread_rwlock_wrlock(&live_lock);
	m->id = ids_alloc(IDS_MAP, m);
	if (!m->id)
		err = -ENOMEM;
	else if (map_has_range(m) && range_add(m))
		err = -ENOMEM;
	if (err) {
		ids_free(IDS_MAP, m->id);
		m->id = 0;
	}
	pthread_rwlock_unlock(&live_lock);
	return err;
}

void map_get(struct map *m)
{
	__atomic_add_fetch(&m->refcnt, 1, __ATOMIC_RELAXED);
}

void map_put(struct map *m)
{
	if (!m || __atomic_sub_fetch(&m->refcnt, 1, __ATOMIC_ACQ_REL))
		return;
	pthread_rwlock_wrlock(&live_lock);
	ids_free(IDS_MAP, m->id);
	if (map_has_range(m))
		range_del(m);
	pthread_rwlock_unlock(&live_lock);
	core_free((char *)m->name);
	m->ops->free(m);
}

struct map *map_get_by_id(uint32_t id)
{
	struct map *m;
	int ref;

	pthread_rwlock_rdlock(&live_lock);
	m = ids_get(IDS_MAP, id);
	/* A map whose last reference is gone is on its way out: not found. */
	if (m) {
		ref = __atomic_load_n(&m->refcnt, __ATOMIC_RELAXED);
		do {
			if (!ref) {
				m = NULL;
				break;
			}
		} while (!__atomic_compare_exchange_n(&m->refcnt, &ref, ref + 1, true,
						      __ATOMIC_ACQUIRE, __ATOMIC_RELAXED));
	}
	pthread_rwlock_unlock(&live_lock);
	return m;
}

bool map_is_live(const void *ptr)
{
	return ptr && ids_has_ptr(IDS_MAP, ptr);
}

bool map_mem_find(uint64_t addr, uint64_t n, const char **name, bool *writable)
{
	bool found = false;
	size_t i;

	pthread_rwlock_rdlock(&live_lock);
	i = range_upper(addr);
	if (i) {
		const struct mem_range *r = &ranges[i - 1];

		if (addr < r->end && n <= r->end - addr) {
			found = true;
			if (name)
				*name = r->map->name;
			if (writable)
				*writable = !(r->map->map_flags & BPFRT_F_RDONLY_PROG);
		}
	}
	pthread_rwlock_unlock(&live_lock);
	return found;
}

/* ---- creation ---- */

static void *create_fail(int err, const char *name, enum bpfrt_map_type type,
				     const char *why)
{
	const char *tname = bpfrt_map_type_name(type);
	bool unsupported = (size_t)type >= ARRAY_SIZE(map_types) || !map_types[type];

	/* A type bpfrt lacks is worth a warning; the kernel's verdicts are not. */
	core_print(err == ENOTSUPP && unsupported ? BPFRT_WARN : BPFRT_DEBUG, "map '%s' (%s): %s\n", name,
		   tname ? tname : "unknown type", why);
	errno = err;
	return NULL;
}

/* The bpf_spin_lock rules of the kernel's map_check_btf(). 0 or -errno. */
static int check_spin_lock(const struct map_attr *attr, const char **why)
{
	uint64_t off = (uint64_t)attr->spin_lock_off;

	if (attr->spin_lock_off < 0)
		return 0;
	if (off % 4 || off + 4 > attr->value_size) {
		*why = "bpf_spin_lock outside the value or misaligned";
		return -EINVAL;
	}
	if (attr->map_flags & (BPFRT_F_RDONLY_PROG | BPFRT_F_WRONLY_PROG)) {
		*why = "bpf_spin_lock in a map read-only or write-only for programs";
		return -EACCES;
	}
	if (attr->type != BPFRT_MAP_TYPE_HASH && attr->type != BPFRT_MAP_TYPE_ARRAY) {
		*why = "bpf_spin_lock not allowed in this map type";
		return -EOPNOTSUPP;
	}
	return 0;
}

struct map *map_create(enum bpfrt_map_type type, uint32_t key_size, uint32_t value_size,
			uint32_t max_entries, const struct bpfrt_map_create_opts *opts)
{
	struct bpfrt_map_create_opts o;
	const struct map_ops *ops;
	struct map_attr attr;
	const char *name, *why = NULL;
	struct map *m;
	int err;

	memset(&o, 0, sizeof(o));
	if (!CORE_OPTS_VALID(opts))
		return create_fail(EINVAL, "", type, "bad options size or non-zero unknown fields");
	if (opts)
		memcpy(&o, opts, opts->sz < sizeof(o) ? opts->sz : sizeof(o));
	name = o.name ? o.name : "";

	memset(&attr, 0, sizeof(attr));
	attr.type = type;
	attr.key_size = key_size;
	attr.value_size = value_size;
	attr.max_entries = max_entries;
	attr.map_flags = o.map_flags;
	attr.numa_node = o.numa_node;
	attr.map_extra = o.map_extra;
	attr.inner_map = o.inner_map;
	attr.spin_lock_off = -1;
	if (o.value_has_spin_lock)
		attr.spin_lock_off = o.btf_value_spin_lock_off > INT32_MAX ?
				     INT32_MAX : (int32_t)o.btf_value_spin_lock_off;
	attr.nr_cpus = 1;

	/* The checks of the kernel's map_create(), before the type's. */
	if (type != BPFRT_MAP_TYPE_BLOOM_FILTER && type != BPFRT_MAP_TYPE_ARENA && o.map_extra)
		return create_fail(EINVAL, name, type, "map_extra is only for bloom filters and arenas");
	if ((o.map_flags & BPFRT_F_RDONLY) && (o.map_flags & BPFRT_F_WRONLY))
		return create_fail(EINVAL, name, type, "both BPF_F_RDONLY and BPF_F_WRONLY");
	if ((o.map_flags & BPFRT_F_NUMA_NODE) && !numa_node_online(o.numa_node))
		return create_fail(EINVAL, name, type, "NUMA node not online");
	if (type == BPFRT_MAP_TYPE_UNSPEC || !bpfrt_map_type_name(type))
		return create_fail(EINVAL, name, type, "unknown map type");
	ops = (size_t)type < ARRAY_SIZE(map_types) ? map_types[type] : NULL;
	if (!ops)
		return create_fail(ENOTSUPP, name, type, "map type not supported by bpfrt yet");
	if (type == BPFRT_MAP_TYPE_PERCPU_ARRAY || type == BPFRT_MAP_TYPE_PERCPU_HASH ||
	    type == BPFRT_MAP_TYPE_LRU_PERCPU_HASH) {
		if (o.nr_cpus > BPFRT_MAP_MAX_CPUS)
			return create_fail(EINVAL, name, type, "nr_cpus above BPFRT_MAP_MAX_CPUS");
		attr.nr_cpus = o.nr_cpus ? o.nr_cpus : map_possible_cpus();
	}

	err = ops->alloc_check ? ops->alloc_check(&attr) : 0;
	if (err)
		return create_fail(-err, name, type, "bad attributes (sizes, max_entries or flags)");
	m = ops->alloc(&attr);
	if (!m)
		return create_fail(errno, name, type, errno == ENOMEM ? "out of memory" : "too large");
	m->ops = ops;

	/* The kernel checks the name and the BTF-described value after allocating. */
	err = name_ok(name) ? 0 : -EINVAL;
	if (err)
		why = "map names have at most 15 characters from [A-Za-z0-9_.]";
	else
		err = check_spin_lock(&attr, &why);
	if (!err) {
		m->name = core_strdup(name);
		if (m->name && !live_add(m))
			return m;
	}
	core_free((char *)m->name);
	ops->free(m);
	if (!err)
		return create_fail(ENOMEM, name, type, "out of memory");
	return create_fail(-err, name, type, why);
}

struct bpfrt_map *bpfrt_map__create(enum bpfrt_map_type type, uint32_t key_size,
				    uint32_t value_size, uint32_t max_entries,
				    const struct bpfrt_map_create_opts *opts)
{
	struct map *m = map_create(type, key_size, value_size, max_entries, opts);
	struct bpfrt_map_create_opts o;
	struct bpfrt_map *pub;

	if (!m)
		return NULL;
	memset(&o, 0, sizeof(o));
	if (opts) /* valid: map_create() checked it */
		memcpy(&o, opts, opts->sz < sizeof(o) ? opts->sz : sizeof(o));
	pub = core_calloc(1, sizeof(*pub));
	if (pub)
		pub->name = core_strdup(m->name);
	if (!pub || !pub->name) {
		core_free(pub);
		create_fail(ENOMEM, m->name, type, "out of memory");
		map_put(m);
		errno = ENOMEM;
		return NULL;
	}
	pub->idx = -1;
	pub->sec_idx = -1;
	pub->btf_var_idx = -1;
	pub->type = type;
	pub->key_size = key_size;
	pub->value_size = value_size;
	pub->max_entries = max_entries;
	pub->map_flags = o.map_flags;
	pub->numa_node = o.numa_node;
	pub->map_extra = o.map_extra;
	pub->live = m;
	return pub;
}

void bpfrt_map__destroy(struct bpfrt_map *map)
{
	if (!map || map->obj || !map->live)
		return;
	map_put(map->live);
	core_free(map->name);
	core_free(map);
}

uint32_t bpfrt_map__id(const struct bpfrt_map *map)
{
	return map && map->live ? map->live->id : 0;
}

uint32_t bpfrt_map__nr_cpus(const struct bpfrt_map *map)
{
	return map && map->live ? map->live->nr_cpus : 0;
}

struct map *map_of(const struct bpfrt_map *pub)
{
	return pub ? pub->live : NULL;
}

/* ---- permissions (the kernel's fd modes) ---- */

static bool can_read(const struct map *m)
{
	return !(m->map_flags & BPFRT_F_WRONLY);
}

/*
 * Announce a user-space write, as bpf_map_write_active_inc() does, and check
 * that writes are allowed. false: -EPERM, nothing to undo.
 */
static bool write_begin(struct map *m)
{
	__atomic_add_fetch(&m->write_active, 1, __ATOMIC_SEQ_CST);
	if ((m->map_flags & BPFRT_F_RDONLY) || __atomic_load_n(&m->frozen, __ATOMIC_SEQ_CST)) {
		__atomic_sub_fetch(&m->write_active, 1, __ATOMIC_SEQ_CST);
		return false;
	}
	return true;
}

static void write_end(struct map *m)
{
	__atomic_sub_fetch(&m->write_active, 1, __ATOMIC_SEQ_CST);
}

int bpfrt_map__freeze(const struct bpfrt_map *map)
{
	struct map *m = map_of(map);
	int expected = 0;

	if (!m)
		return -EINVAL;
	if (m->spin_lock_off >= 0)
		return -ENOTSUPP;
	if (m->map_flags & BPFRT_F_RDONLY)
		return -EPERM;
	/*
	 * Frozen first, then look for writers: a writer increments first, then
	 * looks at frozen, so one of the two always sees the other.
	 */
	if (!__atomic_compare_exchange_n(&m->frozen, &expected, 1, false, __ATOMIC_SEQ_CST,
					 __ATOMIC_SEQ_CST))
		return -EPERM;
	if (__atomic_load_n(&m->write_active, __ATOMIC_SEQ_CST)) {
		__atomic_store_n(&m->frozen, 0, __ATOMIC_SEQ_CST);
		return -EBUSY;
	}
	return 0;
}

/* ---- element operations ---- */

static size_t sys_value_size(const struct map *m)
{
	return m->percpu ? (size_t)m->value_stride * m->nr_cpus : m->value_size;
}

static bool key_ok(const struct map *m, const void *key, size_t key_sz)
{
	return key_sz == m->key_size && (key || !m->key_size);
}

static bool value_ok(const struct map *m, const void *value, size_t value_sz)
{
	return value_sz == sys_value_size(m) && (value || !value_sz);
}

int bpfrt_map__lookup_elem(const struct bpfrt_map *map, const void *key, size_t key_sz,
			   void *value, size_t value_sz, uint64_t flags)
{
	struct map *m = map_of(map);

	if (!m || !key_ok(m, key, key_sz) || !value_ok(m, value, value_sz))
		return -EINVAL;
	if (flags & ~(uint64_t)BPFRT_F_LOCK)
		return -EINVAL;
	if (!can_read(m))
		return -EPERM;
	if ((flags & BPFRT_F_LOCK) && m->spin_lock_off < 0)
		return -EINVAL;
	return m->ops->lookup_sys(m, key, value, flags);
}

int bpfrt_map__update_elem(const struct bpfrt_map *map, const void *key, size_t key_sz,
			   const void *value, size_t value_sz, uint64_t flags)
{
	struct map *m = map_of(map);
	int err;

	if (!m || !key_ok(m, key, key_sz) || !value_ok(m, value, value_sz))
		return -EINVAL;
	if (!write_begin(m))
		return -EPERM;
	if ((flags & BPFRT_F_LOCK) && m->spin_lock_off < 0)
		err = -EINVAL;
	else
		err = m->ops->update_sys(m, key, value, flags);
	write_end(m);
	return err;
}

int bpfrt_map__delete_elem(const struct bpfrt_map *map, const void *key, size_t key_sz,
			   uint64_t flags)
{
	struct map *m = map_of(map);
	int err;

	if (!m || !key_ok(m, key, key_sz))
		return -EINVAL;
	/* BPF_MAP_DELETE_ELEM has no flags: the kernel's CHECK_ATTR refuses them. */
	if (flags)
		return -EINVAL;
	if (!write_begin(m))
		return -EPERM;
	err = m->ops->delete ? m->ops->delete(m, key) : -ENOTSUPP;
	write_end(m);
	return err;
}

int bpfrt_map__lookup_and_delete_elem(const struct bpfrt_map *map, const void *key,
				      size_t key_sz, void *value, size_t value_sz,
				      uint64_t flags)
{
	struct map *m = map_of(map);
	int err;

	if (!m || !key_ok(m, key, key_sz) || !value_ok(m, value, value_sz))
		return -EINVAL;
	if (flags & ~(uint64_t)BPFRT_F_LOCK)
		return -EINVAL;
	if (!can_read(m) || !write_begin(m))
		return -EPERM;
	if ((flags & BPFRT_F_LOCK) && m->spin_lock_off < 0)
		err = -EINVAL;
	else if (!m->ops->lookup_and_delete)
		err = -ENOTSUPP;
	else
		err = m->ops->lookup_and_delete(m, key, value, flags);
	write_end(m);
	return err;
}

int bpfrt_map__get_next_key(const struct bpfrt_map *map, const void *cur_key, void *next_key,
			    size_t key_sz)
{
	struct map *m = map_of(map);

	if (!m || key_sz != m->key_size || (!next_key && key_sz))
		return -EINVAL;
	if (!can_read(m))
		return -EPERM;
	if (!m->ops->get_next_key)
		return -ENOTSUPP;
	return m->ops->get_next_key(m, cur_key, next_key);
}

/* ---- batches ---- */

enum batch_cmd { BATCH_LOOKUP, BATCH_LOOKUP_AND_DELETE, BATCH_UPDATE, BATCH_DELETE };

/*
 * Permission and support checks of the kernel's bpf_map_do_batch(), then
 * the type's function. Buffers are checked only when there is work.
 */
static int do_batch(const struct bpfrt_map *map, const struct map_batch *b, enum batch_cmd cmd)
{
	bool read = cmd == BATCH_LOOKUP || cmd == BATCH_LOOKUP_AND_DELETE;
	bool write = cmd != BATCH_LOOKUP;
	int (*op)(struct map *, const struct map_batch *) = NULL;
	struct map *m = map_of(map);
	int err;

	if (!m || !b->count)
		return -EINVAL;
	if (*b->count && (!b->keys || (cmd != BATCH_DELETE && !b->values) ||
			  (read && !b->out_batch)))
		return -EINVAL;
	if (read && !can_read(m))
		return -EPERM;
	if (write && !write_begin(m))
		return -EPERM;
	switch (cmd) {
	case BATCH_LOOKUP: op = m->ops->lookup_batch; break;
	case BATCH_LOOKUP_AND_DELETE: op = m->ops->lookup_and_delete_batch; break;
	case BATCH_UPDATE: op = m->ops->update_batch; break;
	case BATCH_DELETE: op = m->ops->delete_batch; break;
	}
	err = op ? op(m, b) : -ENOTSUPP;
	if (write)
		write_end(m);
	return err;
}

int bpfrt_map__lookup_batch(const struct bpfrt_map *map, void *in_batch, void *out_batch,
			    void *keys, void *values, uint32_t *count, uint64_t elem_flags)
{
	struct map_batch b = { in_batch, out_batch, keys, values, count, elem_flags };

	return do_batch(map, &b, BATCH_LOOKUP);
}

int bpfrt_map__lookup_and_delete_batch(const struct bpfrt_map *map, void *in_batch,
				       void *out_batch, void *keys, void *values,
				       uint32_t *count, uint64_t elem_flags)
{
	struct map_batch b = { in_batch, out_batch, keys, values, count, elem_flags };

	return do_batch(map, &b, BATCH_LOOKUP_AND_DELETE);
}

int bpfrt_map__update_batch(const struct bpfrt_map *map, const void *keys, const void *values,
			    uint32_t *count, uint64_t elem_flags)
{
	struct map_batch b = { NULL, NULL, (void *)keys, (void *)values, count, elem_flags };

	return do_batch(map, &b, BATCH_UPDATE);
}

int bpfrt_map__delete_batch(const struct bpfrt_map *map, const void *keys, uint32_t *count,
			    uint64_t elem_flags)
{
	struct map_batch b = { NULL, NULL, (void *)keys, NULL, count, elem_flags };

	return do_batch(map, &b, BATCH_DELETE);
}

/* The element flags every batch accepts: BPF_F_LOCK, on maps with a lock. */
static int batch_flags_ok(const struct map *m, uint64_t elem_flags)
{
	if (elem_flags & ~(uint64_t)BPFRT_F_LOCK)
		return -EINVAL;
	if ((elem_flags & BPFRT_F_LOCK) && m->spin_lock_off < 0)
		return -EINVAL;
	return 0;
}

/*
 * The kernel's generic_map_lookup_batch(): walk with get_next_key from the
 * key in in_batch; out_batch receives the last key walked (only if some
 * element was returned).
 */
int map_generic_lookup_batch(struct map *m, const struct map_batch *b)
{
	size_t vsz = sys_value_size(m), ksz = m->key_size;
	uint32_t max = *b->count, cp;
	char *buf, *prev, *key, *t;
	int err;

	err = batch_flags_ok(m, b->elem_flags);
	if (err)
		return err;
	if (!max)
		return 0;
	*b->count = 0;
	buf = core_malloc(2 * ksz);
	if (!buf)
		return -ENOMEM;
	prev = NULL;
	key = buf + ksz;
	if (b->in_batch) {
		memcpy(buf, b->in_batch, ksz);
		prev = buf;
	}
	for (cp = 0; cp < max;) {
		err = m->ops->get_next_key(m, prev, key);
		if (err)
			break;
		err = m->ops->lookup_sys(m, key, (char *)b->values + cp * vsz, b->elem_flags);
		if (err && err != -ENOENT)
			goto out;
		if (!err) {
			memcpy((char *)b->keys + cp * ksz, key, ksz);
			cp++;
		}
		if (!prev)
			prev = buf;
		t = prev;
		prev = key;
		key = t;
	}
	*b->count = cp;
	if (cp)
		memcpy(b->out_batch, prev, ksz);
out:
	core_free(buf);
	return err;
}

/* The kernel's generic_map_update_batch(): stops at the first failure. */
int map_generic_update_batch(struct map *m, const struct map_batch *b)
{
	size_t vsz = sys_value_size(m), ksz = m->key_size;
	uint32_t max = *b->count, cp;
	int err = batch_flags_ok(m, b->elem_flags);

	if (err)
		return err;
	if (!max)
		return 0;
	*b->count = 0;
	for (cp = 0; cp < max; cp++) {
		err = m->ops->update_sys(m, (char *)b->keys + cp * ksz, (char *)b->values + cp * vsz,
					 b->elem_flags);
		if (err)
			break;
	}
	*b->count = cp;
	return err;
}

/* The kernel's generic_map_delete_batch(): stops at the first failure. */
int map_generic_delete_batch(struct map *m, const struct map_batch *b)
{
	uint32_t max = *b->count, cp;
	int err = batch_flags_ok(m, b->elem_flags);

	if (err)
		return err;
	if (!max)
		return 0;
	*b->count = 0;
	for (cp = 0; cp < max; cp++) {
		err = m->ops->delete(m, (char *)b->keys + (size_t)cp * m->key_size);
		if (err)
			break;
	}
	*b->count = cp;
	return err;
}

/* ---- the program side ---- */

int map_update(struct map *m, const void *key, const void *value, uint64_t flags,
	       unsigned int cpu)
{
	if (m->map_flags & BPFRT_F_RDONLY_PROG)
		return -EPERM;
	return m->ops->update ? m->ops->update(m, key, value, flags, cpu) : -ENOTSUPP;
}

int map_delete(struct map *m, const void *key)
{
	if (m->map_flags & BPFRT_F_RDONLY_PROG)
		return -EPERM;
	return m->ops->delete ? m->ops->delete(m, key) : -ENOTSUPP;
}

int map_regions(const struct map *m, struct bpfrt_region *out, size_t n)
{
	if (!m || (n && !out))
		return -EINVAL;
	if (!map_has_range(m))
		return 0;
	if (n) {
		out[0].name = m->name;
		out[0].addr = m->values;
		out[0].size = m->values_size;
		out[0].writable = !(m->map_flags & BPFRT_F_RDONLY_PROG);
	}
	return 1;
}

int map_push(struct map *m, const void *value, uint64_t flags)
{
	if (!m->ops->push)
		return -ENOTSUPP;
	if (m->map_flags & BPFRT_F_RDONLY_PROG)
		return -EPERM;
	return m->ops->push(m, value, flags);
}

int map_pop(struct map *m, void *value)
{
	if (!m->ops->pop)
		return -ENOTSUPP;
	if (m->map_flags & BPFRT_F_RDONLY_PROG)
		return -EPERM;
	return m->ops->pop(m, value);
}

int map_peek(struct map *m, void *value)
{
	return m->ops->peek ? m->ops->peek(m, value) : -ENOTSUPP;
}

long map_for_each(struct map *m, int (*fn)(void *ctx, void *key, void *value), void *ctx,
		  unsigned int cpu)
{
	return m->ops->for_each ? m->ops->for_each(m, fn, ctx, cpu) : -ENOTSUPP;
}

/* ---- consumers of ring and perf buffers ---- */

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int map_consumer_poll(int efd, int timeout_ms, int (*process)(void *ctx),
		      bool (*ready)(void *ctx), void *ctx)
{
	int64_t deadline = timeout_ms > 0 ? now_ms() + timeout_ms : 0;
	struct pollfd p = { .fd = efd, .events = POLLIN };
	uint64_t cnt;
	int n, wait;

	for (;;) {
		/*
		 * Take pending wake-ups first, then look: a commit after the look
		 * signals again, so the wait below cannot miss it.
		 */
		if (read(p.fd, &cnt, sizeof(cnt)) < 0 && errno != EAGAIN)
			return -errno;
		n = process(ctx);
		if (n)
			return n;
		if (timeout_ms == 0)
			return 0;
		if (ready(ctx))
			continue;
		wait = -1;
		if (timeout_ms > 0) {
			int64_t left = deadline - now_ms();

			if (left <= 0)
				return 0;
			wait = (int)left;
		}
		n = poll(&p, 1, wait);
		if (n < 0)
			return -errno;
		if (n == 0)
			return 0;
	}
}
