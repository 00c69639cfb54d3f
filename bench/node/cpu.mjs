// bench/node/cpu.mjs: CPU time of the server, of this process and its
// children, and of the whole machine, from /proc (Linux), in seconds.
import { readdirSync, readFileSync } from 'node:fs';

const CLK_TCK = Number(process.env.CLK_TCK || 100);

// fields after the command: [0] is field 3 of /proc/PID/stat (state)
function stat(pid) {
    try {
        const s = readFileSync(`/proc/${pid}/stat`, 'utf8');
        return s.slice(s.lastIndexOf(')') + 2).split(' ').map(Number);
    } catch {
        return null;
    }
}
const UTIME = 11, STIME = 12, CUTIME = 13, CSTIME = 14, PPID = 1;

// Everything the postmaster `pm` and its processes used: the postmaster's
// own time and that of the children it reaped, plus its live children's.
export function serverCpu(pm) {
    if (!pm) return null;
    let ticks = 0;
    for (const pid of readdirSync('/proc')) {
        if (!/^\d+$/.test(pid)) continue;
        const f = stat(pid);
        const isPm = Number(pid) === pm;
        if (!f || (!isPm && f[PPID] !== pm)) continue;
        ticks += f[UTIME] + f[STIME] + (isPm ? f[CUTIME] + f[CSTIME] : 0);
    }
    return ticks / CLK_TCK;
}

// this process and the children it has waited for (measurements, pgbench)
export function ownCpu() {
    const f = stat('self');
    return (f[UTIME] + f[STIME] + f[CUTIME] + f[CSTIME]) / CLK_TCK;
}

// the machine: busy and stolen seconds, summed over its CPUs
export function machineCpu() {
    const v = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
    const [user, nice, system, , , irq, softirq, steal] = v;
    return { busy: (user + nice + system + irq + softirq) / CLK_TCK, steal: (steal || 0) / CLK_TCK };
}
