/*-------------------------------------------------------------------------
 *
 * cmd_export.c
 *	  wfctl export: workflows as JSON Lines.
 *
 * One JSON object per workflow and line, built by the server
 * (jsonb_build_object, so the same style and member order as every other
 * --json; the snapshot is stored jsonb) so that numbers are exactly what
 * is stored; it streams (single-row mode), whatever the number of
 * workflows.
 *
 *-------------------------------------------------------------------------
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "jsonl.h"
#include "wfctl.h"

#define EXPORT_RECORD \
"SELECT (pg_catalog.jsonb_build_object('id', l.id, 'snapshot', s.snapshot, " \
"           'status', l.status, 'version', l.version, " \
"           'created_at', l.created_at, 'updated_at', l.updated_at, " \
"           'expires_at', l.expires_at) " \
"       || CASE WHEN pg_catalog.current_setting('workflow_persist.namespace', true) = '*' " \
"               THEN pg_catalog.jsonb_build_object('namespace', l.namespace) " \
"               ELSE '{}'::pg_catalog.jsonb END)::pg_catalog.text "

/* one workflow (NULL row when it vanished since it was resolved) */
static const char export_one_sql[] =
EXPORT_RECORD
"  FROM @extschema@.wf_info($1) AS l "
" CROSS JOIN LATERAL (SELECT @extschema@.wf_load(l.id) AS snapshot OFFSET 0) AS s "
" WHERE s.snapshot IS NOT NULL";

/*
 * Every workflow, or those of a prefix ($1), by id.  The headers are
 * sorted first (OFFSET 0 keeps the sort below the snapshots), so the
 * server holds no snapshot longer than it takes to send it.
 */
static const char export_all_sql[] =
EXPORT_RECORD
"  FROM (SELECT w.id, w.status, w.version, w.created_at, w.updated_at, w.expires_at, "
"               w.namespace "
"          FROM @extschema@.wf_list($1, NULL, 2147483647, NULL) AS w "
"         ORDER BY w.namespace, w.id COLLATE pg_catalog.\"C\" OFFSET 0) AS l "
" CROSS JOIN LATERAL (SELECT @extschema@.wf_load(l.id, namespace => l.namespace) "
"                            AS snapshot OFFSET 0) AS s "
" WHERE s.snapshot IS NOT NULL";

typedef struct Output
{
	FILE	   *file;
	const char *path;			/* NULL: standard output */
	char	   *tmp_path;		/* the file written, renamed at the end */
	bool		failed;
	long		count;
} Output;

/*
 * Open the output.  A regular file (or a new one) is written under a
 * temporary name in the same directory, mode 0600 (exports hold whole
 * workflow states: inputs, results, personal data), and renamed over
 * FILE only once complete; anything else (/dev/stdout, a pipe) is written
 * directly.
 */
static bool
output_open(Wfctl *w, Output *out, const char *path)
{
	struct stat st;
	int			fd;

	memset(out, 0, sizeof(*out));
	out->path = path;
	if (path == NULL)
	{
		out->file = stdout;
		return true;
	}
	if (stat(path, &st) == 0 && !S_ISREG(st.st_mode))
	{
		out->file = fopen(path, "w");
		if (out->file == NULL)
		{
			wfctl_error(w, "could not open \"%s\" for writing: %s", path, strerror(errno));
			return false;
		}
		return true;
	}
	out->tmp_path = xasprintf("%s.wfctl-XXXXXX", path);
	fd = mkstemp(out->tmp_path);	/* mode 0600 */
	if (fd < 0)
	{
		wfctl_error(w, "could not create \"%s\": %s", path, strerror(errno));
		free(out->tmp_path);
		out->tmp_path = NULL;
		return false;
	}
	out->file = fdopen(fd, "w");
	if (out->file == NULL)
	{
		wfctl_error(w, "could not open \"%s\": %s", out->tmp_path, strerror(errno));
		close(fd);
		unlink(out->tmp_path);
		free(out->tmp_path);
		out->tmp_path = NULL;
		return false;
	}
	return true;
}

static void
output_write(Wfctl *w, Output *out, const char *line, size_t len)
{
	if (out->failed)
		return;
	if (wfctl_put_json(out->file, line, len) == EOF)
	{
		wfctl_error(w, "could not write to \"%s\": %s",
					out->tmp_path ? out->tmp_path : out->path ? out->path : "standard output",
					strerror(errno));
		out->failed = true;
		return;
	}
	out->count++;
	if (w->stderr_tty && out->count % WFCTL_PROGRESS_EVERY == 0)
		fprintf(stderr, "\r%s export: %ld workflows", w->progname, out->count);
}

/* flush and close; on success rename into place, else remove; true if ok */
static bool
output_close(Wfctl *w, Output *out, bool ok)
{
	const char *name = out->tmp_path ? out->tmp_path : out->path ? out->path : "standard output";

	ok = ok && !out->failed;
	if (ok && (fflush(out->file) != 0 || ferror(out->file)))
	{
		wfctl_error(w, "could not write to \"%s\": %s", name, strerror(errno));
		ok = false;
	}
	if (ok && out->tmp_path && fsync(fileno(out->file)) != 0)
	{
		wfctl_error(w, "could not fsync \"%s\": %s", name, strerror(errno));
		ok = false;
	}
	if (out->path != NULL && fclose(out->file) != 0 && ok)
	{
		wfctl_error(w, "could not close \"%s\": %s", name, strerror(errno));
		ok = false;
	}
	if (out->tmp_path)
	{
		if (ok && rename(out->tmp_path, out->path) != 0)
		{
			wfctl_error(w, "could not rename \"%s\" to \"%s\": %s",
						out->tmp_path, out->path, strerror(errno));
			ok = false;
		}
		if (!ok)
			unlink(out->tmp_path);
		free(out->tmp_path);
		out->tmp_path = NULL;
	}
	if (w->stderr_tty && out->count >= WFCTL_PROGRESS_EVERY)
		fprintf(stderr, "\r%s export: %ld workflows\n", w->progname, out->count);
	return ok;
}

