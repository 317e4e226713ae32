// SPDX-License-Identifier: GPL-2.0
/*
 * Parsers for what users write into kfi's configfs attributes. Each takes a
 * NUL-terminated string without its trailing newline (kfi_input()) and
 * either fills in its result or returns -EINVAL (malformed) or -ERANGE (out
 * of range, too long, too many) and leaves the result alone.
 */
#include <linux/ctype.h>
#include <linux/errno.h>
#include <linux/kernel.h>
#include <linux/string.h>
#include <linux/threads.h>

#include "configfs/parse.h"

/* Every name of the kernel's asm-generic errno-base.h and errno.h. */
#define KFI_ERRNO(name) { #name, name }
static const struct {
	const char *name;
	int value;
} kfi_errnos[] = {
	KFI_ERRNO(EPERM), KFI_ERRNO(ENOENT), KFI_ERRNO(ESRCH),
	KFI_ERRNO(EINTR), KFI_ERRNO(EIO), KFI_ERRNO(ENXIO), KFI_ERRNO(E2BIG),
	KFI_ERRNO(ENOEXEC), KFI_ERRNO(EBADF), KFI_ERRNO(ECHILD),
	KFI_ERRNO(EAGAIN), KFI_ERRNO(ENOMEM), KFI_ERRNO(EACCES),
	KFI_ERRNO(EFAULT), KFI_ERRNO(ENOTBLK), KFI_ERRNO(EBUSY),
	KFI_ERRNO(EEXIST), KFI_ERRNO(EXDEV), KFI_ERRNO(ENODEV),
	KFI_ERRNO(ENOTDIR), KFI_ERRNO(EISDIR), KFI_ERRNO(EINVAL),
	KFI_ERRNO(ENFILE), KFI_ERRNO(EMFILE), KFI_ERRNO(ENOTTY),
	KFI_ERRNO(ETXTBSY), KFI_ERRNO(EFBIG), KFI_ERRNO(ENOSPC),
	KFI_ERRNO(ESPIPE), KFI_ERRNO(EROFS), KFI_ERRNO(EMLINK),
	KFI_ERRNO(EPIPE), KFI_ERRNO(EDOM), KFI_ERRNO(ERANGE),
	KFI_ERRNO(EDEADLK), KFI_ERRNO(ENAMETOOLONG), KFI_ERRNO(ENOLCK),
	KFI_ERRNO(ENOSYS), KFI_ERRNO(ENOTEMPTY), KFI_ERRNO(ELOOP),
	KFI_ERRNO(EWOULDBLOCK), KFI_ERRNO(ENOMSG), KFI_ERRNO(EIDRM),
	KFI_ERRNO(ECHRNG), KFI_ERRNO(EL2NSYNC), KFI_ERRNO(EL3HLT),
	KFI_ERRNO(EL3RST), KFI_ERRNO(ELNRNG), KFI_ERRNO(EUNATCH),
	KFI_ERRNO(ENOCSI), KFI_ERRNO(EL2HLT), KFI_ERRNO(EBADE),
	KFI_ERRNO(EBADR), KFI_ERRNO(EXFULL), KFI_ERRNO(ENOANO),
	KFI_ERRNO(EBADRQC), KFI_ERRNO(EBADSLT), KFI_ERRNO(EDEADLOCK),
	KFI_ERRNO(EBFONT), KFI_ERRNO(ENOSTR), KFI_ERRNO(ENODATA),
	KFI_ERRNO(ETIME), KFI_ERRNO(ENOSR), KFI_ERRNO(ENONET),
	KFI_ERRNO(ENOPKG), KFI_ERRNO(EREMOTE), KFI_ERRNO(ENOLINK),
	KFI_ERRNO(EADV), KFI_ERRNO(ESRMNT), KFI_ERRNO(ECOMM),
	KFI_ERRNO(EPROTO), KFI_ERRNO(EMULTIHOP), KFI_ERRNO(EDOTDOT),
	KFI_ERRNO(EBADMSG), KFI_ERRNO(EOVERFLOW), KFI_ERRNO(ENOTUNIQ),
	KFI_ERRNO(EBADFD), KFI_ERRNO(EREMCHG), KFI_ERRNO(ELIBACC),
	KFI_ERRNO(ELIBBAD), KFI_ERRNO(ELIBSCN), KFI_ERRNO(ELIBMAX),
	KFI_ERRNO(ELIBEXEC), KFI_ERRNO(EILSEQ), KFI_ERRNO(ERESTART),
	KFI_ERRNO(ESTRPIPE), KFI_ERRNO(EUSERS), KFI_ERRNO(ENOTSOCK),
	KFI_ERRNO(EDESTADDRREQ), KFI_ERRNO(EMSGSIZE), KFI_ERRNO(EPROTOTYPE),
	KFI_ERRNO(ENOPROTOOPT), KFI_ERRNO(EPROTONOSUPPORT),
	KFI_ERRNO(ESOCKTNOSUPPORT), KFI_ERRNO(EOPNOTSUPP),
	KFI_ERRNO(EPFNOSUPPORT), KFI_ERRNO(EAFNOSUPPORT),
	KFI_ERRNO(EADDRINUSE), KFI_ERRNO(EADDRNOTAVAIL), KFI_ERRNO(ENETDOWN),
	KFI_ERRNO(ENETUNREACH), KFI_ERRNO(ENETRESET), KFI_ERRNO(ECONNABORTED),
	KFI_ERRNO(ECONNRESET), KFI_ERRNO(ENOBUFS), KFI_ERRNO(EISCONN),
	KFI_ERRNO(ENOTCONN), KFI_ERRNO(ESHUTDOWN), KFI_ERRNO(ETOOMANYREFS),
	KFI_ERRNO(ETIMEDOUT), KFI_ERRNO(ECONNREFUSED), KFI_ERRNO(EHOSTDOWN),
	KFI_ERRNO(EHOSTUNREACH), KFI_ERRNO(EALREADY), KFI_ERRNO(EINPROGRESS),
	KFI_ERRNO(ESTALE), KFI_ERRNO(EUCLEAN), KFI_ERRNO(ENOTNAM),
	KFI_ERRNO(ENAVAIL), KFI_ERRNO(EISNAM), KFI_ERRNO(EREMOTEIO),
	KFI_ERRNO(EDQUOT), KFI_ERRNO(ENOMEDIUM), KFI_ERRNO(EMEDIUMTYPE),
	KFI_ERRNO(ECANCELED), KFI_ERRNO(ENOKEY), KFI_ERRNO(EKEYEXPIRED),
	KFI_ERRNO(EKEYREVOKED), KFI_ERRNO(EKEYREJECTED), KFI_ERRNO(EOWNERDEAD),
	KFI_ERRNO(ENOTRECOVERABLE), KFI_ERRNO(ERFKILL), KFI_ERRNO(EHWPOISON),
};

