// What the ticket path costs over the bare products, by the rule's arithmetic (not measured): for one
// local step of a task, the MAC-weighted decode floor r/n + r/m + 2r/k of its ticket jobs (X' = A'·F_L,
// Y = E_R·B', and the decode's two rank-r products) and the noise add r/n + r/m (E = E_L·E_R,
// F = F_L·F_R), which the rule needs as well. Used by the pouw bench and to compare tasks (docs/mining.md).
import { isTicketJob, type PouwSpec } from '../consensus/pouw/spec.ts';

export interface TicketCost {
  /** MACs of the step's products. */
  readonly macs: number;
  /** Share of those MACs in ticket jobs (the rest is computed plainly and carries no tickets). */
  readonly ticketShare: number;
  /** Decode floor in MACs over all of the step's MACs: sum over ticket jobs of mkn·(r/n + r/m + 2r/k). */
  readonly floor: number;
  /** Noise add in MACs over all of the step's MACs: sum over ticket jobs of mkn·(r/n + r/m). */
  readonly noiseAdd: number;
}

export function ticketCost(spec: PouwSpec, shapes: readonly (readonly [number, number, number])[]): TicketCost {
  const r = spec.r;
  let macs = 0, ticket = 0, floor = 0, add = 0;
  for (const [m, k, n] of shapes) {
    const x = m * k * n;
    macs += x;
    if (!isTicketJob(spec, m, k, n)) continue;
    ticket += x;
    floor += x * (r / n + r / m + (2 * r) / k);
    add += x * (r / n + r / m);
  }
  return { macs, ticketShare: ticket / macs, floor: floor / macs, noiseAdd: add / macs };
}
