/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kfi hotfix API: a module redirects buggy kernel functions to fixed ones.
 *
 *	static struct kfi_hotfix_func funcs[] = {
 *		{ .old_name = "cmdline_proc_show", .new_func = fixed_show },
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
 */
struct kfi_hotfix_func {
	const char *old_name;
	void *new_func;
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

int kfi_hotfix_register(struct kfi_hotfix *hotfix);
void kfi_hotfix_unregister(struct kfi_hotfix *hotfix);

#endif /* _KFI_HOTFIX_H */
