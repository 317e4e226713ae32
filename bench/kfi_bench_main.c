// SPDX-License-Identifier: GPL-2.0
/*
 * kfi's benchmark module (make bench): functions to probe, the bare kprobe
 * mechanisms kfi builds on, and batches of calls timed in the kernel.
 *
 *   /sys/kernel/debug/kfi_bench/probe
 *	write "none", "kprobe", "kprobe_ipmod", "kprobe_int3", "kretprobe",
 *	"kprobe_kretprobe" (both on one function, as kfi puts them for a
 *	return-side rule), "ftrace", "ftrace_ipmod" (an ftrace_ops of this
 *	module's own on the function, with saved registers: the mechanism
 *	under kprobes on ftrace, without them), "hotfix" (kfi_bench_fixed
 *	with its thunk) or "hotfix_plain" (without): removes the current
 *	bare probe (or hotfix), then puts that one in place; read: the
 *	current one.
 *   /sys/kernel/debug/kfi_bench/run
 *	write "FUNC COUNT CPUS": calls FUNC COUNT times in a tight loop with
 *	preemption disabled, timed around the whole batch; FUNC is "trace"
 *	(kfi_bench_target, with an ftrace call site) or "notrace"
 *	(kfi_bench_target_notrace, without: a kprobe there is an int3
 *	probe); CPUS is "one" (this CPU) or "all" (every online CPU at once,
 *	each in a work item, preemption off, timing its own batch);
 *	read: "ns=N calls=C cpus=K ran=R fixed=F": N is the mean of the
 *	CPUs' batch times, R how many times the target's body ran, F how many
 *	times the replacement (kfi_bench_fixed) ran instead.
 *
 *   /sys/kernel/debug/kfi_bench/batch
 *	write "N" (1 to 1023): registers bare kprobes (empty handlers, with a
 *	post-handler, as kfi's) on kfi_bench_f000 to the Nth with one
 *	register_kprobes() call, then removes them with one
 *	unregister_kprobes() call, each timed: the kprobes API's own cost
 *	of arming and disarming N functions at once, the floor under kfi's
 *	control plane. Then the same N functions are added to and removed
 *	from one ftrace_ops (ip-modifying, with saved registers, already
 *	registered on kfi_bench_f3ff) with one ftrace_set_filter_ips() call
 *	each, timed: what the kprobes API does one function at a time, done
 *	for all at once; read: "n=N register_ns=R unregister_ns=U
 *	ftrace_add_ns=A ftrace_remove_ns=D".
 *
 *   /sys/kernel/config/kfi_bench/
 *	mkdir makes a directory with as many attributes as a kfi rule has,
 *	and nothing else: the memory floor of a configfs directory, which
 *	the memory arm measures beside kfi's rules. Its attribute a00 takes
 *	a boolean and does nothing with it: the floor under the disarm
 *	writes.
 *
 * kfi_bench_f000 to kfi_bench_f3ff are 1024 more functions for rules to be
 * armed on (the scaling, control plane and memory arms); nothing calls them.
 * bench/Kbuild generates them (kfi_bench_others.c).
 *
 * Every target is noipa (never inlined, cloned or specialized) and its body
 * counts itself in a per-CPU counter, so that no call can be elided.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/configfs.h>
#include <linux/cpu.h>
#include <linux/debugfs.h>
#include <linux/ftrace.h>
#include <linux/kprobes.h>
#include <linux/ktime.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/percpu.h>
#include <linux/slab.h>
#include <linux/smp.h>
#include <linux/uaccess.h>
#include <linux/workqueue.h>

#include <kfi/hotfix.h>

#include "kfi_bench.h"

#define KFI_BENCH_NOIPA		__attribute__((__noipa__))
#define KFI_BENCH_MAX_CALLS	100000000L

/* Bodies run, and replacement runs, per CPU. */
static DEFINE_PER_CPU(unsigned long, kfi_bench_ran);
static DEFINE_PER_CPU(unsigned long, kfi_bench_fixed_ran);

