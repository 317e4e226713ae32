// SPDX-License-Identifier: GPL-2.0
/*
 * The in-guest driver of make bench: sets up each arm (a bare probe through
 * kfi_bench.ko's debugfs files, or kfi rules through configfs, as a user
 * would), has kfi_bench.ko time batches of calls, and prints one JSON line
 * per measurement on stdout. The host (tools/bench.py) makes the table.
 *
 *   kfi_bench_run [--quick] [--seed N]   run every arm
 *   kfi_bench_run [--quick] --list       the arms it would report, one a line
 *   kfi_bench_run --arms A,B,...         the main block's arms A, B, ...
 *                                        and their references, nothing else
 *
 * Lines: {"type":"sample",...} one per arm and round (ns_per_call: the
 * median of the round's batches); {"type":"wall",...} one per control-plane
 * measurement (ms); {"type":"memory",...}; {"type":"env",...} once, first;
 * {"type":"error",...} when something failed; {"type":"done"} last.
 *
 * The per-call arms run in blocks; within a block every round runs each arm
 * once, in a new shuffled order, each after a discarded warm-up batch.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#define RULES		"/sys/kernel/config/kfi/rules"
#define BENCH		"/sys/kernel/debug/kfi_bench"
#define BENCH_CFS	"/sys/kernel/config/kfi_bench"
#define TARGET		"kfi_bench_target"
#define TARGET_NOTRACE	"kfi_bench_target_notrace"
#define NR_OTHERS	1024	/* kfi_bench_f000 ... kfi_bench_f3ff */

/* Batch length the calls are calibrated to, and batches per arm and round. */
#define BATCH_NS	2000000.0
#define MIN_CALLS	16L
#define MAX_CALLS	10000000L

static bool quick;
static int failures;

/* Sizes of one run: full, or --quick (seconds, for make check). */
struct plan {
	int rounds;		/* of the main block */
	int bg_rounds;		/* of the blocks with many other rules */
	int batches;		/* timed batches per arm and round */
	int bg_many, bg_some;	/* rules on other functions in those blocks */
	int cp_rounds;		/* control plane: arm and disarm N rules, */
	int cp_n[3];		/* the largest N in the first round only */
	int same_rounds;	/* adding a rule next to an armed one */
	int same_n[2];		/* filtered-out rules on the target */
};

static const struct plan full_plan = {
	.rounds = 31, .bg_rounds = 11, .batches = 3,
	.bg_many = 1000, .bg_some = 100,
	.cp_rounds = 3, .cp_n = { 1, 100, 1000 }, .same_rounds = 31,
	.same_n = { 16, 64 },
};

static const struct plan quick_plan = {
	.rounds = 3, .bg_rounds = 2, .batches = 2,
	.bg_many = 10, .bg_some = 3,
	.cp_rounds = 1, .cp_n = { 1, 3, 10 }, .same_rounds = 3,
	.same_n = { 2, 4 },
};

static const struct plan *plan;

static void report_error(const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	failures++;
	printf("{\"type\":\"error\",\"message\":\"%s\"}\n", msg);
	fflush(stdout);
}

static void json_str(const char *key, const char *val, bool comma)
{
	const char *c;

	printf("\"%s\":\"", key);
	for (c = val; *c; c++) {
		if (*c == '"' || *c == '\\')
			printf("\\%c", *c);
		else if ((unsigned char)*c >= 0x20)
			putchar(*c);
	}
	printf("\"%s", comma ? "," : "");
}

/* "key":value, for JSON lines built a field at a time. */
static void json_int(const char *key, long v, bool comma)
{
	printf("\"%s\":%ld%s", key, v, comma ? "," : "");
}

static void json_num(const char *key, double v, bool comma)
{
	printf("\"%s\":%.3f%s", key, v, comma ? "," : "");
}

/* Starts a line: {"type":"TYPE", */
static void json_begin(const char *type)
{
	putchar('{');
	json_str("type", type, true);
}

static void json_end(void)
{
	printf("}\n");
	fflush(stdout);
}

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static int write_file(const char *path, const char *val)
{
	int fd = open(path, O_WRONLY);
	int err = 0;

	if (fd < 0)
		return -errno;
	if (write(fd, val, strlen(val)) < 0)
		err = -errno;
	close(fd);
	return err;
}

static int read_file(const char *path, char *buf, size_t len)
{
	int fd = open(path, O_RDONLY);
	ssize_t n;

	*buf = '\0';
	if (fd < 0)
		return -errno;
	n = read(fd, buf, len - 1);
	close(fd);
	if (n < 0)
		return -errno;
	buf[n] = '\0';
	while (n && buf[n - 1] == '\n')
		buf[--n] = '\0';
	return 0;
}

/* Rules ------------------------------------------------------------------ */

static int rule_set(const char *rule, const char *attr, const char *val)
{
	char p[256];
	int err;

	snprintf(p, sizeof(p), RULES "/%s/%s", rule, attr);
	err = write_file(p, val);
	if (err)
		report_error("rule %s: %s=%s: %s", rule, attr, val, strerror(-err));
	return err;
}

