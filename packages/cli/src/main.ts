// Entry of `edgeclip`: picks the command, runs it, maps failures to a message and an exit code.
import { isEdgeclipError } from '@edgeclip/core'
import { ModelStoreError } from '@edgeclip/core/node'
import { type Command, type CommandIo, isUsageError } from './command'
import { commands } from './commands'

function generalUsage(): string {
  const width = Math.max(...commands.map((command) => command.name.length))
  const lines = commands.map((command) => `  ${command.name.padEnd(width)}  ${command.summary}`)
  return `usage: edgeclip <command> [options]\n\ncommands:\n${lines.join('\n')}\n\nedgeclip <command> --help for details.`
}

export async function runCli(argv: readonly string[], io: CommandIo): Promise<number> {
  const [name, ...rest] = argv
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    const out = name === undefined ? io.stderr : io.stdout
    out(`${generalUsage()}\n`)
    return name === undefined ? 2 : 0
  }
  const command: Command | undefined = commands.find((candidate) => candidate.name === name)
  if (command === undefined) {
    io.stderr(`edgeclip: unknown command "${name}"\n\n${generalUsage()}\n`)
    return 2
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    io.stdout(`${command.usage}\n`)
    return 0
  }
  try {
    return await command.run(rest, io)
  } catch (error) {
    if (isUsageError(error)) {
      io.stderr(`edgeclip ${name}: ${(error as Error).message}\n\n${command.usage}\n`)
      return 2
    }
    const known = error instanceof ModelStoreError || isEdgeclipError(error)
    const message = error instanceof Error ? error.message : String(error)
    io.stderr(`edgeclip ${name}: ${message}\n`)
    if (!known && io.env.EDGECLIP_DEBUG && error instanceof Error) io.stderr(`${error.stack}\n`)
    return 1
  }
}

const io: CommandIo = {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  env: process.env,
  cwd: process.cwd(),
  stderrIsTTY: process.stderr.isTTY === true,
}
process.exitCode = await runCli(process.argv.slice(2), io)
