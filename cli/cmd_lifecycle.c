/*-------------------------------------------------------------------------
 *
 * cmd_lifecycle.c
 *	  wfctl's commands that change one run: approve, reject, resume,
 *	  cancel, replay.
 *
 * Each is one call of the extension's lifecycle function (wf_approve,
 * wf_reject, ...) with every value a parameter, run by one driver,
 * run_change(): resolve the id, begin, call, read the run's status after
 * the write (wf_info) in the same transaction, commit, report.  A command
 * is a Change: its SQL, its parameters and the words of its report.
 *
 * Waiting: the lifecycle functions lock the workflow's header row, so a
 * write waits for an engine's open transaction on the same run.  wfctl
 * gives up after --wait seconds (lock_timeout; default 10): the server then
 * raises 55P03, which is exit 4 (conflict), as a version conflict (40001)
 * is.  A refusal because of the run's state (55000: completed, cancelled,
 * step already decided) is exit 1: retrying cannot change it.
 *
 *-------------------------------------------------------------------------
 */
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "wfctl.h"

/* one lifecycle call and how to report it */
typedef struct Change
{
	const char *sql;			/* $1 is the id; returns the new version, or
								 * (replay) the new run's id */
	int			nparams;
	const char *params[5];		/* params[0] is set to the resolved id */
	const char *step;			/* the step it decides, or NULL */
	const char *done;			/* "approved", "resumed", ...; NULL: replay */
	const char *already_sql;	/* true when the call will change nothing */
	const char *already;		/* then: "was already cancelled" */
} Change;

/*
 * The report of a change, for the run $1 (in the open transaction): its
 * status and version ($3, or wf_info's when NULL), and the JSON object
 * with id, version, status, and step_key ($2) and replay_of ($4) when
 * given.
 * A run that expired in the meantime is no longer in wf_info.
 */
static const char report_sql[] =
"SELECT x.status, x.version::pg_catalog.text, "
"       (pg_catalog.jsonb_build_object('id', $1::pg_catalog.text, "
"            'version', x.version, 'status', x.status) "
"        OPERATOR(pg_catalog.||) CASE WHEN $2::pg_catalog.text IS NULL "
"             THEN '{}'::pg_catalog.jsonb "
"             ELSE pg_catalog.jsonb_build_object('step_key', $2::pg_catalog.text) END "
"        OPERATOR(pg_catalog.||) CASE WHEN $4::pg_catalog.text IS NULL "
"             THEN '{}'::pg_catalog.jsonb "
"             ELSE pg_catalog.jsonb_build_object('replay_of', $4::pg_catalog.text) END"
"       )::pg_catalog.text "
"  FROM (SELECT COALESCE(i.status, 'expired') AS status, "
"               COALESCE($3::pg_catalog.int8, i.version) AS version "
"          FROM (SELECT 1) AS one "
"          LEFT JOIN @extschema@.wf_info($1) AS i ON true) AS x";

/*
 * Resolve arg_id, then in one transaction: the call, the run's status,
 * commit; then the report on stdout.  Errors exit with their code.
 */
static int
run_change(Wfctl *w, Change *c, const char *arg_id)
{
	char	   *id;
	char	   *result;
	bool		already = false;
	bool		replay = c->done == NULL;
	const char *params[4];
	PGresult   *res;

	if (w->cmd->flags & WFCTL_F_WAIT)
		wfctl_set_wait(w);
	id = wfctl_resolve_arg(w, arg_id);
	wfctl_exec(w, "BEGIN");
	c->params[0] = id;
	if (c->already_sql)
	{
		res = wfctl_query(w, c->already_sql, 1, c->params);
		already = PQntuples(res) == 1 && strcmp(PQgetvalue(res, 0, 0), "t") == 0;
		PQclear(res);
	}
	result = wfctl_write(w, id, c->sql, c->nparams, c->params);

	params[0] = replay ? result : id;
	params[1] = c->step;
	params[2] = replay ? NULL : result;
	params[3] = replay ? id : NULL;
	res = wfctl_query(w, report_sql, 4, params);
	wfctl_exec(w, "COMMIT");

	if (w->json)
		wfctl_print_lines(res, 2);
	else if (replay)
		wfctl_line(stdout, "%s", result);
	else if (already)
		wfctl_line(stdout, "workflow \"%s\" %s (version %s, now %s)", id, c->already,
				   PQgetvalue(res, 0, 1), PQgetvalue(res, 0, 0));
	else if (c->step)
		wfctl_line(stdout, "%s step \"%s\" of workflow \"%s\" (version %s, now %s)",
				   c->done, c->step, id, PQgetvalue(res, 0, 1), PQgetvalue(res, 0, 0));
	else
		wfctl_line(stdout, "%s workflow \"%s\" (version %s, now %s)", c->done, id,
				   PQgetvalue(res, 0, 1), PQgetvalue(res, 0, 0));
	PQclear(res);
	free(result);
	free(id);
	return wfctl_finish_output(w);
}

