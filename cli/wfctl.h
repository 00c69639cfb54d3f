/*-------------------------------------------------------------------------
 *
 * wfctl.h
 *	  Shared declarations of wfctl, workflow_persist's command-line tool.
 *
 * wfctl talks to the database only through the extension's SQL API (libpq,
 * text results).  Every command is a function "int cmd_x(Wfctl *w, int argc,
 * char **argv)" (argv[0] is the command's name) that parses its own options
 * with getopt_long, opens the connection with wfctl_connect() and returns
 * an exit code.
 *
 * Memory: every allocation is checked (the x* helpers exit on failure) and
 * freed; the TAP suite runs the commands under valgrind.
 *
 *-------------------------------------------------------------------------
 */
#ifndef WFCTL_H
#define WFCTL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include <libpq-fe.h>

/* exit codes (docs/wfctl.md) */
#define WFCTL_EXIT_OK		0
#define WFCTL_EXIT_FAIL		1	/* runtime failure */
#define WFCTL_EXIT_USAGE	2	/* bad command line */
#define WFCTL_EXIT_NOTFOUND 3	/* no such workflow, ambiguous prefix */
#define WFCTL_EXIT_CONFLICT 4	/* version or lease conflict */

typedef struct Wfctl
{
	const char *progname;		/* "wfctl" */
	const char *command;		/* the command being run, "list", ... */
	/* connection options (libpq conventions; NULL = libpq's default) */
	const char *dbname;			/* a name, key=value conninfo or URI */
	const char *host;
	const char *port;
	const char *user;
	PGconn	   *conn;			/* after wfctl_connect() */
	char	   *schema;			/* the extension's schema, quoted */
	bool		color;			/* stdout is a terminal, NO_COLOR unset */
	bool		stderr_tty;		/* stderr is a terminal (progress) */
} Wfctl;

/*
 * Common options every command accepts: -d/--dbname, -h/--host, -p/--port,
 * -U/--username, and --help (WFCTL_OPT_HELP).  Put WFCTL_COMMON_LONGOPTS in
 * a command's struct option array and WFCTL_COMMON_SHORTOPTS in its short
 * option string, and hand every option getopt_long returns to
 * wfctl_common_option() first: it returns true when it took the option.
 */
#define WFCTL_OPT_HELP 1000
#define WFCTL_COMMON_SHORTOPTS "d:h:p:U:"
#define WFCTL_COMMON_LONGOPTS \
	{"dbname", required_argument, NULL, 'd'}, \
	{"host", required_argument, NULL, 'h'}, \
	{"port", required_argument, NULL, 'p'}, \
	{"username", required_argument, NULL, 'U'}, \
	{"help", no_argument, NULL, WFCTL_OPT_HELP}
#define WFCTL_COMMON_HELP \
	"Connection options (libpq's PGHOST, PGPORT, PGUSER, PGDATABASE,\n" \
	"PGPASSWORD and ~/.pgpass apply):\n" \
	"  -d, --dbname=DB       database name, key=value conninfo or URI\n" \
	"  -h, --host=HOST       server host or socket directory\n" \
	"  -p, --port=PORT       server port\n" \
	"  -U, --username=USER   user name\n"

/*
 * Handle a common option.  For WFCTL_OPT_HELP it prints usage_text
 * (followed by WFCTL_COMMON_HELP) to stdout and exits 0; for '?' (getopt
 * already printed the complaint) it prints a "Try ... --help" line and
 * exits 2.
 */
extern bool wfctl_common_option(Wfctl *w, int opt, const char *usage_text);

/* print "wfctl CMD: error: ..." plus a --help hint, exit 2 */
extern void wfctl_usage_error(Wfctl *w, const char *fmt,...)
			__attribute__((format(printf, 2, 3), noreturn));

/* flush stdout; a full disk or a closed pipe is exit 1, with a message */
extern int	wfctl_finish_output(Wfctl *w);

/* print "wfctl: error: ..." to stderr (no exit) */
extern void wfctl_error(Wfctl *w, const char *fmt,...)
			__attribute__((format(printf, 2, 3)));

/*
 * Connect (once), check the extension is installed and note its schema.
 * Exits 1 with a clear message when the server cannot be reached or the
 * extension is missing.
 */
extern void wfctl_connect(Wfctl *w);

/*
 * SQL text: wfctl_sql() returns a malloc'd copy of text with every
 * "@extschema@" replaced by the extension's quoted schema.  Values go in
 * as parameters (text format), never spliced into the text.
 * wfctl_query() and wfctl_try() apply wfctl_sql() themselves.
 */
extern char *wfctl_sql(Wfctl *w, const char *text);

