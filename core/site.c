// SPDX-License-Identifier: GPL-2.0
/*
 * Probe sites: one per target function, whatever and however many things
 * are attached to it, so that kfi never puts two probes of its own that
 * change the instruction pointer on one function.
 *
 * A site has an entry probe while something attached acts at the entry (on
 * arm64, also beside a kretprobe alone: see kfi_site_needs_entry()), and a
 * kretprobe while something attached wants to see returns. Sites whose
 * function lives in a module follow that module: its unloading unregisters the probes (the
 * site is then "waiting"), and its loading registers them again, so that
 * attachments survive a module's reload without their owners doing anything.
 *
 *   kfi_sites ── site (module, name) ── attached: a0 → a1 → ... (RCU)
 *                  ├── entry probe → entry callbacks, in (group, key) order
 *                  └── kretprobe   → want_ret at entry (if any), ret at return
 *
 * The entry probe is one of two mechanisms:
 *
 *  - kfi's own ftrace_ops, for a site without return attachments whose
 *    function has an ftrace call site at its entry: one ops for every such
 *    site, which finds the site by the call site's address. It costs a call
 *    about half of what a kprobe on ftrace does (a tenth on arm64, where
 *    kprobes are breakpoints), and a batch of sites is removed from it in
 *    one ftrace update;
 *  - a kprobe otherwise: on functions without an ftrace call site, and on
 *    sites with a kretprobe too, in one aggregate: the entry handler must
 *    run right after the kretprobe's entry handler when it has one (see
 *    kfi_ret_pending), and a call an entry callback diverts must have its
 *    return hooked, or not, the same way every time.
 *
 * The probes a site has follow what its attachments need (its shape: see
 * kfi_site_fits()). When an attachment needs more than the site has, the
 * site's probes are registered again in the new shape (calls during the
 * move are not probed, and returns hooked before it are not seen): a
 * kretprobe added beside an entry kprobe is the one move that loses
 * nothing. What is no longer needed is left to the reaper; a site goes back
 * to ftrace only when an attachment comes to it while nothing is attached.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/ftrace.h>
#include <linux/hashtable.h>
#include <linux/kprobes.h>
#include <linux/list.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/rculist.h>
#include <linux/rcupdate.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/workqueue.h>

#include "arch/kfi_arch.h"
#include "core/core.h"

struct kfi_site_ret;

struct kfi_site {
	struct list_head node;		/* in kfi_sites */
	struct list_head attached;	/* kfi_attach.node, sorted, RCU */
	bool live;			/* probes registered */
	bool kp_live;			/* @kp registered */
	bool ret_live;			/* kretprobe registered */
	unsigned int nr_entry;		/* attachments with an entry callback */
	unsigned int nr_ret;		/* ... with a ret callback */
	unsigned int nr_want;		/* ... with ret and want_ret */
	unsigned int nr_ret_all;	/* ... with ret, without want_ret */
	unsigned long ftrace_ip;	/* on kfi_ftrace_ops here, or 0 (RCU) */
	bool kprobe_only;		/* kfi_ftrace_ops cannot have it */
	struct hlist_node ftrace_node;	/* in kfi_ftrace_sites (RCU) */
	struct kprobe kp;		/* when not on ftrace */
	struct kfi_site_ret *ret;	/* allocated when first needed */
	char module[MODULE_NAME_LEN];	/* "" for vmlinux */
	char name[];			/* sized to fit: thousands of sites */
};

/* Most sites never watch returns: their kretprobe is apart. */
struct kfi_site_ret {
	struct kretprobe krp;
	struct kfi_site *site;
	unsigned long missed;		/* by the kretprobes before @krp */
};

/*
 * What the kretprobe's entry handler leaves for its return handler: for each
 * group, the attachment whose @ret runs at this call's return.
 */
struct kfi_ret_data {
	struct {
		struct kfi_attach *a;
		u64 id;
		unsigned long data;	/* the attachment's, for its @ret */
	} slot[KFI_NR_GROUPS];
};

/*
 * The return slots of the call whose entry this CPU is handling, from the
 * kretprobe's entry handler to the kprobe's, which run back to back in one
 * probe hit (the kretprobe's first: it is always registered after the
 * kprobe, and kprobes put the newest probe at the head of the aggregate).
 * Probe handlers do not nest on a CPU. @site is set whenever the kretprobe's
 * entry handler ran, @data only when a return was hooked.
 *
 * Another tool's probe that changes the instruction pointer, registered
 * between kfi's kprobe and kretprobe (the kretprobe comes with the site's
 * first return attachment), ends a hit before kfi's kprobe: what is left
 * here is then an earlier call's, and @data is believed only when it hooked
 * this call (kfi_arch_kretprobe_hooked_here()).
 */
struct kfi_ret_pending {
	struct kfi_site *site;
	struct kfi_ret_data *data;
};

static DEFINE_PER_CPU(struct kfi_ret_pending, kfi_ret_pending);

/*
 * The hot sections (see __kfi_hot) are page-aligned, so the module loader
 * starts each on a page; core/site.o, the first of kfi.ko's objects with
 * hot code, adds no padding.
 */
asm(".pushsection .text.kfi_hot, \"ax\"\n\t.balign 4096\n\t.popsection");
asm(".pushsection .text.kfi_hot_ret, \"ax\"\n\t.balign 4096\n\t.popsection");

/*
 * See core.h. A kfi probe hit taken while a kfi entry handler runs on this
 * CPU (in a function a callback calls, such as the random number generator
 * behind a rule's probability, or in an interrupt taken during a handler on
 * ftrace, which runs with interrupts on) is skipped, as kprobes skip a probe
 * hit while one of their handlers runs: a rule cannot act on kfi's own
 * decisions, and the per-CPU state of a hit is never overwritten by another.
 */
DEFINE_PER_CPU(u8, kfi_hit);

/* Starts handling a hit that came @how; false: one is being handled. */
static nokprobe_inline bool kfi_hit_enter(u8 how)
{
	if (__this_cpu_read(kfi_hit) != KFI_HIT_NONE)
		return false;
	__this_cpu_write(kfi_hit, how);
	return true;
}

static nokprobe_inline void kfi_hit_exit(void)
{
	__this_cpu_write(kfi_hit, KFI_HIT_NONE);
}

static nokprobe_inline u8 kfi_hit_how(struct kprobe *kp)
{
	return kprobe_ftrace(kp) ? KFI_HIT_FTRACE : KFI_HIT_EXCEPTION;
}

/*
 * kfi_core_mutex protects kfi_sites, every site's fields and attachment list
 * (the writers' side), and kfi_next_id. A mutex because registering and
 * unregistering probes sleeps. Probe handlers never take it: they walk a
 * site's attachment list under RCU (kprobe handlers run with preemption
 * disabled), and a detached attachment is only handed back to its owner
 * after a grace period.
 */
static DEFINE_MUTEX(kfi_core_mutex);
static LIST_HEAD(kfi_sites);
static u64 kfi_next_id;

/*
 * kfi_probe_mutex serializes kfi's registering and unregistering of probes
 * (kprobes, kretprobes, kfi_ftrace_ops' filter), and is taken before
 * kfi_core_mutex. The reaper holds it alone while it unregisters a batch,
 * which takes long (an ftrace update, kprobes' grace periods): detaches,
 * which only need kfi_core_mutex, go on meanwhile, and whatever registers a
 * probe, perhaps on a function the batch still has, waits for the batch
 * without holding kfi_core_mutex.
 */
static DEFINE_MUTEX(kfi_probe_mutex);

/*
 * Counts the module events kfi_core_module_event() handled (under
 * kfi_core_mutex): an address that kfi_attach() found before it took the
 * mutex is trusted only if no module came, went live or went since.
 */
static unsigned long kfi_module_gen;

