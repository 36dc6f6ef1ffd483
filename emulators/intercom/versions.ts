// Intercom-Version: the SDK sends 2.14. 2.11 to 2.16 are served; shapes differ only where the
// OpenAPI descriptions differ (2.16: contact owner_id is a string, an unassigned conversation
// has admin_assignee_id and team_assignee_id 0, priority is a level). Other values of the
// header are refused with Intercom's error.
import { ApiError } from './errors.ts';

export const supportedVersions = ['2.11', '2.12', '2.13', '2.14', '2.15', '2.16'] as const;
export type ApiVersion = (typeof supportedVersions)[number];
export const defaultVersion: ApiVersion = '2.14';

export function parseVersion(header: string | undefined): ApiVersion {
  if (header === undefined || header.trim() === '') return defaultVersion;
  const value = header.trim().replace(/^@/, '');
  const found = supportedVersions.find((version) => version === value);
  if (found !== undefined) return found;
  throw new ApiError(
    400,
    'intercom_version_invalid',
    `The requested version could not be found (the emulator serves ${supportedVersions.join(', ')})`,
  );
}

export const ownerIdIsString = (version: ApiVersion) => version === '2.16';
export const unassignedIsZero = (version: ApiVersion) => version === '2.16';
/** 2.16 replaces priority/not_priority with levels; the mapping is the emulator's reading. */
export const priorityOf = (version: ApiVersion, priority: 'priority' | 'not_priority') =>
  version !== '2.16' ? priority : priority === 'priority' ? 'high' : 'none';
