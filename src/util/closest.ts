/** The candidate nearest to `text` by edit distance, if it is near enough to be a typo of it. */
export function closest(text: string, candidates: readonly string[]): string | undefined {
  let best: { candidate: string; distance: number } | undefined;
  for (const candidate of candidates) {
    const distance = editDistance(text.toLowerCase(), candidate.toLowerCase());
    if (!best || distance < best.distance) best = { candidate, distance };
  }
  return best && best.distance <= Math.max(2, Math.floor(text.length / 4)) ? best.candidate : undefined;
}

/**
 * The candidates nearest to `text` by edit distance (those at the smallest distance, at most
 * `max`), if near enough to be a typo of it: eu-west-01 -> [eu-west-1].
 */
export function nearest(text: string, candidates: readonly string[], max: number): string[] {
  const scored = candidates.map((candidate) => ({
    candidate,
    distance: editDistance(text.toLowerCase(), candidate.toLowerCase()),
  }));
  const best = Math.min(...scored.map((s) => s.distance));
  if (!(best <= Math.max(2, Math.floor(text.length / 4)))) return [];
  return scored
    .filter((s) => s.distance === best)
    .slice(0, max)
    .map((s) => s.candidate);
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++)
      current[j] = Math.min(
        (previous[j] ?? 0) + 1,
        (current[j - 1] ?? 0) + 1,
        (previous[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1),
      );
    previous = current;
  }
  return previous[b.length] ?? 0;
}