/* Makes a disarmed rule from "attr=value" pairs. */
static int rule_make(const char *rule, ...)
{
	const char *kv;
	char p[256];
	va_list ap;
	int err = 0;

	snprintf(p, sizeof(p), RULES "/%s", rule);
	if (mkdir(p, 0755)) {
		report_error("mkdir %s: %s", p, strerror(errno));
		return -errno;
	}
	va_start(ap, rule);
	while (!err && (kv = va_arg(ap, const char *)) != NULL) {
		char attr[32];
		const char *eq = strchr(kv, '=');

		snprintf(attr, sizeof(attr), "%.*s", (int)(eq - kv), kv);
		err = rule_set(rule, attr, eq + 1);
	}
	va_end(ap);
	return err;
}

static int rule_arm(const char *rule, bool on)
{
	return rule_set(rule, "enabled", on ? "1" : "0");
}

static void rule_rm(const char *rule)
{
	char p[256];

	snprintf(p, sizeof(p), RULES "/%s", rule);
	rule_set(rule, "enabled", "0");
	if (rmdir(p))
		report_error("rmdir %s: %s", p, strerror(errno));
}

/*
 * A rule that lets every call through: it listens to pid 1 only (init, which
 * calls none of the targets), the cheapest selective filter.
 */
static int rule_filtered(const char *rule, const char *target)
{
	char t[64];

	snprintf(t, sizeof(t), "target=%s", target);
	return rule_make(rule, t, "pid=1", NULL);
}

/*
 * Rule @i of many that let every call through, each aimed elsewhere: at a
 * pid of its own (no process has it) or at a command name of its own.
 */
static int rule_filtered_mixed(const char *rule, const char *target, int i)
{
	char t[64], who[32];

	snprintf(t, sizeof(t), "target=%s", target);
	if (i % 2)
		snprintf(who, sizeof(who), "comm=kfi-nobody%02d", i);
	else
		snprintf(who, sizeof(who), "pid=%d", 4000000 + i);
	return rule_make(rule, t, who, NULL);
}

static void other_name(char *buf, size_t len, int i)
{
	snprintf(buf, len, "kfi_bench_f%03x", i);
}

/* Rules bgNNNN, filtered out, on the other functions [from, to). */
static int others_make(const char *prefix, int from, int to)
{
	char rule[32], target[32];
	int i, err = 0;

	for (i = from; i < to && !err; i++) {
		snprintf(rule, sizeof(rule), "%s%04d", prefix, i);
		other_name(target, sizeof(target), i % NR_OTHERS);
		err = rule_filtered(rule, target);
	}
	return err;
}

static int others_arm(const char *prefix, int from, int to, bool on)
{
	char rule[32];
	int i, err = 0;

	for (i = from; i < to && !err; i++) {
		snprintf(rule, sizeof(rule), "%s%04d", prefix, i);
		err = rule_arm(rule, on);
	}
	return err;
}

static void others_rm(const char *prefix, int from, int to)
{
	char rule[32];
	int i;

	for (i = from; i < to; i++) {
		snprintf(rule, sizeof(rule), "%s%04d", prefix, i);
		rule_rm(rule);
	}
}

/* Arms ------------------------------------------------------------------- */

enum kind {
	BARE,		/* a bare mechanism of kfi_bench.ko (or none) */
	RULE,		/* one kfi rule, made from @attrs */
	SAME,		/* @n filtered-out rules on the target */
	HOTFIX,		/* kfi_bench.ko's hotfix @probe of the target */
};

struct arm {
	const char *name;
	const char *ref;	/* the arm its ratio is to, or NULL */
	enum kind kind;
	const char *func;	/* "trace" or "notrace" */
	const char *cpus;	/* "one" or "all" */
	const char *probe;	/* BARE, HOTFIX: kfi_bench's probe name */
	const char *attrs[6];	/* RULE: "attr=value", without target */
	int n;			/* SAME: from the plan, by @name */
	bool mixed;		/* SAME: by pid and by comm, not init's */
	long calls;		/* calibrated per batch */
	char buf[32];		/* SAME: the name, with n */
};

#define A_BARE(_name, _ref, _probe, _func, _cpus) \
	{ .name = _name, .ref = _ref, .kind = BARE, .probe = _probe, \
	  .func = _func, .cpus = _cpus }
#define A_RULE(_name, _ref, _func, _cpus, ...) \
	{ .name = _name, .ref = _ref, .kind = RULE, .func = _func, \
	  .cpus = _cpus, .attrs = { __VA_ARGS__ } }

