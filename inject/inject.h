/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Injection rules: what a rule is, how it is armed, and the policy that
 * decides, call by call, whether it injects.
 */
#ifndef KFI_INJECT_H
#define KFI_INJECT_H

#include <linux/atomic.h>
#include <linux/mutex.h>
#include <linux/percpu.h>
#include <linux/sched.h>
#include <linux/types.h>

#include "core/core.h"

#define KFI_RULE_MAX_PIDS	16
#define KFI_RULE_MAX_ARGS	6
#define KFI_TARGET_LEN		(MODULE_NAME_LEN + KSYM_NAME_LEN + 20)
#define KFI_CALLER_LEN		(MODULE_NAME_LEN + KSYM_NAME_LEN + 1)
#define KFI_PROB_ONE		1000000U	/* probability 100%, in ppm */

enum kfi_action {
	KFI_ACTION_RETURN,	/* at entry: return retval, skip the body */
	KFI_ACTION_REPLACE,	/* at return: replace the value with retval */
	KFI_ACTION_ARGS,	/* at entry: rewrite arguments, run the body */
	KFI_NR_ACTIONS,
};

extern const char * const kfi_action_names[KFI_NR_ACTIONS];

/*
 * A rule's configuration: written only while the rule is disarmed, under the
 * rule's lock; read by the probe handlers while it is armed, after the rule
 * was published to them with list_add_rcu() (kfi_attach()). @verbose is the
 * one field that may change while armed (WRITE_ONCE/READ_ONCE). The strings
 * are sized to fit (kfi_rule_conf_strset()): thousands of rules are made.
 */
struct kfi_rule_conf {
	char *target;				/* NULL: none yet */
	enum kfi_action action;
	long retval;
	unsigned int args_mask;			/* bit n-1: argument n */
	unsigned long args[KFI_RULE_MAX_ARGS];
	u32 probability;			/* ppm, 0..KFI_PROB_ONE */
	unsigned long interval;			/* >= 1 */
	long times;				/* -1: no limit */
	unsigned long space;
	pid_t pids[KFI_RULE_MAX_PIDS];
	unsigned int nr_pids;
	bool children;
	char comm[TASK_COMM_LEN];
	char *caller;				/* NULL: any caller */
	int verbose;				/* 0, 1 or 2 */
};

/* A rule's counters on one CPU. */
struct kfi_rule_pcpu {
	unsigned long hits;
	unsigned long injected;
};

/* What kfi_rule_read_stats() reads. */
struct kfi_rule_stats {
	unsigned long hits;
	unsigned long injected;
	unsigned long missed;	/* returns not hooked: kfi_rule_missed() */
};

struct kfi_rule_set;

struct kfi_rule {
	char *name;

	/*
	 * @lock serializes configuration writes, arming and disarming (all
	 * from configfs, in process context). A mutex: arming registers
	 * probes, which sleeps. Probe handlers never take it.
	 */
	struct mutex lock;
	struct kfi_rule_conf conf;		/* protected by @lock */
	bool armed;				/* protected by @lock */
	int error;		/* protected by @lock: last arm's, or 0 */
	char *why;		/* protected by @lock: its reason, or NULL */

	/*
	 * While armed: the set of rules on its target (dispatch.c), and its
	 * place in the set's list of one kind (entry or return), in name
	 * order. Protected by kfi_sets_mutex.
	 */
	struct kfi_rule_set *set;
	struct list_head set_node;
	/* replace: kfi_attach_ret_missed() when armed; the count disarmed */
	unsigned long missed_from, missed;

	/* Protected by @lock: disarmed, handlers may still run the rule. */
	bool settling;
	unsigned long gp_state;	/* get_state_synchronize_rcu() at disarm */

	/* Resolved when armed, from conf.caller: [start, end). */
	unsigned long caller_start, caller_end;

	/* Hit path state, reset when armed. */
	struct kfi_rule_pcpu __percpu *stats;
	atomic_long_t budget;			/* injections left (times) */
	atomic_long_t space_left;
	atomic_long_t calls;			/* candidates, for interval */
};

struct kfi_rule *kfi_rule_create(const char *name);
void kfi_rule_destroy(struct kfi_rule *rule);
int kfi_rule_conf_strset(char **field, const char *s);
int kfi_rule_arm(struct kfi_rule *rule);
void kfi_rule_disarm(struct kfi_rule *rule);
void kfi_rule_settle(struct kfi_rule *rule);
void kfi_rule_read_stats(struct kfi_rule *rule, struct kfi_rule_stats *sum);
int kfi_rule_status(struct kfi_rule *rule, char *buf, size_t len);

/* The global switch: while false no rule injects. */
void kfi_inject_set_enabled(bool on);
bool kfi_inject_enabled(void);

/* dispatch.c: the rules armed on each function, and their probe callbacks */
int kfi_set_add(struct kfi_rule *rule, struct kfi_attach_error *error);
void kfi_set_remove(struct kfi_rule *rule);
bool kfi_rule_live(struct kfi_rule *rule);
unsigned long kfi_rule_missed(struct kfi_rule *rule);
void kfi_sets_exit(void);

/* policy.c; the hit path is in policy.h */
void kfi_rule_reset(struct kfi_rule *rule);
int kfi_inject_init(void);
void kfi_inject_exit(void);

#endif /* KFI_INJECT_H */
