/*-------------------------------------------------------------------------
 *
 * wfctl.h
 *	  Shared declarations of wfctl, workflow_persist's command-line tool.
 *
 * wfctl talks to the database only through the extension's SQL API (libpq,
 * text results).  Every command is one WfctlCommand descriptor: its name,
 * summary, usage, options, flags and the function that runs it.  The
 * parser (options.c), "--help", the command list and shell completion are
 * all produced from the descriptors; a command's run function finds its
 * options already parsed (into the variables its option table points at,
 * and the flags' values in Wfctl) and its arguments in w->args.
 *
 * Memory: every allocation is checked (the x* helpers exit on failure) and
 * freed; the TAP suite runs the commands under valgrind.
 *
 *-------------------------------------------------------------------------
 */
#ifndef WFCTL_H
#define WFCTL_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include <libpq-fe.h>

/*
 * exit codes (docs/wfctl.md): psql's 2 for a connection that could not be
 * made or was lost; a bad command line is sysexits.h's EX_USAGE
 */
#define WFCTL_EXIT_OK		0
#define WFCTL_EXIT_FAIL		1	/* runtime failure */
#define WFCTL_EXIT_CONNECTION 2 /* no connection, or it was lost */
#define WFCTL_EXIT_NOTFOUND 3	/* no such workflow, ambiguous prefix */
#define WFCTL_EXIT_CONFLICT 4	/* version or lease conflict */
#define WFCTL_EXIT_USAGE	64	/* bad command line (EX_USAGE) */

/* ---- command descriptors ---- */

/* what a command's own option holds */
typedef enum WfctlOptType
{
	WFCTL_OPT_FLAG,				/* bool, no argument */
	WFCTL_OPT_TEXT,				/* const char *, the argument as given */
	WFCTL_OPT_NUMBER,			/* long, from min to max */
	WFCTL_OPT_CALL				/* handed to call() each time it is given */
} WfctlOptType;

typedef struct Wfctl Wfctl;

/*
 * One option of a command.  target points at the variable it sets (a
 * bool, const char * or long; its initial value is the default).  An
 * option with refuse set is not shown in help: giving it is a usage error
 * with that message (approve's --reason).
 */
typedef struct WfctlOption
{
	const char *name;			/* long name, "status" */
	char		letter;			/* short option, or 0 */
	WfctlOptType type;
	const char *arg;			/* the argument's name in help, "S" */
	void	   *target;
	long		min;			/* WFCTL_OPT_NUMBER */
	long		max;
	bool		nonempty;		/* an empty argument is a usage error */
	bool		once;			/* given twice is a usage error */
	void		(*call) (Wfctl *w, const char *arg);	/* WFCTL_OPT_CALL */
	const char *words;			/* completion: the values it takes */
	bool		file;			/* completion: a file name */
	const char *refuse;
	const char *help;			/* lines separated by \n */
} WfctlOption;

/* one positional argument; the last one may repeat */
typedef struct WfctlArg
{
	const char *name;			/* "ID", "STEP", "FILE" */
	const char *missing;		/* the usage error when it is not given;
								 * NULL: optional */
	bool		repeat;			/* any number of them */
	bool		nonempty;		/* "" is a usage error */
	bool		file;			/* completion: a file name */
	const char *words;			/* completion: the words it takes */
} WfctlArg;

/* options the parser adds itself, stored in Wfctl */
#define WFCTL_F_JSON	0x01	/* --json: w->json */
#define WFCTL_F_WAIT	0x02	/* --wait=SECONDS: w->wait, lock_timeout */
#define WFCTL_F_EXACT	0x04	/* IDs are whole ids: --prefix-match, --yes */
#define WFCTL_F_CONFIRM 0x08	/* asks first on a terminal: --yes */
#define WFCTL_F_WRITES	0x10	/* writes: needs wf_grant_access(writable) */
#define WFCTL_F_PAGER	0x20	/* long output to a terminal is paged: --no-pager */
#define WFCTL_F_TABLE	0x40	/* prints a table: --tsv, --no-headers */

typedef struct WfctlCommand
{
	const char *name;
	const char *summary;		/* one line, for "wfctl --help" */
	const char *usage;			/* the synopsis lines after "Usage:" */
	const char *description;	/* what it does, for "wfctl NAME --help" */
	const WfctlOption *options; /* its own options, ended by {NULL} */
	const WfctlArg *args;		/* its arguments, ended by {NULL}; NULL:
								 * none */
	unsigned	flags;			/* WFCTL_F_* */
	const char *json_help;		/* the help of --json (WFCTL_F_JSON) */
	const char *verb;			/* WFCTL_F_EXACT: "Cancel", in a question */
	const char *yes_help;		/* WFCTL_F_CONFIRM: the help of --yes */
	int			(*run) (Wfctl *w);
} WfctlCommand;