static struct arm main_arms[] = {
	/* references: the bare mechanisms */
	A_BARE("ref.none", NULL, "none", "trace", "one"),
	A_BARE("ref.kprobe", "ref.none", "kprobe", "trace", "one"),
	A_BARE("ref.kprobe_ipmod", "ref.none", "kprobe_ipmod", "trace", "one"),
	A_BARE("ref.kprobe_int3", "ref.none", "kprobe_int3", "notrace", "one"),
	A_BARE("ref.kretprobe", "ref.none", "kretprobe", "trace", "one"),
	A_BARE("ref.kprobe_kretprobe", "ref.kretprobe", "kprobe_kretprobe",
	       "trace", "one"),
	/* below kprobes on ftrace: an ftrace_ops of kfi_bench's own */
	A_BARE("ref.ftrace", "ref.kprobe", "ftrace", "trace", "one"),
	A_BARE("ref.ftrace_ipmod", "ref.kprobe_ipmod", "ftrace_ipmod", "trace",
	       "one"),
	/* kfi */
	A_RULE("kfi.filtered", "ref.kprobe", "trace", "one", "pid=1"),
	A_RULE("kfi.filtered_int3", "ref.kprobe_int3", "notrace", "one",
	       "pid=1"),
	A_RULE("kfi.return", "ref.kprobe_ipmod", "trace", "one", "retval=-5"),
	A_RULE("kfi.probability_1", "ref.kprobe_ipmod", "trace", "one",
	       "probability=1"),
	A_RULE("kfi.interval_100", "ref.kprobe_ipmod", "trace", "one",
	       "interval=100"),
	A_RULE("kfi.replace", "ref.kprobe_kretprobe", "trace", "one",
	       "action=replace", "retval=7"),
	A_RULE("kfi.args", "ref.kprobe", "trace", "one", "action=args",
	       "args=1=7"),
	{ .name = "kfi.hotfix", .ref = "ref.kprobe_ipmod", .kind = HOTFIX,
	  .probe = "hotfix", .func = "trace", .cpus = "one" },
	{ .name = "kfi.hotfix_plain", .ref = "ref.kprobe_kretprobe",
	  .kind = HOTFIX, .probe = "hotfix_plain", .func = "trace",
	  .cpus = "one" },
	/* scaling: non-matching rules on the same function */
	{ .name = "scale.same_", .ref = "kfi.filtered", .kind = SAME,
	  .n = 0, .func = "trace", .cpus = "one" },
	{ .name = "scale.same_", .ref = "kfi.filtered", .kind = SAME,
	  .n = 1, .func = "trace", .cpus = "one" },
	{ .name = "scale.mixed_", .ref = "kfi.filtered", .kind = SAME,
	  .n = 1, .mixed = true, .func = "trace", .cpus = "one" },
	/* scaling: every vCPU at once against one (ns per call per CPU) */
	A_BARE("cpu.none.one", NULL, "none", "trace", "one"),
	A_BARE("cpu.none.all", "cpu.none.one", "none", "trace", "all"),
	A_BARE("cpu.kprobe_ipmod.one", NULL, "kprobe_ipmod", "trace", "one"),
	A_BARE("cpu.kprobe_ipmod.all", "cpu.kprobe_ipmod.one", "kprobe_ipmod",
	       "trace", "all"),
	A_RULE("cpu.return.one", NULL, "trace", "one", "retval=-5"),
	A_RULE("cpu.return.all", "cpu.return.one", "trace", "all",
	       "retval=-5"),
};

/* With many rules on other functions: named NAME@otherN at run time. */
static struct arm bg_arms[] = {
	A_BARE("ref.none", NULL, "none", "trace", "one"),
	A_BARE("ref.kprobe", "ref.none", "kprobe", "trace", "one"),
	A_RULE("kfi.filtered", "ref.kprobe", "trace", "one", "pid=1"),
};

#define NR(a)	(sizeof(a) / sizeof((a)[0]))

/*
 * Retried while -EBUSY: a rule just removed from the target keeps its probe
 * until kfi's reaper runs, and kfi's ftrace_ops refuses ip-changing kprobes
 * and ftrace_ops beside it until then.
 */
static int probe_set(const char *probe)
{
	int err = write_file(BENCH "/probe", probe);
	int tries;

	for (tries = 0; err == -EBUSY && tries < 100; tries++) {
		usleep(20000);
		err = write_file(BENCH "/probe", probe);
	}

	if (err)
		report_error("probe %s: %s", probe, strerror(-err));
	return err;
}

static int arm_setup(const struct arm *a)
{
	char rule[16], t[64];
	const char *target = strcmp(a->func, "notrace") ? TARGET : TARGET_NOTRACE;
	int i, err = 0;

	switch (a->kind) {
	case BARE:
		return probe_set(a->probe);
	case HOTFIX:
		return probe_set(a->probe);
	case RULE:
		snprintf(t, sizeof(t), "target=%s", target);
		err = rule_make("arm", t, a->attrs[0] ?: "verbose=0",
				a->attrs[1] ?: "verbose=0",
				a->attrs[2] ?: "verbose=0", NULL);
		return err ?: rule_arm("arm", true);
	case SAME:
		for (i = 0; i < a->n && !err; i++) {
			snprintf(rule, sizeof(rule), "same%02d", i);
			err = a->mixed ? rule_filtered_mixed(rule, target, i) :
					 rule_filtered(rule, target);
			if (!err)
				err = rule_arm(rule, true);
		}
		return err;
	}
	return -EINVAL;
}

