/*-------------------------------------------------------------------------
 *
 * cmd_import.c
 *	  wfctl import and validate: workflows from JSON Lines or one document.
 *
 * Both read JSON Lines or one JSON document with jsonl.c, one record in
 * memory at a time, and send each snapshot's original text to the server.
 *
 *-------------------------------------------------------------------------
 */
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "jsonl.h"
#include "wfctl.h"

/* the reason recorded by the lifecycle calls that restore a status */
#define RESTORE_REASON "restored by wfctl import"

/* ====================================================================
 * reading records: shared by import and validate
 * ==================================================================== */

typedef struct Input
{
	FILE	   *file;
	const char *name;			/* for messages: the path, or "<stdin>" */
	JsonlReader reader;
} Input;

static bool
input_open(Wfctl *w, Input *in, const char *path, size_t limit)
{
	memset(in, 0, sizeof(*in));
	if (strcmp(path, "-") == 0)
	{
		in->file = stdin;
		in->name = "<stdin>";
	}
	else
	{
		in->file = fopen(path, "r");
		in->name = path;
		if (in->file == NULL)
		{
			wfctl_error(w, "could not open file \"%s\": %s", path, strerror(errno));
			return false;
		}
	}
	jsonl_reader_init(&in->reader, in->file, limit);
	return true;
}

static void
input_close(Input *in)
{
	jsonl_reader_free(&in->reader);
	if (in->file != stdin)
		fclose(in->file);
}

/*
 * The next record, or false at the end.  *stop is set when reading failed
 * (the message is printed).
 */
static bool
input_next(Wfctl *w, Input *in, bool *stop)
{
	JsonlStatus st = jsonl_next(&in->reader);

	*stop = false;
	switch (st)
	{
		case JSONL_RECORD:
			return true;
		case JSONL_EOF:
			return false;
		case JSONL_TOO_LONG:
			fprintf(stderr, "%s:%ld: %s is longer than %zu bytes (see --max-record-bytes)\n",
					in->name, in->reader.first_line,
					in->reader.document ? "the document" : "the line",
					in->reader.limit);
			break;
		case JSONL_IO_ERROR:
			wfctl_error(w, "could not read \"%s\": %s", in->name, strerror(errno));
			break;
	}
	*stop = true;
	return false;
}

/* "FILE:LINE: message" on stderr */
static void
line_error(const char *name, long line, const char *fmt,...)
			__attribute__((format(printf, 3, 4)));

static void
line_error(const char *name, long line, const char *fmt,...)
{
	va_list		ap;

	fprintf(stderr, "%s:%ld: ", name, line);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

/* a server error as "FILE:LINE: message", with DETAIL and HINT */
static void
line_server_error(Wfctl *w, const char *name, long line, const PGresult *res,
				  const char *hint)
{
	const char *primary = PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY);
	const char *detail = PQresultErrorField(res, PG_DIAG_MESSAGE_DETAIL);

	if (primary == NULL)
	{
		const char *msg = PQresultErrorMessage(res);

		if (msg == NULL || msg[0] == '\0')
			msg = PQerrorMessage(w->conn);
		fprintf(stderr, "%s:%ld: %s", name, line, msg);
		if (msg[0] == '\0' || msg[strlen(msg) - 1] != '\n')
			fputc('\n', stderr);
		return;
	}
	fprintf(stderr, "%s:%ld: %s\n", name, line, primary);
	if (hint == NULL)
	{
		hint = PQresultErrorField(res, PG_DIAG_MESSAGE_HINT);
		if (detail)
			fprintf(stderr, "DETAIL:  %s\n", detail);
	}
	if (hint)
		fprintf(stderr, "HINT:  %s\n", hint);
}

/* one record of the input, as import and validate need it */
typedef struct Record
{
	JsonlValue	value;
	bool		bare;			/* a snapshot, not an export record */
	const char *id;				/* export record's id (or --id) */
	const char *status;			/* export record's status, or NULL */
	const char *expires_at;		/* export record's expires_at, or NULL */
	char	   *snapshot;		/* the snapshot's original text */
	long		line;
} Record;

static void
record_free(Record *rec)
{
	jsonl_value_free(&rec->value);
	free(rec->snapshot);
	rec->snapshot = NULL;
}

