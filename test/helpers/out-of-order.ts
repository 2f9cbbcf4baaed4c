/** Swaps each chosen message with one up to three places after it (arrival out of event-time order, as a property test draws it). */
export function outOfOrder(lines: string[], swaps: readonly number[]): string[] {
  for (const at of swaps) {
    const i = at % lines.length;
    const j = Math.min(lines.length - 1, i + 1 + (at % 3));
    [lines[i], lines[j]] = [lines[j]!, lines[i]!];
  }
  return lines;
}