static KFI_BENCH_NOIPA long kfi_bench_target(long x)
{
	this_cpu_inc(kfi_bench_ran);
	return x + 1;
}

/* No ftrace call site: a kprobe here is a breakpoint (int3, BRK) probe. */
static KFI_BENCH_NOIPA notrace long kfi_bench_target_notrace(long x)
{
	this_cpu_inc(kfi_bench_ran);
	return x + 1;
}

/* Where the hotfix and the bare ip-changing kprobe send the calls. */
static KFI_BENCH_NOIPA notrace long kfi_bench_fixed(long x)
{
	this_cpu_inc(kfi_bench_fixed_ran);
	return x + 2;
}

/*
 * The bare mechanisms. Handlers do nothing but what the arm names, so that
 * their cost is the mechanism's.
 */
static int kfi_bench_pre_empty(struct kprobe *kp, struct pt_regs *regs)
{
	return 0;
}
NOKPROBE_SYMBOL(kfi_bench_pre_empty);

static int kfi_bench_pre_ipmod(struct kprobe *kp, struct pt_regs *regs)
{
	instruction_pointer_set(regs, (unsigned long)kfi_bench_fixed);
	return 1;
}
NOKPROBE_SYMBOL(kfi_bench_pre_ipmod);

/*
 * Empty, but it must exist: without a post_handler a kprobe may be
 * jump-optimized (an optimized probe ignores a changed ip, and is not the
 * breakpoint path this arm measures); on ftrace it declares IPMODIFY.
 */
static void kfi_bench_post_empty(struct kprobe *kp, struct pt_regs *regs,
				 unsigned long flags)
{
}
NOKPROBE_SYMBOL(kfi_bench_post_empty);

static int kfi_bench_ret_empty(struct kretprobe_instance *ri,
			       struct pt_regs *regs)
{
	return 0;
}
NOKPROBE_SYMBOL(kfi_bench_ret_empty);

/*
 * The bare ftrace callbacks: what a probe on ftrace costs without kprobes
 * (no probe lookup, no current_kprobe, no post-handler step). Each takes
 * ftrace's recursion lock, which any real user needs.
 */
static notrace void kfi_bench_ftrace_empty(unsigned long ip,
					   unsigned long parent_ip,
					   struct ftrace_ops *op,
					   struct ftrace_regs *fregs)
{
	int bit = ftrace_test_recursion_trylock(ip, parent_ip);

	if (bit >= 0)
		ftrace_test_recursion_unlock(bit);
}

static notrace void kfi_bench_ftrace_ipmod(unsigned long ip,
					   unsigned long parent_ip,
					   struct ftrace_ops *op,
					   struct ftrace_regs *fregs)
{
	int bit = ftrace_test_recursion_trylock(ip, parent_ip);

	if (bit < 0)
		return;
	instruction_pointer_set(ftrace_get_regs(fregs),
				(unsigned long)kfi_bench_fixed);
	ftrace_test_recursion_unlock(bit);
}

static struct ftrace_ops kfi_bench_fops = {
	.func	= kfi_bench_ftrace_empty,
	.flags	= FTRACE_OPS_FL_SAVE_REGS,
};

static struct ftrace_ops kfi_bench_fops_ipmod = {
	.func	= kfi_bench_ftrace_ipmod,
	.flags	= FTRACE_OPS_FL_SAVE_REGS | FTRACE_OPS_FL_IPMODIFY,
};

/* The batch's: registered on its anchor, kfi_bench_f3ff, while it runs. */
static struct ftrace_ops kfi_bench_fops_batch = {
	.func	= kfi_bench_ftrace_empty,
	.flags	= FTRACE_OPS_FL_SAVE_REGS | FTRACE_OPS_FL_IPMODIFY,
};

/*
 * An ops is used again and again: its filter is replaced (reset) at each
 * use, and freed once, at exit. ftrace_free_filter() frees the filter
 * without forgetting it, so it must be an ops' last call.
 */
