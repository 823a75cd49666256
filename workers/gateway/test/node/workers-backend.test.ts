// The Worker reads MODAL_URL/MODAL_KEY/MODAL_SECRET as docs/backend-modal.md says: MODAL_URL wins
// over BACKEND_URL and each batch carries the proxy-auth headers and the backend secret. The
// function is runtime-agnostic (fetch-based HttpBackend), so a real Node HTTP server checks it.
import type { BackendItem } from '@edgeclip/core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  type BackendServer,
  expectedVector,
  startBackendServer,
} from '../../src/adapters/backend/backend-server.test-support'
import { workersBackend } from '../../src/workers/deps/workers-backend'

let modalEndpoint: BackendServer
let plainBackend: BackendServer
beforeAll(async () => {
  modalEndpoint = await startBackendServer()
  plainBackend = await startBackendServer()
})
afterAll(async () => {
  await modalEndpoint?.close()
  await plainBackend?.close()
})

const items: BackendItem[] = [{ kind: 'text', ids: [101, 5, 102] }]

describe('workersBackend', () => {
  it('sends batches to MODAL_URL, over BACKEND_URL, with Modal-Key/Modal-Secret and the secret', async () => {
    const backend = workersBackend(
      {
        BACKEND_URL: plainBackend.url,
        MODAL_URL: modalEndpoint.url,
        MODAL_KEY: 'wk-test',
        MODAL_SECRET: 'ws-test',
        BACKEND_SECRET: 'backend-secret',
      },
      5_000,
    )
    const result = await backend!.embedBatch('jina-clip-v1', items)
    expect(result.items).toEqual([{ ok: true, vector: expectedVector(items[0]!) }])
    expect(plainBackend.batches).toHaveLength(0)
    expect(modalEndpoint.batches[0]?.headers).toMatchObject({
      'modal-key': 'wk-test',
      'modal-secret': 'ws-test',
      authorization: 'Bearer backend-secret',
    })
  })

  it('uses BACKEND_URL without proxy headers when MODAL_URL is empty, and no backend without either', async () => {
    const backend = workersBackend({ BACKEND_URL: plainBackend.url, MODAL_URL: '' }, 5_000)
    await backend!.embedBatch('jina-clip-v1', items)
    expect(plainBackend.batches.at(-1)?.headers['modal-key']).toBeUndefined()
    expect(workersBackend({ BACKEND_URL: '', MODAL_URL: '' }, 5_000)).toBeUndefined()
  })
})
