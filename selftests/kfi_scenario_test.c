// SPDX-License-Identifier: GPL-2.0
/*
 * kfictl run, as a CI job runs it: the sample scenarios of
 * samples/scenarios/ (in the guest's /kfi/scenarios/) pass; a scenario's
 * TAP says which expectation failed; every rule is removed after a normal
 * run, a failed expectation, SIGTERM, SIGINT, SIGHUP or SIGQUIT to kfictl, a crash
 * of the command and a timeout; arming is all or nothing; the command's
 * output stays off the TAP; the kernel log check sees a stack trace; and
 * --junit writes a well-formed report.
 */
#include <grp.h>
#include <signal.h>

#include "kselftest_harness.h"
#include "kfi_test.h"

#define SCN_DIR		"/kfi/scenarios"
#define T		"/tmp/kfi_scn"	/* the tests' files */

struct run {
	int rc;		/* exit status; -1 if kfictl did not exit */
	char out[16384];
	char err[8192];
};

struct proc {
	pid_t pid;
	int out, err;
};

#define NOBODY		65534

/* How kfictl is started. */
enum start {
	AS_ROOT,
	AS_NOBODY,	/* uid and gid 65534, no groups */
	TERM_PENDING,	/* with a SIGTERM blocked and pending from the start */
};

/* Starts "kfictl run ARGS...". */
static int spawn_as(struct proc *p, char **args, enum start how)
{
	const char *bin = getenv("KFICTL") ?: "kfictl";
	char *argv[32] = { (char *)bin, "run" };
	int out[2], err[2], n = 2;

	for (; args[n - 2] && n < 31; n++)
		argv[n] = args[n - 2];
	argv[n] = NULL;
	if (pipe(out) || pipe(err))
		return -1;
	p->pid = fork();
	if (p->pid < 0)
		return -1;
	if (p->pid == 0) {
		dup2(out[1], 1);
		dup2(err[1], 2);
		/* Only 1 and 2: the command must not hold the pipes open. */
		close(out[0]);
		close(err[0]);
		close(out[1]);
		close(err[1]);
		if (how == AS_NOBODY && (setgroups(0, NULL) || setgid(NOBODY) ||
					 setuid(NOBODY)))
			_exit(126);
		if (how == TERM_PENDING) {
			sigset_t set;

			/* A pending signal survives execve(). */
			sigemptyset(&set);
			sigaddset(&set, SIGTERM);
			sigprocmask(SIG_BLOCK, &set, NULL);
			raise(SIGTERM);
		}
		execvp(bin, argv);
		_exit(127);
	}
	close(out[1]);
	close(err[1]);
	p->out = out[0];
	p->err = err[0];
	return 0;
}

static int spawn(struct proc *p, char **args)
{
	return spawn_as(p, args, AS_ROOT);
}

static int finish(struct proc *p, struct run *r)
{
	int status;

	/* Both fit in a pipe's buffer: reading one after the other is safe. */
	kfi_drain(p->out, r->out, sizeof(r->out));
	kfi_drain(p->err, r->err, sizeof(r->err));
	r->rc = -1;
	if (waitpid(p->pid, &status, 0) == p->pid && WIFEXITED(status))
		r->rc = WEXITSTATUS(status);
	return r->rc;
}

/* kfictl run ARGS... (NULL-terminated). Returns the exit status. */
static int kfictl_run(struct run *r, ...)
{
	char *args[24];
	struct proc p;
	va_list ap;
	int n = 0;

	va_start(ap, r);
	while (n < 23 && (args[n] = va_arg(ap, char *)) != NULL)
		n++;
	va_end(ap);
	args[n] = NULL;
	if (spawn(&p, args))
		return -1;
	return finish(&p, r);
}

static int write_file(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = write(fd, text, strlen(text));
	close(fd);
	return n == (ssize_t)strlen(text) ? 0 : -EIO;
}

static int count(const char *s, const char *sub)
{
	int n = 0;

	for (s = strstr(s, sub); s; s = strstr(s + 1, sub))
		n++;
	return n;
}

static int lines(const char *s)
{
	return count(s, "\n");
}

static bool exists(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0;
}

