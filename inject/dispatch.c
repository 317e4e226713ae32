// SPDX-License-Identifier: GPL-2.0
/*
 * Dispatch: the rules armed on each function, and what the function's probe
 * site calls to run them.
 *
 * The armed rules that name one target form a set. A set attaches to the
 * target's probe site at most twice, in group KFI_GROUP_RULES: at entry for
 * its return and args rules, and for returns for its replace rules, so that
 * a function without replace rules has no kretprobe. Each of the two asks
 * its rules through an index by task (pid, comm: index.h), in name order,
 * until one acts: what a call costs does not grow with the rules aimed at
 * other tasks, and no rule costs an indirect call.
 *
 *   kfi_sets ── set "vfs_read" ─┬─ side[ENTRY]: attach, rules, idx (RCU)
 *                               └─ side[RET]:   attach, rules, idx (RCU),
 *                                               allocated when first needed
 *
 * A set is found by its target as the rules name it, "module:name" or
 * "name" (without an offset of 0): a function named both with and without
 * its module ("ext4_file_open", "ext4:ext4_file_open") has two sets on its
 * one site, asked in strcmp() order of the two names, each in the order of
 * its rules' names.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kprobes.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/printk.h>
#include <linux/ratelimit.h>
#include <linux/rcupdate.h>
#include <linux/slab.h>
#include <linux/string.h>

#include "arch/kfi_arch.h"
#include "inject/index.h"
#include "inject/inject.h"
#include "inject/policy.h"

#define CREATE_TRACE_POINTS
#include "trace.h"

/* Rules act before hotfix redirects on one function. */
#define KFI_GROUP_RULES		0

enum kfi_side {
	KFI_SIDE_ENTRY,		/* return and args rules: at the call's entry */
	KFI_SIDE_RET,		/* replace rules: at its return */
	KFI_NR_SIDES,
};

struct kfi_set_side {
	struct kfi_attach attach;
	bool attached;
	struct list_head rules;			/* kfi_rule.set_node, by name */
	struct kfi_rule_index __rcu *idx;	/* of @rules */
};

struct kfi_rule_set {
	struct list_head node;		/* in kfi_sets, or kfi_sets_dying */
	unsigned long gp_state;		/* dying: when it was emptied */
	/* Most functions never get a replace rule: that side is apart. */
	struct kfi_set_side *side[KFI_NR_SIDES];
	struct kfi_set_side entry;	/* side[KFI_SIDE_ENTRY] */
	char target[];			/* as the rules name it */
};

/*
 * kfi_sets_mutex protects kfi_sets, kfi_sets_dying, every set's fields (the
 * writers' side of its indexes), and each armed rule's set, set_node and
 * missed_from. A mutex: attaching registers probes, which sleeps. Taken
 * under a rule's lock, never the other way round. Probe
 * handlers never take it: they read an index under RCU (preemption is
 * disabled in them), and a set that was emptied is only freed after a grace
 * period, from kfi_sets_dying.
 */
static DEFINE_MUTEX(kfi_sets_mutex);
static LIST_HEAD(kfi_sets);
static LIST_HEAD(kfi_sets_dying);

/*
 * One ratelimit for every rule's verbose lines and stack traces, so that
 * no rule can flood the log. __ratelimit() only trylocks a raw spinlock:
 * safe in a probe handler.
 */
static DEFINE_RATELIMIT_STATE(kfi_verbose_rs, DEFAULT_RATELIMIT_INTERVAL,
			      DEFAULT_RATELIMIT_BURST);

static inline struct kfi_set_side *to_side(struct kfi_attach *a)
{
	return container_of(a, struct kfi_set_side, attach);
}

static inline struct kfi_rule_index *kfi_side_index(struct kfi_set_side *side)
{
	return rcu_dereference_protected(side->idx,
					 lockdep_is_held(&kfi_sets_mutex));
}

