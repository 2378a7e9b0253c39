/* SPDX-License-Identifier: MIT */
/*
 * ELF parsing with libelf: the file is checked once, here, so the later
 * steps can index sections, symbols and relocations without re-checking.
 *
 * Accepted: ELF64, little-endian, ET_REL, e_machine EM_BPF (or EM_NONE,
 * which old LLVM wrote), one symbol table. Every section's contents must
 * lie inside the file, every symbol must name an existing section, every
 * relocation must name an existing symbol and an offset inside its target
 * section. Messages name the section (with its index), the symbol (with
 * its number) or the offset at fault.
 */
#include <errno.h>
#include <string.h>

#include "loader/object_int.h"

#ifndef EM_BPF
#define EM_BPF 247
#endif
#ifndef SHT_LLVM_ADDRSIG
#define SHT_LLVM_ADDRSIG 0x6fff4c03
#endif

static bool has_prefix(const char *s, const char *pfx)
{
	return strncmp(s, pfx, strlen(pfx)) == 0;
}

/* Sections libbpf ignores entirely: strings, DWARF, address-significance. */
static bool ignored_section(const GElf_Shdr *sh, const char *name)
{
	if (sh->sh_type == SHT_STRTAB || sh->sh_type == SHT_LLVM_ADDRSIG)
		return true;
	if (has_prefix(name, ".debug_"))
		return true;
	if (has_prefix(name, ".rel")) {
		const char *target = name + 4;

		if (has_prefix(target, ".debug_") || strcmp(target, ".BTF") == 0 ||
		    strcmp(target, ".BTF.ext") == 0)
			return true;
	}
	return false;
}

/* Checks on the raw header that libelf would only report as "invalid". */
static int check_header(const void *buf, size_t size, char *log, size_t log_size)
{
	const unsigned char *ident = buf;
	Elf64_Ehdr eh;

	if (size < EI_NIDENT || memcmp(ident, ELFMAG, SELFMAG) != 0) {
		core_log(log, log_size, "not an ELF object: %s",
			 size < SELFMAG ? "file too short" : "bad magic number");
		return -EINVAL;
	}
	if (ident[EI_CLASS] != ELFCLASS64) {
		core_log(log, log_size, "not a 64-bit ELF object (EI_CLASS %u): BPF objects are ELF64",
			 ident[EI_CLASS]);
		return -EINVAL;
	}
	if (ident[EI_DATA] == ELFDATA2MSB) {
		core_log(log, log_size, "big-endian objects are not supported");
		return -ENOTSUP;
	}
	if (ident[EI_DATA] != ELFDATA2LSB) {
		core_log(log, log_size, "unknown ELF byte order (EI_DATA %u)", ident[EI_DATA]);
		return -EINVAL;
	}
	if (size < sizeof(eh)) {
		core_log(log, log_size, "truncated ELF header: the file has %zu bytes, the header needs %zu",
			 size, sizeof(eh));
		return -EINVAL;
	}
	memcpy(&eh, buf, sizeof(eh));
	if (eh.e_type != ET_REL) {
		core_log(log, log_size,
			 "e_type %u is not ET_REL: bpfrt opens relocatable objects (.o) as clang emits them",
			 eh.e_type);
		return -EINVAL;
	}
	if (eh.e_machine != EM_BPF && eh.e_machine != EM_NONE) {
		core_log(log, log_size, "e_machine %u is not EM_BPF (%u)", eh.e_machine, EM_BPF);
		return -EINVAL;
	}
	if (eh.e_shoff == 0) {
		core_log(log, log_size, "the object has no section header table (e_shoff 0)");
		return -EINVAL;
	}
	if (eh.e_shentsize != sizeof(Elf64_Shdr)) {
		core_log(log, log_size, "e_shentsize %u is not %zu", eh.e_shentsize, sizeof(Elf64_Shdr));
		return -EINVAL;
	}
	/* e_shnum 0 means the count is in section 0, which must fit itself. */
	if (eh.e_shoff > size ||
	    (size - eh.e_shoff) / sizeof(Elf64_Shdr) < (eh.e_shnum ? eh.e_shnum : 1u)) {
		core_log(log, log_size,
			 "section header table at offset 0x%llx (%u entries of %zu bytes) extends past the end of the file (%zu bytes)",
			 (unsigned long long)eh.e_shoff, eh.e_shnum, sizeof(Elf64_Shdr), size);
		return -EINVAL;
	}
	return 0;
}

