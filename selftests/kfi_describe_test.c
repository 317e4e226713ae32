// SPDX-License-Identifier: GPL-2.0
/*
 * kfictl describe, and the checks kfictl add makes with it, run as an
 * administrator runs them (kfictl from the PATH, or $KFICTL): a function
 * of vmlinux, of a module with BTF (configfs) and of one without
 * (kfi_test_target), an unknown name, a blacklisted function, a notrace
 * one, a data symbol; add's warnings for a retval that does not fit the
 * return type, and its refusal of args beyond the parameters unless
 * --force. On a kernel without BTF, describe must say "prototype unknown"
 * and add must check nothing.
 */
#include <grp.h>

#include "kselftest_harness.h"
#include "kfi_test.h"

#define NOBODY		65534

#define BTF_VMLINUX	"/sys/kernel/btf/vmlinux"

struct run {
	int rc;		/* exit status; 127: not found */
	char out[8192];
	char err[4096];
};

static void drain(int fd, char *buf, size_t len)
{
	size_t n = 0;
	ssize_t r;

	while (n < len - 1 && (r = read(fd, buf + n, len - 1 - n)) > 0)
		n += r;
	buf[n] = '\0';
	close(fd);
}

/* Runs "kfictl ARGS..." (NULL-terminated) as @uid; fills @r. */
static int kfictl_v(struct run *r, uid_t uid, ...)
{
	const char *bin = getenv("KFICTL") ?: "kfictl";
	char *argv[16] = { (char *)bin };
	int out[2], err[2], status, argc = 1;
	va_list ap;
	pid_t pid;

	va_start(ap, uid);
	while (argc < 15 && (argv[argc] = va_arg(ap, char *)) != NULL)
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
		if (uid && (setgroups(0, NULL) || setgid(uid) || setuid(uid)))
			_exit(126);
		execvp(bin, argv);
		_exit(127);
	}
	close(out[1]);
	close(err[1]);
	/* Both fit in a pipe's buffer: reading one after the other is safe. */
	drain(out[0], r->out, sizeof(r->out));
	drain(err[0], r->err, sizeof(r->err));
	if (waitpid(pid, &status, 0) == pid && WIFEXITED(status))
		r->rc = WEXITSTATUS(status);
	return r->rc;
}

#define kfictl(r, ...) kfictl_v(r, 0, __VA_ARGS__, NULL)

static bool exists(const char *path)
{
	return access(path, F_OK) == 0;
}

/* The text after "@key:" and its padding on @out's line, in @buf. */
static const char *field(const char *out, const char *key, char *buf,
			 size_t len)
{
	size_t k = strlen(key);

	for (const char *l = out; l && *l; l = strchr(l, '\n'), l = l ? l + 1 : l) {
		if (strncmp(l, key, k) || l[k] != ':')
			continue;
		l += k + 1;
		l += strspn(l, " ");
		snprintf(buf, len, "%.*s", (int)strcspn(l, "\n"), l);
		return buf;
	}
	snprintf(buf, len, "(no %s: line)", key);
	return buf;
}

static bool rule_exists(const char *name)
{
	char p[256];

	return exists(kfi_path(p, sizeof(p), name, NULL));
}

FIXTURE(describe) {
	struct run r;
	char buf[1024];
	bool btf;
};

FIXTURE_SETUP(describe)
{
	ASSERT_EQ(0, kfi_module_load("kfi"));
	/* A test that timed out may have left it at 0. */
	ASSERT_EQ(0, kfi_write(KFI_CFS "/enabled", "1"));
	ASSERT_EQ(0, kfi_module_load("kfi_test_target"));
	kfi_rules_clear();
	/* Not a SKIP: 6.1's harness runs the test after a setup's SKIP. */
	ASSERT_NE(127, kfictl(&self->r, "--help"))
		TH_LOG("no kfictl on the PATH (make kfictl; or set KFICTL)");
	self->btf = exists(BTF_VMLINUX);
}

