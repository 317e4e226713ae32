// SPDX-License-Identifier: GPL-2.0
/*
 * Fuzzing kfi's configfs attributes: every writable attribute of a rule, the
 * global switch and a hotfix's enabled get thousands of random and
 * adversarial writes (random bytes, huge and partial numbers, long strings,
 * embedded NULs and newlines, values glued together), from one writer and
 * from several at once, racing with arming and with rmdir or rmmod. Each
 * write either succeeds and reads back as the model in kfi_fuzz.h says a
 * valid write is stored, or fails with EINVAL or ERANGE and leaves the old
 * value; the errnos races add are EBUSY (the rule is armed), ENOENT (the
 * directory went: configfs refuses I/O on a removed item) and ENODEV (a
 * hotfix module is going). An empty write gets EFAULT from configfs itself
 * (its fill_write_buffer()), before kfi sees it. The kernel log stays free
 * of reports.
 *
 * The generator is seeded; each test prints its seed, and KFI_FUZZ_SEED=N
 * replays it. KFI_STRESS_SECONDS (make stress) makes every test longer.
 */
#include <pthread.h>
#include <stdatomic.h>

#include "kselftest_harness.h"
#include "kfi_test.h"
#include "kfi_fuzz.h"

#define RULE		"fuzz"
#define HF_DIR		KFI_CFS "/hotfixes/kfi_test_hotfix"
#define MAX_REPORTS	5
/* Inputs fz_gen() can make, and room for what reads back. */
#define IN_SIZE		8448
#define VAL_SIZE	4096

typedef bool (*fz_model_fn)(char *s, char *out);

struct fz_attr {
	const char *name;
	fz_model_fn model;
	size_t max;		/* kfi_input()'s buffer: refused from here */
};

/* A rule's configuration attributes, in rules.c's order. */
static const struct fz_attr rule_attrs[] = {
	{ "target", fz_model_target, 256 },
	{ "action", fz_model_action, 256 },
	{ "retval", fz_model_retval, 256 },
	{ "args", fz_model_args, 256 },
	{ "probability", fz_model_probability, 256 },
	{ "interval", fz_model_interval, 256 },
	{ "times", fz_model_times, 256 },
	{ "space", fz_model_space, 256 },
	{ "pid", fz_model_pid, 256 },
	{ "children", fz_model_bool, 256 },
	{ "comm", fz_model_comm, 256 },
	{ "caller", fz_model_caller, 256 },
	{ "verbose", fz_model_verbose, 256 },
};

static bool errno_in(int err, const int *set)
{
	for (; *set; set++)
		if (err == -*set)
			return true;
	return false;
}

/*
 * Whether a write of @len bytes that the model finds @valid may end in
 * @err; @extra: errnos a race may add (0-terminated). NULL if it may, or
 * what is wrong.
 */
static const char *judge(bool valid, size_t len, int err, const int *extra)
{
	static const int refused[] = { EINVAL, ERANGE, 0 };

	if (errno_in(err, extra))
		return NULL;
	if (!len)
		return err == -EFAULT ? NULL : "an empty write did not get EFAULT";
	if (valid)
		return err ? "a valid write failed" : NULL;
	if (!err)
		return "an invalid write was accepted";
	if (!errno_in(err, refused))
		return "an invalid write got an errno other than EINVAL or ERANGE";
	return NULL;
}

static void report(struct __test_metadata *_metadata, int *nr,
		   const char *why, const char *attr, const char *in,
		   size_t len, int err, const char *got, bool valid,
		   const char *want)
{
	char esc[400];

	if (++*nr > MAX_REPORTS)
		return;
	TH_LOG("%s: %s: wrote \"%s\" (%zu bytes): %s; reads back \"%s\"; the model: %s%s%s",
	       attr, why, fz_show(in, len, esc, sizeof(esc)), len,
	       err ? strerror(-err) : "ok", got,
	       valid ? "valid, stored as \"" : "invalid", valid ? want : "",
	       valid ? "\"" : "");
}

