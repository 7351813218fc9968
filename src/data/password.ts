/**
 * Preview role passwords: 32 random bytes as base64url (43 characters, URL-safe, nothing to escape in a URL or a
 * shell), sent to PostgreSQL only as a SCRAM-SHA-256 verifier. PostgreSQL stores a verifier it is given as is (psql's
 * \password does the same), so the password itself never appears in a statement, the server log
 * (`log_statement = ddl`) or pg_stat_activity.
 */
import { createHash, createHmac, pbkdf2Sync, randomBytes } from 'node:crypto';

/** PostgreSQL's default (scram_iterations). */
const ITERATIONS = 4096;

export function newPassword(): string {
  return randomBytes(32).toString('base64url');
}

/**
 * A preview role's password: HMAC-SHA256 of `faas-preview/<owner/repo>/<role>` keyed with the admin password, so it
 * is the same on every deploy (a migration that fails leaves the previous function connected) and changes when the
 * admin password does. Without an admin password (certificate or peer authentication) there is no secret to key it
 * with: a random one, which every deploy replaces.
 */
export function rolePassword(adminPassword: string, repo: string, role: string): string {
  if (!adminPassword) return newPassword();
  return createHmac('sha256', adminPassword).update(`faas-preview/${repo}/${role}`).digest('base64url');
}

/**
 * `SCRAM-SHA-256$<iterations>:<salt>$<StoredKey>:<ServerKey>` (RFC 5802/7677, PostgreSQL's pg_authid format). The
 * password is ASCII, so SASLprep leaves it unchanged.
 */
export function scramVerifier(password: string, salt: Buffer = randomBytes(16), iterations = ITERATIONS): string {
  const salted = pbkdf2Sync(password, salt, iterations, 32, 'sha256');
  const clientKey = createHmac('sha256', salted).update('Client Key').digest();
  const storedKey = createHash('sha256').update(clientKey).digest();
  const serverKey = createHmac('sha256', salted).update('Server Key').digest();
  return `SCRAM-SHA-256$${iterations}:${salt.toString('base64')}$${storedKey.toString('base64')}:${serverKey.toString('base64')}`;
}
