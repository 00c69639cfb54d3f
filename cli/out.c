/*-------------------------------------------------------------------------
 *
 * out.c
 *	  wfctl's output for people: aligned tables, colours, times, sizes.
 *
 *-------------------------------------------------------------------------
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "wfctl.h"

struct WfctlTable
{
	const WfctlColumn *cols;
	int			ncols;
	int			nrows;
	int			cap;
	char	  **headers;
	char	  **cells;			/* nrows * ncols */
	const char **colors;		/* nrows * ncols, NULL = none */
};

/* bytes of one UTF-8 sequence starting at s (1 for a stray byte) */
static int
utf8_len(const unsigned char *s)
{
	int			n;

	if (*s < 0x80)
		return 1;
	else if ((*s & 0xE0) == 0xC0)
		n = 2;
	else if ((*s & 0xF0) == 0xE0)
		n = 3;
	else if ((*s & 0xF8) == 0xF0)
		n = 4;
	else
		return 1;
	for (int i = 1; i < n; i++)
		if ((s[i] & 0xC0) != 0x80)
			return 1;
	return n;
}

/* the code point of a sequence of len bytes */
static unsigned int
utf8_code(const unsigned char *s, int len)
{
	unsigned int c;

	if (len == 1)
		return *s;
	c = *s & (0xFF >> (len + 1));
	for (int i = 1; i < len; i++)
		c = (c << 6) | (s[i] & 0x3F);
	return c;
}

/* display columns of a code point: East Asian wide ranges count 2 */
static int
code_width(unsigned int c)
{
	if ((c >= 0x1100 && c <= 0x115F) || (c >= 0x2E80 && c <= 0xA4CF) ||
		(c >= 0xAC00 && c <= 0xD7A3) || (c >= 0xF900 && c <= 0xFAFF) ||
		(c >= 0xFE30 && c <= 0xFE4F) || (c >= 0xFF00 && c <= 0xFF60) ||
		(c >= 0xFFE0 && c <= 0xFFE6) || (c >= 0x1F300 && c <= 0x1FAFF) ||
		(c >= 0x20000 && c <= 0x3FFFD))
		return 2;
	return 1;
}

size_t
wfctl_width(const char *s)
{
	const unsigned char *p = (const unsigned char *) s;
	size_t		w = 0;

	while (*p)
	{
		int			len = utf8_len(p);

		w += code_width(utf8_code(p, len));
		p += len;
	}
	return w;
}

WfctlTable *
wfctl_table_new(const WfctlColumn *cols)
{
	WfctlTable *t = xmalloc(sizeof(WfctlTable));

	t->cols = cols;
	t->ncols = 0;
	while (cols[t->ncols].header)
		t->ncols++;
	t->nrows = 0;
	t->cap = 0;
	t->cells = NULL;
	t->colors = NULL;
	t->headers = xmalloc(t->ncols * sizeof(char *));
	for (int i = 0; i < t->ncols; i++)
		t->headers[i] = xstrdup(cols[i].header);
	return t;
}

/*
 * The text of one field as its column shows it (in buf when formatted),
 * and its colour in *color.
 */
static const char *
format_field(Wfctl *w, const WfctlColumn *c, const PGresult *res, int row,
			 char *buf, size_t len, const char **color)
{
	const char *v;
	char		when[32],
				age[32];

	*color = NULL;
	if (PQgetisnull(res, row, c->field))
		return c->null_text ? c->null_text : "";
	v = PQgetvalue(res, row, c->field);
	switch (c->format)
	{
		case WFCTL_FMT_TEXT:
			break;
		case WFCTL_FMT_STATUS:
			*color = wfctl_status_color(w, v);
			break;
		case WFCTL_FMT_AGE:
			return wfctl_age(v, buf, len);
		case WFCTL_FMT_TIME:
			return wfctl_local_time(v, buf, len);
		case WFCTL_FMT_TIME_AGE:
			if (v[0] != '\0')
				snprintf(buf, len, "%s (%s)", wfctl_local_time(v, when, sizeof(when)),
						 wfctl_age(v, age, sizeof(age)));
			else
				buf[0] = '\0';
			return buf;
		case WFCTL_FMT_BYTES:
			return wfctl_bytes(v, buf, len);
		case WFCTL_FMT_YESNO:
			return strcmp(v, "t") == 0 ? "yes" : strcmp(v, "f") == 0 ? "no" : v;
	}
	return v;
}

