/**
 * The command channel's handler table: CommandRequest → CommandReply, over the interchange's state.
 * A command that fails is answered `ok:false` with a coded error; it never throws past here.
 */
import { COMMANDS, type CommandReply, type CommandRequest } from "../protocol/index.ts";
import type { Blocks } from "./blocks.ts";
import type { InterchangeCore } from "./core.ts";

export interface CommandHost {
  readonly core: InterchangeCore;
  readonly blocks: Blocks | null;
  now(): number;
  /** Begins a shutdown after the reply is sent. */
  requestShutdown(drain: boolean): void;
}

const ok = (data: unknown): CommandReply => ({ ok: true, data });
const no = (code: string, message: string): CommandReply => ({ ok: false, error: { code, message } });

export function outstandingBreakdown(core: InterchangeCore) {
  const perManager: Record<string, number> = {};
  let inflight = 0;
  for (const m of core.managers.all()) {
    perManager[m.id] = m.inflight.size;
    inflight += m.inflight.size;
  }
  return { total: core.queues.size + inflight, queued: core.queues.size, in_flight: inflight, per_type: Object.fromEntries(core.pendingByType()), per_manager: perManager };
}

export async function handleCommand(req: CommandRequest, host: CommandHost): Promise<CommandReply> {
  const core = host.core;
  switch (req.type) {
    case COMMANDS.ping:
      return ok({ pong: true, interchange_id: core.settings.interchangeId, pid: process.pid });
    case COMMANDS.outstanding:
      return ok(outstandingBreakdown(core));
    case COMMANDS.managers:
      return ok([...core.managers.all()].map((m) => core.managers.info(m, host.now())));
    case COMMANDS.workers: {
      let workers = 0;
      for (const m of core.managers.all()) workers += m.reg.worker_count;
      return ok({ managers: core.managers.size, workers });
    }
    case COMMANDS.utilization: {
      let workers = 0;
      let inflight = 0;
      for (const m of core.managers.all()) {
        workers += m.reg.worker_count;
        inflight += m.inflight.size;
      }
      return ok({ workers, in_flight: inflight, queued: core.queues.size, utilization: workers > 0 ? Math.min(1, inflight / workers) : 0, counters: { ...core.counters } });
    }
    case COMMANDS.holdManager:
      return core.holdManager(req.manager_id) ? ok({ held: req.manager_id }) : no("E_UNKNOWN_MANAGER", `no manager ${JSON.stringify(req.manager_id)} is connected`);
    case COMMANDS.scaleOut:
      if (!host.blocks) return no("E_NO_PROVIDER", "this interchange has no provider to scale");
      return ok({ block_ids: await host.blocks.scaleOut(req.blocks, host.now()) });
    case COMMANDS.scaleIn:
      if (!host.blocks) return no("E_NO_PROVIDER", "this interchange has no provider to scale");
      return ok({ block_ids: await host.blocks.scaleIn(req.blocks, req.block_ids, host.now()) });
    case COMMANDS.blocks:
      return ok(host.blocks ? host.blocks.list() : []);
    case COMMANDS.shutdown:
      host.requestShutdown(req.drain ?? false);
      return ok({ shutting_down: true, drain: req.drain ?? false });
  }
}