/* The pid a command wrote into @path, waited for: 0 if none came. */
static pid_t pid_from(const char *path)
{
	for (int i = 0; i < 1000; i++) {
		long pid = kfi_read_long(path);

		if (pid > 0)
			return pid;
		usleep(10000);
	}
	return 0;
}

/* Gone, or a zombie that nobody reaped yet: either way, not running. */
static bool dead(pid_t pid)
{
	char p[64], stat[256], *paren;

	if (kill(pid, 0) && errno == ESRCH)
		return true;
	snprintf(p, sizeof(p), "/proc/%d/stat", pid);
	if (kfi_read(p, stat, sizeof(stat)) < 0)
		return true;
	paren = strrchr(stat, ')');
	return paren && paren[2] == 'Z';
}

/*
 * @s with every line indented, so that the TAP kfictl printed does not
 * pass for the test's own in a log. Two buffers: one TH_LOG may show two.
 */
static const char *quoted(const char *s)
{
	static char bufs[2][32768];
	static int which;
	char *b = bufs[which ^= 1];
	bool line_start = true;
	size_t n = 0;

	for (; *s && n < sizeof(bufs[0]) - 8; s++) {
		if (line_start)
			n += snprintf(b + n, sizeof(bufs[0]) - n, "    | ");
		b[n++] = *s;
		line_start = *s == '\n';
	}
	b[n] = '\0';
	return b;
}

FIXTURE(scenario) {
	struct run r;
};

FIXTURE_SETUP(scenario)
{
	struct run r;

	ASSERT_EQ(0, kfi_module_load("kfi"));
	kfi_rules_clear();
	ASSERT_EQ(0, kfi_write(KFI_CFS "/enabled", "1"));
	ASSERT_EQ(0, system("rm -rf " T " && mkdir " T));
	/* Not a SKIP: 6.1's harness runs the test after a setup's SKIP. */
	ASSERT_NE(127, kfictl_run(&r, "--help", NULL))
		TH_LOG("no kfictl on the PATH (make kfictl; or set KFICTL)");
}

FIXTURE_TEARDOWN(scenario)
{
	EXPECT_EQ(0, kfi_rules_count()) TH_LOG("kfictl run left a rule behind");
	kfi_rules_clear();
	system("rm -rf " T);
}

/* Whether @needle is in @hay; if not, says so with @hay quoted. */
static void expect_in(struct __test_metadata *_metadata, const char *hay,
		      const char *needle)
{
	EXPECT_NE(NULL, strstr(hay, needle))
		TH_LOG("no \"%s\" in:\n%s", needle, quoted(hay));
}

/* Exit status, TAP plan and summary of a finished run. */
static void expect_tap(struct __test_metadata *_metadata, const struct run *r,
		       int rc, int tests, int failed, const char *name)
{
	char want[256];

	EXPECT_EQ(rc, r->rc) TH_LOG("stdout:\n%s\nstderr:\n%s", quoted(r->out),
				    quoted(r->err));
	expect_in(_metadata, r->out, "TAP version 13\n");
	snprintf(want, sizeof(want), "\n1..%d\n", tests);
	expect_in(_metadata, r->out, want);
	EXPECT_EQ(tests - failed, count(r->out, "\nok "));
	EXPECT_EQ(failed, count(r->out, "\nnot ok "));
	snprintf(want, sizeof(want), "\n# %s: %d passed, %d failed (", name,
		 tests - failed, failed);
	expect_in(_metadata, r->out, want);
}

#define EXPECT_TAP(rc, tests, failed, name) \
	expect_tap(_metadata, &self->r, rc, tests, failed, name)
#define EXPECT_OUT(s)	expect_in(_metadata, self->r.out, s)
#define EXPECT_ERR(s)	expect_in(_metadata, self->r.err, s)

