/*-------------------------------------------------------------------------
 *
 * cmd_inspect.c
 *	  wfctl inspect: one workflow's header, steps, pending approvals and
 *	  history.
 *
 * Every section is read in one REPEATABLE READ READ ONLY transaction, so
 * the header, the steps and the history agree with each other even while
 * the run is being written.  --json builds the whole object server-side
 * in one statement: numbers and the snapshot are kept exactly.  The
 * history's events are wf_history's rows as they are (every column, so a
 * column the server adds appears too); functions returning sets are read
 * WITH ORDINALITY and by column name, never through a column list that a
 * new column would shift.
 *
 *-------------------------------------------------------------------------
 */
#include <stdlib.h>
#include <string.h>

#include "wfctl.h"

/* cells longer than this are cut with an ellipsis in tables */
#define CELL_MAX 40

static const char header_sql[] =
"SELECT i.id, i.status, i.version, i.step_count, i.pending, i.size_bytes, "
"       pg_catalog.date_part('epoch', i.created_at)::pg_catalog.text, "
"       pg_catalog.date_part('epoch', i.updated_at)::pg_catalog.text, "
"       pg_catalog.date_part('epoch', i.expires_at)::pg_catalog.text "
"  FROM @extschema@.wf_info($1) AS i";

/*
 * wf_steps has no size: it is the step row's own size_bytes, read from
 * wf_step, or through a router (which has no tables) from wf_step_sizes
 */
#define STEPS_SQL(sizes) \
"SELECT s.pos, s.step_key, s.ok, t.size_bytes, " \
"       pg_catalog.date_part('epoch', s.recorded_at)::pg_catalog.text, " \
"       CASE WHEN $2::pg_catalog.bool " \
"            THEN pg_catalog.jsonb_pretty(s.result) END " \
"  FROM @extschema@.wf_steps($1) AS s " \
"  LEFT JOIN " sizes " " \
" ORDER BY s.pos"
#define SIZES_TABLE(id) \
"@extschema@.wf_step AS t ON t.workflow_id = " id " AND t.step_key = s.step_key"
#define SIZES_ROUTER(id) \
"@extschema@.wf_step_sizes(" id ") AS t ON t.step_key = s.step_key"

static const char steps_sql[] = STEPS_SQL(SIZES_TABLE("$1"));
static const char steps_router_sql[] = STEPS_SQL(SIZES_ROUTER("$1"));

static const char pending_sql[] =
"SELECT p.step_key, p.kind, p.reason, p.request::pg_catalog.text, "
"       pg_catalog.date_part('epoch', p.since)::pg_catalog.text "
"  FROM @extschema@.wf_pending($1) WITH ORDINALITY AS p "
" ORDER BY p.ordinality";

static const char history_sql[] =
"SELECT pg_catalog.date_part('epoch', h.at)::pg_catalog.text, h.event, "
"       h.step_key, h.actor, h.detail::pg_catalog.text "
"  FROM @extschema@.wf_history($1) WITH ORDINALITY AS h "
" ORDER BY h.ordinality";

#define JSON_SQL(sizes) \
"SELECT pg_catalog.jsonb_build_object(" \
"    'id', i.id, 'status', i.status, 'version', i.version, " \
"    'step_count', i.step_count, 'pending_count', i.pending, " \
"    'size_bytes', i.size_bytes, 'created_at', i.created_at, " \
"    'updated_at', i.updated_at, 'expires_at', i.expires_at, " \
"    'steps', (SELECT COALESCE(pg_catalog.jsonb_agg(" \
"                  pg_catalog.jsonb_build_object('pos', s.pos, 'step_key', s.step_key, " \
"                      'ok', s.ok, 'size_bytes', t.size_bytes, " \
"                      'recorded_at', s.recorded_at) " \
"                  || CASE WHEN $2::pg_catalog.bool " \
"                          THEN pg_catalog.jsonb_build_object('result', s.result) " \
"                          ELSE '{}'::pg_catalog.jsonb END " \
"                  ORDER BY s.pos), '[]'::pg_catalog.jsonb) " \
"                FROM @extschema@.wf_steps(i.id) AS s " \
"                LEFT JOIN " sizes "), " \
"    'pending', (SELECT COALESCE(pg_catalog.jsonb_agg(" \
"                    pg_catalog.jsonb_build_object('step_key', p.step_key, " \
"                        'kind', p.kind, 'reason', p.reason, " \
"                        'request', p.request, 'since', p.since) " \
"                    ORDER BY p.ordinality), '[]'::pg_catalog.jsonb) " \
"                  FROM @extschema@.wf_pending(i.id) WITH ORDINALITY AS p), " \
"    'history', (SELECT COALESCE(pg_catalog.jsonb_agg(" \
"                    pg_catalog.to_jsonb(h) OPERATOR(pg_catalog.-) 'ordinality'::pg_catalog.text " \
"                    ORDER BY h.ordinality), '[]'::pg_catalog.jsonb) " \
"                  FROM @extschema@.wf_history(i.id) WITH ORDINALITY AS h), " \
"    'snapshot', @extschema@.wf_load(i.id))::pg_catalog.text " \
"  FROM @extschema@.wf_info($1) AS i"

static const char json_sql[] = JSON_SQL(SIZES_TABLE("i.id"));
static const char json_router_sql[] = JSON_SQL(SIZES_ROUTER("i.id"));

