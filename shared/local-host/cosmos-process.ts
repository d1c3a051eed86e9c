// Runs @vercel/cosmosdb-server in its own process (its queries scan whole containers and would
// otherwise block the function host's event loop). keepAlive: without it every request reconnects.
// patches/ corrects the server and its query compiler to match Azure (applied by npm's postinstall).
import { createHttpsServer } from '@vercel/cosmosdb-server';

const port = Number(process.argv[2] ?? '8081');
const server = createHttpsServer({ keepAlive: true });
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
