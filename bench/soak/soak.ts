import type { Log } from '../rpc/rpc-suite';
import type { BenchEnvironment } from '../run/bench-environment';
import type { BenchPlan } from '../run/bench-plan';

export async function runSoak(_plan: BenchPlan, _env: BenchEnvironment, log: Log): Promise<void> {
  log('soak: not yet');
}
