// SPDX-License-Identifier: GPL-2.0
/*
 * kfi under faults of its own making: the kernel's allocator failing for a
 * process that works kfi's configfs tree, and rules on functions that kfi's
 * own probe handlers call. kfi must report clean errors, never recurse,
 * deadlock or leak, and keep working for everyone else.
 */
#include <signal.h>
#include <sys/auxv.h>
#include <sys/mman.h>

#include "kselftest_harness.h"
#include "kfi_test.h"

/* The slab allocator's entry points in 6.1; those not present are skipped. */
static const char * const alloc_funcs[] = {
	"__kmalloc", "kmalloc_trace", "kmem_cache_alloc",
	"__kmalloc_node_track_caller", "kmalloc_node_trace",
};

FIXTURE(fault) {
	int nr_alloc_rules;
};

FIXTURE_SETUP(fault)
{
	ASSERT_EQ(0, kfi_module_load("kfi"));
	/* A test that timed out may have left it at 0. */
	ASSERT_EQ(0, kfi_write(KFI_CFS "/enabled", "1"));
	ASSERT_EQ(0, kfi_module_load("kfi_test_target"));
	kfi_rules_clear();
	self->nr_alloc_rules = 0;
}

FIXTURE_TEARDOWN(fault)
{
	kfi_rules_clear();
}

/*
 * On arm64 the kernel allocates a task's SVE register state (kzalloc) at
 * its first SVE instruction after fork or exec, and kills the task with
 * SIGKILL when that allocation fails (do_sve_acc()). The worker takes that
 * trap once, before its allocations start failing: the state is kept from
 * then on. RDVL is emitted as a word so that no -march is needed.
 */
static void fault_arch_prepare(void)
{
#if defined(__aarch64__)
	unsigned long vl;

	if (!(getauxval(AT_HWCAP) & HWCAP_SVE))
		return;
	asm volatile(".inst 0x04bf5020\n\tmov %0, x0"	/* rdvl x0, #1 */
		     : "=r" (vl) : : "x0");
	(void)vl;
#endif
}

/* What the worker saw, sent back through a pipe. */
struct fault_report {
	int ops;		/* configfs operations tried */
	int failed;		/* of which failed with ENOMEM */
	int bad_errno;		/* first errno other than ENOMEM, or 0 */
	char bad_op[64];	/* and what failed with it */
};

static void fault_note(struct fault_report *r, int err, const char *op)
{
	r->ops++;
	if (!err)
		return;
	if (err == -ENOMEM) {
		r->failed++;
	} else if (!r->bad_errno) {
		r->bad_errno = -err;
		snprintf(r->bad_op, sizeof(r->bad_op), "%s", op);
	}
}

/*
 * Creates, configures, arms, reads, disarms and removes rules, @rounds
 * times, noting how each step ended. A rule whose mkdir worked is always
 * removed (rmdir is retried: it too may meet a failed allocation).
 */
static void fault_work(struct fault_report *r, int rounds)
{
	char name[32], buf[256];
	int i, tries, err;

	for (i = 0; i < rounds; i++) {
		snprintf(name, sizeof(name), "fw%d", i);
		err = kfi_rule_new(name);
		fault_note(r, err, "mkdir");
		if (err)
			continue;
		fault_note(r, kfi_rule_set(name, "target", "kfi_tt_ret2"),
			   "target");
		fault_note(r, kfi_rule_set(name, "comm", "kfi-nobody"), "comm");
		fault_note(r, kfi_rule_set(name, "enabled", "1"), "enabled=1");
		err = kfi_rule_get(name, "status", buf, sizeof(buf));
		fault_note(r, err < 0 ? err : 0, "status");
		fault_note(r, kfi_rule_set(name, "enabled", "0"), "enabled=0");
		for (tries = 0; tries < 100; tries++) {
			err = kfi_rule_rm(name);
			fault_note(r, err, "rmdir");
			if (err != -ENOMEM)
				break;
		}
	}
}

/*
 * Every allocation of one process fails half of the time while it works
 * the configfs tree: every operation either works or fails with ENOMEM,
 * nothing hangs, nothing is left behind, and kfi works afterwards.
 */