/* The kretprobe trampoline's address, looked up once at init. */
static unsigned long kfi_trampoline __ro_after_init;

/*
 * The sites on kfi_ftrace_ops, by the address of their ftrace call site
 * (the ip its callback is given). Written under kfi_core_mutex, read by the
 * callback under RCU (it runs with preemption disabled).
 */
static DEFINE_HASHTABLE(kfi_ftrace_sites, 10);

/*
 * Where a function's ftrace call site is from its start (0 on x86_64, past
 * the patchable entry's first instruction on arm64), measured at init on
 * kfi_ftrace_anchor(). Without it (ftrace refused kfi's ops, or never called
 * it) every site uses kprobes.
 */
static unsigned long kfi_ftrace_offset __ro_after_init;
static bool kfi_ftrace_ready __ro_after_init;
static unsigned long kfi_ftrace_seen;	/* the anchor's ip, at init */

/*
 * get_state_synchronize_rcu() when a site last left kfi_ftrace_sites, under
 * kfi_core_mutex: the callback may be in any site that left it until a
 * grace period from then has gone by.
 */
static unsigned long kfi_ftrace_unhashed;

/*
 * Whether RCU watches the CPU a probed call runs on: a handler that runs
 * where it does not is not waited for by a grace period, so it must not
 * touch a site. rcu_is_watching() is a call into vmlinux, on every probed
 * call. With the generic entry code (x86_64), kernel code leaves RCU's
 * watch outside the idle task only in noinstr code (the entry to and from
 * user space and guests, NMIs), which neither ftrace nor kprobes call into:
 * irqentry_enter() makes the same assumption when it tells RCU of an
 * interrupt only if it interrupted the idle task. So two loads (current,
 * its flags) answer there; 6.1's idle path runs traceable functions after
 * RCU stopped watching, and interrupts taken from idle run in the idle
 * task: asked there. Without the generic entry code (arm64, whose idle
 * path was seen doing it), always asked.
 */
static nokprobe_inline bool kfi_rcu_watching(void)
{
	if (IS_ENABLED(CONFIG_GENERIC_ENTRY) && likely(!is_idle_task(current)))
		return true;
	return rcu_is_watching();
}

#define kfi_for_each_site(site) \
	list_for_each_entry(site, &kfi_sites, node)

/* Whether @a's return is hooked for this call: see kfi_ret_pending. */
static nokprobe_inline bool kfi_ret_hooked(struct kfi_ret_data *data,
					   struct kfi_attach *a)
{
	return data && data->slot[a->group].a == a;
}

/*
 * The entry callbacks of every attachment, in order. Returns true when one
 * diverted the call.
 */
static __kfi_hot noinline bool
kfi_site_entry_all(struct kfi_site *site, struct pt_regs *regs,
		   struct kfi_ret_data *data)
{
	struct kfi_attach *a;
	int acted = INT_MIN;

	list_for_each_entry_rcu(a, &site->attached, node) {
		if (!a->ops->entry || a->group == acted)
			continue;
		switch (a->ops->entry(a, regs, kfi_ret_hooked(data, a))) {
		case KFI_DIVERTED:
			return true;
		case KFI_ACTED:
			acted = a->group;
			break;
		case KFI_NEXT:
			break;
		}
	}
	return false;
}
NOKPROBE_SYMBOL(kfi_site_entry_all);

/*
 * The entry callbacks of @site's attachments for one call: true when one
 * diverted the call. One attachment, the common case, is called from here;
 * the rest out of line, so that the handlers need few registers saved.
 */
static __always_inline bool kfi_site_call_entry(struct kfi_site *site,
						struct pt_regs *regs,
						struct kfi_ret_data *data)
{
	struct list_head *first;
	struct kfi_attach *a;

	first = rcu_dereference_sched(list_next_rcu(&site->attached));
	if (first == &site->attached ||
	    rcu_dereference_sched(list_next_rcu(first)) != &site->attached)
		return kfi_site_entry_all(site, regs, data);
	a = list_entry(first, struct kfi_attach, node);
	return a->ops->entry &&
	       a->ops->entry(a, regs, kfi_ret_hooked(data, a)) == KFI_DIVERTED;
}

/*
 * kfi_ftrace_ops' callback, at the entry of every function with a site on
 * it. ftrace's recursion lock disables preemption; kfi_hit_enter() keeps
 * it from running inside another kfi handler. It leaves kfi_ret_pending
 * alone: its sites have no kretprobe.
 */
static __kfi_hot notrace void
kfi_site_ftrace(unsigned long ip, unsigned long parent_ip,
		struct ftrace_ops *op, struct ftrace_regs *fregs)
{
	struct kfi_site *site;
	int bit;

	bit = ftrace_test_recursion_trylock(ip, parent_ip);
	if (bit < 0)
		return;
	/* Where RCU does not watch, not probed: see kfi_rcu_watching(). */
	if (unlikely(!kfi_rcu_watching()))
		goto out;
	hash_for_each_possible_rcu_notrace(kfi_ftrace_sites, site, ftrace_node,
					   ip) {
		if (READ_ONCE(site->ftrace_ip) != ip)
			continue;
		if (kfi_hit_enter(KFI_HIT_FTRACE)) {
			kfi_site_call_entry(site, ftrace_get_regs(fregs), NULL);
			kfi_hit_exit();
		}
		goto out;
	}
	/* No site: one being removed, or kfi_core_init() measuring. */
	if (unlikely(!kfi_ftrace_ready))
		WRITE_ONCE(kfi_ftrace_seen, ip);
out:
	ftrace_test_recursion_unlock(bit);
}
NOKPROBE_SYMBOL(kfi_site_ftrace);

/*
 * One ops for every site on ftrace. Its filter always holds
 * kfi_ftrace_anchor() besides the sites: an empty filter would trace every
 * function. It changes the instruction pointer: ftrace refuses it on a
 * function that another ip-changing user (livepatch, a kprobe with a
 * post-handler) has, and refuses them on kfi's functions, with -EBUSY.
 */
static struct ftrace_ops kfi_ftrace_ops = {
	.func	= kfi_site_ftrace,
	.flags	= FTRACE_OPS_FL_SAVE_REGS | FTRACE_OPS_FL_IPMODIFY,
};

/* Never a site; called once, at init, to find where ftrace's call site is. */
static noinline void kfi_ftrace_anchor(void)
{
	barrier();
}

/*
 * Whether the probe hit that runs @site's kprobe has no handler of another
 * tool's besides: kfi's kprobe is alone at the function (a lone member of
 * an aggregate too: 6.1 keeps an aggregate whose other probes left), or
 * shares it with its own kretprobe only, whose handler ran first. Walks
 * kprobes' list of a shared probe (an aggregate, the newest probe first)
 * forward only, under RCU: a probe added since the hit's handlers read the
 * list is seen here too, and makes the answer false.
 */
static nokprobe_inline bool kfi_site_kprobe_last(struct kfi_site *site)
{
	struct kfi_site_ret *ret = READ_ONCE(site->ret);
	struct list_head *me = &site->kp.list;
	struct list_head *head = READ_ONCE(me->next);
	struct list_head *first;

	if (head == me)
		return true;		/* not shared */
	first = READ_ONCE(head->next);
	if (first == me)
		return true;		/* alone in the aggregate */
	return ret && first == &ret->krp.kp.list &&
	       READ_ONCE(first->next) == me;
}

