// SPDX-License-Identifier: GPL-2.0
/*
 * Host unit tests of kfictl's parsers (make unit): add's KEY=VALUE
 * arguments, kfictl run's arguments, the scenario file, the verdicts, and
 * the TAP and JUnit reports. One table row per error, with its message.
 * Nothing here touches configfs: these run on the build machine, before
 * make check boots the guest. What reads configfs (list, rm, reading an
 * attribute) runs on a directory of files standing in for it, and the BTF
 * code on a BTF built here.
 */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <bpf/btf.h>

#include "../scenario.h"
#include "kselftest_harness.h"

/* A waitpid() status as the kernel makes it. */
#define EXITED(n)	((n) << 8)
#define KILLED(sig)	(sig)

static int count(const char *s, const char *sub)
{
	int n = 0;

	for (s = strstr(s, sub); s; s = strstr(s + 1, sub))
		n++;
	return n;
}

TEST(every_rule_key_has_a_form)
{
	for (size_t i = 0; i < kfictl_nr_rule_keys; i++) {
		EXPECT_NE(NULL, kfictl_key_form(kfictl_rule_keys[i]))
			TH_LOG("no form for %s", kfictl_rule_keys[i]);
	}
	EXPECT_EQ(NULL, kfictl_key_form("enabled"));
	EXPECT_EQ(NULL, kfictl_key_form("expect"));
}

TEST(kv_good)
{
	static const struct { const char *arg, *key, *val; } good[] = {
		{ "target=vfs_mkdir", "target", "vfs_mkdir" },
		{ "target=kfi_test_target:kfi_tt_ret", "target", "kfi_test_target:kfi_tt_ret" },
		{ "target=foo.isra.0", "target", "foo.isra.0" },
		{ "target=do_mkdirat+4", "target", "do_mkdirat+4" },
		{ "action=return", "action", "return" },
		{ "action=replace", "action", "replace" },
		{ "action=args", "action", "args" },
		{ "retval=-ENOSPC", "retval", "-ENOSPC" },
		{ "retval=EIO", "retval", "EIO" },
		{ "retval=-28", "retval", "-28" },
		{ "retval=0x1f", "retval", "0x1f" },
		{ "retval=-0x10", "retval", "-0x10" },
		{ "retval=0xffffffffffffffff", "retval", "0xffffffffffffffff" },
		{ "retval=-0x8000000000000000", "retval", "-0x8000000000000000" },
		{ "args=1=9", "args", "1=9" },
		{ "args=2=0 3=-EIO", "args", "2=0 3=-EIO" },
		{ "args=", "args", "" },
		{ "probability=100", "probability", "100" },
		{ "probability=0", "probability", "0" },
		{ "probability=12.5", "probability", "12.5" },
		{ "probability=0.0001", "probability", "0.0001" },
		{ "probability=100.0", "probability", "100.0" },
		{ "interval=1", "interval", "1" },
		{ "times=-1", "times", "-1" },
		{ "times=0", "times", "0" },
		{ "space=0", "space", "0" },
		{ "pid=1 2", "pid", "1 2" },
		{ "pid=4194303", "pid", "4194303" },
		{ "pid=", "pid", "" },
		{ "children=1", "children", "1" },
		{ "comm=kfi_kfictl_test", "comm", "kfi_kfictl_test" },
		{ "comm=", "comm", "" },
		{ "caller=kfi_tt_caller_a", "caller", "kfi_tt_caller_a" },
		{ "caller=", "caller", "" },
		{ "verbose=2", "verbose", "2" },
	};
	char key[KFICTL_KEY_LEN], err[1024];
	const char *val;

	for (size_t i = 0; i < ARRAY_SIZE(good); i++) {
		err[0] = '\0';
		EXPECT_EQ(0, kfictl_kv_parse(good[i].arg, key, &val, err,
					     sizeof(err)))
			TH_LOG("%s: %s", good[i].arg, err);
		EXPECT_STREQ(good[i].key, key);
		EXPECT_STREQ(good[i].val, val);
	}
}

/* Every error of add's KEY=VALUE, and its whole message. */
TEST(kv_bad)
{
	static const struct { const char *arg, *msg; } bad[] = {
		{ "retval", "malformed 'retval': expected KEY=VALUE" },
		{ "=5", "malformed '=5': expected KEY=VALUE" },
		{ "bogus=1",
		  "unknown key 'bogus' (value '1'): the keys are target, action, retval, args, probability, interval, times, space, pid, children, comm, caller, verbose",
		},
		{ "enabled=1", "unknown key 'enabled' (value '1'): the keys are " },
		{ "target=",
		  "bad value '' for target: expected a function, SYM or MODULE:SYM (vfs_mkdir)",
		},
		{ "target=a b", "bad value 'a b' for target" },
		{ "target=:sym", "bad value ':sym' for target" },
		{ "target=mod:", "bad value 'mod:' for target" },
		{ "target=sym+", "bad value 'sym+' for target" },
		{ "target=sym+x", "bad value 'sym+x' for target" },
		{ "action=skip", "bad value 'skip' for action: expected return, replace or args" },
		{ "retval=foo",
		  "bad value 'foo' for retval: expected a number (-28, 0x1f) or an errno name (-ENOSPC)",
		},
		{ "retval=", "bad value '' for retval" },
		{ "retval=-", "bad value '-' for retval" },
		{ "retval=E", "bad value 'E' for retval" },
		{ "retval=-enospc", "bad value '-enospc' for retval" },
		{ "retval=12x", "bad value '12x' for retval" },
		{ "retval=0x", "bad value '0x' for retval" },
		{ "retval=0x1ffffffffffffffff", "bad value '0x1ffffffffffffffff' for retval" },
		{ "retval=99999999999999999999", "bad value '99999999999999999999' for retval" },
		/* The kernel's kstrtoul() skips one "0x", and LONG_MIN is the floor. */
		{ "retval=0x0x5", "bad value '0x0x5' for retval" },
		{ "retval=0x5 ", "bad value '0x5 ' for retval" },
		{ "retval=-0x8000000000000001", "bad value '-0x8000000000000001' for retval" },
		{ "args=1=0x0x5", "bad value '1=0x0x5' for args" },
		{ "args=7=1",
		  "bad value '7=1' for args: expected N=VALUE pairs separated by spaces, N from 1 to 6 once each (2=0 3=-EIO)",
		},
		{ "args=0=1", "bad value '0=1' for args" },
		{ "args=1", "bad value '1' for args" },
		{ "args=1=9 1=3", "bad value '1=9 1=3' for args" },
		{ "args=1=x", "bad value '1=x' for args" },
		{ "args=12=1", "bad value '12=1' for args" },
		{ "probability=101",
		  "bad value '101' for probability: expected a percentage from 0 to 100, up to 4 decimals (12.5)",
		},
		{ "probability=100.5", "bad value '100.5' for probability" },
		{ "probability=0.00001", "bad value '0.00001' for probability" },
		{ "probability=1.", "bad value '1.' for probability" },
		{ "probability=.5", "bad value '.5' for probability" },
		{ "probability=-1", "bad value '-1' for probability" },
		{ "probability=5%", "bad value '5%' for probability" },
		{ "interval=0", "bad value '0' for interval: expected a whole number, 1 or more" },
		{ "interval=-1", "bad value '-1' for interval" },
		{ "times=-2",
		  "bad value '-2' for times: expected -1 (no limit) or a whole number",
		},
		{ "times=x", "bad value 'x' for times" },
		{ "space=+1", "bad value '+1' for space: expected a whole number" },
		{ "pid=0",
		  "bad value '0' for pid: expected up to 16 process ids separated by spaces, each 1 to 4194303",
		},
		{ "pid=4194304", "bad value '4194304' for pid" },
		{ "pid=1,2", "bad value '1,2' for pid" },
		{ "pid=1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17",
		  "bad value '1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17' for pid" },
		{ "children=2", "bad value '2' for children: expected 0 or 1" },
		{ "children=", "bad value '' for children" },
		{ "comm=a_name_far_too_long_for_comm",
		  "bad value 'a_name_far_too_long_for_comm' for comm: expected a task name, at most 15 printable characters",
		},
		{ "comm=a\tb", "bad value 'a\tb' for comm" },
		{ "caller=f+4",
		  "bad value 'f+4' for caller: expected a function, SYM or MODULE:SYM, no offset",
		},
		{ "verbose=3", "bad value '3' for verbose: expected 0, 1 or 2" },
		{ "verbose=", "bad value '' for verbose" },
	};
	char key[KFICTL_KEY_LEN], err[1024];
	const char *val;

	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		err[0] = '\0';
		EXPECT_EQ(-EINVAL, kfictl_kv_parse(bad[i].arg, key, &val, err,
						   sizeof(err)))
			TH_LOG("%s was taken", bad[i].arg);
		EXPECT_EQ(0, strncmp(err, bad[i].msg, strlen(bad[i].msg)))
			TH_LOG("%s:\n  expected: %s\n  got:      %s", bad[i].arg,
			       bad[i].msg, err);
	}
}

