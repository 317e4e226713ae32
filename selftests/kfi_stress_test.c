// SPDX-License-Identifier: GPL-2.0
/*
 * Stress: for a fixed time, threads on every CPU call the test target's
 * functions and kfi_test_buggy's hotfixed one, while other threads create,
 * configure, arm, disarm, retarget and remove rules on those functions, and
 * one thread loads, switches and unloads a hotfix, thousands of times.
 * Every operation succeeds; every disarmed rule's counters are consistent
 * (injected <= hits, and with no filter but times=N, injected is exactly
 * min(N, hits)); every call of the hotfixed function runs one version or
 * the other. Afterwards no rule and no probe is left (the kprobes list
 * shows nothing on the targets), kfi unloads, and the kernel logged no
 * report.
 *
 * make check runs it for 3 s; make stress for STRESS_SECONDS
 * (KFI_STRESS_SECONDS in the guest).
 */
#include <pthread.h>
#include <sys/prctl.h>
#include <stdatomic.h>

#include "kselftest_harness.h"
#include "kfi_test.h"
#include "kfi_fuzz.h"

#define TB		"/sys/kernel/debug/kfi_test_buggy"
#define HF_DIR		KFI_CFS "/hotfixes/kfi_test_hotfix"
#define MAX_CALLERS	16
#define NR_CHURNERS	2
#define RULES_EACH	4

static atomic_bool stop;

struct thread {
	pthread_t th;
	int id;
	__u64 seed;
	long ops, arms, checks, calls, loads, flips;
	long fixed, buggy, other;	/* kfi_tb_answer() results */
	int bad;
	char first[512];		/* the first thing that went wrong */
};

static void thread_fail(struct thread *t, const char *fmt, ...)
{
	va_list ap;

	if (t->bad++)
		return;
	va_start(ap, fmt);
	vsnprintf(t->first, sizeof(t->first), fmt, ap);
	va_end(ap);
}

/* ---- callers ---- */

static const char * const called[] = {
	"kfi_tt_ret", "kfi_tt_ret2", "kfi_tt_ret_notrace", "kfi_tt_caller_a",
};

/* Calls the test target's functions, 200 at a time, until told to stop. */
static void *caller(void *arg)
{
	struct thread *t = arg;
	struct kfi_tt_loop res;

	while (!stop) {
		const char *f = called[fz_rnd(&t->seed, ARRAY_SIZE(called))];
		int err = kfi_tt_loop(f, 200, 1, &res);

		if (err)
			thread_fail(t, "calling %s: %s", f, strerror(-err));
		t->calls += 200;
	}
	return NULL;
}

/* Calls kfi_tb_answer(), 500 at a time: 41 (buggy) or 42 (fixed) only. */
static void *hotfix_caller(void *arg)
{
	struct thread *t = arg;
	long fixed, buggy, other;
	char buf[128];
	int fd = open(TB "/loop", O_RDWR);
	ssize_t n;

	if (fd < 0) {
		thread_fail(t, "open %s/loop: %s", TB, strerror(errno));
		return NULL;
	}
	while (!stop) {
		if (write(fd, "500", 3) != 3) {
			thread_fail(t, "kfi_tb_answer loop: %s", strerror(errno));
			break;
		}
		n = pread(fd, buf, sizeof(buf) - 1, 0);
		buf[n > 0 ? n : 0] = '\0';
		if (sscanf(buf, "fixed=%ld buggy=%ld other=%ld", &fixed, &buggy,
			   &other) != 3) {
			thread_fail(t, "kfi_tb_answer loop said \"%s\"", buf);
			break;
		}
		t->fixed += fixed;
		t->buggy += buggy;
		t->other += other;
		t->calls += 500;
	}
	close(fd);
	return NULL;
}

/* ---- rule churners ---- */

static const char * const targets[] = {
	"kfi_tt_ret", "kfi_tt_ret2", "kfi_tt_ret_notrace",
	"kfi_test_target:kfi_tt_ret",
};

struct rule_state {
	char name[32];
	enum { ABSENT, DISARMED, ARMED } state;
	long times;
	bool exact;		/* no filter but times: injected = min(N, hits) */
};

/* Counts one configfs operation on @r; a failure is the thread's. */
static int op(struct thread *t, struct rule_state *r, int err,
	      const char *what)
{
	t->ops++;
	if (err)
		thread_fail(t, "rule %s: %s: %s", r->name, what, strerror(-err));
	return err;
}