/* stream every row of export_all_sql into out; returns an exit code */
static int
export_stream(Wfctl *w, Output *out, const char *prefix)
{
	const char *params[1] = {prefix};
	char	   *sql = wfctl_sql(w, export_all_sql);
	PGresult   *res;
	int			rc = WFCTL_EXIT_OK;
	bool		cancelled = false;

	if (!PQsendQueryParams(w->conn, sql, 1, NULL, params, NULL, NULL, 0) ||
		!PQsetSingleRowMode(w->conn))
	{
		wfctl_error(w, "%s", PQerrorMessage(w->conn));
		free(sql);
		return WFCTL_EXIT_FAIL;
	}
	free(sql);
	while ((res = PQgetResult(w->conn)) != NULL)
	{
		switch (PQresultStatus(res))
		{
			case PGRES_SINGLE_TUPLE:
				output_write(w, out, PQgetvalue(res, 0, 0),
							 (size_t) PQgetlength(res, 0, 0));
				break;
			case PGRES_TUPLES_OK:
				break;
			default:
				if (!out->failed && rc == WFCTL_EXIT_OK)
				{
					wfctl_report(w, res);
					rc = wfctl_exit_code(w, res);
				}
				break;
		}
		PQclear(res);
		if (out->failed && !cancelled)
		{
			/* a write failed: stop the server sending the rest */
			PGcancel   *cancel = PQgetCancel(w->conn);
			char		errbuf[256];

			if (cancel)
			{
				PQcancel(cancel, errbuf, sizeof(errbuf));
				PQfreeCancel(cancel);
			}
			cancelled = true;
		}
	}
	if (out->failed)
		rc = WFCTL_EXIT_FAIL;
	return rc;
}

static struct
{
	const char *prefix;
	bool		all;
	const char *path;
}			export_opts;

static int
run_export(Wfctl *w)
{
	int			nids = w->nargs;
	char	  **ids;
	Output		out;
	int			rc = WFCTL_EXIT_OK;

	if ((nids > 0) + (export_opts.prefix != NULL) + export_opts.all > 1)
		wfctl_usage_error(w, "give workflow ids, --prefix or --all, not several of them");
	if (nids == 0 && export_opts.prefix == NULL && !export_opts.all)
		wfctl_usage_error(w, "give workflow ids, --prefix or --all");
	if (export_opts.prefix != NULL && export_opts.prefix[0] == '\0')
		wfctl_usage_error(w, "--prefix must not be empty (use --all)");

	/* every id is resolved (exit 3 on a missing one) before writing */
	wfctl_connect(w);
	ids = xmalloc(sizeof(char *) * (nids > 0 ? nids : 1));
	for (int i = 0; i < nids; i++)
		ids[i] = wfctl_resolve(w, w->args[i]);

	if (!output_open(w, &out, export_opts.path))
		rc = WFCTL_EXIT_FAIL;
	else
	{
		if (nids == 0)
			rc = export_stream(w, &out, export_opts.prefix);
		for (int i = 0; i < nids && rc == WFCTL_EXIT_OK && !out.failed; i++)
		{
			const char *params[1] = {ids[i]};
			PGresult   *res = wfctl_try(w, export_one_sql, 1, params);

			if (PQresultStatus(res) != PGRES_TUPLES_OK)
			{
				wfctl_report(w, res);
				rc = wfctl_exit_code(w, res);
			}
			else if (PQntuples(res) == 0)
			{
				wfctl_error(w, "workflow \"%s\" does not exist", ids[i]);
				rc = WFCTL_EXIT_NOTFOUND;
			}
			else
				output_write(w, &out, PQgetvalue(res, 0, 0),
							 (size_t) PQgetlength(res, 0, 0));
			PQclear(res);
		}
		if (!output_close(w, &out, rc == WFCTL_EXIT_OK) && rc == WFCTL_EXIT_OK)
			rc = WFCTL_EXIT_FAIL;
	}
	for (int i = 0; i < nids; i++)
		free(ids[i]);
	free(ids);
	return rc;
}

const WfctlCommand wfctl_cmd_export = {
	.name = "export",
	.summary = "write workflows as JSON Lines",
	.usage = "[ID]... [--prefix P | --all] [-o FILE]",
	.description =
	"Write workflows as JSON Lines: one object per workflow and line, with its\n"
	"id, snapshot, status, version, created_at, updated_at and expires_at.\n"
	"IDs may be unique prefixes.  --prefix and --all write in id order, from\n"
	"one consistent snapshot of the database, streaming.\n",
	.options = (const WfctlOption[]) {
		{.name = "prefix", .type = WFCTL_OPT_TEXT, .arg = "P", .target = &export_opts.prefix,
		.help = "every workflow whose id starts with P (literally)"},
		{.name = "all", .type = WFCTL_OPT_FLAG, .target = &export_opts.all,
		.help = "every workflow"},
		{.name = "output", .letter = 'o', .type = WFCTL_OPT_TEXT, .arg = "FILE",
			.target = &export_opts.path, .nonempty = true, .file = true,
		.help = "write to FILE (mode 0600, replaced only once the\n"
		"export has succeeded) instead of standard output"},
		{0}
	},
	.args = (const WfctlArg[]) {
		{.name = "ID", .repeat = true, .nonempty = true},
		{0}
	},
	.run = run_export,
};
