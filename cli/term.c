/*-------------------------------------------------------------------------
 *
 * term.c
 *	  wfctl's questions to the operator at the terminal.
 *
 * A question is asked only when wfctl runs on a terminal: standard error
 * is one and the controlling terminal (/dev/tty) can be opened.  The
 * question is written to and the answer read from /dev/tty, as psql
 * reads a password, so that input piped into wfctl never answers it.
 * Without a terminal nothing is asked, and the caller refuses what would
 * need an answer (--yes gives the answer in advance).
 *
 *-------------------------------------------------------------------------
 */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <termios.h>
#include <unistd.h>

#include "wfctl.h"

bool
wfctl_interactive(void)
{
	FILE	   *tty;

	if (!isatty(STDERR_FILENO))
		return false;
	tty = fopen("/dev/tty", "r+");
	if (tty == NULL)
		return false;
	fclose(tty);
	return true;
}

bool
wfctl_confirm(const char *fmt,...)
{
	FILE	   *tty = fopen("/dev/tty", "r+");
	va_list		ap;
	char	   *question;
	char		answer[16];
	bool		yes = false;

	if (tty == NULL)
		return false;
	va_start(ap, fmt);
	question = xvasprintf(fmt, ap);
	va_end(ap);
	wfctl_put_escaped(tty, question, false);
	fputs(" [y/N] ", tty);
	fflush(tty);
	free(question);
	if (fgets(answer, sizeof(answer), tty) != NULL)
	{
		answer[strcspn(answer, "\r\n")] = '\0';
		yes = strcasecmp(answer, "y") == 0 || strcasecmp(answer, "yes") == 0;
	}
	else
		fputc('\n', tty);		/* end of input: the line was left open */
	fclose(tty);
	return yes;
}

char *
wfctl_ask_password(const char *prompt)
{
	FILE	   *tty = fopen("/dev/tty", "r+");
	struct termios saved,
				quiet;
	bool		echo_off;
	char		buf[1024];
	char	   *password = NULL;

	if (tty == NULL)
		return NULL;
	wfctl_put_escaped(tty, prompt, false);
	fflush(tty);
	/* echo off while it is typed, as psql's simple_prompt */
	echo_off = tcgetattr(fileno(tty), &saved) == 0;
	if (echo_off)
	{
		quiet = saved;
		quiet.c_lflag &= ~ECHO;
		quiet.c_lflag |= ECHONL;
		tcsetattr(fileno(tty), TCSAFLUSH, &quiet);
	}
	if (fgets(buf, sizeof(buf), tty) != NULL)
	{
		buf[strcspn(buf, "\r\n")] = '\0';
		password = xstrdup(buf);
	}
	if (echo_off)
		tcsetattr(fileno(tty), TCSAFLUSH, &saved);
	else
		fputc('\n', tty);
	explicit_bzero(buf, sizeof(buf));
	fclose(tty);
	return password;
}
