// A throwaway redis-server for the gateway-overhead suite: REDIS_URL when set, else a local binary
// on a free loopback port with persistence off; undefined (and a note) when neither exists.
import { spawn, spawnSync } from 'node:child_process'
import { createServer } from 'node:net'

export interface RedisForBench {
  url: string
  /** How it was found, for the report. */
  source: string
  stop(): Promise<void>
}

async function freePort(): Promise<number> {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const address = server.address()
  await new Promise<void>((resolve) => server.close(() => resolve()))
  if (address === null || typeof address === 'string') throw new Error('no free port')
  return address.port
}

export async function redisForBench(workDir: string): Promise<RedisForBench | undefined> {
  if (process.env.REDIS_URL) return { url: process.env.REDIS_URL, source: 'REDIS_URL', stop: async () => {} }
  if (spawnSync('redis-server', ['--version']).status !== 0) return undefined
  const port = await freePort()
  const child = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', workDir],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  )
  await new Promise<void>((resolve, reject) => {
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      if (chunk.includes('Ready to accept connections')) resolve()
    })
    child.once('exit', (code) => reject(new Error(`redis-server exited with ${code}`)))
  })
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  return {
    url: `redis://127.0.0.1:${port}`,
    source: `local redis-server on 127.0.0.1:${port} (no persistence)`,
    async stop() {
      child.kill('SIGTERM')
      await exited
    },
  }
}
