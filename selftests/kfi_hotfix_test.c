// SPDX-License-Identifier: GPL-2.0
/*
 * Hotfixes: redirects that take effect and revert with "enabled", all or
 * nothing, a hotfix loaded before its target module and across that
 * module's reloads, rmmod refused while enabled or while a task sleeps in a
 * replacement, rules and a hotfix on one function, and enable, disable,
 * load and unload racing with calls on every CPU.
 *
 * kfi_test_buggy.ko has the bugs (kfi_tb_answer() answers 41, kfi_tb_sum()
 * subtracts, kfi_tb_many() leaves its last argument out);
 * kfi_test_hotfix.ko fixes them, kfi_test_hotfix2.ko collides with it or
 * names a bad function, kfi_test_hotfix_sleep.ko's replacement sleeps until
 * released. kfi_test_hotfix.ko and kfi_test_hotfix_sleep.ko hand their
 * replacements in with thunks (KFI_HOTFIX_FUNC()), or, loaded with
 * "plain=1", without (kfi hooks the returns): the tests of what differs
 * between the two, and the races, run with both.
 */
#include <limits.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <time.h>
#include <sys/prctl.h>

#include "kselftest_harness.h"
#include "kfi_test.h"

#define TB		"/sys/kernel/debug/kfi_test_buggy"
#define HOTFIXES	KFI_CFS "/hotfixes"
#define HF		HOTFIXES "/kfi_test_hotfix"
#define HF_SLEEP	HOTFIXES "/kfi_test_hotfix_sleep"
#define ANSWER		"kfi_test_buggy:kfi_tb_answer"
#define SLEEP_PARAMS	"/sys/module/kfi_test_hotfix_sleep/parameters"

/* Module parameters for each way of handing the replacements in. */
static const char * const forms[] = { NULL, "plain=1" };

static const char *form_name(const char *form)
{
	return form ? form : "thunks";
}

static const char * const hotfix_modules[] = {
	"kfi_test_hotfix", "kfi_test_hotfix2", "kfi_test_hotfix_sleep",
	"kfi_sample_cmdline",
};

/* Value of one of kfi_test_buggy's files, or LONG_MIN if unreadable. */
static long tb(const char *file)
{
	char p[128], buf[64];

	snprintf(p, sizeof(p), TB "/%s", file);
	if (kfi_read(p, buf, sizeof(buf)) <= 0)
		return LONG_MIN;
	return strtol(buf, NULL, 0);
}

static bool exists(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0;
}

/* Disables and unloads a hotfix module: for teardowns, never fails. */
static void hotfix_unload(const char *name)
{
	char p[256];

	if (!kfi_module_loaded(name))
		return;
	snprintf(p, sizeof(p), HOTFIXES "/%s/enabled", name);
	kfi_write(p, "0");
	if (!strcmp(name, "kfi_test_hotfix_sleep"))
		kfi_write(SLEEP_PARAMS "/release", "1");
	/* A released sleeper needs a moment to return. */
	for (int i = 0; i < 500 && kfi_module_unload(name) == -EWOULDBLOCK; i++)
		usleep(10000);
}

/*
 * The line of @func in a hotfix's "functions": fills @state, @calls and,
 * if not NULL, *@missed_out (its MISSED column). Returns 0, or -1 if there
 * is no such line.
 */
