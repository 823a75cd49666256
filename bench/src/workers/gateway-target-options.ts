// Options of a gateway started by http-target.ts (a module of its own: the script runs on import).
export interface GatewayTargetOptions {
  /** On: a real key is created in the data dir's key store and every request must carry it. */
  auth: boolean
  /** L1 budget; 1 byte keeps no vector in memory, so every lookup goes to L2. */
  memoryCacheBytes: number
  /** L2 in Redis instead of SQLite. */
  redisUrl?: string
}
