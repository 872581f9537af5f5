import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  findPgpassPassword,
  parsePgpass,
  resolveConfig,
  resolvePassword,
  type ResolveContext,
} from '../../../src/connection/config.js';

let home: string;
/** A context with the given environment and a private home directory, so the machine's ~/.pgpass never leaks in. */
const ctx = (env: Record<string, string> = {}): ResolveContext => ({ env, homeDir: home, osUser: 'osuser' });

beforeAll(() => {
  home = fs.mkdtempSync(path.join(os.tmpdir(), 'pgjet-pgpass-'));
});
afterAll(() => {
  fs.rmSync(home, { recursive: true, force: true });
});

function writeFile(name: string, text: string, mode = 0o600): string {
  const file = path.join(home, name);
  fs.writeFileSync(file, text);
  fs.chmodSync(file, mode);
  return file;
}

describe('password file', () => {
  const text = [
    '# comment',
    'db.example.com:5432:shop:alice:alicepw',
    'db.example.com:*:*:bob:b\\:o\\\\b',
    'weird\\:host:5432:*:*:escaped-host',
    '\\*:5432:*:*:literal-star',
    'localhost:5432:*:*:localpw',
    '*:*:*:carol:',
    'too:few:fields',
    '*:*:*:*:fallback:ignored-after-colon',
  ].join('\r\n');
  const entries = parsePgpass(text);
  const find = (host: string, user: string, database = 'shop', port = 5432): string | undefined =>
    findPgpassPassword(entries, { host, port, database, user });

  it('matches fields in order with * wildcards; the first match wins', () => {
    expect(find('db.example.com', 'alice')).toBe('alicepw');
    expect(find('db.example.com', 'alice', 'other')).toBe('fallback');
    expect(find('db.example.com', 'bob', 'any', 9999)).toBe('b:o\\b');
    expect(find('nowhere', 'dave')).toBe('fallback');
  });

  it('handles \\: escapes and a literal \\* host', () => {
    expect(find('weird:host', 'x')).toBe('escaped-host');
    expect(find('*', 'x')).toBe('literal-star');
  });

  it('matches localhost entries for the default socket directories, and empty passwords mean none', () => {
    expect(find('/var/run/postgresql', 'x')).toBe('localpw');
    expect(find('/tmp', 'x')).toBe('localpw');
    expect(find('elsewhere', 'carol')).toBeUndefined();
  });

  it('is read through PGPASSFILE, passfile= or ~/.pgpass, per host', async () => {
    const file = writeFile('pgpass-a', 'h1:5432:db:u:pw-h1\nh2:5432:db:u:pw-h2\n');
    const config = await resolveConfig('postgres://u@h1,h2,h3/db', undefined, ctx({ PGPASSFILE: file }));
    expect(config.password).toBeUndefined();
    expect(config.hosts.map((h) => h.password)).toEqual(['pw-h1', 'pw-h2', undefined]);
    expect(await resolvePassword(config, config.hosts[1])).toBe('pw-h2');

    const viaParam = await resolveConfig(`postgres://u@h1/db?passfile=${file}`, undefined, ctx());
    expect(viaParam.hosts[0].password).toBe('pw-h1');

    writeFile('.pgpass', '*:*:*:*:home-pw\n');
    expect((await resolveConfig('postgres://u@h/db', undefined, ctx())).hosts[0].password).toBe('home-pw');
    // An explicit password wins and the file is not consulted.
    const explicit = await resolveConfig('postgres://u:given@h1/db', undefined, ctx({ PGPASSFILE: file }));
    expect(explicit.hosts[0].password).toBeUndefined();
    expect(await resolvePassword(explicit, explicit.hosts[0])).toBe('given');
  });

  it.skipIf(process.platform === 'win32' || process.getuid?.() === undefined)(
    'ignores a file readable by group or others, as libpq does',
    async () => {
      const file = writeFile('pgpass-open', '*:*:*:*:leaked\n', 0o644);
      const config = await resolveConfig('postgres://u@h/db', undefined, ctx({ PGPASSFILE: file }));
      expect(config.hosts[0].password).toBeUndefined();
    },
  );
});
