// SPDX-License-Identifier: GPL-2.0
/*
 * kfictl describe: can a rule be aimed at this function, and what does it
 * return? Answers from what the running kernel publishes:
 *
 *   /proc/kallsyms                          does the function exist, where
 *   /sys/kernel/debug/kprobes/blacklist     may a kprobe go there at all
 *   .../tracing/available_filter_functions  ftrace call site or breakpoint
 *   /sys/kernel/btf/vmlinux, /MODULE        the C prototype (btf.c)
 *
 * kfictl add runs the same look-up (kfictl_add_check()) to warn about a
 * retval that does not fit the return type, and to refuse args beyond the
 * parameters.
 */
#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kfictl.h"

#define KALLSYMS	"/proc/kallsyms"
#define BLACKLIST	"/sys/kernel/debug/kprobes/blacklist"
#define KFI_MODULE	"kfi"

static const char * const filter_lists[] = {
	"/sys/kernel/tracing/available_filter_functions",
	"/sys/kernel/debug/tracing/available_filter_functions",
};

static int usage_error(const char *fmt, const char *arg)
{
	fputs("kfictl: ", stderr);
	fprintf(stderr, fmt, arg);
	fputs(" (see kfictl --help)\n", stderr);
	return KFICTL_USAGE;
}

/* A function as kfi's target names it, and what kallsyms says of it. */
struct func {
	char module[64];	/* "" for vmlinux */
	char name[256];
	unsigned long addr;	/* 0 when kallsyms hides addresses */
	char type;		/* kallsyms' type letter */
	int count;		/* functions of that name (and module) */
};

/*
 * Splits "module:symbol" (kfi's target syntax). 0 or -EINVAL. A '-' in the
 * module is taken as '_', as kfi and the kernel name modules (KBUILD_MODNAME):
 * kallsyms says "[my_mod]" for my-mod.ko.
 */
static int parse_target(const char *target, struct func *f)
{
	const char *colon = strchr(target, ':');
	const char *name = colon ? colon + 1 : target;

	memset(f, 0, sizeof(*f));
	if (colon && (colon == target ||
		      colon - target >= (long)sizeof(f->module)))
		return -EINVAL;
	if (!*name || strlen(name) >= sizeof(f->name) ||
	    strpbrk(name, ":+ \t\n/"))
		return -EINVAL;
	for (long i = 0; colon && i < colon - target; i++)
		f->module[i] = target[i] == '-' ? '_' : target[i];
	snprintf(f->name, sizeof(f->name), "%s", name);
	return 0;
}

static bool is_text(char type)
{
	return type == 't' || type == 'T' || type == 'w' || type == 'W';
}

/*
 * Finds @f in kallsyms as kfi does: vmlinux first, then the modules in
 * their order, or only in f->module if named. 0 when a function was found
 * (the first fills @f); -ENOTDIR when only a non-function symbol of that
 * name was (its type in f->type); -ENOENT; another -errno.
 */
static int find_func(struct func *f)
{
	FILE *kallsyms = fopen(KALLSYMS, "re");
	size_t len = strlen(f->name);
	char line[512], want[sizeof(f->module)];
	int err;

	if (!kallsyms)
		return -errno;
	snprintf(want, sizeof(want), "%s", f->module);
	f->count = 0;
	f->type = 0;
	while (fgets(line, sizeof(line), kallsyms)) {
		char *type = strchr(line, ' '), *name, *mod, *end;

		/* "ADDR TYPE NAME" or "ADDR TYPE NAME\t[MODULE]" */
		if (!type || !type[1] || type[2] != ' ')
			continue;
		name = type + 3;
		if (strncmp(name, f->name, len) || !strchr("\t\n", name[len]))
			continue;
		mod = "";
		if (name[len] == '\t' && name[len + 1] == '[') {
			mod = name + len + 2;
			end = strchr(mod, ']');
			if (end)
				*end = '\0';
		}
		if (want[0] && strcmp(mod, want))
			continue;
		if (!is_text(type[1])) {
			if (!f->count)
				f->type = type[1];
			continue;
		}
		if (!f->count++) {
			f->type = type[1];
			f->addr = strtoul(line, NULL, 16);
			snprintf(f->module, sizeof(f->module), "%s", mod);
		}
	}
	err = ferror(kallsyms) ? -EIO : 0;
	fclose(kallsyms);
	if (err)
		return err;
	if (f->count)
		return 0;
	return f->type ? -ENOTDIR : -ENOENT;
}

