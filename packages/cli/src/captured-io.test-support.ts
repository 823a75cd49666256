// A CommandIo that keeps what a command prints, for running commands in-process in tests.
import type { CommandIo } from './command'

export interface CapturedIo {
  io: CommandIo
  output: { stdout: string; stderr: string }
}

export function capturedIo(options: Omit<CommandIo, 'stdout' | 'stderr'>): CapturedIo {
  const output = { stdout: '', stderr: '' }
  const io: CommandIo = {
    ...options,
    stdout: (text) => {
      output.stdout += text
    },
    stderr: (text) => {
      output.stderr += text
    },
  }
  return { io, output }
}
