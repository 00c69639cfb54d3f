<?php

/*
 * Conformance test of WorkflowPersist\NeuronPersistence against a real
 * server, written from Neuron AI's documented behaviour of a
 * PersistenceInterface (tests/neuron/README.md).  A plain runner that
 * prints TAP (Debian's phpunit is not needed): clients/php/t/*.pl starts
 * the server and runs it.  Connection: libpq's variables (PGHOST, PGPORT,
 * PGDATABASE, PGUSER), as PDO pgsql reads them; WFCTL, when set, the
 * wfctl binary for the operator's decision.
 */

declare(strict_types=1);

use NeuronAI\Exceptions\WorkflowException;
use NeuronAI\Workflow\Interrupt\Action;
use NeuronAI\Workflow\Interrupt\ActionDecision;
use NeuronAI\Workflow\Interrupt\ApprovalRequest;
use NeuronAI\Workflow\Persistence\PersistenceInterface;
use NeuronAI\Workflow\WorkflowInterrupt;
use NeuronAI\Workflow\WorkflowState;
use WorkflowPersist\NeuronPersistence;

error_reporting(E_ALL);
set_error_handler(function (int $no, string $msg, string $file, int $line): bool {
    throw new ErrorException($msg, 0, $no, $file, $line);
});

// composer.json's autoload and autoload-dev, without Composer
spl_autoload_register(function (string $class): void {
    foreach (['WorkflowPersist\\' => '/../src/', 'NeuronAI\\' => '/neuron/'] as $prefix => $dir) {
        if (str_starts_with($class, $prefix)) {
            require __DIR__ . $dir . str_replace('\\', '/', substr($class, strlen($prefix))) . '.php';
        }
    }
});

$n = 0;
$failed = 0;
function ok(bool $cond, string $name, string $diag = ''): void
{
    global $n, $failed;
    $n++;
    echo ($cond ? 'ok' : 'not ok') . " $n - $name\n";
    if (!$cond) {
        $failed++;
        if ($diag !== '') {
            echo '# ' . str_replace("\n", "\n# ", $diag) . "\n";
        }
    }
}
function throws(callable $f): ?Throwable
{
    try {
        $f();
    } catch (Throwable $e) {
        return $e;
    }
    return null;
}

function interrupt(string $message, array $actions, array $state): WorkflowInterrupt
{
    return new WorkflowInterrupt(
        new ApprovalRequest($message, $actions),
        'App\\Nodes\\ReviewToolCalls',
        new WorkflowState($state),
    );
}

$pdo = new PDO('pgsql:');
$sql = new PDO('pgsql:');   // the operator's session
$sql->setAttribute(PDO::ATTR_ERRMODE, PDO::ERRMODE_EXCEPTION);
$store = new NeuronPersistence($pdo, 'neuron');
ok($store instanceof PersistenceInterface, 'NeuronPersistence implements PersistenceInterface');

// the interface exactly as Neuron declares it
$m = new ReflectionClass(NeuronPersistence::class);
$sig = fn (string $name) => implode(', ', array_map(
    fn (ReflectionParameter $p) => $p->getType() . ' $' . $p->getName(),
    $m->getMethod($name)->getParameters(),
)) . ': ' . $m->getMethod($name)->getReturnType();
ok($sig('save') === 'string $workflowId, NeuronAI\\Workflow\\WorkflowInterrupt $interrupt: void', 'save signature', $sig('save'));
ok($sig('load') === 'string $workflowId: NeuronAI\\Workflow\\WorkflowInterrupt', 'load signature', $sig('load'));
ok($sig('delete') === 'string $workflowId: void', 'delete signature', $sig('delete'));

// save, then load: the same interrupt, its state and node
$state = ['__workflowId' => 'wf-1', 'ticket' => 4711, 'draft' => "Dear customer,\n\0 binary \xff ok"];
$i = interrupt('Review the tool calls', [
    new Action('send_email', 'Send the reply', 'Send the drafted reply to the customer'),
    new Action('close_ticket', 'Close the ticket', 'Mark ticket 4711 as solved'),
    new Action('refund', 'Refund 20 EUR', 'Refund the shipping costs'),
], $state);
$bytes = serialize($i);
ok(str_contains($bytes, "\0"), 'the serialized interrupt holds NUL bytes');
$store->save('wf-1', $i);
$back = $store->load('wf-1');
ok($back instanceof WorkflowInterrupt, 'load returns a WorkflowInterrupt');
ok(serialize($back) === $bytes, 'load returns the interrupt saved, byte for byte');
ok($back->getState()->all() === $state && $back->getNode() === 'App\\Nodes\\ReviewToolCalls',
   'its state and node come back');