static int kfi_bench_ftrace_add(struct ftrace_ops *ops, unsigned long ip)
{
	int err = ftrace_set_filter_ip(ops, ip, 0, 1);

	return err ?: register_ftrace_function(ops);
}

static void kfi_bench_ftrace_remove(struct ftrace_ops *ops)
{
	unregister_ftrace_function(ops);
}

KFI_HOTFIX_THUNK(kfi_bench_fixed, long, long);

/* The hotfix as hotfix.rst writes them, with a thunk. */
static struct kfi_hotfix_func kfi_bench_hotfix_funcs[] = {
	KFI_HOTFIX_FUNC("kfi_bench:kfi_bench_target", kfi_bench_fixed),
	{ }
};

static struct kfi_hotfix kfi_bench_hotfix = {
	.mod	= THIS_MODULE,
	.funcs	= kfi_bench_hotfix_funcs,
};

/* Without the thunk: kfi hooks each redirected call's return. */
static struct kfi_hotfix_func kfi_bench_hotfix_plain_funcs[] = {
	{ .old_name = "kfi_bench:kfi_bench_target", .new_func = kfi_bench_fixed },
	{ }
};

static struct kfi_hotfix kfi_bench_hotfix_plain = {
	.mod	= THIS_MODULE,
	.funcs	= kfi_bench_hotfix_plain_funcs,
};

enum kfi_bench_probe {
	KFI_BENCH_NONE,
	KFI_BENCH_KPROBE,
	KFI_BENCH_KPROBE_IPMOD,
	KFI_BENCH_KPROBE_INT3,
	KFI_BENCH_KRETPROBE,
	KFI_BENCH_KPROBE_KRETPROBE,
	KFI_BENCH_HOTFIX,
	KFI_BENCH_HOTFIX_PLAIN,
	KFI_BENCH_FTRACE,
	KFI_BENCH_FTRACE_IPMOD,
	KFI_BENCH_NR_PROBES,
};

static const char * const kfi_bench_probe_names[KFI_BENCH_NR_PROBES] = {
	[KFI_BENCH_NONE] = "none",
	[KFI_BENCH_KPROBE] = "kprobe",
	[KFI_BENCH_KPROBE_IPMOD] = "kprobe_ipmod",
	[KFI_BENCH_KPROBE_INT3] = "kprobe_int3",
	[KFI_BENCH_KRETPROBE] = "kretprobe",
	[KFI_BENCH_KPROBE_KRETPROBE] = "kprobe_kretprobe",
	[KFI_BENCH_HOTFIX] = "hotfix",
	[KFI_BENCH_HOTFIX_PLAIN] = "hotfix_plain",
	[KFI_BENCH_FTRACE] = "ftrace",
	[KFI_BENCH_FTRACE_IPMOD] = "ftrace_ipmod",
};

/*
 * kfi_bench_mutex serializes the debugfs writes: which probe is in place
 * (@kfi_bench_current, and the kprobe or kretprobe behind it) and the runs.
 * A mutex: registering probes sleeps.
 */
static DEFINE_MUTEX(kfi_bench_mutex);
static enum kfi_bench_probe kfi_bench_current;	/* protected by the mutex */
static struct kprobe kfi_bench_kp;		/* protected by the mutex */
static struct kretprobe kfi_bench_krp;		/* protected by the mutex */

static void kfi_bench_probe_remove(void)
{
	lockdep_assert_held(&kfi_bench_mutex);

	switch (kfi_bench_current) {
	case KFI_BENCH_KPROBE:
	case KFI_BENCH_KPROBE_IPMOD:
	case KFI_BENCH_KPROBE_INT3:
		unregister_kprobe(&kfi_bench_kp);
		break;
	case KFI_BENCH_KRETPROBE:
		unregister_kretprobe(&kfi_bench_krp);
		break;
	case KFI_BENCH_KPROBE_KRETPROBE:
		unregister_kretprobe(&kfi_bench_krp);
		unregister_kprobe(&kfi_bench_kp);
		break;
	case KFI_BENCH_HOTFIX:
		kfi_hotfix_unregister(&kfi_bench_hotfix);
		break;
	case KFI_BENCH_HOTFIX_PLAIN:
		kfi_hotfix_unregister(&kfi_bench_hotfix_plain);
		break;
	case KFI_BENCH_FTRACE:
		kfi_bench_ftrace_remove(&kfi_bench_fops);
		break;
	case KFI_BENCH_FTRACE_IPMOD:
		kfi_bench_ftrace_remove(&kfi_bench_fops_ipmod);
		break;
	default:
		break;
	}
	kfi_bench_current = KFI_BENCH_NONE;
}

