// Salesforce record ids: 15 case-sensitive characters (3-character key prefix, then pod and
// record number) or 18 characters (the 15 plus a checksum that encodes the case of the first 15,
// so the 18-character form survives case-insensitive systems).

const checksumAlphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ012345';
const base62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
const idPattern = /^[a-zA-Z0-9]{15}(?:[a-zA-Z0-5]{3})?$/;

export function checksum(id15: string): string {
  let suffix = '';
  for (let chunk = 0; chunk < 3; chunk++) {
    let flags = 0;
    for (let i = 0; i < 5; i++) {
      const ch = id15.charCodeAt(chunk * 5 + i);
      if (ch >= 65 && ch <= 90) flags |= 1 << i;
    }
    suffix += checksumAlphabet[flags];
  }
  return suffix;
}

/**
 * The canonical 18-character form of an id given in either form, or null when the text cannot
 * be an id. An 18-character id is case-insensitive: its suffix restores the case of the 15.
 */
export function canonicalId(text: string): string | null {
  if (!idPattern.test(text)) return null;
  if (text.length === 15) return text + checksum(text);
  const suffix = text.slice(15).toUpperCase();
  let id15 = '';
  for (let chunk = 0; chunk < 3; chunk++) {
    const flags = checksumAlphabet.indexOf(suffix[chunk] ?? '');
    if (flags < 0) return null;
    for (let i = 0; i < 5; i++) {
      const ch = text[chunk * 5 + i] ?? '';
      id15 += flags & (1 << i) ? ch.toUpperCase() : ch.toLowerCase();
    }
  }
  return id15 + suffix;
}

export function keyPrefixOf(id: string): string {
  return id.slice(0, 3);
}

/** Hands out ids for one org: key prefix, pod "5g", a reserved "0", a 9-digit base-62 counter. */
export class IdFactory {
  #counters = new Map<string, number>();

  next(keyPrefix: string): string {
    const n = (this.#counters.get(keyPrefix) ?? 0) + 1;
    this.#counters.set(keyPrefix, n);
    return makeId(keyPrefix, n);
  }

  snapshot(): Record<string, number> {
    return Object.fromEntries(this.#counters);
  }

  restore(counters: Record<string, number>): void {
    this.#counters = new Map(Object.entries(counters));
  }
}

export function makeId(keyPrefix: string, n: number): string {
  let digits = '';
  let rest = n;
  for (let i = 0; i < 9; i++) {
    digits = base62[rest % 62] + digits;
    rest = Math.floor(rest / 62);
  }
  const id15 = `${keyPrefix}5g0${digits}`;
  return id15 + checksum(id15);
}
