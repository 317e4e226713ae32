// SPDX-License-Identifier: GPL-2.0
/*
 * Hotfix redirects: a hotfix module names buggy functions and their fixed
 * versions, and every call of a buggy function runs the fixed one instead.
 *
 * Each function of a hotfix is an attachment on the function's probe site,
 * after the injection rules. At the call's entry it points the instruction
 * pointer at the replacement, which returns straight to the caller. The
 * module (the replacement's code) must not be unloaded while any task runs
 * in it, even asleep. A function given with its thunk (KFI_HOTFIX_FUNC())
 * is redirected to the thunk, which calls the replacement and counts the
 * call out of a per-CPU count; any other function's return is hooked, and
 * its call holds a reference on the module:
 *
 *   thunk:   entry:    enabled: count the call in, redirect to the thunk
 *                      (which counts it out when the replacement returns)
 *   other:   want_ret: enabled && try_module_get(mod)   (else: old function)
 *            entry:    redirect to the replacement
 *            ret:      module_put(mod)
 *
 * A hotfix that is enabled pins its module with one reference, so rmmod
 * fails until "echo 0 > enabled" drops it. With thunks, the pin is dropped
 * only once no call is left in them: at once when none is, else by
 * kfi_hotfix_drain() when the last one leaves.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/atomic.h>
#include <linux/delay.h>
#include <linux/kprobes.h>
#include <linux/list.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/percpu.h>
#include <linux/rcupdate.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/workqueue.h>

#include <kfi/hotfix.h>

#include "arch/kfi_arch.h"
#include "core/core.h"
#include "hotfix/hotfix.h"

/* Injection rules act first (group 0), then the redirect. */
#define KFI_HOTFIX_GROUP	1

struct kfi_hotfix_stats {
	unsigned long calls;	/* redirected */
	unsigned long missed;	/* not redirected: no return probe was free */
};

/* One function of a hotfix: its attachment on the function's site. */
struct kfi_hotfix_site {
	struct kfi_attach attach;
	struct kfi_hotfix_state *hs;
	const struct kfi_hotfix_func *func;
	unsigned int obj;		/* first site of the same module */
	bool peers;			/* other sites of the same module */
	struct kfi_hotfix_stats __percpu *stats;
	char new_name[MODULE_NAME_LEN + KSYM_NAME_LEN];	/* "module:symbol" */
};

struct kfi_hotfix_state {
	struct kfi_hotfix *hotfix;
	struct list_head node;		/* in kfi_hotfixes */
	bool enabled;			/* protected by kfi_hotfix_mutex */
	bool pinned;			/* protected by kfi_hotfix_mutex */
	unsigned long enables;		/* protected by kfi_hotfix_mutex */
	unsigned long synced;		/* @enables the drain waited out */
	bool thunks;			/* some function has a thunk */
	struct delayed_work drain;	/* drops the pin after the thunks */
	atomic_t inflight;		/* hooked calls not returned yet */
	void *view;			/* protected by kfi_hotfix_mutex */
	unsigned int nr;
	struct kfi_hotfix_site sites[];
};

/*
 * kfi_hotfix_mutex protects kfi_hotfixes, and each hotfix's @enabled, the
 * module reference that pins it (@pinned), @enables, @synced and @view. A
 * mutex: it is held across kfi_attach(), which sleeps. Probe handlers never take it; they
 * read @enabled once per call, and kfi_hotfix_quiesce() waits them out.
 * Lock order: kfi_hotfix_mutex, then the core's lock. The view's callbacks
 * are called without it (configfs attributes take it).
 */
static DEFINE_MUTEX(kfi_hotfix_mutex);
static LIST_HEAD(kfi_hotfixes);
static const struct kfi_hotfix_view *kfi_hotfix_view;

static inline struct kfi_hotfix_site *to_hotfix_site(struct kfi_attach *a)
{
	return container_of(a, struct kfi_hotfix_site, attach);
}

/* Whether every peer of @s (see kfi_hotfix_in_place()) is probed. */
static noinline bool kfi_hotfix_peers_live(const struct kfi_hotfix_site *s)
{
	const struct kfi_hotfix_state *hs = s->hs;
	const struct kfi_hotfix_site *t;

	for (t = hs->sites; t < hs->sites + hs->nr; t++)
		if (t->obj == s->obj && !kfi_attach_live(&t->attach))
			return false;
	return true;
}
NOKPROBE_SYMBOL(kfi_hotfix_peers_live);