static int kfi_bench_kretprobe_add(void)
{
	memset(&kfi_bench_krp, 0, sizeof(kfi_bench_krp));
	kfi_bench_krp.kp.addr = (kprobe_opcode_t *)kfi_bench_target;
	kfi_bench_krp.handler = kfi_bench_ret_empty;
	return register_kretprobe(&kfi_bench_krp);
}

static int kfi_bench_probe_add(enum kfi_bench_probe which)
{
	int err = 0;

	lockdep_assert_held(&kfi_bench_mutex);

	memset(&kfi_bench_kp, 0, sizeof(kfi_bench_kp));
	kfi_bench_kp.addr = (kprobe_opcode_t *)kfi_bench_target;
	switch (which) {
	case KFI_BENCH_NONE:
		break;
	case KFI_BENCH_KPROBE:
		kfi_bench_kp.pre_handler = kfi_bench_pre_empty;
		err = register_kprobe(&kfi_bench_kp);
		break;
	case KFI_BENCH_KPROBE_IPMOD:
		kfi_bench_kp.pre_handler = kfi_bench_pre_ipmod;
		kfi_bench_kp.post_handler = kfi_bench_post_empty;
		err = register_kprobe(&kfi_bench_kp);
		break;
	case KFI_BENCH_KPROBE_INT3:
		kfi_bench_kp.addr = (kprobe_opcode_t *)kfi_bench_target_notrace;
		kfi_bench_kp.pre_handler = kfi_bench_pre_empty;
		kfi_bench_kp.post_handler = kfi_bench_post_empty;
		err = register_kprobe(&kfi_bench_kp);
		break;
	case KFI_BENCH_KRETPROBE:
		err = kfi_bench_kretprobe_add();
		break;
	case KFI_BENCH_KPROBE_KRETPROBE:
		kfi_bench_kp.pre_handler = kfi_bench_pre_empty;
		kfi_bench_kp.post_handler = kfi_bench_post_empty;
		err = register_kprobe(&kfi_bench_kp);
		if (err)
			break;
		err = kfi_bench_kretprobe_add();
		if (err)
			unregister_kprobe(&kfi_bench_kp);
		break;
	case KFI_BENCH_HOTFIX:
		err = kfi_hotfix_register(&kfi_bench_hotfix);
		break;
	case KFI_BENCH_HOTFIX_PLAIN:
		err = kfi_hotfix_register(&kfi_bench_hotfix_plain);
		break;
	case KFI_BENCH_FTRACE:
		err = kfi_bench_ftrace_add(&kfi_bench_fops,
					   (unsigned long)kfi_bench_target);
		break;
	case KFI_BENCH_FTRACE_IPMOD:
		err = kfi_bench_ftrace_add(&kfi_bench_fops_ipmod,
					   (unsigned long)kfi_bench_target);
		break;
	default:
		err = -EINVAL;
		break;
	}
	if (!err)
		kfi_bench_current = which;
	return err;
}

/* One batch: what a CPU measured. */
struct kfi_bench_batch {
	const char *func;
	long count;
	atomic_t *arrived;	/* CPUs at the start line, for "all" */
	unsigned int cpus;
};

/* Each CPU's time for the batch, 0 when it did not run one. */
static DEFINE_PER_CPU(u64, kfi_bench_ns);