TEST_F(scenario, samples_pass)
{
	struct dirent **ents;
	int n = scandir(SCN_DIR, &ents, NULL, alphasort), samples = 0;

	ASSERT_LE(0, n) TH_LOG("no %s in the guest", SCN_DIR);
	for (int i = 0; i < n; i++) {
		char path[512], name[256];
		size_t len = strlen(ents[i]->d_name);

		if (len > 4 && !strcmp(ents[i]->d_name + len - 4, ".scn")) {
			snprintf(path, sizeof(path), SCN_DIR "/%s", ents[i]->d_name);
			snprintf(name, sizeof(name), "%.*s", (int)len - 4,
				 ents[i]->d_name);
			kfictl_run(&self->r, path, NULL);
			TH_LOG("%s", path);
			EXPECT_TAP(0, 4, 0, name);
			EXPECT_OUT(" injected\n");
			EXPECT_EQ(0, kfi_rules_count()) TH_LOG("%s left a rule", path);
			samples++;
		}
		free(ents[i]);
	}
	free(ents);
	EXPECT_LE(3, samples);
}

TEST_F(scenario, passes_and_aims_only_at_the_command)
{
	ASSERT_EQ(0, write_file(T "/pass.scn",
				"[rule a]\ntarget = vfs_mkdir\nretval = -ENOSPC\n[rule b]\n"
				"target = vfs_rmdir\nexpect = none\n[run]\n"
				"command = mkdir /tmp/kfi_scn/a\nexit = 1\n"));
	kfictl_run(&self->r, T "/pass.scn", NULL);
	EXPECT_TAP(0, 5, 0, "pass");
	EXPECT_OUT("\nok 1 - command finished within 60 s\n#   exited with 1\n"
		   "ok 2 - exit status 1\n#   exited with 1\n"
		   "ok 3 - rule a injected\n#   hits 1, injected 1, missed 0\n"
		   "ok 4 - rule b injected nothing\n#   hits 0, injected 0, missed 0\n"
		   "ok 5 - kernel log clean\n");
	EXPECT_ERR("No space left on device");
	EXPECT_FALSE(exists(T "/a"));
	/* This process is not the command: its mkdir works again. */
	EXPECT_EQ(0, mkdir(T "/b", 0755));
}

TEST_F(scenario, failed_expectations_are_named)
{
	ASSERT_EQ(0, write_file(T "/fail.scn",
				"[rule a]\ntarget = vfs_mkdir\n[rule b]\ntarget = vfs_rmdir\n"
				"expect = none\n[rule c]\ntarget = vfs_unlink\nexpect = any\n"
				"[run]\ncommand = rmdir /tmp/kfi_scn\nexit = 0\n"));
	ASSERT_EQ(0, system("touch " T "/f"));
	kfictl_run(&self->r, T "/fail.scn", NULL);
	EXPECT_TAP(1, 5, 3, "fail");
	EXPECT_OUT("\nnot ok 2 - exit status 0\n#   exited with 1\n"
		   "not ok 3 - rule a injected\n#   hits 0, injected 0, missed 0\n"
		   "not ok 4 - rule b injected nothing\n#   hits 1, injected 1, missed 0\n");
	EXPECT_ERR("Cannot allocate memory");
	EXPECT_TRUE(exists(T "/f"));
}

/* SIGTERM, SIGINT, SIGHUP, SIGQUIT (Ctrl-\) to kfictl while the command runs. */
TEST_F(scenario, signal_removes_rules_and_kills_the_command)
{
	static const int sigs[] = { SIGTERM, SIGINT, SIGHUP, SIGQUIT };
	static char * const args[] = { T "/sig.scn", NULL };
	char buf[64], want[128];
	struct proc p;
	pid_t cmd;

	ASSERT_EQ(0, write_file(T "/sig.scn",
				"[rule a]\ntarget = vfs_mkdir\n[rule b]\ntarget = vfs_rmdir\n"
				"[run]\ncommand = echo $$ > /tmp/kfi_scn/pid; exec sleep 1000\n"));
	for (size_t i = 0; i < ARRAY_SIZE(sigs); i++) {
		unlink(T "/pid");
		ASSERT_EQ(0, spawn(&p, (char **)args));
		cmd = pid_from(T "/pid");
		ASSERT_NE(0, cmd) TH_LOG("the command did not start");
		/* Both rules are armed and aimed at the command. */
		EXPECT_EQ(2, kfi_rules_count());
		EXPECT_EQ(cmd, kfi_rule_long("a", "pid"));
		EXPECT_EQ(1, kfi_rule_long("b", "children"));
		ASSERT_LT(0, kfi_rule_get("b", "status", buf, sizeof(buf)));
		EXPECT_STREQ("armed", buf);

		kill(p.pid, sigs[i]);
		finish(&p, &self->r);
		snprintf(want, sizeof(want),
			 "Bail out! interrupted by SIG%s: the command was killed, the rules removed\n",
			 sigabbrev_np(sigs[i]));
		EXPECT_EQ(1, self->r.rc) TH_LOG("SIG%s", sigabbrev_np(sigs[i]));
		EXPECT_OUT(want);
		EXPECT_EQ(1, lines(self->r.err)) TH_LOG("%s", quoted(self->r.err));
		EXPECT_EQ(0, kfi_rules_count()) TH_LOG("SIG%s left a rule", sigabbrev_np(sigs[i]));
		EXPECT_TRUE(dead(cmd));
	}
}

