/**
 * One connection's codec lookup by type OID. Order (docs/ARCHITECTURE.md "Codecs"): codecs registered by the user →
 * built-in codecs (arrays, ranges and multiranges of built-in types derived from the generated catalog) →
 * codecs derived from introspected user types. Everything but the user's codecs is built on first use and
 * cached, so a statement plan can look codecs up once and keep direct references.
 */
import { arrayCodec } from './array.js';
import { builtinCodecTable, int64Codec, recordCodec, type Int8Mode } from './builtin/index.js';
import { builtinMultirangeRange, builtinRange, builtinType } from './catalog.js';
import { rawTextCodec } from './custom.js';
import { deriveCodec, type IntrospectedType } from './derive.js';
import { multirangeCodec } from './multirange.js';
import { Oid } from './oids.generated.js';
import { rangeCodec, type Range } from './range.js';
import type { Codec } from './types.js';

/** Options of a {@link CodecRegistry}. */
export interface CodecRegistryOptions {
  /** How int8 and xid8 decode (the connection's `int8` option); default `'bigint'`. */
  int8?: Int8Mode;
}

/**
 * The codecs of one connection.
 *
 * `get` answers `undefined` only for OIDs it knows nothing about: the connection then introspects them and
 * passes the result to {@link addTypes}. Plans built from `get` should be rebuilt when {@link generation}
 * changes (it changes on every `register`, `addTypes` or `clearTypes`).
 */
export class CodecRegistry {
  readonly #int8: Int8Mode;
  readonly #custom = new Map<number, Codec>();
  readonly #introspected = new Map<number, IntrospectedType>();
  /** Built codecs (built-in, derived, and raw-text fallbacks), dropped whenever what they depend on changes. */
  readonly #built = new Map<number, Codec>();
  /** Raw-text codecs handed out by `resolve` for OIDs `get` does not know; kept apart so `get` still says so. */
  readonly #fallbacks = new Map<number, Codec>();
  /** OIDs being built right now: a cycle gets a raw-text codec instead of endless recursion. */
  readonly #building = new Set<number>();
  #generation = 0;

  /** @param options see {@link CodecRegistryOptions} */
  constructor(options: CodecRegistryOptions = {}) {
    this.#int8 = options.int8 ?? 'bigint';
  }

  /** The `int8` mode this registry decodes int8/xid8 with. */
  get int8Mode(): Int8Mode {
    return this.#int8;
  }

  /** Bumped whenever a lookup could answer differently; cached plans compare it to know they are stale. */
  get generation(): number {
    return this.#generation;
  }

  /** The codec of `oid`, or `undefined` when the OID is neither built in, registered, nor introspected. */
  get(oid: number): Codec | undefined {
    const custom = this.#custom.get(oid);
    if (custom !== undefined) return custom;
    const built = this.#built.get(oid);
    if (built !== undefined) return built;
    if (this.#building.has(oid)) return rawTextCodec(oid, this.typeName(oid) ?? String(oid));
    this.#building.add(oid);
    try {
      const codec = this.#buildBuiltin(oid) ?? this.#buildIntrospected(oid);
      if (codec !== undefined) this.#built.set(oid, codec);
      return codec;
    } finally {
      this.#building.delete(oid);
    }
  }

  /**
   * The codec of `oid`, or a raw-text codec when there is none (README, "Types": a type without a codec decodes as its
   * text form, never a crash). Never `undefined`, so plans can hold the result directly.
   */
  resolve(oid: number): Codec {
    const codec = this.get(oid);
    if (codec !== undefined) return codec;
    let fallback = this.#fallbacks.get(oid);
    if (fallback === undefined) {
      fallback = rawTextCodec(oid, String(oid));
      this.#fallbacks.set(oid, fallback);
    }
    return fallback;
  }

  /** Whether `get(oid)` would find a codec without introspection. */
  has(oid: number): boolean {
    return this.get(oid) !== undefined;
  }

  /**
   * Registers a codec that takes precedence over every other for its OID (user codecs from `setTypeCodec` or
   * the `types` option). Arrays, ranges and domains over that type pick it up on their next lookup.
   */
  register(codec: Codec): void {
    this.#custom.set(codec.oid, codec);
    this.#invalidate();
  }

  /** True when `oid` has a codec registered by the user (setTypeCodec or the `types` option). */
  isCustom(oid: number): boolean {
    return this.#custom.has(oid);
  }

  /** Removes a registered codec; returns whether there was one. */
  unregister(oid: number): boolean {
    const had = this.#custom.delete(oid);
    if (had) this.#invalidate();
    return had;
  }

  /**
   * Adds introspected user or extension types (see {@link IntrospectedType}); their codecs are built on first
   * lookup, resolving the types they depend on through this registry.
   */
  addTypes(types: Iterable<IntrospectedType>): void {
    for (const type of types) this.#introspected.set(type.oid, type);
    this.#invalidate();
  }

  /** Forgets every introspected type (`conn.reloadSchemaState()`); registered codecs stay. */
  clearTypes(): void {
    this.#introspected.clear();
    this.#invalidate();
  }

  /** The format code (0 text, 1 binary) to request for a result column: binary when its codec decodes binary. */
  resultFormat(oid: number): 0 | 1 {
    return this.get(oid)?.decodeBinary !== undefined ? 1 : 0;
  }

  /** The format code (0 text, 1 binary) to send a parameter in: binary when its codec encodes binary. */
  paramFormat(oid: number): 0 | 1 {
    return this.get(oid)?.encodeBinary !== undefined ? 1 : 0;
  }

  /** PostgreSQL's name for a type (`'int4'`, `'_text'`, an introspected type's `typname`), when known. */
  typeName(oid: number): string | undefined {
    return builtinType(oid)?.name ?? this.#introspected.get(oid)?.name ?? this.#custom.get(oid)?.name;
  }

  #invalidate(): void {
    this.#built.clear();
    this.#fallbacks.clear();
    this.#generation++;
  }

  #buildBuiltin(oid: number): Codec | undefined {
    const fixed = builtinCodecTable.get(oid);
    if (fixed !== undefined) return fixed;
    if (oid === Oid.int8) return int64Codec('int8', this.#int8);
    if (oid === Oid.xid8) return int64Codec('xid8', this.#int8);
    if (oid === Oid.record) return recordCodec((fieldOid) => this.get(fieldOid));
    const info = builtinType(oid);
    if (info === undefined) return undefined;
    if (info.elem !== 0) {
      return arrayCodec({
        oid,
        name: info.name,
        element: this.resolve(info.elem),
        elementOid: info.elem,
        delimiter: builtinType(info.elem)?.delimiter,
      });
    }
    const range = builtinRange(oid);
    if (range !== undefined) return rangeCodec({ oid, name: info.name, subtype: this.resolve(range.subtype) });
    const ofMultirange = builtinMultirangeRange(oid);
    if (ofMultirange !== undefined) {
      return multirangeCodec({ oid, name: info.name, range: this.resolve(ofMultirange.oid) as Codec<Range> });
    }
    // A built-in type pgjet has no codec for (aclitem, pg_node_tree, cstring, …): its text form.
    return rawTextCodec(oid, info.name);
  }

  #buildIntrospected(oid: number): Codec | undefined {
    const type = this.#introspected.get(oid);
    return type === undefined ? undefined : deriveCodec(type, (dependency) => this.resolve(dependency));
  }
}
