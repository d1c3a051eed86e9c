import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The folder holding host.json, whether this code runs from source (tsx, vitest) or compiled. */
export function projectRoot(from: string = import.meta.url): string {
  let dir = dirname(fileURLToPath(from));
  while (!existsSync(join(dir, 'host.json'))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error('host.json not found above ' + fileURLToPath(from));
    dir = parent;
  }
  return dir;
}

/** True when running compiled JavaScript (npm start), false under tsx or vitest. */
export const runningCompiled = import.meta.url.endsWith('.js');
