/** The lexer that finds real `$n` placeholders for COPY's server-rendered arguments. */
import { describe, expect, it } from 'vitest';
import { findPlaceholders, substitutePlaceholders } from '../../../src/client/placeholders.js';

const indexes = (sql: string, backslash = false): number[] => findPlaceholders(sql, backslash).map((p) => p.index);

describe('findPlaceholders', () => {
  it('finds placeholders in plain SQL, in order, with repeats', () => {
    expect(indexes('SELECT $1, $2 + $10, f($1)')).toEqual([1, 2, 10, 1]);
  });

  it('skips string constants, including doubled quotes and prefixed forms', () => {
    expect(indexes("SELECT '$1', 'it''s $2', $3")).toEqual([3]);
    expect(indexes("SELECT E'\\' $1', $2")).toEqual([2]);
    expect(indexes("SELECT e'a\\'b $1' || $2")).toEqual([2]);
    expect(indexes("SELECT B'101', X'1F', N'$1', U&'$2', $3")).toEqual([3]);
  });

  it('plain strings end at the first lone quote unless standard_conforming_strings is off', () => {
    expect(indexes("SELECT 'a\\', $1")).toEqual([1]);
    expect(indexes("SELECT 'a\\', $1 '", true)).toEqual([]);
  });

  it('skips quoted identifiers, dollar quotes and comments', () => {
    expect(indexes('SELECT "col$1", "a""$2", $3')).toEqual([3]);
    expect(indexes('SELECT $$ $1 $$, $tag$ $2 $$ $tag$, $4')).toEqual([4]);
    expect(indexes('SELECT 1 -- $1\n, $2 /* $3 /* nested $4 */ $5 */ , $6')).toEqual([2, 6]);
    expect(indexes('SELECT U&"d$1", $2')).toEqual([2]);
  });

  it('a $ inside an identifier or after a number is not a placeholder start', () => {
    expect(indexes('SELECT a$1, foo$bar$, $2')).toEqual([2]);
    expect(indexes('SELECT 1.5e3, 0x1F, $1')).toEqual([1]);
  });

  it('an unterminated string or comment swallows the rest', () => {
    expect(indexes("SELECT 'open $1")).toEqual([]);
    expect(indexes('SELECT /* open $1')).toEqual([]);
  });
});

describe('substitutePlaceholders', () => {
  it('replaces only real placeholders', () => {
    const out = substitutePlaceholders("SELECT $1, '$1', $2 -- $1\n", ["('x'::text)", "('y''s'::text)"]);
    expect(out).toBe("SELECT ('x'::text), '$1', ('y''s'::text) -- $1\n");
  });

  it('leaves placeholders without a value alone', () => {
    expect(substitutePlaceholders('SELECT $1, $3', ['a'])).toBe('SELECT a, $3');
  });
});
