/*
 * bench/b7_driver.c: awaitly's own persistence pattern, end to end.
 *
 * awaitly's durable runner re-saves the WHOLE snapshot after every step.
 * This client does the same, the way an engine would: it keeps the
 * snapshot as JSON text, appends one step (~1 KB of random hex) per round,
 * and sends the whole text as a parameter, in its own transaction
 * (autocommit), either to wf_save or as an upsert into a plain jsonb table.
 *
 *   b7_driver CONNINFO wf|raw NSTEPS [STEP_BYTES]
 *
 * Prints: mode, saves, seconds, saves per second, WAL bytes written.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "libpq-fe.h"

static PGconn *conn;

static void
die(const char *what)
{
	fprintf(stderr, "b7_driver: %s: %s", what, PQerrorMessage(conn));
	exit(1);
}

static double
now_seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static long long
wal_lsn(void)
{
	PGresult   *r = PQexec(conn, "SELECT pg_current_wal_lsn() - '0/0'");
	long long	v;

	if (PQresultStatus(r) != PGRES_TUPLES_OK)
		die("pg_current_wal_lsn");
	v = atoll(PQgetvalue(r, 0, 0));
	PQclear(r);
	return v;
}

int
main(int argc, char **argv)
{
	const char *mode;
	int			nsteps;
	int			step_bytes;
	const char *sql;
	char	   *steps;
	size_t		steps_len = 0;
	char	   *doc;
	unsigned int seed = 20261122;
	double		t0;
	double		elapsed;
	long long	wal0;
	long long	wal1;
	PGresult   *r;

	if (argc < 4)
	{
		fprintf(stderr, "usage: b7_driver CONNINFO wf|raw NSTEPS [STEP_BYTES]\n");
		return 2;
	}
	mode = argv[2];
	nsteps = atoi(argv[3]);
	step_bytes = argc > 4 ? atoi(argv[4]) : 1000;
	if (strcmp(mode, "wf") == 0)
		sql = "SELECT workflow_persist.wf_save($1, $2::jsonb)";
	else if (strcmp(mode, "raw") == 0)
		sql = "INSERT INTO bench.raw (id, doc) VALUES ($1, $2::jsonb) "
			"ON CONFLICT (id) DO UPDATE SET doc = EXCLUDED.doc";
	else
	{
		fprintf(stderr, "b7_driver: mode must be wf or raw\n");
		return 2;
	}

	conn = PQconnectdb(argv[1]);
	if (PQstatus(conn) != CONNECTION_OK)
		die("connect");
	r = PQprepare(conn, "save", sql, 2, NULL);
	if (PQresultStatus(r) != PGRES_COMMAND_OK)
		die("prepare");
	PQclear(r);
	r = PQexecParams(conn, strcmp(mode, "wf") == 0 ?
					 "SELECT workflow_persist.wf_delete($1)" :
					 "DELETE FROM bench.raw WHERE id = $1",
					 1, NULL, (const char *[]) {"b7"}, NULL, NULL, 0);
	PQclear(r);

	steps = malloc((size_t) nsteps * (step_bytes + 200) + 1);
	doc = malloc((size_t) nsteps * (step_bytes + 200) + 1024);
	steps[0] = '\0';
	wal0 = wal_lsn();
	t0 = now_seconds();
	for (int k = 1; k <= nsteps; k++)
	{
		const char *params[2];
		int			n;

		/* append step k: {"ok":true,"value":{"n":k,"data":"<hex>"}} */
		steps_len += sprintf(steps + steps_len,
							 "%s\"step-%05d\":{\"ok\":true,\"value\":{\"n\":%d,\"data\":\"",
							 k > 1 ? "," : "", k, k);
		for (int i = 0; i < step_bytes - 60; i++)
		{
			seed = seed * 1103515245u + 12345u;
			steps[steps_len++] = "0123456789abcdef"[(seed >> 16) & 15];
		}
		steps_len += sprintf(steps + steps_len, "\"}}");

		n = sprintf(doc, "{\"formatVersion\":1,\"workflowName\":\"b7\","
					"\"execution\":{\"status\":\"running\","
					"\"lastUpdated\":\"2026-11-22T10:00:%02d.%03dZ\","
					"\"currentStepId\":\"step-%05d\"},"
					"\"metadata\":{\"workflowId\":\"b7\",\"input\":{\"order\":42}},"
					"\"steps\":{", (k / 1000) % 60, k % 1000, k);
		memcpy(doc + n, steps, steps_len);
		strcpy(doc + n + steps_len, "}}");

		params[0] = "b7";
		params[1] = doc;
		r = PQexecPrepared(conn, "save", 2, params, NULL, NULL, 0);
		if (PQresultStatus(r) != PGRES_TUPLES_OK &&
			PQresultStatus(r) != PGRES_COMMAND_OK)
			die("save");
		PQclear(r);
	}
	elapsed = now_seconds() - t0;
	wal1 = wal_lsn();
	printf("%s %d %.3f %.1f %lld\n", mode, nsteps, elapsed, nsteps / elapsed,
		   wal1 - wal0);
	PQfinish(conn);
	free(steps);
	free(doc);
	return 0;
}
