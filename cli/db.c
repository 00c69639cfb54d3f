/*-------------------------------------------------------------------------
 *
 * db.c
 *	  wfctl's connection, statements, server errors and id prefixes.
 *
 *-------------------------------------------------------------------------
 */
#include <stdlib.h>
#include <string.h>

#include "wfctl.h"

/* a message of libpq's own (it may span lines, it may end with one) */
static void
client_error(Wfctl *w, const char *msg)
{
	fprintf(stderr, "%s: error: ", w->progname);
	wfctl_put_escaped(stderr, msg, true);
	if (msg[0] == '\0' || msg[strlen(msg) - 1] != '\n')
		fputc('\n', stderr);
}

/* connect with the options given, and password when not NULL */
static PGconn *
connect_with(Wfctl *w, const char *password)
{
	/* dbname first: with expand_dbname, later keywords override it */
	const char *given[][2] = {
		{"dbname", w->dbname},
		{"host", w->host},
		{"port", w->port},
		{"user", w->user},
		{"password", password},
		{"fallback_application_name", "wfctl"},
	};
	const char *keywords[7];
	const char *values[7];
	int			n = 0;

	for (size_t i = 0; i < sizeof(given) / sizeof(given[0]); i++)
	{
		if (given[i][1] == NULL)
			continue;
		keywords[n] = given[i][0];
		values[n++] = given[i][1];
	}
	keywords[n] = NULL;
	values[n] = NULL;
	return PQconnectdbParams(keywords, values, 1);
}

/* "Password for user x: ", read at the terminal (NULL without one) */
static char *
ask_password(const char *user)
{
	char	   *prompt = user ? xasprintf("Password for user %s: ", user) : xstrdup("Password: ");
	char	   *password = wfctl_ask_password(prompt);

	free(prompt);
	return password;
}

void
wfctl_connect(Wfctl *w)
{
	char	   *password = NULL;
	PGresult   *res;

	if (w->conn)
		return;
	if (w->ask_password && (password = ask_password(w->user)) == NULL)
	{
		wfctl_error(w, "cannot ask for the password (-W): no terminal");
		exit(WFCTL_EXIT_CONNECTION);
	}
	w->conn = connect_with(w, password);
	/* as psql: the server wants a password and none was given: ask */
	if (PQstatus(w->conn) == CONNECTION_BAD && password == NULL &&
		PQconnectionNeedsPassword(w->conn) && !w->no_password && wfctl_interactive())
	{
		password = ask_password(PQuser(w->conn));
		if (password != NULL)
		{
			PQfinish(w->conn);
			w->conn = connect_with(w, password);
		}
	}
	if (password)
	{
		explicit_bzero(password, strlen(password));
		free(password);
	}
	if (PQstatus(w->conn) != CONNECTION_OK)
	{
		client_error(w, PQerrorMessage(w->conn));
		if (PQconnectionNeedsPassword(w->conn))
			fprintf(stderr, "HINT:  Give it in PGPASSWORD or ~/.pgpass, or run wfctl on a "
					"terminal: it asks (-W asks first, -w never).\n");
		PQfinish(w->conn);
		w->conn = NULL;
		exit(WFCTL_EXIT_CONNECTION);
	}

	/*
	 * An empty search_path: every name wfctl uses is qualified.  A router
	 * database (docs/scale-out.md) has workflow_persist_router instead: the
	 * same functions, in the same schema, routed to the shards.
	 */
	res = PQexec(w->conn,
				 "SELECT pg_catalog.set_config('search_path', '', false), "
				 "pg_catalog.quote_ident(n.nspname), "
				 "e.extname = 'workflow_persist_router', "
				 "pg_catalog.pg_is_in_recovery() "
				 "FROM pg_catalog.pg_extension AS e "
				 "JOIN pg_catalog.pg_namespace AS n ON n.oid = e.extnamespace "
				 "WHERE e.extname IN ('workflow_persist', 'workflow_persist_router') "
				 "ORDER BY e.extname LIMIT 1");
	if (PQresultStatus(res) != PGRES_TUPLES_OK)
	{
		int			rc = wfctl_exit_code(w, res);

		wfctl_report(w, res);
		PQclear(res);
		wfctl_disconnect(w);
		exit(rc);
	}
	if (PQntuples(res) != 1)
	{
		wfctl_error(w, "the extension workflow_persist is not installed in database \"%s\"",
					PQdb(w->conn));
		fprintf(stderr, "HINT:  Run CREATE EXTENSION workflow_persist in that database, "
				"or connect to another one with -d.\n");
		PQclear(res);
		wfctl_disconnect(w);
		exit(WFCTL_EXIT_FAIL);
	}
	w->schema = xstrdup(PQgetvalue(res, 0, 1));
	w->router = strcmp(PQgetvalue(res, 0, 2), "t") == 0;
	if (strcmp(PQgetvalue(res, 0, 3), "t") == 0 && w->cmd &&
		(w->cmd->flags & WFCTL_F_WRITES))
	{
		wfctl_error(w, "the server is a hot standby (read only): \"%s %s\" writes",
					w->progname, w->command);
		fprintf(stderr, "HINT:  Point write commands at the primary; a standby "
				"serves list, inspect, pending, stats and export.\n");
		PQclear(res);
		wfctl_disconnect(w);
		exit(WFCTL_EXIT_FAIL);
	}
	PQclear(res);

	/*
	 * -N: the session's namespace, so every statement of every command
	 * works in it; the server checks it (wf_namespace: 22023 otherwise).
	 */
	if (w->namespace)
	{
		const char *params[1] = {w->namespace};

		PQclear(wfctl_query(w, "SELECT pg_catalog.set_config('workflow_persist.namespace', "
							"@extschema@.wf_namespace($1, true), false)",
							1, params));
	}
}

