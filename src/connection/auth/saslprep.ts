/**
 * SASLprep (RFC 4013, a profile of stringprep, RFC 3454) for SCRAM passwords, following PostgreSQL's
 * `pg_saslprep()` (src/common/saslprep.c) step for step, because the server prepared the password the same
 * way when it stored the verifier: a different answer here means a failed login.
 *
 * PostgreSQL's choices that differ from a strict RFC reading, kept on purpose:
 * - a pure-ASCII password is used unchanged (even with control characters);
 * - a password whose preparation fails (prohibited characters, bidi rules, empty result) is used raw;
 * - the prohibited-character and bidi checks look at the mapped characters before normalisation.
 *
 * Approximations (documented, affecting only exotic passwords): RFC 3454's table A.1 ("unassigned in Unicode
 * 3.2") is approximated by the running engine's `\p{Cn}`, and table D.2 (left-to-right characters) by letters
 * and spacing marks outside the right-to-left scripts. Table D.1 (right-to-left) is exact.
 */

/** A sorted list of inclusive code-point ranges. */
type Ranges = readonly (readonly [number, number])[];

function inRanges(code: number, ranges: Ranges): boolean {
  for (const [lo, hi] of ranges) {
    if (code < lo) return false;
    if (code <= hi) return true;
  }
  return false;
}

/** RFC 3454 C.1.2: non-ASCII space characters, mapped to U+0020. */
const NON_ASCII_SPACES: Ranges = [
  [0x00a0, 0x00a0],
  [0x1680, 0x1680],
  [0x2000, 0x200b],
  [0x202f, 0x202f],
  [0x205f, 0x205f],
  [0x3000, 0x3000],
];

/** RFC 3454 B.1: characters commonly mapped to nothing (soft hyphen, joiners, variation selectors, BOM). */
const MAPPED_TO_NOTHING: Ranges = [
  [0x00ad, 0x00ad],
  [0x034f, 0x034f],
  [0x1806, 0x1806],
  [0x180b, 0x180d],
  [0x200b, 0x200d],
  [0x2060, 0x2060],
  [0xfe00, 0xfe0f],
  [0xfeff, 0xfeff],
];

/**
 * RFC 4013 section 2.3's prohibited output: RFC 3454 tables C.1.2, C.2.1, C.2.2, C.3, C.4, C.5, C.6, C.7, C.8
 * and C.9 merged into sorted ranges.
 */
const PROHIBITED: Ranges = [
  [0x0000, 0x001f], // C.2.1 ASCII controls
  [0x007f, 0x00a0], // C.2.1 DEL, C.2.2 C1 controls, C.1.2 no-break space
  [0x0340, 0x0341], // C.8
  [0x06dd, 0x06dd], // C.2.2
  [0x070f, 0x070f], // C.2.2
  [0x1680, 0x1680], // C.1.2
  [0x180e, 0x180e], // C.2.2
  [0x2000, 0x200f], // C.1.2 spaces, C.2.2 joiners, C.8 direction marks
  [0x2028, 0x202f], // C.2.2 separators, C.8 embeddings, C.1.2
  [0x205f, 0x2063], // C.1.2, C.2.2
  [0x206a, 0x206f], // C.2.2 / C.8
  [0x2ff0, 0x2ffb], // C.7 ideographic description characters
  [0x3000, 0x3000], // C.1.2
  [0xd800, 0xf8ff], // C.5 surrogates, C.3 private use
  [0xfdd0, 0xfdef], // C.4
  [0xfeff, 0xfeff], // C.2.2
  [0xfff9, 0xffff], // C.2.2, C.6, C.4
  [0x1d173, 0x1d17a], // C.2.2 musical formatting
  [0xe0001, 0xe0001], // C.9
  [0xe0020, 0xe007f], // C.9
  [0xf0000, 0x10ffff], // C.3 planes 15-16 private use (their non-characters are C.4 too)
];

