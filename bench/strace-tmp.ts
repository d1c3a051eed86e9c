import { fork } from 'node:child_process';
import autocannon from 'autocannon';
const file = process.argv[2] ?? '';
const child = fork(file, [], { execArgv: ['--import', 'tsx'], stdio: ['ignore','inherit','inherit','ipc'] });
const port = await new Promise<number>((r) => child.once('message', (m) => r((m as {port:number}).port)));
await autocannon({ url: `http://127.0.0.1:${port}/api/trivial`, connections: 10, duration: 1 });
console.log('PID', child.pid);
await new Promise(r => setTimeout(r, 3000)); // attach window
const res = await autocannon({ url: `http://127.0.0.1:${port}/api/trivial`, connections: 10, amount: 20000 });
console.log('requests', res.requests.total);
child.kill('SIGTERM');
await new Promise((r) => child.once('exit', r));
