// SPDX-License-Identifier: GPL-2.0
/*
 * x86_64: what is not inline in kfi_arch_regs.h.
 */
#include <linux/ftrace.h>
#include <linux/kprobes.h>
#include <linux/preempt.h>
#include <linux/ptrace.h>
#include <linux/rethook.h>
#include <linux/sched.h>

#include "arch/kfi_arch.h"

const char * const kfi_arch_name = "x86_64";
const char * const kfi_arch_ret_trampoline = "arch_rethook_trampoline";
/* exc_int3() calls irqentry_nmi_enter() for a kernel-mode breakpoint. */
const unsigned int kfi_arch_exception_preempt_offset = NMI_OFFSET + HARDIRQ_OFFSET;

unsigned long kfi_arch_return_address(struct pt_regs *regs,
				      unsigned long trampoline)
{
	unsigned long sp = kernel_stack_pointer(regs);
	unsigned long ret = *(unsigned long *)sp;
	struct llist_node *node;

	/*
	 * A kretprobe that ran before us on this call saved the real return
	 * address in a rethook node of this task, keyed by the same frame.
	 * Only this task adds to or removes from its own list.
	 */
	for (node = current->rethooks.first; node && trampoline &&
	     ret == trampoline; node = node->next) {
		struct rethook_node *rh = container_of(node, struct rethook_node,
						       llist);

		if (rh->frame == sp)
			ret = rh->ret_addr;
	}
	return ret;
}
NOKPROBE_SYMBOL(kfi_arch_return_address);

bool kfi_arch_kretprobe_hooked_here(struct pt_regs *regs, const void *data)
{
	const struct kretprobe_instance *ri =
		data - offsetof(struct kretprobe_instance, data);
	unsigned long sp = kernel_stack_pointer(regs);
	struct llist_node *node;

	/* This hit's hooks are the newest, all keyed by this frame. */
	for (node = current->rethooks.first; node; node = node->next) {
		const struct rethook_node *rh =
			container_of(node, struct rethook_node, llist);

		if (rh->frame != sp)
			return false;
		if (rh == &ri->node)
			return true;
	}
	return false;
}
NOKPROBE_SYMBOL(kfi_arch_kretprobe_hooked_here);
