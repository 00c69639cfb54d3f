/*-------------------------------------------------------------------------
 *
 * cmd_lifecycle.c
 *	  wfctl's commands that change runs: approve, reject, resume, cancel,
 *	  replay, delete, cleanup.
 *
 * Each is one call of the extension's lifecycle function (wf_approve,
 * wf_reject, ...) with every value a parameter.  Commands that write one
 * run do it in a transaction that also reads the run's status after the
 * write (wf_info), so the report shows the state this write produced.
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
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "wfctl.h"

/* seconds a write waits for a run another transaction is writing */
#define DEFAULT_WAIT 10
#define MAX_WAIT 86400

/* long options without a short form */
enum
{
	OPT_VALUE = 2000,
	OPT_NOTE,
	OPT_BY,
	OPT_REASON,
	OPT_DATA,
	OPT_DATA_JSON,
	OPT_AS,
	OPT_JSON,
	OPT_WAIT,
	OPT_EXACT,
	OPT_DRY_RUN,
	OPT_BATCH
};

#define WAIT_HELP \
"  --wait=SECONDS  give up when another transaction holds the run longer\n" \
"                  (default 10; 0 = wait as long as it takes); exit 4\n"

/* ---- helpers ---- */

/* parse a whole number from min to max, or a usage error naming option */
static long
parse_number(Wfctl *w, const char *option, const char *arg, long min, long max)
{
	char	   *end;
	long		n = strtol(arg, &end, 10);

	if (*arg == '\0' || *end != '\0' || n < min || n > max)
		wfctl_usage_error(w, "%s must be a number from %ld to %ld, not \"%s\"",
						  option, min, max, arg);
	return n;
}

/* the workflow id argument at optind; unless more follow, nothing after it */
static const char *
one_id_argument(Wfctl *w, int argc, char **argv, bool more_follow)
{
	const char *id;

	if (optind >= argc)
		wfctl_usage_error(w, "missing workflow id");
	id = argv[optind++];
	if (!more_follow && optind < argc)
		wfctl_usage_error(w, "unexpected argument \"%s\"", argv[optind]);
	return id;
}

/*
 * Connect, and set lock_timeout: a write gives up (55P03) when another
 * transaction holds the run for more than wait seconds (0: never).
 */
static void
set_wait(Wfctl *w, long wait)
{
	char		ms[32];
	const char *params[1] = {ms};
	PGresult   *res;

	snprintf(ms, sizeof(ms), "%ld", wait * 1000);
	res = wfctl_query(w, "SELECT pg_catalog.set_config('lock_timeout', $1, false)",
					  1, params);
	PQclear(res);
}

/*
 * Check that text is JSON as the server reads jsonb (the server is the one
 * that stores it: its rules for numbers, escapes and nesting apply), and
 * with want_object that it is an object.  A malformed value is a usage
 * error (exit 2) quoting the server's reason.
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
	{
		int			rc = wfctl_exit_code(res);

		wfctl_report(w, res, NULL);
		PQclear(res);
		exit(rc);
	}
}

/*
 * Run the write of a lifecycle command (its text result in column 0 of
 * one row; returns a malloc'd copy).  On an error, report it and exit with
 * its code; a lock timeout (55P03) says who to wait for.
 */
static char *
write_call(Wfctl *w, const char *id, const char *sql, int nparams,
		   const char *const *params)
{
	PGresult   *res = wfctl_try(w, sql, nparams, params);
	char	   *out;

	if (PQresultStatus(res) != PGRES_TUPLES_OK)
	{
		const char *state = PQresultErrorField(res, PG_DIAG_SQLSTATE);
		int			rc = wfctl_exit_code(res);

		wfctl_report(w, res, NULL);
		if (state != NULL && strcmp(state, "55P03") == 0)
			fprintf(stderr, "HINT:  Another transaction is writing workflow \"%s\"; "
					"try again, or wait longer with --wait.\n", id);
		PQclear(res);
		exit(rc);
	}
	out = xstrdup(PQgetvalue(res, 0, 0));
	PQclear(res);
	return out;
}

static void
begin(Wfctl *w)
{
	PQclear(wfctl_query(w, "BEGIN", 0, NULL));
}

static void
commit(Wfctl *w)
{
	PQclear(wfctl_query(w, "COMMIT", 0, NULL));
}


