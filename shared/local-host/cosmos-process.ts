// Runs @vercel/cosmosdb-server in its own process (its queries scan whole containers and would
// otherwise block the function host's event loop). keepAlive: without it every request reconnects.
import { installEmulatorFixes } from './cosmos-emulator-fixes.js';

installEmulatorFixes();
// Loaded after the patch: the server's route table captures the batch handler when it loads.
const { createHttpsServer } = await import('@vercel/cosmosdb-server');

const port = Number(process.argv[2] ?? '8081');
const server = createHttpsServer({ keepAlive: true } as Parameters<typeof createHttpsServer>[0]);
server.listen(port, '127.0.0.1', () => {
  process.send?.({ ready: true });
});
const stop = (): void => {
  server.close(() => process.exit(0));
  server.closeAllConnections();
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
process.on('disconnect', stop);
