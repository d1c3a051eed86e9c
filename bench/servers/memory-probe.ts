// Bench helper for server processes: samples RSS every 5 ms and answers the parent's questions.
let peak = process.memoryUsage().rss;
setInterval(() => {
  peak = Math.max(peak, process.memoryUsage().rss);
}, 5).unref();

process.on('message', (m) => {
  const message = m as { cpu?: boolean; resetPeak?: boolean; peak?: boolean };
  if (message.cpu) process.send?.({ cpu: process.cpuUsage() });
  if (message.resetPeak) {
    global.gc?.();
    peak = process.memoryUsage().rss;
    process.send?.({ rss: peak });
  }
  if (message.peak) process.send?.({ peak });
});
process.on('SIGTERM', () => process.exit(0));
