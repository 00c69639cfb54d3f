/*-------------------------------------------------------------------------
 *
 * wfp_bench_jansson.c
 *	  Bench-only: awaitly's default-mode validateSnapshot done the "other"
 *	  way, jsonb -> text -> jansson tree -> checks, so that it can be timed
 *	  against workflow_persist's jsonb-native validator (src/wfp_validate.c).
 *
 * It gives the same verdicts and the same 16 message templates as the
 * native validator (shared/spec/snapshot-format.md); the bench script
 * checks that before it times anything.
 *
 * This file holds everything that sees jansson.h, and nothing that sees
 * utils/builtins.h: jansson's json_object()/json_typeof clash with the
 * fmgr prototypes of PostgreSQL's SQL functions of the same names
 * (utils/fmgrprotos.h), so the two cannot share a translation unit.  The
 * SQL entry points live in wfp_bench_engines.c.
 *
 * Memory: jansson allocates with malloc.  Nothing that can ereport runs
 * while the tree is alive except inside PG_TRY, whose PG_FINALLY releases
 * the tree.  The JSON text is palloc'd and freed explicitly.
 *
 * Limit (bench-only, an error rather than a wrong verdict): numbers beyond
 * the double range, which jsonb's numeric keeps, make jansson's parse fail.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <math.h>

#include <jansson.h>

#include "common/shortest_dec.h"
#include "miscadmin.h"
#include "nodes/pg_list.h"
#include "utils/jsonb.h"

#include "wfp_bench.h"

#define DONE(errs)	(!(errs)->collect && (errs)->count > 0)

static void add_error(BenchErrors *errs, const char *fmt,...) pg_attribute_printf(2, 3);

static void
add_error(BenchErrors *errs, const char *fmt,...)
{
	errs->count++;
	if (errs->collect)
	{
		StringInfoData buf;

		initStringInfo(&buf);
		for (;;)
		{
			va_list		args;
			int			needed;

			va_start(args, fmt);
			needed = appendStringInfoVA(&buf, fmt, args);
			va_end(args);
			if (needed == 0)
				break;
			enlargeStringInfo(&buf, needed);
		}
		errs->messages = lappend(errs->messages, buf.data);
	}
}

/* JavaScript "typeof v === 'object' && v !== null" */
static inline bool
is_js_object(const json_t *v)
{
	return json_is_object(v) || json_is_array(v);
}

static bool
string_equals(const json_t *v, const char *s)
{
	size_t		len = strlen(s);

	return json_is_string(v) && json_string_length(v) == len &&
		memcmp(json_string_value(v), s, len) == 0;
}

/* Number.prototype.toString(): shortest round-trip digits, JS layout */
static void
append_js_number(StringInfo buf, double d)
{
	char		shortest[DOUBLE_SHORTEST_DECIMAL_LEN];
	char		digits[DOUBLE_SHORTEST_DECIMAL_LEN];
	int			ndigits = 0;
	int			point = -1;
	int			exponent = 0;
	int			n;
	char	   *p;

	if (isnan(d))
	{
		appendStringInfoString(buf, "NaN");
		return;
	}
	if (isinf(d))
	{
		appendStringInfoString(buf, d > 0 ? "Infinity" : "-Infinity");
		return;
	}
	if (d == 0)
	{
		appendStringInfoChar(buf, '0');
		return;
	}
	if (d < 0)
	{
		appendStringInfoChar(buf, '-');
		d = -d;
	}
	double_to_shortest_decimal_buf(d, shortest);
	for (p = shortest; *p && *p != 'e' && *p != 'E'; p++)
	{
		if (*p == '.')
			point = ndigits;
		else if (*p >= '0' && *p <= '9')
			digits[ndigits++] = *p;
	}
	if (*p)
		exponent = atoi(p + 1);
	if (point < 0)
		point = ndigits;
	n = point + exponent;
	while (ndigits > 1 && digits[0] == '0')
	{
		memmove(digits, digits + 1, --ndigits);
		n--;
	}
	while (ndigits > 1 && digits[ndigits - 1] == '0')
		ndigits--;

	if (ndigits <= n && n <= 21)
	{
		appendBinaryStringInfo(buf, digits, ndigits);
		for (int i = ndigits; i < n; i++)
			appendStringInfoChar(buf, '0');
	}
	else if (0 < n && n <= 21)
	{
		appendBinaryStringInfo(buf, digits, n);
		appendStringInfoChar(buf, '.');
		appendBinaryStringInfo(buf, digits + n, ndigits - n);
	}
	else if (-6 < n && n <= 0)
	{
		appendStringInfoString(buf, "0.");
		for (int i = n; i < 0; i++)
			appendStringInfoChar(buf, '0');
		appendBinaryStringInfo(buf, digits, ndigits);
	}
	else
	{
		int			e = n - 1;

		appendStringInfoChar(buf, digits[0]);
		if (ndigits > 1)
		{
			appendStringInfoChar(buf, '.');
			appendBinaryStringInfo(buf, digits + 1, ndigits - 1);
		}
		appendStringInfo(buf, "e%c%d", e < 0 ? '-' : '+', e < 0 ? -e : e);
	}
}

