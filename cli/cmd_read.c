/*-------------------------------------------------------------------------
 *
 * cmd_read.c
 *	  wfctl's read-only commands: list, inspect, pending, stats.
 *
 *-------------------------------------------------------------------------
 */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "wfctl.h"

/* cells longer than this are cut with an ellipsis in tables */
#define CELL_MAX 40
/* rows fetched per wf_list call */
#define PAGE_ROWS 1000

static const char list_usage[] =
"Usage:\n"
"  wfctl list [--status S] [--prefix P] [--limit N] [--json]\n\n"
"List workflows, the most recently updated first: id, status, steps,\n"
"pending approvals, age, last update and expiry.\n\n"
"Options:\n"
"  --status=S    only this status: running, suspended, completed,\n"
"                failed, cancelled\n"
"  --prefix=P    only ids starting with P (literally)\n"
"  --limit=N     at most N workflows (default 100; 0 = all)\n"
"  --json        one JSON object per line\n";

/* the columns both outputs need, and the keyset cursor */
static const char list_sql[] =
"SELECT l.id, l.status, l.step_count, l.pending, "
"       pg_catalog.date_part('epoch', l.created_at)::pg_catalog.text, "
"       pg_catalog.date_part('epoch', l.updated_at)::pg_catalog.text, "
"       pg_catalog.date_part('epoch', l.expires_at)::pg_catalog.text, "
"       pg_catalog.jsonb_build_object('id', l.id, 'status', l.status, "
"           'version', l.version, 'steps', l.step_count, 'pending', l.pending, "
"           'size_bytes', l.size_bytes, 'created_at', l.created_at, "
"           'updated_at', l.updated_at, 'expires_at', l.expires_at)::pg_catalog.text, "
"       l.next "
"  FROM @extschema@.wf_list($1, $2, $3::pg_catalog.int4, $4) AS l";

int
cmd_list(Wfctl *w, int argc, char **argv)
{
	static const struct option longopts[] = {
		{"status", required_argument, NULL, 's'},
		{"prefix", required_argument, NULL, 'P'},
		{"limit", required_argument, NULL, 'n'},
		{"json", no_argument, NULL, 'j'},
		WFCTL_COMMON_LONGOPTS,
		{NULL, 0, NULL, 0}
	};
	const char *status = NULL;
	const char *prefix = NULL;
	long		limit = 100;
	bool		json = false;
	int			opt;
	WfctlTable *table = NULL;
	char	   *after = NULL;
	long		shown = 0;
	bool		more = false;

	while ((opt = getopt_long(argc, argv, WFCTL_COMMON_SHORTOPTS, longopts, NULL)) != -1)
	{
		if (wfctl_common_option(w, opt, list_usage))
			continue;
		switch (opt)
		{
			case 's':
				status = optarg;
				break;
			case 'P':
				prefix = optarg;
				break;
			case 'n':
				{
					char	   *end;

					limit = strtol(optarg, &end, 10);
					if (*optarg == '\0' || *end != '\0' || limit < 0 || limit > 1000000000)
						wfctl_usage_error(w, "--limit must be a number from 0 to 1000000000, not \"%s\"", optarg);
					break;
				}
			case 'j':
				json = true;
				break;
		}
	}
	if (optind < argc)
		wfctl_usage_error(w, "unexpected argument \"%s\"", argv[optind]);

	if (!json)
	{
		static const char *const headers[] =
		{"ID", "STATUS", "STEPS", "PENDING", "AGE", "UPDATED", "EXPIRES"};

		table = wfctl_table_new(7, headers);
		wfctl_table_right(table, 2);
		wfctl_table_right(table, 3);
	}

	/* keyset pages: constant memory in --json mode whatever the count */
	for (;;)
	{
		long		want = PAGE_ROWS;
		char		wantbuf[32];
		const char *params[4];
		PGresult   *res;
		int			n;

		if (limit > 0 && limit - shown < want)
			want = limit - shown;
		if (want == 0)
		{
			/* is there one more? */
			params[0] = prefix;
			params[1] = status;
			params[2] = "1";
			params[3] = after;
			res = wfctl_query(w, list_sql, 4, params);
			more = PQntuples(res) > 0;
			PQclear(res);
			break;
		}
		snprintf(wantbuf, sizeof(wantbuf), "%ld", want);
		params[0] = prefix;
		params[1] = status;
		params[2] = wantbuf;
		params[3] = after;
		res = wfctl_query(w, list_sql, 4, params);
		n = PQntuples(res);
		for (int i = 0; i < n; i++)
		{
			if (json)
				printf("%s\n", PQgetvalue(res, i, 7));
			else
			{
				char		age[32],
							upd[32],
							exp[32];
				const char *cells[7];

				cells[0] = PQgetvalue(res, i, 0);
				cells[1] = PQgetvalue(res, i, 1);
				cells[2] = PQgetvalue(res, i, 2);
				cells[3] = PQgetvalue(res, i, 3);
				cells[4] = wfctl_age(PQgetvalue(res, i, 4), age, sizeof(age));
				cells[5] = wfctl_age(PQgetvalue(res, i, 5), upd, sizeof(upd));
				cells[6] = wfctl_age(PQgetvalue(res, i, 6), exp, sizeof(exp));
				wfctl_table_add(table, cells);
				wfctl_table_color(table, 1, wfctl_status_color(w, cells[1]));
			}
		}
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
		if (shown > 0)
			wfctl_table_print(table, stdout, CELL_MAX);
		else
			printf("No workflows.\n");
		wfctl_table_free(table);
	}
	if (more)
		fprintf(stderr, "%s: %ld workflows shown; there are more (raise --limit, 0 = all)\n",
				w->progname, shown);
	return wfctl_finish_output(w);
}

