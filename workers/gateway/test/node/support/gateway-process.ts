// The Node gateway as a real child process (`tsx src/node/main.ts`), configured through its env.
import { type ChildProcess, spawn } from 'node:child_process'
import { join, resolve } from 'node:path'

const packageDir = resolve(import.meta.dirname, '../../..')

export interface GatewayProcess {
  child: ChildProcess
  url: string
  /** Everything it printed so far (stdout and stderr). */
  output(): string
  /** SIGTERM, then SIGKILL if it has not exited after `graceMs`; resolves with its exit code. */
  stop(graceMs?: number): Promise<number | null>
}

export async function startGatewayProcess(env: Record<string, string>): Promise<GatewayProcess> {
  const child = spawn(join(packageDir, 'node_modules/.bin/tsx'), ['src/node/main.ts'], {
    cwd: packageDir,
    env: { ...process.env, PORT: '0', EDGECLIP_MODEL: 'fixture', ...env },
    stdio: 'pipe',
  })
  let output = ''
  const url = await new Promise<string>((resolveUrl, reject) => {
    const onData = (chunk: Buffer) => {
      output += chunk
      const match = /edgeclip gateway: (http:\/\/\S+) model=/.exec(output)
      if (match) resolveUrl(match[1]!)
    }
    child.stdout.on('data', onData)
    child.stderr.on('data', onData)
    child.once('exit', (code) =>
      reject(new Error(`gateway exited with ${code} before listening:\n${output}`)),
    )
  })
  const exited = new Promise<number | null>((resolveExit) => child.once('exit', resolveExit))
  return {
    child,
    url,
    output: () => output,
    async stop(graceMs = 10_000) {
      if (child.exitCode !== null || child.signalCode !== null) return child.exitCode
      child.kill('SIGTERM')
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs)
      try {
        return await exited
      } finally {
        clearTimeout(timer)
      }
    },
  }
}