/*
 * Whether every function of @s's module (vmlinux, or the module the hotfix
 * named) has its probe in place: the functions of one module are redirected
 * all together or not at all, also when that module loads after the hotfix
 * and one of them cannot be probed then. Functions of other modules do not
 * hold @s back: their module may never load. Inline: a function without
 * peers, the common case, is answered on the call's path without a call.
 */
static nokprobe_inline bool kfi_hotfix_in_place(const struct kfi_hotfix_site *s)
{
	/* Its own probe is in place: its handler runs. */
	return !s->peers || kfi_hotfix_peers_live(s);
}

static __kfi_hot_ret bool
kfi_hotfix_want_ret(struct kfi_attach *a, struct pt_regs *regs,
		    unsigned long *data)
{
	struct kfi_hotfix_site *s = to_hotfix_site(a);
	struct kfi_hotfix_state *hs = s->hs;

	/*
	 * Fails once rmmod has begun to unload the module: the call then
	 * runs the old function.
	 */
	/* Pairs with kfi_hotfix_switch(): @peers is set before @enabled. */
	if (!smp_load_acquire(&hs->enabled) || !kfi_hotfix_in_place(s) ||
	    !try_module_get(hs->hotfix->mod))
		return false;
	atomic_inc(&hs->inflight);
	return true;
}
NOKPROBE_SYMBOL(kfi_hotfix_want_ret);

/* A function with a thunk, which counts the call out when it ends. */
static __kfi_hot enum kfi_verdict
kfi_hotfix_thunk_entry(struct kfi_attach *a, struct pt_regs *regs,
		       bool ret_hooked)
{
	struct kfi_hotfix_site *s = to_hotfix_site(a);
	struct kfi_hotfix_state *hs = s->hs;

	/* Pairs with kfi_hotfix_switch(): @peers is set before @enabled. */
	if (!smp_load_acquire(&hs->enabled) || !kfi_hotfix_in_place(s))
		return KFI_NEXT;
	this_cpu_inc(*s->func->inflight);
	this_cpu_inc(s->stats->calls);
	kfi_arch_redirect(regs, (unsigned long)s->func->thunk);
	return KFI_DIVERTED;
}
NOKPROBE_SYMBOL(kfi_hotfix_thunk_entry);

static __kfi_hot_ret enum kfi_verdict
kfi_hotfix_entry(struct kfi_attach *a, struct pt_regs *regs, bool ret_hooked)
{
	struct kfi_hotfix_site *s = to_hotfix_site(a);

	/*
	 * Only a call whose return is hooked holds the module: without the
	 * hook (the kretprobe's instances are all in use), the old function
	 * runs rather than a replacement that could be unloaded under it.
	 */
	if (!ret_hooked) {
		if (READ_ONCE(s->hs->enabled) && kfi_hotfix_in_place(s))
			this_cpu_inc(s->stats->missed);
		return KFI_NEXT;
	}
	this_cpu_inc(s->stats->calls);
	kfi_arch_redirect(regs, (unsigned long)s->func->new_func);
	return KFI_DIVERTED;
}
NOKPROBE_SYMBOL(kfi_hotfix_entry);

static __kfi_hot_ret bool
kfi_hotfix_ret(struct kfi_attach *a, struct pt_regs *regs, unsigned long data)
{
	struct kfi_hotfix_state *hs = to_hotfix_site(a)->hs;

	/* The task has left the replacement: the trampoline is not in it. */
	atomic_dec(&hs->inflight);
	module_put(hs->hotfix->mod);
	return true;
}
NOKPROBE_SYMBOL(kfi_hotfix_ret);

static const struct kfi_attach_ops kfi_hotfix_ops = {
	.want_ret	= kfi_hotfix_want_ret,
	.entry		= kfi_hotfix_entry,
	.ret		= kfi_hotfix_ret,
};

static const struct kfi_attach_ops kfi_hotfix_thunk_ops = {
	.entry		= kfi_hotfix_thunk_entry,
};

static const char *kfi_hotfix_mod_name(const struct kfi_hotfix *hotfix)
{
	return hotfix->mod ? module_name(hotfix->mod) : "?";
}

static struct kfi_hotfix_state *kfi_hotfix_find(const char *name)
{
	struct kfi_hotfix_state *hs;