static __kfi_hot int
kfi_site_entry(struct kprobe *kp, struct pt_regs *regs)
{
	struct kfi_site *site = container_of(kp, struct kfi_site, kp);
	struct kfi_ret_pending *pending = this_cpu_ptr(&kfi_ret_pending);
	struct kfi_ret_data *data = NULL;
	bool diverted;

	/* As in kfi_site_ftrace(): where RCU does not watch, not probed. */
	if (unlikely(!kfi_rcu_watching()) || !kfi_hit_enter(kfi_hit_how(kp)))
		goto out;
	if (pending->site == site)
		data = pending->data;
	if (data && !kfi_arch_kretprobe_hooked_here(regs, data))
		data = NULL;
	pending->site = NULL;

	diverted = kfi_site_call_entry(site, regs, data);
	kfi_hit_exit();
	if (diverted)
		return 1;
out:
	/*
	 * Never return 0 from a probe on ftrace: should a breakpoint left by
	 * ftrace's patching of the call site reach kprobes (seen under QEMU's
	 * multi-threaded TCG), kprobes would single-step the probe's
	 * instruction slot, and a probe on ftrace has none: a jump to 0.
	 * Going on after the call site ourselves is right on both paths.
	 */
	if (kprobe_ftrace(kp)) {
		kfi_arch_ftrace_continue(regs, (unsigned long)kp->addr);
		return 1;
	}
	/*
	 * A breakpoint's instruction is single-stepped next, a second
	 * exception (arm64): run it here if that is simple, unless another
	 * tool's probe shares the hit (its handlers would be skipped).
	 */
	if (kfi_site_kprobe_last(site) && kfi_arch_step_over(kp, regs))
		return 1;
	return 0;
}
NOKPROBE_SYMBOL(kfi_site_entry);

/*
 * Empty, but it must exist: a kprobe without a post_handler may be
 * jump-optimized, and an optimized probe ignores a changed instruction
 * pointer; on ftrace-based probes it also declares FTRACE_OPS_FL_IPMODIFY.
 */
static __kfi_hot void
kfi_site_post(struct kprobe *kp, struct pt_regs *regs, unsigned long flags)
{
}
NOKPROBE_SYMBOL(kfi_site_post);

static __kfi_hot_ret int
kfi_site_ret_entry(struct kretprobe_instance *ri, struct pt_regs *regs)
{
	struct kretprobe *krp = get_kretprobe(ri);
	struct kfi_ret_pending *pending = this_cpu_ptr(&kfi_ret_pending);
	struct kfi_ret_data *data = (struct kfi_ret_data *)ri->data;
	struct kfi_site *site;
	struct kfi_attach *a;
	bool hook = false;
	int g;

	/*
	 * NULL once the kretprobe's unregistration began, where kretprobes
	 * do not ride on rethook (arm64 in 6.1); on rethook (x86_64), the
	 * rethook's handler is cleared instead, and it calls no handler.
	 */
	if (unlikely(!krp))
		return 1;
	site = container_of(krp, struct kfi_site_ret, krp)->site;
	/*
	 * Inside a kfi handler, or where RCU does not watch: hooked by
	 * nobody, and the entry skips too.
	 */
	if (unlikely(!kfi_rcu_watching()) ||
	    !kfi_hit_enter(kfi_hit_how(&krp->kp)))
		return 1;
	/* Attachments without want_ret see every return. */
	hook = READ_ONCE(site->nr_ret_all);
	/* A slot's id and data mean something only once its @a is set. */
	for (g = 0; g < KFI_NR_GROUPS; g++)
		data->slot[g].a = NULL;
	list_for_each_entry_rcu(a, &site->attached, node) {
		if (!a->ops->want_ret || !a->ops->ret || data->slot[a->group].a)
			continue;
		if (a->ops->want_ret(a, regs, &data->slot[a->group].data)) {
			data->slot[a->group].a = a;
			data->slot[a->group].id = a->id;
			hook = true;
		}
	}
	kfi_hit_exit();
	pending->site = site;
	pending->data = hook ? data : NULL;
	/* 1: nobody wants this return, do not hook it. */
	return hook ? 0 : 1;
}
NOKPROBE_SYMBOL(kfi_site_ret_entry);

/*
 * The ret callbacks of every attachment, in order, for a call that returns
 * through @site's kretprobe @krp, instance @ri.
 */
static __kfi_hot_ret noinline void
kfi_site_ret_all(struct kfi_site *site, struct kretprobe *krp,
		 struct kretprobe_instance *ri, struct pt_regs *regs)
{
	struct kfi_ret_data *data = (struct kfi_ret_data *)ri->data;
	/*
	 * Where the call returns to, which both trampolines set before the
	 * handlers run: the instance's own address is the trampoline's when
	 * another return hook (rethook) took the call before kfi's.
	 */
	unsigned long caller = instruction_pointer(regs);
	u8 hit = __this_cpu_read(kfi_hit);
	unsigned int acted = 0;		/* groups */
	struct kfi_attach *a;
	/* Without an entry handler, nothing filled the slots in. */
	bool slots = krp->entry_handler;

	/* No kfi entry handler runs inside this one (kfi_hit). */
	__this_cpu_write(kfi_hit, KFI_HIT_RETURN);
	/*
	 * The call may have slept for long: an attachment that wanted its
	 * return may be gone (and freed) since. Only call those still on the
	 * list; the id tells one from a new one at the same address. Those
	 * that decide at the return are not asked about a call made inside
	 * a kfi handler (@hit): their entries would have skipped it too.
	 */
	list_for_each_entry_rcu(a, &site->attached, node) {
		if (!a->ops->ret)
			continue;
		if (a->ops->want_ret) {
			/* Always: its want_ret may have taken something. */
			if (!slots || a != data->slot[a->group].a ||
			    a->id != data->slot[a->group].id)
				continue;
			a->ops->ret(a, regs, data->slot[a->group].data);
			acted |= BIT(a->group);
		} else if (hit == KFI_HIT_NONE && !(acted & BIT(a->group)) &&
			   a->ops->ret(a, regs, caller)) {
			acted |= BIT(a->group);
		}
	}
	__this_cpu_write(kfi_hit, hit);
}
NOKPROBE_SYMBOL(kfi_site_ret_all);

/*
 * The kretprobe's handler. A lone attachment that decides at the return
 * (a function's replace rules), the common case, is called from here; the
 * rest out of line, so that the handler needs few registers saved.
 */
static __kfi_hot_ret int
kfi_site_ret(struct kretprobe_instance *ri, struct pt_regs *regs)
{
	struct kretprobe *krp = get_kretprobe(ri);
	struct list_head *first;
	struct kfi_site *site;
	struct kfi_attach *a;

	/* As in kfi_site_ret_entry(): the kretprobe is being unregistered. */
	if (unlikely(!krp))
		return 0;
	site = container_of(krp, struct kfi_site_ret, krp)->site;
	first = rcu_dereference_sched(list_next_rcu(&site->attached));
	if (first == &site->attached ||
	    rcu_dereference_sched(list_next_rcu(first)) != &site->attached) {
		kfi_site_ret_all(site, krp, ri, regs);
		return 0;
	}
	a = list_entry(first, struct kfi_attach, node);
	if (!a->ops->ret || a->ops->want_ret) {
		kfi_site_ret_all(site, krp, ri, regs);
		return 0;
	}
	/* As kfi_site_ret_all() does for it. */
	if (__this_cpu_read(kfi_hit) != KFI_HIT_NONE)
		return 0;
	__this_cpu_write(kfi_hit, KFI_HIT_RETURN);
	a->ops->ret(a, regs, instruction_pointer(regs));
	__this_cpu_write(kfi_hit, KFI_HIT_NONE);
	return 0;
}
NOKPROBE_SYMBOL(kfi_site_ret);

