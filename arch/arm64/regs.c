// SPDX-License-Identifier: GPL-2.0
/*
 * arm64: arguments in x0-x7, the return value in x0, the return address in
 * the link register x30. Every kprobe here is a BRK breakpoint at the
 * function's first instruction, before any "paciasp" has signed x30, so
 * returning through x30 from there is always safe.
 */
#include <linux/kprobes.h>
#include <linux/ptrace.h>
#include <linux/sched.h>

#include <asm/insn.h>

#include "arch/kfi_arch.h"

const char * const kfi_arch_name = "arm64";
const char * const kfi_arch_ret_trampoline = "__kretprobe_trampoline";
/* el1_dbg enters BRK with ct_nmi_enter() only: preempt_count is unchanged. */
const unsigned int kfi_arch_exception_preempt_offset;

unsigned long kfi_arch_get_arg(struct pt_regs *regs, unsigned int n)
{
	return n >= 1 && n <= KFI_ARCH_NR_ARGS ? regs->regs[n - 1] : 0;
}
NOKPROBE_SYMBOL(kfi_arch_get_arg);

void kfi_arch_set_arg(struct pt_regs *regs, unsigned int n, unsigned long val)
{
	if (n >= 1 && n <= KFI_ARCH_NR_ARGS)
		regs->regs[n - 1] = val;
}
NOKPROBE_SYMBOL(kfi_arch_set_arg);

void kfi_arch_set_retval(struct pt_regs *regs, unsigned long val)
{
	regs_set_return_value(regs, val);
}
NOKPROBE_SYMBOL(kfi_arch_set_retval);

/*
 * A call that reached the breakpoint through "blr" has PSTATE.BTYPE set,
 * waiting for a landing pad; the new pc is none, so clear it.
 */
static void kfi_arm64_jump(struct pt_regs *regs, unsigned long pc)
{
	regs->pstate &= ~PSR_BTYPE_MASK;
	instruction_pointer_set(regs, pc);
}
NOKPROBE_SYMBOL(kfi_arm64_jump);

void kfi_arch_skip_call(struct pt_regs *regs, unsigned long val)
{
	regs_set_return_value(regs, val);
	kfi_arm64_jump(regs, procedure_link_pointer(regs));
}
NOKPROBE_SYMBOL(kfi_arch_skip_call);

void kfi_arch_redirect(struct pt_regs *regs, unsigned long addr)
{
	kfi_arm64_jump(regs, addr);
}
NOKPROBE_SYMBOL(kfi_arch_redirect);

/* arm64 6.1 has no kprobes on ftrace; for later kernels: one instruction. */
void kfi_arch_ftrace_continue(struct pt_regs *regs, unsigned long addr)
{
	kfi_arm64_jump(regs, addr + AARCH64_INSN_SIZE);
}
NOKPROBE_SYMBOL(kfi_arch_ftrace_continue);

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
