// The Modal path end to end on this machine: ModalBackend built by node-deps from MODAL_* settings,
// the real JS SDK (npm modal) pointed by MODAL_SERVER_URL at a fake Modal API server speaking
// Modal's gRPC messages. Covers lookup, a call returning a frame (inline and through a blob upload),
// a function that raises, bad credentials, and a gateway deadline that cancels the remote call.
import type { BackendItem } from '@edgeclip/core'
import { decodeBackendRequest, encodeBackendResponse } from '@edgeclip/core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  answer,
  expectedVector,
  TEST_DIMENSIONS,
} from '../../src/adapters/backend/backend-server.test-support'
import { expectEdgeclipError } from '../../src/adapters/testing/expect-edgeclip-error'
import { createBackend, readNodeSettings } from '../../src/node'
import { type FakeModalServer, startFakeModalServer } from '../support/fake-modal/fake-modal-server'

const credentials = { tokenId: 'ak-test', tokenSecret: 'as-test', environment: 'edgeclip-test' }
let modal: FakeModalServer
const savedEnv = { ...process.env }

/** The deployed `embed_batch`: the real frame codec, as the TypeScript backend answers. */
async function embedBatch([frame]: unknown[]) {
  const request = decodeBackendRequest(frame as Uint8Array)
  return encodeBackendResponse({ items: answer(request.items) }, TEST_DIMENSIONS)
}

beforeAll(async () => {
  modal = await startFakeModalServer(
    {
      'edgeclip-backend/embed_batch': embedBatch,
      'edgeclip-backend/raises': async () => {
        throw new Error('RuntimeError: CUDA out of memory')
      },
      'edgeclip-backend/hangs': (_args, { signal }) =>
        new Promise((_, reject) => signal.addEventListener('abort', () => reject(signal.reason))),
    },
    credentials,
  )
  // The SDK reads its server and (absent explicit ones) credentials from the environment; clear
  // the latter so that only what node-deps passes can authenticate.
  process.env.MODAL_SERVER_URL = modal.url
  for (const name of ['MODAL_TOKEN_ID', 'MODAL_TOKEN_SECRET', 'MODAL_ENVIRONMENT', 'MODAL_PROFILE']) {
    delete process.env[name]
  }
  process.env.MODAL_CONFIG_PATH = '/nonexistent/.modal.toml'
})
afterAll(async () => {
  process.env = savedEnv
  await modal?.close()
})

function backendFor(functionName: string, overrides: Record<string, string> = {}, timeoutMs = 10_000) {
  const settings = readNodeSettings({
    MODAL_APP: 'edgeclip-backend',
    MODAL_FUNCTION: functionName,
    MODAL_TOKEN_ID: credentials.tokenId,
    MODAL_TOKEN_SECRET: credentials.tokenSecret,
    MODAL_ENVIRONMENT: credentials.environment,
    EDGECLIP_BACKEND_TIMEOUT_MS: String(timeoutMs),
    ...overrides,
  })
  const backend = createBackend(settings)
  if (backend === undefined) throw new Error('no backend configured')
  return backend
}

const text: BackendItem = { kind: 'text', ids: [101, 7, 102] }
// Over the SDK's 8 KiB async inline limit: spawned arguments this large go through a blob.
const largeImage: BackendItem = { kind: 'image', bytes: new Uint8Array(20_000).fill(7) }

describe('ModalBackend through the Modal JS SDK against a fake Modal API', () => {
  it('looks the function up in the configured environment with the configured token', async () => {
    const backend = backendFor('embed_batch')
    expect(await backend.ready?.()).toBe(true)
    expect(modal.lookups).toContain(`${credentials.environment}/edgeclip-backend/embed_batch`)
    expect(modal.rpcs).toContain('AuthTokenGet')
  })

  it('returns the frame the function answered, inline and through a blob upload', async () => {
    const backend = backendFor('embed_batch')
    const small = await backend.embedBatch('jina-clip-v1', [text])
    expect(small.items).toEqual([{ ok: true, vector: expectedVector(text) }])
    const blobsBefore = modal.rpcs.filter((rpc) => rpc === 'BlobCreate').length
    const large = await backend.embedBatch('jina-clip-v1', [text, largeImage])
    expect(large.items).toEqual(
      [text, largeImage].map((item) => ({ ok: true, vector: expectedVector(item) })),
    )
    expect(modal.rpcs.filter((rpc) => rpc === 'BlobCreate').length).toBe(blobsBefore + 1)
  })

  it('maps a function that raised to 502 and an unknown function to 503', async () => {
    const failed = await expectEdgeclipError(
      backendFor('raises').embedBatch('jina-clip-v1', [text]),
      502,
      'backend_error',
    )
    expect(failed.message).toContain('CUDA out of memory')
    const missing = backendFor('not_deployed')
    await expectEdgeclipError(missing.embedBatch('jina-clip-v1', [text]), 503, 'backend_unavailable')
    expect(await missing.ready?.()).toBe(false)
  })

  it('refuses wrong credentials (they come from the settings, not the SDK profile)', async () => {
    const backend = backendFor('embed_batch', { MODAL_TOKEN_SECRET: 'wrong' })
    await expectEdgeclipError(backend.embedBatch('jina-clip-v1', [text]), 503, 'backend_unavailable')
  })

  it('cancels the remote call when the gateway deadline passes', async () => {
    const backend = backendFor('hangs', {}, 1_500)
    await expectEdgeclipError(backend.embedBatch('jina-clip-v1', [text]), 504, 'backend_timeout')
    const call = modal.calls.find((entry) => entry.functionName === 'edgeclip-backend/hangs')
    expect(call).toBeDefined()
    await expect.poll(() => modal.calls.find((entry) => entry.id === call!.id)?.cancelled).toBe(true)
  })

  it('cancels the remote call when the client goes away', async () => {
    const backend = backendFor('hangs')
    const controller = new AbortController()
    const pending = backend.embedBatch('jina-clip-v1', [text], { signal: controller.signal })
    const running = () =>
      modal.calls.filter((entry) => entry.functionName === 'edgeclip-backend/hangs' && !entry.cancelled)
    await expect.poll(() => running().length).toBe(1)
    controller.abort(new Error('client left'))
    await expect(pending).rejects.toThrow('client left')
    await expect.poll(() => running().length).toBe(0)
  })
})