/* an optional member that must be a string or null */
static bool
optional_string(const char *name, long line, json_t *root, const char *key,
				const char **value)
{
	json_t	   *v = json_object_get(root, key);

	*value = NULL;
	if (v == NULL || json_is_null(v))
		return true;
	if (!json_is_string(v))
	{
		line_error(name, line, "\"%s\" must be a string", key);
		return false;
	}
	*value = json_string_value(v);
	return true;
}

/*
 * Parse text[0, len) (first line: line) into *rec.  An object with a
 * "snapshot" member and no "formatVersion" is an export record; anything
 * else is a bare snapshot, accepted only when allow_bare.  Prints the
 * error and returns false when it cannot be used.
 */
static bool
record_parse(const char *name, const char *text, size_t len, long line,
			 bool allow_bare, const char *id_override, Record *rec)
{
	JsonlError err;
	json_t	   *root;

	memset(rec, 0, sizeof(*rec));
	rec->line = line;
	if (!jsonl_parse(text, len, &rec->value, &err))
	{
		line_error(name, line + err.line - 1, "invalid JSON at column %d: %s",
				   err.column, err.text);
		return false;
	}
	root = rec->value.root;
	rec->bare = !(json_is_object(root) &&
				  json_object_get(root, "snapshot") != NULL &&
				  json_object_get(root, "formatVersion") == NULL);
	if (rec->bare)
	{
		if (!allow_bare)
		{
			line_error(name, line, "not an export record: it has no \"snapshot\" member "
					   "(to import one bare snapshot, give its id with --id)");
			record_free(rec);
			return false;
		}
		rec->id = id_override;
		rec->snapshot = xmalloc(len + 1);
		memcpy(rec->snapshot, text, len);
		rec->snapshot[len] = '\0';
		return true;
	}

	if (!rec->value.scan.has_snapshot)
	{
		/* cannot happen: jansson found the member, the scanner did not */
		line_error(name, line, "could not find the text of the \"snapshot\" member");
		record_free(rec);
		return false;
	}
	rec->id = id_override;
	if (rec->id == NULL)
	{
		json_t	   *id = json_object_get(root, "id");

		if (id == NULL || json_is_null(id))
		{
			line_error(name, line, "the record has no \"id\"");
			record_free(rec);
			return false;
		}
		if (!json_is_string(id))
		{
			line_error(name, line, "\"id\" must be a string");
			record_free(rec);
			return false;
		}
		rec->id = json_string_value(id);
	}
	if (!optional_string(name, line, root, "status", &rec->status) ||
		!optional_string(name, line, root, "expires_at", &rec->expires_at))
	{
		record_free(rec);
		return false;
	}
	if (rec->status != NULL &&
		strcmp(rec->status, "running") != 0 && strcmp(rec->status, "suspended") != 0 &&
		strcmp(rec->status, "completed") != 0 && strcmp(rec->status, "failed") != 0 &&
		strcmp(rec->status, "cancelled") != 0)
	{
		line_error(name, line, "invalid status \"%s\" (running, suspended, completed, "
				   "failed or cancelled)", rec->status);
		record_free(rec);
		return false;
	}
	{
		size_t		start = rec->value.scan.snapshot_start;
		size_t		n = rec->value.scan.snapshot_end - start;

		rec->snapshot = xmalloc(n + 1);
		memcpy(rec->snapshot, text + start, n);
		rec->snapshot[n] = '\0';
	}
	return true;
}

static size_t
parse_limit(Wfctl *w, const char *arg)
{
	char	   *end;
	unsigned long long v;

	errno = 0;
	v = strtoull(arg, &end, 10);
	if (*arg == '\0' || *arg == '-' || *end != '\0' || errno != 0 || v < 1 ||
		v > (unsigned long long) JSONL_DEFAULT_LIMIT * 4)
		wfctl_usage_error(w, "--max-record-bytes must be a number from 1 to %zu, not \"%s\"",
						  JSONL_DEFAULT_LIMIT * 4, arg);
	return (size_t) v;
}

/* ====================================================================
 * import
 * ==================================================================== */

static const char import_usage[] =
"Usage:\n"
"  wfctl import FILE|- [--atomic] [--dry-run] [--replace] [--id ID]\n\n"
"Read workflows written by \"wfctl export\": JSON Lines (one record per\n"
"line, blank lines skipped) or one JSON document, possibly on several\n"
"lines.  With --id, the input is one document: an export record (stored\n"
"under ID) or a bare snapshot.  Each workflow is saved with wf_save; its\n"
"expiry and a cancelled or suspended status are restored.\n\n"
"Options:\n"
"  --atomic               all or nothing, in one transaction (default:\n"
"                         each workflow in its own; failures are reported\n"
"                         and the others imported)\n"
"  --dry-run              check only (JSON, the server's wf_validate, ids\n"
"                         that exist); write nothing\n"
"  --replace              replace workflows that exist (default: an error\n"
"                         for that record, exit status 4)\n"
"  --id=ID                the id of the one workflow of the input\n"
"  --max-record-bytes=N   longest line or document (default 1 GB)\n";

