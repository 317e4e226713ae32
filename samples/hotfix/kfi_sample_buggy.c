// SPDX-License-Identifier: GPL-2.0
/*
 * kfi_sample_buggy: a module with a bug, for kfi_sample_fix to fix.
 *
 * /proc/kfi_sample_buggy shows the mean of four numbers, computed by
 * kfi_sample_mean(), which has an off-by-one: it leaves the last number out
 * of the sum (and would run far past the array for an empty one).
 *
 *   # modprobe kfi_sample_buggy
 *   # cat /proc/kfi_sample_buggy
 *   mean of 3 5 7 9: 3
 *
 * The right answer is 6. See kfi_sample_fix.c for the hotfix.
 */
#include <linux/module.h>
#include <linux/proc_fs.h>
#include <linux/seq_file.h>

/*
 * noipa: never inlined, cloned or specialized by the compiler, so that every
 * call reaches the symbol kfi_sample_mean that the hotfix names. A real bug
 * rarely sits in such a convenient place: check /proc/kallsyms for the
 * symbol that the calls really reach (Documentation/hotfix.rst).
 */
#define KFI_SAMPLE_NOIPA	__attribute__((__noipa__))

static const unsigned int kfi_sample_values[] = { 3, 5, 7, 9 };

/* The mean of @n values, rounded down. The bug: i < n - 1. */
static KFI_SAMPLE_NOIPA unsigned int kfi_sample_mean(const unsigned int *v,
						     unsigned int n)
{
	unsigned int i, sum = 0;

	for (i = 0; i < n - 1; i++)
		sum += v[i];
	return sum / n;
}

static int kfi_sample_buggy_show(struct seq_file *m, void *unused)
{
	unsigned int n = ARRAY_SIZE(kfi_sample_values);
	unsigned int i;

	seq_puts(m, "mean of");
	for (i = 0; i < n; i++)
		seq_printf(m, " %u", kfi_sample_values[i]);
	seq_printf(m, ": %u\n", kfi_sample_mean(kfi_sample_values, n));
	return 0;
}

static int __init kfi_sample_buggy_init(void)
{
	if (!proc_create_single("kfi_sample_buggy", 0444, NULL,
				kfi_sample_buggy_show))
		return -ENOMEM;
	return 0;
}

static void __exit kfi_sample_buggy_exit(void)
{
	remove_proc_entry("kfi_sample_buggy", NULL);
}

module_init(kfi_sample_buggy_init);
module_exit(kfi_sample_buggy_exit);

MODULE_DESCRIPTION("kfi sample: a module with a bug for kfi_sample_fix");
MODULE_LICENSE("GPL");
