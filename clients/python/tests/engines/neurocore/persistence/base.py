"""NeuroCore's RunStore interface and records, declared for the tests.

NeuroCore cannot be installed here (its registry is unreachable), so this
module stands in for neurocore.persistence.base: the classes, fields,
defaults and method signatures as NeuroCore publishes them (its RunStore
ABC; its records are pydantic models, declared here as dataclasses with
the one pydantic method the adapter calls, model_dump(mode="json")).
"""
import dataclasses
from abc import ABC, abstractmethod
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any


def utcnow_iso():
    return datetime.now(UTC).isoformat()


class RunStatus(StrEnum):
    RUNNING = "running"
    COMPLETED = "completed"
    FAILED = "failed"
    SUSPENDED = "suspended"
    CANCELLED = "cancelled"


class StepStatus(StrEnum):
    COMPLETED = "completed"
    FAILED = "failed"
    SKIPPED = "skipped"


class _Model:
    def model_dump(self, mode="python"):
        d = dataclasses.asdict(self)
        return {k: (str(v) if mode == "json" and isinstance(v, StrEnum) else v) for k, v in d.items()}

    def __post_init__(self):
        for f in dataclasses.fields(self):   # pydantic's coercion of enum fields
            if f.name == "status":
                setattr(self, "status", f.type(self.status) if isinstance(f.type, type) else self.status)


@dataclasses.dataclass
class RunRecord(_Model):
    run_id: str
    blueprint_name: str
    blueprint_version: str = "1.0"
    blueprint_path: str | None = None
    blueprint_snapshot: dict[str, Any] = dataclasses.field(default_factory=dict)
    flow_type: str = "sequential"
    status: RunStatus = RunStatus.RUNNING
    initial_data: dict[str, Any] = dataclasses.field(default_factory=dict)
    final_context: dict[str, Any] | None = None
    error: str | None = None
    suspended_at_node: str | None = None
    suspension_reason: str | None = None
    checkpoint_id: str | None = None
    created_at: str = dataclasses.field(default_factory=utcnow_iso)
    updated_at: str = dataclasses.field(default_factory=utcnow_iso)
    duration_ms: float | None = None


@dataclasses.dataclass
class StepRecord(_Model):
    run_id: str
    step_index: int
    component: str
    skill_type: str | None = None
    status: StepStatus = StepStatus.COMPLETED
    started_at: str = dataclasses.field(default_factory=utcnow_iso)
    duration_ms: float | None = None
    error: str | None = None
    output_keys: list[str] = dataclasses.field(default_factory=list)
    context_snapshot: dict[str, Any] | None = None


class RunStore(ABC):
    @abstractmethod
    def save_run(self, run: RunRecord) -> str: ...          # upsert by run_id; returns run_id

    @abstractmethod
    def save_step(self, step: StepRecord) -> None: ...      # upsert by (run_id, step_index)

    @abstractmethod
    def load_run(self, run_id: str) -> RunRecord | None: ...

    @abstractmethod
    def load_steps(self, run_id: str) -> list[StepRecord]: ...   # by step_index

    @abstractmethod
    def list_runs(self, *, status: RunStatus | None = None, blueprint: str | None = None,
                  limit: int = 50) -> list[RunRecord]: ...   # newest first

    @abstractmethod
    def delete_run(self, run_id: str) -> None: ...          # the run and its steps

    def close(self) -> None:
        pass
