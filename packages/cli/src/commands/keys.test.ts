import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { hashApiKey } from '@edgeclip/core'
import { SqliteKeyStore } from '@edgeclip/gateway/adapters/node'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { capturedIo } from '../captured-io.test-support'
import { resolveDataDir, runKeysCommand } from './keys'

describe('edgeclip keys', () => {
  let dataDir: string
  let stores: SqliteKeyStore[]
  beforeEach(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'edgeclip-cli-keys-'))
    stores = []
  })
  afterEach(() => {
    for (const store of stores) store.close()
    rmSync(dataDir, { recursive: true, force: true })
  })

  async function run(...argv: string[]) {
    const { io, output } = capturedIo({ env: { EDGECLIP_DATA_DIR: dataDir }, cwd: process.cwd() })
    const code = await runKeysCommand(argv, io)
    return { code, ...output }
  }

  it('creates a key a running gateway accepts at once, printing the key alone on stdout', async () => {
    const gateway = new SqliteKeyStore(dataDir)
    stores.push(gateway)
    const created = await run('create', '--name', 'ci bot', '--rpm', '60', '--tpm', '100000')
    expect(created.code).toBe(0)
    const key = created.stdout.trim()
    expect(key).toMatch(/^ec_[0-9a-f]{12}_[A-Za-z0-9_-]{43}$/)
    const id = key.split('_')[1]!
    expect(created.stderr).toContain(`created key ${id}`)
    expect(await gateway.findByHash(await hashApiKey(key))).toMatchObject({
      id,
      name: 'ci bot',
      revoked: false,
      requestsPerMinute: 60,
      tokensPerMinute: 100_000,
    })
  })

  it('lists ids and limits but never the key or its hash', async () => {
    const key = (await run('create', '--name', 'listed')).stdout.trim()
    const listed = await run('list')
    expect(listed.code).toBe(0)
    expect(listed.stdout).toContain(key.split('_')[1])
    expect(listed.stdout).toContain('listed')
    expect(listed.stdout).toContain('active')
    expect(listed.stdout).not.toContain(key.slice('ec_'.length + 13)) // the secret part
    expect(listed.stdout).not.toContain(await hashApiKey(key))
  })

  it('revokes by id so the gateway refuses the key, and reports unknown ids', async () => {
    const gateway = new SqliteKeyStore(dataDir)
    stores.push(gateway)
    const key = (await run('create', '--name', 'temp')).stdout.trim()
    const id = key.split('_')[1]!
    expect(await run('revoke', id)).toMatchObject({ code: 0, stdout: `revoked ${id}\n` })
    expect((await gateway.findByHash(await hashApiKey(key)))?.revoked).toBe(true)
    expect((await run('list')).stdout).toContain('revoked')
    expect(await run('revoke', '000000000000')).toMatchObject({ code: 1 })
  })

  it('answers usage errors with exit code 2 and writes nothing', async () => {
    for (const argv of [
      ['create'],
      ['create', '--name', ''],
      ['create', '--name', 'x', '--rpm', '0'],
      ['create', '--name', 'x', '--tpm', '1.5'],
      ['create', '--name', 'x', '--bogus'],
      ['revoke'],
      ['rotate'],
    ]) {
      const result = await run(...argv)
      expect(result.code, argv.join(' ')).toBe(2)
      expect(result.stderr).toContain('usage:')
    }
    expect((await run('list')).stdout).toBe('')
  })

  it('resolves the data dir from EDGECLIP_DATA_DIR where the command was run, else the workspace root', () => {
    expect(
      resolveDataDir({ env: { EDGECLIP_DATA_DIR: 'data', INIT_CWD: '/srv/app' }, cwd: '/elsewhere' }),
    ).toBe('/srv/app/data')
    expect(resolveDataDir({ env: {}, cwd: import.meta.dirname })).toBe(
      join(import.meta.dirname, '../../../..', '.edgeclip'),
    )
  })
})
