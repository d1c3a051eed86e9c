// Bench helper for server processes: tracks peak RSS and peak heap and answers the parent's questions.
// On Linux the peak RSS is the kernel's own high-water mark (VmHWM, reset through clear_refs): exact,
// and free, where sampling every few milliseconds both misses short peaks and costs the process CPU
// (reading RSS took 3-8 % of a busy host's time). Elsewhere it falls back to sampling.
import { readFileSync, writeFileSync } from 'node:fs';
import { getHeapStatistics } from 'node:v8';

const kernelPeak = (() => {
  try {
    writeFileSync('/proc/self/clear_refs', '5');
    return () => Number(/VmHWM:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'))?.[1] ?? NaN) * 1024;
  } catch {
    return undefined;
  }
})();

let sampledPeak = process.memoryUsage.rss();
let heapPeak = getHeapStatistics().used_heap_size;
setInterval(() => {
  if (!kernelPeak) sampledPeak = Math.max(sampledPeak, process.memoryUsage.rss());
  heapPeak = Math.max(heapPeak, getHeapStatistics().used_heap_size);
}, 5).unref();

function resetPeak(): number {
  if (kernelPeak) writeFileSync('/proc/self/clear_refs', '5');
  sampledPeak = process.memoryUsage.rss();
  heapPeak = getHeapStatistics().used_heap_size;
  return sampledPeak;
}

const peakRss = (): number => (kernelPeak ? kernelPeak() : sampledPeak);

process.on('message', (m) => {
  const message = m as { cpu?: boolean; resetPeak?: boolean; peak?: boolean };
  if (message.cpu) process.send?.({ cpu: process.cpuUsage() });
  if (message.resetPeak) {
    global.gc?.();
    process.send?.({ rss: resetPeak() });
  }
  if (message.peak) {
    const peak = peakRss();
    // What stays reachable once the work is done (after a full GC), next to the peak.
    global.gc?.();
    const heapAfterGc = process.memoryUsage().heapUsed;
    process.send?.({ peak, heapAfterGc, memory: { peak, heapPeak, heapAfterGc } });
  }
});
process.on('SIGTERM', () => process.exit(0));
