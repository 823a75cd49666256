// The SDK against the whole service as `pnpm start` runs it (gateway + the real GPU backend process,
// fixture model, auth off): images and long texts take the backend path.
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fixtureModelSpec } from '@edgeclip/core'
import { type RunningStack, startStack } from '@edgeclip/example-support'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { EdgeClip } from '../../src'
import { gradientPng } from '../support/png'
import { startTestStack, type TestStack } from '../support/test-stack'

/** Same towers, same preprocessing, different process and batch shapes: float noise only. */
const TOLERANCE = 1e-4
const { dimensions } = fixtureModelSpec
const maxDifference = (a: Float32Array, b: Float32Array) =>
  a.reduce((most, value, index) => Math.max(most, Math.abs(value - b[index]!)), 0)

let stack: RunningStack
let inProcess: TestStack
let client: EdgeClip
let reference: EdgeClip
let imageDir: string

beforeAll(async () => {
  stack = await startStack()
  inProcess = await startTestStack()
  client = new EdgeClip({ baseURL: stack.url })
  reference = new EdgeClip({ baseURL: inProcess.url, apiKey: await inProcess.createKey() })
  imageDir = await mkdtemp(join(tmpdir(), 'edgeclip-sdk-stack-'))
}, 240_000)

afterAll(async () => {
  await stack?.close()
  await inProcess?.close()
  if (imageDir) await rm(imageDir, { recursive: true, force: true })
})

describe('pnpm start (gateway + GPU backend)', () => {
  it('embeds an image given as bytes, Blob and file path to one vector', async () => {
    const png = gradientPng(3)
    const path = join(imageDir, 'three.png')
    await writeFile(path, png)
    const { embeddings } = await client.embedImage([png, new Blob([png]), path])
    expect(embeddings.map((row) => row.length)).toEqual([dimensions, dimensions, dimensions])
    expect(Math.hypot(...embeddings[0]!)).toBeCloseTo(1, 5)
    expect(Array.from(embeddings[1]!)).toEqual(Array.from(embeddings[0]!))
    expect(Array.from(embeddings[2]!)).toEqual(Array.from(embeddings[0]!))
  })

  it('gives the vectors the in-process fixture towers give, for images and long texts', async () => {
    const longText = Array.from({ length: 120 }, (_, index) => `word${index % 7}`).join(' ')
    const inputs = [{ image: gradientPng(4) }, longText, { image: gradientPng(5) }, 'short text']
    const served = await client.embed(inputs)
    const expected = await reference.embed(inputs)
    served.embeddings.forEach((row, index) => {
      expect(maxDifference(row, expected.embeddings[index]!)).toBeLessThan(TOLERANCE)
    })
    expect(served.usage).toEqual(expected.usage)
  })

  it('splits an image job by body size and keeps the order', async () => {
    const images = Array.from({ length: 6 }, (_, index) => gradientPng(index + 10))
    const small = new EdgeClip({ baseURL: stack.url, maxBatchBytes: 1 })
    const split = await small.embedImage(images)
    expect(split.requestIDs).toHaveLength(images.length)
    const whole = await client.embedImage(images)
    expect(whole.requestIDs).toHaveLength(1)
    split.embeddings.forEach((row, index) => {
      expect(maxDifference(row, whole.embeddings[index]!)).toBeLessThan(TOLERANCE)
    })
  })
})
