// SPDX-License-Identifier: GPL-2.0
/*
 * Another ftrace user that may change the instruction pointer in
 * kfi_test_target's kfi_tt_ret(), as a livepatch does: ftrace lets one such
 * user per function, so while this is loaded kfi cannot probe it there
 * (EBUSY). Its handler changes nothing. Load kfi_test_target first.
 */
#include <linux/ftrace.h>
#include <linux/module.h>
#include <linux/string.h>

static void kfi_tip_func(unsigned long ip, unsigned long parent_ip,
			 struct ftrace_ops *op, struct ftrace_regs *fregs)
{
}

static struct ftrace_ops kfi_tip_ops = {
	.func	= kfi_tip_func,
	.flags	= FTRACE_OPS_FL_SAVE_REGS | FTRACE_OPS_FL_IPMODIFY,
};

static int __init kfi_tip_init(void)
{
	static unsigned char name[] = "kfi_tt_ret";
	int err;

	err = ftrace_set_filter(&kfi_tip_ops, name, strlen(name), 1);
	if (err)
		return err;
	err = register_ftrace_function(&kfi_tip_ops);
	if (err)
		ftrace_free_filter(&kfi_tip_ops);
	return err;
}

static void __exit kfi_tip_exit(void)
{
	unregister_ftrace_function(&kfi_tip_ops);
	ftrace_free_filter(&kfi_tip_ops);
}

module_init(kfi_tip_init);
module_exit(kfi_tip_exit);

MODULE_DESCRIPTION("kfi selftests: an ip-modifying ftrace user");
MODULE_LICENSE("GPL");
