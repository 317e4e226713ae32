// SPDX-License-Identifier: GPL-2.0
/*
 * Injection rules: each action, each filter alone and combined, exact
 * counts, probability, rule order, the global switch, module unload and
 * reload, the tracepoint and the verbose log, all against the test target
 * module (kfi_test_target.ko), whose functions return their argument.
 */
#include <math.h>
#include <sys/mman.h>
#include <sys/prctl.h>

#include "kselftest_harness.h"
#include "kfi_test.h"

FIXTURE(rules) {
};

/* The same behaviours on an ftrace-based probe and on an int3 probe. */
FIXTURE_VARIANT(rules) {
	const char *func;
};

FIXTURE_VARIANT_ADD(rules, ftrace) {
	.func = "kfi_tt_ret",
};

FIXTURE_VARIANT_ADD(rules, int3) {
	.func = "kfi_tt_ret_notrace",
};

FIXTURE_SETUP(rules)
{
	ASSERT_EQ(0, kfi_module_load("kfi"));
	ASSERT_EQ(0, kfi_module_load("kfi_test_target"));
	kfi_rules_clear();
	ASSERT_EQ(0, kfi_write(KFI_CFS "/enabled", "1"));
}

FIXTURE_TEARDOWN(rules)
{
	kfi_rules_clear();
	EXPECT_EQ(0, kfi_write(KFI_CFS "/enabled", "1"));
}

/* "target=FUNC" for the variant's function. */
static const char *target_of(const char *func)
{
	static char buf[96];

	snprintf(buf, sizeof(buf), "target=%s", func);
	return buf;
}

static void expect_counts(struct __test_metadata *_metadata, const char *rule,
			  long hits, long injected)
{
	EXPECT_EQ(hits, kfi_rule_long(rule, "hits")) TH_LOG("rule %s: hits", rule);
	EXPECT_EQ(injected, kfi_rule_long(rule, "injected"))
		TH_LOG("rule %s: injected", rule);
}

TEST_F(rules, action_return_skips_the_body)
{
	unsigned long ran;
	long ret;

	ASSERT_EQ(0, kfi_rule_make("r", target_of(variant->func), "retval=-EIO",
				   "enabled=1", NULL));
	ASSERT_EQ(0, kfi_tt(variant->func, 5, &ret, &ran));
	EXPECT_EQ(-EIO, ret);
	EXPECT_EQ(0, ran) TH_LOG("the body ran although the rule returned at entry");
	expect_counts(_metadata, "r", 1, 1);

	ASSERT_EQ(0, kfi_rule_set("r", "enabled", "0"));
	ASSERT_EQ(0, kfi_tt(variant->func, 5, &ret, &ran));
	EXPECT_EQ(5, ret);
	EXPECT_EQ(1, ran);
	/* Disarmed: the counters keep their values. */
	expect_counts(_metadata, "r", 1, 1);
}

TEST_F(rules, action_replace_runs_the_body)
{
	unsigned long ran;
	long ret;

	ASSERT_EQ(0, kfi_rule_make("r", target_of(variant->func),
				   "action=replace", "retval=4242", "enabled=1",
				   NULL));
	ASSERT_EQ(0, kfi_tt(variant->func, 5, &ret, &ran));
	EXPECT_EQ(4242, ret);
	EXPECT_EQ(1, ran);
	expect_counts(_metadata, "r", 1, 1);
}

TEST_F(rules, default_retval_is_enomem)
{
	unsigned long ran;
	long ret;

	ASSERT_EQ(0, kfi_rule_make("r", target_of(variant->func), "enabled=1",
				   NULL));
	ASSERT_EQ(0, kfi_tt(variant->func, 5, &ret, &ran));
	EXPECT_EQ(-ENOMEM, ret);
}

TEST_F(rules, status_follows_arming)
{
	char buf[256];

	ASSERT_EQ(0, kfi_rule_make("r", target_of(variant->func), NULL));
	ASSERT_LT(0, kfi_rule_get("r", "status", buf, sizeof(buf)));
	EXPECT_STREQ("disabled", buf);
	ASSERT_EQ(0, kfi_rule_set("r", "enabled", "1"));
	ASSERT_LT(0, kfi_rule_get("r", "status", buf, sizeof(buf)));
	EXPECT_STREQ("armed", buf);
	EXPECT_EQ(1, kfi_rule_long("r", "enabled"));
	ASSERT_EQ(0, kfi_rule_set("r", "enabled", "0"));
	ASSERT_LT(0, kfi_rule_get("r", "status", buf, sizeof(buf)));
	EXPECT_STREQ("disabled", buf);
}

TEST_F(rules, interval_exact)
{
	struct kfi_tt_loop res;

	ASSERT_EQ(0, kfi_rule_make("r", target_of(variant->func), "interval=3",
				   "enabled=1", NULL));
	ASSERT_EQ(0, kfi_tt_loop(variant->func, 30, 1, &res));
	EXPECT_EQ(10, res.differed);
	EXPECT_EQ(20, res.ran);
	expect_counts(_metadata, "r", 30, 10);
}

TEST_F(rules, times_exact)
{
	struct kfi_tt_loop res;

	ASSERT_EQ(0, kfi_rule_make("r", target_of(variant->func), "times=7",
				   "enabled=1", NULL));
	ASSERT_EQ(0, kfi_tt_loop(variant->func, 100, 1, &res));
	EXPECT_EQ(7, res.differed);
	expect_counts(_metadata, "r", 100, 7);
}

TEST_F(rules, space_lets_calls_through_first)
{
	struct kfi_tt_loop res;

	ASSERT_EQ(0, kfi_rule_make("r", target_of(variant->func), "space=5",
				   "enabled=1", NULL));
	ASSERT_EQ(0, kfi_tt_loop(variant->func, 5, 1, &res));
	EXPECT_EQ(0, res.differed) TH_LOG("the first 5 calls must pass");
	ASSERT_EQ(0, kfi_tt_loop(variant->func, 15, 1, &res));
	EXPECT_EQ(15, res.differed);
	expect_counts(_metadata, "r", 20, 15);
}

/* The largest space (2^64 - 1) is more calls than will ever be made. */
TEST_F(rules, largest_space_lets_every_call_through)
{
	struct kfi_tt_loop res;

	ASSERT_EQ(0, kfi_rule_make("r", target_of(variant->func),
				   "space=18446744073709551615", "enabled=1",
				   NULL));
	ASSERT_EQ(0, kfi_tt_loop(variant->func, 20, 1, &res));
	EXPECT_EQ(0, res.differed);
	expect_counts(_metadata, "r", 20, 0);
}

TEST_F(rules, space_interval_times_combined)
{
	struct kfi_tt_loop res;

	/* 2 let through, then every 3rd candidate, at most 4 times. */
	ASSERT_EQ(0, kfi_rule_make("r", target_of(variant->func), "space=2",
				   "interval=3", "times=4", "enabled=1", NULL));
	ASSERT_EQ(0, kfi_tt_loop(variant->func, 4, 1, &res));
	EXPECT_EQ(0, res.differed);
	ASSERT_EQ(0, kfi_tt_loop(variant->func, 1, 1, &res));
	EXPECT_EQ(1, res.differed) TH_LOG("call 5 is the 3rd candidate");
	ASSERT_EQ(0, kfi_tt_loop(variant->func, 100, 1, &res));
	EXPECT_EQ(3, res.differed);
	expect_counts(_metadata, "r", 105, 4);
}

TEST_F(rules, arming_resets_counters_and_budget)
{
	struct kfi_tt_loop res;

	ASSERT_EQ(0, kfi_rule_make("r", target_of(variant->func), "times=2",
				   "enabled=1", NULL));
	ASSERT_EQ(0, kfi_tt_loop(variant->func, 10, 1, &res));
	EXPECT_EQ(2, res.differed);
	/* "1" to an armed rule does nothing; "0" keeps the counters. */
	ASSERT_EQ(0, kfi_rule_set("r", "enabled", "1"));
	expect_counts(_metadata, "r", 10, 2);
	ASSERT_EQ(0, kfi_tt_loop(variant->func, 10, 1, &res));
	EXPECT_EQ(0, res.differed) TH_LOG("the budget was reset");
	ASSERT_EQ(0, kfi_rule_set("r", "enabled", "0"));
	expect_counts(_metadata, "r", 20, 2);
	ASSERT_EQ(0, kfi_rule_set("r", "enabled", "1"));
	expect_counts(_metadata, "r", 0, 0);
	ASSERT_EQ(0, kfi_tt_loop(variant->func, 10, 1, &res));
	EXPECT_EQ(2, res.differed) TH_LOG("times budget not reset by arming");
}