static int hotfix_func_missed(const char *hotfix, const char *func,
			      char *state, long *calls, long *missed_out)
{
	char p[256], buf[4096], *line, *save;
	char old[128], new[128], st[32];
	long c, missed;

	snprintf(p, sizeof(p), HOTFIXES "/%s/functions", hotfix);
	if (kfi_read(p, buf, sizeof(buf)) < 0)
		return -1;
	for (line = strtok_r(buf, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		if (sscanf(line, "%127s %127s %31s %ld %ld", old, new, st, &c,
			   &missed) != 5)
			return -1;
		if (strcmp(old, func))
			continue;
		strcpy(state, st);
		*calls = c;
		if (missed_out)
			*missed_out = missed;
		return 0;
	}
	return -1;
}

static int hotfix_func(const char *hotfix, const char *func, char *state,
		       long *calls)
{
	return hotfix_func_missed(hotfix, func, state, calls, NULL);
}

/*
 * Reads /dev/kmsg from where @fd stands; whether a line containing both
 * @a and @b was logged.
 */
static bool kmsg_has(int fd, const char *a, const char *b)
{
	char rec[2048];
	bool found = false;
	ssize_t n;

	while ((n = read(fd, rec, sizeof(rec) - 1)) > 0 || errno == EPIPE) {
		if (n <= 0)
			continue;
		rec[n] = '\0';
		if (strstr(rec, a) && strstr(rec, b))
			found = true;
	}
	return found;
}

static int kmsg_open_at_end(void)
{
	int fd = open("/dev/kmsg", O_RDONLY | O_NONBLOCK);

	if (fd >= 0)
		lseek(fd, 0, SEEK_END);
	return fd;
}

FIXTURE(hotfix) {
};

FIXTURE_SETUP(hotfix)
{
	ASSERT_EQ(0, kfi_module_load("kfi"));
	/* A test that timed out may have left it at 0. */
	ASSERT_EQ(0, kfi_write(KFI_CFS "/enabled", "1"));
	kfi_rules_clear();
	for (size_t i = 0; i < ARRAY_SIZE(hotfix_modules); i++)
		hotfix_unload(hotfix_modules[i]);
	ASSERT_EQ(0, kfi_module_load("kfi_test_buggy"));
	ASSERT_EQ(41, tb("answer")) TH_LOG("kfi_test_buggy is not buggy");
}

FIXTURE_TEARDOWN(hotfix)
{
	kfi_rules_clear();
	for (size_t i = 0; i < ARRAY_SIZE(hotfix_modules); i++) {
		hotfix_unload(hotfix_modules[i]);
		EXPECT_FALSE(kfi_module_loaded(hotfix_modules[i]))
			TH_LOG("%s would not unload", hotfix_modules[i]);
	}
}

TEST_F(hotfix, fix_takes_effect_and_reverts_with_enabled)
{
	char state[32];
	long calls;

	ASSERT_EQ(0, kfi_module_insmod("kfi_test_hotfix", NULL));
	ASSERT_TRUE(exists(HF)) TH_LOG("no %s after registration", HF);
	EXPECT_EQ(1, kfi_read_long(HF "/enabled"));
	EXPECT_EQ(42, tb("answer"));
	EXPECT_EQ(5, tb("sum"));
	EXPECT_EQ(2, kfi_read_long(HF "/calls"));
	ASSERT_EQ(0, hotfix_func("kfi_test_hotfix",
				 "kfi_test_buggy:kfi_tb_answer", state, &calls));
	EXPECT_STREQ("applied", state);
	EXPECT_EQ(1, calls);

	ASSERT_EQ(0, kfi_write(HF "/enabled", "0"));
	EXPECT_EQ(0, kfi_read_long(HF "/enabled"));
	EXPECT_EQ(41, tb("answer"));
	EXPECT_EQ(-1, tb("sum"));
	EXPECT_EQ(2, kfi_read_long(HF "/calls"))
		TH_LOG("calls counted while disabled");
	ASSERT_EQ(0, hotfix_func("kfi_test_hotfix",
				 "kfi_test_buggy:kfi_tb_sum", state, &calls));
	EXPECT_STREQ("disabled", state);

	ASSERT_EQ(0, kfi_write(HF "/enabled", "1"));
	EXPECT_EQ(42, tb("answer"));
	EXPECT_EQ(5, tb("sum"));
	EXPECT_EQ(4, kfi_read_long(HF "/calls"));
}

/*
 * kfi_tb_many() has twelve arguments, the last ones passed on the stack:
 * the thunk hands every one to the replacement in its place, as a plain
 * redirect does.
 */
TEST_F(hotfix, every_argument_reaches_the_replacement)
{
	for (size_t f = 0; f < ARRAY_SIZE(forms); f++) {
		EXPECT_EQ(385, tb("many"));
		ASSERT_EQ(0, kfi_module_insmod("kfi_test_hotfix", forms[f]));
		EXPECT_EQ(506, tb("many")) TH_LOG("%s", form_name(forms[f]));
		EXPECT_EQ(5, tb("sum")) TH_LOG("%s", form_name(forms[f]));
		EXPECT_EQ(42, tb("answer")) TH_LOG("%s", form_name(forms[f]));
		EXPECT_EQ(3, kfi_read_long(HF "/calls"));
		hotfix_unload("kfi_test_hotfix");
		ASSERT_FALSE(kfi_module_loaded("kfi_test_hotfix"));
	}
}

/*
 * With thunks, kfi needs no return probe: an entry probe alone (kfi's
 * ftrace_ops, the function having an ftrace call site). Without, every
 * redirected call's return is hooked.
 */
TEST_F(hotfix, thunks_need_no_return_probe)
{
	ASSERT_EQ(KFI_PROBE_NONE, kfi_probe_on("kfi_tb_answer"));
	ASSERT_EQ(0, kfi_module_insmod("kfi_test_hotfix", NULL));
	EXPECT_NE(KFI_PROBE_NONE, kfi_probe_on("kfi_tb_answer"));
	EXPECT_EQ(0, kfi_kprobe_kinds("kfi_tb_answer") & KFI_KPROBE_RET);
	EXPECT_EQ(42, tb("answer"));
	hotfix_unload("kfi_test_hotfix");
	ASSERT_TRUE(kfi_probe_gone("kfi_tb_answer"));

	ASSERT_EQ(0, kfi_module_insmod("kfi_test_hotfix", "plain=1"));
	EXPECT_EQ(KFI_KPROBE_ENTRY | KFI_KPROBE_RET,
		  kfi_kprobe_kinds("kfi_tb_answer"));
	EXPECT_EQ(42, tb("answer"));
}

/*
 * A probe that skipped the end of a thunk would keep its calls counted in,
 * and the module pinned, for ever: thunks can be neither traced nor probed.
 */
TEST_F(hotfix, thunks_cannot_be_probed)
{
	ASSERT_EQ(0, kfi_module_insmod("kfi_test_hotfix", NULL));
	ASSERT_EQ(0, kfi_rule_make("t", "target=kfi_test_hotfix:__kfi_hotfix_thunk_kfi_th_answer",
				   "retval=-5", NULL));
	EXPECT_EQ(-EINVAL, kfi_rule_set("t", "enabled", "1"));
	EXPECT_EQ(0, kfi_rule_long("t", "enabled"));
	EXPECT_EQ(42, tb("answer"));
	EXPECT_EQ(1, kfi_read_long(HF "/calls"));
	ASSERT_EQ(0, kfi_rule_rm("t"));
	ASSERT_EQ(0, kfi_write(HF "/enabled", "0"));
	EXPECT_EQ(0, kfi_module_unload("kfi_test_hotfix"));
}

TEST_F(hotfix, functions_names_old_and_new)
{
	char buf[1024];

	ASSERT_EQ(0, kfi_module_insmod("kfi_test_hotfix", NULL));
	ASSERT_GT(kfi_read(HF "/functions", buf, sizeof(buf)), 0);
	EXPECT_STREQ("kfi_test_buggy:kfi_tb_answer kfi_test_hotfix:kfi_th_answer applied 0 0\n"
		     "kfi_test_buggy:kfi_tb_sum kfi_test_hotfix:kfi_th_sum applied 0 0\n"
		     "kfi_test_buggy:kfi_tb_many kfi_test_hotfix:kfi_th_many applied 0 0",
		     buf);
}

TEST_F(hotfix, enabled_rejects_bad_input)
{
	static const char * const bad[] = {
		"\n", "2", "-1", "yes", "on", "1 1", "01x", "0x1", " 1",
		"1\n\n", "11",
	};

	ASSERT_EQ(0, kfi_module_insmod("kfi_test_hotfix", NULL));
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		EXPECT_EQ(-EINVAL, kfi_write(HF "/enabled", bad[i]))
			TH_LOG("enabled accepted \"%s\"", bad[i]);
		EXPECT_EQ(1, kfi_read_long(HF "/enabled"));
	}
	EXPECT_EQ(42, tb("answer"));
	/* What it does take. */
	EXPECT_EQ(0, kfi_write(HF "/enabled", "0\n"));
	EXPECT_EQ(0, kfi_write(HF "/enabled", "0"));
	EXPECT_EQ(41, tb("answer"));
	EXPECT_EQ(0, kfi_write(HF "/enabled", "1\n"));
	EXPECT_EQ(42, tb("answer"));
}

