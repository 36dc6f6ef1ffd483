// Injected faults and call statistics, both keyed by method and path.

export interface FaultSpec {
  /** HTTP method to match (any when absent). */
  readonly method?: string;
  /** Path pattern: a regular expression source, or a glob with `*` (e.g. `/services/data/* /sobjects/Lead*`). */
  readonly path: string;
  readonly status?: number;
  readonly errorCode?: string;
  readonly message?: string;
  /** Added latency before answering (or before the real answer when no status is set). */
  readonly latencyMs?: number;
  /** How many matching requests it hits, then it is spent. */
  readonly times?: number;
  /** Chance (0–1) that a matching request is hit. */
  readonly probability?: number;
}

export interface Fault extends FaultSpec {
  readonly id: number;
  hits: number;
  readonly regex: RegExp;
}

function toRegex(pattern: string): RegExp {
  if (pattern.startsWith('^') || pattern.endsWith('$')) return new RegExp(pattern);
  const source = pattern
    .split('*')
    .map((p) => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
    .join('.*');
  return new RegExp(`^${source}$`);
}

export class Faults {
  #faults: Fault[] = [];
  #next = 1;
  readonly #random: () => number;

  constructor(random: () => number = Math.random) {
    this.#random = random;
  }

  add(spec: FaultSpec): Fault {
    const fault: Fault = { ...spec, id: this.#next++, hits: 0, regex: toRegex(spec.path) };
    this.#faults.push(fault);
    return fault;
  }

  list(): Fault[] {
    return this.#faults;
  }

  clear(): void {
    this.#faults = [];
  }

  /** The fault that hits this request, if any (counting the hit). */
  match(method: string, path: string): Fault | undefined {
    for (const fault of this.#faults) {
      if (fault.method && fault.method.toUpperCase() !== method) continue;
      if (!fault.regex.test(path)) continue;
      if (fault.times !== undefined && fault.hits >= fault.times) continue;
      if (fault.probability !== undefined && this.#random() >= fault.probability) continue;
      fault.hits++;
      return fault;
    }
    return undefined;
  }
}

/** Collapses ids and versions so stats group by endpoint: `GET /services/data/vXX.X/sobjects/Lead/{id}`. */
export function endpointOf(path: string): string {
  const parts = path.split('/');
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i] as string;
    if (/^v\d+\.\d$/.test(part)) parts[i] = 'vXX.X';
    else if (
      (part.length === 15 || part.length === 18) &&
      /^[a-zA-Z0-9]+$/.test(part) &&
      /\d/.test(part)
    )
      parts[i] = '{id}';
    else if (parts[i - 1] === 'query' && /^[A-Za-z0-9]+-\d+$/.test(part)) parts[i] = '{locator}';
  }
  return parts.join('/');
}

export class Stats {
  readonly calls = new Map<string, number>();

  count(method: string, path: string): void {
    const key = `${method} ${endpointOf(path)}`;
    this.calls.set(key, (this.calls.get(key) ?? 0) + 1);
  }

  clear(): void {
    this.calls.clear();
  }
}