/* JavaScript's String(v) for a JSON value */
static void
append_js_string(StringInfo buf, const json_t *v)
{
	check_stack_depth();
	switch (json_typeof(v))
	{
		case JSON_NULL:
			appendStringInfoString(buf, "null");
			break;
		case JSON_TRUE:
			appendStringInfoString(buf, "true");
			break;
		case JSON_FALSE:
			appendStringInfoString(buf, "false");
			break;
		case JSON_INTEGER:
		case JSON_REAL:
			append_js_number(buf, json_number_value(v));
			break;
		case JSON_STRING:
			appendBinaryStringInfo(buf, json_string_value(v),
								   (int) json_string_length(v));
			break;
		case JSON_OBJECT:
			appendStringInfoString(buf, "[object Object]");
			break;
		case JSON_ARRAY:
			for (size_t i = 0; i < json_array_size(v); i++)
			{
				json_t	   *elem = json_array_get(v, i);

				if (i > 0)
					appendStringInfoChar(buf, ',');
				if (!json_is_null(elem))
					append_js_string(buf, elem);
			}
			break;
	}
}

static void
check_step(const char *key, int keylen, const json_t *step, BenchErrors *errs)
{
	json_t	   *ok;

	if (!is_js_object(step))
	{
		add_error(errs, "steps[\"%.*s\"] must be an object", keylen, key);
		return;
	}
	/* json_object_get on an array is NULL: an array has no named keys */
	ok = json_object_get(step, "ok");
	if (ok == NULL)
	{
		add_error(errs, "steps[\"%.*s\"] missing required field: ok",
				  keylen, key);
		return;
	}
	if (!json_is_boolean(ok))
	{
		add_error(errs, "steps[\"%.*s\"].ok must be a boolean", keylen, key);
		return;
	}
	if (json_is_true(ok))
		return;
	if (json_object_get(step, "error") == NULL)
		add_error(errs, "steps[\"%.*s\"] is error result but missing error field",
				  keylen, key);
	if (DONE(errs))
		return;
	if (json_object_get(step, "cause") == NULL)
		add_error(errs, "steps[\"%.*s\"] is error result but missing cause field",
				  keylen, key);
}

/* Object entries in insertion order (= jsonb order of the text); arrays by index */
static void
walk_steps(json_t *steps, BenchErrors *errs)
{
	if (json_is_object(steps))
	{
		for (void *it = json_object_iter(steps); it != NULL;
			 it = json_object_iter_next(steps, it))
		{
			CHECK_FOR_INTERRUPTS();
			check_step(json_object_iter_key(it),
					   (int) json_object_iter_key_len(it),
					   json_object_iter_value(it), errs);
			if (DONE(errs))
				return;
		}
	}
	else
	{
		char		indexbuf[32];

		for (size_t i = 0; i < json_array_size(steps); i++)
		{
			int			len = snprintf(indexbuf, sizeof(indexbuf), "%zu", i);

			CHECK_FOR_INTERRUPTS();
			check_step(indexbuf, len, json_array_get(steps, i), errs);
			if (DONE(errs))
				return;
		}
	}
}

