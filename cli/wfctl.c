/*-------------------------------------------------------------------------
 *
 * wfctl.c
 *	  wfctl's entry point: the command table, common options, messages.
 *
 *-------------------------------------------------------------------------
 */
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "wfctl.h"

typedef struct Command
{
	const char *name;
	int			(*run) (Wfctl *w, int argc, char **argv);
	const char *summary;
} Command;

static const Command commands[] = {
	{"list", cmd_list, "list workflows"},
	{"inspect", cmd_inspect, "show one workflow: header, steps, pending, history"},
	{"pending", cmd_pending, "everything waiting for a human"},
	{"stats", cmd_stats, "workflows, steps and bytes per status"},
	{"export", cmd_export, "write workflows as JSON Lines"},
	{"import", cmd_import, "read workflows from JSON Lines or one JSON document"},
	{"validate", cmd_validate, "check snapshot files against the server's rules"},
	{"approve", cmd_approve, "approve a step waiting for approval"},
	{"reject", cmd_reject, "reject a step waiting for approval"},
	{"resume", cmd_resume, "resume a suspended, cancelled or completed run"},
	{"cancel", cmd_cancel, "cancel a run"},
	{"replay", cmd_replay, "replay a run from the start"},
	{"delete", cmd_delete, "delete workflows"},
	{"cleanup", cmd_cleanup, "delete expired workflows now"},
	{NULL, NULL, NULL}
};

static void
usage(FILE *out)
{
	fprintf(out,
			"wfctl: operate workflow_persist, the workflow store in PostgreSQL.\n\n"
			"Usage:\n"
			"  wfctl COMMAND [OPTION]... [ARG]...\n\n"
			"Commands:\n");
	for (const Command *c = commands; c->name; c++)
		fprintf(out, "  %-10s  %s\n", c->name, c->summary);
	fprintf(out,
			"\nEvery command takes --help, and the connection options:\n"
			"%s\n"
			"Other options:\n"
			"  --help     show this help, then exit\n"
			"  --version  show the version, then exit\n\n"
			"Exit status: 0 success, 1 failure, 2 usage error, 3 not found or\n"
			"ambiguous, 4 conflict (version or lease).  See docs/wfctl.md.\n",
			WFCTL_COMMON_HELP);
}

int
main(int argc, char **argv)
{
	Wfctl		w;
	const char *no_color = getenv("NO_COLOR");
	int			rc;

	memset(&w, 0, sizeof(w));
	w.progname = "wfctl";
	w.color = isatty(STDOUT_FILENO) && (no_color == NULL || no_color[0] == '\0');
	w.stderr_tty = isatty(STDERR_FILENO);

	if (argc < 2)
	{
		usage(stderr);
		return WFCTL_EXIT_USAGE;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-?") == 0 ||
		strcmp(argv[1], "help") == 0)
	{
		usage(stdout);
		return WFCTL_EXIT_OK;
	}
	if (strcmp(argv[1], "--version") == 0 || strcmp(argv[1], "-V") == 0)
	{
		printf("wfctl (workflow_persist) %s\n", WFCTL_VERSION);
		return WFCTL_EXIT_OK;
	}
	for (const Command *c = commands; c->name; c++)
	{
		if (strcmp(argv[1], c->name) == 0)
		{
			char	   *name = xasprintf("%s %s", w.progname, c->name);

			/* getopt_long's complaints start with argv[0]: "wfctl list" */
			w.command = c->name;
			argv[1] = name;
			rc = c->run(&w, argc - 1, argv + 1);
			free(name);
			if (w.conn)
				PQfinish(w.conn);
			free(w.schema);
			return rc;
		}
	}
	fprintf(stderr, "wfctl: error: unknown command \"%s\"\n"
			"Try \"wfctl --help\" for the list of commands.\n", argv[1]);
	return WFCTL_EXIT_USAGE;
}

bool
wfctl_common_option(Wfctl *w, int opt, const char *usage_text)
{
	switch (opt)
	{
		case 'd':
			w->dbname = optarg;
			return true;
		case 'h':
			w->host = optarg;
			return true;
		case 'p':
			w->port = optarg;
			return true;
		case 'U':
			w->user = optarg;
			return true;
		case WFCTL_OPT_HELP:
			fputs(usage_text, stdout);
			fputs("\n" WFCTL_COMMON_HELP, stdout);
			if (w->conn)
				PQfinish(w->conn);
			exit(WFCTL_EXIT_OK);
		case '?':
			fprintf(stderr, "Try \"%s %s --help\" for more information.\n",
					w->progname, w->command);
			exit(WFCTL_EXIT_USAGE);
	}
	return false;
}

void
wfctl_usage_error(Wfctl *w, const char *fmt,...)
{
	va_list		ap;

	fprintf(stderr, "%s %s: error: ", w->progname, w->command);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\nTry \"%s %s --help\" for more information.\n",
			w->progname, w->command);
	if (w->conn)
		PQfinish(w->conn);
	exit(WFCTL_EXIT_USAGE);
}

void
wfctl_error(Wfctl *w, const char *fmt,...)
{
	va_list		ap;

	fprintf(stderr, "%s: error: ", w->progname);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

int
wfctl_finish_output(Wfctl *w)
{
	if (fflush(stdout) != 0 || ferror(stdout))
	{
		wfctl_error(w, "could not write the output: %s", strerror(errno));
		return WFCTL_EXIT_FAIL;
	}
	return WFCTL_EXIT_OK;
}

/* ---- memory ---- */

static void
out_of_memory(void)
{
	fputs("wfctl: error: out of memory\n", stderr);
	exit(WFCTL_EXIT_FAIL);
}

void *
xmalloc(size_t n)
{
	void	   *p = malloc(n ? n : 1);

	if (p == NULL)
		out_of_memory();
	return p;
}

void *
xrealloc(void *p, size_t n)
{
	p = realloc(p, n ? n : 1);
	if (p == NULL)
		out_of_memory();
	return p;
}

char *
xstrdup(const char *s)
{
	char	   *p = strdup(s);

	if (p == NULL)
		out_of_memory();
	return p;
}

char *
xasprintf(const char *fmt,...)
{
	va_list		ap;
	char	   *p;
	int			n;

	va_start(ap, fmt);
	n = vasprintf(&p, fmt, ap);
	va_end(ap);
	if (n < 0)
		out_of_memory();
	return p;
}
