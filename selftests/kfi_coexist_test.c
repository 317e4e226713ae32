// SPDX-License-Identifier: GPL-2.0
/*
 * kfi next to the kernel's own function error injection (fail_function,
 * CONFIG_FAIL_FUNCTION): both at once on different functions, and both on
 * one function. Debian's stock kernels do not have fail_function: these
 * tests run on the debug kernel (make check KERNEL=debug) and skip
 * elsewhere.
 *
 * And kfi next to other users of kprobes (perf probe, bpftrace, kprobe
 * events) on one function.
 */
#include <sys/utsname.h>

#include "kselftest_harness.h"
#include "kfi_test.h"

#define FAIL_FUNCTION	"/sys/kernel/debug/fail_function"

FIXTURE(coexist) {
	bool absent;		/* no fail_function: every test skips */
	char sym[64];		/* the sethostname system call's wrapper */
	char attr[160];		/* its directory under fail_function */
};

static int ff_set(const char *attr, const char *val)
{
	char p[160];

	snprintf(p, sizeof(p), FAIL_FUNCTION "/%s", attr);
	return kfi_write(p, val);
}

/* Makes fail_function fail @sym with -ENOMEM on every call. */
static int ff_inject(const char *sym)
{
	char p[160];
	int err;

	err = ff_set("inject", sym);
	if (err)
		return err;
	snprintf(p, sizeof(p), "%s/retval", sym);
	err = ff_set(p, "0xfffffffffffffff4");	/* -ENOMEM */
	if (!err)
		err = ff_set("probability", "100");
	if (!err)
		err = ff_set("interval", "1");
	if (!err)
		err = ff_set("times", "-1");
	if (!err)
		err = ff_set("verbose", "0");
	return err;
}

FIXTURE_SETUP(coexist)
{
	struct utsname u;

	/* The harness runs the test after a SKIP() here: each test checks. */
	self->absent = access(FAIL_FUNCTION, F_OK) != 0;
	if (self->absent)
		return;
	ASSERT_EQ(0, uname(&u));
	snprintf(self->sym, sizeof(self->sym), "%s_sys_sethostname",
		 strcmp(u.machine, "aarch64") ? "__x64" : "__arm64");
	ASSERT_EQ(0, kfi_module_load("kfi"));
	/* A test that timed out may have left it at 0. */
	ASSERT_EQ(0, kfi_write(KFI_CFS "/enabled", "1"));
	ASSERT_EQ(0, kfi_module_load("kfi_test_target"));
	kfi_rules_clear();
	ff_set("inject", "\n");
}

FIXTURE_TEARDOWN(coexist)
{
	if (self->absent)
		return;
	kfi_rules_clear();
	EXPECT_EQ(0, ff_set("inject", "\n"));
}

#define NO_FAIL_FUNCTION \
	"no fail_function in this kernel: make check KERNEL=debug"

static int try_sethostname(void)
{
	return sethostname("kfi", 3) ? errno : 0;
}

/* fail_function on a system call, a kfi rule on another function. */
TEST_F(coexist, different_functions_at_once)
{
	unsigned long ran;
	long ret;

	if (self->absent)
		SKIP(return, NO_FAIL_FUNCTION);
	ASSERT_EQ(0, ff_inject(self->sym));
	ASSERT_EQ(0, kfi_rule_make("k", "target=kfi_tt_ret", "retval=-5",
				   "enabled=1", NULL));
	EXPECT_EQ(ENOMEM, try_sethostname()) TH_LOG("fail_function acts");
	ASSERT_EQ(0, kfi_tt("kfi_tt_ret", 1, &ret, &ran));
	EXPECT_EQ(-5, ret) TH_LOG("kfi acts");
	EXPECT_EQ(0, ran);

	/* Each goes away without disturbing the other. */
	ASSERT_EQ(0, ff_set("inject", "\n"));
	EXPECT_EQ(0, try_sethostname());
	ASSERT_EQ(0, kfi_tt("kfi_tt_ret", 1, &ret, &ran));
	EXPECT_EQ(-5, ret);
	ASSERT_EQ(0, ff_inject(self->sym));
	ASSERT_EQ(0, kfi_rule_rm("k"));
	EXPECT_EQ(ENOMEM, try_sethostname());
	ASSERT_EQ(0, kfi_tt("kfi_tt_ret", 1, &ret, &ran));
	EXPECT_EQ(1, ret);
}

/*
 * Both on one function: kprobes share the site between them, and one of
 * the two injects into each call (the other is not asked for that call).
 * Either one alone works again once the other is gone.
 */
