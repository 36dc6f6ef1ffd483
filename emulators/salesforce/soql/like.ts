// SOQL LIKE without regular expressions: `%` any run, `_` one character, `\%` and `\_` literal,
// case-insensitive. Segments between `%` are matched leftmost-first, which is exact for this
// kind of pattern and never backtracks, so no pattern can stall the server.

/** One pattern character: a lower-cased character, or null for `_`. */
type Segment = (string | null)[];

function parse(pattern: string): Segment[] {
  const segments: Segment[] = [[]];
  for (let i = 0; i < pattern.length; i++) {
    const ch = pattern[i] as string;
    const current = segments[segments.length - 1] as Segment;
    if (ch === '\\' && (pattern[i + 1] === '%' || pattern[i + 1] === '_')) {
      current.push(pattern[i + 1] as string);
      i++;
    } else if (ch === '%') segments.push([]);
    else current.push(ch === '_' ? null : ch.toLowerCase());
  }
  return segments;
}

function matchesAt(text: string, segment: Segment, at: number): boolean {
  if (at + segment.length > text.length) return false;
  for (let k = 0; k < segment.length; k++) {
    const want = segment[k];
    if (want !== null && text[at + k] !== want) return false;
  }
  return true;
}

export function likeMatcher(pattern: string): (value: string) => boolean {
  const segments = parse(pattern);
  const first = segments[0] as Segment;
  if (segments.length === 1)
    return (value) => value.length === first.length && matchesAt(value.toLowerCase(), first, 0);
  const last = segments[segments.length - 1] as Segment;
  const middle = segments.slice(1, -1).filter((s) => s.length > 0);
  return (value) => {
    const text = value.toLowerCase();
    if (!matchesAt(text, first, 0)) return false;
    const end = text.length - last.length;
    if (end < first.length || !matchesAt(text, last, end)) return false;
    let pos = first.length;
    for (const segment of middle) {
      let found = -1;
      for (let at = pos; at + segment.length <= end; at++) {
        if (matchesAt(text, segment, at)) {
          found = at;
          break;
        }
      }
      if (found < 0) return false;
      pos = found + segment.length;
    }
    return true;
  };
}
