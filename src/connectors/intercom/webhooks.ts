// Intercom webhook notifications: the signature over the raw bytes, then the envelope.
// `X-Hub-Signature: sha1=<hex>` = HMAC-SHA1(key = the app's client secret, message = raw body).
// Verifying a re-serialised JSON instead of the bytes received would reject genuine deliveries
// (key order, spacing, unicode escapes) — so the caller must keep the body as a Buffer.
import { createHmac, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import { err, ok, type ConnectorError, type Result } from '../result.ts';

export function verifyIntercomSignature(
  rawBody: Buffer,
  header: string | undefined,
  clientSecret: string,
): boolean {
  if (!header || clientSecret === '') return false;
  const m = /^sha1=([0-9a-fA-F]{40})$/.exec(header.trim());
  if (!m?.[1]) return false;
  const expected = createHmac('sha1', clientSecret).update(rawBody).digest();
  const given = Buffer.from(m[1], 'hex');
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/** Webhook timestamps: UNIX seconds, or (contacts and companies, observed) ISO-8601 strings. */
const timestamp = z.union([z.number(), z.string()]);

const item = z.looseObject({
  type: z.string(),
  id: z.union([z.string(), z.number()]).optional(),
});

export const notificationSchema = z.looseObject({
  type: z.literal('notification_event'),
  app_id: z.string(),
  // `null` on the recorded `ping` notification.
  id: z.string().min(1).nullable(),
  topic: z.string().min(1),
  data: z.looseObject({
    type: z.string().optional(),
    item,
  }),
  created_at: z.number().int(),
  delivery_attempts: z.number().int().min(0).default(1),
  delivery_status: z.string().nullish(),
  delivered_at: z.number().nullish(),
  first_sent_at: z.number().nullish(),
  links: z.unknown().optional(),
  self: z.unknown().optional(),
});

export type IntercomNotification = z.infer<typeof notificationSchema>;

/**
 * Parses a notification body (raw bytes, text, or already-parsed JSON). Malformed JSON and a
 * body that is not a notification are `validation` errors (`malformed_json`,
 * `invalid_notification`), with the offending paths as fields.
 */
export function parseIntercomNotification(
  body: Buffer | string | unknown,
): Result<IntercomNotification> {
  let json: unknown = body;
  if (typeof body === 'string' || Buffer.isBuffer(body)) {
    try {
      json = JSON.parse(body.toString());
    } catch (error) {
      return err(invalid('malformed_json', (error as Error).message, []));
    }
  }
  const parsed = notificationSchema.safeParse(json);
  if (parsed.success) return ok(parsed.data);
  const fields = [...new Set(parsed.error.issues.map((issue) => issue.path.join('.') || '(root)'))];
  return err(
    invalid(
      'invalid_notification',
      parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; '),
      fields,
    ),
  );
}

function invalid(errorCode: string, message: string, fields: readonly string[]): ConnectorError {
  return { system: 'intercom', code: 'validation', errorCode, message, fields };
}

/** A webhook or API timestamp as UNIX seconds (`undefined` when absent or unreadable). */
export function toUnixSeconds(value: unknown): number | undefined {
  const parsed = timestamp.safeParse(value);
  if (!parsed.success) return undefined;
  if (typeof parsed.data === 'number') return parsed.data;
  const ms = Date.parse(parsed.data);
  return Number.isFinite(ms) ? Math.floor(ms / 1000) : undefined;
}
