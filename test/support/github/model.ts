/**
 * What the emulated GitHub remembers and how it names things: the records tests set and read, the one repository
 * and its accounts (those that sign in, the collaborators and their roles), the sign-in state (codes, user tokens,
 * browser sessions), ids that count up the way GitHub's do, and the user objects every answer embeds. Every route
 * module reads and writes the one `Store`.
 */
import { createHash } from 'node:crypto';
import type { Permissions } from './permissions.js';

export const WEB = 'https://github.com';
export const BOT_LOGIN = 'github-actions[bot]';
export const DEFAULT_BRANCH = 'main';

export interface PullState {
  number: number;
  state: 'open' | 'closed';
  merged?: boolean;
  headSha: string;
  headRef?: string; // default `feature/pr-<number>`
  headRepoFullName?: string; // default owner/repo (`contributor/<repo>` when fork is true)
  fork?: boolean;
  labels?: string[];
  title?: string;
}

export interface Comment {
  id: number;
  body: string;
  user: { login: string };
  created_at: string;
  updated_at: string;
  issueNumber: number;
}

export interface Deployment {
  id: number;
  ref: string;
  sha: string;
  environment: string;
  transient_environment: boolean;
  production_environment: boolean;
  description: string | null;
  payload: unknown;
  created_at: string;
  statuses: DeploymentStatus[]; // oldest first (the API lists them newest first)
}

interface DeploymentStatus {
  id: number;
  state: string;
  environment_url: string;
  log_url: string;
  description: string;
  created_at: string;
}

export interface GitHubCall {
  method: string;
  path: string; // pathname only
  query: string; // search string without '?', '' when none
  status: number;
}

/** A container package on GHCR: its owner (declared as an account of that type) and versions, oldest first, by tags. */
export interface PackageSeed {
  owner: string;
  ownerType?: 'User' | 'Organization'; // default Organization
  name: string;
  versions: string[][];
  actionsAdmin?: boolean; // the repository's Admin role on the package (default true: its workflow published it)
}

export interface StoredPull extends PullState {
  createdAt: string;
  updatedAt: string;
  closedAt: string | null;
}

export interface StoredStatus extends DeploymentStatus {
  target_url: string;
  environment: string;
  updated_at: string;
}

export interface StoredDeployment extends Deployment {
  task: string;
  original_environment: string;
  updated_at: string;
  statuses: StoredStatus[];
}

export type PackagesPermission = 'none' | 'read' | 'write';

export interface StoredPackageVersion {
  id: number;
  name: string;
  tags: string[];
  created_at: string;
  deleted_at: string | null;
}

export interface StoredPackage {
  owner: string;
  name: string;
  actionsAdmin: boolean;
  versions: StoredPackageVersion[];
}

export interface Account {
  login: string;
  type: 'User' | 'Organization';
}

/** A repository role, from least to most access (users.ts); a personal account's repository knows only `write`. */
export type RepoRole = 'read' | 'triage' | 'write' | 'maintain' | 'admin';

/** A registered callback URL; `wildcard` is the app's per-URL "wildcard matching" setting, off unless set. */
export interface CallbackUrl {
  url: string;
  wildcard?: boolean;
}

/** The registered GitHub App whose users sign in (oauth.ts); its first callback URL is the default one. */
export interface OAuthApp {
  clientId: string;
  clientSecret: string;
  callbackUrls: (string | CallbackUrl)[]; // 1 to 10, absolute http(s) URLs
  expiringTokens?: boolean; // opted in to user tokens that expire after 8 hours, with refresh tokens
}

/** A GitHub account that can sign in. */
export interface GitHubUser {
  login: string;
  id: number;
  name: string | null;
}

/** What the sign-in flow remembers: codes, user-to-server tokens and refresh tokens, browser sessions. */
class OAuthState {
  app: OAuthApp | undefined;
  /** Authorization code → the user and the redirect URL it was sent to; single use, until `expiresAt`. */
  readonly codes = new Map<string, { login: string; redirectUri: string; expiresAt: number }>();
  /** `ghu_` token → its user; `expiresAt` null when the app does not use expiring tokens. */
  readonly tokens = new Map<string, { login: string; expiresAt: number | null }>();
  /** `ghr_` token → the user and the access token it replaces. */
  readonly refreshTokens = new Map<string, { login: string; accessToken: string; expiresAt: number }>();
  /** The `user_session` cookie's value → the login signed in in that browser. */
  readonly sessions = new Map<string, string>();
}

export function sha1(text: string): string {
  return createHash('sha1').update(text).digest('hex');
}

export function nodeId(prefix: string, id: number): string {
  return `${prefix}_${Buffer.from(`faas-preview:${prefix}:${id}`).toString('base64url')}`;
}

export function user(login: string, id: number) {
  const bot = login.endsWith('[bot]');
  return {
    login,
    id,
    node_id: nodeId(bot ? 'BOT' : 'U', id),
    avatar_url: `https://avatars.githubusercontent.com/u/${id}?v=4`,
    html_url: bot ? `${WEB}/apps/${login.slice(0, -'[bot]'.length)}` : `${WEB}/${login}`,
    type: bot ? 'Bot' : 'User',
    site_admin: false,
  };
}

export function userId(login: string): number {
  if (login === BOT_LOGIN) return 41898282;
  return parseInt(sha1(login).slice(0, 7), 16);
}

/** Each kind of id counts up in a range of its own: an id of one kind sent where another is expected finds nothing. */
const FIRST_IDS = { comment: 1_000_000_001, deployment: 200_000_001, status: 300_000_001, packageVersion: 500_000_001 };

/** The one repository and everything tests and requests have put into it. */
export class Store {
  readonly fullName: string;
  readonly mainSha: string;
  readonly repoId: number;
  /** The emulator's own origin, set once it listens. */
  base = '';
  /** Token → login. */
  readonly logins = new Map<string, string>();
  readonly calls: GitHubCall[] = [];
  readonly pulls = new Map<number, StoredPull>();
  readonly issues = new Set<number>(); // issue or PR numbers that exist
  readonly knownShas: Set<string>;
  readonly comments = new Map<number, Comment>();
  readonly deployments: StoredDeployment[] = [];
  readonly accounts: Map<string, Account>;
  readonly packages = new Map<string, StoredPackage>();
  packagesPermission: PackagesPermission = 'read';
  /** The Actions token's `permissions:` (permissions.ts); undefined: it may do everything. */
  permissions?: Permissions;
  visibility: 'private' | 'public' = 'private';
  /** Accounts that can sign in, by lower-case login. */
  readonly users = new Map<string, GitHubUser>();
  /** Repository roles, by lower-case login. */
  readonly collaborators = new Map<string, RepoRole>();
  readonly oauth = new OAuthState();
  private readonly ids = { ...FIRST_IDS };

  constructor(
    readonly owner: string,
    readonly repo: string,
    readonly now: () => number,
  ) {
    this.fullName = `${owner}/${repo}`;
    this.mainSha = sha1(`${this.fullName}@${DEFAULT_BRANCH}`);
    this.repoId = parseInt(sha1(this.fullName).slice(0, 8), 16);
    this.knownShas = new Set([this.mainSha]);
    this.accounts = new Map([[owner.toLowerCase(), { login: owner, type: 'User' }]]);
  }

  nextId(kind: keyof typeof FIRST_IDS): number {
    return this.ids[kind]++;
  }

  timestamp(): string {
    return new Date(this.now()).toISOString().replace(/\.\d{3}Z$/, 'Z');
  }

  apiRepo(): string {
    return `${this.base}/repos/${this.owner}/${this.repo}`;
  }
}
