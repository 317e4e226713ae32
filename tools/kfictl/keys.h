/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kfictl: the KEY=VALUE arguments of add and the keys of a scenario's rule
 * sections, checked against the forms of Documentation/kfi.rst before
 * anything is made. Pure functions: the host's unit tests call them.
 */
#ifndef KFICTL_KEYS_H
#define KFICTL_KEYS_H

#include <stddef.h>

#define KFICTL_KEY_LEN	64

/*
 * The accepted form of rule attribute @key, in words ("0 or 1"), or NULL
 * if @key is not a rule attribute kfictl writes.
 */
const char *kfictl_key_form(const char *key);

/* "target, action, ...": every key, for messages. */
const char *kfictl_key_list(void);

/*
 * Whether @val is in the form of @key. 0, or -EINVAL with the message
 * ("bad value 'x' for times: expected ...") in @err.
 */
int kfictl_value_check(const char *key, const char *val, char *err,
		       size_t len);

/*
 * Splits "KEY=VALUE" at its first '=' into @key and *@val (pointing into
 * @arg), and checks both. 0, or -EINVAL with the message in @err.
 */
int kfictl_kv_parse(const char *arg, char *key, const char **val, char *err,
		    size_t len);

#endif /* KFICTL_KEYS_H */