/**
 * kfi_input() - copy an attribute write into a C string
 * @page:	what configfs got
 * @count:	its length
 * @buf:	where to put it
 * @size:	size of @buf
 *
 * Drops one trailing newline (as echo writes it). Any other newline is
 * refused here, as the kstrto*() functions would take one more at the end.
 *
 * Return: 0, -EINVAL for an embedded NUL or newline, -ERANGE when it does
 * not fit.
 */
int kfi_input(const char *page, size_t count, char *buf, size_t size)
{
	if (count && page[count - 1] == '\n')
		count--;
	if (count >= size)
		return -ERANGE;
	if (memchr(page, '\0', count) || memchr(page, '\n', count))
		return -EINVAL;
	memcpy(buf, page, count);
	buf[count] = '\0';
	return 0;
}

static int kfi_parse_errno(const char *s, long *val)
{
	bool neg = *s == '-';
	size_t i;

	if (neg)
		s++;
	for (i = 0; i < ARRAY_SIZE(kfi_errnos); i++) {
		if (!strcmp(s, kfi_errnos[i].name)) {
			*val = neg ? -kfi_errnos[i].value : kfi_errnos[i].value;
			return 0;
		}
	}
	return -EINVAL;
}

/**
 * kfi_parse_value() - a register value as users write it
 * @s:		decimal ("-12"), 0x-hex ("0xff" up to 64 bits, "-0x10" down to
 *		LONG_MIN) or an errno name ("-ENOMEM", "EIO")
 * @val:	the value
 *
 * Return: 0, -EINVAL, -ERANGE.
 */
int kfi_parse_value(const char *s, long *val)
{
	const char *digits = *s == '-' ? s + 1 : s;
	unsigned long u;
	int err;

	if (isalpha(*digits))
		return kfi_parse_errno(s, val);
	if (digits[0] == '0' && (digits[1] == 'x' || digits[1] == 'X')) {
		/* Hex is a bit pattern: the full unsigned range is fine. */
		if (!isxdigit(digits[2]))
			return -EINVAL;
		/* kstrtoul() skips the "0x" itself, and only one. */
		err = kstrtoul(digits, 16, &u);
		if (err)
			return err;
		if (*s == '-' && u > (unsigned long)LONG_MAX + 1)
			return -ERANGE;
		*val = *s == '-' ? (long)-u : (long)u;
		return 0;
	}
	if (!isdigit(*digits))
		return -EINVAL;
	return kstrtol(s, 10, val);
}