	lockdep_assert_held(&kfi_hotfix_mutex);
	list_for_each_entry(hs, &kfi_hotfixes, node)
		if (!strcmp(kfi_hotfix_name(hs), name))
			return hs;
	return NULL;
}

/*
 * Whether @fn is in @mod's text that stays: not its data, not its __init
 * text (freed once its init returns). The kernel exports no lookup of this
 * (__module_text_address() is not exported): 6.1's layout is read, whose
 * core text is the start of core_layout.
 */
static bool kfi_hotfix_in_text(const void *fn, const struct module *mod)
{
	unsigned long base = (unsigned long)mod->core_layout.base;

	return fn && (unsigned long)fn - base < mod->core_layout.text_size;
}

/* Checks what the hotfix module handed in; logs the first mistake. */
static int kfi_hotfix_check(const struct kfi_hotfix *hotfix, unsigned int *nr)
{
	const struct kfi_hotfix_func *f;
	const char *name = kfi_hotfix_mod_name(hotfix);

	if (!hotfix->mod || !hotfix->funcs || !hotfix->funcs[0].old_name) {
		pr_err("hotfix %s: needs .mod and at least one function\n",
		       name);
		return -EINVAL;
	}
	if (hotfix->state) {
		pr_err("hotfix %s: already registered\n", name);
		return -EEXIST;
	}
	for (f = hotfix->funcs; f->old_name; f++) {
		if (!kfi_hotfix_in_text(f->new_func, hotfix->mod) ||
		    (f->thunk && !kfi_hotfix_in_text(f->thunk, hotfix->mod))) {
			pr_err("hotfix %s: %s: the replacement is not a function of %s (error %d)\n",
			       name, f->old_name, name, -EINVAL);
			return -EINVAL;
		}
		if (!f->thunk != !f->inflight) {
			pr_err("hotfix %s: %s: a thunk and its count go together, as KFI_HOTFIX_FUNC() sets them (error %d)\n",
			       name, f->old_name, -EINVAL);
			return -EINVAL;
		}
	}
	*nr = f - hotfix->funcs;
	return 0;
}

static void kfi_hotfix_free(struct kfi_hotfix_state *hs)
{
	struct kfi_hotfix_site *s;

	for (s = hs->sites; s < hs->sites + hs->nr; s++)
		free_percpu(s->stats);
	kfree(hs);
}

static void kfi_hotfix_drain_work(struct work_struct *work);

static struct kfi_hotfix_state *kfi_hotfix_alloc(struct kfi_hotfix *hotfix,
						 unsigned int nr)
{
	struct kfi_hotfix_state *hs;
	struct kfi_hotfix_site *s;

	hs = kzalloc(struct_size(hs, sites, nr), GFP_KERNEL);
	if (!hs)
		return NULL;
	hs->hotfix = hotfix;
	hs->nr = nr;
	INIT_DELAYED_WORK(&hs->drain, kfi_hotfix_drain_work);
	atomic_set(&hs->inflight, 0);
	for (s = hs->sites; s < hs->sites + hs->nr; s++) {
		struct kfi_symbol sym;

		s->hs = hs;
		s->func = &hotfix->funcs[s - hs->sites];
		sym.addr = (unsigned long)s->func->new_func;
		if (kfi_symbol_describe(&sym))
			snprintf(s->new_name, sizeof(s->new_name), "%s:0x%lx",
				 module_name(hotfix->mod), sym.addr);
		else
			snprintf(s->new_name, sizeof(s->new_name), "%s:%s",
				 sym.module, sym.name);
		s->attach.ops = &kfi_hotfix_ops;
		if (s->func->thunk) {
			s->attach.ops = &kfi_hotfix_thunk_ops;
			hs->thunks = true;
		}
		s->attach.group = KFI_HOTFIX_GROUP;
		s->attach.key = module_name(hotfix->mod);
		s->stats = alloc_percpu(struct kfi_hotfix_stats);
		if (!s->stats) {
			kfi_hotfix_free(hs);
			return NULL;
		}
	}
	return hs;
}

/* At least the size of "functions", its terminating NUL included. */
#define KFI_HOTFIX_LINE_EXTRA	(sizeof("  disabled   ") + 2 * 20)
static size_t kfi_hotfix_functions_size(const struct kfi_hotfix_state *hs)
{
	const struct kfi_hotfix_site *s;
	size_t size = 1;

	for (s = hs->sites; s < hs->sites + hs->nr; s++)
		size += strlen(s->func->old_name) + strlen(s->new_name) +
			KFI_HOTFIX_LINE_EXTRA;
	return size;
}