TEST(kv_key_too_long)
{
	char arg[200], key[KFICTL_KEY_LEN], err[1024];
	const char *val;

	memset(arg, 'k', 100);
	strcpy(arg + 100, "=1");
	EXPECT_EQ(-EINVAL, kfictl_kv_parse(arg, key, &val, err, sizeof(err)));
	EXPECT_EQ(0, strncmp(err, "unknown key 'kkkk", 17)) TH_LOG("%s", err);
	EXPECT_NE(NULL, strstr(err, "...' (value '1'): the keys are target"));
}

static const char full[] =
	"# A comment, and blank lines\n"
	"\n"
	"[rule nospace]\n"
	"target = vfs_mkdir\n"
	"  retval=-ENOSPC\t\n"
	"comm = mkdir\n"
	"\n"
	"[ rule  quiet ]\n"
	"target = kfi_test_target:kfi_tt_ret\n"
	"action = replace\n"
	"args = 1=9 2=0\n"
	"expect = none\n"
	"[rule watch]\n"
	"target = vfs_write\n"
	"expect = any\n"
	"[run]\n"
	"command = mkdir /tmp/a && echo a=b | grep -q =\n"
	"exit = nonzero\n"
	"timeout = 0\n"
	"kernel_log = ignore\n";

TEST(scenario_parses_everything)
{
	struct scenario *s = calloc(1, sizeof(*s));
	char err[SCN_ERR_LEN];

	ASSERT_NE(NULL, s);
	ASSERT_EQ(0, scn_parse(s, "dir/full.scn", full, err, sizeof(err)))
		TH_LOG("%s", err);
	EXPECT_STREQ("full", s->name);
	ASSERT_EQ(3, s->nr_rules);
	EXPECT_STREQ("nospace", s->rules[0].name);
	EXPECT_EQ(3, s->rules[0].line);
	ASSERT_EQ(3, s->rules[0].nr_kv);
	EXPECT_STREQ("target", s->rules[0].kv[0].key);
	EXPECT_STREQ("vfs_mkdir", s->rules[0].kv[0].val);
	EXPECT_STREQ("retval", s->rules[0].kv[1].key);
	EXPECT_STREQ("-ENOSPC", s->rules[0].kv[1].val);
	EXPECT_EQ(5, s->rules[0].kv[1].line);
	EXPECT_EQ(SCN_EXPECT_INJECTED, s->rules[0].expect);
	EXPECT_STREQ("quiet", s->rules[1].name);
	EXPECT_STREQ("1=9 2=0", s->rules[1].kv[2].val);
	EXPECT_EQ(SCN_EXPECT_NONE, s->rules[1].expect);
	EXPECT_EQ(SCN_EXPECT_ANY, s->rules[2].expect);
	EXPECT_STREQ("mkdir /tmp/a && echo a=b | grep -q =", s->command);
	EXPECT_EQ(SCN_EXIT_NONZERO, s->exit);
	EXPECT_EQ(0, s->timeout);
	EXPECT_FALSE(s->kernel_log);
	free(s);
}

TEST(scenario_defaults)
{
	struct scenario *s = calloc(1, sizeof(*s));
	char err[SCN_ERR_LEN];

	ASSERT_NE(NULL, s);
	/* No [run] at all, no final newline: kfictl run -- CMD gives one. */
	ASSERT_EQ(0, scn_parse(s, "plain", "[rule r]\ntarget = f", err,
			       sizeof(err))) TH_LOG("%s", err);
	EXPECT_STREQ("plain", s->name);
	EXPECT_STREQ("", s->command);
	EXPECT_EQ(SCN_EXIT_ANY, s->exit);
	EXPECT_EQ(SCN_TIMEOUT, s->timeout);
	EXPECT_TRUE(s->kernel_log);
	EXPECT_EQ(SCN_EXPECT_INJECTED, s->rules[0].expect);
	ASSERT_EQ(0, scn_parse(s, "x", "[run]\nexit = 3\n[rule r]\ntarget = f\n",
			       err, sizeof(err))) TH_LOG("%s", err);
	EXPECT_EQ(3, s->exit);
	free(s);
}

