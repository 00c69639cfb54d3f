<?php

declare(strict_types=1);

namespace WorkflowPersist;

use NeuronAI\Exceptions\WorkflowException;
use NeuronAI\Workflow\Persistence\PersistenceInterface;
use NeuronAI\Workflow\WorkflowInterrupt;
use PDO;

/**
 * Neuron AI's PersistenceInterface on workflow_persist: one SQL call per
 * method.  The interrupt is stored as PHP serialize() output, byte for
 * byte, in the run's engine_data; its request (message and actions) as
 * JSON beside it, so wf_pending and wfctl show what it asks; decisions
 * made with wf_decide (or wf_approve / wf_reject) come back on load.
 */
final class NeuronPersistence implements PersistenceInterface
{
    public function __construct(private PDO $pdo, private ?string $namespace = null)
    {
        $pdo->setAttribute(PDO::ATTR_ERRMODE, PDO::ERRMODE_EXCEPTION);
    }

    public function save(string $workflowId, WorkflowInterrupt $interrupt): void
    {
        $st = $this->pdo->prepare("SELECT version FROM workflow_persist.wf_put_run(:id,
            jsonb_build_object('status', 'interrupted', 'request', CAST(:request AS jsonb)),
            engine_data => :data, namespace => :ns)");
        $st->bindValue('id', $workflowId);
        // what wf_pending shows: JSON, which holds neither NUL nor bad UTF-8 (U+FFFD for both)
        $request = json_encode($interrupt->getRequest(), JSON_THROW_ON_ERROR | JSON_INVALID_UTF8_SUBSTITUTE);
        $st->bindValue('request', preg_replace_callback('/\\\\\\\\|\\\\u0000/',
            fn ($m) => $m[0] === '\\u0000' ? '\\ufffd' : $m[0], $request));
        $st->bindValue('data', serialize($interrupt), PDO::PARAM_LOB);
        $st->bindValue('ns', $this->namespace);
        $st->execute();
    }

    public function load(string $workflowId): WorkflowInterrupt
    {
        $st = $this->pdo->prepare("SELECT engine_data, run -> 'decisions' AS decisions
            FROM workflow_persist.wf_get_run(:id, :ns)");
        $st->execute(['id' => $workflowId, 'ns' => $this->namespace]);
        $row = $st->fetch(PDO::FETCH_ASSOC);
        if ($row === false) {
            throw new WorkflowException("No saved workflow found for ID: {$workflowId}.");
        }
        $data = $row['engine_data'];
        $interrupt = unserialize(is_resource($data) ? stream_get_contents($data) : $data);
        $request = $interrupt->getRequest();
        foreach (json_decode($row['decisions'] ?? '{}', true, 512, JSON_THROW_ON_ERROR) as $id => $d) {
            $action = $request->getAction((string) $id);
            $feedback = $d['feedback'] ?? null;
            match ($d['decision']) {
                'approved' => $action->approve($feedback),
                'rejected' => $action->reject($feedback ?? ''),
                'edited' => $action->edit($feedback ?? json_encode($d['value'], JSON_THROW_ON_ERROR)),
            };
        }
        return $interrupt;
    }

    public function delete(string $workflowId): void
    {
        $this->pdo->prepare('SELECT workflow_persist.wf_delete(:id, :ns)')
            ->execute(['id' => $workflowId, 'ns' => $this->namespace]);
    }
}
