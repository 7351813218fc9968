/**
 * Source-mapped stack traces only where someone reads one: a crash. The bundles load ncc's source-map register first
 * (scripts/bundle.mjs), which maps every stack V8 formats, and the first one parses the bundle's 2 MB map: about
 * 230 ms of CPU on the bench machine. Node formats stacks nobody prints: a keep-alive connection the HTTP client
 * closes after an idle timeout reads its error's `stack` while it is destroyed. The action reports errors by their
 * message, never their stack; a crash (an uncaught exception or rejection) prints one, mapped as before unless
 * something read that error's `stack` earlier (V8 formats it once).
 */

/** Plain stacks from now on, mapped ones again when the process crashes. Without the register, nothing changes. */
export function mapStacksOnCrashOnly(): void {
  const mapped: unknown = Reflect.get(Error, 'prepareStackTrace');
  if (!mapped) return;
  Reflect.deleteProperty(Error, 'prepareStackTrace');
  // Node emits the monitor event before 'uncaughtException'; the register patches process.emit to print the stack
  // of that event when nothing else listens to it.
  process.once('uncaughtExceptionMonitor', () => Reflect.set(Error, 'prepareStackTrace', mapped));
}