ok($back->getMessage() === 'Review the tool calls', 'the exception message comes back');

// what is stored: the serialize() output itself in engine_data, not a lossy mirror
$row = $sql->query("SELECT engine_data, run ->> 'status' AS status FROM workflow_persist.wf_get_run('wf-1', 'neuron')")
    ->fetch(PDO::FETCH_ASSOC);
$stored = is_resource($row['engine_data']) ? stream_get_contents($row['engine_data']) : $row['engine_data'];
ok($stored === $bytes, 'engine_data is exactly serialize($interrupt)');
ok($row['status'] === 'interrupted', "the run's status is Neuron's word, interrupted", (string) $row['status']);

// the operator sees what the interrupt asks
$p = $sql->query("SELECT kind, request FROM workflow_persist.wf_pending('wf-1', 'neuron')")->fetchAll(PDO::FETCH_ASSOC);
$req = json_decode($p[0]['request'] ?? 'null', true);
ok(count($p) === 1 && $p[0]['kind'] === 'suspension', 'wf_pending lists the interrupted workflow');
ok(array_column($req['actions'] ?? [], 'id') === ['send_email', 'close_ticket', 'refund']
   && $req['message'] === 'Review the tool calls', 'wf_pending shows its message and actions', json_encode($req));

$wfctl = getenv('WFCTL');
if ($wfctl !== false && $wfctl !== '') {
    exec(escapeshellarg($wfctl) . ' -N neuron pending --json 2>&1', $lines, $rc);
    $mine = array_values(array_filter(array_map(fn ($l) => json_decode($l, true), $lines), fn ($r) => ($r['id'] ?? '') === 'wf-1'));
    ok($rc === 0 && array_column($mine[0]['request']['actions'] ?? [], 'id') === ['send_email', 'close_ticket', 'refund'],
       'wfctl pending shows the actions', implode("\n", $lines));
}

// each action decided separately, by SQL or wfctl; load shows the decisions
$sql->exec("SELECT workflow_persist.wf_decide('wf-1', 'send_email', 'edit', '{\"body\": \"Hi!\"}', 'shorter, please', decided_by => 'maria', namespace => 'neuron')");
if ($wfctl !== false && $wfctl !== '') {
    exec(escapeshellarg($wfctl) . ' -N neuron approve wf-1 close_ticket --note solved --by ops --yes 2>&1', $out, $rc);
    ok($rc === 0, "an operator's wfctl approve", implode("\n", $out));
} else {
    // without wfctl (WFCTL unset), the call wfctl approve makes
    $sql->exec("SELECT workflow_persist.wf_approve('wf-1', 'close_ticket', note => 'solved', decided_by => 'ops', namespace => 'neuron')");
}
$mid = $store->load('wf-1')->getRequest();
ok($mid->getAction('send_email')->decision === ActionDecision::Edited
   && $mid->getAction('send_email')->feedback === 'shorter, please', 'an edit with feedback is seen on load');
ok($mid->getAction('close_ticket')->decision === ActionDecision::Approved, 'the approval is seen on load');
ok(array_map(fn ($a) => $a->id, $mid->getPendingActions()) === ['refund'], 'the undecided action is still pending');
$sql->exec("SELECT workflow_persist.wf_reject('wf-1', 'refund', 'not for this order', decided_by => 'maria', namespace => 'neuron')");
$done = $store->load('wf-1')->getRequest();
ok($done->getAction('refund')->decision === ActionDecision::Rejected
   && $done->getAction('refund')->feedback === 'not for this order', 'a rejection with its reason is seen on load');
