/**
 * Every secret the action holds, in every form it could show up in somebody else's text: a gateway that echoes
 * the request's `Authorization: Basic …` header, a registry error that quotes a URL-encoded password, a token
 * in base64. `scrub` replaces all of them; `forms` is what gets masked in the runner's log as well.
 */

const REDACTED = '***';
/** Shorter values (an empty password, `admin`) would blank out ordinary words; they are not secrets worth the name. */
const MIN_LENGTH = 4;

function base64Forms(text: string): string[] {
  const b64 = Buffer.from(text, 'utf8').toString('base64');
  return [b64, b64.replace(/=+$/, ''), Buffer.from(text, 'utf8').toString('base64url')];
}

/** The forms a secret takes on the wire and in logs: as is, URL-encoded, JSON-escaped, base64 and base64url. */
export function derivedForms(secret: string): string[] {
  const forms = new Set<string>([
    secret,
    encodeURIComponent(secret),
    JSON.stringify(secret).slice(1, -1),
    ...base64Forms(secret),
  ]);
  return [...forms].filter((f) => f.length >= MIN_LENGTH);
}

export class Secrets {
  private readonly values = new Set<string>();
  private pattern: RegExp | undefined;

  constructor(private onForm: (form: string) => void = () => undefined) {}

  /** From now on every form is also given to `mask`, and so is each form registered before. */
  maskWith(mask: (form: string) => void): void {
    this.onForm = mask;
    for (const form of this.values) mask(form);
  }

  /** Registers a secret (and its derived forms); empty and very short values are ignored. */
  add(secret: string | undefined): void {
    if (!secret || secret.length < MIN_LENGTH) return;
    for (const form of derivedForms(secret)) this.register(form);
  }

  /** Basic auth as it travels: base64 of `user:password`. */
  addBasicAuth(username: string, password: string): void {
    if (!password || password.length < MIN_LENGTH) return;
    for (const form of base64Forms(`${username}:${password}`)) this.register(form);
  }

  private register(form: string): void {
    if (this.values.has(form)) return;
    this.values.add(form);
    this.pattern = undefined;
    this.onForm(form);
  }

  /** `text` with every registered form replaced by `***` (longest first, so no fragment of a longer form survives). */
  scrub(text: string): string {
    if (this.values.size === 0) return text;
    this.pattern ??= new RegExp(
      [...this.values]
        .sort((a, b) => b.length - a.length)
        .map((v) => v.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
        .join('|'),
      'g',
    );
    return text.replace(this.pattern, REDACTED);
  }

  /** Whether `text` still holds any registered form (the tests' secret scanner). */
  leaks(text: string): string[] {
    return [...this.values].filter((v) => text.includes(v));
  }
}