/** RFC 3454 D.1: characters with bidirectional property R or AL (Unicode 3.2). */
const RAND_AL_CAT: Ranges = [
  [0x05be, 0x05be],
  [0x05c0, 0x05c0],
  [0x05c3, 0x05c3],
  [0x05d0, 0x05ea],
  [0x05f0, 0x05f4],
  [0x061b, 0x061b],
  [0x061f, 0x061f],
  [0x0621, 0x063a],
  [0x0640, 0x064a],
  [0x066d, 0x066f],
  [0x0671, 0x06d5],
  [0x06dd, 0x06dd],
  [0x06e5, 0x06e6],
  [0x06fa, 0x06fe],
  [0x0700, 0x070d],
  [0x0710, 0x0710],
  [0x0712, 0x072c],
  [0x0780, 0x07a5],
  [0x07b1, 0x07b1],
  [0x200f, 0x200f],
  [0xfb1d, 0xfb1d],
  [0xfb1f, 0xfb28],
  [0xfb2a, 0xfb36],
  [0xfb38, 0xfb3c],
  [0xfb3e, 0xfb3e],
  [0xfb40, 0xfb41],
  [0xfb43, 0xfb44],
  [0xfb46, 0xfbb1],
  [0xfbd3, 0xfd3d],
  [0xfd50, 0xfd8f],
  [0xfd92, 0xfdc7],
  [0xfdf0, 0xfdfc],
  [0xfe70, 0xfe74],
  [0xfe76, 0xfefc],
];

/** Unassigned code points, noncharacters included (which covers C.4 in planes 1 to 14). */
const UNASSIGNED = /\p{Cn}/u;
const LONE_SURROGATE = /\p{Cs}/u;
const LEFT_TO_RIGHT = /[\p{L}\p{Mc}]/u;
const RIGHT_TO_LEFT_SCRIPT = /[\p{Script=Hebrew}\p{Script=Arabic}\p{Script=Syriac}\p{Script=Thaana}\p{Script=Nko}]/u;

function isLCat(code: number): boolean {
  const ch = String.fromCodePoint(code);
  return LEFT_TO_RIGHT.test(ch) && !RIGHT_TO_LEFT_SCRIPT.test(ch) && !inRanges(code, RAND_AL_CAT);
}

/**
 * Prepares a password for SCRAM as PostgreSQL does. Returns the prepared string, or the password unchanged
 * when it is ASCII or when SASLprep would reject it (PostgreSQL then uses the raw bytes, on both sides).
 */
export function saslprep(password: string): string {
  if (/^[\x00-\x7f]*$/.test(password)) return password;
  // A lone surrogate cannot be sent as UTF-8 at all; PostgreSQL treats invalid UTF-8 as "use raw".
  if (LONE_SURROGATE.test(password)) return password;

  // 1) Map: non-ASCII spaces become spaces; "commonly mapped to nothing" characters disappear.
  const mapped: number[] = [];
  for (const ch of password) {
    const code = ch.codePointAt(0) as number;
    if (inRanges(code, NON_ASCII_SPACES)) mapped.push(0x20);
    else if (!inRanges(code, MAPPED_TO_NOTHING)) mapped.push(code);
  }
  if (mapped.length === 0) return password;

  // 2) Normalise (NFKC). 3) and 4), prohibited characters and bidi, check the mapped characters as PostgreSQL.
  const normalized = String.fromCodePoint(...mapped).normalize('NFKC');
  for (const code of mapped) {
    if (inRanges(code, PROHIBITED) || UNASSIGNED.test(String.fromCodePoint(code))) return password;
  }
  if (mapped.some((code) => inRanges(code, RAND_AL_CAT))) {
    if (mapped.some(isLCat)) return password;
    if (!inRanges(mapped[0], RAND_AL_CAT) || !inRanges(mapped[mapped.length - 1], RAND_AL_CAT)) return password;
  }
  return normalized;
}