static unsigned long kfi_bench_sum(unsigned long __percpu *counter)
{
	unsigned long sum = 0;
	int cpu;

	for_each_possible_cpu(cpu)
		sum += *per_cpu_ptr(counter, cpu);
	return sum;
}

/* The calls, direct (no indirect call, no retpoline), then the time. */
static void kfi_bench_loop(struct kfi_bench_batch *b)
{
	long i, sink = 0;
	u64 t0, t1;

	t0 = ktime_get_ns();
	if (!strcmp(b->func, "notrace")) {
		for (i = 0; i < b->count; i++)
			sink += kfi_bench_target_notrace(i);
	} else {
		for (i = 0; i < b->count; i++)
			sink += kfi_bench_target(i);
	}
	t1 = ktime_get_ns();
	/* The results feed nothing, but the calls are noipa: kept anyway. */
	barrier_data(&sink);
	this_cpu_write(kfi_bench_ns, t1 - t0);
}

/* kfi_bench_loop_all()'s batch and work items, under kfi_bench_mutex. */
static struct kfi_bench_batch *kfi_bench_all;
static DEFINE_PER_CPU(struct work_struct, kfi_bench_work);

/*
 * On every online CPU, in a work item: task context with preemption off,
 * as the batch on one CPU runs (an IPI would run it in an interrupt, on
 * the other CPUs in the idle task's: another path than the one CPU's).
 * Waits for all, then the loop.
 */
static void kfi_bench_loop_all(struct work_struct *work)
{
	struct kfi_bench_batch *b = kfi_bench_all;
	unsigned long spins = 0;

	preempt_disable();
	atomic_inc(b->arrived);
	/* Bounded: a CPU that never arrives costs one slow batch, no hang. */
	while (atomic_read(b->arrived) < b->cpus && ++spins < 100000000UL)
		cpu_relax();
	kfi_bench_loop(b);
	preempt_enable();
}

static void kfi_bench_run(struct kfi_bench_batch *b, bool all, char *res,
			  size_t len)
{
	unsigned long ran0, fixed0;
	atomic_t arrived = ATOMIC_INIT(0);
	unsigned int cpu, n = 0;
	u64 total = 0;

	lockdep_assert_held(&kfi_bench_mutex);
	for_each_possible_cpu(cpu)
		per_cpu(kfi_bench_ns, cpu) = 0;
	ran0 = kfi_bench_sum(&kfi_bench_ran);
	fixed0 = kfi_bench_sum(&kfi_bench_fixed_ran);
	if (all) {
		cpus_read_lock();
		b->arrived = &arrived;
		b->cpus = num_online_cpus();
		kfi_bench_all = b;
		/*
		 * All queued before this CPU's worker may run: woken first, it
		 * could preempt us and spin alone until its bound.
		 */
		preempt_disable();
		for_each_online_cpu(cpu) {
			struct work_struct *work = per_cpu_ptr(&kfi_bench_work, cpu);

			INIT_WORK(work, kfi_bench_loop_all);
			queue_work_on(cpu, system_highpri_wq, work);
		}
		preempt_enable();
		for_each_online_cpu(cpu)
			flush_work(per_cpu_ptr(&kfi_bench_work, cpu));
		kfi_bench_all = NULL;
		cpus_read_unlock();
	} else {
		preempt_disable();
		kfi_bench_loop(b);
		preempt_enable();
	}
	for_each_possible_cpu(cpu) {
		u64 ns = per_cpu(kfi_bench_ns, cpu);

		if (ns) {
			total += ns;
			n++;
		}
	}
	snprintf(res, len, "ns=%llu calls=%ld cpus=%u ran=%lu fixed=%lu\n",
		 n ? div_u64(total, n) : 0, b->count, n,
		 kfi_bench_sum(&kfi_bench_ran) - ran0,
		 kfi_bench_sum(&kfi_bench_fixed_ran) - fixed0);
}

#define KFI_BENCH_RESULT_LEN	160

static int kfi_bench_open(struct inode *inode, struct file *file)
{
	file->private_data = kzalloc(KFI_BENCH_RESULT_LEN, GFP_KERNEL);
	return file->private_data ? 0 : -ENOMEM;
}

