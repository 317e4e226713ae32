// SPDX-License-Identifier: GPL-2.0
/*
 * Functions for kfi's selftests to aim rules at, callable from user space.
 *
 *   /sys/kernel/debug/kfi_test_target/call
 *	write "FUNC ARG..." calls FUNC once in the writer's context;
 *	read  "ret=R ran=N": what it returned, how many times its body ran.
 *   /sys/kernel/debug/kfi_test_target/loop
 *	write "FUNC COUNT X" calls FUNC(X) COUNT times in a loop;
 *	read  "calls=C differed=D ran=N": how many results were not X (the
 *	unmodified result), how many times the body ran.
 *   /sys/kernel/debug/kfi_test_target/irq
 *	as "call", the call made in hard interrupt context (irq_work).
 *   /sys/kernel/debug/kfi_test_target/block
 *	write "hold" or "release": whether kfi_tt_block() calls wait;
 *	read  "inside=N": how many calls are inside kfi_tt_block().
 *
 * With init_hold=1, the module's init holds (as "hold" does, for at most
 * 20 s) once its files are there, until "release" is written to "block";
 * it then returns what kfi_tt_init_step(), an __init function, returns (0):
 * a test can arm a rule on init text while the module is coming.
 *
 * Results are kept per open file, so that concurrent tests do not see each
 * other's. Every function is noipa (never inlined, cloned or specialized), so
 * each call reaches the symbol a probe sits on.
 */
#include <linux/completion.h>
#include <linux/debugfs.h>
#include <linux/delay.h>
#include <linux/irq_work.h>
#include <linux/fs.h>
#include <linux/kernel.h>
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <linux/wait.h>

#define KFI_TT_NOIPA	__attribute__((__noipa__))

/* Every function increments *ran when its body runs. */
static KFI_TT_NOIPA long kfi_tt_ret(long x, unsigned long *ran)
{
	(*ran)++;
	return x;
}

static KFI_TT_NOIPA long kfi_tt_ret2(long x, unsigned long *ran)
{
	(*ran)++;
	return x;
}

/* No ftrace call site: a kprobe here is an int3 probe. */
static KFI_TT_NOIPA notrace long kfi_tt_ret_notrace(long x, unsigned long *ran)
{
	(*ran)++;
	return x;
}

/* Two distinct direct callers of kfi_tt_ret(), for the caller filter. */
static KFI_TT_NOIPA long kfi_tt_caller_a(long x, unsigned long *ran)
{
	long r = kfi_tt_ret(x, ran);

	barrier();	/* no tail call: kfi_tt_ret() returns here */
	return r;
}

static KFI_TT_NOIPA long kfi_tt_caller_b(long x, unsigned long *ran)
{
	long r = kfi_tt_ret(x, ran);

	barrier();
	return r;
}

/* Sleeps for x milliseconds. */
static KFI_TT_NOIPA long kfi_tt_sleep(long x, unsigned long *ran)
{
	(*ran)++;
	msleep(x);
	return x;
}

/* kfi_tt_block()'s callers wait on kfi_tt_block_wq while not released. */
static atomic_t kfi_tt_inside = ATOMIC_INIT(0);
static bool kfi_tt_released = true;
static DECLARE_WAIT_QUEUE_HEAD(kfi_tt_block_wq);

/* Waits until released (see "block"), for at most x milliseconds. */
static KFI_TT_NOIPA long kfi_tt_block(long x, unsigned long *ran)
{
	(*ran)++;
	atomic_inc(&kfi_tt_inside);
	wait_event_timeout(kfi_tt_block_wq, READ_ONCE(kfi_tt_released),
			   msecs_to_jiffies(x));
	atomic_dec(&kfi_tt_inside);
	return x;
}

/* Six arguments, each a decimal digit of the result: a + 10 b + ... */
static KFI_TT_NOIPA long kfi_tt_args(long a, long b, long c, long d, long e,
				     long f, unsigned long *ran)
{
	(*ran)++;
	return a + 10 * b + 100 * c + 1000 * d + 10000 * e + 100000 * f;
}

typedef long (*kfi_tt_fn)(long x, unsigned long *ran);

static const struct {
	const char *name;
	kfi_tt_fn fn;
} kfi_tt_funcs[] = {
	{ "kfi_tt_ret", kfi_tt_ret },
	{ "kfi_tt_ret2", kfi_tt_ret2 },
	{ "kfi_tt_ret_notrace", kfi_tt_ret_notrace },
	{ "kfi_tt_caller_a", kfi_tt_caller_a },
	{ "kfi_tt_caller_b", kfi_tt_caller_b },
	{ "kfi_tt_sleep", kfi_tt_sleep },
	{ "kfi_tt_block", kfi_tt_block },
};

