// Every subcommand, in `--help` order. A new command is one file here and one line below.
import type { Command } from '../command'
import { keysUsage, runKeysCommand } from './keys'
import { modelCommand } from './model'
import { preprocessCommand } from './preprocess'
import { tokenizeCommand } from './tokenize'

const keysCommand: Command = {
  name: 'keys',
  summary: 'keys create|list|revoke: manage the Node gateway API keys',
  usage: keysUsage,
  run: runKeysCommand,
}

export const commands: readonly Command[] = [modelCommand, tokenizeCommand, preprocessCommand, keysCommand]