/*
 * Aims a disarmed rule at every process, at the callers' (this one), at
 * init only, or at a list with this process twice, with or without
 * children, and at any command name, the callers' or another: rules found
 * by pid, by comm and for every task mix on one function. hits counts only
 * the calls of the tasks aimed at, so the counts' checks hold for each.
 */
static void rule_aim(struct thread *t, struct rule_state *r)
{
	char pids[64], comm[32] = "";

	switch (fz_rnd(&t->seed, 4)) {
	case 0:
		snprintf(pids, sizeof(pids), "\n");
		break;
	case 1:
		snprintf(pids, sizeof(pids), "%d", getpid());
		break;
	case 2:
		snprintf(pids, sizeof(pids), "1");
		break;
	default:
		snprintf(pids, sizeof(pids), "1 %d %d", getpid(), getpid());
		break;
	}
	op(t, r, kfi_rule_set(r->name, "pid", pids), "pid");
	op(t, r, kfi_rule_set(r->name, "children",
			      fz_rnd(&t->seed, 4) ? "0" : "1"), "children");
	switch (fz_rnd(&t->seed, 3)) {
	case 0:
		snprintf(comm, sizeof(comm), "\n");
		break;
	case 1:
		/* The callers' name: threads inherit this process's. */
		prctl(PR_GET_NAME, comm);
		break;
	default:
		snprintf(comm, sizeof(comm), "kfi-nobody");
		break;
	}
	op(t, r, kfi_rule_set(r->name, "comm", comm), "comm");
}

/* Writes a fresh configuration into a disarmed rule. */
static void rule_configure(struct thread *t, struct rule_state *r)
{
	static const long times[] = { -1, -1, 0, 1, 5, 50, 1000 };
	static const char * const actions[] = { "return", "replace", "args" };
	const char *action = actions[fz_rnd(&t->seed, 3)];
	const char *prob = fz_rnd(&t->seed, 4) ? "100" : "50";
	const char *interval = fz_rnd(&t->seed, 4) ? "1" : "3";
	char v[32];

	r->times = times[fz_rnd(&t->seed, ARRAY_SIZE(times))];
	r->exact = !strcmp(prob, "100") && !strcmp(interval, "1");
	snprintf(v, sizeof(v), "%ld", r->times);
	op(t, r, kfi_rule_set(r->name, "target",
			      targets[fz_rnd(&t->seed, ARRAY_SIZE(targets))]),
	   "target");
	op(t, r, kfi_rule_set(r->name, "action", action), "action");
	op(t, r, kfi_rule_set(r->name, "args", "1=7"), "args");
	op(t, r, kfi_rule_set(r->name, "retval", "-EIO"), "retval");
	op(t, r, kfi_rule_set(r->name, "times", v), "times");
	op(t, r, kfi_rule_set(r->name, "probability", prob), "probability");
	op(t, r, kfi_rule_set(r->name, "interval", interval), "interval");
	rule_aim(t, r);
}

/* The counters of a rule no handler runs any more. */
static void rule_check(struct thread *t, struct rule_state *r)
{
	long hits = kfi_rule_long(r->name, "hits");
	long injected = kfi_rule_long(r->name, "injected");

	t->checks++;
	if (hits < 0 || injected < 0 || injected > hits)
		thread_fail(t, "rule %s: injected %ld, hits %ld", r->name,
			    injected, hits);
	else if (r->exact && r->times >= 0 &&
		 injected != (hits < r->times ? hits : r->times))
		thread_fail(t, "rule %s: times=%ld, %ld hits, but %ld injected",
			    r->name, r->times, hits, injected);
	else if (r->exact && r->times < 0 && injected != hits)
		thread_fail(t, "rule %s: no filter, %ld hits, but %ld injected",
			    r->name, hits, injected);
}

/* One random step of one of this thread's rules. */
static void rule_step(struct thread *t, struct rule_state *r)
{
	unsigned int dice = fz_rnd(&t->seed, 100);

	switch (r->state) {
	case ABSENT:
		if (!op(t, r, kfi_rule_new(r->name), "mkdir")) {
			r->state = DISARMED;
			rule_configure(t, r);
		}
		break;
	case DISARMED:
		if (dice < 45) {
			if (!op(t, r, kfi_rule_set(r->name, "enabled", "1"), "arm")) {
				r->state = ARMED;
				t->arms++;
			}
		} else if (dice < 65) {
			/* Retarget: the same rule on another function. */
			op(t, r, kfi_rule_set(r->name, "target",
					      targets[fz_rnd(&t->seed, ARRAY_SIZE(targets))]),
			   "retarget");
		} else if (dice < 80) {
			rule_configure(t, r);
		} else if (!op(t, r, kfi_rule_rm(r->name), "rmdir")) {
			r->state = ABSENT;
		}
		break;
	case ARMED:
		if (dice < 70) {
			if (!op(t, r, kfi_rule_set(r->name, "enabled", "0"), "disarm")) {
				r->state = DISARMED;
				rule_check(t, r);
			}
		} else if (!op(t, r, kfi_rule_rm(r->name), "rmdir while armed")) {
			r->state = ABSENT;
		}
		break;
	}
}

