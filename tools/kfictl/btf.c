// SPDX-License-Identifier: GPL-2.0
/*
 * kfictl's reading of the kernel's BTF: a function's C prototype and the
 * class of what it returns, from /sys/kernel/btf/vmlinux and, for a
 * module's function, the module's split BTF on top of it. libbpf parses
 * the BTF and prints each type; the prototype is put together here.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include "kfictl.h"

#define BTF_DIR		"/sys/kernel/btf"

struct out {
	char *buf;
	size_t len;
	size_t n;
};

static void out_vprintf(void *ctx, const char *fmt, va_list ap)
{
	struct out *o = ctx;
	int n;

	if (o->n >= o->len)
		return;
	n = vsnprintf(o->buf + o->n, o->len - o->n, fmt, ap);
	if (n > 0)
		o->n += n;
	if (o->n >= o->len)
		o->n = o->len - 1;
}

static void out_printf(struct out *o, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	out_vprintf(o, fmt, ap);
	va_end(ap);
}

/* Prints type @id through @d as declared, with @name if not "" ("int x"). */
static int out_decl(struct btf_dump *d, __u32 id, const char *name)
{
	LIBBPF_OPTS(btf_dump_emit_type_decl_opts, opts, .field_name = name);

	return btf_dump__emit_type_decl(d, id, &opts);
}

/* Skips typedefs, const, volatile, restrict and type tags. */
static const struct btf_type *resolve(const struct btf *btf, __u32 *id)
{
	const struct btf_type *t = btf__type_by_id(btf, *id);

	while (t && *id && (btf_is_mod(t) || btf_is_typedef(t))) {
		*id = t->type;
		t = btf__type_by_id(btf, *id);
	}
	return t;
}

static void classify(const struct btf *btf, __u32 id, struct kfictl_proto *p)
{
	const struct btf_type *t = resolve(btf, &id);

	p->ret = KFICTL_RET_OTHER;
	if (!id || !t) {
		p->ret = KFICTL_RET_VOID;
	} else if (btf_is_ptr(t)) {
		p->ret = KFICTL_RET_PTR;
	} else if (btf_is_int(t)) {
		__u8 enc = btf_int_encoding(t);

		p->ret = enc & BTF_INT_BOOL ? KFICTL_RET_BOOL : KFICTL_RET_INT;
		p->ret_bits = btf_int_bits(t);
		p->ret_signed = enc & BTF_INT_SIGNED;
	} else if (btf_is_any_enum(t)) {
		/*
		 * Signed only if BTF says so (kflag, from pahole 1.24): GCC
		 * makes an enum without negative values unsigned.
		 */
		p->ret = KFICTL_RET_INT;
		p->ret_bits = t->size * 8;
		p->ret_signed = btf_kflag(t);
	}
}

/* The first function @name among types [@from, last]. */
static __u32 find_func(const struct btf *btf, __u32 from, const char *name)
{
	__u32 n = btf__type_cnt(btf);

	for (__u32 id = from; id < n; id++) {
		const struct btf_type *t = btf__type_by_id(btf, id);

		if (btf_is_func(t) &&
		    !strcmp(btf__name_by_offset(btf, t->name_off), name))
			return id;
	}
	return 0;
}

/*
 * The declaration is the return type's with "func(PARAMS)" for its name:
 * libbpf then puts it where C wants it, "char **f(int x)", and inside a
 * pointer to a function, "void (*f(int x))(int)".
 */
int kfictl_btf_proto_of(const struct btf *btf, unsigned int id,
			const char *func, struct kfictl_proto *p)
{
	const struct btf_type *t = btf__type_by_id(btf, id);
	const struct btf_param *par;
	char call[sizeof(p->decl)];
	struct out o = { .buf = call, .len = sizeof(call) };
	struct out r = { .buf = p->ret_type, .len = sizeof(p->ret_type) };
	struct btf_dump *d, *dr;
	int vlen, err = 0;

	if (!t || !btf_is_func(t))
		return -EINVAL;
	t = btf__type_by_id(btf, t->type);
	if (!t || !btf_is_func_proto(t))
		return -EINVAL;
	d = btf_dump__new(btf, out_vprintf, &o, NULL);
	dr = btf_dump__new(btf, out_vprintf, &r, NULL);
	if (!d || !dr) {
		err = -errno;
		goto out;
	}
	err = out_decl(dr, t->type, "");
	if (err)
		goto out;
	classify(btf, t->type, p);

	out_printf(&o, "%s(", func);
	vlen = btf_vlen(t);
	par = btf_params(t);
	p->nr_params = 0;
	p->variadic = false;
	for (int i = 0; i < vlen; i++, par++) {
		if (i)
			out_printf(&o, ", ");
		if (!par->type) {
			/* The unnamed void last parameter of "...". */
			out_printf(&o, "...");
			p->variadic = true;
			continue;
		}
		err = out_decl(d, par->type,
			       btf__name_by_offset(btf, par->name_off) ?: "");
		if (err)
			goto out;
		p->nr_params++;
	}
	out_printf(&o, "%s)", vlen ? "" : "void");
	/* dr, which named the return type, prints through r: now the decl. */
	r = (struct out){ .buf = p->decl, .len = sizeof(p->decl) };
	err = out_decl(dr, t->type, call);
out:
	btf_dump__free(d);
	btf_dump__free(dr);
	return err;
}

int kfictl_btf_proto(const char *module, const char *func,
		     struct kfictl_proto *p)
{
	struct btf *vmlinux = NULL, *btf;
	char path[256];
	__u32 id;
	int err;

	memset(p, 0, sizeof(*p));
	/* libbpf's own messages would go to stderr: kfictl says it its way. */
	libbpf_set_print(NULL);
	/* Most out-of-tree modules have none: no need to read vmlinux's. */
	snprintf(path, sizeof(path), BTF_DIR "/%s", module ?: "vmlinux");
	if (module && access(path, R_OK) && access(BTF_DIR "/vmlinux", R_OK) == 0) {
		snprintf(p->why, sizeof(p->why), "module %s has no BTF (%s: %s)",
			 module, path, strerror(errno));
		return -ENODATA;
	}
	vmlinux = btf__parse_raw(BTF_DIR "/vmlinux");
	if (!vmlinux) {
		err = -errno;
		snprintf(p->why, sizeof(p->why),
			 "the kernel has no BTF (%s/vmlinux: %s; it needs CONFIG_DEBUG_INFO_BTF)",
			 BTF_DIR, strerror(-err));
		return -ENODATA;
	}
	btf = vmlinux;
	if (module) {
		btf = btf__parse_raw_split(path, vmlinux);
		if (!btf) {
			err = -errno;
			snprintf(p->why, sizeof(p->why),
				 "module %s has no BTF (%s: %s)", module, path,
				 strerror(-err));
			btf__free(vmlinux);
			return -ENODATA;
		}
	}
	id = find_func(btf, module ? btf__type_cnt(vmlinux) : 1, func);
	if (!id) {
		snprintf(p->why, sizeof(p->why),
			 "%s is not in the BTF of %s (which leaves out inlined functions and those with two prototypes)",
			 func, module ?: "vmlinux");
		err = -ENOENT;
	} else {
		err = kfictl_btf_proto_of(btf, id, func, p);
		if (err)
			snprintf(p->why, sizeof(p->why),
				 "cannot print %s's prototype: %s", func,
				 strerror(-err));
	}
	if (btf != vmlinux)
		btf__free(btf);
	btf__free(vmlinux);
	p->known = !err;
	return err;
}
