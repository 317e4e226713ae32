// SPDX-License-Identifier: GPL-2.0
/*
 * Probe sites: one per target function, whatever and however many things
 * are attached to it, so that kfi never puts two probes of its own that
 * change the instruction pointer on one function.
 *
 * A site has an entry kprobe while anything is attached, and a kretprobe
 * while something attached wants to see returns. Sites whose function lives
 * in a module follow that module: its unloading unregisters the probes (the
 * site is then "waiting"), and its loading registers them again, so that
 * attachments survive a module's reload without their owners doing anything.
 *
 *   kfi_sites ── site (module, name) ── attached: a0 → a1 → ... (RCU)
 *                  ├── kprobe    → entry callbacks, in (group, key) order
 *                  └── kretprobe → want_ret at entry, ret at return
 */
#include <linux/kprobes.h>
#include <linux/list.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/rculist.h>
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
	bool ret_live;			/* kretprobe registered */
	unsigned int nr_ret;		/* attachments with a ret callback */
	struct kprobe kp;
	struct kfi_site_ret *ret;	/* allocated when first needed */
	char module[MODULE_NAME_LEN];	/* "" for vmlinux */
	char name[];			/* sized to fit: thousands of sites */
};

/* Most sites never watch returns: their kretprobe is apart. */
struct kfi_site_ret {
	struct kretprobe krp;
	struct kfi_site *site;
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
 * entry handler ran, @data only when a return was hooked: a live kretprobe
 * whose entry handler did not run had no free instance for the call.
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

/* See core.h: set at the start of every entry handler. */
DEFINE_PER_CPU(bool, kfi_hit_by_exception);

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

/* The kretprobe trampoline's address, looked up once at init. */
static unsigned long kfi_trampoline __ro_after_init;

#define kfi_for_each_site(site) \
	list_for_each_entry(site, &kfi_sites, node)

/* The kretprobe could not hook this call's return: tell who wanted it. */
static void kfi_site_ret_missed(struct kfi_site *site)
{
	struct kfi_attach *a;

	list_for_each_entry_rcu(a, &site->attached, node)
		if (a->ops->ret_missed)
			a->ops->ret_missed(a);
}
NOKPROBE_SYMBOL(kfi_site_ret_missed);

/* Whether @a's return is hooked for this call: see kfi_ret_pending. */
static nokprobe_inline bool kfi_ret_hooked(struct kfi_ret_data *data,
					   struct kfi_attach *a)
{
	return data && data->slot[a->group].a == a;
}

/*
 * The entry callbacks of every attachment, in order, after telling them of
 * a return the kretprobe @missed. Returns true when one diverted the call.
 */
static noinline bool kfi_site_entry_all(struct kfi_site *site,
					struct pt_regs *regs,
					struct kfi_ret_data *data, bool missed)
{
	struct kfi_attach *a;
	int acted = INT_MIN;

	if (missed)
		kfi_site_ret_missed(site);

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

static int kfi_site_entry(struct kprobe *kp, struct pt_regs *regs)
{
	struct kfi_site *site = container_of(kp, struct kfi_site, kp);
	struct kfi_ret_pending *pending = this_cpu_ptr(&kfi_ret_pending);
	struct kfi_ret_data *data = NULL;
	struct list_head *first;
	struct kfi_attach *a;
	bool missed = false;

	__this_cpu_write(kfi_hit_by_exception, !kprobe_ftrace(kp));
	if (pending->site == site)
		data = pending->data;
	if (pending->site != site ||
	    (data && !kfi_arch_kretprobe_hooked_here(regs, data))) {
		data = NULL;
		missed = READ_ONCE(site->ret_live);
	}
	pending->site = NULL;

	/*
	 * One attachment, the common case, is called from here; the rest out
	 * of line, so that this function needs few registers saved.
	 */
	first = rcu_dereference_sched(list_next_rcu(&site->attached));
	if (missed || first == &site->attached ||
	    rcu_dereference_sched(list_next_rcu(first)) != &site->attached) {
		if (kfi_site_entry_all(site, regs, data, missed))
			return 1;
	} else {
		a = list_entry(first, struct kfi_attach, node);
		if (a->ops->entry &&
		    a->ops->entry(a, regs, kfi_ret_hooked(data, a)) ==
		    KFI_DIVERTED)
			return 1;
	}
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
	return 0;
}
NOKPROBE_SYMBOL(kfi_site_entry);

/*
 * Empty, but it must exist: a kprobe without a post_handler may be
 * jump-optimized, and an optimized probe ignores a changed instruction
 * pointer; on ftrace-based probes it also declares FTRACE_OPS_FL_IPMODIFY.
 */
static void kfi_site_post(struct kprobe *kp, struct pt_regs *regs,
			  unsigned long flags)
{
}
NOKPROBE_SYMBOL(kfi_site_post);

static int kfi_site_ret_entry(struct kretprobe_instance *ri,
			      struct pt_regs *regs)
{
	struct kretprobe *krp = get_kretprobe(ri);
	struct kfi_site *site = container_of(krp, struct kfi_site_ret, krp)->site;
	struct kfi_ret_pending *pending = this_cpu_ptr(&kfi_ret_pending);
	struct kfi_ret_data *data = (struct kfi_ret_data *)ri->data;
	struct kfi_attach *a;
	bool hook = false;
	int g;

