/*-------------------------------------------------------------------------
 *
 * cmd_validate.c
 *	  wfctl validate: check snapshot files with the server's rules.
 *
 * The records (bare snapshots or export records) are read with records.c,
 * one in memory at a time, and each snapshot's original text is checked
 * by the server's wf_validate.
 *
 *-------------------------------------------------------------------------
 */
#include "records.h"

static struct
{
	bool		strict;
	long		limit;
}			validate_opts = {.limit = JSONL_DEFAULT_LIMIT};

static int
run_validate(Wfctl *w)
{
	Input		in;
	Report		rep;
	bool		stop = false;
	long		valid = 0;
	long		invalid = 0;
	int			rc;

	wfctl_connect(w);
	if (!input_open(w, &in, w->args[0], (size_t) validate_opts.limit))
		return WFCTL_EXIT_FAIL;
	report_init(&rep, w, in.name, w->json);
	while (input_next(w, &in, &stop))
	{
		Record		rec;
		bool		ok = false;

		report_start(&rep, in.reader.first_line);
		if (record_parse(&rep, in.reader.buf, in.reader.len, true, NULL, &rec))
		{
			ok = record_validate(w, &rep, rec.snapshot, validate_opts.strict) == 0;
			record_free(&rec);
		}
		if (ok)
			valid++;
		else
			invalid++;
		if (w->json)
		{
			json_t	   *fields = json_pack("{s:b}", "valid", ok);

			if (fields == NULL)
				wfctl_out_of_memory();
			report_print(&rep, fields);
		}
		if (PQstatus(w->conn) != CONNECTION_OK)
		{
			stop = true;
			break;
		}
	}
	report_free(&rep);
	input_close(&in);
	fprintf(stderr, "%s validate: %ld valid, %ld invalid%s\n", w->progname,
			valid, invalid, stop ? " (stopped early)" : "");
	rc = (stop || invalid > 0) ? WFCTL_EXIT_FAIL : WFCTL_EXIT_OK;
	return records_exit(w, rc);
}

const WfctlCommand wfctl_cmd_validate = {
	.name = "validate",
	.summary = "check snapshot files against the server's rules",
	.usage = "FILE|- [--strict] [--json]",
	.description =
	"Check snapshots with the server's rules (wf_validate): JSON Lines of bare\n"
	"snapshots or export records, or one JSON document.  Every error is\n"
	"printed as FILE:LINE: message; a summary goes to standard error.\n",
	.options = (const WfctlOption[]) {
		{.name = "strict", .type = WFCTL_OPT_FLAG, .target = &validate_opts.strict,
		.help = "also the strict checks (workflow_persist's own)"},
		RECORDS_LIMIT_OPTION(&validate_opts.limit),
		{0}
	},
	.args = (const WfctlArg[]) {
		{.name = "FILE", .missing = "give the file to validate (or - for standard input)", .file = true},
		{0}
	},
	.flags = WFCTL_F_JSON,
	.json_help =
	"one JSON object per record on standard output:\n"
	"{\"file\", \"line\", \"id\", \"valid\", \"errors\"};\n"
	"the summary stays on standard error",
	.run = run_validate,
};
