import type { TokenCredential } from '@azure/identity';
import type { InvocationContext } from './azure-functions.js';

/**
 * The custom metrics operators need, beyond what the Functions host reports by itself (invocations,
 * durations, failures). Names follow OpenTelemetry conventions; Application Insights shows them under
 * customMetrics.
 */
export const metricDefinitions = {
  'attestation.confirmation.delay': { kind: 'histogram', unit: 's', description: 'Attestation to confirmation email sent (ATT-3: at most 1,800 s)' },
  'rollover.enrollments': { kind: 'counter', unit: '{enrollment}', description: 'Enrolments carried by the rollover, by outcome (Enrolled, ActionRequired, NotEligible)' },
  'rollover.renewals.failed': { kind: 'counter', unit: '{enrollment}', description: 'Renewal writes that failed (the page is retried)' },
  'verification.upload.bytes': { kind: 'histogram', unit: 'By', description: 'Size of accepted verification documents' },
} as const;
export type MetricName = keyof typeof metricDefinitions;
export type MetricAttributes = Record<string, string | number | boolean>;

/** Port through which use cases record metrics; a no-op unless telemetry is configured. */
export interface Metrics {
  record(name: MetricName, value: number, attributes?: MetricAttributes): void;
}

export const noMetrics: Metrics = { record() {} };

/** Where telemetry goes: Azure Monitor when the app has an Application Insights connection string (Azure), nowhere locally. */
export function telemetryMode(connectionString: string | undefined): 'azure-monitor' | 'off' {
  return connectionString ? 'azure-monitor' : 'off';
}

/**
 * Starts the Azure Monitor OpenTelemetry distro (traces, logs, metrics; authenticated with the managed
 * identity, as the Application Insights resource refuses instrumentation-key-only ingestion) and
 * returns metrics bound to its meter. Imported only when on, so the local stack and cold starts pay
 * nothing for it.
 */
export async function createMetrics(connectionString: string | undefined, credential: () => TokenCredential | undefined): Promise<Metrics> {
  if (telemetryMode(connectionString) === 'off') return noMetrics;
  const [{ useAzureMonitor }, { metrics }] = await Promise.all([import('@azure/monitor-opentelemetry'), import('@opentelemetry/api')]);
  const tokenCredential = credential();
  useAzureMonitor({
    azureMonitorExporterOptions: { connectionString, ...(tokenCredential ? { credential: tokenCredential } : {}) },
    enableLiveMetrics: true,
  });
  const meter = metrics.getMeter('partner-portal');
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
  return { record: (name, value, attributes) => instruments.get(name)?.(value, attributes) };
}

/**
 * A structured log line through the invocation context: the host tags it with the invocation id (and
 * Application Insights files it under that operation); the id is in the JSON too, for local logs.
 */
export function logEvent(context: InvocationContext, level: 'info' | 'warn' | 'error', event: string, fields: Record<string, unknown> = {}): void {
  context[level](JSON.stringify({ event, invocationId: context.invocationId, functionName: context.functionName, ...fields }));
}
