/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What kfi needs from an architecture: reading and writing the registers of
 * a call stopped at a function's entry, or at its return.
 *
 * Every architecture under arch/ implements all of these, with the same
 * meaning; nothing outside arch/ looks inside struct pt_regs. All of them are
 * called from probe handlers: they never sleep and are NOKPROBE.
 */
#ifndef KFI_ARCH_H
#define KFI_ARCH_H

#include <linux/types.h>

struct pt_regs;

/* The architecture's name as the kernel spells it ("x86_64", "arm64"). */
extern const char * const kfi_arch_name;

/*
 * Name of the kernel's return trampoline for kretprobes on this
 * architecture: at a function's entry, a kretprobe that ran first has put
 * this address where the caller's return address was.
 */
extern const char * const kfi_arch_ret_trampoline;

/*
 * What a probe hit through the breakpoint exception (not through ftrace)
 * adds to preempt_count() before the handler runs: x86 enters int3 as an
 * NMI; arm64 enters BRK without touching the count.
 */
extern const unsigned int kfi_arch_exception_preempt_offset;

/* Number of arguments passed in registers that kfi can read and write. */
#define KFI_ARCH_NR_ARGS	6

/*
 * Inline, in each architecture's kfi_arch_regs.h (arch/ARCH/, on the
 * include path for this architecture only):
 *
 * kfi_arch_get_arg(regs, n), kfi_arch_set_arg(regs, n, val)
 *	Argument @n (1-based) of the call at function entry.
 * kfi_arch_set_retval(regs, val)
 *	At function return: replace the value the function returned.
 * kfi_arch_skip_call(regs, val)
 *	At function entry: make the call return @val at once, without running
 *	the body. The probe handler must then return 1 and its kprobe must
 *	have a post_handler (which keeps the probe from being jump-optimized).
 * kfi_arch_redirect(regs, addr)
 *	At function entry: continue at @addr, a function with the same
 *	prototype, which returns straight to the original caller. Same rules
 *	as above.
 * kfi_arch_ftrace_continue(regs, addr)
 *	At a probe that rides on ftrace, whose call site is at @addr: go on
 *	after that call site, as kprobes itself would when the handler
 *	returns 0. Same rules as above.
 * kfi_arch_step_over(kp, regs)
 *	At a breakpoint kprobe @kp: run its instruction (saved in @kp) in
 *	place and go on after it, when that is simple and cheaper than
 *	kprobes' single-step, and return true; the handler must then return
 *	1 (no post_handler of the probe's runs). False: nothing changed.
 */
#include <kfi_arch_regs.h>

/*
 * At function entry: the address the call will return to, seen through a
 * kretprobe trampoline at @trampoline (0 if unknown).
 */
unsigned long kfi_arch_return_address(struct pt_regs *regs,
				      unsigned long trampoline);

/*
 * At function entry, in a kprobe handler: whether the kretprobe instance
 * whose data is @data hooked the return of this very call, in this probe
 * hit. Reads the current task's list of hooked returns only: @data itself
 * may be stale (reused, or freed).
 */
bool kfi_arch_kretprobe_hooked_here(struct pt_regs *regs, const void *data);

#endif /* KFI_ARCH_H */