/* Whether "NAME" or "NAME [MODULE]" at @s names @f. */
static bool names(const char *s, const struct func *f)
{
	size_t len = strlen(f->name);
	const char *mod = s + len + 2;
	size_t mlen = strlen(f->module);

	if (strncmp(s, f->name, len))
		return false;
	if (!f->module[0])
		return s[len] == '\n' || s[len] == '\0';
	return s[len] == ' ' && s[len + 1] == '[' &&
	       !strncmp(mod, f->module, mlen) && mod[mlen] == ']';
}

/*
 * 1 if @f is on the kprobe blacklist, 0 if not, -errno if it cannot be
 * read. Lines are "0xSTART-0xEND\tNAME [MODULE]": by address when kallsyms
 * gave one (aliases), else by name.
 */
static int blacklisted(const struct func *f)
{
	FILE *bl = fopen(BLACKLIST, "re");
	unsigned long start, end;
	char line[512], *tab;
	int found = 0;

	if (!bl)
		return -errno;
	while (!found && fgets(line, sizeof(line), bl)) {
		tab = strchr(line, '\t');
		if (!tab || sscanf(line, "0x%lx-0x%lx", &start, &end) != 2)
			continue;
		if (f->addr && start)
			found = f->addr >= start && f->addr < end;
		else
			found = names(tab + 1, f);
	}
	fclose(bl);
	return found;
}

/* 1 if ftrace can trace @f, 0 if not, -errno if no list can be read. */
static int traceable(const struct func *f, const char **list)
{
	char line[512];
	int err = -ENOENT, found = 0;

	for (size_t i = 0; i < ARRAY_SIZE(filter_lists); i++) {
		FILE *fl = fopen(filter_lists[i], "re");

		if (!fl) {
			if (err == -ENOENT)
				err = -errno;
			continue;
		}
		*list = filter_lists[i];
		while (!found && fgets(line, sizeof(line), fl))
			found = names(line, f);
		fclose(fl);
		return found;
	}
	*list = filter_lists[0];
	return err;
}

/* A name with no '.': compiler-made clones take other parameters. */
static bool has_proto(const struct func *f, struct kfictl_proto *p)
{
	if (strchr(f->name, '.')) {
		memset(p, 0, sizeof(*p));
		snprintf(p->why, sizeof(p->why),
			 "%s is a compiler-made copy: its parameters may differ from the source's",
			 f->name);
		return false;
	}
	return !kfictl_btf_proto(f->module[0] ? f->module : NULL, f->name, p);
}

static const char * const ret_class[] = {
	[KFICTL_RET_VOID] = "void",
	[KFICTL_RET_PTR] = "pointer",
	[KFICTL_RET_BOOL] = "bool",
	[KFICTL_RET_INT] = "integer",
	[KFICTL_RET_OTHER] = "other",
};

/* The smallest and largest value retval should take for an integer. */
static void int_range(const struct kfictl_proto *p, long double *lo,
		      long double *hi)
{
	long double span = 1;

	for (int i = 0; i < p->ret_bits; i++)
		span *= 2;
	*lo = p->ret_signed ? -span / 2 : 0;
	*hi = (p->ret_signed ? span / 2 : span) - 1;
}

