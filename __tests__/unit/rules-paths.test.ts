import { afterAll, describe, expect, test } from '@jest/globals';
import { mkdirSync, mkdtempSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { apiPath, containedPath, readyPath, realWorkspace, statePrefix } from '../../src/rules/paths.js';
import { reader, refusal } from './inputs-support.js';

// root/ws is the workspace, reached through root/ws-link; root/outside holds what must never be reached.
const root = realpathSync(mkdtempSync(path.join(tmpdir(), 'inputs-paths-')));
const ws = path.join(root, 'ws');
const outside = path.join(root, 'outside');
mkdirSync(path.join(ws, 'site/assets'), { recursive: true });
mkdirSync(path.join(ws, 'fn'));
mkdirSync(outside);
writeFileSync(path.join(outside, 'credentials'), 'aws_secret_access_key=not-for-you');
writeFileSync(path.join(ws, 'fn/Dockerfile'), 'FROM scratch\n');
writeFileSync(path.join(ws, 'file.txt'), 'x');
symlinkSync(outside, path.join(ws, 'link-out'));
symlinkSync('site', path.join(ws, 'link-in'));
symlinkSync(path.join(outside, 'credentials'), path.join(ws, 'fn/Dockerfile.out'));
symlinkSync(path.join(ws, 'nowhere'), path.join(ws, 'dangling'));
symlinkSync(ws, path.join(root, 'ws-link'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const dir = (value: string) =>
  containedPath('static-dir', value, { base: ws, workspace: ws, kind: 'directory', mustExist: true });
const inWs = `; use a directory inside the workspace ${ws}`;

describe('containment in the workspace', () => {
  test('the workspace is taken by its real path', () => {
    expect(realWorkspace(path.join(root, 'ws-link'))).toBe(ws);
    expect(() => realWorkspace(path.join(root, 'missing'))).toThrow(
      `the workspace ${path.join(root, 'missing')} (GITHUB_WORKSPACE) cannot be read`,
    );
  });

  test.each([
    ['.', ws],
    ['site', path.join(ws, 'site')],
    ['./site/assets/', path.join(ws, 'site/assets')],
    ['site/../site', path.join(ws, 'site')],
    ['link-in', path.join(ws, 'site')],
    [path.join(ws, 'site'), path.join(ws, 'site')],
  ])('%j resolves to its real path inside', (value, real) => expect(dir(value)).toBe(real));

  test.each([
    ['..', `'..' is ${root}, outside the workspace${inWs}`],
    ['/', `'/' is /, outside the workspace${inWs}`],
    ['../../..', `'../../..' is /, outside the workspace${inWs}`],
    [outside, `'${outside}' is ${outside}, outside the workspace${inWs}`],
    ['../outside', `'../outside' is ${outside}, outside the workspace${inWs}`],
    ['link-out', `'link-out' resolves through a symbolic link to ${outside}, outside the workspace${inWs}`],
    [
      'site/../link-out/',
      `'site/../link-out/' resolves through a symbolic link to ${outside}, outside the workspace${inWs}`,
    ],
    ['missing', `'missing' does not exist (looked for ${path.join(ws, 'missing')})${inWs}`],
    ['dangling', `'dangling' does not exist (looked for ${path.join(ws, 'dangling')})${inWs}`],
    ['file.txt', `'file.txt' is not a directory (${path.join(ws, 'file.txt')})`],
  ])('%j is refused', (value, problem) => {
    expect(refusal(() => dir(value))).toBe(`input 'static-dir': ${problem}`);
  });

  test('a file relative to another base (the Dockerfile in the context)', () => {
    const context = path.join(ws, 'fn');
    const file = (value: string) =>
      containedPath('dockerfile', value, { base: context, workspace: ws, kind: 'file', mustExist: true });
    expect(file('Dockerfile')).toBe(path.join(context, 'Dockerfile'));
    expect(file('../fn/Dockerfile')).toBe(path.join(context, 'Dockerfile'));
    const inside = `; use a file inside the workspace ${ws}`;
    expect(refusal(() => file('Containerfile'))).toBe(
      `input 'dockerfile': 'Containerfile' does not exist (looked for ${path.join(context, 'Containerfile')})${inside}`,
    );
    expect(refusal(() => file('Dockerfile.out'))).toBe(
      `input 'dockerfile': 'Dockerfile.out' resolves through a symbolic link to ${path.join(outside, 'credentials')}, outside the workspace${inside}`,
    );
    expect(refusal(() => file('../../outside/credentials'))).toBe(
      `input 'dockerfile': '../../outside/credentials' is ${path.join(outside, 'credentials')}, outside the workspace${inside}`,
    );
    expect(refusal(() => file('.'))).toBe(`input 'dockerfile': '.' is not a file (${context})`);
  });
});

describe('containment of a path the run will not read', () => {
  const later = (value: string) =>
    containedPath('context', value, { base: ws, workspace: ws, kind: 'directory', mustExist: false });

  test('a missing path is returned as resolved; one that exists is still checked', () => {
    expect(later('missing')).toBe(path.join(ws, 'missing'));
    expect(later('site')).toBe(path.join(ws, 'site'));
    expect(refusal(() => later('file.txt'))).toBe(
      `input 'context': 'file.txt' is not a directory (${path.join(ws, 'file.txt')})`,
    );
  });

  test('outside is outside, whether or not it exists', () => {
    expect(refusal(() => later('../nowhere'))).toBe(
      `input 'context': '../nowhere' is ${path.join(root, 'nowhere')}, outside the workspace${inWs}`,
    );
    expect(refusal(() => later('link-out'))).toBe(
      `input 'context': 'link-out' resolves through a symbolic link to ${outside}, outside the workspace${inWs}`,
    );
  });
});

describe('api-path', () => {
  test.each(['/api', '/v1/api', '/a.b~c_d-e'])('%j is accepted', (value) =>
    expect(apiPath(reader({ 'api-path': value }))).toBe(value),
  );
  test('default', () => expect(apiPath(reader({}))).toBe('/api'));

  const hint = "use a path like '/api': a leading '/', no trailing '/'";
  test.each([
    ['api', `'api' is not a path below '/'; ${hint}`],
    ['/', `'/' is not a path below '/'; ${hint}`],
    ['/api/', `'/api/' has an empty segment ('//' or a trailing '/'); ${hint}`],
    ['/a//b', `'/a//b' has an empty segment ('//' or a trailing '/'); ${hint}`],
    ['/api/..', `'/api/..' has a '.' or '..' segment; ${hint}`],
    ['/./api', `'/./api' has a '.' or '..' segment; ${hint}`],
    ['/api?x=1', `'/api?x=1' has a query, fragment or control character; ${hint}`],
    ['/a%2e%2e', `'/a%2e%2e' has the segment 'a%2e%2e'; segments are letters, digits, '-', '.', '_' and '~'; ${hint}`],
    ['/a b', `'/a b' has the segment 'a b'; segments are letters, digits, '-', '.', '_' and '~'; ${hint}`],
  ])('%j is refused', (value, problem) => {
    expect(refusal(() => apiPath(reader({ 'api-path': value })))).toBe(`input 'api-path': ${problem}`);
  });

  test('an absurdly long path is refused', () => {
    expect(refusal(() => apiPath(reader({ 'api-path': `/${'a'.repeat(256)}` })))).toBe(
      "input 'api-path': is 257 characters; at most 256",
    );
  });
});

describe('ready-path', () => {
  test.each(['/', '/healthz', '/api/ready/', "/a:b@c!$&'()*+,;=~"])('%j is accepted', (value) =>
    expect(readyPath(reader({ 'ready-path': value }))).toBe(value),
  );
  test('default', () => expect(readyPath(reader({}))).toBe('/'));

  const hint = "use a path under the function like '/' or '/healthz'";
  test.each([
    ['healthz', `'healthz' does not start with '/'; ${hint}`],
    ['/../../system/functions', `'/../../system/functions' has a '.' or '..' segment; ${hint}`],
    ['/a/./b', `'/a/./b' has a '.' or '..' segment; ${hint}`],
    [
      '/%2e%2e/system',
      `'/%2e%2e/system' has the segment '%2e%2e'; segments are letters, digits and - . _ ~ ! $ & ' ( ) * + , ; = : @; ${hint}`,
    ],
    ['/health?full=1', `'/health?full=1' has a query or fragment; the probe GETs a plain path, ${hint}`],
    ['/health#x', `'/health#x' has a query or fragment; the probe GETs a plain path, ${hint}`],
    ['/health\r\nHost: evil', `'/health\\r\\nHost: evil' has a control character; ${hint}`],
    ['//evil.example.com', `'//evil.example.com' has an empty segment ('//' or a trailing '/'); ${hint}`],
  ])('%j is refused', (value, problem) => {
    expect(refusal(() => readyPath(reader({ 'ready-path': value })))).toBe(`input 'ready-path': ${problem}`);
  });
});

describe('state-prefix', () => {
  test.each([
    ['', '.faas-preview'],
    ['/state/', 'state'],
    ['ci/previews.state', 'ci/previews.state'],
    ['other-app-pr-1', 'other-app-pr-1'],
  ])('%j is accepted as %j', (value, expected) =>
    expect(statePrefix(reader({ 'state-prefix': value }), 'shop')).toBe(expected),
  );

  const hint = "use '/'-separated segments of letters, digits, '.', '_' and '-', like '.faas-preview'";
  test.each([
    ['/', `'/' is empty once its slashes are removed; ${hint}`],
    ['a//b', `'a//b' has an empty segment ('//'); ${hint}`],
    ['../state', `'../state' has a '.' or '..' segment; ${hint}`],
    ['a/./b', `'a/./b' has a '.' or '..' segment; ${hint}`],
    ['my state', `'my state' has the segment 'my state'; ${hint}`],
    ['a/b*', `'a/b*' has the segment 'b*'; ${hint}`],
    [
      'shop-pr-12/state',
      `'shop-pr-12/state' lies under the assets of preview shop-pr-12, whose teardown would delete the state; ${hint}`,
    ],
  ])('%j is refused', (value, problem) => {
    expect(refusal(() => statePrefix(reader({ 'state-prefix': value }), 'shop'))).toBe(
      `input 'state-prefix': ${problem}`,
    );
  });
});