/*
 * After a lifecycle function returned version (in the open transaction):
 * read the run's status, commit, and report.  step may be NULL.  The human
 * line is "<done> (version N, now STATUS)"; --json gives an object with
 * id, step (when there is one), version and status.
 */
static int
report_change(Wfctl *w, bool json, const char *id, const char *step,
			  const char *version, const char *done)
{
	const char *params[3] = {id, step, version};
	PGresult   *res;
	char	   *status;
	char	   *doc;

	/* a run that expired in the meantime is no longer in wf_info */
	res = wfctl_query(w,
					  "SELECT x.status, "
					  "       (pg_catalog.jsonb_build_object('id', $1::pg_catalog.text, "
					  "            'version', $3::pg_catalog.int8, 'status', x.status) "
					  "        OPERATOR(pg_catalog.||) CASE WHEN $2::pg_catalog.text IS NULL "
					  "             THEN '{}'::pg_catalog.jsonb "
					  "             ELSE pg_catalog.jsonb_build_object('step', $2::pg_catalog.text) END"
					  "       )::pg_catalog.text "
					  "  FROM (SELECT COALESCE((SELECT i.status FROM @extschema@.wf_info($1) AS i), "
					  "                        'expired') AS status) AS x",
					  3, params);
	status = xstrdup(PQgetvalue(res, 0, 0));
	doc = xstrdup(PQgetvalue(res, 0, 1));
	PQclear(res);
	commit(w);

	if (json)
		printf("%s\n", doc);
	else
		printf("%s (version %s, now %s)\n", done, version, status);
	free(status);
	free(doc);
	return wfctl_finish_output(w);
}

/* ---- approve, reject ---- */

static const char approve_usage[] =
"Usage:\n"
"  wfctl approve ID STEP [--value JSON] [--note TEXT] [--by NAME] [--json]\n\n"
"Approve step STEP of workflow ID, which waits for a decision (a pending\n"
"approval or hook): the step becomes {\"ok\": true, \"value\": JSON} and the\n"
"run goes on when no other step waits.  ID may be any unique prefix of the\n"
"id (an exact id wins).\n\n"
"Options:\n"
"  --value=JSON    the approval's value, any JSON (default true)\n"
"  --note=TEXT     a note kept in the run's history\n"
"  --by=NAME       who decided (default: the database user)\n"
"  --json          print {\"id\", \"step\", \"version\", \"status\"}\n"
WAIT_HELP;

static const char reject_usage[] =
"Usage:\n"
"  wfctl reject ID STEP --reason TEXT [--note TEXT] [--by NAME] [--json]\n\n"
"Reject step STEP of workflow ID, which waits for a decision: the step\n"
"becomes awaitly's APPROVAL_REJECTED error with the reason, and the\n"
"engine's rejection handling runs when it resumes.  ID may be any unique\n"
"prefix of the id (an exact id wins).\n\n"
"Options:\n"
"  --reason=TEXT   why (required; stored in the step)\n"
"  --note=TEXT     a note kept in the run's history\n"
"  --by=NAME       who decided (default: the database user)\n"
"  --json          print {\"id\", \"step\", \"version\", \"status\"}\n"
WAIT_HELP;

