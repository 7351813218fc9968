/**
 * A Kubernetes Deployment as faas-netes creates it (pkg/handlers/deploy.go makeDeploymentSpec): RollingUpdate with
 * MaxUnavailable 0 and MaxSurge 1. An update adds pods of the new version and removes the old ones only once the
 * new ones are ready, so `availableReplicas` keeps counting the old pods and the old version keeps answering until
 * then; a new version that never becomes ready leaves the old one serving for good. Simplification: all pods of a
 * rollout become ready together (Kubernetes replaces them one by one).
 */
import type { Instance, Readiness, Version } from './model.js';

export class Deployment {
  pods: Instance[] = [];

  constructor(
    public target: Version,
    public replicas: number,
    private readonly readiness: Readiness,
  ) {
    this.addPods(replicas);
  }

  private addPods(n: number): void {
    for (let i = 0; i < n; i++) this.pods.push(this.readiness.start(this.target));
  }

  private current(): Instance[] {
    return this.pods.filter((p) => p.version === this.target);
  }

  /** The rollout completes when every pod of the target version is ready: the old ones are terminated. */
  private settle(now: number): void {
    const current = this.current();
    if (current.length === this.replicas && current.every((p) => p.readyAt <= now)) this.pods = current;
  }

  available(now = Date.now()): number {
    this.settle(now);
    return this.pods.filter((p) => p.readyAt <= now).length;
  }

  /** The pod that answers a request: the new version once one of its pods is ready, an old one until then. */
  serving(now = Date.now()): Instance | undefined {
    this.settle(now);
    const ready = this.pods.filter((p) => p.readyAt <= now);
    return ready.find((p) => p.version === this.target) ?? ready.at(-1);
  }

  /** A new pod template: pods of an earlier rollout that never got ready are replaced, ready ones stay. */
  rollout(version: Version, replicas: number): void {
    const now = Date.now();
    this.pods = this.pods.filter((p) => p.readyAt <= now);
    this.target = version;
    this.replicas = replicas;
    this.addPods(replicas);
  }

  scale(replicas: number): void {
    this.replicas = replicas;
    if (replicas === 0) {
      this.pods = [];
      return;
    }
    const current = this.current();
    if (current.length < replicas) return this.addPods(replicas - current.length);
    const now = Date.now();
    const surplus = [...current]
      .sort((a, b) => Number(a.readyAt <= now) - Number(b.readyAt <= now))
      .slice(0, current.length - replicas);
    this.pods = this.pods.filter((p) => !surplus.includes(p));
  }
}
