// Runs `edgeclip` as a real child process (tsx), as a user would.
import { execFile } from 'node:child_process'
import { once } from 'node:events'
import { existsSync } from 'node:fs'
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { crc32, deflateSync } from 'node:zlib'
import { fixtureModelSpec, jinaClipV1 } from '@edgeclip/core'
import { readModelDir } from '@edgeclip/core/node'
import { buildFixtureVocab, writeFixtureModelDir } from '@edgeclip/testkit'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

const cliDir = resolve(import.meta.dirname, '..')
const mainPath = join(cliDir, 'src/main.ts')

interface CliResult {
  code: number
  stdout: string
  stderr: string
}

function runCli(args: string[], env: Record<string, string> = {}): Promise<CliResult> {
  const childEnv: Record<string, string | undefined> = { ...process.env, ...env }
  for (const name of ['EDGECLIP_MODEL', 'EDGECLIP_MODEL_DIR', 'EDGECLIP_HF_ENDPOINT', 'INIT_CWD']) {
    if (!(name in env)) delete childEnv[name]
  }
  return new Promise((done) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', mainPath, ...args],
      { cwd: cliDir, env: childEnv },
      (error, stdout, stderr) => {
        done({ code: error === null ? 0 : Number((error as { code?: number }).code ?? 1), stdout, stderr })
      },
    )
  })
}

// 0 [PAD], 100 [UNK], 101 [CLS], 102 [SEP], 103 [MASK], as in BERT; then a few words.
const vocabLines = [
  '[PAD]',
  ...Array.from({ length: 99 }, (_, index) => `[unused${index}]`),
  '[UNK]',
  '[CLS]',
  '[SEP]',
  '[MASK]',
  'hello',
  'world',
]

let workDir: string
beforeAll(async () => {
  workDir = await mkdtemp(join(tmpdir(), 'edgeclip-cli-'))
  await writeFile(join(workDir, 'vocab.txt'), `${vocabLines.join('\n')}\n`)
})
afterAll(async () => {
  await rm(workDir, { recursive: true, force: true })
})

describe('edgeclip', () => {
  it('lists its commands on --help and rejects unknown ones with exit code 2', async () => {
    const help = await runCli(['--help'])
    expect(help.code).toBe(0)
    for (const name of ['model', 'tokenize', 'preprocess', 'keys'])
      expect(help.stdout).toContain(`  ${name} `)
    const unknown = await runCli(['frobnicate'])
    expect(unknown.code).toBe(2)
    expect(unknown.stderr).toContain('unknown command "frobnicate"')
    expect((await runCli(['model', 'fetch', '--variant', 'fp64'])).stderr).toContain(
      '--variant must be one of',
    )
  })
})

describe('edgeclip tokenize', () => {
  it('prints ids and the token count, reading --vocab relative to where the user ran it', async () => {
    const result = await runCli(['tokenize', 'Hello, WORLD hello', '--vocab', 'vocab.txt'], {
      INIT_CWD: workDir,
    })
    expect(result).toMatchObject({ code: 0, stderr: '' })
    expect(JSON.parse(result.stdout)).toEqual({ ids: [101, 104, 100, 105, 104, 102], tokens: 6 })
  })

  it('reads vocab.txt from --model-dir and enforces --max-length unless --truncate', async () => {
    const tooLong = await runCli([
      'tokenize',
      'hello hello hello',
      '--model-dir',
      workDir,
      '--max-length',
      '4',
    ])
    expect(tooLong.code).toBe(1)
    expect(tooLong.stderr).toMatch(/5 tokens.*limit of 4/)
    const cut = await runCli([
      'tokenize',
      'hello hello hello',
      '--model-dir',
      workDir,
      '--max-length',
      '4',
      '--truncate',
    ])
    expect(JSON.parse(cut.stdout)).toEqual({ ids: [101, 104, 104, 102], tokens: 5, truncated: true })
  })

  it('says where it looked when there is no vocab', async () => {
    const missing = await runCli(['tokenize', 'hi'], { EDGECLIP_MODEL_DIR: join(workDir, 'absent') })
    expect(missing.code).toBe(1)
    expect(missing.stderr).toContain(`no vocab.txt in ${join(workDir, 'absent')}`)
  })

  it('uses the fixture vocab with EDGECLIP_MODEL=fixture', async () => {
    const result = await runCli(['tokenize', 'Hello, cats'], { EDGECLIP_MODEL: 'fixture' })
    expect(result.code, result.stderr).toBe(0)
    const vocab = buildFixtureVocab().trimEnd().split('\n')
    const { clsId, sepId } = fixtureModelSpec.tokenizer
    const ids = ['hello', ',', 'cat', '##s'].map((token) => vocab.indexOf(token))
    expect(ids).not.toContain(-1)
    expect(JSON.parse(result.stdout)).toEqual({ ids: [clsId, ...ids, sepId], tokens: ids.length + 2 })
  })

  it('reads a fixture model directory given with --model-dir', async () => {
    const dir = join(workDir, 'fixture-model')
    await writeFixtureModelDir(dir)
    const fromDir = await runCli(['tokenize', 'a red car', '--model-dir', dir], { EDGECLIP_MODEL: 'fixture' })
    const builtIn = await runCli(['tokenize', 'a red car'], { EDGECLIP_MODEL: 'fixture' })
    expect(fromDir.code, fromDir.stderr).toBe(0)
    expect(fromDir.stdout).toBe(builtIn.stdout)
  })
})