/* A signal that comes while the rules are made: they are all removed. */
TEST_F(scenario, signal_before_the_command_starts)
{
	static char * const args[] = { T "/early.scn", NULL };
	struct proc p;

	ASSERT_EQ(0, write_file(T "/early.scn",
				"[rule a]\ntarget = vfs_mkdir\n[rule b]\ntarget = vfs_rmdir\n"
				"[run]\ncommand = touch /tmp/kfi_scn/ran\n"));
	ASSERT_EQ(0, spawn_as(&p, (char **)args, TERM_PENDING));
	finish(&p, &self->r);
	EXPECT_EQ(1, self->r.rc);
	EXPECT_STREQ(self->r.err,
		     "kfictl: interrupted by SIGTERM before the command started, the rules removed\n");
	EXPECT_OUT("1..0\nBail out! interrupted by SIGTERM before the command started");
	EXPECT_FALSE(exists(T "/ran")) TH_LOG("the command ran");
	EXPECT_EQ(0, kfi_rules_count());
}

TEST_F(scenario, crash_of_the_command)
{
	ASSERT_EQ(0, write_file(T "/crash.scn",
				"[rule a]\ntarget = vfs_mkdir\nretval = -EIO\n[run]\n"
				"command = mkdir /tmp/kfi_scn/c; kill -SEGV $$\n"
				"exit = nonzero\n"));
	kfictl_run(&self->r, T "/crash.scn", NULL);
	EXPECT_TAP(1, 4, 1, "crash");
	EXPECT_OUT("\nok 1 - command finished within 60 s\n#   killed by SIGSEGV\n"
		   "not ok 2 - exit status nonzero\n#   killed by SIGSEGV\n"
		   "ok 3 - rule a injected\n");
}

TEST_F(scenario, timeout_kills_the_process_group)
{
	pid_t cmd, bg;

	ASSERT_EQ(0, write_file(T "/slow.scn",
				"[rule a]\ntarget = vfs_mkdir\nexpect = none\n[run]\n"
				"command = sleep 1000 & echo $! > /tmp/kfi_scn/bg; echo $$ > /tmp/kfi_scn/pid; exec sleep 1000\n"
				"timeout = 100\n"));
	kfictl_run(&self->r, "--timeout", "1", T "/slow.scn", NULL);
	EXPECT_TAP(1, 3, 1, "slow");
	EXPECT_OUT("\nnot ok 1 - command finished within 1 s\n"
		   "#   still running after 1 s: its process group was killed\n"
		   "ok 2 - rule a injected nothing\n");
	cmd = kfi_read_long(T "/pid");
	bg = kfi_read_long(T "/bg");
	ASSERT_LT(0, cmd);
	ASSERT_LT(0, bg);
	EXPECT_TRUE(dead(cmd));
	EXPECT_TRUE(dead(bg)) TH_LOG("the command's background job survived");
}

/*
 * A command that SIGKILL cannot end at once: asleep in the kernel, as in a
 * retry loop that a rule keeps going. At the timeout the rules go all the
 * same, while it still sleeps, and kfictl does not wait for it for ever.
 */