char *
wfctl_sql(Wfctl *w, const char *text)
{
	static const char tag[] = "@extschema@";
	size_t		taglen = sizeof(tag) - 1;
	size_t		slen = strlen(w->schema);
	size_t		count = 0;
	const char *p;
	char	   *out,
			   *o;

	for (p = strstr(text, tag); p; p = strstr(p + taglen, tag))
		count++;
	out = xmalloc(strlen(text) + count * slen + 1);
	o = out;
	for (p = text;;)
	{
		const char *hit = strstr(p, tag);

		if (hit == NULL)
		{
			strcpy(o, p);
			break;
		}
		memcpy(o, p, hit - p);
		o += hit - p;
		memcpy(o, w->schema, slen);
		o += slen;
		p = hit + taglen;
	}
	return out;
}

void
wfctl_disconnect(Wfctl *w)
{
	if (w->conn)
		PQfinish(w->conn);
	w->conn = NULL;
	free(w->schema);
	w->schema = NULL;
}

PGresult *
wfctl_try(Wfctl *w, const char *text, int nparams, const char *const *params)
{
	char	   *sql;
	PGresult   *res;

	wfctl_connect(w);
	sql = wfctl_sql(w, text);
	res = PQexecParams(w->conn, sql, nparams, NULL, params, NULL, NULL, 0);
	free(sql);
	if (res == NULL)
	{
		client_error(w, PQerrorMessage(w->conn));
		exit(PQstatus(w->conn) == CONNECTION_BAD ? WFCTL_EXIT_CONNECTION : WFCTL_EXIT_FAIL);
	}
	return res;
}

PGresult *
wfctl_query(Wfctl *w, const char *text, int nparams, const char *const *params)
{
	PGresult   *res = wfctl_try(w, text, nparams, params);
	ExecStatusType st = PQresultStatus(res);

	if (st != PGRES_TUPLES_OK && st != PGRES_COMMAND_OK)
		wfctl_fail(w, res);
	return res;
}

void
wfctl_exec(Wfctl *w, const char *text)
{
	PQclear(wfctl_query(w, text, 0, NULL));
}

void
wfctl_fail(Wfctl *w, PGresult *res)
{
	int			rc = wfctl_exit_code(w, res);

	wfctl_report(w, res);
	PQclear(res);
	wfctl_disconnect(w);
	exit(rc);
}

/*
 * The server's hints that name SQL functions, in the words of the command
 * line (the server's text is matched exactly; another one is shown as it
 * is)
 */
static const char *const cli_hints[][2] = {
	{"Use wf_replay() to start a new run with the same input.",
	"Use \"wfctl replay ID\" to start a new run with the same input."},
	{"Decide them with wf_approve() or wf_reject() first; wf_pending() lists them.",
	"Decide them with \"wfctl approve\" or \"wfctl reject\" first; \"wfctl pending\" lists them."},
	{"Pick another new_id, or delete that workflow first.",
	"Pick another --as, or delete that workflow first (\"wfctl delete\")."},
};

/* role as wf_grant_access's regrole argument, an SQL literal */
static char *
role_literal(const char *role)
{
	bool		plain = role[0] != '\0' && strchr("abcdefghijklmnopqrstuvwxyz_", role[0]);
	char	   *quoted;
	char	   *literal;
	char	   *o;

	for (const char *p = role; *p && plain; p++)
		plain = strchr("abcdefghijklmnopqrstuvwxyz0123456789_$", *p) != NULL;
	/* "Name" as an identifier, then '...' as a literal: quotes doubled */
	quoted = plain ? xstrdup(role) : xmalloc(strlen(role) * 2 + 3);
	if (!plain)
	{
		o = quoted;
		*o++ = '"';
		for (const char *p = role; *p; p++)
		{
			if (*p == '"')
				*o++ = '"';
			*o++ = *p;
		}
		*o++ = '"';
		*o = '\0';
	}
	literal = xmalloc(strlen(quoted) * 2 + 3);
	o = literal;
	*o++ = '\'';
	for (const char *p = quoted; *p; p++)
	{
		if (*p == '\'')
			*o++ = '\'';
		*o++ = *p;
	}
	*o++ = '\'';
	*o = '\0';
	free(quoted);
	return literal;
}

