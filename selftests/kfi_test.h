/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers shared by kfi's selftests: configfs reads and writes that report
 * errno, rule set-up and teardown, the test target module's interface, and a
 * main() that honours KFI_TEST_FILTER (make check T=PATTERN).
 *
 * Include after kselftest_harness.h, and end the test file with a main()
 * that returns kfi_test_main(argc, argv), instead of TEST_HARNESS_MAIN.
 */
#ifndef KFI_TEST_H
#define KFI_TEST_H

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define KFI_CFS		"/sys/kernel/config/kfi"
#define KFI_RULES	KFI_CFS "/rules"
#define KFI_TT		"/sys/kernel/debug/kfi_test_target"

/* Writes @val to @path in one write(2). Returns 0 or -errno. */
static inline int kfi_write(const char *path, const char *val)
{
	int fd = open(path, O_WRONLY);
	ssize_t n;
	int err = 0;

	if (fd < 0)
		return -errno;
	n = write(fd, val, strlen(val));
	if (n < 0)
		err = -errno;
	close(fd);
	return err;
}

/* Writes @len bytes, which may hold NULs. Returns 0 or -errno. */
static inline int kfi_write_raw(const char *path, const void *val, size_t len)
{
	int fd = open(path, O_WRONLY);
	int err = 0;

	if (fd < 0)
		return -errno;
	if (write(fd, val, len) < 0)
		err = -errno;
	close(fd);
	return err;
}

/* Reads @path into @buf without the trailing newline. -errno on error. */
static inline int kfi_read(const char *path, char *buf, size_t len)
{
	int fd = open(path, O_RDONLY);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = read(fd, buf, len - 1);
	close(fd);
	if (n < 0)
		return -errno;
	buf[n] = '\0';
	if (n && buf[n - 1] == '\n')
		buf[--n] = '\0';
	return n;
}

static inline long kfi_read_long(const char *path)
{
	char buf[64];

	if (kfi_read(path, buf, sizeof(buf)) < 0)
		return -1;
	return strtol(buf, NULL, 0);
}

static inline const char *kfi_path(char *buf, size_t len, const char *rule,
				   const char *attr)
{
	snprintf(buf, len, KFI_RULES "/%s%s%s", rule, attr ? "/" : "",
		 attr ? attr : "");
	return buf;
}

static inline int kfi_rule_set(const char *rule, const char *attr,
			       const char *val)
{
	char p[256];

	return kfi_write(kfi_path(p, sizeof(p), rule, attr), val);
}

static inline int kfi_rule_get(const char *rule, const char *attr, char *buf,
			       size_t len)
{
	char p[256];

	return kfi_read(kfi_path(p, sizeof(p), rule, attr), buf, len);
}

static inline long kfi_rule_long(const char *rule, const char *attr)
{
	char p[256];

	return kfi_read_long(kfi_path(p, sizeof(p), rule, attr));
}

static inline int kfi_rule_new(const char *rule)
{
	char p[256];

	return mkdir(kfi_path(p, sizeof(p), rule, NULL), 0755) ? -errno : 0;
}

static inline int kfi_rule_rm(const char *rule)
{
	char p[256];

	return rmdir(kfi_path(p, sizeof(p), rule, NULL)) ? -errno : 0;
}

/*
 * Makes a rule from "attr=value" pairs, each written in order, e.g.
 * kfi_rule_make("r", "target=kfi_tt_ret", "retval=-EIO", "enabled=1", NULL).
 * Returns 0, or the first -errno (with the attribute in *failed).
 */
static inline int kfi_rule_make(const char *rule, ...)
{
	const char *kv;
	va_list ap;
	int err;

	err = kfi_rule_new(rule);
	if (err)
		return err;
	va_start(ap, rule);
	while ((kv = va_arg(ap, const char *)) != NULL) {
		char attr[64];
		const char *eq = strchr(kv, '=');

		if (!eq || eq - kv >= (long)sizeof(attr)) {
			err = -EINVAL;
			break;
		}
		memcpy(attr, kv, eq - kv);
		attr[eq - kv] = '\0';
		err = kfi_rule_set(rule, attr, eq + 1);
		if (err)
			break;
	}
	va_end(ap);
	return err;
}