typedef struct ImportOpts
{
	bool		atomic;
	bool		dry_run;
	bool		replace;
	bool		strict;			/* dry run: the server validates strictly */
} ImportOpts;

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
 * rolls back).  Errors are printed here.
 */
static Outcome
import_write(Wfctl *w, const char *name, const Record *rec, const ImportOpts *o)
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
			line_error(name, rec->line, "workflow \"%s\" already exists", rec->id);
			fprintf(stderr, "HINT:  Use --replace to overwrite it.\n");
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

		line_server_error(w, name, rec->line, err,
						  conflict && !o->replace ? "Use --replace to overwrite it." : NULL);
		PQclear(err);
		return conflict ? OUTCOME_CONFLICT : OUTCOME_FAILED;
	}
}

/* --dry-run: the checks the server would make, without writing */
static bool
import_check(Wfctl *w, const char *name, const Record *rec, const ImportOpts *o,
			 ImportCounts *n)
{
	const char *params[2] = {rec->snapshot, o->strict ? "true" : "false"};
	PGresult   *res = wfctl_try(w, "SELECT m FROM pg_catalog.unnest(@extschema@.wf_validate("
								"$1::pg_catalog.jsonb, $2::pg_catalog.bool)) AS m",
								2, params);
	bool		ok = true;

	if (PQresultStatus(res) != PGRES_TUPLES_OK)
	{
		line_server_error(w, name, rec->line, res, NULL);
		PQclear(res);
		n->failed++;
		return false;
	}
	for (int i = 0; i < PQntuples(res); i++)
		line_error(name, rec->line, "%s", PQgetvalue(res, i, 0));
	ok = PQntuples(res) == 0;
	PQclear(res);

	params[0] = rec->id;
	res = wfctl_try(w, "SELECT @extschema@.wf_exists($1)", 1, params);
	if (PQresultStatus(res) != PGRES_TUPLES_OK)
	{
		line_server_error(w, name, rec->line, res, NULL);
		ok = false;
	}
	else if (!o->replace && strcmp(PQgetvalue(res, 0, 0), "t") == 0)
	{
		line_error(name, rec->line, "workflow \"%s\" already exists", rec->id);
		fprintf(stderr, "HINT:  Use --replace to overwrite it.\n");
		if (ok)
			n->conflicts++;
		ok = false;
	}
	PQclear(res);
	if (ok)
		n->imported++;
	else
		n->failed++;
	return ok;
}

/* import one record; false when the connection is gone */
static bool
import_record(Wfctl *w, const char *name, const Record *rec,
			  const ImportOpts *o, ImportCounts *n)
{
	PGresult   *err;
	Outcome		outcome = OUTCOME_FAILED;

	if (o->dry_run)
	{
		import_check(w, name, rec, o, n);
		return PQstatus(w->conn) == CONNECTION_OK;
	}
	err = run(w, o->atomic ? "SAVEPOINT wfctl_record" : "BEGIN", 0, NULL, NULL);
	if (err == NULL)
	{
		outcome = import_write(w, name, rec, o);
		if (outcome == OUTCOME_IMPORTED || outcome == OUTCOME_SKIPPED)
		{
			err = run(w, o->atomic ? "RELEASE SAVEPOINT wfctl_record" : "COMMIT",
					  0, NULL, NULL);
			if (err != NULL)
				outcome = OUTCOME_FAILED;
		}
	}
	if (err != NULL)
	{
		line_server_error(w, name, rec->line, err, NULL);
		if (wfctl_exit_code(err) == WFCTL_EXIT_CONFLICT)
			outcome = OUTCOME_CONFLICT;
		PQclear(err);
	}
	if (PQstatus(w->conn) != CONNECTION_OK)
	{
		n->failed++;
		return false;
	}
	switch (outcome)
	{
		case OUTCOME_IMPORTED:
			n->imported++;
			break;
		case OUTCOME_SKIPPED:
			line_error(name, rec->line, "workflow \"%s\" expired at %s: skipped",
					   rec->id, rec->expires_at);
			n->skipped++;
			break;
		case OUTCOME_CONFLICT:
		case OUTCOME_FAILED:
			n->failed++;
			if (outcome == OUTCOME_CONFLICT)
				n->conflicts++;
			err = run(w, o->atomic ? "ROLLBACK TO SAVEPOINT wfctl_record" : "ROLLBACK",
					  0, NULL, NULL);
			if (err != NULL)
			{
				wfctl_report(w, err, NULL);
				PQclear(err);
				return false;
			}
			break;
	}
	if (w->stderr_tty && (n->imported + n->failed) % WFCTL_PROGRESS_EVERY == 0)
		fprintf(stderr, "\r%s import: %ld workflows", w->progname, n->imported);
	return true;
}

