/*-------------------------------------------------------------------------
 *
 * wfp_validate.c
 *	  awaitly's validateSnapshot / looksLikeWorkflowSnapshot on jsonb, plus
 *	  our strict mode.
 *
 * The default mode gives exactly awaitly 1.35.0's verdicts and messages
 * (see shared/spec/snapshot-format.md): JavaScript's notion of "object"
 * includes arrays, "present" means the key exists whatever its value, and
 * steps are reported in jsonb key order.  Strict mode adds checks awaitly
 * lacks; its messages always come after all of awaitly's.
 *
 * The walkers read the jsonb binary in place: key lookups are binary
 * searches, the only iteration is a shallow walk over "steps" (and, in
 * strict mode, over "warnings").  With errs->collect = false they stop at
 * the first error and format nothing.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "fmgr.h"
#include "miscadmin.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/jsonb.h"

#include "wfp_jsonb.h"
#include "wfp_rules.h"

PG_FUNCTION_INFO_V1(wf_validate);
PG_FUNCTION_INFO_V1(wf_is_valid);
PG_FUNCTION_INFO_V1(wf_looks_like_snapshot);
PG_FUNCTION_INFO_V1(wf_assert_valid);

/* Stop early when the caller only wants a verdict. */
#define DONE(errs)	(!(errs)->collect && (errs)->count > 0)

static void add_error(WfpErrors *errs, const char *fmt,...) pg_attribute_printf(2, 3);

static void
add_error(WfpErrors *errs, const char *fmt,...)
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

/* JavaScript "typeof v === 'object' && v !== null": objects and arrays */
static inline bool
is_js_object(const JsonbValue *v)
{
	WfpKind		k = wfp_kind(v);

	return k == WFP_OBJECT || k == WFP_ARRAY;
}

/* The container behind an object or array value (NULL for scalars). */
static inline JsonbContainer *
container_of(const JsonbValue *v)
{
	return v->type == jbvBinary ? v->val.binary.data : NULL;
}

/* awaitly's "formatVersion !== 1": compare as the double JS would parse */
static bool
is_js_one(const JsonbValue *v)
{
	return v->type == jbvNumeric &&
		wfp_numeric_to_double(v->val.numeric) == 1.0;
}

/* ----------
 * awaitly's rules
 * ----------
 */

static void
check_step_awaitly(const char *key, int keylen, const JsonbValue *step,
				   WfpErrors *errs)
{
	JsonbContainer *c;
	JsonbValue	ok;
	JsonbValue	tmp;

	if (!is_js_object(step))
	{
		add_error(errs, "steps[\"%.*s\"] must be an object", keylen, key);
		return;
	}
	c = container_of(step);
	if (!wfp_get_key(c, "ok", &ok))
	{
		add_error(errs, "steps[\"%.*s\"] missing required field: ok",
				  keylen, key);
		return;
	}
	if (ok.type != jbvBool)
	{
		add_error(errs, "steps[\"%.*s\"].ok must be a boolean", keylen, key);
		return;
	}
	if (ok.val.boolean)
		return;
	if (!wfp_get_key(c, "error", &tmp))
		add_error(errs, "steps[\"%.*s\"] is error result but missing error field",
				  keylen, key);
	if (DONE(errs))
		return;
	if (!wfp_get_key(c, "cause", &tmp))
		add_error(errs, "steps[\"%.*s\"] is error result but missing cause field",
				  keylen, key);
}

/*
 * Calls fn for every entry of a steps container, in jsonb order: object
 * pairs by key, array elements by index (their keys are "0", "1", ...).
 */
typedef void (*StepVisitor) (const char *key, int keylen,
							 const JsonbValue *step, bool strict,
							 WfpErrors *errs);

static void
walk_steps(JsonbContainer *steps, StepVisitor fn, bool strict, WfpErrors *errs)
{
	JsonbIterator *it = JsonbIteratorInit(steps);
	JsonbIteratorToken tok;
	JsonbValue	v;
	JsonbValue	key = {0};
	int			index = 0;
	char		indexbuf[16];

	while ((tok = JsonbIteratorNext(&it, &v, true)) != WJB_DONE)
	{
		CHECK_FOR_INTERRUPTS();
		if (tok == WJB_KEY)
			key = v;
		else if (tok == WJB_VALUE)
			fn(key.val.string.val, key.val.string.len, &v, strict, errs);
		else if (tok == WJB_ELEM)
		{
			int			len = snprintf(indexbuf, sizeof(indexbuf), "%d", index++);

			fn(indexbuf, len, &v, strict, errs);
		}
		else
			continue;
		if (DONE(errs))
			return;				/* leaks the iterator; per-call memory */
	}
}

