// Issue 3 benchmarks, in one run against emulators started for the purpose:
// - upload: a 10 MiB PDF through the HTTP function into Azurite vs uploadStream of the same bytes
//   straight from the SDK (same block size and concurrency): throughput ratio, goal >= 0.8;
// - memory: the host's peak RSS growth during a 100 MiB upload vs the bare uploadStream's growth,
//   goal: no more than the bare growth + 16 MiB;
// - resend + confirm round trip (reported), then GET /verification at 50 concurrent clients vs the
//   trivial-function baseline, goal >= 0.5.
import { execFile } from 'node:child_process';
import { createReadStream } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { promisify } from 'node:util';
import { ensureDevKeys, signDevToken } from '../shared/local-host/dev-keys.js';
import {
  ask,
  emailEndpointUrl,
  installed,
  median,
  processCpuMs,
  ratio,
  requestsPerSecond,
  startBenchStack,
  startFunctionHost,
  startServer,
  type Server,
} from './support.js';

const MiB = 1024 * 1024;
const execFileAsync = promisify(execFile);

async function writePdf(path: string, size: number): Promise<void> {
  const head = Buffer.from('%PDF-1.7\n%\xe2\xe3\xcf\xd3\n', 'latin1');
  await writeFile(path, Buffer.concat([head, Buffer.alloc(size - head.length, 0x41)]));
}

/**
 * A streamed multipart upload (the file is read from disk as it is sent); resolves with milliseconds.
 * With curl installed it sends (a C client, as wrk is for the request rates): on two cores a Node
 * client's 50-90 ms of CPU per 10 MiB is taken from the host and Azurite it is measuring.
 */
async function httpUpload(url: string, token: string, file: string, size: number): Promise<number> {
  return curlAvailable ? curlUpload(url, token, file) : nodeUpload(url, token, file, size);
}

const curlAvailable = installed('curl');

async function curlUpload(url: string, token: string, file: string): Promise<number> {
  const args = ['-sS', '-o', '/dev/null', '-w', '%{http_code} %{time_total}', '-H', `authorization: Bearer ${token}`, '-H', 'Expect:'];
  args.push('-F', 'check=Business', '-F', 'documentType=BusinessRegistration', '-F', `file=@${file};type=application/pdf;filename=bench.pdf`, url);
  const { stdout } = await execFileAsync('curl', args);
  const [status, seconds] = stdout.split(' ');
  if (status !== '201') throw new Error(`upload answered ${status}`);
  return Number(seconds) * 1000;
}