static int load_sections(struct elf_file *ef, size_t shstrndx, char *log, size_t log_size)
{
	for (size_t i = 1; i < ef->sec_cnt; i++) {
		struct elf_sec *s = &ef->secs[i];
		Elf_Scn *scn = elf_getscn(ef->elf, i);
		Elf_Data *data;

		if (!scn || !gelf_getshdr(scn, &s->sh)) {
			core_log(log, log_size, "section #%zu: cannot read its header: %s", i, elf_errmsg(-1));
			return -EINVAL;
		}
		s->name = elf_strptr(ef->elf, shstrndx, s->sh.sh_name);
		if (!s->name) {
			core_log(log, log_size,
				 "section #%zu: name offset %u is outside the section-name table (index %zu)",
				 i, s->sh.sh_name, shstrndx);
			return -EINVAL;
		}
		s->size = s->sh.sh_size;
		s->map_idx = -1;
		if (s->sh.sh_type == SHT_NOBITS || s->sh.sh_type == SHT_NULL || s->sh.sh_size == 0)
			continue;
		if (s->sh.sh_offset > ef->size || ef->size - s->sh.sh_offset < s->sh.sh_size) {
			core_log(log, log_size,
				 "section '%s' (index %zu): contents at offset 0x%llx, size %llu, extend past the end of the file (%zu bytes)",
				 s->name, i, (unsigned long long)s->sh.sh_offset,
				 (unsigned long long)s->sh.sh_size, ef->size);
			return -EINVAL;
		}
		if (s->sh.sh_flags & SHF_COMPRESSED)
			continue; /* rejected below if the loader needs its contents */
		data = elf_getdata(scn, NULL);
		if (!data || data->d_size != s->sh.sh_size) {
			core_log(log, log_size, "section '%s' (index %zu): cannot read its contents: %s",
				 s->name, i, data ? "size mismatch" : elf_errmsg(-1));
			return -EINVAL;
		}
		s->data = data->d_buf;
	}
	return 0;
}

static int load_symbols(struct elf_file *ef, char *log, size_t log_size)
{
	struct elf_sec *st = NULL;
	Elf_Data *data;
	size_t strtab;

	for (size_t i = 1; i < ef->sec_cnt; i++) {
		if (ef->secs[i].sh.sh_type != SHT_SYMTAB)
			continue;
		if (st) {
			core_log(log, log_size, "two symbol tables: sections %d and %zu", ef->symtab_idx, i);
			return -EINVAL;
		}
		st = &ef->secs[i];
		ef->symtab_idx = (int)i;
	}
	if (!st) {
		core_log(log, log_size, "the object has no symbol table (.symtab): stripped?");
		return -EINVAL;
	}
	if (st->sh.sh_entsize != sizeof(Elf64_Sym) || st->size % sizeof(Elf64_Sym)) {
		core_log(log, log_size,
			 "section '%s' (index %d): entry size %llu and size %zu do not describe %zu-byte symbols",
			 st->name, ef->symtab_idx, (unsigned long long)st->sh.sh_entsize, st->size,
			 sizeof(Elf64_Sym));
		return -EINVAL;
	}
	strtab = st->sh.sh_link;
	if (strtab == 0 || strtab >= ef->sec_cnt || ef->secs[strtab].sh.sh_type != SHT_STRTAB) {
		core_log(log, log_size,
			 "section '%s' (index %d): sh_link %zu does not name a string table section",
			 st->name, ef->symtab_idx, strtab);
		return -EINVAL;
	}
	data = elf_getdata(elf_getscn(ef->elf, ef->symtab_idx), NULL);
	if (!data) {
		core_log(log, log_size, "section '%s' (index %d): cannot read symbols: %s", st->name,
			 ef->symtab_idx, elf_errmsg(-1));
		return -EINVAL;
	}
	ef->sym_cnt = st->size / sizeof(Elf64_Sym);
	ef->syms = core_calloc(ef->sym_cnt ? ef->sym_cnt : 1, sizeof(*ef->syms));
	if (!ef->syms)
		return -ENOMEM;
	for (size_t i = 0; i < ef->sym_cnt; i++) {
		struct elf_sym *s = &ef->syms[i];
		GElf_Sym sym;

		if (!gelf_getsym(data, (int)i, &sym)) {
			core_log(log, log_size, "symbol #%zu: cannot read it: %s", i, elf_errmsg(-1));
			return -EINVAL;
		}
		s->name = elf_strptr(ef->elf, strtab, sym.st_name);
		if (!s->name) {
			core_log(log, log_size,
				 "symbol #%zu: name offset %u is outside the string table '%s' (index %zu)",
				 i, sym.st_name, ef->secs[strtab].name, strtab);
			return -EINVAL;
		}
		s->value = sym.st_value;
		s->size = sym.st_size;
		s->shndx = sym.st_shndx;
		s->type = GELF_ST_TYPE(sym.st_info);
		s->bind = GELF_ST_BIND(sym.st_info);
		s->visibility = GELF_ST_VISIBILITY(sym.st_other);
		if (s->shndx == SHN_XINDEX) {
			core_log(log, log_size,
				 "symbol '%s' (#%zu) uses an extended section index (SHN_XINDEX): not supported",
				 s->name, i);
			return -ENOTSUP;
		}
		if (s->shndx < SHN_LORESERVE && s->shndx >= ef->sec_cnt) {
			core_log(log, log_size,
				 "symbol '%s' (#%zu) refers to section %u, but the object has %zu sections",
				 s->name, i, s->shndx, ef->sec_cnt);
			return -EINVAL;
		}
	}
	return 0;
}

