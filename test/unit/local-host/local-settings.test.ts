import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { applyLocalSettings, loadLocalSettings } from '../../../shared/local-host/local-settings.js';

// local.settings.json as Core Tools honours it: Values become the app's environment, the environment wins.
describe('local.settings.json', () => {
  it('applies Values the environment does not set, and keeps (and reports) what the environment sets', () => {
    const result = applyLocalSettings(
      { IsEncrypted: false, Values: { VERIFICATION_RESEND_COOLDOWN_SECONDS: '10', EMAIL_PORT: '9025' } },
      { EMAIL_PORT: '8026', PATH: '/bin' },
    );
    expect(result.env).toEqual({ VERIFICATION_RESEND_COOLDOWN_SECONDS: '10', EMAIL_PORT: '8026', PATH: '/bin' });
    expect(result.applied).toEqual(['VERIFICATION_RESEND_COOLDOWN_SECONDS']);
    expect(result.skipped).toEqual(['EMAIL_PORT']);
  });

  it('takes Host.LocalHttpPort as the host port unless FUNCTIONS_PORT is set (Values or environment)', () => {
    expect(applyLocalSettings({ Values: {}, Host: { LocalHttpPort: 7199 } }, {}).env.FUNCTIONS_PORT).toBe('7199');
    expect(applyLocalSettings({ Values: { FUNCTIONS_PORT: '7300' }, Host: { LocalHttpPort: 7199 } }, {}).env.FUNCTIONS_PORT).toBe('7300');
    expect(applyLocalSettings({ Host: { LocalHttpPort: 7199 } }, { FUNCTIONS_PORT: '7400' }).env.FUNCTIONS_PORT).toBe('7400');
  });

  it('refuses encrypted settings and values that are not strings, naming the entry', () => {
    expect(() => applyLocalSettings({ IsEncrypted: true, Values: {} }, {})).toThrow(/IsEncrypted/);
    expect(() => applyLocalSettings({ Values: { FISCAL_YEAR_START_MONTH: 7 } }, {})).toThrow(/Values\.FISCAL_YEAR_START_MONTH/);
  });

  it('without the file the environment is used as it is; a file that is not JSON says so', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'local-settings-'));
    expect(await loadLocalSettings(join(dir, 'local.settings.json'), {})).toBeUndefined();
    await writeFile(join(dir, 'local.settings.json'), '{ "Values": ');
    await expect(loadLocalSettings(join(dir, 'local.settings.json'), {})).rejects.toThrow(/local.settings.json is not valid JSON/);
  });

  it('the committed example is valid, and the real file is git-ignored', async () => {
    const root = resolve(import.meta.dirname, '../../..');
    const example = JSON.parse(await readFile(join(root, 'local.settings.example.json'), 'utf8')) as unknown;
    expect(applyLocalSettings(example, {}).applied).toContain('FUNCTIONS_WORKER_RUNTIME');
    expect((await readFile(join(root, '.gitignore'), 'utf8')).split('\n')).toContain('local.settings.json');
  });
});
