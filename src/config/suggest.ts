// "Did you mean ...?" for misspelt keys, connector types and services.

/** Edit distance where swapping two neighbouring letters counts as one edit (optimal string alignment). */
export function editDistance(a: string, b: string): number {
  const rows = a.length + 1;
  const cols = b.length + 1;
  const d: number[] = new Array<number>(rows * cols).fill(0);
  const at = (i: number, j: number): number => d[i * cols + j] ?? 0;
  for (let i = 0; i < rows; i++) d[i * cols] = i;
  for (let j = 0; j < cols; j++) d[j] = j;
  for (let i = 1; i < rows; i++) {
    for (let j = 1; j < cols; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(at(i - 1, j) + 1, at(i, j - 1) + 1, at(i - 1, j - 1) + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) best = Math.min(best, at(i - 2, j - 2) + 1);
      d[i * cols + j] = best;
    }
  }
  return at(rows - 1, cols - 1);
}

// Below this length a shared prefix says little ("id" is the start of many keys).
const MIN_PREFIX = 4;

/**
 * The closest candidate within two edits (case ignored), or else one that the word is the
 * start of, or that starts the word (`connect_timeout` -> `connect_timeout_seconds`).
 */
export function closest(word: string, candidates: Iterable<string>, maxDistance = 2): string | undefined {
  let best: string | undefined;
  let bestDistance = maxDistance + 1;
  let byPrefix: string | undefined;
  const lower = word.toLowerCase();
  for (const candidate of candidates) {
    const other = candidate.toLowerCase();
    const distance = editDistance(lower, other);
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
    if (byPrefix === undefined && Math.min(lower.length, other.length) >= MIN_PREFIX && (other.startsWith(lower) || lower.startsWith(other))) {
      byPrefix = candidate;
    }
  }
  return best ?? byPrefix;
}

/** "; did you mean `base_url`?" or ''. */
export function didYouMean(word: string, candidates: Iterable<string>): string {
  const match = closest(word, candidates);
  return match === undefined || match === word ? '' : `; did you mean \`${match}\`?`;
}