/* Checks @got against a binomial(n, p) count at 6 sigma. */
static void expect_binomial(struct __test_metadata *_metadata, long n,
			    double p, unsigned long got)
{
	double mean = n * p, sigma = sqrt(n * p * (1 - p));
	double lo = mean - 6 * sigma, hi = mean + 6 * sigma;

	EXPECT_TRUE(got >= lo && got <= hi)
		TH_LOG("%lu injections in %ld calls at p=%g: expected %.0f +- %.0f",
		       got, n, p, mean, 6 * sigma);
}

TEST_F(rules, probability_statistical)
{
	struct kfi_tt_loop res;

	ASSERT_EQ(0, kfi_rule_make("r", target_of(variant->func),
				   "probability=25", "enabled=1", NULL));
	ASSERT_EQ(0, kfi_tt_loop(variant->func, 20000, 1, &res));
	expect_binomial(_metadata, 20000, 0.25, res.differed);
	expect_counts(_metadata, "r", 20000, res.differed);
}

TEST_F(rules, probability_fractional)
{
	struct kfi_tt_loop res;

	ASSERT_EQ(0, kfi_rule_make("r", target_of(variant->func),
				   "probability=0.5", "enabled=1", NULL));
	ASSERT_EQ(0, kfi_tt_loop(variant->func, 40000, 1, &res));
	expect_binomial(_metadata, 40000, 0.005, res.differed);
	EXPECT_LT(0, res.differed);
}

TEST_F(rules, probability_zero_never_injects)
{
	struct kfi_tt_loop res;

	ASSERT_EQ(0, kfi_rule_make("r", target_of(variant->func),
				   "probability=0", "enabled=1", NULL));
	ASSERT_EQ(0, kfi_tt_loop(variant->func, 10000, 1, &res));
	EXPECT_EQ(0, res.differed);
	expect_counts(_metadata, "r", 10000, 0);
}

/* One rule, every CPU calling at once: times must hold exactly. */
TEST_F(rules, times_exact_on_all_cpus)
{
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN), i, total = 0;
	struct kfi_tt_loop *res;
	int go[2];

	ASSERT_LT(0, ncpu);
	res = mmap(NULL, sizeof(*res) * ncpu * 2, PROT_READ | PROT_WRITE,
		   MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, res);
	ASSERT_EQ(0, pipe(go));
	ASSERT_EQ(0, kfi_rule_make("r", target_of(variant->func), "times=500",
				   "enabled=1", NULL));
	for (i = 0; i < ncpu * 2; i++) {
		if (fork() == 0) {
			char c;

			close(go[1]);
			if (read(go[0], &c, 1) != 0)
				_exit(2);
			_exit(kfi_tt_loop(variant->func, 20000, 1, &res[i]) ?
			      1 : 0);
		}
	}
	close(go[0]);
	close(go[1]);		/* all start at once */
	for (i = 0; i < ncpu * 2; i++) {
		int status;

		ASSERT_LT(0, wait(&status));
		EXPECT_EQ(0, WEXITSTATUS(status));
	}
	for (i = 0; i < ncpu * 2; i++)
		total += res[i].differed;
	EXPECT_EQ(500, total);
	expect_counts(_metadata, "r", ncpu * 2 * 20000, 500);
}

TEST_F(rules, global_switch)
{
	struct kfi_tt_loop res;
	char buf[64];

	ASSERT_EQ(0, kfi_rule_make("r", target_of(variant->func), "times=60",
				   "enabled=1", NULL));
	ASSERT_EQ(0, kfi_write(KFI_CFS "/enabled", "0"));
	EXPECT_EQ(0, kfi_read_long(KFI_CFS "/enabled"));
	ASSERT_EQ(0, kfi_tt_loop(variant->func, 100, 1, &res));
	EXPECT_EQ(0, res.differed);
	/* Not counted in hits either, and the budget is kept. */
	expect_counts(_metadata, "r", 0, 0);
	ASSERT_LT(0, kfi_rule_get("r", "status", buf, sizeof(buf)));
	EXPECT_STREQ("armed", buf) TH_LOG("the global switch must not disarm");

	ASSERT_EQ(0, kfi_write(KFI_CFS "/enabled", "1"));
	ASSERT_EQ(0, kfi_tt_loop(variant->func, 100, 1, &res));
	EXPECT_EQ(60, res.differed);
	expect_counts(_metadata, "r", 100, 60);
}

/*
 * Runs @n calls in @nproc child processes that start together once
 * configured; @setup runs in the parent with their pids first.
 */
struct children {
	pid_t pid[4];
	int go[2];
	struct kfi_tt_loop *res;
	int n;
};

static void children_start(struct __test_metadata *_metadata,
			   struct children *c, int n, const char *func,
			   long calls, const char *comm)
{
	int i;

	c->n = n;
	c->res = mmap(NULL, sizeof(*c->res) * n, PROT_READ | PROT_WRITE,
		      MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, c->res);
	ASSERT_EQ(0, pipe(c->go));
	for (i = 0; i < n; i++) {
		c->pid[i] = fork();
		ASSERT_LE(0, c->pid[i]);
		if (c->pid[i] == 0) {
			char ch;

			close(c->go[1]);
			if (comm && i == 0)
				prctl(PR_SET_NAME, comm);
			if (read(c->go[0], &ch, 1) != 0)
				_exit(2);
			_exit(kfi_tt_loop(func, calls, 1, &c->res[i]) ? 1 : 0);
		}
	}
	close(c->go[0]);
}

static void children_finish(struct __test_metadata *_metadata,
			    struct children *c)
{
	int i, status;

	close(c->go[1]);
	for (i = 0; i < c->n; i++) {
		ASSERT_EQ(c->pid[i], waitpid(c->pid[i], &status, 0));
		EXPECT_EQ(0, WEXITSTATUS(status));
	}
}

TEST_F(rules, pid_filter_with_two_processes_at_once)
{
	struct children c;
	char pid[32];

	children_start(_metadata, &c, 2, variant->func, 2000, NULL);
	snprintf(pid, sizeof(pid), "%d", c.pid[0]);
	ASSERT_EQ(0, kfi_rule_make("r", target_of(variant->func), "pid=1",
				   NULL));
	ASSERT_EQ(0, kfi_rule_set("r", "pid", pid));
	ASSERT_EQ(0, kfi_rule_set("r", "enabled", "1"));
	children_finish(_metadata, &c);
	EXPECT_EQ(2000, c.res[0].differed) TH_LOG("the listed process");
	EXPECT_EQ(0, c.res[1].differed) TH_LOG("the other process");
	/* Only the listed process's calls are the rule's hits. */
	expect_counts(_metadata, "r", 2000, 2000);
}

TEST_F(rules, pid_filter_list)
{
	struct children c;
	char pids[64];

	children_start(_metadata, &c, 3, variant->func, 100, NULL);
	snprintf(pids, sizeof(pids), "1 %d %d", c.pid[0], c.pid[2]);
	ASSERT_EQ(0, kfi_rule_make("r", target_of(variant->func), NULL));
	ASSERT_EQ(0, kfi_rule_set("r", "pid", pids));
	ASSERT_EQ(0, kfi_rule_set("r", "enabled", "1"));
	children_finish(_metadata, &c);
	EXPECT_EQ(100, c.res[0].differed);
	EXPECT_EQ(0, c.res[1].differed);
	EXPECT_EQ(100, c.res[2].differed);
}