	__this_cpu_write(kfi_hit_by_exception, !kprobe_ftrace(&krp->kp));
	/* A slot's id and data mean something only once its @a is set. */
	for (g = 0; g < KFI_NR_GROUPS; g++)
		data->slot[g].a = NULL;
	list_for_each_entry_rcu(a, &site->attached, node) {
		if (!a->ops->want_ret || data->slot[a->group].a)
			continue;
		if (a->ops->want_ret(a, regs, &data->slot[a->group].data)) {
			data->slot[a->group].a = a;
			data->slot[a->group].id = a->id;
			hook = true;
		}
	}
	pending->site = site;
	pending->data = hook ? data : NULL;
	/* 1: nobody wants this return, do not hook it. */
	return hook ? 0 : 1;
}
NOKPROBE_SYMBOL(kfi_site_ret_entry);

static int kfi_site_ret(struct kretprobe_instance *ri, struct pt_regs *regs)
{
	struct kfi_site *site = container_of(get_kretprobe(ri),
					     struct kfi_site_ret, krp)->site;
	struct kfi_ret_data *data = (struct kfi_ret_data *)ri->data;
	struct kfi_attach *a;

	/*
	 * The call may have slept for long: an attachment that wanted its
	 * return may be gone (and freed) since. Only call those still on the
	 * list; the id tells one from a new one at the same address.
	 */
	list_for_each_entry_rcu(a, &site->attached, node) {
		if (a == data->slot[a->group].a &&
		    a->id == data->slot[a->group].id)
			a->ops->ret(a, regs, data->slot[a->group].data);
	}
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

static void kfi_site_unregister(struct kfi_site *site)
{
	lockdep_assert_held(&kfi_core_mutex);

	/* First: hits during the unregistration are not "missed" returns. */
	if (site->ret_live) {
		WRITE_ONCE(site->ret_live, false);
		unregister_kretprobe(&site->ret->krp);
	}
	if (site->live)
		unregister_kprobe(&site->kp);
	WRITE_ONCE(site->live, false);
}

static int kfi_site_register_ret(struct kfi_site *site)
{
	struct kretprobe *krp;

	lockdep_assert_held(&kfi_core_mutex);

	if (!site->ret) {
		site->ret = kzalloc(sizeof(*site->ret), GFP_KERNEL);
		if (!site->ret)
			return -ENOMEM;
		site->ret->site = site;
	}
	krp = &site->ret->krp;
	memset(krp, 0, sizeof(*krp));
	krp->kp.addr = site->kp.addr;
	krp->entry_handler = kfi_site_ret_entry;
	krp->handler = kfi_site_ret;
	krp->data_size = sizeof(struct kfi_ret_data);
	/* Tasks that sleep inside the function each hold an instance. */
	krp->maxactive = max_t(int, 64, 8 * num_possible_cpus());
	return register_kretprobe(krp);
}

/* Registers the site's probes; the function must be loaded. */
static int kfi_site_register(struct kfi_site *site,
			     struct kfi_attach_error *error)
{
	char target[MODULE_NAME_LEN + KSYM_NAME_LEN];
	int err;

	lockdep_assert_held(&kfi_core_mutex);

	/*
	 * By name: kprobes resolves it as kfi_symbol_resolve() would, without
	 * the trial probe whose unregistration costs a grace period.
	 */
	snprintf(target, sizeof(target), "%s%s%s", site->module,
		 *site->module ? ":" : "", site->name);
	memset(&site->kp, 0, sizeof(site->kp));
	site->kp.symbol_name = target;
	site->kp.pre_handler = kfi_site_entry;
	site->kp.post_handler = kfi_site_post;
	err = register_kprobe(&site->kp);
	site->kp.symbol_name = NULL;	/* on this stack; kp.addr is set */
	if (err)
		goto fail;
	WRITE_ONCE(site->live, true);

	if (site->nr_ret) {
		err = kfi_site_register_ret(site);
		if (err) {
			kfi_site_unregister(site);
			goto fail;
		}
		WRITE_ONCE(site->ret_live, true);
	}
	return 0;

fail:
	kfi_site_describe_error(error, site->module, site->name, err);
	return err;
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
 * left with nothing attached, and kretprobes no attachment wants. It runs
 * after detaches, as a work item, and unregisters everything it finds in
 * one call per kind of probe, which waits for one grace period for the
 * whole batch: disarming a thousand rules costs about what disarming one
 * does. Until it ran, a site with nothing attached is still found by
 * kfi_attach() and used again, probes and all.
 */
static void kfi_site_reap(struct work_struct *work)
{
	struct kretprobe **krps = NULL;
	struct kprobe **kps = NULL;
	unsigned int nr_kp = 0, nr_krp = 0, n = 0;
	struct kfi_site *site, *tmp;
	LIST_HEAD(dead);

	mutex_lock(&kfi_core_mutex);
	kfi_for_each_site(site)
		n++;
	/* Without the arrays, unregister one by one: slower, as correct. */
	kps = kmalloc_array(n, sizeof(*kps), GFP_KERNEL | __GFP_NOWARN);
	krps = kmalloc_array(n, sizeof(*krps), GFP_KERNEL | __GFP_NOWARN);

	list_for_each_entry_safe(site, tmp, &kfi_sites, node) {
		bool empty = list_empty(&site->attached);

		if (site->ret_live && (empty || !site->nr_ret)) {
			if (krps)
				krps[nr_krp++] = &site->ret->krp;
			else
				unregister_kretprobe(&site->ret->krp);
			WRITE_ONCE(site->ret_live, false);
		}
		if (!empty)
			continue;
		if (site->live) {
			if (kps)
				kps[nr_kp++] = &site->kp;
			else
				unregister_kprobe(&site->kp);
			WRITE_ONCE(site->live, false);
		}
		list_move_tail(&site->node, &dead);
	}
	if (nr_krp)
		unregister_kretprobes(krps, nr_krp);
	if (nr_kp)
		unregister_kprobes(kps, nr_kp);
	mutex_unlock(&kfi_core_mutex);

	/* Unregistering waited for the handlers: nobody uses these sites. */
	list_for_each_entry_safe(site, tmp, &dead, node)
		kfi_site_free(site);
	kfree(krps);
	kfree(kps);
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
static int kfi_site_register_or_wait(struct kfi_site *site, int err,
				     struct kfi_attach_error *error)
{
	int reg;

	lockdep_assert_held(&kfi_core_mutex);

	reg = kfi_site_register(site, error);
	return reg == -ENOENT && err == -ENOENT ? 0 : reg;
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
	unsigned long offset;
	int err;

	if (a->group < 0 || a->group >= KFI_NR_GROUPS)
		return -EINVAL;
	/* Readers may still be walking @a's old links. */
	kfi_detach_wait(a);
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

	mutex_lock(&kfi_core_mutex);
	site = kfi_site_find(module, name);
	if (site) {
		struct kfi_attach *b = kfi_site_excluder(site, a, flags);

		/*
		 * A site left waiting while its module is loaded: its module
		 * came back while the site was empty (waiting for the reaper),
		 * or registering then failed. Now is the time.
		 */
		if (!b && !site->live) {
			err = kfi_site_register_or_wait(site, err, error);
			if (err)
				goto out_unlock;
		}
		if (b) {
			err = -EBUSY;
			if (error)
				snprintf(error->why, sizeof(error->why),
					 "%s%s%s: already held exclusively by %s (error %d)",
					 module, *module ? ":" : "", name,
					 b->key, err);
			goto out_unlock;
		}
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
		err = kfi_site_register_or_wait(new, err, error);
		if (err)
			goto out_free;
		site = new;
		list_add_tail(&site->node, &kfi_sites);
	}

	if (a->ops->ret) {
		if (site->live && !site->ret_live) {
			err = kfi_site_register_ret(site);
			if (err) {
				kfi_site_describe_error(error, module, name,
							err);
				goto out_unused;
			}
			WRITE_ONCE(site->ret_live, true);
		}
		site->nr_ret++;
	}
	a->site = site;
	a->id = ++kfi_next_id;
	a->flags = flags;
	kfi_site_insert(site, a);
	mutex_unlock(&kfi_core_mutex);
	return 0;

out_unused:
	if (new) {
		list_del(&new->node);
		kfi_site_unregister(new);
	}
out_free:
	if (new)
		kfi_site_free(new);
out_unlock:
	mutex_unlock(&kfi_core_mutex);
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
	if (a->ops->ret)
		site->nr_ret--;
	if ((!site->nr_ret && site->ret_live) || list_empty(&site->attached))
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


static int kfi_core_module_event(struct notifier_block *nb,
				 unsigned long event, void *data)
{
	struct module *mod = data;
	struct kfi_site *site;

	if (event != MODULE_STATE_COMING && event != MODULE_STATE_GOING)
		return NOTIFY_DONE;

	mutex_lock(&kfi_core_mutex);
	kfi_for_each_site(site) {
		if (strcmp(site->module, mod->name))
			continue;
		if (event == MODULE_STATE_GOING) {
			kfi_site_unregister(site);
		} else if (!site->live && !list_empty(&site->attached)) {
			struct kfi_attach_error error;

			if (kfi_site_register(site, &error))
				pr_warn("%s\n", error.why);
		}
	}
	mutex_unlock(&kfi_core_mutex);
	return NOTIFY_OK;
}

static struct notifier_block kfi_core_module_nb = {
	.notifier_call = kfi_core_module_event,
};

int kfi_core_init(void)
{
	struct kfi_symbol sym;

	if (!kfi_symbol_resolve(kfi_arch_ret_trampoline, &sym))
		kfi_trampoline = sym.addr;
	return register_module_notifier(&kfi_core_module_nb);
}

void kfi_core_exit(void)
{
	unregister_module_notifier(&kfi_core_module_nb);
	/* Every owner detached before this: the reaper empties kfi_sites. */
	flush_work(&kfi_reap_work);
	WARN_ON(!list_empty(&kfi_sites));
}