static void kfi_site_describe_error(struct kfi_attach_error *error,
				    const char *module, const char *name,
				    int err)
{
	const char *why;

	if (!error)
		return;
	switch (err) {
	case -ENOENT:
		why = "no such function is loaded";
		break;
	case -EINVAL:
		why = "kprobes refuse it (blacklisted, noinstr, or not a function)";
		break;
	case -EBUSY:
		why = "another ftrace user changes its ip (livepatch, other probe)";
		break;
	case -EILSEQ:
		why = "the address is not an instruction boundary";
		break;
	case -EPERM:
		why = "it is part of kfi itself";
		break;
	case -ENOMEM:
		why = "out of memory";
		break;
	default:
		why = "the kernel refused the probe";
		break;
	}
	snprintf(error->why, sizeof(error->why), "%s%s%s: %s (error %d)",
		 module, *module ? ":" : "", name, why, err);
}

/* @site is live on kfi_ftrace_ops, whose filter has @ip: the callback's. */
static void kfi_site_ftrace_publish(struct kfi_site *site, unsigned long ip)
{
	site->kprobe_only = false;	/* ftrace took it, after all */
	site->ftrace_ip = ip;
	hash_add_rcu(kfi_ftrace_sites, &site->ftrace_node, ip);
	WRITE_ONCE(site->live, true);
}

/* Where @sym's ftrace call site is. */
static unsigned long kfi_ftrace_ip(const struct kfi_symbol *sym)
{
	return sym->addr - sym->offset + kfi_ftrace_offset;
}

/* "module:name", or "name" for vmlinux: as kprobes take it. */
static void kfi_site_target(const struct kfi_site *site, char *buf,
			    size_t len)
{
	snprintf(buf, len, "%s%s%s", site->module, *site->module ? ":" : "",
		 site->name);
}

/*
 * Puts @site on kfi_ftrace_ops, at the ftrace call site of its function
 * (@sym). -EOPNOTSUPP: the function has none there, a kprobe it is.
 */
static int kfi_site_ftrace_add(struct kfi_site *site,
			       const struct kfi_symbol *sym)
{
	unsigned long ip;
	int err;

	lockdep_assert_held(&kfi_core_mutex);
	lockdep_assert_held(&kfi_probe_mutex);

	/* What kprobes refuse (blacklisted, noinstr), kfi refuses too. */
	if (sym->probe_err)
		return sym->probe_err;
	ip = kfi_ftrace_ip(sym);
	/*
	 * -EINVAL: no ftrace call site there. -EBUSY: another ip-changing
	 * ftrace user has the function; if it is a kprobe, kfi's kprobe joins
	 * it (kprobes share one ip-changing ftrace_ops), and if it is not
	 * (livepatch), kprobes say -EBUSY too. -ENODEV: ftrace shut itself
	 * down after a bug; a breakpoint kprobe (arm64) still works.
	 */
	err = ftrace_set_filter_ip(&kfi_ftrace_ops, ip, 0, 0);
	if (err == -EINVAL || err == -EBUSY || err == -ENODEV)
		return -EOPNOTSUPP;
	if (err)
		return err;
	kfi_site_ftrace_publish(site, ip);
	return 0;
}

/* Takes @site out of kfi_ftrace_sites: see kfi_ftrace_unhashed. */
static void kfi_site_unhash(struct kfi_site *site)
{
	lockdep_assert_held(&kfi_core_mutex);

	hash_del_rcu(&site->ftrace_node);
	kfi_ftrace_unhashed = get_state_synchronize_rcu();
}

/*
 * Takes @site off kfi_ftrace_ops. The callback may be running its
 * attachments on another CPU until a grace period has gone by.
 */
static void kfi_site_ftrace_remove(struct kfi_site *site)
{
	int err;

	lockdep_assert_held(&kfi_core_mutex);
	lockdep_assert_held(&kfi_probe_mutex);

	kfi_site_unhash(site);
	err = ftrace_set_filter_ip(&kfi_ftrace_ops, site->ftrace_ip, 1, 0);
	/* Still traced, but found by no lookup: its calls only pay for it. */
	if (err)
		pr_warn("%s%s%s: left in ftrace's filter (error %d)\n",
			site->module, *site->module ? ":" : "", site->name, err);
	WRITE_ONCE(site->ftrace_ip, 0);
}

/*
 * Probes to unregister together: one call per kind of probe, and one ftrace
 * update for the sites on ftrace, rather than a grace period or an update
 * each. Without its arrays (no memory), a batch unregisters each probe as
 * it is added: slower, as correct.
 */
struct kfi_unreg_batch {
	struct kprobe **kps;
	struct kretprobe **krps;
	unsigned long *ips;
	unsigned int nr_kp, nr_krp, nr_ip;
};

/* For at most @n sites. */
static void kfi_batch_init(struct kfi_unreg_batch *b, unsigned int n)
{
	gfp_t gfp = GFP_KERNEL | __GFP_NOWARN;

	memset(b, 0, sizeof(*b));
	b->kps = kmalloc_array(n, sizeof(*b->kps), gfp);
	b->krps = kmalloc_array(n, sizeof(*b->krps), gfp);
	b->ips = kmalloc_array(n, sizeof(*b->ips), gfp);
}

/* Adds @site's kretprobe, if registered. */
static void kfi_batch_add_ret(struct kfi_unreg_batch *b,
			      struct kfi_site *site)
{
	lockdep_assert_held(&kfi_core_mutex);
	lockdep_assert_held(&kfi_probe_mutex);

	if (!site->ret_live)
		return;
	WRITE_ONCE(site->ret_live, false);
	if (b->krps)
		b->krps[b->nr_krp++] = &site->ret->krp;
	else
		unregister_kretprobe(&site->ret->krp);
}

/* Adds @site's entry kprobe, if registered. */
static void kfi_batch_add_kp(struct kfi_unreg_batch *b, struct kfi_site *site)
{
	lockdep_assert_held(&kfi_core_mutex);
	lockdep_assert_held(&kfi_probe_mutex);

	if (!site->kp_live)
		return;
	site->kp_live = false;
	if (b->kps)
		b->kps[b->nr_kp++] = &site->kp;
	else
		unregister_kprobe(&site->kp);
}

/* Adds @site's probes: the site is unregistered once @b is flushed. */
static void kfi_batch_add(struct kfi_unreg_batch *b, struct kfi_site *site)
{
	lockdep_assert_held(&kfi_core_mutex);
	lockdep_assert_held(&kfi_probe_mutex);

	kfi_batch_add_ret(b, site);
	if (site->live && site->ftrace_ip) {
		if (b->ips) {
			kfi_site_unhash(site);
			b->ips[b->nr_ip++] = site->ftrace_ip;
			WRITE_ONCE(site->ftrace_ip, 0);
		} else {
			kfi_site_ftrace_remove(site);
		}
	}
	kfi_batch_add_kp(b, site);
	WRITE_ONCE(site->live, false);
}

/*
 * Unregisters what @b holds. Needs kfi_probe_mutex only: the sites are out
 * of reach of kfi_core_mutex's users (off kfi_sites and the hash, or left
 * without a probe or a return attachment of the kind being unregistered).
 * A site on ftrace may still be in use by the callback until a grace period
 * has gone by.
 */
static void kfi_batch_flush(struct kfi_unreg_batch *b)
{
	unsigned int i;
	int err;

	lockdep_assert_held(&kfi_probe_mutex);

	if (b->nr_krp)
		unregister_kretprobes(b->krps, b->nr_krp);
	if (b->nr_kp)
		unregister_kprobes(b->kps, b->nr_kp);
	/* One ftrace update; if it fails, one at a time, each failure told. */
	if (b->nr_ip &&
	    ftrace_set_filter_ips(&kfi_ftrace_ops, b->ips, b->nr_ip, 1, 0)) {
		for (i = 0; i < b->nr_ip; i++) {
			err = ftrace_set_filter_ip(&kfi_ftrace_ops, b->ips[i],
						   1, 0);
			if (err)
				pr_warn("%pS: left in ftrace's filter (error %d)\n",
					(void *)b->ips[i], err);
		}
	}
	kfree(b->ips);
	kfree(b->krps);
	kfree(b->kps);
	memset(b, 0, sizeof(*b));
}

