// The emulator's options, checked once at start: every problem is reported together, naming
// the option and what would be valid (the CLI passes flags straight through).
import { z } from 'zod';

const whole = (min: number) => z.number().int().min(min);

export const optionsSchema = z.object({
  port: whole(0).max(65_535).optional(),
  host: z.string().min(1).optional(),
  seed: z.string().min(1).optional(),
  demoSize: z
    .object({
      contacts: whole(0).max(5_000_000).optional(),
      companies: whole(0).max(1_000_000).optional(),
      conversations: whole(0).max(1_000_000).optional(),
    })
    .optional(),
  latencyMs: whole(0).max(600_000).optional(),
  rateLimitPerMinute: whole(6).optional(),
  stateFile: z.string().min(1).optional(),
  webhookRetryDelayMs: whole(0).optional(),
  webhookTimeoutMs: whole(1).optional(),
});

export class InvalidOptionsError extends Error {
  readonly problems: string[];
  constructor(problems: string[]) {
    super(`invalid Intercom emulator options:\n  ${problems.join('\n  ')}`);
    this.problems = problems;
  }
}

/** Throws InvalidOptionsError listing every invalid option at once. */
export function checkOptions(options: Record<string, unknown>): void {
  const { clock: _clock, random: _random, ...plain } = options;
  const result = optionsSchema.safeParse(plain);
  if (result.success) return;
  throw new InvalidOptionsError(
    result.error.issues.map((issue) => `${issue.path.join('.') || 'options'}: ${issue.message}`),
  );
}