static int kfi_bench_release(struct inode *inode, struct file *file)
{
	kfree(file->private_data);
	return 0;
}

static ssize_t kfi_bench_read(struct file *file, char __user *buf, size_t len,
			      loff_t *pos)
{
	const char *res = file->private_data;

	return simple_read_from_buffer(buf, len, pos, res, strlen(res));
}

/* Copies a write into @buf, without surrounding blanks. */
static char *kfi_bench_input(const char __user *ubuf, size_t len, char *buf,
			     size_t size)
{
	if (len >= size)
		return ERR_PTR(-EINVAL);
	if (copy_from_user(buf, ubuf, len))
		return ERR_PTR(-EFAULT);
	buf[len] = '\0';
	return strim(buf);
}

static ssize_t kfi_bench_probe_write(struct file *file,
				     const char __user *ubuf, size_t len,
				     loff_t *pos)
{
	char buf[32], *s = kfi_bench_input(ubuf, len, buf, sizeof(buf));
	int which, err;

	if (IS_ERR(s))
		return PTR_ERR(s);
	which = match_string(kfi_bench_probe_names, KFI_BENCH_NR_PROBES, s);
	if (which < 0)
		return which;
	mutex_lock(&kfi_bench_mutex);
	kfi_bench_probe_remove();
	err = kfi_bench_probe_add(which);
	snprintf(file->private_data, KFI_BENCH_RESULT_LEN, "%s\n",
		 kfi_bench_probe_names[kfi_bench_current]);
	mutex_unlock(&kfi_bench_mutex);
	return err ?: len;
}

static ssize_t kfi_bench_run_write(struct file *file, const char __user *ubuf,
				   size_t len, loff_t *pos)
{
	char buf[64], *s = kfi_bench_input(ubuf, len, buf, sizeof(buf));
	char *func, *count, *cpus;
	struct kfi_bench_batch b = {};
	int err;

	if (IS_ERR(s))
		return PTR_ERR(s);
	func = strsep(&s, " ");
	count = strsep(&s, " ");
	cpus = s;
	if (!count || !cpus ||
	    (strcmp(func, "trace") && strcmp(func, "notrace")) ||
	    (strcmp(cpus, "one") && strcmp(cpus, "all")))
		return -EINVAL;
	b.func = func;
	err = kstrtol(count, 0, &b.count);
	if (err)
		return err;
	if (b.count < 1 || b.count > KFI_BENCH_MAX_CALLS)
		return -ERANGE;
	mutex_lock(&kfi_bench_mutex);
	kfi_bench_run(&b, !strcmp(cpus, "all"), file->private_data,
		      KFI_BENCH_RESULT_LEN);
	mutex_unlock(&kfi_bench_mutex);
	return len;
}


/*
 * The ftrace side of a batch: N functions added to the batch's ftrace_ops,
 * already registered on the last of them, in one call, and removed in one.
 */
static int kfi_bench_batch_ftrace(int n, u64 *add_ns, u64 *remove_ns)
{
	unsigned long *ips;
	u64 t0, t1, t2;
	int err;

	ips = kmemdup(kfi_bench_others, n * sizeof(*ips), GFP_KERNEL);
	if (!ips)
		return -ENOMEM;
	err = kfi_bench_ftrace_add(&kfi_bench_fops_batch,
				   kfi_bench_others[KFI_BENCH_NR_OTHERS - 1]);
	if (err)
		goto out;
	t0 = ktime_get_ns();
	err = ftrace_set_filter_ips(&kfi_bench_fops_batch, ips, n, 0, 0);
	t1 = ktime_get_ns();
	if (!err)
		err = ftrace_set_filter_ips(&kfi_bench_fops_batch, ips, n, 1, 0);
	t2 = ktime_get_ns();
	kfi_bench_ftrace_remove(&kfi_bench_fops_batch);
	*add_ns = t1 - t0;
	*remove_ns = t2 - t1;
out:
	kfree(ips);
	return err;
}

