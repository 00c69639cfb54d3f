"""Flujo's StateBackend on workflow_persist: one SQL call per method.

A WorkflowState is a generic run (wf_put_run) in the backend's namespace:
name = pipeline_name, kind = pipeline_id@pipeline_version, status =
Flujo's word, metadata = its metadata, state = the rest, created_at and
updated_at = Flujo's own.  The run records of Flujo's structured API
(save_run_start/save_run_end) are runs of the namespace "<namespace>.runs",
its traces (save_trace) the state of runs in "<namespace>.traces".
get_workflow_stats, get_failed_workflows and cleanup_old_workflows are
left to the base class (NotImplementedError): the SQL API cannot serve
them in one call yet (docs/clients.md).
"""
from datetime import datetime
import json

import psycopg
from psycopg.types.json import Jsonb
from flujo.state.backends.base import StateBackend

_S = "workflow_persist."
_TIMES = ("created_at", "updated_at")
_RUN = ("pipeline_id", "pipeline_name", "pipeline_version", "execution_time_ms",
        "memory_usage_mb", "total_steps", "error_message", "updated_at")


def _json(value):
    return Jsonb(value, dumps=lambda v: json.dumps(v, default=lambda o: o.isoformat()
                                                   if isinstance(o, datetime) else str(o)))


def _time(value):
    return value.isoformat() if isinstance(value, datetime) else value


class WorkflowPersistBackend(StateBackend):
    def __init__(self, dsn, namespace="flujo"):
        self._dsn, self._ns, self._conn = dsn, namespace, None

    async def _one(self, sql, **args):
        if self._conn is None:
            self._conn = await psycopg.AsyncConnection.connect(self._dsn, autocommit=True)
        cur = await self._conn.execute(sql, dict(args, ns=self._ns, runs=self._ns + ".runs", tr=self._ns + ".traces"))
        return await cur.fetchall() if cur.description else None

    async def save_state(self, run_id, state):
        rest = {k: v for k, v in state.items() if k not in ("run_id", "status", "metadata") + _TIMES}
        doc = {"name": state["pipeline_name"], "status": state.get("status", "running"),
               "kind": "%s@%s" % (state["pipeline_id"], state["pipeline_version"]),
               "state": rest, "metadata": state.get("metadata") or {},
               **{k: _time(state[k]) for k in _TIMES if state.get(k) is not None}}
        await self._one("SELECT * FROM " + _S + "wf_put_run(%(id)s, %(doc)s, namespace => %(ns)s)",
                        id=run_id, doc=_json(doc))

    @staticmethod
    def _state(run_id, run):
        return dict(run["state"], run_id=run_id, status=run["status"], metadata=run.get("metadata", {}),
                    **{k: datetime.fromisoformat(run[k]) for k in _TIMES})

    async def load_state(self, run_id):
        rows = await self._one("SELECT run FROM " + _S + "wf_get_run(%(id)s, %(ns)s)", id=run_id)
        return self._state(run_id, rows[0][0]) if rows else None

    async def delete_state(self, run_id):
        await self._one("SELECT " + _S + "wf_delete(%(id)s, %(ns)s)", id=run_id)

    async def list_workflows(self, status=None, pipeline_id=None, limit=None, offset=0):
        if pipeline_id is not None or offset:
            raise NotImplementedError("needs wf_list(kind => ..., offset => ...): not in the SQL API yet")
        rows = await self._one(
            "SELECT l.id, r.run FROM " + _S + "wf_list(status => (SELECT coalesce(min(status), %(st)s) FROM " + _S +
            "wf_status_word WHERE word = %(st)s), max_rows => coalesce(%(n)s, 2147483647),"
            " namespace => %(ns)s) l, " + _S + "wf_get_run(l.id, %(ns)s) r", st=status, n=limit)
        return [self._state(i, run) for i, run in rows]

    async def save_run_start(self, run_data):
        meta = dict({k: run_data.get(k) for k in _RUN}, total_steps=run_data.get("total_steps", 0),
                    pipeline_name=run_data.get("pipeline_name", run_data["pipeline_id"]),
                    pipeline_version=run_data.get("pipeline_version", "1.0"))
        doc = {"name": meta["pipeline_name"], "status": run_data.get("status", "running"),
               "kind": "%s@%s" % (run_data["pipeline_id"], meta["pipeline_version"]),
               "metadata": meta,
               **{k: _time(run_data[k]) for k in _TIMES if run_data.get(k) is not None}}
        await self._one("SELECT * FROM " + _S + "wf_put_run(%(id)s, %(doc)s, if_absent => true,"
                        " namespace => %(runs)s)", id=run_data["run_id"], doc=_json(doc))

    async def save_run_end(self, run_id, end_data):
        meta = dict({k: end_data.get(k) for k in _RUN[3:]}, total_steps=end_data.get("total_steps", 0))
        try:
            await self._one("SELECT " + _S + "wf_update_run(%(id)s, status => %(st)s, metadata => %(m)s,"
                            " namespace => %(runs)s)", id=run_id, m=_json(meta),
                            st=end_data.get("status", "completed"))
        except psycopg.errors.NoDataFound:  # UPDATE ... WHERE run_id = $1 of an absent run
            pass

    async def get_run_details(self, run_id):
        rows = await self._one("SELECT run FROM " + _S + "wf_get_run(%(id)s, %(runs)s)", id=run_id)
        if not rows:
            return None
        run = rows[0][0]
        return dict(run["metadata"], run_id=run_id, status=run["status"],
                    created_at=datetime.fromisoformat(run["created_at"]),
                    updated_at=datetime.fromisoformat(run["metadata"]["updated_at"] or run["updated_at"]))

    async def save_trace(self, run_id, trace):
        await self._one("SELECT * FROM " + _S + "wf_put_run(%(id)s, %(doc)s, namespace => %(tr)s)",
                        id=run_id, doc=_json({"status": "completed", "state": trace}))

    async def get_trace(self, run_id):
        rows = await self._one("SELECT run->'state' FROM " + _S + "wf_get_run(%(id)s, %(tr)s)", id=run_id)
        return rows[0][0] if rows else None

    async def shutdown(self):
        if self._conn is not None:
            await self._conn.close()
            self._conn = None