/* Removes every rule: for teardowns, which must not fail. */
static inline void kfi_rules_clear(void)
{
	DIR *d = opendir(KFI_RULES);
	struct dirent *e;

	if (!d)
		return;
	while ((e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.')
			continue;
		kfi_rule_set(e->d_name, "enabled", "0");
		kfi_rule_rm(e->d_name);
	}
	closedir(d);
}

/* How many rules exist, or -1 if the rules directory cannot be read. */
static inline int kfi_rules_count(void)
{
	DIR *d = opendir(KFI_RULES);
	struct dirent *e;
	int n = 0;

	if (!d)
		return -1;
	while ((e = readdir(d)) != NULL)
		n += e->d_name[0] != '.';
	closedir(d);
	return n;
}

/* Reads @fd to its end (or @len - 1 bytes) into @buf, and closes it. */
static inline void kfi_drain(int fd, char *buf, size_t len)
{
	size_t n = 0;
	ssize_t r;

	while (n < len - 1 && (r = read(fd, buf + n, len - 1 - n)) > 0)
		n += r;
	buf[n] = '\0';
	close(fd);
}

static inline bool kfi_module_loaded(const char *name)
{
	char p[128];
	struct stat st;

	snprintf(p, sizeof(p), "/sys/module/%s", name);
	return stat(p, &st) == 0;
}

/* Loads a module the way an administrator would. Returns 0 or -1. */
static inline int kfi_module_load(const char *name)
{
	char cmd[128];

	if (kfi_module_loaded(name))
		return 0;
	snprintf(cmd, sizeof(cmd), "modprobe %s", name);
	return system(cmd) == 0 && kfi_module_loaded(name) ? 0 : -1;
}

/*
 * Loads one of kfi's modules (installed under extra/) with @params, as
 * insmod does. Returns 0 or -errno: the error of the module's init.
 */
static inline int kfi_module_insmod(const char *name, const char *params)
{
	char p[256];
	struct utsname u;
	int fd, err = 0;

	uname(&u);
	snprintf(p, sizeof(p), "/lib/modules/%s/extra/%s.ko", u.release, name);
	fd = open(p, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (syscall(SYS_finit_module, fd, params ?: "", 0))
		err = -errno;
	close(fd);
	return err;
}

/* Unloads a module. Returns 0 or -errno (EBUSY, EWOULDBLOCK: in use). */
static inline int kfi_module_unload(const char *name)
{
	return syscall(SYS_delete_module, name, O_NONBLOCK) ? -errno : 0;
}


#define KFI_KPROBES_LIST	"/sys/kernel/debug/kprobes/list"
#define KFI_FTRACE_LIST		"/sys/kernel/tracing/enabled_functions"

/*
 * Copies to @out the first line of @path that names function @sym: first on
 * the line if @first (ftrace's list, whose lines also name trampolines, by
 * whatever symbol their address falls in), anywhere as a word otherwise
 * (kprobes' list). Returns 1 when there is one, 0 when there is none, -errno
 * when @path cannot be read.
 */
static inline int kfi_list_line(const char *path, const char *sym,
				bool first, char *out, size_t len)
{
	FILE *f = fopen(path, "r");
	size_t n = strlen(sym);
	char line[512];
	bool found = false;

	if (!f)
		return -errno;
	while (!found && fgets(line, sizeof(line), f)) {
		/* kprobes: "ADDR  k  SYM+0x0  [MOD]"; ftrace: "SYM [MOD] (N) ..." */
		const char *p = strstr(line, sym);

		for (; p && !found; p = strstr(p + 1, sym))
			found = (p == line ||
				 (!first && (p[-1] == ' ' || p[-1] == '\t'))) &&
				(p[n] == '+' || p[n] == ' ' || p[n] == '\t');
	}
	fclose(f);
	if (found)
		snprintf(out, len, "%s", line);
	return found;
}

/* Where kfi's probe on function @sym is. */
enum kfi_probe_on {
	KFI_PROBE_NONE		= 0,
	KFI_PROBE_FTRACE	= 1,	/* kfi's ftrace_ops */
	KFI_PROBE_KPROBE	= 2,	/* a kprobe (kfi's or another's) */
	KFI_PROBE_UNKNOWN	= 4,	/* a list cannot be read: alone */
};

/*
 * On ftrace's list, kfi's ftrace_ops shows as an ip-modifying user (" I")
 * that is not kprobes' (x86_64 also names kfi_site_ftrace; arm64, without
 * per-ops trampolines, names ftrace's own caller). Meant for the test
 * modules' functions, which no other ip-modifying user has unless a test
 * puts one there.
 */
static inline int kfi_probe_on(const char *sym)
{
	char line[512];
	int on = KFI_PROBE_NONE, found;

	found = kfi_list_line(KFI_FTRACE_LIST, sym, true, line, sizeof(line));
	if (found < 0)
		return KFI_PROBE_UNKNOWN;
	if (found && strstr(line, " I") &&
	    !strstr(line, "kprobe_ftrace_handler"))
		on |= KFI_PROBE_FTRACE;
	found = kfi_list_line(KFI_KPROBES_LIST, sym, false, line, sizeof(line));
	if (found < 0)
		return KFI_PROBE_UNKNOWN;
	if (found)
		on |= KFI_PROBE_KPROBE;
	return on;
}

/* The kinds of kprobes on function @sym, from kprobes' list. */
enum kfi_kprobe_kind {
	KFI_KPROBE_ENTRY	= 1,	/* a kprobe ("k") */
	KFI_KPROBE_RET		= 2,	/* a kretprobe ("r") */
};

/* The kinds of kprobes at the entry of @sym (an OR of them), or -errno. */
static inline int kfi_kprobe_kinds(const char *sym)
{
	FILE *f = fopen(KFI_KPROBES_LIST, "r");
	char line[512], kind, name[256];
	size_t n = strlen(sym);
	unsigned long addr;
	int kinds = 0;

	if (!f)
		return -errno;
	/* "ADDR  k  SYM+0x0  [MOD]  [FTRACE]", one line per probe */
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%lx %c %255s", &addr, &kind, name) != 3 ||
		    strncmp(name, sym, n) || strcmp(name + n, "+0x0"))
			continue;
		if (kind == 'k')
			kinds |= KFI_KPROBE_ENTRY;
		else if (kind == 'r')
			kinds |= KFI_KPROBE_RET;
	}
	fclose(f);
	return kinds;
}

