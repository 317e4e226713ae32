// SPDX-License-Identifier: GPL-2.0
/*
 * A second hotfix for kfi_test_buggy, for the all-or-nothing tests: it
 * redirects kfi_tb_answer() (to answer 43) and the function named by the
 * parameter "second", by default one that does not exist.
 *
 * The parameter "bad" makes it a buggy hotfix module: "init" and "data"
 * hand in a replacement that is __init text or data, "fail" fails its init
 * after the hotfix was registered, without unregistering it, "twice"
 * registers it twice and fails with the second registration's error,
 * "thunk", "inflight" and "thunkdata" hand in a thunk without its count, a
 * count without its thunk, and a thunk that is data. "pad" makes
 * the second name longer than a parameter can be: "+" and that many zeros
 * (offset 0) after it.
 */
#include <linux/errno.h>
#include <linux/module.h>
#include <linux/percpu.h>
#include <linux/slab.h>
#include <linux/string.h>

#include <kfi/hotfix.h>

static char *second = "kfi_tb_no_such_function";
module_param(second, charp, 0400);
MODULE_PARM_DESC(second, "the second function to redirect");

static char *bad = "";
module_param(bad, charp, 0400);
MODULE_PARM_DESC(bad, "init, data, fail, twice, thunk, inflight or thunkdata: what to get wrong");

static int pad;
module_param(pad, int, 0400);
MODULE_PARM_DESC(pad, "zeros of offset to add to the second name");

static char *kfi_th2_padded;
static long kfi_th2_data = 43;
static DEFINE_PER_CPU(unsigned long, kfi_th2_inflight);

static long __init kfi_th2_init_answer(void)
{
	return 43;
}

static long kfi_th2_answer(void)
{
	return 43;
}

static long kfi_th2_second(void)
{
	return 0;
}

static struct kfi_hotfix_func kfi_th2_funcs[] = {
	{ .old_name = "kfi_test_buggy:kfi_tb_answer", .new_func = kfi_th2_answer },
	{ .new_func = kfi_th2_second },
	{ }
};

static struct kfi_hotfix kfi_th2_hotfix = {
	.mod	= THIS_MODULE,
	.funcs	= kfi_th2_funcs,
};

static int __init kfi_th2_init(void)
{
	int err;

	kfi_th2_funcs[1].old_name = second;
	if (pad > 0) {
		size_t len = strlen(second);

		kfi_th2_padded = kzalloc(len + 2 + pad, GFP_KERNEL);
		if (!kfi_th2_padded)
			return -ENOMEM;
		memcpy(kfi_th2_padded, second, len);
		kfi_th2_padded[len] = '+';
		memset(kfi_th2_padded + len + 1, '0', pad);
		kfi_th2_funcs[1].old_name = kfi_th2_padded;
	}
	if (!strcmp(bad, "init"))
		kfi_th2_funcs[0].new_func = kfi_th2_init_answer;
	else if (!strcmp(bad, "data"))
		kfi_th2_funcs[0].new_func = &kfi_th2_data;
	if (!strcmp(bad, "thunk") || !strcmp(bad, "thunkdata"))
		kfi_th2_funcs[0].thunk = kfi_th2_answer;
	if (!strcmp(bad, "thunkdata"))
		kfi_th2_funcs[0].thunk = &kfi_th2_data;
	if (!strcmp(bad, "inflight") || !strcmp(bad, "thunkdata"))
		kfi_th2_funcs[0].inflight = &kfi_th2_inflight;
	err = kfi_hotfix_register(&kfi_th2_hotfix);
	if (!err && !strcmp(bad, "twice")) {
		err = kfi_hotfix_register(&kfi_th2_hotfix) ?: -EINVAL;
		kfi_hotfix_unregister(&kfi_th2_hotfix);
	}
	if (err)
		kfree(kfi_th2_padded);
	else if (!strcmp(bad, "fail"))
		return -ENOMEM;	/* the bug: still registered */
	return err;
}

static void __exit kfi_th2_exit(void)
{
	kfi_hotfix_unregister(&kfi_th2_hotfix);
	kfree(kfi_th2_padded);
}

module_init(kfi_th2_init);
module_exit(kfi_th2_exit);

MODULE_DESCRIPTION("kfi selftests: a hotfix that may not apply");
MODULE_LICENSE("GPL");