int
cmd_import(Wfctl *w, int argc, char **argv)
{
	static const struct option longopts[] = {
		{"atomic", no_argument, NULL, 'A'},
		{"dry-run", no_argument, NULL, 'n'},
		{"replace", no_argument, NULL, 'R'},
		{"id", required_argument, NULL, 'i'},
		{"max-record-bytes", required_argument, NULL, 'M'},
		WFCTL_COMMON_LONGOPTS,
		{NULL, 0, NULL, 0}
	};
	ImportOpts	o;
	ImportCounts n;
	const char *id = NULL;
	size_t		limit = JSONL_DEFAULT_LIMIT;
	int			opt;
	Input		in;
	bool		stop = false;
	bool		alive = true;
	int			rc;

	memset(&o, 0, sizeof(o));
	memset(&n, 0, sizeof(n));
	while ((opt = getopt_long(argc, argv, WFCTL_COMMON_SHORTOPTS, longopts, NULL)) != -1)
	{
		if (wfctl_common_option(w, opt, import_usage))
			continue;
		switch (opt)
		{
			case 'A':
				o.atomic = true;
				break;
			case 'n':
				o.dry_run = true;
				break;
			case 'R':
				o.replace = true;
				break;
			case 'i':
				id = optarg;
				if (id[0] == '\0')
					wfctl_usage_error(w, "--id must not be empty");
				break;
			case 'M':
				limit = parse_limit(w, optarg);
				break;
		}
	}
	if (optind >= argc)
		wfctl_usage_error(w, "give the file to import (or - for standard input)");
	if (optind + 1 < argc)
		wfctl_usage_error(w, "unexpected argument \"%s\"", argv[optind + 1]);

	wfctl_connect(w);
	if (!input_open(w, &in, argv[optind], limit))
		return WFCTL_EXIT_FAIL;
	if (o.dry_run)
	{
		/* validate as the server's wf_save would (loading the library first) */
		PGresult   *res = wfctl_query(w, "SELECT @extschema@.wf_is_valid('{}'::pg_catalog.jsonb)",
									  0, NULL);

		PQclear(res);
		res = wfctl_query(w, "SELECT pg_catalog.current_setting('workflow_persist.validation', true) "
						  "OPERATOR(pg_catalog.=) 'strict'", 0, NULL);
		o.strict = strcmp(PQgetvalue(res, 0, 0), "t") == 0;
		PQclear(res);
	}
	else if (o.atomic)
		PQclear(wfctl_query(w, "BEGIN", 0, NULL));

	if (id != NULL)
	{
		/* one document: read it whole, and make sure nothing follows */
		if (input_next(w, &in, &stop))
		{
			char	   *text = xmalloc(in.reader.len + 1);
			size_t		len = in.reader.len;
			long		line = in.reader.first_line;
			Record		rec;

			memcpy(text, in.reader.buf, len + 1);
			if (input_next(w, &in, &stop))
			{
				line_error(in.name, in.reader.first_line,
						   "--id imports one document, but the input holds more than one");
				n.failed++;
			}
			else if (!stop)
			{
				if (record_parse(in.name, text, len, line, true, id, &rec))
				{
					alive = import_record(w, in.name, &rec, &o, &n);
					record_free(&rec);
				}
				else
					n.failed++;
			}
			free(text);
		}
		else if (!stop)
		{
			fprintf(stderr, "%s: the input is empty\n", in.name);
			n.failed++;
		}
	}
	else
	{
		while (alive && input_next(w, &in, &stop))
		{
			Record		rec;

			if (!record_parse(in.name, in.reader.buf, in.reader.len,
							  in.reader.first_line, false, NULL, &rec))
			{
				n.failed++;
				continue;
			}
			alive = import_record(w, in.name, &rec, &o, &n);
			record_free(&rec);
		}
	}
	input_close(&in);
	if (w->stderr_tty && n.imported + n.failed >= WFCTL_PROGRESS_EVERY)
		fputc('\n', stderr);

	if (!alive)
		stop = true;
	if (o.atomic && !o.dry_run && alive)
	{
		PGresult   *res;

		if (stop || n.failed > 0)
			res = wfctl_try(w, "ROLLBACK", 0, NULL);
		else
			res = wfctl_try(w, "COMMIT", 0, NULL);
		if (PQresultStatus(res) != PGRES_COMMAND_OK)
		{
			wfctl_report(w, res, NULL);
			stop = true;
		}
		PQclear(res);
	}

	if (o.dry_run)
		fprintf(stderr, "%s import: dry run: %ld valid, %ld invalid; nothing written\n",
				w->progname, n.imported, n.failed);
	else if (o.atomic && (stop || n.failed > 0))
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
	return rc;
}

