/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kfi hotfix API: a module redirects buggy kernel functions to fixed ones.
 *
 *	static int fixed_show(struct seq_file *m, void *v) { ... }
 *	KFI_HOTFIX_THUNK(fixed_show, int, struct seq_file *, void *);
 *
 *	static struct kfi_hotfix_func funcs[] = {
 *		KFI_HOTFIX_FUNC("cmdline_proc_show", fixed_show),
 *		{ }
 *	};
 *	static struct kfi_hotfix hotfix = { .mod = THIS_MODULE, .funcs = funcs };
 *
 *	init:	return kfi_hotfix_register(&hotfix);
 *	exit:	kfi_hotfix_unregister(&hotfix);
 *
 * Build against kfi's Module.symvers and this directory:
 *	make -C $(KDIR) M=$(PWD) KBUILD_EXTRA_SYMBOLS=<kfi>/Module.symvers \
 *		ccflags-y=-I<kfi>/include
 *
 * See Documentation/hotfix.rst.
 */
#ifndef _KFI_HOTFIX_H
#define _KFI_HOTFIX_H

#include <linux/build_bug.h>
#include <linux/compiler.h>
#include <linux/kernel.h>
#include <linux/kprobes.h>
#include <linux/percpu.h>

struct module;
struct kfi_hotfix_state;

/**
 * struct kfi_hotfix_func - one function to redirect
 * @old_name:	"symbol" (in vmlinux or a loaded module) or "module:symbol"
 *		(also of a module that is not loaded yet); a '-' in module is
 *		taken as '_', as the kernel names modules, and "functions" in
 *		configfs shows the name as written
 * @new_func:	the replacement, with the same prototype as @old_name; it
 *		must be a function in the hotfix module's own text, not
 *		__init (data or __init code is refused with -EINVAL), and must
 *		not call @old_name (that call would be redirected to it again)
 * @thunk:	set by KFI_HOTFIX_FUNC(): @new_func's thunk, which kfi calls
 *		instead of @new_func. Without it (@new_func given alone) kfi
 *		hooks every redirected call's return with a kretprobe to know
 *		when the call has left the module, which costs a kretprobe per
 *		call, and runs the old function in calls beyond the
 *		kretprobe's instances
 * @inflight:	set by KFI_HOTFIX_FUNC(): the thunk's count of calls in it
 */
struct kfi_hotfix_func {
	const char *old_name;
	void *new_func;
	void *thunk;
	unsigned long __percpu *inflight;
};

/**
 * struct kfi_hotfix - a set of redirects applied and removed together
 * @mod:	THIS_MODULE: the module that holds the replacements
 * @funcs:	the functions, ending with an entry whose @old_name is NULL
 * @state:	kfi's; leave it NULL
 */
struct kfi_hotfix {
	struct module *mod;
	struct kfi_hotfix_func *funcs;

	/* private to kfi */
	struct kfi_hotfix_state *state;
};

/*
 * A thunk calls its replacement and, when the replacement returns, counts
 * the call out of a per-CPU count that kfi counted it into when it
 * redirected it: kfi knows when no call is left in the replacement, even
 * one asleep there, without a return probe, and holds the module until
 * then. The thunk's last instructions, after the count, are waited out by a
 * Tasks RCU grace period in kfi_hotfix_unregister().
 */
static inline void __kfi_hotfix_thunk_done(unsigned long __percpu **inflight)
{
	this_cpu_dec(**inflight);
}

/*
 * "t12 a12, ..., t1 a1" and "a12, ..., a1" from "t12, ..., t1", up to the
 * 12 arguments that the kernel's COUNT_ARGS() counts.
 */