/*
 * Run a statement with text parameters (NULL entries are SQL NULLs).
 * wfctl_query() returns the result or, on an error, prints the server's
 * message (with DETAIL and HINT) and exits with wfctl_exit_code() of it.
 * wfctl_try() returns every result; the caller checks PQresultStatus and
 * may call wfctl_report() and PQclear().
 */
extern PGresult *wfctl_query(Wfctl *w, const char *text, int nparams,
							 const char *const *params);
extern PGresult *wfctl_try(Wfctl *w, const char *text, int nparams,
						   const char *const *params);

/* print an error result ("prefix: " before it when prefix is not NULL) */
extern void wfctl_report(Wfctl *w, const PGresult *res, const char *prefix);

/* the exit code of an error result: 3 for P0002/21000, 4 for 40001/55P03 */
extern int	wfctl_exit_code(const PGresult *res);

/*
 * The full id of the one workflow whose id starts with prefix
 * (wf_resolve); an exact id is returned as is.  Exits 3 when there is
 * none or several (the candidates are listed).  Returns malloc'd memory.
 */
extern char *wfctl_resolve(Wfctl *w, const char *prefix);

/* the same, without exiting: the result of wfctl_try() (one text column) */
extern PGresult *wfctl_try_resolve(Wfctl *w, const char *prefix);

/* ---- output (out.c) ---- */

/*
 * A table for people: column widths computed from the cells, cells
 * longer than max_width display columns cut with an ellipsis ("…"),
 * right-aligned columns for numbers.
 */
typedef struct WfctlTable WfctlTable;

extern WfctlTable *wfctl_table_new(int ncols, const char *const *headers);
extern void wfctl_table_right(WfctlTable *t, int col);
/* add a row of ncols cells; cells are copied, a NULL cell prints empty */
extern void wfctl_table_add(WfctlTable *t, const char *const *cells);
/* colour of one cell (an escape sequence, or NULL) for the last row added */
extern void wfctl_table_color(WfctlTable *t, int col, const char *escape);
extern void wfctl_table_print(WfctlTable *t, FILE *out, int max_width);
extern void wfctl_table_free(WfctlTable *t);

/* display width of UTF-8 text (code points; wide characters count 2) */
extern size_t wfctl_width(const char *s);

/* the escape sequence for a status (NULL when colour is off) */
extern const char *wfctl_status_color(Wfctl *w, const char *status);
#define WFCTL_RESET "\033[0m"

/*
 * Times.  Query them as pg_catalog.date_part('epoch', ts)::pg_catalog.text; these format an
 * epoch (seconds, as text; NULL or "" gives "") in the local time zone as
 * "2026-11-22 07:41:03", and relative to now as "5s ago", "3m ago",
 * "2h ago", "4d ago" or, in the future, "in 3h".  buf of at least 32 bytes.
 */
extern const char *wfctl_local_time(const char *epoch, char *buf, size_t len);
extern const char *wfctl_age(const char *epoch, char *buf, size_t len);

/* export and import report progress every this many workflows (terminal only) */
#define WFCTL_PROGRESS_EVERY 1000

/* "1.5 kB", "12 B", "3.2 MB" */
extern const char *wfctl_bytes(const char *bytes, char *buf, size_t len);

/* ---- memory (exit 1 on failure) ---- */
extern void *xmalloc(size_t n);
extern void *xrealloc(void *p, size_t n);
extern char *xstrdup(const char *s);
extern char *xasprintf(const char *fmt,...) __attribute__((format(printf, 1, 2)));

/* ---- commands ---- */
extern int	cmd_list(Wfctl *w, int argc, char **argv);
extern int	cmd_inspect(Wfctl *w, int argc, char **argv);
extern int	cmd_pending(Wfctl *w, int argc, char **argv);
extern int	cmd_stats(Wfctl *w, int argc, char **argv);
extern int	cmd_export(Wfctl *w, int argc, char **argv);
extern int	cmd_import(Wfctl *w, int argc, char **argv);
extern int	cmd_validate(Wfctl *w, int argc, char **argv);
extern int	cmd_approve(Wfctl *w, int argc, char **argv);
extern int	cmd_reject(Wfctl *w, int argc, char **argv);
extern int	cmd_resume(Wfctl *w, int argc, char **argv);
extern int	cmd_cancel(Wfctl *w, int argc, char **argv);
extern int	cmd_replay(Wfctl *w, int argc, char **argv);
extern int	cmd_delete(Wfctl *w, int argc, char **argv);
extern int	cmd_cleanup(Wfctl *w, int argc, char **argv);

#endif							/* WFCTL_H */