/*
 * Check that text is JSON as the server reads jsonb (the server is the one
 * that stores it: its rules for numbers, escapes and nesting apply), and
 * with want_object that it is an object.  A malformed value is a usage
 * error (exit 64) quoting the server's reason.
 */
static void
check_json(Wfctl *w, const char *option, const char *text, bool want_object)
{
	const char *params[1] = {text};
	PGresult   *res;
	const char *state;

	res = wfctl_try(w, "SELECT pg_catalog.jsonb_typeof($1::pg_catalog.jsonb)",
					1, params);
	if (PQresultStatus(res) == PGRES_TUPLES_OK)
	{
		if (want_object && strcmp(PQgetvalue(res, 0, 0), "object") != 0)
		{
			char	   *type = xstrdup(PQgetvalue(res, 0, 0));

			PQclear(res);
			wfctl_usage_error(w, "%s must be a JSON object, not %s %s", option,
							  type[0] == 'a' || type[0] == 'o' ? "an" : "a", type);
		}
		PQclear(res);
		return;
	}
	state = PQresultErrorField(res, PG_DIAG_SQLSTATE);
	if (state != NULL && strncmp(state, "22", 2) == 0)
	{
		const char *detail = PQresultErrorField(res, PG_DIAG_MESSAGE_DETAIL);
		const char *primary = PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY);
		char	   *why = xstrdup(detail ? detail : primary ? primary : "");

		PQclear(res);
		wfctl_usage_error(w, "%s is not valid JSON: %s", option, why);
	}
	wfctl_fail(w, res);
}

/* ---- approve, reject ---- */

static struct
{
	const char *value;
	const char *reason;
	const char *note;
	const char *by;
}			decide_opts;

/* approve and reject: one call each, they differ in one argument */
static int
decide(Wfctl *w, bool approve)
{
	Change		c = {
		.nparams = 5,
		.params = {NULL, w->args[1], approve ? decide_opts.value : decide_opts.reason,
		decide_opts.note, decide_opts.by},
		.step = w->args[1],
		.done = approve ? "approved" : "rejected",
		.sql = approve ?
		"SELECT @extschema@.wf_approve($1, $2, "
		"    COALESCE($3::pg_catalog.jsonb, 'true'::pg_catalog.jsonb), $4, "
		"    COALESCE($5::pg_catalog.text, CURRENT_USER::pg_catalog.text))"
		"::pg_catalog.text" :
		"SELECT @extschema@.wf_reject($1, $2, $3, $4, "
		"    COALESCE($5::pg_catalog.text, CURRENT_USER::pg_catalog.text))"
		"::pg_catalog.text",
	};

	if (!approve && decide_opts.reason == NULL)
		wfctl_usage_error(w, "--reason is required");
	if (decide_opts.value)
		check_json(w, "--value", decide_opts.value, false);
	return run_change(w, &c, w->args[0]);
}

static int
run_approve(Wfctl *w)
{
	return decide(w, true);
}

static int
run_reject(Wfctl *w)
{
	return decide(w, false);
}

#define DECIDE_OPTIONS \
	{.name = "note", .type = WFCTL_OPT_TEXT, .arg = "TEXT", .target = &decide_opts.note, \
	.help = "a note kept in the run's history"}, \
	{.name = "by", .type = WFCTL_OPT_TEXT, .arg = "NAME", .target = &decide_opts.by, \
	.help = "who decided (default: the database user)"}

static const WfctlArg decide_args[] = {
	{.name = "ID", .missing = "missing workflow id", .nonempty = true},
	{.name = "STEP", .missing = "missing step key"},
	{0}
};

