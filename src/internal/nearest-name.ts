/**
 * "Did you mean …?" for option names: the known name closest to an unknown one, so a typo or another library's
 * spelling (`max_size`, `maxsize`, `maxSise`) points at the right option instead of being silently ignored.
 */

/** Lower case without `_` and `-`: `max_size`, `MaxSize` and `max-size` all become `maxsize`. */
function fold(name: string): string {
  return name.toLowerCase().replace(/[_-]/g, '');
}

/** Levenshtein distance, stopping early once it exceeds `limit` (the answer is then `limit + 1`). */
function distance(a: string, b: string, limit: number): number {
  if (Math.abs(a.length - b.length) > limit) return limit + 1;
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    let rowMin = i;
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      const value = Math.min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost);
      current.push(value);
      if (value < rowMin) rowMin = value;
    }
    if (rowMin > limit) return limit + 1;
    previous = current;
  }
  return previous[b.length];
}

/**
 * The entry of `known` nearest to `name`: equal once case, `_` and `-` are ignored, else within an edit
 * distance of about a third of its length (at most 3). Undefined when nothing is that close.
 */
export function nearestName(name: string, known: Iterable<string>): string | undefined {
  const folded = fold(name);
  let best: string | undefined;
  let bestScore = Math.min(3, Math.max(1, Math.floor(folded.length / 3)));
  for (const candidate of known) {
    const score = distance(folded, fold(candidate), bestScore);
    if (score === 0) return candidate;
    if (score < bestScore || (score === bestScore && best === undefined)) {
      best = candidate;
      bestScore = score;
    }
  }
  return best;
}