static void kfi_rule_report_slow(struct kfi_rule *rule, struct kfi_attach *a,
				 long value, int verbose)
{
	const char *func = kfi_attach_symbol(a);
	const char *action = kfi_action_names[rule->conf.action];

	trace_kfi_inject(rule->name, func, action, value);
	if (!verbose || !__ratelimit(&kfi_verbose_rs))
		return;
	pr_info("rule %s: %s %s %ld in pid %d (%s)\n", rule->name, func,
		action, value, task_pid_nr(current), current->comm);
	if (verbose > 1)
		dump_stack();
}
NOKPROBE_SYMBOL(kfi_rule_report_slow);

/* An injection: traced and logged when asked for, else nothing to do. */
static nokprobe_inline void kfi_rule_report(struct kfi_rule *rule,
					    struct kfi_attach *a, long value)
{
	int verbose = READ_ONCE(rule->conf.verbose);

	if (verbose || trace_kfi_inject_enabled())
		kfi_rule_report_slow(rule, a, value, verbose);
}

static nokprobe_inline bool kfi_rule_hit(struct kfi_rule *rule,
					 struct pt_regs *regs)
{
	return kfi_rule_should_inject(rule, rule->caller_end ?
					    kfi_caller(regs) : 0);
}

/* A return or args rule at the function's entry: whether it acted. */
static __kfi_hot noinline enum kfi_verdict
kfi_rule_entry(struct kfi_attach *a, struct pt_regs *regs,
	       struct kfi_rule *rule)
{
	const struct kfi_rule_conf *conf = &rule->conf;
	unsigned int n;

	if (!kfi_rule_hit(rule, regs))
		return KFI_NEXT;
	if (conf->action == KFI_ACTION_RETURN) {
		kfi_arch_skip_call(regs, conf->retval);
		kfi_rule_report(rule, a, conf->retval);
		return KFI_DIVERTED;
	}
	for (n = 1; n <= KFI_RULE_MAX_ARGS; n++)
		if (conf->args_mask & BIT(n - 1))
			kfi_arch_set_arg(regs, n, conf->args[n - 1]);
	kfi_rule_report(rule, a, conf->args[__ffs(conf->args_mask)]);
	return KFI_ACTED;
}
NOKPROBE_SYMBOL(kfi_rule_entry);

/* Return and args rules, in order: the first that acts. */
static __kfi_hot noinline enum kfi_verdict
kfi_set_entry_walk(struct kfi_attach *a, struct pt_regs *regs,
		   const struct kfi_rule_index *idx)
{
	struct kfi_index_iter it __uninitialized;
	enum kfi_verdict verdict;
	struct kfi_rule *rule;

	kfi_index_start(idx, &it);
	while ((rule = kfi_index_next(&it))) {
		verdict = kfi_rule_entry(a, regs, rule);
		if (verdict != KFI_NEXT)
			return verdict;
	}
	return KFI_NEXT;
}
NOKPROBE_SYMBOL(kfi_set_entry_walk);

/*
 * Calls that hit no rule leave at once, and a function's lone rule for
 * every task (the common case) is asked without a walk: each step is out
 * of line, so that none pays for the registers of the others.
 */
static __kfi_hot enum kfi_verdict
kfi_set_entry(struct kfi_attach *a, struct pt_regs *regs, bool ret_hooked)
{
	const struct kfi_rule_index *idx;
	struct kfi_rule *rule;

	idx = rcu_dereference_sched(to_side(a)->idx);
	if (!idx || !kfi_index_may_hit(idx))
		return KFI_NEXT;
	if (kfi_index_lone(idx)) {
		rule = kfi_index_lone_rule(idx);
		return rule ? kfi_rule_entry(a, regs, rule) : KFI_NEXT;
	}
	return kfi_set_entry_walk(a, regs, idx);
}
NOKPROBE_SYMBOL(kfi_set_entry);

/* A replace rule at the function's return: whether it replaced the value. */
static __kfi_hot_ret noinline bool
kfi_rule_ret(struct kfi_attach *a, struct pt_regs *regs, struct kfi_rule *rule,
	     unsigned long caller)
{
	if (!kfi_rule_should_inject(rule, rule->caller_end ? caller : 0))
		return false;
	kfi_arch_set_retval(regs, rule->conf.retval);
	kfi_rule_report(rule, a, rule->conf.retval);
	return true;
}
NOKPROBE_SYMBOL(kfi_rule_ret);