/*
 * Unregisters @site's probes. A site on ftrace may still be in use by the
 * callback until a grace period has gone by.
 */
static void kfi_site_unregister(struct kfi_site *site)
{
	struct kfi_unreg_batch one = {};	/* no arrays: at once */

	kfi_batch_add(&one, site);
}

/*
 * Whether @site needs an entry probe: for its entry callbacks; a site with
 * nothing to count (none of its attachments has a callback) has one too.
 * On arm64, a kretprobe is cheaper with kfi's kprobe beside it, which runs
 * the breakpoint's instruction itself (kfi_arch_step_over()) for both.
 */
static bool kfi_site_needs_entry(const struct kfi_site *site)
{
	return site->nr_entry || !site->nr_ret ||
	       KFI_ARCH_STEP_OVER_SPEEDS_KRETPROBE;
}

/*
 * Whether @site's probes serve what its attachments need, its shape: an
 * entry probe for entry callbacks (on kfi_ftrace_ops only without a
 * kretprobe), a kretprobe for ret callbacks, with its entry handler for
 * want_ret callbacks (after the entry kprobe, as kfi_ret_pending needs).
 */
static bool kfi_site_fits(const struct kfi_site *site)
{
	lockdep_assert_held(&kfi_core_mutex);

	if (!site->live)
		return false;
	if (kfi_site_needs_entry(site) && !site->kp_live &&
	    !(site->ftrace_ip && !site->nr_ret))
		return false;
	if (site->nr_ret && !site->ret_live)
		return false;
	return !site->nr_want || site->ret->krp.entry_handler;
}

/* Probes @site has that its attachments no longer need: for the reaper. */
static bool kfi_site_excess(const struct kfi_site *site)
{
	lockdep_assert_held(&kfi_core_mutex);

	return (site->ret_live && !site->nr_ret) ||
	       (site->kp_live && !kfi_site_needs_entry(site));
}

/* Counts @a's callbacks in @site's needs (@n: 1) or out of them (-1). */
static void kfi_site_count(struct kfi_site *site, const struct kfi_attach *a,
			   int n)
{
	lockdep_assert_held(&kfi_core_mutex);

	if (a->ops->entry)
		site->nr_entry += n;
	if (!a->ops->ret)
		return;		/* want_ret alone is never called */
	site->nr_ret += n;
	if (a->ops->want_ret)
		site->nr_want += n;
	else	/* read by kfi_site_ret_entry() */
		WRITE_ONCE(site->nr_ret_all, site->nr_ret_all + n);
}

static int kfi_site_register_ret(struct kfi_site *site, const char *target)
{
	struct kretprobe *krp;
	int err;

	lockdep_assert_held(&kfi_core_mutex);
	lockdep_assert_held(&kfi_probe_mutex);

	if (!site->ret) {
		site->ret = kzalloc(sizeof(*site->ret), GFP_KERNEL);
		if (!site->ret)
			return -ENOMEM;
		site->ret->site = site;
	}
	krp = &site->ret->krp;
	/* Kept across registrations: see kfi_attach_ret_missed(). */
	site->ret->missed += krp->nmissed + krp->kp.nmissed;
	memset(krp, 0, sizeof(*krp));
	/* Beside the entry kprobe, or by name, as kfi_site_register() does. */
	if (site->kp_live)
		krp->kp.addr = site->kp.addr;
	else
		krp->kp.symbol_name = target;
	if (site->nr_want)
		krp->entry_handler = kfi_site_ret_entry;
	krp->handler = kfi_site_ret;
	krp->data_size = sizeof(struct kfi_ret_data);
	/* Tasks that sleep inside the function each hold an instance. */
	krp->maxactive = max_t(int, 64, 8 * num_possible_cpus());
	err = register_kretprobe(krp);
	krp->kp.symbol_name = NULL;	/* the caller's; kp.addr is set */
	if (err)
		return err;
	WRITE_ONCE(site->ret_live, true);
	return 0;
}

/*
 * Registers the site's probes, in the shape its attachments need (see
 * kfi_site_fits()); the function must be loaded. @sym is the function,
 * resolved, or NULL to resolve it here if need be.
 */
static int kfi_site_register(struct kfi_site *site,
			     const struct kfi_symbol *sym,
			     struct kfi_attach_error *error)
{
	char target[MODULE_NAME_LEN + KSYM_NAME_LEN];
	struct kfi_symbol found;
	int err;

	lockdep_assert_held(&kfi_core_mutex);
	lockdep_assert_held(&kfi_probe_mutex);

	kfi_site_target(site, target, sizeof(target));
	if (!kfi_site_needs_entry(site))
		goto ret;
	if (!site->nr_ret && kfi_ftrace_ready) {
		err = sym ? 0 : kfi_symbol_resolve(target, &found);
		if (!err)
			err = kfi_site_ftrace_add(site, sym ?: &found);
		if (!err)
			return 0;
		if (err != -EOPNOTSUPP)
			goto fail;
		site->kprobe_only = true;
	}

	/*
	 * By name: kprobes resolves it as kfi_symbol_resolve() would, without
	 * the trial probe whose unregistration costs a grace period.
	 */
	memset(&site->kp, 0, sizeof(site->kp));
	site->kp.symbol_name = target;
	site->kp.pre_handler = kfi_site_entry;
	site->kp.post_handler = kfi_site_post;
	err = register_kprobe(&site->kp);
	site->kp.symbol_name = NULL;	/* on this stack; kp.addr is set */
	if (err)
		goto fail;
	site->kp_live = true;
	WRITE_ONCE(site->live, true);

ret:
	if (site->nr_ret) {
		/* After the kprobe: kprobes run the newest of an aggregate first. */
		err = kfi_site_register_ret(site, target);
		if (err) {
			kfi_site_unregister(site);
			goto fail;
		}
		WRITE_ONCE(site->live, true);
	}
	return 0;

fail:
	kfi_site_describe_error(error, site->module, site->name, err);
	return err;
}

/*
 * Adds @ips to kfi_ftrace_ops' filter in as few updates as it takes: one
 * for all when none is refused (an update is all or nothing), and halves
 * of a batch that failed; an ip refused alone is set to 0.
 */
static void kfi_ftrace_add_ips(unsigned long *ips, unsigned int n)
{
	if (!n || !ftrace_set_filter_ips(&kfi_ftrace_ops, ips, n, 0, 0))
		return;
	if (n == 1) {
		ips[0] = 0;
		return;
	}
	kfi_ftrace_add_ips(ips, n / 2);
	kfi_ftrace_add_ips(ips + n / 2, n - n / 2);
}

/* One site of kfi_sites_register()'s batch. */
struct kfi_reg_one {
	struct kprobe trial;	/* finds the function, as kfi_symbol_resolve() */
	int err;		/* the trial's registration */
	bool found;		/* the trial found it, and kprobes take it */
	bool in_ips;		/* found, and bound for ftrace: */
	unsigned int ip;	/* its index in the batch's ips */
};

/*
 * Registers the probes of @n sites of a module that is coming, as
 * kfi_site_register() does each, with one grace period for the trial
 * kprobes that find the functions of the sites bound for ftrace, and one
 * ftrace update for all of them (a few more if ftrace refuses some),
 * rather than one of each per site. A site the batch cannot take (with a
 * kretprobe to register, a function ftrace refuses, no memory) is
 * registered alone. A site that cannot be registered is logged, and stays
 * waiting.
 */
