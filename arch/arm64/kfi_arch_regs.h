/* SPDX-License-Identifier: GPL-2.0 */
/*
 * arm64's register accessors for kfi_arch.h, inline: they run on every
 * injected call. Arguments in x0-x7, the return value in x0, the return
 * address in the link register x30. Every kprobe here is a BRK breakpoint
 * at the function's first instruction, before any "paciasp" has signed
 * x30, so returning through x30 from there is always safe.
 */
#ifndef KFI_ARCH_ARM64_REGS_H
#define KFI_ARCH_ARM64_REGS_H

#include <linux/kprobes.h>
#include <linux/ptrace.h>

#include <asm/insn.h>

static nokprobe_inline unsigned long kfi_arch_get_arg(struct pt_regs *regs,
						      unsigned int n)
{
	return n >= 1 && n <= KFI_ARCH_NR_ARGS ? regs->regs[n - 1] : 0;
}

static nokprobe_inline void kfi_arch_set_arg(struct pt_regs *regs,
					     unsigned int n, unsigned long val)
{
	if (n >= 1 && n <= KFI_ARCH_NR_ARGS)
		regs->regs[n - 1] = val;
}

static nokprobe_inline void kfi_arch_set_retval(struct pt_regs *regs,
						unsigned long val)
{
	regs_set_return_value(regs, val);
}

/*
 * A call that reached the breakpoint through "blr" has PSTATE.BTYPE set,
 * waiting for a landing pad; the new pc is none, so clear it.
 */
static nokprobe_inline void kfi_arm64_jump(struct pt_regs *regs,
					   unsigned long pc)
{
	regs->pstate &= ~PSR_BTYPE_MASK;
	instruction_pointer_set(regs, pc);
}

static nokprobe_inline void kfi_arch_skip_call(struct pt_regs *regs,
					       unsigned long val)
{
	regs_set_return_value(regs, val);
	kfi_arm64_jump(regs, procedure_link_pointer(regs));
}

static nokprobe_inline void kfi_arch_redirect(struct pt_regs *regs,
					      unsigned long addr)
{
	kfi_arm64_jump(regs, addr);
}

/* arm64 6.1 has no kprobes on ftrace; for later kernels: one instruction. */
static nokprobe_inline void kfi_arch_ftrace_continue(struct pt_regs *regs,
						     unsigned long addr)
{
	kfi_arm64_jump(regs, addr + AARCH64_INSN_SIZE);
}

/* A function's first instructions, besides BRK (see kfi_arch_step_over). */
#define KFI_ARM64_NOP		0xd503201fU	/* nop */
#define KFI_ARM64_MOV_X9_LR	0xaa1e03e9U	/* mov x9, x30 */

/*
 * ftrace's patchable entry, where kprobes put a function's breakpoint, is
 * "mov x9, x30" (a "nop" before ftrace's init of it), then the "nop" or
 * "bl" of the call site: run in place here, without a second exception.
 */
static nokprobe_inline bool kfi_arch_step_over(const struct kprobe *kp,
					       struct pt_regs *regs)
{
	switch (kp->opcode) {
	case KFI_ARM64_MOV_X9_LR:
		regs->regs[9] = regs->regs[30];
		break;
	case KFI_ARM64_NOP:
		break;
	default:
		return false;
	}
	kfi_arm64_jump(regs, instruction_pointer(regs) + AARCH64_INSN_SIZE);
	return true;
}

/*
 * Whether a kprobe that steps over its instruction (kfi_arch_step_over())
 * makes a kretprobe beside it cheaper: here, where every kprobe is a
 * breakpoint and single-stepping is a second exception, it does.
 */
#define KFI_ARCH_STEP_OVER_SPEEDS_KRETPROBE	true

#endif /* KFI_ARCH_ARM64_REGS_H */