/* ====================================================================
 * validate
 * ==================================================================== */

static const char validate_usage[] =
"Usage:\n"
"  wfctl validate FILE|- [--strict]\n\n"
"Check snapshots with the server's rules (wf_validate): JSON Lines of bare\n"
"snapshots or export records, or one JSON document.  Every error is\n"
"printed as FILE:LINE: message; a summary goes to standard error.\n\n"
"Options:\n"
"  --strict               also the strict checks (workflow_persist's own)\n"
"  --max-record-bytes=N   longest line or document (default 1 GB)\n";

int
cmd_validate(Wfctl *w, int argc, char **argv)
{
	static const struct option longopts[] = {
		{"strict", no_argument, NULL, 's'},
		{"max-record-bytes", required_argument, NULL, 'M'},
		WFCTL_COMMON_LONGOPTS,
		{NULL, 0, NULL, 0}
	};
	bool		strict = false;
	size_t		limit = JSONL_DEFAULT_LIMIT;
	int			opt;
	Input		in;
	bool		stop = false;
	long		valid = 0;
	long		invalid = 0;

	while ((opt = getopt_long(argc, argv, WFCTL_COMMON_SHORTOPTS, longopts, NULL)) != -1)
	{
		if (wfctl_common_option(w, opt, validate_usage))
			continue;
		switch (opt)
		{
			case 's':
				strict = true;
				break;
			case 'M':
				limit = parse_limit(w, optarg);
				break;
		}
	}
	if (optind >= argc)
		wfctl_usage_error(w, "give the file to validate (or - for standard input)");
	if (optind + 1 < argc)
		wfctl_usage_error(w, "unexpected argument \"%s\"", argv[optind + 1]);

	wfctl_connect(w);
	if (!input_open(w, &in, argv[optind], limit))
		return WFCTL_EXIT_FAIL;
	while (input_next(w, &in, &stop))
	{
		Record		rec;
		const char *params[2];
		PGresult   *res;

		if (!record_parse(in.name, in.reader.buf, in.reader.len,
						  in.reader.first_line, true, NULL, &rec))
		{
			invalid++;
			continue;
		}
		params[0] = rec.snapshot;
		params[1] = strict ? "true" : "false";
		res = wfctl_try(w, "SELECT m FROM pg_catalog.unnest(@extschema@.wf_validate("
						"$1::pg_catalog.jsonb, $2::pg_catalog.bool)) AS m", 2, params);
		if (PQresultStatus(res) != PGRES_TUPLES_OK)
		{
			line_server_error(w, in.name, rec.line, res, NULL);
			invalid++;
		}
		else
		{
			for (int i = 0; i < PQntuples(res); i++)
				line_error(in.name, rec.line, "%s", PQgetvalue(res, i, 0));
			if (PQntuples(res) > 0)
				invalid++;
			else
				valid++;
		}
		PQclear(res);
		record_free(&rec);
		if (PQstatus(w->conn) != CONNECTION_OK)
		{
			stop = true;
			break;
		}
	}
	input_close(&in);
	fprintf(stderr, "%s validate: %ld valid, %ld invalid%s\n", w->progname,
			valid, invalid, stop ? " (stopped early)" : "");
	return (stop || invalid > 0) ? WFCTL_EXIT_FAIL : WFCTL_EXIT_OK;
}
