// SPDX-License-Identifier: GPL-2.0
/*
 * A hotfix for kfi_test_buggy whose replacement of kfi_tb_slow() sleeps
 * until told to return, for the unload-safety tests:
 *
 *   /sys/module/kfi_test_hotfix_sleep/parameters/entered  tasks that
 *	entered the replacement so far (read-only)
 *   /sys/module/kfi_test_hotfix_sleep/parameters/release  write 1: sleepers
 *	return 1 (each also returns after 30 seconds)
 *   /sys/module/kfi_test_hotfix_sleep/parameters/plain  at load: 1 hands the
 *	replacement in without its thunk, and kfi hooks its returns
 *   /sys/module/kfi_test_hotfix_sleep/parameters/fail  at load: 1 makes it a
 *	buggy module, whose init fails once a task has entered the
 *	replacement (or after 10 seconds), its hotfix still registered
 */
#include <linux/atomic.h>
#include <linux/delay.h>
#include <linux/jiffies.h>
#include <linux/module.h>

#include <kfi/hotfix.h>

static int entered;
module_param(entered, int, 0444);
MODULE_PARM_DESC(entered, "tasks that entered the replacement");

static bool plain;
module_param(plain, bool, 0400);
MODULE_PARM_DESC(plain, "1: hand the replacement in without its thunk");

static bool fail;
module_param(fail, bool, 0400);
MODULE_PARM_DESC(fail, "1: fail init, still registered, with a task inside");

static bool release;
module_param(release, bool, 0644);
MODULE_PARM_DESC(release, "1: let sleepers return");

static long kfi_ths_slow(void)
{
	unsigned long until = jiffies + 30 * HZ;

	WRITE_ONCE(entered, READ_ONCE(entered) + 1);
	while (!READ_ONCE(release) && time_before(jiffies, until))
		msleep(20);
	return 1;
}
KFI_HOTFIX_THUNK(kfi_ths_slow, long);

static struct kfi_hotfix_func kfi_ths_funcs[] = {
	KFI_HOTFIX_FUNC("kfi_test_buggy:kfi_tb_slow", kfi_ths_slow),
	{ }
};

static struct kfi_hotfix_func kfi_ths_plain_funcs[] = {
	{ .old_name = "kfi_test_buggy:kfi_tb_slow", .new_func = kfi_ths_slow },
	{ }
};

static struct kfi_hotfix kfi_ths_hotfix = {
	.mod	= THIS_MODULE,
	.funcs	= kfi_ths_funcs,
};

static int __init kfi_ths_init(void)
{
	unsigned long until = jiffies + 10 * HZ;
	int err;

	if (plain)
		kfi_ths_hotfix.funcs = kfi_ths_plain_funcs;
	err = kfi_hotfix_register(&kfi_ths_hotfix);
	if (err || !fail)
		return err;
	while (!READ_ONCE(entered) && time_before(jiffies, until))
		msleep(20);
	return -ENOMEM;	/* the bug: still registered, a task inside */
}

static void __exit kfi_ths_exit(void)
{
	kfi_hotfix_unregister(&kfi_ths_hotfix);
}

module_init(kfi_ths_init);
module_exit(kfi_ths_exit);

MODULE_DESCRIPTION("kfi selftests: a hotfix whose replacement sleeps");
MODULE_LICENSE("GPL");