/*
 * N bare kprobes on N functions, registered and removed in one call each.
 * Under kfi_bench_mutex only to keep the runs apart.
 */
static int kfi_bench_batch(int n, char *res, size_t len)
{
	struct kprobe *kps, **kpp;
	char (*names)[KSYM_NAME_LEN];
	u64 t0, t1, t2, add_ns, remove_ns;
	int i, err = -ENOMEM;

	kps = kcalloc(n, sizeof(*kps), GFP_KERNEL);
	kpp = kcalloc(n, sizeof(*kpp), GFP_KERNEL);
	names = kcalloc(n, sizeof(*names), GFP_KERNEL);
	if (!kps || !kpp || !names)
		goto out;
	for (i = 0; i < n; i++) {
		snprintf(names[i], sizeof(names[i]), "kfi_bench:kfi_bench_f%03x",
			 i);
		kps[i].symbol_name = names[i];
		kps[i].pre_handler = kfi_bench_pre_empty;
		kps[i].post_handler = kfi_bench_post_empty;
		kpp[i] = &kps[i];
	}
	t0 = ktime_get_ns();
	err = register_kprobes(kpp, n);
	t1 = ktime_get_ns();
	if (err)
		goto out;
	unregister_kprobes(kpp, n);
	t2 = ktime_get_ns();
	err = kfi_bench_batch_ftrace(n, &add_ns, &remove_ns);
	if (err)
		goto out;
	snprintf(res, len,
		 "n=%d register_ns=%llu unregister_ns=%llu ftrace_add_ns=%llu ftrace_remove_ns=%llu\n",
		 n, t1 - t0, t2 - t1, add_ns, remove_ns);
out:
	kfree(names);
	kfree(kpp);
	kfree(kps);
	return err;
}

static ssize_t kfi_bench_batch_write(struct file *file,
				     const char __user *ubuf, size_t len,
				     loff_t *pos)
{
	char buf[16], *s = kfi_bench_input(ubuf, len, buf, sizeof(buf));
	int n, err;

	if (IS_ERR(s))
		return PTR_ERR(s);
	err = kstrtoint(s, 10, &n);
	if (err)
		return err;
	/* The last function is the ftrace batch's anchor. */
	if (n < 1 || n >= KFI_BENCH_NR_OTHERS)
		return -ERANGE;
	mutex_lock(&kfi_bench_mutex);
	err = kfi_bench_batch(n, file->private_data, KFI_BENCH_RESULT_LEN);
	mutex_unlock(&kfi_bench_mutex);
	return err ?: len;
}

static const struct file_operations kfi_bench_batch_fops = {
	.owner		= THIS_MODULE,
	.open		= kfi_bench_open,
	.release	= kfi_bench_release,
	.read		= kfi_bench_read,
	.write		= kfi_bench_batch_write,
	.llseek		= default_llseek,
};

static const struct file_operations kfi_bench_probe_fops = {
	.owner		= THIS_MODULE,
	.open		= kfi_bench_open,
	.release	= kfi_bench_release,
	.read		= kfi_bench_read,
	.write		= kfi_bench_probe_write,
	.llseek		= default_llseek,
};

static const struct file_operations kfi_bench_run_fops = {
	.owner		= THIS_MODULE,
	.open		= kfi_bench_open,
	.release	= kfi_bench_release,
	.read		= kfi_bench_read,
	.write		= kfi_bench_run_write,
	.llseek		= default_llseek,
};

/*
 * The memory floor: a configfs directory with KFI_BENCH_NR_ATTRS attributes,
 * as many as a rule (configfs/rules.c), each read as "0". The first takes
 * a boolean and does nothing with it: the floor under a rule's "enabled"
 * writes.
 */
#define KFI_BENCH_NR_ATTRS	18

static ssize_t kfi_bench_attr_show(struct config_item *item, char *page)
{
	return sprintf(page, "0\n");
}

