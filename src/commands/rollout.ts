/**
 * The functions of one deploy, from image to "ready": each unit's image (built, retagged, reused or prebuilt, one
 * after another: builds compete for the runner's CPU), then each function's spec on the gateway (skipped when it
 * runs that spec already), then the readiness of all of them together (readiness.ts).
 */
import { unchangedFunction } from '../decide/backend-change.js';
import { log } from '../log.js';
import { LABELS } from '../naming.js';
import type { Provider } from '../openfaas/client.js';
import { waitUntilReady, type Readiness } from '../openfaas/readiness.js';
import type { FunctionDeployment, FunctionStatus } from '../openfaas/types.js';
import { Templates } from '../stack/templates.js';
import type { ImageSource } from '../preview.js';
import { prepareImage } from './image-source.js';
import type { Services } from './services.js';
import type { Unit } from './units.js';

export interface UnitImage {
  unit: Unit;
  image: string;
  backend: ImageSource;
  envProcess?: string;
}

export async function prepareImages(
  s: Services,
  units: Unit[],
  running: (name: string) => FunctionStatus | undefined,
  /** Called as a build command starts (buildImage's `building`), for each unit built. */
  building?: () => void,
): Promise<UnitImage[]> {
  const stack = s.settings.stack?.parsed;
  const templates = stack
    ? new Templates(stack, { tmp: process.env.RUNNER_TEMP, log: log.info, cloneTimeoutMs: 120_000 })
    : undefined;
  try {
    const out: UnitImage[] = [];
    for (const unit of units) {
      try {
        out.push({ unit, ...(await prepareImage(s, unit, running(unit.name), templates!, building)) });
      } catch (err) {
        throw unit.fn ? new Error(`function '${unit.fn}': ${(err as Error).message}`, { cause: err }) : err;
      }
    }
    return out;
  } finally {
    await templates?.cleanup();
  }
}

/** A function's spec, sent (or not, when it already runs it), and how to tell when it is ready. */
export interface Sent {
  unit: Unit;
  spec: FunctionDeployment;
  /** 'unchanged': the function already runs this spec and image; it is only asked whether it still answers. */
  how: 'created' | 'updated' | 'unchanged';
  running?: FunctionStatus;
}

/**
 * Sends each spec, one after the other, unless the function already runs it: only when the build digest proved the
 * image the same (a prebuilt image's tag may have moved, so it is always sent again) and the spec digest proves the
 * rest. `sent` fills as the gateway accepts each: when a later one fails, it holds those the gateway took before.
 */
export async function sendSpecs(
  s: Services,
  specs: { unit: Unit; spec: FunctionDeployment; backend: ImageSource }[],
  running: (name: string) => FunctionStatus | undefined,
  sent: Sent[] = [],
): Promise<Sent[]> {
  const { settings } = s;
  for (const { unit, spec, backend } of specs) {
    const current = running(unit.name);
    if (backend.how === 'reused' && unchangedFunction(current, spec)) {
      log.info(
        `Function ${unit.name} already runs this spec and image (deployed for ${(current!.labels?.[LABELS.sha] ?? '').slice(0, 7)}): not updated`,
      );
      sent.push({ unit, spec, how: 'unchanged', running: current });
      continue;
    }
    // faasd pulls the image inside the deploy request, so it may take as long as the readiness wait.
    const how = await s.gateway.deploy(spec, Math.max(settings.requestTimeoutMs, settings.fn.readyTimeoutMs));
    log.info(`Function ${unit.name} ${how} on the gateway; waiting until ${settings.fn.readyPath} answers`);
    sent.push({ unit, spec, how });
  }
  return sent;
}

/** All functions ready (or rolling out): one verdict for the preview, with each function's evidence. */
export async function awaitReady(s: Services, provider: Provider, sent: Sent[], sha: string): Promise<Readiness> {
  const { settings } = s;
  const wait = (x: Sent) => {
    // An untouched function is judged as what it is: the image and commit it was deployed for.
    const target = x.running
      ? {
          name: x.unit.name,
          image: x.running.image,
          sha: x.running.labels?.[LABELS.sha] ?? '',
          readyPath: settings.fn.readyPath,
          created: false,
        }
      : { name: x.unit.name, image: x.spec.image, sha, readyPath: settings.fn.readyPath, created: x.how === 'created' };
    return waitUntilReady(s.gateway, provider, target, {
      timeoutMs: settings.fn.readyTimeoutMs,
      requestTimeoutMs: settings.requestTimeoutMs,
    });
  };
  const all = await Promise.all(sent.map(wait));
  if (all.length === 1) return all[0];
  const state = all.every((r) => r.state === 'ready') ? 'ready' : 'rolling-out';
  return {
    state,
    evidence: sent.map((x, i) => `${x.unit.name}: ${all[i].evidence}`).join('; '),
    checks: all.flatMap((r) => r.checks),
  };
}