void
wfctl_table_add_rows(Wfctl *w, WfctlTable *t, const PGresult *res)
{
	int			n = PQntuples(res);

	for (int r = 0; r < n; r++)
	{
		if (t->nrows == t->cap)
		{
			t->cap = t->cap ? t->cap * 2 : 16;
			t->cells = xrealloc(t->cells, (size_t) t->cap * t->ncols * sizeof(char *));
			t->colors = xrealloc(t->colors, (size_t) t->cap * t->ncols * sizeof(char *));
		}
		for (int i = 0; i < t->ncols; i++)
		{
			char		buf[64];
			const char *color;
			const char *text = format_field(w, &t->cols[i], res, r, buf, sizeof(buf), &color);

			t->cells[t->nrows * t->ncols + i] = wfctl_escape(text, false);
			t->colors[t->nrows * t->ncols + i] = color;
		}
		t->nrows++;
	}
}

int
wfctl_table_rows(const WfctlTable *t)
{
	return t->nrows;
}

/*
 * Print s (escaped already) in exactly width columns: cut with an
 * ellipsis when longer, padded on the left or right; the colour (when
 * not NULL) covers the text only, not the padding.  The last cell of a
 * line gets no padding on its right.
 */
static void
print_cell(FILE *out, const char *s, const char *color, size_t width,
		   bool right, bool last)
{
	const unsigned char *p = (const unsigned char *) s;
	size_t		w = wfctl_width(s);
	size_t		room = w > width ? width - 1 : width;	/* 1 for "…" */
	size_t		used = 0;

	if (right && w < width)
		for (size_t i = w; i < width; i++)
			fputc(' ', out);
	if (color)
		fputs(color, out);
	while (*p)
	{
		int			len = utf8_len(p);
		unsigned int c = utf8_code(p, len);
		int			cw = code_width(c);

		if (used + cw > room)
			break;
		fwrite(p, 1, len, out);
		used += cw;
		p += len;
	}
	if (w > width)
	{
		fputs("\xE2\x80\xA6", out);
		used++;
	}
	if (color)
		fputs(WFCTL_RESET, out);
	if (!right && !last)
		for (; used < width; used++)
			fputc(' ', out);
}

/*
 * One line: cells[ncols] with their colours (NULL for none).  Empty cells
 * at the end of the line are left out, so no line ends with blanks.
 */
static void
print_line(WfctlTable *t, FILE *out, const size_t *widths, char *const *cells,
		   const char *const *colors)
{
	int			end = t->ncols;

	while (end > 0 && cells[end - 1][0] == '\0')
		end--;
	for (int c = 0; c < end; c++)
	{
		print_cell(out, cells[c], colors ? colors[c] : NULL, widths[c],
				   t->cols[c].right, c == end - 1);
		if (c < end - 1)
			fputs("  ", out);
	}
	fputc('\n', out);
}

/* one line of --tsv: the cells separated by tabs */
static void
print_tsv_line(const WfctlTable *t, char *const *cells)
{
	for (int c = 0; c < t->ncols; c++)
	{
		if (c > 0)
			putchar('\t');
		fputs(cells[c], stdout);
	}
	putchar('\n');
}

