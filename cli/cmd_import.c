/*-------------------------------------------------------------------------
 *
 * cmd_import.c
 *	  wfctl import: workflows from JSON Lines or one document.
 *
 * The records are read with records.c, one in memory at a time; each
 * snapshot's original text is saved with wf_save, then its expiry and a
 * cancelled or suspended status are restored.
 *
 *-------------------------------------------------------------------------
 */
#include <stdlib.h>
#include <string.h>

#include "records.h"

/* the reason recorded by the lifecycle calls that restore a status */
#define RESTORE_REASON "restored by wfctl import"

typedef struct ImportOpts
{
	bool		atomic;
	bool		dry_run;
	bool		replace;
	const char *id;				/* --id: the one workflow of the input */
	long		limit;			/* --max-record-bytes */
	bool		strict;			/* dry run: the server validates strictly */
} ImportOpts;

static ImportOpts import_opts = {.limit = JSONL_DEFAULT_LIMIT};

typedef struct ImportCounts
{
	long		imported;
	long		skipped;
	long		failed;
	long		conflicts;		/* of failed: the workflow exists */
} ImportCounts;

/*
 * Run one statement of a record's import; returns NULL on success (the
 * result is cleared, or handed to *keep when keep is not NULL) or the
 * error result.
 */
static PGresult *
run(Wfctl *w, const char *sql, int nparams, const char *const *params,
	PGresult **keep)
{
	PGresult   *res = wfctl_try(w, sql, nparams, params);
	ExecStatusType st = PQresultStatus(res);

	if (st != PGRES_TUPLES_OK && st != PGRES_COMMAND_OK)
		return res;
	if (keep)
		*keep = res;
	else
		PQclear(res);
	return NULL;
}

/* what became of one record */
typedef enum Outcome
{
	OUTCOME_IMPORTED,
	OUTCOME_SKIPPED,			/* already expired */
	OUTCOME_CONFLICT,			/* the workflow exists (no --replace) */
	OUTCOME_FAILED
} Outcome;

/*
 * Write one record inside the current transaction (the caller commits or
 * rolls back).  Errors are reported here.
 */
static Outcome
import_write(Wfctl *w, Report *r, const Record *rec, const ImportOpts *o)
{
	PGresult   *err = NULL;
	PGresult   *res = NULL;
	const char *params[4];

	params[0] = rec->id;
	if (rec->expires_at != NULL)
	{
		bool		expired;

		params[1] = rec->expires_at;
		if ((err = run(w, "SELECT $1::pg_catalog.timestamptz "
					   "OPERATOR(pg_catalog.<=) pg_catalog.now()", 1, params + 1, &res)))
			goto fail;
		expired = strcmp(PQgetvalue(res, 0, 0), "t") == 0;
		PQclear(res);
		if (expired)
			return OUTCOME_SKIPPED;
	}
	if (o->replace)
	{
		if ((err = run(w, "SELECT @extschema@.wf_delete($1)", 1, params, NULL)))
			goto fail;
	}
	else
	{
		/*
		 * wf_save's expected_version 0 below catches a workflow created
		 * meanwhile; this gives the same answer for a completed or
		 * cancelled one, which wf_save would refuse as not writable.
		 */
		bool		exists;

		if ((err = run(w, "SELECT @extschema@.wf_exists($1)", 1, params, &res)))
			goto fail;
		exists = strcmp(PQgetvalue(res, 0, 0), "t") == 0;
		PQclear(res);
		if (exists)
		{
			report_error(r, "Use --replace to overwrite it.",
						 "workflow \"%s\" already exists", rec->id);
			return OUTCOME_CONFLICT;
		}
	}
	params[1] = rec->snapshot;
	params[2] = rec->expires_at;
	params[3] = o->replace ? NULL : "0";
	/*
	 * The ttl that gives back expires_at exactly, in seconds (timestamptz
	 * minus timestamptz would count days, which a DST change lengthens).
	 */
	if ((err = run(w, "SELECT @extschema@.wf_save($1, $2::pg_catalog.jsonb, "
				   "(EXTRACT(epoch FROM $3::pg_catalog.timestamptz) "
				   "  OPERATOR(pg_catalog.-) EXTRACT(epoch FROM pg_catalog.now()))::pg_catalog.float8 "
				   "  OPERATOR(pg_catalog.*) '1 second'::pg_catalog.interval, "
				   "$4::pg_catalog.int8)", 4, params, NULL)))
		goto fail;
	if (rec->status == NULL)
		return OUTCOME_IMPORTED;
	params[1] = RESTORE_REASON;
	if (strcmp(rec->status, "cancelled") == 0)
	{
		if ((err = run(w, "SELECT @extschema@.wf_cancel($1, $2)", 2, params, NULL)))
			goto fail;
	}
	else if (strcmp(rec->status, "suspended") == 0)
	{
		bool		suspended;

		/* a waiting step made it suspended already; else wf_suspend had */
		if ((err = run(w, "SELECT i.status OPERATOR(pg_catalog.=) 'suspended' "
					   "FROM @extschema@.wf_info($1) AS i", 1, params, &res)))
			goto fail;
		suspended = PQntuples(res) == 1 && strcmp(PQgetvalue(res, 0, 0), "t") == 0;
		PQclear(res);
		if (!suspended &&
			(err = run(w, "SELECT @extschema@.wf_suspend($1, $2)", 2, params, NULL)))
			goto fail;
	}
	return OUTCOME_IMPORTED;

fail:
	{
		const char *state = PQresultErrorField(err, PG_DIAG_SQLSTATE);
		bool		conflict = state != NULL && strcmp(state, "40001") == 0;

		report_server_error(r, err,
							conflict && !o->replace ? "Use --replace to overwrite it." : NULL);
		PQclear(err);
		return conflict ? OUTCOME_CONFLICT : OUTCOME_FAILED;
	}
}

