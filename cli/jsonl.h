/*-------------------------------------------------------------------------
 *
 * jsonl.h
 *	  wfctl's JSON Lines reader and record parser (import, validate).
 *
 * Input is JSON Lines (one JSON value per line, blank lines skipped) or,
 * when the first non-blank line does not hold a whole value, one JSON
 * document spanning the whole input.  Each value is parsed with jansson
 * (duplicate keys rejected at any depth), but a snapshot is sent to the
 * server as its original text: jansson would rewrite numbers (1.50, 1e400),
 * so jsonl_scan() finds the byte span of the top-level "snapshot" member.
 *
 * No part of this file talks to the server; the fuzz harness
 * (fuzz/fuzz_jsonl.c) drives it directly.
 *
 *-------------------------------------------------------------------------
 */
#ifndef WFCTL_JSONL_H
#define WFCTL_JSONL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include <jansson.h>

/* the default limit on one line (or the one document) */
#define JSONL_DEFAULT_LIMIT ((size_t) 1024 * 1024 * 1024)

/* what jsonl_scan() learns about a text, without allocating */
typedef struct JsonlScan
{
	bool		incomplete;		/* ends inside an object or array */
	bool		has_snapshot;	/* root object has a "snapshot" member */
	size_t		snapshot_start; /* its value: text[start, end) */
	size_t		snapshot_end;
} JsonlScan;

/*
 * Scan text[0, len): fills *scan, and, when sanitized is not NULL (a copy
 * of text of the same length), overwrites every valid JSON number in it
 * with its sign and first digit padded with spaces, so jansson neither
 * overflows on huge numbers nor rounds them; offsets, lines and columns
 * stay the same.  Invalid input is scanned without error (jansson reports
 * it); the results then mean nothing.
 */
extern void jsonl_scan(const char *text, size_t len, char *sanitized,
					   JsonlScan *scan);

/* one parsed value */
typedef struct JsonlValue
{
	json_t	   *root;			/* jansson's tree (numbers sanitized) */
	JsonlScan	scan;
} JsonlValue;

/* a parse error: where (line 1 = the text's first line) and what */
typedef struct JsonlError
{
	int			line;
	int			column;
	char		text[JSON_ERROR_TEXT_LENGTH + 64];
} JsonlError;

/*
 * Parse text[0, len) as one JSON value (any type at the root), rejecting
 * duplicate keys and NUL bytes.  Returns true and fills *value (free it
 * with jsonl_value_free), or false and fills *err.
 */
extern bool jsonl_parse(const char *text, size_t len, JsonlValue *value,
						JsonlError *err);
extern void jsonl_value_free(JsonlValue *value);

/* ---- reading records ---- */

typedef enum JsonlStatus
{
	JSONL_RECORD,				/* a record is in the reader */
	JSONL_EOF,					/* no more */
	JSONL_TOO_LONG,				/* a line or the document exceeds the limit */
	JSONL_IO_ERROR				/* read error (errno set) */
} JsonlStatus;

typedef struct JsonlReader
{
	FILE	   *file;
	size_t		limit;
	/* read buffer */
	char	   *blk;
	size_t		blk_len;
	size_t		blk_pos;
	bool		eof;
	/* the current line or document */
	char	   *buf;
	size_t		len;
	size_t		cap;
	long		lineno;			/* lines read so far */
	long		first_line;		/* the current record's first line */
	bool		seen_value;		/* a non-blank line was read */
	bool		document;		/* the input is one multi-line document */
	bool		done;
} JsonlReader;

extern void jsonl_reader_init(JsonlReader *r, FILE *file, size_t limit);
extern void jsonl_reader_free(JsonlReader *r);

/*
 * The next record: on JSONL_RECORD, r->buf[0, r->len) is its text (NUL
 * terminated) starting on line r->first_line; r->document tells whether
 * it is the whole input's one document.  On JSONL_TOO_LONG, r->first_line
 * is the line that is too long.  Blank lines are skipped.
 */
extern JsonlStatus jsonl_next(JsonlReader *r);

/* is this text only JSON whitespace? */
extern bool jsonl_blank(const char *text, size_t len);

#endif							/* WFCTL_JSONL_H */