static kfi_tt_fn kfi_tt_lookup(const char *name)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(kfi_tt_funcs); i++)
		if (!strcmp(name, kfi_tt_funcs[i].name))
			return kfi_tt_funcs[i].fn;
	return NULL;
}

#define KFI_TT_RESULT_LEN	96

static int kfi_tt_open(struct inode *inode, struct file *file)
{
	file->private_data = kzalloc(KFI_TT_RESULT_LEN, GFP_KERNEL);
	return file->private_data ? 0 : -ENOMEM;
}

static int kfi_tt_release(struct inode *inode, struct file *file)
{
	kfree(file->private_data);
	return 0;
}

static ssize_t kfi_tt_read(struct file *file, char __user *buf, size_t len,
			   loff_t *pos)
{
	const char *res = file->private_data;

	return simple_read_from_buffer(buf, len, pos, res, strlen(res));
}

/* Splits "FUNC N1 N2 ..." into FUNC and up to @max numbers. */
static int kfi_tt_parse(const char __user *ubuf, size_t len, char *name,
			long *nums, int max)
{
	char buf[128], *s, *tok;
	int n = 0;

	if (len >= sizeof(buf))
		return -EINVAL;
	if (copy_from_user(buf, ubuf, len))
		return -EFAULT;
	buf[len] = '\0';
	s = strim(buf);
	tok = strsep(&s, " ");
	if (strscpy(name, tok, 32) < 0)
		return -EINVAL;
	while ((tok = strsep(&s, " ")) != NULL) {
		if (!*tok)
			continue;
		if (n == max || kstrtol(tok, 0, &nums[n]))
			return -EINVAL;
		n++;
	}
	return n;
}

static ssize_t kfi_tt_call_write(struct file *file, const char __user *ubuf,
				 size_t len, loff_t *pos)
{
	unsigned long ran = 0;
	long args[6], ret;
	char name[32];
	kfi_tt_fn fn;
	int n;

	n = kfi_tt_parse(ubuf, len, name, args, ARRAY_SIZE(args));
	if (n < 0)
		return n;
	if (!strcmp(name, "kfi_tt_args")) {
		if (n != 6)
			return -EINVAL;
		ret = kfi_tt_args(args[0], args[1], args[2], args[3], args[4],
				  args[5], &ran);
	} else {
		fn = kfi_tt_lookup(name);
		if (!fn || n != 1)
			return -EINVAL;
		ret = fn(args[0], &ran);
	}
	snprintf(file->private_data, KFI_TT_RESULT_LEN, "ret=%ld ran=%lu\n",
		 ret, ran);
	return len;
}

/* A call in hard interrupt context, waited for by the writer. */
struct kfi_tt_irq_call {
	struct irq_work work;
	struct completion done;
	kfi_tt_fn fn;
	long x, ret;
	unsigned long ran;
};

static void kfi_tt_irq_fn(struct irq_work *work)
{
	struct kfi_tt_irq_call *c =
		container_of(work, struct kfi_tt_irq_call, work);

	c->ret = c->fn(c->x, &c->ran);
	complete(&c->done);
}

static ssize_t kfi_tt_irq_write(struct file *file, const char __user *ubuf,
				size_t len, loff_t *pos)
{
	struct kfi_tt_irq_call c = { };
	char name[32];
	long args[1];
	int n;

	n = kfi_tt_parse(ubuf, len, name, args, ARRAY_SIZE(args));
	if (n < 0)
		return n;
	c.fn = kfi_tt_lookup(name);
	if (!c.fn || c.fn == kfi_tt_sleep || c.fn == kfi_tt_block || n != 1)
		return -EINVAL;
	c.x = args[0];
	init_completion(&c.done);
	init_irq_work(&c.work, kfi_tt_irq_fn);
	irq_work_queue(&c.work);
	wait_for_completion(&c.done);
	irq_work_sync(&c.work);		/* done with c, on this stack */
	snprintf(file->private_data, KFI_TT_RESULT_LEN, "ret=%ld ran=%lu\n",
		 c.ret, c.ran);
	return len;
}

