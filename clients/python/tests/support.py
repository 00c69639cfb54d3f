"""Shared by the conformance suites: the declared engine interfaces on
sys.path, a connection to the test server (libpq's PG* variables, or
WFP_TEST_DSN) and a fresh namespace per test."""
import itertools
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path[:0] = [os.path.join(HERE, "engines"), os.path.dirname(HERE)]

import psycopg  # noqa: E402

DSN = os.environ.get("WFP_TEST_DSN", "")
_n = itertools.count()


def namespace(prefix):
    return "%s%d-%d" % (prefix, os.getpid(), next(_n))


def sql(query, *args):
    """One query on a connection of its own (what an operator or wfctl sees)."""
    with psycopg.connect(DSN, autocommit=True) as conn:
        cur = conn.execute(query, args)
        return cur.fetchall() if cur.description else None
