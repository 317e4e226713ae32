// SPDX-License-Identifier: GPL-2.0
/*
 * kfictl list [--json] and hotfix list: every rule and hotfix, read from
 * configfs through cfs.c, as tables or as one JSON object. The output is
 * put together in memory and printed whole, or not at all when a read
 * fails: a script gets the whole JSON or none, never half an object.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kfictl.h"

/* Rule and hotfix tables: columns as wide as their widest cell. */
#define MAX_COLS	9

struct table {
	int cols;
	int rows;
	char ***cells;		/* [row][col], strdup()ed */
	int width[MAX_COLS];
};

static void table_add(struct table *t, const char * const *row)
{
	char **r = calloc(t->cols, sizeof(char *));

	t->cells = realloc(t->cells, (t->rows + 1) * sizeof(char **));
	if (!r || !t->cells) {
		kfictl_err(ENOMEM, "out of memory");
		exit(KFICTL_FAIL);
	}
	for (int c = 0; c < t->cols; c++) {
		int w = strlen(row[c]);

		r[c] = strdup(row[c]);
		if (w > t->width[c])
			t->width[c] = w;
	}
	t->cells[t->rows++] = r;
}

/* Prints @t on @f, and frees its cells. */
static void table_print(FILE *f, struct table *t)
{
	for (int i = 0; i < t->rows; i++) {
		for (int c = 0; c < t->cols; c++) {
			if (c == t->cols - 1)
				fprintf(f, "%s\n", t->cells[i][c]);
			else
				fprintf(f, "%-*s  ", t->width[c], t->cells[i][c]);
			free(t->cells[i][c]);
		}
		free(t->cells[i]);
	}
	free(t->cells);
	t->cells = NULL;
	t->rows = 0;
}

/* The filters and budgets that differ from their defaults, "k=v,k=v". */
static void rule_filters(const struct kfictl_rule *r, char *buf, size_t len)
{
	const struct { const char *key, *val, *dflt; } f[] = {
		{ "pid", r->pid, "" }, { "children", r->children, "0" },
		{ "comm", r->comm, "" }, { "caller", r->caller, "" },
		{ "probability", r->probability, "100" },
		{ "interval", r->interval, "1" }, { "times", r->times, "-1" },
		{ "space", r->space, "0" }, { "verbose", r->verbose, "0" },
	};
	size_t n = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < ARRAY_SIZE(f) && n < len; i++) {
		if (!strcmp(f[i].val, f[i].dflt))
			continue;
		n += snprintf(buf + n, len - n, "%s%s=%s", n ? "," : "",
			      f[i].key, f[i].val);
	}
	/* pid's ids are space-separated; the column is not. */
	for (char *s = buf; *s; s++)
		if (*s == ' ')
			*s = '+';
	if (!buf[0])
		snprintf(buf, len, "-");
}

/* status without its reason: "error: REASON" shows as "error". */
static const char *rule_state(const struct kfictl_rule *r)
{
	return strncmp(r->status, "error", 5) ? r->status : "error";
}

static void json_str(FILE *f, const char *key, const char *s, bool comma)
{
	fprintf(f, "\"%s\":", key);
	kfictl_json_string(f, s);
	fprintf(f, "%s", comma ? "," : "");
}

/* A value the kernel reads back as a number, or null if it is not one. */
static void json_num(FILE *f, const char *key, const char *s, bool comma)
{
	char *end;

	strtod(s, &end);
	fprintf(f, "\"%s\":%s%s", key, *s && !*end ? s : "null",
		comma ? "," : "");
}

static void json_rule(FILE *f, const struct kfictl_rule *r)
{
	fputc('{', f);
	json_str(f, "name", r->name, true);
	json_str(f, "target", r->target, true);
	json_str(f, "action", r->action, true);
	json_num(f, "retval", r->retval, true);
	json_str(f, "args", r->args, true);
	json_num(f, "probability", r->probability, true);
	json_num(f, "interval", r->interval, true);
	json_num(f, "times", r->times, true);
	json_num(f, "space", r->space, true);
	json_str(f, "pid", r->pid, true);
	json_num(f, "children", r->children, true);
	json_str(f, "comm", r->comm, true);
	json_str(f, "caller", r->caller, true);
	json_num(f, "verbose", r->verbose, true);
	json_num(f, "enabled", r->enabled, true);
	json_str(f, "status", r->status, true);
	json_num(f, "hits", r->hits, true);
	json_num(f, "injected", r->injected, true);
	json_num(f, "missed", r->missed, false);
	fputc('}', f);
}