/*
 * Attaches every function, or none. The redirects stay off (@enabled is
 * false) until the caller switches them all on with one store.
 */
static int kfi_hotfix_attach_all(struct kfi_hotfix_state *hs)
{
	struct kfi_attach_error error;
	struct kfi_hotfix_site *s;
	int err;

	lockdep_assert_held(&kfi_hotfix_mutex);
	for (s = hs->sites; s < hs->sites + hs->nr; s++) {
		err = kfi_attach(&s->attach, s->func->old_name,
				 KFI_ATTACH_MAY_WAIT | KFI_ATTACH_EXCLUSIVE,
				 &error);
		if (err) {
			pr_err("hotfix %s: %s\n", kfi_hotfix_name(hs), error.why);
			goto err_detach;
		}
		/* The first function of its module, as the site names it. */
		for (s->obj = 0; s->obj < s - hs->sites; s->obj++)
			if (!strcmp(kfi_attach_module(&hs->sites[s->obj].attach),
				    kfi_attach_module(&s->attach)))
				break;
		if (s->obj != s - hs->sites) {
			hs->sites[s->obj].peers = true;
			s->peers = true;
		}
	}
	return 0;

err_detach:
	while (s-- > hs->sites)
		kfi_detach(&s->attach);
	return err;
}

static void kfi_hotfix_unpin(struct kfi_hotfix_state *hs)
{
	lockdep_assert_held(&kfi_hotfix_mutex);
	if (hs->pinned) {
		hs->pinned = false;
		module_put(hs->hotfix->mod);
	}
}

/*
 * Switches every redirect of @hs on or off at once. Off, a hotfix with
 * thunks stays pinned: its caller calls kfi_hotfix_drain() after it.
 */
static int kfi_hotfix_switch(struct kfi_hotfix_state *hs, bool on)
{
	lockdep_assert_held(&kfi_hotfix_mutex);
	if (on == hs->enabled)
		return 0;
	if (on) {
		/* Pins the module while enabled; fails once it is going. */
		if (!hs->pinned && !try_module_get(hs->hotfix->mod))
			return -ENODEV;
		hs->pinned = true;
		hs->enables++;
		/* Handlers that see it see the hotfix's @peers too. */
		smp_store_release(&hs->enabled, true);
	} else {
		WRITE_ONCE(hs->enabled, false);
		if (!hs->thunks)
			kfi_hotfix_unpin(hs);
	}
	return 0;
}

/*
 * Redirected calls that have not returned yet: those whose return is hooked,
 * and those in thunks. A thunk's count is per CPU, a call counted in on one
 * CPU and out on another. Called once no call can be counted in any more,
 * and after a grace period that every count-in preceded (which orders
 * memory on every CPU): each CPU's count read then holds all of its
 * count-ins and some of its count-outs, so the sum lies between 0 and the
 * calls still in, and reads 0 only when none is.
 */
static unsigned long kfi_hotfix_inflight(const struct kfi_hotfix_state *hs)
{
	unsigned long n = atomic_read(&hs->inflight);
	const struct kfi_hotfix_site *s;
	int cpu;

	for (s = hs->sites; s < hs->sites + hs->nr; s++) {
		if (!s->func->inflight)
			continue;
		for_each_possible_cpu(cpu)
			n += READ_ONCE(*per_cpu_ptr(s->func->inflight, cpu));
	}
	return n;
}

/*
 * With @hs disabled: waits until no task runs in its replacements. A
 * handler that saw @enabled still true finishes within a grace period
 * (probe handlers run with preemption off), after which the count only
 * goes down. A thunk's last instructions run after its count-out: a task
 * preempted there has not switched voluntarily, so a Tasks RCU grace period
 * waits it out (with kernels that cannot preempt, Tasks RCU is RCU; it ends
 * with an RCU grace period, for interrupts and the idle task). Handlers
 * never run where RCU does not watch (the core skips those calls).
 */
