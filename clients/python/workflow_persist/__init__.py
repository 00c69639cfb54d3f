"""workflow_persist: thin adapters that keep workflow engines' state in PostgreSQL.

workflow_persist.neurocore.WorkflowPersistRunStore  NeuroCore's RunStore
workflow_persist.flujo.WorkflowPersistBackend       Flujo's StateBackend

Each method is one call of the extension's SQL API (docs/clients.md).
"""

__version__ = "0.1.0"