static int set_special(int *slot, size_t idx, const char *name, char *log, size_t log_size)
{
	if (*slot >= 0) {
		core_log(log, log_size, "two sections named '%s' (index %d and %zu)", name, *slot, idx);
		return -EINVAL;
	}
	*slot = (int)idx;
	return 0;
}

static int classify(struct elf_file *ef, char *log, size_t log_size)
{
	int err = 0;

	for (size_t i = 1; i < ef->sec_cnt && !err; i++) {
		struct elf_sec *s = &ef->secs[i];
		const GElf_Shdr *sh = &s->sh;
		const char *name = s->name;

		if (ignored_section(sh, name) || sh->sh_type == SHT_SYMTAB || sh->sh_type == SHT_REL)
			continue;
		if (strcmp(name, "license") == 0) {
			err = set_special(&ef->license_idx, i, name, log, log_size);
		} else if (strcmp(name, "version") == 0) {
			if (s->size != 4 || !s->data) {
				core_log(log, log_size, "section 'version' (index %zu): size %zu, expected 4",
					 i, s->size);
				return -EINVAL;
			}
			err = set_special(&ef->version_idx, i, name, log, log_size);
		} else if (strcmp(name, "maps") == 0) {
			s->kind = ELF_SEC_LEGACY_MAPS;
			err = set_special(&ef->legacy_maps_idx, i, name, log, log_size);
		} else if (strcmp(name, ".maps") == 0) {
			s->kind = ELF_SEC_MAPS;
			err = set_special(&ef->maps_idx, i, name, log, log_size);
		} else if (strcmp(name, ".BTF") == 0 || strcmp(name, ".BTF.ext") == 0) {
			if (sh->sh_type != SHT_PROGBITS) {
				core_log(log, log_size, "section '%s' (index %zu): type %u is not SHT_PROGBITS",
					 name, i, sh->sh_type);
				return -EINVAL;
			}
			err = set_special(name[4] ? &ef->btf_ext_idx : &ef->btf_idx, i, name, log, log_size);
		} else if (sh->sh_type == SHT_PROGBITS && s->size > 0) {
			if (sh->sh_flags & SHF_EXECINSTR) {
				if (s->size % OBJ_INSN_SZ) {
					core_log(log, log_size,
						 "section '%s' (index %zu): size %zu is not a multiple of %d (the size of an instruction)",
						 name, i, s->size, OBJ_INSN_SZ);
					return -EINVAL;
				}
				s->kind = ELF_SEC_PROG;
				if (strcmp(name, ".text") == 0)
					err = set_special(&ef->text_idx, i, name, log, log_size);
			} else if (strcmp(name, ".data") == 0 || has_prefix(name, ".data.")) {
				s->kind = ELF_SEC_DATA;
			} else if (strcmp(name, ".rodata") == 0 || has_prefix(name, ".rodata.")) {
				s->kind = ELF_SEC_RODATA;
			} else if (strcmp(name, ".struct_ops") == 0) {
				s->kind = ELF_SEC_STRUCT_OPS;
				err = set_special(&ef->st_ops_idx, i, name, log, log_size);
			} else if (strcmp(name, ".struct_ops.link") == 0) {
				s->kind = ELF_SEC_STRUCT_OPS;
				err = set_special(&ef->st_ops_link_idx, i, name, log, log_size);
			} else {
				core_print(BPFRT_DEBUG, "bpfrt: skipping data section '%s' (index %zu)\n",
					   name, i);
			}
		} else if (sh->sh_type == SHT_NOBITS &&
			   (strcmp(name, ".bss") == 0 || has_prefix(name, ".bss."))) {
			s->kind = ELF_SEC_BSS;
		}
		if (s->kind != ELF_SEC_OTHER && s->kind != ELF_SEC_BSS &&
		    (sh->sh_flags & SHF_COMPRESSED)) {
			core_log(log, log_size, "section '%s' (index %zu) is compressed: not supported",
				 name, i);
			return -ENOTSUP;
		}
	}
	if (err)
		return err;
	if (ef->legacy_maps_idx >= 0 && !ef->secs[ef->legacy_maps_idx].data) {
		ef->secs[ef->legacy_maps_idx].kind = ELF_SEC_OTHER;
		ef->legacy_maps_idx = -1;
	}
	if (ef->maps_idx >= 0 && ef->secs[ef->maps_idx].sh.sh_type == SHT_NOBITS) {
		core_log(log, log_size, "section '.maps' (index %d) has no contents (SHT_NOBITS)",
			 ef->maps_idx);
		return -EINVAL;
	}

	/* Relocation sections, now that their targets are classified. */
	for (size_t i = 1; i < ef->sec_cnt; i++) {
		struct elf_sec *s = &ef->secs[i];
		size_t target = s->sh.sh_info;
		enum elf_sec_kind tk;

		if (s->sh.sh_type != SHT_REL || ignored_section(&s->sh, s->name))
			continue;
		if (s->sh.sh_entsize != sizeof(Elf64_Rel) || s->size % sizeof(Elf64_Rel)) {
			core_log(log, log_size,
				 "section '%s' (index %zu): entry size %llu and size %zu do not describe %zu-byte relocations",
				 s->name, i, (unsigned long long)s->sh.sh_entsize, s->size,
				 sizeof(Elf64_Rel));
			return -EINVAL;
		}
		if (target == 0 || target >= ef->sec_cnt) {
			core_log(log, log_size,
				 "section '%s' (index %zu): sh_info %zu does not name a section (the object has %zu)",
				 s->name, i, target, ef->sec_cnt);
			return -EINVAL;
		}
		tk = ef->secs[target].kind;
		if (tk != ELF_SEC_PROG && tk != ELF_SEC_MAPS && tk != ELF_SEC_STRUCT_OPS) {
			core_print(BPFRT_DEBUG, "bpfrt: skipping relocations '%s' for section '%s'\n",
				   s->name, ef->secs[target].name);
			continue;
		}
		if (s->sh.sh_link != (GElf_Word)ef->symtab_idx) {
			core_log(log, log_size,
				 "section '%s' (index %zu): sh_link %u is not the symbol table (index %d)",
				 s->name, i, s->sh.sh_link, ef->symtab_idx);
			return -EINVAL;
		}
		if (s->size && (s->sh.sh_flags & SHF_COMPRESSED)) {
			core_log(log, log_size, "section '%s' (index %zu) is compressed: not supported",
				 s->name, i);
			return -ENOTSUP;
		}
		s->kind = ELF_SEC_RELO;
	}
	return 0;
}