/* every command, in the order of "wfctl --help", ended by NULL (wfctl.c) */
extern const WfctlCommand *const wfctl_commands[];

/* the descriptors (one per command file) */
extern const WfctlCommand wfctl_cmd_list;
extern const WfctlCommand wfctl_cmd_inspect;
extern const WfctlCommand wfctl_cmd_pending;
extern const WfctlCommand wfctl_cmd_stats;
extern const WfctlCommand wfctl_cmd_export;
extern const WfctlCommand wfctl_cmd_import;
extern const WfctlCommand wfctl_cmd_validate;
extern const WfctlCommand wfctl_cmd_approve;
extern const WfctlCommand wfctl_cmd_reject;
extern const WfctlCommand wfctl_cmd_resume;
extern const WfctlCommand wfctl_cmd_cancel;
extern const WfctlCommand wfctl_cmd_replay;
extern const WfctlCommand wfctl_cmd_delete;
extern const WfctlCommand wfctl_cmd_cleanup;
extern const WfctlCommand wfctl_cmd_completion;

/* seconds a write waits for a run another transaction is writing */
#define WFCTL_DEFAULT_WAIT 10
#define WFCTL_MAX_WAIT 86400

struct Wfctl
{
	const char *progname;		/* "wfctl" */
	const WfctlCommand *cmd;	/* the command being run */
	const char *command;		/* its name, "list", ... */
	/* connection options (libpq conventions; NULL = libpq's default) */
	const char *dbname;			/* a name, key=value conninfo or URI */
	const char *host;
	const char *port;
	const char *user;
	bool		ask_password;	/* -W: ask before connecting */
	bool		no_password;	/* -w: never ask */
	const char *namespace;		/* -N: workflow_persist.namespace */
	PGconn	   *conn;			/* after wfctl_connect() */
	char	   *schema;			/* the extension's schema, quoted */
	bool		router;			/* connected to workflow_persist_router */
	/* the options of the command's flags */
	bool		json;			/* WFCTL_F_JSON */
	long		wait;			/* WFCTL_F_WAIT: seconds */
	bool		prefix_match;	/* WFCTL_F_EXACT: IDs may be prefixes */
	bool		yes;			/* WFCTL_F_EXACT, _CONFIRM: answers yes */
	bool		no_pager;		/* WFCTL_F_PAGER */
	bool		tsv;			/* WFCTL_F_TABLE: tab-separated */
	bool		no_headers;		/* WFCTL_F_TABLE: no header line */
	/* the arguments after the options */
	char	  **args;
	int			nargs;
	bool		color;			/* stdout is a terminal, NO_COLOR unset */
	bool		stderr_tty;		/* stderr is a terminal (progress) */
};

/* ---- options.c: the parser and the help, from the descriptors ---- */

/*
 * Parse argv (argv[0] is the command's name) for w->cmd: its options go
 * to their targets, the flags' to w, the arguments to w->args.  --help
 * and -? print the command's help and exit 0; a bad command line is a
 * usage error (exit 64).
 */
extern void wfctl_parse(Wfctl *w, int argc, char **argv);

/* the top-level help: every command with its summary */
extern void wfctl_usage(FILE *out);

/* "wfctl NAME --help" */
extern void wfctl_print_help(const WfctlCommand *cmd);

/*
 * The options a command takes besides the common ones: its own (not the
 * refused ones) and those of its flags, in help order, in list (room for
 * WFCTL_MAX_OPTIONS); returns how many.  The common options (connection)
 * are wfctl_common_options(), ended by NULL.  Shell completion is made
 * from these.
 */
#define WFCTL_MAX_OPTIONS 64
extern int	wfctl_command_options(const WfctlCommand *cmd, const WfctlOption **list);
extern const WfctlOption *const *wfctl_common_options(void);

/*
 * Where the command's name is in argv: the first argument that is neither
 * an option nor an option's argument, since options may come before the
 * command (wfctl -d db list, as psql takes them anywhere); -1 if none.
 */
extern int	wfctl_find_command(int argc, char **argv);

/* print "wfctl CMD: error: ..." plus a --help hint, exit 64 */
extern void wfctl_usage_error(Wfctl *w, const char *fmt,...)
			__attribute__((format(printf, 2, 3), noreturn));

/* ---- messages (wfctl.c) ---- */

/* flush stdout; a full disk or a closed pipe is exit 1, with a message */
extern int	wfctl_finish_output(Wfctl *w);

