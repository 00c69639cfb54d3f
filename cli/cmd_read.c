/*-------------------------------------------------------------------------
 *
 * cmd_read.c
 *	  wfctl's read-only commands: list, inspect, pending, stats.
 *
 *-------------------------------------------------------------------------
 */
#include <stdlib.h>
#include <string.h>

#include "wfctl.h"

/* cells longer than this are cut with an ellipsis in tables */
#define CELL_MAX 40
/* rows fetched per wf_list call */
#define PAGE_ROWS 1000

/* the columns both outputs need, and the keyset cursor */
static const char list_sql[] =
"SELECT l.id, l.status, l.step_count, l.pending, "
"       pg_catalog.date_part('epoch', l.created_at)::pg_catalog.text, "
"       pg_catalog.date_part('epoch', l.updated_at)::pg_catalog.text, "
"       pg_catalog.date_part('epoch', l.expires_at)::pg_catalog.text, "
"       (pg_catalog.jsonb_build_object('id', l.id, 'status', l.status, "
"           'version', l.version, 'step_count', l.step_count, 'pending_count', l.pending, "
"           'size_bytes', l.size_bytes, 'created_at', l.created_at, "
"           'updated_at', l.updated_at, 'expires_at', l.expires_at) "
"       || CASE WHEN $5::pg_catalog.bool "
"               THEN pg_catalog.jsonb_build_object('namespace', l.namespace) "
"               ELSE '{}'::pg_catalog.jsonb END)::pg_catalog.text, "
"       l.next, l.namespace "
"  FROM @extschema@.wf_list($1, $2, $3::pg_catalog.int4, $4) AS l";

static const WfctlColumn list_columns[] = {
	{.header = "ID", .field = 0},
	{.header = "STATUS", .field = 1, .format = WFCTL_FMT_STATUS},
	{.header = "STEPS", .field = 2, .right = true},
	{.header = "PENDING", .field = 3, .right = true},
	{.header = "AGE", .field = 4, .format = WFCTL_FMT_AGE},
	{.header = "UPDATED", .field = 5, .format = WFCTL_FMT_AGE},
	{.header = "EXPIRES", .field = 6, .format = WFCTL_FMT_AGE},
	{0}
};

/* -N '*': which namespace each row is in comes first */
static const WfctlColumn list_columns_every[] = {
	{.header = "NAMESPACE", .field = 9},
	{.header = "ID", .field = 0},
	{.header = "STATUS", .field = 1, .format = WFCTL_FMT_STATUS},
	{.header = "STEPS", .field = 2, .right = true},
	{.header = "PENDING", .field = 3, .right = true},
	{.header = "AGE", .field = 4, .format = WFCTL_FMT_AGE},
	{.header = "UPDATED", .field = 5, .format = WFCTL_FMT_AGE},
	{.header = "EXPIRES", .field = 6, .format = WFCTL_FMT_AGE},
	{0}
};

static struct
{
	const char *status;
	const char *prefix;
	long		limit;
}			list_opts = {.limit = 100};

static int
run_list(Wfctl *w)
{
	WfctlTable *table = NULL;
	char	   *after = NULL;
	long		shown = 0;
	bool		more = false;
	bool		every = w->namespace && strcmp(w->namespace, "*") == 0;

	if (!w->json)
		table = wfctl_table_new(every ? list_columns_every : list_columns);

	/* keyset pages: constant memory in --json mode whatever the count */
	for (;;)
	{
		long		want = PAGE_ROWS;
		char		wantbuf[32];
		const char *params[5] = {list_opts.prefix, list_opts.status, wantbuf, after,
		every ? "true" : "false"};
		PGresult   *res;
		int			n;

		if (list_opts.limit > 0 && list_opts.limit - shown < want)
			want = list_opts.limit - shown;
		if (want == 0)
		{
			/* is there one more? */
			params[2] = "1";
			res = wfctl_query(w, list_sql, 5, params);
			more = PQntuples(res) > 0;
			PQclear(res);
			break;
		}
		snprintf(wantbuf, sizeof(wantbuf), "%ld", want);
		res = wfctl_query(w, list_sql, 5, params);
		n = PQntuples(res);
		if (w->json)
			wfctl_print_lines(res, 7);
		else
			wfctl_table_add_rows(w, table, res);
		shown += n;
		free(after);
		after = n > 0 ? xstrdup(PQgetvalue(res, n - 1, 8)) : NULL;
		PQclear(res);
		if (n < want)
			break;
	}
	free(after);
	if (table)
	{
		if (shown > 0 || w->tsv)
			wfctl_table_print(w, table, CELL_MAX);
		else if (!w->no_headers)
			printf("No workflows.\n");
		wfctl_table_free(table);
	}
	if (more)
		fprintf(stderr, "%s: %ld workflow%s shown; there are more (raise --limit, 0 = all)\n",
				w->progname, shown, shown == 1 ? "" : "s");
	return wfctl_finish_output(w);
}

const WfctlCommand wfctl_cmd_list = {
	.name = "list",
	.summary = "list workflows",
	.usage = "[--status S] [--prefix P] [--limit N] [--json | --tsv] [--no-headers]",
	.description =
	"List workflows, the most recently updated first: id, status, steps,\n"
	"pending approvals, age, last update and expiry.\n",
	.options = (const WfctlOption[]) {
		{.name = "status", .type = WFCTL_OPT_TEXT, .arg = "S", .target = &list_opts.status,
			.words = "running suspended completed failed cancelled",
		.help = "only this status: running, suspended, completed,\nfailed, cancelled"},
		{.name = "prefix", .type = WFCTL_OPT_TEXT, .arg = "P", .target = &list_opts.prefix,
		.help = "only ids starting with P (literally)"},
		{.name = "limit", .type = WFCTL_OPT_NUMBER, .arg = "N", .target = &list_opts.limit,
			.min = 0, .max = 1000000000,
		.help = "at most N workflows (default 100; 0 = all)"},
		{0}
	},
	.flags = WFCTL_F_JSON | WFCTL_F_TABLE | WFCTL_F_PAGER,
	.json_help = "one JSON object per line",
	.run = run_list,
};