/* approve and reject: one function, they differ in one argument */
static int
decide(Wfctl *w, int argc, char **argv, bool approve)
{
	static const struct option longopts[] = {
		{"value", required_argument, NULL, OPT_VALUE},
		{"reason", required_argument, NULL, OPT_REASON},
		{"note", required_argument, NULL, OPT_NOTE},
		{"by", required_argument, NULL, OPT_BY},
		{"json", no_argument, NULL, OPT_JSON},
		{"wait", required_argument, NULL, OPT_WAIT},
		WFCTL_COMMON_LONGOPTS,
		{NULL, 0, NULL, 0}
	};
	const char *usage = approve ? approve_usage : reject_usage;
	const char *value = NULL;
	const char *reason = NULL;
	const char *note = NULL;
	const char *by = NULL;
	bool		json = false;
	long		wait = DEFAULT_WAIT;
	const char *arg_id;
	const char *step;
	char	   *id;
	char	   *version;
	char	   *done;
	const char *params[5];
	int			opt;
	int			rc;

	while ((opt = getopt_long(argc, argv, WFCTL_COMMON_SHORTOPTS, longopts, NULL)) != -1)
	{
		if (wfctl_common_option(w, opt, usage))
			continue;
		switch (opt)
		{
			case OPT_VALUE:
				if (!approve)
					wfctl_usage_error(w, "--value is for approve; a rejection has a --reason");
				value = optarg;
				break;
			case OPT_REASON:
				if (approve)
					wfctl_usage_error(w, "--reason is for reject; an approval has a --value");
				reason = optarg;
				break;
			case OPT_NOTE:
				note = optarg;
				break;
			case OPT_BY:
				by = optarg;
				break;
			case OPT_JSON:
				json = true;
				break;
			case OPT_WAIT:
				wait = parse_number(w, "--wait", optarg, 0, MAX_WAIT);
				break;
		}
	}
	arg_id = one_id_argument(w, argc, argv, true);
	if (optind >= argc)
		wfctl_usage_error(w, "missing step key");
	step = argv[optind++];
	if (optind < argc)
		wfctl_usage_error(w, "unexpected argument \"%s\"", argv[optind]);
	if (!approve && reason == NULL)
		wfctl_usage_error(w, "--reason is required");

	set_wait(w, wait);
	if (value)
		check_json(w, "--value", value, false);
	id = wfctl_resolve(w, arg_id);

	begin(w);
	params[0] = id;
	params[1] = step;
	params[2] = approve ? value : reason;
	params[3] = note;
	params[4] = by;
	if (approve)
		version = write_call(w, id,
							 "SELECT @extschema@.wf_approve($1, $2, "
							 "    COALESCE($3::pg_catalog.jsonb, 'true'::pg_catalog.jsonb), $4, "
							 "    COALESCE($5::pg_catalog.text, CURRENT_USER::pg_catalog.text))"
							 "::pg_catalog.text",
							 5, params);
	else
		version = write_call(w, id,
							 "SELECT @extschema@.wf_reject($1, $2, $3, $4, "
							 "    COALESCE($5::pg_catalog.text, CURRENT_USER::pg_catalog.text))"
							 "::pg_catalog.text",
							 5, params);

	done = xasprintf("%s step \"%s\" of workflow \"%s\"",
					 approve ? "approved" : "rejected", step, id);
	rc = report_change(w, json, id, step, version, done);
	free(done);
	free(version);
	free(id);
	return rc;
}

int
cmd_approve(Wfctl *w, int argc, char **argv)
{
	return decide(w, argc, argv, true);
}

int
cmd_reject(Wfctl *w, int argc, char **argv)
{
	return decide(w, argc, argv, false);
}

/* ---- resume ---- */

static const char resume_usage[] =
"Usage:\n"
"  wfctl resume ID [--data KEY=VALUE]... [--json]\n"
"  wfctl resume ID --data-json JSON [--json]\n\n"
"Bring a suspended or failed run of workflow ID back to running.  Steps\n"
"that wait for a decision must be approved or rejected first.  Data given\n"
"is handed to the engine in metadata.resume (merged into what is there,\n"
"its keys winning).  ID may be any unique prefix of the id.\n\n"
"Options:\n"
"  --data=KEY=VALUE  one member of the data, a string (repeat for more;\n"
"                    a key given twice is an error)\n"
"  --data-json=JSON  the data as a JSON object (not with --data)\n"
"  --json            print {\"id\", \"version\", \"status\"}\n"
WAIT_HELP;

/* add "key=value" to the object; usage errors for what cannot be added */
static void
add_data(Wfctl *w, json_t *data, const char *arg)
{
	char	   *key = xstrdup(arg);
	char	   *eq = strchr(key, '=');
	json_t	   *value;

	if (eq == NULL || eq == key)
	{
		free(key);
		wfctl_usage_error(w, "--data takes KEY=VALUE, not \"%s\"", arg);
	}
	*eq = '\0';
	if (json_object_get(data, key) != NULL)
	{
		char	   *dup = xasprintf("--data key \"%s\" is given twice", key);

		free(key);
		json_decref(data);
		wfctl_usage_error(w, "%s", dup);
	}
	value = json_string(eq + 1);
	if (value == NULL || json_object_set_new(data, key, value) != 0)
	{
		free(key);
		json_decref(data);
		wfctl_usage_error(w, "--data \"%s\" is not valid UTF-8", arg);
	}
	free(key);
}