/*
 * --dry-run: the checks the server would make, without writing; the
 * outcome is OUTCOME_IMPORTED when the record would be imported
 */
static Outcome
import_check(Wfctl *w, Report *r, const Record *rec, const ImportOpts *o)
{
	const char *params[1] = {rec->id};
	int			problems = record_validate(w, r, rec->snapshot, o->strict);
	Outcome		outcome = problems == 0 ? OUTCOME_IMPORTED : OUTCOME_FAILED;
	PGresult   *res;

	if (problems < 0)
		return OUTCOME_FAILED;
	res = wfctl_try(w, "SELECT @extschema@.wf_exists($1)", 1, params);
	if (PQresultStatus(res) != PGRES_TUPLES_OK)
	{
		report_server_error(r, res, NULL);
		outcome = OUTCOME_FAILED;
	}
	else if (!o->replace && strcmp(PQgetvalue(res, 0, 0), "t") == 0)
	{
		report_error(r, "Use --replace to overwrite it.",
					 "workflow \"%s\" already exists", rec->id);
		if (outcome == OUTCOME_IMPORTED)
			outcome = OUTCOME_CONFLICT;
	}
	PQclear(res);
	return outcome;
}

/*
 * Import (or, dry run, check) one record, counting it in *n; *outcome
 * tells what became of it.  Returns false when the connection is gone.
 */
static bool
import_record(Wfctl *w, Report *r, const Record *rec, const ImportOpts *o,
			  ImportCounts *n, Outcome *outcome)
{
	PGresult   *err;

	*outcome = OUTCOME_FAILED;
	if (o->dry_run)
	{
		*outcome = import_check(w, r, rec, o);
		if (*outcome == OUTCOME_IMPORTED)
			n->imported++;
		else
		{
			n->failed++;
			if (*outcome == OUTCOME_CONFLICT)
				n->conflicts++;
		}
		return PQstatus(w->conn) == CONNECTION_OK;
	}
	err = run(w, o->atomic ? "SAVEPOINT wfctl_record" : "BEGIN", 0, NULL, NULL);
	if (err == NULL)
	{
		*outcome = import_write(w, r, rec, o);
		if (*outcome == OUTCOME_IMPORTED || *outcome == OUTCOME_SKIPPED)
		{
			err = run(w, o->atomic ? "RELEASE SAVEPOINT wfctl_record" : "COMMIT",
					  0, NULL, NULL);
			if (err != NULL)
				*outcome = OUTCOME_FAILED;
		}
	}
	if (err != NULL)
	{
		report_server_error(r, err, NULL);
		if (wfctl_exit_code(w, err) == WFCTL_EXIT_CONFLICT)
			*outcome = OUTCOME_CONFLICT;
		PQclear(err);
	}
	if (PQstatus(w->conn) != CONNECTION_OK)
	{
		*outcome = OUTCOME_FAILED;
		n->failed++;
		return false;
	}
	switch (*outcome)
	{
		case OUTCOME_IMPORTED:
			n->imported++;
			break;
		case OUTCOME_SKIPPED:
			/* with --json, "result": "skipped" and "expires_at" say it */
			if (!r->json)
				report_error(r, NULL, "workflow \"%s\" expired at %s: skipped",
							 rec->id, rec->expires_at);
			n->skipped++;
			break;
		case OUTCOME_CONFLICT:
		case OUTCOME_FAILED:
			n->failed++;
			if (*outcome == OUTCOME_CONFLICT)
				n->conflicts++;
			err = run(w, o->atomic ? "ROLLBACK TO SAVEPOINT wfctl_record" : "ROLLBACK",
					  0, NULL, NULL);
			if (err != NULL)
			{
				wfctl_report(w, err);
				PQclear(err);
				return false;
			}
			break;
	}
	if (w->stderr_tty && (n->imported + n->failed) % WFCTL_PROGRESS_EVERY == 0)
		fprintf(stderr, "\r%s import: %ld workflows", w->progname, n->imported);
	return true;
}