#define KPROBES_LIST	"/sys/kernel/debug/kprobes/list"
#define FTRACE_LIST	"/sys/kernel/tracing/enabled_functions"

/*
 * How many lines of the list at @path name a function that starts with
 * @prefix and, if @n >= 0, ends with a number below @n; -1 if unreadable.
 */
static int probed_in(const char *path, const char *prefix, int n)
{
	size_t len = strlen(prefix);
	FILE *f = fopen(path, "r");
	char line[512];
	const char *p;
	int count = 0, i;

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		p = strstr(line, prefix);
		if (p && (n < 0 || (sscanf(p + len, "%d", &i) == 1 && i < n)))
			count++;
	}
	fclose(f);
	return count;
}

/*
 * Waits until no probe is left on the functions probed_in() matches: kfi's
 * reaper unregisters them shortly after the last rule on them went, in the
 * background. 0, or -1 after 10 s.
 */
static int probes_gone(const char *prefix, int n)
{
	int i;

	for (i = 0; i < 20000; i++) {
		if (!probed_in(FTRACE_LIST, prefix, n) &&
		    !probed_in(KPROBES_LIST, prefix, n))
			return 0;
		usleep(500);
	}
	return -1;
}

static void arm_teardown(const struct arm *a)
{
	char rule[16];
	int i;

	switch (a->kind) {
	case BARE:
	case HOTFIX:
		probe_set("none");
		break;
	case RULE:
		rule_rm("arm");
		break;
	case SAME:
		for (i = 0; i < a->n; i++) {
			snprintf(rule, sizeof(rule), "same%02d", i);
			rule_rm(rule);
		}
		break;
	}
	/*
	 * Before the next arm's probe: a bare kprobe put beside kfi's that
	 * the reaper then removes hits a 6.1 kprobes bug when it goes (see
	 * Documentation/kfi.rst, Gotchas).
	 */
	if (a->kind != BARE && probes_gone(TARGET, -1))
		report_error("%s: kfi's probes on the target stayed", a->name);
}

struct batch {
	double ns;		/* per call (per CPU) */
	long calls;
	int cpus;
	unsigned long ran, fixed;
};

