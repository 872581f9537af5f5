/**
 * Copies of byte ranges as Buffers of their own.
 *
 * Decoded values must never alias the connection's receive buffer (it is reused for the next read), so every
 * bytea value is a copy. The copy comes from `Buffer.allocUnsafe`, whose 8 KiB pool keeps small values cheap
 * to allocate. Values up to 64 bytes are copied by a plain loop: cheaper than `Buffer.copy`'s call into C++
 * (measured on Node 20, 32-byte values 195 → 123 ns).
 *
 * Private slabs were tried twice. A 32 KiB slab was faster against a replayed server answer (M3 76 → 45 µs per
 * query) but not against a real server (118 µs against 97 over 7 interleaved pairs). The second time aimed at
 * M3's "slow state": some processes settle into V8 running a full mark-compact every 40–100 ms instead of
 * scavenges (counted with `perf_hooks` GC entries: 24–45 major GCs in 3 s against none), at 150–240 µs per
 * query instead of 80–110, for the rest of their life. It shows in M3 (5 of 27 fresh processes) and never in
 * M2 or M4 (10), so the bytea Buffers' ArrayBuffers are involved; but slabs of 32, 64 and 128 KiB (skipping
 * the zero fill) fell into it too (2 of 6, 1 of 14, 0 of 13), with no clear gain in median CPU over 8 fresh
 * pairs at 64 KiB, so they were not worth pinning a slab per kept value.
 */

/** Values up to this size are copied by a loop rather than `TypedArray.set`. */
const LOOP_COPY_MAX = 64;

/** A new Buffer holding a copy of `src[offset, offset + length)`. */
export function copyBytes(src: Uint8Array, offset: number, length: number): Buffer {
  const out = Buffer.allocUnsafe(length);
  if (length <= LOOP_COPY_MAX) {
    for (let i = 0; i < length; i++) out[i] = src[offset + i];
  } else {
    out.set(src.subarray(offset, offset + length));
  }
  return out;
}
