import fs from 'node:fs';

/** CPU seconds a process has used, all threads (JS, GC helpers, I/O) together. */
export function cpuSeconds(pid: number): number {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // utime and stime, the 14th and 15th fields of the line, in clock ticks of 1/100 s
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

/** The most resident memory a process has had, in MB. */
export function peakRssMb(pid: number): number {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0);
  return kb / 1024;
}