const WfctlCommand wfctl_cmd_approve = {
	.name = "approve",
	.summary = "approve a step waiting for approval",
	.usage = "ID STEP [--value JSON] [--note TEXT] [--by NAME] [--prefix-match] [--json]",
	.description =
	"Approve step STEP of workflow ID, which waits for a decision (a pending\n"
	"approval or hook): the step becomes {\"ok\": true, \"value\": JSON} and the\n"
	"run goes on when no other step waits.  A decision is final: ID is a\n"
	"whole id (see --prefix-match; on a terminal, wfctl asks about an ID\n"
	"that only starts one).\n",
	.options = (const WfctlOption[]) {
		{.name = "value", .type = WFCTL_OPT_TEXT, .arg = "JSON", .target = &decide_opts.value,
		.help = "the approval's value, any JSON (default true)"},
		DECIDE_OPTIONS,
		{.name = "reason", .type = WFCTL_OPT_TEXT,
		.refuse = "--reason is for reject; an approval has a --value"},
		{0}
	},
	.args = decide_args,
	.flags = WFCTL_F_JSON | WFCTL_F_WAIT | WFCTL_F_EXACT | WFCTL_F_WRITES,
	.json_help = "print {\"id\", \"step_key\", \"version\", \"status\"}",
	.verb = "Approve the step of",
	.run = run_approve,
};

const WfctlCommand wfctl_cmd_reject = {
	.name = "reject",
	.summary = "reject a step waiting for approval",
	.usage = "ID STEP --reason TEXT [--note TEXT] [--by NAME] [--prefix-match] [--json]",
	.description =
	"Reject step STEP of workflow ID, which waits for a decision: the step\n"
	"becomes awaitly's APPROVAL_REJECTED error with the reason, and the\n"
	"engine's rejection handling runs when it resumes.  A decision is final:\n"
	"ID is a whole id (see --prefix-match; on a terminal, wfctl asks about\n"
	"an ID that only starts one).\n",
	.options = (const WfctlOption[]) {
		{.name = "reason", .type = WFCTL_OPT_TEXT, .arg = "TEXT", .target = &decide_opts.reason,
		.help = "why (required; stored in the step)"},
		DECIDE_OPTIONS,
		{.name = "value", .type = WFCTL_OPT_TEXT,
		.refuse = "--value is for approve; a rejection has a --reason"},
		{0}
	},
	.args = decide_args,
	.flags = WFCTL_F_JSON | WFCTL_F_WAIT | WFCTL_F_EXACT | WFCTL_F_WRITES,
	.json_help = "print {\"id\", \"step_key\", \"version\", \"status\"}",
	.verb = "Reject the step of",
	.run = run_reject,
};

/* ---- resume ---- */

static struct
{
	json_t	   *data;			/* --data KEY=VALUE pairs */
	const char *data_json;
}			resume_opts;

/* --data KEY=VALUE: add it to the object; usage errors for what cannot be */
static void
add_data(Wfctl *w, const char *arg)
{
	char	   *key = xstrdup(arg);
	char	   *eq = strchr(key, '=');
	json_t	   *value;

	if (resume_opts.data == NULL && (resume_opts.data = json_object()) == NULL)
		wfctl_usage_error(w, "out of memory");
	if (eq == NULL || eq == key)
	{
		free(key);
		json_decref(resume_opts.data);
		wfctl_usage_error(w, "--data takes KEY=VALUE, not \"%s\"", arg);
	}
	*eq = '\0';
	if (json_object_get(resume_opts.data, key) != NULL)
	{
		char	   *dup = xasprintf("--data key \"%s\" is given twice", key);

		free(key);
		json_decref(resume_opts.data);
		wfctl_usage_error(w, "%s", dup);
	}
	value = json_string(eq + 1);
	if (value == NULL || json_object_set_new(resume_opts.data, key, value) != 0)
	{
		free(key);
		json_decref(resume_opts.data);
		wfctl_usage_error(w, "--data \"%s\" is not valid UTF-8", arg);
	}
	free(key);
}

static int
run_resume(Wfctl *w)
{
	char	   *data_text = NULL;
	Change		c = {
		.sql = "SELECT @extschema@.wf_resume($1, $2::pg_catalog.jsonb)::pg_catalog.text",
		.nparams = 2,
		.done = "resumed",
	};
	int			rc;

	if (resume_opts.data != NULL && resume_opts.data_json != NULL)
	{
		json_decref(resume_opts.data);
		wfctl_usage_error(w, "--data and --data-json cannot be used together");
	}
	if (resume_opts.data != NULL)
	{
		/* jansson allocates with malloc: free() releases it */
		data_text = json_dumps(resume_opts.data, JSON_COMPACT);
		json_decref(resume_opts.data);
		if (data_text == NULL)
		{
			wfctl_error(w, "out of memory");
			return WFCTL_EXIT_FAIL;
		}
	}
	if (resume_opts.data_json)
		check_json(w, "--data-json", resume_opts.data_json, true);
	c.params[1] = data_text ? data_text : resume_opts.data_json;
	rc = run_change(w, &c, w->args[0]);
	free(data_text);
	return rc;
}