int elf_open(struct elf_file *ef, void *buf, size_t size, char *log, size_t log_size)
{
	size_t shnum, shstrndx;
	int err;

	memset(ef, 0, sizeof(*ef));
	ef->buf = buf;
	ef->size = size;
	ef->symtab_idx = ef->text_idx = ef->maps_idx = ef->legacy_maps_idx = -1;
	ef->btf_idx = ef->btf_ext_idx = ef->st_ops_idx = ef->st_ops_link_idx = -1;
	ef->license_idx = ef->version_idx = -1;

	err = check_header(buf, size, log, log_size);
	if (err)
		return err;
	if (elf_version(EV_CURRENT) == EV_NONE) {
		core_log(log, log_size, "libelf: %s", elf_errmsg(-1));
		return -EINVAL;
	}
	ef->elf = elf_memory(buf, size);
	if (!ef->elf || elf_kind(ef->elf) != ELF_K_ELF) {
		core_log(log, log_size, "not a valid ELF object: %s", elf_errmsg(-1));
		return -EINVAL;
	}
	if (elf_getshdrnum(ef->elf, &shnum) || elf_getshdrstrndx(ef->elf, &shstrndx)) {
		core_log(log, log_size, "cannot read the section header table: %s", elf_errmsg(-1));
		return -EINVAL;
	}
	if (shnum > (size - sizeof(Elf64_Ehdr)) / sizeof(Elf64_Shdr)) {
		core_log(log, log_size, "section count %zu does not fit in the file (%zu bytes)",
			 shnum, size);
		return -EINVAL;
	}
	if (shstrndx == 0 || shstrndx >= shnum) {
		core_log(log, log_size,
			 "e_shstrndx %zu does not name a section (the object has %zu sections)",
			 shstrndx, shnum);
		return -EINVAL;
	}
	ef->sec_cnt = shnum;
	ef->secs = core_calloc(shnum, sizeof(*ef->secs));
	if (!ef->secs)
		return -ENOMEM;
	ef->secs[0].name = "";
	ef->secs[0].map_idx = -1;
	{
		GElf_Shdr sh;

		if (!gelf_getshdr(elf_getscn(ef->elf, shstrndx), &sh) || sh.sh_type != SHT_STRTAB) {
			core_log(log, log_size, "e_shstrndx %zu does not name a string table section",
				 shstrndx);
			return -EINVAL;
		}
		if (sh.sh_offset > size || size - sh.sh_offset < sh.sh_size) {
			core_log(log, log_size,
				 "section-name table (index %zu) at offset 0x%llx, size %llu, extends past the end of the file (%zu bytes)",
				 shstrndx, (unsigned long long)sh.sh_offset,
				 (unsigned long long)sh.sh_size, size);
			return -EINVAL;
		}
	}
	err = load_sections(ef, shstrndx, log, log_size);
	err = err ? err : load_symbols(ef, log, log_size);
	err = err ? err : classify(ef, log, log_size);
	return err;
}

