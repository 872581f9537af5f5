/**
 * The snippets written against @types/pg type-check unchanged against @types/pg and against pgjet/pg. Both
 * compilers run at once, each on its own tsconfig (the specifier 'pg-under-test' maps to one or the other).
 */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const here = fileURLToPath(new URL('../../package/pg-types-compat/', import.meta.url));
const tsc = fileURLToPath(new URL('../../../node_modules/typescript/bin/tsc', import.meta.url));

async function typecheck(config: string): Promise<string> {
  try {
    await run(process.execPath, [tsc, '-p', `${here}${config}`], { cwd: here });
    return '';
  } catch (err) {
    return (err as { stdout?: string }).stdout ?? String(err);
  }
}

describe('typings compatible with @types/pg', () => {
  it('the same snippets compile against @types/pg and against pgjet/pg', { timeout: 180_000 }, async () => {
    const [againstPg, againstFace] = await Promise.all([typecheck('tsconfig.pg.json'), typecheck('tsconfig.face.json')]);
    expect(againstPg).toBe('');
    expect(againstFace).toBe('');
  });
});