/* ---- pending ---- */

static const char pending_usage[] =
"Usage:\n"
"  wfctl pending [--json]\n\n"
"Everything waiting for a human, newest first: steps waiting for an\n"
"approval or a hook, and runs suspended by wf_suspend (wf_pending()).\n\n"
"Options:\n"
"  --json        one JSON object per line\n";

static const char pending_sql[] =
"SELECT p.id, p.step_key, p.kind, p.reason, "
"       pg_catalog.date_part('epoch', p.since)::pg_catalog.text, "
"       pg_catalog.jsonb_build_object('id', p.id, 'step_key', p.step_key, "
"           'kind', p.kind, 'reason', p.reason, 'request', p.request, "
"           'since', p.since)::pg_catalog.text "
"  FROM @extschema@.wf_pending() WITH ORDINALITY "
"       AS p(id, step_key, kind, reason, request, since, n) "
" ORDER BY p.n";

int
cmd_pending(Wfctl *w, int argc, char **argv)
{
	static const struct option longopts[] = {
		{"json", no_argument, NULL, 'j'},
		WFCTL_COMMON_LONGOPTS,
		{NULL, 0, NULL, 0}
	};
	bool		json = false;
	int			opt;
	PGresult   *res;
	int			n;

	while ((opt = getopt_long(argc, argv, WFCTL_COMMON_SHORTOPTS, longopts, NULL)) != -1)
	{
		if (wfctl_common_option(w, opt, pending_usage))
			continue;
		if (opt == 'j')
			json = true;
	}
	if (optind < argc)
		wfctl_usage_error(w, "unexpected argument \"%s\"", argv[optind]);

	res = wfctl_query(w, pending_sql, 0, NULL);
	n = PQntuples(res);
	if (json)
	{
		for (int i = 0; i < n; i++)
			printf("%s\n", PQgetvalue(res, i, 5));
	}
	else if (n == 0)
		printf("Nothing is waiting.\n");
	else
	{
		static const char *const headers[] = {"ID", "STEP", "KIND", "REASON", "SINCE"};
		WfctlTable *table = wfctl_table_new(5, headers);

		for (int i = 0; i < n; i++)
		{
			char		age[32];
			const char *cells[5];

			cells[0] = PQgetvalue(res, i, 0);
			cells[1] = PQgetvalue(res, i, 1);
			cells[2] = PQgetvalue(res, i, 2);
			cells[3] = PQgetvalue(res, i, 3);
			cells[4] = wfctl_age(PQgetvalue(res, i, 4), age, sizeof(age));
			wfctl_table_add(table, cells);
		}
		wfctl_table_print(table, stdout, CELL_MAX);
		wfctl_table_free(table);
	}
	PQclear(res);
	return wfctl_finish_output(w);
}