static void json_hotfix(FILE *f, const struct kfictl_hotfix *h)
{
	char buf[sizeof(h->functions)], *line, *save;
	char old[256], new[256], state[32], calls[32], missed[32];
	bool first = true;

	fputc('{', f);
	json_str(f, "name", h->name, true);
	json_num(f, "enabled", h->enabled, true);
	json_num(f, "calls", h->calls, true);
	fprintf(f, "\"functions\":[");
	snprintf(buf, sizeof(buf), "%s", h->functions);
	for (line = strtok_r(buf, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		if (sscanf(line, "%255s %255s %31s %31s %31s", old, new, state,
			   calls, missed) != 5)
			continue;
		fprintf(f, "%s{", first ? "" : ",");
		json_str(f, "old", old, true);
		json_str(f, "new", new, true);
		json_str(f, "state", state, true);
		json_num(f, "calls", calls, true);
		json_num(f, "missed", missed, false);
		fputc('}', f);
		first = false;
	}
	fprintf(f, "]}");
}

/* Adds one row per function of hotfix @h to @t. */
static void hotfix_rows(struct table *t, const struct kfictl_hotfix *h)
{
	char buf[sizeof(h->functions)], *line, *save;
	char old[256], new[256], state[32], calls[32], missed[32];

	snprintf(buf, sizeof(buf), "%s", h->functions);
	for (line = strtok_r(buf, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		const char * const row[] = { h->name, h->enabled, old, new, state,
				      calls, missed };

		if (sscanf(line, "%255s %255s %31s %31s %31s", old, new, state,
			   calls, missed) == 5)
			table_add(t, row);
	}
}

static const char * const hotfix_head[] = {
	"HOTFIX", "ENABLED", "FUNCTION", "REPLACEMENT", "STATE", "CALLS",
	"MISSED",
};

/*
 * Shows the item of each directory in @dir with @show, which reads it and
 * adds it to @t or prints its JSON on @f (after a comma unless @first).
 * @show returns 0, -ENOENT for an item removed meanwhile, or another
 * -errno (already said), which stops the listing.
 */
static int list_dir(FILE *f, const char *dir, bool json, struct table *t,
		    int (*show)(FILE *f, const char *name, bool json,
				bool first, struct table *t))
{
	char **names;
	int n, err, rc = KFICTL_OK;

	n = kfictl_names(dir, &names);
	if (n < 0) {
		kfictl_err(n, "cannot list %s", dir);
		return KFICTL_FAIL;
	}
	for (int i = 0, shown = 0; i < n; i++) {
		err = show(f, names[i], json, !shown, t);
		if (err == -ENOENT)
			continue;
		if (err) {
			rc = KFICTL_FAIL;
			break;
		}
		shown++;
	}
	kfictl_names_free(names, n);
	return rc;
}

static int show_hotfix(FILE *f, const char *name, bool json, bool first,
		       struct table *t)
{
	struct kfictl_hotfix h;
	int err = kfictl_hotfix_read(name, &h);

	if (err)
		return err;
	if (json) {
		fprintf(f, "%s", first ? "" : ",");
		json_hotfix(f, &h);
	} else {
		hotfix_rows(t, &h);
	}
	return 0;
}

/* The hotfix table, or the hotfixes' JSON array. */
static int list_hotfixes(FILE *f, bool json)
{
	struct table t = { .cols = ARRAY_SIZE(hotfix_head) };
	char dir[512];
	int rc;

	if (json)
		fprintf(f, "\"hotfixes\":[");
	else
		table_add(&t, hotfix_head);
	kfictl_hotfix_path(dir, sizeof(dir), NULL, NULL);
	rc = list_dir(f, dir, json, &t, show_hotfix);
	if (json)
		fprintf(f, "]");
	else
		table_print(f, &t);
	return rc;
}

static const char * const rule_head[] = {
	"NAME", "TARGET", "ACTION", "VALUE", "STATE", "HITS", "INJECTED",
	"MISSED", "FILTERS",
};

static int show_rule(FILE *f, const char *name, bool json, bool first,
		     struct table *t)
{
	struct kfictl_rule r;
	char filters[1024];
	int err = kfictl_rule_read(name, &r);

	if (err)
		return err;
	if (json) {
		fprintf(f, "%s", first ? "" : ",");
		json_rule(f, &r);
	} else {
		const char * const row[] = {
			r.name, r.target[0] ? r.target : "-", r.action,
			!strcmp(r.action, "args") ?
				(r.args[0] ? r.args : "-") : r.retval,
			rule_state(&r), r.hits, r.injected, r.missed, filters,
		};

		rule_filters(&r, filters, sizeof(filters));
		table_add(t, row);
	}
	return 0;
}

/* The rule table, or the rules' JSON array. */
static int list_rules(FILE *f, bool json)
{
	struct table t = { .cols = ARRAY_SIZE(rule_head) };
	char dir[512];
	int rc;

	if (json)
		fprintf(f, "\"rules\":[");
	else
		table_add(&t, rule_head);
	kfictl_rule_path(dir, sizeof(dir), NULL, NULL);
	rc = list_dir(f, dir, json, &t, show_rule);
	if (json)
		fprintf(f, "],");
	else
		table_print(f, &t);
	return rc;
}

int kfictl_list(FILE *out, bool json, bool rules)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	int rc = KFICTL_OK;

	if (!f) {
		kfictl_err(errno, "out of memory");
		return KFICTL_FAIL;
	}
	fprintf(f, "%s", json ? "{" : "");
	if (rules)
		rc = list_rules(f, json);
	if (rules && !json)
		fputc('\n', f);
	if (!rc)
		rc = list_hotfixes(f, json);
	fprintf(f, "%s", json ? "}\n" : "");
	if (fclose(f)) {
		kfictl_err(errno, "out of memory");
		rc = KFICTL_FAIL;
	}
	if (!rc)
		fwrite(buf, 1, len, out);
	free(buf);
	return rc;
}
