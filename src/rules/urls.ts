/**
 * Service URLs (gateway, S3 endpoint, Prometheus) and the preview URL. Credentials never ride in a URL: it is
 * printed, logged and stored in annotations, so they have inputs of their own that are masked.
 */
import { previewName, previewUrl } from '../naming.js';
import { CONTROL, InputError, show, showUrl, userinfoOf, type Read } from './errors.js';

/** `credentials`: the inputs that hold what a user may have put into the URL. */
export function serviceUrl(read: Read, name: string, o: { credentials: string; example: string }): string | undefined {
  const value = read(name);
  if (!value) return undefined;
  if (userinfoOf(value) !== undefined) {
    throw new InputError(
      name,
      `${showUrl(value)} contains credentials; remove them from the URL and set ${o.credentials} instead`,
    );
  }
  noSpaceOrControl(name, value, o.example);
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new InputError(name, `${show(value)} is not an absolute URL; use one like ${o.example}`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw new InputError(name, `${show(value)} must use http or https, like ${o.example}`);
  if (value.includes('?'))
    throw new InputError(name, `${show(value)} has a query string; give the base URL only, like ${o.example}`);
  if (value.includes('#'))
    throw new InputError(name, `${show(value)} has a fragment ('#'); give the base URL only, like ${o.example}`);
  return value.replace(/\/+$/, '');
}

/** The URL parser silently drops tabs and newlines and trims spaces: refuse them rather than guess. */
function noSpaceOrControl(name: string, value: string, example: string): void {
  if (/\s/.test(value) || CONTROL.test(value)) {
    throw new InputError(name, `${showUrl(value)} contains a space or a control character; use a URL like ${example}`);
  }
}

const PLACEHOLDERS = ['name', 'pr', 'sha'];
/** The PR number the template is tried with: long enough that a host that only fits short numbers is caught. */
const SAMPLE_PR = 99999;

/** The preview URL template from 'url-template' or 'preview-domain' (exactly one of them). */
export function previewTemplate(read: Read, app: string): string {
  const template = read('url-template');
  const domain = read('preview-domain');
  if (template && domain) {
    throw new InputError(
      'url-template',
      "is set together with 'preview-domain'; set one of them: 'preview-domain' gives https://<name>.<preview-domain>, 'url-template' any other shape",
    );
  }
  if (template) return urlTemplate(template, app);
  if (!domain)
    throw new InputError(
      'preview-domain',
      "is required unless 'url-template' is set: the wildcard domain of the edge, like preview.example.com",
    );
  return `https://{name}.${previewDomain(domain)}`;
}

function urlTemplate(template: string, app: string): string {
  const example = "'https://{name}.preview.example.com'";
  if (userinfoOf(template) !== undefined)
    throw new InputError(
      'url-template',
      `${showUrl(template)} contains credentials; a preview URL is public and has none`,
    );
  noSpaceOrControl('url-template', template, example);
  const unknown = [...template.matchAll(/\{([^{}]*)\}/g)].map((m) => m[1]).find((p) => !PLACEHOLDERS.includes(p));
  if (unknown !== undefined)
    throw new InputError(
      'url-template',
      `${show(template)} has the unknown placeholder '{${unknown}}'; only {name}, {pr} and {sha} exist`,
    );
  if (/[{}]/.test(template.replace(/\{(name|pr|sha)\}/g, ''))) {
    throw new InputError(
      'url-template',
      `${show(template)} has an unmatched '{' or '}'; only {name}, {pr} and {sha} exist`,
    );
  }
  if (!template.includes('{name}')) {
    throw new InputError(
      'url-template',
      `${show(template)} has no '{name}'; every preview needs its own URL, like ${example}`,
    );
  }
  const sample = previewUrl(template, previewName(app, SAMPLE_PR), SAMPLE_PR, 'f'.repeat(40));
  let url: URL;
  try {
    url = new URL(sample);
  } catch {
    throw new InputError(
      'url-template',
      `${show(template)} does not expand to an absolute URL; use one like ${example}`,
    );
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw new InputError('url-template', `${show(template)} must use http or https, like ${example}`);
  const host = hostProblem(url.hostname);
  if (host)
    throw new InputError(
      'url-template',
      `${show(template)} expands to the host ${show(url.hostname)} for PR ${SAMPLE_PR}, which ${host}`,
    );
  return template;
}

const LDH = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/** DNS limits of a host name: labels of 1 to 63 characters, 253 in all. IP literals are left to the URL parser. */
function hostProblem(hostname: string): string | undefined {
  if (hostname.startsWith('[') || /^[\d.]+$/.test(hostname)) return undefined;
  const long = hostname.split('.').find((label) => label.length > 63);
  if (long) return `has a label of ${long.length} characters; a DNS label has at most 63`;
  if (hostname.length > 253) return `is ${hostname.length} characters; a host name has at most 253`;
  return undefined;
}

/** 253 (a host name) − 63 (the longest preview name) − 1 (the dot between them). */
const PREVIEW_DOMAIN_MAX = 189;

function previewDomain(value: string): string {
  const example = 'like preview.example.com';
  const refuse = (problem: string): never => {
    throw new InputError('preview-domain', `${showUrl(value)} ${problem}`);
  };
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(value)) refuse(`has a scheme; give the domain only, ${example}`);
  noSpaceOrControl('preview-domain', value, 'preview.example.com');
  if (/[/?#@]/.test(value)) refuse(`has a path, query or user; give the domain only, ${example}`);
  if (value.startsWith('*.')) refuse(`is a wildcard; give the domain without '*.', ${example}`);
  const [, host, port] = /^(.*?)(?::(\d+))?$/.exec(value.toLowerCase())!;
  if (port !== undefined && (Number(port) < 1 || Number(port) > 65535)) refuse('has a port outside 1 to 65535');
  const labels = host.split('.');
  if (labels.includes('')) refuse(`has an empty label (a leading, trailing or doubled '.'); ${example}`);
  const long = labels.find((label) => label.length > 63);
  if (long) refuse(`has a label of ${long.length} characters; a DNS label has at most 63`);
  const bad = labels.find((label) => !LDH.test(label));
  if (bad)
    refuse(
      `has the label ${show(bad)}; a label is letters, digits and '-', starting and ending with a letter or digit (an international name in its xn-- form)`,
    );
  if (host.length > PREVIEW_DOMAIN_MAX) {
    refuse(
      `is ${host.length} characters; at most ${PREVIEW_DOMAIN_MAX}, so that <name>.<preview-domain> fits in a 253-character host name with a 63-character preview name`,
    );
  }
  return port === undefined ? host : `${host}:${port}`;
}
