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

#define KFI_CONFIGFS	"/sys/kernel/config"
#define KFI_DIR		KFI_CONFIGFS "/kfi"
#define KFI_RULES_DIR	KFI_DIR "/rules"
#define KFI_HOTFIX_DIR	KFI_DIR "/hotfixes"

/* Exit status: success, failure, usage error. */
#define KFICTL_OK	0
#define KFICTL_FAIL	1
#define KFICTL_USAGE	2

#define KFICTL_VAL	256	/* an attribute's value: configfs pages hold 4096 */

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

/* The writable configuration of a rule, in the order list shows them. */
extern const char * const kfictl_rule_keys[];
extern const size_t kfictl_nr_rule_keys;

struct kfictl_rule {
	char name[256];
	char target[KFICTL_VAL];
	char action[KFICTL_VAL];
	char retval[KFICTL_VAL];
	char args[KFICTL_VAL];
	char probability[KFICTL_VAL];
	char interval[KFICTL_VAL];
	char times[KFICTL_VAL];
	char space[KFICTL_VAL];
	char pid[KFICTL_VAL];
	char children[KFICTL_VAL];
	char comm[KFICTL_VAL];
	char caller[KFICTL_VAL];
	char verbose[KFICTL_VAL];
	char enabled[KFICTL_VAL];
	char status[KFICTL_VAL];
	char hits[KFICTL_VAL];
	char injected[KFICTL_VAL];
	char missed[KFICTL_VAL];
};

struct kfictl_hotfix {
	char name[256];
	char enabled[KFICTL_VAL];
	char calls[KFICTL_VAL];
	char functions[4096];	/* "OLD NEW STATE CALLS MISSED" lines */
};

/* Prints "kfictl: MSG" on stderr, with errno's text and name if @err. */
void kfictl_err(int err, const char *fmt, ...);

/* Prints @s as a JSON string, quotes included, escaped. */
void kfictl_json_string(const char *s);

/* 0 if configfs is mounted and kfi loaded, else prints why: KFICTL_FAIL. */
int kfictl_check_kfi(void);
/* The same, silent: 0, or -errno with why in @why. */
int kfictl_kfi_missing(char *why, size_t len);

/* Reads an attribute without its trailing newline. 0 or -errno. */
int kfictl_read(const char *path, char *buf, size_t len);
/* Writes @val in one write(2); "" is written as "\n". 0 or -errno. */
int kfictl_write(const char *path, const char *val);

/* Sorted names of the directories in @dir; -errno on error. */
int kfictl_names(const char *dir, char ***names);
void kfictl_names_free(char **names, int n);

bool kfictl_rule_exists(const char *name);
bool kfictl_hotfix_exists(const char *name);
int kfictl_rule_path(char *buf, size_t len, const char *rule, const char *attr);
int kfictl_hotfix_path(char *buf, size_t len, const char *hotfix,
		       const char *attr);

/*
 * Fills @r (@h). Returns 0; -ENOENT, silently, if the rule went meanwhile;
 * another -errno after printing which attribute could not be read.
 */
int kfictl_rule_read(const char *name, struct kfictl_rule *r);
int kfictl_hotfix_read(const char *name, struct kfictl_hotfix *h);

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
