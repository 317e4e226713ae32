// SPDX-License-Identifier: GPL-2.0
/*
 * Hotfix for kfi_test_buggy: kfi_tb_answer() answers 42, kfi_tb_sum() adds.
 * It names the functions as "kfi_test_buggy:...", so it may be loaded
 * before kfi_test_buggy and stays across that module's reloads.
 */
#include <linux/module.h>

#include <kfi/hotfix.h>

static long kfi_th_answer(void)
{
	return 42;
}

static long kfi_th_sum(long a, long b)
{
	return a + b;
}

static struct kfi_hotfix_func kfi_th_funcs[] = {
	{ .old_name = "kfi_test_buggy:kfi_tb_answer", .new_func = kfi_th_answer },
	{ .old_name = "kfi_test_buggy:kfi_tb_sum", .new_func = kfi_th_sum },
	{ }
};

static struct kfi_hotfix kfi_th_hotfix = {
	.mod	= THIS_MODULE,
	.funcs	= kfi_th_funcs,
};

static int __init kfi_th_init(void)
{
	return kfi_hotfix_register(&kfi_th_hotfix);
}

static void __exit kfi_th_exit(void)
{
	kfi_hotfix_unregister(&kfi_th_hotfix);
}

module_init(kfi_th_init);
module_exit(kfi_th_exit);

MODULE_DESCRIPTION("kfi selftests: a hotfix for kfi_test_buggy");
MODULE_LICENSE("GPL");