/* print "wfctl: error: ..." to stderr (no exit) */
extern void wfctl_error(Wfctl *w, const char *fmt,...)
			__attribute__((format(printf, 2, 3)));

/* ---- db.c: the connection, statements, errors, ids ---- */

/*
 * Connect (once), check the extension is installed and note its schema.
 * Exits with a clear message: 2 when the server cannot be reached (or
 * refuses the connection), 1 when the extension is missing.
 */
extern void wfctl_connect(Wfctl *w);

/* close the connection (when open) */
extern void wfctl_disconnect(Wfctl *w);

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
 * may call wfctl_report() and PQclear().  wfctl_exec() is wfctl_query()
 * for a statement whose result is not needed.
 */
extern PGresult *wfctl_query(Wfctl *w, const char *text, int nparams,
							 const char *const *params);
extern PGresult *wfctl_try(Wfctl *w, const char *text, int nparams,
						   const char *const *params);
extern void wfctl_exec(Wfctl *w, const char *text);

/* print an error result */
extern void wfctl_report(Wfctl *w, const PGresult *res);

/*
 * The hint to show with an error result: the server's, in the command
 * line's words when it names SQL functions ("Use wf_replay()" becomes
 * "wfctl replay ID"), or for a permission denied (42501) without one the
 * wf_grant_access call a superuser runs (in *alloc, to free).
 */
extern const char *wfctl_hint(Wfctl *w, const PGresult *res, char **alloc);

/* report an error result, clear it, close the connection, exit */
extern void wfctl_fail(Wfctl *w, PGresult *res) __attribute__((noreturn));

/*
 * The exit code of an error result: 2 when the connection is gone, 3 for
 * P0002/21000, 4 for 40001/55P03, else 1.
 */
extern int	wfctl_exit_code(Wfctl *w, const PGresult *res);

/*
 * Run the write of a command that changes workflow id (its text result in
 * column 0 of one row; returns a malloc'd copy).  On an error, report it
 * and exit with its code; a lock timeout (55P03) says who to wait for.
 */
extern char *wfctl_write(Wfctl *w, const char *id, const char *sql, int nparams,
						 const char *const *params);

/* set lock_timeout to w->wait seconds (WFCTL_F_WAIT commands) */
extern void wfctl_set_wait(Wfctl *w);

/*
 * The full id of the one workflow whose id starts with prefix
 * (wf_resolve); an exact id is returned as is.  Exits 3 when there is
 * none or several (the candidates are listed).  Returns malloc'd memory.
 */
extern char *wfctl_resolve(Wfctl *w, const char *prefix);

/* the same, without exiting: the result of wfctl_try() (one text column) */
extern PGresult *wfctl_try_resolve(Wfctl *w, const char *prefix);

/*
 * The workflow an ID argument names, for a command that changes or deletes
 * runs (WFCTL_F_EXACT): the id itself when it exists; else, with
 * --prefix-match, the one id it is a unique prefix of; else that id only
 * when --yes or the operator at the terminal says so.  Otherwise reports
 * why and returns NULL with the exit code in *rc (3: no such id, 1: not
 * confirmed).  Returns malloc'd memory.
 */
extern char *wfctl_resolve_exact(Wfctl *w, const char *arg, int *rc);

/* the id of an ID argument: wfctl_resolve, or for WFCTL_F_EXACT
 * commands wfctl_resolve_exact; exits when there is none */
extern char *wfctl_resolve_arg(Wfctl *w, const char *arg);

/* ---- term.c: questions at the terminal ---- */

/* standard error is a terminal and /dev/tty can be opened */
extern bool wfctl_interactive(void);

/* ask "question [y/N]" on /dev/tty; true for y or yes */
extern bool wfctl_confirm(const char *fmt,...) __attribute__((format(printf, 1, 2)));

/* read a password on /dev/tty, not echoed; NULL without a terminal */
extern char *wfctl_ask_password(const char *prompt);

/*
 * The pager (WFCTL_F_PAGER commands): when stdout is a terminal and
 * neither --no-pager nor an empty PSQL_PAGER / PAGER turns it off, the
 * output is held until wfctl_pager_finish (wfctl_finish_output calls it),
 * which shows it through PSQL_PAGER, PAGER or less when it does not fit
 * the screen.  wfctl_pager_finish returns 0, or EOF when writing failed.
 */
extern void wfctl_pager_start(Wfctl *w);
extern int	wfctl_pager_finish(void);

/* ---- out.c: output for people ---- */

