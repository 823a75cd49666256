// `edgeclip embed` against the whole stack `pnpm start` runs (Node gateway + GPU backend on the
// fixture model, auth on): texts on the edge tower, images through the backend. The command finds
// the dev key `pnpm start` made in its data dir by itself.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { type AddressInfo, createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fixtureModelSpec } from '@edgeclip/core'
import { type RunningStack, startStack, writeSampleImages } from '@edgeclip/example-support'
import { APIError, EdgeClip } from '@edgeclip/sdk'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { capturedIo } from '../captured-io.test-support'
import { embedCommand } from './embed'

let stack: RunningStack
let workDir: string
let images: string[]

beforeAll(async () => {
  stack = await startStack({ auth: true })
  workDir = await mkdtemp(join(tmpdir(), 'edgeclip-cli-embed-'))
  images = await writeSampleImages(workDir)
  await writeFile(join(workDir, 'notes.txt'), 'plain words, not an image')
}, 180_000)

afterAll(async () => {
  await stack?.close()
  if (workDir) await rm(workDir, { recursive: true, force: true })
})

async function embed(argv: string[], stdin = '', dataDir = stack.dataDir) {
  const { io, output } = capturedIo({
    // Relative image paths resolve from where the user typed the command.
    env: { EDGECLIP_BASE_URL: stack.url, INIT_CWD: workDir, EDGECLIP_DATA_DIR: dataDir },
    cwd: process.cwd(),
    readStdin: async () => stdin,
  })
  const code = await embedCommand.run(argv, io)
  return { code, ...output }
}

/** A port nothing listens on: bound once, then closed. */
async function closedPort(): Promise<number> {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  await new Promise((resolve) => server.close(resolve))
  return port
}

type Line = { index: number; text?: string; image?: string; embedding: number[] }
const parse = (stdout: string): Line[] =>
  stdout
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as Line)

describe('edgeclip embed', () => {
  it('without a key, says to pass --key or EDGECLIP_API_KEY (not an HTTP header)', async () => {
    await expect(embed(['a red circle'], '', workDir)).rejects.toThrow(
      /refused the key \(401\)\. Pass --key KEY or set EDGECLIP_API_KEY; a local `pnpm start` keeps one in/,
    )
  })

  it('prints one line per input in the order typed, with the vectors the SDK gets', async () => {
    const image = images[0]!
    const result = await embed(['a red circle', '--image', image, 'a blue square'])
    expect(result.code).toBe(0)
    const lines = parse(result.stdout)
    expect(lines.map(({ index, text, image: source }) => ({ index, text, image: source }))).toEqual([
      { index: 0, text: 'a red circle', image: undefined },
      { index: 1, text: undefined, image },
      { index: 2, text: 'a blue square', image: undefined },
    ])
    const apiKey = (await readFile(join(stack.dataDir, 'dev-key'), 'utf8')).trim()
    const direct = await new EdgeClip({ baseURL: stack.url, apiKey }).embed([
      'a red circle',
      { image: join(workDir, image) },
      'a blue square',
    ])
    lines.forEach((line, index) => {
      expect(line.embedding).toHaveLength(fixtureModelSpec.dimensions)
      expect(line.embedding).toEqual(Array.from(direct.embeddings[index]!))
    })
  })

  it('gives raw vectors with --raw: the normalized ones are their unit-length direction', async () => {
    const [normalized] = parse((await embed(['a green triangle'])).stdout)
    const [raw] = parse((await embed(['a green triangle', '--raw'])).stdout)
    const length = Math.hypot(...raw!.embedding)
    raw!.embedding.forEach((value, index) => {
      expect(value / length).toBeCloseTo(normalized!.embedding[index]!, 5)
    })
  })

  it('embeds every non-empty stdin line after the arguments, in order', async () => {
    const texts = Array.from({ length: 12 }, (_, index) => `line number ${index}`)
    const result = await embed(['first', '--stdin'], `${texts.join('\n')}\n\n`)
    expect(parse(result.stdout).map((line) => line.text)).toEqual(['first', ...texts])
  })

  it('prints the similarity of every pair with --compare (1.0000 for the same text)', async () => {
    const result = await embed(['a cat', 'a cat', '--image', images[1]!, '--compare'])
    const rows = result.stdout.trim().split('\n')
    expect(rows).toHaveLength(3)
    expect(rows[0]).toBe('1.0000\t"a cat"\t"a cat"')
    expect(rows[1]).toMatch(new RegExp(`^-?\\d\\.\\d{4}\\t"a cat"\\timage ${images[1]}$`))
  })

  it('fails with the gateway error naming the input when a file is not an image', async () => {
    const failure = await embed(['fine', '--image', 'notes.txt']).catch((error: unknown) => error)
    expect(failure).toBeInstanceOf(APIError)
    expect(failure).toMatchObject({ status: 422, code: 'unsupported_image', param: 'input[1]' })
  })

  it('refuses bad arguments before calling the gateway', async () => {
    await expect(embed([])).rejects.toThrow(/at least one TEXT/)
    await expect(embed(['alone', '--compare'])).rejects.toThrow(/two inputs/)
    await expect(embed(['x', '--url', 'ftp://gateway'])).rejects.toThrow(/http\(s\) URL/)
    await expect(embed(['x', '--image', ''])).rejects.toThrow(/--image needs/)
  })

  it('says which gateway it could not reach', async () => {
    const closed = `http://127.0.0.1:${await closedPort()}`
    await expect(embed(['x', '--url', closed])).rejects.toThrow(
      new RegExp(`could not reach the gateway at ${closed}: .*ECONNREFUSED`),
    )
  })
})
