import { fork } from 'node:child_process';
import autocannon from 'autocannon';
for (const file of ['bench/servers/bare-http.ts', 'bench/servers/trivial-host.ts']) {
  const child = fork(file, [], { execArgv: ['--import', 'tsx'], stdio: ['ignore','inherit','inherit','ipc'] });
  const port = await new Promise<number>((r) => child.once('message', (m) => r((m as {port:number}).port)));
  const cpu = () => new Promise<{user:number;system:number}>((r) => { child.once('message', (m) => r((m as {cpu:{user:number;system:number}}).cpu)); child.send({ cpu: true }); });
  await autocannon({ url: `http://127.0.0.1:${port}/api/trivial`, connections: 10, amount: 20000 });
  const a = await cpu();
  const n = 40000;
  await autocannon({ url: `http://127.0.0.1:${port}/api/trivial`, connections: 10, amount: n });
  const b = await cpu();
  console.log(file, 'user us/req', ((b.user - a.user) / n).toFixed(1), 'sys us/req', ((b.system - a.system) / n).toFixed(1));
  child.kill('SIGTERM'); await new Promise((r) => child.once('exit', r));
}
