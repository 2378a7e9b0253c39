/* SPDX-License-Identifier: MIT */
/*
 * Loading an opened object into the runtime, as libbpf's bpf_object__load
 * does into the kernel: every map becomes live (global data as one-element
 * arrays holding their initial contents, .rodata and .kconfig frozen), then
 * every program to be loaded is validated and bound to those maps, then
 * prog_array and map-in-map initialisers are stored.
 *
 * A failure anywhere undoes everything and names the map or program.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/sysinfo.h>

#include "core/core.h"
#include "exec/exec.h"
#include "loader/object_int.h"
#include "maps/map.h"

/* The kernel's license_is_gpl_compatible(). */
static bool license_gpl(const char *lic)
{
	static const char *const gpl[] = {
		"GPL", "GPL v2", "GPL and additional rights", "Dual BSD/GPL", "Dual MIT/GPL",
		"Dual MPL/GPL",
	};

	for (size_t i = 0; i < sizeof(gpl) / sizeof(gpl[0]); i++)
		if (!strcmp(lic, gpl[i]))
			return true;
	return false;
}

/* Make `def` live: create a map with its attributes and take its live part. */
static int map_make_live(struct bpfrt_map *def, const struct bpfrt_object_load_opts *opts,
			 char *log, size_t log_size)
{
	struct bpfrt_map_create_opts co = { .sz = sizeof(co) };
	char name[16];
	int err;

	/* The kernel keeps 15 characters of a map name, as libbpf passes it. */
	snprintf(name, sizeof(name), "%s", def->name);
	co.name = name;
	co.map_flags = def->map_flags;
	co.numa_node = def->numa_node;
	co.map_extra = def->map_extra;
	co.nr_cpus = opts ? opts->nr_cpus : 0;
	co.inner_map = def->inner; /* a definition serves as the template */
	/* libbpf sizes a perf event array left at 0 entries to the possible CPUs. */
	if (def->type == BPFRT_MAP_TYPE_PERF_EVENT_ARRAY && !def->max_entries)
		def->max_entries = (uint32_t)get_nprocs_conf();
	def->live = map_create(def->type, def->key_size, def->value_size, def->max_entries, &co);
	if (!def->live) {
		err = -errno;
		core_log(log, log_size, "map '%s' (%s): cannot create it: %s", def->name,
			 bpfrt_map_type_name(def->type) ? bpfrt_map_type_name(def->type) : "?",
			 err == -BPFRT_ENOTSUPP ? "this map type is not supported by bpfrt"
						: strerror(-err));
		return err;
	}
	return 0;
}

static void map_drop_live(struct bpfrt_map *def)
{
	if (def->live) {
		map_put(def->live);
		def->live = NULL;
	}
}

/* Global data: contents first, then freeze the read-only ones. */
static int map_fill(struct bpfrt_map *def, char *log, size_t log_size)
{
	uint32_t key = 0;
	void *buf;
	int err = 0;

	if (def->init && def->value_size) {
		buf = core_calloc(1, def->value_size);
		if (!buf)
			return -ENOMEM;
		memcpy(buf, def->init, def->init_size < def->value_size ? def->init_size : def->value_size);
		err = bpfrt_map__update_elem(def, &key, sizeof(key), buf, def->value_size, BPFRT_ANY);
		core_free(buf);
	}
	if (!err && def->internal && def->readonly)
		err = bpfrt_map__freeze(def);
	if (err)
		core_log(log, log_size, "map '%s': cannot set its initial contents: %s", def->name,
			 strerror(-err));
	return err;
}

/* `values` initialisers of prog arrays and map-in-maps: slot -> id. */
static int map_fill_slots(struct bpfrt_object *obj, struct bpfrt_map *def, char *log,
			  size_t log_size)
{
	for (uint32_t i = 0; i < def->slot_cnt; i++) {
		uint32_t id = 0;
		int err;

		if (def->slots[i] < 0)
			continue;
		if (def->type == BPFRT_MAP_TYPE_PROG_ARRAY) {
			const struct bpfrt_program *p = &obj->progs[def->slots[i]];

			if (!p->loaded) {
				core_log(log, log_size, "map '%s' slot %u: program '%s' is not loaded",
					 def->name, i, p->name);
				return -EINVAL;
			}
			id = bpfrt_prog__id(p->loaded);
		} else {
			id = bpfrt_map__id(&obj->maps[def->slots[i]]);
		}
		err = bpfrt_map__update_elem(def, &i, sizeof(i), &id, sizeof(id), BPFRT_ANY);
		if (err) {
			core_log(log, log_size, "map '%s' slot %u: cannot store its initial value: %s",
				 def->name, i, strerror(-err));
			return err;
		}
	}
	return 0;
}