/*
 * --json: the record's line.  rec is NULL when the record could not be
 * parsed.
 */
static void
import_print(Report *r, const ImportOpts *o, const Record *rec, Outcome outcome)
{
	const char *result;
	json_t	   *fields;

	if (!r->json)
		return;
	switch (outcome)
	{
		case OUTCOME_IMPORTED:
			result = o->dry_run ? "valid" : "imported";
			break;
		case OUTCOME_SKIPPED:
			result = "skipped";
			break;
		default:
			result = o->dry_run ? "invalid" : "failed";
			break;
	}
	fields = json_pack("{s:s, s:b}", "result", result,
					   "conflict", outcome == OUTCOME_CONFLICT);
	if (fields == NULL)
		wfctl_out_of_memory();
	if (outcome == OUTCOME_SKIPPED && rec != NULL)
		jset(fields, "expires_at", jstr(rec->expires_at));
	report_print(r, fields);
}

/* parse, import and (--json) report one record; false when the connection is gone */
static bool
import_one(Wfctl *w, Report *r, const char *text, size_t len, const char *id,
		   const ImportOpts *o, ImportCounts *n)
{
	Record		rec;
	Outcome		outcome;
	bool		alive;

	if (!record_parse(r, text, len, id != NULL, id, &rec))
	{
		n->failed++;
		import_print(r, o, NULL, OUTCOME_FAILED);
		return true;
	}
	alive = import_record(w, r, &rec, o, n, &outcome);
	import_print(r, o, &rec, outcome);
	record_free(&rec);
	return alive;
}

