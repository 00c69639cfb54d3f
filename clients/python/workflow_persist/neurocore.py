"""NeuroCore's RunStore on workflow_persist: one SQL call per method.

A run is a generic run (wf_put_run) in the store's namespace: name = the
blueprint, status = NeuroCore's word, state = the fields a save never
changes, metadata = those it replaces (as NeuroCore's SQLite upsert does);
a step is one step row at its step_index.
"""
import psycopg
from psycopg.types.json import Jsonb
from neurocore.persistence.base import RunRecord, RunStatus, RunStore, StepRecord

_S = "workflow_persist."
_MUTABLE = ("final_context", "error", "suspended_at_node", "suspension_reason",
            "checkpoint_id", "updated_at", "duration_ms")


class WorkflowPersistRunStore(RunStore):
    def __init__(self, dsn, namespace="neurocore"):
        self._conn = psycopg.connect(dsn, autocommit=True)
        self._ns = namespace

    def _one(self, sql, **args):
        return self._conn.execute(sql, dict(args, ns=self._ns)).fetchone()

    def save_run(self, run):
        rec = run.model_dump(mode="json")
        meta = {k: rec.pop(k) for k in _MUTABLE}
        name, status, run_id = rec.pop("blueprint_name"), rec.pop("status"), rec.pop("run_id")
        doc = {"name": name, "status": status, "state": rec, "metadata": meta,
               "created_at": rec["created_at"], "updated_at": meta["updated_at"]}
        self._one("SELECT CASE WHEN p.created THEN p.version ELSE " + _S +
                  "wf_update_run(%(id)s, status => %(st)s, metadata => %(m)s, namespace => %(ns)s) END"
                  " FROM " + _S + "wf_put_run(%(id)s, %(doc)s, if_absent => true, namespace => %(ns)s) p",
                  id=run_id, st=status, m=Jsonb(meta), doc=Jsonb(doc))
        return run_id

    def save_step(self, step):
        rec = step.model_dump(mode="json")
        run_id, index = rec.pop("run_id"), rec.pop("step_index")
        self._one("SELECT " + _S + "wf_put_run_step(%(id)s, %(s)s, namespace => %(ns)s)",
                  id=run_id, s=Jsonb(dict(rec, key=str(index), index=index)))

    @staticmethod
    def _run(run_id, run):
        fields = {k: run["metadata"].get(k) for k in _MUTABLE}
        return RunRecord(run_id=run_id, blueprint_name=run["name"],
                         status=RunStatus(run["status"]), **run["state"], **fields)

    def load_run(self, run_id):
        row = self._one("SELECT run FROM " + _S + "wf_get_run(%(id)s, %(ns)s)", id=run_id)
        return self._run(run_id, row[0]) if row else None

    def load_steps(self, run_id):
        row = self._one("SELECT run->'steps' FROM " + _S + "wf_get_run(%(id)s, %(ns)s)", id=run_id)
        return [StepRecord(run_id=run_id, step_index=s.pop("index"),
                           **{k: v for k, v in s.items() if k != "key"})
                for s in (row[0] or [] if row else [])]

    def list_runs(self, *, status=None, blueprint=None, limit=50):
        if blueprint is not None:
            raise NotImplementedError("needs wf_list(name => ...): not in the SQL API yet")
        rows = self._conn.execute(
            "SELECT l.id, r.run FROM " + _S + "wf_list(status => %(st)s, max_rows => %(n)s,"
            " namespace => %(ns)s) l, " + _S + "wf_get_run(l.id, %(ns)s) r",
            {"st": status and str(status), "n": limit, "ns": self._ns}).fetchall()
        return [self._run(i, run) for i, run in rows]

    def delete_run(self, run_id):
        self._one("SELECT " + _S + "wf_delete(%(id)s, %(ns)s)", id=run_id)

    def close(self):
        self._conn.close()

    # NeuroCore's CLI: ids by unique prefix, resume and approve
    def resolve_run(self, partial):
        ids = [r[0] for r in self._conn.execute(
            "SELECT %(p)s WHERE " + _S + "wf_exists(%(p)s, %(ns)s) UNION ALL SELECT id FROM " + _S +
            "wf_list(prefix => %(p)s, max_rows => 2, namespace => %(ns)s)", {"p": partial, "ns": self._ns})]
        if ids[:1] != [partial] and len(ids) != 1:
            raise LookupError(("ambiguous run id %r" if ids else "no run matches %r") % partial)
        return ids[0]

    def resume(self, run_id, resume_data=None):
        return self._one("SELECT " + _S + "wf_resume(%(id)s, %(d)s, %(ns)s)",
                         id=run_id, d=Jsonb(resume_data) if resume_data is not None else None)[0]

    def approve(self, run_id, reject=False, note="", by=""):
        """NeuroCore's decision on the gate the run waits at (wf_approve/wf_reject on its action)."""
        call = ("wf_reject(%(id)s, g.gate, coalesce(nullif(%(note)s, ''), 'rejected'), " if reject else
                "wf_approve(%(id)s, g.gate, %(v)s, ")
        return self._one("SELECT " + _S + call + "nullif(%(note)s, ''), coalesce(nullif(%(by)s, ''), current_user),"
                         " namespace => %(ns)s) FROM (SELECT coalesce(run->'metadata'->>'suspended_at_node', 'approve')"
                         " AS gate FROM " + _S + "wf_get_run(%(id)s, %(ns)s)) g", id=run_id, note=note, by=by,
                         v=Jsonb({"approved": True, "note": note, "by": by}))[0]
