/**
 * UPDATE_NAMESRV_CONFIG (318) and GET_NAMESRV_CONFIG (319): RocketMQ's
 * `DefaultRequestProcessor.updateConfig` / `getConfig` over a
 * {@link NamesrvConfiguration}; 318 applies the registry-level keys live
 * through `registry.updateOptions()`.
 * @internal
 */
import { syncConfigWithRegistry } from '../config/namesrv-config.js';
import { ResponseCode } from './codes.js';
import type { RemotingCommand } from './command.js';
import { fail, ok, type Reply } from './reply.js';
import type { RequestContext } from './request-context.js';

/**
 * UPDATE_NAMESRV_CONFIG. SUCCESS (unknown keys ignored, as Java), or:
 * SYSTEM_ERROR "string2Properties error" for a body that is not properties
 * text, NO_PERMISSION "Can not update config in black list.", and (beyond
 * Java, which keeps the old value silently) INVALID_PARAMETER naming a key
 * whose value is not of its type. Nothing is changed by a refused request.
 */
export async function updateNamesrvConfig(ctx: RequestContext, request: RemotingCommand): Promise<Reply> {
  const config = ctx.namesrvConfig;
  const registry = ctx.registry;
  syncConfigWithRegistry(config, registry.options);
  const outcome = await config.update(request.body, { applyLive: (patch) => registry.updateOptions(patch) });
  switch (outcome.status) {
    case 'updated':
    case 'noBody':
      return ok();
    case 'blacklisted':
      return fail(ResponseCode.NO_PERMISSION, outcome.remark);
    case 'invalid':
      return fail(ResponseCode.INVALID_PARAMETER, outcome.remark);
    case 'malformed':
    case 'failed':
      return fail(ResponseCode.SYSTEM_ERROR, outcome.remark);
  }
}

/** GET_NAMESRV_CONFIG: every key held, `key=value` lines sorted by key, as Java's `getAllConfigsFormatString`. */
export function getNamesrvConfig(ctx: RequestContext): Reply {
  syncConfigWithRegistry(ctx.namesrvConfig, ctx.registry.options);
  return ok(Buffer.from(ctx.namesrvConfig.formatAll(), 'utf8'));
}
