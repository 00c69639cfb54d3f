/*-------------------------------------------------------------------------
 *
 * wfp_jsonb.c
 *	  Small helpers over the jsonb binary format.
 *
 * Everything here reads jsonb containers in place (key lookup by binary
 * search, shallow iterators); nothing converts a document to text.  The
 * JavaScript renderings exist because awaitly's messages print values the
 * way JavaScript's String() does, and because awaitly's merge compares a
 * warning's stepId with step keys after the same conversion.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <math.h>

#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/datetime.h"
#include "utils/numeric.h"

#include "wfp_jsonb.h"

/*
 * The JavaScript kind of a jsonb value: jbvBinary containers are told apart
 * into arrays and objects.  (A nested container is never a raw scalar.)
 */
WfpKind
wfp_kind(const JsonbValue *v)
{
	switch (v->type)
	{
		case jbvNull:
			return WFP_NULL;
		case jbvBool:
			return WFP_BOOL;
		case jbvNumeric:
			return WFP_NUMBER;
		case jbvString:
			return WFP_STRING;
		case jbvArray:
			return WFP_ARRAY;
		case jbvObject:
			return WFP_OBJECT;
		case jbvBinary:
			return JsonContainerIsObject(v->val.binary.data) ?
				WFP_OBJECT : WFP_ARRAY;
		default:
			elog(ERROR, "unexpected jsonb value type %d", (int) v->type);
	}
	return WFP_NULL;			/* keep compiler quiet */
}

const char *
wfp_kind_name(WfpKind kind)
{
	switch (kind)
	{
		case WFP_NULL:
			return "null";
		case WFP_BOOL:
			return "boolean";
		case WFP_NUMBER:
			return "number";
		case WFP_STRING:
			return "string";
		case WFP_ARRAY:
			return "array";
		case WFP_OBJECT:
			return "object";
	}
	return "unknown";
}

/*
 * Look a key up in an object container without iterating it.  Returns NULL
 * when the container is not an object (an array has no named keys) or when
 * the key is absent; "res" receives the value otherwise.
 */
JsonbValue *
wfp_get_key(JsonbContainer *obj, const char *key, JsonbValue *res)
{
	if (!JsonContainerIsObject(obj))
		return NULL;
	return getKeyJsonValueFromContainer(obj, key, strlen(key), res);
}

/* Is v the JSON string s, exactly? */
bool
wfp_string_equals(const JsonbValue *v, const char *s)
{
	size_t		len = strlen(s);

	return v->type == jbvString &&
		v->val.string.len == (int) len &&
		memcmp(v->val.string.val, s, len) == 0;
}

/*
 * The root of a jsonb datum as one JsonbValue: the scalar itself for a raw
 * scalar root, otherwise a jbvBinary pointing at the root container.
 */
void
wfp_root_value(Jsonb *jb, JsonbValue *res)
{
	if (JB_ROOT_IS_SCALAR(jb))
	{
		if (!JsonbExtractScalar(&jb->root, res))
			elog(ERROR, "could not extract scalar from jsonb");
		return;
	}
	res->type = jbvBinary;
	res->val.binary.data = &jb->root;
	res->val.binary.len = VARSIZE(jb) - VARHDRSZ;
}

/*
 * The IEEE double JavaScript's JSON.parse would produce for a number:
 * correctly rounded, overflowing to +/-Infinity and underflowing to zero,
 * which is exactly what strtod does with the numeric's decimal text.
 */
double
wfp_numeric_to_double(Numeric num)
{
	char	   *text = DatumGetCString(DirectFunctionCall1(numeric_out,
														   NumericGetDatum(num)));
	double		d = strtod(text, NULL);

	pfree(text);
	return d;
}

/*
 * Does the decimal m * 10^e read back (strtod: correctly rounded, ties to
 * even) as exactly d?
 */
static bool
decimal_reads_as(uint64 m, int e, double d)
{
	char		text[48];

	if (m == 0)
		return false;
	snprintf(text, sizeof(text), UINT64_FORMAT "e%d", m, e);
	return strtod(text, NULL) == d;
}

/*
 * The digits JavaScript's Number.prototype.toString() picks for a finite,
 * positive double (ECMA-262, Number::toString): the fewest significant
 * digits k whose decimal m * 10^e reads back as d, and among k-digit ones
 * the closest to d (ties: the even one).
 *
 * This is not what ryu (double_to_shortest_decimal_buf, float8out) prints:
 * ryu never returns a decimal lying exactly halfway between two doubles,
 * even when strtod's ties-to-even rounding reads it back as d, while
 * JavaScript does.  3.756e22 is such a number: JavaScript prints 3.756e+22,
 * ryu 3.7560000000000002e+22.  So we search: for k = 1, 2, ..., take the
 * correctly rounded k-digit decimal (glibc's %.*e is exact, ties to even)
 * and accept it if it reads back as d.  If it does not, the other k-digit
 * neighbour of d may still do, but only when d is a power of two: the
 * rounded one then lay below d, in the gap below d that is half as wide as
 * the one above, and the neighbour above d is checked too.  (A decimal
 * farther away on either side cannot read back when a nearer one on the
 * same side does not.)  17 digits always read back, so the loop ends.
 */
