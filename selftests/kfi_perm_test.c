// SPDX-License-Identifier: GPL-2.0
/*
 * Who may do what: a process without privileges (uid and gid 65534, no
 * supplementary groups, hence no capabilities) cannot create, change, arm,
 * disarm or remove rules, flip the global switch, or switch or unload a
 * hotfix (EACCES, EPERM for rmmod); it cannot read a rule's or a hotfix's
 * attributes either (0600 and 0400: their counters count every process's
 * calls, pid and comm name the processes under test). It can read kfi's
 * own enabled, features and version, and list the rule and hotfix names.
 */
#include <grp.h>

#include "kselftest_harness.h"
#include "kfi_test.h"

#define NOBODY		65534
#define HF_DIR		KFI_CFS "/hotfixes/kfi_test_hotfix"

/* Room for the names of every attribute of one directory. */
#define MAX_ATTRS	32

struct attrs {
	int n;
	char path[MAX_ATTRS][256];
};

/*
 * Every attribute of directory @dir, whatever kfi adds later: a new one
 * gets the same checks. Returns how many.
 */
static int attrs_of(const char *dir, struct attrs *a)
{
	DIR *d = opendir(dir);
	struct dirent *e;

	a->n = 0;
	if (!d)
		return 0;
	while ((e = readdir(d)) != NULL && a->n < MAX_ATTRS)
		if (e->d_type == DT_REG)
			snprintf(a->path[a->n++], sizeof(a->path[0]), "%s/%s",
				 dir, e->d_name);
	closedir(d);
	return a->n;
}

/*
 * Runs @fn(@arg) in a child process as uid and gid 65534 without
 * supplementary groups. Returns what @fn returned (an errno, 0 for
 * success), or -1 if dropping privileges failed.
 */
static int as_nobody(int (*fn)(const char *arg), const char *arg)
{
	int status;
	pid_t pid = fork();

	if (pid < 0)
		return -1;
	if (pid == 0) {
		if (setgroups(0, NULL) || setgid(NOBODY) || setuid(NOBODY) ||
		    geteuid() != NOBODY)
			_exit(255);
		_exit(fn(arg));
	}
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) ||
	    WEXITSTATUS(status) == 255)
		return -1;
	return WEXITSTATUS(status);
}

static int do_mkdir(const char *path)
{
	return mkdir(path, 0755) ? errno : 0;
}

static int do_rmdir(const char *path)
{
	return rmdir(path) ? errno : 0;
}

static int do_open_write(const char *path)
{
	int fd = open(path, O_WRONLY);

	if (fd < 0)
		return errno;
	close(fd);
	return 0;
}

static int do_read(const char *path)
{
	char buf[4096];
	int n = kfi_read(path, buf, sizeof(buf));

	return n < 0 ? -n : 0;
}

static int do_list(const char *path)
{
	DIR *d = opendir(path);

	if (!d)
		return errno;
	while (readdir(d))
		;
	closedir(d);
	return 0;
}

static int do_rmmod(const char *name)
{
	return syscall(SYS_delete_module, name, O_NONBLOCK) ? errno : 0;
}

static const char *errname(int err)
{
	return err < 0 ? "could not run as nobody" : err ? strerror(err) : "success";
}

/* Expects @fn(@arg) as nobody to end in @want (an errno, or 0). */
static void expect_nobody(struct __test_metadata *_metadata, int want,
			  int (*fn)(const char *arg), const char *name,
			  const char *arg)
{
	int err = as_nobody(fn, arg);

	EXPECT_EQ(want, err) TH_LOG("%s(%s) as uid %d: %s, expected %s", name,
				    arg, NOBODY, errname(err), errname(want));
}

#define EXPECT_NOBODY(want, fn, arg)	expect_nobody(_metadata, want, fn, #fn, arg)

FIXTURE(perm) {
};

FIXTURE_SETUP(perm)
{
	ASSERT_EQ(0, kfi_module_load("kfi"));
	ASSERT_EQ(0, kfi_module_load("kfi_test_target"));
	ASSERT_EQ(0, kfi_module_load("kfi_test_buggy"));
	kfi_rules_clear();
	ASSERT_EQ(0, kfi_write(KFI_CFS "/enabled", "1"));
	if (!kfi_module_loaded("kfi_test_hotfix"))
		ASSERT_EQ(0, kfi_module_insmod("kfi_test_hotfix", NULL));
	ASSERT_EQ(0, kfi_rule_make("idle", "target=kfi_tt_ret", NULL));
	ASSERT_EQ(0, kfi_rule_make("armed", "target=kfi_tt_ret2", "enabled=1",
				   NULL));
	/* The child must not be able to do anything only through root. */
	ASSERT_EQ(0, geteuid()) TH_LOG("these tests run as root");
}

FIXTURE_TEARDOWN(perm)
{
	kfi_rules_clear();
	kfi_write(HF_DIR "/enabled", "0");
	for (int i = 0; i < 500 && kfi_module_unload("kfi_test_hotfix"); i++)
		usleep(10000);
	EXPECT_FALSE(kfi_module_loaded("kfi_test_hotfix"));
}

TEST_F(perm, nobody_cannot_create_rules)
{
	struct stat st;

	EXPECT_NOBODY(EACCES, do_mkdir, KFI_RULES "/mine");
	EXPECT_EQ(-1, stat(KFI_RULES "/mine", &st));
}