TEST_F(hotfix, directories_are_made_by_kfi_only)
{
	ASSERT_EQ(0, kfi_module_insmod("kfi_test_hotfix", NULL));
	EXPECT_NE(0, mkdir(HOTFIXES "/mine", 0755));
	EXPECT_FALSE(exists(HOTFIXES "/mine"));
	EXPECT_NE(0, rmdir(HF));
	EXPECT_TRUE(exists(HF));
	EXPECT_EQ(-EACCES, kfi_write(HF "/calls", "0"));
	EXPECT_EQ(-EACCES, kfi_write(HF "/functions", "x"));
	EXPECT_EQ(42, tb("answer"));
}

/* kfi_test_hotfix2 redirects kfi_tb_answer and "second", which fails. */
struct bad_second {
	const char *name;
	int err;
};

static const struct bad_second bad_seconds[] = {
	{ "kfi_tb_no_such_function", -ENOENT },
	{ "kfi_test_buggy:kfi_tb_no_such_function", -ENOENT },
	{ "kfi_hotfix_register", -EPERM },		/* kfi's own */
	{ "kfi_test_buggy:kfi_tb_sum+4", -EINVAL },	/* not an entry */
	{ "kfi_not_loaded:kfi_tb_sum+4", -EINVAL },	/* nor when waiting */
	{ "kfi_test_buggy:", -EINVAL },
	{ "kfi_test_buggy:kfi_tb_answer", -EBUSY },	/* twice in one hotfix */
	/* Modules that never load: nothing to wait for. */
	{ "vmlinux:cmdline_proc_show", -ENOENT },
	{ "printk:kfi_no_such_function", -ENOENT },	/* built in */
};

TEST_F(hotfix, all_or_nothing)
{
	for (size_t i = 0; i < ARRAY_SIZE(bad_seconds); i++) {
		const struct bad_second *b = &bad_seconds[i];
		char params[160];
		int kmsg = kmsg_open_at_end();

		snprintf(params, sizeof(params), "second=%s", b->name);
		EXPECT_EQ(b->err, kfi_module_insmod("kfi_test_hotfix2", params))
			TH_LOG("second=%s", b->name);
		EXPECT_FALSE(kfi_module_loaded("kfi_test_hotfix2"));
		EXPECT_FALSE(exists(HOTFIXES "/kfi_test_hotfix2"));
		/* The first function, fine on its own, was not redirected. */
		EXPECT_EQ(41, tb("answer")) TH_LOG("second=%s", b->name);
		if (kmsg >= 0) {
			EXPECT_TRUE(kmsg_has(kmsg, "hotfix kfi_test_hotfix2: ",
					     b->name))
				TH_LOG("no log line naming %s", b->name);
			close(kmsg);
		}
	}
}

/* A replacement that is not code that stays: the registration fails. */
TEST_F(hotfix, replacement_must_be_module_text)
{
	static const char * const bads[] = { "init", "data" };

	for (size_t i = 0; i < ARRAY_SIZE(bads); i++) {
		char params[128];
		int kmsg = kmsg_open_at_end();

		snprintf(params, sizeof(params),
			 "second=kfi_test_buggy:kfi_tb_slow bad=%s", bads[i]);
		EXPECT_EQ(-EINVAL, kfi_module_insmod("kfi_test_hotfix2", params))
			TH_LOG("bad=%s", bads[i]);
		EXPECT_FALSE(kfi_module_loaded("kfi_test_hotfix2"));
		EXPECT_FALSE(exists(HOTFIXES "/kfi_test_hotfix2"));
		EXPECT_EQ(41, tb("answer")) TH_LOG("bad=%s", bads[i]);
		EXPECT_EQ(0, tb("slow")) TH_LOG("bad=%s", bads[i]);
		if (kmsg >= 0) {
			EXPECT_TRUE(kmsg_has(kmsg, "hotfix kfi_test_hotfix2: ",
					     "the replacement is not a function"));
			close(kmsg);
		}
	}
}

/*
 * KFI_HOTFIX_FUNC() sets a thunk and its count together, both in the
 * module: an entry with one and not the other, or a thunk that is data,
 * is refused.
 */
TEST_F(hotfix, thunk_entries_are_checked)
{
	static const struct {
		const char *bad, *log;
	} bads[] = {
		{ "thunk", "a thunk and its count go together" },
		{ "inflight", "a thunk and its count go together" },
		{ "thunkdata", "the replacement is not a function" },
	};

	for (size_t i = 0; i < ARRAY_SIZE(bads); i++) {
		char params[128];
		int kmsg = kmsg_open_at_end();

		snprintf(params, sizeof(params),
			 "second=kfi_test_buggy:kfi_tb_slow bad=%s",
			 bads[i].bad);
		EXPECT_EQ(-EINVAL, kfi_module_insmod("kfi_test_hotfix2", params))
			TH_LOG("bad=%s", bads[i].bad);
		EXPECT_FALSE(kfi_module_loaded("kfi_test_hotfix2"));
		EXPECT_FALSE(exists(HOTFIXES "/kfi_test_hotfix2"));
		EXPECT_EQ(41, tb("answer")) TH_LOG("bad=%s", bads[i].bad);
		if (kmsg >= 0) {
			EXPECT_TRUE(kmsg_has(kmsg, "hotfix kfi_test_hotfix2: ",
					     bads[i].log))
				TH_LOG("bad=%s", bads[i].bad);
			close(kmsg);
		}
	}
}

/* A hotfix whose "functions" would not fit in a page is refused. */
TEST_F(hotfix, functions_too_long_to_list_are_refused)
{
	const char *params = "second=kfi_test_buggy:kfi_tb_slow pad=4096";
	int kmsg = kmsg_open_at_end();

	/* "+000...0" is offset 0: a valid name, 4 KiB long. */
	EXPECT_EQ(-E2BIG, kfi_module_insmod("kfi_test_hotfix2", params));
	EXPECT_FALSE(kfi_module_loaded("kfi_test_hotfix2"));
	EXPECT_EQ(41, tb("answer"));
	if (kmsg >= 0) {
		EXPECT_TRUE(kmsg_has(kmsg, "hotfix kfi_test_hotfix2: ",
				     "do not fit in one page"));
		close(kmsg);
	}
}

/* A hotfix registered twice: EEXIST. kfi stays while a hotfix needs it. */
TEST_F(hotfix, registered_twice_and_kfi_held)
{
	const char *params = "second=kfi_test_buggy:kfi_tb_slow bad=twice";

	EXPECT_EQ(-EEXIST, kfi_module_insmod("kfi_test_hotfix2", params));
	EXPECT_FALSE(kfi_module_loaded("kfi_test_hotfix2"));
	EXPECT_EQ(41, tb("answer"));

	ASSERT_EQ(0, kfi_module_insmod("kfi_test_hotfix", NULL));
	EXPECT_EQ(-EWOULDBLOCK, kfi_module_unload("kfi"));
	EXPECT_TRUE(kfi_module_loaded("kfi"));
	EXPECT_EQ(42, tb("answer"));
}