static const char *attr_path(char *buf, size_t len, const char *rule,
			     const char *attr)
{
	return kfi_path(buf, len, rule, attr);
}

/* Disables and unloads kfi_test_hotfix: for teardowns, never fails. */
static void hotfix_unload(void)
{
	for (int i = 0; i < 500 && kfi_module_loaded("kfi_test_hotfix"); i++) {
		kfi_write(HF_DIR "/enabled", "0");
		if (kfi_module_unload("kfi_test_hotfix") == 0)
			break;
		usleep(10000);
	}
}

/* ---- one attribute, one writer ---- */

FIXTURE(fuzz) {
	char path[256];
	__u64 seed;
	int kmsg;
};

FIXTURE_VARIANT(fuzz) {
	const char *attr;	/* for the generator */
	const char *path;	/* NULL: the rule's attribute @attr */
	fz_model_fn model;
	size_t max;
};

FIXTURE_VARIANT_ADD(fuzz, target) {
	.attr = "target", .model = fz_model_target, .max = 256,
};

FIXTURE_VARIANT_ADD(fuzz, action) {
	.attr = "action", .model = fz_model_action, .max = 256,
};

FIXTURE_VARIANT_ADD(fuzz, retval) {
	.attr = "retval", .model = fz_model_retval, .max = 256,
};

FIXTURE_VARIANT_ADD(fuzz, args) {
	.attr = "args", .model = fz_model_args, .max = 256,
};

FIXTURE_VARIANT_ADD(fuzz, probability) {
	.attr = "probability", .model = fz_model_probability, .max = 256,
};

FIXTURE_VARIANT_ADD(fuzz, interval) {
	.attr = "interval", .model = fz_model_interval, .max = 256,
};

FIXTURE_VARIANT_ADD(fuzz, times) {
	.attr = "times", .model = fz_model_times, .max = 256,
};

FIXTURE_VARIANT_ADD(fuzz, space) {
	.attr = "space", .model = fz_model_space, .max = 256,
};

FIXTURE_VARIANT_ADD(fuzz, pid) {
	.attr = "pid", .model = fz_model_pid, .max = 256,
};

FIXTURE_VARIANT_ADD(fuzz, children) {
	.attr = "children", .model = fz_model_bool, .max = 256,
};

FIXTURE_VARIANT_ADD(fuzz, comm) {
	.attr = "comm", .model = fz_model_comm, .max = 256,
};

FIXTURE_VARIANT_ADD(fuzz, caller) {
	.attr = "caller", .model = fz_model_caller, .max = 256,
};

FIXTURE_VARIANT_ADD(fuzz, verbose) {
	.attr = "verbose", .model = fz_model_verbose, .max = 256,
};


/* "enabled" arms the rule (its target is kfi_tt_ret) and disarms it. */
FIXTURE_VARIANT_ADD(fuzz, enabled) {
	.attr = "enabled", .model = fz_model_bool, .max = 4,
};

FIXTURE_VARIANT_ADD(fuzz, root_enabled) {
	.attr = "enabled", .path = KFI_CFS "/enabled", .model = fz_model_bool,
	.max = 4,
};

FIXTURE_VARIANT_ADD(fuzz, hotfix_enabled) {
	.attr = "enabled", .path = HF_DIR "/enabled", .model = fz_model_bool,
	.max = 4,
};

FIXTURE_SETUP(fuzz)
{
	ASSERT_EQ(0, kfi_module_load("kfi"));
	ASSERT_EQ(0, kfi_module_load("kfi_test_target"));
	kfi_rules_clear();
	ASSERT_EQ(0, kfi_write(KFI_CFS "/enabled", "1"));
	ASSERT_EQ(0, kfi_rule_make(RULE, "target=kfi_tt_ret", NULL));
	if (variant->path && strstr(variant->path, "hotfixes")) {
		ASSERT_EQ(0, kfi_module_load("kfi_test_buggy"));
		if (!kfi_module_loaded("kfi_test_hotfix"))
			ASSERT_EQ(0, kfi_module_insmod("kfi_test_hotfix", NULL));
	}
	if (variant->path)
		snprintf(self->path, sizeof(self->path), "%s", variant->path);
	else
		attr_path(self->path, sizeof(self->path), RULE, variant->attr);
	self->seed = fz_seed();
	TH_LOG("%s: seed %llu (KFI_FUZZ_SEED=%llu replays it)", self->path,
	       (unsigned long long)self->seed, (unsigned long long)self->seed);
	self->kmsg = kfi_kmsg_open();
}