static int batch(const struct arm *a, long calls, struct batch *b)
{
	int fd = open(BENCH "/run", O_RDWR);
	char buf[128];
	unsigned long long ns;
	ssize_t n;
	int err = 0;

	if (fd < 0)
		return -errno;
	n = snprintf(buf, sizeof(buf), "%s %ld %s", a->func, calls, a->cpus);
	if (write(fd, buf, n) < 0) {
		err = -errno;
	} else {
		n = pread(fd, buf, sizeof(buf) - 1, 0);
		if (n < 0) {
			err = -errno;
		} else {
			buf[n] = '\0';
			if (sscanf(buf, "ns=%llu calls=%ld cpus=%d ran=%lu fixed=%lu",
				   &ns, &b->calls, &b->cpus, &b->ran,
				   &b->fixed) != 5)
				err = -EPROTO;
			b->ns = (double)ns / calls;
		}
	}
	close(fd);
	return err;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double median(double *v, int n)
{
	qsort(v, n, sizeof(*v), cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/*
 * One arm in one round: set up, a warm-up batch (discarded; it also
 * calibrates the batch to about BATCH_NS), the timed batches, tear down.
 */
static void measure(struct arm *a, const char *name, const char *ref,
		    const char *block, int round)
{
	double ns[16];
	struct batch b, sum = { 0 };
	int i, err;

	err = arm_setup(a);
	if (err) {
		report_error("%s: set-up failed: %s", name, strerror(-err));
		arm_teardown(a);
		return;
	}
	if (!a->calls)
		a->calls = 1000;
	err = batch(a, a->calls, &b);
	if (!err && b.ns > 0) {
		a->calls = (long)(BATCH_NS / b.ns);
		if (a->calls < MIN_CALLS)
			a->calls = MIN_CALLS;
		if (a->calls > MAX_CALLS)
			a->calls = MAX_CALLS;
	}
	for (i = 0; i < plan->batches && !err; i++) {
		err = batch(a, a->calls, &b);
		ns[i] = b.ns;
		sum.calls += b.calls * b.cpus;
		sum.ran += b.ran;
		sum.fixed += b.fixed;
		sum.cpus = b.cpus;
	}
	arm_teardown(a);
	if (err) {
		report_error("%s: batch failed: %s", name, strerror(-err));
		return;
	}
	json_begin("sample");
	json_str("block", block, true);
	json_str("arm", name, true);
	json_str("ref", ref ?: "", true);
	json_int("round", round, true);
	json_num("ns_per_call", median(ns, plan->batches), true);
	json_int("batches", plan->batches, true);
	json_int("calls_per_batch", a->calls, true);
	json_int("cpus", sum.cpus, true);
	json_int("calls", sum.calls, true);
	json_int("body_ran", sum.ran, true);
	json_int("replacement_ran", sum.fixed, false);
	json_end();
}

static void shuffle(int *order, int n)
{
	int i;

	for (i = 0; i < n; i++)
		order[i] = i;
	for (i = n - 1; i > 0; i--) {
		int j = rand() % (i + 1), t = order[i];

		order[i] = order[j];
		order[j] = t;
	}
}

/* Arms picked with --arms (by index in main_arms), or NULL for all. */
static bool *picked;

/* Picks the arm named @name and, transitively, its reference. */
static int pick(const char *name)
{
	int i;

	for (i = 0; i < (int)NR(main_arms); i++) {
		if (strcmp(main_arms[i].name, name))
			continue;
		if (!picked[i]) {
			picked[i] = true;
			if (main_arms[i].ref)
				return pick(main_arms[i].ref);
		}
		return 0;
	}
	fprintf(stderr, "kfi_bench_run: no arm %s in the main block\n", name);
	return -1;
}

static int pick_list(char *list)
{
	char *name;

	picked = calloc(NR(main_arms), sizeof(*picked));
	if (!picked)
		return -1;
	while ((name = strsep(&list, ",")))
		if (*name && pick(name))
			return -1;
	return 0;
}

/* Every arm of @arms once per round, in a new shuffled order each round. */
static void block(struct arm *arms, int nr, const char *block, int rounds,
		  const char *suffix)
{
	int order[64], r, i;
	char name[64], ref[64];

	for (r = 0; r < rounds; r++) {
		shuffle(order, nr);
		for (i = 0; i < nr; i++) {
			struct arm *a = &arms[order[i]];

			if (picked && arms == main_arms && !picked[order[i]])
				continue;
			snprintf(name, sizeof(name), "%s%s", a->name, suffix);
			snprintf(ref, sizeof(ref), "%s%s", a->ref ?: "", suffix);
			measure(a, name, a->ref ? ref : NULL, block, r);
		}
	}
}

/* Environment ------------------------------------------------------------ */

/* The first line of /proc/cpuinfo whose key is @key, its value. */
static void read_cpuinfo(const char *key, char *out, size_t len)
{
	FILE *f = fopen("/proc/cpuinfo", "r");
	char line[256];

	*out = '\0';
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		char *colon = strchr(line, ':');

		if (colon && !strncmp(line, key, strlen(key))) {
			snprintf(out, len, "%s", colon + 2);
			out[strcspn(out, "\n")] = '\0';
			break;
		}
	}
	fclose(f);
}

static void emit_env(void)
{
	char buf[1024], cpu[256];
	struct utsname u;

	uname(&u);
	printf("{\"type\":\"env\",\"quick\":%s,", quick ? "true" : "false");
	json_str("release", u.release, true);
	json_str("version", u.version, true);
	json_str("machine", u.machine, true);
	read_file("/proc/cmdline", buf, sizeof(buf));
	json_str("cmdline", buf, true);
	read_file("/sys/devices/system/clocksource/clocksource0/current_clocksource",
		  buf, sizeof(buf));
	json_str("clocksource", buf, true);
	read_cpuinfo("model name", cpu, sizeof(cpu));
	if (!*cpu) {
		char part[64];

		read_cpuinfo("CPU implementer", buf, sizeof(buf));
		read_cpuinfo("CPU part", part, sizeof(part));
		snprintf(cpu, sizeof(cpu), "implementer %s part %s", buf, part);
	}
	json_str("cpu_model", cpu, true);
	read_cpuinfo("flags", buf, sizeof(buf));
	printf("\"hypervisor_flag\":%s,", strstr(buf, "hypervisor") ? "true" : "false");
	/* Mitigations change what every call and return costs. */
	read_file("/sys/devices/system/cpu/vulnerabilities/spectre_v2", buf,
		  sizeof(buf));
	json_str("spectre_v2", buf, true);
	read_file("/sys/devices/system/cpu/vulnerabilities/retbleed", buf,
		  sizeof(buf));
	json_str("retbleed", buf, true);
	read_file("/sys/kernel/debug/sched/preempt", buf, sizeof(buf));
	json_str("preempt", buf, true);
	printf("\"online_cpus\":%ld}\n", sysconf(_SC_NPROCESSORS_ONLN));
	fflush(stdout);
}

/* Control plane and memory ----------------------------------------------- */

static void emit_wall(const char *arm, const char *ref, int round, int n, double ms)
{
	json_begin("wall");
	json_str("arm", arm, true);
	json_str("ref", ref ?: "", true);
	json_int("round", round, true);
	json_int("rules", n, true);
	json_num("ms", ms, false);
	json_end();
}

/*
 * Slab and Percpu of /proc/meminfo, in kB, after dropping unused dentries
 * and inodes and folding every CPU's
 * pending counter updates (without it, a change of some 100 kB can stay
 * invisible for a second).
 */
static void read_meminfo(long *slab, long *percpu)
{
	FILE *f;
	char line[128];

	*slab = *percpu = -1;
	/*
	 * The dentries and inodes of attribute files that were opened and
	 * closed are a cache, not what a rule holds: drop them first (the
	 * directories' own stay, pinned by configfs).
	 */
	write_file("/proc/sys/vm/drop_caches", "2");
	write_file("/proc/sys/vm/stat_refresh", "1");
	f = fopen("/proc/meminfo", "r");
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "Slab: %ld", slab) == 1)
			continue;
		if (sscanf(line, "Percpu: %ld", percpu) == 1)
			continue;
	}
	fclose(f);
}

