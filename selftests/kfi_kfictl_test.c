// SPDX-License-Identifier: GPL-2.0
/*
 * kfictl, the command-line tool, run as an administrator runs it (from the
 * PATH, or $KFICTL): what add makes (read back from configfs directly),
 * that a failing add leaves nothing behind and says why in one line, list
 * and list --json after calls were injected into, rm, enable, disable, the
 * hotfix commands, each error with its message and exit status, and the
 * errors without configfs, without kfi and without root.
 */
#include <grp.h>
#include <sched.h>
#include <stdarg.h>
#include <sys/mount.h>

#include "kselftest_harness.h"
#include "kfi_test.h"

#define NOBODY		65534
#define TB		"/sys/kernel/debug/kfi_test_buggy"
#define HF		KFI_CFS "/hotfixes/kfi_test_hotfix"

/* How the child that runs kfictl is set up. */
enum run_as {
	AS_ROOT,
	AS_NOBODY,	/* uid and gid 65534, no groups */
	NO_CONFIGFS,	/* in a mount namespace without configfs */
	TERM_PENDING,	/* with a SIGTERM blocked and pending from the start */
};

struct run {
	int rc;		/* exit status; 127: not found, 126: set-up failed */
	char out[16384];
	char err[4096];
};

static void child_setup(enum run_as as)
{
	switch (as) {
	case AS_ROOT:
		return;
	case AS_NOBODY:
		if (setgroups(0, NULL) || setgid(NOBODY) || setuid(NOBODY) ||
		    geteuid() != NOBODY)
			_exit(126);
		return;
	case NO_CONFIGFS:
		if (unshare(CLONE_NEWNS) ||
		    mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) ||
		    umount2("/sys/kernel/config", MNT_DETACH))
			_exit(126);
		return;
	case TERM_PENDING: {
		sigset_t set;

		/* A pending signal survives execve(). */
		sigemptyset(&set);
		sigaddset(&set, SIGTERM);
		if (sigprocmask(SIG_BLOCK, &set, NULL) || raise(SIGTERM))
			_exit(126);
		return;
	}
	}
}

/* Runs "kfictl ARGS..." (NULL-terminated); fills @r. Returns r->rc. */
static int kfictl_as(struct run *r, enum run_as as, ...)
{
	const char *bin = getenv("KFICTL") ?: "kfictl";
	char *argv[32] = { (char *)bin };
	int out[2], err[2], status, argc = 1;
	va_list ap;
	pid_t pid;

	va_start(ap, as);
	while (argc < 31 && (argv[argc] = va_arg(ap, char *)) != NULL)
		argc++;
	va_end(ap);
	argv[argc] = NULL;
	r->rc = -1;
	r->out[0] = '\0';
	r->err[0] = '\0';
	if (pipe(out) || pipe(err))
		return -1;
	pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		dup2(out[1], 1);
		dup2(err[1], 2);
		close(out[0]);
		close(err[0]);
		child_setup(as);
		execvp(bin, argv);
		_exit(127);
	}
	close(out[1]);
	close(err[1]);
	/* Both fit in a pipe's buffer: reading one after the other is safe. */
	kfi_drain(out[0], r->out, sizeof(r->out));
	kfi_drain(err[0], r->err, sizeof(r->err));
	if (waitpid(pid, &status, 0) == pid && WIFEXITED(status))
		r->rc = WEXITSTATUS(status);
	return r->rc;
}

#define kfictl(r, ...) kfictl_as(r, AS_ROOT, __VA_ARGS__, NULL)

static bool rule_exists(const char *name)
{
	char p[256];
	struct stat st;

	return stat(kfi_path(p, sizeof(p), name, NULL), &st) == 0;
}

static int lines(const char *s)
{
	int n = 0;

	for (; *s; s++)
		n += *s == '\n';
	return n;
}

/* The line of @out whose first word is @word, copied to @buf; or NULL. */
static char *line_of(const char *out, const char *word, char *buf, size_t len)
{
	size_t w = strlen(word);

	for (const char *l = out; l && *l; l = strchr(l, '\n'), l = l ? l + 1 : l) {
		if (!strncmp(l, word, w) && l[w] == ' ') {
			snprintf(buf, len, "%.*s", (int)strcspn(l, "\n"), l);
			return buf;
		}
	}
	return NULL;
}