TEST_F(scenario, timeout_with_the_command_stuck_in_the_kernel)
{
	char want[256];
	pid_t cmd;

	ASSERT_EQ(0, kfi_module_load("kfi_test_target"));
	/*
	 * kfi_tt_sleep() is msleep(): TASK_UNINTERRUPTIBLE for 12 s. The
	 * command lets go of kfictl's pipes, so that they end with kfictl.
	 */
	ASSERT_EQ(0, write_file(T "/stuck.scn",
				"[rule a]\ntarget = vfs_rmdir\nexpect = none\n[run]\n"
				"command = exec >/dev/null 2>&1; echo $$ > /tmp/kfi_scn/pid; "
				"echo kfi_tt_sleep 12000 > " KFI_TT "/call\ntimeout = 1\n"));
	kfictl_run(&self->r, T "/stuck.scn", NULL);
	cmd = kfi_read_long(T "/pid");
	ASSERT_LT(0, cmd);
	EXPECT_FALSE(dead(cmd)) TH_LOG("kfictl waited until the command died");
	EXPECT_EQ(0, kfi_rules_count()) TH_LOG("the rules outlived kfictl run");
	EXPECT_TAP(1, 3, 1, "stuck");
	EXPECT_OUT("\nnot ok 1 - command finished within 1 s\n");
	snprintf(want, sizeof(want),
		 "kfictl: run: the command (pid %d) is still in the kernel 5 s after SIGKILL: left to run on, the rules removed\n",
		 cmd);
	EXPECT_ERR(want);
	/* The next test starts without it. */
	for (int i = 0; i < 1500 && !dead(cmd); i++)
		usleep(10000);
	EXPECT_TRUE(dead(cmd));
}

TEST_F(scenario, arming_is_all_or_nothing)
{
	ASSERT_EQ(0, write_file(T "/bad.scn",
				"[rule a]\ntarget = vfs_mkdir\n[rule b]\n"
				"target = kfi_no_such_function\n[rule c]\ntarget = vfs_rmdir\n"
				"[run]\ncommand = touch /tmp/kfi_scn/ran\n"));
	kfictl_run(&self->r, "--junit", T "/bad.xml", T "/bad.scn", NULL);
	EXPECT_EQ(1, self->r.rc);
	EXPECT_STREQ(self->r.err,
		     "kfictl: cannot arm rule b: kfi_no_such_function: no such function is loaded (error -2)\n");
	EXPECT_OUT("1..0\nBail out! cannot arm rule b: kfi_no_such_function");
	EXPECT_EQ(0, kfi_rules_count());
	EXPECT_FALSE(exists(T "/ran")) TH_LOG("the command ran");
	ASSERT_LT(0, kfi_read(T "/bad.xml", self->r.out, sizeof(self->r.out)));
	EXPECT_NE(NULL, strstr(self->r.out, "errors=\"1\""));
	EXPECT_NE(NULL, strstr(self->r.out, "<error message=\"cannot arm rule b: "));

	/* A rule of that name exists already: it stays, and nothing else. */
	ASSERT_EQ(0, kfi_rule_make("b", "target=vfs_rmdir", NULL));
	kfictl_run(&self->r, T "/bad.scn", NULL);
	EXPECT_EQ(1, self->r.rc);
	EXPECT_STREQ("kfictl: rule b already exists\n", self->r.err);
	EXPECT_EQ(1, kfi_rules_count());
	EXPECT_TRUE(exists(KFI_RULES "/b"));
	EXPECT_EQ(0, kfi_rule_rm("b"));
}

/* A rule removed under kfictl's feet: what it did is unknown, and fails. */
TEST_F(scenario, a_rule_removed_during_the_run_fails_its_expectation)
{
	ASSERT_EQ(0, write_file(T "/gone.scn",
				"[rule a]\ntarget = vfs_unlink\nexpect = none\n[run]\n"
				"command = rmdir " KFI_RULES "/a\nexit = 0\n"));
	kfictl_run(&self->r, T "/gone.scn", NULL);
	EXPECT_TAP(1, 4, 1, "gone");
	EXPECT_OUT("\nok 2 - exit status 0\n#   exited with 0\n"
		   "not ok 3 - rule a injected nothing\n"
		   "#   its counters could not be read: removed during the run?\n");
}

