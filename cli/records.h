/*-------------------------------------------------------------------------
 *
 * records.h
 *	  The records of an import or validate input, and their reports.
 *
 * Both commands read JSON Lines or one JSON document with jsonl.c, one
 * record in memory at a time (Input), take each apart into its id,
 * status, expiry and the snapshot's original text (Record), and say what
 * became of it (Report): "FILE:LINE: message" lines on stderr, or, with
 * --json, one object per record on stdout, built with jansson.
 *
 *-------------------------------------------------------------------------
 */
#ifndef WFCTL_RECORDS_H
#define WFCTL_RECORDS_H

#include "jsonl.h"
#include "wfctl.h"

/* ---- reading records ---- */

typedef struct Input
{
	FILE	   *file;
	const char *name;			/* for messages: the path, or "<stdin>" */
	JsonlReader reader;
} Input;

/* open path ("-": standard input); false, with a message, when it cannot be */
extern bool input_open(Wfctl *w, Input *in, const char *path, size_t limit);
extern void input_close(Input *in);

/*
 * The next record (in in->reader), or false at the end.  *stop is set
 * when reading failed (the message is printed).
 */
extern bool input_next(Wfctl *w, Input *in, bool *stop);

/* "FILE:LINE: message" on stderr */
extern void line_error(const char *name, long line, const char *fmt,...)
			__attribute__((format(printf, 3, 4)));

/* ---- a record's messages: on stderr, or in its --json line ---- */

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

extern void report_init(Report *r, Wfctl *w, const char *name, bool json);
/* a new record, starting on line */
extern void report_start(Report *r, long line);
extern void report_free(Report *r);
/* the record's id, as soon as it is known (for the --json line) */
extern void report_id(Report *r, const char *id);

/* a message about the record (hint may be NULL) */
extern void report_error(Report *r, const char *hint, const char *fmt,...)
			__attribute__((format(printf, 3, 4)));

/*
 * A server error (or a lost connection) about the record, with its DETAIL
 * and HINT; a hint given here replaces the server's (and, on stderr, its
 * DETAIL).
 */
extern void report_server_error(Report *r, const PGresult *res, const char *hint);

/*
 * --json: the record's line on standard output, {"file", "line", "id",
 * then the members of fields, then "errors"}; fields is taken over.
 */
extern void report_print(Report *r, json_t *fields);

/* jansson helpers that exit when out of memory */
/* a JSON string of s (null for NULL); bytes that are not UTF-8 as U+FFFD */
extern json_t *jstr(const char *s);
/* set key of obj to value (a new reference, taken over) */
extern void jset(json_t *obj, const char *key, json_t *value);

/* ---- one record ---- */

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

/*
 * Parse text[0, len) (first line: r->line) into *rec.  An object with a
 * "snapshot" member and no "formatVersion" is an export record; anything
 * else is a bare snapshot, accepted only when allow_bare.  Reports the
 * error and returns false when it cannot be used.
 */
extern bool record_parse(Report *r, const char *text, size_t len, bool allow_bare,
						 const char *id_override, Record *rec);
extern void record_free(Record *rec);

/*
 * Check a snapshot with the server's wf_validate, each message reported;
 * returns the number of messages, or -1 when the server failed (reported).
 */
extern int	record_validate(Wfctl *w, Report *r, const char *snapshot, bool strict);

/*
 * The exit status of import or validate, rc unless the --json lines could
 * not be written (1) or the connection was lost (2).
 */
extern int	records_exit(Wfctl *w, int rc);

/* the --max-record-bytes option of import and validate, into a long */
#define RECORDS_LIMIT_OPTION(var) \
	{.name = "max-record-bytes", .type = WFCTL_OPT_NUMBER, .arg = "N", \
		.target = (var), .min = 1, .max = (long) JSONL_DEFAULT_LIMIT * 4, \
	.help = "longest line or document (default 1 GB)"}

#endif							/* WFCTL_RECORDS_H */
