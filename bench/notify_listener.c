/*
 * bench/notify_listener.c: the listener of bench/trigger.sh's notification
 * benchmark.  LISTENs on workflow_persist (connection from the PG*
 * environment variables), reads every notification as it arrives (as an
 * application would, so the server never waits on a full socket), and
 * when it receives the payload "end" (or SIGTERM), prints how many it
 * received before and exits.  Notifications reach a listener in commit
 * order, so "end" sent last means every earlier one was counted.
 *
 *   notify_listener > count.txt &  ...  psql -c "NOTIFY workflow_persist, 'end'"; wait
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/select.h>

#include <libpq-fe.h>

static volatile sig_atomic_t stop = 0;

static void
on_signal(int sig)
{
	(void) sig;
	stop = 1;
}

int
main(void)
{
	PGconn	   *conn = PQconnectdb("");
	PGresult   *res;
	long		count = 0;
	struct sigaction sa;

	if (PQstatus(conn) != CONNECTION_OK)
	{
		fprintf(stderr, "notify_listener: %s", PQerrorMessage(conn));
		return 1;
	}
	res = PQexec(conn, "LISTEN workflow_persist");
	if (PQresultStatus(res) != PGRES_COMMAND_OK)
	{
		fprintf(stderr, "notify_listener: LISTEN failed: %s", PQerrorMessage(conn));
		return 1;
	}
	PQclear(res);

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);

	/* tell the caller we listen */
	fprintf(stderr, "listening\n");

	while (!stop)
	{
		int			sock = PQsocket(conn);
		fd_set		in;
		struct timeval tv = {1, 0};
		PGnotify   *n;

		FD_ZERO(&in);
		FD_SET(sock, &in);
		if (select(sock + 1, &in, NULL, NULL, &tv) < 0)
		{
			if (errno == EINTR)
				continue;
			perror("notify_listener: select");
			return 1;
		}
		if (!PQconsumeInput(conn))
		{
			fprintf(stderr, "notify_listener: %s", PQerrorMessage(conn));
			return 1;
		}
		while ((n = PQnotifies(conn)) != NULL)
		{
			if (strcmp(n->extra, "end") == 0)
				stop = 1;
			else
				count++;
			PQfreemem(n);
		}
	}
	printf("%ld\n", count);
	PQfinish(conn);
	return 0;
}