/* Every error of the scenario parser: the text, and the whole message. */
TEST(scenario_bad)
{
	static const struct { const char *text, *msg; } bad[] = {
		{ "target = f\n",
		  "s.scn:1: target outside a section: expected [rule NAME] or [run] first" },
		{ "# c\n[rule r]\ntarget f\n",
		  "s.scn:3: 'target f': expected KEY = VALUE, [rule NAME], [run], a # comment or a blank line",
		},
		{ "[rule r]\n= f\n", "s.scn:2: '= f' without a key: expected KEY = VALUE" },
		{ "[rule r\n",
		  "s.scn:1: unterminated section '[rule r': expected [rule NAME] or [run]",
		},
		{ "[rules r]\n",
		  "s.scn:1: unknown section '[rules r]': expected [rule NAME] or [run]",
		},
		{ "[]\n", "s.scn:1: unknown section '[]': expected [rule NAME] or [run]" },
		{ "[rule]\n", "s.scn:1: [rule] without a name: expected [rule NAME]" },
		{ "[rule a/b]\n",
		  "s.scn:1: bad rule name 'a/b': expected a name without '/', not starting with '.' or '-'",
		},
		{ "[rule -a]\n", "s.scn:1: bad rule name '-a'" },
		{ "[rule r]\ntarget = f\n[rule r]\n",
		  "s.scn:3: a second [rule r] (the first is at line 1): expected one section per rule",
		},
		{ "[run]\n[run]\n", "s.scn:2: a second [run]: expected one [run] section" },
		{ "[rule r]\ntarget = f\nbogus = 1\n",
		  "s.scn:3: unknown key 'bogus' (value '1') in [rule r]: the keys are target, action, retval, args, probability, interval, times, space, comm, caller, verbose, expect",
		},
		{ "[rule r]\ntarget = f\nretval = foo\n",
		  "s.scn:3: bad value 'foo' for retval: expected a number (-28, 0x1f) or an errno name (-ENOSPC)",
		},
		{ "[rule r]\ntarget = f\nprobability = 101\n",
		  "s.scn:3: bad value '101' for probability: expected a percentage from 0 to 100, up to 4 decimals (12.5)",
		},
		{ "[rule r]\ntarget =\n", "s.scn:2: bad value '' for target: expected a function" },
		{ "[rule r]\ntarget = f\npid = 1\n",
		  "s.scn:3: pid is set by kfictl run, to the command and its descendants: expected no pid line",
		},
		{ "[rule r]\ntarget = f\nchildren = 0\n",
		  "s.scn:3: children is set by kfictl run, to the command and its descendants: expected no children line",
		},
		{ "[rule r]\ntarget = f\nexpect = maybe\n",
		  "s.scn:3: bad value 'maybe' for expect: expected injected, none or any" },
		{ "[rule r]\ntarget = f\ntarget = g\n",
		  "s.scn:3: target given twice in [rule r] (first at line 2): expected it once" },
		{ "[rule r]\nretval = 1\n\n[run]\ncommand = true\n",
		  "s.scn:1: [rule r] has no target: expected target = SYM" },
		{ "# nothing\n[run]\ncommand = true\n",
		  "s.scn: no rule: expected at least one [rule NAME] section" },
		{ "", "s.scn: no rule: expected at least one [rule NAME] section" },
		{ "[run]\nbogus = 1\n",
		  "s.scn:2: unknown key 'bogus' (value '1') in [run]: the keys are command, exit, timeout, kernel_log",
		},
		{ "[run]\ncommand =\n", "s.scn:2: empty command: expected a value" },
		{ "[run]\ncommand = a\ncommand = b\n",
		  "s.scn:3: command given twice in [run] (first at line 2): expected it once" },
		{ "[run]\nexit = 256\n",
		  "s.scn:2: bad value '256' for exit: expected a status from 0 to 255, nonzero or any",
		},
		{ "[run]\nexit = -1\n", "s.scn:2: bad value '-1' for exit" },
		{ "[run]\nexit = 1\nexit = 2\n", "s.scn:3: exit given twice in [run]" },
		{ "[run]\ntimeout = 1.5\n",
		  "s.scn:2: bad value '1.5' for timeout: expected seconds from 0 (none) to 86400" },
		{ "[run]\ntimeout = 86401\n", "s.scn:2: bad value '86401' for timeout" },
		{ "[run]\ntimeout = 1\ntimeout = 1\n", "s.scn:3: timeout given twice in [run]" },
		{ "[run]\nkernel_log = dirty\n",
		  "s.scn:2: bad value 'dirty' for kernel_log: expected clean or ignore" },
		{ "[run]\nkernel_log = clean\nkernel_log = clean\n",
		  "s.scn:3: kernel_log given twice in [run]" },
	};
	struct scenario *s = calloc(1, sizeof(*s));
	char err[SCN_ERR_LEN];

	ASSERT_NE(NULL, s);
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		err[0] = '\0';
		EXPECT_EQ(-EINVAL, scn_parse(s, "s.scn", bad[i].text, err,
					     sizeof(err)))
			TH_LOG("row %zu was taken:\n%s", i, bad[i].text);
		EXPECT_EQ(0, strncmp(err, bad[i].msg, strlen(bad[i].msg)))
			TH_LOG("row %zu:\n  expected: %s\n  got:      %s", i,
			       bad[i].msg, err);
	}
	free(s);
}

/* The limits: rules, keys, line and command lengths, value lengths. */
TEST(scenario_limits)
{
	struct scenario *s = calloc(1, sizeof(*s));
	size_t size = 64 * 1024, n = 0;
	char *text = malloc(size), err[SCN_ERR_LEN];

	ASSERT_NE(NULL, s);
	ASSERT_NE(NULL, text);
	for (int i = 0; i <= SCN_MAX_RULES; i++)
		n += snprintf(text + n, size - n, "[rule r%d]\ntarget = f\n", i);
	EXPECT_EQ(-EINVAL, scn_parse(s, "s", text, err, sizeof(err)));
	EXPECT_STREQ("s:65: too many rules: expected at most 32", err);

	n = snprintf(text, size, "[run]\ncommand = ");
	memset(text + n, 'x', SCN_CMD_LEN);
	strcpy(text + n + SCN_CMD_LEN, "\n");
	EXPECT_EQ(-EINVAL, scn_parse(s, "s", text, err, sizeof(err)));
	EXPECT_EQ(0, strncmp(err, "s:2: command too long: expected at most 4095 bytes",
			     50)) TH_LOG("%s", err);

	memset(text, ' ', SCN_CMD_LEN + 300);
	strcpy(text + SCN_CMD_LEN + 300, "\n");
	EXPECT_EQ(-EINVAL, scn_parse(s, "s", text, err, sizeof(err)));
	EXPECT_EQ(0, strncmp(err, "s:1: line too long: expected at most", 36))
		TH_LOG("%s", err);

	n = snprintf(text, size, "[rule r]\ntarget = f\ncomm = ");
	memset(text + n, 'c', KFICTL_VAL);
	strcpy(text + n + KFICTL_VAL, "\n");
	EXPECT_EQ(-EINVAL, scn_parse(s, "s", text, err, sizeof(err)));
	EXPECT_EQ(0, strncmp(err, "s:3: bad value 'cccc", 20)) TH_LOG("%s", err);
	free(text);
	free(s);
}

TEST(scenario_load_errors)
{
	struct scenario *s = calloc(1, sizeof(*s));
	char path[] = "/tmp/kfictl_unit_XXXXXX", err[SCN_ERR_LEN];
	int fd = mkstemp(path);

	ASSERT_NE(NULL, s);
	ASSERT_LE(0, fd);
	EXPECT_EQ(-ENOENT, scn_load(s, "/nonexistent/x.scn", err, sizeof(err)));
	EXPECT_STREQ("cannot read /nonexistent/x.scn: No such file or directory (ENOENT)",
		     err);
	ASSERT_EQ(12, write(fd, "[rule r]\n\0x\n", 12));
	EXPECT_EQ(-EINVAL, scn_load(s, path, err, sizeof(err)));
	EXPECT_NE(NULL, strstr(err, ": a NUL byte: expected text")) TH_LOG("%s", err);
	ASSERT_EQ(0, ftruncate(fd, 0));
	ASSERT_EQ(21, pwrite(fd, "[rule r]\ntarget = f\n\n", 21, 0));
	EXPECT_EQ(0, scn_load(s, path, err, sizeof(err))) TH_LOG("%s", err);
	EXPECT_EQ(1, s->nr_rules);
	ASSERT_EQ(0, ftruncate(fd, (1 << 20) + 1));
	EXPECT_EQ(-EFBIG, scn_load(s, path, err, sizeof(err)));
	EXPECT_NE(NULL, strstr(err, ": too big: expected at most 1048576 bytes"))
		TH_LOG("%s", err);
	close(fd);
	unlink(path);
	free(s);
}

TEST(run_args_good)
{
	static char * const argv[] = {
		"run", "--timeout", "5", "x.scn", "--junit", "j.xml", "--",
		"mkdir", "--", "/tmp/a", NULL
	};
	static char * const argv2[] = { "run", "x.scn", NULL };
	struct run_args a;
	char err[256];

	ASSERT_EQ(0, scn_run_args(10, (char **)argv, &a, err, sizeof(err))) TH_LOG("%s", err);
	EXPECT_STREQ("x.scn", a.path);
	EXPECT_STREQ("j.xml", a.junit);
	EXPECT_EQ(5, a.timeout);
	ASSERT_NE(NULL, a.argv);
	EXPECT_STREQ("mkdir", a.argv[0]);
	EXPECT_STREQ("--", a.argv[1]);
	ASSERT_EQ(0, scn_run_args(2, (char **)argv2, &a, err, sizeof(err)));
	EXPECT_EQ(-1, a.timeout);
	EXPECT_EQ(NULL, a.argv);
	EXPECT_EQ(NULL, a.junit);
}