/*
 * A hotfix module whose init fails after it registered its hotfix: the
 * loader frees the module whatever references it holds. kfi removes the
 * hotfix before that, and the functions run unpatched again.
 */
/*
 * A module whose init fails after registering, without unregistering, while
 * a task sleeps in its replacement: the loader frees the module whatever
 * references it has, so kfi's notifier must hold it back until the call has
 * left (insmod waits), with and without thunks.
 */
TEST_F(hotfix, module_failing_its_init_waits_for_a_sleeper)
{
	for (size_t f = 0; f < ARRAY_SIZE(forms); f++) {
		char params[64];
		pid_t loader, sleeper;
		int status, i;

		TH_LOG("%s", form_name(forms[f]));
		snprintf(params, sizeof(params), "fail=1 %s", forms[f] ?: "");
		loader = fork();
		ASSERT_LE(0, loader);
		if (!loader)
			_exit(kfi_module_insmod("kfi_test_hotfix_sleep",
						params) == -ENOMEM ? 0 : 1);
		/* Calls until one is redirected: the hotfix is on by then. */
		sleeper = fork();
		ASSERT_LE(0, sleeper);
		if (!sleeper) {
			for (i = 0; i < 1000; i++) {
				if (tb("slow") == 1)
					_exit(0);
				usleep(10000);
			}
			_exit(1);
		}
		for (i = 0; i < 1000; i++) {
			if (kfi_read_long(SLEEP_PARAMS "/entered") == 1)
				break;
			usleep(10000);
		}
		ASSERT_EQ(1, kfi_read_long(SLEEP_PARAMS "/entered"));
		/* The init has failed; the module waits for the sleeper. */
		usleep(300000);
		EXPECT_EQ(0, waitpid(loader, &status, WNOHANG))
			TH_LOG("insmod returned with a task in the replacement");
		ASSERT_EQ(0, kfi_write(SLEEP_PARAMS "/release", "1"));
		ASSERT_EQ(sleeper, waitpid(sleeper, &status, 0));
		EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0)
			TH_LOG("the sleeper did not get the replacement's 1");
		ASSERT_EQ(loader, waitpid(loader, &status, 0));
		EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0)
			TH_LOG("insmod did not fail with ENOMEM");
		EXPECT_FALSE(kfi_module_loaded("kfi_test_hotfix_sleep"));
		EXPECT_FALSE(exists(HF_SLEEP));
		EXPECT_EQ(0, tb("slow"));
	}
}

TEST_F(hotfix, module_failing_its_init_after_registering)
{
	const char *params = "second=kfi_test_buggy:kfi_tb_slow bad=fail";
	int kmsg = kmsg_open_at_end();

	EXPECT_EQ(-ENOMEM, kfi_module_insmod("kfi_test_hotfix2", params));
	EXPECT_FALSE(kfi_module_loaded("kfi_test_hotfix2"));
	EXPECT_FALSE(exists(HOTFIXES "/kfi_test_hotfix2"));
	EXPECT_EQ(41, tb("answer"));
	EXPECT_EQ(0, tb("slow"));
	if (kmsg >= 0) {
		EXPECT_TRUE(kmsg_has(kmsg, "hotfix kfi_test_hotfix2: ",
				     "going without unregistering"));
		close(kmsg);
	}
	/* Its functions are free for another hotfix. */
	ASSERT_EQ(0, kfi_module_insmod("kfi_test_hotfix2",
				       "second=kfi_test_buggy:kfi_tb_slow"));
	EXPECT_EQ(43, tb("answer"));
	hotfix_unload("kfi_test_hotfix2");
	EXPECT_EQ(41, tb("answer"));
}

TEST_F(hotfix, second_hotfix_of_a_function_is_refused)
{
	int kmsg;

	ASSERT_EQ(0, kfi_module_insmod("kfi_test_hotfix", NULL));
	kmsg = kmsg_open_at_end();
	EXPECT_EQ(-EBUSY, kfi_module_insmod("kfi_test_hotfix2",
					    "second=kfi_test_buggy:kfi_tb_slow"));
	EXPECT_FALSE(kfi_module_loaded("kfi_test_hotfix2"));
	EXPECT_EQ(42, tb("answer")) TH_LOG("the first hotfix was disturbed");
	EXPECT_EQ(0, tb("slow")) TH_LOG("kfi_tb_slow was redirected");
	if (kmsg >= 0) {
		EXPECT_TRUE(kmsg_has(kmsg, "hotfix kfi_test_hotfix2: ",
				     "kfi_tb_answer"));
		close(kmsg);
	}
	/* Once the first is gone, the second applies. */
	hotfix_unload("kfi_test_hotfix");
	ASSERT_EQ(0, kfi_module_insmod("kfi_test_hotfix2",
				       "second=kfi_test_buggy:kfi_tb_slow"));
	EXPECT_EQ(43, tb("answer"));
	EXPECT_EQ(0, tb("slow"));
}

TEST_F(hotfix, loaded_before_its_target_module_and_across_reloads)
{
	char state[32];
	long calls;

	ASSERT_EQ(0, kfi_module_unload("kfi_test_buggy"));
	ASSERT_EQ(0, kfi_module_insmod("kfi_test_hotfix", NULL));
	ASSERT_EQ(0, hotfix_func("kfi_test_hotfix",
				 "kfi_test_buggy:kfi_tb_answer", state, &calls));
	EXPECT_STREQ("waiting", state);

	for (int round = 0; round < 3; round++) {
		ASSERT_EQ(0, kfi_module_load("kfi_test_buggy"));
		EXPECT_EQ(42, tb("answer")) TH_LOG("round %d", round);
		EXPECT_EQ(5, tb("sum")) TH_LOG("round %d", round);
		ASSERT_EQ(0, hotfix_func("kfi_test_hotfix",
					 "kfi_test_buggy:kfi_tb_answer", state,
					 &calls));
		EXPECT_STREQ("applied", state);
		EXPECT_EQ(round + 1, calls);

		ASSERT_EQ(0, kfi_module_unload("kfi_test_buggy"));
		ASSERT_EQ(0, hotfix_func("kfi_test_hotfix",
					 "kfi_test_buggy:kfi_tb_answer", state,
					 &calls));
		EXPECT_STREQ("waiting", state);
		EXPECT_EQ(1, kfi_read_long(HF "/enabled"));
	}
	ASSERT_EQ(0, kfi_module_load("kfi_test_buggy"));
	EXPECT_EQ(42, tb("answer"));
}