int
cmd_resume(Wfctl *w, int argc, char **argv)
{
	static const struct option longopts[] = {
		{"data", required_argument, NULL, OPT_DATA},
		{"data-json", required_argument, NULL, OPT_DATA_JSON},
		{"json", no_argument, NULL, OPT_JSON},
		{"wait", required_argument, NULL, OPT_WAIT},
		WFCTL_COMMON_LONGOPTS,
		{NULL, 0, NULL, 0}
	};
	json_t	   *data = NULL;
	char	   *data_text = NULL;
	const char *data_json = NULL;
	bool		json = false;
	long		wait = DEFAULT_WAIT;
	const char *arg_id;
	char	   *id;
	char	   *version;
	char	   *done;
	const char *params[2];
	int			opt;
	int			rc;

	while ((opt = getopt_long(argc, argv, WFCTL_COMMON_SHORTOPTS, longopts, NULL)) != -1)
	{
		if (wfctl_common_option(w, opt, resume_usage))
			continue;
		switch (opt)
		{
			case OPT_DATA:
				if (data == NULL)
				{
					data = json_object();
					if (data == NULL)
						wfctl_usage_error(w, "out of memory");
				}
				add_data(w, data, optarg);
				break;
			case OPT_DATA_JSON:
				if (data_json != NULL)
					wfctl_usage_error(w, "--data-json is given twice");
				data_json = optarg;
				break;
			case OPT_JSON:
				json = true;
				break;
			case OPT_WAIT:
				wait = parse_number(w, "--wait", optarg, 0, MAX_WAIT);
				break;
		}
	}
	if (data != NULL && data_json != NULL)
	{
		json_decref(data);
		wfctl_usage_error(w, "--data and --data-json cannot be used together");
	}
	arg_id = one_id_argument(w, argc, argv, false);

	if (data != NULL)
	{
		/* jansson allocates with malloc: free() releases it */
		data_text = json_dumps(data, JSON_COMPACT);
		json_decref(data);
		if (data_text == NULL)
		{
			wfctl_error(w, "out of memory");
			return WFCTL_EXIT_FAIL;
		}
	}

	set_wait(w, wait);
	if (data_json)
		check_json(w, "--data-json", data_json, true);
	id = wfctl_resolve(w, arg_id);

	begin(w);
	params[0] = id;
	params[1] = data_text ? data_text : data_json;
	version = write_call(w, id,
						 "SELECT @extschema@.wf_resume($1, $2::pg_catalog.jsonb)::pg_catalog.text",
						 2, params);

	done = xasprintf("resumed workflow \"%s\"", id);
	rc = report_change(w, json, id, NULL, version, done);
	free(done);
	free(version);
	free(id);
	free(data_text);
	return rc;
}

/* ---- cancel ---- */

static const char cancel_usage[] =
"Usage:\n"
"  wfctl cancel ID [--reason TEXT] [--json]\n\n"
"Cancel the run of workflow ID (running, suspended or failed): it accepts\n"
"no more writes; \"wfctl replay\" starts it again.  Cancelling a cancelled\n"
"run changes nothing.  ID may be any unique prefix of the id.\n\n"
"Options:\n"
"  --reason=TEXT   why, kept in the run's history\n"
"  --json          print {\"id\", \"version\", \"status\"}\n"
WAIT_HELP;