/* Whether @s is balanced JSON: brackets paired outside of strings. */
static bool json_balanced(const char *s)
{
	char stack[64];
	int depth = 0;
	bool str = false;

	for (; *s; s++) {
		if (str) {
			if (*s == '\\' && s[1])
				s++;
			else if (*s == '"')
				str = false;
		} else if (*s == '"') {
			str = true;
		} else if (*s == '{' || *s == '[') {
			if (depth == sizeof(stack))
				return false;
			stack[depth++] = *s == '{' ? '}' : ']';
		} else if (*s == '}' || *s == ']') {
			if (!depth || stack[--depth] != *s)
				return false;
		}
	}
	return !depth && !str;
}

/*
 * The value of "@key" in the flat JSON object whose "name" is @name, as
 * text (a number, or a string without its quotes), in @buf; or NULL.
 */
static char *json_get(const char *json, const char *name, const char *key,
		      char *buf, size_t len)
{
	char pat[128];
	const char *obj, *end, *v;

	snprintf(pat, sizeof(pat), "{\"name\":\"%s\",", name);
	obj = strstr(json, pat);
	if (!obj)
		return NULL;
	end = strchr(obj, '}');
	snprintf(pat, sizeof(pat), "\"%s\":", key);
	v = strstr(obj, pat);
	if (!v || v > end)
		return NULL;
	v += strlen(pat);
	if (*v == '"')
		snprintf(buf, len, "%.*s", (int)strcspn(v + 1, "\""), v + 1);
	else
		snprintf(buf, len, "%.*s", (int)strcspn(v, ",}]"), v);
	return buf;
}

static void hotfix_unload(void)
{
	if (!kfi_module_loaded("kfi_test_hotfix"))
		return;
	kfi_write(HF "/enabled", "0");
	for (int i = 0; i < 500 && kfi_module_unload("kfi_test_hotfix"); i++)
		usleep(10000);
}

FIXTURE(kfictl) {
	struct run r;
};

FIXTURE_SETUP(kfictl)
{
	ASSERT_EQ(0, kfi_module_load("kfi"));
	ASSERT_EQ(0, kfi_module_load("kfi_test_target"));
	kfi_rules_clear();
	ASSERT_EQ(0, kfi_write(KFI_CFS "/enabled", "1"));
	/* Not a SKIP: 6.1's harness runs the test after a setup's SKIP. */
	ASSERT_NE(127, kfictl(&self->r, "--help"))
		TH_LOG("no kfictl on the PATH (make kfictl; or set KFICTL)");
}

FIXTURE_TEARDOWN(kfictl)
{
	hotfix_unload();
	EXPECT_FALSE(kfi_module_loaded("kfi_test_hotfix"));
	kfi_rules_clear();
	EXPECT_EQ(0, kfi_module_load("kfi"));
}

/* Exit status @rc, nothing on stdout, @msg in a one-line stderr. */
static void expect_fails(struct __test_metadata *_metadata,
			 const struct run *r, int rc, const char *msg)
{
	EXPECT_EQ(rc, r->rc) TH_LOG("stderr: %s", r->err);
	EXPECT_STREQ("", r->out);
	EXPECT_NE(NULL, strstr(r->err, msg))
		TH_LOG("expected \"%s\" in: %s", msg, r->err);
	EXPECT_EQ(1, lines(r->err)) TH_LOG("stderr: %s", r->err);
}

#define EXPECT_FAILS(rc, msg) expect_fails(_metadata, &self->r, rc, msg)

TEST_F(kfictl, help_names_every_command)
{
	static const char * const words[] = {
		"usage: kfictl", "list [--json]", "add NAME target=SYM",
		"rm NAME", "--all", "enable NAME", "disable NAME",
		"hotfix list", "hotfix enable", "hotfix disable", "Exit status",
		"run SCENARIO [--junit FILE] [--timeout SECONDS] [-- COMMAND...]",
	};
	static const char * const helps[] = { "help", "--help" };

	for (size_t h = 0; h < ARRAY_SIZE(helps); h++) {
		EXPECT_EQ(0, kfictl(&self->r, helps[h]));
		EXPECT_STREQ("", self->r.err);
		for (size_t i = 0; i < ARRAY_SIZE(words); i++) {
			EXPECT_NE(NULL, strstr(self->r.out, words[i]))
				TH_LOG("kfictl %s: no \"%s\"", helps[h], words[i]);
		}
	}
	/* No command at all: the usage, on stderr, as an error. */
	EXPECT_EQ(2, kfictl_as(&self->r, AS_ROOT, NULL));
	EXPECT_NE(NULL, strstr(self->r.err, "usage: kfictl"));
}

