// The real Node gateway (fixture model, auth on, temp data dir, port 0) in front of a fixture backend.
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createApiKey } from '@edgeclip/core'
import { SqliteKeyStore } from '@edgeclip/gateway/adapters/node'
import { loadNodeModel, readNodeSettings, startNodeGateway } from '@edgeclip/gateway/node'
import { startFixtureBackend } from './fixture-backend'

export interface TestStack {
  url: string
  /** The gateway's per-call maximum, set low so splitting is exercised against the real limit. */
  maxInputs: number
  createKey(limits?: { requestsPerMinute?: number }): Promise<string>
  close(): Promise<void>
}

export async function startTestStack(
  maxInputs = 8,
  extraEnv: Record<string, string> = {},
): Promise<TestStack> {
  const dataDir = await mkdtemp(join(tmpdir(), 'edgeclip-sdk-'))
  const backend = await startFixtureBackend()
  const settings = readNodeSettings({
    PORT: '0',
    EDGECLIP_MODEL: 'fixture',
    EDGECLIP_DATA_DIR: dataDir,
    EDGECLIP_AUTH: 'on',
    EDGECLIP_MAX_INPUTS: String(maxInputs),
    BACKEND_URL: backend.url,
    ...extraEnv,
  })
  const gateway = await startNodeGateway({
    settings,
    model: await loadNodeModel({ kind: 'fixture' }),
    log: () => {},
  })
  const keyStore = new SqliteKeyStore(dataDir)
  return {
    url: gateway.url,
    maxInputs,
    async createKey(limits = {}) {
      const { key, record } = await createApiKey('sdk integration test', limits)
      await keyStore.create(record)
      return key
    },
    async close() {
      await gateway.close()
      await backend.close()
      await rm(dataDir, { recursive: true, force: true })
    },
  }
}