/* how a column's text is shown */
typedef enum WfctlFormat
{
	WFCTL_FMT_TEXT,				/* as it is */
	WFCTL_FMT_STATUS,			/* as it is, coloured by status */
	WFCTL_FMT_AGE,				/* an epoch as "5m ago", "in 3h" */
	WFCTL_FMT_TIME,				/* an epoch in local time */
	WFCTL_FMT_TIME_AGE,			/* both: "2026-11-22 07:41:03 (5m ago)" */
	WFCTL_FMT_BYTES,			/* "1.5 kB" */
	WFCTL_FMT_YESNO				/* t/f as yes/no */
} WfctlFormat;

/* a column of a query result, as a table shows it (psql's printQuery) */
typedef struct WfctlColumn
{
	const char *header;			/* NULL ends a column list */
	int			field;			/* the result column */
	WfctlFormat format;
	bool		right;			/* right-aligned (numbers) */
	const char *null_text;		/* shown for NULL (default "") */
} WfctlColumn;

/*
 * A table for people: column widths computed from the cells, cells
 * longer than max_width display columns cut with an ellipsis ("…"),
 * right-aligned columns for numbers.
 */
typedef struct WfctlTable WfctlTable;

/* a table of the columns cols (kept by reference: static data) */
extern WfctlTable *wfctl_table_new(const WfctlColumn *cols);
/* add every row of res, formatted as the columns say */
extern void wfctl_table_add_rows(Wfctl *w, WfctlTable *t, const PGresult *res);
/* the number of rows added so far */
extern int	wfctl_table_rows(const WfctlTable *t);
/*
 * Print the table on stdout: aligned, cells cut at max_width (headers
 * unless --no-headers); with --tsv, cells whole and separated by tabs (no
 * colour; control characters are escaped, so a cell holds no tab).
 */
extern void wfctl_table_print(Wfctl *w, WfctlTable *t, int max_width);
extern void wfctl_table_free(WfctlTable *t);

/*
 * The whole result as a table, or the line empty when it has no rows
 * (with --tsv the header only, with --no-headers nothing: a script reads
 * no rows); the columns' cells are cut at max_width.
 */
extern void wfctl_print_result(Wfctl *w, const PGresult *res,
							   const WfctlColumn *cols, const char *empty,
							   int max_width);

/* row 0 of res as "label value" lines (the headers are the labels) */
extern void wfctl_print_record(Wfctl *w, const PGresult *res,
							   const WfctlColumn *cols);

/* every row's value of one column, one per line (server-built JSON) */
extern void wfctl_print_lines(const PGresult *res, int field);

/*
 * One line of JSON text: the same JSON, but DEL and the C1 characters,
 * which JSON need not escape, written as \u007F ... \u009F, so that a
 * line of --json on a terminal cannot drive it either.  EOF on a write
 * error.
 */
extern int	wfctl_put_json(FILE *out, const char *json, size_t len);

/* display width of UTF-8 text (code points; wide characters count 2) */
extern size_t wfctl_width(const char *s);

/*
 * Text for people, as psql shows it: control characters (C0, DEL and the
 * C1 range) as \xHH or \u00HH, and bytes that are not UTF-8 as \xHH, so
 * that nothing stored in a workflow can drive the operator's terminal (an
 * id holding ESC ] 0 ; ... BEL sets its title, OSC 52 writes the
 * clipboard).  With keep_newlines, newlines and tabs pass (a server's
 * multi-line DETAIL).  Everything wfctl prints for people goes through
 * these; --json is exact (JSON escapes control characters itself).
 */
extern char *wfctl_escape(const char *s, bool keep_newlines);	/* malloc'd */
extern void wfctl_put_escaped(FILE *out, const char *s, bool keep_newlines);

/* "DETAIL:  text" (text escaped, its newlines kept); nothing for NULL */
extern void wfctl_message(FILE *out, const char *label, const char *text);

/* one line: printf's fmt (no newline), the result escaped, then "\n" */
extern void wfctl_line(FILE *out, const char *fmt,...)
			__attribute__((format(printf, 2, 3)));
extern void wfctl_vline(FILE *out, const char *fmt, va_list ap)
			__attribute__((format(printf, 2, 0)));

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
extern void wfctl_out_of_memory(void) __attribute__((noreturn));
extern void *xmalloc(size_t n);
extern void *xrealloc(void *p, size_t n);
extern char *xstrdup(const char *s);
extern char *xasprintf(const char *fmt,...) __attribute__((format(printf, 1, 2)));
extern char *xvasprintf(const char *fmt, va_list ap) __attribute__((format(printf, 1, 0)));

#endif							/* WFCTL_H */