/* Replace rules, in order: the first that injects. */
static __kfi_hot_ret noinline bool
kfi_set_ret_walk(struct kfi_attach *a, struct pt_regs *regs,
		 const struct kfi_rule_index *idx, unsigned long caller)
{
	struct kfi_index_iter it __uninitialized;
	struct kfi_rule *rule;

	kfi_index_start(idx, &it);
	while ((rule = kfi_index_next(&it)))
		if (kfi_rule_ret(a, regs, rule, caller))
			return true;
	return false;
}
NOKPROBE_SYMBOL(kfi_set_ret_walk);

/*
 * As kfi_set_entry(), for replace rules, at the return of every call whose
 * return the site hooked: decided there, the call's entry costs nothing
 * more than the bare kretprobe's. The rules are those armed when the call
 * returns; @caller is where it returns to.
 */
static __kfi_hot_ret bool
kfi_set_ret(struct kfi_attach *a, struct pt_regs *regs, unsigned long caller)
{
	const struct kfi_rule_index *idx;
	struct kfi_rule *rule;

	idx = rcu_dereference_sched(to_side(a)->idx);
	if (!idx || !kfi_index_may_hit(idx))
		return false;
	if (kfi_index_lone(idx)) {
		rule = kfi_index_lone_rule(idx);
		return rule && kfi_rule_ret(a, regs, rule, caller);
	}
	return kfi_set_ret_walk(a, regs, idx, caller);
}
NOKPROBE_SYMBOL(kfi_set_ret);

static const struct kfi_attach_ops kfi_set_ops[KFI_NR_SIDES] = {
	[KFI_SIDE_ENTRY] = { .entry = kfi_set_entry },
	[KFI_SIDE_RET] = { .ret = kfi_set_ret },
};

static enum kfi_side kfi_rule_side(const struct kfi_rule *rule)
{
	return rule->conf.action == KFI_ACTION_REPLACE ? KFI_SIDE_RET :
							 KFI_SIDE_ENTRY;
}

/* The name of a rule's target without "+0": "module:name" or "name". */
struct kfi_set_key {
	char module[MODULE_NAME_LEN];
	char name[KSYM_NAME_LEN];
	char key[KFI_TARGET_LEN];
};

static void kfi_set_key(struct kfi_set_key *k, const char *target)
{
	unsigned long offset;

	/* Not a function entry: kfi_attach() will say why. */
	if (kfi_symbol_parse(target, k->module, k->name, &offset) || offset)
		strscpy(k->key, target, sizeof(k->key));
	else
		snprintf(k->key, sizeof(k->key), "%s%s%s", k->module,
			 *k->module ? ":" : "", k->name);
}

static void kfi_side_init(struct kfi_rule_set *set, struct kfi_set_side *side,
			  enum kfi_side s)
{
	INIT_LIST_HEAD(&side->rules);
	side->attach.ops = &kfi_set_ops[s];
	side->attach.group = KFI_GROUP_RULES;
	side->attach.key = set->target;
	set->side[s] = side;
}

static struct kfi_rule_set *kfi_set_find(const char *target)
{
	struct kfi_rule_set *set;

	lockdep_assert_held(&kfi_sets_mutex);

	list_for_each_entry(set, &kfi_sets, node)
		if (!strcmp(set->target, target))
			return set;
	return NULL;
}

static struct kfi_rule_set *kfi_set_create(const char *target)
{
	struct kfi_rule_set *set;
	size_t len = strlen(target) + 1;

	lockdep_assert_held(&kfi_sets_mutex);

	set = kzalloc(struct_size(set, target, len), GFP_KERNEL);
	if (!set)
		return NULL;
	memcpy(set->target, target, len);
	kfi_side_init(set, &set->entry, KFI_SIDE_ENTRY);
	list_add_tail(&set->node, &kfi_sets);
	return set;
}

/* @set's side for @s, allocated if it has none yet; NULL without memory. */
static struct kfi_set_side *kfi_set_side(struct kfi_rule_set *set,
					 enum kfi_side s)
{
	struct kfi_set_side *side = set->side[s];

	if (!side) {
		side = kzalloc(sizeof(*side), GFP_KERNEL);
		if (side)
			kfi_side_init(set, side, s);
	}
	return side;
}

