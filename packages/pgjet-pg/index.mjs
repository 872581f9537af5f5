// ESM entry: the same module as the CommonJS one (no second copy of any class).
export * from 'pgjet/pg';
export { default } from 'pgjet/pg';