static int prog_load(struct bpfrt_object *obj, struct bpfrt_program *p, struct bpfrt_map **maps,
		     char *log, size_t log_size)
{
	char plog[512];
	struct bpfrt_load_opts lo = {
		.sz = sizeof(lo),
		.log_buf = plog,
		.log_size = sizeof(plog),
		.prog_type = p->type,
		.expected_attach_type = p->attach_type < 0 ? 0 : p->attach_type,
		.gpl = license_gpl(obj->license),
		.maps = maps,
		.map_cnt = obj->map_cnt,
	};

	if (p->unsupported) {
		core_log(log, log_size, "%s", p->unsupported);
		return -BPFRT_ENOTSUPP;
	}
	plog[0] = '\0';
	p->loaded = bpfrt_prog__load(obj->vm, p->insns, p->insn_cnt, &lo);
	if (!p->loaded) {
		int err = -errno;

		core_log(log, log_size, "program '%s': %s", p->name, plog[0] ? plog : strerror(-err));
		return err;
	}
	return 0;
}

static void unload(struct bpfrt_object *obj)
{
	for (size_t i = 0; i < obj->prog_cnt; i++) {
		bpfrt_prog__free(obj->progs[i].loaded);
		obj->progs[i].loaded = NULL;
	}
	for (size_t i = 0; i < obj->map_cnt; i++)
		map_drop_live(&obj->maps[i]);
	if (obj->own_vm)
		bpfrt_vm__free(obj->vm);
	obj->vm = NULL;
	obj->own_vm = false;
	obj->loaded = false;
}

void obj_unload(struct bpfrt_object *obj)
{
	if (obj->loaded)
		unload(obj);
}

int bpfrt_object__load(struct bpfrt_object *obj, const struct bpfrt_object_load_opts *opts)
{
	char *log = opts ? opts->log_buf : NULL;
	size_t log_size = opts ? opts->log_size : 0;
	struct bpfrt_map **maps;
	int err = 0;

	if (!obj || !CORE_OPTS_VALID(opts))
		return -EINVAL;
	if (obj->loaded)
		return -EBUSY;
	maps = core_calloc(obj->map_cnt ? obj->map_cnt : 1, sizeof(*maps));
	if (!maps)
		return -ENOMEM;
	obj->vm = opts && opts->vm ? opts->vm : bpfrt_vm__new();
	obj->own_vm = !(opts && opts->vm);
	obj->loaded = true;
	if (!obj->vm)
		err = -ENOMEM;
	for (size_t i = 0; !err && i < obj->map_cnt; i++) {
		maps[i] = &obj->maps[i];
		err = map_make_live(&obj->maps[i], opts, log, log_size);
		if (!err)
			err = map_fill(&obj->maps[i], log, log_size);
	}
	for (size_t i = 0; !err && i < obj->prog_cnt; i++) {
		struct bpfrt_program *p = &obj->progs[i];

		if (!p->is_subprog && p->autoload)
			err = prog_load(obj, p, maps, log, log_size);
	}
	for (size_t i = 0; !err && i < obj->map_cnt; i++)
		if (obj->maps[i].slot_cnt && obj->maps[i].type != BPFRT_MAP_TYPE_STRUCT_OPS)
			err = map_fill_slots(obj, &obj->maps[i], log, log_size);
	core_free(maps);
	if (err)
		unload(obj);
	return err;
}

struct bpfrt_prog *bpfrt_program__prog(const struct bpfrt_program *prog)
{
	return prog ? prog->loaded : NULL;
}

int bpfrt_program__set_autoload(struct bpfrt_program *prog, bool autoload)
{
	if (!prog || prog->is_subprog)
		return -EINVAL;
	if (prog->obj->loaded)
		return -EBUSY;
	prog->autoload = autoload;
	return 0;
}