static bool kfi_side_empty(const struct kfi_set_side *side)
{
	return !side || list_empty(&side->rules);
}

static bool kfi_side_attached(const struct kfi_set_side *side)
{
	return side && side->attached;
}

static bool kfi_set_empty(const struct kfi_rule_set *set)
{
	return kfi_side_empty(set->side[KFI_SIDE_ENTRY]) &&
	       kfi_side_empty(set->side[KFI_SIDE_RET]);
}

/* Frees a set that no probe handler can see. */
static void kfi_set_free(struct kfi_rule_set *set)
{
	int s;

	for (s = 0; s < KFI_NR_SIDES; s++)
		if (set->side[s])
			kfi_detach_wait(&set->side[s]->attach);
	kfree(set->side[KFI_SIDE_RET]);
	kfree(set);
}

/*
 * A set left without rules: off kfi_sets, freed by kfi_sets_reap() once
 * the probe handlers that may still see it are gone.
 */
static void kfi_set_retire(struct kfi_rule_set *set)
{
	lockdep_assert_held(&kfi_sets_mutex);

	list_move_tail(&set->node, &kfi_sets_dying);
	set->gp_state = get_state_synchronize_rcu();
}

/* Frees the dying sets a grace period went by for; @wait: all of them. */
static void kfi_sets_reap(bool wait)
{
	struct kfi_rule_set *set, *tmp;

	lockdep_assert_held(&kfi_sets_mutex);

	list_for_each_entry_safe(set, tmp, &kfi_sets_dying, node) {
		if (!wait && !poll_state_synchronize_rcu(set->gp_state))
			continue;
		list_del(&set->node);
		kfi_set_free(set);
	}
}

/* Inserts @rule into @side's rules, in name order. */
static void kfi_side_insert(struct kfi_set_side *side, struct kfi_rule *rule)
{
	struct list_head *pos = &side->rules;
	struct kfi_rule *other;

	list_for_each_entry(other, &side->rules, set_node) {
		if (strcmp(other->name, rule->name) > 0) {
			pos = &other->set_node;
			break;
		}
	}
	list_add_tail(&rule->set_node, pos);
}

/**
 * kfi_set_add() - let an armed rule's probe callbacks run it
 * @rule:	a rule being armed, under its lock, with a target
 * @error:	filled in with the reason when it fails
 *
 * Attaches the set of @rule's target to the target's probe site if the set
 * had no rule of @rule's kind. @rule may be run as soon as this returns.
 *
 * Context: process context, may sleep.
 * Return: 0, or a negative errno (see @error for why).
 */
int kfi_set_add(struct kfi_rule *rule, struct kfi_attach_error *error)
{
	struct kfi_rule_index *idx, *old;
	struct kfi_set_side *side;
	struct kfi_rule_set *set;
	struct kfi_set_key *key;
	int err;

	lockdep_assert_held(&rule->lock);

	key = kmalloc(sizeof(*key), GFP_KERNEL);
	if (!key)
		return -ENOMEM;
	kfi_set_key(key, rule->conf.target);

	mutex_lock(&kfi_sets_mutex);
	kfi_sets_reap(false);
	set = kfi_set_find(key->key) ?: kfi_set_create(key->key);
	kfree(key);
	if (!set) {
		err = -ENOMEM;
		goto out_unlock;
	}
	side = kfi_set_side(set, kfi_rule_side(rule));
	if (!side) {
		err = -ENOMEM;
		goto out_unused;
	}
	kfi_side_insert(side, rule);
	idx = kfi_index_build(&side->rules);
	if (!idx) {
		err = -ENOMEM;
		goto out_remove;
	}
	if (!side->attached) {
		err = kfi_attach(&side->attach, set->target, 0, error);
		if (err)
			goto out_free;
		side->attached = true;
	}
	if (kfi_rule_side(rule) == KFI_SIDE_RET)
		rule->missed_from = kfi_attach_ret_missed(&side->attach);
	/* Publishes @idx, fully built: pairs with the handlers' reads. */
	old = rcu_replace_pointer(side->idx, idx,
				  lockdep_is_held(&kfi_sets_mutex));
	if (old)
		kfree_rcu(old, rcu);
	rule->set = set;
	mutex_unlock(&kfi_sets_mutex);
	return 0;

out_free:
	kfree(idx);
out_remove:
	list_del(&rule->set_node);
out_unused:
	/* A new set, never attached: nobody else saw it. */
	if (kfi_set_empty(set) &&
	    !kfi_side_attached(set->side[KFI_SIDE_ENTRY]) &&
	    !kfi_side_attached(set->side[KFI_SIDE_RET])) {
		list_del(&set->node);
		kfi_set_free(set);
	}
out_unlock:
	mutex_unlock(&kfi_sets_mutex);
	return err;
}

