// The app's typed Hono context, the same on every host.
import type { ApiKeyRecord } from '@edgeclip/core'
import type { StageTimings } from './middleware/timing'
import type { GatewayDeps } from './ports'

/** Host bindings reach the app only through `getDeps`; the app itself reads none. */
export type GatewayBindings = object

export interface GatewayVariables {
  requestId: string
  deps: GatewayDeps
  /** Undefined when auth is off. */
  keyRecord: ApiKeyRecord | undefined
  timings: StageTimings
}

export type AppEnv = { Bindings: GatewayBindings; Variables: GatewayVariables }