/*
 * Rules aimed at this process (found by its pid) and rules for any process
 * on one function are asked in one order, by name, whichever way each is
 * found; a pid listed twice makes its rule asked once per call.
 */
TEST_F(rules, pid_rules_and_other_rules_asked_in_name_order)
{
	const long want[] = { -1, -2, -3, -4, -4 };
	char mine[32], twice[64], other[32];
	unsigned long ran;
	unsigned int i;
	long ret;

	snprintf(mine, sizeof(mine), "pid=%d", getpid());
	snprintf(twice, sizeof(twice), "pid=%d 1 %d", getpid(), getpid());
	snprintf(other, sizeof(other), "pid=%d", getppid());
	ASSERT_EQ(0, kfi_rule_make("e-other", target_of(variant->func), other,
				   "retval=-5", "enabled=1", NULL));
	ASSERT_EQ(0, kfi_rule_make("d-any", target_of(variant->func),
				   "retval=-4", "enabled=1", NULL));
	ASSERT_EQ(0, kfi_rule_make("c-twice", target_of(variant->func), twice,
				   "retval=-3", "times=1", "enabled=1", NULL));
	ASSERT_EQ(0, kfi_rule_make("b-any", target_of(variant->func),
				   "retval=-2", "times=1", "enabled=1", NULL));
	ASSERT_EQ(0, kfi_rule_make("a-self", target_of(variant->func), mine,
				   "retval=-1", "times=1", "enabled=1", NULL));
	for (i = 0; i < ARRAY_SIZE(want); i++) {
		ASSERT_EQ(0, kfi_tt(variant->func, 1, &ret, &ran));
		EXPECT_EQ(want[i], ret) TH_LOG("call %u", i + 1);
	}
	/* Each call asks the rules before the one that acts. */
	expect_counts(_metadata, "a-self", 5, 1);
	expect_counts(_metadata, "b-any", 4, 1);
	expect_counts(_metadata, "c-twice", 3, 1);
	expect_counts(_metadata, "d-any", 2, 2);
	expect_counts(_metadata, "e-other", 0, 0);

	/* Out of the middle and back: the order holds. */
	ASSERT_EQ(0, kfi_rule_set("d-any", "enabled", "0"));
	ASSERT_EQ(0, kfi_tt(variant->func, 1, &ret, &ran));
	EXPECT_EQ(1, ret) TH_LOG("no rule left for this process");
	ASSERT_EQ(0, kfi_rule_set("b-any", "enabled", "0"));
	ASSERT_EQ(0, kfi_rule_set("b-any", "enabled", "1"));
	ASSERT_EQ(0, kfi_rule_set("d-any", "enabled", "1"));
	ASSERT_EQ(0, kfi_tt(variant->func, 1, &ret, &ran));
	EXPECT_EQ(-2, ret) TH_LOG("b-any, armed again, acts before d-any");
	ASSERT_EQ(0, kfi_tt(variant->func, 1, &ret, &ran));
	EXPECT_EQ(-4, ret);
}

/*
 * Rules found by command name, by pid, and for every task, on one function:
 * one name order. A rule with children is found by its comm.
 */
TEST_F(rules, comm_rules_asked_in_name_order)
{
	const long want[] = { -1, -3, -4, -5 };
	unsigned long ran;
	unsigned int i;
	char mine[32];
	long ret;

	ASSERT_EQ(0, prctl(PR_SET_NAME, "kfi-cm"));
	snprintf(mine, sizeof(mine), "pid=%d", getpid());
	ASSERT_EQ(0, kfi_rule_make("e-any", target_of(variant->func),
				   "retval=-5", "enabled=1", NULL));
	ASSERT_EQ(0, kfi_rule_make("d-comm-children", target_of(variant->func),
				   "pid=1", "children=1", "comm=kfi-cm",
				   "retval=-4", "times=1", "enabled=1", NULL));
	ASSERT_EQ(0, kfi_rule_make("c-pid", target_of(variant->func), mine,
				   "retval=-3", "times=1", "enabled=1", NULL));
	ASSERT_EQ(0, kfi_rule_make("b-other-comm", target_of(variant->func),
				   "comm=kfi-cn", "retval=-2", "enabled=1",
				   NULL));
	ASSERT_EQ(0, kfi_rule_make("a-comm", target_of(variant->func),
				   "comm=kfi-cm", "retval=-1", "times=1",
				   "enabled=1", NULL));
	for (i = 0; i < ARRAY_SIZE(want); i++) {
		ASSERT_EQ(0, kfi_tt(variant->func, 1, &ret, &ran));
		EXPECT_EQ(want[i], ret) TH_LOG("call %u", i + 1);
	}
	expect_counts(_metadata, "a-comm", 4, 1);
	expect_counts(_metadata, "b-other-comm", 0, 0);
	expect_counts(_metadata, "c-pid", 3, 1);
	expect_counts(_metadata, "d-comm-children", 2, 1);
	expect_counts(_metadata, "e-any", 1, 1);

	/* Renamed: the rules for the other name find this process. */
	ASSERT_EQ(0, prctl(PR_SET_NAME, "kfi-cn"));
	ASSERT_EQ(0, kfi_tt(variant->func, 1, &ret, &ran));
	EXPECT_EQ(-2, ret);
	expect_counts(_metadata, "a-comm", 4, 1);
	expect_counts(_metadata, "b-other-comm", 1, 1);
}

/*
 * Many rules on one function, each aimed at another process: the one aimed
 * at this process acts, and no other counts a hit. Forty pids, two of them
 * this process's neighbours, share the index's slots.
 */
TEST_F(rules, many_pid_rules_on_one_function)
{
	char name[32], pid[32];
	unsigned long ran;
	long ret;
	int i;

	for (i = 0; i < 40; i++) {
		pid_t p = i == 20 ? getpid() : getpid() + 1 + i * 64;

		snprintf(name, sizeof(name), "r%02d", i);
		snprintf(pid, sizeof(pid), "pid=%d", p);
		ASSERT_EQ(0, kfi_rule_make(name, target_of(variant->func), pid,
					   "retval=-7", "enabled=1", NULL));
	}
	ASSERT_EQ(0, kfi_tt(variant->func, 1, &ret, &ran));
	EXPECT_EQ(-7, ret);
	for (i = 0; i < 40; i++) {
		snprintf(name, sizeof(name), "r%02d", i);
		expect_counts(_metadata, name, i == 20, i == 20);
	}
	/* Without the rule aimed at it, this process's calls go through. */
	ASSERT_EQ(0, kfi_rule_set("r20", "enabled", "0"));
	ASSERT_EQ(0, kfi_tt(variant->func, 1, &ret, &ran));
	EXPECT_EQ(1, ret);
	EXPECT_EQ(1, ran);
}