/**
 * kfi_parse_probability() - a percentage with up to 4 decimal places
 * @s:		"0" to "100", e.g. "12.5", "0.0001"
 * @ppm:	the probability in parts per million
 *
 * Return: 0, -EINVAL, -ERANGE.
 */
int kfi_parse_probability(const char *s, u32 *ppm)
{
	unsigned int whole = 0, frac = 0, places = 0;
	const char *p = s;

	if (!isdigit(*p))
		return -EINVAL;
	for (; isdigit(*p); p++) {
		whole = whole * 10 + (*p - '0');
		if (whole > 100)
			return -ERANGE;
	}
	if (*p == '.') {
		if (!isdigit(*++p))
			return -EINVAL;
		for (; isdigit(*p); p++) {
			if (++places > 4)
				return -EINVAL;
			frac = frac * 10 + (*p - '0');
		}
	}
	if (*p)
		return -EINVAL;
	while (places++ < 4)
		frac *= 10;
	if (whole == 100 && frac)
		return -ERANGE;
	*ppm = whole * 10000 + frac;
	return 0;
}

/**
 * kfi_show_probability() - a probability as kfi_parse_probability() reads it
 * @ppm:	parts per million
 * @buf:	at least 16 bytes
 *
 * Return: the length written, with a trailing newline.
 */
int kfi_show_probability(u32 ppm, char *buf)
{
	unsigned int frac = ppm % 10000;
	int n = sprintf(buf, "%u", ppm / 10000);

	if (frac) {
		n += sprintf(buf + n, ".%04u", frac);
		while (buf[n - 1] == '0')
			n--;
	}
	buf[n++] = '\n';
	buf[n] = '\0';
	return n;
}

/**
 * kfi_parse_bool() - exactly "0" or "1"
 * @s:		the string
 * @val:	the value
 *
 * Return: 0 or -EINVAL.
 */
int kfi_parse_bool(const char *s, bool *val)
{
	if ((s[0] != '0' && s[0] != '1') || s[1])
		return -EINVAL;
	*val = s[0] == '1';
	return 0;
}

/**
 * kfi_parse_pids() - a space-separated list of process ids
 * @s:		the list, "" for none
 * @pids:	KFI_RULE_MAX_PIDS entries
 * @nr:		how many were given
 *
 * Return: 0, -EINVAL, -ERANGE (a pid out of range, or too many).
 */
int kfi_parse_pids(char *s, pid_t *pids, unsigned int *nr)
{
	pid_t tmp[KFI_RULE_MAX_PIDS];
	unsigned int n = 0;
	char *tok;

	while ((tok = strsep(&s, " ")) != NULL) {
		int pid, err;

		if (!*tok)
			continue;
		if (!isdigit(*tok))
			return -EINVAL;
		err = kstrtoint(tok, 10, &pid);
		if (err)
			return err;
		/* pid_max is at most PID_MAX_LIMIT, and pids are below it. */
		if (pid < 1 || pid >= PID_MAX_LIMIT)
			return -ERANGE;
		if (n == KFI_RULE_MAX_PIDS)
			return -ERANGE;
		tmp[n++] = pid;
	}
	memcpy(pids, tmp, n * sizeof(*pids));
	*nr = n;
	return 0;
}

/**
 * kfi_parse_args() - a space-separated list of N=VALUE
 * @s:		the list, "" for none; N is 1..KFI_RULE_MAX_ARGS, at most once each
 * @vals:	KFI_RULE_MAX_ARGS values, indexed by N - 1
 * @mask:	bit N - 1 set for each N given
 *
 * Return: 0, -EINVAL, -ERANGE.
 */
int kfi_parse_args(char *s, unsigned long *vals, unsigned int *mask)
{
	unsigned long tmp[KFI_RULE_MAX_ARGS] = {};
	unsigned int m = 0;
	char *tok;

	while ((tok = strsep(&s, " ")) != NULL) {
		char *eq = strchr(tok, '=');
		unsigned int n;
		long v;
		int err;

		if (!*tok)
			continue;
		if (!eq || !isdigit(*tok))
			return -EINVAL;
		*eq = '\0';
		err = kstrtouint(tok, 10, &n);
		if (err)
			return err;
		if (n < 1 || n > KFI_RULE_MAX_ARGS)
			return -ERANGE;
		if (m & BIT(n - 1))
			return -EINVAL;
		err = kfi_parse_value(eq + 1, &v);
		if (err)
			return err;
		tmp[n - 1] = v;
		m |= BIT(n - 1);
	}
	memcpy(vals, tmp, sizeof(tmp));
	*mask = m;
	return 0;
}
