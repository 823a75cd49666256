// The Worker's GPU backend from its vars and secrets (docs/backend-modal.md): MODAL_URL, a Modal web
// endpoint behind proxy auth, wins over BACKEND_URL; either way BACKEND_SECRET is the backend's own
// bearer check, and MODAL_KEY/MODAL_SECRET travel as Modal-Key/Modal-Secret when set. A Modal
// endpoint may be scaled to zero, so a cold one answers 503 + retry-after (ColdStartBackend).
import type { Backend } from '@edgeclip/core'
import { ColdStartBackend, HttpBackend } from '../../adapters'

export interface WorkersBackendVars {
  BACKEND_URL?: string
  MODAL_URL?: string
  BACKEND_SECRET?: string | undefined
  MODAL_KEY?: string | undefined
  MODAL_SECRET?: string | undefined
}

/** Undefined when neither URL is set: the gateway then serves what the edge tower can. */
export function workersBackend(env: WorkersBackendVars, timeoutMs: number): Backend | undefined {
  const url = env.MODAL_URL || env.BACKEND_URL
  if (!url) return undefined
  const backend = new HttpBackend({
    url,
    timeoutMs,
    ...(env.BACKEND_SECRET ? { secret: env.BACKEND_SECRET } : {}),
    ...(env.MODAL_KEY ? { modalKey: env.MODAL_KEY } : {}),
    ...(env.MODAL_SECRET ? { modalSecret: env.MODAL_SECRET } : {}),
  })
  return env.MODAL_URL ? new ColdStartBackend(backend) : backend
}