static void kfi_sites_register(struct kfi_site **sites, unsigned int n)
{
	char target[MODULE_NAME_LEN + KSYM_NAME_LEN];
	unsigned int i, nr_trial = 0, nr_ip = 0;
	struct kfi_attach_error error;
	struct kfi_reg_one *batch;
	struct kfi_symbol *sym;
	struct kprobe **trials;
	unsigned long *ips;
	bool found;

	lockdep_assert_held(&kfi_core_mutex);
	lockdep_assert_held(&kfi_probe_mutex);

	batch = kvcalloc(n, sizeof(*batch), GFP_KERNEL);
	trials = kvcalloc(n, sizeof(*trials), GFP_KERNEL);
	ips = kvcalloc(n, sizeof(*ips), GFP_KERNEL);
	sym = kmalloc(sizeof(*sym), GFP_KERNEL);
	if (!batch || !trials || !ips || !sym || !kfi_ftrace_ready) {
		kvfree(batch);
		batch = NULL;
		goto register_left;
	}

	for (i = 0; i < n; i++) {
		if (sites[i]->nr_ret)
			continue;
		kfi_site_target(sites[i], target, sizeof(target));
		batch[i].trial.symbol_name = target;
		batch[i].trial.flags = KPROBE_FLAG_DISABLED;
		batch[i].err = register_kprobe(&batch[i].trial);
		batch[i].trial.symbol_name = NULL;	/* on this stack */
		if (!batch[i].err)
			trials[nr_trial++] = &batch[i].trial;
	}
	/* One grace period for all the trials. */
	if (nr_trial)
		unregister_kprobes(trials, nr_trial);

	for (i = 0; i < n; i++) {
		if (sites[i]->nr_ret || batch[i].err)
			continue;
		sym->addr = (unsigned long)batch[i].trial.addr;
		if (kfi_symbol_describe(sym))
			continue;
		batch[i].found = true;
		/* Where kprobes tell, no ftrace call site: no place in it. */
		if (IS_ENABLED(CONFIG_KPROBES_ON_FTRACE) &&
		    !kprobe_ftrace(&batch[i].trial))
			continue;
		batch[i].in_ips = true;
		batch[i].ip = nr_ip;
		ips[nr_ip++] = kfi_ftrace_ip(sym);
	}
	kfi_ftrace_add_ips(ips, nr_ip);

register_left:
	for (i = 0; i < n; i++) {
		if (batch && batch[i].in_ips && ips[batch[i].ip]) {
			kfi_site_ftrace_publish(sites[i], ips[batch[i].ip]);
			continue;
		}
		/* Found, refused by ftrace: a kprobe, without a second trial. */
		found = batch && batch[i].found;
		if (found) {
			sym->addr = (unsigned long)batch[i].trial.addr;
			sym->probe_err = 0;
			found = !kfi_symbol_describe(sym);
		}
		if (kfi_site_register(sites[i], found ? sym : NULL, &error))
			pr_warn("%s\n", error.why);
	}
	kfree(sym);
	kvfree(ips);
	kvfree(trials);
	kvfree(batch);
}

static struct kfi_site *kfi_site_find(const char *module, const char *name)
{
	struct kfi_site *site;

	lockdep_assert_held(&kfi_core_mutex);

	kfi_for_each_site(site)
		if (!strcmp(site->module, module) && !strcmp(site->name, name))
			return site;
	return NULL;
}

static void kfi_site_free(struct kfi_site *site)
{
	kfree(site->ret);
	kfree(site);
}

/*
 * The reaper unregisters the probes nothing needs any more: those of sites
 * left with nothing attached, and kretprobes and entry kprobes no
 * attachment needs (see kfi_site_excess()). It runs
 * after detaches, as a work item, and unregisters everything it finds in
 * one batch, and waits for one grace period for the whole batch: disarming
 * a thousand rules costs about what disarming one does. Until it ran, a
 * site with nothing attached is still found by kfi_attach() and used again,
 * probes and all.
 */
static void kfi_site_reap(struct work_struct *work)
{
	struct kfi_site *site, *tmp;
	struct kfi_unreg_batch b;
	unsigned long unhashed;
	unsigned int n = 0;
	LIST_HEAD(dead);

	mutex_lock(&kfi_probe_mutex);
	mutex_lock(&kfi_core_mutex);
	kfi_for_each_site(site)
		n++;
	kfi_batch_init(&b, n);
	list_for_each_entry_safe(site, tmp, &kfi_sites, node) {
		if (!list_empty(&site->attached)) {
			if (!site->nr_ret)
				kfi_batch_add_ret(&b, site);
			if (!kfi_site_needs_entry(site))
				kfi_batch_add_kp(&b, site);
			continue;
		}
		kfi_batch_add(&b, site);
		list_move_tail(&site->node, &dead);
	}
	unhashed = kfi_ftrace_unhashed;
	/* Detaches go on while the batch is unregistered; registering waits. */
	mutex_unlock(&kfi_core_mutex);
	kfi_batch_flush(&b);
	mutex_unlock(&kfi_probe_mutex);

	/*
	 * Unregistering kprobes waited for their handlers; kfi_site_ftrace()
	 * may still be in a site it found before the hash lost it, here or
	 * earlier (a module's unloading, a site's move to kprobes): unless a
	 * grace period went by since the last site left the hash, wait for
	 * one. A batch of sites that were never on ftrace does not wait.
	 */
	if (!list_empty(&dead))
		cond_synchronize_rcu(unhashed);
	list_for_each_entry_safe(site, tmp, &dead, node)
		kfi_site_free(site);
}

static DECLARE_WORK(kfi_reap_work, kfi_site_reap);

/*
 * An attachment of @a's group on @site that @a may not share the site with:
 * either of the two asked for KFI_ATTACH_EXCLUSIVE.
 */
static struct kfi_attach *kfi_site_excluder(struct kfi_site *site,
					    const struct kfi_attach *a,
					    unsigned int flags)
{
	struct kfi_attach *b;

	lockdep_assert_held(&kfi_core_mutex);

	list_for_each_entry(b, &site->attached, node)
		if (b->group == a->group &&
		    ((flags | b->flags) & KFI_ATTACH_EXCLUSIVE))
			return b;
	return NULL;
}

/* Inserts @a into the site's list, in (group, key) order. */
static void kfi_site_insert(struct kfi_site *site, struct kfi_attach *a)
{
	struct list_head *pos = &site->attached;
	struct kfi_attach *b;

	lockdep_assert_held(&kfi_core_mutex);

	list_for_each_entry(b, &site->attached, node) {
		if (b->group > a->group ||
		    (b->group == a->group && strcmp(b->key, a->key) > 0)) {
			pos = &b->node;
			break;
		}
	}
	/* list_add_tail_rcu() before @pos publishes @a, fully set up. */
	list_add_tail_rcu(&a->node, pos);
}

/*
 * Registers @site's probes, or leaves it waiting for its module when
 * resolving the function said -ENOENT (@err) and waiting was accepted. The
 * module may have come in between, and its notifier found no site then:
 * registering is tried anyway, under kfi_core_mutex, which the notifier
 * takes too.
 */
static int kfi_site_register_or_wait(struct kfi_site *site,
				     const struct kfi_symbol *sym, int err,
				     struct kfi_attach_error *error)
{
	int reg;

	lockdep_assert_held(&kfi_core_mutex);

	reg = kfi_site_register(site, err ? NULL : sym, error);
	return reg == -ENOENT && err == -ENOENT ? 0 : reg;
}

/*
 * Counts @a in @site's needs, and makes the site's probes fit them
 * (kfi_site_fits()). A site that is not live is registered, or left
 * waiting (kfi_site_register_or_wait(), with @sym and @err). A live site
 * that lacks only a kretprobe beside its entry kprobe gets one, which
 * loses nothing; any other live site that does not fit is registered again
 * in its new shape: calls meanwhile are not probed, and returns hooked
 * before are not seen. On failure, @a is counted out again and the site put
 * back as it was.
 */