/*
 * The floor under the control plane: N bare kprobes on the same N functions,
 * registered with one register_kprobes() call and removed with one
 * unregister_kprobes() call, timed in the kernel.
 */
static void bare_batch(int round, int n)
{
	char val[16], res[160], arm[40], ref[40];
	unsigned long long reg, unreg, fadd, fremove;
	int fd, got, len, tries;
	ssize_t r = -1;

	/*
	 * The result is the open file's: write, then read, on one fd. The
	 * rules just disarmed on these functions keep their probes until
	 * kfi's reaper runs, and kfi's ftrace_ops refuses ip-changing
	 * kprobes beside it (-EBUSY) until then.
	 */
	fd = open(BENCH "/batch", O_RDWR);
	len = snprintf(val, sizeof(val), "%d", n);
	for (tries = 0; fd >= 0 && tries < 100; tries++) {
		if (write(fd, val, len) == len) {
			r = pread(fd, res, sizeof(res) - 1, 0);
			break;
		}
		if (errno != EBUSY)
			break;
		usleep(20000);
	}
	if (fd >= 0)
		close(fd);
	if (r <= 0) {
		fprintf(stderr, "kfi_bench_run: batch %d failed\n", n);
		return;
	}
	res[r] = '\0';
	if (sscanf(res,
		   "n=%d register_ns=%llu unregister_ns=%llu ftrace_add_ns=%llu ftrace_remove_ns=%llu",
		   &got, &reg, &unreg, &fadd, &fremove) != 5 || got != n) {
		fprintf(stderr, "kfi_bench_run: batch: '%s'\n", res);
		return;
	}
	snprintf(arm, sizeof(arm), "ref.cp.register_%d", n);
	snprintf(ref, sizeof(ref), "ref.cp.register_%d", plan->cp_n[0]);
	emit_wall(arm, n == plan->cp_n[0] ? NULL : ref, round, n, reg / 1e6);
	snprintf(arm, sizeof(arm), "ref.cp.unregister_%d", n);
	snprintf(ref, sizeof(ref), "ref.cp.unregister_%d", plan->cp_n[0]);
	emit_wall(arm, n == plan->cp_n[0] ? NULL : ref, round, n, unreg / 1e6);
	snprintf(arm, sizeof(arm), "ref.cp.ftrace_add_%d", n);
	snprintf(ref, sizeof(ref), "ref.cp.ftrace_add_%d", plan->cp_n[0]);
	emit_wall(arm, n == plan->cp_n[0] ? NULL : ref, round, n, fadd / 1e6);
	snprintf(arm, sizeof(arm), "ref.cp.ftrace_remove_%d", n);
	snprintf(ref, sizeof(ref), "ref.cp.ftrace_remove_%d", plan->cp_n[0]);
	emit_wall(arm, n == plan->cp_n[0] ? NULL : ref, round, n,
		  fremove / 1e6);
}

/*
 * The floor under the disarm writes: N writes of "0" to an attribute of N
 * directories of kfi_bench's configfs subsystem, which does nothing with
 * them, timed as the disarm writes are (a path, open, write, close each).
 */
static void configfs_writes(int round, int n)
{
	char path[128], arm[40], ref[40];
	double t0, t1;
	int i, made;

	for (made = 0; made < n; made++) {
		snprintf(path, sizeof(path), BENCH_CFS "/w%04d", made);
		if (mkdir(path, 0700)) {
			report_error("mkdir %s: %s", path, strerror(errno));
			goto out;
		}
	}
	t0 = now_ms();
	for (i = 0; i < n; i++) {
		snprintf(path, sizeof(path), BENCH_CFS "/w%04d/a00", i);
		if (write_file(path, "0")) {
			report_error("write %s: %s", path, strerror(errno));
			goto out;
		}
	}
	t1 = now_ms();
	snprintf(arm, sizeof(arm), "ref.cp.configfs_write_%d", n);
	snprintf(ref, sizeof(ref), "ref.cp.configfs_write_%d", plan->cp_n[0]);
	emit_wall(arm, n == plan->cp_n[0] ? NULL : ref, round, n, t1 - t0);
out:
	for (i = 0; i < made; i++) {
		snprintf(path, sizeof(path), BENCH_CFS "/w%04d", i);
		rmdir(path);
	}
}