TEST(run_args_bad)
{
	static const struct { const char *argv[5]; const char *msg; } bad[] = {
		{ { "run" }, "no scenario file" },
		{ { "run", "--junit" }, "--junit needs a value" },
		{ { "run", "x", "--timeout" }, "--timeout needs a value" },
		{ { "run", "x", "--timeout", "-1" },
		  "bad value '-1' for --timeout: expected seconds from 0 (none) to 86400" },
		{ { "run", "x", "--timeout", "1s" },
		  "bad value '1s' for --timeout: expected seconds from 0 (none) to 86400",
		},
		{ { "run", "x", "--timeout", "86401" },
		  "bad value '86401' for --timeout: expected seconds from 0 (none) to 86400",
		},
		{ { "run", "x", "--" }, "nothing after --: expected a command" },
		{ { "run", "x", "--verbose" }, "unknown option '--verbose'" },
		{ { "run", "x", "y" },
		  "unexpected argument 'y' (a command goes after --)" },
		{ { "run", "--", "mkdir" }, "no scenario file" },
	};
	struct run_args a;
	char err[256];

	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		char *argv[6] = { NULL };
		int argc = 0;

		while (argc < 5 && bad[i].argv[argc]) {
			argv[argc] = (char *)bad[i].argv[argc];
			argc++;
		}
		err[0] = '\0';
		EXPECT_EQ(-EINVAL, scn_run_args(argc, argv, &a, err, sizeof(err)))
			TH_LOG("row %zu was taken", i);
		EXPECT_STREQ(bad[i].msg, err) TH_LOG("row %zu", i);
	}
}

TEST(status_in_words)
{
	char buf[64];

	scn_status_str(EXITED(0), buf, sizeof(buf));
	EXPECT_STREQ("exited with 0", buf);
	scn_status_str(EXITED(3), buf, sizeof(buf));
	EXPECT_STREQ("exited with 3", buf);
	scn_status_str(KILLED(SIGSEGV), buf, sizeof(buf));
	EXPECT_STREQ("killed by SIGSEGV", buf);
	scn_status_str(KILLED(SIGKILL) | 0x80, buf, sizeof(buf));
	EXPECT_STREQ("killed by SIGKILL (core dumped)", buf);
}

/* A two-rule scenario and an outcome that meets it. */
static void judged(struct scenario *s, struct scn_outcome *o)
{
	char err[SCN_ERR_LEN];

	memset(o, 0, sizeof(*o));
	scn_parse(s, "t.scn",
		  "[rule a]\ntarget = f\n[rule b]\ntarget = g\nexpect = none\n"
		  "[rule c]\ntarget = h\nexpect = any\n"
		  "[run]\ncommand = x\nexit = 1\ntimeout = 9\n", err, sizeof(err));
	o->status = EXITED(1);
	o->injected[0] = 2;
	snprintf(o->counters[0], sizeof(o->counters[0]),
		 "hits 3, injected 2, missed 0");
	snprintf(o->counters[1], sizeof(o->counters[1]),
		 "hits 3, injected 0, missed 0");
	o->kmsg_read = true;
}

TEST(judge_all_met)
{
	static const char * const names[] = {
		"command finished within 9 s", "exit status 1", "rule a injected",
		"rule b injected nothing", "kernel log clean",
	};
	struct scenario *s = calloc(1, sizeof(*s));
	struct scn_report r;
	struct scn_outcome o;

	ASSERT_NE(NULL, s);
	judged(s, &o);
	scn_judge(s, &o, &r);
	ASSERT_EQ(ARRAY_SIZE(names), r.nr);
	for (int i = 0; i < r.nr; i++) {
		EXPECT_STREQ(names[i], r.checks[i].name);
		EXPECT_TRUE(r.checks[i].ok) TH_LOG("%s", names[i]);
	}
	EXPECT_STREQ("exited with 1", r.checks[1].diag);
	EXPECT_STREQ("hits 3, injected 2, missed 0", r.checks[2].diag);
	EXPECT_EQ(0, scn_failed(&r));
	EXPECT_STREQ("t", r.scenario);
	free(s);
}

/* Each way an expectation fails, and which check says so. */
TEST(judge_failures)
{
	struct scenario *s = calloc(1, sizeof(*s));
	struct scn_report r;
	struct scn_outcome o;

	ASSERT_NE(NULL, s);
	judged(s, &o);
	o.status = EXITED(0);
	scn_judge(s, &o, &r);
	EXPECT_FALSE(r.checks[1].ok);
	EXPECT_STREQ("exited with 0", r.checks[1].diag);
	EXPECT_EQ(1, scn_failed(&r));

	judged(s, &o);
	o.status = KILLED(SIGSEGV);
	s->exit = SCN_EXIT_NONZERO;
	scn_judge(s, &o, &r);
	EXPECT_STREQ("exit status nonzero", r.checks[1].name);
	EXPECT_FALSE(r.checks[1].ok) TH_LOG("a crash is not an exit status");
	EXPECT_STREQ("killed by SIGSEGV", r.checks[1].diag);
	EXPECT_TRUE(r.checks[0].ok);

	judged(s, &o);
	o.timed_out = true;
	scn_judge(s, &o, &r);
	EXPECT_FALSE(r.checks[0].ok);
	EXPECT_STREQ("still running after 9 s: its process group was killed",
		     r.checks[0].diag);
	EXPECT_FALSE(r.checks[1].ok);
	EXPECT_STREQ("timed out", r.checks[1].diag);

	judged(s, &o);
	o.injected[0] = 0;
	o.injected[1] = 1;
	scn_judge(s, &o, &r);
	EXPECT_FALSE(r.checks[2].ok);
	EXPECT_FALSE(r.checks[3].ok);
	EXPECT_EQ(2, scn_failed(&r));

	/* A rule whose counters could not be read meets no expectation. */
	judged(s, &o);
	o.counters[1][0] = '\0';
	scn_judge(s, &o, &r);
	EXPECT_TRUE(r.checks[2].ok);
	EXPECT_STREQ("rule b injected nothing", r.checks[3].name);
	EXPECT_FALSE(r.checks[3].ok) TH_LOG("no counters passed for none injected");
	EXPECT_STREQ("its counters could not be read: removed during the run?",
		     r.checks[3].diag);

	judged(s, &o);
	snprintf(o.kmsg, sizeof(o.kmsg), "WARNING: CPU: 0 PID: 1 at x");
	scn_judge(s, &o, &r);
	EXPECT_FALSE(r.checks[4].ok);
	EXPECT_STREQ("WARNING: CPU: 0 PID: 1 at x", r.checks[4].diag);

	judged(s, &o);
	o.kmsg_read = false;
	scn_judge(s, &o, &r);
	EXPECT_FALSE(r.checks[4].ok);
	EXPECT_STREQ("cannot read /dev/kmsg", r.checks[4].diag);

	/* Without a timeout, exit or kernel log expectation. */
	judged(s, &o);
	s->timeout = 0;
	s->exit = SCN_EXIT_ANY;
	s->kernel_log = false;
	o.status = KILLED(SIGSEGV);
	snprintf(o.kmsg, sizeof(o.kmsg), "Oops");
	scn_judge(s, &o, &r);
	EXPECT_EQ(3, r.nr);
	EXPECT_STREQ("command finished", r.checks[0].name);
	EXPECT_EQ(0, scn_failed(&r));
	free(s);
}

