/*-------------------------------------------------------------------------
 *
 * wfctl.c
 *	  wfctl's entry point: the command table, messages, memory.
 *
 *-------------------------------------------------------------------------
 */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "wfctl.h"

/* the command list of "wfctl --help", and the parser's lookup table */
const WfctlCommand *const wfctl_commands[] = {
	&wfctl_cmd_list,
	&wfctl_cmd_inspect,
	&wfctl_cmd_pending,
	&wfctl_cmd_stats,
	&wfctl_cmd_export,
	&wfctl_cmd_import,
	&wfctl_cmd_validate,
	&wfctl_cmd_approve,
	&wfctl_cmd_reject,
	&wfctl_cmd_resume,
	&wfctl_cmd_cancel,
	&wfctl_cmd_replay,
	&wfctl_cmd_delete,
	&wfctl_cmd_cleanup,
	NULL
};

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
		wfctl_usage(stderr);
		return WFCTL_EXIT_USAGE;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-?") == 0 ||
		strcmp(argv[1], "help") == 0)
	{
		wfctl_usage(stdout);
		return WFCTL_EXIT_OK;
	}
	if (strcmp(argv[1], "--version") == 0 || strcmp(argv[1], "-V") == 0)
	{
		printf("wfctl (workflow_persist) %s\n", WFCTL_VERSION);
		return WFCTL_EXIT_OK;
	}
	for (const WfctlCommand *const *c = wfctl_commands; *c; c++)
	{
		if (strcmp(argv[1], (*c)->name) == 0)
		{
			char	   *name = xasprintf("%s %s", w.progname, (*c)->name);

			/* getopt_long's complaints start with argv[0]: "wfctl list" */
			w.cmd = *c;
			w.command = (*c)->name;
			argv[1] = name;
			wfctl_parse(&w, argc - 1, argv + 1);
			rc = (*c)->run(&w);
			free(name);
			wfctl_disconnect(&w);
			return rc;
		}
	}
	wfctl_line(stderr, "wfctl: error: unknown command \"%s\"", argv[1]);
	fprintf(stderr, "Try \"wfctl --help\" for the list of commands.\n");
	return WFCTL_EXIT_USAGE;
}

void
wfctl_error(Wfctl *w, const char *fmt,...)
{
	va_list		ap;

	fprintf(stderr, "%s: error: ", w->progname);
	va_start(ap, fmt);
	wfctl_vline(stderr, fmt, ap);
	va_end(ap);
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

void
wfctl_out_of_memory(void)
{
	fputs("wfctl: error: out of memory\n", stderr);
	exit(WFCTL_EXIT_FAIL);
}

void *
xmalloc(size_t n)
{
	void	   *p = malloc(n ? n : 1);

	if (p == NULL)
		wfctl_out_of_memory();
	return p;
}

void *
xrealloc(void *p, size_t n)
{
	p = realloc(p, n ? n : 1);
	if (p == NULL)
		wfctl_out_of_memory();
	return p;
}

char *
xstrdup(const char *s)
{
	char	   *p = strdup(s);

	if (p == NULL)
		wfctl_out_of_memory();
	return p;
}

char *
xvasprintf(const char *fmt, va_list ap)
{
	char	   *p;

	if (vasprintf(&p, fmt, ap) < 0)
		wfctl_out_of_memory();
	return p;
}

char *
xasprintf(const char *fmt,...)
{
	va_list		ap;
	char	   *p;

	va_start(ap, fmt);
	p = xvasprintf(fmt, ap);
	va_end(ap);
	return p;
}