static int kfi_site_add(struct kfi_site *site, const struct kfi_attach *a,
			const struct kfi_symbol *sym, int err,
			struct kfi_attach_error *error)
{
	char target[MODULE_NAME_LEN + KSYM_NAME_LEN];
	bool was_live = site->live;
	int reg;

	lockdep_assert_held(&kfi_core_mutex);

	kfi_site_count(site, a, 1);
	if (!site->live) {
		reg = kfi_site_register_or_wait(site, sym, err, error);
	} else if (kfi_site_fits(site)) {
		return 0;
	} else if (site->kp_live && !site->ret_live) {
		kfi_site_target(site, target, sizeof(target));
		reg = kfi_site_register_ret(site, target);
		if (reg)
			kfi_site_describe_error(error, site->module,
						site->name, reg);
	} else {
		kfi_site_unregister(site);
		reg = kfi_site_register(site, NULL, error);
	}
	if (!reg)
		return 0;

	kfi_site_count(site, a, -1);
	/* Back as it was; a site that cannot be is left waiting. */
	if (was_live && !site->live && !list_empty(&site->attached) &&
	    kfi_site_register(site, NULL, NULL))
		pr_warn("%s%s%s: probes lost, calls not probed until its module reloads or it is attached to again\n",
			site->module, *site->module ? ":" : "", site->name);
	return reg;
}

/**
 * kfi_attach() - attach to the probe site of a function
 * @a:		the attachment, with ops, group and key filled in
 * @target:	"[module:]symbol"; an offset other than 0 is refused
 * @flags:	KFI_ATTACH_MAY_WAIT to accept a function of a module that is
 *		not loaded yet (named as "module:symbol");
 *		KFI_ATTACH_EXCLUSIVE to be the only attachment of @a's group
 *		on the site: refused with -EBUSY while another of its group is
 *		attached, and others of its group are refused while @a is
 *		attached
 * @error:	if not NULL, filled in with the reason when it fails
 *
 * Creates the site and registers its probes if @a is the first attachment.
 * @a's callbacks may be called as soon as this returns (even before).
 *
 * Context: process context, may sleep.
 * Return: 0, or a negative errno (see @error for why).
 */
int kfi_attach(struct kfi_attach *a, const char *target, unsigned int flags,
	       struct kfi_attach_error *error)
{
	char module[MODULE_NAME_LEN], name[KSYM_NAME_LEN];
	struct kfi_site *site, *new = NULL;
	struct kfi_symbol sym;
	unsigned long offset, gen;
	int err;

	if (a->group < 0 || a->group >= KFI_NR_GROUPS)
		return -EINVAL;
	/* Readers may still be walking @a's old links. */
	kfi_detach_wait(a);
again:
	gen = READ_ONCE(kfi_module_gen);
	err = kfi_symbol_parse(target, module, name, &offset);
	if (err) {
		if (error)
			snprintf(error->why, sizeof(error->why),
				 "%s: not a function name (error %d)",
				 target, err);
		return err;
	}
	err = offset ? 0 : kfi_symbol_resolve(target, &sym);
	if (offset || (!err && sym.offset)) {
		if (error)
			snprintf(error->why, sizeof(error->why),
				 "%s: not a function entry, kfi probes function entries only (error %d)",
				 target, -EINVAL);
		return -EINVAL;
	}
	if (!err) {
		/* The canonical name, also when the user left out the module. */
		strscpy(module, sym.module, sizeof(module));
		strscpy(name, sym.name, sizeof(name));
	} else if (!(err == -ENOENT && *module && (flags & KFI_ATTACH_MAY_WAIT)) ||
		   !kfi_symbol_module_may_come(module)) {
		/* Waiting makes sense only for a module not loaded yet. */
		kfi_site_describe_error(error, module, name, err);
		return err;
	}
	if (!strcmp(module, KBUILD_MODNAME)) {
		kfi_site_describe_error(error, module, name, -EPERM);
		return -EPERM;
	}

	mutex_lock(&kfi_probe_mutex);
	mutex_lock(&kfi_core_mutex);
	/*
	 * A module event since the lookup: @sym may be a module's that is gone
	 * (its address now another's), or init text that is freed. Once more.
	 */
	if (gen != kfi_module_gen) {
		mutex_unlock(&kfi_core_mutex);
		mutex_unlock(&kfi_probe_mutex);
		goto again;
	}
	site = kfi_site_find(module, name);
	if (site) {
		struct kfi_attach *b = kfi_site_excluder(site, a, flags);

		if (b) {
			err = -EBUSY;
			if (error)
				snprintf(error->why, sizeof(error->why),
					 "%s%s%s: already held exclusively by %s (error %d)",
					 module, *module ? ":" : "", name,
					 b->key, err);
			goto out_unlock;
		}
		/*
		 * An unused site that a return attachment left on kprobes goes
		 * back to ftrace: nothing misses calls while it moves.
		 */
		if (list_empty(&site->attached) && site->live &&
		    !site->ftrace_ip && !site->kprobe_only && !site->nr_ret &&
		    !a->ops->ret && kfi_ftrace_ready)
			kfi_site_unregister(site);
		/*
		 * Also a site left waiting while its module is loaded: its
		 * module came back while the site was empty (waiting for the
		 * reaper), or registering then failed. Now is the time.
		 */
		err = kfi_site_add(site, a, &sym, err, error);
		if (err)
			goto out_unlock;
	} else {
		size_t len = strlen(name) + 1;

		new = kzalloc(struct_size(new, name, len), GFP_KERNEL);
		if (!new) {
			err = -ENOMEM;
			goto out_unlock;
		}
		INIT_LIST_HEAD(&new->attached);
		strscpy(new->module, module, sizeof(new->module));
		memcpy(new->name, name, len);
		/* Registered in the shape @a needs at once. */
		kfi_site_count(new, a, 1);
		err = kfi_site_register_or_wait(new, &sym, err, error);
		if (err)
			goto out_free;
		site = new;
		list_add_tail(&site->node, &kfi_sites);
	}

	a->site = site;
	a->id = ++kfi_next_id;
	a->flags = flags;
	kfi_site_insert(site, a);
	mutex_unlock(&kfi_core_mutex);
	mutex_unlock(&kfi_probe_mutex);
	return 0;

out_free:
	kfi_site_free(new);
out_unlock:
	mutex_unlock(&kfi_core_mutex);
	mutex_unlock(&kfi_probe_mutex);
	return err;
}

/**
 * kfi_detach_nowait() - detach from a probe site, without waiting
 * @a:		an attachment that kfi_attach() attached
 *
 * Takes @a off its site's list: no probe handler that starts after this
 * returns runs @a's callbacks, but one that started before may still be
 * running them. The owner calls kfi_detach_wait() before it frees or
 * attaches @a again (kfi_attach() does it too), so that detaching many
 * attachments costs one grace period, not one each. A site left with
 * nothing attached keeps its probes until the reaper unregisters them, in
 * batches.
 *
 * Context: process context, may sleep (on kfi_core_mutex only).
 */
void kfi_detach_nowait(struct kfi_attach *a)
{
	struct kfi_site *site = a->site;

	mutex_lock(&kfi_core_mutex);
	list_del_rcu(&a->node);
	kfi_site_count(site, a, -1);
	if (kfi_site_excess(site) || list_empty(&site->attached))
		schedule_work(&kfi_reap_work);
	/*
	 * @a->site stays: handlers still running @a may read it (the site
	 * is freed only after its probes are unregistered, a grace period).
	 */
	mutex_unlock(&kfi_core_mutex);

	a->gp_state = get_state_synchronize_rcu();
	a->detaching = true;
}

/**
 * kfi_detach_wait() - wait until a detached attachment is unused
 * @a:		an attachment that kfi_detach_nowait() detached, or one that
 *		was never attached
 *
 * When this returns, no probe handler runs @a's callbacks any more, and none
 * will: the owner may free @a. Returns at once when a grace period already
 * went by since the detach.
 *
 * Context: process context, may sleep.
 */