static void kfi_hotfix_quiesce(struct kfi_hotfix_state *hs)
{
	unsigned int waited;

	synchronize_rcu();
	for (waited = 0; kfi_hotfix_inflight(hs); waited++) {
		if (waited && !(waited % 500))
			pr_info("hotfix %s: waiting for %lu calls to leave its replacements\n",
				kfi_hotfix_name(hs), kfi_hotfix_inflight(hs));
		msleep(20);
	}
	if (hs->thunks)
		synchronize_rcu_tasks();
}

/*
 * A hotfix with thunks, disabled: drops the pin once no call is left in
 * them, unless the hotfix was enabled again meanwhile (@enables moved).
 * Returns false if calls are still in them, asleep. The thunks' last
 * instructions, after the count-out, need no wait here: the module's code
 * goes only after kfi_hotfix_unregister(), whose kfi_hotfix_quiesce()
 * waits them out.
 */
static bool kfi_hotfix_try_unpin(struct kfi_hotfix_state *hs)
{
	unsigned long enables;
	bool done, synced;

	mutex_lock(&kfi_hotfix_mutex);
	enables = hs->enables;
	done = hs->enabled || !hs->pinned;
	synced = hs->synced == enables;
	mutex_unlock(&kfi_hotfix_mutex);
	if (done)
		return true;

	/* Once per disabling: the handlers that saw it enabled. */
	if (!synced) {
		synchronize_rcu();
		mutex_lock(&kfi_hotfix_mutex);
		hs->synced = enables;
		mutex_unlock(&kfi_hotfix_mutex);
	}
	if (kfi_hotfix_inflight(hs))
		return false;

	mutex_lock(&kfi_hotfix_mutex);
	if (enables == hs->enables && !hs->enabled)
		kfi_hotfix_unpin(hs);
	mutex_unlock(&kfi_hotfix_mutex);
	return true;
}

/*
 * After a hotfix with thunks was disabled: unpins it now if no call is in
 * them (rmmod may follow at once), else tries again in 20 ms, from
 * kfi_hotfix_drain_work().
 */
static void kfi_hotfix_drain(struct kfi_hotfix_state *hs)
{
	if (hs->thunks && !kfi_hotfix_try_unpin(hs))
		queue_delayed_work(system_long_wq, &hs->drain,
				   msecs_to_jiffies(20));
}

static void kfi_hotfix_drain_work(struct work_struct *work)
{
	kfi_hotfix_drain(container_of(to_delayed_work(work),
				      struct kfi_hotfix_state, drain));
}

/*
 * Takes a registered @hs, no longer in the view, off the list, stops its
 * redirects, waits until no task runs in its replacements, detaches it and
 * frees it.
 */
static void kfi_hotfix_destroy(struct kfi_hotfix_state *hs)
{
	struct kfi_hotfix_site *s;

	mutex_lock(&kfi_hotfix_mutex);
	list_del(&hs->node);
	kfi_hotfix_switch(hs, false);
	mutex_unlock(&kfi_hotfix_mutex);

	kfi_hotfix_quiesce(hs);
	/* Nothing can enable it again: the pin goes now, if still held. */
	cancel_delayed_work_sync(&hs->drain);
	mutex_lock(&kfi_hotfix_mutex);
	kfi_hotfix_unpin(hs);
	mutex_unlock(&kfi_hotfix_mutex);
	for (s = hs->sites; s < hs->sites + hs->nr; s++)
		kfi_detach(&s->attach);
	kfi_hotfix_free(hs);
}

/**
 * kfi_hotfix_register() - redirect functions to their replacements
 * @hotfix:	the hotfix: its module (THIS_MODULE) and functions
 *
 * Resolves every function of @hotfix and arms all the redirects at once,
 * or none: when any function cannot be redirected (unknown, not probeable,
 * already redirected by another hotfix, or taken by another ip-modifying
 * user such as a livepatch), nothing is armed, one line in the kernel log
 * names the function and the reason, and the error is returned.
 *
 * A function named "module:symbol" whose module is not loaded yet is
 * redirected from the moment that module loads, and stands aside while it
 * is unloaded. The hotfix appears under /sys/kernel/config/kfi/hotfixes/,
 * named after its module, enabled. While it is enabled the module cannot be
 * unloaded.
 *
 * Context: process context, typically the hotfix module's init function.
 * Return: 0, or a negative errno: -EINVAL for a malformed @hotfix, -EEXIST
 * if its module registered one already, -ENOMEM, -E2BIG when its functions'
 * names do not fit in one page of configfs, or the error of the
 * function that could not be redirected (-ENOENT when it does not exist,
 * -EBUSY when something else redirects it, -EPERM for kfi's own, -EINVAL
 * for a name with an offset or one kprobes refuse, -ERANGE for a name too
 * long).
 */