static void expect_in(struct __test_metadata *_metadata, const char *hay,
		      const char *needle)
{
	EXPECT_NE(NULL, strstr(hay, needle))
		TH_LOG("no \"%s\" in:\n%s", needle, hay);
}

static char *report(const struct scn_report *r, bool junit)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	if (!f)
		return NULL;
	if (junit)
		scn_junit(f, r);
	else
		scn_tap(f, r);
	fclose(f);
	return buf;
}

TEST(tap_and_junit)
{
	struct scenario *s = calloc(1, sizeof(*s));
	struct scn_report r;
	struct scn_outcome o;
	char *tap, *xml;

	ASSERT_NE(NULL, s);
	judged(s, &o);
	o.status = EXITED(0);
	snprintf(o.kmsg, sizeof(o.kmsg), "BUG: <x> & \"y\"");
	o.seconds = 1.25;
	scn_judge(s, &o, &r);
	tap = report(&r, false);
	ASSERT_NE(NULL, tap);
	EXPECT_STREQ("TAP version 13\n1..5\n"
		     "ok 1 - command finished within 9 s\n#   exited with 0\n"
		     "not ok 2 - exit status 1\n#   exited with 0\n"
		     "ok 3 - rule a injected\n#   hits 3, injected 2, missed 0\n"
		     "ok 4 - rule b injected nothing\n#   hits 3, injected 0, missed 0\n"
		     "not ok 5 - kernel log clean\n#   BUG: <x> & \"y\"\n"
		     "# t: 3 passed, 2 failed (1.2 s)\n", tap);
	xml = report(&r, true);
	ASSERT_NE(NULL, xml);
	EXPECT_EQ(0, strncmp(xml, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n", 39));
	EXPECT_NE(NULL, strstr(xml, "<testsuites tests=\"5\" failures=\"2\" errors=\"0\">"));
	expect_in(_metadata, xml,
		  "<testsuite name=\"t\" tests=\"5\" failures=\"2\" errors=\"0\" skipped=\"0\" time=\"1.250\">");
	EXPECT_EQ(5, count(xml, "<testcase "));
	EXPECT_EQ(2, count(xml, "<failure "));
	EXPECT_EQ(2, count(xml, "</testcase>"));
	EXPECT_NE(NULL, strstr(xml, "<failure message=\"BUG: &lt;x&gt; &amp; &quot;y&quot;\"/>"));
	EXPECT_NE(NULL, strstr(xml, "  </testsuite>\n</testsuites>\n"));
	free(tap);
	free(xml);

	/* A run that never started: Bail out!, and a JUnit error. */
	snprintf(r.bail, sizeof(r.bail), "cannot arm rule b: g: <gone>");
	tap = report(&r, false);
	EXPECT_STREQ("TAP version 13\n1..0\nBail out! cannot arm rule b: g: <gone>\n"
		     "# t: not run: cannot arm rule b: g: <gone>\n", tap);
	xml = report(&r, true);
	EXPECT_NE(NULL, strstr(xml, "<testsuites tests=\"1\" failures=\"0\" errors=\"1\">"));
	expect_in(_metadata, xml,
		  "name=\"kfictl run\">\n      <error message=\"cannot arm rule b: g: &lt;gone&gt;\"/>");
	EXPECT_EQ(1, count(xml, "<testcase "));
	EXPECT_EQ(1, scn_failed(&r));
	free(tap);
	free(xml);
	free(s);
}

/*
 * Names from the scenario go into both reports as they are: a '#' must not
 * turn a TAP test into a TODO, nor a newline (the file's name) end a line;
 * the XML must stay well-formed UTF-8 with markup characters in names.
 */
TEST(tap_and_junit_escape_names)
{
	struct scenario *s = calloc(1, sizeof(*s));
	char err[SCN_ERR_LEN], *tap, *xml;
	struct scn_report r;
	struct scn_outcome o = { .status = EXITED(0), .kmsg_read = true };

	ASSERT_NE(NULL, s);
	ASSERT_EQ(0, scn_parse(s, "d/a\nb.scn",
			       "[rule t # TODO]\ntarget = f\n"
			       "[rule \xff<\xc3\xa9>\xed\xa0\x80\xc0\xaf\\]\ntarget = g\n"
			       "[run]\ncommand = x\n", err, sizeof(err)))
		TH_LOG("%s", err);
	scn_judge(s, &o, &r);
	tap = report(&r, false);
	ASSERT_NE(NULL, tap);
	EXPECT_STREQ("TAP version 13\n1..4\n"
		     "ok 1 - command finished within 60 s\n#   exited with 0\n"
		     "not ok 2 - rule t \\# TODO injected\n"
		     "#   its counters could not be read: removed during the run?\n"
		     "not ok 3 - rule \xff<\xc3\xa9>\xed\xa0\x80\xc0\xaf\\\\ injected\n"
		     "#   its counters could not be read: removed during the run?\n"
		     "ok 4 - kernel log clean\n"
		     "#   no warning, bug, oops, lockdep or KASAN report\n"
		     "# a?b: 2 passed, 2 failed (0.0 s)\n", tap);
	xml = report(&r, true);
	ASSERT_NE(NULL, xml);
	expect_in(_metadata, xml, "<testsuite name=\"ab\" ");
	expect_in(_metadata, xml, " name=\"rule t # TODO injected\">");
	expect_in(_metadata, xml,
		  " name=\"rule ?&lt;\xc3\xa9&gt;?????\\ injected\">");
	for (const char *p = xml; *p; p++) {
		EXPECT_TRUE((unsigned char)*p < 0x80 || !strncmp(p, "\xc3\xa9", 2) ||
			    !strncmp(p - 1, "\xc3\xa9", 2))
			TH_LOG("byte 0x%02x at %zd is not in the XML's UTF-8",
			       (unsigned char)*p, p - xml);
	}
	free(tap);
	free(xml);

	snprintf(r.bail, sizeof(r.bail), "cannot arm rule t # TODO: x\ny");
	tap = report(&r, false);
	EXPECT_STREQ("TAP version 13\n1..0\nBail out! cannot arm rule t # TODO: x?y\n"
		     "# a?b: not run: cannot arm rule t # TODO: x?y\n", tap);
	free(tap);
	free(s);
}

/* "kfictl must run as root" only when kfictl does not: root gets EPERM too. */
TEST(root_hint_only_for_another_user)
{
	static const char * const want[] = {
		"kfictl: cannot enable hotfix h: Operation not permitted (EPERM)\n",
		"kfictl: cannot enable hotfix h: Operation not permitted (EPERM); kfictl must run as root\n",
	};
	FILE *f = tmpfile();
	char buf[256] = "";
	int saved = dup(2);

	ASSERT_NE(NULL, f);
	ASSERT_LE(0, saved);
	ASSERT_LE(0, dup2(fileno(f), 2));
	kfictl_err(EPERM, "cannot enable hotfix %s", "h");
	dup2(saved, 2);
	close(saved);
	rewind(f);
	ASSERT_NE(NULL, fgets(buf, sizeof(buf), f));
	fclose(f);
	EXPECT_STREQ(want[geteuid() != 0], buf);
}

/* What kfictl's code writes on standard error, caught in a file. */
struct caught {
	FILE *f;
	int saved;
};

static int catch_stderr(struct caught *c)
{
	c->f = tmpfile();
	c->saved = dup(2);
	if (!c->f || c->saved < 0 || dup2(fileno(c->f), 2) < 0)
		return -1;
	return 0;
}

/* Ends the catch: what was written, to free(). */
static char *caught(struct caught *c)
{
	long n = ftell(c->f);
	char *s = calloc(1, n + 1);

	dup2(c->saved, 2);
	close(c->saved);
	rewind(c->f);
	if (s && n && fread(s, 1, n, c->f) != (size_t)n)
		s[0] = '\0';
	fclose(c->f);
	return s;
}

/* @s as kfictl_json_string() prints it, to free(). */
static char *json_of(const char *s)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	if (!f)
		return NULL;
	kfictl_json_string(f, s);
	fclose(f);
	return buf;
}

/*
 * JSON strings are UTF-8: valid sequences go as they are, and each byte
 * that is not part of one as \u00XX, its Latin-1 reading, as do control
 * characters and DEL.
 */
TEST(json_string_utf8)
{
	static const struct { const char *in, *out; } rows[] = {
		{ "vfs_mkdir", "\"vfs_mkdir\"" },
		{ "a\"b\\c", "\"a\\\"b\\\\c\"" },
		{ "a\nb\tc\x1f", "\"a\\u000ab\\u0009c\\u001f\"" },
		{ "del\x7f", "\"del\\u007f\"" },
		{ "caf\xc3\xa9", "\"caf\xc3\xa9\"" },
		{ "\xe2\x82\xac \xf0\x9f\x98\x80", "\"\xe2\x82\xac \xf0\x9f\x98\x80\"" },
		{ "\xef\xbf\xbe", "\"\xef\xbf\xbe\"" },
		{ "\xff", "\"\\u00ff\"" },
		{ "caf\xe9!", "\"caf\\u00e9!\"" },
		/* overlong '/', a surrogate, above U+10FFFF, cut short */
		{ "\xc0\xaf", "\"\\u00c0\\u00af\"" },
		{ "\xed\xa0\x80", "\"\\u00ed\\u00a0\\u0080\"" },
		{ "\xf4\x90\x80\x80", "\"\\u00f4\\u0090\\u0080\\u0080\"" },
		{ "x\xe2\x82", "\"x\\u00e2\\u0082\"" },
		{ "\xe2\x82x", "\"\\u00e2\\u0082x\"" },
		{ "\x80\xc3\xa9", "\"\\u0080\xc3\xa9\"" },
	};

	for (size_t i = 0; i < ARRAY_SIZE(rows); i++) {
		char *out = json_of(rows[i].in);

		ASSERT_NE(NULL, out);
		EXPECT_STREQ(rows[i].out, out) TH_LOG("row %zu", i);
		free(out);
	}
}

/* The JUnit XML still leaves out U+FFFE and U+FFFF, which XML refuses. */
TEST(junit_leaves_out_xml_nonchars)
{
	struct scn_report r = { .scenario = "t" };
	char *xml;

	snprintf(r.bail, sizeof(r.bail), "a\xef\xbf\xbe\xef\xbf\xbf\xef\xbf\xbd");
	xml = report(&r, true);
	ASSERT_NE(NULL, xml);
	expect_in(_metadata, xml, "<error message=\"a??????\xef\xbf\xbd\"/>");
	free(xml);
}

/*
 * kfictl_read() reads until EOF, as many reads as it takes: here a FIFO
 * whose writer sends the second half only once the first has been read.
 */
TEST(read_whole_attribute)
{
	char dir[] = "/tmp/kfictl_unit_XXXXXX", path[64], buf[64];
	struct timespec ms = { .tv_nsec = 1000000 };
	int status;
	pid_t pid;

	ASSERT_NE(NULL, mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/fifo", dir);
	ASSERT_EQ(0, mkfifo(path, 0600));
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		int fd = open(path, O_WRONLY), left = 1;

		if (fd < 0 || write(fd, "first ", 6) != 6)
			_exit(1);
		for (int i = 0; left && i < 5000; i++) {
			if (ioctl(fd, FIONREAD, &left))
				_exit(1);
			nanosleep(&ms, NULL);
		}
		_exit(left || write(fd, "second\n", 7) != 7);
	}
	EXPECT_EQ(0, kfictl_read(path, buf, sizeof(buf)));
	EXPECT_STREQ("first second", buf);
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_EQ(EXITED(0), status) TH_LOG("the writer failed");
	unlink(path);
	rmdir(dir);
}

/* A value that does not fit is -EOVERFLOW, never cut short. */
TEST(read_overflow)
{
	static const struct { const char *text; int err; const char *val; } rows[] = {
		{ "1234567\n", 0, "1234567" },	/* the newline fills the buffer */
		{ "12345678", -EOVERFLOW, NULL },
		{ "1234567\nx", -EOVERFLOW, NULL },
		{ "12345678\n", -EOVERFLOW, NULL },
		{ "123456\n", 0, "123456" },
		{ "1234567", 0, "1234567" },
		{ "", 0, "" },
		{ "\n", 0, "" },
	};
	char path[] = "/tmp/kfictl_unit_XXXXXX", buf[8];
	int fd = mkstemp(path);

	ASSERT_LE(0, fd);
	for (size_t i = 0; i < ARRAY_SIZE(rows); i++) {
		size_t n = strlen(rows[i].text);

		ASSERT_EQ(0, ftruncate(fd, 0));
		ASSERT_EQ(n, pwrite(fd, rows[i].text, n, 0));
		memset(buf, 'z', sizeof(buf));
		EXPECT_EQ(rows[i].err, kfictl_read(path, buf, sizeof(buf)))
			TH_LOG("row %zu", i);
		if (!rows[i].err)
			EXPECT_STREQ(rows[i].val, buf) TH_LOG("row %zu", i);
	}
	close(fd);
	unlink(path);
}

/* A function @name of @btf returning @ret, with int parameters @params. */
static int add_func(struct btf *btf, const char *name, int ret,
		    const char * const *params, int i32)
{
	int proto = btf__add_func_proto(btf, ret);

	for (; params && *params; params++)
		if (btf__add_func_param(btf, *params, i32) < 0)
			return -1;
	if (proto < 0)
		return -1;
	return btf__add_func(btf, name, BTF_FUNC_GLOBAL, proto);
}

/*
 * The prototype is C, whatever the return type: a pointer to a function
 * gets the name inside; and an enum is signed only if BTF says so.
 */
TEST(btf_prototypes)
{
	static const char * const x[] = { "x", NULL }, * const irq[] = { "irq", NULL };
	static const struct {
		const char *func, *decl, *ret_type;
		enum kfictl_ret ret;
		int bits;
		bool is_signed;
	} rows[] = {
		{ "handler_of", "void (*handler_of(int irq))(int)",
		  "void (*)(int)", KFICTL_RET_PTR, 0, false },
		{ "names_of", "char **names_of(void)", "char **", KFICTL_RET_PTR,
		  0, false },
		{ "sum", "int sum(int x)", "int", KFICTL_RET_INT, 32, true },
		{ "state_of", "enum state state_of(int x)", "enum state",
		  KFICTL_RET_INT, 32, false },
		{ "level_of", "enum level level_of(void)", "enum level",
		  KFICTL_RET_INT, 32, true },
		{ "mask_of", "enum mask mask_of(void)", "enum mask",
		  KFICTL_RET_INT, 64, false },
		{ "nothing", "void nothing(void)", "void", KFICTL_RET_VOID, 0, false },
	};
	struct btf *btf = btf__new_empty();
	int i32, fn, e;

	ASSERT_NE(NULL, btf);
	i32 = btf__add_int(btf, "int", 4, BTF_INT_SIGNED);
	fn = btf__add_func_proto(btf, 0);
	ASSERT_LE(0, btf__add_func_param(btf, NULL, i32));
	ASSERT_LE(0, add_func(btf, "handler_of", btf__add_ptr(btf, fn), irq, i32));
	e = btf__add_int(btf, "char", 1, BTF_INT_SIGNED);
	ASSERT_LE(0, add_func(btf, "names_of",
			      btf__add_ptr(btf, btf__add_ptr(btf, e)), NULL, i32));
	ASSERT_LE(0, add_func(btf, "sum", i32, x, i32));
	/* What GCC makes unsigned int, and pahole encodes without kflag. */
	e = btf__add_enum(btf, "state", 4);
	ASSERT_LE(0, btf__add_enum_value(btf, "STATE_OFF", 0));
	ASSERT_LE(0, btf__add_enum_value(btf, "STATE_ON", 1));
	ASSERT_LE(0, add_func(btf, "state_of", e, x, i32));
	e = btf__add_enum(btf, "level", 4);
	ASSERT_LE(0, btf__add_enum_value(btf, "LEVEL_ERR", -1));
	ASSERT_LE(0, add_func(btf, "level_of", e, NULL, i32));
	e = btf__add_enum64(btf, "mask", 8, false);
	ASSERT_LE(0, btf__add_enum64_value(btf, "MASK_TOP", 1ULL << 63));
	ASSERT_LE(0, add_func(btf, "mask_of", e, NULL, i32));
	ASSERT_LE(0, add_func(btf, "nothing", 0, NULL, i32));

	for (size_t i = 0; i < ARRAY_SIZE(rows); i++) {
		int id = btf__find_by_name_kind(btf, rows[i].func, BTF_KIND_FUNC);
		struct kfictl_proto p = { 0 };

		ASSERT_LT(0, id) TH_LOG("no %s", rows[i].func);
		EXPECT_EQ(0, kfictl_btf_proto_of(btf, id, rows[i].func, &p));
		EXPECT_STREQ(rows[i].decl, p.decl);
		EXPECT_STREQ(rows[i].ret_type, p.ret_type);
		EXPECT_EQ(rows[i].ret, p.ret) TH_LOG("%s", rows[i].func);
		if (rows[i].ret != KFICTL_RET_INT)
			continue;
		EXPECT_EQ(rows[i].bits, p.ret_bits) TH_LOG("%s", rows[i].func);
		EXPECT_EQ(rows[i].is_signed, p.ret_signed) TH_LOG("%s", rows[i].func);
	}
	btf__free(btf);
}

/* A directory standing in for configfs: ROOT/kfi/rules, ROOT/kfi/hotfixes. */
static int fake_configfs(char *root)
{
	static const char * const dirs[] = { "kfi", "kfi/rules", "kfi/hotfixes" };
	char p[128];

	strcpy(root, "/tmp/kfictl_unit_XXXXXX");
	if (!mkdtemp(root))
		return -1;
	for (size_t i = 0; i < ARRAY_SIZE(dirs); i++) {
		snprintf(p, sizeof(p), "%s/%s", root, dirs[i]);
		if (mkdir(p, 0755))
			return -1;
	}
	kfictl_set_configfs(root);
	return 0;
}

/* ROOT/kfi/@path (one at a time). */
static const char *in_kfi(const char *root, const char *path)
{
	static char p[256];

	snprintf(p, sizeof(p), "%s/kfi/%s", root, path);
	return p;
}

static int rm_entry(const char *path, const struct stat *st, int type,
		    struct FTW *ftw)
{
	(void)st;
	(void)type;
	(void)ftw;
	return remove(path);
}

static void rm_tree(const char *path)
{
	nftw(path, rm_entry, 8, FTW_DEPTH | FTW_PHYS);
}

/* ROOT/kfi/@path, with @val and a newline, as configfs shows it. */
static int put(const char *root, const char *path, const char *val)
{
	FILE *f = fopen(in_kfi(root, path), "w");

	if (!f)
		return -1;
	fprintf(f, "%s\n", val);
	return fclose(f);
}

/* Rule @name with every attribute, as an armed rule shows them. */
static int fake_rule(const char *root, const char *name, const char *comm)
{
	static const char * const attrs[][2] = {
		{ "target", "f" }, { "action", "return" }, { "retval", "-12" },
		{ "args", "" }, { "probability", "100" }, { "interval", "1" },
		{ "times", "-1" }, { "space", "0" }, { "pid", "" },
		{ "children", "0" }, { "comm", NULL }, { "caller", "" },
		{ "verbose", "0" }, { "enabled", "1" }, { "status", "armed" },
		{ "hits", "3" }, { "injected", "2" }, { "missed", "0" },
	};
	char p[128];

	snprintf(p, sizeof(p), "rules/%s", name);
	if (mkdir(in_kfi(root, p), 0755))
		return -1;
	for (size_t i = 0; i < ARRAY_SIZE(attrs); i++) {
		snprintf(p, sizeof(p), "rules/%s/%s", name, attrs[i][0]);
		if (put(root, p, attrs[i][1] ?: comm))
			return -1;
	}
	return 0;
}

/* kfictl_list()'s output, to free(); its status in *@rc. */
static char *list_out(bool json, int *rc)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	if (!f)
		return NULL;
	*rc = kfictl_list(f, json, true);
	fclose(f);
	return buf;
}

