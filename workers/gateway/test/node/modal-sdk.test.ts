// The Modal path end to end on this machine: ModalBackend built by node-deps from MODAL_* settings,
// the real JS SDK (npm modal) pointed by MODAL_SERVER_URL at a fake Modal API server speaking
// Modal's gRPC messages. Covers lookup, a call returning a frame (inline and through a blob upload),
// a function that raises, bad credentials, a deadline or a departed client cancelling the remote
// call, and a cold function answered with 503 + retry-after while it boots.
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
let boot: () => void
const booted = new Promise<void>((resolve) => {
  boot = resolve
})
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
      // Warm (the cold-start probe's empty batch answers) but never finishes real work.
      'edgeclip-backend/hangs': (args, { signal }) =>
        decodeBackendRequest(args[0] as Uint8Array).items.length === 0
          ? embedBatch(args)
          : new Promise((_, reject) => signal.addEventListener('abort', () => reject(signal.reason))),
      // A scaled-to-zero function: every call waits for its container to boot.
      'edgeclip-backend/cold': async (args) => {
        await booted
        return embedBatch(args)
      },
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
    const work = () =>
      modal.calls.filter((entry) => entry.functionName === 'edgeclip-backend/hangs' && entry.state !== 'done')
    expect(work()).toHaveLength(1)
    await expect.poll(() => work()[0]?.state).toBe('cancelled')
  })

  it('cancels the remote call when the client goes away', async () => {
    const backend = backendFor('hangs')
    const controller = new AbortController()
    const pending = backend.embedBatch('jina-clip-v1', [text], { signal: controller.signal })
    const running = () =>
      modal.calls.filter(
        (entry) => entry.functionName === 'edgeclip-backend/hangs' && entry.state === 'running',
      )
    await expect.poll(() => running().length).toBe(1)
    controller.abort(new Error('client left'))
    await expect(pending).rejects.toThrow('client left')
    await expect.poll(() => running().length).toBe(0)
  })

  it('answers 503 with retry-after while the function cold-starts, keeps it booting, then serves', async () => {
    const backend = backendFor('cold', { EDGECLIP_COLD_WAIT_MS: '300', EDGECLIP_COLD_START_MS: '20000' })
    const cold = await expectEdgeclipError(
      backend.embedBatch('jina-clip-v1', [text]),
      503,
      'backend_cold_start',
    )
    expect(cold.retryAfter).toBeGreaterThanOrEqual(1)
    expect(cold.retryAfter).toBeLessThanOrEqual(20)
    // The probe was not cancelled with the request: it is what boots the container.
    const probes = () => modal.calls.filter((entry) => entry.functionName === 'edgeclip-backend/cold')
    expect(probes().map((entry) => entry.state)).toEqual(['running'])
    boot()
    await expect.poll(() => probes()[0]?.state).toBe('done')
    const warm = await backend.embedBatch('jina-clip-v1', [text])
    expect(warm.items).toEqual([{ ok: true, vector: expectedVector(text) }])
  })
})