/* ---- pending ---- */

static const char pending_sql[] =
"SELECT p.id, p.step_key, p.kind, p.reason, "
"       pg_catalog.date_part('epoch', p.since)::pg_catalog.text, "
"       pg_catalog.jsonb_build_object('id', p.id, 'step_key', p.step_key, "
"           'kind', p.kind, 'reason', p.reason, 'request', p.request, "
"           'since', p.since)::pg_catalog.text "
"  FROM @extschema@.wf_pending() WITH ORDINALITY AS p "
" ORDER BY p.ordinality";

static const WfctlColumn pending_columns[] = {
	{.header = "ID", .field = 0},
	{.header = "STEP", .field = 1},
	{.header = "KIND", .field = 2},
	{.header = "REASON", .field = 3},
	{.header = "SINCE", .field = 4, .format = WFCTL_FMT_AGE},
	{0}
};

/*
 * A command that shows one query's rows: the server's JSON of column
 * json_field with --json, else a table of cols (empty when no rows).
 */
static int
show(Wfctl *w, const char *sql, int json_field, const WfctlColumn *cols,
	 const char *empty)
{
	PGresult   *res = wfctl_query(w, sql, 0, NULL);

	if (w->json)
		wfctl_print_lines(res, json_field);
	else
		wfctl_print_result(w, res, cols, empty, CELL_MAX);
	PQclear(res);
	return wfctl_finish_output(w);
}

static int
run_pending(Wfctl *w)
{
	return show(w, pending_sql, 5, pending_columns, "Nothing is waiting.");
}

const WfctlCommand wfctl_cmd_pending = {
	.name = "pending",
	.summary = "everything waiting for a human",
	.usage = "[--json | --tsv] [--no-headers]",
	.description =
	"Everything waiting for a human, newest first: steps waiting for an\n"
	"approval or a hook, and runs suspended by wf_suspend (wf_pending()).\n",
	.flags = WFCTL_F_JSON | WFCTL_F_TABLE | WFCTL_F_PAGER,
	.json_help = "one JSON object per line",
	.run = run_pending,
};

/* ---- stats ---- */

/*
 * The five statuses in lifecycle order, then the total (status NULL);
 * the total's largest is the largest of all, ties to the smallest id as
 * within a status.
 */
static const char stats_sql[] =
"WITH s AS (SELECT v.*, pg_catalog.array_position("
"               ARRAY['running', 'suspended', 'completed', 'failed', 'cancelled'], "
"               v.status) AS ord "
"             FROM @extschema@.wf_stats AS v) "
"SELECT s.status, s.workflows::pg_catalog.text, s.steps::pg_catalog.text, "
"       s.bytes::pg_catalog.text, s.largest_id, s.largest_bytes::pg_catalog.text, "
"       s.expired::pg_catalog.text, "
"       pg_catalog.jsonb_build_object('status', s.status, 'workflows', s.workflows, "
"           'steps', s.steps, 'bytes', s.bytes, 'largest_id', s.largest_id, "
"           'largest_bytes', s.largest_bytes, 'expired', s.expired)::pg_catalog.text, "
"       s.ord "
"  FROM s "
"UNION ALL "
"SELECT NULL, pg_catalog.sum(s.workflows)::pg_catalog.text, "
"       pg_catalog.sum(s.steps)::pg_catalog.text, pg_catalog.sum(s.bytes)::pg_catalog.text, "
"       (SELECT b.largest_id FROM s AS b WHERE b.largest_id IS NOT NULL "
"         ORDER BY b.largest_bytes DESC, b.largest_id LIMIT 1), "
"       pg_catalog.max(s.largest_bytes)::pg_catalog.text, "
"       pg_catalog.sum(s.expired)::pg_catalog.text, NULL, 2147483647 "
"  FROM s "
" ORDER BY 9";

static const WfctlColumn stats_columns[] = {
	{.header = "STATUS", .field = 0, .format = WFCTL_FMT_STATUS, .null_text = "total"},
	{.header = "WORKFLOWS", .field = 1, .right = true},
	{.header = "STEPS", .field = 2, .right = true},
	{.header = "SIZE", .field = 3, .format = WFCTL_FMT_BYTES, .right = true},
	{.header = "LARGEST", .field = 4},
	{.header = "LARGEST SIZE", .field = 5, .format = WFCTL_FMT_BYTES, .right = true},
	{.header = "EXPIRED", .field = 6, .right = true},
	{0}
};

/* --json: the statuses only (the total's JSON is NULL) */
static int
run_stats(Wfctl *w)
{
	return show(w, stats_sql, 7, stats_columns, "");
}

const WfctlCommand wfctl_cmd_stats = {
	.name = "stats",
	.summary = "workflows, steps and bytes per status",
	.usage = "[--json | --tsv] [--no-headers]",
	.description =
	"Per status (the wf_stats view): live workflows, their steps and bytes,\n"
	"the largest workflow and its size, and expired workflows still stored\n"
	"(awaiting deletion by the cleanup); then a total line.\n",
	.flags = WFCTL_F_JSON | WFCTL_F_TABLE | WFCTL_F_PAGER,
	.json_help = "one JSON object per status and line (no total line)",
	.run = run_stats,
};
