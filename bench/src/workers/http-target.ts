// A server for the gateway-overhead suite, in its own process so its peak RSS is its own.
// usage: http-target.ts gateway <dataDir> | http-target.ts bare <bodyFile> <contentType>
// Prints {"url"} once listening, then {"peakRssMiB"} and exits when stdin closes.
import { readFile } from 'node:fs/promises'
import { loadNodeModel, readNodeSettings, startNodeGateway } from '@edgeclip/gateway/node'
import { serve } from '@hono/node-server'
import { Hono } from 'hono'
import { peakRssMiB } from '../child'

const [mode, first, second] = process.argv.slice(2)

async function startGateway(dataDir: string): Promise<{ url: string; close: () => Promise<void> }> {
  const settings = readNodeSettings({
    PORT: '0',
    EDGECLIP_MODEL: 'fixture',
    EDGECLIP_DATA_DIR: dataDir,
    EDGECLIP_AUTH: 'off',
    BACKEND_URL: 'off',
    // The limiter would answer 429 long before the gateway saturates; it is not what we measure.
    EDGECLIP_RPM: String(1e9),
    EDGECLIP_TPM: String(1e12),
  })
  const model = await loadNodeModel({ kind: 'fixture' })
  const gateway = await startNodeGateway({ settings, model, log: () => {} })
  return { url: gateway.url, close: () => gateway.close() }
}

async function startBare(
  bodyFile: string,
  contentType: string,
): Promise<{ url: string; close: () => Promise<void> }> {
  const body = new Uint8Array(await readFile(bodyFile))
  const app = new Hono()
  // Reads the request body as the gateway must, then answers the very bytes the gateway answered.
  app.post('/v1/embeddings', async (context) => {
    await context.req.arrayBuffer()
    return context.body(body, 200, { 'content-type': contentType })
  })
  const server = await new Promise<ReturnType<typeof serve>>((resolve) => {
    const started = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, () => resolve(started))
  })
  const address = server.address()
  const port = typeof address === 'object' && address ? address.port : 0
  return {
    url: `http://127.0.0.1:${port}`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  }
}

if (!first || (mode !== 'gateway' && mode !== 'bare'))
  throw new Error('usage: http-target.ts gateway DIR | bare FILE TYPE')
const target =
  mode === 'gateway' ? await startGateway(first) : await startBare(first, second ?? 'application/json')
process.stdout.write(`${JSON.stringify({ url: target.url })}\n`)
process.stdin.resume()
process.stdin.on('end', async () => {
  await target.close()
  process.stdout.write(`${JSON.stringify({ peakRssMiB: peakRssMiB() })}\n`)
  process.exit(0)
})
