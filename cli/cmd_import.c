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

/* ====================================================================
 * a record's messages: on stderr, or in its --json line
 * ==================================================================== */

/*
 * Without --json each message is printed at once as "FILE:LINE: message"
 * (a server error with its DETAIL and HINT lines).  With --json they are
 * collected as objects, {"message", "sqlstate", "detail", "hint"} (the
 * last three when the server gave them; "line" and "column" for JSON
 * syntax errors), and printed in the record's line on standard output
 * (report_print).
 */
typedef struct Report
{
	Wfctl	   *w;
	const char *name;			/* the input's name */
	bool		json;
	long		line;			/* the current record's first line */
	char	   *id;				/* --json: its id, when known */
	json_t	   *errors;			/* --json: its messages */
} Report;

static void
json_out_of_memory(void)
{
	fputs("wfctl: error: out of memory\n", stderr);
	exit(WFCTL_EXIT_FAIL);
}

/*
 * A JSON string of s (null for NULL).  Bytes that are not UTF-8 (a file
 * name, a message in another client encoding) become U+FFFD: jansson
 * accepts only UTF-8.
 */
static json_t *
jstr(const char *s)
{
	json_t	   *v;

	if (s == NULL)
		v = json_null();
	else if ((v = json_string(s)) == NULL)
	{
		const unsigned char *p = (const unsigned char *) s;
		char	   *copy = xmalloc(strlen(s) * 3 + 1);
		size_t		n = 0;

		while (*p)
		{
			size_t		len = 0;

			if (p[0] < 0x80)
				len = 1;
			else if (p[0] >= 0xC2 && p[0] <= 0xDF)
				len = (p[1] & 0xC0) == 0x80 ? 2 : 0;
			else if (p[0] >= 0xE0 && p[0] <= 0xEF)
			{
				if ((p[1] & 0xC0) == 0x80 && (p[2] & 0xC0) == 0x80 &&
					!(p[0] == 0xE0 && p[1] < 0xA0) && !(p[0] == 0xED && p[1] > 0x9F))
					len = 3;
			}
			else if (p[0] >= 0xF0 && p[0] <= 0xF4)
			{
				if ((p[1] & 0xC0) == 0x80 && (p[2] & 0xC0) == 0x80 &&
					(p[3] & 0xC0) == 0x80 &&
					!(p[0] == 0xF0 && p[1] < 0x90) && !(p[0] == 0xF4 && p[1] > 0x8F))
					len = 4;
			}
			if (len == 0)
			{
				memcpy(copy + n, "\xEF\xBF\xBD", 3);
				n += 3;
				p++;
			}
			else
			{
				memcpy(copy + n, p, len);
				n += len;
				p += len;
			}
		}
		copy[n] = '\0';
		v = json_string(copy);
		free(copy);
	}
	if (v == NULL)
		json_out_of_memory();
	return v;
}

/* set key of obj to value (a new reference, taken over); exit when out of memory */
static void
jset(json_t *obj, const char *key, json_t *value)
{
	if (value == NULL || json_object_set_new(obj, key, value) != 0)
		json_out_of_memory();
}

static json_t *
jobject(void)
{
	json_t	   *o = json_object();

	if (o == NULL)
		json_out_of_memory();
	return o;
}

static void
report_init(Report *r, Wfctl *w, const char *name, bool json)
{
	memset(r, 0, sizeof(*r));
	r->w = w;
	r->name = name;
	r->json = json;
	if (json && (r->errors = json_array()) == NULL)
		json_out_of_memory();
}

/* a new record, starting on line */
static void
report_start(Report *r, long line)
{
	r->line = line;
	free(r->id);
	r->id = NULL;
	if (r->json)
		json_array_clear(r->errors);
}

static void
report_free(Report *r)
{
	free(r->id);
	r->id = NULL;
	json_decref(r->errors);
	r->errors = NULL;
}

/* the record's id, as soon as it is known (for the --json line) */
static void
report_id(Report *r, const char *id)
{
	if (r->json && id != NULL)
	{
		free(r->id);
		r->id = xstrdup(id);
	}
}

static void
report_add(Report *r, json_t *error)
{
	if (json_array_append_new(r->errors, error) != 0)
		json_out_of_memory();
}

/* a message about the record (hint may be NULL) */
static void
report_error(Report *r, const char *hint, const char *fmt,...)
			__attribute__((format(printf, 3, 4)));

