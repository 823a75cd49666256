// Runs a measurement in its own process so peak memory (maxRSS) belongs to one runtime only.
import { spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'

const tsx = fileURLToPath(new URL('../node_modules/.bin/tsx', import.meta.url))

export async function runChild<T>(script: string, args: readonly string[], timeoutMs = 600_000): Promise<T> {
  const path = fileURLToPath(new URL(`./workers/${script}`, import.meta.url))
  const child = spawn(tsx, [path, ...args], { stdio: ['ignore', 'pipe', 'inherit'] })
  let stdout = ''
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk
  })
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs)
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve))
  clearTimeout(timer)
  const line = stdout.trim().split('\n').at(-1) ?? ''
  if (code !== 0 || !line.startsWith('{'))
    throw new Error(`${script} ${args.join(' ')} exited ${code}: ${stdout.slice(-500)}`)
  return JSON.parse(line) as T
}

/** Peak resident set size of this process in MiB (Linux reports maxRSS in KiB). */
export const peakRssMiB = (): number => process.resourceUsage().maxRSS / 1024

export interface ChildServer {
  url: string
  /** The other fields of the server's first line (a gateway's bench API key). */
  info: Record<string, unknown>
  /** CPU time (user + system) the server process has used so far, in microseconds. */
  cpuMicros(): Promise<number>
  /** Closes the server's stdin, which makes it close and report its peak RSS. */
  stop(): Promise<number>
}

/**
 * Starts a worker that prints `{"url"}` when listening, `{"cpuMicros"}` for each `cpu` line on its
 * stdin, and `{"peakRssMiB"}` when its stdin ends.
 */
export async function startChildServer(
  script: string,
  args: readonly string[],
  env: NodeJS.ProcessEnv = process.env,
): Promise<ChildServer> {
  const path = fileURLToPath(new URL(`./workers/${script}`, import.meta.url))
  const child = spawn(tsx, [path, ...args], { stdio: ['pipe', 'pipe', 'inherit'], env })
  const lines: string[] = []
  let buffer = ''
  const waiters: (() => void)[] = []
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    buffer += chunk
    const parts = buffer.split('\n')
    buffer = parts.pop() ?? ''
    for (const part of parts) if (part.startsWith('{')) lines.push(part)
    for (const waiter of waiters.splice(0)) waiter()
  })
  const exited = new Promise<number | null>((resolve) => child.on('close', resolve))
  const nextLine = async (index: number): Promise<Record<string, unknown>> => {
    while (lines.length <= index) {
      const more = new Promise<void>((resolve) => waiters.push(resolve))
      const code = await Promise.race([more.then(() => undefined), exited])
      if (code !== undefined && lines.length <= index)
        throw new Error(`${script} exited ${code} before answering`)
    }
    return JSON.parse(lines[index]!) as Record<string, unknown>
  }
  const info = await nextLine(0)
  let answered = 1
  return {
    url: String(info.url),
    info,
    async cpuMicros() {
      child.stdin.write('cpu\n')
      const { cpuMicros } = await nextLine(answered++)
      return Number(cpuMicros)
    },
    async stop() {
      child.stdin.end()
      const { peakRssMiB: peak } = await nextLine(answered++)
      await exited
      return Number(peak)
    },
  }
}