FIXTURE_TEARDOWN(describe)
{
	kfi_rules_clear();
}

#define FIELD(key) field(self->r.out, key, self->buf, sizeof(self->buf))

#define VFS_MKDIR \
	"int vfs_mkdir(struct user_namespace *mnt_userns, struct inode *dir, struct dentry *dentry, umode_t mode)"

/* The answer is the same for a target kfi probes and an unknown one. */
TEST_F(describe, vmlinux_function)
{
	ASSERT_EQ(0, kfictl(&self->r, "describe", "vfs_mkdir"))
		TH_LOG("stderr: %s\nstdout: %s", self->r.err, self->r.out);
	EXPECT_STREQ("", self->r.err);
	EXPECT_STREQ("vfs_mkdir (vmlinux, kallsyms type T)", FIELD("function"));
	EXPECT_STREQ("no (/sys/kernel/debug/kprobes/blacklist)", FIELD("blacklist"));
	EXPECT_STREQ("yes (/sys/kernel/tracing/available_filter_functions)",
		     FIELD("traceable"));
	EXPECT_STREQ("probeable: return, replace and args rules can be armed",
		     FIELD("verdict"));
	if (!self->btf) {
		EXPECT_EQ(0, strncmp(FIELD("prototype"),
				     "unknown: the kernel has no BTF (" BTF_VMLINUX, 40))
			TH_LOG("prototype: %s", self->buf);
		return;
	}
	/* fs/namei.c of 6.1 */
	EXPECT_STREQ(VFS_MKDIR, FIELD("prototype"));
	EXPECT_STREQ("integer (int: 32-bit signed, -2147483648 to 2147483647)",
		     FIELD("returns"));
	EXPECT_STREQ("4", FIELD("params"));
}

TEST_F(describe, other_return_classes)
{
	static const struct { const char *func, *proto, *returns; } funcs[] = {
		{ "msleep", "void msleep(unsigned int msecs)",
		  "void: retval means nothing, return only skips the body" },
		{ "d_alloc",
		  "struct dentry *d_alloc(struct dentry *parent, const struct qstr *name)",
		  "pointer (struct dentry *): retval 0 (NULL) or -1 to -4095 (ERR_PTR)" },
		{ "capable", "bool capable(int cap)", "bool (bool): retval 0 or 1" },
	};

	if (!self->btf)
		SKIP(return, "no %s: the kernel has no BTF", BTF_VMLINUX);
	for (size_t i = 0; i < ARRAY_SIZE(funcs); i++) {
		EXPECT_EQ(0, kfictl(&self->r, "describe", funcs[i].func))
			TH_LOG("%s: %s", funcs[i].func, self->r.err);
		EXPECT_STREQ(funcs[i].proto, FIELD("prototype"));
		EXPECT_STREQ(funcs[i].returns, FIELD("returns"));
	}
}

/* configfs is a module with BTF in distribution kernels: split BTF. */
TEST_F(describe, module_function_with_btf)
{
	if (!exists("/sys/kernel/btf/configfs"))
		SKIP(return,
		     "no /sys/kernel/btf/configfs: configfs is built in, or the kernel has no module BTF");
	ASSERT_EQ(0, kfictl(&self->r, "describe", "configfs:configfs_register_subsystem"))
		TH_LOG("stderr: %s", self->r.err);
	EXPECT_STREQ("configfs_register_subsystem (module configfs, kallsyms type T)",
		     FIELD("function"));
	EXPECT_STREQ("int configfs_register_subsystem(struct configfs_subsystem *subsys)",
		     FIELD("prototype"));
	/* Without "module:", kallsyms says which module. */
	ASSERT_EQ(0, kfictl(&self->r, "describe", "configfs_register_subsystem"));
	EXPECT_STREQ("configfs_register_subsystem (module configfs, kallsyms type T)",
		     FIELD("function"));
	EXPECT_STREQ("int configfs_register_subsystem(struct configfs_subsystem *subsys)",
		     FIELD("prototype"));
}