TEST_F(scenario, command_after_dashes_and_its_output)
{
	ASSERT_EQ(0, write_file(T "/dash.scn",
				"[rule a]\ntarget = vfs_mkdir\nretval = -ENOSPC\n[run]\n"
				"command = echo not-this-one\nexit = 1\n"));
	kfictl_run(&self->r, T "/dash.scn", "--", "sh", "-c",
		   "echo from-the-command; mkdir " T "/d", NULL);
	EXPECT_TAP(0, 4, 0, "dash");
	EXPECT_EQ(NULL, strstr(self->r.out, "from-the-command"))
		TH_LOG("the command's output is in the TAP");
	EXPECT_ERR("from-the-command\n");
	EXPECT_EQ(NULL, strstr(self->r.err, "not-this-one"));
}

TEST_F(scenario, kernel_log_check_sees_a_stack_trace)
{
	/* verbose 2 puts a stack trace in the kernel log, harmlessly. */
	ASSERT_EQ(0, write_file(T "/trace.scn",
				"[rule a]\ntarget = vfs_mkdir\nverbose = 2\n[run]\n"
				"command = mkdir /tmp/kfi_scn/t\nexit = 1\n"));
	kfictl_run(&self->r, T "/trace.scn", NULL);
	EXPECT_TAP(1, 4, 1, "trace");
	EXPECT_OUT("\nnot ok 4 - kernel log clean\n#   ");
	ASSERT_EQ(0, write_file(T "/trace.scn",
				"[rule a]\ntarget = vfs_mkdir\nverbose = 2\n[run]\n"
				"command = mkdir /tmp/kfi_scn/t\nexit = 1\n"
				"kernel_log = ignore\n"));
	kfictl_run(&self->r, T "/trace.scn", NULL);
	EXPECT_TAP(0, 3, 0, "trace");
}

/*
 * A record of more than 2 KB in /dev/kmsg (900 bytes written, each shown
 * escaped as \x7f) and a report after it: the check reads on to the report.
 */
TEST_F(scenario, kernel_log_check_reads_past_a_long_record)
{
	ASSERT_EQ(0, write_file(T "/long.scn",
				"[rule a]\ntarget = vfs_rmdir\nexpect = none\n[run]\n"
				"command = head -c 900 /dev/zero | tr '\\000' '\\177' > /dev/kmsg; "
				"echo 'kfi: Call Trace: not a real one' > /dev/kmsg\n"));
	kfictl_run(&self->r, T "/long.scn", NULL);
	EXPECT_TAP(1, 3, 1, "long");
	EXPECT_OUT("\nnot ok 3 - kernel log clean\n"
		   "#   kfi: Call Trace: not a real one\n");
}

TEST_F(scenario, scenario_errors_make_nothing)
{
	ASSERT_EQ(0, write_file(T "/err.scn",
				"[rule a]\ntarget = vfs_mkdir\n\n[rule b]\ntarget = vfs_rmdir\n"
				"bogus = 1\n"));
	kfictl_run(&self->r, T "/err.scn", "--", "true", NULL);
	EXPECT_EQ(2, self->r.rc);
	EXPECT_STREQ("", self->r.out);
	EXPECT_ERR("kfictl: " T "/err.scn:6: unknown key 'bogus' (value '1') in [rule b]: ");
	EXPECT_EQ(1, lines(self->r.err));

	ASSERT_EQ(0, write_file(T "/err.scn", "[rule a]\ntarget = vfs_mkdir\n"));
	kfictl_run(&self->r, T "/err.scn", NULL);
	EXPECT_EQ(2, self->r.rc);
	EXPECT_STREQ("kfictl: " T
		     "/err.scn: no command: expected command = ... in [run], or kfictl run "
		     T "/err.scn -- COMMAND\n", self->r.err);
	kfictl_run(&self->r, T "/none.scn", NULL);
	EXPECT_EQ(2, self->r.rc);
	EXPECT_STREQ("kfictl: cannot read " T "/none.scn: No such file or directory (ENOENT)\n",
		     self->r.err);
	kfictl_run(&self->r, T "/err.scn", "--timeout", "x", NULL);
	EXPECT_EQ(2, self->r.rc);
	EXPECT_ERR("kfictl: run: bad value 'x' for --timeout");
}