FIXTURE_TEARDOWN(fuzz)
{
	kfi_rules_clear();
	EXPECT_EQ(0, kfi_write(KFI_CFS "/enabled", "1"));
	hotfix_unload();
	if (self->kmsg >= 0)
		close(self->kmsg);
}

/*
 * Random and adversarial writes, one at a time: each one reads back as the
 * model says, or is refused with EINVAL or ERANGE and changes nothing; what
 * reads back, written again, is accepted and reads back the same.
 */
TEST_F(fuzz, random_writes)
{
	double secs = kfi_stress_seconds(3, 1.0 / 10), end = kfi_now() + secs;
	char want[VAL_SIZE], got[VAL_SIZE], prev[VAL_SIZE], line[512];
	long n, valid_n = 0, refused_n = 0;
	static char in[IN_SIZE];
	__u64 r = self->seed;
	int bad = 0;

	ASSERT_LE(0, kfi_read(self->path, prev, sizeof(prev)));
	for (n = 0; n < 200 || (kfi_now() < end && n < 1000000); n++) {
		size_t len = fz_gen(&r, variant->attr, in);
		bool valid = fz_model(variant->model, variant->max, in, len,
				      want);
		int err = kfi_write_raw(self->path, in, len);
		const char *why = judge(valid, len, err, (const int[]){ 0 });

		if (kfi_read(self->path, got, sizeof(got)) < 0) {
			why = "cannot read it back";
			got[0] = '\0';
		} else if (!why && !err && strcmp(got, want)) {
			why = "reads back other than the model says";
		} else if (!why && err && strcmp(got, prev)) {
			why = "a refused write changed the value";
		}
		if (!why && !err && !fz_rnd(&r, 8)) {
			/* What reads back is itself a valid write. */
			char again[VAL_SIZE + 1];

			/* With a newline: an empty write(2) is EFAULT. */
			snprintf(again, sizeof(again), "%s\n", got);
			err = kfi_write(self->path, again);
			if (err || kfi_read(self->path, again, sizeof(again)) < 0 ||
			    strcmp(again, got)) {
				why = "what reads back, written again, is refused or changes";
				strcpy(in, got);
				len = strlen(got);
			}
		}
		if (why)
			report(_metadata, &bad, why, variant->attr, in, len, err,
			       got, valid, want);
		else if (err)
			refused_n++;
		else
			valid_n++;
		strcpy(prev, got);
	}
	EXPECT_EQ(0, bad) TH_LOG("%d of %ld writes went wrong (seed %llu)", bad,
				 n, (unsigned long long)self->seed);
	EXPECT_LT(0, valid_n) TH_LOG("no write was valid: the generator is broken");
	EXPECT_LT(0, refused_n) TH_LOG("no write was refused: the generator is broken");
	EXPECT_FALSE(kfi_kmsg_report(self->kmsg, line, sizeof(line)))
		TH_LOG("the kernel logged: %s", line);
	TH_LOG("%ld writes in %.1f s: %ld stored, %ld refused", n,
	       kfi_now() - (end - secs), valid_n, refused_n);
}

/* ---- several writers at once, racing with arming, rmdir and rmmod ---- */

struct worker {
	pthread_t th;
	__u64 seed;
	const char *dir;		/* rule or hotfix directory */
	const struct fz_attr *attrs;	/* chosen from at random */
	size_t nr_attrs;
	const int *extra;		/* errnos the race adds */
	long writes, stored;
	int bad;
	char first[768];		/* the first thing that went wrong */
};