#define TT_NO_BTF \
	"unknown: module kfi_test_target has no BTF (/sys/kernel/btf/kfi_test_target: No such file or directory)"

/* An out-of-tree module gets BTF only when built against a vmlinux. */
TEST_F(describe, module_function_of_the_test_target)
{
	ASSERT_EQ(0, kfictl(&self->r, "describe", "kfi_test_target:kfi_tt_ret"))
		TH_LOG("stderr: %s", self->r.err);
	EXPECT_STREQ("kfi_tt_ret (module kfi_test_target, kallsyms type t)",
		     FIELD("function"));
	EXPECT_STREQ("no (/sys/kernel/debug/kprobes/blacklist)", FIELD("blacklist"));
	EXPECT_EQ(0, strncmp(FIELD("verdict"), "probeable: ", 11)) TH_LOG("%s", self->buf);
	if (exists("/sys/kernel/btf/kfi_test_target")) {
		EXPECT_STREQ("long int kfi_tt_ret(long int x, long unsigned int *ran)",
			     FIELD("prototype"));
	} else if (self->btf) {
		EXPECT_STREQ(TT_NO_BTF, FIELD("prototype"));
	} else {
		EXPECT_EQ(0, strncmp(FIELD("prototype"), "unknown: the kernel has no BTF", 30))
			TH_LOG("%s", self->buf);
	}
}

#define NO_MODULE \
	"kfictl: no function kfi_tt_ret in module kfi_no_such_module (is it loaded? see /proc/kallsyms)\n"

TEST_F(describe, unknown_function)
{
	kfictl(&self->r, "describe", "kfi_no_such_function");
	EXPECT_EQ(1, self->r.rc);
	EXPECT_STREQ("", self->r.out);
	EXPECT_STREQ("kfictl: no function kfi_no_such_function in /proc/kallsyms\n",
		     self->r.err);
	kfictl(&self->r, "describe", "kfi_no_such_module:kfi_tt_ret");
	EXPECT_EQ(1, self->r.rc);
	EXPECT_STREQ(NO_MODULE, self->r.err);
}

TEST_F(describe, usage_errors)
{
	static const struct { const char *a, *b, *msg; } bad[] = {
		{ NULL, NULL, "kfictl: describe: no function (SYM or MODULE:SYM)" },
		{ "vfs_mkdir", "vfs_rmdir", "kfictl: describe: unexpected argument 'vfs_rmdir'" },
		{ "--jsn", NULL, "kfictl: describe: unexpected argument '--jsn'" },
		{ "vfs_mkdir+4", NULL, "kfictl: describe: 'vfs_mkdir+4' is not SYM or MODULE:SYM" },
		{ ":vfs_mkdir", NULL, "kfictl: describe: ':vfs_mkdir' is not SYM or MODULE:SYM" },
	};

	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		kfictl(&self->r, "describe", bad[i].a, bad[i].b);
		EXPECT_EQ(2, self->r.rc) TH_LOG("row %zu", i);
		EXPECT_EQ(0, strncmp(self->r.err, bad[i].msg, strlen(bad[i].msg)))
			TH_LOG("expected \"%s\", got: %s", bad[i].msg, self->r.err);
		EXPECT_STREQ("", self->r.out);
	}
}

#define NOBODY_BLACKLIST \
	"unknown: cannot read /sys/kernel/debug/kprobes/blacklist: Permission denied (debugfs is root's)"

/* debugfs is root's: another user learns less, and is told so. */
TEST_F(describe, not_root)
{
	kfictl_v(&self->r, NOBODY, "describe", "vfs_mkdir", NULL);
	ASSERT_NE(126, self->r.rc) TH_LOG("could not become uid %d", NOBODY);
	EXPECT_EQ(0, self->r.rc) TH_LOG("stderr: %s", self->r.err);
	EXPECT_STREQ("vfs_mkdir (vmlinux, kallsyms type T)", FIELD("function"));
	EXPECT_STREQ(NOBODY_BLACKLIST, FIELD("blacklist"));
	EXPECT_STREQ("probeable unless on the kprobe blacklist, which cannot be read",
		     FIELD("verdict"));
	if (self->btf)
		EXPECT_STREQ(VFS_MKDIR, FIELD("prototype"));
}

