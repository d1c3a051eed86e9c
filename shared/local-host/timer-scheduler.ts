import { randomUUID } from 'node:crypto';
import type { Timer } from '../platform/azure-functions.js';
import type { ContainerClient } from '@azure/storage-blob';
import { Cron } from 'croner';
import { invocationReason, type HostLog, type InvokeFunction } from './invoker.js';

interface ScheduleStatus {
  last: string;
  next: string;
  lastUpdated: string;
}

export interface TimerOptions {
  functionName: string;
  schedule: string;
  runOnStartup: boolean;
  useMonitor: boolean;
  /** Where schedule status is kept between runs of the host (the real host uses azure-webjobs-hosts). */
  statusStore: ContainerClient;
  invoke: InvokeFunction;
  log: HostLog;
  now?: () => Date;
}

/**
 * A timer trigger with the host's semantics: NCRONTAB with seconds in UTC, no overlapping runs,
 * `runOnStartup`, and `isPastDue` when the schedule monitor shows a missed occurrence (the host was
 * down at the time); then it runs once at start, as the Azure host does.
 */
export class TimerScheduler {
  private cron: Cron | undefined;
  private running: Promise<void> | undefined;

  constructor(private readonly options: TimerOptions) {
    // Validate now: a bad schedule must fail the host's start, not the first tick.
    new Cron(options.schedule, { timezone: 'UTC', paused: true, mode: '6-part' }).stop();
  }

  private get statusBlob() {
    return this.options.statusStore.getBlockBlobClient(`timers/local/${this.options.functionName}/status`);
  }

  async start(): Promise<void> {
    const now = (this.options.now ?? (() => new Date()))();
    const status = this.options.useMonitor ? await this.readStatus() : undefined;
    this.cron = new Cron(this.options.schedule, { timezone: 'UTC', mode: '6-part', protect: true }, () => this.fire(false));
    const pastDue = status !== undefined && status.next !== '' && new Date(status.next).getTime() < now.getTime();
    if (this.options.useMonitor && status === undefined) {
      const next = this.cron.nextRun();
      await this.writeStatus({ last: '', next: next?.toISOString() ?? '', lastUpdated: now.toISOString() });
    }
    if (pastDue || this.options.runOnStartup) void this.fire(pastDue);
  }

  async stop(): Promise<void> {
    this.cron?.stop();
    await this.running;
  }

  nextRun(): Date | null {
    return this.cron?.nextRun() ?? null;
  }

  /** Runs the function now (schedule, startup, or the admin endpoint); never two at once. */
  fire(isPastDue: boolean, reason?: string): Promise<void> {
    if (this.running) return this.running;
    this.running = this.run(isPastDue, reason).finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  private async run(isPastDue: boolean, reason: string | undefined): Promise<void> {
    const previous = await this.readStatus();
    const now = new Date();
    const next = this.cron?.nextRun() ?? new Cron(this.options.schedule, { timezone: 'UTC', paused: true, mode: '6-part' }).nextRun();
    const timer: Timer = {
      isPastDue,
      schedule: { adjustForDST: false },
      scheduleStatus: {
        last: previous?.last ?? '0001-01-01T00:00:00',
        next: next?.toISOString() ?? '',
        lastUpdated: previous?.lastUpdated ?? '0001-01-01T00:00:00',
      },
    };
    try {
      await this.options.invoke(this.options.functionName, timer, { invocationId: randomUUID(), reason: reason ?? invocationReason.timer(now, isPastDue) });
    } catch {
      // The invoker logged it ("Executed ... (Failed)"); the next occurrence runs as scheduled.
    }
    if (this.options.useMonitor) {
      await this.writeStatus({ last: now.toISOString(), next: next?.toISOString() ?? '', lastUpdated: new Date().toISOString() });
    }
  }

  private async readStatus(): Promise<ScheduleStatus | undefined> {
    try {
      const buffer = await this.statusBlob.downloadToBuffer();
      return JSON.parse(buffer.toString('utf8')) as ScheduleStatus;
    } catch {
      return undefined;
    }
  }

  private async writeStatus(status: ScheduleStatus): Promise<void> {
    const body = JSON.stringify(status);
    await this.statusBlob.upload(body, Buffer.byteLength(body)).catch((error: unknown) => {
      this.options.log(`${this.options.functionName}: could not save schedule status: ${String(error)}`);
    });
  }
}
