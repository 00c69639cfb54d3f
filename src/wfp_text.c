/*-------------------------------------------------------------------------
 *
 * wfp_text.c
 *	  A snapshot given as JSON text, taken apart without converting it.
 *
 * wf_save(text) receives the document as a driver sends it.  One pass of
 * PostgreSQL's JSON parser (pg_parse_json, without de-escaping strings or
 * building anything) checks its syntax and records where each top-level
 * member and each member of "steps" lies in the text.  The caller then
 * compares a hash of each step's text with the one stored for it and
 * converts to jsonb only the header and the steps that changed
 * (wfp_text_partial): a step whose text did not change is never parsed
 * into jsonb.  A text hash is seeded with the step's binary hash, so it
 * only matches while the stored result is still the one that text made.
 *
 * What this file does not take apart (keys with escapes, duplicate keys,
 * a document that is not an object or whose "steps" is not one, a
 * ResumeState, any \u escape, whose jsonb conversion can fail where the
 * parse does not) is marked not usable, and wf_save(text) converts the
 * whole text as the jsonb overload's caller would.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "common/hashfn.h"
#include "common/jsonapi.h"
#include "lib/stringinfo.h"
#include "mb/pg_wchar.h"

#include "wfp_jsonb.h"
#include "wfp_sql.h"

typedef struct ScanState
{
	JsonLexContext *lex;
	WfpTextDoc *doc;
	const char *end;
	bool		root_object;
	bool		in_steps;		/* inside the value of "steps" */
	bool		steps_object;	/* "steps" was an object */
	int			top;			/* current top-level member, or -1 */
	const char *top_cursor;		/* where the next top-level key is sought */
	const char *step_cursor;	/* where the next step key is sought */
	int			cap_members;
	int			cap_steps;
} ScanState;

/*
 * The key after p (past whitespace and a comma): the parser has checked
 * it is a string; a key with an escape is not taken apart here.
 */
static bool
find_key(const char *p, const char *end, const char **key, int *keylen)
{
	const char *start;

	while (p < end && (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r' ||
					   *p == ','))
		p++;
	if (p >= end || *p != '"')
		return false;
	start = ++p;
	while (p < end && *p != '"')
	{
		if (*p == '\\')
			return false;
		p++;
	}
	if (p >= end)
		return false;
	*key = start;
	*keylen = (int) (p - start);
	return true;
}

static void
scan_object_start(void *state)
{
	ScanState  *s = state;

	if (s->lex->lex_level == 0)
	{
		s->root_object = true;
		s->top_cursor = s->lex->token_start + 1;
	}
	else if (s->lex->lex_level == 1 && s->top == s->doc->steps_member &&
			 s->top >= 0)
	{
		s->in_steps = true;
		s->steps_object = true;
		s->step_cursor = s->lex->token_start + 1;
	}
}

static void
scan_object_end(void *state)
{
	ScanState  *s = state;

	if (s->lex->lex_level == 1)
		s->in_steps = false;
}

static WfpTextMember *
add_member(WfpTextMember **arr, int *n, int *cap)
{
	if (*n >= *cap)
	{
		*cap = *cap * 2;
		*arr = repalloc(*arr, sizeof(WfpTextMember) * *cap);
	}
	return &(*arr)[(*n)++];
}

static void
scan_field_start(void *state, char *fname, bool isnull)
{
	ScanState  *s = state;
	WfpTextDoc *doc = s->doc;
	WfpTextMember *m;
	const char *key;
	int			keylen;

	if (!doc->usable)
		return;
	if (s->lex->lex_level == 1)
	{
		if (!find_key(s->top_cursor, s->end, &key, &keylen))
		{
			doc->usable = false;
			return;
		}
		for (int i = 0; i < doc->n_members; i++)
			if (doc->members[i].keylen == keylen &&
				memcmp(doc->members[i].key, key, keylen) == 0)
			{
				doc->usable = false;	/* jsonb keeps the last: not here */
				return;
			}
		if ((keylen == 4 && memcmp(key, "kind", 4) == 0))
		{
			doc->usable = false;	/* perhaps a ResumeState */
			return;
		}
		s->top = doc->n_members;
		if (keylen == 5 && memcmp(key, "steps", 5) == 0)
			doc->steps_member = s->top;
		m = add_member(&doc->members, &doc->n_members, &s->cap_members);
	}
	else if (s->lex->lex_level == 2 && s->in_steps)
	{
		if (!find_key(s->step_cursor, s->end, &key, &keylen))
		{
			doc->usable = false;
			return;
		}
		m = add_member(&doc->steps, &doc->n_steps, &s->cap_steps);
		m->order = doc->n_steps - 1;
	}
	else
		return;
	m->key = key;
	m->keylen = keylen;
	m->val = s->lex->token_start;
	m->vallen = 0;
	m->changed = true;
	if (s->lex->lex_level == 1)
		m->order = s->top;
}

static void
scan_field_end(void *state, char *fname, bool isnull)
{
	ScanState  *s = state;
	WfpTextDoc *doc = s->doc;
	const char *after = s->lex->prev_token_terminator;

	if (!doc->usable)
		return;
	if (s->lex->lex_level == 1)
	{
		WfpTextMember *m = &doc->members[s->top];

		m->vallen = (int) (after - m->val);
		s->top_cursor = after;
		if (s->top == doc->steps_member && !s->steps_object)
			doc->usable = false;	/* "steps" is not an object */
		s->top = -1;
	}
	else if (s->lex->lex_level == 2 && s->in_steps)
	{
		WfpTextMember *m = &doc->steps[doc->n_steps - 1];

		m->vallen = (int) (after - m->val);
		s->step_cursor = after;
	}
}

