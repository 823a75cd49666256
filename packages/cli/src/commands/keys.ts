// `edgeclip keys create|list|revoke`: manages the API keys of a Node gateway in
// <data dir>/keys.sqlite, or in Redis when REDIS_URL is set (the store replicas share); running
// gateways read the store on every request, so changes apply at once. The key itself is printed
// once, to stdout alone (scriptable); only its hash is stored.
import { existsSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { parseArgs } from 'node:util'
import type { KeyStore } from '@edgeclip/core'
import { createApiKey } from '@edgeclip/core'
import { type Command, type CommandIo, isUsageError, resolveUserPath, UsageError } from '../command'

export const keysUsage = `usage:
  edgeclip keys create --name NAME [--rpm N] [--tpm N]   print a new key (shown once)
  edgeclip keys list                                      list keys (ids, never secrets)
  edgeclip keys revoke ID                                 refuse a key from now on

The store is <EDGECLIP_DATA_DIR>/keys.sqlite (default: .edgeclip at the workspace root),
or Redis when REDIS_URL is set, as for gateway replicas that share it.`

/** Runs the command; returns the process exit code (0 ok, 1 failed, 2 usage). */
export async function runKeysCommand(argv: readonly string[], io: CommandIo): Promise<number> {
  const [action, ...rest] = argv
  try {
    switch (action) {
      case 'create':
        return await create(rest, io)
      case 'list':
        return await list(rest, io)
      case 'revoke':
        return await revoke(rest, io)
      case undefined:
      case 'help':
      case '--help':
        io.stdout(`${keysUsage}\n`)
        return action === undefined ? 2 : 0
      default:
        throw new UsageError(`unknown keys action "${action}"`)
    }
  } catch (error) {
    if (isUsageError(error)) {
      io.stderr(`edgeclip keys: ${(error as Error).message}\n${keysUsage}\n`)
      return 2
    }
    throw error
  }
}

/** EDGECLIP_DATA_DIR (relative to where the command was run), else `.edgeclip` at the workspace root. */
export function resolveDataDir(io: Pick<CommandIo, 'env' | 'cwd'>): string {
  if (io.env.EDGECLIP_DATA_DIR) return resolveUserPath(io, io.env.EDGECLIP_DATA_DIR)
  return join(workspaceRoot(io.cwd) ?? resolveUserPath(io, '.'), '.edgeclip')
}

function workspaceRoot(from: string): string | undefined {
  for (let directory = resolve(from); ; directory = dirname(directory)) {
    if (existsSync(join(directory, 'pnpm-workspace.yaml'))) return directory
    if (dirname(directory) === directory) return undefined
  }
}

async function withStore<T>(io: CommandIo, work: (store: KeyStore) => Promise<T>): Promise<T> {
  // Loaded on use: the gateway's Node adapters (Redis client, SQLite) cost every other command
  // most of a second of startup otherwise.
  const { RedisKeyStore, SqliteKeyStore } = await import('@edgeclip/gateway/adapters/node')
  const redisUrl = io.env.REDIS_URL
  const store = redisUrl ? new RedisKeyStore(redisUrl) : new SqliteKeyStore(resolveDataDir(io))
  try {
    return await work(store)
  } finally {
    await store.close()
  }
}

async function create(argv: string[], io: CommandIo): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    options: { name: { type: 'string' }, rpm: { type: 'string' }, tpm: { type: 'string' } },
    strict: true,
    allowPositionals: true,
  })
  if (positionals.length > 0) throw new UsageError(`unexpected argument "${positionals[0]}"`)
  const name = values.name?.trim()
  if (!name) throw new UsageError('--name is required')
  const requestsPerMinute = positiveInteger('--rpm', values.rpm)
  const tokensPerMinute = positiveInteger('--tpm', values.tpm)
  const { key, record } = await createApiKey(name, {
    ...(requestsPerMinute === undefined ? {} : { requestsPerMinute }),
    ...(tokensPerMinute === undefined ? {} : { tokensPerMinute }),
  })
  await withStore(io, (store) => store.create(record))
  io.stdout(`${key}\n`)
  io.stderr(`created key ${record.id} (${name}); it is shown only this once, store it now\n`)
  return 0
}

async function list(argv: string[], io: CommandIo): Promise<number> {
  if (argv.length > 0) throw new UsageError(`unexpected argument "${argv[0]}"`)
  const records = await withStore(io, (store) => store.list())
  if (records.length === 0) {
    io.stderr('no keys yet: edgeclip keys create --name NAME\n')
    return 0
  }
  const rows = [
    ['ID', 'NAME', 'CREATED', 'STATUS', 'RPM', 'TPM'],
    ...records.map((record) => [
      record.id,
      record.name,
      record.createdAt,
      record.revoked ? 'revoked' : 'active',
      record.requestsPerMinute?.toString() ?? 'default',
      record.tokensPerMinute?.toString() ?? 'default',
    ]),
  ]
  const widths = rows[0]!.map((_, column) => Math.max(...rows.map((row) => row[column]!.length)))
  for (const row of rows)
    io.stdout(
      `${row
        .map((cell, column) => cell.padEnd(widths[column]!))
        .join('  ')
        .trimEnd()}\n`,
    )
  return 0
}

async function revoke(argv: string[], io: CommandIo): Promise<number> {
  const [id, ...extra] = argv
  if (id === undefined) throw new UsageError('revoke needs a key id (see keys list)')
  if (extra.length > 0) throw new UsageError(`unexpected argument "${extra[0]}"`)
  const revoked = await withStore(io, (store) => store.revoke(id))
  if (!revoked) {
    io.stderr(`edgeclip keys: no key with id ${id}\n`)
    return 1
  }
  io.stdout(`revoked ${id}\n`)
  return 0
}

function positiveInteger(flag: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined
  if (!/^[1-9][0-9]*$/.test(value) || !Number.isSafeInteger(Number(value))) {
    throw new UsageError(`${flag} must be a positive integer, got "${value}"`)
  }
  return Number(value)
}

export const keysCommand: Command = {
  name: 'keys',
  summary: 'keys create|list|revoke: manage the Node gateway API keys',
  usage: keysUsage,
  run: runKeysCommand,
}
