// SPDX-License-Identifier: GPL-2.0
/*
 * Symbol names as users write them ("[module:]symbol[+offset]"), and their
 * resolution to addresses.
 *
 * kallsyms_lookup_name() is not exported to modules, but register_kprobe()
 * resolves a name (also "module:symbol") and fills in kprobe.addr before it
 * checks whether the address may be probed. A disabled kprobe registered and
 * unregistered at once is therefore a lookup that works on every kernel with
 * kprobes; sprint_symbol() then gives the symbol's size and module.
 */
#include <linux/ctype.h>
#include <linux/kernel.h>
#include <linux/kprobes.h>
#include <linux/namei.h>
#include <linux/path.h>
#include <linux/string.h>

#include "core/core.h"

/* The kernel's isalnum() takes Latin-1 letters: symbols are ASCII. */
static bool kfi_symbol_char(char c)
{
	return isascii(c) && (isalnum(c) || c == '_' || c == '.' || c == '$');
}

/**
 * kfi_symbol_parse() - split "[module:]symbol[+offset]"
 * @target:	what the user wrote, without a trailing newline
 * @module:	MODULE_NAME_LEN bytes; "" when no module is named; a '-' in
 *		the module's name is given as '_', as the kernel names it
 * @name:	KSYM_NAME_LEN bytes
 * @offset:	the offset, 0 when none is given
 *
 * Context: any.
 * Return: 0, -EINVAL for a malformed name, -ERANGE for one too long.
 */
int kfi_symbol_parse(const char *target, char *module, char *name,
		     unsigned long *offset)
{
	const char *colon = strchr(target, ':');
	const char *sym = colon ? colon + 1 : target;
	const char *plus = strchr(sym, '+');
	size_t modlen = colon ? colon - target : 0;
	size_t symlen = plus ? plus - sym : strlen(sym);
	size_t i;

	*offset = 0;
	if (colon) {
		if (!modlen)
			return -EINVAL;
		if (modlen >= MODULE_NAME_LEN)
			return -ERANGE;
		for (i = 0; i < modlen; i++)
			if (!isascii(target[i]) ||
			    (!isalnum(target[i]) && target[i] != '_' &&
			     target[i] != '-'))
				return -EINVAL;
	}
	if (!symlen)
		return -EINVAL;
	if (symlen >= KSYM_NAME_LEN)
		return -ERANGE;
	for (i = 0; i < symlen; i++)
		if (!kfi_symbol_char(sym[i]))
			return -EINVAL;
	if (plus) {
		/* A digit first: kstrtoul() alone takes "sym++5" too. */
		int err = isdigit(plus[1]) ? kstrtoul(plus + 1, 0, offset) :
					     -EINVAL;

		if (err)
			return err;
	}
	/* Module names have '_' where their files have '-' (KBUILD_MODNAME). */
	for (i = 0; i < modlen; i++)
		module[i] = target[i] == '-' ? '_' : target[i];
	module[modlen] = '\0';
	memcpy(name, sym, symlen);
	name[symlen] = '\0';
	return 0;
}

/**
 * kfi_symbol_describe() - name the symbol at an address
 * @sym:	@sym->addr set; fills in the rest
 *
 * Context: any.
 * Return: 0, or -ENOENT if no symbol holds @sym->addr.
 */
int kfi_symbol_describe(struct kfi_symbol *sym)
{
	/* "name+0x0/0x1a0 [module]" as sprint_symbol() prints it. */
	char buf[KSYM_SYMBOL_LEN];
	char *plus, *slash, *mod;

	sprint_symbol(buf, sym->addr);
	plus = strrchr(buf, '+');
	slash = plus ? strchr(plus, '/') : NULL;
	if (!slash)
		return -ENOENT;
	*plus = '\0';
	mod = strchr(slash, ' ');
	if (mod)
		*mod++ = '\0';
	*slash = '\0';
	if (kstrtoul(plus + 1, 16, &sym->offset) ||
	    kstrtoul(slash + 1, 16, &sym->size))
		return -ENOENT;
	strscpy(sym->name, buf, sizeof(sym->name));
	sym->module[0] = '\0';
	if (mod && *mod == '[') {
		strscpy(sym->module, mod + 1, sizeof(sym->module));
		sym->module[strcspn(sym->module, "] ")] = '\0';
	}
	return 0;
}

/**
 * kfi_symbol_resolve() - find the address of "[module:]symbol[+offset]"
 * @target:	the name
 * @sym:	filled in: address, size, offset within the symbol, module,
 *		and whether kprobes accept a probe there
 *
 * The address is the one a kprobe on @target would use (on x86 with IBT,
 * after the ENDBR instruction). It is found by registering a disabled
 * kprobe there, which also runs every check kprobes make of an address
 * (blacklist, noinstr, instruction boundary): @sym->probe_err is what that
 * registration said.
 *
 * Context: process context, may sleep (one RCU grace period).
 * Return: 0, -EINVAL or -ERANGE for a malformed name, -ENOENT when no
 * such symbol is loaded.
 */
int kfi_symbol_resolve(const char *target, struct kfi_symbol *sym)
{
	char module[MODULE_NAME_LEN], name[KSYM_NAME_LEN];
	char full[MODULE_NAME_LEN + KSYM_NAME_LEN];
	struct kprobe kp = { .flags = KPROBE_FLAG_DISABLED };
	unsigned long offset;
	int err;

	err = kfi_symbol_parse(target, module, name, &offset);
	if (err)
		return err;
	snprintf(full, sizeof(full), "%s%s%s", module, *module ? ":" : "",
		 name);
	kp.symbol_name = full;
	kp.offset = offset;
	err = register_kprobe(&kp);
	if (!err)
		unregister_kprobe(&kp);
	if (!kp.addr)
		return err ?: -ENOENT;
	sym->addr = (unsigned long)kp.addr;
	sym->probe_err = err;
	return kfi_symbol_describe(sym);
}

/**
 * kfi_symbol_module_may_come() - whether a module may load later
 * @module:	the module's name
 *
 * True for the name of a module that is not loaded now: every loadable
 * module, from its loading to its unloading, has /sys/module/NAME, and so
 * does a module built into the kernel that has parameters (it never comes
 * as a module: a function named "ext4:..." on a kernel with ext4 built in
 * would wait forever). "vmlinux" is not a module. The kernel exports no
 * lookup of modules by name, and kallsyms only knows a module's data
 * symbols with CONFIG_KALLSYMS_ALL (Debian's arm64 kernel has it off).
 * Without sysfs at /sys this says yes.
 *
 * Context: process context, may sleep.
 */
bool kfi_symbol_module_may_come(const char *module)
{
	char p[sizeof("/sys/module/") + MODULE_NAME_LEN];
	struct path path;

	if (!strcmp(module, "vmlinux"))
		return false;
	snprintf(p, sizeof(p), "/sys/module/%s", module);
	if (kern_path(p, LOOKUP_FOLLOW, &path))
		return true;
	path_put(&path);
	return false;
}
