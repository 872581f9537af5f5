export * from 'pgjet/pg';
export { default } from 'pgjet/pg';