int
cmd_cancel(Wfctl *w, int argc, char **argv)
{
	static const struct option longopts[] = {
		{"reason", required_argument, NULL, OPT_REASON},
		{"json", no_argument, NULL, OPT_JSON},
		{"wait", required_argument, NULL, OPT_WAIT},
		WFCTL_COMMON_LONGOPTS,
		{NULL, 0, NULL, 0}
	};
	const char *reason = NULL;
	bool		json = false;
	long		wait = DEFAULT_WAIT;
	const char *arg_id;
	char	   *id;
	char	   *version;
	char	   *done;
	const char *params[2];
	PGresult   *res;
	bool		already;
	int			opt;
	int			rc;

	while ((opt = getopt_long(argc, argv, WFCTL_COMMON_SHORTOPTS, longopts, NULL)) != -1)
	{
		if (wfctl_common_option(w, opt, cancel_usage))
			continue;
		switch (opt)
		{
			case OPT_REASON:
				reason = optarg;
				break;
			case OPT_JSON:
				json = true;
				break;
			case OPT_WAIT:
				wait = parse_number(w, "--wait", optarg, 0, MAX_WAIT);
				break;
		}
	}
	arg_id = one_id_argument(w, argc, argv, false);

	set_wait(w, wait);
	id = wfctl_resolve(w, arg_id);

	begin(w);
	params[0] = id;
	params[1] = reason;

	/*
	 * cancelled is final (only a delete or an expiry ends it), so a run
	 * seen cancelled here is one this call will not change
	 */
	res = wfctl_query(w,
					  "SELECT i.status OPERATOR(pg_catalog.=) 'cancelled' "
					  "  FROM @extschema@.wf_info($1) AS i",
					  1, params);
	already = PQntuples(res) == 1 && strcmp(PQgetvalue(res, 0, 0), "t") == 0;
	PQclear(res);

	version = write_call(w, id,
						 "SELECT @extschema@.wf_cancel($1, $2)::pg_catalog.text",
						 2, params);

	if (already)
		done = xasprintf("workflow \"%s\" was already cancelled", id);
	else
		done = xasprintf("cancelled workflow \"%s\"", id);
	rc = report_change(w, json, id, NULL, version, done);
	free(done);
	free(version);
	free(id);
	return rc;
}

/* ---- replay ---- */

static const char replay_usage[] =
"Usage:\n"
"  wfctl replay ID [--as NEW_ID] [--json]\n\n"
"Start a new run of workflow ID's work: the same input and workflow name,\n"
"no steps.  ID (any status) is not changed; it may be any unique prefix of\n"
"the id.  Prints the new run's id.\n\n"
"Options:\n"
"  --as=NEW_ID     the new run's id (default: ID:replay-<8 hex digits>)\n"
"  --json          print {\"id\", \"replay_of\", \"version\", \"status\"}\n";

int
cmd_replay(Wfctl *w, int argc, char **argv)
{
	static const struct option longopts[] = {
		{"as", required_argument, NULL, OPT_AS},
		{"json", no_argument, NULL, OPT_JSON},
		WFCTL_COMMON_LONGOPTS,
		{NULL, 0, NULL, 0}
	};
	const char *new_id = NULL;
	bool		json = false;
	const char *arg_id;
	char	   *id;
	char	   *created;
	const char *params[2];
	PGresult   *res;
	int			opt;

	while ((opt = getopt_long(argc, argv, WFCTL_COMMON_SHORTOPTS, longopts, NULL)) != -1)
	{
		if (wfctl_common_option(w, opt, replay_usage))
			continue;
		switch (opt)
		{
			case OPT_AS:
				if (optarg[0] == '\0')
					wfctl_usage_error(w, "--as must not be empty");
				new_id = optarg;
				break;
			case OPT_JSON:
				json = true;
				break;
		}
	}
	arg_id = one_id_argument(w, argc, argv, false);

	id = wfctl_resolve(w, arg_id);
	begin(w);
	params[0] = id;
	params[1] = new_id;
	res = wfctl_query(w, "SELECT @extschema@.wf_replay($1, $2)", 2, params);
	created = xstrdup(PQgetvalue(res, 0, 0));
	PQclear(res);

	if (json)
	{
		params[0] = created;
		params[1] = id;
		res = wfctl_query(w,
						  "SELECT pg_catalog.jsonb_build_object('id', i.id, 'replay_of', $2::pg_catalog.text, "
						  "           'version', i.version, 'status', i.status)::pg_catalog.text "
						  "  FROM @extschema@.wf_info($1) AS i",
						  2, params);
		if (PQntuples(res) == 1)
			printf("%s\n", PQgetvalue(res, 0, 0));
		PQclear(res);
	}
	else
		printf("%s\n", created);
	commit(w);
	free(created);
	free(id);
	return wfctl_finish_output(w);
}

/* ---- delete ---- */

static const char delete_usage[] =
"Usage:\n"
"  wfctl delete ID... [--exact] [--json]\n\n"
"Delete workflows, each with its steps and history, whatever their status.\n"
"Each ID may be any unique prefix of an id (an exact id wins).  Every ID\n"
"is resolved before anything is deleted: when one names no workflow or\n"
"several, each problem is reported, nothing is deleted and the exit status\n"
"is 3.  The deletes are one transaction: all or none.\n\n"
"Options:\n"
"  --exact         ids are whole ids, never prefixes\n"
"  --json          one {\"id\", \"deleted\"} object per line\n"
WAIT_HELP;

