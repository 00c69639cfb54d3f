// Types of awaitly-workflow-persist.  The store types are awaitly's own
// (1.35.0: SnapshotStore from awaitly/persistence, WorkflowLock from
// awaitly/durable, ResumeState from awaitly/workflow).  KeyValueStore is
// declared here: awaitly 1.13.0 was the last release to export it (from
// awaitly/persistence), with this signature.
import type { Pool } from 'pg';
import type { SnapshotStore, WorkflowSnapshot } from 'awaitly/persistence';
import type { WorkflowLock } from 'awaitly/durable';
import type { ResumeState } from 'awaitly/workflow';

export interface WorkflowPersistOptions {
    /** a pg pool to use (it stays open after close()); otherwise one is made */
    pool?: Pool;
    /** for the pool made when none is given (default: the PG* environment) */
    connectionString?: string;
    /** the workflow_persist namespace of every call (default: the workflow_persist.namespace setting) */
    namespace?: string;
    /** put before every id (and taken off the ids list() returns) */
    prefix?: string;
}

export interface WorkflowPersistStoreOptions extends WorkflowPersistOptions {
    /** implement WorkflowLock (tryAcquire, release, renew) on the extension's leases; default false */
    lock?: boolean;
}

/**
 * awaitly's SnapshotStore.  save() also takes a ResumeState, and load()
 * returns a ResumeState when one was saved (awaitly's extended contract;
 * loadResumeState() is the typed way to get it back).
 */
export interface WorkflowPersistStore extends SnapshotStore, Partial<WorkflowLock> {
    save(id: string, state: WorkflowSnapshot | ResumeState): Promise<void>;
    loadResumeState(id: string): Promise<ResumeState | null>;
}

/** The store with the lock: durable.run uses it to run one id in one process at a time. */
export type WorkflowPersistLockingStore = WorkflowPersistStore & WorkflowLock;

export function workflowPersist(options: WorkflowPersistStoreOptions & { lock: true }): WorkflowPersistLockingStore;
export function workflowPersist(options?: WorkflowPersistStoreOptions): WorkflowPersistStore;

/** awaitly's KeyValueStore (awaitly 1.13.0), for createStatePersistence. */
export interface KeyValueStore {
    get(key: string): Promise<string | null>;
    /** ttl in seconds */
    set(key: string, value: string, options?: { ttl?: number }): Promise<void>;
    delete(key: string): Promise<boolean>;
    exists(key: string): Promise<boolean>;
    /** a glob: * any characters, ? one, [set], \x the character x */
    keys(pattern: string): Promise<string[]>;
}

export interface WorkflowPersistKV extends KeyValueStore {
    close(): Promise<void>;
}

export function workflowPersistKV(options?: WorkflowPersistOptions): WorkflowPersistKV;
