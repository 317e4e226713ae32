/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kfictl: what the command-line side (kfictl.c) and the configfs side
 * (cfs.c) share. cfs.c knows the paths and the ABI of
 * Documentation/ABI/testing/configfs-kfi; kfictl.c knows the commands.
 */
#ifndef KFICTL_H
#define KFICTL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#define KFI_CONFIGFS	"/sys/kernel/config"
#define KFI_DIR		KFI_CONFIGFS "/kfi"

/* Exit status: success, failure, usage error. */
#define KFICTL_OK	0
#define KFICTL_FAIL	1
#define KFICTL_USAGE	2

#define KFICTL_VAL	256	/* a value kfictl writes, a number it reads */
#define KFICTL_PAGE	4096	/* an attribute as configfs shows it: a page */

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

/* The writable configuration of a rule, in the order list shows them. */
extern const char * const kfictl_rule_keys[];
extern const size_t kfictl_nr_rule_keys;

/* A rule's attributes, each as long as configfs may show it. */
struct kfictl_rule {
	char name[256];
	char target[KFICTL_PAGE];
	char action[KFICTL_PAGE];
	char retval[KFICTL_PAGE];
	char args[KFICTL_PAGE];
	char probability[KFICTL_PAGE];
	char interval[KFICTL_PAGE];
	char times[KFICTL_PAGE];
	char space[KFICTL_PAGE];
	char pid[KFICTL_PAGE];
	char children[KFICTL_PAGE];
	char comm[KFICTL_PAGE];
	char caller[KFICTL_PAGE];
	char verbose[KFICTL_PAGE];
	char enabled[KFICTL_PAGE];
	char status[KFICTL_PAGE];
	char hits[KFICTL_PAGE];
	char injected[KFICTL_PAGE];
	char missed[KFICTL_PAGE];
};

struct kfictl_hotfix {
	char name[256];
	char enabled[KFICTL_VAL];
	char calls[KFICTL_VAL];
	char functions[KFICTL_PAGE];	/* "OLD NEW STATE CALLS MISSED" lines */
};

/* Prints "kfictl: MSG" on stderr, with errno's text and name if @err. */
void kfictl_err(int err, const char *fmt, ...);

/*
 * Prints @s on @f as a JSON string, quotes included: valid UTF-8 as it is,
 * control characters, DEL and each byte that is not part of valid UTF-8
 * as \u00XX (such a byte read as Latin-1).
 */
void kfictl_json_string(FILE *f, const char *s);

/*
 * The length of the UTF-8 sequence that starts at @s, or 0 if it is not
 * valid UTF-8 (RFC 3629: no overlong forms, surrogates, or anything above
 * U+10FFFF). ASCII, NUL included, is 1.
 */
size_t kfictl_utf8_len(const unsigned char *s);

/* 0 if configfs is mounted and kfi loaded, else prints why: KFICTL_FAIL. */
int kfictl_check_kfi(void);
/* The same, silent: 0, or -errno with why in @why. */
int kfictl_kfi_missing(char *why, size_t len);

/*
 * Reads an attribute without its trailing newline. 0 or -errno: -EOVERFLOW
 * when it does not fit in @len bytes, NUL included.
 */
int kfictl_read(const char *path, char *buf, size_t len);
/* Writes @val in one write(2); "" is written as "\n". 0 or -errno. */
int kfictl_write(const char *path, const char *val);

/* Sorted names of the directories in @dir; -errno on error. */
int kfictl_names(const char *dir, char ***names);
void kfictl_names_free(char **names, int n);

bool kfictl_rule_exists(const char *name);
bool kfictl_hotfix_exists(const char *name);
/* The path of @attr of @rule; of @rule without @attr; without both, rules/. */
int kfictl_rule_path(char *buf, size_t len, const char *rule, const char *attr);
int kfictl_hotfix_path(char *buf, size_t len, const char *hotfix,
		       const char *attr);
/*
 * Where the paths above start instead of KFI_CONFIGFS: a directory that the
 * unit tests fill. kfictl_kfi_missing() still looks at the real configfs.
 */
void kfictl_set_configfs(const char *dir);

/*
 * Removes the rules @names (the kernel disarms an armed one first), each
 * whatever happens to the others. KFICTL_OK, or KFICTL_FAIL after saying
 * why. A name with no rule is an error, unless @listed: the names were
 * read from configfs, and a rule that went since was removed as asked.
 */
int kfictl_rules_rm(char * const *names, int n, bool listed);

/*
 * Fills @r (@h). Returns 0; -ENOENT, silently, if the rule went meanwhile;
 * another -errno after printing which attribute could not be read and why
 * (-EIO for an attribute missing from a rule that is still there).
 */
int kfictl_rule_read(const char *name, struct kfictl_rule *r);
int kfictl_hotfix_read(const char *name, struct kfictl_hotfix *h);

/*
 * kfictl list [--json] (@rules) and hotfix list (!@rules, no JSON), on @out
 * (list.c). A rule or hotfix removed meanwhile is left out. KFICTL_OK; or
 * KFICTL_FAIL after saying why, with nothing on @out.
 */
int kfictl_list(FILE *out, bool json, bool rules);

/* What a function returns, as far as retval is concerned (btf.c). */
enum kfictl_ret {
	KFICTL_RET_VOID,
	KFICTL_RET_PTR,
	KFICTL_RET_BOOL,
	KFICTL_RET_INT,		/* also enums */
	KFICTL_RET_OTHER,	/* struct, union, float: not one register */
};

/* A function's prototype from the kernel's BTF. */
struct kfictl_proto {
	bool known;
	char why[512];		/* !known: why, in words */
	char decl[1024];	/* "int vfs_mkdir(struct inode *dir, ...)" */
	char ret_type[256];	/* "int", "struct dentry *" */
	enum kfictl_ret ret;
	int ret_bits;		/* KFICTL_RET_INT, _BOOL: width */
	bool ret_signed;
	int nr_params;		/* named parameters, without "..." */
	bool variadic;
};

/*
 * Fills @p with function @func's prototype from the BTF of @module (NULL:
 * vmlinux). 0; else -ENODATA (no BTF) or -ENOENT (not in it), with
 * p->why saying so.
 */
int kfictl_btf_proto(const char *module, const char *func,
		     struct kfictl_proto *p);

struct btf;
/*
 * Fills @p from function (BTF_KIND_FUNC) @id of @btf, named @func: the part
 * of kfictl_btf_proto() that the unit tests call with a BTF of their own.
 * 0 or -errno; p->why and p->known are left alone.
 */
int kfictl_btf_proto_of(const struct btf *btf, unsigned int id,
			const char *func, struct kfictl_proto *p);

/* kfictl describe [--json] TARGET (describe.c). */
int kfictl_describe(int argc, char **argv);

/*
 * add's check of a rule against its target's prototype: warns when retval
 * does not fit the return type; refuses args beyond the parameters unless
 * @force (KFICTL_USAGE). NULL for keys not given. Silent without BTF.
 */
int kfictl_add_check(const char *target, const char *action,
		     const char *retval, const char *args, bool force);

#endif /* KFICTL_H */