static void
js_shortest_digits(double d, uint64 *mantissa, int *exponent)
{
	for (int k = 1; k <= 17; k++)
	{
		char		text[48];
		char	   *p;
		uint64		m = 0;
		int			e;

		snprintf(text, sizeof(text), "%.*e", k - 1, d);
		/* text is "D[.DDD]e[+-]XX": collect the k digits */
		for (p = text; *p != 'e'; p++)
		{
			if (*p >= '0' && *p <= '9')
				m = m * 10 + (*p - '0');
		}
		e = atoi(p + 1) - (k - 1);
		if (decimal_reads_as(m, e, d))
		{
			*mantissa = m;
			*exponent = e;
			return;
		}
		if (decimal_reads_as(m + 1, e, d))
		{
			*mantissa = m + 1;
			*exponent = e;
			return;
		}
	}
	elog(ERROR, "could not find the shortest decimal for %.17g", d);
}

/*
 * Append a double as JavaScript's Number.prototype.toString() prints it:
 * the digits above, in fixed notation when the decimal exponent lies in
 * [-6, 21), otherwise as d.ddde+N.
 */
static void
wfp_append_js_number(StringInfo buf, double d)
{
	char		digits[32];
	int			ndigits;
	int			n;
	uint64		m;
	int			e;

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
		/* String(-0) is "0" */
		appendStringInfoChar(buf, '0');
		return;
	}
	if (d < 0)
	{
		appendStringInfoChar(buf, '-');
		d = -d;
	}

	js_shortest_digits(d, &m, &e);
	while (m % 10 == 0)
	{
		m /= 10;
		e++;
	}
	ndigits = snprintf(digits, sizeof(digits), UINT64_FORMAT, m);
	/* n: position of the decimal point relative to the first digit */
	n = ndigits + e;

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
		int			x = n - 1;

		appendStringInfoChar(buf, digits[0]);
		if (ndigits > 1)
		{
			appendStringInfoChar(buf, '.');
			appendBinaryStringInfo(buf, digits + 1, ndigits - 1);
		}
		appendStringInfo(buf, "e%c%d", x < 0 ? '-' : '+', x < 0 ? -x : x);
	}
}

/*
 * Append what JavaScript's String(v) gives for a JSON value: strings raw,
 * numbers as above, an array as its elements joined by "," (null elements
 * empty, nested arrays flattened the same way), any object as
 * "[object Object]".
 */
void
wfp_append_js_string(StringInfo buf, const JsonbValue *v)
{
	switch (wfp_kind(v))
	{
		case WFP_NULL:
			appendStringInfoString(buf, "null");
			break;
		case WFP_BOOL:
			appendStringInfoString(buf, v->val.boolean ? "true" : "false");
			break;
		case WFP_NUMBER:
			wfp_append_js_number(buf, wfp_numeric_to_double(v->val.numeric));
			break;
		case WFP_STRING:
			appendBinaryStringInfo(buf, v->val.string.val, v->val.string.len);
			break;
		case WFP_OBJECT:
			appendStringInfoString(buf, "[object Object]");
			break;
		case WFP_ARRAY:
			{
				JsonbIterator *it;
				JsonbValue	elem;
				JsonbIteratorToken tok;
				bool		first = true;

				check_stack_depth();
				if (v->type != jbvBinary)
					elog(ERROR, "unexpected in-memory jsonb array");
				it = JsonbIteratorInit(v->val.binary.data);
				while ((tok = JsonbIteratorNext(&it, &elem, true)) != WJB_DONE)
				{
					if (tok != WJB_ELEM)
						continue;
					CHECK_FOR_INTERRUPTS();
					if (!first)
						appendStringInfoChar(buf, ',');
					first = false;
					if (elem.type != jbvNull)
						wfp_append_js_string(buf, &elem);
				}
				break;
			}
	}
}

/*
 * A standalone jsonb datum holding one value: a container's bytes are
 * copied as they are (a container stays valid at any 4-byte aligned
 * address, and VARDATA of a palloc'd varlena is one), a scalar becomes a
 * raw-scalar document.
 */
Jsonb *
wfp_value_to_jsonb(const JsonbValue *v)
{
	Jsonb	   *jb;

	if (v->type != jbvBinary)
		return JsonbValueToJsonb(unconstify(JsonbValue *, v));
	jb = palloc(VARHDRSZ + v->val.binary.len);
	SET_VARSIZE(jb, VARHDRSZ + v->val.binary.len);
	memcpy(&jb->root, v->val.binary.data, v->val.binary.len);
	return jb;
}

/*
 * A timestamp as JavaScript's Date.prototype.toISOString() writes it:
 * UTC, milliseconds, "Z" (2026-01-02T03:04:05.678Z).
 */
void
wfp_iso_timestamp(TimestampTz ts, StringInfo buf)
{
	struct pg_tm tm;
	fsec_t		fsec;

	/* no time zone argument: the fields are UTC */
	if (timestamp2tm(ts, NULL, &tm, &fsec, NULL, NULL) != 0)
		ereport(ERROR,
				(errcode(ERRCODE_DATETIME_VALUE_OUT_OF_RANGE),
				 errmsg("timestamp out of range")));
	appendStringInfo(buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ",
					 tm.tm_year, tm.tm_mon, tm.tm_mday,
					 tm.tm_hour, tm.tm_min, tm.tm_sec, (int) (fsec / 1000));
}