static ssize_t kfi_tt_loop_write(struct file *file, const char __user *ubuf,
				 size_t len, loff_t *pos)
{
	unsigned long ran = 0, differed = 0;
	long args[2], i;
	char name[32];
	kfi_tt_fn fn;
	int n;

	n = kfi_tt_parse(ubuf, len, name, args, ARRAY_SIZE(args));
	if (n < 0)
		return n;
	fn = kfi_tt_lookup(name);
	if (!fn || n != 2 || args[0] < 0 || args[0] > 100000000)
		return -EINVAL;
	for (i = 0; i < args[0]; i++) {
		if (fn(args[1], &ran) != args[1])
			differed++;
		cond_resched();
	}
	snprintf(file->private_data, KFI_TT_RESULT_LEN,
		 "calls=%ld differed=%lu ran=%lu\n", args[0], differed, ran);
	return len;
}

static ssize_t kfi_tt_block_read(struct file *file, char __user *buf,
				 size_t len, loff_t *pos)
{
	char res[32];
	int n;

	n = scnprintf(res, sizeof(res), "inside=%d\n",
		      atomic_read(&kfi_tt_inside));
	return simple_read_from_buffer(buf, len, pos, res, n);
}

static ssize_t kfi_tt_block_write(struct file *file,
				  const char __user *ubuf, size_t len,
				  loff_t *pos)
{
	char buf[16];

	if (len >= sizeof(buf))
		return -EINVAL;
	if (copy_from_user(buf, ubuf, len))
		return -EFAULT;
	buf[len] = '\0';
	if (!strcmp(strim(buf), "hold")) {
		WRITE_ONCE(kfi_tt_released, false);
	} else if (!strcmp(strim(buf), "release")) {
		WRITE_ONCE(kfi_tt_released, true);
		wake_up_all(&kfi_tt_block_wq);
	} else {
		return -EINVAL;
	}
	return len;
}

static const struct file_operations kfi_tt_block_fops = {
	.owner		= THIS_MODULE,
	.read		= kfi_tt_block_read,
	.write		= kfi_tt_block_write,
	.llseek		= default_llseek,
};

static const struct file_operations kfi_tt_call_fops = {
	.owner		= THIS_MODULE,
	.open		= kfi_tt_open,
	.release	= kfi_tt_release,
	.read		= kfi_tt_read,
	.write		= kfi_tt_call_write,
	.llseek		= default_llseek,
};

static const struct file_operations kfi_tt_irq_fops = {
	.owner		= THIS_MODULE,
	.open		= kfi_tt_open,
	.release	= kfi_tt_release,
	.read		= kfi_tt_read,
	.write		= kfi_tt_irq_write,
	.llseek		= default_llseek,
};

static const struct file_operations kfi_tt_loop_fops = {
	.owner		= THIS_MODULE,
	.open		= kfi_tt_open,
	.release	= kfi_tt_release,
	.read		= kfi_tt_read,
	.write		= kfi_tt_loop_write,
	.llseek		= default_llseek,
};

static struct dentry *kfi_tt_dir;

static bool init_hold;
module_param(init_hold, bool, 0);
MODULE_PARM_DESC(init_hold, "wait in init until \"release\" is written to block");

static KFI_TT_NOIPA int __init kfi_tt_init_step(void)
{
	return 0;
}

static int __init kfi_tt_init(void)
{
	int err;

	if (init_hold)
		WRITE_ONCE(kfi_tt_released, false);
	kfi_tt_dir = debugfs_create_dir("kfi_test_target", NULL);
	debugfs_create_file("call", 0600, kfi_tt_dir, NULL, &kfi_tt_call_fops);
	debugfs_create_file("loop", 0600, kfi_tt_dir, NULL, &kfi_tt_loop_fops);
	debugfs_create_file("block", 0600, kfi_tt_dir, NULL, &kfi_tt_block_fops);
	debugfs_create_file("irq", 0600, kfi_tt_dir, NULL, &kfi_tt_irq_fops);
	wait_event_timeout(kfi_tt_block_wq, READ_ONCE(kfi_tt_released),
			   20 * HZ);
	WRITE_ONCE(kfi_tt_released, true);
	err = kfi_tt_init_step();
	if (err)
		debugfs_remove(kfi_tt_dir);
	return err;
}

static void __exit kfi_tt_exit(void)
{
	debugfs_remove(kfi_tt_dir);
}

module_init(kfi_tt_init);
module_exit(kfi_tt_exit);

MODULE_DESCRIPTION("kfi selftests: functions to inject into");
MODULE_LICENSE("GPL");
