// Kubernetes Status objects and the error that carries one through the handlers.
export interface StatusCause {
  reason?: string;
  message?: string;
  field?: string;
}

export interface StatusDetails {
  name?: string;
  group?: string;
  kind?: string;
  uid?: string;
  causes?: StatusCause[];
  retryAfterSeconds?: number;
}

export interface StatusBody {
  kind: 'Status';
  apiVersion: 'v1';
  metadata: Record<string, never>;
  status: 'Failure' | 'Success';
  message?: string;
  reason?: string;
  details?: StatusDetails;
  code: number;
}

export class ApiStatusError extends Error {
  constructor(
    readonly code: number,
    readonly reason: string,
    message: string,
    readonly details?: StatusDetails,
  ) {
    super(message);
  }

  toStatus(): StatusBody {
    const s: StatusBody = {
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: this.message,
      reason: this.reason,
      code: this.code,
    };
    if (this.details) s.details = this.details;
    return s;
  }
}

/** The resource as kube-apiserver names it in messages: `configmaps` or `clusters.cluster.x-k8s.io`. */
export function qualified(plural: string, group: string): string {
  return group ? `${plural}.${group}` : plural;
}

export const notFound = (plural: string, group: string, name: string): ApiStatusError =>
  new ApiStatusError(404, 'NotFound', `${qualified(plural, group)} "${name}" not found`, {
    name,
    group: group || undefined,
    kind: plural,
  });

export const alreadyExists = (plural: string, group: string, name: string): ApiStatusError =>
  new ApiStatusError(409, 'AlreadyExists', `${qualified(plural, group)} "${name}" already exists`, {
    name,
    group: group || undefined,
    kind: plural,
  });

export const conflict = (plural: string, group: string, name: string): ApiStatusError =>
  new ApiStatusError(
    409,
    'Conflict',
    `Operation cannot be fulfilled on ${qualified(plural, group)} "${name}": the object has been modified; please apply your changes to the latest version and try again`,
    { name, group: group || undefined, kind: plural },
  );

export const badRequest = (message: string): ApiStatusError => new ApiStatusError(400, 'BadRequest', message);

export function invalid(kind: string, group: string, name: string, causes: StatusCause[]): ApiStatusError {
  const summary = causes.map((c) => `${c.field ? `${c.field}: ` : ''}${c.message ?? ''}`).join(', ');
  const what = group ? `${kind}.${group}` : kind;
  return new ApiStatusError(
    422,
    'Invalid',
    `${what} "${name}" is invalid: ${causes.length > 1 ? `[${summary}]` : summary}`,
    {
      name,
      group: group || undefined,
      kind,
      causes,
    },
  );
}

export const gone = (message: string): ApiStatusError => new ApiStatusError(410, 'Expired', message);

export function successStatus(details: StatusDetails): Record<string, unknown> {
  return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', details };
}