static void
visit_step_awaitly(const char *key, int keylen, const JsonbValue *step,
				   bool strict, WfpErrors *errs)
{
	check_step_awaitly(key, keylen, step, errs);
}

static void
check_execution_awaitly(const JsonbValue *exec, WfpErrors *errs)
{
	JsonbContainer *c;
	JsonbValue	v;

	if (!is_js_object(exec))
	{
		add_error(errs, "execution must be an object");
		return;
	}
	c = container_of(exec);
	if (!wfp_get_key(c, "status", &v))
		add_error(errs, "execution missing required field: status");
	else if (!wfp_string_equals(&v, "running") &&
			 !wfp_string_equals(&v, "completed") &&
			 !wfp_string_equals(&v, "failed"))
		add_error(errs, "execution.status must be one of: running, completed, failed");
	if (DONE(errs))
		return;
	if (!wfp_get_key(c, "lastUpdated", &v))
		add_error(errs, "execution missing required field: lastUpdated");
	else if (v.type != jbvString)
		add_error(errs, "execution.lastUpdated must be a string (ISO timestamp)");
}

/* ----------
 * Strict mode (ours)
 * ----------
 */

static bool
is_leap(long year)
{
	return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
}

/* Parse exactly n digits at *p into *out. */
static bool
take_digits(const char **p, const char *end, int n, long *out)
{
	long		v = 0;

	if (end - *p < n)
		return false;
	for (int i = 0; i < n; i++)
	{
		char		c = (*p)[i];

		if (c < '0' || c > '9')
			return false;
		v = v * 10 + (c - '0');
	}
	*p += n;
	*out = v;
	return true;
}

static bool
take_char(const char **p, const char *end, const char *accepted)
{
	if (*p >= end || strchr(accepted, **p) == NULL || **p == '\0')
		return false;
	(*p)++;
	return true;
}

/*
 * An RFC 3339 date-time: the profile of ISO 8601 that JavaScript's
 * Date.prototype.toISOString() writes.  YYYY-MM-DDTHH:MM:SS, optional
 * fraction, then Z or an offset +HH:MM / -HH:MM.  toISOString's expanded
 * years (+YYYYYY / -YYYYYY) are accepted too.  Field ranges are checked,
 * including the length of February.
 */
static bool
is_iso_timestamp(const char *s, int len)
{
	static const int mdays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	const char *p = s;
	const char *end = s + len;
	long		year,
				month,
				day,
				hour,
				minute,
				second,
				oh,
				om;
	bool		negyear = false;

	if (p < end && (*p == '+' || *p == '-'))
	{
		negyear = (*p == '-');
		p++;
		if (!take_digits(&p, end, 6, &year))
			return false;
		if (negyear && year == 0)
			return false;		/* -000000 is not allowed */
	}
	else if (!take_digits(&p, end, 4, &year))
		return false;
	if (negyear)
		year = -year;
	if (!take_char(&p, end, "-") || !take_digits(&p, end, 2, &month) ||
		!take_char(&p, end, "-") || !take_digits(&p, end, 2, &day) ||
		!take_char(&p, end, "Tt") || !take_digits(&p, end, 2, &hour) ||
		!take_char(&p, end, ":") || !take_digits(&p, end, 2, &minute) ||
		!take_char(&p, end, ":") || !take_digits(&p, end, 2, &second))
		return false;
	if (month < 1 || month > 12 || day < 1 ||
		day > mdays[month - 1] + (month == 2 && is_leap(year) ? 1 : 0) ||
		hour > 23 || minute > 59 || second > 59)
		return false;
	if (p < end && *p == '.')
	{
		const char *frac = ++p;

		while (p < end && *p >= '0' && *p <= '9')
			p++;
		if (p == frac)
			return false;
	}
	if (take_char(&p, end, "Zz"))
		return p == end;
	if (!take_char(&p, end, "+-") || !take_digits(&p, end, 2, &oh) ||
		!take_char(&p, end, ":") || !take_digits(&p, end, 2, &om))
		return false;
	return p == end && oh <= 23 && om <= 59;
}

/* A message prefix like steps["k"].cause, built only when collecting. */
static char *
path_of(WfpErrors *errs, const char *fmt,...) pg_attribute_printf(2, 3);

static char *
path_of(WfpErrors *errs, const char *fmt,...)
{
	StringInfoData buf;

	if (!errs->collect)
		return NULL;
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
	return buf.data;
}

