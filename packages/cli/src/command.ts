// The contract every `edgeclip` subcommand implements; register new ones in commands/index.ts.
import { resolve } from 'node:path'

export interface CommandIo {
  stdout: (text: string) => void
  stderr: (text: string) => void
  env: Record<string, string | undefined>
  cwd: string
  /** Whether stderr is a terminal (progress bars redraw in place only there). */
  stderrIsTTY?: boolean
  /** All of standard input, for commands that take bulk input; defaults to the process's. */
  readStdin?: () => Promise<string>
}

export interface Command {
  name: string
  /** One line for `edgeclip --help`. */
  summary: string
  usage: string
  /** Resolves the exit code: 0 ok, 1 failed, 2 usage error. */
  run(argv: readonly string[], io: CommandIo): Promise<number>
}

/** Thrown for bad arguments; main prints it with the command's usage and exits 2. */
export class UsageError extends Error {
  override name = 'UsageError'
}

export function isUsageError(error: unknown): boolean {
  if (error instanceof UsageError) return true
  const code = (error as { code?: unknown } | null)?.code
  return typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS_')
}

/**
 * A user-given path, relative to where the user typed the command: `pnpm edgeclip` runs us inside
 * packages/cli, and pnpm keeps the caller's directory in INIT_CWD.
 */
export function resolveUserPath(io: Pick<CommandIo, 'env' | 'cwd'>, path: string): string {
  return resolve(io.env.INIT_CWD ?? io.cwd, path)
}
