/**
 * Deploy once per worker, not once per scenario (embedded backend): one
 * endpoint serves a worker's scenarios one after the other, and each starts
 * from a snapshot restore (control API `POST /_rehearse/snapshots/<id>/restore`)
 * instead of a fresh endpoint and a fresh deploy.
 *
 * - The empty endpoint is snapshotted when the worker starts; a scenario that
 *   deploys nothing starts from it.
 * - The first scenario with a given deploy key (deploy-key.ts) restores the
 *   empty snapshot, deploys, and snapshots the deployed state under that key;
 *   every scenario with that key — that first one included — then starts from
 *   a restore of the deployed snapshot.
 *
 * A restore puts back every store (buckets, secrets, tables, queues,
 * executions, functions…), the fault plan, the observations and the virtual
 * clock as they were at the snapshot, drops mock configs, stops every Lambda
 * execution environment (the next invocation is a cold start, with fresh
 * module state) and re-seeds every id source from the scenario's seed. So a
 * scenario sees exactly what a fresh deploy would have left, and draws its ids
 * from its own seed whatever ran before it on the worker and whichever worker
 * deployed: the deploy itself runs on a seed derived from the run's seed and
 * the key, never from the scenario that happened to come first.
 */
import { createHash } from 'node:crypto';
import { traced } from '../core/index.ts';
import type { ControlApi } from './control.ts';

export interface ScenarioDeploy {
  /** deployKey() of what it deploys. */
  key: string;
  /** Deploys it onto the worker's endpoint. */
  run(): Promise<void>;
}

export class DeployedStates {
  private readonly deployed = new Map<string, string>();
  /** Keys whose deployed state could not be snapshotted (work still running after the deploy): they deploy every time. */
  private readonly uncopyable = new Set<string>();
  /** How many deploys ran on this worker's endpoint. */
  deploys = 0;

  private constructor(
    private readonly control: ControlApi,
    private readonly empty: string,
    private readonly runSeed: string,
  ) {}

  /** Snapshots the worker's endpoint while it is still empty. */
  static async start(control: ControlApi, runSeed: string): Promise<DeployedStates> {
    return new DeployedStates(control, await control.snapshot(), runSeed);
  }

  /** Puts the endpoint in the state a scenario starts from: the empty endpoint, or `deploy` done on it; ids from `seed`. */
  async begin(seed: string, deploy?: ScenarioDeploy): Promise<void> {
    if (!deploy) return this.control.restore(this.empty, seed);
    const known = this.deployed.get(deploy.key);
    if (known) return this.control.restore(known, seed);
    if (this.uncopyable.has(deploy.key)) return this.deployFresh(seed, deploy);
    await this.control.restore(this.empty, `${this.runSeed}/deploy/${createHash('sha256').update(deploy.key).digest('hex').slice(0, 16)}`);
    this.deploys++;
    await traced('deploy', () => deploy.run());
    let snapshot: string;
    try {
      snapshot = await this.control.snapshot();
    } catch {
      // The deploy left work running (an upload starting an execution): this
      // key deploys for each scenario, on the scenario's own seed, as it would without snapshots.
      this.uncopyable.add(deploy.key);
      return this.deployFresh(seed, deploy);
    }
    this.deployed.set(deploy.key, snapshot);
    await this.control.restore(snapshot, seed);
  }

  private async deployFresh(seed: string, deploy: ScenarioDeploy): Promise<void> {
    await this.control.restore(this.empty, seed);
    this.deploys++;
    await deploy.run();
  }
}