int
cmd_delete(Wfctl *w, int argc, char **argv)
{
	static const struct option longopts[] = {
		{"exact", no_argument, NULL, OPT_EXACT},
		{"json", no_argument, NULL, OPT_JSON},
		{"wait", required_argument, NULL, OPT_WAIT},
		WFCTL_COMMON_LONGOPTS,
		{NULL, 0, NULL, 0}
	};
	bool		exact = false;
	bool		json = false;
	long		wait = DEFAULT_WAIT;
	int			opt;
	int			nargs;
	char	  **ids;
	int			nids = 0;
	int			failed = 0;
	int			rc = WFCTL_EXIT_OK;
	int			i;

	while ((opt = getopt_long(argc, argv, WFCTL_COMMON_SHORTOPTS, longopts, NULL)) != -1)
	{
		if (wfctl_common_option(w, opt, delete_usage))
			continue;
		switch (opt)
		{
			case OPT_EXACT:
				exact = true;
				break;
			case OPT_JSON:
				json = true;
				break;
			case OPT_WAIT:
				wait = parse_number(w, "--wait", optarg, 0, MAX_WAIT);
				break;
		}
	}
	nargs = argc - optind;
	if (nargs == 0)
		wfctl_usage_error(w, "missing workflow id");
	for (i = optind; i < argc; i++)
		if (argv[i][0] == '\0')
			wfctl_usage_error(w, "a workflow id must not be empty");

	set_wait(w, wait);

	/*
	 * Resolve every argument first, reporting each failure: a typo or an
	 * ambiguous prefix in a list must not leave half of it deleted.
	 */
	ids = xmalloc(sizeof(char *) * nargs);
	for (i = 0; i < nargs; i++)
	{
		const char *arg = argv[optind + i];
		const char *params[1] = {arg};
		PGresult   *res;

		if (exact)
			res = wfctl_try(w,
							"SELECT CASE WHEN @extschema@.wf_exists($1) THEN $1 END",
							1, params);
		else
			res = wfctl_try_resolve(w, arg);
		if (PQresultStatus(res) != PGRES_TUPLES_OK)
		{
			int			code = wfctl_exit_code(res);

			wfctl_report(w, res, NULL);
			/* "not found" unless something worse happened */
			if (rc == WFCTL_EXIT_OK || rc == WFCTL_EXIT_NOTFOUND)
				rc = code;
			failed++;
		}
		else if (PQgetisnull(res, 0, 0))
		{
			wfctl_error(w, "workflow \"%s\" does not exist", arg);
			if (rc == WFCTL_EXIT_OK)
				rc = WFCTL_EXIT_NOTFOUND;
			failed++;
		}
		else
		{
			const char *id = PQgetvalue(res, 0, 0);
			bool		seen = false;

			/* two arguments naming one workflow delete it once */
			for (int j = 0; j < nids; j++)
				if (strcmp(ids[j], id) == 0)
					seen = true;
			if (!seen)
				ids[nids++] = xstrdup(id);
		}
		PQclear(res);
	}

	if (failed > 0)
	{
		wfctl_error(w, "nothing deleted: %d of %d workflow ids did not name exactly one workflow",
					failed, nargs);
	}
	else
	{
		int			gone = 0;

		begin(w);
		for (i = 0; i < nids; i++)
		{
			const char *params[1] = {ids[i]};
			char	   *deleted = write_call(w, ids[i],
											 "SELECT @extschema@.wf_delete($1)",
											 1, params);
			bool		found = strcmp(deleted, "t") == 0;

			free(deleted);
			if (!found)
			{
				/* deleted or expired since it was resolved */
				wfctl_error(w, "workflow \"%s\" does not exist any more", ids[i]);
				gone++;
			}
		}
		if (gone > 0)
		{
			PQclear(wfctl_query(w, "ROLLBACK", 0, NULL));
			wfctl_error(w, "nothing deleted");
			rc = WFCTL_EXIT_NOTFOUND;
		}
		else
		{
			commit(w);
			for (i = 0; i < nids; i++)
			{
				if (json)
				{
					json_t	   *o = json_pack("{s:s, s:b}", "id", ids[i], "deleted", 1);
					char	   *text = o ? json_dumps(o, JSON_COMPACT) : NULL;

					if (text == NULL)
					{
						json_decref(o);
						wfctl_error(w, "out of memory");
						rc = WFCTL_EXIT_FAIL;
						break;
					}
					printf("%s\n", text);
					free(text);
					json_decref(o);
				}
				else
					printf("deleted workflow \"%s\"\n", ids[i]);
			}
			if (rc == WFCTL_EXIT_OK)
				rc = wfctl_finish_output(w);
		}
	}
	for (i = 0; i < nids; i++)
		free(ids[i]);
	free(ids);
	return rc;
}

