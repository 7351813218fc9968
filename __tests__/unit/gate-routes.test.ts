/**
 * The gate's answers that need no network: where a refused or racing request is sent back to. A path from the
 * request (nginx's X-Original-URI, ingress-nginx's `rd`) is only ever a path of the preview's own host.
 */
import { describe, expect, test } from '@jest/globals';
import type * as http from 'node:http';
import { gateAnswer, type GateDeps } from '../../src/gate/routes.js';
import { signUserSession } from '../../src/gate/session.js';
import { SigningKey } from '../../src/gate/signed.js';

const key = new SigningKey(Buffer.from('a-signing-key-for-the-routes-test-0123456789'));
const NOW = 1_800_000_000;
const HOST = 'shop-pr-1.preview.example.com';

function deps(): GateDeps {
  return {
    config: {
      key,
      origin: { protocol: 'https:', domain: 'preview.example.com', port: '' },
      github: {
        clientId: 'id',
        clientSecret: 'secret',
        webUrl: 'https://github.invalid',
        apiUrl: 'https://api.github.invalid',
        timeoutMs: 1000,
      },
      recheckS: 3600,
      share: { defaultDays: 7, maxDays: 30 },
      bypassToken: undefined,
    },
    repositoryOf: async () => 'acme/shop',
    hostOf: (req) => req.headers.host,
    log: () => undefined,
    now: () => NOW * 1000,
  };
}

/** A request the way nginx's 401 hand-over sends it, from a visitor who may read the preview. */
function handedOver(url: string, originalUri?: string): http.IncomingMessage {
  const session = signUserSession(key, {
    v: 1,
    login: 'alice',
    domain: 'preview.example.com',
    repos: ['acme/shop'],
    iat: NOW,
    exp: NOW + 600,
  });
  const headers: Record<string, string> = { host: HOST, cookie: `faas-preview-session=${session}` };
  if (originalUri !== undefined) headers['x-original-uri'] = originalUri;
  return { url, method: 'GET', headers } as unknown as http.IncomingMessage;
}

describe('signin, for a request let in meanwhile', () => {
  test("goes back to the page asked for, from nginx's X-Original-URI", async () => {
    const a = await gateAnswer(handedOver('/.faas-preview/signin', '/cart?item=2'), deps());
    expect([a?.status, a?.headers?.location]).toEqual([302, '/cart?item=2']);
  });

  test.each(['//evil.example/', '/\\evil.example/', 'https://evil.example/', 'evil'])(
    'never to another site: X-Original-URI %j goes to /',
    async (uri) => {
      const a = await gateAnswer(handedOver('/.faas-preview/signin', uri), deps());
      expect(a?.headers?.location).toBe('/');
    },
  );

  test("takes ingress-nginx's rd only when it is this preview's URL", async () => {
    const rd = (url: string) => `/.faas-preview/signin?rd=${encodeURIComponent(url)}`;
    expect((await gateAnswer(handedOver(rd(`https://${HOST}/cart`)), deps()))?.headers?.location).toBe('/cart');
    for (const other of [
      'https://shop-pr-2.preview.example.com/cart',
      'https://evil.example/',
      `http://${HOST}/cart`,
      `https://${HOST}//evil.example`,
      `https://${HOST}/\\evil.example`,
    ]) {
      expect((await gateAnswer(handedOver(rd(other)), deps()))?.headers?.location).toBe('/');
    }
  });
});
