import type { EmulatorContext } from '../context.ts';
import { notFound, type RestRequest, type RestResponse } from '../rest/types.ts';

export class BulkService {
  readonly #ctx: EmulatorContext;
  readonly #delayMs: number;
  constructor(ctx: EmulatorContext, options: { delayMs: number }) {
    this.#ctx = ctx;
    this.#delayMs = options.delayMs;
  }
  async handle(_ctx: EmulatorContext, _req: RestRequest): Promise<RestResponse> {
    void this.#ctx;
    void this.#delayMs;
    return notFound();
  }
  clear(): void {}
}
