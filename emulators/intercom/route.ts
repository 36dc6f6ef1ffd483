import type { ApiRequest } from './context.ts';

export type Method = 'GET' | 'POST' | 'PUT' | 'DELETE';
export interface Route {
  method: Method;
  /** Hono path pattern, e.g. /contacts/:contact_id */
  path: string;
  handler: (req: ApiRequest) => unknown;
}

export const route = (method: Method, path: string, handler: Route['handler']): Route => ({
  method,
  path,
  handler,
});
