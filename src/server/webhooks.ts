// Webhook intake (STYLE convention 8): verify the signature on the raw bytes, store, acknowledge,
// then process in a job keyed by the record, so a burst of events for one person coalesces.
// Nothing here calls Intercom or Salesforce: the answer must leave well inside Intercom's 5 s.
import { createHash } from 'node:crypto';
import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import type { Logger } from 'pino';
import {
  parseIntercomNotification,
  type IntercomNotification,
} from '../connectors/intercom/index.ts';
import type { NewInboxEvent } from '../store/index.ts';
import { errorResponse } from './errors.ts';

/** Intercom's notifications are a few kilobytes; anything this large is not one. */
export const webhookBodyLimit = 1024 * 1024;

export interface WebhookIntake {
  /** Whether the signature header is right for exactly these bytes. */
  verify(rawBody: Uint8Array, signatureHeader: string | undefined): boolean | Promise<boolean>;
  /** Stores the event durably; a repeated delivery answers the first one's row. */
  store(
    event: NewInboxEvent,
  ): Promise<{ readonly id: number; readonly duplicate: boolean; readonly processed: boolean }>;
  /** Queues the record's sync job, keyed by `recordKey` so a burst coalesces into one run. */
  enqueue(recordKey: string, inboxId: number): Promise<void>;
}

/** The job key of an Intercom contact, and the inbox's record key. */
export const intercomContactKey = (contactId: string) => `intercom:contact:${contactId}`;

/**
 * The contact a notification is about: the item itself (`contact.user.updated`, …) or the
 * contact of a tag event (`contact.lead.tag.created`). Other topics concern no contact.
 */
function contactIdOf(notification: IntercomNotification): string | undefined {
  if (!notification.topic.startsWith('contact.') && !notification.topic.startsWith('visitor.'))
    return undefined;
  const item = notification.data.item;
  if (item.type === 'contact' && item.id !== undefined) return String(item.id);
  const contact = (item as { contact?: { id?: unknown } }).contact;
  if (typeof contact?.id === 'string' && contact.id !== '') return contact.id;
  return undefined;
}

export function webhookRoutes(deps: { log: Logger; intake: WebhookIntake }): Hono {
  const app = new Hono();

  app.post(
    '/intercom',
    bodyLimit({
      maxSize: webhookBodyLimit,
      onError: (c) =>
        errorResponse(
          c,
          413,
          'payload_too_large',
          `a webhook body may be at most ${webhookBodyLimit} bytes`,
        ),
    }),
    async (c) => {
      // Read once; the signature is over these bytes, never over JSON serialised again.
      const raw = new Uint8Array(await c.req.arrayBuffer());
      if (!(await deps.intake.verify(raw, c.req.header('X-Hub-Signature')))) {
        deps.log.warn(
          { bytes: raw.length },
          'refused an Intercom webhook: bad or missing signature',
        );
        return errorResponse(
          c,
          401,
          'invalid_signature',
          'the X-Hub-Signature header is missing or does not match the body',
        );
      }
      const body = Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength);
      const parsed = parseIntercomNotification(body);
      if (!parsed.ok) {
        const { error } = parsed;
        const malformed = error.code === 'validation' && error.errorCode === 'malformed_json';
        return errorResponse(
          c,
          400,
          malformed ? 'invalid_json' : 'invalid_notification',
          malformed
            ? 'the body is not JSON'
            : 'the body is not an Intercom notification (type notification_event)',
          error.code === 'validation'
            ? { message: error.message, fields: error.fields }
            : undefined,
        );
      }
      const notification = parsed.value;
      if (notification.topic === 'ping') return c.json({ received: true, topic: 'ping' });

      const contactId = contactIdOf(notification);
      if (contactId === undefined) {
        deps.log.debug({ topic: notification.topic }, 'ignored an Intercom webhook topic');
        return c.json({ received: true, ignored: true });
      }
      const recordKey = intercomContactKey(contactId);
      const stored = await deps.intake.store({
        source: 'intercom',
        topic: notification.topic,
        // A notification without an id is recognised again by its bytes.
        eventId: notification.id ?? `sha256:${createHash('sha256').update(body).digest('hex')}`,
        recordKey,
        body: body.toString('utf8'),
      });
      // A duplicate whose first delivery was stored but never queued (a crash in between) is
      // queued now; the job key makes a second enqueue of a queued record harmless.
      if (!stored.processed) await deps.intake.enqueue(recordKey, stored.id);
      deps.log.debug(
        { topic: notification.topic, recordKey, inboxId: stored.id, duplicate: stored.duplicate },
        'stored an Intercom webhook',
      );
      return c.json({ received: true, duplicate: stored.duplicate });
    },
  );

  return app;
}
