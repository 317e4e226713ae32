// SPDX-License-Identifier: GPL-2.0
/*
 * Hotfix for kfi_test_buggy: kfi_tb_answer() answers 42, kfi_tb_sum() adds,
 * kfi_tb_many() counts its last argument. It names the functions as
 * "kfi_test_buggy:...", so it may be loaded before kfi_test_buggy and stays
 * across that module's reloads.
 *
 * The replacements have thunks (KFI_HOTFIX_FUNC()); with the parameter
 * "plain" set they are handed in alone, and kfi hooks their returns.
 */
#include <linux/module.h>

#include <kfi/hotfix.h>

static bool plain;
module_param(plain, bool, 0400);
MODULE_PARM_DESC(plain, "1: hand the replacements in without their thunks");

static long kfi_th_answer(void)
{
	return 42;
}
KFI_HOTFIX_THUNK(kfi_th_answer, long);

static long kfi_th_sum(long a, long b)
{
	return a + b;
}
KFI_HOTFIX_THUNK(kfi_th_sum, long, long, long);

static void kfi_th_many(long *out, long a1, long a2, long a3, long a4,
			long a5, long a6, long a7, long a8, long a9, long a10,
			long a11)
{
	*out = a1 + 2 * a2 + 3 * a3 + 4 * a4 + 5 * a5 + 6 * a6 + 7 * a7 +
	       8 * a8 + 9 * a9 + 10 * a10 + 11 * a11;
}
KFI_HOTFIX_THUNK(kfi_th_many, void, long *, long, long, long, long, long,
		 long, long, long, long, long, long);

static struct kfi_hotfix_func kfi_th_funcs[] = {
	KFI_HOTFIX_FUNC("kfi_test_buggy:kfi_tb_answer", kfi_th_answer),
	KFI_HOTFIX_FUNC("kfi_test_buggy:kfi_tb_sum", kfi_th_sum),
	KFI_HOTFIX_FUNC("kfi_test_buggy:kfi_tb_many", kfi_th_many),
	{ }
};

static struct kfi_hotfix_func kfi_th_plain_funcs[] = {
	{ .old_name = "kfi_test_buggy:kfi_tb_answer", .new_func = kfi_th_answer },
	{ .old_name = "kfi_test_buggy:kfi_tb_sum", .new_func = kfi_th_sum },
	{ .old_name = "kfi_test_buggy:kfi_tb_many", .new_func = kfi_th_many },
	{ }
};

static struct kfi_hotfix kfi_th_hotfix = {
	.mod	= THIS_MODULE,
	.funcs	= kfi_th_funcs,
};

static int __init kfi_th_init(void)
{
	if (plain)
		kfi_th_hotfix.funcs = kfi_th_plain_funcs;
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
