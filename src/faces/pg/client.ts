// TEMPORARY STUB for the pool helper's branch only: the face's own Client (src/faces/pg/client.ts from the face
// branch) replaces this file at merge. Until then the pool's default client is node-postgres' Client.
export { Client } from 'pg';