TEST_F_TIMEOUT(fault, allocator_failing_under_configfs, 120)
{
	struct fault_report rep = {};
	int go[2], res[2], status;
	unsigned long ran;
	long injected = 0, ret;
	unsigned int i;
	char pid[16], name[32];
	pid_t child;

	ASSERT_EQ(0, pipe(go));
	ASSERT_EQ(0, pipe(res));
	child = fork();
	ASSERT_LE(0, child);
	if (!child) {
		struct fault_report r = {};
		char c;

		/*
		 * Fault everything in now: a page fault whose allocation
		 * fails is retried forever, and would only measure that.
		 */
		if (mlockall(MCL_CURRENT | MCL_FUTURE))
			_exit(2);
		fault_arch_prepare();
		close(go[1]);
		if (read(go[0], &c, 1) != 0)
			_exit(3);
		alarm(100);
		fault_work(&r, 60);
		if (write(res[1], &r, sizeof(r)) != sizeof(r))
			_exit(4);
		_exit(0);
	}
	close(go[0]);
	close(res[1]);

	snprintf(pid, sizeof(pid), "pid=%d", child);
	for (i = 0; i < ARRAY_SIZE(alloc_funcs); i++) {
		char t[64];

		snprintf(name, sizeof(name), "alloc%u", i);
		snprintf(t, sizeof(t), "target=%s", alloc_funcs[i]);
		if (kfi_rule_make(name, t, "retval=0", "probability=50", pid,
				  "enabled=1", NULL)) {
			kfi_rule_rm(name);
			continue;	/* not in this kernel */
		}
		self->nr_alloc_rules++;
	}
	ASSERT_LT(0, self->nr_alloc_rules) TH_LOG("no allocator function found");

	close(go[1]);		/* go */
	ret = read(res[0], &rep, sizeof(rep));
	close(res[0]);
	ASSERT_EQ(child, waitpid(child, &status, 0));
	ASSERT_EQ(sizeof(rep), ret)
		TH_LOG("the worker died: signal %d, exit %d (2 mlockall, 3 and 4 its pipes)",
		       WIFSIGNALED(status) ? WTERMSIG(status) : 0,
		       WIFEXITED(status) ? WEXITSTATUS(status) : -1);

	/* Stop the faults before looking: reads allocate too. */
	for (i = 0; i < ARRAY_SIZE(alloc_funcs); i++) {
		snprintf(name, sizeof(name), "alloc%u", i);
		if (kfi_rule_set(name, "enabled", "0"))
			continue;
		injected += kfi_rule_long(name, "injected");
	}
	EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0)
		TH_LOG("worker status %#x", status);
	EXPECT_EQ(0, rep.bad_errno)
		TH_LOG("%s failed with errno %d, not ENOMEM", rep.bad_op,
		       rep.bad_errno);
	EXPECT_LT(0, rep.failed) TH_LOG("no operation of %d failed", rep.ops);
	EXPECT_LT(0, injected);

	/* Nothing left behind, and kfi still works. */
	for (i = 0; i < 60; i++) {
		char p[256];

		snprintf(name, sizeof(name), "fw%d", i);
		EXPECT_NE(0, access(kfi_path(p, sizeof(p), name, NULL), F_OK))
			TH_LOG("rule %s left behind", name);
	}
	ASSERT_EQ(0, kfi_rule_make("after", "target=kfi_tt_ret2", "retval=-5",
				   "enabled=1", NULL));
	ASSERT_EQ(0, kfi_tt("kfi_tt_ret2", 1, &ret, &ran));
	EXPECT_EQ(-5, ret);
}

/*
 * Disarming a rule takes it out of its function's index in place, then
 * rebuilds the index without the hole when memory allows. Here the rebuild's
 * allocation fails (a rule on __kmalloc, for calls from kfi_index_build()
 * in the disarming process): the disarm still works, and the index with
 * its hole keeps the other rules in order, through more disarms and arms.
 */