describe('edgeclip model fixture', () => {
  it('writes a model directory that the other commands read', async () => {
    const dir = join(workDir, 'written-fixture')
    const result = await runCli(['model', 'fixture', '--dir', dir], { EDGECLIP_MODEL: 'fixture' })
    expect(result.code, result.stderr).toBe(0)
    expect(JSON.parse(result.stdout)).toMatchObject({ dir, revision: fixtureModelSpec.revision })
    expect(await readFile(join(dir, 'vocab.txt'), 'utf8')).toBe(buildFixtureVocab())
    expect(existsSync(join(dir, 'onnx/vision_model.onnx'))).toBe(true)
    const tokenized = await runCli(['tokenize', 'a red car'], {
      EDGECLIP_MODEL: 'fixture',
      EDGECLIP_MODEL_DIR: dir,
    })
    expect(tokenized.code, tokenized.stderr).toBe(0)
    expect(JSON.parse(tokenized.stdout).ids).not.toContain(fixtureModelSpec.tokenizer.unkId)
    // Its manifest names the fixture and its weights, so no host serves it as jina-clip-v1.
    const manifest = JSON.parse(await readFile(join(dir, 'manifest.json'), 'utf8'))
    expect(manifest.revision).toBe(fixtureModelSpec.revision)
    expect(manifest.files['onnx/text_model.onnx'].sha256).toMatch(/^[0-9a-f]{64}$/)
    await expect(readModelDir(dir, jinaClipV1)).rejects.toMatchObject({ code: 'revision_mismatch' })
  })

  it('needs a directory, and leaves a fetched model alone', async () => {
    const noDir = await runCli(['model', 'fixture'], { EDGECLIP_MODEL: 'fixture' })
    expect(noDir.code).toBe(2)
    expect(noDir.stderr).toContain('--dir')
    const fetched = join(workDir, 'fetched-model')
    await mkdir(fetched, { recursive: true })
    const manifest = { model: jinaClipV1.id, repo: jinaClipV1.repo, revision: jinaClipV1.revision, files: {} }
    await writeFile(join(fetched, 'manifest.json'), JSON.stringify(manifest))
    const refused = await runCli(['model', 'fixture', '--dir', fetched])
    expect(refused.code).toBe(1)
    expect(refused.stderr).toContain('not overwriting')
    expect(existsSync(join(fetched, 'vocab.txt'))).toBe(false)
  })
})

describe('edgeclip model fetch', () => {
  const files = new Map<string, Buffer>([
    ['vocab.txt', Buffer.from(`${vocabLines.join('\n')}\n`)],
    ['onnx/text_model.onnx', Buffer.alloc(70_000, 7)],
    ['onnx/vision_model.onnx', Buffer.alloc(50_000, 9)],
  ])
  let server: Server
  let endpoint: string
  beforeAll(async () => {
    const prefix = `/${fixtureModelSpec.repo}/resolve/${fixtureModelSpec.revision}/`
    server = createServer((request, response) => {
      const path = (request.url ?? '').startsWith(prefix) ? (request.url ?? '').slice(prefix.length) : ''
      const body = files.get(path)
      if (body === undefined) response.writeHead(404).end()
      else response.writeHead(200, { 'content-length': body.length }).end(body)
    })
    server.listen(0, '127.0.0.1')
    await once(server, 'listening')
    endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  })
  afterAll(async () => {
    server.close()
    await once(server, 'close')
  })

  it('downloads the files into --dir, reporting progress on stderr', async () => {
    const dir = join(workDir, 'models')
    const result = await runCli(['model', 'fetch', '--dir', dir], {
      EDGECLIP_MODEL: 'fixture',
      EDGECLIP_HF_ENDPOINT: endpoint,
    })
    expect(result.code, result.stderr).toBe(0)
    expect(JSON.parse(result.stdout)).toMatchObject({
      dir,
      revision: fixtureModelSpec.revision,
      variant: 'fp32',
      downloaded: ['onnx/text_model.onnx', 'onnx/vision_model.onnx', 'vocab.txt'],
    })
    expect(result.stderr).toContain('onnx/text_model.onnx: done (68.4 KiB)')
    expect(await readFile(join(dir, 'onnx/vision_model.onnx'))).toEqual(files.get('onnx/vision_model.onnx'))
    expect(existsSync(join(dir, 'manifest.json'))).toBe(true)
  })

  it('exits 1 with advice when the hub cannot be reached', async () => {
    const closed = createServer()
    closed.listen(0, '127.0.0.1')
    await once(closed, 'listening')
    const { port } = closed.address() as AddressInfo
    closed.close()
    await once(closed, 'close')
    const result = await runCli(['model', 'fetch', '--dir', join(workDir, 'offline'), '--retries', '0'], {
      EDGECLIP_HF_ENDPOINT: `http://127.0.0.1:${port}`,
    })
    expect(result.code).toBe(1)
    expect(result.stderr).toContain(`cannot reach 127.0.0.1:${port}`)
    expect(result.stderr).toContain(`copy them in: into ${join(workDir, 'offline')}`)
    expect(result.stderr).toContain('EDGECLIP_MODEL=fixture pnpm start')
    expect(result.stderr).not.toContain('--model-dir')
    // No manifest of no files left behind to look like a model directory.
    expect(existsSync(join(workDir, 'offline', 'manifest.json'))).toBe(false)
  })

  it('model --help lists every variant fetch takes', async () => {
    const result = await runCli(['model', '--help'])
    expect(result.code).toBe(0)
    expect(result.stdout).toContain('--variant fp32|fp16|int8|q4')
  })
})

