"""Flujo's StateBackend interface, declared for the tests.

Flujo cannot be installed here (its registry is unreachable), so this
module stands in for flujo.state.backends.base: the abstract methods and
the optional admin and structured-persistence methods with the signatures
Flujo publishes (the optional ones raise NotImplementedError until a
backend overrides them).
"""
from abc import ABC, abstractmethod
from typing import Any, List, Optional

JSONObject = dict


class StateBackend(ABC):
    @abstractmethod
    async def save_state(self, run_id: str, state: JSONObject) -> None: ...

    @abstractmethod
    async def load_state(self, run_id: str) -> Optional[JSONObject]: ...

    @abstractmethod
    async def delete_state(self, run_id: str) -> None: ...

    async def list_workflows(self, status: Optional[str] = None, pipeline_id: Optional[str] = None,
                             limit: Optional[int] = None, offset: int = 0) -> List[JSONObject]:
        raise NotImplementedError

    async def get_workflow_stats(self) -> JSONObject:
        raise NotImplementedError

    async def cleanup_old_workflows(self, days_old: int = 30) -> int:
        raise NotImplementedError

    async def get_failed_workflows(self, hours_back: int = 24) -> List[JSONObject]:
        raise NotImplementedError

    @abstractmethod
    async def get_trace(self, run_id: str) -> Any: ...

    @abstractmethod
    async def save_trace(self, run_id: str, trace: JSONObject) -> None: ...

    async def save_run_start(self, run_data: JSONObject) -> None:
        raise NotImplementedError

    async def save_step_result(self, step_data: JSONObject) -> None:
        raise NotImplementedError

    async def save_run_end(self, run_id: str, end_data: JSONObject) -> None:
        raise NotImplementedError

    async def get_run_details(self, run_id: str) -> Optional[JSONObject]:
        raise NotImplementedError

    async def list_run_steps(self, run_id: str) -> List[JSONObject]:
        raise NotImplementedError

    async def shutdown(self) -> None:
        return None