static atomic_bool workers_stop;
/*
 * The index of the attribute every writer and reader uses now, -1 for a
 * random one each time (concurrent_writers_on_one_attribute).
 */
static atomic_int shared_attr = -1;

static void worker_fail(struct worker *w, const char *attr, const char *why,
			const char *in, size_t len, int err)
{
	char esc[400];

	if (w->bad++)
		return;
	snprintf(w->first, sizeof(w->first), "%s: %s: wrote \"%s\" (%zu bytes): %s",
		 attr, why, fz_show(in, len, esc, sizeof(esc)), len,
		 err ? strerror(-err) : "ok");
}

/* Writes random inputs to the attributes until told to stop. */
static void *writer(void *arg)
{
	struct worker *w = arg;
	static __thread char in[IN_SIZE];
	char want[VAL_SIZE], path[512];

	while (!workers_stop) {
		int i = atomic_load(&shared_attr);
		const struct fz_attr *a =
			&w->attrs[i >= 0 ? (size_t)i : fz_rnd(&w->seed, w->nr_attrs)];
		size_t len = fz_gen(&w->seed, a->name, in);
		bool valid = fz_model(a->model, a->max, in, len, want);
		const char *why;
		int fd, err = 0;

		snprintf(path, sizeof(path), "%s/%s", w->dir, a->name);
		fd = open(path, O_WRONLY);
		if (fd < 0) {
			err = -errno;
		} else {
			if (fz_rnd(&w->seed, 4) == 0)
				usleep(fz_rnd(&w->seed, 2000));	/* across a race */
			if (write(fd, in, len) < 0)
				err = -errno;
			close(fd);
		}
		why = judge(valid, len, err, w->extra);
		if (why)
			worker_fail(w, a->name, why, in, len, err);
		w->writes++;
		w->stored += !err;
	}
	return NULL;
}

/* Reads the attributes: what reads back is always a valid write. */
static void *reader(void *arg)
{
	struct worker *w = arg;
	char got[VAL_SIZE], want[VAL_SIZE], path[512];

	while (!workers_stop) {
		int i = atomic_load(&shared_attr);
		const struct fz_attr *a =
			&w->attrs[i >= 0 ? (size_t)i : fz_rnd(&w->seed, w->nr_attrs)];
		int n;

		snprintf(path, sizeof(path), "%s/%s", w->dir, a->name);
		n = kfi_read(path, got, sizeof(got));
		if (n < 0) {
			if (!errno_in(n, w->extra))
				worker_fail(w, a->name, "cannot read it", "", 0, n);
		} else if (!fz_model(a->model, a->max, got, n, want) ||
			   strcmp(got, want)) {
			worker_fail(w, a->name, "reads back a value no valid write stores",
				    got, n, 0);
		}
		w->writes++;
	}
	return NULL;
}

#define NR_WORKERS	6

struct crew {
	struct worker w[NR_WORKERS];
	int n;
};

static void crew_start(struct __test_metadata *_metadata, struct crew *c,
		       __u64 seed, const char *dir, const struct fz_attr *attrs,
		       size_t nr_attrs, const int *extra, int writers,
		       int readers)
{
	workers_stop = false;
	memset(c, 0, sizeof(*c));
	for (int i = 0; i < writers + readers; i++) {
		struct worker *w = &c->w[c->n++];

		w->seed = seed + 0x1000 * (i + 1);
		w->dir = dir;
		w->attrs = attrs;
		w->nr_attrs = nr_attrs;
		w->extra = extra;
		ASSERT_EQ(0, pthread_create(&w->th, NULL,
					    i < writers ? writer : reader, w));
	}
}

static void crew_finish(struct __test_metadata *_metadata, struct crew *c,
			__u64 seed)
{
	long writes = 0, stored = 0;

	workers_stop = true;
	for (int i = 0; i < c->n; i++) {
		pthread_join(c->w[i].th, NULL);
		EXPECT_EQ(0, c->w[i].bad)
			TH_LOG("worker %d: %d went wrong, the first: %s (seed %llu)",
			       i, c->w[i].bad, c->w[i].first,
			       (unsigned long long)seed);
		writes += c->w[i].writes;
		stored += c->w[i].stored;
	}
	TH_LOG("%d threads: %ld operations, %ld writes stored", c->n, writes,
	       stored);
}

