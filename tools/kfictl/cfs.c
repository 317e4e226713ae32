// SPDX-License-Identifier: GPL-2.0
/*
 * kfictl's access to kfi's configfs tree: every path, read and write goes
 * through here, and so does every message that names an errno.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#include "kfictl.h"

#define CONFIGFS_MAGIC	0x62656570

const char * const kfictl_rule_keys[] = {
	"target", "action", "retval", "args", "probability", "interval",
	"times", "space", "pid", "children", "comm", "caller", "verbose",
};

const size_t kfictl_nr_rule_keys = sizeof(kfictl_rule_keys) /
				   sizeof(kfictl_rule_keys[0]);

void kfictl_err(int err, const char *fmt, ...)
{
	va_list ap;

	if (err < 0)
		err = -err;
	fputs("kfictl: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	if (err)
		fprintf(stderr, ": %s (%s)", strerror(err),
			strerrorname_np(err) ?: "?");
	/*
	 * configfs attributes are root's alone (0600, 0400). Root gets EPERM
	 * for other reasons (a hotfix of kfi's own functions): no hint then.
	 */
	if ((err == EACCES || err == EPERM) && geteuid())
		fputs("; kfictl must run as root", stderr);
	fputc('\n', stderr);
}

int kfictl_kfi_missing(char *why, size_t len)
{
	struct statfs fs;
	struct stat st;
	int err;

	if (statfs(KFI_CONFIGFS, &fs) || fs.f_type != CONFIGFS_MAGIC) {
		snprintf(why, len, "configfs is not mounted on %s (mount -t configfs none %s)",
			 KFI_CONFIGFS, KFI_CONFIGFS);
		return -ENODEV;
	}
	if (stat(KFI_DIR, &st)) {
		err = errno;
		if (err == ENOENT)
			snprintf(why, len, "kfi is not loaded: no %s (modprobe kfi)",
				 KFI_DIR);
		else
			snprintf(why, len, "cannot look at %s: %s (%s)%s", KFI_DIR,
				 strerror(err), strerrorname_np(err) ?: "?",
				 (err == EACCES || err == EPERM) && geteuid() ?
				 "; kfictl must run as root" : "");
		return -err;
	}
	return 0;
}

int kfictl_check_kfi(void)
{
	char why[512];

	if (!kfictl_kfi_missing(why, sizeof(why)))
		return KFICTL_OK;
	kfictl_err(0, "%s", why);
	return KFICTL_FAIL;
}

int kfictl_read(const char *path, char *buf, size_t len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t r = 0;
	size_t n = 0;
	int err = 0;
	char c;

	if (fd < 0)
		return -errno;
	/* One show() is up to a page, handed out over as many reads. */
	while (n < len && (r = read(fd, buf + n, len - n)) > 0)
		n += r;
	if (r < 0)
		err = -errno;
	/* Full: it fits only as "VALUE\n", with nothing after the newline. */
	if (!err && n == len) {
		r = buf[n - 1] == '\n' ? read(fd, &c, 1) : 1;
		err = r < 0 ? -errno : r ? -EOVERFLOW : 0;
	}
	close(fd);
	if (err)
		return err;
	if (n && buf[n - 1] == '\n')
		n--;
	buf[n] = '\0';
	return 0;
}

int kfictl_write(const char *path, const char *val)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	int err = 0;

	if (fd < 0)
		return -errno;
	/* configfs fails an empty write with EFAULT: a newline clears. */
	if (!*val)
		val = "\n";
	if (write(fd, val, strlen(val)) < 0)
		err = -errno;
	close(fd);
	return err;
}

static int dir_filter(const struct dirent *e)
{
	return e->d_name[0] != '.' && e->d_type == DT_DIR;
}

int kfictl_names(const char *dir, char ***names)
{
	struct dirent **ents;
	int n = scandir(dir, &ents, dir_filter, alphasort);

	if (n < 0)
		return -errno;
	*names = calloc(n ?: 1, sizeof(char *));
	if (!*names)
		return -ENOMEM;
	for (int i = 0; i < n; i++) {
		(*names)[i] = strdup(ents[i]->d_name);
		free(ents[i]);
	}
	free(ents);
	return n;
}

void kfictl_names_free(char **names, int n)
{
	for (int i = 0; i < n; i++)
		free(names[i]);
	free(names);
}

/* Where configfs is; the unit tests point it at a directory of theirs. */
static const char *configfs = KFI_CONFIGFS;

void kfictl_set_configfs(const char *dir)
{
	configfs = dir;
}

/* configfs/kfi/@dir[/@item[/@attr]]: @attr only with @item. */
static int kfi_path(char *buf, size_t len, const char *dir, const char *item,
		    const char *attr)
{
	return snprintf(buf, len, "%s/kfi/%s%s%s%s%s", configfs, dir,
			item ? "/" : "", item ?: "", attr ? "/" : "", attr ?: "");
}

int kfictl_rule_path(char *buf, size_t len, const char *rule, const char *attr)
{
	return kfi_path(buf, len, "rules", rule, attr);
}

