// conversation_statistics, derived from the parts. REST answers carry UNIX seconds and leave out
// what has not happened (the 2.14 schema types these fields as non-nullable integers); webhook
// items carry ISO-8601 strings and nulls, as the recorded conversation notifications do.
import type { ConversationRecord } from './state.ts';
import type { Flavour } from './views.ts';

export function statisticsView(c: ConversationRecord, flavour: Flavour) {
  const contactReplies: number[] = [];
  const adminReplies: number[] = [];
  const assignments: number[] = [];
  const closes: { at: number; by: string }[] = [];
  let reopens = 0;
  if (c.source.delivered_as === 'customer_initiated') contactReplies.push(c.created_at);
  for (const part of c.parts) {
    const byContact = part.author.type === 'user' || part.author.type === 'lead';
    if (part.part_type === 'comment' && byContact) contactReplies.push(part.created_at);
    if (part.part_type === 'comment' && part.author.type === 'admin')
      adminReplies.push(part.created_at);
    if (part.part_type === 'assignment') assignments.push(part.created_at);
    if (part.part_type === 'close') closes.push({ at: part.created_at, by: part.author.id });
    if (part.part_type === 'open' && closes.length > 0) reopens += 1;
  }
  const since = (at: number | undefined) => (at === undefined ? undefined : at - c.created_at);
  // Reply times: from each contact message to the next admin reply.
  const replyTimes: number[] = [];
  for (const at of contactReplies) {
    const reply = adminReplies.find((replied) => replied >= at);
    if (reply !== undefined) replyTimes.push(reply - at);
  }
  replyTimes.sort((a, b) => a - b);
  const median =
    replyTimes.length === 0 ? undefined : replyTimes[Math.floor((replyTimes.length - 1) / 2)];
  const lastAssignment = assignments.at(-1);
  const afterLastAssignment =
    lastAssignment === undefined ? undefined : adminReplies.find((at) => at >= lastAssignment);
  const values: Record<string, number | string | undefined> = {
    time_to_assignment: since(assignments[0]),
    time_to_admin_reply: since(adminReplies[0]),
    time_to_first_close: since(closes[0]?.at),
    time_to_last_close: since(closes.at(-1)?.at),
    median_time_to_reply: median,
    first_contact_reply_at: contactReplies[0],
    first_assignment_at: assignments[0],
    first_admin_reply_at: adminReplies[0],
    first_close_at: closes[0]?.at,
    last_assignment_at: lastAssignment,
    last_assignment_admin_reply_at: afterLastAssignment,
    last_contact_reply_at: contactReplies.at(-1),
    last_admin_reply_at: adminReplies.at(-1),
    last_close_at: closes.at(-1)?.at,
    last_closed_by_id: closes.at(-1)?.by,
    // Handling time needs the teammate's activity, which the emulator does not model.
    handling_time: undefined,
  };
  const timestamps = new Set([
    'first_contact_reply_at',
    'first_assignment_at',
    'first_admin_reply_at',
    'first_close_at',
    'last_assignment_at',
    'last_assignment_admin_reply_at',
    'last_contact_reply_at',
    'last_admin_reply_at',
    'last_close_at',
  ]);
  const view: Record<string, unknown> = { type: 'conversation_statistics' };
  for (const [name, value] of Object.entries(values)) {
    if (flavour === 'rest') {
      if (value !== undefined) view[name] = value;
    } else if (value === undefined) {
      view[name] = null;
    } else {
      view[name] =
        timestamps.has(name) && typeof value === 'number'
          ? new Date(value * 1000).toISOString()
          : value;
    }
  }
  view['count_reopens'] = reopens;
  view['count_assignments'] = assignments.length;
  view['count_conversation_parts'] = c.parts.length + 1;
  view['assigned_team_first_response_time'] = [];
  view['assigned_team_first_response_time_in_office_hours'] = [];
  return view;
}
