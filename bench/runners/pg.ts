/**
 * Runner for node-postgres (`pg`), through the adapter it shares with the pg face (pg-like.ts).
 */
import { readFileSync } from 'node:fs';
import pg from 'pg';
import { runTrial } from './harness.js';
import { pgLikeDriver } from './pg-like.js';

const version = (JSON.parse(readFileSync(new URL('../../node_modules/pg/package.json', import.meta.url), 'utf8')) as { version: string }).version;

await runTrial(pgLikeDriver(pg, `pg ${version}`));
