/*-------------------------------------------------------------------------
 *
 * cmd_inspect.c
 *	  wfctl inspect: one workflow's header, steps, pending approvals and
 *	  history.
 *
 * Every section is read in one REPEATABLE READ READ ONLY transaction, so
 * the header, the steps and the history agree with each other even while
 * the run is being written.  --json builds the whole object server-side
 * in one statement: numbers and the snapshot are kept exactly.
 *
 *-------------------------------------------------------------------------
 */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "wfctl.h"

/* cells longer than this are cut with an ellipsis in tables */
#define CELL_MAX 40

static const char inspect_usage[] =
"Usage:\n"
"  wfctl inspect ID [--json] [--full]\n\n"
"Show one workflow: its header (status, version, counts, size, times),\n"
"its steps in the order they were first recorded, what waits for a\n"
"decision and its history.  ID may be any unique prefix of the id; an\n"
"exact id always wins.\n\n"
"Options:\n"
"  --full        also print each step's recorded result (pretty JSON)\n"
"  --json        one JSON object on one line: the header, \"steps\",\n"
"                \"pending\", \"history\" and the \"snapshot\" (wf_load);\n"
"                with --full each step also carries its \"result\"\n";

static const char header_sql[] =
"SELECT i.id, i.status, i.version, i.step_count, i.pending, i.size_bytes, "
"       pg_catalog.date_part('epoch', i.created_at)::pg_catalog.text, "
"       pg_catalog.date_part('epoch', i.updated_at)::pg_catalog.text, "
"       pg_catalog.date_part('epoch', i.expires_at)::pg_catalog.text "
"  FROM @extschema@.wf_info($1) AS i";

/* wf_steps has no size: it is the step row's own size_bytes */
static const char steps_sql[] =
"SELECT s.pos, s.step_key, s.ok, t.size_bytes, "
"       pg_catalog.date_part('epoch', s.recorded_at)::pg_catalog.text, "
"       CASE WHEN $2::pg_catalog.bool "
"            THEN pg_catalog.jsonb_pretty(s.result) END "
"  FROM @extschema@.wf_steps($1) AS s "
"  LEFT JOIN @extschema@.wf_step AS t "
"         ON t.workflow_id = $1 AND t.step_key = s.step_key "
" ORDER BY s.pos";

static const char pending_sql[] =
"SELECT p.step_key, p.kind, p.reason, p.request::pg_catalog.text, "
"       pg_catalog.date_part('epoch', p.since)::pg_catalog.text "
"  FROM @extschema@.wf_pending($1) WITH ORDINALITY "
"       AS p(id, step_key, kind, reason, request, since, n) "
" ORDER BY p.n";

static const char history_sql[] =
"SELECT pg_catalog.date_part('epoch', h.at)::pg_catalog.text, h.event, "
"       h.step_key, h.actor, h.detail::pg_catalog.text "
"  FROM @extschema@.wf_history($1) WITH ORDINALITY "
"       AS h(at, event, step_key, actor, detail, n) "
" ORDER BY h.n";

static const char json_sql[] =
"SELECT pg_catalog.jsonb_build_object("
"    'id', i.id, 'status', i.status, 'version', i.version, "
"    'step_count', i.step_count, 'pending_count', i.pending, "
"    'size_bytes', i.size_bytes, 'created_at', i.created_at, "
"    'updated_at', i.updated_at, 'expires_at', i.expires_at, "
"    'steps', (SELECT COALESCE(pg_catalog.jsonb_agg("
"                  pg_catalog.jsonb_build_object('pos', s.pos, 'key', s.step_key, "
"                      'ok', s.ok, 'size_bytes', t.size_bytes, "
"                      'recorded_at', s.recorded_at) "
"                  || CASE WHEN $2::pg_catalog.bool "
"                          THEN pg_catalog.jsonb_build_object('result', s.result) "
"                          ELSE '{}'::pg_catalog.jsonb END "
"                  ORDER BY s.pos), '[]'::pg_catalog.jsonb) "
"                FROM @extschema@.wf_steps(i.id) AS s "
"                LEFT JOIN @extschema@.wf_step AS t "
"                       ON t.workflow_id = i.id AND t.step_key = s.step_key), "
"    'pending', (SELECT COALESCE(pg_catalog.jsonb_agg("
"                    pg_catalog.jsonb_build_object('step_key', p.step_key, "
"                        'kind', p.kind, 'reason', p.reason, "
"                        'request', p.request, 'since', p.since) "
"                    ORDER BY p.n), '[]'::pg_catalog.jsonb) "
"                  FROM @extschema@.wf_pending(i.id) WITH ORDINALITY "
"                       AS p(id, step_key, kind, reason, request, since, n)), "
"    'history', (SELECT COALESCE(pg_catalog.jsonb_agg("
"                    pg_catalog.jsonb_build_object('at', h.at, 'event', h.event, "
"                        'step_key', h.step_key, 'actor', h.actor, "
"                        'detail', h.detail) "
"                    ORDER BY h.n), '[]'::pg_catalog.jsonb) "
"                  FROM @extschema@.wf_history(i.id) WITH ORDINALITY "
"                       AS h(at, event, step_key, actor, detail, n)), "
"    'snapshot', @extschema@.wf_load(i.id))::pg_catalog.text "
"  FROM @extschema@.wf_info($1) AS i";