/*
 * The same when a rule keeps the function's probe site waiting for its
 * module: the hotfix joins the waiting site (it was refused with ENOENT
 * while the site's return side was being counted), and both are in place
 * once the module is back.
 */
TEST_F(hotfix, loaded_while_a_rule_waits_for_the_target_module)
{
	char state[32];
	long calls;

	ASSERT_EQ(0, kfi_rule_make("r", "target=kfi_test_buggy:kfi_tb_answer",
				   "pid=1", "enabled=1", NULL));
	ASSERT_EQ(0, kfi_module_unload("kfi_test_buggy"));
	ASSERT_EQ(0, kfi_module_insmod("kfi_test_hotfix", NULL));
	ASSERT_EQ(0, hotfix_func("kfi_test_hotfix",
				 "kfi_test_buggy:kfi_tb_answer", state, &calls));
	EXPECT_STREQ("waiting", state);

	ASSERT_EQ(0, kfi_module_load("kfi_test_buggy"));
	EXPECT_EQ(42, tb("answer"));
	ASSERT_EQ(0, hotfix_func("kfi_test_hotfix",
				 "kfi_test_buggy:kfi_tb_answer", state, &calls));
	EXPECT_STREQ("applied", state);
	EXPECT_EQ(1, calls);
	ASSERT_LT(0, kfi_rule_get("r", "status", state, sizeof(state)));
	EXPECT_STREQ("armed", state);
	kfi_rules_clear();
}

/*
 * All or nothing also when the functions' module loads after the hotfix:
 * one of its functions cannot be probed then (it does not exist), so the
 * other, of the same module, is held back rather than redirected alone.
 */
TEST_F(hotfix, module_loading_later_gets_all_its_functions_or_none)
{
	const char *params = "second=kfi_test_buggy:kfi_tb_no_such_function";
	char state[32];
	long calls;

	ASSERT_EQ(0, kfi_module_unload("kfi_test_buggy"));
	ASSERT_EQ(0, kfi_module_insmod("kfi_test_hotfix2", params));
	ASSERT_EQ(0, hotfix_func("kfi_test_hotfix2",
				 "kfi_test_buggy:kfi_tb_answer", state, &calls));
	EXPECT_STREQ("waiting", state);

	ASSERT_EQ(0, kfi_module_load("kfi_test_buggy"));
	EXPECT_EQ(41, tb("answer")) TH_LOG("redirected without its partner");
	ASSERT_EQ(0, hotfix_func("kfi_test_hotfix2",
				 "kfi_test_buggy:kfi_tb_answer", state, &calls));
	EXPECT_STREQ("held", state);
	EXPECT_EQ(0, calls);
	ASSERT_EQ(0, hotfix_func("kfi_test_hotfix2",
				 "kfi_test_buggy:kfi_tb_no_such_function", state,
				 &calls));
	EXPECT_STREQ("waiting", state);

	hotfix_unload("kfi_test_hotfix2");
	EXPECT_EQ(41, tb("answer"));
}

TEST_F(hotfix, rmmod_refused_while_enabled)
{
	ASSERT_EQ(0, kfi_module_insmod("kfi_test_hotfix", NULL));
	EXPECT_EQ(-EWOULDBLOCK, kfi_module_unload("kfi_test_hotfix"));
	EXPECT_TRUE(kfi_module_loaded("kfi_test_hotfix"));
	EXPECT_EQ(42, tb("answer"));

	ASSERT_EQ(0, kfi_write(HF "/enabled", "0"));
	EXPECT_EQ(0, kfi_module_unload("kfi_test_hotfix"));
	EXPECT_FALSE(kfi_module_loaded("kfi_test_hotfix"));
	EXPECT_FALSE(exists(HF));
	EXPECT_EQ(41, tb("answer"));
}

static void rmmod_waits_for_a_sleeper(struct __test_metadata *_metadata,
				      const char *form)
{
	int status, i, err;
	cpu_set_t cpus;
	pid_t child;

	TH_LOG("%s", form_name(form));
	ASSERT_EQ(0, kfi_module_insmod("kfi_test_hotfix_sleep", form));
	/*
	 * The call enters on CPU 0 and, moved meanwhile, leaves on CPU 1:
	 * counted in on one CPU and out on the other.
	 */
	CPU_ZERO(&cpus);
	CPU_SET(0, &cpus);
	child = fork();
	ASSERT_GE(child, 0);
	if (child == 0) {
		if (sched_setaffinity(0, sizeof(cpus), &cpus))
			_exit(2);
		_exit(tb("slow") == 1 ? 0 : 1);
	}

	for (i = 0; i < 1000 && kfi_read_long(SLEEP_PARAMS "/entered") < 1; i++)
		usleep(10000);
	ASSERT_EQ(1, kfi_read_long(SLEEP_PARAMS "/entered"))
		TH_LOG("the reader never entered the replacement");
	if (sysconf(_SC_NPROCESSORS_ONLN) > 1) {
		CPU_ZERO(&cpus);
		CPU_SET(1, &cpus);
		EXPECT_EQ(0, sched_setaffinity(child, sizeof(cpus), &cpus));
	} else {
		TH_LOG("one CPU: the call leaves where it entered");
	}

	/*
	 * Disabled, with a task asleep in the replacement: still pinned,
	 * also after it was enabled and disabled again meanwhile.
	 */
	ASSERT_EQ(0, kfi_write(HF_SLEEP "/enabled", "0"));
	EXPECT_EQ(0, tb("slow")) TH_LOG("a new call was redirected");
	for (i = 0; i < 3; i++) {
		EXPECT_EQ(-EWOULDBLOCK, kfi_module_unload("kfi_test_hotfix_sleep"));
		EXPECT_TRUE(kfi_module_loaded("kfi_test_hotfix_sleep"));
		usleep(50000);
	}
	ASSERT_EQ(0, kfi_write(HF_SLEEP "/enabled", "1"));
	ASSERT_EQ(0, kfi_write(HF_SLEEP "/enabled", "0"));
	for (i = 0; i < 3; i++) {
		EXPECT_EQ(-EWOULDBLOCK, kfi_module_unload("kfi_test_hotfix_sleep"));
		usleep(50000);
	}
	EXPECT_EQ(1, kfi_read_long(SLEEP_PARAMS "/entered"));

	ASSERT_EQ(0, kfi_write(SLEEP_PARAMS "/release", "1"));
	ASSERT_EQ(child, waitpid(child, &status, 0));
	EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0)
		TH_LOG("the sleeping call did not return the replacement's 1");
	/*
	 * A hooked return drops the module at once; a thunk's count is
	 * watched every 20 ms, then its last instructions waited out.
	 */
	for (i = 0; i < 1000; i++) {
		err = kfi_module_unload("kfi_test_hotfix_sleep");
		if (err != -EWOULDBLOCK || form)
			break;
		usleep(10000);
	}
	EXPECT_EQ(0, err) TH_LOG("still pinned after %d tries", i + 1);
	EXPECT_FALSE(kfi_module_loaded("kfi_test_hotfix_sleep"));
}

