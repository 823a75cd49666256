// GatewayConfig from the Worker's vars; anything not set here keeps the shared default.
import { EdgeclipError } from '@edgeclip/core'
import {
  type GatewayConfig,
  parseCorsOrigins,
  resolveGatewayConfig,
  WORKERS_EDGE_MAX_TOKENS_LIMIT,
  WORKERS_MAX_BODY_BYTES,
} from '../../config'
import type { WorkersEnv } from '../env'

function wholeNumber(name: string, value: string | undefined): number | undefined {
  if (value === undefined || value === '') return undefined
  const parsed = Number(value)
  if (!Number.isSafeInteger(parsed) || parsed < 0) {
    throw new EdgeclipError(`${name}=${value} is not a whole number.`, {
      status: 503,
      code: 'gateway_misconfigured',
    })
  }
  return parsed
}

/**
 * EDGECLIP_EDGE_MAX_TOKENS=0 turns the edge tower off: every text goes to the backend. Above
 * WORKERS_EDGE_MAX_TOKENS_LIMIT a full edge batch no longer fits the part isolates' memory.
 */
export function workersConfig(
  env: Pick<WorkersEnv, 'EDGECLIP_EDGE_MAX_TOKENS'> &
    Partial<Pick<WorkersEnv, 'EDGECLIP_CORS_ORIGINS' | 'EDGECLIP_EDGE_TIMEOUT_MS'>>,
): GatewayConfig {
  const edgeMaxTokens = wholeNumber('EDGECLIP_EDGE_MAX_TOKENS', env.EDGECLIP_EDGE_MAX_TOKENS)
  const edgeTimeoutMs = wholeNumber('EDGECLIP_EDGE_TIMEOUT_MS', env.EDGECLIP_EDGE_TIMEOUT_MS)
  if (edgeMaxTokens !== undefined && edgeMaxTokens > WORKERS_EDGE_MAX_TOKENS_LIMIT) {
    throw new EdgeclipError(
      `EDGECLIP_EDGE_MAX_TOKENS=${edgeMaxTokens} is over ${WORKERS_EDGE_MAX_TOKENS_LIMIT}: a full edge batch of longer texts does not fit a part Worker's memory (docs/edge-tower.md).`,
      { status: 503, code: 'gateway_misconfigured' },
    )
  }
  return resolveGatewayConfig({
    maxBodyBytes: WORKERS_MAX_BODY_BYTES,
    ...(edgeMaxTokens === undefined ? {} : { edgeMaxTokens }),
    ...(edgeTimeoutMs ? { edgeTimeoutMs } : {}),
    corsOrigins: parseCorsOrigins(env.EDGECLIP_CORS_ORIGINS),
  })
}