/* "integer (int: 32-bit signed, -2147483648 to 2147483647)" */
static void returns(const struct kfictl_proto *p, char *buf, size_t len)
{
	long double lo, hi;

	switch (p->ret) {
	case KFICTL_RET_VOID:
		snprintf(buf, len, "void: retval means nothing, return only skips the body");
		break;
	case KFICTL_RET_PTR:
		snprintf(buf, len, "pointer (%s): retval 0 (NULL) or -1 to -4095 (ERR_PTR)",
			 p->ret_type);
		break;
	case KFICTL_RET_BOOL:
		snprintf(buf, len, "bool (%s): retval 0 or 1", p->ret_type);
		break;
	case KFICTL_RET_INT:
		int_range(p, &lo, &hi);
		snprintf(buf, len, "integer (%s: %d-bit %s, %.0Lf to %.0Lf)",
			 p->ret_type, p->ret_bits,
			 p->ret_signed ? "signed" : "unsigned", lo, hi);
		break;
	case KFICTL_RET_OTHER:
		snprintf(buf, len, "other (%s): retval sets the return register only",
			 p->ret_type);
		break;
	}
}

/* ,"KEY":"S" (or null); just "S" without @key. */
static void json_str(const char *key, const char *s)
{
	if (key)
		printf(",\"%s\":", key);
	if (!s) {
		printf("null");
		return;
	}
	kfictl_json_string(stdout, s);
}

/* A tri-state: 1 true, 0 false, < 0 null (could not tell). */
static void json_bool(const char *key, int v)
{
	printf(",\"%s\":%s", key, v < 0 ? "null" : v ? "true" : "false");
}

#if defined(__aarch64__)
#define ARCH_FTRACE_KPROBES	false
#else
#define ARCH_FTRACE_KPROBES	true
#endif

/* The kind of kprobe the kernel will use: on ftrace's call site or not. */
static const char *probe_kind(int trace)
{
	if (!ARCH_FTRACE_KPROBES)
		return "breakpoint (BRK): arm64 has no kprobes on ftrace, traceable or not";
	if (trace > 0)
		return "on ftrace's call site (KPROBES_ON_FTRACE), as fast as a kprobe gets";
	if (!trace)
		return "breakpoint (int3): not traceable, slower, but it works";
	return "unknown: on ftrace's call site if the function is traceable, else int3";
}

