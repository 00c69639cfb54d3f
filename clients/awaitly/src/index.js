// awaitly-workflow-persist: awaitly's stores on workflow_persist (README.md).
export { workflowPersist } from './store.js';
export { workflowPersistKV } from './kv.js';