/* text for people: control characters (and stray bytes) as "?" */
static void
put_safe(const char *s)
{
	for (const unsigned char *p = (const unsigned char *) s; *p; p++)
		putchar(*p < 0x20 || *p == 0x7F ? '?' : *p);
}

/* "2026-11-22 07:41:03 (5m ago)", or never when epoch is empty */
static void
put_time(const char *label, const char *epoch, const char *none)
{
	char		when[32],
				age[32];

	printf("%-10s ", label);
	if (epoch[0] == '\0')
		printf("%s\n", none);
	else
		printf("%s (%s)\n", wfctl_local_time(epoch, when, sizeof(when)),
			   wfctl_age(epoch, age, sizeof(age)));
}

/* the workflow vanished between resolving its id and reading it */
static void vanished(Wfctl *w, char *id) __attribute__((noreturn));

static void
vanished(Wfctl *w, char *id)
{
	wfctl_error(w, "workflow \"%s\" does not exist", id);
	free(id);
	PQfinish(w->conn);
	w->conn = NULL;
	exit(WFCTL_EXIT_NOTFOUND);
}

static void
print_header(Wfctl *w, PGresult *res)
{
	const char *status = PQgetvalue(res, 0, 1);
	const char *color = wfctl_status_color(w, status);
	char		size[32];

	printf("%-10s ", "id:");
	put_safe(PQgetvalue(res, 0, 0));
	putchar('\n');
	printf("%-10s %s%s%s\n", "status:", color ? color : "", status,
		   color ? WFCTL_RESET : "");
	printf("%-10s %s\n", "version:", PQgetvalue(res, 0, 2));
	printf("%-10s %s\n", "steps:", PQgetvalue(res, 0, 3));
	printf("%-10s %s\n", "pending:", PQgetvalue(res, 0, 4));
	printf("%-10s %s\n", "size:", wfctl_bytes(PQgetvalue(res, 0, 5), size, sizeof(size)));
	put_time("created:", PQgetvalue(res, 0, 6), "");
	put_time("updated:", PQgetvalue(res, 0, 7), "");
	put_time("expires:", PQgetvalue(res, 0, 8), "never");
}

static void
print_steps(Wfctl *w, const char *id, bool full)
{
	static const char *const headers[] = {"POS", "KEY", "OK", "SIZE", "RECORDED"};
	const char *params[2] = {id, full ? "true" : "false"};
	PGresult   *res = wfctl_query(w, steps_sql, 2, params);
	int			n = PQntuples(res);
	WfctlTable *table;

	printf("\nSteps:\n");
	if (n == 0)
	{
		printf("  (none)\n");
		PQclear(res);
		return;
	}
	table = wfctl_table_new(5, headers);
	wfctl_table_right(table, 0);
	wfctl_table_right(table, 3);
	for (int i = 0; i < n; i++)
	{
		const char *ok = PQgetvalue(res, i, 2);
		char		size[32],
					when[32];
		const char *cells[5];

		cells[0] = PQgetvalue(res, i, 0);
		cells[1] = PQgetvalue(res, i, 1);
		cells[2] = strcmp(ok, "t") == 0 ? "yes" : strcmp(ok, "f") == 0 ? "no" : "-";
		cells[3] = wfctl_bytes(PQgetvalue(res, i, 3), size, sizeof(size));
		cells[4] = wfctl_local_time(PQgetvalue(res, i, 4), when, sizeof(when));
		wfctl_table_add(table, cells);
	}
	wfctl_table_print(table, stdout, CELL_MAX);
	wfctl_table_free(table);

	if (full)
	{
		for (int i = 0; i < n; i++)
		{
			const char *line = PQgetvalue(res, i, 5);

			printf("\nStep %s ", PQgetvalue(res, i, 0));
			put_safe(PQgetvalue(res, i, 1));
			printf(":\n");
			/* jsonb_pretty escapes control characters in strings */
			while (*line)
			{
				size_t		len = strcspn(line, "\n");

				printf("    %.*s\n", (int) len, line);
				line += len;
				if (*line == '\n')
					line++;
			}
		}
	}
	PQclear(res);
}