static void *churner(void *arg)
{
	struct rule_state rules[RULES_EACH] = {};
	struct thread *t = arg;

	for (int i = 0; i < RULES_EACH; i++)
		snprintf(rules[i].name, sizeof(rules[i].name), "stress%d_%d",
			 t->id, i);
	while (!stop)
		rule_step(t, &rules[fz_rnd(&t->seed, RULES_EACH)]);
	for (int i = 0; i < RULES_EACH; i++) {
		if (rules[i].state == ARMED &&
		    !op(t, &rules[i], kfi_rule_set(rules[i].name, "enabled", "0"),
			"disarm"))
			rule_check(t, &rules[i]);
		if (rules[i].state != ABSENT)
			op(t, &rules[i], kfi_rule_rm(rules[i].name), "rmdir");
	}
	return NULL;
}

/* ---- the hotfix churner ---- */

/* Disables and unloads kfi_test_hotfix. Returns 0 or -errno. */
static int hotfix_unload(void)
{
	int err = 0;

	for (int i = 0; i < 500 && kfi_module_loaded("kfi_test_hotfix"); i++) {
		kfi_write(HF_DIR "/enabled", "0");
		/* A call still in the replacement holds the module a moment. */
		err = kfi_module_unload("kfi_test_hotfix");
		if (err != -EWOULDBLOCK)
			break;
		usleep(2000);
	}
	return err;
}

static void *hotfix_churner(void *arg)
{
	struct thread *t = arg;
	int err;

	while (!stop) {
		err = kfi_module_insmod("kfi_test_hotfix", NULL);
		t->ops++;
		if (err) {
			thread_fail(t, "insmod kfi_test_hotfix: %s", strerror(-err));
			break;
		}
		t->loads++;
		for (int i = fz_rnd(&t->seed, 6); i > 0 && !stop; i--) {
			err = kfi_write(HF_DIR "/enabled", i & 1 ? "0" : "1");
			t->ops++;
			t->flips++;
			if (err)
				thread_fail(t, "hotfix enabled: %s", strerror(-err));
			usleep(fz_rnd(&t->seed, 5000));
		}
		err = hotfix_unload();
		t->ops++;
		if (err) {
			thread_fail(t, "rmmod kfi_test_hotfix: %s", strerror(-err));
			break;
		}
	}
	return NULL;
}

/*
 * Lines of @path that name one of the test modules' functions (first on the
 * line if @what is not NULL, and @what: ftrace's list, whose lines also name
 * trampolines by whatever symbol their address falls in), added to *@n; the
 * first goes to @first.
 */
static int probes_listed(const char *path, const char *what, int *n,
			 char *first, size_t len)
{
	FILE *f = fopen(path, "r");
	char line[512];

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		if (!what && !strstr(line, "kfi_tt_") && !strstr(line, "kfi_tb_"))
			continue;
		if (what && ((strncmp(line, "kfi_tt_", 7) &&
			      strncmp(line, "kfi_tb_", 7)) || !strstr(line, what)))
			continue;
		if (!(*n)++)
			snprintf(first, len, "%s", line);
	}
	fclose(f);
	return 0;
}

/*
 * Probes on the test modules' functions: kprobes, and ip-modifying ftrace
 * users (kfi's ftrace_ops, or kprobes' on x86_64).
 */
static int probes_left(char *first, size_t len)
{
	int n = 0;

	if (probes_listed(KFI_KPROBES_LIST, NULL, &n, first, len) ||
	    probes_listed(KFI_FTRACE_LIST, " I", &n, first, len))
		return -1;
	return n;
}

static int dir_entries(const char *path)
{
	DIR *d = opendir(path);
	struct dirent *e;
	int n = 0;

	if (!d)
		return -1;
	while ((e = readdir(d)) != NULL)
		n += e->d_name[0] != '.';
	closedir(d);
	return n;
}

FIXTURE(stress) {
	__u64 seed;
	int kmsg;
};

