// SPDX-License-Identifier: GPL-2.0
/*
 * kfi_sample_cmdline: the smallest useful hotfix. It replaces the kernel's
 * cmdline_proc_show(), the function behind /proc/cmdline, with one that
 * prints a notice instead of the command line.
 *
 * Build it against kfi, the way any hotfix module is built (from the top of
 * kfi's tree, "make samples" does exactly this):
 *
 *   $ make -C /lib/modules/$(uname -r)/build M=$PWD/samples/hotfix \
 *	KBUILD_EXTRA_SYMBOLS=$PWD/Module.symvers ccflags-y=-I$PWD/include
 *
 * Then, as root, with kfi loaded:
 *
 *   # cat /proc/cmdline
 *   console=ttyS0 panic=-1 oops=panic panic_on_warn=1 ...
 *   # insmod samples/hotfix/kfi_sample_cmdline.ko
 *   # cat /proc/cmdline
 *   this has been hotfixed by kfi
 *   # cat /sys/kernel/config/kfi/hotfixes/kfi_sample_cmdline/functions
 *   cmdline_proc_show kfi_sample_cmdline:kfi_sample_cmdline_show applied 1 0
 *
 * While the hotfix is enabled its module cannot be unloaded; switch it off
 * first (the old function is back at once), then unload it:
 *
 *   # rmmod kfi_sample_cmdline
 *   rmmod: can't unload module 'kfi_sample_cmdline': Resource temporarily unavailable
 *   # echo 0 > /sys/kernel/config/kfi/hotfixes/kfi_sample_cmdline/enabled
 *   # cat /proc/cmdline
 *   console=ttyS0 panic=-1 oops=panic panic_on_warn=1 ...
 *   # rmmod kfi_sample_cmdline
 *
 * See Documentation/hotfix.rst.
 */
#include <linux/module.h>
#include <linux/seq_file.h>

#include <kfi/hotfix.h>

/*
 * The replacement has the same prototype as cmdline_proc_show(): every call
 * of the old function runs this one instead, with the same arguments, and
 * returns to the old function's caller. The real one prints
 * saved_command_line, which is not exported to modules; the notice is all
 * this sample needs.
 */
static int kfi_sample_cmdline_show(struct seq_file *m, void *v)
{
	seq_puts(m, "this has been hotfixed by kfi\n");
	return 0;
}

/*
 * Its thunk: kfi redirects each call to it, and it calls the replacement,
 * then tells kfi that the call has left this module. Return type, then the
 * parameters' types, exactly as the replacement has them.
 */
KFI_HOTFIX_THUNK(kfi_sample_cmdline_show, int, struct seq_file *, void *);

/* The functions to replace, ending with an empty entry. */
static struct kfi_hotfix_func kfi_sample_cmdline_funcs[] = {
	KFI_HOTFIX_FUNC("cmdline_proc_show", kfi_sample_cmdline_show),
	{ }
};

static struct kfi_hotfix kfi_sample_cmdline_hotfix = {
	.mod	= THIS_MODULE,
	.funcs	= kfi_sample_cmdline_funcs,
};

/*
 * Registering applies every function at once, or none: if it fails, the
 * kernel log says which function and why, and so does insmod's error.
 */
static int __init kfi_sample_cmdline_init(void)
{
	return kfi_hotfix_register(&kfi_sample_cmdline_hotfix);
}

static void __exit kfi_sample_cmdline_exit(void)
{
	kfi_hotfix_unregister(&kfi_sample_cmdline_hotfix);
}

module_init(kfi_sample_cmdline_init);
module_exit(kfi_sample_cmdline_exit);

MODULE_DESCRIPTION("kfi sample: a hotfix for /proc/cmdline");
MODULE_LICENSE("GPL");
