/*-------------------------------------------------------------------------
 *
 * fuzz_jsonl.c
 *	  libFuzzer target for wfctl import's parser (jsonl.c).
 *
 * The input is read as an import file is: split into records by the
 * JsonlReader (JSON Lines, or one document when the first line does not
 * hold a whole value), each record parsed with jsonl_parse (jansson with
 * duplicate keys rejected, numbers sanitized, the "snapshot" span found).
 * Besides the sanitizers, it checks what import relies on, aborting when
 * one does not hold:
 *   - the records cover the input's lines, in order, each within limits;
 *   - a record jansson accepts as an object with a "snapshot" member has
 *     a span inside the record, and that span parses (on its own) to a
 *     value equal to the member jansson saw, and no other value has one;
 *   - an accepted value is never taken for the start of a document;
 *   - a rejected one has a position and a message.
 *
 *-------------------------------------------------------------------------
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jsonl.h"

/* jsonl.c's allocators (wfctl.c has main(), so not linked in) */
void	   *xmalloc(size_t n);
void	   *xrealloc(void *p, size_t n);

void *
xmalloc(size_t n)
{
	void	   *p = malloc(n ? n : 1);

	if (p == NULL)
		abort();
	return p;
}

void *
xrealloc(void *p, size_t n)
{
	p = realloc(p, n ? n : 1);
	if (p == NULL)
		abort();
	return p;
}

#define CHECK(cond) \
	do { \
		if (!(cond)) \
		{ \
			fprintf(stderr, "invariant failed: %s (%s:%d)\n", #cond, __FILE__, __LINE__); \
			abort(); \
		} \
	} while (0)

/* parse one record and check what import relies on */
static void
check_record(const char *text, size_t len)
{
	JsonlValue	v;
	JsonlError	err;
	json_t	   *member;

	if (!jsonl_parse(text, len, &v, &err))
	{
		CHECK(v.root == NULL);
		CHECK(err.line >= 1 && err.column >= 1);
		CHECK(memchr(err.text, '\0', sizeof(err.text)) != NULL);
		return;
	}
	CHECK(v.root != NULL);
	member = json_is_object(v.root) ? json_object_get(v.root, "snapshot") : NULL;
	CHECK((member != NULL) == v.scan.has_snapshot);
	if (member != NULL)
	{
		size_t		start = v.scan.snapshot_start;
		size_t		end = v.scan.snapshot_end;
		JsonlValue	sv;
		JsonlError	serr;

		CHECK(start < end && end <= len);
		/* the span alone is the same value (numbers sanitized alike) */
		CHECK(jsonl_parse(text + start, end - start, &sv, &serr));
		CHECK(json_equal(sv.root, member));
		jsonl_value_free(&sv);
	}
	/* the complete text of an accepted value is never "incomplete" */
	CHECK(!v.scan.incomplete);
	jsonl_value_free(&v);
}

int			LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char	   *copy;
	FILE	   *f;
	JsonlReader r;
	JsonlStatus st;
	long		last_line = 0;
	size_t		limit = 1 + size / 2;	/* so that the limit is reached too */

	if (size == 0)
		return 0;
	copy = malloc(size);
	if (copy == NULL)
		return 0;
	memcpy(copy, data, size);

	/* the parser alone, on the whole input */
	check_record(copy, size);

	/* the reader: records in order, each within the limit, then parsed */
	f = fmemopen(copy, size, "r");
	if (f == NULL)
	{
		free(copy);
		return 0;
	}
	jsonl_reader_init(&r, f, limit);
	while ((st = jsonl_next(&r)) == JSONL_RECORD)
	{
		CHECK(r.first_line > last_line);
		CHECK(r.first_line <= r.lineno);
		CHECK(r.len <= r.limit);
		CHECK(r.buf[r.len] == '\0');
		CHECK(!jsonl_blank(r.buf, r.len));
		CHECK(r.document || memchr(r.buf, '\n', r.len) == NULL);
		last_line = r.first_line;
		check_record(r.buf, r.len);
	}
	CHECK(st == JSONL_EOF || st == JSONL_TOO_LONG);
	CHECK(jsonl_next(&r) == JSONL_EOF);
	jsonl_reader_free(&r);
	fclose(f);
	free(copy);
	return 0;
}
