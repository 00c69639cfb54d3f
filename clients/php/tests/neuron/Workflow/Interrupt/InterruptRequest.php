<?php

declare(strict_types=1);

namespace NeuronAI\Workflow\Interrupt;

abstract class InterruptRequest implements \JsonSerializable
{
    abstract public function getMessage(): string;
}