TEST_F(describe, help_names_describe_and_force)
{
	ASSERT_EQ(0, kfictl(&self->r, "--help"));
	EXPECT_NE(NULL, strstr(self->r.out, "  describe [--json] SYM ")) TH_LOG("%s", self->r.out);
	EXPECT_NE(NULL, strstr(self->r.out, " [--disarmed] [--force]\n")) TH_LOG("%s", self->r.out);
}

/* get_kprobe() is NOKPROBE_SYMBOL in kernel/kprobes.c. */
TEST_F(describe, blacklisted_function)
{
	kfictl(&self->r, "describe", "get_kprobe");
	EXPECT_EQ(1, self->r.rc) TH_LOG("stderr: %s", self->r.err);
	EXPECT_STREQ("", self->r.err);
	EXPECT_STREQ("yes (/sys/kernel/debug/kprobes/blacklist)", FIELD("blacklist"));
	EXPECT_STREQ("not probeable: get_kprobe is on the kprobe blacklist, arming fails",
		     FIELD("verdict"));
	/* And the kernel agrees. */
	kfictl(&self->r, "add", "r", "target=get_kprobe");
	EXPECT_EQ(1, self->r.rc);
	EXPECT_FALSE(rule_exists("r"));
}

#define KFI_ITSELF \
	"not probeable: kfi_hotfix_register is part of kfi, which does not probe itself"

/* kfi does not probe itself (EPERM when arming). */
TEST_F(describe, kfi_itself)
{
	kfictl(&self->r, "describe", "kfi_hotfix_register");
	EXPECT_EQ(1, self->r.rc) TH_LOG("stderr: %s", self->r.err);
	EXPECT_STREQ("kfi_hotfix_register (module kfi, kallsyms type t)", FIELD("function"));
	EXPECT_STREQ(KFI_ITSELF, FIELD("verdict"));
	kfictl(&self->r, "add", "r", "target=kfi_hotfix_register");
	EXPECT_EQ(1, self->r.rc);
	EXPECT_NE(NULL, strstr(self->r.err, "it is part of kfi itself")) TH_LOG("%s", self->r.err);
	EXPECT_FALSE(rule_exists("r"));
}

TEST_F(describe, notrace_function)
{
	ASSERT_EQ(0, kfictl(&self->r, "describe", "kfi_tt_ret_notrace"))
		TH_LOG("stderr: %s", self->r.err);
	EXPECT_STREQ("no (/sys/kernel/tracing/available_filter_functions)",
		     FIELD("traceable"));
#if defined(__aarch64__)
	EXPECT_EQ(0, strncmp(FIELD("probe"), "breakpoint (BRK)", 16)) TH_LOG("%s", self->buf);
#else
	EXPECT_EQ(0, strncmp(FIELD("probe"), "breakpoint (int3)", 17)) TH_LOG("%s", self->buf);
#endif
	EXPECT_EQ(0, strncmp(FIELD("verdict"), "probeable: ", 11)) TH_LOG("%s", self->buf);
	/* Its traceable twin. */
	ASSERT_EQ(0, kfictl(&self->r, "describe", "kfi_tt_ret"));
	EXPECT_STREQ("yes (/sys/kernel/tracing/available_filter_functions)",
		     FIELD("traceable"));
#if defined(__aarch64__)
	EXPECT_EQ(0, strncmp(FIELD("probe"), "breakpoint (BRK)", 16)) TH_LOG("%s", self->buf);
#else
	EXPECT_EQ(0, strncmp(FIELD("probe"), "on ftrace's call site", 21)) TH_LOG("%s", self->buf);
#endif
}

