/*-------------------------------------------------------------------------
 *
 * records.c
 *	  Reading the records of an import or validate input, and reporting
 *	  on each (records.h).
 *
 *-------------------------------------------------------------------------
 */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "records.h"

/* ====================================================================
 * reading records
 * ==================================================================== */

bool
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

void
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
bool
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
			line_error(in->name, in->reader.first_line,
					   "%s is longer than %zu bytes (see --max-record-bytes)",
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
void
line_error(const char *name, long line, const char *fmt,...)
{
	va_list		ap;
	char	   *msg;

	va_start(ap, fmt);
	msg = xvasprintf(fmt, ap);
	va_end(ap);
	wfctl_line(stderr, "%s:%ld: %s", name, line, msg);
	free(msg);
}

/* ====================================================================
 * a record's messages: on stderr, or in its --json line
 * ==================================================================== */

/*
 * A JSON string of s (null for NULL).  Bytes that are not UTF-8 (a file
 * name, a message in another client encoding) become U+FFFD: jansson
 * accepts only UTF-8.
 */
json_t *
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
		wfctl_out_of_memory();
	return v;
}

/* set key of obj to value (a new reference, taken over); exit when out of memory */
void
jset(json_t *obj, const char *key, json_t *value)
{
	if (value == NULL || json_object_set_new(obj, key, value) != 0)
		wfctl_out_of_memory();
}

static json_t *
jobject(void)
{
	json_t	   *o = json_object();

	if (o == NULL)
		wfctl_out_of_memory();
	return o;
}

void
report_init(Report *r, Wfctl *w, const char *name, bool json)
{
	memset(r, 0, sizeof(*r));
	r->w = w;
	r->name = name;
	r->json = json;
	if (json && (r->errors = json_array()) == NULL)
		wfctl_out_of_memory();
}

/* a new record, starting on line */
void
report_start(Report *r, long line)
{
	r->line = line;
	free(r->id);
	r->id = NULL;
	if (r->json)
		json_array_clear(r->errors);
}

void
report_free(Report *r)
{
	free(r->id);
	r->id = NULL;
	json_decref(r->errors);
	r->errors = NULL;
}

/* the record's id, as soon as it is known (for the --json line) */
void
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
		wfctl_out_of_memory();
}

/* a message about the record (hint may be NULL) */
void
report_error(Report *r, const char *hint, const char *fmt,...)
{
	va_list		ap;
	char	   *msg;

	va_start(ap, fmt);
	msg = xvasprintf(fmt, ap);
	va_end(ap);
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
		line_error(r->name, r->line, "%s", msg);
		wfctl_message(stderr, "HINT", hint);
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
		line_error(r->name, line, "invalid JSON at column %d: %s", column, text);
}

/*
 * A server error (or a lost connection) about the record, with its DETAIL
 * and HINT; a hint given here replaces the server's (and, on stderr, its
 * DETAIL).
 */
void
report_server_error(Report *r, const PGresult *res, const char *hint)
{
	const char *primary = PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY);
	const char *detail = PQresultErrorField(res, PG_DIAG_MESSAGE_DETAIL);
	char	   *grant = NULL;

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
		{
			char	   *copy = xasprintf("%s:%ld: %s", r->name, r->line, msg);
			size_t		len = strlen(copy);

			/* libpq's message may span lines; it may end with one */
			wfctl_put_escaped(stderr, copy, true);
			if (copy[len - 1] != '\n')
				fputc('\n', stderr);
			free(copy);
		}
		return;
	}
	if (r->json)
	{
		json_t	   *e = jobject();
		const char *state = PQresultErrorField(res, PG_DIAG_SQLSTATE);

		if (hint == NULL)
			hint = wfctl_hint(r->w, res, &grant);
		jset(e, "message", jstr(primary));
		if (state)
			jset(e, "sqlstate", jstr(state));
		if (detail)
			jset(e, "detail", jstr(detail));
		if (hint)
			jset(e, "hint", jstr(hint));
		report_add(r, e);
		free(grant);
		return;
	}
	line_error(r->name, r->line, "%s", primary);
	if (hint == NULL)
	{
		hint = wfctl_hint(r->w, res, &grant);
		wfctl_message(stderr, "DETAIL", detail);
	}
	wfctl_message(stderr, "HINT", hint);
	free(grant);
}

/*
 * --json: the record's line on standard output, {"file", "line", "id",
 * then the members of fields, then "errors"}; fields is taken over.
 */
void
report_print(Report *r, json_t *fields)
{
	json_t	   *o = jobject();
	char	   *text;

	jset(o, "file", jstr(r->name));
	jset(o, "line", json_integer(r->line));
	jset(o, "id", jstr(r->id));
	if (json_object_update(o, fields) != 0)
		wfctl_out_of_memory();
	json_decref(fields);
	jset(o, "errors", json_incref(r->errors));
	/* jsonb's style: ", " and ": " (no JSON_COMPACT), all on one line */
	text = json_dumps(o, 0);
	if (text == NULL)
		wfctl_out_of_memory();
	wfctl_put_json(stdout, text, strlen(text));
	free(text);
	json_decref(o);
}

/* ====================================================================
 * one record
 * ==================================================================== */

void
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
bool
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

int
record_validate(Wfctl *w, Report *r, const char *snapshot, bool strict)
{
	const char *params[2] = {snapshot, strict ? "true" : "false"};
	PGresult   *res = wfctl_try(w, "SELECT m FROM pg_catalog.unnest(@extschema@.wf_validate("
								"$1::pg_catalog.jsonb, $2::pg_catalog.bool)) AS m",
								2, params);
	int			n;

	if (PQresultStatus(res) != PGRES_TUPLES_OK)
	{
		report_server_error(r, res, NULL);
		PQclear(res);
		return -1;
	}
	n = PQntuples(res);
	for (int i = 0; i < n; i++)
		report_error(r, NULL, "%s", PQgetvalue(res, i, 0));
	PQclear(res);
	return n;
}

int
records_exit(Wfctl *w, int rc)
{
	if (w->json && wfctl_finish_output(w) != WFCTL_EXIT_OK)
		rc = WFCTL_EXIT_FAIL;
	if (PQstatus(w->conn) == CONNECTION_BAD)
		rc = WFCTL_EXIT_CONNECTION;
	return rc;
}