/* the workflow vanished between resolving its id and reading it */
static void vanished(Wfctl *w, char *id) __attribute__((noreturn));

static void
vanished(Wfctl *w, char *id)
{
	wfctl_error(w, "workflow \"%s\" does not exist", id);
	free(id);
	wfctl_disconnect(w);
	exit(WFCTL_EXIT_NOTFOUND);
}

static const WfctlColumn header_columns[] = {
	{.header = "id:", .field = 0},
	{.header = "status:", .field = 1, .format = WFCTL_FMT_STATUS},
	{.header = "version:", .field = 2},
	{.header = "steps:", .field = 3},
	{.header = "pending:", .field = 4},
	{.header = "size:", .field = 5, .format = WFCTL_FMT_BYTES},
	{.header = "created:", .field = 6, .format = WFCTL_FMT_TIME_AGE},
	{.header = "updated:", .field = 7, .format = WFCTL_FMT_TIME_AGE},
	{.header = "expires:", .field = 8, .format = WFCTL_FMT_TIME_AGE, .null_text = "never"},
	{0}
};

static const WfctlColumn step_columns[] = {
	{.header = "POS", .field = 0, .right = true},
	{.header = "KEY", .field = 1},
	{.header = "OK", .field = 2, .format = WFCTL_FMT_YESNO, .null_text = "-"},
	{.header = "SIZE", .field = 3, .format = WFCTL_FMT_BYTES, .right = true},
	{.header = "RECORDED", .field = 4, .format = WFCTL_FMT_TIME},
	{0}
};

static const WfctlColumn pending_columns[] = {
	{.header = "STEP", .field = 0},
	{.header = "KIND", .field = 1},
	{.header = "REASON", .field = 2},
	{.header = "REQUEST", .field = 3},
	{.header = "SINCE", .field = 4, .format = WFCTL_FMT_AGE},
	{0}
};

static const WfctlColumn history_columns[] = {
	{.header = "AT", .field = 0, .format = WFCTL_FMT_TIME},
	{.header = "EVENT", .field = 1},
	{.header = "STEP", .field = 2},
	{.header = "ACTOR", .field = 3},
	{.header = "DETAIL", .field = 4},
	{0}
};

/* each step's recorded result, pretty, indented */
static void
print_results(const PGresult *res)
{
	for (int i = 0; i < PQntuples(res); i++)
	{
		const char *line = PQgetvalue(res, i, 5);

		putchar('\n');
		wfctl_line(stdout, "Step %s %s:", PQgetvalue(res, i, 0), PQgetvalue(res, i, 1));
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

/* one section: its title, then the table of sql's rows, or "(none)" */
static void
print_section(Wfctl *w, const char *title, const char *sql, int nparams,
			  const char *const *params, const WfctlColumn *cols, bool results)
{
	PGresult   *res = wfctl_query(w, sql, nparams, params);

	printf("\n%s:\n", title);
	wfctl_print_result(w, res, cols, "  (none)", CELL_MAX);
	if (results)
		print_results(res);
	PQclear(res);
}

static bool inspect_full;

static int
run_inspect(Wfctl *w)
{
	char	   *id;
	const char *params[2];
	PGresult   *res;

	/* one snapshot of the database for every section */
	wfctl_exec(w, "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
	id = wfctl_resolve(w, w->args[0]);
	params[0] = id;
	params[1] = inspect_full ? "true" : "false";

	res = wfctl_query(w, w->json ? (w->router ? json_router_sql : json_sql) : header_sql,
					  w->json ? 2 : 1, params);
	if (PQntuples(res) != 1)
	{
		PQclear(res);
		vanished(w, id);
	}
	if (w->json)
		wfctl_print_lines(res, 0);
	else
	{
		wfctl_print_record(w, res, header_columns);
		print_section(w, "Steps", w->router ? steps_router_sql : steps_sql, 2, params,
					  step_columns, inspect_full);
		print_section(w, "Pending", pending_sql, 1, params, pending_columns, false);
		print_section(w, "History", history_sql, 1, params, history_columns, false);
	}
	PQclear(res);
	free(id);
	wfctl_exec(w, "COMMIT");
	return wfctl_finish_output(w);
}

const WfctlCommand wfctl_cmd_inspect = {
	.name = "inspect",
	.summary = "show one workflow: header, steps, pending, history",
	.usage = "ID [--json] [--full]",
	.description =
	"Show one workflow: its header (status, version, counts, size, times),\n"
	"its steps in the order they were first recorded, what waits for a\n"
	"decision and its history.  ID may be any unique prefix of the id; an\n"
	"exact id always wins.\n",
	.options = (const WfctlOption[]) {
		{.name = "full", .type = WFCTL_OPT_FLAG, .target = &inspect_full,
		.help = "also print each step's recorded result (pretty JSON)"},
		{0}
	},
	.args = (const WfctlArg[]) {
		{.name = "ID", .missing = "a workflow id (or a unique prefix of one) is required", .nonempty = true},
		{0}
	},
	.flags = WFCTL_F_JSON | WFCTL_F_PAGER,
	.json_help =
	"one JSON object on one line: the header, \"steps\",\n"
	"\"pending\", \"history\" and the \"snapshot\" (wf_load);\n"
	"with --full each step also carries its \"result\"",
	.run = run_inspect,
};
