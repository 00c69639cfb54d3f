/*-------------------------------------------------------------------------
 *
 * cmd_delete.c
 *	  wfctl's commands that remove workflows: delete, cleanup.
 *
 * delete resolves every id before it deletes anything, then deletes them
 * all in one transaction; cleanup runs wf_cleanup batch after batch, each
 * in its own transaction, as the cleanup worker does.
 *
 *-------------------------------------------------------------------------
 */
#include <stdlib.h>
#include <string.h>

#include "wfctl.h"

/* ---- delete ---- */

/*
 * Resolve every argument, reporting each failure: a typo or an ambiguous
 * prefix in a list must not leave half of it deleted.  The distinct ids go
 * to ids (*nids of them); returns the exit code of the worst failure.
 */
static int
resolve_all(Wfctl *w, char **ids, int *nids, int *failed)
{
	int			rc = WFCTL_EXIT_OK;

	for (int i = 0; i < w->nargs; i++)
	{
		int			code;
		char	   *id = wfctl_resolve_exact(w, w->args[i], &code);
		bool		seen = false;

		if (id == NULL)
		{
			/* "not found" unless something worse happened */
			if (rc == WFCTL_EXIT_OK || rc == WFCTL_EXIT_NOTFOUND)
				rc = code;
			(*failed)++;
			continue;
		}
		/* two arguments naming one workflow delete it once */
		for (int j = 0; j < *nids; j++)
			if (strcmp(ids[j], id) == 0)
				seen = true;
		if (seen)
			free(id);
		else
			ids[(*nids)++] = id;
	}
	return rc;
}

/*
 * Delete ids in one transaction; false (rolled back) when one is gone.
 * json[i] gets the server's {"id", "deleted"} object of ids[i].
 */
static bool
delete_all(Wfctl *w, char **ids, int nids, char **json)
{
	int			gone = 0;

	wfctl_exec(w, "BEGIN");
	for (int i = 0; i < nids; i++)
	{
		const char *params[1] = {ids[i]};

		/* NULL (an empty string here) when there was nothing to delete */
		json[i] = wfctl_write(w, ids[i],
							  "SELECT CASE WHEN @extschema@.wf_delete($1) "
							  "  THEN pg_catalog.jsonb_build_object('id', $1::pg_catalog.text, "
							  "           'deleted', true)::pg_catalog.text END",
							  1, params);
		if (json[i][0] == '\0')
		{
			/* deleted or expired since it was resolved */
			wfctl_error(w, "workflow \"%s\" does not exist any more", ids[i]);
			gone++;
		}
	}
	if (gone > 0)
	{
		wfctl_exec(w, "ROLLBACK");
		wfctl_error(w, "nothing deleted");
		return false;
	}
	wfctl_exec(w, "COMMIT");
	return true;
}

static int
run_delete(Wfctl *w)
{
	char	  **ids = xmalloc(sizeof(char *) * w->nargs);
	char	  **json = xmalloc(sizeof(char *) * w->nargs);
	int			nids = 0;
	int			failed = 0;
	int			rc;

	wfctl_set_wait(w);
	rc = resolve_all(w, ids, &nids, &failed);
	if (failed > 0)
		wfctl_error(w, "nothing deleted: %d of %d workflow ids did not name exactly one workflow",
					failed, w->nargs);
	else
	{
		bool		done = delete_all(w, ids, nids, json);

		for (int i = 0; done && i < nids; i++)
		{
			if (w->json)
				wfctl_put_json(stdout, json[i], strlen(json[i]));
			else
				wfctl_line(stdout, "deleted workflow \"%s\"", ids[i]);
		}
		rc = done ? wfctl_finish_output(w) : WFCTL_EXIT_NOTFOUND;
		for (int i = 0; i < nids; i++)
			free(json[i]);
	}
	for (int i = 0; i < nids; i++)
		free(ids[i]);
	free(ids);
	free(json);
	return rc;
}

const WfctlCommand wfctl_cmd_delete = {
	.name = "delete",
	.summary = "delete workflows",
	.usage = "ID... [--prefix-match] [--json]",
	.description =
	"Delete workflows, each with its steps and history, whatever their status.\n"
	"Each ID is a whole id (see --prefix-match; on a terminal, wfctl asks\n"
	"about an ID that only starts one).  Every ID is resolved before anything\n"
	"is deleted: when one names no workflow, each problem is reported,\n"
	"nothing is deleted and the exit status is 3.  The deletes are one\n"
	"transaction: all or none.\n",
	.args = (const WfctlArg[]) {
		{.name = "ID", .missing = "missing workflow id", .repeat = true, .nonempty = true},
		{0}
	},
	.flags = WFCTL_F_JSON | WFCTL_F_WAIT | WFCTL_F_EXACT | WFCTL_F_WRITES,
	.json_help = "one {\"id\", \"deleted\"} object per line",
	.verb = "Delete",
	.run = run_delete,
};