int kfi_hotfix_register(struct kfi_hotfix *hotfix)
{
	struct kfi_hotfix_state *hs;
	unsigned int nr;
	void *view = NULL;
	int err;

	err = kfi_hotfix_check(hotfix, &nr);
	if (err)
		return err;
	hs = kfi_hotfix_alloc(hotfix, nr);
	if (!hs)
		return -ENOMEM;
	if (kfi_hotfix_functions_size(hs) > PAGE_SIZE) {
		pr_err("hotfix %s: its functions do not fit in one page of \"functions\" (error %d)\n",
		       kfi_hotfix_name(hs), -E2BIG);
		kfi_hotfix_free(hs);
		return -E2BIG;
	}

	mutex_lock(&kfi_hotfix_mutex);
	if (kfi_hotfix_find(kfi_hotfix_name(hs))) {
		pr_err("hotfix %s: already registered\n", kfi_hotfix_name(hs));
		err = -EEXIST;
		goto err_unlock;
	}
	err = kfi_hotfix_attach_all(hs);
	if (err)
		goto err_unlock;
	list_add_tail(&hs->node, &kfi_hotfixes);
	mutex_unlock(&kfi_hotfix_mutex);

	if (kfi_hotfix_view) {
		view = kfi_hotfix_view->add(hs);
		if (IS_ERR(view)) {
			err = PTR_ERR(view);
			pr_err("hotfix %s: cannot show it in configfs (error %d)\n",
			       kfi_hotfix_name(hs), err);
			goto err_unlist;
		}
	}

	mutex_lock(&kfi_hotfix_mutex);
	hs->view = view;
	/* The one store that arms every redirect. */
	err = kfi_hotfix_switch(hs, true);
	mutex_unlock(&kfi_hotfix_mutex);
	if (err) {
		if (view)
			kfi_hotfix_view->remove(view);
		goto err_unlist;
	}
	hotfix->state = hs;
	pr_info("hotfix %s: %u function%s redirected\n", kfi_hotfix_name(hs),
		nr, nr == 1 ? "" : "s");
	return 0;

err_unlist:
	kfi_hotfix_destroy(hs);
	return err;

err_unlock:
	mutex_unlock(&kfi_hotfix_mutex);
	kfi_hotfix_free(hs);
	return err;
}
EXPORT_SYMBOL_GPL(kfi_hotfix_register);

/**
 * kfi_hotfix_unregister() - remove a hotfix's redirects
 * @hotfix:	a hotfix that kfi_hotfix_register() registered
 *
 * Removes the hotfix from configfs, stops its redirects, waits until no task
 * runs in any of its replacements, and removes its probes. Afterwards the
 * replacements' code may go. Called from the module's exit function this
 * has no call to wait for: a task in a replacement keeps the module pinned
 * (or, without a thunk, holds it), so rmmod fails rather than getting this
 * far; with thunks it still waits out grace periods.
 *
 * Context: process context, may sleep.
 */
void kfi_hotfix_unregister(struct kfi_hotfix *hotfix)
{
	struct kfi_hotfix_state *hs = hotfix->state;
	void *view;

	if (!hs)
		return;
	mutex_lock(&kfi_hotfix_mutex);
	view = hs->view;
	hs->view = NULL;
	mutex_unlock(&kfi_hotfix_mutex);
	/* After this no configfs write can switch the hotfix on again. */
	if (view)
		kfi_hotfix_view->remove(view);

	hotfix->state = NULL;
	kfi_hotfix_destroy(hs);
	pr_info("hotfix %s: removed\n", kfi_hotfix_mod_name(hotfix));
}
EXPORT_SYMBOL_GPL(kfi_hotfix_unregister);

/* The hotfix of @mod still registered (named after it), or NULL. */
static struct kfi_hotfix *kfi_hotfix_of_module(struct module *mod)
{
	struct kfi_hotfix_state *hs;

	mutex_lock(&kfi_hotfix_mutex);
	hs = kfi_hotfix_find(module_name(mod));
	mutex_unlock(&kfi_hotfix_mutex);
	return hs ? hs->hotfix : NULL;
}