TEST_F(fault, disarm_without_memory_for_the_new_index)
{
	int ready[2], go[2], res[2], status, err = -1;
	unsigned long ran;
	char pid[32], c;
	pid_t child;
	long ret;

	ASSERT_EQ(0, kfi_rule_make("ra", "target=kfi_tt_ret2", "retval=-1",
				   "pid=1", "enabled=1", NULL));
	ASSERT_EQ(0, kfi_rule_make("rb", "target=kfi_tt_ret2", "retval=-2",
				   "enabled=1", NULL));
	ASSERT_EQ(0, kfi_rule_make("rc", "target=kfi_tt_ret2", "retval=-3",
				   "enabled=1", NULL));
	ASSERT_EQ(0, kfi_tt("kfi_tt_ret2", 1, &ret, &ran));
	ASSERT_EQ(-2, ret);

	ASSERT_EQ(0, pipe(ready));
	ASSERT_EQ(0, pipe(go));
	ASSERT_EQ(0, pipe(res));
	child = fork();
	ASSERT_LE(0, child);
	if (!child) {
		char p[256];
		int fd;

		/* Opened (allocated) before its allocations can fail. */
		fd = open(kfi_path(p, sizeof(p), "rb", "enabled"), O_WRONLY);
		if (fd < 0 || mlockall(MCL_CURRENT | MCL_FUTURE))
			_exit(2);
		fault_arch_prepare();
		if (write(ready[1], "r", 1) != 1 || read(go[0], &c, 1) != 1)
			_exit(3);
		err = write(fd, "0", 1) == 1 ? 0 : errno;
		if (write(res[1], &err, sizeof(err)) != sizeof(err))
			_exit(4);
		_exit(0);
	}
	close(ready[1]);
	close(go[0]);
	close(res[1]);
	ASSERT_EQ(1, read(ready[0], &c, 1));
	snprintf(pid, sizeof(pid), "pid=%d", child);
	ASSERT_EQ(0, kfi_rule_make("nomem", "target=__kmalloc", "retval=0",
				   "caller=kfi:kfi_index_build", pid,
				   "enabled=1", NULL));
	ASSERT_EQ(1, write(go[1], "g", 1));
	EXPECT_EQ(sizeof(err), read(res[0], &err, sizeof(err)));
	ASSERT_EQ(child, waitpid(child, &status, 0));
	EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0)
		TH_LOG("child status %#x", status);
	EXPECT_EQ(0, err) TH_LOG("the disarm failed: errno %d", err);
	ASSERT_EQ(0, kfi_rule_set("nomem", "enabled", "0"));
	EXPECT_EQ(1, kfi_rule_long("nomem", "injected"))
		TH_LOG("the new index's allocation did not fail");

	/* rb is out: rc acts; the hole stays through ra's disarm. */
	EXPECT_EQ(0, kfi_rule_long("rb", "enabled"));
	ASSERT_EQ(0, kfi_tt("kfi_tt_ret2", 1, &ret, &ran));
	EXPECT_EQ(-3, ret);
	ASSERT_EQ(0, kfi_rule_set("ra", "enabled", "0"));
	ASSERT_EQ(0, kfi_tt("kfi_tt_ret2", 1, &ret, &ran));
	EXPECT_EQ(-3, ret);
	ASSERT_EQ(0, kfi_rule_set("rb", "enabled", "1"));
	ASSERT_EQ(0, kfi_tt("kfi_tt_ret2", 1, &ret, &ran));
	EXPECT_EQ(-2, ret) TH_LOG("rb, armed again, acts before rc");
	ASSERT_EQ(0, kfi_rule_set("rb", "enabled", "0"));
	ASSERT_EQ(0, kfi_rule_set("rc", "enabled", "0"));
	ASSERT_EQ(0, kfi_tt("kfi_tt_ret2", 1, &ret, &ran));
	EXPECT_EQ(1, ret);
}

/*
 * A rule on a function that kfi's own probe handler calls (the random
 * number generator behind probability): kfi's handlers do not nest, so the
 * inner hit is skipped (a rule never acts on kfi's own decisions); nothing
 * recurses or hangs, and both rules keep counting.
 */
TEST_F(fault, rule_on_a_function_kfi_calls_in_its_handler)
{
	struct kfi_tt_loop res;
	char pid[16];
	long hits;

	snprintf(pid, sizeof(pid), "pid=%d", getpid());
	if (kfi_rule_make("rnd", "target=prandom_u32_state", "action=replace",
			  "retval=0", pid, "enabled=1", NULL))
		SKIP(return, "prandom_u32_state cannot be probed here");
	ASSERT_EQ(0, kfi_rule_make("half", "target=kfi_tt_ret2", "retval=-5",
				   "probability=50", "enabled=1", NULL));
	ASSERT_EQ(0, kfi_tt_loop("kfi_tt_ret2", 2000, 1, &res));
	hits = kfi_rule_long("half", "hits");
	EXPECT_EQ(2000, hits);
	EXPECT_EQ(kfi_rule_long("half", "injected"), (long)res.differed);
	/* 50% of 2000: far from both ends whatever the draws. */
	EXPECT_LT(500, (long)res.differed);
	EXPECT_GT(1500, (long)res.differed);
}

int main(int argc, char **argv)
{
	return kfi_test_main(argc, argv);
}
