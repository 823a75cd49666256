// What a benchmark suite receives and returns; main.ts writes the results.
import type { MachineInfo } from './machine'

export interface SuiteContext {
  quick: boolean
  /** Scratch space for generated models (gitignored). */
  workDir: string
  log: (message: string) => void
}

export interface ResultTable {
  title: string
  rows: Record<string, number | string>[]
}

export interface SuiteResult {
  name: string
  title: string
  model?: string
  tables: ResultTable[]
  notes?: string[]
  /** Figures as another package's bench returned them, kept whole in latest.json. */
  raw?: object
  /** The suite threw; its notes say why. */
  failed?: boolean
  /** Set when the suite was re-run alone and merged into an earlier report (`--merge`). */
  run?: SuiteRun
}

export interface SuiteRun {
  startedAt: string
  durationS: number
  machine: MachineInfo
}

export type Suite = (context: SuiteContext) => Promise<SuiteResult>