/*
 * A module going away with its hotfix registered: its init failed after
 * kfi_hotfix_register() (the loader then frees the module whatever
 * references it has), or its exit did not unregister. The hotfix goes with
 * it, before its code and its struct kfi_hotfix are freed.
 */
static int kfi_hotfix_module_notify(struct notifier_block *nb,
				    unsigned long action, void *data)
{
	struct kfi_hotfix *hotfix;
	struct module *mod = data;

	if (action != MODULE_STATE_GOING)
		return NOTIFY_DONE;
	while ((hotfix = kfi_hotfix_of_module(mod))) {
		pr_err("hotfix %s: its module is going without unregistering it\n",
		       module_name(mod));
		kfi_hotfix_unregister(hotfix);
	}
	return NOTIFY_DONE;
}

static struct notifier_block kfi_hotfix_module_nb = {
	.notifier_call = kfi_hotfix_module_notify,
};

int kfi_hotfix_init(void)
{
	return register_module_notifier(&kfi_hotfix_module_nb);
}

/* Hotfix modules depend on kfi: none is loaded when kfi unloads. */
void kfi_hotfix_exit(void)
{
	unregister_module_notifier(&kfi_hotfix_module_nb);
}

/*
 * Sets (or, with NULL, clears) the view told of hotfixes. Hotfix modules
 * depend on kfi, so none is registered while kfi loads or unloads, when
 * this is called.
 */
void kfi_hotfix_set_view(const struct kfi_hotfix_view *view)
{
	mutex_lock(&kfi_hotfix_mutex);
	WARN_ON_ONCE(!list_empty(&kfi_hotfixes));
	kfi_hotfix_view = view;
	mutex_unlock(&kfi_hotfix_mutex);
}

const char *kfi_hotfix_name(const struct kfi_hotfix_state *hs)
{
	return module_name(hs->hotfix->mod);
}

bool kfi_hotfix_enabled(const struct kfi_hotfix_state *hs)
{
	return READ_ONCE(hs->enabled);
}

/* Context: process context; -ENODEV once the hotfix module is going. */
int kfi_hotfix_set_enabled(struct kfi_hotfix_state *hs, bool on)
{
	int err;

	mutex_lock(&kfi_hotfix_mutex);
	err = kfi_hotfix_switch(hs, on);
	mutex_unlock(&kfi_hotfix_mutex);
	if (!err && !on)
		kfi_hotfix_drain(hs);
	return err;
}

static void kfi_hotfix_site_stats(const struct kfi_hotfix_site *s,
				  struct kfi_hotfix_stats *sum)
{
	int cpu;

	sum->calls = 0;
	sum->missed = 0;
	for_each_possible_cpu(cpu) {
		const struct kfi_hotfix_stats *st = per_cpu_ptr(s->stats, cpu);

		sum->calls += READ_ONCE(st->calls);
		sum->missed += READ_ONCE(st->missed);
	}
}

unsigned long kfi_hotfix_calls(const struct kfi_hotfix_state *hs)
{
	const struct kfi_hotfix_site *s;
	struct kfi_hotfix_stats st;
	unsigned long calls = 0;

	for (s = hs->sites; s < hs->sites + hs->nr; s++) {
		kfi_hotfix_site_stats(s, &st);
		calls += st.calls;
	}
	return calls;
}

/*
 * One line per function: "OLD NEW STATE CALLS MISSED", STATE being applied,
 * disabled, waiting (its probe is not in place: its module is not loaded,
 * or the probe failed when it loaded) or held (another function of its
 * module is waiting).
 */
ssize_t kfi_hotfix_show_functions(const struct kfi_hotfix_state *hs,
				  char *buf, size_t len)
{
	const struct kfi_hotfix_site *s;
	struct kfi_hotfix_stats st;
	ssize_t n = 0;

	for (s = hs->sites; s < hs->sites + hs->nr; s++) {
		const char *state;

		if (!kfi_attach_live(&s->attach))
			state = "waiting";
		else if (!READ_ONCE(hs->enabled))
			state = "disabled";
		else if (!kfi_hotfix_in_place(s))
			state = "held";
		else
			state = "applied";
		kfi_hotfix_site_stats(s, &st);
		n += scnprintf(buf + n, len - n, "%s %s %s %lu %lu\n",
			       s->func->old_name, s->new_name, state,
			       st.calls, st.missed);
	}
	return n;
}