FIXTURE(fuzz_race) {
	__u64 seed;
	int kmsg;
};

FIXTURE_SETUP(fuzz_race)
{
	ASSERT_EQ(0, kfi_module_load("kfi"));
	ASSERT_EQ(0, kfi_module_load("kfi_test_target"));
	kfi_rules_clear();
	ASSERT_EQ(0, kfi_write(KFI_CFS "/enabled", "1"));
	self->seed = fz_seed();
	TH_LOG("seed %llu (KFI_FUZZ_SEED=%llu replays it)",
	       (unsigned long long)self->seed, (unsigned long long)self->seed);
	self->kmsg = kfi_kmsg_open();
}

FIXTURE_TEARDOWN(fuzz_race)
{
	char line[512];

	workers_stop = true;
	atomic_store(&shared_attr, -1);
	kfi_rules_clear();
	hotfix_unload();
	EXPECT_FALSE(kfi_kmsg_report(self->kmsg, line, sizeof(line)))
		TH_LOG("the kernel logged: %s", line);
	if (self->kmsg >= 0)
		close(self->kmsg);
}

/*
 * Four writers and two readers on one attribute at a time, every attribute
 * in turn: each write is judged as if alone, and no read ever shows a torn
 * or invalid value.
 */
TEST_F(fuzz_race, concurrent_writers_on_one_attribute)
{
	double per = kfi_stress_seconds(3, 1.0 / 4) / ARRAY_SIZE(rule_attrs);
	static const int none[] = { 0 };
	struct crew c;

	ASSERT_EQ(0, kfi_rule_make(RULE, NULL));
	atomic_store(&shared_attr, 0);
	crew_start(_metadata, &c, self->seed, KFI_RULES "/" RULE, rule_attrs,
		   ARRAY_SIZE(rule_attrs), none, 4, 2);
	for (size_t i = 0; i < ARRAY_SIZE(rule_attrs); i++) {
		double end = kfi_now() + per;

		atomic_store(&shared_attr, i);
		while (kfi_now() < end)
			usleep(20000);
	}
	crew_finish(_metadata, &c, self->seed);
	atomic_store(&shared_attr, -1);
}

/*
 * Writers on every attribute but target, caller and action (so that the
 * rule can always be armed) while the rule is armed and disarmed over and
 * over and kfi_tt_ret is called: a write gets EBUSY exactly while armed,
 * arming never fails, and the counters stay consistent.
 */
TEST_F(fuzz_race, writes_race_with_arming)
{
	static const struct fz_attr attrs[] = {
		{ "retval", fz_model_retval, 256 },
		{ "args", fz_model_args, 256 },
		{ "probability", fz_model_probability, 256 },
		{ "interval", fz_model_interval, 256 },
		{ "times", fz_model_times, 256 },
		{ "space", fz_model_space, 256 },
		{ "pid", fz_model_pid, 256 },
		{ "children", fz_model_bool, 256 },
		{ "comm", fz_model_comm, 256 },
		{ "verbose", fz_model_verbose, 256 },
	};
	double end = kfi_now() + kfi_stress_seconds(3, 1.0 / 4);
	static const int busy[] = { EBUSY, 0 };
	long arms = 0, calls = 0;
	struct kfi_tt_loop res;
	struct crew c;

	ASSERT_EQ(0, kfi_rule_make(RULE, "target=kfi_tt_ret", NULL));
	crew_start(_metadata, &c, self->seed, KFI_RULES "/" RULE, attrs,
		   ARRAY_SIZE(attrs), busy, 3, 1);
	while (kfi_now() < end) {
		long hits, injected;

		ASSERT_EQ(0, kfi_rule_set(RULE, "enabled", "1"))
			TH_LOG("arming failed after %ld arms", arms);
		arms++;
		ASSERT_EQ(0, kfi_tt_loop("kfi_tt_ret", 50, 1, &res));
		calls += 50;
		ASSERT_EQ(0, kfi_rule_set(RULE, "enabled", "0"));
		hits = kfi_rule_long(RULE, "hits");
		injected = kfi_rule_long(RULE, "injected");
		EXPECT_LE(0, injected);
		EXPECT_LE(injected, hits) TH_LOG("injected %ld > hits %ld",
						 injected, hits);
		EXPECT_LE(hits, 50) TH_LOG("hits %ld of 50 calls", hits);
	}
	crew_finish(_metadata, &c, self->seed);
	TH_LOG("%ld arms, %ld calls", arms, calls);
}

