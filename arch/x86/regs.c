// SPDX-License-Identifier: GPL-2.0
/*
 * x86_64: arguments in rdi, rsi, rdx, rcx, r8, r9; the return value in rax;
 * at a function's entry the return address is at the top of the stack.
 */
#include <linux/ftrace.h>
#include <linux/kprobes.h>
#include <linux/preempt.h>
#include <linux/ptrace.h>
#include <linux/rethook.h>
#include <linux/sched.h>

#include "arch/kfi_arch.h"
#include "arch/x86/stub.h"

const char * const kfi_arch_name = "x86_64";
const char * const kfi_arch_ret_trampoline = "arch_rethook_trampoline";
/* exc_int3() calls irqentry_nmi_enter() for a kernel-mode breakpoint. */
const unsigned int kfi_arch_exception_preempt_offset = NMI_OFFSET + HARDIRQ_OFFSET;

static unsigned long *kfi_x86_arg_reg(struct pt_regs *regs, unsigned int n)
{
	switch (n) {
	case 1: return &regs->di;
	case 2: return &regs->si;
	case 3: return &regs->dx;
	case 4: return &regs->cx;
	case 5: return &regs->r8;
	case 6: return &regs->r9;
	}
	return NULL;
}
NOKPROBE_SYMBOL(kfi_x86_arg_reg);

unsigned long kfi_arch_get_arg(struct pt_regs *regs, unsigned int n)
{
	unsigned long *reg = kfi_x86_arg_reg(regs, n);

	return reg ? *reg : 0;
}
NOKPROBE_SYMBOL(kfi_arch_get_arg);

void kfi_arch_set_arg(struct pt_regs *regs, unsigned int n, unsigned long val)
{
	unsigned long *reg = kfi_x86_arg_reg(regs, n);

	if (reg)
		*reg = val;
}
NOKPROBE_SYMBOL(kfi_arch_set_arg);

void kfi_arch_set_retval(struct pt_regs *regs, unsigned long val)
{
	regs_set_return_value(regs, val);
}
NOKPROBE_SYMBOL(kfi_arch_set_retval);

/*
 * Never emulate "ret" here by popping the return address: on a probe that
 * rides on ftrace the trampoline writes back ip but not sp.
 */
void kfi_arch_skip_call(struct pt_regs *regs, unsigned long val)
{
	regs_set_return_value(regs, val);
	instruction_pointer_set(regs, (unsigned long)kfi_x86_return_stub);
}
NOKPROBE_SYMBOL(kfi_arch_skip_call);

void kfi_arch_redirect(struct pt_regs *regs, unsigned long addr)
{
	instruction_pointer_set(regs, addr);
}
NOKPROBE_SYMBOL(kfi_arch_redirect);

void kfi_arch_ftrace_continue(struct pt_regs *regs, unsigned long addr)
{
	instruction_pointer_set(regs, addr + MCOUNT_INSN_SIZE);
}
NOKPROBE_SYMBOL(kfi_arch_ftrace_continue);

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
