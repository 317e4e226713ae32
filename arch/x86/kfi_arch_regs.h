/* SPDX-License-Identifier: GPL-2.0 */
/*
 * x86_64's register accessors for kfi_arch.h, inline: they run on every
 * injected call. Arguments in rdi, rsi, rdx, rcx, r8, r9; the return value
 * in rax; at a function's entry the return address is at the top of the
 * stack.
 */
#ifndef KFI_ARCH_X86_REGS_H
#define KFI_ARCH_X86_REGS_H

#include <linux/ftrace.h>
#include <linux/kprobes.h>
#include <linux/ptrace.h>

#include "arch/x86/stub.h"

static nokprobe_inline unsigned long *kfi_x86_arg_reg(struct pt_regs *regs,
						      unsigned int n)
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

static nokprobe_inline unsigned long kfi_arch_get_arg(struct pt_regs *regs,
						      unsigned int n)
{
	unsigned long *reg = kfi_x86_arg_reg(regs, n);

	return reg ? *reg : 0;
}

static nokprobe_inline void kfi_arch_set_arg(struct pt_regs *regs,
					     unsigned int n, unsigned long val)
{
	unsigned long *reg = kfi_x86_arg_reg(regs, n);

	if (reg)
		*reg = val;
}

static nokprobe_inline void kfi_arch_set_retval(struct pt_regs *regs,
						unsigned long val)
{
	regs_set_return_value(regs, val);
}

/*
 * Never emulate "ret" here by popping the return address: on a probe that
 * rides on ftrace the trampoline writes back ip but not sp. The stub
 * returns instead.
 */
static nokprobe_inline void kfi_arch_skip_call(struct pt_regs *regs,
					       unsigned long val)
{
	regs_set_return_value(regs, val);
	instruction_pointer_set(regs, (unsigned long)kfi_x86_return_stub);
}

static nokprobe_inline void kfi_arch_redirect(struct pt_regs *regs,
					      unsigned long addr)
{
	instruction_pointer_set(regs, addr);
}

static nokprobe_inline void kfi_arch_ftrace_continue(struct pt_regs *regs,
						     unsigned long addr)
{
	instruction_pointer_set(regs, addr + MCOUNT_INSN_SIZE);
}

/* int3 kprobes single-step or boost their instruction themselves. */
static nokprobe_inline bool kfi_arch_step_over(const struct kprobe *kp,
					       struct pt_regs *regs)
{
	return false;
}

/* See arm64's: kretprobes ride on ftrace here, without a single-step. */
#define KFI_ARCH_STEP_OVER_SPEEDS_KRETPROBE	false

#endif /* KFI_ARCH_X86_REGS_H */
