// Bench helper for server processes: samples RSS every 5 ms and answers the parent's questions.
let peak = process.memoryUsage().rss;
let heapPeak = process.memoryUsage().heapUsed;
setInterval(() => {
  const usage = process.memoryUsage();
  peak = Math.max(peak, usage.rss);
  heapPeak = Math.max(heapPeak, usage.heapUsed);
}, 5).unref();

process.on('message', (m) => {
  const message = m as { cpu?: boolean; resetPeak?: boolean; peak?: boolean };
  if (message.cpu) process.send?.({ cpu: process.cpuUsage() });
  if (message.resetPeak) {
    global.gc?.();
    peak = process.memoryUsage().rss;
    heapPeak = process.memoryUsage().heapUsed;
    process.send?.({ rss: peak });
  }
  if (message.peak) {
    // What stays reachable once the work is done (after a full GC), next to the peak.
    global.gc?.();
    const heapAfterGc = process.memoryUsage().heapUsed;
    process.send?.({ peak, heapAfterGc, memory: { peak, heapPeak, heapAfterGc } });
  }
});
process.on('SIGTERM', () => process.exit(0));