/* Whether the kinds of kprobes on @sym become @kinds within 10 s. */
static inline bool kfi_kprobe_kinds_become(const char *sym, int kinds)
{
	int i;

	for (i = 0; i < 1000; i++) {
		if (kfi_kprobe_kinds(sym) == kinds)
			return true;
		usleep(10000);
	}
	return false;
}

/*
 * Probes nothing needs any more are removed in batches, shortly after the
 * last rule on them went: whether @sym lost its probe within 10 s.
 */
static inline bool kfi_probe_gone(const char *sym)
{
	int i;

	for (i = 0; i < 1000; i++) {
		int on = kfi_probe_on(sym);

		if (on == KFI_PROBE_NONE)
			return true;
		if (on == KFI_PROBE_UNKNOWN)
			return false;
		usleep(10000);
	}
	return false;
}

/*
 * Calls a test target function once through @file of the test target
 * ("call": from this process; "irq": in hard interrupt context).
 * Returns 0 and fills *ret and *ran, or -errno.
 */
static inline int kfi_tt_call_in(const char *file, const char *call,
				 long *ret, unsigned long *ran)
{
	char path[128];
	int fd;
	char buf[128];
	ssize_t n;
	int err = 0;

	snprintf(path, sizeof(path), KFI_TT "/%s", file);
	fd = open(path, O_RDWR);
	if (fd < 0)
		return -errno;
	if (write(fd, call, strlen(call)) < 0) {
		err = -errno;
	} else {
		n = pread(fd, buf, sizeof(buf) - 1, 0);
		if (n < 0) {
			err = -errno;
		} else {
			buf[n] = '\0';
			if (sscanf(buf, "ret=%ld ran=%lu", ret, ran) != 2)
				err = -EPROTO;
		}
	}
	close(fd);
	return err;
}

/* Calls a test target function once from this process ("FUNC ARG..."). */
static inline int kfi_tt_call(const char *call, long *ret, unsigned long *ran)
{
	return kfi_tt_call_in("call", call, ret, ran);
}

/* kfi's return hooks per function: max(64, 8 x possible CPUs), or -1. */
static inline long kfi_ret_pool_size(void)
{
	char buf[64];
	int lo, hi;
	long n;

	if (kfi_read("/sys/devices/system/cpu/possible", buf, sizeof(buf)) < 0)
		return -1;
	n = sscanf(buf, "%d-%d", &lo, &hi) == 2 ? hi - lo + 1 : 1;
	return n * 8 > 64 ? n * 8 : 64;
}

/* kfi_tt_call() of "FUNC X". */
static inline int kfi_tt(const char *func, long x, long *ret,
			 unsigned long *ran)
{
	char call[96];

	snprintf(call, sizeof(call), "%s %ld", func, x);
	return kfi_tt_call(call, ret, ran);
}

struct kfi_tt_loop {
	long calls;
	unsigned long differed;	/* results other than the argument */
	unsigned long ran;	/* bodies that ran */
};

/* Calls FUNC(X) @count times in the kernel. Returns 0 or -errno. */
static inline int kfi_tt_loop(const char *func, long count, long x,
			      struct kfi_tt_loop *res)
{
	int fd = open(KFI_TT "/loop", O_RDWR);
	char buf[128];
	ssize_t n;
	int err = 0;

	if (fd < 0)
		return -errno;
	n = snprintf(buf, sizeof(buf), "%s %ld %ld", func, count, x);
	if (write(fd, buf, n) < 0) {
		err = -errno;
	} else {
		n = pread(fd, buf, sizeof(buf) - 1, 0);
		if (n < 0) {
			err = -errno;
		} else {
			buf[n] = '\0';
			if (sscanf(buf, "calls=%ld differed=%lu ran=%lu",
				   &res->calls, &res->differed,
				   &res->ran) != 3)
				err = -EPROTO;
		}
	}
	close(fd);
	return err;
}