/**
 * kfi_set_remove() - stop running a rule
 * @rule:	an armed rule, under its lock
 *
 * Never fails. Probe handlers that start after this returns do not run
 * @rule; those that started before may: wait for a grace period before
 * changing or freeing it.
 *
 * Context: process context, may sleep (on kfi_sets_mutex and kfi_core_mutex,
 * never for a grace period or a probe's unregistration).
 */
void kfi_set_remove(struct kfi_rule *rule)
{
	struct kfi_rule_set *set = rule->set;
	struct kfi_set_side *side = set->side[kfi_rule_side(rule)];
	struct kfi_rule_index *idx, *new;

	lockdep_assert_held(&rule->lock);

	mutex_lock(&kfi_sets_mutex);
	if (kfi_rule_side(rule) == KFI_SIDE_RET)
		rule->missed = kfi_attach_ret_missed(&side->attach) -
			       rule->missed_from;
	list_del(&rule->set_node);
	idx = kfi_side_index(side);
	/* In place, without memory: a rule can always be disarmed. */
	kfi_index_remove(idx, rule);
	if (list_empty(&side->rules)) {
		RCU_INIT_POINTER(side->idx, NULL);
		kfree_rcu(idx, rcu);
		kfi_detach_nowait(&side->attach);
		side->attached = false;
	} else {
		/* The hole costs every call a step: fill it if we can. */
		new = kfi_index_build(&side->rules);
		if (new) {
			rcu_assign_pointer(side->idx, new);
			kfree_rcu(idx, rcu);
		}
	}
	if (kfi_set_empty(set))
		kfi_set_retire(set);
	rule->set = NULL;
	mutex_unlock(&kfi_sets_mutex);
}

/**
 * kfi_rule_missed() - calls whose return a replace rule could not see
 * @rule:	a rule, under its lock
 *
 * Since @rule was last armed (until it was disarmed): the calls of its
 * target whose return kfi could not hook (kfi_attach_ret_missed()).
 *
 * Context: process context, may sleep.
 * Return: the count; 0 for rules of the other actions.
 */
unsigned long kfi_rule_missed(struct kfi_rule *rule)
{
	unsigned long n;

	lockdep_assert_held(&rule->lock);

	if (kfi_rule_side(rule) != KFI_SIDE_RET)
		return 0;	/* its action changed since it last counted */
	if (!rule->armed)
		return rule->missed;
	mutex_lock(&kfi_sets_mutex);
	n = kfi_attach_ret_missed(&rule->set->side[KFI_SIDE_RET]->attach) -
	    rule->missed_from;
	mutex_unlock(&kfi_sets_mutex);
	return n;
}

/**
 * kfi_rule_live() - whether an armed rule's probes are in place
 * @rule:	an armed rule, under its lock
 *
 * Return: false while its target's module is not loaded.
 * Context: process context.
 */
bool kfi_rule_live(struct kfi_rule *rule)
{
	lockdep_assert_held(&rule->lock);

	return kfi_attach_live(&rule->set->side[kfi_rule_side(rule)]->attach);
}

/**
 * kfi_sets_exit() - free what is left of the sets
 *
 * Every rule is disarmed before: only sets waiting for a grace period are.
 *
 * Context: process context, module exit.
 */
void kfi_sets_exit(void)
{
	mutex_lock(&kfi_sets_mutex);
	kfi_sets_reap(true);
	WARN_ON(!list_empty(&kfi_sets));
	mutex_unlock(&kfi_sets_mutex);
}
