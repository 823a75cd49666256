// `pnpm --filter @edgeclip/gateway start`: the Node gateway, configured from the environment.
import { loadNodeModel } from './load-node-model'
import { readNodeSettings } from './node-settings'
import { startNodeGateway } from './start-node-gateway'

async function main(): Promise<void> {
  const settings = readNodeSettings()
  const model = await loadNodeModel(settings.model, { maxBatchSize: settings.config.edgeBatchSize })
  const gateway = await startNodeGateway({ settings, model })
  // Load the edge tower now so the first request does not pay for it; failures surface in /readyz.
  gateway.deps
    .edgeTower?.()
    .catch((error: unknown) => console.error('edgeclip gateway: edge tower failed to load:', error))
  let stopping = false
  const stop = (signal: string) => {
    if (stopping) return
    stopping = true
    console.log(`edgeclip gateway: ${signal}, draining`)
    gateway.close().then(
      () => process.exit(0),
      (error: unknown) => {
        console.error('edgeclip gateway: shutdown failed:', error)
        process.exit(1)
      },
    )
  }
  process.once('SIGTERM', () => stop('SIGTERM'))
  process.once('SIGINT', () => stop('SIGINT'))
}

main().catch((error: unknown) => {
  console.error(`edgeclip gateway: ${error instanceof Error ? error.message : String(error)}`)
  process.exit(1)
})