#define RULE_JSON(name, comm)						\
	"{\"name\":\"" name "\",\"target\":\"f\",\"action\":\"return\","	\
	"\"retval\":-12,\"args\":\"\",\"probability\":100,\"interval\":1,"	\
	"\"times\":-1,\"space\":0,\"pid\":\"\",\"children\":0,"		\
	"\"comm\":\"" comm "\",\"caller\":\"\",\"verbose\":0,\"enabled\":1,"	\
	"\"status\":\"armed\",\"hits\":3,\"injected\":2,\"missed\":0}"

#define HOTFIX_JSON							\
	"{\"name\":\"h\",\"enabled\":1,\"calls\":5,\"functions\":["		\
	"{\"old\":\"m:f\",\"new\":\"m2:g\",\"state\":\"applied\","		\
	"\"calls\":5,\"missed\":0}]}"

/*
 * list prints all or nothing: an attribute that cannot be read (here a
 * directory, EISDIR; then one missing from a rule, or from a hotfix, that
 * is still there) is said on stderr, and stdout stays empty, never half a
 * JSON object.
 */
TEST(list_whole_or_nothing)
{
	char root[64], *out, *err;
	struct caught c;
	int rc = -1;

	ASSERT_EQ(0, fake_configfs(root));
	ASSERT_EQ(0, fake_rule(root, "a", "\xff"));
	ASSERT_EQ(0, fake_rule(root, "b", "sh"));
	ASSERT_EQ(0, mkdir(in_kfi(root, "hotfixes/h"), 0755));
	ASSERT_EQ(0, put(root, "hotfixes/h/enabled", "1"));
	ASSERT_EQ(0, put(root, "hotfixes/h/calls", "5"));
	ASSERT_EQ(0, put(root, "hotfixes/h/functions", "m:f m2:g applied 5 0"));

	out = list_out(true, &rc);
	ASSERT_NE(NULL, out);
	EXPECT_EQ(KFICTL_OK, rc);
	EXPECT_STREQ("{\"rules\":[" RULE_JSON("a", "\\u00ff") ","
		     RULE_JSON("b", "sh") "],\"hotfixes\":[" HOTFIX_JSON
		     "]}\n", out);
	free(out);

	ASSERT_EQ(0, unlink(in_kfi(root, "rules/b/status")));
	ASSERT_EQ(0, mkdir(in_kfi(root, "rules/b/status"), 0755));
	for (int json = 0; json < 2; json++) {
		ASSERT_EQ(0, catch_stderr(&c));
		out = list_out(json, &rc);
		err = caught(&c);
		ASSERT_NE(NULL, out);
		ASSERT_NE(NULL, err);
		EXPECT_EQ(KFICTL_FAIL, rc);
		EXPECT_STREQ("", out) TH_LOG("json %d: printed part of a list", json);
		expect_in(_metadata, err, "kfictl: cannot read /tmp/kfictl_unit_");
		expect_in(_metadata, err,
			  "/kfi/rules/b/status: Is a directory (EISDIR)\n");
		free(out);
		free(err);
	}

	/* Missing from a rule that is there: not a rule removed meanwhile. */
	ASSERT_EQ(0, rmdir(in_kfi(root, "rules/b/status")));
	ASSERT_EQ(0, catch_stderr(&c));
	out = list_out(true, &rc);
	err = caught(&c);
	ASSERT_NE(NULL, out);
	ASSERT_NE(NULL, err);
	EXPECT_EQ(KFICTL_FAIL, rc);
	EXPECT_STREQ("", out) TH_LOG("left rule b out");
	expect_in(_metadata, err,
		  "/kfi/rules/b/status: No such file or directory (ENOENT)\n");
	free(out);
	free(err);

	rm_tree(in_kfi(root, "rules/b"));
	ASSERT_EQ(0, unlink(in_kfi(root, "hotfixes/h/calls")));
	ASSERT_EQ(0, catch_stderr(&c));
	out = list_out(true, &rc);
	err = caught(&c);
	ASSERT_NE(NULL, out);
	ASSERT_NE(NULL, err);
	EXPECT_EQ(KFICTL_FAIL, rc);
	EXPECT_STREQ("", out) TH_LOG("printed the rules alone");
	expect_in(_metadata, err,
		  "/kfi/hotfixes/h/calls: No such file or directory (ENOENT)\n");
	free(out);
	free(err);
	rm_tree(root);
}