TEST_F(kfictl, add_sets_every_attribute_and_arms)
{
	static const struct { const char *attr, *want; } attrs[] = {
		{ "target", "kfi_tt_ret" }, { "action", "replace" },
		{ "retval", "-5" }, { "probability", "12.5" },
		{ "interval", "2" }, { "times", "3" }, { "space", "1" },
		{ "pid", "1 2" }, { "children", "1" },
		{ "comm", "kfi_kfictl_test" }, { "caller", "kfi_tt_caller_a" },
		{ "verbose", "1" }, { "enabled", "1" }, { "status", "armed" },
	};
	char buf[256];

	ASSERT_EQ(0, kfictl(&self->r, "add", "r", "target=kfi_tt_ret",
			    "action=replace", "retval=-EIO", "probability=12.50",
			    "interval=2", "times=3", "space=1", "pid=1 2",
			    "children=1", "comm=kfi_kfictl_test",
			    "caller=kfi_tt_caller_a", "verbose=1"))
		TH_LOG("stderr: %s", self->r.err);
	EXPECT_STREQ("", self->r.out);
	EXPECT_STREQ("", self->r.err);
	for (size_t i = 0; i < ARRAY_SIZE(attrs); i++) {
		ASSERT_LE(0, kfi_rule_get("r", attrs[i].attr, buf, sizeof(buf)))
			TH_LOG("cannot read %s", attrs[i].attr);
		EXPECT_STREQ(attrs[i].want, buf) TH_LOG("attribute %s", attrs[i].attr);
	}
}

TEST_F(kfictl, add_args_rule_rewrites_the_argument)
{
	unsigned long ran;
	long ret;

	ASSERT_EQ(0, kfictl(&self->r, "add", "a", "target=kfi_tt_ret",
			    "action=args", "args=1=9"))
		TH_LOG("stderr: %s", self->r.err);
	ASSERT_EQ(0, kfi_tt("kfi_tt_ret", 5, &ret, &ran));
	EXPECT_EQ(9, ret);
	EXPECT_EQ(1, ran);
	EXPECT_EQ(1, kfi_rule_long("a", "injected"));
}

TEST_F(kfictl, add_disarmed_configures_without_arming)
{
	char buf[256];

	ASSERT_EQ(0, kfictl(&self->r, "add", "r", "--disarmed",
			    "target=kfi_tt_ret", "retval=7"));
	EXPECT_EQ(0, kfi_rule_long("r", "enabled"));
	ASSERT_LT(0, kfi_rule_get("r", "status", buf, sizeof(buf)));
	EXPECT_STREQ("disabled", buf);
	EXPECT_EQ(7, kfi_rule_long("r", "retval"));
}

/* A failing add: exit 1, the reason in one line, and no rule left. */
TEST_F(kfictl, failing_add_leaves_nothing_and_says_why)
{
	static const struct { const char *kv[3], *msg; } bad[] = {
		/* In add's form, but the kernel knows no such errno. */
		{ { "retval=-EFOO" },
		  "rule bad: the kernel refused retval=-EFOO: Invalid argument (EINVAL)" },
		{ { "times=3", "retval=EBAR" }, "the kernel refused retval=EBAR: " },
		{ { "target=kfi_no_such_function" },
		  "cannot arm rule bad: kfi_no_such_function: no such function" },
		{ { "action=args" }, "cannot arm rule bad: " },
		{ { "caller=kfi_no_such_caller" }, "cannot arm rule bad: " },
	};

	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		/* A later target= overrides the first. */
		kfictl(&self->r, "add", "bad", "target=kfi_tt_ret", bad[i].kv[0],
		       bad[i].kv[1] ?: "verbose=0", bad[i].kv[2] ?: "verbose=0");
		TH_LOG("row %zu: %s", i, bad[i].kv[0]);
		EXPECT_FAILS(1, bad[i].msg);
		EXPECT_FALSE(rule_exists("bad")) TH_LOG("%s left the rule", bad[i].kv[0]);
	}
}

