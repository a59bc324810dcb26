// Compile-time check that the TypeScript types generated from openapi/openapi.yaml
// (openapi-typescript → target/api-types.d.ts) fit how a client such as Meshery's UI uses the
// API. `.ci/run` type-checks this file with `tsc --noEmit --strict`; nothing runs it.
import type { components, paths } from '../target/api-types';

type Json<P extends keyof paths, M extends keyof paths[P], S extends number> =
  paths[P][M] extends { responses: infer R }
    ? S extends keyof R
      ? R[S] extends { content: { 'application/json': infer B } } ? B : never
      : never
    : never;

// GET /api/system/version: mesheryctl's version probe reads these snake_case fields.
type Version = paths['/api/system/version']['get']['responses']['200']['content']['application/json'];
const version: Version = { build: 'v0.8.0', latest: 'v0.8.0', outdated: false, commitsha: 'abc1234', release_channel: 'stable' };
export const channel: string = version.release_channel;

// GET /api/user
export const user: Json<'/api/user', 'get', 200> = {
  id: 'meshery', userId: 'meshery', firstName: 'Meshery', lastName: 'Meshery', email: '', avatarUrl: '', provider: 'Local',
};

// GET /api/user/prefs, POST /api/user/prefs (partial update)
type Preference = components['schemas']['Preference'];
const update: components['schemas']['PreferenceUpdate'] = { anonymousUsageStats: false };
const prefs: Preference = {
  anonymousUsageStats: update.anonymousUsageStats ?? true,
  anonymousPerfResults: true,
  selectedK8sContexts: [],
  loadTestPrefs: { c: 1, qps: 0, t: '30s', gen: 'fortio' },
  updated_at: '2026-01-01T00:00:00Z',
};
export const updated: Json<'/api/user/prefs', 'post', 200> = prefs;

// POST /api/system/events then GET /api/system/events: the UI records client-side events with
// free-form metadata, and reads pages of them back.
const newEvent: components['schemas']['NewEvent'] = {
  severity: 'informational', action: 'deploy', category: 'pattern', description: 'deployed',
  metadata: { pattern: 'sample', dryRun: true },
};
const created: Json<'/api/system/events', 'post', 201> = {
  id: '0f8fad5b-d9cb-469f-a165-70867728950e', userId: 'meshery', actedUpon: '', operationId: '', systemId: '',
  status: 'unread', createdAt: '', updatedAt: '', ...newEvent, metadata: newEvent.metadata ?? {},
};
const query: NonNullable<paths['/api/system/events']['get']['parameters']['query']> = {
  page: 0, pagesize: 25, order: 'desc', severity: ['informational'], category: ['pattern'],
};
export const page: Json<'/api/system/events', 'get', 200> = {
  page: query.page ?? 0, pageSize: query.pagesize ?? 25, totalCount: 1, events: [created],
  countBySeverityLevel: [],
};

// Errors share one body.
export const error: components['schemas']['Error'] = {
  error: 'not found', code: 'meshery-server-1003', severity: 'ERROR',
  probableCause: 'Not found', suggestedRemediation: 'Check the identifier.',
};
