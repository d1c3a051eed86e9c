import type { TokenCredential } from '@azure/identity';
import type { InvocationContext } from './azure-functions.js';

/**
 * The custom metrics operators need, beyond what the Functions host reports by itself (invocations,
 * durations, failures). Names follow OpenTelemetry conventions; Application Insights shows them under
 * customMetrics.
 */
const metricDefinitions = {
  'attestation.confirmation.delay': { kind: 'histogram', unit: 's', description: 'Attestation to confirmation email sent (ATT-3: at most 1,800 s)' },
  'email.delivery.delay': { kind: 'histogram', unit: 's', description: 'Decision to owed email sent, per email type (the outbox)' },
  'rollover.enrollments': {
    kind: 'counter',
    unit: '{enrollment}',
    description: 'Enrolments carried by the rollover, by outcome (Enrolled, ActionRequired, NotEligible)',
  },
  'rollover.renewals.failed': { kind: 'counter', unit: '{enrollment}', description: 'Renewal writes that failed (the page is retried)' },
  'verification.upload.bytes': { kind: 'histogram', unit: 'By', description: 'Size of accepted verification documents' },
} as const;
export type MetricName = keyof typeof metricDefinitions;
export type MetricAttributes = Record<string, string | number | boolean>;

/** Port through which use cases record metrics; a no-op unless telemetry is configured. */
export interface Metrics {
  record(name: MetricName, value: number, attributes?: MetricAttributes): void;
  /** Exports what was recorded so far (tests; shutdown). */
  flush?(): Promise<void>;
}

export const noMetrics: Metrics = { record() {} };

/** Records taken before the exporter has loaded are kept (up to this many) and replayed. */
const maxPending = 10_000;

/**
 * Custom metrics for Azure Monitor. The Functions host already sends requests, dependencies and the
 * invocation-context logs to Application Insights; the app adds only its metrics, through the Azure
 * Monitor exporter and the OpenTelemetry metrics SDK (not the full distro: a third of the import
 * time). The exporter loads in the background, so no invocation waits for it; it authenticates with
 * the managed identity, as the Application Insights resource refuses key-only ingestion. Off (and
 * never imported) without a connection string, as on the local stack.
 */
export function createMetrics(connectionString: string | undefined, credential: () => TokenCredential | undefined): Metrics {
  if (!connectionString) return noMetrics;
  const pending: [MetricName, number, MetricAttributes | undefined][] = [];
  let sink: Metrics | undefined;
  const loading = loadAzureMonitorMetrics(connectionString, credential())
    .then((loaded) => {
      sink = loaded;
      for (const [name, value, attributes] of pending.splice(0)) loaded.record(name, value, attributes);
    })
    .catch((error: unknown) => {
      sink = noMetrics;
      console.error('telemetry: Azure Monitor metrics could not start:', error instanceof Error ? error.message : String(error));
    });
  return {
    record(name, value, attributes) {
      if (sink) sink.record(name, value, attributes);
      else if (pending.length < maxPending) pending.push([name, value, attributes]);
    },
    async flush() {
      await loading;
      await sink?.flush?.();
    },
  };
}

async function loadAzureMonitorMetrics(connectionString: string, credential: TokenCredential | undefined): Promise<Metrics> {
  const [{ AzureMonitorMetricExporter }, { MeterProvider, PeriodicExportingMetricReader }, { resourceFromAttributes }] = await Promise.all([
    import('@azure/monitor-opentelemetry-exporter'),
    import('@opentelemetry/sdk-metrics'),
    import('@opentelemetry/resources'),
  ]);
  const exporter = new AzureMonitorMetricExporter({ connectionString, ...(credential ? { credential } : {}) });
  const provider = new MeterProvider({
    resource: resourceFromAttributes({ 'service.name': process.env.WEBSITE_SITE_NAME ?? 'partner-portal-functions' }),
    // Short enough that an instance scaled in loses little; each export is one small request.
    readers: [new PeriodicExportingMetricReader({ exporter, exportIntervalMillis: 15_000 })],
  });
  const meter = provider.getMeter('partner-portal');
  const instruments = new Map<MetricName, (value: number, attributes?: MetricAttributes) => void>();
  for (const [name, definition] of Object.entries(metricDefinitions) as [MetricName, (typeof metricDefinitions)[MetricName]][]) {
    const options = { unit: definition.unit, description: definition.description };
    if (definition.kind === 'counter') {
      const counter = meter.createCounter(name, options);
      instruments.set(name, (value, attributes) => counter.add(value, attributes));
    } else {
      const histogram = meter.createHistogram(name, options);
      instruments.set(name, (value, attributes) => histogram.record(value, attributes));
    }
  }
  return { record: (name, value, attributes) => instruments.get(name)?.(value, attributes), flush: () => provider.forceFlush() };
}

/**
 * A structured log line through the invocation context: the host tags it with the invocation id (and
 * Application Insights files it under that operation); the id is in the JSON too, for local logs.
 */
export function logEvent(context: InvocationContext, level: 'info' | 'warn' | 'error', event: string, fields: Record<string, unknown> = {}): void {
  context[level](JSON.stringify({ event, invocationId: context.invocationId, functionName: context.functionName, ...fields }));
}