/*
 * Does the text hold a \u escape (or what looks like one: a false alarm
 * only sends the save the jsonb way)?  memchr skips the long runs without
 * a backslash quickly.
 */
static bool
has_u_escape(const char *text, int len)
{
	const char *p = text;
	const char *end = text + len;

	while (p < end && (p = memchr(p, '\\', end - p)) != NULL)
	{
		if (p + 1 < end && p[1] == 'u')
			return true;
		p += 2;					/* the escaped character is not a backslash */
	}
	return false;
}

static int
member_key_cmp(const void *a, const void *b)
{
	const WfpTextMember *ma = a;
	const WfpTextMember *mb = b;

	return wfp_key_cmp(ma->key, ma->keylen, mb->key, mb->keylen);
}

/*
 * Check the syntax of text (len bytes) and take it apart.  Raises
 * nothing: doc->valid says whether the text is JSON, doc->usable whether
 * wf_save(text) may convert only parts of it.
 */
void
wfp_text_scan(const char *text, int len, WfpTextDoc *doc)
{
	JsonLexContext *lex;
	JsonSemAction sem;
	ScanState	s;

	memset(doc, 0, sizeof(*doc));
	doc->steps_member = -1;
	doc->usable = GetDatabaseEncoding() == PG_UTF8 && !has_u_escape(text, len);
	doc->members = palloc(sizeof(WfpTextMember) * 8);
	doc->steps = palloc(sizeof(WfpTextMember) * 64);

	/* need_escapes false: strings are checked, not copied out */
	lex = makeJsonLexContextCstringLen(unconstify(char *, text), len,
									   GetDatabaseEncoding(), false);
	memset(&s, 0, sizeof(s));
	s.lex = lex;
	s.doc = doc;
	s.end = text + len;
	s.top = -1;
	s.cap_members = 8;
	s.cap_steps = 64;
	memset(&sem, 0, sizeof(sem));
	sem.semstate = &s;
	sem.object_start = scan_object_start;
	sem.object_end = scan_object_end;
	sem.object_field_start = scan_field_start;
	sem.object_field_end = scan_field_end;

	doc->valid = pg_parse_json(lex, &sem) == JSON_SUCCESS;
	if (!doc->valid || !s.root_object || doc->steps_member < 0)
		doc->usable = false;
	if (!doc->usable)
		return;
	qsort(doc->steps, doc->n_steps, sizeof(WfpTextMember), member_key_cmp);
	for (int i = 1; i < doc->n_steps; i++)
		if (member_key_cmp(&doc->steps[i - 1], &doc->steps[i]) == 0)
		{
			doc->usable = false;	/* a duplicate step key */
			return;
		}
}

/* The text hash of a step's value, seeded with its binary hash. */
int64
wfp_text_hash(const WfpTextMember *m, int64 value_hash)
{
	return (int64) hash_bytes_extended((const unsigned char *) m->val,
									   m->vallen, (uint64) value_hash);
}

/*
 * The document's text with only the steps marked changed (in document
 * order, as every member), for conversion to jsonb.
 */
char *
wfp_text_partial(const WfpTextDoc *doc)
{
	StringInfoData buf;
	const WfpTextMember **byorder;

	byorder = palloc(sizeof(WfpTextMember *) * Max(doc->n_steps, 1));
	for (int i = 0; i < doc->n_steps; i++)
		byorder[doc->steps[i].order] = &doc->steps[i];
	initStringInfo(&buf);
	appendStringInfoChar(&buf, '{');
	for (int i = 0; i < doc->n_members; i++)
	{
		const WfpTextMember *m = &doc->members[i];

		if (i > 0)
			appendStringInfoChar(&buf, ',');
		appendStringInfoChar(&buf, '"');
		appendBinaryStringInfo(&buf, m->key, m->keylen);
		appendStringInfoString(&buf, "\":");
		if (i != doc->steps_member)
		{
			appendBinaryStringInfo(&buf, m->val, m->vallen);
			continue;
		}
		appendStringInfoChar(&buf, '{');
		for (int j = 0, first = 1; j < doc->n_steps; j++)
		{
			const WfpTextMember *st = byorder[j];

			if (!st->changed)
				continue;
			if (!first)
				appendStringInfoChar(&buf, ',');
			first = 0;
			appendStringInfoChar(&buf, '"');
			appendBinaryStringInfo(&buf, st->key, st->keylen);
			appendStringInfoString(&buf, "\":");
			appendBinaryStringInfo(&buf, st->val, st->vallen);
		}
		appendStringInfoChar(&buf, '}');
	}
	appendStringInfoChar(&buf, '}');
	pfree(byorder);
	return buf.data;
}

/*
 * Give every prepared step (jsonb key order) the text hash of the text it
 * was made from, so that the next wf_save(text) can skip it.
 */
void
wfp_text_attach(const WfpTextDoc *doc, WfpPrepared *p)
{
	if (!doc->usable)
		return;
	for (int i = 0, j = 0; i < p->n_in && j < doc->n_steps;)
	{
		int			c = wfp_key_cmp(p->in[i].key, p->in[i].keylen,
									doc->steps[j].key, doc->steps[j].keylen);

		if (c < 0)
			i++;
		else if (c > 0)
			j++;
		else
		{
			p->in[i].has_text_hash = true;
			p->in[i].text_hash = wfp_text_hash(&doc->steps[j], p->in[i].hash);
			i++;
			j++;
		}
	}
}
