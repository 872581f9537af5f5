import fs from 'node:fs';
import { npmVersion } from 'drizzle-orm/version';
import { describe, expect, it } from 'vitest';

const peerRange: string = JSON.parse(fs.readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')).peerDependencies['drizzle-orm'];

describe('the drizzle-orm these tests run against', () => {
  it('is the minor this vitest project was set up for (vitest.config.ts), so each supported minor is really tested', () => {
    const minor = process.env.PGJET_DRIZZLE_MINOR;
    expect(minor, 'PGJET_DRIZZLE_MINOR is set per project in vitest.config.ts').toBeDefined();
    expect(npmVersion.startsWith(`${minor}.`), `drizzle-orm ${npmVersion}`).toBe(true);
  });

  it('is inside the peer range package.json declares', () => {
    const m = /^>=(\d+)\.(\d+)\.\d+ <(\d+)\.(\d+)$/.exec(peerRange);
    expect(m, `peer range ${peerRange}`).not.toBeNull();
    const [major, minor] = npmVersion.split('.').map(Number);
    const [, loMajor, loMinor, hiMajor, hiMinor] = m!.map(Number);
    expect(major * 1000 + minor).toBeGreaterThanOrEqual(loMajor * 1000 + loMinor);
    expect(major * 1000 + minor).toBeLessThan(hiMajor * 1000 + hiMinor);
  });
});