static void
print_pending(Wfctl *w, const char *id)
{
	static const char *const headers[] = {"STEP", "KIND", "REASON", "REQUEST", "SINCE"};
	const char *params[1] = {id};
	PGresult   *res = wfctl_query(w, pending_sql, 1, params);
	int			n = PQntuples(res);
	WfctlTable *table;

	printf("\nPending:\n");
	if (n == 0)
	{
		printf("  (none)\n");
		PQclear(res);
		return;
	}
	table = wfctl_table_new(5, headers);
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
	PQclear(res);
}

static void
print_history(Wfctl *w, const char *id)
{
	static const char *const headers[] = {"AT", "EVENT", "STEP", "ACTOR", "DETAIL"};
	const char *params[1] = {id};
	PGresult   *res = wfctl_query(w, history_sql, 1, params);
	int			n = PQntuples(res);
	WfctlTable *table;

	printf("\nHistory:\n");
	if (n == 0)
	{
		printf("  (none)\n");
		PQclear(res);
		return;
	}
	table = wfctl_table_new(5, headers);
	for (int i = 0; i < n; i++)
	{
		char		when[32];
		const char *cells[5];

		cells[0] = wfctl_local_time(PQgetvalue(res, i, 0), when, sizeof(when));
		cells[1] = PQgetvalue(res, i, 1);
		cells[2] = PQgetvalue(res, i, 2);
		cells[3] = PQgetvalue(res, i, 3);
		cells[4] = PQgetvalue(res, i, 4);
		wfctl_table_add(table, cells);
	}
	wfctl_table_print(table, stdout, CELL_MAX);
	wfctl_table_free(table);
	PQclear(res);
}

int
cmd_inspect(Wfctl *w, int argc, char **argv)
{
	static const struct option longopts[] = {
		{"json", no_argument, NULL, 'j'},
		{"full", no_argument, NULL, 'f'},
		WFCTL_COMMON_LONGOPTS,
		{NULL, 0, NULL, 0}
	};
	bool		json = false;
	bool		full = false;
	int			opt;
	char	   *id;
	const char *params[2];
	PGresult   *res;

	while ((opt = getopt_long(argc, argv, WFCTL_COMMON_SHORTOPTS, longopts, NULL)) != -1)
	{
		if (wfctl_common_option(w, opt, inspect_usage))
			continue;
		switch (opt)
		{
			case 'j':
				json = true;
				break;
			case 'f':
				full = true;
				break;
		}
	}
	if (optind >= argc)
		wfctl_usage_error(w, "a workflow id (or a unique prefix of one) is required");
	if (optind + 1 < argc)
		wfctl_usage_error(w, "unexpected argument \"%s\"", argv[optind + 1]);

	/* one snapshot of the database for every section */
	res = wfctl_query(w, "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", 0, NULL);
	PQclear(res);
	id = wfctl_resolve(w, argv[optind]);
	params[0] = id;
	params[1] = full ? "true" : "false";

	if (json)
	{
		res = wfctl_query(w, json_sql, 2, params);
		if (PQntuples(res) != 1)
		{
			PQclear(res);
			vanished(w, id);
		}
		printf("%s\n", PQgetvalue(res, 0, 0));
		PQclear(res);
	}
	else
	{
		res = wfctl_query(w, header_sql, 1, params);
		if (PQntuples(res) != 1)
		{
			PQclear(res);
			vanished(w, id);
		}
		print_header(w, res);
		PQclear(res);
		print_steps(w, id, full);
		print_pending(w, id);
		print_history(w, id);
	}
	free(id);
	res = wfctl_query(w, "COMMIT", 0, NULL);
	PQclear(res);
	return wfctl_finish_output(w);
}
