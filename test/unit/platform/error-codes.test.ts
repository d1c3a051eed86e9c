import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DomainError, errorCodes, type ErrorCode } from '../../../shared/domain/errors.js';
import { toProblem } from '../../../shared/platform/errors.js';

/** The rows of docs/api.md's table of codes: each code named in a row's first cell, with the row's status. */
function documentedCodes(): Map<string, number> {
  const doc = readFileSync(new URL('../../../docs/api.md', import.meta.url), 'utf8');
  const after = doc.slice(doc.indexOf('The codes a client may act on')).split('\n').slice(1);
  const table = after.slice(after.findIndex((line) => line.startsWith('|')));
  const end = table.findIndex((line) => !line.startsWith('|'));
  const rows = table.slice(0, end === -1 ? undefined : end).filter((line) => line.startsWith('| `'));
  const codes = new Map<string, number>();
  for (const row of rows) {
    const [names = '', status = ''] = row.split('|').slice(1, 3);
    for (const [, name] of names.matchAll(/`([A-Za-z]+)`/g)) if (name) codes.set(name, Number(status.trim()));
  }
  return codes;
}

/** The status a client gets for a code: the error of the code's kind, through the edge's one mapping. */
function statusOf(code: ErrorCode): number {
  return toProblem(new DomainError(errorCodes[code], 'x', { code })).problem.status;
}

describe('error codes: the catalogue in shared/domain/errors.ts and the table in docs/api.md', () => {
  it('documents every code of the catalogue, with the status of its kind, and no other', () => {
    const documented = documentedCodes();
    const catalogue = Object.keys(errorCodes) as ErrorCode[];
    expect([...documented.keys()].sort()).toEqual([...catalogue].sort());
    for (const code of catalogue) expect({ code, status: documented.get(code) }).toEqual({ code, status: statusOf(code) });
  });

  it('gives each code the status of its kind (a conflict 409, a refusal 403, a bad input 400)', () => {
    expect(statusOf('ConcurrentUpdate')).toBe(409);
    expect(statusOf('AccountSuspended')).toBe(403);
    expect(statusOf('WorkEmailRequired')).toBe(400);
  });
});