/*
 * rm --all removes the rules it listed: one that another process removed
 * meanwhile is not an error. Named on the command line, it is.
 */
TEST(rm_rules_gone_meanwhile)
{
	static char * const names[] = { "a", "gone", "b" };
	char root[64], *err;
	struct caught c;

	ASSERT_EQ(0, fake_configfs(root));
	for (int listed = 1; listed >= 0; listed--) {
		ASSERT_EQ(0, mkdir(in_kfi(root, "rules/a"), 0755));
		ASSERT_EQ(0, mkdir(in_kfi(root, "rules/b"), 0755));
		ASSERT_EQ(0, catch_stderr(&c));
		EXPECT_EQ(listed ? KFICTL_OK : KFICTL_FAIL,
			  kfictl_rules_rm(names, 3, listed));
		err = caught(&c);
		ASSERT_NE(NULL, err);
		EXPECT_STREQ(listed ? "" : "kfictl: no rule named gone\n", err);
		EXPECT_NE(0, access(in_kfi(root, "rules/a"), F_OK));
		EXPECT_NE(0, access(in_kfi(root, "rules/b"), F_OK))
			TH_LOG("b, after the missing one, was not removed");
		free(err);
	}
	rm_tree(root);
}

/*
 * describe takes a '-' in MODULE as '_', as kfi and the kernel do: it looks
 * for "[kfi_unit_mod]" in /proc/kallsyms, and says so when no such module
 * is loaded. A '-' in the symbol is the symbol's. (That a loaded module's
 * function is then found needs such a module: the guest's describe tests.)
 */
