// SPDX-License-Identifier: GPL-2.0
/*
 * kfi_sample_fix: a hotfix for the bug in kfi_sample_buggy, a module.
 *
 * kfi_sample_buggy's kfi_sample_mean() leaves the last value out of the
 * sum. This module redirects it to a correct version, without reloading
 * kfi_sample_buggy:
 *
 *   # cat /proc/kfi_sample_buggy
 *   mean of 3 5 7 9: 3
 *   # modprobe kfi_sample_fix
 *   # cat /proc/kfi_sample_buggy
 *   mean of 3 5 7 9: 6
 *   # cd /sys/kernel/config/kfi/hotfixes/kfi_sample_fix
 *   # cat functions calls
 *   kfi_sample_buggy:kfi_sample_mean kfi_sample_fix:kfi_sample_fixed_mean applied 1 0
 *   1
 *
 * The function is named "kfi_sample_buggy:kfi_sample_mean", module and
 * symbol, so the hotfix may be loaded before kfi_sample_buggy, and stays
 * across its reloads: while kfi_sample_buggy is not loaded the function's
 * state is "waiting", and it is applied again as soon as the module loads:
 *
 *   # rmmod kfi_sample_buggy
 *   # cat functions
 *   kfi_sample_buggy:kfi_sample_mean kfi_sample_fix:kfi_sample_fixed_mean waiting 1 0
 *   # modprobe kfi_sample_buggy
 *   # cat /proc/kfi_sample_buggy
 *   mean of 3 5 7 9: 6
 *
 * To take the fix back: "echo 0 > enabled" (the bug is back at once), then
 * rmmod kfi_sample_fix, which fails while the hotfix is enabled.
 */
#include <linux/module.h>

#include <kfi/hotfix.h>

/*
 * Same prototype as kfi_sample_mean(). It must not call kfi_sample_mean():
 * that call would be redirected here again.
 */
static unsigned int kfi_sample_fixed_mean(const unsigned int *v,
					  unsigned int n)
{
	unsigned int i, sum = 0;

	if (!n)
		return 0;
	for (i = 0; i < n; i++)
		sum += v[i];
	return sum / n;
}
KFI_HOTFIX_THUNK(kfi_sample_fixed_mean, unsigned int, const unsigned int *,
		 unsigned int);

static struct kfi_hotfix_func kfi_sample_fix_funcs[] = {
	KFI_HOTFIX_FUNC("kfi_sample_buggy:kfi_sample_mean",
			kfi_sample_fixed_mean),
	{ }
};

static struct kfi_hotfix kfi_sample_fix_hotfix = {
	.mod	= THIS_MODULE,
	.funcs	= kfi_sample_fix_funcs,
};

static int __init kfi_sample_fix_init(void)
{
	return kfi_hotfix_register(&kfi_sample_fix_hotfix);
}

static void __exit kfi_sample_fix_exit(void)
{
	kfi_hotfix_unregister(&kfi_sample_fix_hotfix);
}

module_init(kfi_sample_fix_init);
module_exit(kfi_sample_fix_exit);

MODULE_DESCRIPTION("kfi sample: a hotfix for kfi_sample_buggy");
MODULE_LICENSE("GPL");
