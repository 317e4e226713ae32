// SPDX-License-Identifier: GPL-2.0
/*
 * The foundation: kfi.ko loads and unloads, its configfs tree is in place,
 * and the test target module answers the way every other test relies on.
 */
#include <sys/utsname.h>

#include "kselftest_harness.h"
#include "kfi_test.h"

FIXTURE(base) {
};

FIXTURE_SETUP(base)
{
	ASSERT_EQ(0, kfi_module_load("kfi")) TH_LOG("modprobe kfi failed");
	/* A test that timed out may have left it at 0. */
	ASSERT_EQ(0, kfi_write(KFI_CFS "/enabled", "1"));
}

FIXTURE_TEARDOWN(base)
{
	kfi_rules_clear();
	EXPECT_EQ(0, kfi_module_load("kfi"));
}

static int dir_entries(const char *path)
{
	DIR *d = opendir(path);
	struct dirent *e;
	int n = 0;

	if (!d)
		return -errno;
	while ((e = readdir(d)) != NULL)
		if (e->d_name[0] != '.')
			n++;
	closedir(d);
	return n;
}

TEST_F(base, configfs_tree)
{
	struct stat st;

	ASSERT_EQ(0, stat(KFI_CFS, &st));
	EXPECT_TRUE(S_ISDIR(st.st_mode));
	EXPECT_EQ(0, dir_entries(KFI_CFS "/rules"));
	EXPECT_EQ(0, dir_entries(KFI_CFS "/hotfixes"));
	EXPECT_EQ(0, stat(KFI_CFS "/features", &st));
	EXPECT_EQ(0, stat(KFI_CFS "/enabled", &st));
	EXPECT_EQ(0, stat(KFI_CFS "/version", &st));
}

TEST_F(base, features_readable)
{
	struct utsname u;
	char buf[1024], want[64];

	ASSERT_LT(0, kfi_read(KFI_CFS "/features", buf, sizeof(buf)));
	EXPECT_NE(NULL, strstr(buf, "actions: return replace args"))
		TH_LOG("features: %s", buf);
	EXPECT_NE(NULL, strstr(buf, "filters: "));
	ASSERT_EQ(0, uname(&u));
	snprintf(want, sizeof(want), "arch: %s",
		 strcmp(u.machine, "aarch64") ? u.machine : "arm64");
	EXPECT_NE(NULL, strstr(buf, want)) TH_LOG("features: %s", buf);
}

TEST_F(base, features_read_only)
{
	EXPECT_EQ(-EACCES, kfi_write(KFI_CFS "/features", "x"));
	EXPECT_EQ(-EACCES, kfi_write(KFI_CFS "/version", "1"));
}

TEST_F(base, version)
{
	char buf[64];
	int a, b, c, n;
	char end;

	ASSERT_LT(0, kfi_read(KFI_CFS "/version", buf, sizeof(buf)));
	n = sscanf(buf, "%d.%d.%d%c", &a, &b, &c, &end);
	EXPECT_EQ(3, n) TH_LOG("version: '%s'", buf);
}

TEST_F(base, hotfixes_not_made_by_mkdir)
{
	EXPECT_EQ(-1, mkdir(KFI_CFS "/hotfixes/x", 0755));
	EXPECT_EQ(EPERM, errno);
}

TEST_F(base, unload_and_reload)
{
	struct stat st;

	ASSERT_EQ(0, kfi_module_unload("kfi"));
	EXPECT_FALSE(kfi_module_loaded("kfi"));
	EXPECT_EQ(-1, stat(KFI_CFS, &st));
	ASSERT_EQ(0, kfi_module_load("kfi"));
	EXPECT_EQ(0, stat(KFI_RULES, &st));
	EXPECT_EQ(0, dir_entries(KFI_RULES));
}

TEST_F(base, unload_refused_while_rules_exist)
{
	ASSERT_EQ(0, kfi_rule_new("held"));
	EXPECT_EQ(-EWOULDBLOCK, kfi_module_unload("kfi"));
	EXPECT_TRUE(kfi_module_loaded("kfi"));
	ASSERT_EQ(0, kfi_rule_rm("held"));
	EXPECT_EQ(0, kfi_module_unload("kfi"));
}

TEST(target_call)
{
	unsigned long ran;
	long ret;

	ASSERT_EQ(0, kfi_tt("kfi_tt_ret", 42, &ret, &ran));
	EXPECT_EQ(42, ret);
	EXPECT_EQ(1, ran);
	ASSERT_EQ(0, kfi_tt("kfi_tt_caller_a", -7, &ret, &ran));
	EXPECT_EQ(-7, ret);
	EXPECT_EQ(1, ran);
	ASSERT_EQ(0, kfi_tt_call("kfi_tt_args 1 2 3 4 5 6", &ret, &ran));
	EXPECT_EQ(654321, ret);
	EXPECT_EQ(1, ran);
}

TEST(target_call_bad_input)
{
	unsigned long ran;
	long ret;

	EXPECT_EQ(-EINVAL, kfi_tt("no_such_function", 1, &ret, &ran));
	EXPECT_EQ(-EINVAL, kfi_tt_call("kfi_tt_args 1 2", &ret, &ran));
	EXPECT_EQ(-EINVAL, kfi_tt_call("kfi_tt_ret x", &ret, &ran));
}

TEST(target_loop)
{
	struct kfi_tt_loop res;

	ASSERT_EQ(0, kfi_tt_loop("kfi_tt_ret", 1000, 7, &res));
	EXPECT_EQ(1000, res.calls);
	EXPECT_EQ(0, res.differed);
	EXPECT_EQ(1000, res.ran);
	ASSERT_EQ(0, kfi_tt_loop("kfi_tt_ret_notrace", 10, 3, &res));
	EXPECT_EQ(10, res.ran);
}

int main(int argc, char **argv)
{
	return kfi_test_main(argc, argv);
}
