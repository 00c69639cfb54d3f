<?php

declare(strict_types=1);

namespace NeuronAI\Workflow;

use NeuronAI\Exceptions\WorkflowException;
use NeuronAI\Workflow\Interrupt\InterruptRequest;

/**
 * Thrown by a node that needs a person: the request (the actions to
 * decide), the node to resume at and the workflow's state.  Serialized
 * part by part, as Neuron does, so the bytes nest serialize() output.
 */
class WorkflowInterrupt extends WorkflowException implements \JsonSerializable
{
    public function __construct(
        protected InterruptRequest $request,
        protected string $node,
        protected WorkflowState $state,
    ) {
        parent::__construct($request->getMessage());
    }

    public function getRequest(): InterruptRequest
    {
        return $this->request;
    }

    public function getNode(): string
    {
        return $this->node;
    }

    public function getState(): WorkflowState
    {
        return $this->state;
    }

    public function jsonSerialize(): array
    {
        return [
            'message' => $this->message,
            'request' => serialize($this->request),
            'node' => $this->node,
            'state' => serialize($this->state),
        ];
    }

    public function __serialize(): array
    {
        return $this->jsonSerialize();
    }

    public function __unserialize(array $data): void
    {
        $this->message = $data['message'];
        $this->request = unserialize($data['request']);
        $this->node = $data['node'];
        $this->state = unserialize($data['state']);
    }
}
