// A real redis-server for tests, on a free loopback port with persistence off. Tests that need it
// skip with a message when the binary is absent, except under CI=true, where CI installs it
// (.ci/run) and a missing binary must fail the run instead of silently skipping the suite.
import { type ChildProcess, spawn, spawnSync } from 'node:child_process'
import { missingOutsideCi } from '../ci'
import { freePort } from '../http'

export const hasRedisServer = spawnSync('redis-server', ['--version']).status === 0

/** True when Redis tests should run; throws under CI=true when they cannot. */
export function redisTestsEnabled(suite: string): boolean {
  const missing = hasRedisServer ? undefined : 'no redis-server binary on PATH (apt-get install redis-server)'
  return missingOutsideCi(`redis-server (${suite})`, missing) === undefined
}

export interface RunningRedis {
  port: number
  url: string
  /** Stops the server (SIGTERM) and waits for it; the port stays the same for `restart`. */
  stop(): Promise<void>
  /** Starts a fresh, empty server on the same port (an outage and recovery). */
  restart(): Promise<void>
}

function spawnRedis(port: number): Promise<ChildProcess> {
  const child = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  )
  return new Promise((resolve, reject) => {
    let output = ''
    const onExit = (code: number | null) => reject(new Error(`redis-server exited with ${code}: ${output}`))
    child.once('exit', onExit)
    child.stdout?.on('data', (chunk: Buffer) => {
      output += chunk
      if (output.includes('Ready to accept connections')) {
        child.off('exit', onExit)
        child.stdout?.removeAllListeners('data')
        child.stdout?.resume()
        resolve(child)
      }
    })
  })
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return
  const exited = new Promise((resolve) => child.once('exit', resolve))
  child.kill('SIGTERM')
  await exited
}

/** Starts on `port` when given (a server that comes up late), else on a free one. */
export async function startRedisServer(options: { port?: number } = {}): Promise<RunningRedis> {
  const port = options.port ?? (await freePort())
  let child: ChildProcess | undefined = await spawnRedis(port)
  return {
    port,
    url: `redis://127.0.0.1:${port}`,
    async stop() {
      if (child) await stopChild(child)
      child = undefined
    },
    async restart() {
      if (child) await stopChild(child)
      child = await spawnRedis(port)
    },
  }
}
