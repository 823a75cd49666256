// Every subcommand, in `--help` order. A new command is one file here and one line below.
import type { Command } from '../command'
import { embedCommand } from './embed'
import { keysCommand } from './keys'
import { modelCommand } from './model'
import { preprocessCommand } from './preprocess'
import { tokenizeCommand } from './tokenize'

export const commands: readonly Command[] = [
  modelCommand,
  tokenizeCommand,
  preprocessCommand,
  embedCommand,
  keysCommand,
]