TEST(describe_module_dash_is_underscore)
{
	static const struct { const char *target, *err; } rows[] = {
		{ "kfi-unit-mod:kfi_unit_fn",
		  "kfictl: no function kfi_unit_fn in module kfi_unit_mod (is it loaded? see /proc/kallsyms)\n",
		},
		{ "kfi_unit_mod:kfi_unit_fn",
		  "kfictl: no function kfi_unit_fn in module kfi_unit_mod (is it loaded? see /proc/kallsyms)\n",
		},
		{ "kfi_unit-fn", "kfictl: no function kfi_unit-fn in /proc/kallsyms\n" },
	};
	struct caught c;

	if (access("/proc/kallsyms", R_OK))
		SKIP(return, "no /proc/kallsyms to read");
	for (size_t i = 0; i < ARRAY_SIZE(rows); i++) {
		char *argv[3] = { "describe", (char *)rows[i].target };
		char *err;

		ASSERT_EQ(0, catch_stderr(&c));
		EXPECT_EQ(KFICTL_FAIL, kfictl_describe(2, argv))
			TH_LOG("%s", rows[i].target);
		err = caught(&c);
		ASSERT_NE(NULL, err);
		EXPECT_STREQ(rows[i].err, err);
		free(err);
	}
}

/*
 * A scenario that cannot be used still makes a JUnit file, so that CI
 * shows why: one test, kfictl run, with an <error> naming the problem;
 * exit status 2, nothing on stdout.
 */
TEST(run_junit_on_scenario_error)
{
	static const struct { const char *text, *msg; } rows[] = {
		{ "[rule r]\ntarget f\n",
		  ".scn:2: &apos;target f&apos;: expected KEY = VALUE, [rule NAME]" },
		{ "[rule r]\ntarget = f\n", ".scn: no command: expected command = ..." },
		{ NULL, ".scn: No such file or directory (ENOENT)" },
	};
	char dir[] = "/tmp/kfictl_unit_XXXXXX", scn[64], xml[64];
	struct caught c;

	ASSERT_NE(NULL, mkdtemp(dir));
	snprintf(scn, sizeof(scn), "%s/bad.scn", dir);
	snprintf(xml, sizeof(xml), "%s/j.xml", dir);
	for (size_t i = 0; i < ARRAY_SIZE(rows); i++) {
		char *argv[5] = { "run", scn, "--junit", xml };
		char *err, *junit = NULL;
		size_t len = 0;
		FILE *f;

		unlink(scn);
		if (rows[i].text) {
			f = fopen(scn, "w");
			ASSERT_NE(NULL, f);
			fputs(rows[i].text, f);
			fclose(f);
		}
		ASSERT_EQ(0, catch_stderr(&c));
		EXPECT_EQ(KFICTL_USAGE, kfictl_cmd_run(4, argv));
		err = caught(&c);
		ASSERT_NE(NULL, err);
		EXPECT_EQ(0, strncmp(err, "kfictl: ", 8)) TH_LOG("%s", err);
		f = fopen(xml, "r");
		ASSERT_NE(NULL, f) TH_LOG("row %zu: no JUnit file", i);
		ASSERT_LT(0, getdelim(&junit, &len, '\0', f));
		fclose(f);
		expect_in(_metadata, junit,
			  "<testsuites tests=\"1\" failures=\"0\" errors=\"1\">");
		expect_in(_metadata, junit, "<testsuite name=\"bad\" tests=\"1\"");
		expect_in(_metadata, junit,
			  "<testcase classname=\"bad\" name=\"kfictl run\">\n      <error message=\"");
		expect_in(_metadata, junit, rows[i].msg);
		EXPECT_EQ(1, count(junit, "<testcase "));
		free(junit);
		free(err);
		unlink(xml);
	}
	unlink(scn);
	rmdir(dir);
}

TEST_HARNESS_MAIN
