<?php

declare(strict_types=1);

namespace NeuronAI\Workflow\Interrupt;

enum ActionDecision: string
{
    case Pending = 'pending';
    case Approved = 'approved';
    case Rejected = 'rejected';
    case Edited = 'edited';
}