/* A CI job without kfi gets its TAP and JUnit file all the same. */
TEST_F(scenario, kfi_not_loaded_is_a_bail_out_and_a_junit_error)
{
	static const char why[] = "kfi is not loaded: no " KFI_CFS " (modprobe kfi)";

	ASSERT_EQ(0, write_file(T "/nokfi.scn",
				"[rule a]\ntarget = vfs_mkdir\n"
				"[run]\ncommand = touch /tmp/kfi_scn/ran\n"));
	ASSERT_EQ(0, kfi_module_unload("kfi"));
	kfictl_run(&self->r, "--junit", T "/nokfi.xml", T "/nokfi.scn", NULL);
	ASSERT_EQ(0, kfi_module_load("kfi"));
	EXPECT_EQ(1, self->r.rc);
	EXPECT_ERR(why);
	EXPECT_EQ(1, lines(self->r.err));
	EXPECT_OUT("\n1..0\nBail out! kfi is not loaded: ");
	EXPECT_FALSE(exists(T "/ran")) TH_LOG("the command ran");
	ASSERT_LT(0, kfi_read(T "/nokfi.xml", self->r.out, sizeof(self->r.out)))
		TH_LOG("no JUnit file");
	EXPECT_OUT("errors=\"1\"");
	EXPECT_OUT("<error message=\"kfi is not loaded: ");
}

TEST_F(scenario, not_root)
{
	static char * const args[] = { T "/root.scn", NULL };
	struct proc p;

	ASSERT_EQ(0, write_file(T "/root.scn",
				"[rule a]\ntarget = vfs_mkdir\n"
				"[run]\ncommand = touch /tmp/kfi_scn/ran\n"));
	ASSERT_EQ(0, chmod(T, 0777));
	ASSERT_EQ(0, spawn_as(&p, (char **)args, AS_NOBODY));
	finish(&p, &self->r);
	ASSERT_NE(126, self->r.rc) TH_LOG("could not become uid %d", NOBODY);
	EXPECT_EQ(1, self->r.rc);
	EXPECT_STREQ(self->r.err,
		     "kfictl: cannot create rule a: Permission denied (EACCES); kfictl must run as root\n");
	EXPECT_OUT("Bail out! cannot create rule a: Permission denied (EACCES)");
	EXPECT_FALSE(exists(T "/ran")) TH_LOG("the command ran");
}

TEST_F(scenario, junit_is_well_formed)
{
	static const char head[] = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
		"<testsuites tests=\"5\" failures=\"1\" errors=\"0\">\n";
	char *x = self->r.out;

	ASSERT_EQ(0, write_file(T "/j.scn",
				"[rule a]\ntarget = vfs_mkdir\n[rule b]\ntarget = vfs_rmdir\n"
				"[run]\ncommand = mkdir /tmp/kfi_scn/j\nexit = 1\n"));
	kfictl_run(&self->r, "--junit", T "/j.xml", T "/j.scn", NULL);
	EXPECT_EQ(1, self->r.rc);
	ASSERT_LT(0, kfi_read(T "/j.xml", x, sizeof(self->r.out)));
	EXPECT_EQ(0, strncmp(x, head, strlen(head))) TH_LOG("%s", quoted(x));
	expect_in(_metadata, x,
		  "<testsuite name=\"j\" tests=\"5\" failures=\"1\" errors=\"0\" skipped=\"0\" time=\"");
	EXPECT_EQ(5, count(x, "<testcase classname=\"j\" name=\""));
	EXPECT_EQ(1, count(x, "<failure message=\"hits 0, injected 0, missed 0\"/>"));
	EXPECT_EQ(1, count(x, "</testcase>"));
	EXPECT_EQ(1, count(x, "<testsuite "));
	EXPECT_EQ(1, count(x, "</testsuite>"));
	EXPECT_EQ(count(x, "<"), count(x, ">")) TH_LOG("unbalanced: %s", quoted(x));
	EXPECT_EQ(0, strcmp(x + strlen(x) - 13, "</testsuites>")) TH_LOG("%s", quoted(x));
}

int main(int argc, char **argv)
{
	return kfi_test_main(argc, argv);
}