void
wfctl_table_print(Wfctl *w, WfctlTable *t, int max_width)
{
	size_t	   *widths;

	if (w->tsv)
	{
		if (!w->no_headers)
			print_tsv_line(t, t->headers);
		for (int r = 0; r < t->nrows; r++)
			print_tsv_line(t, &t->cells[r * t->ncols]);
		return;
	}
	widths = xmalloc(t->ncols * sizeof(size_t));
	for (int c = 0; c < t->ncols; c++)
	{
		widths[c] = w->no_headers ? 0 : wfctl_width(t->headers[c]);
		for (int r = 0; r < t->nrows; r++)
		{
			size_t		cw = wfctl_width(t->cells[r * t->ncols + c]);

			if (cw > widths[c])
				widths[c] = cw;
		}
		if (max_width > 1 && widths[c] > (size_t) max_width)
			widths[c] = max_width;
	}
	if (!w->no_headers)
		print_line(t, stdout, widths, t->headers, NULL);
	for (int r = 0; r < t->nrows; r++)
		print_line(t, stdout, widths, &t->cells[r * t->ncols], &t->colors[r * t->ncols]);
	free(widths);
}

void
wfctl_table_free(WfctlTable *t)
{
	for (int i = 0; i < t->nrows * t->ncols; i++)
		free(t->cells[i]);
	for (int i = 0; i < t->ncols; i++)
		free(t->headers[i]);
	free(t->cells);
	free(t->colors);
	free(t->headers);
	free(t);
}

void
wfctl_print_result(Wfctl *w, const PGresult *res, const WfctlColumn *cols,
				   const char *empty, int max_width)
{
	WfctlTable *t;

	if (PQntuples(res) == 0 && !w->tsv)
	{
		if (!w->no_headers)
			printf("%s\n", empty);
		return;
	}
	t = wfctl_table_new(cols);
	wfctl_table_add_rows(w, t, res);
	wfctl_table_print(w, t, max_width);
	wfctl_table_free(t);
}

void
wfctl_print_record(Wfctl *w, const PGresult *res, const WfctlColumn *cols)
{
	for (const WfctlColumn *c = cols; c->header; c++)
	{
		char		buf[64];
		const char *color;
		const char *text = format_field(w, c, res, 0, buf, sizeof(buf), &color);

		printf("%-10s ", c->header);
		if (color)
			fputs(color, stdout);
		wfctl_put_escaped(stdout, text, false);
		if (color)
			fputs(WFCTL_RESET, stdout);
		putchar('\n');
	}
}

void
wfctl_print_lines(const PGresult *res, int field)
{
	for (int i = 0; i < PQntuples(res); i++)
		if (!PQgetisnull(res, i, field))
			wfctl_put_json(stdout, PQgetvalue(res, i, field), PQgetlength(res, i, field));
}

int
wfctl_put_json(FILE *out, const char *json, size_t len)
{
	const unsigned char *p = (const unsigned char *) json;
	const unsigned char *end = p + len;
	const unsigned char *from = p;

	/* DEL and C1 occur in strings only: the structure is ASCII */
	for (; p < end; p++)
	{
		bool		del = *p == 0x7F;
		bool		c1 = *p == 0xC2 && p + 1 < end && p[1] >= 0x80 && p[1] <= 0x9F;

		if (!del && !c1)
			continue;
		if (fwrite(from, 1, p - from, out) != (size_t) (p - from) ||
			fprintf(out, "\\u%04X", del ? 0x7F : p[1]) < 0)
			return EOF;
		if (c1)
			p++;
		from = p + 1;
	}
	if (fwrite(from, 1, end - from, out) != (size_t) (end - from))
		return EOF;
	return putc('\n', out);
}

/* is the code point of a UTF-8 sequence of len bytes one to escape? */
static bool
must_escape(const unsigned char *p, int len, bool keep_newlines)
{
	unsigned int c = utf8_code(p, len);

	if (keep_newlines && (c == '\n' || c == '\t'))
		return false;
	/* C0 and DEL; C1 (U+0080 to U+009F: 0x9B is a CSI); a stray byte */
	return c < 0x20 || c == 0x7F || (c >= 0x80 && c <= 0x9F) || (len == 1 && *p >= 0x80);
}

char *
wfctl_escape(const char *s, bool keep_newlines)
{
	const unsigned char *p = (const unsigned char *) s;
	char	   *out = xmalloc(strlen(s) * 6 + 1);	/* "\u009B" for 2 bytes */
	char	   *o = out;

	while (*p)
	{
		int			len = utf8_len(p);

		if (!must_escape(p, len, keep_newlines))
		{
			memcpy(o, p, len);
			o += len;
		}
		else if (len == 1)
			o += sprintf(o, "\\x%02X", *p);
		else
			o += sprintf(o, "\\u%04X", utf8_code(p, len));
		p += len;
	}
	*o = '\0';
	return out;
}