/*
 * A required string field: "missing required field" when absent, "must be
 * a string" when present with another type.  Optional fields pass absent.
 */
static void
check_string_field(JsonbContainer *c, const char *path, const char *field,
				   bool required, WfpErrors *errs)
{
	JsonbValue	v;

	if (!wfp_get_key(c, field, &v))
	{
		if (required)
			add_error(errs, "%s missing required field: %s", path, field);
	}
	else if (v.type != jbvString)
		add_error(errs, "%s.%s must be a string", path, field);
}

/*
 * How many SerializedCause levels strict mode follows through "cause".
 * awaitly's serializeError recurses without a bound, but no real error
 * chain comes near this; a document that does is refused rather than
 * walked, because every message about a level names the whole path down
 * to it (steps["k"].cause.cause...), so the text of the messages would
 * grow with the square of the depth.
 */
#define WFP_MAX_CAUSE_DEPTH 1000

/*
 * SerializedCause: {type:"error",name,message,stack?,cause?} |
 * {type:"thrown",originalType?,value?,stringRepresentation,truncated?}.
 * "path" names it in messages (NULL when not collecting).  The chain of
 * causes is followed in a loop, with one path buffer that grows by
 * ".cause" per level.
 */
static void
check_cause(const JsonbValue *cause, const char *path, WfpErrors *errs)
{
	StringInfoData pathbuf;
	JsonbValue	cur = *cause;
	int			depth = 1;

	if (errs->collect)
	{
		initStringInfo(&pathbuf);
		appendStringInfoString(&pathbuf, path);
	}
	for (;;)
	{
		const char *p = errs->collect ? pathbuf.data : NULL;
		JsonbContainer *c;
		JsonbValue	v;

		CHECK_FOR_INTERRUPTS();
		if (wfp_kind(&cur) != WFP_OBJECT)
		{
			add_error(errs, "%s must be an object", p);
			return;
		}
		c = container_of(&cur);
		if (!wfp_get_key(c, "type", &v))
		{
			add_error(errs, "%s missing required field: type", p);
			return;
		}
		if (wfp_string_equals(&v, "thrown"))
		{
			check_string_field(c, p, "originalType", false, errs);
			check_string_field(c, p, "stringRepresentation", true, errs);
			if (wfp_get_key(c, "truncated", &v) &&
				!(v.type == jbvBool && v.val.boolean))
				add_error(errs, "%s.truncated must be true", p);
			return;
		}
		if (!wfp_string_equals(&v, "error"))
		{
			add_error(errs, "%s.type must be one of: error, thrown", p);
			return;
		}
		check_string_field(c, p, "name", true, errs);
		check_string_field(c, p, "message", true, errs);
		check_string_field(c, p, "stack", false, errs);
		if (DONE(errs) || !wfp_get_key(c, "cause", &v))
			return;
		if (depth >= WFP_MAX_CAUSE_DEPTH)
		{
			add_error(errs, "%s is nested more than %d levels deep",
					  path, WFP_MAX_CAUSE_DEPTH);
			return;
		}
		depth++;
		cur = v;
		if (errs->collect)
			appendStringInfoString(&pathbuf, ".cause");
	}
}

static void
check_step_strict(const char *key, int keylen, const JsonbValue *step,
				  WfpErrors *errs)
{
	JsonbContainer *c;
	JsonbValue	v;

	/* shapes awaitly already rejects are not reported twice */
	if (wfp_kind(step) != WFP_OBJECT)
		return;
	c = container_of(step);
	if (!wfp_get_key(c, "ok", &v) || v.type != jbvBool || v.val.boolean)
		return;

	if (wfp_get_key(c, "cause", &v))
		check_cause(&v, path_of(errs, "steps[\"%.*s\"].cause", keylen, key),
					errs);
	if (DONE(errs))
		return;
	if (wfp_get_key(c, "meta", &v))
	{
		JsonbValue	origin;

		if (wfp_kind(&v) != WFP_OBJECT)
			add_error(errs, "steps[\"%.*s\"].meta must be an object",
					  keylen, key);
		else if (!wfp_get_key(container_of(&v), "origin", &origin))
			add_error(errs, "steps[\"%.*s\"].meta missing required field: origin",
					  keylen, key);
		else if (!wfp_string_equals(&origin, "result") &&
				 !wfp_string_equals(&origin, "throw"))
			add_error(errs, "steps[\"%.*s\"].meta.origin must be one of: result, throw",
					  keylen, key);
	}
}

static void
visit_step_strict(const char *key, int keylen, const JsonbValue *step,
				  bool strict, WfpErrors *errs)
{
	check_step_strict(key, keylen, step, errs);
}