function solidPng(width: number, height: number, rgb: readonly [number, number, number]): Buffer {
  const chunk = (type: string, data: Buffer) => {
    const typed = Buffer.concat([Buffer.from(type, 'ascii'), data])
    const framed = Buffer.alloc(typed.length + 8)
    framed.writeUInt32BE(data.length, 0)
    typed.copy(framed, 4)
    framed.writeUInt32BE(crc32(typed), typed.length + 4)
    return framed
  }
  const header = Buffer.alloc(13)
  header.writeUInt32BE(width, 0)
  header.writeUInt32BE(height, 4)
  header.set([8, 2, 0, 0, 0], 8)
  const row = Buffer.from([0, ...Array.from({ length: width }, () => rgb).flat()])
  const pixels = Buffer.concat(Array.from({ length: height }, () => row))
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(pixels)),
    chunk('IEND', Buffer.alloc(0)),
  ])
}

describe('edgeclip preprocess', () => {
  it('writes the normalized float32 little-endian CHW tensor', async () => {
    const rgb = [200, 100, 50] as const
    await writeFile(join(workDir, 'solid.png'), solidPng(40, 30, rgb))
    const result = await runCli(['preprocess', 'solid.png', '--out', 'solid.bin'], { INIT_CWD: workDir })
    expect(result.code, result.stderr).toBe(0)
    const { size, mean, std } = jinaClipV1.image
    expect(JSON.parse(result.stdout)).toMatchObject({ shape: [3, size, size], dtype: 'float32' })
    const bytes = await readFile(join(workDir, 'solid.bin'))
    expect(bytes.length).toBe(3 * size * size * 4)
    for (let channel = 0; channel < 3; channel++) {
      const expected = ((rgb[channel] as number) / 255 - (mean[channel] as number)) / (std[channel] as number)
      for (const pixel of [0, size * size - 1]) {
        expect(bytes.readFloatLE((channel * size * size + pixel) * 4)).toBeCloseTo(expected, 5)
      }
    }
  })

  const referencePath = resolve(cliDir, '../../../shared/data/images/REFERENCE_PREPROCESS_224.json')
  it.skipIf(!existsSync(referencePath))(
    'matches Pillow reference values for shared test images',
    async () => {
      interface Reference {
        channel_mean: number[]
        samples_c_y_x: Record<string, number>
      }
      const references = JSON.parse(await readFile(referencePath, 'utf8')) as {
        images: Record<string, Reference>
      }
      const size = jinaClipV1.image.size
      for (const name of ['camera.png', 'palette_color.png']) {
        const reference = references.images[name] as Reference
        const out = join(workDir, `${name}.bin`)
        const result = await runCli(['preprocess', join(referencePath, '..', name), '--out', out])
        expect(result.code, result.stderr).toBe(0)
        const bytes = await readFile(out)
        const value = (channel: number, y: number, x: number) =>
          bytes.readFloatLE(((channel * size + y) * size + x) * 4)
        for (const [key, expected] of Object.entries(reference.samples_c_y_x)) {
          const [channel, y, x] = key.split(',').map(Number) as [number, number, number]
          expect(value(channel, y, x), `${name} ${key}`).toBeCloseTo(expected, 4)
        }
        reference.channel_mean.forEach((expected, channel) => {
          let sum = 0
          for (let index = 0; index < size * size; index++)
            sum += bytes.readFloatLE((channel * size * size + index) * 4)
          expect(sum / (size * size), `${name} mean of channel ${channel}`).toBeCloseTo(expected, 4)
        })
      }
    },
  )

  it('answers a file that is not an image with a clear error', async () => {
    await writeFile(join(workDir, 'not-an-image.png'), 'hello')
    const result = await runCli(['preprocess', 'not-an-image.png', '--out', 'x.bin'], { INIT_CWD: workDir })
    expect(result.code).toBe(1)
    expect(result.stderr).toMatch(/^edgeclip preprocess: the bytes are not a supported image/)
  })
})