TEST_F(hotfix, rmmod_waits_for_a_task_asleep_in_a_replacement)
{
	for (size_t f = 0; f < ARRAY_SIZE(forms); f++)
		rmmod_waits_for_a_sleeper(_metadata, forms[f]);
}

/*
 * Without thunks, a redirected call holds a return hook until it returns:
 * with every hook held by a call asleep in the replacement, more calls run
 * the old function, and MISSED counts them. With thunks, every call is
 * redirected.
 */
static void sleepers_beyond_the_return_hooks(struct __test_metadata *_metadata,
					     const char *form)
{
	enum { EXTRA = 6 };
	long pool = kfi_ret_pool_size(), calls, missed = 0;
	long want_missed = form ? EXTRA : 0;
	int i, status, fixed = 0, old = 0;
	pid_t pids[256];
	char state[32];

	TH_LOG("%s", form_name(form));
	ASSERT_LT(0, pool);
	ASSERT_GE((long)ARRAY_SIZE(pids), pool + EXTRA);
	ASSERT_EQ(0, kfi_module_insmod("kfi_test_hotfix_sleep", form));
	for (i = 0; i < pool + EXTRA; i++) {
		pids[i] = fork();
		ASSERT_LE(0, pids[i]);
		if (!pids[i])
			_exit(tb("slow") == 1 ? 1 : 0);
	}
	/* Every hook held by a sleeper, every other call missed: release. */
	for (i = 0; i < 6000; i++) {
		ASSERT_EQ(0, hotfix_func_missed("kfi_test_hotfix_sleep",
						"kfi_test_buggy:kfi_tb_slow",
						state, &calls, &missed));
		if (kfi_read_long(SLEEP_PARAMS "/entered") >=
		    pool + EXTRA - want_missed && missed >= want_missed)
			break;
		usleep(10000);
	}
	EXPECT_EQ(pool + EXTRA - want_missed,
		  kfi_read_long(SLEEP_PARAMS "/entered"));
	EXPECT_EQ(want_missed, missed);
	ASSERT_EQ(0, kfi_write(SLEEP_PARAMS "/release", "1"));
	for (i = 0; i < pool + EXTRA; i++) {
		ASSERT_EQ(pids[i], waitpid(pids[i], &status, 0));
		ASSERT_TRUE(WIFEXITED(status));
		if (WEXITSTATUS(status))
			fixed++;
		else
			old++;
	}
	EXPECT_EQ(pool + EXTRA - want_missed, fixed);
	EXPECT_EQ(want_missed, old);
	ASSERT_EQ(0, hotfix_func_missed("kfi_test_hotfix_sleep",
					"kfi_test_buggy:kfi_tb_slow", state,
					&calls, &missed));
	EXPECT_EQ(pool + EXTRA - want_missed, calls);
	EXPECT_EQ(want_missed, missed);
	hotfix_unload("kfi_test_hotfix_sleep");
	ASSERT_FALSE(kfi_module_loaded("kfi_test_hotfix_sleep"));
}

TEST_F(hotfix, calls_beyond_the_return_hooks_are_missed)
{
	sleepers_beyond_the_return_hooks(_metadata, "plain=1");
}

TEST_F(hotfix, calls_in_thunks_are_never_missed)
{
	sleepers_beyond_the_return_hooks(_metadata, NULL);
}

/*
 * Calls of @file's ("loop" or "irq") in rounds of @n: fills @fixed,
 * @buggy and @irq (the calls made in a hard interrupt). Returns 0, or -1.
 */
static int tb_calls(const char *file, long n, long *fixed, long *buggy,
		    long *irq)
{
	char p[128], num[32], buf[128];
	long other;
	int fd, ret = -1;
	ssize_t len;

	snprintf(p, sizeof(p), TB "/%s", file);
	fd = open(p, O_RDWR);
	if (fd < 0)
		return -1;
	snprintf(num, sizeof(num), "%ld", n);
	if (write(fd, num, strlen(num)) != (ssize_t)strlen(num))
		goto out;
	len = pread(fd, buf, sizeof(buf) - 1, 0);
	if (len <= 0)
		goto out;
	buf[len] = '\0';
	if (sscanf(buf, "fixed=%ld buggy=%ld other=%ld irq=%ld", fixed, buggy,
		   &other, irq) == 4 && !other)
		ret = 0;
out:
	close(fd);
	return ret;
}

/*
 * A function called in hard interrupts is redirected there too, and
 * counted: with a thunk, the count in and the count out are both taken in
 * the interrupt, and the module still unloads once disabled (its counts
 * drained). Both forms.
 */
TEST_F(hotfix, calls_in_interrupts_are_redirected)
{
	enum { N = 200 };
	long fixed, buggy, irq, before, after;
	char state[32];

	for (size_t f = 0; f < ARRAY_SIZE(forms); f++) {
		TH_LOG("%s", form_name(forms[f]));
		ASSERT_EQ(0, tb_calls("irq", N, &fixed, &buggy, &irq));
		EXPECT_EQ(N, buggy);
		EXPECT_EQ(N, irq) TH_LOG("the calls were not in interrupts");

		ASSERT_EQ(0, kfi_module_insmod("kfi_test_hotfix", forms[f]));
		ASSERT_EQ(0, hotfix_func("kfi_test_hotfix", ANSWER, state,
					 &before));
		ASSERT_EQ(0, tb_calls("irq", N, &fixed, &buggy, &irq));
		EXPECT_EQ(N, fixed);
		EXPECT_EQ(0, buggy);
		EXPECT_EQ(N, irq);
		ASSERT_EQ(0, hotfix_func("kfi_test_hotfix", ANSWER, state,
					 &after));
		EXPECT_EQ(N, after - before);

		ASSERT_EQ(0, kfi_write(HF "/enabled", "0"));
		ASSERT_EQ(0, tb_calls("irq", N, &fixed, &buggy, &irq));
		EXPECT_EQ(0, fixed);
		EXPECT_EQ(N, buggy);
		EXPECT_EQ(N, irq);
		/* Nothing is left inside the replacement: it unloads. */
		hotfix_unload("kfi_test_hotfix");
		ASSERT_FALSE(kfi_module_loaded("kfi_test_hotfix"));
	}
}