/*
 * SIGTERM (Ctrl-C, a CI job's end) while add makes the rule: the rule goes
 * again, whole, instead of staying half-made. The signal is pending from
 * the start, so that it is there at every step.
 */
TEST_F(kfictl, add_interrupted_leaves_no_rule)
{
	kfictl_as(&self->r, TERM_PENDING, "add", "r", "target=kfi_tt_ret",
		  "retval=-EIO", NULL);
	ASSERT_NE(126, self->r.rc);
	EXPECT_FAILS(1, "kfictl: add: interrupted by SIGTERM: rule r removed\n");
	EXPECT_FALSE(rule_exists("r")) TH_LOG("the interrupted add left its rule");
}

TEST_F(kfictl, add_refuses_an_existing_rule_and_keeps_it)
{
	ASSERT_EQ(0, kfictl(&self->r, "add", "r", "target=kfi_tt_ret"));
	kfictl(&self->r, "add", "r", "target=kfi_tt_ret2", "retval=1");
	EXPECT_FAILS(1, "kfictl: rule r already exists");
	ASSERT_TRUE(rule_exists("r")) TH_LOG("the failing add removed a rule it did not make");
	EXPECT_EQ(1, kfi_rule_long("r", "enabled"));
	EXPECT_EQ(-ENOMEM, kfi_rule_long("r", "retval"));
}

/* Rule r: return -EIO at most twice, called 3 times; s: disarmed args. */
static void two_rules(struct __test_metadata *_metadata, struct run *r)
{
	unsigned long ran;
	long ret;

	ASSERT_EQ(0, kfictl(r, "add", "r", "target=kfi_tt_ret", "retval=-EIO",
			    "times=2")) TH_LOG("stderr: %s", r->err);
	ASSERT_EQ(0, kfictl(r, "add", "s", "target=kfi_tt_ret2", "action=args",
			    "args=1=9", "pid=1 2", "--disarmed"))
		TH_LOG("stderr: %s", r->err);
	for (int i = 0; i < 3; i++)
		ASSERT_EQ(0, kfi_tt("kfi_tt_ret", 1, &ret, &ran));
}

TEST_F(kfictl, list_shows_rules_and_counters)
{
	char line[512], name[64], target[64], action[64], value[64], state[64];
	char filters[128];
	long hits, injected, missed;
	int n;

	two_rules(_metadata, &self->r);
	ASSERT_EQ(0, kfictl(&self->r, "list")) TH_LOG("stderr: %s", self->r.err);
	EXPECT_STREQ("", self->r.err);
	EXPECT_EQ(0, strncmp(self->r.out, "NAME ", 5)) TH_LOG("out: %s", self->r.out);

	ASSERT_NE(NULL, line_of(self->r.out, "r", line, sizeof(line)))
		TH_LOG("no row for r in:\n%s", self->r.out);
	n = sscanf(line, "%63s %63s %63s %63s %63s %ld %ld %ld %127s", name,
		   target, action, value, state, &hits, &injected, &missed,
		   filters);
	ASSERT_EQ(9, n) TH_LOG("row: %s", line);
	EXPECT_STREQ("kfi_tt_ret", target);
	EXPECT_STREQ("return", action);
	EXPECT_STREQ("-5", value);
	EXPECT_STREQ("armed", state);
	EXPECT_EQ(3, hits);
	EXPECT_EQ(2, injected);
	EXPECT_EQ(0, missed);
	EXPECT_STREQ("times=2", filters);

	ASSERT_NE(NULL, line_of(self->r.out, "s", line, sizeof(line)))
		TH_LOG("no row for s in:\n%s", self->r.out);
	n = sscanf(line, "%63s %63s %63s %63s %63s %ld %ld %ld %127s", name,
		   target, action, value, state, &hits, &injected, &missed,
		   filters);
	ASSERT_EQ(9, n) TH_LOG("row: %s", line);
	EXPECT_STREQ("args", action);
	EXPECT_STREQ("1=9", value);
	EXPECT_STREQ("disabled", state);
	EXPECT_EQ(0, hits);
	EXPECT_STREQ("pid=1+2", filters);
	/* The hotfix table follows, with its header even when empty. */
	EXPECT_NE(NULL, strstr(self->r.out, "\nHOTFIX "));
}