/*
 * Arms and disarms N rules on N functions, N in cp_n, the Ns in a shuffled
 * order each round: the wall time of the "enabled" writes alone, and for
 * disarming also until the last of their probes is gone (disarm_done).
 */
static void control_plane(void)
{
	int order[3], r, i;
	char arm[32], ref[32];

	for (r = 0; r < plan->cp_rounds; r++) {
		shuffle(order, 3);
		for (i = 0; i < 3; i++) {
			int n = plan->cp_n[order[i]];
			double t0, t1, t2, t3;

			/* Minutes each under TCG today: once is enough. */
			if (r && order[i] == 2)
				continue;

			if (others_make("cp", 0, n))
				goto out;
			t0 = now_ms();
			if (others_arm("cp", 0, n, true))
				goto out;
			t1 = now_ms();
			others_arm("cp", 0, n, false);
			t2 = now_ms();
			if (probes_gone("kfi_bench_f", n))
				report_error("cp: probes of %d rules left", n);
			t3 = now_ms();
			snprintf(arm, sizeof(arm), "cp.arm_%d", n);
			snprintf(ref, sizeof(ref), "cp.arm_%d", plan->cp_n[0]);
			emit_wall(arm, n == plan->cp_n[0] ? NULL : ref, r, n, t1 - t0);
			snprintf(arm, sizeof(arm), "cp.disarm_%d", n);
			snprintf(ref, sizeof(ref), "cp.disarm_%d", plan->cp_n[0]);
			emit_wall(arm, n == plan->cp_n[0] ? NULL : ref, r, n, t2 - t1);
			snprintf(arm, sizeof(arm), "cp.disarm_done_%d", n);
			snprintf(ref, sizeof(ref), "cp.disarm_done_%d", plan->cp_n[0]);
			emit_wall(arm, n == plan->cp_n[0] ? NULL : ref, r, n, t3 - t1);
			bare_batch(r, n);
			configfs_writes(r, n);
out:
			others_rm("cp", 0, n);
		}
	}
}

/* Adding and removing a rule on a function that has an armed rule. */
static void same_function(void)
{
	double t0, t1, t2;
	int r;

	if (rule_filtered("first", TARGET) || rule_arm("first", true))
		goto out;
	for (r = 0; r < plan->same_rounds; r++) {
		if (rule_filtered("second", TARGET))
			break;
		t0 = now_ms();
		rule_arm("second", true);
		t1 = now_ms();
		rule_arm("second", false);
		t2 = now_ms();
		rule_rm("second");
		emit_wall("cp.add_beside_armed", NULL, r, 1, t1 - t0);
		emit_wall("cp.remove_beside_armed", NULL, r, 1, t2 - t1);
	}
out:
	rule_rm("first");
}

/*
 * The memory floor under a rule: @n directories of kfi_bench's configfs
 * subsystem, with as many attributes as a rule and nothing behind them.
 */
static void configfs_floor(int n)
{
	long slab[2], percpu[2];
	char path[128], arm[40];
	int i, made;

	read_meminfo(&slab[0], &percpu[0]);
	for (made = 0; made < n; made++) {
		snprintf(path, sizeof(path), BENCH_CFS "/d%04d",
			 made);
		if (mkdir(path, 0700)) {
			fprintf(stderr, "kfi_bench_run: mkdir %s: %s\n", path,
				strerror(errno));
			goto out;
		}
	}
	read_meminfo(&slab[1], &percpu[1]);
	snprintf(arm, sizeof(arm), "ref.mem.configfs_dir_%d", n);
	json_begin("memory");
	json_str("arm", arm, true);
	json_int("rules", n, true);
	json_num("bytes_per_rule",
		 (slab[1] + percpu[1] - slab[0] - percpu[0]) * 1024.0 / n, true);
	json_num("slab_bytes_per_rule", (slab[1] - slab[0]) * 1024.0 / n, true);
	json_num("percpu_bytes_per_rule",
		 (percpu[1] - percpu[0]) * 1024.0 / n, false);
	json_end();
out:
	for (i = 0; i < made; i++) {
		snprintf(path, sizeof(path), BENCH_CFS "/d%04d",
			 i);
		rmdir(path);
	}
}

/*
 * The blocks with many rules on other functions, and the memory they take:
 * Slab and Percpu before making bg_many rules, after making them, after
 * arming them. Then the bg_many block, disarm down to bg_some, that block.
 */