static void
check_timestamp_field(JsonbContainer *exec, const char *field, WfpErrors *errs)
{
	JsonbValue	v;

	if (!wfp_get_key(exec, field, &v))
		return;
	if (v.type != jbvString)
	{
		/* lastUpdated's type is an awaitly rule, reported already */
		if (strcmp(field, "lastUpdated") != 0)
			add_error(errs, "execution.%s must be a string (ISO timestamp)",
					  field);
	}
	else if (!is_iso_timestamp(v.val.string.val, v.val.string.len))
		add_error(errs, "execution.%s must be an ISO 8601 timestamp", field);
}

static void
check_warnings_strict(const JsonbValue *warnings, WfpErrors *errs)
{
	JsonbIterator *it;
	JsonbIteratorToken tok;
	JsonbValue	w;
	int			i = 0;

	if (wfp_kind(warnings) != WFP_ARRAY)
	{
		add_error(errs, "warnings must be an array");
		return;
	}
	it = JsonbIteratorInit(container_of(warnings));
	while ((tok = JsonbIteratorNext(&it, &w, true)) != WJB_DONE)
	{
		JsonbContainer *c;
		JsonbValue	v;
		char	   *path;

		if (tok != WJB_ELEM)
			continue;
		CHECK_FOR_INTERRUPTS();
		path = path_of(errs, "warnings[%d]", i++);
		if (wfp_kind(&w) != WFP_OBJECT)
		{
			add_error(errs, "%s must be an object", path);
			if (DONE(errs))
				return;
			continue;
		}
		c = container_of(&w);
		if (!wfp_get_key(c, "type", &v))
			add_error(errs, "%s missing required field: type", path);
		else if (!wfp_string_equals(&v, "lossy_value"))
			add_error(errs, "%s.type must be \"lossy_value\"", path);
		check_string_field(c, path, "stepId", true, errs);
		check_string_field(c, path, "path", true, errs);
		if (!wfp_get_key(c, "reason", &v))
			add_error(errs, "%s missing required field: reason", path);
		else if (!wfp_string_equals(&v, "non-json") &&
				 !wfp_string_equals(&v, "circular") &&
				 !wfp_string_equals(&v, "encode-failed"))
			add_error(errs, "%s.reason must be one of: non-json, circular, encode-failed",
					  path);
		if (DONE(errs))
			return;
	}
}

static void
check_snapshot_strict(JsonbContainer *root, WfpErrors *errs)
{
	JsonbValue	v;

	if (wfp_get_key(root, "steps", &v) && v.type == jbvBinary)
	{
		if (wfp_kind(&v) == WFP_ARRAY)
			add_error(errs, "steps must be an object, not an array");
		else
			walk_steps(container_of(&v), visit_step_strict, true, errs);
	}
	if (DONE(errs))
		return;
	if (wfp_get_key(root, "execution", &v) && wfp_kind(&v) == WFP_OBJECT)
	{
		JsonbContainer *exec = container_of(&v);

		check_timestamp_field(exec, "lastUpdated", errs);
		check_timestamp_field(exec, "completedAt", errs);
		check_string_field(exec, "execution", "currentStepId", false, errs);
	}
	if (DONE(errs))
		return;
	if (wfp_get_key(root, "workflowName", &v) && v.type != jbvString)
		add_error(errs, "workflowName must be a string");
	if (DONE(errs))
		return;
	if (wfp_get_key(root, "metadata", &v) && wfp_kind(&v) != WFP_OBJECT)
		add_error(errs, "metadata must be an object");
	if (DONE(errs))
		return;
	if (wfp_get_key(root, "warnings", &v))
		check_warnings_strict(&v, errs);
}

/* ----------
 * Entry points
 * ----------
 */

/*
 * Validate a whole snapshot; see WfpErrors for the two modes.
 */