static const WfctlArg one_id[] = {
	{.name = "ID", .missing = "missing workflow id", .nonempty = true},
	{0}
};

const WfctlCommand wfctl_cmd_resume = {
	.name = "resume",
	.summary = "resume a suspended or failed run",
	.usage =
	"ID [--data KEY=VALUE]... [--json]\n"
	"ID --data-json JSON [--json]",
	.description =
	"Bring a suspended or failed run of workflow ID back to running.  Steps\n"
	"that wait for a decision must be approved or rejected first.  Data given\n"
	"is handed to the engine in metadata.resume (merged into what is there,\n"
	"its keys winning).  ID may be any unique prefix of the id.\n",
	.options = (const WfctlOption[]) {
		{.name = "data", .type = WFCTL_OPT_CALL, .arg = "KEY=VALUE", .call = add_data,
		.help = "one member of the data, a string (repeat for more;\na key given twice is an error)"},
		{.name = "data-json", .type = WFCTL_OPT_TEXT, .arg = "JSON", .once = true,
			.target = &resume_opts.data_json,
		.help = "the data as a JSON object (not with --data)"},
		{0}
	},
	.args = one_id,
	.flags = WFCTL_F_JSON | WFCTL_F_WAIT | WFCTL_F_WRITES,
	.json_help = "print {\"id\", \"version\", \"status\"}",
	.run = run_resume,
};

/* ---- cancel ---- */

static const char *cancel_reason;

static int
run_cancel(Wfctl *w)
{
	Change		c = {
		.sql = "SELECT @extschema@.wf_cancel($1, $2)::pg_catalog.text",
		.nparams = 2,
		.params = {NULL, cancel_reason},
		.done = "cancelled",

		/*
		 * cancelled is final (only a delete or an expiry ends it), so a run
		 * seen cancelled here is one this call will not change
		 */
		.already_sql = "SELECT i.status OPERATOR(pg_catalog.=) 'cancelled' "
		"  FROM @extschema@.wf_info($1) AS i",
		.already = "was already cancelled",
	};

	return run_change(w, &c, w->args[0]);
}

const WfctlCommand wfctl_cmd_cancel = {
	.name = "cancel",
	.summary = "cancel a run",
	.usage = "ID [--reason TEXT] [--prefix-match] [--json]",
	.description =
	"Cancel the run of workflow ID (running, suspended or failed) for good:\n"
	"it accepts no more writes; \"wfctl replay\" starts it again.  Cancelling\n"
	"a cancelled run changes nothing.  ID is a whole id (see --prefix-match;\n"
	"on a terminal, wfctl asks about an ID that only starts one).\n",
	.options = (const WfctlOption[]) {
		{.name = "reason", .type = WFCTL_OPT_TEXT, .arg = "TEXT", .target = &cancel_reason,
		.help = "why, kept in the run's history"},
		{0}
	},
	.args = one_id,
	.flags = WFCTL_F_JSON | WFCTL_F_WAIT | WFCTL_F_EXACT | WFCTL_F_WRITES,
	.json_help = "print {\"id\", \"version\", \"status\"}",
	.verb = "Cancel",
	.run = run_cancel,
};

/* ---- replay ---- */

static const char *replay_as;

static int
run_replay(Wfctl *w)
{
	Change		c = {
		.sql = "SELECT @extschema@.wf_replay($1, $2)",
		.nparams = 2,
		.params = {NULL, replay_as},
	};

	return run_change(w, &c, w->args[0]);
}

const WfctlCommand wfctl_cmd_replay = {
	.name = "replay",
	.summary = "replay a run from the start",
	.usage = "ID [--as NEW_ID] [--json]",
	.description =
	"Start a new run of workflow ID's work: the same input and workflow name,\n"
	"no steps.  ID (any status) is not changed; it may be any unique prefix of\n"
	"the id.  Prints the new run's id.\n",
	.options = (const WfctlOption[]) {
		{.name = "as", .type = WFCTL_OPT_TEXT, .arg = "NEW_ID", .target = &replay_as,
			.nonempty = true,
		.help = "the new run's id (default: ID:replay-<8 hex digits>)"},
		{0}
	},
	.args = one_id,
	.flags = WFCTL_F_JSON | WFCTL_F_WRITES,
	.json_help = "print {\"id\", \"replay_of\", \"version\", \"status\"}",
	.run = run_replay,
};