/* ---- cleanup ---- */

static const char cleanup_usage[] =
"Usage:\n"
"  wfctl cleanup [--dry-run] [--batch N] [--json]\n\n"
"Delete expired workflows now (past their ttl, or finished and past their\n"
"status's retention), oldest first, one batch per transaction, as the\n"
"cleanup worker does.  Rows other transactions hold are skipped.  Needs a\n"
"role with write access (wf_grant_access); a dry run only counts.\n\n"
"Options:\n"
"  --dry-run       count the workflows that would be deleted\n"
"  --batch=N       workflows per transaction (default 1000)\n"
"  --json          print {\"count\", \"dry_run\"}\n";

int
cmd_cleanup(Wfctl *w, int argc, char **argv)
{
	static const struct option longopts[] = {
		{"dry-run", no_argument, NULL, OPT_DRY_RUN},
		{"batch", required_argument, NULL, OPT_BATCH},
		{"json", no_argument, NULL, OPT_JSON},
		WFCTL_COMMON_LONGOPTS,
		{NULL, 0, NULL, 0}
	};
	bool		dry_run = false;
	bool		json = false;
	long		batch = 1000;
	char		batchbuf[32];
	long long	total = 0;
	int			opt;

	while ((opt = getopt_long(argc, argv, WFCTL_COMMON_SHORTOPTS, longopts, NULL)) != -1)
	{
		if (wfctl_common_option(w, opt, cleanup_usage))
			continue;
		switch (opt)
		{
			case OPT_DRY_RUN:
				dry_run = true;
				break;
			case OPT_BATCH:
				batch = parse_number(w, "--batch", optarg, 1, 1000000);
				break;
			case OPT_JSON:
				json = true;
				break;
		}
	}
	if (optind < argc)
		wfctl_usage_error(w, "unexpected argument \"%s\"", argv[optind]);
	snprintf(batchbuf, sizeof(batchbuf), "%ld", batch);

	if (dry_run)
	{
		const char *params[1] = {batchbuf};
		PGresult   *res = wfctl_query(w,
									  "SELECT @extschema@.wf_cleanup($1::pg_catalog.int4, NULL, true)",
									  1, params);

		total = strtoll(PQgetvalue(res, 0, 0), NULL, 10);
		PQclear(res);
	}
	else
	{
		/*
		 * One batch per call, each its own transaction (autocommit), so
		 * nothing stays locked long; a batch that deletes nothing ends it
		 * (fewer than asked may only mean locked rows were skipped).
		 */
		for (;;)
		{
			const char *params[2] = {batchbuf, batchbuf};
			PGresult   *res = wfctl_query(w,
										  "SELECT @extschema@.wf_cleanup($1::pg_catalog.int4, "
										  "$2::pg_catalog.int8, false)",
										  2, params);
			long long	got = strtoll(PQgetvalue(res, 0, 0), NULL, 10);

			PQclear(res);
			total += got;
			if (got == 0)
				break;
			if (w->stderr_tty && !json)
				fprintf(stderr, "\r%s: %lld deleted so far", w->progname, total);
		}
		if (w->stderr_tty && !json && total > 0)
			fputc('\n', stderr);
	}

	if (json)
		printf("{\"count\": %lld, \"dry_run\": %s}\n", total, dry_run ? "true" : "false");
	else if (dry_run)
		printf("would delete %lld expired workflow%s (dry run)\n",
			   total, total == 1 ? "" : "s");
	else
		printf("deleted %lld expired workflow%s\n", total, total == 1 ? "" : "s");
	return wfctl_finish_output(w);
}
