// Readings of this machine's processes for the benchmarks (Linux /proc).
import fs from 'node:fs';
import os from 'node:os';

/** Clock ticks per second of /proc/PID/stat's times (USER_HZ, 100 on Linux). */
const CLK_TCK = 100;

/** utime + stime of a process, in seconds (fields 14 and 15 of /proc/PID/stat), or NaN. */
export function cpuSeconds(pid) {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / CLK_TCK;
  } catch {
    return NaN;
  }
}

/** The 1-minute load average, two decimals. */
export const load1 = () => +os.loadavg()[0].toFixed(2);