void
wfctl_put_escaped(FILE *out, const char *s, bool keep_newlines)
{
	char	   *e = wfctl_escape(s, keep_newlines);

	fputs(e, out);
	free(e);
}

void
wfctl_message(FILE *out, const char *label, const char *text)
{
	if (text == NULL)
		return;
	fprintf(out, "%s:  ", label);
	wfctl_put_escaped(out, text, true);
	putc('\n', out);
}

void
wfctl_vline(FILE *out, const char *fmt, va_list ap)
{
	char	   *text = xvasprintf(fmt, ap);

	wfctl_put_escaped(out, text, false);
	putc('\n', out);
	free(text);
}

void
wfctl_line(FILE *out, const char *fmt,...)
{
	va_list		ap;

	va_start(ap, fmt);
	wfctl_vline(out, fmt, ap);
	va_end(ap);
}

const char *
wfctl_status_color(Wfctl *w, const char *status)
{
	if (!w->color || status == NULL)
		return NULL;
	if (strcmp(status, "running") == 0)
		return "\033[36m";		/* cyan */
	if (strcmp(status, "suspended") == 0)
		return "\033[33m";		/* yellow: waits for someone */
	if (strcmp(status, "completed") == 0)
		return "\033[32m";		/* green */
	if (strcmp(status, "failed") == 0)
		return "\033[31m";		/* red */
	if (strcmp(status, "cancelled") == 0)
		return "\033[90m";		/* grey */
	return NULL;
}

const char *
wfctl_local_time(const char *epoch, char *buf, size_t len)
{
	time_t		t;
	struct tm	tm;

	buf[0] = '\0';
	if (epoch == NULL || epoch[0] == '\0')
		return buf;
	t = (time_t) floor(strtod(epoch, NULL));
	if (localtime_r(&t, &tm) != NULL)
		strftime(buf, len, "%Y-%m-%d %H:%M:%S", &tm);
	return buf;
}

const char *
wfctl_age(const char *epoch, char *buf, size_t len)
{
	struct timespec now;
	double		d;
	double		a;
	bool		future;

	buf[0] = '\0';
	if (epoch == NULL || epoch[0] == '\0')
		return buf;
	/* sub-second now: time()'s truncation made fresh rows "in 0s" */
	clock_gettime(CLOCK_REALTIME, &now);
	d = (double) now.tv_sec + now.tv_nsec / 1e9 - strtod(epoch, NULL);
	future = d <= -1;			/* under a second ahead: clock skew, "0s ago" */
	a = fabs(d);
	if (a < 60)
		snprintf(buf, len, "%s%.0fs%s", future ? "in " : "", floor(a), future ? "" : " ago");
	else if (a < 3600)
		snprintf(buf, len, "%s%.0fm%s", future ? "in " : "", floor(a / 60), future ? "" : " ago");
	else if (a < 86400)
		snprintf(buf, len, "%s%.0fh%s", future ? "in " : "", floor(a / 3600), future ? "" : " ago");
	else
		snprintf(buf, len, "%s%.0fd%s", future ? "in " : "", floor(a / 86400), future ? "" : " ago");
	return buf;
}

const char *
wfctl_bytes(const char *bytes, char *buf, size_t len)
{
	double		b;

	buf[0] = '\0';
	if (bytes == NULL || bytes[0] == '\0')
		return buf;
	b = strtod(bytes, NULL);
	if (b < 1024)
		snprintf(buf, len, "%.0f B", b);
	else if (b < 1024 * 1024)
		snprintf(buf, len, "%.1f kB", b / 1024);
	else if (b < 1024.0 * 1024 * 1024)
		snprintf(buf, len, "%.1f MB", b / (1024 * 1024));
	else
		snprintf(buf, len, "%.1f GB", b / (1024.0 * 1024 * 1024));
	return buf;
}