const char *
wfctl_hint(Wfctl *w, const PGresult *res, char **alloc)
{
	const char *hint = PQresultErrorField(res, PG_DIAG_MESSAGE_HINT);
	const char *state = PQresultErrorField(res, PG_DIAG_SQLSTATE);

	*alloc = NULL;
	for (size_t i = 0; hint && i < sizeof(cli_hints) / sizeof(cli_hints[0]); i++)
		if (strcmp(hint, cli_hints[i][0]) == 0)
			return cli_hints[i][1];
	/* a read-only transaction: a standby, or a shard that is one */
	if (hint == NULL && state != NULL && strcmp(state, "25006") == 0)
		return "The server (or, through a router, a shard) is read only, "
			"perhaps a hot standby: point write commands at the primary.";
	if (hint == NULL && state != NULL && strcmp(state, "42501") == 0 &&
		w->conn != NULL && w->schema != NULL)
	{
		char	   *role = role_literal(PQuser(w->conn));

		*alloc = xasprintf("A superuser can give role %s the access wfctl %s needs: "
						   "SELECT %s.wf_grant_access(%s%s);",
						   PQuser(w->conn), w->command, w->schema, role,
						   w->cmd && (w->cmd->flags & WFCTL_F_WRITES) ? "" : ", writable => false");
		free(role);
		return *alloc;
	}
	return hint;
}

void
wfctl_report(Wfctl *w, const PGresult *res)
{
	char	   *grant;
	const char *primary = PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY);
	const char *detail = PQresultErrorField(res, PG_DIAG_MESSAGE_DETAIL);
	const char *hint;

	if (primary == NULL)
	{
		/* a client-side failure (lost connection, ...) */
		const char *msg = PQresultErrorMessage(res);

		if (msg == NULL || msg[0] == '\0')
			msg = PQerrorMessage(w->conn);
		client_error(w, msg);
		return;
	}
	wfctl_line(stderr, "%s: error: %s", w->progname, primary);
	wfctl_message(stderr, "DETAIL", detail);
	hint = wfctl_hint(w, res, &grant);
	wfctl_message(stderr, "HINT", hint);
	free(grant);
}

int
wfctl_exit_code(Wfctl *w, const PGresult *res)
{
	const char *state = PQresultErrorField(res, PG_DIAG_SQLSTATE);

	if (w->conn == NULL || PQstatus(w->conn) == CONNECTION_BAD ||
		(state != NULL && strncmp(state, "08", 2) == 0))
		return WFCTL_EXIT_CONNECTION;
	if (state == NULL)
		return WFCTL_EXIT_FAIL;
	if (strcmp(state, "P0002") == 0 || strcmp(state, "21000") == 0)
		return WFCTL_EXIT_NOTFOUND;
	if (strcmp(state, "40001") == 0 || strcmp(state, "55P03") == 0)
		return WFCTL_EXIT_CONFLICT;
	return WFCTL_EXIT_FAIL;
}

char *
wfctl_write(Wfctl *w, const char *id, const char *sql, int nparams,
			const char *const *params)
{
	PGresult   *res = wfctl_try(w, sql, nparams, params);
	char	   *out;

	if (PQresultStatus(res) != PGRES_TUPLES_OK)
	{
		const char *state = PQresultErrorField(res, PG_DIAG_SQLSTATE);
		int			rc = wfctl_exit_code(w, res);

		wfctl_report(w, res);
		if (state != NULL && strcmp(state, "55P03") == 0)
			wfctl_line(stderr, "HINT:  Another transaction is writing workflow \"%s\"; "
					   "try again, or wait longer with --wait.", id);
		PQclear(res);
		wfctl_disconnect(w);
		exit(rc);
	}
	out = xstrdup(PQgetvalue(res, 0, 0));
	PQclear(res);
	return out;
}

/*
 * lock_timeout: a write gives up (55P03) when another transaction holds
 * the run for more than w->wait seconds (0: never)
 */
void
wfctl_set_wait(Wfctl *w)
{
	char		ms[32];
	const char *params[1] = {ms};

	snprintf(ms, sizeof(ms), "%ld", w->wait * 1000);
	PQclear(wfctl_query(w, "SELECT pg_catalog.set_config('lock_timeout', $1, false)",
						1, params));
}