int kfictl_describe(int argc, char **argv)
{
	struct kfictl_proto p;
	struct func f;
	const char *target = NULL, *list = NULL;
	char ret[512], verdict[512], where[128];
	bool json = false, proto, probeable;
	int err, bl, trace;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--json"))
			json = true;
		else if (argv[i][0] == '-' || target)
			return usage_error("describe: unexpected argument '%s'",
					   argv[i]);
		else
			target = argv[i];
	}
	if (!target)
		return usage_error("describe: %s", "no function (SYM or MODULE:SYM)");
	if (parse_target(target, &f))
		return usage_error("describe: '%s' is not SYM or MODULE:SYM",
				   target);
	err = find_func(&f);
	if (err == -ENOENT) {
		if (f.module[0])
			kfictl_err(0, "no function %s in module %s (is it loaded? see %s)",
				   f.name, f.module, KALLSYMS);
		else
			kfictl_err(0, "no function %s in %s", f.name, KALLSYMS);
		return KFICTL_FAIL;
	}
	if (err && err != -ENOTDIR) {
		kfictl_err(err, "cannot read %s", KALLSYMS);
		return KFICTL_FAIL;
	}
	if (err == -ENOTDIR) {
		probeable = false;
		proto = false;
		bl = -EINVAL;
		trace = -EINVAL;
		snprintf(p.why, sizeof(p.why), "not a function");
		snprintf(verdict, sizeof(verdict),
			 "not probeable: %s is not a function (kallsyms type '%c')",
			 f.name, f.type);
	} else {
		proto = has_proto(&f, &p);
		bl = blacklisted(&f);
		trace = traceable(&f, &list);
		/* kfi refuses its own functions (EPERM), whatever the lists say. */
		probeable = bl <= 0 && strcmp(f.module, KFI_MODULE);
		if (!strcmp(f.module, KFI_MODULE))
			snprintf(verdict, sizeof(verdict),
				 "not probeable: %s is part of kfi, which does not probe itself",
				 f.name);
		else if (bl > 0)
			snprintf(verdict, sizeof(verdict),
				 "not probeable: %s is on the kprobe blacklist, arming fails",
				 f.name);
		else if (bl < 0)
			snprintf(verdict, sizeof(verdict),
				 "probeable unless on the kprobe blacklist, which cannot be read");
		else
			snprintf(verdict, sizeof(verdict),
				 "probeable: return, replace and args rules can be armed");
	}
	snprintf(where, sizeof(where), "%s%s", f.module[0] ? "module " : "",
		 f.module[0] ? f.module : "vmlinux");

	if (json) {
		printf("{\"target\":");
		json_str(NULL, target);
		json_str("function", f.name);
		json_str("module", f.module[0] ? f.module : NULL);
		printf(",\"kallsyms_type\":\"%c\",\"symbols\":%d", f.type,
		       f.count);
		json_str("prototype", proto ? p.decl : NULL);
		json_str("prototype_unknown", proto ? NULL : p.why);
		json_str("returns", proto ? ret_class[p.ret] : NULL);
		json_str("return_type", proto ? p.ret_type : NULL);
		if (proto)
			printf(",\"params\":%d,\"variadic\":%s", p.nr_params,
			       p.variadic ? "true" : "false");
		json_bool("blacklisted", bl);
		json_bool("traceable", trace);
		json_bool("probeable", probeable);
		json_str("verdict", verdict);
		printf("}\n");
		return probeable ? KFICTL_OK : KFICTL_FAIL;
	}

	printf("function:  %s (%s, kallsyms type %c", f.name, where, f.type);
	if (f.count > 1)
		printf("; %d functions of this name: kfi probes the first", f.count);
	printf(")\n");
	if (proto) {
		returns(&p, ret, sizeof(ret));
		printf("prototype: %s\n", p.decl);
		printf("returns:   %s\n", ret);
		printf("params:    %d%s\n", p.nr_params,
		       p.variadic ? " and ..." : "");
	} else {
		printf("prototype: unknown: %s\n", p.why);
	}
	if (bl >= 0)
		printf("blacklist: %s (%s)\n", bl ? "yes" : "no", BLACKLIST);
	else if (bl != -EINVAL)
		printf("blacklist: unknown: cannot read %s: %s (%s)\n",
		       BLACKLIST, strerror(-bl), bl == -ENOENT ?
		       "is debugfs mounted there?" : "debugfs is root's");
	if (trace >= 0)
		printf("traceable: %s (%s)\n", trace ? "yes" : "no", list);
	else if (trace != -EINVAL)
		printf("traceable: unknown: cannot read %s: %s (%s)\n",
		       list, strerror(-trace), trace == -ENOENT ?
		       "is tracefs mounted there?" : "tracefs is root's");
	if (probeable)
		printf("probe:     %s\n", probe_kind(trace));
	printf("verdict:   %s\n", verdict);
	return probeable ? KFICTL_OK : KFICTL_FAIL;
}

/*
 * retval as kfi parses it: decimal, hex (a 64-bit pattern) or an errno
 * name with its sign as written. false if it is none of those: the
 * kernel then says why. *@pattern: hex from 0x8000000000000000 up, which
 * *@val shows as negative.
 */