TEST_F(coexist, one_function_shared)
{
	char pid[16];
	int err, i;
	long hits, injected;

	if (self->absent)
		SKIP(return, NO_FAIL_FUNCTION);
	snprintf(pid, sizeof(pid), "pid=%d", getpid());
	ASSERT_EQ(0, ff_inject(self->sym));
	{
		char t[80];

		snprintf(t, sizeof(t), "target=%s", self->sym);
		ASSERT_EQ(0, kfi_rule_make("k", t, "retval=-EPERM", pid,
					   "enabled=1", NULL));
	}
	for (i = 0; i < 10; i++) {
		err = try_sethostname();
		EXPECT_TRUE(err == ENOMEM || err == EPERM)
			TH_LOG("call %d: errno %d, neither injector's", i, err);
	}
	hits = kfi_rule_long("k", "hits");
	injected = kfi_rule_long("k", "injected");
	EXPECT_EQ(hits, injected);

	ASSERT_EQ(0, ff_set("inject", "\n"));
	EXPECT_EQ(EPERM, try_sethostname()) TH_LOG("kfi alone");
	EXPECT_EQ(injected + 1, kfi_rule_long("k", "injected"));

	ASSERT_EQ(0, ff_inject(self->sym));
	ASSERT_EQ(0, kfi_rule_set("k", "enabled", "0"));
	EXPECT_EQ(ENOMEM, try_sethostname()) TH_LOG("fail_function alone");
	ASSERT_EQ(0, ff_set("inject", "\n"));
	EXPECT_EQ(0, try_sethostname()) TH_LOG("neither");
}

#define TRACEFS		"/sys/kernel/tracing"
#define KPROBE_GROUP	"kfi_coexist"
#define KPROBE_EVENT	"kfi_coexist_tt"	/* kprobe_profile: no group */
#define EVENT_DIR	TRACEFS "/events/" KPROBE_GROUP "/" KPROBE_EVENT

FIXTURE(probes) {
	bool added;		/* the kprobe event exists */
};

/* Kprobe events refuse notrace functions: an ftrace-based probe only. */
#define FUNC		"kfi_tt_ret"

static int kprobe_events_append(const char *line)
{
	int fd = open(TRACEFS "/kprobe_events", O_WRONLY | O_APPEND);
	int err = 0;

	if (fd < 0)
		return -errno;
	if (write(fd, line, strlen(line)) < 0)
		err = -errno;
	close(fd);
	return err;
}

/*
 * Adds the event KPROBE_EVENT on FUNC, a kprobe (@kind 'p') or a kretprobe
 * ('r'), and enables it; sets *@added once the teardown must remove it.
 */
static int kprobe_event_add(char kind, bool *added)
{
	char line[160];
	int err;

	snprintf(line, sizeof(line), "%c:%s/%s kfi_test_target:%s\n", kind,
		 KPROBE_GROUP, KPROBE_EVENT, FUNC);
	err = kprobe_events_append(line);
	if (err)
		return err;
	*added = true;
	return kfi_write(EVENT_DIR "/enable", "1");
}

/* The hits of the kprobe event KPROBE_EVENT, or -1. */
static long kprobe_event_hits(void)
{
	FILE *f = fopen(TRACEFS "/kprobe_profile", "r");
	char name[128];
	long hits = -1, h, missed;

	if (!f)
		return -1;
	while (fscanf(f, "%127s %ld %ld", name, &h, &missed) == 3)
		if (!strcmp(name, KPROBE_EVENT))
			hits = h;
	fclose(f);
	return hits;
}

FIXTURE_SETUP(probes)
{
	ASSERT_EQ(0, kfi_module_load("kfi"));
	/* A test that timed out may have left it at 0. */
	ASSERT_EQ(0, kfi_write(KFI_CFS "/enabled", "1"));
	ASSERT_EQ(0, kfi_module_load("kfi_test_target"));
	kfi_rules_clear();
	self->added = false;
	/* Not a SKIP: 6.1's harness runs the test after a setup's SKIP. */
	ASSERT_EQ(0, access(TRACEFS "/kprobe_events", W_OK))
		TH_LOG("no kprobe events in this kernel");
}

/* Turns ftrace's function tracer off, and empties its filter. */
static void function_tracer_off(void)
{
	int fd;

	kfi_write(TRACEFS "/current_tracer", "nop");
	fd = open(TRACEFS "/set_ftrace_filter", O_WRONLY | O_TRUNC);
	if (fd >= 0)
		close(fd);
}