FIXTURE_SETUP(stress)
{
	ASSERT_EQ(0, kfi_module_load("kfi"));
	ASSERT_EQ(0, kfi_module_load("kfi_test_target"));
	ASSERT_EQ(0, kfi_module_load("kfi_test_buggy"));
	kfi_rules_clear();
	hotfix_unload();
	ASSERT_FALSE(kfi_module_loaded("kfi_test_hotfix"));
	ASSERT_EQ(0, kfi_write(KFI_CFS "/enabled", "1"));
	self->seed = fz_seed();
	TH_LOG("seed %llu (KFI_FUZZ_SEED=%llu replays the same choices)",
	       (unsigned long long)self->seed, (unsigned long long)self->seed);
	self->kmsg = kfi_kmsg_open();
}

FIXTURE_TEARDOWN(stress)
{
	stop = true;
	kfi_rules_clear();
	hotfix_unload();
	EXPECT_EQ(0, kfi_module_load("kfi"));
	if (self->kmsg >= 0)
		close(self->kmsg);
}

TEST_F(stress, rules_and_hotfixes_churn_while_every_cpu_calls)
{
	double secs = kfi_stress_seconds(3, 1), start = kfi_now();
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	int nr_callers = ncpu < 1 ? 2 : ncpu * 2 > MAX_CALLERS ? MAX_CALLERS : ncpu * 2;
	struct thread th[MAX_CALLERS + NR_CHURNERS + 1] = {};
	long calls = 0, ops = 0, arms = 0, checks = 0, fixed = 0, buggy = 0;
	int n = 0, left, i;
	char line[512];

	stop = false;
	for (int i = 0; i < nr_callers + NR_CHURNERS + 1; i++) {
		void *(*fn)(void *arg);

		if (i < nr_callers)
			fn = i & 1 ? hotfix_caller : caller;
		else if (i < nr_callers + NR_CHURNERS)
			fn = churner;
		else
			fn = hotfix_churner;
		th[i].id = i;
		th[i].seed = self->seed + 0x10000 * i;
		ASSERT_EQ(0, pthread_create(&th[i].th, NULL, fn, &th[i]));
		n++;
	}
	while (kfi_now() - start < secs)
		usleep(50000);
	stop = true;
	for (int i = 0; i < n; i++) {
		pthread_join(th[i].th, NULL);
		EXPECT_EQ(0, th[i].bad) TH_LOG("thread %d: %d went wrong, the first: %s",
					       i, th[i].bad, th[i].first);
		EXPECT_EQ(0, th[i].other)
			TH_LOG("thread %d: %ld calls of kfi_tb_answer() gave neither 41 nor 42",
			       i, th[i].other);
		calls += th[i].calls;
		ops += th[i].ops;
		arms += th[i].arms;
		checks += th[i].checks;
		fixed += th[i].fixed;
		buggy += th[i].buggy;
	}
	TH_LOG("%.1f s, %d callers: %ld calls (kfi_tb_answer: %ld fixed, %ld buggy)",
	       kfi_now() - start, nr_callers, calls, fixed, buggy);
	TH_LOG("%ld configfs operations, %ld arms, %ld counter checks", ops, arms,
	       checks);
	TH_LOG("hotfix: %ld loads, %ld switches", th[n - 1].loads, th[n - 1].flips);
	EXPECT_LT(0, arms) TH_LOG("no rule was ever armed");
	EXPECT_LT(0, th[n - 1].loads) TH_LOG("the hotfix was never loaded");

	/* Nothing left behind. */
	EXPECT_EQ(0, dir_entries(KFI_RULES)) TH_LOG("rules left in " KFI_RULES);
	EXPECT_FALSE(kfi_module_loaded("kfi_test_hotfix"));
	/* Unused probes go in batches, shortly after: wait up to 10 s. */
	for (i = 0; i < 1000; i++) {
		left = probes_left(line, sizeof(line));
		if (left <= 0)
			break;
		usleep(10000);
	}
	EXPECT_LE(0, left) TH_LOG("cannot read the lists of probes");
	EXPECT_GE(0, left) TH_LOG("%d probes left on the targets, e.g. %s", left,
				  line);
	EXPECT_EQ(0, kfi_module_unload("kfi")) TH_LOG("kfi would not unload");
	EXPECT_FALSE(kfi_kmsg_report(self->kmsg, line, sizeof(line)))
		TH_LOG("the kernel logged: %s", line);
}

int main(int argc, char **argv)
{
	return kfi_test_main(argc, argv);
}
