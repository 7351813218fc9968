/**
 * The bucket keys a preview request may read, for signed reads of a private bucket: the object its path names
 * (`<name>/<path>`, the path percent-decoded once, as the bucket would decode it) and the preview's `index.html`
 * (for `/` and the single-page-app fallback). Anything that could step outside `<name>/`, a host label that is no
 * preview name, or the folder the sync keeps its own state in (`/.faas-preview/`, the edge service's path, which a
 * router never sends here), names nothing.
 */
import { RESERVED_DIR } from '../assets/local.js';

export interface ObjectKeys {
  object: string;
  index: string;
}

/** The shape of every preview name, whatever the app (naming.ts previewName): `<app>-pr-<n>` or `pr-<n>`. */
const PREVIEW_NAME = /^(?:[a-z0-9-]*-)?pr-[1-9][0-9]*$/;

export function objectKeys(preview: string, uri: string): ObjectKeys | undefined {
  // Only a preview's own prefix: never the state objects, even under a state-prefix that is a valid host label.
  if (!PREVIEW_NAME.test(preview)) return undefined;
  const path = uri.split('?')[0];
  if (!path.startsWith('/') || path.includes('\\')) return undefined;
  let decoded: string[];
  try {
    decoded = path.split('/').map((s) => decodeURIComponent(s));
  } catch {
    return undefined;
  }
  if (decoded.some((s) => s === '.' || s === '..' || s.includes('/') || s.includes('\\') || s.includes('\0')))
    return undefined;
  if (decoded.find((s) => s !== '') === RESERVED_DIR) return undefined;
  return { object: `${preview}${decoded.join('/')}`, index: `${preview}/index.html` };
}