static void
report_error(Report *r, const char *hint, const char *fmt,...)
{
	va_list		ap;
	char	   *msg;
	int			len;

	va_start(ap, fmt);
	len = vasprintf(&msg, fmt, ap);
	va_end(ap);
	if (len < 0)
		json_out_of_memory();
	if (r->json)
	{
		json_t	   *e = jobject();

		jset(e, "message", jstr(msg));
		if (hint)
			jset(e, "hint", jstr(hint));
		report_add(r, e);
	}
	else
	{
		fprintf(stderr, "%s:%ld: %s\n", r->name, r->line, msg);
		if (hint)
			fprintf(stderr, "HINT:  %s\n", hint);
	}
	free(msg);
}

/* a JSON syntax error on line (of the input), column */
static void
report_syntax_error(Report *r, long line, int column, const char *text)
{
	if (r->json)
	{
		json_t	   *e = jobject();
		char	   *msg = xasprintf("invalid JSON at column %d: %s", column, text);

		jset(e, "message", jstr(msg));
		jset(e, "line", json_integer(line));
		jset(e, "column", json_integer(column));
		report_add(r, e);
		free(msg);
	}
	else
		fprintf(stderr, "%s:%ld: invalid JSON at column %d: %s\n",
				r->name, line, column, text);
}

/*
 * A server error (or a lost connection) about the record, with its DETAIL
 * and HINT; a hint given here replaces the server's (and, on stderr, its
 * DETAIL).
 */
static void
report_server_error(Report *r, const PGresult *res, const char *hint)
{
	const char *primary = PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY);
	const char *detail = PQresultErrorField(res, PG_DIAG_MESSAGE_DETAIL);

	if (primary == NULL)
	{
		const char *msg = PQresultErrorMessage(res);

		if (msg == NULL || msg[0] == '\0')
			msg = PQerrorMessage(r->w->conn);
		if (r->json)
		{
			json_t	   *e = jobject();
			char	   *copy = xstrdup(msg);
			size_t		len = strlen(copy);

			while (len > 0 && (copy[len - 1] == '\n' || copy[len - 1] == ' '))
				copy[--len] = '\0';
			jset(e, "message", jstr(copy));
			report_add(r, e);
			free(copy);
			return;
		}
		fprintf(stderr, "%s:%ld: %s", r->name, r->line, msg);
		if (msg[0] == '\0' || msg[strlen(msg) - 1] != '\n')
			fputc('\n', stderr);
		return;
	}
	if (r->json)
	{
		json_t	   *e = jobject();
		const char *state = PQresultErrorField(res, PG_DIAG_SQLSTATE);

		if (hint == NULL)
			hint = PQresultErrorField(res, PG_DIAG_MESSAGE_HINT);
		jset(e, "message", jstr(primary));
		if (state)
			jset(e, "sqlstate", jstr(state));
		if (detail)
			jset(e, "detail", jstr(detail));
		if (hint)
			jset(e, "hint", jstr(hint));
		report_add(r, e);
		return;
	}
	fprintf(stderr, "%s:%ld: %s\n", r->name, r->line, primary);
	if (hint == NULL)
	{
		hint = PQresultErrorField(res, PG_DIAG_MESSAGE_HINT);
		if (detail)
			fprintf(stderr, "DETAIL:  %s\n", detail);
	}
	if (hint)
		fprintf(stderr, "HINT:  %s\n", hint);
}

/*
 * --json: the record's line on standard output, {"file", "line", "id",
 * then the members of fields, then "errors"}; fields is taken over.
 */