void kfi_detach_wait(struct kfi_attach *a)
{
	if (!a->detaching)
		return;
	/* Pairs with the list walks of the probe handlers. */
	cond_synchronize_rcu(a->gp_state);
	a->detaching = false;
	a->site = NULL;
}

/**
 * kfi_detach() - detach from a probe site
 * @a:		an attachment that kfi_attach() attached
 *
 * kfi_detach_nowait() and kfi_detach_wait() in one: when this returns, no
 * probe handler runs @a's callbacks any more, and none will.
 *
 * Context: process context, may sleep (an RCU grace period at least).
 */
void kfi_detach(struct kfi_attach *a)
{
	kfi_detach_nowait(a);
	kfi_detach_wait(a);
}

/**
 * kfi_attach_live() - whether an attachment's probes are in place
 * @a:		an attached attachment
 *
 * Return: false while the function's module is not loaded.
 * Context: any.
 */
bool kfi_attach_live(const struct kfi_attach *a)
{
	return READ_ONCE(a->site->live);
}
NOKPROBE_SYMBOL(kfi_attach_live);

/**
 * kfi_attach_ret_missed() - calls whose return could not be hooked
 * @a:		an attached attachment
 *
 * The calls of @a's function, since its site was made, whose return kfi
 * could not hook: every kretprobe instance was held by a call still inside
 * the function (max(64, 8 x possible CPUs) of them), RCU did not watch the
 * function's entry, or kprobes skipped the hit (it came inside another
 * probe's handler). Whatever the task: kfi sees none of these calls, whose
 * owners take the difference between two readings.
 *
 * Context: process context, may sleep.
 * Return: the count.
 */
unsigned long kfi_attach_ret_missed(const struct kfi_attach *a)
{
	struct kfi_site_ret *ret;
	unsigned long n = 0;

	mutex_lock(&kfi_core_mutex);
	ret = a->site->ret;
	if (ret)
		n = ret->missed + READ_ONCE(ret->krp.nmissed) +
		    READ_ONCE(ret->krp.kp.nmissed);
	mutex_unlock(&kfi_core_mutex);
	return n;
}

/**
 * kfi_attach_module() - the module of the function an attachment is on
 * @a:		an attached attachment
 *
 * Return: the module's name, "" for vmlinux.
 * Context: any, while @a is attached.
 */
const char *kfi_attach_module(const struct kfi_attach *a)
{
	return a->site->module;
}

/**
 * kfi_attach_symbol() - the name of the function an attachment is on
 * @a:		an attached attachment
 *
 * Return: the symbol's name, without its module.
 * Context: any, while @a is attached.
 */
const char *kfi_attach_symbol(const struct kfi_attach *a)
{
	return a->site->name;
}

/**
 * kfi_caller() - the address a call will return to
 * @regs:	registers at the function's entry, in a probe handler
 *
 * Sees through a kretprobe that already replaced the return address.
 *
 * Context: probe handler.
 * Return: the return address.
 */
unsigned long kfi_caller(struct pt_regs *regs)
{
	return kfi_arch_return_address(regs, kfi_trampoline);
}
NOKPROBE_SYMBOL(kfi_caller);


/* Whether @site's probes are in @mod's init text, freed once @mod is live. */
static bool kfi_site_on_init(const struct kfi_site *site,
			     const struct module *mod)
{
	unsigned long addr = site->ftrace_ip;

	if (site->kp_live)
		addr = (unsigned long)site->kp.addr;
	else if (site->ret_live)
		addr = (unsigned long)site->ret->krp.kp.addr;
	return site->live && within_module_init(addr, mod);
}

/*
 * A module's sites follow it: registered as it comes, unregistered as it
 * goes, and those on its init functions once it is live (its init text is
 * freed then; they come back at its next load).
 */
static int kfi_core_module_event(struct notifier_block *nb,
				 unsigned long event, void *data)
{
	unsigned int n = 0, nr_coming = 0;
	struct kfi_site *site, **coming = NULL;
	struct kfi_unreg_batch b = {};
	struct module *mod = data;

	if (event != MODULE_STATE_COMING && event != MODULE_STATE_GOING &&
	    event != MODULE_STATE_LIVE)
		return NOTIFY_DONE;

	/* Also waits for the reaper's batch, which may hold the module's. */
	mutex_lock(&kfi_probe_mutex);
	mutex_lock(&kfi_core_mutex);
	WRITE_ONCE(kfi_module_gen, kfi_module_gen + 1);
	kfi_for_each_site(site)
		n += !strcmp(site->module, mod->name);
	if (event == MODULE_STATE_COMING)
		coming = kmalloc_array(n, sizeof(*coming), GFP_KERNEL);
	else
		kfi_batch_init(&b, n);
	kfi_for_each_site(site) {
		if (strcmp(site->module, mod->name))
			continue;
		if (event == MODULE_STATE_GOING ||
		    (event == MODULE_STATE_LIVE && kfi_site_on_init(site, mod))) {
			kfi_batch_add(&b, site);
		} else if (event == MODULE_STATE_COMING && !site->live &&
			   !list_empty(&site->attached)) {
			if (coming)
				coming[nr_coming++] = site;
			else
				kfi_sites_register(&site, 1);
		}
	}
	kfi_batch_flush(&b);
	if (nr_coming)
		kfi_sites_register(coming, nr_coming);
	kfree(coming);
	mutex_unlock(&kfi_core_mutex);
	mutex_unlock(&kfi_probe_mutex);
	return NOTIFY_OK;
}

static struct notifier_block kfi_core_module_nb = {
	.notifier_call = kfi_core_module_event,
};

/*
 * Registers kfi_ftrace_ops on kfi_ftrace_anchor() alone and calls it once, to
 * learn where ftrace's call site is in a function. Sites use kprobes when
 * this fails.
 */
static void kfi_site_ftrace_init(void)
{
	unsigned long anchor = (unsigned long)kfi_ftrace_anchor;
	int err;

	err = ftrace_set_filter_ip(&kfi_ftrace_ops, anchor, 0, 1);
	if (!err)
		err = register_ftrace_function(&kfi_ftrace_ops);
	if (err) {
		pr_info("ftrace refused kfi's ops (error %d): every probe is a kprobe\n",
			err);
		return;
	}
	kfi_ftrace_anchor();
	if (!READ_ONCE(kfi_ftrace_seen)) {
		pr_info("ftrace does not call kfi (ftrace_enabled off?): every probe is a kprobe\n");
		unregister_ftrace_function(&kfi_ftrace_ops);
		return;
	}
	kfi_ftrace_offset = kfi_ftrace_seen - anchor;
	kfi_ftrace_ready = true;
}

static void kfi_site_ftrace_exit(void)
{
	if (kfi_ftrace_ready)
		unregister_ftrace_function(&kfi_ftrace_ops);
	/* Last: it frees the filter without forgetting it. */
	ftrace_free_filter(&kfi_ftrace_ops);
}

int kfi_core_init(void)
{
	struct kfi_symbol sym;
	int err;

	if (!kfi_symbol_resolve(kfi_arch_ret_trampoline, &sym))
		kfi_trampoline = sym.addr;
	kfi_ftrace_unhashed = get_state_synchronize_rcu();
	kfi_site_ftrace_init();
	err = register_module_notifier(&kfi_core_module_nb);
	if (err)
		kfi_site_ftrace_exit();
	return err;
}

void kfi_core_exit(void)
{
	unregister_module_notifier(&kfi_core_module_nb);
	/* Every owner detached before this: the reaper empties kfi_sites. */
	flush_work(&kfi_reap_work);
	WARN_ON(!list_empty(&kfi_sites));
	kfi_site_ftrace_exit();
}
