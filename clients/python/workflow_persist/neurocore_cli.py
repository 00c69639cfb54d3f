"""NeuroCore's `runs` commands on a workflow_persist store, ids by unique prefix.

python3 -m workflow_persist.neurocore_cli [--dsn DSN] [--namespace NS] runs
    list [--status S] [--blueprint B] [--limit N] | inspect ID [--json]
    | resume ID [--data KEY=VALUE ...] | approve ID [--reject] [--note T] [--by WHO]

resume (wf_resume: the data in the run's metadata.resume) and approve
(wf_approve/wf_reject on the gate: the decision in the run's decisions)
make the run running again for NeuroCore's resume_blueprint; replay needs
NeuroCore itself (it re-executes the blueprint).
"""
import argparse
import json
import sys

from workflow_persist.neurocore import RunStatus, WorkflowPersistRunStore


def main(argv=None):
    p = argparse.ArgumentParser(prog="workflow_persist.neurocore_cli")
    p.add_argument("--dsn", default="")
    p.add_argument("--namespace", default="neurocore")
    cmd = p.add_subparsers(dest="group", required=True).add_parser("runs").add_subparsers(dest="cmd", required=True)
    ls = cmd.add_parser("list")
    ls.add_argument("--status")
    ls.add_argument("--blueprint")
    ls.add_argument("--limit", type=int, default=50)
    for name in ("inspect", "resume", "approve"):
        cmd.add_parser(name).add_argument("run_id")
    cmd.choices["inspect"].add_argument("--json", action="store_true")
    cmd.choices["resume"].add_argument("--data", action="append", default=[])
    for opt in ("--note", "--by"):
        cmd.choices["approve"].add_argument(opt, default="")
    cmd.choices["approve"].add_argument("--reject", action="store_true")
    a = p.parse_args(argv)
    store = WorkflowPersistRunStore(a.dsn, namespace=a.namespace)
    try:
        if a.cmd == "list":
            for r in store.list_runs(status=a.status and RunStatus(a.status), blueprint=a.blueprint, limit=a.limit):
                print(r.run_id, r.blueprint_name, r.status, len(store.load_steps(r.run_id)))
            return 0
        run_id = store.resolve_run(a.run_id)
        if a.cmd == "inspect":
            run, steps = store.load_run(run_id), store.load_steps(run_id)
            if a.json:
                print(json.dumps({"run": run.model_dump(mode="json"),
                                  "steps": [s.model_dump(mode="json") for s in steps]}, indent=2))
            else:
                print("%s %s %s\n" % (run.run_id, run.blueprint_name, run.status) +
                      "".join("%d %s %s\n" % (s.step_index, s.component, s.status) for s in steps), end="")
        elif a.cmd == "resume":
            store.resume(run_id, dict(kv.split("=", 1) for kv in a.data) or None)
        else:
            store.approve(run_id, reject=a.reject, note=a.note, by=a.by)
            print("Run %s %s." % (run_id, "rejected" if a.reject else "approved"))
        return 0
    except (LookupError, NotImplementedError) as e:
        print("error: %s" % e.args[0], file=sys.stderr)
        return 1
    finally:
        store.close()


if __name__ == "__main__":
    sys.exit(main())