/* Lines of ftrace's trace for calls of FUNC, or -1; @clear empties it. */
static int traced_calls(bool clear)
{
	FILE *f;
	char line[256];
	int n = 0;

	if (clear) {
		int fd = open(TRACEFS "/trace", O_WRONLY | O_TRUNC);

		if (fd < 0)
			return -1;
		close(fd);
	}
	f = fopen(TRACEFS "/trace", "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		n += line[0] != '#' && !!strstr(line, " " FUNC " <-");
	fclose(f);
	return n;
}

FIXTURE_TEARDOWN(probes)
{
	function_tracer_off();
	kfi_rules_clear();
	kfi_module_unload("kfi_test_ipmodify");
	if (!self->added)
		return;
	EXPECT_EQ(0, kfi_write(EVENT_DIR "/enable", "0"));
	EXPECT_EQ(0, kprobe_events_append("-:" KPROBE_GROUP "/" KPROBE_EVENT
					  "\n"));
}

/*
 * A kprobe of another tool put on a function after kfi's (the order
 * Documentation/kfi.rst asks for on 6.1, whose kprobes cannot take kfi's
 * probe into a function probed before) sees every call, those kfi's rules
 * let through, rewrite or end at once alike; the teardown in either order
 * leaves the kernel log clean.
 */
TEST_F(probes, probe_after_kfi_sees_every_call)
{
	char target[96];
	unsigned long ran;
	long before, ret;
	int err;

	snprintf(target, sizeof(target), "target=%s", FUNC);
	ASSERT_EQ(0, kfi_rule_make("a-args", target, "action=args",
				   "args=1=7", "times=1", "enabled=1", NULL));
	ASSERT_EQ(0, kfi_rule_make("b-filtered", target, "pid=1", "enabled=1",
				   NULL));
	ASSERT_EQ(0, kfi_rule_make("c-return", target, "retval=-5",
				   "interval=2", "enabled=1", NULL));

	err = kprobe_event_add('p', &self->added);
	ASSERT_EQ(0, err) TH_LOG("cannot add the kprobe event: %s",
				 strerror(-err));
	before = kprobe_event_hits();
	ASSERT_LE(0, before);

	ASSERT_EQ(0, kfi_tt(FUNC, 1, &ret, &ran));
	EXPECT_EQ(7, ret) TH_LOG("a-args rewrites the first call");
	ASSERT_EQ(0, kfi_tt(FUNC, 1, &ret, &ran));
	EXPECT_EQ(1, ret) TH_LOG("c-return lets every other call run");
	ASSERT_EQ(0, kfi_tt(FUNC, 1, &ret, &ran));
	EXPECT_EQ(-5, ret) TH_LOG("c-return ends every other call at once");
	EXPECT_EQ(before + 3, kprobe_event_hits());

	/* kfi leaves first; the event goes on counting. */
	kfi_rules_clear();
	ASSERT_EQ(0, kfi_tt(FUNC, 1, &ret, &ran));
	EXPECT_EQ(1, ret);
	EXPECT_EQ(before + 4, kprobe_event_hits());
}

/*
 * Another tool's kretprobe on a function, put there after kfi's: it hooks
 * the call's return before kfi's, which then saw the trampoline as the
 * address the call returns to. A replace rule's caller filter, decided at
 * the return, still sees the real caller.
 */
TEST_F(probes, replace_caller_filter_beside_another_kretprobe)
{
	char target[96];
	unsigned long ran;
	long ret;
	int err;

	snprintf(target, sizeof(target), "target=%s", FUNC);
	ASSERT_EQ(0, kfi_rule_make("r", target, "action=replace", "retval=99",
				   "caller=kfi_tt_caller_a", "enabled=1", NULL));
	err = kprobe_event_add('r', &self->added);
	ASSERT_EQ(0, err) TH_LOG("cannot add the kretprobe event: %s",
				 strerror(-err));

	ASSERT_EQ(0, kfi_tt("kfi_tt_caller_a", 1, &ret, &ran));
	EXPECT_EQ(99, ret) TH_LOG("called from the named caller");
	EXPECT_EQ(1, ran);
	ASSERT_EQ(0, kfi_tt("kfi_tt_caller_b", 1, &ret, &ran));
	EXPECT_EQ(1, ret) TH_LOG("called from another function");
	EXPECT_EQ(2, kfi_rule_long("r", "hits"));
	EXPECT_EQ(1, kfi_rule_long("r", "injected"));
	EXPECT_LE(2, kprobe_event_hits()) TH_LOG("the event saw no call");
}

/*
 * ftrace's function tracer and kfi's rules on one function, traced first:
 * a replace rule (a kprobe and a kretprobe: on arm64 breakpoints on the
 * function's first instruction, "mov x9, x30", which kfi then runs itself
 * and which the traced call's return needs), and an entry rule (on kfi's
 * own ftrace_ops, beside the tracer's). The tracer sees every call, the
 * rules act on each.
 */
TEST_F(probes, function_tracer_beside_rules)
{
	char target[96];
	unsigned long ran;
	long ret;
	int i;

	ASSERT_EQ(0, kfi_write(TRACEFS "/set_ftrace_filter", FUNC));
	ASSERT_EQ(0, kfi_write(TRACEFS "/current_tracer", "function"));
	ASSERT_EQ(0, traced_calls(true));

	snprintf(target, sizeof(target), "target=%s", FUNC);
	ASSERT_EQ(0, kfi_rule_make("r", target, "action=replace",
				   "retval=77", "enabled=1", NULL));
	for (i = 0; i < 3; i++) {
		ASSERT_EQ(0, kfi_tt(FUNC, 1, &ret, &ran));
		EXPECT_EQ(77, ret);
		EXPECT_EQ(1, ran);
	}
	EXPECT_EQ(3, traced_calls(false));

	ASSERT_EQ(0, kfi_rule_rm("r"));
	ASSERT_EQ(0, kfi_rule_make("e", target, "retval=-5", "enabled=1",
				   NULL));
	ASSERT_EQ(0, kfi_tt(FUNC, 1, &ret, &ran));
	EXPECT_EQ(-5, ret);
	EXPECT_EQ(0, ran);
	EXPECT_EQ(4, traced_calls(false));

	function_tracer_off();
	ASSERT_EQ(0, kfi_tt(FUNC, 1, &ret, &ran));
	EXPECT_EQ(-5, ret);
}

/*
 * ftrace lets one user per function change the instruction pointer: while
 * another does (here a module with its own IPMODIFY ftrace_ops; in real life
 * a livepatch), arming a rule on the function fails with EBUSY and says why.
 * On arm64, kfi falls back to a kprobe, a breakpoint there: no conflict.
 */
TEST_F(probes, another_ip_changing_ftrace_user_is_ebusy)
{
	unsigned long ran;
	long ret;

	ASSERT_EQ(0, kfi_module_insmod("kfi_test_ipmodify", NULL));
	ASSERT_EQ(0, kfi_rule_make("r", "target=" FUNC, "retval=-5", NULL));
#if defined(__aarch64__)
	ASSERT_EQ(0, kfi_rule_set("r", "enabled", "1"));
	/* (The module's ftrace_ops shows on ftrace's list too.) */
	EXPECT_TRUE(kfi_probe_on(FUNC) & KFI_PROBE_KPROBE);
	ASSERT_EQ(0, kfi_tt(FUNC, 1, &ret, &ran));
	EXPECT_EQ(-5, ret);
	ASSERT_EQ(0, kfi_rule_set("r", "enabled", "0"));
#else
	char status[256];

	EXPECT_EQ(-EBUSY, kfi_rule_set("r", "enabled", "1"));
	ASSERT_LT(0, kfi_rule_get("r", "status", status, sizeof(status)));
	EXPECT_NE(NULL, strstr(status, "another ftrace user changes its ip"))
		TH_LOG("status: %s", status);
#endif

	ASSERT_EQ(0, kfi_module_unload("kfi_test_ipmodify"));
	EXPECT_EQ(0, kfi_rule_set("r", "enabled", "1"));
	ASSERT_EQ(0, kfi_tt(FUNC, 1, &ret, &ran));
	EXPECT_EQ(-5, ret);
}

/*
 * The other way round: while a rule rides on kfi's ftrace_ops, another
 * ip-changing ftrace user of the function is refused with EBUSY, on both
 * architectures; once the rule is disarmed and its probe gone, it is not.
 */
TEST_F(probes, ip_changing_ftrace_user_after_kfi_is_ebusy)
{
	ASSERT_EQ(0, kfi_rule_make("r", "target=" FUNC, "enabled=1", NULL));
	ASSERT_EQ(KFI_PROBE_FTRACE, kfi_probe_on(FUNC));
	EXPECT_EQ(-EBUSY, kfi_module_insmod("kfi_test_ipmodify", NULL));
	EXPECT_FALSE(kfi_module_loaded("kfi_test_ipmodify"));

	ASSERT_EQ(0, kfi_rule_set("r", "enabled", "0"));
	ASSERT_TRUE(kfi_probe_gone(FUNC));
	EXPECT_EQ(0, kfi_module_insmod("kfi_test_ipmodify", NULL));
	EXPECT_EQ(0, kfi_module_unload("kfi_test_ipmodify"));
}

int main(int argc, char **argv)
{
	return kfi_test_main(argc, argv);
}
