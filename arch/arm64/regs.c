// SPDX-License-Identifier: GPL-2.0
/*
 * arm64: what is not inline in kfi_arch_regs.h.
 */
#include <linux/kprobes.h>
#include <linux/ptrace.h>
#include <linux/sched.h>

#include "arch/kfi_arch.h"

const char * const kfi_arch_name = "arm64";
const char * const kfi_arch_ret_trampoline = "__kretprobe_trampoline";
/* el1_dbg enters BRK with ct_nmi_enter() only: preempt_count is unchanged. */
const unsigned int kfi_arch_exception_preempt_offset;

unsigned long kfi_arch_return_address(struct pt_regs *regs,
				      unsigned long trampoline)
{
	unsigned long ret = procedure_link_pointer(regs);
	struct llist_node *node;

	/*
	 * arm64 6.1 has no rethook: a kretprobe that ran before us saved the
	 * real return address in a kretprobe_instance of this task, with the
	 * caller's frame pointer (x29 at entry). Only this task adds to or
	 * removes from its own list.
	 */
	for (node = current->kretprobe_instances.first; node && trampoline &&
	     ret == trampoline; node = node->next) {
		struct kretprobe_instance *ri =
			container_of(node, struct kretprobe_instance, llist);

		if ((unsigned long)ri->fp == regs->regs[29])
			ret = (unsigned long)ri->ret_addr;
	}
	return ret;
}
NOKPROBE_SYMBOL(kfi_arch_return_address);

bool kfi_arch_kretprobe_hooked_here(struct pt_regs *regs, const void *data)
{
	const struct kretprobe_instance *ri =
		data - offsetof(struct kretprobe_instance, data);
	struct llist_node *node;

	/* This hit's instances are the newest, all keyed by this frame. */
	for (node = current->kretprobe_instances.first; node;
	     node = node->next) {
		const struct kretprobe_instance *r =
			container_of(node, struct kretprobe_instance, llist);

		if ((unsigned long)r->fp != regs->regs[29])
			return false;
		if (r == ri)
			return true;
	}
	return false;
}
NOKPROBE_SYMBOL(kfi_arch_kretprobe_hooked_here);