TEST_F(kfictl, list_json_has_names_and_counters)
{
	char buf[256];

	two_rules(_metadata, &self->r);
	ASSERT_EQ(0, kfictl(&self->r, "list", "--json"));
	EXPECT_TRUE(json_balanced(self->r.out)) TH_LOG("not JSON: %s", self->r.out);
	EXPECT_EQ(0, strncmp(self->r.out, "{\"rules\":[", 10)) TH_LOG("%s", self->r.out);
	EXPECT_NE(NULL, strstr(self->r.out, "],\"hotfixes\":["));

	ASSERT_NE(NULL, json_get(self->r.out, "r", "hits", buf, sizeof(buf)))
		TH_LOG("no rule r in %s", self->r.out);
	EXPECT_STREQ("3", buf);
	ASSERT_NE(NULL, json_get(self->r.out, "r", "injected", buf, sizeof(buf)));
	EXPECT_STREQ("2", buf);
	ASSERT_NE(NULL, json_get(self->r.out, "r", "retval", buf, sizeof(buf)));
	EXPECT_STREQ("-5", buf);
	ASSERT_NE(NULL, json_get(self->r.out, "r", "status", buf, sizeof(buf)));
	EXPECT_STREQ("armed", buf);
	ASSERT_NE(NULL, json_get(self->r.out, "s", "enabled", buf, sizeof(buf)));
	EXPECT_STREQ("0", buf);
	ASSERT_NE(NULL, json_get(self->r.out, "s", "pid", buf, sizeof(buf)));
	EXPECT_STREQ("1 2", buf);
	ASSERT_NE(NULL, json_get(self->r.out, "s", "args", buf, sizeof(buf)));
	EXPECT_STREQ("1=9", buf);
}

TEST_F(kfictl, rm_named_and_all)
{
	static const char * const names[] = { "a", "b", "c", "d" };

	for (size_t i = 0; i < ARRAY_SIZE(names); i++)
		ASSERT_EQ(0, kfictl(&self->r, "add", names[i], "target=kfi_tt_ret"));
	EXPECT_EQ(0, kfictl(&self->r, "rm", "a"));
	EXPECT_FALSE(rule_exists("a"));
	EXPECT_EQ(3, kfi_rules_count());
	/* An unknown name fails the command, not the names around it. */
	kfictl(&self->r, "rm", "nosuch", "b");
	EXPECT_FAILS(1, "kfictl: no rule named nosuch");
	EXPECT_FALSE(rule_exists("b"));
	EXPECT_EQ(0, kfictl(&self->r, "rm", "--all"));
	EXPECT_EQ(0, kfi_rules_count());
	EXPECT_EQ(0, kfictl(&self->r, "rm", "--all")) TH_LOG("nothing to remove is fine");
}

TEST_F(kfictl, enable_and_disable)
{
	unsigned long ran;
	long ret;
	char buf[256];

	ASSERT_EQ(0, kfictl(&self->r, "add", "r", "target=kfi_tt_ret", "--disarmed"));
	ASSERT_EQ(0, kfictl(&self->r, "enable", "r")) TH_LOG("%s", self->r.err);
	ASSERT_LT(0, kfi_rule_get("r", "status", buf, sizeof(buf)));
	EXPECT_STREQ("armed", buf);
	ASSERT_EQ(0, kfi_tt("kfi_tt_ret", 5, &ret, &ran));
	EXPECT_EQ(-ENOMEM, ret);

	ASSERT_EQ(0, kfictl(&self->r, "disable", "r"));
	ASSERT_LT(0, kfi_rule_get("r", "status", buf, sizeof(buf)));
	EXPECT_STREQ("disabled", buf);
	ASSERT_EQ(0, kfi_tt("kfi_tt_ret", 5, &ret, &ran));
	EXPECT_EQ(5, ret);

	/* A rule that cannot arm stays, with the kernel's reason. */
	ASSERT_EQ(0, kfictl(&self->r, "add", "n", "target=kfi_no_such_function",
			    "--disarmed"));
	kfictl(&self->r, "enable", "n");
	EXPECT_FAILS(1, "cannot arm rule n: kfi_no_such_function: no such function");
	EXPECT_TRUE(rule_exists("n"));
}

