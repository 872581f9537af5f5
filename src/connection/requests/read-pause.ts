/**
 * Shared pausing of a wire's socket reads. Slow consumers of COPY out pause reading so the server, not the
 * driver, buffers the rest (TCP flow control); a counter per wire keeps two such consumers from resuming
 * each other's pause.
 */
import type { Wire } from '../wire.js';

const pauses = new WeakMap<Wire, number>();

/** Stops reading from the socket until every pauser has resumed. */
export function pauseReading(wire: Wire): void {
  const n = pauses.get(wire) ?? 0;
  pauses.set(wire, n + 1);
  if (n === 0) wire.setReading(false);
}

/** Undoes one {@link pauseReading}; reading resumes when none is left. */
export function resumeReading(wire: Wire): void {
  const n = pauses.get(wire) ?? 0;
  if (n <= 0) return;
  pauses.set(wire, n - 1);
  if (n === 1) wire.setReading(true);
}
