import { afterEach, expect, test } from '@jest/globals';
import { mapStacksOnCrashOnly } from '../../src/process/stack-maps.js';

const original: unknown = Reflect.get(Error, 'prepareStackTrace');
const monitors = process.listeners('uncaughtExceptionMonitor');
afterEach(() => {
  Reflect.set(Error, 'prepareStackTrace', original);
  for (const l of process.listeners('uncaughtExceptionMonitor'))
    if (!monitors.includes(l)) process.off('uncaughtExceptionMonitor', l);
});

test('a registered stack formatter is set aside until the process crashes, then put back', () => {
  const mapped = (err: Error) => `mapped ${err.message}`;
  Reflect.set(Error, 'prepareStackTrace', mapped);
  mapStacksOnCrashOnly();
  expect(Reflect.get(Error, 'prepareStackTrace')).toBeUndefined();
  expect(new Error('while running').stack).toMatch(/^Error: while running\n {4}at /);
  for (const l of process.listeners('uncaughtExceptionMonitor'))
    if (!monitors.includes(l)) l(new Error('crash'), 'uncaughtException');
  expect(Reflect.get(Error, 'prepareStackTrace')).toBe(mapped);
  expect(new Error('after the crash').stack).toBe('mapped after the crash');
});

test('without a registered formatter nothing changes and nothing listens', () => {
  Reflect.deleteProperty(Error, 'prepareStackTrace');
  const listeners = process.listenerCount('uncaughtExceptionMonitor');
  mapStacksOnCrashOnly();
  expect(Reflect.get(Error, 'prepareStackTrace')).toBeUndefined();
  expect(process.listenerCount('uncaughtExceptionMonitor')).toBe(listeners);
});
