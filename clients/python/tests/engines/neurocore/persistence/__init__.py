from neurocore.persistence.base import RunRecord, RunStatus, RunStore, StepRecord, StepStatus  # noqa: F401
