<?php

declare(strict_types=1);

namespace NeuronAI\Workflow\Interrupt;

/** One action awaiting a person's decision (a tool call, a draft). */
class Action implements \JsonSerializable
{
    public function __construct(
        public readonly string $id,
        public readonly string $name,
        public readonly string $description,
        public ActionDecision $decision = ActionDecision::Pending,
        public ?string $feedback = null,
    ) {
    }

    public function approve(?string $feedback = null): void
    {
        $this->decision = ActionDecision::Approved;
        if ($feedback !== null) {
            $this->feedback = $feedback;
        }
    }

    public function reject(string $feedback): void
    {
        $this->decision = ActionDecision::Rejected;
        $this->feedback = $feedback;
    }

    public function edit(?string $feedback = null): void
    {
        $this->decision = ActionDecision::Edited;
        if ($feedback !== null) {
            $this->feedback = $feedback;
        }
    }

    public function isPending(): bool
    {
        return $this->decision === ActionDecision::Pending;
    }

    public function jsonSerialize(): array
    {
        return [
            'id' => $this->id,
            'name' => $this->name,
            'description' => $this->description,
            'decision' => $this->decision->value,
            'feedback' => $this->feedback,
        ];
    }
}
