import { readFile } from 'node:fs/promises';
import * as z from 'zod';

/**
 * `local.settings.json` as Azure Functions Core Tools reads it: `Values` become environment
 * variables of the app, a variable already set in the environment wins (and is reported as skipped),
 * `Host.LocalHttpPort` is the host's port unless one is given. The file holds a developer's own
 * settings and secrets: it is git-ignored; `local.settings.example.json` is the committed template.
 */
const localSettingsSchema = z.object({
  IsEncrypted: z.literal(false, { error: 'encrypted local settings are not supported (func settings decrypt)' }).optional(),
  Values: z.record(z.string(), z.string({ error: 'every value in Values must be a string, as Core Tools requires' })).default({}),
  Host: z
    .object({ LocalHttpPort: z.number().int().min(1).max(65535).optional() })
    .loose()
    .optional(),
  ConnectionStrings: z.record(z.string(), z.unknown()).optional(),
});

export interface AppliedLocalSettings {
  /** The environment to run with: the file's values under the given environment. */
  env: Record<string, string | undefined>;
  applied: string[];
  /** Names the file sets that the environment already set (the environment's value is kept). */
  skipped: string[];
}

/** Merges a parsed `local.settings.json` under `env` (the environment wins, as with `func start`). */
export function applyLocalSettings(json: unknown, env: Readonly<Record<string, string | undefined>>): AppliedLocalSettings {
  const parsed = localSettingsSchema.safeParse(json);
  if (!parsed.success) throw new Error(`local.settings.json: ${parsed.error.issues.map((i) => `${i.path.join('.') || 'file'}: ${i.message}`).join('; ')}`);
  const merged: Record<string, string | undefined> = { ...env };
  const applied: string[] = [];
  const skipped: string[] = [];
  const values: Record<string, string> = { ...parsed.data.Values };
  const port = parsed.data.Host?.LocalHttpPort;
  if (port !== undefined && !('FUNCTIONS_PORT' in values)) values.FUNCTIONS_PORT = String(port);
  for (const [name, value] of Object.entries(values)) {
    if (env[name] !== undefined) {
      skipped.push(name);
    } else {
      merged[name] = value;
      applied.push(name);
    }
  }
  return { env: merged, applied, skipped };
}

/** Reads `path` if it exists; without the file the environment is used as it is. */
export async function loadLocalSettings(path: string, env: Readonly<Record<string, string | undefined>>): Promise<AppliedLocalSettings | undefined> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    return undefined;
  }
  let json: unknown;
  try {
    json = JSON.parse(text) as unknown;
  } catch (error) {
    throw new Error(`local.settings.json is not valid JSON: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
  return applyLocalSettings(json, env);
}