static void
check_execution(const json_t *exec, BenchErrors *errs)
{
	json_t	   *v;

	if (!is_js_object(exec))
	{
		add_error(errs, "execution must be an object");
		return;
	}
	v = json_object_get(exec, "status");
	if (v == NULL)
		add_error(errs, "execution missing required field: status");
	else if (!string_equals(v, "running") &&
			 !string_equals(v, "completed") &&
			 !string_equals(v, "failed"))
		add_error(errs, "execution.status must be one of: running, completed, failed");
	if (DONE(errs))
		return;
	v = json_object_get(exec, "lastUpdated");
	if (v == NULL)
		add_error(errs, "execution missing required field: lastUpdated");
	else if (!json_is_string(v))
		add_error(errs, "execution.lastUpdated must be a string (ISO timestamp)");
}

/* awaitly's validateSnapshot (default mode) on a jansson tree */
static void
check_snapshot(json_t *root, BenchErrors *errs)
{
	json_t	   *v;

	if (!is_js_object(root))
	{
		add_error(errs, "Snapshot must be an object");
		return;
	}

	v = json_object_get(root, "formatVersion");
	if (v == NULL)
		add_error(errs, "Missing required field: formatVersion");
	else if (!(json_is_number(v) && json_number_value(v) == 1.0))
	{
		if (errs->collect)
		{
			StringInfoData got;

			initStringInfo(&got);
			append_js_string(&got, v);
			add_error(errs, "Invalid formatVersion: expected 1, got %s", got.data);
		}
		else
			add_error(errs, "Invalid formatVersion");
	}
	if (DONE(errs))
		return;

	v = json_object_get(root, "steps");
	if (v == NULL)
		add_error(errs, "Missing required field: steps");
	else if (!is_js_object(v))
		add_error(errs, "steps must be an object");
	else
		walk_steps(v, errs);
	if (DONE(errs))
		return;

	v = json_object_get(root, "execution");
	if (v == NULL)
		add_error(errs, "Missing required field: execution");
	else
		check_execution(v, errs);
}

/*
 * The jansson path end to end: jsonb -> text (JsonbToCString) -> json_loadb
 * -> checks -> json_decref.  The tree is released whatever happens.
 */
static json_t *
parse_jsonb(Jsonb *jb)
{
	StringInfoData text;
	json_t	   *root;
	json_error_t jerr;

	initStringInfo(&text);
	JsonbToCString(&text, &jb->root, VARSIZE(jb));

	/*
	 * DECODE_ANY: a scalar root must parse (and be reported by the checks).
	 * INT_AS_REAL: integers beyond int64 would otherwise be a parse error;
	 * as doubles they compare the way JavaScript's would.
	 */
	root = json_loadb(text.data, text.len,
					  JSON_DECODE_ANY | JSON_DECODE_INT_AS_REAL, &jerr);
	pfree(text.data);
	if (root == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_DATA_EXCEPTION),
				 errmsg("jansson could not parse the snapshot: %s", jerr.text),
				 errdetail("Line %d, column %d, position %d.",
						   jerr.line, jerr.column, jerr.position)));
	return root;
}

void
wfp_bench_jansson_validate_jsonb(Jsonb *jb, BenchErrors *errs)
{
	json_t	   *root = parse_jsonb(jb);

	PG_TRY();
	{
		check_snapshot(root, errs);
	}
	PG_FINALLY();
	{
		json_decref(root);
	}
	PG_END_TRY();
}

/* The first stages alone: jsonb -> text -> jansson tree -> free */
void
wfp_bench_jansson_parse_only(Jsonb *jb)
{
	json_decref(parse_jsonb(jb));
}