/*
 * Keeps only the tests whose "fixture.variant.test" matches @pats: a
 * comma-separated list of shell patterns or substrings, any of which may
 * match.
 */
static inline bool kfi_test_matches(const char *pats, const char *f,
				    const char *v, const char *t)
{
	char full[512], pat[256];
	const char *p, *comma;

	snprintf(full, sizeof(full), "%s%s%s.%s", f, *v ? "." : "", v, t);
	for (p = pats; *p; p = comma + 1) {
		comma = strchrnul(p, ',');
		snprintf(pat, sizeof(pat), "%.*s", (int)(comma - p), p);
		if (*pat && (!fnmatch(pat, full, 0) || strstr(full, pat)))
			return true;
		if (!*comma)
			break;
	}
	return false;
}

static inline void kfi_test_filter(const char *pat)
{
	struct __fixture_variant_metadata no_variant = { .name = "" };
	struct __fixture_metadata *f;

	for (f = __fixture_list; f; f = f->next) {
		struct __test_metadata *t, *next, *head = NULL, *tail = NULL;

		for (t = f->tests; t; t = next) {
			struct __fixture_variant_metadata *v;
			bool keep = false;

			next = t->next;
			for (v = f->variant ?: &no_variant; v; v = v->next)
				keep |= kfi_test_matches(pat, f->name, v->name,
							 t->name);
			if (!keep)
				continue;
			t->next = NULL;
			if (tail) {
				tail->next = t;
				t->prev = tail;
			} else {
				head = t;
			}
			tail = t;
		}
		if (head)
			head->prev = tail;
		f->tests = head;
	}
}

/*
 * Runs the tests that KFI_TEST_FILTER selects (all when unset). With
 * KFI_STRESS_SECONDS set (make stress), a test may take several times that
 * long: the harness's timeout grows with it.
 */
static inline int kfi_test_main(int argc, char **argv)
{
	const char *pat = getenv("KFI_TEST_FILTER");
	const char *stress = getenv("KFI_STRESS_SECONDS");
	struct __fixture_metadata *f;
	struct __test_metadata *t;

	if (pat && *pat)
		kfi_test_filter(pat);
	for (f = __fixture_list; stress && *stress && f; f = f->next)
		for (t = f->tests; t; t = t->next)
			if (t->timeout < 60 + 3 * atoi(stress))
				t->timeout = 60 + 3 * atoi(stress);
	return test_harness_run(argc, argv);
}

/*
 * Seconds each time-bounded test (stress, fuzzing) spends: KFI_STRESS_SECONDS
 * (make stress sets it), else @dflt. Scaled by @share, at least 0.1 s.
 */
static inline double kfi_stress_seconds(double dflt, double share)
{
	const char *env = getenv("KFI_STRESS_SECONDS");
	double s = env && *env ? strtod(env, NULL) : dflt;

	s *= share;
	return s < 0.1 ? 0.1 : s;
}

static inline double kfi_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* /dev/kmsg, positioned after the last record: for kfi_kmsg_report(). */
static inline int kfi_kmsg_open(void)
{
	int fd = open("/dev/kmsg", O_RDONLY | O_NONBLOCK | O_CLOEXEC);

	if (fd >= 0)
		lseek(fd, 0, SEEK_END);
	return fd;
}

/*
 * Whether the kernel logged a report (a warning, bug, oops, lockdep, KASAN
 * or similar) since kfi_kmsg_open() or the last call; the first such line
 * goes into @line. The patterns are those make check fails a run on.
 */
static inline bool kfi_kmsg_report(int fd, char *line, size_t len)
{
	static const char * const pats[] = {
		"WARNING:", "BUG:", "Oops", "Kernel panic",
		"general protection fault", "KASAN", "UBSAN",
		"possible circular locking", "possible recursive locking",
		"inconsistent lock state", "suspicious RCU usage",
		"soft lockup", "sleeping function called", "kernel BUG",
	};
	bool found = false;
	char rec[2048];
	ssize_t n;

	if (fd < 0)
		return false;
	while ((n = read(fd, rec, sizeof(rec) - 1)) > 0 || (n < 0 && errno == EPIPE)) {
		if (n <= 0)
			continue;	/* EPIPE: records lost, read on */
		rec[n] = '\0';
		for (size_t i = 0; !found && i < ARRAY_SIZE(pats); i++) {
			if (strstr(rec, pats[i])) {
				snprintf(line, len, "%s", rec);
				found = true;
			}
		}
	}
	return found;
}

#endif /* KFI_TEST_H */
