import * as z from 'zod';

const flag = z
  .enum(['true', 'false', '1', '0'])
  .optional()
  .transform((v) => v === 'true' || v === '1');

const positiveInt = (fallback: number) => z.coerce.number().int().positive().default(fallback);

/**
 * Every setting the functions read, parsed once. Each external service is reached either with a
 * key/connection string (local stack) or, when only an endpoint is given, with the managed identity
 * (Azure) - so the same code runs in both places without a branch elsewhere.
 */
function buildEnvSchema() {
  return z.object({
    /** Cosmos DB account endpoint, e.g. https://myaccount.documents.azure.com:443/ */
    COSMOS_ENDPOINT: z.url(),
    /** Account key; leave unset on Azure to authenticate with the managed identity (data-plane RBAC). */
    COSMOS_KEY: z.string().min(1).optional(),
    COSMOS_DATABASE: z.string().min(1).default('partner-portal'),
    /** Accept the local emulator's self-signed certificate. Never set on Azure. */
    COSMOS_TLS_INSECURE: flag,

    /** Storage connection string (local: UseDevelopmentStorage=true or an explicit Azurite string). */
    AzureWebJobsStorage: z.string().min(1).optional(),
    /** Identity-based storage (Azure): service URIs, as the Functions host itself reads them. */
    AzureWebJobsStorage__blobServiceUri: z.url().optional(),
    AzureWebJobsStorage__queueServiceUri: z.url().optional(),
    DOCUMENTS_CONTAINER: z.string().min(3).default('verification-documents'),

    /** Communication Services: connection string (local endpoint) or endpoint alone (managed identity). */
    EMAIL_CONNECTION_STRING: z.string().min(1).optional(),
    EMAIL_ENDPOINT: z.url().optional(),
    EMAIL_SENDER_ADDRESS: z.email().default('DoNotReply@partner-portal.example'),
    /** Allow plain-HTTP to the local email endpoint. Never set on Azure. */
    EMAIL_ALLOW_INSECURE: flag,
    /** Milliseconds between operation-status polls of a send. */
    EMAIL_POLL_INTERVAL_MS: positiveInt(1000),

    /** JWT validation: issuer, audience and exactly one key source. */
    AUTH_ISSUER: z.string().min(1),
    AUTH_AUDIENCE: z.string().min(1),
    AUTH_JWKS_URI: z.url().optional(),
    /** A local JWKS file (the dev stack writes one next to its signing key). */
    AUTH_JWKS_FILE: z.string().min(1).optional(),

    /** Verification (VER-5, VER-6): link lifetime, resend cooldown and daily cap, holidays (YYYY-MM-DD, comma-separated). */
    VERIFICATION_LINK_BASE: z.url().default('https://partner.portal.example/verify-email'),
    VERIFICATION_TOKEN_TTL_HOURS: positiveInt(168),
    VERIFICATION_RESEND_COOLDOWN_SECONDS: positiveInt(900),
    VERIFICATION_RESEND_DAILY_CAP: positiveInt(5),
    VERIFICATION_HOLIDAYS: z
      .string()
      .default('')
      .transform((s) =>
        s
          .split(',')
          .map((d) => d.trim())
          .filter(Boolean),
      )
      .pipe(z.array(z.iso.date())),
    /** How long the verification status view may be served from an instance's memory (0: always read). */
    VIEW_CACHE_MS: z.coerce.number().int().min(0).default(2000),
    /** INC-5: the month the fiscal year starts (7: fiscal year 2027 starts on 1 July 2026). */
    FISCAL_YEAR_START_MONTH: z.coerce.number().int().min(1).max(12).default(7),
    /** Enrolments per rollover page (one queue message, one invocation each). */
    ROLLOVER_PAGE_SIZE: positiveInt(500),
    /** BP-2: general availability of partner-id profiles; legacy profiles may migrate for 120 days from it. */
    BUSINESS_PROFILES_GA_DATE: z.iso.date().default('2024-02-29'),
    /** Anonymous lead requests accepted per client address and window (then 429). */
    LEAD_RATE_LIMIT: positiveInt(5),
    LEAD_RATE_WINDOW_SECONDS: positiveInt(3600),
    /**
     * Signs the continuation tokens the suite hands out. They guard the database SDK against tokens it
     * did not issue, not data (every list query is bound to the caller's partition), so the default
     * serves; a deployment may set its own (a Key Vault reference: no secret sits in app settings).
     */
    CONTINUATION_TOKEN_SECRET: z.string().min(16).default('partner-portal-continuation-tokens-v1'),
    /** Largest verification document accepted (bytes). */
    UPLOAD_MAX_BYTES: positiveInt(10 * 1024 * 1024),

    /** User-assigned managed identity client id, read by DefaultAzureCredential. */
    AZURE_CLIENT_ID: z.string().optional(),
    APPLICATIONINSIGHTS_CONNECTION_STRING: z.string().optional(),
  });
}

let schema: ReturnType<typeof buildEnvSchema> | undefined;

/** Built on first use, not at import: the function table loads without paying for it (cold start). */
export function envSchema(): ReturnType<typeof buildEnvSchema> {
  schema ??= buildEnvSchema();
  return schema;
}

type RawEnv = Record<string, string | undefined>;

/** Rules across settings; run on the raw environment so they are reported with the field errors. */
function crossFieldProblems(env: RawEnv): string[] {
  const problems: string[] = [];
  if (!env.AzureWebJobsStorage && !(env.AzureWebJobsStorage__blobServiceUri && env.AzureWebJobsStorage__queueServiceUri)) {
    problems.push('AzureWebJobsStorage: set it, or both AzureWebJobsStorage__blobServiceUri and AzureWebJobsStorage__queueServiceUri');
  }
  if (!env.EMAIL_CONNECTION_STRING && !env.EMAIL_ENDPOINT) problems.push('EMAIL_CONNECTION_STRING: set it or EMAIL_ENDPOINT');
  if (!env.AUTH_JWKS_URI === !env.AUTH_JWKS_FILE) problems.push('AUTH_JWKS_URI: set exactly one of AUTH_JWKS_URI and AUTH_JWKS_FILE');
  return problems;
}

export type AppConfig = z.infer<ReturnType<typeof buildEnvSchema>>;

/** Parses the environment once; a misconfigured app fails at its first use with every problem listed. */
export function parseConfig(env: Record<string, string | undefined>): AppConfig {
  const result = envSchema().safeParse(env);
  const problems = [...(result.success ? [] : result.error.issues.map((i) => `${i.path.join('.') || '(env)'}: ${i.message}`)), ...crossFieldProblems(env)];
  if (!result.success || problems.length > 0) {
    throw new Error(`Invalid configuration:\n${problems.map((p) => `  ${p}`).join('\n')}`);
  }
  return result.data;
}
