// One way to open the SQLite files the gateway and the CLI share: WAL so readers never block the
// writer, and a busy timeout so a CLI write and a gateway write queue instead of failing.
import { mkdirSync } from 'node:fs'
import { dirname } from 'node:path'
import type { DatabaseSync } from 'node:sqlite'

type SqliteModule = typeof import('node:sqlite')

const BUSY_TIMEOUT_MS = 5_000

export function openDatabase(path: string): DatabaseSync {
  // Looked up at run time: node:sqlite is unflagged only from Node 22.13, and a static import
  // would break every importer of the Node barrel on older 22.x, not just SQLite users.
  const sqlite = withoutSqliteWarning(() => process.getBuiltinModule('node:sqlite')) as
    | SqliteModule
    | undefined
  if (sqlite === undefined) {
    throw new Error(`SQLite storage needs node:sqlite (Node >= 22.13); this is Node ${process.versions.node}`)
  }
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true })
  const database = new sqlite.DatabaseSync(path)
  database.exec(`PRAGMA busy_timeout = ${BUSY_TIMEOUT_MS}`)
  database.exec('PRAGMA journal_mode = WAL')
  database.exec('PRAGMA synchronous = NORMAL')
  return database
}

/**
 * Runs `load` with Node's one-time "SQLite is an experimental feature" warning dropped: every
 * `pnpm start` and `pnpm edgeclip keys` printed it, though the API used here is stable in practice.
 * Only that warning: a --disable-warning=ExperimentalWarning flag would hide every other one, and
 * would have to be passed to each entry point (gateway, CLI, tests).
 */
function withoutSqliteWarning<T>(load: () => T): T {
  const emitWarning = process.emitWarning
  process.emitWarning = ((warning: string | Error, ...rest: unknown[]) => {
    const message = typeof warning === 'string' ? warning : warning.message
    if (/^SQLite is an experimental feature/.test(message)) return
    return (emitWarning as (...args: unknown[]) => void).call(process, warning, ...rest)
  }) as typeof process.emitWarning
  try {
    return load()
  } finally {
    process.emitWarning = emitWarning
  }
}

/** Runs `work` in one write transaction (one fsync for a whole batch). */
export function inTransaction<T>(database: DatabaseSync, work: () => T): T {
  database.exec('BEGIN IMMEDIATE')
  try {
    const result = work()
    database.exec('COMMIT')
    return result
  } catch (error) {
    database.exec('ROLLBACK')
    throw error
  }
}