void
wfp_validate_snapshot(Jsonb *jb, bool strict, WfpErrors *errs)
{
	JsonbContainer *root;
	JsonbValue	v;

	if (JB_ROOT_IS_SCALAR(jb))
	{
		add_error(errs, "Snapshot must be an object");
		return;
	}
	root = &jb->root;

	/* formatVersion */
	if (!wfp_get_key(root, "formatVersion", &v))
		add_error(errs, "Missing required field: formatVersion");
	else if (!is_js_one(&v))
	{
		StringInfoData got;

		if (errs->collect)
		{
			initStringInfo(&got);
			wfp_append_js_string(&got, &v);
			add_error(errs, "Invalid formatVersion: expected 1, got %s", got.data);
		}
		else
			add_error(errs, "Invalid formatVersion");
	}
	if (DONE(errs))
		return;

	/* steps */
	if (!wfp_get_key(root, "steps", &v))
		add_error(errs, "Missing required field: steps");
	else if (!is_js_object(&v))
		add_error(errs, "steps must be an object");
	else
		walk_steps(container_of(&v), visit_step_awaitly, false, errs);
	if (DONE(errs))
		return;

	/* execution */
	if (!wfp_get_key(root, "execution", &v))
		add_error(errs, "Missing required field: execution");
	else
		check_execution_awaitly(&v, errs);

	if (strict && !DONE(errs))
		check_snapshot_strict(root, errs);
}

/*
 * Validate one StepResult, as wf_save_step receives it: awaitly's per-step
 * rules, then (strict) ours, with the same messages as inside a snapshot.
 */
void
wfp_validate_step(const char *key, int keylen, const JsonbValue *step,
				  bool strict, WfpErrors *errs)
{
	check_step_awaitly(key, keylen, step, errs);
	if (strict && !DONE(errs))
		check_step_strict(key, keylen, step, errs);
}

/*
 * awaitly's looksLikeWorkflowSnapshot: a cheap shape test, nothing deeper.
 * execution may be null (typeof null is "object" in JavaScript).
 */
static bool
wfp_looks_like_snapshot(Jsonb *jb)
{
	JsonbValue	v;

	if (JB_ROOT_IS_SCALAR(jb) || !JB_ROOT_IS_OBJECT(jb))
		return false;
	if (!wfp_get_key(&jb->root, "formatVersion", &v) || !is_js_one(&v))
		return false;
	if (!wfp_get_key(&jb->root, "steps", &v) || !is_js_object(&v))
		return false;
	if (!wfp_get_key(&jb->root, "execution", &v))
		return false;
	return v.type == jbvNull || is_js_object(&v);
}

/*
 * Raise SQLSTATE 22023 "<what>: <first message>", every message in DETAIL,
 * one per line.
 */
void
wfp_raise_invalid(const char *what, List *messages)
{
	StringInfoData detail;
	ListCell   *lc;

	Assert(messages != NIL);
	initStringInfo(&detail);
	foreach(lc, messages)
	{
		if (detail.len > 0)
			appendStringInfoChar(&detail, '\n');
		appendStringInfoString(&detail, (char *) lfirst(lc));
	}
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("%s: %s", what, (char *) linitial(messages)),
			 errdetail("%s", detail.data)));
}

Datum
wf_validate(PG_FUNCTION_ARGS)
{
	Jsonb	   *jb = PG_GETARG_JSONB_P(0);
	bool		strict = PG_GETARG_BOOL(1);
	WfpErrors	errs = {true, 0, NIL};
	Datum	   *elems;
	ListCell   *lc;
	int			i = 0;

	wfp_validate_snapshot(jb, strict, &errs);
	if (errs.count == 0)
		PG_RETURN_ARRAYTYPE_P(construct_empty_array(TEXTOID));

	elems = palloc(sizeof(Datum) * list_length(errs.messages));
	foreach(lc, errs.messages)
		elems[i++] = CStringGetTextDatum((char *) lfirst(lc));
	PG_RETURN_ARRAYTYPE_P(construct_array(elems, i, TEXTOID, -1, false,
										  TYPALIGN_INT));
}

Datum
wf_is_valid(PG_FUNCTION_ARGS)
{
	Jsonb	   *jb = PG_GETARG_JSONB_P(0);
	bool		strict = PG_GETARG_BOOL(1);
	WfpErrors	errs = {false, 0, NIL};

	wfp_validate_snapshot(jb, strict, &errs);
	PG_RETURN_BOOL(errs.count == 0);
}

Datum
wf_looks_like_snapshot(PG_FUNCTION_ARGS)
{
	PG_RETURN_BOOL(wfp_looks_like_snapshot(PG_GETARG_JSONB_P(0)));
}

Datum
wf_assert_valid(PG_FUNCTION_ARGS)
{
	Jsonb	   *jb = PG_GETARG_JSONB_P(0);
	WfpErrors	errs = {false, 0, NIL};

	wfp_validate_snapshot(jb, false, &errs);
	if (errs.count > 0)
	{
		WfpErrors	all = {true, 0, NIL};

		wfp_validate_snapshot(jb, false, &all);
		wfp_raise_invalid("invalid snapshot format", all.messages);
	}
	PG_RETURN_JSONB_P(jb);
}
