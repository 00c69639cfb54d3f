/*-------------------------------------------------------------------------
 *
 * term.c
 *	  wfctl's questions to the operator at the terminal, the password, and
 *	  the pager.
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
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
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
	/* echo off before the prompt, so that nothing typed after it shows */
	echo_off = tcgetattr(fileno(tty), &saved) == 0;
	if (echo_off)
	{
		quiet = saved;
		quiet.c_lflag &= ~ECHO;
		quiet.c_lflag |= ECHONL;
		tcsetattr(fileno(tty), TCSADRAIN, &quiet);
	}
	wfctl_put_escaped(tty, prompt, false);
	fflush(tty);
	if (fgets(buf, sizeof(buf), tty) != NULL)
	{
		buf[strcspn(buf, "\r\n")] = '\0';
		password = xstrdup(buf);
	}
	if (echo_off)
		tcsetattr(fileno(tty), TCSADRAIN, &saved);
	else
		fputc('\n', tty);
	explicit_bzero(buf, sizeof(buf));
	fclose(tty);
	return password;
}

/* ---- the pager ---- */

/*
 * While a command's output may go to the pager, stdout is a memory stream
 * (glibc's stdout is an ordinary variable: every printf of every command
 * lands in it); wfctl_pager_finish decides, once the output is complete,
 * whether it fits the screen.  On an early exit (an error) the buffer is
 * written to the terminal as it is.
 */
static FILE *real_stdout;
static char *page_buf;
static size_t page_len;

/* PSQL_PAGER, then PAGER, then less; NULL when set but empty (off) */
static const char *
pager_command(void)
{
	const char *names[] = {"PSQL_PAGER", "PAGER"};

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
	{
		const char *p = getenv(names[i]);

		if (p != NULL)
			return p[strspn(p, " \t")] == '\0' ? NULL : p;
	}
	return "less";
}

/* stop buffering: stdout is the terminal again; the buffer is kept */
static void
stop_buffering(void)
{
	fclose(stdout);
	stdout = real_stdout;
	real_stdout = NULL;
}

static void
flush_at_exit(void)
{
	if (real_stdout == NULL)
		return;
	stop_buffering();
	fwrite(page_buf, 1, page_len, stdout);
	free(page_buf);
	page_buf = NULL;
}

void
wfctl_pager_start(Wfctl *w)
{
	FILE	   *mem;

	if (!(w->cmd->flags & WFCTL_F_PAGER) || w->no_pager || !isatty(STDOUT_FILENO) ||
		pager_command() == NULL)
		return;
	mem = open_memstream(&page_buf, &page_len);
	if (mem == NULL)
		return;
	real_stdout = stdout;
	stdout = mem;
	atexit(flush_at_exit);
}

/* does text need more lines or columns than the terminal has? */
static bool
too_big(const char *text, size_t len)
{
	struct winsize ws;
	size_t		lines = 0;
	size_t		width = 0;

	if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) != 0 || ws.ws_row == 0)
		return false;
	for (size_t i = 0; i < len; i++)
	{
		if (text[i] == '\n')
		{
			lines++;
			width = 0;
		}
		else if (text[i] == '\033')
		{
			/* a colour, ESC [ parameters final byte: no width */
			i++;
			while (i + 1 < len && !(text[i + 1] >= 0x40 && text[i + 1] <= 0x7E))
				i++;
			i++;
		}
		else if (((unsigned char) text[i] & 0xC0) != 0x80 && ++width > ws.ws_col)
			return true;
	}
	/* a line is left for the shell's prompt */
	return lines >= ws.ws_row;
}

/* write the buffer to the terminal; 0, or EOF when that failed */
static int
write_buffer(void)
{
	return fwrite(page_buf, 1, page_len, stdout) == page_len ? fflush(stdout) : EOF;
}

int
wfctl_pager_finish(void)
{
	const char *pager = pager_command();
	FILE	   *pipe;
	int			rc = 0;

	if (real_stdout == NULL)
		return fflush(stdout);
	stop_buffering();
	if (!too_big(page_buf, page_len))
		rc = write_buffer();
	else
	{
		/* less shows colours (R) and leaves the text on the screen (X) */
		if (getenv("LESS") == NULL)
			setenv("LESS", "FRX", 1);
		fflush(stdout);
		if ((pipe = popen(pager, "w")) == NULL)
			rc = write_buffer();
		else
		{
			/* quitting the pager early is no error */
			void		(*saved) (int) = signal(SIGPIPE, SIG_IGN);
			int			status;

			fwrite(page_buf, 1, page_len, pipe);
			status = pclose(pipe);
			signal(SIGPIPE, saved);
			/* the shell could not run it: the output goes to the terminal */
			if (status != -1 && WIFEXITED(status) && WEXITSTATUS(status) == 127)
				rc = write_buffer();
		}
	}
	free(page_buf);
	page_buf = NULL;
	return rc;
}