async function nodeUpload(url: string, token: string, file: string, size: number): Promise<number> {
  const boundary = 'bench-boundary-7d1f';
  const head = Buffer.from(
    `--${boundary}\r\nContent-Disposition: form-data; name="check"\r\n\r\nBusiness\r\n` +
      `--${boundary}\r\nContent-Disposition: form-data; name="documentType"\r\n\r\nBusinessRegistration\r\n` +
      `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="bench.pdf"\r\nContent-Type: application/pdf\r\n\r\n`,
  );
  const tail = Buffer.from(`\r\n--${boundary}--\r\n`);
  const started = performance.now();
  const status = await new Promise<number>((resolve, reject) => {
    const req = request(url, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${token}`,
        'content-type': `multipart/form-data; boundary=${boundary}`,
        'content-length': String(head.length + size + tail.length),
      },
    });
    req.on('response', (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    async function* body() {
      yield head;
      yield* createReadStream(file, { highWaterMark: 1024 * 1024 });
      yield tail;
    }
    pipeline(Readable.from(body()), req).catch(reject);
  });
  if (status !== 201) throw new Error(`upload answered ${status}`);
  return performance.now() - started;
}

/** One resend and the confirmation of the link it emails; resolves with milliseconds. */
async function resendAndConfirm(base: string, emailUrl: string, partnerId: string, token: string): Promise<number> {
  const to = `${partnerId}@bench.example`;
  const links = async (): Promise<string[]> => {
    const all = (await (await fetch(`${emailUrl}/emails`)).json()) as {
      message: { recipients: { to: { address: string }[] }; content: { plainText?: string } };
    }[];
    return all
      .filter((e) => e.message.recipients.to.some((r) => r.address === to))
      .map((e) => /token=([A-Za-z0-9_.%-]+)/.exec(e.message.content.plainText ?? '')?.[1] ?? '');
  };
  const before = new Set(await links());
  const started = performance.now();
  const resend = await fetch(`${base}/api/partners/${partnerId}/verification/email/resend`, { method: 'POST', headers: { authorization: `Bearer ${token}` } });
  if (resend.status !== 202) throw new Error(`resend answered ${resend.status}`);
  let link: string | undefined;
  while (!(link = (await links()).find((l) => l && !before.has(l)))) {
    if (performance.now() - started > 30_000) throw new Error(`no new link for ${partnerId} after 30 s`);
    await new Promise((r) => setTimeout(r, 5));
  }
  const confirm = await fetch(`${base}/api/verification/email/confirm`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ token: decodeURIComponent(link) }),
  });
  if (confirm.status !== 200) throw new Error(`confirm answered ${confirm.status}`);
  return performance.now() - started;
}

async function peakGrowth(server: Server, run: () => Promise<unknown>): Promise<number> {
  const baseline = await ask<number>(server, { resetPeak: true }, 'rss');
  await run();
  const peak = await ask<number>(server, { peak: true }, 'peak');
  return peak - baseline;
}

/**
 * 101 rounds: one round's throughput spreads widely on a shared 2-core VM (71 to 147 MB/s within one
 * run), and with 21 rounds the ratio of the medians moved from 0.74 to 1.01 between runs of the same
 * code. The rounds take about 25 s.
 */
export async function benchVerification(rounds = 101): Promise<Record<string, unknown>> {
  const stack = await startBenchStack();
  const dir = await mkdtemp(join(tmpdir(), 'bench-upload-'));
  const env = { ...stack.env, UPLOAD_MAX_BYTES: String(200 * MiB), VERIFICATION_RESEND_COOLDOWN_SECONDS: '1' };
  const servers: Server[] = [];
  try {
    const host = await startFunctionHost('./servers/app-host.ts', env);
    servers.push(host);
    const bare = await startServer('./servers/bare-upload.ts', env);
    servers.push(bare);
    const base = `http://127.0.0.1:${host.port}`;
    const keys = await ensureDevKeys(stack.keysDir);
    const partnerId = 'bench-partner';
    const operator = await signDevToken(keys.privateJwk, { roles: ['PlatformOperator'] });
    const admin = await signDevToken(keys.privateJwk, { partnerId, roles: ['GlobalAdmin'] });
    const putPartner = async (id: string): Promise<void> => {
      const put = await fetch(`${base}/api/partners/${id}`, {
        method: 'PUT',
        headers: { authorization: `Bearer ${operator}`, 'content-type': 'application/json' },
        body: JSON.stringify({
          companyName: 'Bench Ltd',
          address: { line1: '1 Main St', city: 'Seattle', postalCode: '98101', country: 'US' },
          primaryContact: { firstName: 'Ben', lastName: 'Ch', email: `${id}@bench.example` },
          programs: ['ai-cloud-partner'],
          locations: [{ partnerId: '4000001', country: 'US', active: true }],
        }),
      });
      if (put.status !== 201) throw new Error(`PUT partner answered ${put.status}`);
    };
    await putPartner(partnerId);

    const small = join(dir, '10m.pdf');
    const big = join(dir, '100m.pdf');
    await writePdf(small, 10 * MiB);
    await writePdf(big, 100 * MiB);
    const uploadUrl = `${base}/api/partners/${partnerId}/verification/documents`;
    // Memory first, in fresh processes warmed by one small upload each (lazy modules loaded), so
    // earlier large uploads do not inflate the baseline.
    await httpUpload(uploadUrl, admin, small, 10 * MiB);
    await ask<number>(bare, { upload: { file: small, blobName: 'bench/bare-warm' } }, 'uploadedMs');
    const hostGrowth = await peakGrowth(host, () => httpUpload(uploadUrl, admin, big, 100 * MiB));
    const bareGrowth = await peakGrowth(bare, () => ask<number>(bare, { upload: { file: big, blobName: 'bench/bare-big' } }, 'uploadedMs'));

    // CPU used per upload by each process on each side: on a small machine the ratio is bounded by
    // the sum of them, shared between the cores.
    const cpu = { host: 0, hostAzurite: 0, bare: 0, bareAzurite: 0 };
    const azurite = stack.pids['azurite-blob'];
    const cpuNow = (pid: number | undefined) => processCpuMs(pid) ?? NaN;
    const hostMs: number[] = [];
    const bareMs: number[] = [];
    const hostRound = async () => {
      const [h0, a0] = [cpuNow(host.child.pid), cpuNow(azurite)];
      hostMs.push(await httpUpload(uploadUrl, admin, small, 10 * MiB));
      cpu.host += (cpuNow(host.child.pid) - h0) / rounds;
      cpu.hostAzurite += (cpuNow(azurite) - a0) / rounds;
    };
    const bareRound = async (r: number) => {
      const [b0, a0] = [cpuNow(bare.child.pid), cpuNow(azurite)];
      bareMs.push(await ask<number>(bare, { upload: { file: small, blobName: `bench/bare-${r}` } }, 'uploadedMs'));
      cpu.bare += (cpuNow(bare.child.pid) - b0) / rounds;
      cpu.bareAzurite += (cpuNow(azurite) - a0) / rounds;
    };
    // Each side goes first in every other round, so neither always follows the other's upload (and
    // whatever work Azurite still does after it).
    for (let r = 0; r < rounds; r++) {
      if (r % 2 === 0) {
        await hostRound();
        await bareRound(r);
      } else {
        await bareRound(r);
        await hostRound();
      }
    }

    // The resend + confirm round trip (VER-6) on ten partners, the bench partner first, as the
    // portal's card does it: resend, the link arrives by email, confirm. Then the portal's poll of
    // the view is measured on the bench partner, its email ownership now proven.
    const emailUrl = emailEndpointUrl(stack.env);
    const others = Array.from({ length: 9 }, (_, i) => `bench-round-trip-${i}`);
    for (const id of others) await putPartner(id);
    await new Promise((r) => setTimeout(r, 1100)); // the resend cooldown, 1 s here
    const roundTripMs: number[] = [];
    for (const id of [partnerId, ...others])
      roundTripMs.push(await resendAndConfirm(base, emailUrl, id, await signDevToken(keys.privateJwk, { partnerId: id, roles: ['GlobalAdmin'] })));

    const verificationRps = await requestsPerSecond(`${base}/api/partners/${partnerId}/verification`, 50, 4, { authorization: `Bearer ${admin}` });
    const trivial = await startFunctionHost('./servers/trivial-host.ts');
    servers.push(trivial);
    const trivialRps = await requestsPerSecond(`http://127.0.0.1:${trivial.port}/api/trivial`, 50, 4);
    if (verificationRps.failures > 0) throw new Error(`${verificationRps.failures} failed GET /verification requests`);

    const mbps = (ms: number) => +((10 * MiB) / MiB / (ms / 1000)).toFixed(1);
    const spread = (ms: number[]) => {
      const sorted = ms.map(mbps).sort((a, b) => a - b);
      const at = (q: number) => sorted[Math.round(q * (sorted.length - 1))];
      return { p25: at(0.25), median: at(0.5), p75: at(0.75) };
    };
    return {
      upload10MiB: {
        client: curlAvailable ? 'curl' : 'node:http',
        rounds,
        hostMBps: spread(hostMs),
        bareUploadStreamMBps: spread(bareMs),
        ratio: ratio(median(bareMs), median(hostMs)),
        goal: '>= 0.8',
        cpuMsPerUpload: {
          host: Math.round(cpu.host),
          azuriteServingHost: Math.round(cpu.hostAzurite),
          bareUploadStream: Math.round(cpu.bare),
          azuriteServingBare: Math.round(cpu.bareAzurite),
        },
      },
      upload100MiBPeakRssGrowth: {
        hostMiB: +(hostGrowth / MiB).toFixed(1),
        bareUploadStreamMiB: +(bareGrowth / MiB).toFixed(1),
        excessMiB: +((hostGrowth - bareGrowth) / MiB).toFixed(1),
        goal: 'excess <= 16 MiB',
      },
      resendConfirmRoundTripMs: { median: Math.round(median(roundTripMs)), max: Math.round(Math.max(...roundTripMs)), partners: roundTripMs.length },
      getVerification: {
        rps: Math.round(verificationRps.rps),
        p99Ms: verificationRps.p99Ms,
        trivialRps: Math.round(trivialRps.rps),
        ratio: ratio(verificationRps.rps, trivialRps.rps),
        goal: '>= 0.5',
      },
    };
  } finally {
    await Promise.all(servers.map((s) => s.stop()));
    await stack.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  console.log(JSON.stringify(await benchVerification(), null, 2));
}