/* an exact id wins over the longer ids it is a prefix of */
static const char resolve_sql[] =
"SELECT CASE WHEN @extschema@.wf_exists($1) THEN $1 "
"ELSE @extschema@.wf_resolve($1) END";

PGresult *
wfctl_try_resolve(Wfctl *w, const char *prefix)
{
	const char *params[1] = {prefix};

	return wfctl_try(w, resolve_sql, 1, params);
}

char *
wfctl_resolve(Wfctl *w, const char *prefix)
{
	const char *params[1] = {prefix};
	PGresult   *res;
	char	   *id;

	if (prefix[0] == '\0')
		wfctl_usage_error(w, "a workflow id must not be empty");
	res = wfctl_query(w, resolve_sql, 1, params);
	id = xstrdup(PQgetvalue(res, 0, 0));
	PQclear(res);
	return id;
}

/*
 * An ID that is not a whole id, for a command that changes or deletes:
 * refused (exit 3) unless --prefix-match, --yes or a "y" at the terminal
 * takes the one workflow it starts.
 */
static char *
resolve_not_exact(Wfctl *w, const char *arg, int *rc)
{
	const char *params[1] = {arg};
	PGresult   *res = wfctl_try(w, "SELECT @extschema@.wf_resolve($1)", 1, params);
	const char *state = PQresultErrorField(res, PG_DIAG_SQLSTATE);
	char	   *id = NULL;

	*rc = WFCTL_EXIT_NOTFOUND;
	if (PQresultStatus(res) != PGRES_TUPLES_OK)
	{
		if (state == NULL || (strcmp(state, "P0002") != 0 && strcmp(state, "21000") != 0))
		{
			*rc = wfctl_exit_code(w, res);
			wfctl_report(w, res);
		}
		else
		{
			/* none, or several: the candidates are the server's DETAIL */
			wfctl_error(w, "workflow \"%s\" does not exist", arg);
			wfctl_message(stderr, "DETAIL",
						  PQresultErrorField(res, PG_DIAG_MESSAGE_DETAIL));
		}
		PQclear(res);
		return NULL;
	}
	id = xstrdup(PQgetvalue(res, 0, 0));
	PQclear(res);
	if (w->yes)
	{
		wfctl_line(stderr, "%s: taking workflow \"%s\" for \"%s\" (--yes)",
				   w->progname, id, arg);
		return id;
	}
	if (wfctl_interactive())
	{
		if (wfctl_confirm("No workflow is named \"%s\". %s workflow \"%s\"?",
						  arg, w->cmd->verb, id))
			return id;
		wfctl_error(w, "not confirmed: nothing done for \"%s\"", arg);
		*rc = WFCTL_EXIT_FAIL;
		free(id);
		return NULL;
	}
	wfctl_error(w, "workflow \"%s\" does not exist", arg);
	wfctl_line(stderr, "HINT:  It is the start of \"%s\": give the whole id, or add "
			   "--prefix-match to take a unique prefix.", id);
	free(id);
	return NULL;
}

char *
wfctl_resolve_exact(Wfctl *w, const char *arg, int *rc)
{
	const char *params[1] = {arg};
	PGresult   *res;
	bool		exists;

	*rc = WFCTL_EXIT_OK;
	if (w->prefix_match)
	{
		res = wfctl_try_resolve(w, arg);
		if (PQresultStatus(res) != PGRES_TUPLES_OK)
		{
			*rc = wfctl_exit_code(w, res);
			wfctl_report(w, res);
			PQclear(res);
			return NULL;
		}
	}
	else
	{
		res = wfctl_try(w, "SELECT @extschema@.wf_exists($1)", 1, params);
		if (PQresultStatus(res) != PGRES_TUPLES_OK)
		{
			*rc = wfctl_exit_code(w, res);
			wfctl_report(w, res);
			PQclear(res);
			return NULL;
		}
		exists = strcmp(PQgetvalue(res, 0, 0), "t") == 0;
		PQclear(res);
		return exists ? xstrdup(arg) : resolve_not_exact(w, arg, rc);
	}
	{
		char	   *id = xstrdup(PQgetvalue(res, 0, 0));

		PQclear(res);
		return id;
	}
}

char *
wfctl_resolve_arg(Wfctl *w, const char *arg)
{
	char	   *id;
	int			rc;

	if (!(w->cmd->flags & WFCTL_F_EXACT))
		return wfctl_resolve(w, arg);
	id = wfctl_resolve_exact(w, arg, &rc);
	if (id == NULL)
	{
		wfctl_disconnect(w);
		exit(rc);
	}
	return id;
}
