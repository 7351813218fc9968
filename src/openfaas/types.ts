/** Wire types of the OpenFaaS gateway REST API (faas-provider's types; every field is omitempty on the wire). */

interface FunctionResources {
  memory?: string;
  cpu?: string;
}

export interface FunctionDeployment {
  service: string;
  image: string;
  namespace?: string;
  envProcess?: string;
  envVars?: Record<string, string>;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  secrets?: string[];
  limits?: FunctionResources;
  requests?: FunctionResources;
  readOnlyRootFilesystem?: boolean;
}

export interface FunctionStatus {
  name: string;
  image: string;
  namespace?: string;
  /** The watchdog's process (a template's fprocess), when the deploy set one. */
  envProcess?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  envVars?: Record<string, string>;
  secrets?: string[];
  limits?: FunctionResources;
  requests?: FunctionResources;
  replicas?: number;
  availableReplicas?: number;
  invocationCount?: number;
  createdAt?: string;
}

export interface SystemInfo {
  provider?: { provider?: string; orchestration?: string; version?: { release?: string } };
  version?: { release?: string };
}

/**
 * What the gateway lists of a running function, as a spec to POST again: the fallback of whoever puts a preview to
 * sleep (the sweeper, a deploy or a wake making room) when the preview's record has no specs, and of untouched
 * functions. Here, beside the wire types, because the action and the edge service both need it.
 */
export function runningSpec(f: FunctionStatus): FunctionDeployment {
  return {
    service: f.name,
    image: f.image,
    ...(f.envProcess ? { envProcess: f.envProcess } : {}),
    envVars: f.envVars,
    labels: f.labels,
    annotations: f.annotations,
    secrets: f.secrets,
    limits: f.limits,
    requests: f.requests,
  };
}
