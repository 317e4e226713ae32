// SPDX-License-Identifier: GPL-2.0
/*
 * Rules on real kernel functions, hit through real system calls made by
 * real programs: what a user of kfi does first.
 */
#include <sys/utsname.h>

#include "kselftest_harness.h"
#include "kfi_test.h"

FIXTURE(syscall) {
	char dir[64];
};

FIXTURE_SETUP(syscall)
{
	ASSERT_EQ(0, kfi_module_load("kfi"));
	/* A test that timed out may have left it at 0. */
	ASSERT_EQ(0, kfi_write(KFI_CFS "/enabled", "1"));
	kfi_rules_clear();
	snprintf(self->dir, sizeof(self->dir), "/tmp/kfi-syscall.%d", getpid());
	ASSERT_EQ(0, mkdir(self->dir, 0755));
}

FIXTURE_TEARDOWN(syscall)
{
	char cmd[128];

	kfi_rules_clear();
	snprintf(cmd, sizeof(cmd), "rm -rf %s", self->dir);
	EXPECT_EQ(0, system(cmd));
}

/* The system call wrapper's name on this architecture. */
static void syscall_symbol(char *buf, size_t len, const char *name)
{
	struct utsname u;

	uname(&u);
	snprintf(buf, len, "%s_sys_%s",
		 strcmp(u.machine, "aarch64") ? "__x64" : "__arm64", name);
}

/*
 * Two processes call mkdir(2) at the same time; the rule names one of them.
 * Each child reports 0 for success or the errno it got.
 */
TEST_F(syscall, mkdir_fails_for_one_process_only)
{
	pid_t victim, bystander;
	int go[2], status, i;
	char pid[32];

	ASSERT_EQ(0, pipe(go));
	for (i = 0; i < 2; i++) {
		pid_t p = fork();

		ASSERT_LE(0, p);
		if (p == 0) {
			char path[128], c;
			int n, failed = 0;

			close(go[1]);
			if (read(go[0], &c, 1) != 0)
				_exit(100);
			for (n = 0; n < 50; n++) {
				snprintf(path, sizeof(path), "%s/%d.%d",
					 self->dir, getpid(), n);
				if (mkdir(path, 0755)) {
					if (errno != ENOSPC)
						_exit(101);
					failed++;
				}
			}
			/* All 50 failed, or none did. */
			_exit(failed == 50 ? ENOSPC : failed ? 102 : 0);
		}
		if (i == 0)
			victim = p;
		else
			bystander = p;
	}
	close(go[0]);

	snprintf(pid, sizeof(pid), "%d", victim);
	ASSERT_EQ(0, kfi_rule_make("nospace", "target=vfs_mkdir",
				   "retval=-ENOSPC", NULL));
	ASSERT_EQ(0, kfi_rule_set("nospace", "pid", pid));
	ASSERT_EQ(0, kfi_rule_set("nospace", "enabled", "1"));
	close(go[1]);

	ASSERT_EQ(victim, waitpid(victim, &status, 0));
	EXPECT_EQ(ENOSPC, WEXITSTATUS(status))
		TH_LOG("the victim's mkdir: exit %d (0 = succeeded)",
		       WEXITSTATUS(status));
	ASSERT_EQ(bystander, waitpid(bystander, &status, 0));
	EXPECT_EQ(0, WEXITSTATUS(status))
		TH_LOG("the bystander's mkdir: exit %d", WEXITSTATUS(status));
	EXPECT_EQ(50, kfi_rule_long("nospace", "injected"));
	/* The bystander's calls are not the rule's hits. */
	EXPECT_EQ(50, kfi_rule_long("nospace", "hits"));

	/* Disarmed, the victim's calls succeed again. */
	ASSERT_EQ(0, kfi_rule_set("nospace", "enabled", "0"));
	snprintf(pid, sizeof(pid), "%s/after", self->dir);
	EXPECT_EQ(0, mkdir(pid, 0755));
}

TEST_F(syscall, replace_return_value_of_a_system_call)
{
	char target[96];
	pid_t child;
	int status;

	syscall_symbol(target, sizeof(target), "getppid");
	ASSERT_EQ(0, kfi_rule_new("ppid"));
	ASSERT_EQ(0, kfi_rule_set("ppid", "target", target));
	ASSERT_EQ(0, kfi_rule_set("ppid", "action", "replace"));
	ASSERT_EQ(0, kfi_rule_set("ppid", "retval", "4242"));
	ASSERT_EQ(0, kfi_rule_set("ppid", "comm", "kfi-ppid"));
	ASSERT_EQ(0, kfi_rule_set("ppid", "enabled", "1"));

	child = fork();
	ASSERT_LE(0, child);
	if (child == 0) {
		if (kfi_write("/proc/self/comm", "kfi-ppid"))
			_exit(2);
		_exit(syscall(SYS_getppid) == 4242 ? 0 : 1);
	}
	ASSERT_EQ(child, waitpid(child, &status, 0));
	EXPECT_EQ(0, WEXITSTATUS(status)) TH_LOG("getppid() was not replaced");
	EXPECT_NE(4242, getppid()) TH_LOG("another comm's getppid() changed");
	EXPECT_EQ(1, kfi_rule_long("ppid", "injected"));
}

int main(int argc, char **argv)
{
	return kfi_test_main(argc, argv);
}