/* The first vmlinux function whose name has @part, from kallsyms. */
static bool kallsyms_func(const char *part, char *name, size_t len)
{
	FILE *f = fopen("/proc/kallsyms", "r");
	char line[512], type, sym[256];
	bool found = false;

	while (f && !found && fgets(line, sizeof(line), f)) {
		found = sscanf(line, "%*s %c %255s", &type, sym) == 2 &&
			(type == 't' || type == 'T') && strstr(sym, part) &&
			!strchr(line, '[');
	}
	if (f)
		fclose(f);
	if (found)
		snprintf(name, len, "%s", sym);
	return found;
}

/* A clone's parameters are not the source's: no prototype for it. */
TEST_F(describe, compiler_made_copy)
{
	char name[256], want[512];

	if (!kallsyms_func(".constprop.", name, sizeof(name)))
		SKIP(return, "no .constprop. function in this kernel");
	ASSERT_EQ(0, kfictl(&self->r, "describe", name)) TH_LOG("%s", self->r.err);
	snprintf(want, sizeof(want),
		 "unknown: %s is a compiler-made copy: its parameters may differ from the source's",
		 name);
	EXPECT_STREQ(want, FIELD("prototype"));
	EXPECT_STREQ("(no returns: line)", FIELD("returns"));
}

/* Data symbols are in kallsyms only with KALLSYMS_ALL (not Debian's arm64). */
TEST_F(describe, data_symbol)
{
	kfictl(&self->r, "describe", "jiffies_64");
	if (self->r.rc == 1 && strstr(self->r.err, "no function jiffies_64"))
		SKIP(return, "no data symbols in /proc/kallsyms (no CONFIG_KALLSYMS_ALL)");
	EXPECT_EQ(1, self->r.rc);
	EXPECT_EQ(0, strncmp(FIELD("verdict"),
			     "not probeable: jiffies_64 is not a function (kallsyms type ", 59))
		TH_LOG("%s", self->buf);
}

#define JSON_INT "\"returns\":\"integer\",\"return_type\":\"int\",\"params\":4,"

TEST_F(describe, json)
{
	static const char * const want[] = {
		"{\"target\":\"vfs_mkdir\",\"function\":\"vfs_mkdir\",\"module\":null,",
		"\"blacklisted\":false,\"traceable\":true,\"probeable\":true,",
	};

	ASSERT_EQ(0, kfictl(&self->r, "describe", "--json", "vfs_mkdir"));
	for (size_t i = 0; i < ARRAY_SIZE(want); i++) {
		EXPECT_NE(NULL, strstr(self->r.out, want[i]))
			TH_LOG("no %s in %s", want[i], self->r.out);
	}
	if (self->btf) {
		EXPECT_NE(NULL, strstr(self->r.out, JSON_INT)) TH_LOG("%s", self->r.out);
	} else {
		EXPECT_NE(NULL, strstr(self->r.out, "\"prototype\":null,"))
			TH_LOG("%s", self->r.out);
	}
	EXPECT_EQ('\n', self->r.out[strlen(self->r.out) - 1]);
}

/* add --disarmed: the checks run, nothing is ever armed. */
#define add(r, ...) kfictl(r, "add", "r", "--disarmed", __VA_ARGS__)

