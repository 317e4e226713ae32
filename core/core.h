/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kfi's probe core: one probe site per target function, shared by whatever
 * is attached to it (injection rules, hotfix redirects). The core knows
 * nothing of what it calls: it keeps the site's probes registered while
 * anything is attached, follows the target's module as it comes and goes,
 * and calls the attachments in order from its probe handlers.
 */
#ifndef KFI_CORE_H
#define KFI_CORE_H

#include <linux/kallsyms.h>
#include <linux/kprobes.h>
#include <linux/list.h>
#include <linux/module.h>
#include <linux/percpu.h>
#include <linux/preempt.h>
#include <linux/types.h>

#include "arch/kfi_arch.h"

/*
 * The functions every probe hit runs, kept together in sections that each
 * start on a page of their own (core/site.c aligns them): the hot paths
 * span as few pages as they can, wherever the rest of kfi.ko's code falls.
 * Under QEMU's TCG, which links translated code directly only within a
 * page, where a function of the hot path fell moved the cost of a call by
 * a third from one build to the next. __kfi_hot: the entry path (kfi's
 * ftrace_ops callback and entry kprobe, the rules they run); __kfi_hot_ret:
 * the return path (the kretprobe's handlers, the replace rules, hotfixes).
 * Each is less than a page.
 */
#define __kfi_hot	__section(".text.kfi_hot")
#define __kfi_hot_ret	__section(".text.kfi_hot_ret")

struct pt_regs;
struct kfi_attach;
struct kfi_site;

/* What an entry callback did to the call. */
enum kfi_verdict {
	KFI_NEXT,	/* nothing: ask the next attachment */
	KFI_ACTED,	/* changed the call (e.g. its arguments), which goes on */
	KFI_DIVERTED,	/* changed where the call goes: nobody else is asked */
};

/*
 * Callbacks of an attachment, all called from probe handlers (no sleeping,
 * no allocation, no sleeping lock). Any of them may be NULL.
 *
 * @want_ret:	at the function's entry, before any @entry: whether this
 *		attachment wants to act on this call's return. The first of
 *		each group that says yes gets @ret for the call, and the word
 *		it left in *@data. When the kretprobe's instance pool is
 *		empty, nobody is asked. Only with @ret.
 * @entry:	at the function's entry. @ret_hooked tells whether this
 *		attachment's @want_ret said yes for this very call, so that
 *		its @ret will run when the call returns.
 * @ret:	at the function's return. With @want_ret: for the calls
 *		@want_ret took, with the word it left in @data. Without: at
 *		the return of every call whose return kfi could hook (see
 *		kfi_attach_ret_missed()) and that no kfi handler made, unless
 *		one of its group acted before it; @data is the address the
 *		call returns to. Returns true when it acted on the call (the
 *		@ret of a @want_ret that said yes is called whatever acted).
 *
 * A site without @want_ret attachments hooks its returns with a bare
 * kretprobe, without an entry handler: decide at the return what can be
 * decided there, @want_ret costs every call a second handler.
 */
struct kfi_attach_ops {
	enum kfi_verdict (*entry)(struct kfi_attach *a, struct pt_regs *regs,
				  bool ret_hooked);
	bool (*want_ret)(struct kfi_attach *a, struct pt_regs *regs,
			 unsigned long *data);
	bool (*ret)(struct kfi_attach *a, struct pt_regs *regs,
		    unsigned long data);
};

/*
 * Something attached to a site. The owner fills in @ops, @group and @key
 * before kfi_attach(); the rest is the core's.
 *
 * A site calls its attachments in order of @group (0 to KFI_NR_GROUPS - 1),
 * then @key. At each point of a call (entry, return) at most one attachment
 * of each group acts: once one has, the others of its group are not asked.
 */
#define KFI_NR_GROUPS	2
struct kfi_attach {
	const struct kfi_attach_ops *ops;
	int group;
	const char *key;

	/* private to the core, protected by kfi_core_mutex */
	struct kfi_site *site;
	struct list_head node;		/* in site->attached (RCU) */
	u64 id;				/* unique, never reused */
	unsigned int flags;		/* KFI_ATTACH_* given to kfi_attach() */

	/* private to the core, protected by the owner's serialization */
	bool detaching;			/* detached, grace period not waited */
	unsigned long gp_state;		/* get_state_synchronize_rcu() then */
};

/* Attach flags. */
#define KFI_ATTACH_MAY_WAIT	BIT(0)	/* "mod:sym" of a module not loaded yet */
#define KFI_ATTACH_EXCLUSIVE	BIT(1)	/* alone in its group on the site */

/* Why an attach failed, in words a user understands. */
struct kfi_attach_error {
	char why[160];
};

int kfi_attach(struct kfi_attach *a, const char *target, unsigned int flags,
	       struct kfi_attach_error *error);
void kfi_detach(struct kfi_attach *a);
void kfi_detach_nowait(struct kfi_attach *a);
void kfi_detach_wait(struct kfi_attach *a);
bool kfi_attach_live(const struct kfi_attach *a);
unsigned long kfi_attach_ret_missed(const struct kfi_attach *a);
const char *kfi_attach_module(const struct kfi_attach *a);
const char *kfi_attach_symbol(const struct kfi_attach *a);

/* At a function's entry, in a probe handler: the return address. */
unsigned long kfi_caller(struct pt_regs *regs);

/*
 * The kfi probe hit this CPU is handling, if any, and how it came: through
 * ftrace, or through the breakpoint exception. Set by the core around every
 * entry handler; kfi's entry handlers do not nest on a CPU (see site.c).
 */
enum kfi_hit {
	KFI_HIT_NONE,
	KFI_HIT_FTRACE,
	KFI_HIT_EXCEPTION,
	KFI_HIT_RETURN,		/* a return handler: no entry handler runs */
};
DECLARE_PER_CPU(u8, kfi_hit);

/**
 * kfi_call_in_task() - whether the probed call runs in task context
 *
 * in_task() does not answer this in a probe handler: a breakpoint-based
 * probe may run with the counts of an NMI (x86), although the call it
 * stopped was made by a task. This looks at preempt_count() as the probed
 * code saw it. Inline: it is on every filtered call's path.
 *
 * Context: probe handler (entry, want_ret or ret callback; at the return,
 * the kretprobe's trampoline runs in the context the call returns to).
 * Return: true unless the call was made in NMI, hard or soft IRQ context.
 */
static nokprobe_inline bool kfi_call_in_task(void)
{
	unsigned long count = preempt_count();

	if (__this_cpu_read(kfi_hit) == KFI_HIT_EXCEPTION)
		count -= kfi_arch_exception_preempt_offset;
	return !(count & (NMI_MASK | HARDIRQ_MASK | SOFTIRQ_OFFSET));
}

/* Resolving symbols without kallsyms_lookup_name(). */
struct kfi_symbol {
	unsigned long addr;
	unsigned long size;
	unsigned long offset;		/* of addr within the symbol */
	int probe_err;			/* why kprobes refuse @addr, or 0 */
	char module[MODULE_NAME_LEN];	/* "" for vmlinux */
	char name[KSYM_NAME_LEN];
};

int kfi_symbol_parse(const char *target, char *module, char *name,
		     unsigned long *offset);
int kfi_symbol_resolve(const char *target, struct kfi_symbol *sym);
int kfi_symbol_describe(struct kfi_symbol *sym);
bool kfi_symbol_module_may_come(const char *module);

int kfi_core_init(void);
void kfi_core_exit(void);

#endif /* KFI_CORE_H */
