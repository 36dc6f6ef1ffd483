// Intercom's one error envelope: {type:"error.list", request_id, errors:[{code, message}]}.
// Handlers throw ApiError; the app turns it into the envelope with the request's id.

export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly field: string | undefined;
  readonly headers: Record<string, string>;

  constructor(
    status: number,
    code: string,
    message: string,
    extra: { field?: string; headers?: Record<string, string> } = {},
  ) {
    super(message);
    this.status = status;
    this.code = code;
    this.field = extra.field;
    this.headers = extra.headers ?? {};
  }
}

export interface ErrorEnvelope {
  type: 'error.list';
  request_id: string | null;
  errors: { code: string; message: string; field?: string }[];
}

export function errorEnvelope(requestId: string, code: string, message: string, field?: string) {
  const error: ErrorEnvelope['errors'][number] = { code, message };
  if (field !== undefined) error.field = field;
  return { type: 'error.list', request_id: requestId, errors: [error] } satisfies ErrorEnvelope;
}

export const notFound = (message = 'Resource Not Found', code = 'not_found') =>
  new ApiError(404, code, message);
export const badRequest = (message: string, code = 'parameter_invalid', field?: string) =>
  new ApiError(400, code, message, field === undefined ? {} : { field });