void elf_close(struct elf_file *ef)
{
	if (ef->elf)
		elf_end(ef->elf);
	core_free(ef->secs);
	core_free(ef->syms);
	core_free(ef->buf);
	memset(ef, 0, sizeof(*ef));
}

int elf_sec_by_name(const struct elf_file *ef, const char *name)
{
	for (size_t i = 1; i < ef->sec_cnt; i++) {
		if (strcmp(ef->secs[i].name, name) == 0)
			return (int)i;
	}
	return -1;
}

const char *elf_sym_display_name(const struct elf_file *ef, const struct elf_sym *sym)
{
	if (sym->type == STT_SECTION && !sym->name[0] && sym->shndx < ef->sec_cnt)
		return ef->secs[sym->shndx].name;
	return sym->name[0] ? sym->name : "<anonymous>";
}

int elf_read_rels(const struct elf_file *ef, int idx, struct elf_rel **out, size_t *cnt,
		  char *log, size_t log_size)
{
	const struct elf_sec *s = &ef->secs[idx];
	size_t target = s->sh.sh_info;
	const struct elf_sec *t = &ef->secs[target];
	bool code = t->kind == ELF_SEC_PROG;
	size_t n = s->size / sizeof(Elf64_Rel);
	struct elf_rel *rels;
	Elf_Data *data;

	*out = NULL;
	*cnt = 0;
	if (!n)
		return 0;
	data = elf_getdata(elf_getscn(ef->elf, idx), NULL);
	if (!data) {
		core_log(log, log_size, "section '%s' (index %d): cannot read relocations: %s", s->name,
			 idx, elf_errmsg(-1));
		return -EINVAL;
	}
	rels = core_calloc(n, sizeof(*rels));
	if (!rels)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++) {
		GElf_Rel rel;
		uint64_t off;

		if (!gelf_getrel(data, (int)i, &rel)) {
			core_log(log, log_size, "section '%s' (index %zu): cannot read relocation #%zu: %s",
				 t->name, target, i, elf_errmsg(-1));
			core_free(rels);
			return -EINVAL;
		}
		off = rel.r_offset;
		rels[i].offset = off;
		rels[i].sym = (uint32_t)GELF_R_SYM(rel.r_info);
		rels[i].type = (uint32_t)GELF_R_TYPE(rel.r_info);
		if (rels[i].sym >= ef->sym_cnt) {
			core_log(log, log_size,
				 "section '%s' (index %zu): relocation #%zu at offset 0x%llx refers to symbol %u, but the symbol table has %zu symbols",
				 t->name, target, i, (unsigned long long)off, rels[i].sym, ef->sym_cnt);
			core_free(rels);
			return -EINVAL;
		}
		if (off >= t->size || t->size - off < (code ? OBJ_INSN_SZ : 4)) {
			core_log(log, log_size,
				 "section '%s' (index %zu): relocation #%zu at offset 0x%llx is outside the section (size %zu)",
				 t->name, target, i, (unsigned long long)off, t->size);
			core_free(rels);
			return -EINVAL;
		}
		if (code && off % OBJ_INSN_SZ) {
			core_log(log, log_size,
				 "section '%s' (index %zu): relocation #%zu at offset 0x%llx is not at an instruction boundary",
				 t->name, target, i, (unsigned long long)off);
			core_free(rels);
			return -EINVAL;
		}
	}
	*out = rels;
	*cnt = n;
	return 0;
}