/*
 * Writers on every attribute of a rule (enabled too) that one thread makes,
 * sets up, arms and removes over and over; writers often hold the file open
 * across the rmdir. A write after the rmdir gets ENOENT; arming a rule that
 * has no target yet EINVAL; mkdir and rmdir never fail.
 */
TEST_F(fuzz_race, writes_race_with_rmdir)
{
	static const struct fz_attr attrs[] = {
		{ "retval", fz_model_retval, 256 },
		{ "args", fz_model_args, 256 },
		{ "times", fz_model_times, 256 },
		{ "pid", fz_model_pid, 256 },
		{ "comm", fz_model_comm, 256 },
		{ "probability", fz_model_probability, 256 },
		{ "enabled", fz_model_bool, 4 },
	};
	/* EINVAL: "enabled" of a rule with no target (yet) or no args. */
	static const int gone[] = { ENOENT, EBUSY, EINVAL, 0 };
	double end = kfi_now() + kfi_stress_seconds(3, 1.0 / 4);
	__u64 r = self->seed;
	struct crew c;
	long rounds;

	crew_start(_metadata, &c, self->seed, KFI_RULES "/" RULE, attrs,
		   ARRAY_SIZE(attrs), gone, 4, 1);
	for (rounds = 0; kfi_now() < end; rounds++) {
		ASSERT_EQ(0, kfi_rule_new(RULE)) TH_LOG("round %ld", rounds);
		usleep(fz_rnd(&r, 3000));
		EXPECT_EQ(0, kfi_rule_set(RULE, "target", "kfi_tt_ret"));
		if (fz_rnd(&r, 2)) {
			int err = kfi_rule_set(RULE, "enabled", "1");

			/* A writer may have chosen action args with no args. */
			EXPECT_TRUE(err == 0 || err == -EINVAL)
				TH_LOG("arming: %s", strerror(-err));
		}
		usleep(fz_rnd(&r, 3000));
		ASSERT_EQ(0, kfi_rule_rm(RULE)) TH_LOG("round %ld", rounds);
	}
	crew_finish(_metadata, &c, self->seed);
	TH_LOG("%ld mkdir/rmdir rounds", rounds);
}

/*
 * Writers on kfi_test_hotfix's enabled while the module is disabled,
 * unloaded and loaded again, and readers of its functions and calls: a
 * write gets ENOENT once the directory went and ENODEV while the module is
 * going, never anything else.
 */
TEST_F(fuzz_race, hotfix_writes_race_with_rmmod)
{
	static const struct fz_attr attrs[] = {
		{ "enabled", fz_model_bool, 4 },
	};
	static const int going[] = { ENOENT, ENODEV, 0 };
	double end = kfi_now() + kfi_stress_seconds(3, 1.0 / 4);
	long loads = 0, unloads = 0;
	struct crew c;

	ASSERT_EQ(0, kfi_module_load("kfi_test_buggy"));
	hotfix_unload();
	ASSERT_EQ(0, kfi_module_insmod("kfi_test_hotfix", NULL));
	loads++;
	crew_start(_metadata, &c, self->seed, HF_DIR, attrs, ARRAY_SIZE(attrs),
		   going, 3, 0);
	while (kfi_now() < end) {
		int err;

		kfi_write(HF_DIR "/enabled", "0");
		err = kfi_module_unload("kfi_test_hotfix");
		/* A writer switched it on again: it stays. */
		EXPECT_TRUE(err == 0 || err == -EWOULDBLOCK)
			TH_LOG("rmmod: %s", strerror(-err));
		if (err)
			continue;
		unloads++;
		usleep(2000);
		ASSERT_EQ(0, kfi_module_insmod("kfi_test_hotfix", NULL));
		loads++;
	}
	crew_finish(_metadata, &c, self->seed);
	TH_LOG("%ld loads, %ld unloads", loads, unloads);
}

