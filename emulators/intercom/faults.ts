// Injected faults: for a method and path pattern, answer a status (with the error envelope)
// and/or add latency, a number of `times` or with a `probability`.
import { z } from 'zod';

export const faultSchema = z.object({
  method: z.enum(['GET', 'POST', 'PUT', 'DELETE', '*']).default('*'),
  /** A path with `*` wildcards, e.g. /contacts/* */
  path: z.string().min(1),
  status: z.number().int().min(400).max(599).optional(),
  latencyMs: z.number().int().min(0).max(120_000).optional(),
  times: z.number().int().min(1).optional(),
  probability: z.number().min(0).max(1).optional(),
  /** Error code in the envelope; defaults by status. */
  code: z.string().optional(),
  message: z.string().optional(),
});
export type FaultInput = z.infer<typeof faultSchema>;

export interface Fault extends FaultInput {
  id: number;
  matcher: RegExp;
  hits: number;
}

const codes: Record<number, string> = {
  400: 'bad_request',
  401: 'unauthorized',
  403: 'api_plan_restricted',
  404: 'not_found',
  408: 'request_timeout',
  409: 'conflict',
  422: 'data_invalid',
  429: 'rate_limit_exceeded',
  500: 'server_error',
  502: 'server_error',
  503: 'service_unavailable',
  504: 'server_error',
};
export const defaultCode = (status: number) =>
  codes[status] ?? (status >= 500 ? 'server_error' : 'client_error');

export class Faults {
  private list: Fault[] = [];
  private nextId = 1;
  private random: () => number;

  constructor(random: () => number = Math.random) {
    this.random = random;
  }

  add(input: FaultInput): Fault {
    const pattern = input.path
      .split('*')
      .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
      .join('.*');
    const fault: Fault = {
      ...input,
      id: this.nextId++,
      matcher: new RegExp(`^${pattern}$`),
      hits: 0,
    };
    this.list.push(fault);
    return fault;
  }

  clear(): void {
    this.list = [];
  }

  all(): Omit<Fault, 'matcher'>[] {
    return this.list.map(({ matcher: _matcher, ...rest }) => rest);
  }

  /** The fault that applies to this request, if any; counts it against `times`. */
  take(method: string, path: string): Fault | undefined {
    for (const fault of this.list) {
      if (fault.method !== '*' && fault.method !== method) continue;
      if (!fault.matcher.test(path)) continue;
      if (fault.probability !== undefined && this.random() >= fault.probability) continue;
      fault.hits += 1;
      if (fault.times !== undefined && fault.hits >= fault.times)
        this.list = this.list.filter((other) => other !== fault);
      return fault;
    }
    return undefined;
  }
}