static ssize_t kfi_bench_attr_store(struct config_item *item,
				    const char *page, size_t count)
{
	bool on;
	int err = kstrtobool(page, &on);

	return err ?: count;
}

static char kfi_bench_attr_names[KFI_BENCH_NR_ATTRS][4];
static struct configfs_attribute kfi_bench_attr[KFI_BENCH_NR_ATTRS];
static struct configfs_attribute *kfi_bench_attrs[KFI_BENCH_NR_ATTRS + 1];

static void kfi_bench_item_release(struct config_item *item)
{
	kfree(item);
}

static struct configfs_item_operations kfi_bench_item_ops = {
	.release	= kfi_bench_item_release,
};

static const struct config_item_type kfi_bench_item_type = {
	.ct_item_ops	= &kfi_bench_item_ops,
	.ct_attrs	= kfi_bench_attrs,
	.ct_owner	= THIS_MODULE,
};

static struct config_item *kfi_bench_make_item(struct config_group *group,
					       const char *name)
{
	struct config_item *item = kzalloc(sizeof(*item), GFP_KERNEL);

	if (!item)
		return ERR_PTR(-ENOMEM);
	config_item_init_type_name(item, name, &kfi_bench_item_type);
	return item;
}

static struct configfs_group_operations kfi_bench_group_ops = {
	.make_item	= kfi_bench_make_item,
};

static const struct config_item_type kfi_bench_root_type = {
	.ct_group_ops	= &kfi_bench_group_ops,
	.ct_owner	= THIS_MODULE,
};

static struct configfs_subsystem kfi_bench_subsys = {
	.su_group = {
		.cg_item = {
			.ci_namebuf	= "kfi_bench",
			.ci_type	= &kfi_bench_root_type,
		},
	},
};

static struct dentry *kfi_bench_dir;

static int __init kfi_bench_init(void)
{
	int i, err;

	for (i = 0; i < KFI_BENCH_NR_ATTRS; i++) {
		snprintf(kfi_bench_attr_names[i], sizeof(kfi_bench_attr_names[i]),
			 "a%02d", i);
		kfi_bench_attr[i].ca_name = kfi_bench_attr_names[i];
		kfi_bench_attr[i].ca_owner = THIS_MODULE;
		kfi_bench_attr[i].ca_mode = 0400;
		kfi_bench_attr[i].show = kfi_bench_attr_show;
		if (!i) {
			kfi_bench_attr[i].ca_mode = 0600;
			kfi_bench_attr[i].store = kfi_bench_attr_store;
		}
		kfi_bench_attrs[i] = &kfi_bench_attr[i];
	}
	config_group_init(&kfi_bench_subsys.su_group);
	mutex_init(&kfi_bench_subsys.su_mutex);
	err = configfs_register_subsystem(&kfi_bench_subsys);
	if (err)
		return err;

	kfi_bench_dir = debugfs_create_dir("kfi_bench", NULL);
	debugfs_create_file("probe", 0600, kfi_bench_dir, NULL,
			    &kfi_bench_probe_fops);
	debugfs_create_file("run", 0600, kfi_bench_dir, NULL,
			    &kfi_bench_run_fops);
	debugfs_create_file("batch", 0600, kfi_bench_dir, NULL,
			    &kfi_bench_batch_fops);
	return 0;
}

static void __exit kfi_bench_exit(void)
{
	debugfs_remove(kfi_bench_dir);
	mutex_lock(&kfi_bench_mutex);
	kfi_bench_probe_remove();
	mutex_unlock(&kfi_bench_mutex);
	ftrace_free_filter(&kfi_bench_fops);
	ftrace_free_filter(&kfi_bench_fops_ipmod);
	ftrace_free_filter(&kfi_bench_fops_batch);
	configfs_unregister_subsystem(&kfi_bench_subsys);
}

module_init(kfi_bench_init);
module_exit(kfi_bench_exit);

MODULE_DESCRIPTION("kfi benchmark: targets, bare kprobes, timed batches");
MODULE_LICENSE("GPL");
