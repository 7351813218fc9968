/**
 * The gateway's wire format as Go handlers see it: request bodies decoded the way `encoding/json` decodes into the
 * faas-provider structs (absent or null fields are zero values, a wrong type is an error naming the struct field),
 * and replies written the way `net/http` writes them (`http.Error` is text plus a newline; a handler that writes
 * nothing answers 200 with an empty body).
 */

export interface Reply {
  status: number;
  json?: unknown;
  /** A body as `http.Error` writes it (text/plain); '' for a bare `WriteHeader` without a body. */
  text?: string;
  headers?: Record<string, string>;
  /** Destroy the connection without any answer (the handler panicked or the socket was cut). */
  drop?: true;
}

export const goError = (status: number, message: string): Reply => ({ status, text: `${message}\n` });
export const empty = (status: number): Reply => ({ status, text: '' });

class DecodeError extends Error {}

export interface Resources {
  memory?: string;
  cpu?: string;
}

/** faas-provider types.FunctionDeployment. */
export interface FunctionDeployment {
  service: string;
  image: string;
  namespace: string;
  envProcess: string;
  envVars: Record<string, string>;
  constraints: string[];
  secrets: string[];
  labels: Record<string, string>;
  annotations: Record<string, string>;
  limits?: Resources;
  requests?: Resources;
  readOnlyRootFilesystem: boolean;
}

function typeName(v: unknown): string {
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'object') return 'object';
  return typeof v === 'boolean' ? 'bool' : typeof v;
}

function mismatch(v: unknown, field: string, goType: string): DecodeError {
  return new DecodeError(`json: cannot unmarshal ${typeName(v)} into Go struct field ${field} of type ${goType}`);
}

/** Go's json.Unmarshal into a struct: `null` is the zero value, anything but an object is an error. */
function decodeObject(raw: string, goType: string): Record<string, unknown> {
  if (raw.trim() === '') throw new DecodeError('unexpected end of JSON input');
  let v: unknown;
  try {
    v = JSON.parse(raw);
  } catch (err) {
    throw new DecodeError(`invalid character in JSON input: ${(err as Error).message}`);
  }
  if (v === null) return {};
  if (typeof v !== 'object' || Array.isArray(v))
    throw new DecodeError(`json: cannot unmarshal ${typeName(v)} into Go value of type ${goType}`);
  return v as Record<string, unknown>;
}

function str(v: unknown, field: string): string {
  if (v === undefined || v === null) return '';
  if (typeof v !== 'string') throw mismatch(v, field, 'string');
  return v;
}

function strMap(v: unknown, field: string): Record<string, string> {
  if (v === undefined || v === null) return {};
  if (typeof v !== 'object' || Array.isArray(v)) throw mismatch(v, field, 'map[string]string');
  const out: Record<string, string> = {};
  for (const [k, val] of Object.entries(v)) out[k] = str(val, field);
  return out;
}

function strList(v: unknown, field: string): string[] {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) throw mismatch(v, field, '[]string');
  return v.map((s) => str(s, field));
}

function resources(v: unknown, field: string): Resources | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'object' || Array.isArray(v)) throw mismatch(v, field, 'types.FunctionResources');
  const r = v as Record<string, unknown>;
  return { memory: str(r.memory, `${field}.memory`) || undefined, cpu: str(r.cpu, `${field}.cpu`) || undefined };
}

/** Go uint64: a non-negative integer; null or absent is 0. */
function uint(v: unknown, field: string): number {
  if (v === undefined || v === null) return 0;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0) throw mismatch(v, field, 'uint64');
  return v;
}

export function decodeDeployment(raw: string): FunctionDeployment {
  const b = decodeObject(raw, 'types.FunctionDeployment');
  const f = (name: string) => `FunctionDeployment.${name}`;
  const rorf = b.readOnlyRootFilesystem;
  if (rorf !== undefined && rorf !== null && typeof rorf !== 'boolean')
    throw mismatch(rorf, f('readOnlyRootFilesystem'), 'bool');
  return {
    service: str(b.service, f('service')),
    image: str(b.image, f('image')),
    namespace: str(b.namespace, f('namespace')),
    envProcess: str(b.envProcess, f('envProcess')),
    envVars: strMap(b.envVars, f('envVars')),
    constraints: strList(b.constraints, f('constraints')),
    secrets: strList(b.secrets, f('secrets')),
    labels: strMap(b.labels, f('labels')),
    annotations: strMap(b.annotations, f('annotations')),
    limits: resources(b.limits, f('limits')),
    requests: resources(b.requests, f('requests')),
    readOnlyRootFilesystem: rorf === true,
  };
}

/** faas-provider types.ScaleServiceRequest. */
export interface ScaleRequest {
  serviceName: string;
  namespace: string;
  replicas: number;
}

export function decodeScale(raw: string): ScaleRequest {
  const b = decodeObject(raw, 'types.ScaleServiceRequest');
  return {
    serviceName: str(b.serviceName, 'ScaleServiceRequest.serviceName'),
    namespace: str(b.namespace, 'ScaleServiceRequest.namespace'),
    replicas: uint(b.replicas, 'ScaleServiceRequest.replicas'),
  };
}

export function decodeDelete(raw: string): { functionName: string; namespace: string } {
  const b = decodeObject(raw, 'types.DeleteFunctionRequest');
  return {
    functionName: str(b.functionName, 'DeleteFunctionRequest.functionName'),
    namespace: str(b.namespace, 'DeleteFunctionRequest.namespace'),
  };
}

export function decodeSecret(raw: string): { name: string; namespace: string; value: string } {
  const b = decodeObject(raw, 'types.Secret');
  const rawValue = b.rawValue;
  const value =
    typeof rawValue === 'string' && rawValue
      ? Buffer.from(rawValue, 'base64').toString('utf8')
      : str(b.value, 'Secret.value');
  return { name: str(b.name, 'Secret.name'), namespace: str(b.namespace, 'Secret.namespace'), value };
}

/** Go's RFC3339 time as the providers marshal it: seconds (Kubernetes metadata) or nanoseconds (containerd). */
export function rfc3339(ms: number, nanos?: number): string {
  const base = new Date(Math.floor(ms / 1000) * 1000).toISOString().replace(/\.\d{3}Z$/, '');
  if (nanos === undefined) return `${base}Z`;
  const frac = String(nanos).padStart(9, '0').replace(/0+$/, '');
  return frac ? `${base}.${frac}Z` : `${base}Z`;
}