int kfictl_hotfix_path(char *buf, size_t len, const char *hotfix,
		       const char *attr)
{
	return kfi_path(buf, len, "hotfixes", hotfix, attr);
}

static bool is_dir(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

bool kfictl_rule_exists(const char *name)
{
	char p[512];

	kfictl_rule_path(p, sizeof(p), name, NULL);
	return is_dir(p);
}

bool kfictl_hotfix_exists(const char *name)
{
	char p[512];

	kfictl_hotfix_path(p, sizeof(p), name, NULL);
	return is_dir(p);
}

struct attr_field {
	const char *attr;
	size_t off;
};

#define RULE_FIELD(f) { #f, offsetof(struct kfictl_rule, f) }

static const struct attr_field rule_fields[] = {
	RULE_FIELD(target), RULE_FIELD(action), RULE_FIELD(retval),
	RULE_FIELD(args), RULE_FIELD(probability), RULE_FIELD(interval),
	RULE_FIELD(times), RULE_FIELD(space), RULE_FIELD(pid),
	RULE_FIELD(children), RULE_FIELD(comm), RULE_FIELD(caller),
	RULE_FIELD(verbose), RULE_FIELD(enabled), RULE_FIELD(status),
	RULE_FIELD(hits), RULE_FIELD(injected), RULE_FIELD(missed),
};

int kfictl_rule_read(const char *name, struct kfictl_rule *r)
{
	char p[512];
	int err;

	memset(r, 0, sizeof(*r));
	snprintf(r->name, sizeof(r->name), "%s", name);
	for (size_t i = 0; i < ARRAY_SIZE(rule_fields); i++) {
		const struct attr_field *f = &rule_fields[i];

		kfictl_rule_path(p, sizeof(p), name, f->attr);
		err = kfictl_read(p, (char *)r + f->off, KFICTL_PAGE);
		if (err == -ENOENT && !kfictl_rule_exists(name))
			return err;
		if (err) {
			kfictl_err(err, "cannot read %s", p);
			/* -ENOENT would say the rule went: it is there. */
			return err == -ENOENT ? -EIO : err;
		}
	}
	return 0;
}

static int hotfix_attr(const char *name, const char *attr, char *buf,
		       size_t len)
{
	char p[512];
	int err;

	kfictl_hotfix_path(p, sizeof(p), name, attr);
	err = kfictl_read(p, buf, len);
	if (err == -ENOENT && !kfictl_hotfix_exists(name))
		return err;
	if (err)
		kfictl_err(err, "cannot read %s", p);
	return err == -ENOENT ? -EIO : err;
}

int kfictl_hotfix_read(const char *name, struct kfictl_hotfix *h)
{
	memset(h, 0, sizeof(*h));
	snprintf(h->name, sizeof(h->name), "%s", name);
	return hotfix_attr(name, "enabled", h->enabled, sizeof(h->enabled)) ?:
	       hotfix_attr(name, "calls", h->calls, sizeof(h->calls)) ?:
	       hotfix_attr(name, "functions", h->functions,
			   sizeof(h->functions));
}

int kfictl_rules_rm(char * const *names, int n, bool listed)
{
	int rc = KFICTL_OK;
	char p[512];

	for (int i = 0; i < n; i++) {
		kfictl_rule_path(p, sizeof(p), names[i], NULL);
		if (!rmdir(p) || (errno == ENOENT && listed))
			continue;
		if (errno == ENOENT)
			kfictl_err(0, "no rule named %s", names[i]);
		else
			kfictl_err(errno, "cannot remove rule %s", names[i]);
		rc = KFICTL_FAIL;
	}
	return rc;
}

size_t kfictl_utf8_len(const unsigned char *s)
{
	unsigned int c;
	size_t n;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf) {
		n = 2;
		c = s[0] & 0x1f;
	} else if (s[0] >= 0xe0 && s[0] <= 0xef) {
		n = 3;
		c = s[0] & 0x0f;
	} else if (s[0] >= 0xf0 && s[0] <= 0xf4) {
		n = 4;
		c = s[0] & 0x07;
	} else {
		return 0;
	}
	for (size_t i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)	/* the NUL at the end too */
			return 0;
		c = c << 6 | (s[i] & 0x3f);
	}
	if ((n == 3 && c < 0x800) || (n == 4 && (c < 0x10000 || c > 0x10ffff)) ||
	    (c >= 0xd800 && c <= 0xdfff))
		return 0;
	return n;
}

/*
 * A comm or a name is bytes, not always UTF-8: a byte that is not part of
 * valid UTF-8 is escaped as its Latin-1 reading, so that the JSON stays
 * valid and the byte can still be told.
 */
void kfictl_json_string(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		unsigned char c = *s;
		size_t n = kfictl_utf8_len((const unsigned char *)s);

		if (c == '"' || c == '\\') {
			fprintf(f, "\\%c", c);
		} else if (c < 0x20 || c == 0x7f || !n) {
			fprintf(f, "\\u%04x", c);
		} else {
			fwrite(s, 1, n, f);
			s += n - 1;
		}
	}
	fputc('"', f);
}