static bool parse_retval(const char *s, long long *val, bool *pattern)
{
	bool neg = *s == '-';
	const char *n = neg ? s + 1 : s;
	char *end;

	*pattern = false;
	if (*n == 'E') {
		for (int e = 1; e < 4096; e++) {
			const char *name = strerrorname_np(e);

			if (name && !strcmp(name, n)) {
				*val = neg ? -e : e;
				return true;
			}
		}
		return false;
	}
	if (!strncmp(n, "0x", 2) || !strncmp(n, "0X", 2)) {
		unsigned long long u;

		errno = 0;
		u = strtoull(n, &end, 16);
		*val = neg ? -(long long)u : (long long)u;
		*pattern = !neg && u > LLONG_MAX;
	} else {
		errno = 0;
		*val = strtoll(s, &end, 10);
	}
	return !errno && end != n && !*end;
}

static void warn_retval(const struct func *f, const struct kfictl_proto *p,
			const char *retval, bool given)
{
	long double lo, hi, val;
	bool pattern;
	long long v;
	const char *dflt = given ? "" : " (the default)";

	if (!parse_retval(retval, &v, &pattern))
		return;
	/* Unsigned, a pattern is its value; signed, its two's complement. */
	val = pattern && !p->ret_signed ? (long double)(unsigned long long)v : v;
	switch (p->ret) {
	case KFICTL_RET_VOID:
		if (given)
			kfictl_err(0, "warning: %s returns void: retval=%s means nothing, a return rule only skips the body",
				   f->name, retval);
		break;
	case KFICTL_RET_PTR:
		if (v && (v < -4095 || v > -1))
			kfictl_err(0, "warning: %s returns a pointer (%s): retval=%s%s is neither 0 (NULL) nor -1 to -4095 (ERR_PTR), callers will dereference it",
				   f->name, p->ret_type, retval, dflt);
		break;
	case KFICTL_RET_BOOL:
		if (v != 0 && v != 1)
			kfictl_err(0, "warning: %s returns %s: retval=%s%s is not 0 or 1",
				   f->name, p->ret_type, retval, dflt);
		break;
	case KFICTL_RET_INT:
		int_range(p, &lo, &hi);
		/* unsigned long holds -errno by convention (IS_ERR_VALUE). */
		if (!p->ret_signed && p->ret_bits == 64 && v < 0 && v >= -4095)
			break;
		if (val < lo || val > hi)
			kfictl_err(0, "warning: %s returns %s (%d-bit %s): retval=%s%s is out of range (%.0Lf to %.0Lf)",
				   f->name, p->ret_type, p->ret_bits,
				   p->ret_signed ? "signed" : "unsigned", retval,
				   dflt, lo, hi);
		break;
	case KFICTL_RET_OTHER:
		if (given)
			kfictl_err(0, "warning: %s returns %s: retval=%s sets the return register only",
				   f->name, p->ret_type, retval);
		break;
	}
}

/* The highest N of "N=VALUE N=VALUE"; 0 if none parses. */
static long highest_arg(const char *args)
{
	long n, max = 0;
	char *end;

	for (const char *s = args; *s; ) {
		s += strspn(s, " \t");
		n = strtol(s, &end, 10);
		if (end != s && *end == '=' && n > max)
			max = n;
		s += strcspn(s, " \t");
	}
	return max;
}

int kfictl_add_check(const char *target, const char *action,
		     const char *retval, const char *args, bool force)
{
	struct kfictl_proto p;
	struct func f;
	long n;

	if (!action)
		action = "return";
	if (!target || parse_target(target, &f) || find_func(&f) ||
	    !has_proto(&f, &p))
		return KFICTL_OK;
	if (!strcmp(action, "return") || !strcmp(action, "replace"))
		warn_retval(&f, &p, retval ?: "-ENOMEM", retval);
	if (strcmp(action, "args") || !args || p.variadic)
		return KFICTL_OK;
	n = highest_arg(args);
	if (n <= p.nr_params || force)
		return KFICTL_OK;
	kfictl_err(0, "add: args=%s: %s has %d parameter%s, not %ld: %s (--force writes argument register %ld anyway)",
		   args, f.name, p.nr_params, p.nr_params == 1 ? "" : "s", n,
		   p.decl, n);
	return KFICTL_USAGE;
}
