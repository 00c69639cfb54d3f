/*-------------------------------------------------------------------------
 *
 * jsonl.c
 *	  wfctl's JSON Lines reader and record parser (see jsonl.h).
 *
 * jsonl_scan() is a single forward pass over the bytes, with no recursion
 * and no allocation: it tracks the nesting depth, skips strings, checks
 * and rewrites numbers, and notes where the root object's "snapshot"
 * member's value starts and ends.  It never reads outside text[0, len),
 * whatever the input; only jansson decides whether the input is valid.
 *
 *-------------------------------------------------------------------------
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "jsonl.h"
#include "wfctl.h"

/* bytes read from the file at a time */
#define JSONL_BLOCK 65536

static bool
is_json_space(unsigned char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

bool
jsonl_blank(const char *text, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (!is_json_space((unsigned char) text[i]))
			return false;
	return true;
}

static int
hex_value(unsigned char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/*
 * Does the body of a JSON string, s[0, len) between its quotes, decode to
 * exactly the ASCII text want?  Escapes are decoded ("snap\u0073hot" is
 * "snapshot", as jansson sees it); anything that is not plain ASCII
 * cannot match.
 */
static bool
string_equals(const char *s, size_t len, const char *want)
{
	size_t		i = 0;
	size_t		w = 0;
	size_t		wlen = strlen(want);

	while (i < len)
	{
		unsigned int c = (unsigned char) s[i];

		if (c == '\\')
		{
			if (i + 1 >= len)
				return false;
			switch (s[i + 1])
			{
				case '"':
				case '\\':
				case '/':
					c = (unsigned char) s[i + 1];
					break;
				case 'b':
					c = '\b';
					break;
				case 'f':
					c = '\f';
					break;
				case 'n':
					c = '\n';
					break;
				case 'r':
					c = '\r';
					break;
				case 't':
					c = '\t';
					break;
				case 'u':
					if (i + 6 > len)
						return false;
					c = 0;
					for (int k = 2; k < 6; k++)
					{
						int			h = hex_value((unsigned char) s[i + k]);

						if (h < 0)
							return false;
						c = (c << 4) | (unsigned int) h;
					}
					i += 4;
					break;
				default:
					return false;
			}
			i += 2;
		}
		else
			i++;
		if (c == 0 || c >= 0x80 || w >= wlen || (unsigned char) want[w] != c)
			return false;
		w++;
	}
	return w == wlen;
}

/* is s[0, len) a number by JSON's grammar? */
static bool
valid_number(const char *s, size_t len)
{
	size_t		i = 0;

	if (i < len && s[i] == '-')
		i++;
	if (i >= len)
		return false;
	if (s[i] == '0')
		i++;
	else if (s[i] >= '1' && s[i] <= '9')
		while (i < len && s[i] >= '0' && s[i] <= '9')
			i++;
	else
		return false;
	if (i < len && s[i] == '.')
	{
		size_t		start = ++i;

		while (i < len && s[i] >= '0' && s[i] <= '9')
			i++;
		if (i == start)
			return false;
	}
	if (i < len && (s[i] == 'e' || s[i] == 'E'))
	{
		size_t		start;

		i++;
		if (i < len && (s[i] == '+' || s[i] == '-'))
			i++;
		start = i;
		while (i < len && s[i] >= '0' && s[i] <= '9')
			i++;
		if (i == start)
			return false;
	}
	return i == len;
}

static bool
is_number_char(unsigned char c)
{
	return (c >= '0' && c <= '9') || c == '-' || c == '+' || c == '.' ||
		c == 'e' || c == 'E';
}

/* where the root object's "snapshot" value is, as the scan goes */
typedef enum
{
	CAPTURE_NONE,				/* no "snapshot" key seen yet */
	CAPTURE_KEY,				/* the key was read; its ':' is next */
	CAPTURE_WAIT,				/* after the ':': the value is next */
	CAPTURE_IN,					/* inside the value */
	CAPTURE_DONE				/* found (or given up: the first one counts) */
} CaptureState;

void
jsonl_scan(const char *text, size_t len, char *sanitized, JsonlScan *scan)
{
	size_t		i = 0;
	long		depth = 0;
	bool		root_seen = false;
	bool		root_object = false;
	bool		expect_key = false; /* at depth 1 of the root object */
	bool		in_string_at_end = false;
	size_t		last_end = 0;	/* end of the last token seen */
	CaptureState capture = CAPTURE_NONE;

	memset(scan, 0, sizeof(*scan));
	while (i < len)
	{
		unsigned char c = (unsigned char) text[i];

		if (is_json_space(c))
		{
			i++;
			continue;
		}

		/* the first token after "snapshot": starts the value */
		if (capture == CAPTURE_WAIT && depth == 1)
		{
			if (c == ',' || c == '}' || c == ']' || c == ':')
				capture = CAPTURE_DONE; /* no value: invalid */
			else
			{
				scan->snapshot_start = i;
				capture = CAPTURE_IN;
			}
		}

		if (c == '"')
		{
			size_t		start = i + 1;
			size_t		j = start;

			while (j < len && text[j] != '"')
				j += (text[j] == '\\') ? 2 : 1;
			if (j >= len)
			{
				in_string_at_end = true;
				break;
			}
			root_seen = true;
			if (depth == 1 && root_object && expect_key)
			{
				expect_key = false;
				if (capture == CAPTURE_NONE &&
					string_equals(text + start, j - start, "snapshot"))
					capture = CAPTURE_KEY;
			}
			i = j + 1;
			last_end = i;
			continue;
		}

		if (c == '-' || (c >= '0' && c <= '9'))
		{
			size_t		start = i;

			root_seen = true;
			while (i < len && is_number_char((unsigned char) text[i]))
				i++;
			if (sanitized && valid_number(text + start, i - start))
			{
				/* keep the sign and first digit: an integer of one digit */
				size_t		keep = (text[start] == '-') ? 2 : 1;

				for (size_t k = start + keep; k < i; k++)
					sanitized[k] = ' ';
			}
			last_end = i;
			continue;
		}

		switch (c)
		{
			case '{':
			case '[':
				if (depth == 0 && !root_seen)
				{
					root_object = (c == '{');
					expect_key = root_object;
				}
				depth++;
				break;
			case '}':
			case ']':
				if (depth == 1 && capture == CAPTURE_IN)
				{
					scan->snapshot_end = last_end;
					scan->has_snapshot = true;
					capture = CAPTURE_DONE;
				}
				if (depth > 0)
					depth--;
				break;
			case ',':
				if (depth == 1)
				{
					if (capture == CAPTURE_IN)
					{
						scan->snapshot_end = last_end;
						scan->has_snapshot = true;
						capture = CAPTURE_DONE;
					}
					expect_key = root_object;
				}
				break;
			case ':':
				if (depth == 1 && capture == CAPTURE_KEY)
					capture = CAPTURE_WAIT;
				break;
			default:
				/* literals (true, false, null) and garbage */
				break;
		}
		/* a key that is not followed by its ':' is not the snapshot's */
		if (capture == CAPTURE_KEY && c != ':')
			capture = CAPTURE_DONE;
		root_seen = true;
		i++;
		last_end = i;
	}
	/* a root that is still open (and no string left open) wants more lines */
	scan->incomplete = depth > 0 && !in_string_at_end;
	if (scan->has_snapshot && scan->snapshot_end <= scan->snapshot_start)
		scan->has_snapshot = false;
}

bool
jsonl_parse(const char *text, size_t len, JsonlValue *value, JsonlError *err)
{
	const char *nul = memchr(text, '\0', len);
	char	   *sanitized;
	json_error_t jerr;

	memset(value, 0, sizeof(*value));
	memset(err, 0, sizeof(*err));
	if (nul != NULL)
	{
		/* jansson would stop there; the server would never see the rest */
		int			line = 1;
		int			column = 1;

		for (const char *p = text; p < nul; p++)
		{
			if (*p == '\n')
			{
				line++;
				column = 1;
			}
			else
				column++;
		}
		err->line = line;
		err->column = column;
		snprintf(err->text, sizeof(err->text), "NUL byte in the input");
		return false;
	}
	sanitized = xmalloc(len + 1);
	memcpy(sanitized, text, len);
	sanitized[len] = '\0';
	jsonl_scan(text, len, sanitized, &value->scan);
	value->root = json_loadb(sanitized, len,
							 JSON_REJECT_DUPLICATES | JSON_DECODE_ANY, &jerr);
	free(sanitized);
	if (value->root == NULL)
	{
		err->line = jerr.line > 0 ? jerr.line : 1;
		err->column = jerr.column > 0 ? jerr.column : 1;
		snprintf(err->text, sizeof(err->text), "%s", jerr.text);
		return false;
	}
	/* a "snapshot" only counts in an object that has that member */
	if (!json_is_object(value->root) ||
		json_object_get(value->root, "snapshot") == NULL)
		value->scan.has_snapshot = false;
	return true;
}

void
jsonl_value_free(JsonlValue *value)
{
	if (value->root)
		json_decref(value->root);
	value->root = NULL;
}

/* ---- reading ---- */

void
jsonl_reader_init(JsonlReader *r, FILE *file, size_t limit)
{
	memset(r, 0, sizeof(*r));
	r->file = file;
	r->limit = limit;
	r->blk = xmalloc(JSONL_BLOCK);
	r->cap = 4096;
	r->buf = xmalloc(r->cap);
	r->buf[0] = '\0';
}

void
jsonl_reader_free(JsonlReader *r)
{
	free(r->blk);
	free(r->buf);
	r->blk = NULL;
	r->buf = NULL;
}

static bool
append(JsonlReader *r, const char *data, size_t n)
{
	if (n > r->limit || r->len > r->limit - n)
		return false;
	if (r->len + n + 1 > r->cap)
	{
		size_t		cap = r->cap;

		while (cap < r->len + n + 1)
			cap *= 2;
		if (cap > r->limit + 1)
			cap = r->limit + 1;
		r->buf = xrealloc(r->buf, cap);
		r->cap = cap;
	}
	memcpy(r->buf + r->len, data, n);
	r->len += n;
	r->buf[r->len] = '\0';
	return true;
}

/*
 * Read one line (without its '\n') onto the end of r->buf.  JSONL_EOF
 * when nothing at all was left.
 */
static JsonlStatus
read_line(JsonlReader *r)
{
	bool		got = false;

	for (;;)
	{
		char	   *start;
		char	   *nl;
		size_t		take;

		if (r->blk_pos == r->blk_len)
		{
			size_t		n;

			if (r->eof)
				break;
			n = fread(r->blk, 1, JSONL_BLOCK, r->file);
			if (n == 0)
			{
				if (ferror(r->file))
					return JSONL_IO_ERROR;
				r->eof = true;
				break;
			}
			r->blk_len = n;
			r->blk_pos = 0;
		}
		got = true;
		start = r->blk + r->blk_pos;
		nl = memchr(start, '\n', r->blk_len - r->blk_pos);
		take = nl ? (size_t) (nl - start) : r->blk_len - r->blk_pos;
		if (!append(r, start, take))
		{
			r->lineno++;
			return JSONL_TOO_LONG;
		}
		r->blk_pos += take;
		if (nl)
		{
			r->blk_pos++;
			r->lineno++;
			return JSONL_RECORD;
		}
	}
	if (!got)
		return JSONL_EOF;
	r->lineno++;
	return JSONL_RECORD;
}

JsonlStatus
jsonl_next(JsonlReader *r)
{
	JsonlStatus st;
	JsonlScan	scan;

	if (r->done)
		return JSONL_EOF;
	do
	{
		r->len = 0;
		r->buf[0] = '\0';
		r->first_line = r->lineno + 1;
		st = read_line(r);
		if (st != JSONL_RECORD)
		{
			if (st == JSONL_TOO_LONG)
				r->first_line = r->lineno;
			r->done = true;
			return st;
		}
	} while (jsonl_blank(r->buf, r->len));
	r->first_line = r->lineno;

	/* only the first value may be a document of several lines */
	if (r->seen_value)
		return JSONL_RECORD;
	r->seen_value = true;
	jsonl_scan(r->buf, r->len, NULL, &scan);
	if (!scan.incomplete)
		return JSONL_RECORD;

	/* one document: the whole input, lines joined again */
	r->document = true;
	r->done = true;
	for (;;)
	{
		if (!append(r, "\n", 1))
			return JSONL_TOO_LONG;
		st = read_line(r);
		if (st == JSONL_EOF)
			return JSONL_RECORD;
		if (st != JSONL_RECORD)
			return st;
	}
}