TEST_F(kfictl, hotfix_list_enable_disable)
{
	char line[512], name[64], enabled[8], old[128], new[128], state[32];
	int n;

	ASSERT_EQ(0, kfi_module_load("kfi_test_buggy"));
	ASSERT_EQ(0, kfi_module_insmod("kfi_test_hotfix", NULL));
	ASSERT_EQ(42, kfi_read_long(TB "/answer"));

	ASSERT_EQ(0, kfictl(&self->r, "hotfix", "list")) TH_LOG("%s", self->r.err);
	EXPECT_EQ(0, strncmp(self->r.out, "HOTFIX ", 7)) TH_LOG("%s", self->r.out);
	ASSERT_NE(NULL, line_of(self->r.out, "kfi_test_hotfix", line, sizeof(line)))
		TH_LOG("no kfi_test_hotfix in:\n%s", self->r.out);
	n = sscanf(line, "%63s %7s %127s %127s %31s", name, enabled, old, new,
		   state);
	ASSERT_EQ(5, n) TH_LOG("row: %s", line);
	EXPECT_STREQ("1", enabled);
	EXPECT_STREQ("kfi_test_buggy:kfi_tb_answer", old);
	EXPECT_STREQ("kfi_test_hotfix:kfi_th_answer", new);
	EXPECT_STREQ("applied", state);

	ASSERT_EQ(0, kfictl(&self->r, "hotfix", "disable", "kfi_test_hotfix"));
	EXPECT_EQ(0, kfi_read_long(HF "/enabled"));
	EXPECT_EQ(41, kfi_read_long(TB "/answer"));
	ASSERT_EQ(0, kfictl(&self->r, "list"));
	ASSERT_NE(NULL, line_of(self->r.out, "kfi_test_hotfix", line, sizeof(line)))
		TH_LOG("list shows no hotfix:\n%s", self->r.out);
	EXPECT_NE(NULL, strstr(line, " disabled ")) TH_LOG("%s", line);

	ASSERT_EQ(0, kfictl(&self->r, "hotfix", "enable", "kfi_test_hotfix"));
	EXPECT_EQ(1, kfi_read_long(HF "/enabled"));
	EXPECT_EQ(42, kfi_read_long(TB "/answer"));
	ASSERT_EQ(0, kfictl(&self->r, "list", "--json"));
	EXPECT_NE(NULL, strstr(self->r.out,
			       "\"hotfixes\":[{\"name\":\"kfi_test_hotfix\",\"enabled\":1,"))
		TH_LOG("%s", self->r.out);

	kfictl(&self->r, "hotfix", "disable", "nosuch");
	EXPECT_FAILS(1, "kfictl: no hotfix named nosuch");
}

/* One row per error: the arguments, the exit status, the message. */
static const struct {
	const char *argv[6];
	int rc;
	const char *msg;
} errors[] = {
	{ { "frob" }, 2, "kfictl: unknown command 'frob' (see kfictl --help)" },
	{ { "add", "r", "target=kfi_tt_ret", "bogus=1" }, 2,
	  "kfictl: add: unknown key 'bogus' (value '1'): the keys are target, action, retval, args, probability, interval, times, space, pid, children, comm, caller, verbose (see",
	},
	{ { "add", "r", "target=kfi_tt_ret", "retval" }, 2,
	  "kfictl: add: malformed 'retval': expected KEY=VALUE" },
	{ { "add", "r", "=5", "target=kfi_tt_ret" }, 2, "kfictl: add: malformed '=5'" },
	{ { "add", "r", "retval=-EIO" }, 2, "kfictl: add: target=SYM is required" },
	{ { "add", "a/b", "target=kfi_tt_ret" }, 2, "kfictl: add: bad rule name 'a/b'" },
	{ { "add" }, 2, "kfictl: add: no rule name" },
	{ { "add", "--disarmed", "target=kfi_tt_ret" }, 2,
	  "kfictl: add: bad rule name '--disarmed'" },
	{ { "list", "--jsn" }, 2, "kfictl: list: unexpected argument '--jsn'" },
	{ { "rm" }, 2, "kfictl: rm: no rule name (or --all)" },
	{ { "hotfix", "frob" }, 2, "kfictl: hotfix: unknown subcommand 'frob'" },
	{ { "hotfix", "enable" }, 2, "kfictl: hotfix enable: no hotfix name" },
	{ { "enable", "nosuch" }, 1, "kfictl: no rule named nosuch" },
	{ { "disable", "nosuch" }, 1, "kfictl: no rule named nosuch" },
	{ { "rm", "nosuch" }, 1, "kfictl: no rule named nosuch" },
	{ { "hotfix", "enable", "nosuch" }, 1, "kfictl: no hotfix named nosuch" },
	/* Values not in their form: refused before anything is made. */
	{ { "add", "r", "target=kfi_tt_ret", "times=x" }, 2,
	  "kfictl: add: bad value 'x' for times: expected -1 (no limit) or a whole number (see kfictl --help)",
	},
	{ { "add", "r", "target=kfi_tt_ret", "retval=foo" }, 2,
	  "kfictl: add: bad value 'foo' for retval: expected a number (-28, 0x1f) or an errno name (-ENOSPC)",
	},
	{ { "add", "r", "target=kfi_tt_ret", "probability=101" }, 2,
	  "kfictl: add: bad value '101' for probability: expected a percentage from 0 to 100" },
	{ { "add", "r", "target=kfi_tt_ret", "comm=a_name_far_too_long_for_comm" }, 2,
	  "kfictl: add: bad value 'a_name_far_too_long_for_comm' for comm: expected a task name, at most 15",
	},
	{ { "add", "r", "target=kfi_tt_ret", "pid=0" }, 2,
	  "kfictl: add: bad value '0' for pid: expected up to 16 process ids" },
	{ { "add", "r", "target=a b" }, 2,
	  "kfictl: add: bad value 'a b' for target: expected a function, SYM or MODULE:SYM" },
};

