// `pnpm --filter @edgeclip/gpu-backend start`: reads the environment, serves, drains on SIGTERM.
import { ConfigError, readBackendConfig } from './config'
import { startBackend } from './service'

function fail(message: string): never {
  console.error(`edgeclip backend: ${message}`)
  process.exit(1)
}

let config: ReturnType<typeof readBackendConfig>
try {
  config = readBackendConfig()
} catch (error) {
  if (error instanceof ConfigError) fail(error.message)
  throw error
}

const backend = await startBackend({ config })
backend.ready.catch(() => process.exit(1))

let stopping = false
const shutdown = (signal: string) => {
  if (stopping) return
  stopping = true
  console.log(`edgeclip backend: ${signal}: finishing in-flight batches, then exiting`)
  const timer = setTimeout(
    () => fail(`still busy after ${config.shutdownTimeoutMs} ms; exiting`),
    config.shutdownTimeoutMs,
  )
  timer.unref()
  backend.close().then(
    () => {
      console.log('edgeclip backend: drained; bye')
      process.exit(0)
    },
    (error: unknown) => fail(`shutdown failed: ${String(error)}`),
  )
}
process.on('SIGTERM', () => shutdown('SIGTERM'))
process.on('SIGINT', () => shutdown('SIGINT'))