#define __KFI_HOTFIX_P0()		void
#define __KFI_HOTFIX_P1(t)		t a1
#define __KFI_HOTFIX_P2(t, ...)		t a2, __KFI_HOTFIX_P1(__VA_ARGS__)
#define __KFI_HOTFIX_P3(t, ...)		t a3, __KFI_HOTFIX_P2(__VA_ARGS__)
#define __KFI_HOTFIX_P4(t, ...)		t a4, __KFI_HOTFIX_P3(__VA_ARGS__)
#define __KFI_HOTFIX_P5(t, ...)		t a5, __KFI_HOTFIX_P4(__VA_ARGS__)
#define __KFI_HOTFIX_P6(t, ...)		t a6, __KFI_HOTFIX_P5(__VA_ARGS__)
#define __KFI_HOTFIX_P7(t, ...)		t a7, __KFI_HOTFIX_P6(__VA_ARGS__)
#define __KFI_HOTFIX_P8(t, ...)		t a8, __KFI_HOTFIX_P7(__VA_ARGS__)
#define __KFI_HOTFIX_P9(t, ...)		t a9, __KFI_HOTFIX_P8(__VA_ARGS__)
#define __KFI_HOTFIX_P10(t, ...)	t a10, __KFI_HOTFIX_P9(__VA_ARGS__)
#define __KFI_HOTFIX_P11(t, ...)	t a11, __KFI_HOTFIX_P10(__VA_ARGS__)
#define __KFI_HOTFIX_P12(t, ...)	t a12, __KFI_HOTFIX_P11(__VA_ARGS__)
#define __KFI_HOTFIX_A0()
#define __KFI_HOTFIX_A1(t)		a1
#define __KFI_HOTFIX_A2(t, ...)		a2, __KFI_HOTFIX_A1(__VA_ARGS__)
#define __KFI_HOTFIX_A3(t, ...)		a3, __KFI_HOTFIX_A2(__VA_ARGS__)
#define __KFI_HOTFIX_A4(t, ...)		a4, __KFI_HOTFIX_A3(__VA_ARGS__)
#define __KFI_HOTFIX_A5(t, ...)		a5, __KFI_HOTFIX_A4(__VA_ARGS__)
#define __KFI_HOTFIX_A6(t, ...)		a6, __KFI_HOTFIX_A5(__VA_ARGS__)
#define __KFI_HOTFIX_A7(t, ...)		a7, __KFI_HOTFIX_A6(__VA_ARGS__)
#define __KFI_HOTFIX_A8(t, ...)		a8, __KFI_HOTFIX_A7(__VA_ARGS__)
#define __KFI_HOTFIX_A9(t, ...)		a9, __KFI_HOTFIX_A8(__VA_ARGS__)
#define __KFI_HOTFIX_A10(t, ...)	a10, __KFI_HOTFIX_A9(__VA_ARGS__)
#define __KFI_HOTFIX_A11(t, ...)	a11, __KFI_HOTFIX_A10(__VA_ARGS__)
#define __KFI_HOTFIX_A12(t, ...)	a12, __KFI_HOTFIX_A11(__VA_ARGS__)

/**
 * KFI_HOTFIX_THUNK() - define the thunk of a replacement
 * @fn:		the replacement, a function defined above
 * @type:	its return type (may be void)
 * @...:	the types of its parameters, in order (none for a function
 *		without parameters, up to 12); they must match @fn's
 *		prototype exactly, or the build fails. A type with a comma
 *		or a declarator around the name (a function pointer, an
 *		array) needs a typedef
 *
 * Defines the function that KFI_HOTFIX_FUNC() names as @fn's thunk, with
 * @fn's prototype. Any argument, in registers or on the stack, reaches @fn
 * as the caller passed it. The thunk can be neither traced nor probed: a
 * probe that skipped its end would keep the call counted in for ever.
 */
#define KFI_HOTFIX_THUNK(fn, type, ...)					\
static DEFINE_PER_CPU(unsigned long, __kfi_hotfix_inflight_##fn);	\
static notrace type __kfi_hotfix_thunk_##fn(				\
	CONCATENATE(__KFI_HOTFIX_P, COUNT_ARGS(__VA_ARGS__))(__VA_ARGS__)) \
{									\
	unsigned long __percpu *__kfi_inflight				\
		__attribute__((__cleanup__(__kfi_hotfix_thunk_done))) =	\
		&__kfi_hotfix_inflight_##fn;				\
									\
	BUILD_BUG_ON_MSG(!__same_type(&fn, &__kfi_hotfix_thunk_##fn),	\
			 "KFI_HOTFIX_THUNK(): types differ from " #fn "'s"); \
	return fn(CONCATENATE(__KFI_HOTFIX_A,				\
			      COUNT_ARGS(__VA_ARGS__))(__VA_ARGS__));	\
}									\
NOKPROBE_SYMBOL(__kfi_hotfix_thunk_##fn)

/**
 * KFI_HOTFIX_FUNC() - one entry of a hotfix's functions
 * @old:	the function to redirect, as struct kfi_hotfix_func's @old_name
 * @fn:		its replacement, whose thunk KFI_HOTFIX_THUNK() defined
 */
#define KFI_HOTFIX_FUNC(old, fn)					\
	{ .old_name = (old), .new_func = (fn),				\
	  .thunk = __kfi_hotfix_thunk_##fn,				\
	  .inflight = &__kfi_hotfix_inflight_##fn }

int kfi_hotfix_register(struct kfi_hotfix *hotfix);
void kfi_hotfix_unregister(struct kfi_hotfix *hotfix);

#endif /* _KFI_HOTFIX_H */