TEST_F(kfictl, each_error_has_its_message_and_status)
{
	for (size_t i = 0; i < ARRAY_SIZE(errors); i++) {
		const char * const *a = errors[i].argv;

		kfictl(&self->r, a[0], a[1], a[2], a[3], a[4]);
		TH_LOG("row %zu: kfictl %s %s", i, a[0], a[1] ?: "");
		EXPECT_FAILS(errors[i].rc, errors[i].msg);
		EXPECT_EQ(0, kfi_rules_count()) TH_LOG("a rule was left behind");
	}
}

TEST_F(kfictl, configfs_not_mounted)
{
	kfictl_as(&self->r, NO_CONFIGFS, "list", NULL);
	ASSERT_NE(126, self->r.rc) TH_LOG("could not unmount configfs in a mount namespace");
	EXPECT_FAILS(1, "kfictl: configfs is not mounted on /sys/kernel/config");
	kfictl_as(&self->r, NO_CONFIGFS, "add", "r", "target=kfi_tt_ret", NULL);
	EXPECT_FAILS(1, "configfs is not mounted");
	EXPECT_FALSE(rule_exists("r"));
}

TEST_F(kfictl, kfi_not_loaded)
{
	ASSERT_EQ(0, kfi_module_unload("kfi"));
	kfictl(&self->r, "list");
	EXPECT_FAILS(1, "kfictl: kfi is not loaded: no /sys/kernel/config/kfi (modprobe kfi)");
	kfictl(&self->r, "hotfix", "list");
	EXPECT_FAILS(1, "kfi is not loaded");
	ASSERT_EQ(0, kfi_module_load("kfi"));
	EXPECT_EQ(0, kfictl(&self->r, "list"));
}

TEST_F(kfictl, not_root)
{
	static const char msg[] = "Permission denied (EACCES); kfictl must run as root";

	ASSERT_EQ(0, kfictl(&self->r, "add", "r", "target=kfi_tt_ret"));
	kfictl_as(&self->r, AS_NOBODY, "list", NULL);
	ASSERT_NE(126, self->r.rc) TH_LOG("could not become uid %d", NOBODY);
	EXPECT_FAILS(1, msg);
	EXPECT_NE(NULL, strstr(self->r.err, "cannot read " KFI_RULES "/r/"));

	kfictl_as(&self->r, AS_NOBODY, "add", "x", "target=kfi_tt_ret", NULL);
	EXPECT_FAILS(1, msg);
	EXPECT_FALSE(rule_exists("x"));
	kfictl_as(&self->r, AS_NOBODY, "disable", "r", NULL);
	EXPECT_FAILS(1, msg);
	kfictl_as(&self->r, AS_NOBODY, "rm", "r", NULL);
	EXPECT_FAILS(1, msg);
	EXPECT_TRUE(rule_exists("r"));
	EXPECT_EQ(1, kfi_rule_long("r", "enabled"));
}

int main(int argc, char **argv)
{
	return kfi_test_main(argc, argv);
}
