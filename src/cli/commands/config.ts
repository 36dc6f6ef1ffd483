import { readFileSync, writeFileSync } from 'node:fs';
import { createInterface } from 'node:readline/promises';
import { Document, isMap, isSeq, parse as parseYaml } from 'yaml';
import { isInteractive } from '../../config/index.ts';
import { parseSettings } from '../../core/index.ts';
import { VersionConflictError, type Store } from '../../store/index.ts';
import { diffSettings, readSyncSettings, writeSyncSettings } from '../../sync/settings-service.ts';
import { databaseOptions, UsageError, type Command, type CommandContext } from '../command.ts';
import {
  changeLine,
  reportValidation,
  schemaProblemLine,
  validateAgainstConnections,
} from './settings-output.ts';
import { authorOf, authorOption, withStore } from './support.ts';

export const configCommand: Command = {
  name: 'config',
  summary: 'Export the sync settings as YAML, or apply a YAML file after validating it.',
  usage: 'tandem config export [--output FILE] | tandem config apply FILE [--yes] [options]',
  details: [
    'export: the current people-sync settings, every default filled in (docs/mappings.md).',
    'apply: checks FILE against the settings schema and, when both systems are connected,',
    'against Salesforce describe and Intercom data attributes (--offline: the schema only);',
    'lists every problem and refuses',
    '(exit 1) if there is any error; otherwise shows the changes (old → new per path) and stores',
    'them as a new version with its author. Asks first on a terminal; --yes applies at once.',
  ].join('\n'),
  allowPositionals: true,
  options: {
    ...databaseOptions,
    ...authorOption,
    output: {
      type: 'string',
      short: 'o',
      value: 'FILE',
      describe: 'export: write FILE, not stdout',
    },
    yes: { type: 'boolean', short: 'y', describe: 'apply: no confirmation question' },
    offline: {
      type: 'boolean',
      describe: 'apply: check the schema only, not Salesforce and Intercom',
    },
  },
  async run(context) {
    const [action, ...rest] = context.positionals;
    if (action === 'export') {
      if (rest.length > 0) throw new UsageError(`unexpected argument "${rest[0]}"`);
      return withStore(context, (store) => exportSettings(context, store));
    }
    if (action === 'apply') {
      const [file, ...extra] = rest;
      if (file === undefined) throw new UsageError('apply needs the FILE to apply');
      if (extra.length > 0) throw new UsageError(`unexpected argument "${extra[0]}"`);
      return applyFile(context, file);
    }
    throw new UsageError(
      action === undefined
        ? 'say what to do: export or apply FILE'
        : `unknown action "${action}": export or apply FILE`,
    );
  },
};

async function exportSettings(context: CommandContext, store: Store): Promise<number> {
  const current = await readSyncSettings(store.settings);
  if (!current.ok) {
    context.err(`The stored settings (version ${current.version}) are not valid any more:`);
    for (const problem of current.problems) context.err(schemaProblemLine(problem));
    return 1;
  }
  const origin =
    current.version === 0
      ? 'defaults (nothing applied yet)'
      : `version ${current.version}, applied ${current.updatedAt?.toISOString()} by ${current.updatedBy}`;
  const text = [
    `# Tandem people-sync settings: ${origin}.`,
    '# Edit, then `tandem config apply FILE`. Every key is explained in docs/mappings.md.',
    settingsYaml(current.settings),
  ].join('\n');
  const output = context.values['output'];
  if (typeof output === 'string') {
    writeFileSync(output, text);
    context.out(`Wrote the settings (${origin}) to ${output}.`);
  } else {
    for (const line of text.replace(/\n$/, '').split('\n')) context.out(line);
  }
  return 0;
}

/** YAML with one line per mapping and per condition, as docs/mappings.md shows them. */
function settingsYaml(settings: unknown): string {
  const document = new Document(settings);
  const oneLineItems = (path: readonly string[]) => {
    const node = document.getIn(path, true);
    if (isSeq(node)) for (const item of node.items) if (isMap(item)) item.flow = true;
  };
  oneLineItems(['mappings', 'Lead']);
  oneLineItems(['mappings', 'Contact']);
  oneLineItems(['leadCreation', 'threshold', 'conditions']);
  for (const path of [
    ['leadCreation', 'threshold', 'roles'],
    ['leadCreation', 'threshold', 'tagsAny'],
  ]) {
    const node = document.getIn(path, true);
    if (isSeq(node)) node.flow = true;
  }
  return document.toString({ lineWidth: 0 });
}

async function applyFile(context: CommandContext, file: string): Promise<number> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    context.err(
      `tandem config apply: ${file} cannot be read (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`,
    );
    return 1;
  }
  let input: unknown;
  try {
    input = parseYaml(text);
  } catch (error) {
    context.err(
      `tandem config apply: ${file} is not valid YAML: ${(error as Error).message.split('\n')[0]}`,
    );
    return 1;
  }
  const parsed = parseSettings(input);
  if (!parsed.ok) {
    context.err(
      `${file} has ${parsed.problems.length} problem${parsed.problems.length === 1 ? '' : 's'}; nothing was applied:`,
    );
    for (const problem of parsed.problems) context.err(schemaProblemLine(problem));
    return 1;
  }
  const next = parsed.settings;

  return withStore(context, async (store) => {
    if (!context.values['offline']) {
      const live = await validateAgainstConnections(store, next);
      // Not connected yet: settings may be prepared first; `tandem validate` checks them later.
      const notConnected = !live.checked && live.errors.length === 0;
      const errors = notConnected ? 0 : reportValidation(context, live);
      if (notConnected)
        for (const reason of live.reasons)
          context.out(`Live checks skipped: ${reason}; run \`tandem validate\` once connected.`);
      if (errors > 0) {
        if (live.checked) context.err('Nothing was applied.');
        return 1;
      }
    }
    const current = await readSyncSettings(store.settings);
    const before = current.ok ? current.settings : undefined;
    const changes = diffSettings(before ?? {}, next);
    if (changes.length === 0) {
      context.out(`No changes: ${file} matches version ${current.version}.`);
      return 0;
    }
    context.out(
      `Changes from version ${current.version}${current.version === 0 ? ' (the defaults)' : ''}:`,
    );
    for (const change of changes) context.out(changeLine(change));
    if (!context.values['yes']) {
      if (!isInteractive() || !process.stdin.isTTY) {
        context.err('Not applied: run again with --yes to apply these changes.');
        return 1;
      }
      if (!(await confirm('Apply these changes? [y/N] '))) {
        context.out('Not applied.');
        return 1;
      }
    }
    const author = authorOf(context);
    try {
      const version = await writeSyncSettings(store.settings, next, author, current.version);
      context.out(`Applied as version ${version} by ${author}.`);
      return 0;
    } catch (error) {
      if (!(error instanceof VersionConflictError)) throw error;
      context.err(
        `tandem config apply: the settings changed meanwhile (now version ${error.actual}); export them again and re-apply your edit`,
      );
      return 1;
    }
  });
}

async function confirm(question: string): Promise<boolean> {
  const prompt = createInterface({ input: process.stdin, output: process.stdout });
  try {
    return /^y(es)?$/i.test((await prompt.question(question)).trim());
  } finally {
    prompt.close();
  }
}
