/**
 * Runner for pgjet's node-postgres face (`pgjet/pg`, loaded from src/ through tsx like the pgjet runner),
 * through the very adapter pg is timed with (pg-like.ts): the same `client.query({ text, values })` calls, so
 * the difference from pg is the engine underneath. The face caches every statement itself, so it runs pg's
 * default unnamed form only.
 */
import { readFileSync } from 'node:fs';
import pg from '../../src/faces/pg/index.js';
import { runTrial } from './harness.js';
import { pgLikeDriver, type PgModule } from './pg-like.js';

const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };

await runTrial(pgLikeDriver(pg as unknown as PgModule, `pgjet/pg ${pkg.version} (working tree)`));