TEST_F(perm, nobody_cannot_remove_rules)
{
	struct stat st;

	EXPECT_NOBODY(EACCES, do_rmdir, KFI_RULES "/idle");
	EXPECT_NOBODY(EACCES, do_rmdir, KFI_RULES "/armed");
	EXPECT_EQ(0, stat(KFI_RULES "/idle", &st));
	EXPECT_EQ(0, stat(KFI_RULES "/armed", &st));
	EXPECT_EQ(1, kfi_rule_long("armed", "enabled"));
}

TEST_F(perm, nobody_cannot_change_rules)
{
	struct attrs a;

	ASSERT_LE(17, attrs_of(KFI_RULES "/idle", &a));
	for (int i = 0; i < a.n; i++)
		EXPECT_NOBODY(EACCES, do_open_write, a.path[i]);
	ASSERT_LE(17, attrs_of(KFI_RULES "/armed", &a));
	for (int i = 0; i < a.n; i++)
		EXPECT_NOBODY(EACCES, do_open_write, a.path[i]);
	EXPECT_EQ(0, kfi_rule_long("idle", "enabled"));
	EXPECT_EQ(1, kfi_rule_long("armed", "enabled"));
}

TEST_F(perm, nobody_cannot_flip_the_global_switch)
{
	EXPECT_NOBODY(EACCES, do_open_write, KFI_CFS "/enabled");
	EXPECT_EQ(1, kfi_read_long(KFI_CFS "/enabled"));
}

TEST_F(perm, nobody_cannot_change_or_unload_hotfixes)
{
	struct attrs a;

	ASSERT_LE(3, attrs_of(HF_DIR, &a));
	for (int i = 0; i < a.n; i++)
		EXPECT_NOBODY(EACCES, do_open_write, a.path[i]);
	EXPECT_NOBODY(EACCES, do_mkdir, KFI_CFS "/hotfixes/mine");
	EXPECT_NOBODY(EACCES, do_rmdir, HF_DIR);
	EXPECT_NOBODY(EPERM, do_rmmod, "kfi_test_hotfix");
	EXPECT_NOBODY(EPERM, do_rmmod, "kfi");
	EXPECT_EQ(1, kfi_read_long(HF_DIR "/enabled"));
	EXPECT_TRUE(kfi_module_loaded("kfi_test_hotfix"));
}

TEST_F(perm, nobody_cannot_read_rules)
{
	struct attrs a;

	ASSERT_LE(17, attrs_of(KFI_RULES "/armed", &a));
	for (int i = 0; i < a.n; i++)
		EXPECT_NOBODY(EACCES, do_read, a.path[i]);
}

TEST_F(perm, nobody_cannot_read_hotfixes)
{
	struct attrs a;

	ASSERT_LE(3, attrs_of(HF_DIR, &a));
	for (int i = 0; i < a.n; i++)
		EXPECT_NOBODY(EACCES, do_read, a.path[i]);
}

TEST_F(perm, nobody_can_read_what_kfi_is)
{
	EXPECT_NOBODY(0, do_read, KFI_CFS "/enabled");
	EXPECT_NOBODY(0, do_read, KFI_CFS "/features");
	EXPECT_NOBODY(0, do_read, KFI_CFS "/version");
}

TEST_F(perm, nobody_can_list_rule_and_hotfix_names)
{
	EXPECT_NOBODY(0, do_list, KFI_CFS);
	EXPECT_NOBODY(0, do_list, KFI_RULES);
	EXPECT_NOBODY(0, do_list, KFI_RULES "/armed");
	EXPECT_NOBODY(0, do_list, KFI_CFS "/hotfixes");
}

/* The modes Documentation/ABI/testing/configfs-kfi gives. */
TEST_F(perm, attribute_modes)
{
	static const struct {
		const char *path;
		mode_t mode;
	} want[] = {
		{ KFI_CFS "/enabled", 0644 },
		{ KFI_CFS "/features", 0444 },
		{ KFI_CFS "/version", 0444 },
		{ KFI_RULES "/idle/target", 0600 },
		{ KFI_RULES "/idle/enabled", 0600 },
		{ KFI_RULES "/idle/verbose", 0600 },
		{ KFI_RULES "/idle/hits", 0400 },
		{ KFI_RULES "/idle/injected", 0400 },
		{ KFI_RULES "/idle/status", 0400 },
		{ HF_DIR "/enabled", 0600 },
		{ HF_DIR "/functions", 0400 },
		{ HF_DIR "/calls", 0400 },
	};
	static const char * const dirs[] = { KFI_RULES "/idle", HF_DIR };
	struct stat st;
	struct attrs a;

	for (size_t i = 0; i < ARRAY_SIZE(want); i++) {
		ASSERT_EQ(0, stat(want[i].path, &st)) TH_LOG("%s", want[i].path);
		EXPECT_EQ(want[i].mode, st.st_mode & 07777)
			TH_LOG("%s: mode %o, expected %o", want[i].path,
			       st.st_mode & 07777, want[i].mode);
		EXPECT_EQ(0, st.st_uid) TH_LOG("%s: owner %d", want[i].path,
					       st.st_uid);
	}
	/* Any attribute of a rule or hotfix, also one added later. */
	for (size_t d = 0; d < ARRAY_SIZE(dirs); d++) {
		ASSERT_LE(3, attrs_of(dirs[d], &a));
		for (int i = 0; i < a.n; i++) {
			ASSERT_EQ(0, stat(a.path[i], &st));
			EXPECT_TRUE((st.st_mode & 07777) == 0600 ||
				    (st.st_mode & 07777) == 0400)
				TH_LOG("%s: mode %o, expected 0600 or 0400 (KFI_CONFIGFS_ATTR)",
				       a.path[i], st.st_mode & 07777);
		}
	}
}

int main(int argc, char **argv)
{
	return kfi_test_main(argc, argv);
}