/* A function of vmlinux: samples/hotfix/kfi_sample_cmdline.c. */
TEST_F(hotfix, vmlinux_function_cmdline_sample)
{
	const char *hf = HOTFIXES "/kfi_sample_cmdline";
	char before[4096], buf[4096];

	ASSERT_GE(kfi_read("/proc/cmdline", before, sizeof(before)), 0);
	ASSERT_EQ(0, kfi_module_insmod("kfi_sample_cmdline", NULL));
	ASSERT_GE(kfi_read("/proc/cmdline", buf, sizeof(buf)), 0);
	EXPECT_NE(NULL, strstr(buf, "hotfixed by kfi")) TH_LOG("reads \"%s\"", buf);
	EXPECT_EQ(1, kfi_read_long(KFI_CFS "/hotfixes/kfi_sample_cmdline/calls"));

	ASSERT_EQ(0, kfi_write(KFI_CFS "/hotfixes/kfi_sample_cmdline/enabled", "0"));
	ASSERT_GE(kfi_read("/proc/cmdline", buf, sizeof(buf)), 0);
	EXPECT_STREQ(before, buf);
	EXPECT_EQ(0, kfi_module_unload("kfi_sample_cmdline"));
	EXPECT_FALSE(exists(hf));
}

/* A rule and a hotfix on one function: the rule acts first. */
TEST_F(hotfix, rule_return_ends_the_call_before_either_version)
{
	ASSERT_EQ(0, kfi_module_insmod("kfi_test_hotfix", NULL));
	ASSERT_EQ(0, kfi_rule_make("r", "target=kfi_test_buggy:kfi_tb_answer",
				   "retval=-EIO", "times=1", "enabled=1", NULL));
	EXPECT_EQ(-EIO, tb("answer"));
	EXPECT_EQ(0, kfi_read_long(HF "/calls"))
		TH_LOG("the replacement ran after an injected return");
	/* The rule's budget is spent: the fix runs again. */
	EXPECT_EQ(42, tb("answer"));
	EXPECT_EQ(1, kfi_read_long(HF "/calls"));
	EXPECT_EQ(1, kfi_rule_long("r", "injected"));
}

TEST_F(hotfix, rule_replace_replaces_the_replacements_value)
{
	ASSERT_EQ(0, kfi_module_insmod("kfi_test_hotfix", NULL));
	ASSERT_EQ(0, kfi_rule_make("r", "target=kfi_test_buggy:kfi_tb_answer",
				   "action=replace", "retval=7", "enabled=1",
				   NULL));
	EXPECT_EQ(7, tb("answer"));
	EXPECT_EQ(1, kfi_read_long(HF "/calls"))
		TH_LOG("the replacement did not run under a replace rule");
	ASSERT_EQ(0, kfi_write(HF "/enabled", "0"));
	EXPECT_EQ(7, tb("answer"));
	EXPECT_EQ(1, kfi_read_long(HF "/calls"));
	ASSERT_EQ(0, kfi_rule_set("r", "enabled", "0"));
	EXPECT_EQ(41, tb("answer"));
}

/*
 * A replace rule first (a kretprobe alone, which decides at the return),
 * then the hotfix, which needs an entry probe and the kretprobe's entry
 * handler: the function's probes are made again for both, and both act.
 */
TEST_F(hotfix, loaded_beside_a_replace_rule)
{
	ASSERT_EQ(0, kfi_rule_make("r", "target=kfi_test_buggy:kfi_tb_answer",
				   "action=replace", "retval=7", "enabled=1",
				   NULL));
	EXPECT_EQ(7, tb("answer"));
	ASSERT_EQ(0, kfi_module_insmod("kfi_test_hotfix", NULL));
	EXPECT_EQ(7, tb("answer"));
	EXPECT_EQ(1, kfi_read_long(HF "/calls"))
		TH_LOG("the replacement did not run beside the replace rule");
	ASSERT_EQ(0, kfi_rule_set("r", "enabled", "0"));
	EXPECT_EQ(42, tb("answer"));
	EXPECT_EQ(2, kfi_read_long(HF "/calls"));
}

TEST_F(hotfix, rule_args_rewrites_what_the_replacement_gets)
{
	ASSERT_EQ(0, kfi_module_insmod("kfi_test_hotfix", NULL));
	ASSERT_EQ(0, kfi_rule_make("r", "target=kfi_test_buggy:kfi_tb_sum",
				   "action=args", "args=1=10", "enabled=1",
				   NULL));
	EXPECT_EQ(13, tb("sum")) TH_LOG("expected the fix of sum(10, 3)");
	ASSERT_EQ(0, kfi_write(HF "/enabled", "0"));
	EXPECT_EQ(7, tb("sum")) TH_LOG("expected the bug of sum(10, 3)");
}

struct loop_result {
	long fixed, buggy, other;
	int err;
};

/* Set by the test's main thread: the loopers finish their round and stop. */
static atomic_bool loopers_stop;

/* Calls kfi_tb_answer() in rounds of 2000 until told to stop. */
static void *loop_thread(void *arg)
{
	struct loop_result *r = arg;
	int fd = open(TB "/loop", O_RDWR);
	long fixed, buggy, other;
	char buf[128];
	ssize_t n;

	if (fd < 0) {
		r->err = errno;
		return NULL;
	}
	do {
		if (write(fd, "2000", 4) != 4) {
			r->err = errno;
			break;
		}
		n = pread(fd, buf, sizeof(buf) - 1, 0);
		if (n <= 0) {
			r->err = n ? errno : EPROTO;
			break;
		}
		buf[n] = '\0';
		if (sscanf(buf, "fixed=%ld buggy=%ld other=%ld", &fixed,
			   &buggy, &other) != 3) {
			r->err = EPROTO;
			break;
		}
		r->fixed += fixed;
		r->buggy += buggy;
		r->other += other;
	} while (!loopers_stop);
	close(fd);
	return NULL;
}

