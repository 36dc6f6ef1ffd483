// Seed 004: changing the attribute people are matched on unmatches everyone, and matching starts
// again going forward. The matching settings the links were made under are kept as a checkpoint;
// the first run that sees different ones drops every link, once, whoever changed the settings
// (config apply, the admin API) and however many workers notice at the same time.
import { identifierSettingChanged, type MatchingSettings } from '../core/index.ts';
import type { CheckpointsRepository, EventsRepository, LinksRepository } from '../store/index.ts';

export const matchingCheckpoint = 'people.matching';

export async function followMatchingSettings(
  store: {
    readonly checkpoints: CheckpointsRepository;
    readonly links: LinksRepository;
    readonly events: EventsRepository;
  },
  matching: MatchingSettings,
): Promise<void> {
  const stored = await store.checkpoints.get(matchingCheckpoint);
  if (!stored) {
    await store.checkpoints.set(matchingCheckpoint, matching, 0);
    return;
  }
  const before = stored.value as MatchingSettings;
  if (JSON.stringify(before) === JSON.stringify(matching)) return;
  const { dropAllLinks, reason } = identifierSettingChanged(before, matching);
  // Only the worker that moves the checkpoint drops the links.
  const moved = await store.checkpoints.set(matchingCheckpoint, matching, stored.version);
  if (!moved || !dropAllLinks) return;
  const dropped = await store.links.dropAll(reason);
  await store.events.append({
    kind: 'links.reset',
    subject: 'sync',
    data: { reason, dropped, before, after: matching },
  });
}