static void background(void)
{
	long slab[3], percpu[3];
	int i, n = plan->bg_many, some = plan->bg_some;
	char suffix[32];

	configfs_floor(n);
	read_meminfo(&slab[0], &percpu[0]);
	if (others_make("bg", 0, n))
		goto out;
	read_meminfo(&slab[1], &percpu[1]);
	if (others_arm("bg", 0, n, true))
		goto out;
	read_meminfo(&slab[2], &percpu[2]);
	snprintf(suffix, sizeof(suffix), "mem.per_rule_%d", n);
	json_begin("memory");
	json_str("arm", suffix, true);
	json_int("rules", n, true);
	/* Before making the rules, after making them, after arming them. */
	for (i = 0; i < 3; i++) {
		snprintf(suffix, sizeof(suffix), "slab_kb_%d", i);
		json_int(suffix, slab[i], true);
		snprintf(suffix, sizeof(suffix), "percpu_kb_%d", i);
		json_int(suffix, percpu[i], true);
	}
	json_num("bytes_per_rule",
		 (slab[2] + percpu[2] - slab[0] - percpu[0]) * 1024.0 / n, true);
	json_num("slab_bytes_per_rule", (slab[2] - slab[0]) * 1024.0 / n, true);
	json_num("percpu_bytes_per_rule",
		 (percpu[2] - percpu[0]) * 1024.0 / n, true);
	json_num("made_bytes_per_rule",
		 (slab[1] + percpu[1] - slab[0] - percpu[0]) * 1024.0 / n, true);
	json_num("armed_bytes_per_rule",
		 (slab[2] + percpu[2] - slab[1] - percpu[1]) * 1024.0 / n, false);
	json_end();

	snprintf(suffix, sizeof(suffix), "@other_%d", n);
	block(bg_arms, NR(bg_arms), suffix + 1, plan->bg_rounds, suffix);
	if (others_arm("bg", some, n, false))
		goto out;
	snprintf(suffix, sizeof(suffix), "@other_%d", some);
	block(bg_arms, NR(bg_arms), suffix + 1, plan->bg_rounds, suffix);
out:
	others_rm("bg", 0, n);
}

static void list(void)
{
	char name[64];
	size_t i;
	int j;

	for (i = 0; i < NR(main_arms); i++)
		printf("sample %s\n", main_arms[i].name);
	for (i = 0; i < NR(bg_arms); i++) {
		snprintf(name, sizeof(name), "%s@other_%d", bg_arms[i].name,
			 plan->bg_many);
		printf("sample %s\n", name);
		snprintf(name, sizeof(name), "%s@other_%d", bg_arms[i].name,
			 plan->bg_some);
		printf("sample %s\n", name);
	}
	for (j = 0; j < 3; j++) {
		printf("wall cp.arm_%d\n", plan->cp_n[j]);
		printf("wall cp.disarm_%d\n", plan->cp_n[j]);
		printf("wall cp.disarm_done_%d\n", plan->cp_n[j]);
		printf("wall ref.cp.register_%d\n", plan->cp_n[j]);
		printf("wall ref.cp.unregister_%d\n", plan->cp_n[j]);
		printf("wall ref.cp.ftrace_add_%d\n", plan->cp_n[j]);
		printf("wall ref.cp.ftrace_remove_%d\n", plan->cp_n[j]);
		printf("wall ref.cp.configfs_write_%d\n", plan->cp_n[j]);
	}
	printf("wall cp.add_beside_armed\nwall cp.remove_beside_armed\n");
	printf("memory mem.per_rule_%d\n", plan->bg_many);
	printf("memory ref.mem.configfs_dir_%d\n", plan->bg_many);
}

int main(int argc, char **argv)
{
	unsigned int seed = time(NULL);
	bool listing = false;
	char *arms = NULL;
	int i;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--quick")) {
			quick = true;
		} else if (!strcmp(argv[i], "--list")) {
			listing = true;
		} else if (!strcmp(argv[i], "--seed") && i + 1 < argc) {
			seed = strtoul(argv[++i], NULL, 0);
		} else if (!strcmp(argv[i], "--arms") && i + 1 < argc) {
			arms = argv[++i];
		} else {
			fprintf(stderr,
				"usage: %s [--quick] [--list] [--seed N] [--arms A,B,...]\n",
				argv[0]);
			return 2;
		}
	}
	plan = quick ? &quick_plan : &full_plan;
	for (i = 0; i < (int)NR(main_arms); i++) {
		struct arm *a = &main_arms[i];

		if (a->kind != SAME)
			continue;
		a->n = plan->same_n[a->n];
		snprintf(a->buf, sizeof(a->buf), "%s%d", a->name, a->n);
		a->name = a->buf;
	}
	if (listing) {
		list();
		return 0;
	}
	if (arms && pick_list(arms))
		return 2;
	srand(seed);
	emit_env();
	json_begin("plan");
	json_int("seed", seed, true);
	json_int("rounds", plan->rounds, true);
	json_int("bg_rounds", plan->bg_rounds, true);
	json_int("batches", plan->batches, true);
	json_int("batch_ns", BATCH_NS, false);
	json_end();

	/* The main block, with one rule armed on another function. */
	if (!others_make("bg", 0, 1) && !others_arm("bg", 0, 1, true))
		block(main_arms, NR(main_arms), "main", plan->rounds, "");
	others_rm("bg", 0, 1);

	if (!picked) {
		background();
		control_plane();
		same_function();
	}

	printf("{\"type\":\"done\",\"errors\":%d}\n", failures);
	return failures ? 1 : 0;
}
