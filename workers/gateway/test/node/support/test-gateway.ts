// Starts the real Node gateway (fixture model, temp data dir, port 0) for integration tests.
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createApiKey, type TextTower, textCacheKey } from '@edgeclip/core'
import { SqliteKeyStore } from '../../../src/adapters/node'
import { loadNodeModel, type NodeGateway, readNodeSettings, startNodeGateway } from '../../../src/node'
import type { NodeModel } from '../../../src/node/node-deps'
import type { GatewayDeps } from '../../../src/ports'

export interface TestGateway {
  gateway: NodeGateway
  url: string
  dataDir: string
  model: NodeModel
  createKey(limits?: {
    requestsPerMinute?: number
    tokensPerMinute?: number
  }): Promise<{ key: string; id: string }>
  revokeKey(id: string): Promise<void>
  close(): Promise<void>
}

let sharedModel: Promise<NodeModel> | undefined
/** One fixture model (and ORT session) for the whole file: loading it is the slow part. */
export const fixtureModel = (): Promise<NodeModel> => {
  sharedModel ??= loadNodeModel({ kind: 'fixture' })
  return sharedModel
}

export const fixtureTower = async (): Promise<TextTower> => (await fixtureModel()).edgeTower!()

/** The cache key the gateway stores an edge-computed text under: the fixture tower's identity. */
export async function fixtureEdgeTextKey(ids: readonly number[]): Promise<string> {
  const model = await fixtureModel()
  return textCacheKey({ spec: model.spec, tower: model.edgeIdentity! }, ids)
}

export async function startTestGateway(
  env: Record<string, string>,
  overrides: Partial<Omit<GatewayDeps, 'waitUntil'>> = {},
): Promise<TestGateway> {
  const dataDir = await mkdtemp(join(tmpdir(), 'edgeclip-gateway-'))
  const settings = readNodeSettings({
    PORT: '0',
    EDGECLIP_MODEL: 'fixture',
    EDGECLIP_DATA_DIR: dataDir,
    ...env,
  })
  const model = await fixtureModel()
  // The shared model outlives each gateway; only the file's last close may release it.
  const borrowed: NodeModel = { ...model, release: async () => {} }
  const gateway = await startNodeGateway({ settings, model: borrowed, overrides, log: () => {} })
  const keyStore = new SqliteKeyStore(dataDir)
  return {
    gateway,
    url: gateway.url,
    dataDir,
    model,
    async createKey(limits = {}) {
      const { key, record } = await createApiKey('integration test', limits)
      await keyStore.create(record)
      return { key, id: record.id }
    },
    async revokeKey(id) {
      await keyStore.revoke(id)
    },
    async close() {
      await gateway.close()
      await rm(dataDir, { recursive: true, force: true })
    },
  }
}
