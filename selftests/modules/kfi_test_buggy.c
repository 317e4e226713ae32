// SPDX-License-Identifier: GPL-2.0
/*
 * A deliberately buggy module for kfi's hotfix selftests.
 *
 *   /sys/kernel/debug/kfi_test_buggy/answer  read: kfi_tb_answer(), 41 (bug:
 *					      42 is right)
 *   /sys/kernel/debug/kfi_test_buggy/sum     read: kfi_tb_sum(2, 3), -1 (bug:
 *					      it subtracts)
 *   /sys/kernel/debug/kfi_test_buggy/slow    read: kfi_tb_slow(), 0
 *   /sys/kernel/debug/kfi_test_buggy/many    read: kfi_tb_many() of 1..11,
 *					      385 (bug: 11 * 11 left out, 506
 *					      is right)
 *   /sys/kernel/debug/kfi_test_buggy/loop    write N: calls kfi_tb_answer()
 *					      N times; read "fixed=F buggy=B
 *					      other=O irq=I", per open file
 *   /sys/kernel/debug/kfi_test_buggy/irq     the same, each call made in a
 *					      hard interrupt (an irq_work); I
 *					      counts the calls that were
 *
 * The functions are noipa (never inlined, cloned or specialized), so every
 * call reaches the symbol that a hotfix names.
 */
#include <linux/debugfs.h>
#include <linux/fs.h>
#include <linux/irq_work.h>
#include <linux/kernel.h>
#include <linux/module.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#define KFI_TB_NOIPA	__attribute__((__noipa__))

static KFI_TB_NOIPA long kfi_tb_answer(void)
{
	return 41;
}

static KFI_TB_NOIPA long kfi_tb_sum(long a, long b)
{
	return a - b;
}

static KFI_TB_NOIPA long kfi_tb_slow(void)
{
	return 0;
}

/*
 * Twelve arguments, the most a hotfix thunk takes: some are passed on the
 * stack (beyond six on x86_64, eight on arm64). It stores the sum of
 * i * a<i>, which is largest, of all the orders the arguments could arrive
 * in, when none is out of place.
 */
static KFI_TB_NOIPA void kfi_tb_many(long *out, long a1, long a2, long a3,
				     long a4, long a5, long a6, long a7,
				     long a8, long a9, long a10, long a11)
{
	*out = a1 + 2 * a2 + 3 * a3 + 4 * a4 + 5 * a5 + 6 * a6 + 7 * a7 +
	       8 * a8 + 9 * a9 + 10 * a10;
}

static int kfi_tb_many_show(struct seq_file *m, void *v)
{
	long out = 0;

	kfi_tb_many(&out, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11);
	seq_printf(m, "%ld\n", out);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(kfi_tb_many);

static int kfi_tb_show(struct seq_file *m, void *v)
{
	long (*fn)(void) = m->private;

	if (fn)
		seq_printf(m, "%ld\n", fn());
	else
		seq_printf(m, "%ld\n", kfi_tb_sum(2, 3));
	return 0;
}

static int kfi_tb_open(struct inode *inode, struct file *file)
{
	return single_open(file, kfi_tb_show, inode->i_private);
}

static const struct file_operations kfi_tb_fops = {
	.owner		= THIS_MODULE,
	.open		= kfi_tb_open,
	.read		= seq_read,
	.llseek		= seq_lseek,
	.release	= single_release,
};

#define KFI_TB_RESULT_LEN	96

static int kfi_tb_loop_open(struct inode *inode, struct file *file)
{
	file->private_data = kzalloc(KFI_TB_RESULT_LEN, GFP_KERNEL);
	return file->private_data ? 0 : -ENOMEM;
}

static int kfi_tb_loop_release(struct inode *inode, struct file *file)
{
	kfree(file->private_data);
	return 0;
}

static ssize_t kfi_tb_loop_read(struct file *file, char __user *buf,
				size_t len, loff_t *pos)
{
	const char *res = file->private_data;

	return simple_read_from_buffer(buf, len, pos, res, strlen(res));
}

/* One call of kfi_tb_answer() in a hard interrupt. */
struct kfi_tb_irq_call {
	struct irq_work work;
	long answer;
	bool in_irq;
};

static void kfi_tb_irq_fn(struct irq_work *work)
{
	struct kfi_tb_irq_call *c = container_of(work, struct kfi_tb_irq_call,
						 work);

	c->answer = kfi_tb_answer();
	c->in_irq = in_hardirq();
}

/* The "irq" file's private data: its calls are made in interrupts. */
static char kfi_tb_in_irq;

static long kfi_tb_call(bool in_irq, bool *was_irq)
{
	struct kfi_tb_irq_call c = { .work = IRQ_WORK_INIT_HARD(kfi_tb_irq_fn) };

	if (!in_irq) {
		*was_irq = in_hardirq();
		return kfi_tb_answer();
	}
	irq_work_queue(&c.work);
	irq_work_sync(&c.work);
	*was_irq = c.in_irq;
	return c.answer;
}

static ssize_t kfi_tb_loop_write(struct file *file, const char __user *ubuf,
				 size_t len, loff_t *pos)
{
	unsigned long fixed = 0, buggy = 0, other = 0, irq = 0, i, n;
	bool in_irq = file_inode(file)->i_private == &kfi_tb_in_irq;
	bool was_irq;
	int err;

	err = kstrtoul_from_user(ubuf, len, 0, &n);
	if (err)
		return err;
	if (n > 100000000)
		return -EINVAL;
	for (i = 0; i < n; i++) {
		switch (kfi_tb_call(in_irq, &was_irq)) {
		case 42:
			fixed++;
			break;
		case 41:
			buggy++;
			break;
		default:
			other++;
		}
		irq += was_irq;
		cond_resched();
	}
	snprintf(file->private_data, KFI_TB_RESULT_LEN,
		 "fixed=%lu buggy=%lu other=%lu irq=%lu\n", fixed, buggy,
		 other, irq);
	return len;
}

static const struct file_operations kfi_tb_loop_fops = {
	.owner		= THIS_MODULE,
	.open		= kfi_tb_loop_open,
	.release	= kfi_tb_loop_release,
	.read		= kfi_tb_loop_read,
	.write		= kfi_tb_loop_write,
	.llseek		= default_llseek,
};

static struct dentry *kfi_tb_dir;

static int __init kfi_tb_init(void)
{
	kfi_tb_dir = debugfs_create_dir("kfi_test_buggy", NULL);
	debugfs_create_file("answer", 0400, kfi_tb_dir, kfi_tb_answer,
			    &kfi_tb_fops);
	debugfs_create_file("sum", 0400, kfi_tb_dir, NULL, &kfi_tb_fops);
	debugfs_create_file("slow", 0400, kfi_tb_dir, kfi_tb_slow,
			    &kfi_tb_fops);
	debugfs_create_file("many", 0400, kfi_tb_dir, NULL, &kfi_tb_many_fops);
	debugfs_create_file("loop", 0600, kfi_tb_dir, NULL, &kfi_tb_loop_fops);
	debugfs_create_file("irq", 0600, kfi_tb_dir, &kfi_tb_in_irq,
			    &kfi_tb_loop_fops);
	return 0;
}

static void __exit kfi_tb_exit(void)
{
	debugfs_remove(kfi_tb_dir);
}

module_init(kfi_tb_init);
module_exit(kfi_tb_exit);

MODULE_DESCRIPTION("kfi selftests: a module with bugs for hotfixes to fix");
MODULE_LICENSE("GPL");