static int
run_import(Wfctl *w)
{
	ImportOpts *o = &import_opts;
	ImportCounts n;
	const char *id = o->id;
	Input		in;
	Report		rep;
	bool		stop = false;
	bool		alive = true;
	int			rc;

	memset(&n, 0, sizeof(n));
	wfctl_connect(w);
	if (o->atomic && !o->dry_run && w->router)
	{
		/* a router runs each call on its shard in a transaction of its own */
		wfctl_error(w, "--atomic needs one server: through a router (workflow_persist_router) "
					"each call commits on its shard by itself");
		fprintf(stderr, "HINT:  Import without --atomic, or into each shard directly.\n");
		wfctl_disconnect(w);
		return WFCTL_EXIT_FAIL;
	}
	if (!input_open(w, &in, w->args[0], (size_t) o->limit))
		return WFCTL_EXIT_FAIL;
	report_init(&rep, w, in.name, w->json);
	if (o->dry_run)
	{
		/* validate as the server's wf_save would (loading the library first) */
		PGresult   *res = wfctl_query(w, "SELECT @extschema@.wf_is_valid('{}'::pg_catalog.jsonb)",
									  0, NULL);

		PQclear(res);
		res = wfctl_query(w, "SELECT pg_catalog.current_setting('workflow_persist.validation', true) "
						  "OPERATOR(pg_catalog.=) 'strict'", 0, NULL);
		o->strict = strcmp(PQgetvalue(res, 0, 0), "t") == 0;
		PQclear(res);
	}
	else if (o->atomic)
		wfctl_exec(w, "BEGIN");

	if (id != NULL)
	{
		/* one document: read it whole, and make sure nothing follows */
		if (input_next(w, &in, &stop))
		{
			char	   *text = xmalloc(in.reader.len + 1);
			size_t		len = in.reader.len;
			long		line = in.reader.first_line;

			memcpy(text, in.reader.buf, len + 1);
			if (input_next(w, &in, &stop))
			{
				line_error(in.name, in.reader.first_line,
						   "--id imports one document, but the input holds more than one");
				n.failed++;
			}
			else if (!stop)
			{
				report_start(&rep, line);
				alive = import_one(w, &rep, text, len, id, o, &n);
			}
			free(text);
		}
		else if (!stop)
		{
			wfctl_line(stderr, "%s: the input is empty", in.name);
			n.failed++;
		}
	}
	else
	{
		while (alive && input_next(w, &in, &stop))
		{
			report_start(&rep, in.reader.first_line);
			alive = import_one(w, &rep, in.reader.buf, in.reader.len, NULL, o, &n);
		}
	}
	report_free(&rep);
	input_close(&in);
	if (w->stderr_tty && n.imported + n.failed >= WFCTL_PROGRESS_EVERY)
		fputc('\n', stderr);

	if (!alive)
		stop = true;
	if (o->atomic && !o->dry_run && alive)
	{
		PGresult   *res;

		if (stop || n.failed > 0)
			res = wfctl_try(w, "ROLLBACK", 0, NULL);
		else
			res = wfctl_try(w, "COMMIT", 0, NULL);
		if (PQresultStatus(res) != PGRES_COMMAND_OK)
		{
			wfctl_report(w, res);
			stop = true;
		}
		PQclear(res);
	}

	if (o->dry_run)
		fprintf(stderr, "%s import: dry run: %ld valid, %ld invalid; nothing written\n",
				w->progname, n.imported, n.failed);
	else if (o->atomic && (stop || n.failed > 0))
		fprintf(stderr, "%s import: %ld failed; nothing imported (--atomic)\n",
				w->progname, n.failed);
	else
		fprintf(stderr, "%s import: %ld imported, %ld failed, %ld skipped (expired)\n",
				w->progname, n.imported, n.failed, n.skipped);

	if (stop || n.failed > n.conflicts)
		rc = WFCTL_EXIT_FAIL;
	else if (n.failed > 0)
		rc = WFCTL_EXIT_CONFLICT;
	else
		rc = WFCTL_EXIT_OK;
	return records_exit(w, rc);
}

const WfctlCommand wfctl_cmd_import = {
	.name = "import",
	.summary = "read workflows from JSON Lines or one JSON document",
	.usage = "FILE|- [--atomic] [--dry-run] [--replace] [--id ID] [--json]",
	.description =
	"Read workflows written by \"wfctl export\": JSON Lines (one record per\n"
	"line, blank lines skipped) or one JSON document, possibly on several\n"
	"lines.  With --id, the input is one document: an export record (stored\n"
	"under ID) or a bare snapshot.  Each workflow is saved with wf_save; its\n"
	"expiry and a cancelled or suspended status are restored.\n",
	.options = (const WfctlOption[]) {
		{.name = "atomic", .type = WFCTL_OPT_FLAG, .target = &import_opts.atomic,
			.help = "all or nothing, in one transaction (default:\n"
			"each workflow in its own; failures are reported\n"
		"and the others imported)"},
		{.name = "dry-run", .type = WFCTL_OPT_FLAG, .target = &import_opts.dry_run,
			.help = "check only (JSON, the server's wf_validate, ids\n"
		"that exist); write nothing"},
		{.name = "replace", .type = WFCTL_OPT_FLAG, .target = &import_opts.replace,
			.help = "replace workflows that exist (default: an error\n"
		"for that record, exit status 4)"},
		{.name = "id", .type = WFCTL_OPT_TEXT, .arg = "ID", .target = &import_opts.id,
			.nonempty = true,
		.help = "the id of the one workflow of the input"},
		RECORDS_LIMIT_OPTION(&import_opts.limit),
		{0}
	},
	.args = (const WfctlArg[]) {
		{.name = "FILE", .missing = "give the file to import (or - for standard input)", .file = true},
		{0}
	},
	.flags = WFCTL_F_JSON | WFCTL_F_WRITES,
	.json_help =
	"one JSON object per record on standard output:\n"
	"{\"file\", \"line\", \"id\", \"result\", \"conflict\",\n"
	"\"errors\"}; the summary stays on standard error",
	.run = run_import,
};
