// ModalBackend's frame plumbing with an injected function that runs the real protocol codec. The
// real SDK against a fake Modal API server is test/node/modal-sdk.test.ts.
import type { BackendItem } from '@edgeclip/core'
import { decodeBackendRequest, encodeBackendResponse } from '@edgeclip/core'
import { describe, expect, it } from 'vitest'
import { expectEdgeclipError } from '../testing/expect-edgeclip-error'
import { answer, expectedVector, TEST_DIMENSIONS } from './backend-server.test-support'
import { ModalBackend, type ModalFunctionLike } from './node'

const items: BackendItem[] = [
  { kind: 'text', ids: [101, 7, 102] },
  { kind: 'image', bytes: new Uint8Array([9, 9]) },
]

/** A function whose calls settle with `run(args)`. */
const spawning = (run: (args: unknown[] | undefined) => Promise<unknown>): ModalFunctionLike => ({
  spawn: async (args) => ({ get: () => run(args), cancel: async () => {} }),
})

const protocolFunction = (transform: (frame: Uint8Array) => unknown = (frame) => frame) =>
  spawning(async (args) => {
    const request = decodeBackendRequest(args?.[0] as Uint8Array)
    return transform(encodeBackendResponse({ items: answer(request.items) }, TEST_DIMENSIONS))
  })

describe('ModalBackend', () => {
  it('looks the function up once by app and name and round-trips frames through it', async () => {
    const lookups: string[] = []
    const backend = new ModalBackend({
      appName: 'edgeclip-backend',
      functionName: 'embed_batch',
      lookup: async (app, name) => {
        lookups.push(`${app}/${name}`)
        return protocolFunction((frame) => Buffer.from(frame))
      },
    })
    const result = await backend.embedBatch('jina-clip-v1', items)
    await backend.embedBatch('jina-clip-v1', items)
    expect(result.items).toEqual(items.map((item) => ({ ok: true, vector: expectedVector(item) })))
    expect(lookups).toEqual(['edgeclip-backend/embed_batch'])
    expect(await backend.ready()).toBe(true)
  })

  it('maps non-bytes and wrong frames to 502, slow calls to 504 and failed lookups to 503', async () => {
    const make = (run: () => Promise<unknown>, timeoutMs = 5_000) =>
      new ModalBackend({ appName: 'a', functionName: 'f', timeoutMs, lookup: async () => spawning(run) })
    await expectEdgeclipError(make(async () => 'text').embedBatch('m', items), 502, 'backend_protocol_error')
    const oneRow = encodeBackendResponse({ items: answer(items.slice(1)) }, TEST_DIMENSIONS)
    await expectEdgeclipError(make(async () => oneRow).embedBatch('m', items), 502, 'backend_protocol_error')
    await expectEdgeclipError(
      make(() => new Promise(() => {}), 100).embedBatch('m', items),
      504,
      'backend_timeout',
    )
    const missing = new ModalBackend({
      appName: 'a',
      functionName: 'f',
      lookup: async () => {
        throw new Error('App not found')
      },
    })
    await expectEdgeclipError(missing.embedBatch('m', items), 503, 'backend_unavailable')
    expect(await missing.ready()).toBe(false)
  })
})