/* A child and a grandchild forked after arming match with children=1. */
static long descendant_injections(struct __test_metadata *_metadata,
				  const char *func)
{
	struct kfi_tt_loop *res;
	pid_t child;
	int status;

	res = mmap(NULL, sizeof(*res) * 2, PROT_READ | PROT_WRITE,
		   MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (res == MAP_FAILED)
		return -1;
	child = fork();
	if (child == 0) {
		pid_t grandchild = fork();

		if (grandchild == 0)
			_exit(kfi_tt_loop(func, 10, 1, &res[1]) ? 1 : 0);
		if (kfi_tt_loop(func, 10, 1, &res[0]))
			_exit(1);
		waitpid(grandchild, &status, 0);
		_exit(WEXITSTATUS(status));
	}
	waitpid(child, &status, 0);
	EXPECT_EQ(0, WEXITSTATUS(status));
	EXPECT_EQ(res[0].differed, res[1].differed)
		TH_LOG("child %lu, grandchild %lu injections", res[0].differed,
		       res[1].differed);
	return res[0].differed + res[1].differed;
}

TEST_F(rules, children_follow_descendants)
{
	struct kfi_tt_loop res;
	char pid[32];

	snprintf(pid, sizeof(pid), "%d", getpid());
	ASSERT_EQ(0, kfi_rule_make("r", target_of(variant->func), NULL));
	ASSERT_EQ(0, kfi_rule_set("r", "pid", pid));
	ASSERT_EQ(0, kfi_rule_set("r", "children", "1"));
	ASSERT_EQ(0, kfi_rule_set("r", "enabled", "1"));
	EXPECT_EQ(20, descendant_injections(_metadata, variant->func));
	ASSERT_EQ(0, kfi_tt_loop(variant->func, 10, 1, &res));
	EXPECT_EQ(10, res.differed) TH_LOG("the listed process itself");
}

TEST_F(rules, without_children_descendants_do_not_match)
{
	char pid[32];

	snprintf(pid, sizeof(pid), "%d", getpid());
	ASSERT_EQ(0, kfi_rule_make("r", target_of(variant->func), NULL));
	ASSERT_EQ(0, kfi_rule_set("r", "pid", pid));
	ASSERT_EQ(0, kfi_rule_set("r", "enabled", "1"));
	EXPECT_EQ(0, descendant_injections(_metadata, variant->func));
}

TEST_F(rules, comm_filter)
{
	struct children c;

	children_start(_metadata, &c, 2, variant->func, 500, "kfi-victim");
	ASSERT_EQ(0, kfi_rule_make("r", target_of(variant->func),
				   "comm=kfi-victim", "enabled=1", NULL));
	children_finish(_metadata, &c);
	EXPECT_EQ(500, c.res[0].differed) TH_LOG("the task named kfi-victim");
	EXPECT_EQ(0, c.res[1].differed);
	expect_counts(_metadata, "r", 500, 500);
}

TEST_F(rules, pid_and_comm_combined)
{
	struct children c;
	char pids[64];

	/* Both listed, only the first has the comm. */
	children_start(_metadata, &c, 2, variant->func, 300, "kfi-victim");
	snprintf(pids, sizeof(pids), "%d %d", c.pid[0], c.pid[1]);
	ASSERT_EQ(0, kfi_rule_make("r", target_of(variant->func),
				   "comm=kfi-victim", NULL));
	ASSERT_EQ(0, kfi_rule_set("r", "pid", pids));
	ASSERT_EQ(0, kfi_rule_set("r", "interval", "3"));
	ASSERT_EQ(0, kfi_rule_set("r", "enabled", "1"));
	children_finish(_metadata, &c);
	EXPECT_EQ(100, c.res[0].differed);
	EXPECT_EQ(0, c.res[1].differed);
}

/* Functions that differ per test, not per probe kind. */
FIXTURE(rule) {
};

FIXTURE_SETUP(rule)
{
	ASSERT_EQ(0, kfi_module_load("kfi"));
	ASSERT_EQ(0, kfi_module_load("kfi_test_target"));
	kfi_rules_clear();
	ASSERT_EQ(0, kfi_write(KFI_CFS "/enabled", "1"));
}

FIXTURE_TEARDOWN(rule)
{
	/* Calls a failed test left waiting in kfi_tt_block() go on. */
	kfi_write(KFI_TT "/block", "release");
	kfi_rules_clear();
	EXPECT_EQ(0, kfi_module_load("kfi_test_target"));
}

TEST_F(rule, action_args_rewrites_arguments)
{
	unsigned long ran;
	long ret;

	ASSERT_EQ(0, kfi_rule_make("r", "target=kfi_tt_args", "action=args",
				   "args=2=9 6=0", "enabled=1", NULL));
	ASSERT_EQ(0, kfi_tt_call("kfi_tt_args 1 2 3 4 5 6", &ret, &ran));
	/* a + 10 b + 100 c + ...: b became 9, f became 0. */
	EXPECT_EQ(54391, ret);
	EXPECT_EQ(1, ran);
	expect_counts(_metadata, "r", 1, 1);
}

TEST_F(rule, action_args_every_position)
{
	unsigned long ran;
	long ret;

	ASSERT_EQ(0, kfi_rule_make("r", "target=kfi_tt_args", "action=args",
				   "args=1=7 2=7 3=7 4=7 5=7 6=7", "enabled=1",
				   NULL));
	ASSERT_EQ(0, kfi_tt_call("kfi_tt_args 1 2 3 4 5 6", &ret, &ran));
	EXPECT_EQ(777777, ret);
}

TEST_F(rule, caller_filter)
{
	unsigned long ran;
	long ret;

	ASSERT_EQ(0, kfi_rule_make("r", "target=kfi_tt_ret", "retval=-5",
				   "caller=kfi_tt_caller_a", "enabled=1", NULL));
	ASSERT_EQ(0, kfi_tt("kfi_tt_caller_a", 1, &ret, &ran));
	EXPECT_EQ(-5, ret) TH_LOG("called from the named caller");
	EXPECT_EQ(0, ran);
	ASSERT_EQ(0, kfi_tt("kfi_tt_caller_b", 1, &ret, &ran));
	EXPECT_EQ(1, ret) TH_LOG("called from another function");
	ASSERT_EQ(0, kfi_tt("kfi_tt_ret", 1, &ret, &ran));
	EXPECT_EQ(1, ret) TH_LOG("called directly from the debugfs handler");
	expect_counts(_metadata, "r", 3, 1);
}

/*
 * With a replace rule on the same function, the kretprobe has already
 * replaced the return address when the entry rule looks at its caller.
 */
TEST_F(rule, caller_filter_sees_through_kretprobe)
{
	unsigned long ran;
	long ret;

	ASSERT_EQ(0, kfi_rule_make("a", "target=kfi_tt_ret", "action=replace",
				   "retval=99", "enabled=1", NULL));
	ASSERT_EQ(0, kfi_rule_make("b", "target=kfi_tt_ret", "retval=-5",
				   "caller=kfi_tt_caller_a", "enabled=1", NULL));
	ASSERT_EQ(0, kfi_tt("kfi_tt_caller_a", 1, &ret, &ran));
	EXPECT_EQ(0, ran) TH_LOG("rule b did not see its caller");
	EXPECT_EQ(99, ret) TH_LOG("rule a replaces at return");
	ASSERT_EQ(0, kfi_tt("kfi_tt_caller_b", 1, &ret, &ran));
	EXPECT_EQ(1, ran);
	EXPECT_EQ(99, ret);
	expect_counts(_metadata, "b", 2, 1);
}

TEST_F(rule, rules_act_in_name_order)
{
	unsigned long ran;
	long ret;

	/* Made in the other order: the name decides, not the creation. */
	ASSERT_EQ(0, kfi_rule_make("b-second", "target=kfi_tt_ret",
				   "retval=-2", "enabled=1", NULL));
	ASSERT_EQ(0, kfi_rule_make("a-first", "target=kfi_tt_ret",
				   "retval=-1", "times=1", "enabled=1", NULL));
	ASSERT_EQ(0, kfi_tt("kfi_tt_ret", 1, &ret, &ran));
	EXPECT_EQ(-1, ret);
	ASSERT_EQ(0, kfi_tt("kfi_tt_ret", 1, &ret, &ran));
	EXPECT_EQ(-2, ret) TH_LOG("a-first is out of budget: b-second acts");
	expect_counts(_metadata, "a-first", 2, 1);
	expect_counts(_metadata, "b-second", 1, 1);
}

TEST_F(rule, one_rule_acts_per_call)
{
	unsigned long ran;
	long ret;

	ASSERT_EQ(0, kfi_rule_make("a", "target=kfi_tt_args", "action=args",
				   "args=1=9", "enabled=1", NULL));
	ASSERT_EQ(0, kfi_rule_make("b", "target=kfi_tt_args", "action=args",
				   "args=2=9", "enabled=1", NULL));
	ASSERT_EQ(0, kfi_tt_call("kfi_tt_args 1 1 1 1 1 1", &ret, &ran));
	EXPECT_EQ(111119, ret) TH_LOG("only rule a may act");
	expect_counts(_metadata, "b", 0, 0);
}

TEST_F(rule, entry_and_return_rules_both_act)
{
	unsigned long ran;
	long ret;

	ASSERT_EQ(0, kfi_rule_make("a", "target=kfi_tt_args", "action=args",
				   "args=1=9", "enabled=1", NULL));
	ASSERT_EQ(0, kfi_rule_make("b", "target=kfi_tt_args", "action=replace",
				   "retval=-3", "probability=0", "enabled=1",
				   NULL));
	ASSERT_EQ(0, kfi_tt_call("kfi_tt_args 1 1 1 1 1 1", &ret, &ran));
	EXPECT_EQ(111119, ret);
	ASSERT_EQ(0, kfi_rule_set("b", "enabled", "0"));
	ASSERT_EQ(0, kfi_rule_set("b", "probability", "100"));
	ASSERT_EQ(0, kfi_rule_set("b", "enabled", "1"));
	ASSERT_EQ(0, kfi_tt_call("kfi_tt_args 1 1 1 1 1 1", &ret, &ran));
	EXPECT_EQ(-3, ret);
	EXPECT_EQ(1, ran);
	expect_counts(_metadata, "a", 2, 2);
}

/* Replace rules are found by process too, and asked in name order. */
TEST_F(rule, replace_rules_by_process)
{
	char mine[32], other[32];
	unsigned long ran;
	long ret;

	snprintf(mine, sizeof(mine), "pid=%d", getpid());
	snprintf(other, sizeof(other), "pid=%d", getppid());
	ASSERT_EQ(0, kfi_rule_make("a-other", "target=kfi_tt_ret",
				   "action=replace", other, "retval=-1",
				   "enabled=1", NULL));
	ASSERT_EQ(0, kfi_rule_make("b-self", "target=kfi_tt_ret",
				   "action=replace", mine, "retval=-2",
				   "times=1", "enabled=1", NULL));
	ASSERT_EQ(0, kfi_rule_make("c-any", "target=kfi_tt_ret",
				   "action=replace", "retval=-3", "enabled=1",
				   NULL));
	ASSERT_EQ(0, kfi_tt("kfi_tt_ret", 5, &ret, &ran));
	EXPECT_EQ(-2, ret);
	EXPECT_EQ(1, ran);
	ASSERT_EQ(0, kfi_tt("kfi_tt_ret", 5, &ret, &ran));
	EXPECT_EQ(-3, ret) TH_LOG("b-self is out of budget: c-any acts");
	expect_counts(_metadata, "a-other", 0, 0);
	expect_counts(_metadata, "b-self", 2, 1);
	expect_counts(_metadata, "c-any", 1, 1);

	/* The last replace rule gone: the function's returns are its own. */
	ASSERT_EQ(0, kfi_rule_set("c-any", "enabled", "0"));
	ASSERT_EQ(0, kfi_rule_set("b-self", "enabled", "0"));
	ASSERT_EQ(0, kfi_rule_set("a-other", "enabled", "0"));
	ASSERT_EQ(0, kfi_tt("kfi_tt_ret", 5, &ret, &ran));
	EXPECT_EQ(5, ret);
	ASSERT_EQ(0, kfi_rule_set("b-self", "enabled", "1"));
	ASSERT_EQ(0, kfi_tt("kfi_tt_ret", 5, &ret, &ran));
	EXPECT_EQ(-2, ret) TH_LOG("armed again on a set that was emptied");
}

/*
 * "+0" names the function itself: rules naming it either way are asked in
 * one name order. Named with and without its module, one rule still acts
 * per call.
 */
TEST_F(rule, spellings_of_one_function)
{
	unsigned long ran;
	long ret;

	ASSERT_EQ(0, kfi_rule_make("a", "target=kfi_tt_ret+0", "retval=-1",
				   "times=1", "enabled=1", NULL));
	ASSERT_EQ(0, kfi_rule_make("b", "target=kfi_tt_ret", "retval=-2",
				   "times=1", "enabled=1", NULL));
	ASSERT_EQ(0, kfi_rule_make("c", "target=kfi_test_target:kfi_tt_ret",
				   "retval=-3", "enabled=1", NULL));
	/* "kfi_test_target:kfi_tt_ret" sorts before "kfi_tt_ret". */
	ASSERT_EQ(0, kfi_tt("kfi_tt_ret", 1, &ret, &ran));
	EXPECT_EQ(-3, ret);
	ASSERT_EQ(0, kfi_rule_set("c", "enabled", "0"));
	ASSERT_EQ(0, kfi_tt("kfi_tt_ret", 1, &ret, &ran));
	EXPECT_EQ(-1, ret) TH_LOG("a (kfi_tt_ret+0) sorts before b");
	ASSERT_EQ(0, kfi_tt("kfi_tt_ret", 1, &ret, &ran));
	EXPECT_EQ(-2, ret);
	expect_counts(_metadata, "a", 2, 1);
	expect_counts(_metadata, "b", 1, 1);
	expect_counts(_metadata, "c", 1, 1);
}

TEST_F(rule, rules_on_other_functions_do_not_interfere)
{
	unsigned long ran;
	long ret;

	ASSERT_EQ(0, kfi_rule_make("other", "target=kfi_tt_ret2",
				   "retval=-9", "enabled=1", NULL));
	ASSERT_EQ(0, kfi_tt("kfi_tt_ret", 3, &ret, &ran));
	EXPECT_EQ(3, ret);
	ASSERT_EQ(0, kfi_tt("kfi_tt_ret2", 3, &ret, &ran));
	EXPECT_EQ(-9, ret);
	expect_counts(_metadata, "other", 1, 1);
}

static bool status_is(const char *rule, const char *want)
{
	char buf[256];

	return kfi_rule_get(rule, "status", buf, sizeof(buf)) > 0 &&
	       !strcmp(buf, want);
}

TEST_F(rule, target_module_unload_and_reload)
{
	unsigned long ran;
	char buf[256];
	long ret;

	ASSERT_EQ(0, kfi_rule_make("r", "target=kfi_test_target:kfi_tt_ret",
				   "retval=-6", "enabled=1", NULL));
	ASSERT_EQ(0, kfi_module_unload("kfi_test_target"));
	ASSERT_LT(0, kfi_rule_get("r", "status", buf, sizeof(buf)));
	EXPECT_STREQ("gone", buf);
	EXPECT_EQ(1, kfi_rule_long("r", "enabled"));

	ASSERT_EQ(0, kfi_module_load("kfi_test_target"));
	EXPECT_TRUE(status_is("r", "armed"));
	ASSERT_EQ(0, kfi_tt("kfi_tt_ret", 3, &ret, &ran));
	EXPECT_EQ(-6, ret) TH_LOG("the rule did not re-arm on reload");
}

/*
 * A module's file name may have '-' where the module's name has '_':
 * either spelling names the module, and both are one set of rules (asked
 * in name order), which follows the module's reload.
 */
TEST_F(rule, module_name_with_dashes)
{
	unsigned long ran;
	long ret;

	ASSERT_EQ(0, kfi_rule_make("r", "target=kfi-test-target:kfi_tt_ret",
				   "retval=-6", "enabled=1", NULL));
	ASSERT_EQ(0, kfi_rule_make("a", "target=kfi_test_target:kfi_tt_ret",
				   "retval=-7", "times=1", "enabled=1", NULL));
	ASSERT_EQ(0, kfi_tt("kfi_tt_ret", 3, &ret, &ran));
	EXPECT_EQ(-7, ret) TH_LOG("a, first by name, acts first");
	ASSERT_EQ(0, kfi_tt("kfi_tt_ret", 3, &ret, &ran));
	EXPECT_EQ(-6, ret);

	ASSERT_EQ(0, kfi_module_unload("kfi_test_target"));
	ASSERT_EQ(0, kfi_module_load("kfi_test_target"));
	EXPECT_TRUE(status_is("r", "armed"));
	ASSERT_EQ(0, kfi_tt("kfi_tt_ret", 3, &ret, &ran));
	EXPECT_EQ(-6, ret) TH_LOG("the rule did not re-arm on reload");
}

/*
 * pid and comm never match a call in interrupt context (the task it
 * interrupted did not make it); a rule without them injects there too.
 */
TEST_F(rule, pid_and_comm_never_match_in_interrupts)
{
	char pid[32], comm[32], self_comm[16] = "";
	unsigned long ran;
	long ret;

	ASSERT_LT(0, kfi_read("/proc/self/comm", self_comm, sizeof(self_comm)));
	self_comm[strcspn(self_comm, "\n")] = '\0';
	snprintf(pid, sizeof(pid), "pid=%d", getpid());
	snprintf(comm, sizeof(comm), "comm=%s", self_comm);
	ASSERT_EQ(0, kfi_rule_make("a-pid", "target=kfi_tt_ret", pid,
				   "retval=-1", "enabled=1", NULL));
	ASSERT_EQ(0, kfi_rule_make("b-comm", "target=kfi_tt_ret", comm,
				   "retval=-2", "enabled=1", NULL));
	ASSERT_EQ(0, kfi_tt_call_in("irq", "kfi_tt_ret 5", &ret, &ran));
	EXPECT_EQ(5, ret) TH_LOG("a pid or comm rule injected in an interrupt");
	ASSERT_EQ(0, kfi_tt("kfi_tt_ret", 5, &ret, &ran));
	EXPECT_EQ(-1, ret);

	ASSERT_EQ(0, kfi_rule_make("c-any", "target=kfi_tt_ret", "retval=-3",
				   "enabled=1", NULL));
	ASSERT_EQ(0, kfi_tt_call_in("irq", "kfi_tt_ret 5", &ret, &ran));
	EXPECT_EQ(-3, ret) TH_LOG("a rule for every task skipped an interrupt");
	EXPECT_EQ(0, kfi_rule_long("b-comm", "injected"));
}

/* Counters and budgets go on across the target module's reload. */
TEST_F(rule, counters_go_on_across_a_reload)
{
	struct kfi_tt_loop res;

	ASSERT_EQ(0, kfi_rule_make("r", "target=kfi_test_target:kfi_tt_ret",
				   "times=3", "enabled=1", NULL));
	ASSERT_EQ(0, kfi_tt_loop("kfi_tt_ret", 2, 1, &res));
	EXPECT_EQ(2, res.differed);
	ASSERT_EQ(0, kfi_module_unload("kfi_test_target"));
	ASSERT_EQ(0, kfi_module_load("kfi_test_target"));
	ASSERT_EQ(0, kfi_tt_loop("kfi_tt_ret", 5, 1, &res));
	EXPECT_EQ(1, res.differed) TH_LOG("one injection left of times=3");
	EXPECT_EQ(7, kfi_rule_long("r", "hits"));
	EXPECT_EQ(3, kfi_rule_long("r", "injected"));
}

TEST_F(rule, target_named_without_module_follows_it)
{
	unsigned long ran;
	long ret;

	ASSERT_EQ(0, kfi_rule_make("r", "target=kfi_tt_ret", "retval=-6",
				   "enabled=1", NULL));
	ASSERT_EQ(0, kfi_module_unload("kfi_test_target"));
	EXPECT_TRUE(status_is("r", "gone"));
	ASSERT_EQ(0, kfi_module_load("kfi_test_target"));
	EXPECT_TRUE(status_is("r", "armed"));
	ASSERT_EQ(0, kfi_tt("kfi_tt_ret", 3, &ret, &ran));
	EXPECT_EQ(-6, ret);
}

/*
 * A module's reload puts back the probes of every rule on it at once: the
 * rules bound for kfi's ftrace_ops in one ftrace update (ftrace refuses the
 * notrace function in that batch, which then goes to a kprobe alone), and
 * a replace rule's kretprobe. Each acts again, on the probe it had.
 */
TEST_F(rule, rules_on_many_functions_follow_a_reload)
{
	static const struct {
		const char *rule, *func, *action;
		long ret;
		int on;
	} r[] = {
		{ "a", "kfi_tt_ret", "return", -5, KFI_PROBE_FTRACE },
		{ "b", "kfi_tt_ret2", "return", -6, KFI_PROBE_FTRACE },
		{ "c", "kfi_tt_ret_notrace", "return", -7, KFI_PROBE_KPROBE },
		{ "d", "kfi_tt_sleep", "replace", 8, KFI_PROBE_KPROBE },
	};
	char target[64], action[32], retval[32];
	unsigned long ran;
	size_t i;
	long ret;
	int load;

	for (i = 0; i < ARRAY_SIZE(r); i++) {
		snprintf(target, sizeof(target),
			 "target=kfi_test_target:%s", r[i].func);
		snprintf(action, sizeof(action), "action=%s", r[i].action);
		snprintf(retval, sizeof(retval), "retval=%ld", r[i].ret);
		ASSERT_EQ(0, kfi_rule_make(r[i].rule, target, action, retval,
					   "enabled=1", NULL));
	}
	for (load = 0; load < 2; load++) {
		for (i = 0; i < ARRAY_SIZE(r); i++) {
			EXPECT_TRUE(status_is(r[i].rule, "armed"))
				TH_LOG("%s, load %d", r[i].rule, load);
			EXPECT_EQ(r[i].on, kfi_probe_on(r[i].func))
				TH_LOG("%s, load %d", r[i].func, load);
			ASSERT_EQ(0, kfi_tt(r[i].func, 1, &ret, &ran));
			EXPECT_EQ(r[i].ret, ret)
				TH_LOG("%s, load %d", r[i].rule, load);
		}
		ASSERT_EQ(0, kfi_module_unload("kfi_test_target"));
		for (i = 0; i < ARRAY_SIZE(r); i++)
			EXPECT_TRUE(status_is(r[i].rule, "gone"));
		ASSERT_EQ(0, kfi_module_load("kfi_test_target"));
	}
	for (i = 0; i < ARRAY_SIZE(r); i++)
		EXPECT_EQ(2, kfi_rule_long(r[i].rule, "injected"));
}

/*
 * Loads kfi_test_target with its init held, arms rule @rule on @target to
 * inject -ENODEV once while the module is coming, releases the init, and
 * returns what loading returned.
 */
static int load_with_rule_in_init(const char *rule, const char *target)
{
	int status, err = -EIO, i;
	pid_t pid;

	pid = fork();
	if (pid < 0)
		return -errno;
	if (!pid)
		_exit(-kfi_module_insmod("kfi_test_target", "init_hold=1"));
	for (i = 0; i < 1000 && access(KFI_TT "/block", F_OK); i++)
		usleep(10000);
	if (!kfi_rule_make(rule, target, "retval=-19", "times=1", "enabled=1",
			   NULL))
		err = 0;
	kfi_write(KFI_TT "/block", "release");
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
		return -EIO;
	return err ?: -WEXITSTATUS(status);
}

/*
 * A rule armed while its module's init runs acts on the init functions
 * (here it fails the load, which unloads the module), and is "gone" once the
 * module is live: init text is freed then, and kfi's probe goes with it.
 * It probes the init functions again at the next load.
 */
TEST_F(rule, module_init_function)
{
	const char *init_step = "target=kfi_test_target:kfi_tt_init_step";

	ASSERT_EQ(0, kfi_module_unload("kfi_test_target"));
	EXPECT_EQ(-ENODEV, load_with_rule_in_init("r", init_step))
		TH_LOG("the rule did not fail the module's init");
	EXPECT_TRUE(status_is("r", "gone"));
	EXPECT_EQ(1, kfi_rule_long("r", "injected"));

	ASSERT_EQ(0, kfi_module_insmod("kfi_test_target", NULL));
	EXPECT_TRUE(status_is("r", "gone"))
		TH_LOG("probed after its init text was freed");
	EXPECT_EQ(2, kfi_rule_long("r", "hits"));
	EXPECT_EQ(1, kfi_rule_long("r", "injected"));

	ASSERT_EQ(0, kfi_module_unload("kfi_test_target"));
	ASSERT_EQ(0, kfi_module_insmod("kfi_test_target", NULL));
	EXPECT_EQ(3, kfi_rule_long("r", "hits"));
	EXPECT_TRUE(status_is("r", "gone"));
}

TEST_F(rule, rmdir_of_gone_rule)
{
	ASSERT_EQ(0, kfi_rule_make("r", "target=kfi_tt_ret", "enabled=1", NULL));
	ASSERT_EQ(0, kfi_module_unload("kfi_test_target"));
	EXPECT_EQ(0, kfi_rule_rm("r"));
	ASSERT_EQ(0, kfi_module_load("kfi_test_target"));
}

TEST_F(rule, probes_removed_with_rules)
{
	ASSERT_EQ(0, kfi_rule_make("a", "target=kfi_tt_ret", "enabled=1", NULL));
	ASSERT_EQ(0, kfi_rule_make("b", "target=kfi_tt_ret", "action=replace",
				   "enabled=1", NULL));
	EXPECT_EQ(KFI_PROBE_KPROBE, kfi_probe_on("kfi_tt_ret"));
	ASSERT_EQ(0, kfi_rule_rm("a"));
	EXPECT_EQ(KFI_PROBE_KPROBE, kfi_probe_on("kfi_tt_ret"))
		TH_LOG("rule b still needs the probe");
	ASSERT_EQ(0, kfi_rule_rm("b"));
	EXPECT_TRUE(kfi_probe_gone("kfi_tt_ret"));
	EXPECT_EQ(0, kfi_module_unload("kfi"));
	EXPECT_EQ(0, kfi_module_load("kfi"));
}

/*
 * Rules that act at the entry only ride on kfi's own ftrace_ops; a replace
 * rule moves the function to kprobes (its return needs a kretprobe, whose
 * entry handler must run right before kfi's), and the function comes back
 * to ftrace once nothing is armed on it. Every rule acts throughout.
 */
TEST_F(rule, entry_rules_ride_on_ftrace_until_a_replace_rule_comes)
{
	unsigned long ran;
	long ret;

	ASSERT_EQ(0, kfi_rule_make("a", "target=kfi_tt_ret", "retval=-5",
				   "enabled=1", NULL));
	EXPECT_EQ(KFI_PROBE_FTRACE, kfi_probe_on("kfi_tt_ret"));
	ASSERT_EQ(0, kfi_tt("kfi_tt_ret", 1, &ret, &ran));
	EXPECT_EQ(-5, ret);

	ASSERT_EQ(0, kfi_rule_make("b", "target=kfi_tt_ret", "action=replace",
				   "retval=77", "enabled=1", NULL));
	EXPECT_EQ(KFI_PROBE_KPROBE, kfi_probe_on("kfi_tt_ret"));
	ASSERT_EQ(0, kfi_tt("kfi_tt_ret", 1, &ret, &ran));
	EXPECT_EQ(77, ret) TH_LOG("b replaces what a returned");
	EXPECT_EQ(0, ran);

	/* Entry rules alone again, still on kprobes: they still act. */
	ASSERT_EQ(0, kfi_rule_rm("b"));
	ASSERT_EQ(0, kfi_tt("kfi_tt_ret", 1, &ret, &ran));
	EXPECT_EQ(-5, ret);
	EXPECT_EQ(3, kfi_rule_long("a", "injected"));

	/* Nothing armed: the next entry rule is on ftrace again. */
	ASSERT_EQ(0, kfi_rule_set("a", "enabled", "0"));
	ASSERT_EQ(0, kfi_rule_set("a", "enabled", "1"));
	EXPECT_EQ(KFI_PROBE_FTRACE, kfi_probe_on("kfi_tt_ret"));
	ASSERT_EQ(0, kfi_tt("kfi_tt_ret", 1, &ret, &ran));
	EXPECT_EQ(-5, ret);
	ASSERT_EQ(0, kfi_rule_rm("a"));
	EXPECT_TRUE(kfi_probe_gone("kfi_tt_ret"));
}

/*
 * Replace rules decide at the return: a function with only replace rules has
 * a kretprobe and no entry probe (on arm64 an entry kprobe too, which spares
 * the kretprobe's single-step). An entry rule beside them adds an entry
 * kprobe, which goes again with the entry rule. Every rule acts throughout.
 */
#ifdef __aarch64__
#define RET_ONLY	(KFI_KPROBE_ENTRY | KFI_KPROBE_RET)
#else
#define RET_ONLY	KFI_KPROBE_RET
#endif
TEST_F(rule, replace_rules_alone_need_no_entry_probe)
{
	unsigned long ran;
	long ret;

	ASSERT_EQ(0, kfi_rule_make("b", "target=kfi_tt_ret", "action=replace",
				   "retval=77", "enabled=1", NULL));
	EXPECT_EQ(RET_ONLY, kfi_kprobe_kinds("kfi_tt_ret"));
	ASSERT_EQ(0, kfi_tt("kfi_tt_ret", 1, &ret, &ran));
	EXPECT_EQ(77, ret);
	EXPECT_EQ(1, ran);

	ASSERT_EQ(0, kfi_rule_make("a", "target=kfi_tt_ret", "retval=-5",
				   "enabled=1", NULL));
	EXPECT_EQ(KFI_KPROBE_ENTRY | KFI_KPROBE_RET,
		  kfi_kprobe_kinds("kfi_tt_ret"));
	ASSERT_EQ(0, kfi_tt("kfi_tt_ret", 1, &ret, &ran));
	EXPECT_EQ(77, ret) TH_LOG("b replaces what a returned");
	EXPECT_EQ(0, ran);
	EXPECT_EQ(1, kfi_rule_long("a", "injected"));

	ASSERT_EQ(0, kfi_rule_rm("a"));
	EXPECT_TRUE(kfi_kprobe_kinds_become("kfi_tt_ret", RET_ONLY))
		TH_LOG("the entry kprobe stayed: %d",
		       kfi_kprobe_kinds("kfi_tt_ret"));
	ASSERT_EQ(0, kfi_tt("kfi_tt_ret", 1, &ret, &ran));
	EXPECT_EQ(77, ret);
	EXPECT_EQ(1, ran);
	EXPECT_EQ(3, kfi_rule_long("b", "injected"));
	EXPECT_EQ(3, kfi_rule_long("b", "hits"));
	EXPECT_EQ(0, kfi_rule_long("b", "missed"));

	ASSERT_EQ(0, kfi_rule_rm("b"));
	EXPECT_TRUE(kfi_probe_gone("kfi_tt_ret"));
}

/* Disarming many rules at once leaves no probe behind, and rearms cleanly. */
TEST_F(rule, batch_disarm_removes_every_probe)
{
	static const char * const targets[] = {
		"kfi_tt_ret", "kfi_tt_ret2", "kfi_tt_caller_a", "kfi_tt_caller_b",
	};
	char name[16], path[128], t[64];
	unsigned int i, round;
	long ret;
	unsigned long ran;

	for (i = 0; i < ARRAY_SIZE(targets); i++) {
		snprintf(name, sizeof(name), "b%u", i);
		snprintf(t, sizeof(t), "target=%s", targets[i]);
		ASSERT_EQ(0, kfi_rule_make(name, t, i % 2 ? "action=replace" :
					   "action=return", "retval=-5",
					   "enabled=1", NULL));
	}
	for (round = 0; round < 20; round++) {
		for (i = 0; i < ARRAY_SIZE(targets); i++) {
			snprintf(path, sizeof(path), KFI_RULES "/b%u/enabled", i);
			ASSERT_EQ(0, kfi_write(path, "0"));
		}
		/* Armed again before the reaper ran, or after: both work. */
		for (i = 0; i < ARRAY_SIZE(targets); i++) {
			snprintf(path, sizeof(path), KFI_RULES "/b%u/enabled", i);
			ASSERT_EQ(0, kfi_write(path, "1"));
		}
		ASSERT_EQ(0, kfi_tt("kfi_tt_ret", 1, &ret, &ran));
		ASSERT_EQ(-5, ret) TH_LOG("round %u: the rearmed rule did not act", round);
	}
	for (i = 0; i < ARRAY_SIZE(targets); i++) {
		snprintf(path, sizeof(path), KFI_RULES "/b%u/enabled", i);
		ASSERT_EQ(0, kfi_write(path, "0"));
	}
	for (i = 0; i < ARRAY_SIZE(targets); i++)
		EXPECT_TRUE(kfi_probe_gone(targets[i]))
			TH_LOG("%s still probed with every rule disarmed", targets[i]);
}

/*
 * More tasks asleep in a function than its kretprobe has instances: the
 * calls beyond the pool run untouched and are counted in missed, the others
 * are replaced, and hits + missed accounts for every call.
 */
/* How many calls are inside kfi_tt_block(), or -1. */
static long block_inside(void)
{
	char buf[32];
	long n;

	if (kfi_read(KFI_TT "/block", buf, sizeof(buf)) < 0 ||
	    sscanf(buf, "inside=%ld", &n) != 1)
		return -1;
	return n;
}

TEST_F(rule, replace_counts_missed_returns)
{
	enum { N = 100 };
	long pool = kfi_ret_pool_size();
	int go[2], i, status, replaced = 0, untouched = 0;
	pid_t pids[N];
	long missed;

	ASSERT_LT(0, pool);
	if (pool >= N)
		SKIP(return, "%ld kretprobe instances: too many CPUs to exhaust", pool);
	ASSERT_EQ(0, kfi_rule_make("m", "target=kfi_tt_block", "action=replace",
				   "retval=99", "enabled=1", NULL));
	/* Every call waits inside until all N are: then N - pool missed. */
	ASSERT_EQ(0, kfi_write(KFI_TT "/block", "hold"));
	ASSERT_EQ(0, pipe(go));
	for (i = 0; i < N; i++) {
		pids[i] = fork();
		ASSERT_LE(0, pids[i]);
		if (!pids[i]) {
			unsigned long ran;
			long ret;
			char c;

			close(go[1]);
			if (read(go[0], &c, 1) != 0)	/* all start at once */
				_exit(3);
			if (kfi_tt("kfi_tt_block", 60000, &ret, &ran))
				_exit(3);
			_exit(ret == 99 ? 1 : ret == 60000 ? 0 : 2);
		}
	}
	close(go[0]);
	close(go[1]);
	for (i = 0; i < 6000 && block_inside() < N; i++)
		usleep(10000);
	EXPECT_EQ(N, block_inside());
	ASSERT_EQ(0, kfi_write(KFI_TT "/block", "release"));
	for (i = 0; i < N; i++) {
		ASSERT_EQ(pids[i], waitpid(pids[i], &status, 0));
		ASSERT_TRUE(WIFEXITED(status));
		ASSERT_GT(2, WEXITSTATUS(status)) TH_LOG("child %d: exit %d",
							 i, WEXITSTATUS(status));
		if (WEXITSTATUS(status))
			replaced++;
		else
			untouched++;
	}
	missed = kfi_rule_long("m", "missed");
	EXPECT_EQ(N - pool, missed) TH_LOG("%d tasks inside, %ld instances",
					   N, pool);
	EXPECT_EQ(N, kfi_rule_long("m", "hits") + missed);
	EXPECT_EQ(replaced, kfi_rule_long("m", "injected"));
	EXPECT_EQ(untouched, missed);
	/* With the pool free again, nothing more is missed. */
	{
		unsigned long ran;
		long ret;

		ASSERT_EQ(0, kfi_tt("kfi_tt_block", 1, &ret, &ran));
		EXPECT_EQ(99, ret);
		EXPECT_EQ(missed, kfi_rule_long("m", "missed"));
	}
}

/* missed stays 0 for actions that need no return probe. */
TEST_F(rule, missed_is_zero_without_return_probe)
{
	unsigned long ran;
	long ret;

	ASSERT_EQ(0, kfi_rule_make("r", "target=kfi_tt_ret", "retval=-5",
				   "enabled=1", NULL));
	ASSERT_EQ(0, kfi_rule_make("s", "target=kfi_tt_ret", "action=replace",
				   "retval=7", "enabled=1", NULL));
	ASSERT_EQ(0, kfi_tt("kfi_tt_ret", 1, &ret, &ran));
	EXPECT_EQ(7, ret) TH_LOG("r skips the body, s replaces its -5");
	EXPECT_EQ(1, kfi_rule_long("s", "injected"));
	EXPECT_EQ(0, kfi_rule_long("r", "missed"));
	EXPECT_EQ(0, kfi_rule_long("s", "missed"));
}

#define TRACING		"/sys/kernel/tracing"
#define KFI_TP		TRACING "/events/kfi/kfi_inject"

TEST_F(rule, tracepoint)
{
	static char buf[1 << 16];
	unsigned long ran;
	size_t n = 0;
	ssize_t r;
	long ret;
	int fd;

	if (access(TRACING "/events", F_OK))
		SKIP(return, "no tracefs at " TRACING);
	ASSERT_EQ(0, kfi_write(KFI_TP "/enable", "1"))
		TH_LOG("kfi's tracepoint is not in tracefs");
	/* Opening "trace" with O_TRUNC empties the buffer. */
	fd = open(TRACING "/trace", O_WRONLY | O_TRUNC);
	ASSERT_LE(0, fd);
	close(fd);
	ASSERT_EQ(0, kfi_rule_make("tp", "target=kfi_tt_ret", "retval=-EIO",
				   "enabled=1", NULL));
	ASSERT_EQ(0, kfi_tt("kfi_tt_ret", 1, &ret, &ran));
	EXPECT_EQ(0, kfi_write(KFI_TP "/enable", "0"));
	fd = open(TRACING "/trace", O_RDONLY);
	ASSERT_LE(0, fd);
	while (n < sizeof(buf) - 1 &&
	       (r = read(fd, buf + n, sizeof(buf) - 1 - n)) > 0)
		n += r;
	buf[n] = '\0';
	close(fd);
	ASSERT_LT(0, n);
	EXPECT_NE(NULL, strstr(buf, "kfi_inject: rule=tp func=kfi_tt_ret pid="))
		TH_LOG("trace: %s", buf);
	EXPECT_NE(NULL, strstr(buf, "action=return value=-5"))
		TH_LOG("trace: %s", buf);
}

static int count_of(const char *s, const char *what)
{
	int n = 0;

	for (; (s = strstr(s, what)) != NULL; s++)
		n++;
	return n;
}

/* Reads what the kernel logged since @fd was opened at its end. */
static void kmsg_drain(int fd, char *buf, size_t len)
{
	size_t n = 0;
	ssize_t r;

	while (n < len - 1 && (r = read(fd, buf + n, len - 1 - n)) > 0)
		n += r;
	buf[n] = '\0';
}

TEST_F(rule, verbose_logs_injections)
{
	char want[128], buf[16384];
	unsigned long ran;
	long ret;
	int fd;

	fd = open("/dev/kmsg", O_RDONLY | O_NONBLOCK);
	ASSERT_LE(0, fd);
	lseek(fd, 0, SEEK_END);
	ASSERT_EQ(0, kfi_rule_make("v", "target=kfi_tt_ret", "retval=-EIO",
				   "enabled=1", NULL));
	ASSERT_EQ(0, kfi_tt("kfi_tt_ret", 1, &ret, &ran));
	ASSERT_EQ(0, kfi_rule_set("v", "verbose", "1"))
		TH_LOG("verbose is writable while armed");
	ASSERT_EQ(0, kfi_tt("kfi_tt_ret", 1, &ret, &ran));
	kmsg_drain(fd, buf, sizeof(buf));
	close(fd);
	snprintf(want, sizeof(want), "rule v: kfi_tt_ret return -5 in pid %d",
		 getpid());
	EXPECT_NE(NULL, strstr(buf, want)) TH_LOG("log: %s", buf);
	/* Only the call after verbose=1 was logged. */
	EXPECT_EQ(1, count_of(buf, "rule v: ")) TH_LOG("log: %s", buf);
}

TEST_F(rule, rmdir_disarms)
{
	unsigned long ran;
	long ret;

	ASSERT_EQ(0, kfi_rule_make("r", "target=kfi_tt_ret", "enabled=1", NULL));
	ASSERT_EQ(0, kfi_rule_rm("r"));
	ASSERT_EQ(0, kfi_tt("kfi_tt_ret", 8, &ret, &ran));
	EXPECT_EQ(8, ret);
}

int main(int argc, char **argv)
{
	return kfi_test_main(argc, argv);
}
