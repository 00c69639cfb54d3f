<?php

declare(strict_types=1);

namespace NeuronAI\Exceptions;

class WorkflowException extends \Exception
{
}
