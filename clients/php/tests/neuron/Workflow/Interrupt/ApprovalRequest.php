<?php

declare(strict_types=1);

namespace NeuronAI\Workflow\Interrupt;

/** The actions a node asks a person to decide, keyed by action id. */
class ApprovalRequest extends InterruptRequest
{
    /** @var array<string, Action> */
    protected array $actions = [];

    /** @param Action[] $actions */
    public function __construct(protected string $message, array $actions = [])
    {
        foreach ($actions as $action) {
            $this->actions[$action->id] = $action;
        }
    }

    public function getMessage(): string
    {
        return $this->message;
    }

    public function getAction(string $id): ?Action
    {
        return $this->actions[$id] ?? null;
    }

    /** @return Action[] */
    public function getActions(): array
    {
        return array_values($this->actions);
    }

    /** @return Action[] */
    public function getPendingActions(): array
    {
        return array_values(array_filter($this->actions, fn (Action $a) => $a->isPending()));
    }

    public function jsonSerialize(): array
    {
        return [
            'message' => $this->message,
            'actions' => array_map(fn (Action $a) => $a->jsonSerialize(), array_values($this->actions)),
        ];
    }
}