/* ---- cleanup ---- */

static struct
{
	bool		dry_run;
	long		batch;
}			cleanup_opts = {.batch = 1000};

/* the workflows deleted (or, dry run, that would be) */
static long long
cleanup(Wfctl *w)
{
	char		batch[32];
	const char *params[2] = {batch, batch};
	long long	total = 0;

	snprintf(batch, sizeof(batch), "%ld", cleanup_opts.batch);
	if (cleanup_opts.dry_run || (!w->yes && wfctl_interactive()))
	{
		PGresult   *res = wfctl_query(w,
									  "SELECT @extschema@.wf_cleanup($1::pg_catalog.int4, NULL, true)",
									  1, params);

		total = strtoll(PQgetvalue(res, 0, 0), NULL, 10);
		PQclear(res);
		if (cleanup_opts.dry_run)
			return total;
		/* on a terminal: say how many first */
		if (total > 0 &&
			!wfctl_confirm("Delete %lld expired workflow%s now?", total, total == 1 ? "" : "s"))
		{
			wfctl_error(w, "not confirmed: nothing deleted");
			wfctl_disconnect(w);
			exit(WFCTL_EXIT_FAIL);
		}
		total = 0;
	}

	/*
	 * One batch per call, each its own transaction (autocommit), so nothing
	 * stays locked long; a batch that deletes nothing ends it (fewer than
	 * asked may only mean locked rows were skipped).
	 */
	for (;;)
	{
		PGresult   *res = wfctl_query(w,
									  "SELECT @extschema@.wf_cleanup($1::pg_catalog.int4, "
									  "$2::pg_catalog.int8, false)",
									  2, params);
		long long	got = strtoll(PQgetvalue(res, 0, 0), NULL, 10);

		PQclear(res);
		total += got;
		if (got == 0)
			break;
		if (w->stderr_tty && !w->json)
			fprintf(stderr, "\r%s: %lld deleted so far", w->progname, total);
	}
	if (w->stderr_tty && !w->json && total > 0)
		fputc('\n', stderr);
	return total;
}

static int
run_cleanup(Wfctl *w)
{
	long long	total = cleanup(w);

	if (w->json)
	{
		char		count[32];
		const char *params[2] = {count, cleanup_opts.dry_run ? "true" : "false"};
		PGresult   *res;

		snprintf(count, sizeof(count), "%lld", total);
		res = wfctl_query(w, "SELECT pg_catalog.jsonb_build_object("
						  "'count', $1::pg_catalog.int8, 'dry_run', $2::pg_catalog.bool)"
						  "::pg_catalog.text", 2, params);
		wfctl_print_lines(res, 0);
		PQclear(res);
	}
	else if (cleanup_opts.dry_run)
		printf("would delete %lld expired workflow%s (dry run)\n",
			   total, total == 1 ? "" : "s");
	else
		printf("deleted %lld expired workflow%s\n", total, total == 1 ? "" : "s");
	return wfctl_finish_output(w);
}

const WfctlCommand wfctl_cmd_cleanup = {
	.name = "cleanup",
	.summary = "delete expired workflows now",
	.usage = "[--dry-run] [--batch N] [--yes] [--json]",
	.description =
	"Delete expired workflows now (past their ttl, or finished and past their\n"
	"status's retention), oldest first, one batch per transaction, as the\n"
	"cleanup worker does.  Rows other transactions hold are skipped.  Needs a\n"
	"role with write access (wf_grant_access); a dry run only counts.  On a\n"
	"terminal it says how many and asks first.\n",
	.options = (const WfctlOption[]) {
		{.name = "dry-run", .type = WFCTL_OPT_FLAG, .target = &cleanup_opts.dry_run,
		.help = "count the workflows that would be deleted"},
		{.name = "batch", .type = WFCTL_OPT_NUMBER, .arg = "N", .target = &cleanup_opts.batch,
			.min = 1, .max = 1000000,
		.help = "workflows per transaction (default 1000)"},
		{0}
	},
	.flags = WFCTL_F_JSON | WFCTL_F_CONFIRM | WFCTL_F_WRITES,
	.json_help = "print {\"count\", \"dry_run\"}",
	.yes_help = "delete without asking first (on a terminal)",
	.run = run_cleanup,
};