TEST_F(describe, add_warns_when_retval_does_not_fit)
{
	static const struct { const char *kv[2], *warning; } rows[] = {
		{ { "target=msleep", "retval=-EIO" },
		  "kfictl: warning: msleep returns void: retval=-EIO means nothing, a return rule only skips the body\n",
		},
		{ { "target=msleep", "action=replace" }, "" },
		{ { "target=d_alloc", "retval=5" },
		  "kfictl: warning: d_alloc returns a pointer (struct dentry *): retval=5 is neither 0 (NULL) nor -1 to -4095 (ERR_PTR), callers will dereference it\n",
		},
		{ { "target=d_alloc", "retval=0" }, "" },
		{ { "target=d_alloc", "retval=-ENOMEM" }, "" },
		{ { "target=capable", "retval=2" },
		  "kfictl: warning: capable returns bool: retval=2 is not 0 or 1\n",
		},
		{ { "target=capable", "action=return" },
		  "kfictl: warning: capable returns bool: retval=-ENOMEM (the default) is not 0 or 1\n",
		},
		{ { "target=capable", "retval=1" }, "" },
		{ { "target=vfs_mkdir", "retval=0x80000000" },
		  "kfictl: warning: vfs_mkdir returns int (32-bit signed): retval=0x80000000 is out of range (-2147483648 to 2147483647)\n",
		},
		{ { "target=vfs_mkdir", "retval=-2147483648" }, "" },
		/* Hex from 0x8000000000000000 up is in an unsigned long's range. */
		{ { "target=__get_free_pages", "retval=0xfffffffffffff000" }, "" },
		{ { "target=__get_free_pages", "retval=-ENOMEM" }, "" },
		{ { "target=__get_free_pages", "retval=-5000" },
		  "kfictl: warning: __get_free_pages returns long unsigned int (64-bit unsigned): retval=-5000 is out of range (0 to 18446744073709551615)\n",
		},
		/* args rules do not return a value. */
		{ { "target=capable", "action=args" }, "" },
	};

	if (!self->btf)
		SKIP(return, "no %s: add checks nothing without BTF", BTF_VMLINUX);
	for (size_t i = 0; i < ARRAY_SIZE(rows); i++) {
		const char *args = !strcmp(rows[i].kv[1], "action=args") ? "args=1=0" : "verbose=0";

		EXPECT_EQ(0, add(&self->r, rows[i].kv[0], rows[i].kv[1], args))
			TH_LOG("row %zu: %s", i, self->r.err);
		EXPECT_STREQ(rows[i].warning, self->r.err) TH_LOG("row %zu", i);
		EXPECT_TRUE(rule_exists("r")) TH_LOG("row %zu: a warning must not stop add", i);
		kfi_rule_rm("r");
	}
}

TEST_F(describe, add_refuses_args_beyond_the_prototype)
{
	char buf[64];

	if (!self->btf)
		SKIP(return, "no %s: add checks nothing without BTF", BTF_VMLINUX);
	add(&self->r, "target=vfs_mkdir", "action=args", "args=1=0 5=0");
	EXPECT_EQ(2, self->r.rc);
	EXPECT_STREQ("kfictl: add: args=1=0 5=0: vfs_mkdir has 4 parameters, not 5: "
		     VFS_MKDIR " (--force writes argument register 5 anyway)\n",
		     self->r.err);
	EXPECT_FALSE(rule_exists("r"));

	EXPECT_EQ(0, add(&self->r, "target=vfs_mkdir", "action=args", "args=4=0"))
		TH_LOG("%s", self->r.err);
	EXPECT_STREQ("", self->r.err);
	EXPECT_EQ(0, kfi_rule_rm("r"));

	EXPECT_EQ(0, add(&self->r, "--force", "target=vfs_mkdir", "action=args",
			 "args=1=0 5=0")) TH_LOG("%s", self->r.err);
	EXPECT_STREQ("", self->r.err);
	ASSERT_TRUE(rule_exists("r"));
	ASSERT_LT(0, kfi_rule_get("r", "args", buf, sizeof(buf)));
	EXPECT_STREQ("1=0 5=0", buf);
}

/* Without BTF for the target, add checks nothing and says nothing. */
TEST_F(describe, add_without_btf_checks_nothing)
{
	if (exists("/sys/kernel/btf/kfi_test_target"))
		SKIP(return, "kfi_test_target has BTF here");
	/* kfi_tt_ret(long x, unsigned long *ran) has two parameters. */
	EXPECT_EQ(0, add(&self->r, "target=kfi_tt_ret", "action=args", "args=6=0"))
		TH_LOG("%s", self->r.err);
	EXPECT_STREQ("", self->r.err);
	EXPECT_TRUE(rule_exists("r"));
}

int main(int argc, char **argv)
{
	return kfi_test_main(argc, argv);
}