/* Reads "answer" (one call per read) until told to stop. */
static void *read_thread(void *arg)
{
	struct loop_result *r = arg;

	do {
		switch (tb("answer")) {
		case 42:
			r->fixed++;
			break;
		case 41:
			r->buggy++;
			break;
		default:
			r->other++;
		}
	} while (!loopers_stop);
	return NULL;
}

#define MAX_LOOPERS	16

static int nr_loopers(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);

	return n < 2 ? 2 : n > MAX_LOOPERS ? MAX_LOOPERS : n;
}

static void loopers_start(struct __test_metadata *_metadata, pthread_t *th,
			  struct loop_result *res, int n,
			  void *(*even)(void *), void *(*odd)(void *))
{
	loopers_stop = false;
	for (int i = 0; i < n; i++)
		ASSERT_EQ(0, pthread_create(&th[i], NULL, i & 1 ? odd : even,
					    &res[i]));
}

/* Stops the loopers; the totals of what they saw, each checked. */
static void loopers_finish(struct __test_metadata *_metadata, pthread_t *th,
			   struct loop_result *res, int n,
			   struct loop_result *total)
{
	loopers_stop = true;
	memset(total, 0, sizeof(*total));
	for (int i = 0; i < n; i++) {
		pthread_join(th[i], NULL);
		EXPECT_EQ(0, res[i].err) TH_LOG("looper %d: %s", i,
						strerror(res[i].err));
		EXPECT_EQ(0, res[i].other)
			TH_LOG("looper %d saw results neither version gives", i);
		total->fixed += res[i].fixed;
		total->buggy += res[i].buggy;
		total->other += res[i].other;
	}
}

/*
 * Calls on every CPU while "enabled" flips and a rule on the same function
 * comes and goes: every call runs one version or the other, whole, and
 * "calls" counts exactly the redirected ones.
 */
static void enable_disable_race(struct __test_metadata *_metadata,
				const char *form)
{
	struct loop_result res[MAX_LOOPERS] = {}, total;
	pthread_t th[MAX_LOOPERS];
	int n = nr_loopers(), flip;
	struct timespec start;
	long calls0;

	ASSERT_EQ(0, kfi_module_insmod("kfi_test_hotfix", form));
	calls0 = kfi_read_long(HF "/calls");
	loopers_start(_metadata, th, res, n, loop_thread, loop_thread);
	/* 200 flips, or what fits in 5 s on a slow emulated machine. */
	clock_gettime(CLOCK_MONOTONIC, &start);
	for (flip = 0; flip < 200; flip++) {
		struct timespec now;
		char buf[1024];

		clock_gettime(CLOCK_MONOTONIC, &now);
		if (flip >= 20 && now.tv_sec - start.tv_sec >= 5)
			break;

		ASSERT_EQ(0, kfi_write(HF "/enabled", flip & 1 ? "1" : "0"));
		ASSERT_GT(kfi_read(HF "/functions", buf, sizeof(buf)), 0);
		if (flip % 4 == 0) {
			/* Rewrites an argument kfi_tb_answer() does not have. */
			EXPECT_EQ(0, kfi_rule_make("r", "target=" ANSWER,
						   "action=args", "args=1=0",
						   "enabled=1", NULL));
		} else if (flip % 4 == 2) {
			kfi_rules_clear();
		}
		usleep(1000);
	}
	loopers_finish(_metadata, th, res, n, &total);

	EXPECT_EQ(total.fixed, kfi_read_long(HF "/calls") - calls0)
		TH_LOG("\"calls\" is not the number of calls redirected");
	EXPECT_GT(total.fixed, 0);
	EXPECT_GT(total.buggy, 0) TH_LOG("no call ran while disabled");
	TH_LOG("%s: %d threads, %d flips, %ld of %ld calls redirected",
	       form_name(form), n, flip, total.fixed,
	       total.fixed + total.buggy);
	kfi_rules_clear();
	ASSERT_EQ(0, kfi_write(HF "/enabled", "1"));
	EXPECT_EQ(42, tb("answer"));
	hotfix_unload("kfi_test_hotfix");
	ASSERT_FALSE(kfi_module_loaded("kfi_test_hotfix"));
}

TEST_F(hotfix, enable_disable_and_rules_race_with_calls_on_all_cpus)
{
	for (size_t f = 0; f < ARRAY_SIZE(forms); f++)
		enable_disable_race(_metadata, forms[f]);
}

/*
 * Hotfix modules load and unload while every CPU calls the function, in a
 * kernel loop and from user space.
 */
TEST_F(hotfix, load_and_unload_race_with_calls_on_all_cpus)
{
	struct loop_result res[MAX_LOOPERS] = {}, total;
	pthread_t th[MAX_LOOPERS];
	int n = nr_loopers(), round;
	struct timespec start;

	loopers_start(_metadata, th, res, n, loop_thread, read_thread);
	/*
	 * 20 rounds, or what fits in 10 s on a slow emulated machine, with
	 * and without thunks in turn.
	 */
	clock_gettime(CLOCK_MONOTONIC, &start);
	for (round = 0; round < 20; round++) {
		struct timespec now;

		clock_gettime(CLOCK_MONOTONIC, &now);
		if (round >= 4 && now.tv_sec - start.tv_sec >= 10)
			break;
		ASSERT_EQ(0, kfi_module_insmod("kfi_test_hotfix",
					       forms[round % 2]));
		ASSERT_EQ(1, kfi_read_long(HF "/enabled"));
		/* Unloaded once the loopers' calls go to the fix. */
		for (int i = 0; i < 5000 && kfi_read_long(HF "/calls") <= 0; i++)
			usleep(1000);
		EXPECT_LT(0, kfi_read_long(HF "/calls")) TH_LOG("round %d", round);
		hotfix_unload("kfi_test_hotfix");
		ASSERT_FALSE(kfi_module_loaded("kfi_test_hotfix"));
	}
	loopers_finish(_metadata, th, res, n, &total);
	TH_LOG("%d threads, %d rounds, %ld of %ld calls redirected", n, round,
	       total.fixed, total.fixed + total.buggy);
	EXPECT_LT(0, total.fixed);
	EXPECT_EQ(41, tb("answer"));
}

int main(int argc, char **argv)
{
	return kfi_test_main(argc, argv);
}