/* ---- stats ---- */

static const char stats_usage[] =
"Usage:\n"
"  wfctl stats [--json]\n\n"
"Per status (the wf_stats view): live workflows, their steps and bytes,\n"
"the largest workflow and its size, and expired workflows still stored\n"
"(awaiting deletion by the cleanup); then a total line.\n\n"
"Options:\n"
"  --json        one JSON object per status and line (no total line)\n";

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

static void
print_stats_table(Wfctl *w, PGresult *res)
{
	static const char *const headers[] =
	{"STATUS", "WORKFLOWS", "STEPS", "SIZE", "LARGEST", "LARGEST SIZE", "EXPIRED"};
	int			n = PQntuples(res);
	WfctlTable *table = wfctl_table_new(7, headers);

	wfctl_table_right(table, 1);
	wfctl_table_right(table, 2);
	wfctl_table_right(table, 3);
	wfctl_table_right(table, 5);
	wfctl_table_right(table, 6);
	for (int i = 0; i < n; i++)
	{
		bool		total = PQgetisnull(res, i, 0);
		const char *status = total ? "total" : PQgetvalue(res, i, 0);
		char		bytes[32],
					largest[32];
		const char *cells[7];

		cells[0] = status;
		cells[1] = PQgetvalue(res, i, 1);
		cells[2] = PQgetvalue(res, i, 2);
		cells[3] = wfctl_bytes(PQgetvalue(res, i, 3), bytes, sizeof(bytes));
		cells[4] = PQgetvalue(res, i, 4);
		cells[5] = wfctl_bytes(PQgetvalue(res, i, 5), largest, sizeof(largest));
		cells[6] = PQgetvalue(res, i, 6);
		wfctl_table_add(table, cells);
		if (!total)
			wfctl_table_color(table, 0, wfctl_status_color(w, status));
	}
	wfctl_table_print(table, stdout, CELL_MAX);
	wfctl_table_free(table);
}

int
cmd_stats(Wfctl *w, int argc, char **argv)
{
	static const struct option longopts[] = {
		{"json", no_argument, NULL, 'j'},
		WFCTL_COMMON_LONGOPTS,
		{NULL, 0, NULL, 0}
	};
	bool		json = false;
	int			opt;
	PGresult   *res;
	int			n;

	while ((opt = getopt_long(argc, argv, WFCTL_COMMON_SHORTOPTS, longopts, NULL)) != -1)
	{
		if (wfctl_common_option(w, opt, stats_usage))
			continue;
		if (opt == 'j')
			json = true;
	}
	if (optind < argc)
		wfctl_usage_error(w, "unexpected argument \"%s\"", argv[optind]);

	res = wfctl_query(w, stats_sql, 0, NULL);
	n = PQntuples(res);
	if (json)
	{
		/* the statuses only: the total is theirs to sum */
		for (int i = 0; i < n; i++)
			if (!PQgetisnull(res, i, 7))
				printf("%s\n", PQgetvalue(res, i, 7));
	}
	else
		print_stats_table(w, res);
	PQclear(res);
	return wfctl_finish_output(w);
}
