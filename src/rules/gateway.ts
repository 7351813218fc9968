/**
 * The OpenFaaS gateway's settings, one rule for the action's inputs and the waker's WAKER_* variables (which name
 * them differently and require the password).
 */
import type { GatewaySettings } from '../settings.js';
import { checkSecret, checkUser } from './credentials.js';
import { InputError, show, type Read } from './errors.js';
import { dnsLabelProblem } from './kubernetes.js';
import { serviceUrl } from './urls.js';

export interface GatewayNames {
  url: string;
  username: string;
  password: string;
  namespace: string;
  /** How the names are shown in messages: `'gateway-url'` for inputs, `WAKER_GATEWAY_URL` for variables. */
  show: (name: string) => string;
  example: string;
}

const GATEWAY_INPUTS: GatewayNames = {
  url: 'gateway-url',
  username: 'gateway-username',
  password: 'gateway-password',
  namespace: 'namespace',
  show: (name) => `'${name}'`,
  example: 'https://gateway.example.com',
};

export function gatewaySettings(read: Read, n: GatewayNames = GATEWAY_INPUTS): GatewaySettings {
  const url = serviceUrl(read, n.url, {
    credentials: `${n.show(n.username)} and ${n.show(n.password)}`,
    example: n.example,
  });
  if (!url) throw new InputError(n.url, `is required: the OpenFaaS gateway base URL, like ${n.example}`);
  const namespace = read(n.namespace);
  const problem = namespace ? dnsLabelProblem(namespace) : undefined;
  if (problem)
    throw new InputError(n.namespace, `${show(namespace)} ${problem}; Kubernetes namespaces are DNS-1123 labels`);
  return {
    url,
    username: checkUser(read, n.username, 'admin'),
    password: checkSecret(read, n.password, { spaces: true }),
    namespace,
  };
}
