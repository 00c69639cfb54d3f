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
	&wfctl_cmd_completion,
	NULL
};

static const WfctlCommand *
lookup(const char *name)
{
	for (const WfctlCommand *const *c = wfctl_commands; *c; c++)
		if (strcmp(name, (*c)->name) == 0)
			return *c;
	return NULL;
}

int
main(int argc, char **argv)
{
	Wfctl		w;
	const char *no_color = getenv("NO_COLOR");
	int			at;
	int			rc;

	memset(&w, 0, sizeof(w));
	w.progname = "wfctl";
	w.color = isatty(STDOUT_FILENO) && (no_color == NULL || no_color[0] == '\0');
	w.stderr_tty = isatty(STDERR_FILENO);

	at = wfctl_find_command(argc, argv);
	if (at < 0)
	{
		/* no command: --help, --version, or a usage error */
		for (int i = 1; i < argc; i++)
		{
			if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-?") == 0)
			{
				wfctl_usage(stdout);
				return WFCTL_EXIT_OK;
			}
			if (strcmp(argv[i], "--version") == 0 || strcmp(argv[i], "-V") == 0)
			{
				printf("wfctl (workflow_persist) %s\n", WFCTL_VERSION);
				return WFCTL_EXIT_OK;
			}
		}
		wfctl_usage(stderr);
		return WFCTL_EXIT_USAGE;
	}
	if (strcmp(argv[at], "help") == 0)
	{
		const WfctlCommand *c = at + 1 < argc ? lookup(argv[at + 1]) : NULL;

		if (c)
			wfctl_print_help(c);
		else
			wfctl_usage(stdout);
		return WFCTL_EXIT_OK;
	}
	w.cmd = lookup(argv[at]);
	if (w.cmd)
	{
		/*
		 * The command's parser sees every other argument, options given
		 * before the command too; getopt_long's argv[0] is "wfctl list".
		 */
		char	  **args = xmalloc(sizeof(char *) * argc);
		int			n = 0;

		args[n++] = xasprintf("%s %s", w.progname, w.cmd->name);
		for (int i = 1; i < argc; i++)
			if (i != at)
				args[n++] = argv[i];
		w.command = w.cmd->name;
		wfctl_parse(&w, n, args);
		wfctl_pager_start(&w);
		rc = w.cmd->run(&w);
		free(args[0]);
		free(args);
		wfctl_disconnect(&w);
		return rc;
	}
	wfctl_line(stderr, "wfctl: error: unknown command \"%s\"", argv[at]);
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
	if (ferror(stdout) || wfctl_pager_finish() != 0 || ferror(stdout))
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