/* Writes @val to attribute @attr of the rule directory @dir. */
static int set_in(const char *dir, const char *attr, const char *val)
{
	char p[600];

	snprintf(p, sizeof(p), "%s/%s", dir, attr);
	return kfi_write(p, val);
}

/*
 * Random rule names: any byte but '/' and NUL, 1 to 300 bytes, "." and
 * "..", names made twice. mkdir either makes a rule that lists under that
 * name, takes a configuration, arms, injects (verbose: the name reaches the
 * log) and goes with rmdir, or fails with EEXIST or ENAMETOOLONG (over 255
 * bytes, the VFS's limit).
 */
TEST_F(fuzz_race, random_rule_names)
{
	double end = kfi_now() + kfi_stress_seconds(3, 1.0 / 4);
	char name[320], path[512], esc[700];
	unsigned long ran;
	__u64 r = self->seed;
	long n, made = 0;
	int bad = 0;
	long ret;

	for (n = 0; n < 50 || kfi_now() < end; n++) {
		size_t len = fz_rnd(&r, 4) ? 1 + fz_rnd(&r, 12) : 1 + fz_rnd(&r, 300);
		bool twice = !fz_rnd(&r, 8);
		int err, want;

		for (size_t i = 0; i < len; i++) {
			do
				name[i] = fz_rnd(&r, 2) ? (char)fz_rnd(&r, 256) :
					  fz_special[fz_rnd(&r, sizeof(fz_special) - 1)];
			while (name[i] == '/' || name[i] == '\0');
		}
		name[len] = '\0';
		if (!fz_rnd(&r, 50))
			len = strlen(strcpy(name, fz_rnd(&r, 2) ? "." : ".."));
		want = len > 255 ? -ENAMETOOLONG :
		       !strcmp(name, ".") || !strcmp(name, "..") ? -EEXIST : 0;
		snprintf(path, sizeof(path), KFI_RULES "/%s", name);
		err = mkdir(path, 0755) ? -errno : 0;
		made += !err;
		if (!err && twice) {
			/* The second mkdir of a name must fail. */
			err = mkdir(path, 0755) ? -errno : -EPROTO;
			err = err == -EEXIST ? 0 : err;
		}
		if (err != want && bad++ < MAX_REPORTS)
			TH_LOG("mkdir of a name of %zu bytes, \"%s\": %s, expected %s",
			       len, fz_show(name, len, esc, sizeof(esc)),
			       strerror(-err), strerror(-want));
		if (err || want)
			continue;
		if (!fz_rnd(&r, 4)) {
			/* kfi_rule_set() has no room for 255-byte names. */
			EXPECT_EQ(0, set_in(path, "target", "kfi_tt_ret2"));
			EXPECT_EQ(0, set_in(path, "verbose", "1"));
			EXPECT_EQ(0, set_in(path, "enabled", "1"));
			EXPECT_EQ(0, kfi_tt("kfi_tt_ret2", 1, &ret, &ran));
			EXPECT_EQ(-ENOMEM, ret);
		}
		EXPECT_EQ(0, rmdir(path) ? -errno : 0)
			TH_LOG("rmdir \"%s\": %s", fz_show(name, len, esc, sizeof(esc)),
			       strerror(errno));
	}
	EXPECT_EQ(0, bad) TH_LOG("%d of %ld names went wrong (seed %llu)", bad, n,
				 (unsigned long long)self->seed);
	TH_LOG("%ld names, %ld rules made", n, made);
}

int main(int argc, char **argv)
{
	return kfi_test_main(argc, argv);
}