static void
report_print(Report *r, json_t *fields)
{
	json_t	   *o = jobject();
	char	   *text;

	jset(o, "file", jstr(r->name));
	jset(o, "line", json_integer(r->line));
	jset(o, "id", jstr(r->id));
	if (json_object_update(o, fields) != 0)
		json_out_of_memory();
	json_decref(fields);
	jset(o, "errors", json_incref(r->errors));
	text = json_dumps(o, JSON_COMPACT);
	if (text == NULL)
		json_out_of_memory();
	printf("%s\n", text);
	free(text);
	json_decref(o);
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
optional_string(Report *r, json_t *root, const char *key, const char **value)
{
	json_t	   *v = json_object_get(root, key);

	*value = NULL;
	if (v == NULL || json_is_null(v))
		return true;
	if (!json_is_string(v))
	{
		report_error(r, NULL, "\"%s\" must be a string", key);
		return false;
	}
	*value = json_string_value(v);
	return true;
}

/*
 * Parse text[0, len) (first line: r->line) into *rec.  An object with a
 * "snapshot" member and no "formatVersion" is an export record; anything
 * else is a bare snapshot, accepted only when allow_bare.  Reports the
 * error and returns false when it cannot be used.
 */
static bool
record_parse(Report *r, const char *text, size_t len, bool allow_bare,
			 const char *id_override, Record *rec)
{
	JsonlError err;
	json_t	   *root;
	long		line = r->line;

	memset(rec, 0, sizeof(*rec));
	rec->line = line;
	if (!jsonl_parse(text, len, &rec->value, &err))
	{
		report_syntax_error(r, line + err.line - 1, err.column, err.text);
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
			report_error(r, NULL, "not an export record: it has no \"snapshot\" member "
						 "(to import one bare snapshot, give its id with --id)");
			record_free(rec);
			return false;
		}
		rec->id = id_override;
		report_id(r, rec->id);
		rec->snapshot = xmalloc(len + 1);
		memcpy(rec->snapshot, text, len);
		rec->snapshot[len] = '\0';
		return true;
	}

	if (!rec->value.scan.has_snapshot)
	{
		/* cannot happen: jansson found the member, the scanner did not */
		report_error(r, NULL, "could not find the text of the \"snapshot\" member");
		record_free(rec);
		return false;
	}
	rec->id = id_override;
	if (rec->id == NULL)
	{
		json_t	   *id = json_object_get(root, "id");

		if (id == NULL || json_is_null(id))
		{
			report_error(r, NULL, "the record has no \"id\"");
			record_free(rec);
			return false;
		}
		if (!json_is_string(id))
		{
			report_error(r, NULL, "\"id\" must be a string");
			record_free(rec);
			return false;
		}
		rec->id = json_string_value(id);
	}
	report_id(r, rec->id);
	if (!optional_string(r, root, "status", &rec->status) ||
		!optional_string(r, root, "expires_at", &rec->expires_at))
	{
		record_free(rec);
		return false;
	}
	if (rec->status != NULL &&
		strcmp(rec->status, "running") != 0 && strcmp(rec->status, "suspended") != 0 &&
		strcmp(rec->status, "completed") != 0 && strcmp(rec->status, "failed") != 0 &&
		strcmp(rec->status, "cancelled") != 0)
	{
		report_error(r, NULL, "invalid status \"%s\" (running, suspended, completed, "
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
"  wfctl import FILE|- [--atomic] [--dry-run] [--replace] [--id ID] [--json]\n\n"
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
"  --json                 one JSON object per record on standard output:\n"
"                         {\"file\", \"line\", \"id\", \"result\", \"conflict\",\n"
"                         \"errors\"}; the summary stays on standard error\n"
"  --max-record-bytes=N   longest line or document (default 1 GB)\n";

typedef struct ImportOpts
{
	bool		atomic;
	bool		dry_run;
	bool		replace;
	bool		strict;			/* dry run: the server validates strictly */
	bool		json;			/* one JSON line per record on stdout */
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
	const char *params[2] = {rec->snapshot, o->strict ? "true" : "false"};
	PGresult   *res = wfctl_try(w, "SELECT m FROM pg_catalog.unnest(@extschema@.wf_validate("
								"$1::pg_catalog.jsonb, $2::pg_catalog.bool)) AS m",
								2, params);
	Outcome		outcome = OUTCOME_IMPORTED;

	if (PQresultStatus(res) != PGRES_TUPLES_OK)
	{
		report_server_error(r, res, NULL);
		PQclear(res);
		return OUTCOME_FAILED;
	}
	for (int i = 0; i < PQntuples(res); i++)
		report_error(r, NULL, "%s", PQgetvalue(res, i, 0));
	if (PQntuples(res) > 0)
		outcome = OUTCOME_FAILED;
	PQclear(res);

	params[0] = rec->id;
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
		if (wfctl_exit_code(err) == WFCTL_EXIT_CONFLICT)
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
		json_out_of_memory();
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

int
cmd_import(Wfctl *w, int argc, char **argv)
{
	static const struct option longopts[] = {
		{"atomic", no_argument, NULL, 'A'},
		{"dry-run", no_argument, NULL, 'n'},
		{"replace", no_argument, NULL, 'R'},
		{"id", required_argument, NULL, 'i'},
		{"max-record-bytes", required_argument, NULL, 'M'},
		{"json", no_argument, NULL, 'j'},
		WFCTL_COMMON_LONGOPTS,
		{NULL, 0, NULL, 0}
	};
	ImportOpts	o;
	ImportCounts n;
	const char *id = NULL;
	size_t		limit = JSONL_DEFAULT_LIMIT;
	int			opt;
	Input		in;
	Report		rep;
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
			case 'j':
				o.json = true;
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
	report_init(&rep, w, in.name, o.json);
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
				alive = import_one(w, &rep, text, len, id, &o, &n);
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
			report_start(&rep, in.reader.first_line);
			alive = import_one(w, &rep, in.reader.buf, in.reader.len, NULL, &o, &n);
		}
	}
	report_free(&rep);
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
	if (o.json && wfctl_finish_output(w) != WFCTL_EXIT_OK)
		rc = WFCTL_EXIT_FAIL;
	return rc;
}

/* ====================================================================
 * validate
 * ==================================================================== */

static const char validate_usage[] =
"Usage:\n"
"  wfctl validate FILE|- [--strict] [--json]\n\n"
"Check snapshots with the server's rules (wf_validate): JSON Lines of bare\n"
"snapshots or export records, or one JSON document.  Every error is\n"
"printed as FILE:LINE: message; a summary goes to standard error.\n\n"
"Options:\n"
"  --strict               also the strict checks (workflow_persist's own)\n"
"  --json                 one JSON object per record on standard output:\n"
"                         {\"file\", \"line\", \"id\", \"valid\", \"errors\"};\n"
"                         the summary stays on standard error\n"
"  --max-record-bytes=N   longest line or document (default 1 GB)\n";

int
cmd_validate(Wfctl *w, int argc, char **argv)
{
	static const struct option longopts[] = {
		{"strict", no_argument, NULL, 's'},
		{"max-record-bytes", required_argument, NULL, 'M'},
		{"json", no_argument, NULL, 'j'},
		WFCTL_COMMON_LONGOPTS,
		{NULL, 0, NULL, 0}
	};
	bool		strict = false;
	bool		json = false;
	size_t		limit = JSONL_DEFAULT_LIMIT;
	int			opt;
	Input		in;
	Report		rep;
	bool		stop = false;
	long		valid = 0;
	long		invalid = 0;
	int			rc;

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
			case 'j':
				json = true;
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
	report_init(&rep, w, in.name, json);
	while (input_next(w, &in, &stop))
	{
		Record		rec;
		const char *params[2];
		PGresult   *res;
		bool		ok = false;

		report_start(&rep, in.reader.first_line);
		if (record_parse(&rep, in.reader.buf, in.reader.len, true, NULL, &rec))
		{
			params[0] = rec.snapshot;
			params[1] = strict ? "true" : "false";
			res = wfctl_try(w, "SELECT m FROM pg_catalog.unnest(@extschema@.wf_validate("
							"$1::pg_catalog.jsonb, $2::pg_catalog.bool)) AS m", 2, params);
			if (PQresultStatus(res) != PGRES_TUPLES_OK)
				report_server_error(&rep, res, NULL);
			else
			{
				for (int i = 0; i < PQntuples(res); i++)
					report_error(&rep, NULL, "%s", PQgetvalue(res, i, 0));
				ok = PQntuples(res) == 0;
			}
			PQclear(res);
			record_free(&rec);
		}
		if (ok)
			valid++;
		else
			invalid++;
		if (json)
		{
			json_t	   *fields = json_pack("{s:b}", "valid", ok);

			if (fields == NULL)
				json_out_of_memory();
			report_print(&rep, fields);
		}
		if (PQstatus(w->conn) != CONNECTION_OK)
		{
			stop = true;
			break;
		}
	}
	report_free(&rep);
	input_close(&in);
	fprintf(stderr, "%s validate: %ld valid, %ld invalid%s\n", w->progname,
			valid, invalid, stop ? " (stopped early)" : "");
	rc = (stop || invalid > 0) ? WFCTL_EXIT_FAIL : WFCTL_EXIT_OK;
	if (json && wfctl_finish_output(w) != WFCTL_EXIT_OK)
		rc = WFCTL_EXIT_FAIL;
	return rc;
}