ok($done->getPendingActions() === [], 'every action decided');
$st = $sql->query("SELECT status FROM workflow_persist.wf_info('wf-1', 'neuron')")->fetchColumn();
ok($st === 'running', 'the workflow is no longer waiting', (string) $st);
$who = $sql->query("SELECT string_agg(event || ':' || step_key || ':' || actor, ' ' ORDER BY at, event)
                      FROM workflow_persist.wf_history('wf-1', 'neuron') WHERE step_key IS NOT NULL")->fetchColumn();
ok($who === 'edited:send_email:maria approved:close_ticket:ops rejected:refund:maria', 'wf_history records who decided each action', (string) $who);

// deciding twice, or an action the interrupt does not have: refused by the server
$e = throws(fn () => $sql->exec("SELECT workflow_persist.wf_decide('wf-1', 'refund', 'approve', namespace => 'neuron')"));
ok($e instanceof PDOException && $e->errorInfo[0] === '55000', 'a second decision of one action is refused (55000)');

// the engine interrupts again: a new save, new decisions
$store->save('wf-1', interrupt('One more', [new Action('publish', 'Publish', 'Publish the FAQ entry')], $state));
$again = $store->load('wf-1')->getRequest();
ok($again->getMessage() === 'One more' && count($again->getPendingActions()) === 1, 'a new save replaces the interrupt, decisions start over');
$e = throws(fn () => $sql->exec("SELECT workflow_persist.wf_decide('wf-1', 'refund', 'approve', namespace => 'neuron')"));
ok($e instanceof PDOException && $e->errorInfo[0] === 'P0002', "an action the interrupt does not have is refused (P0002)");

// load of nothing: Neuron's WorkflowException
$e = throws(fn () => $store->load('wf-absent'));
ok($e instanceof WorkflowException && $e->getMessage() === 'No saved workflow found for ID: wf-absent.',
   'load of an unknown id throws WorkflowException', $e ? get_class($e) . ': ' . $e->getMessage() : 'nothing thrown');

// delete: gone; deleting again is no error
$store->delete('wf-1');
ok(throws(fn () => $store->load('wf-1')) instanceof WorkflowException, 'delete removes the interrupt');
ok(throws(fn () => $store->delete('wf-1')) === null, 'delete of an absent id is no error');

// two stores (Neuron's table option) in one database: namespaces
$other = new NeuronPersistence($pdo, 'neuron.billing');
$store->save('wf-2', interrupt('A', [new Action('a', 'A', 'a')], []));
$other->save('wf-2', interrupt('B', [new Action('b', 'B', 'b')], []));
ok($store->load('wf-2')->getMessage() === 'A' && $other->load('wf-2')->getMessage() === 'B',
   'namespaces keep two stores apart');
$other->delete('wf-2');
ok($store->load('wf-2')->getMessage() === 'A', "deleting in one namespace leaves the other's");

// text JSON cannot hold (NUL, bad UTF-8) in what wf_pending shows: U+FFFD; the bytes stay exact
$odd = interrupt('odd', [new Action('o', "N\0L", "bad \xff utf-8, literal \\u0000 kept")], []);
$store->save('wf-odd', $odd);
$r = json_decode($sql->query("SELECT request FROM workflow_persist.wf_pending('wf-odd', 'neuron')")->fetchColumn(), true);
ok($r['actions'][0]['name'] === "N\u{fffd}L" && $r['actions'][0]['description'] === "bad \u{fffd} utf-8, literal \\u0000 kept",
   'NUL and bad UTF-8 become U+FFFD in the request shown, a literal \\u0000 stays', json_encode($r));
ok(serialize($store->load('wf-odd')) === serialize($odd), 'and the interrupt itself round-trips exactly');

// a large interrupt round-trips
$big = interrupt('big', [new Action('x', 'X', str_repeat("\0\xfe", 400000))], ['blob' => random_bytes(1 << 20)]);
$store->save('wf-big', $big);
ok(serialize($store->load('wf-big')) === serialize($big), 'a 2 MB interrupt round-trips byte for byte');

// the adapter stays thin
$code = array_filter(file(__DIR__ . '/../src/NeuronPersistence.php'), fn ($l) => !preg_match('#^\s*($|\*|/\*\*|//)#', $l));
ok(count($code) <= 80, 'the adapter is at most 80 lines of code (' . count($code) . ')');

echo "1..$n\n";
exit($failed === 0 ? 0 : 1);
