// `edgeclip embed`: texts and images through a running gateway with @edgeclip/sdk, one JSON line
// per input in the order given, or their pairwise similarities. Bulk input (--stdin) is batched and
// retried by the SDK, so this is also the quickest way to embed a file of lines from a shell.
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { parseArgs } from 'node:util'
import { type Command, type CommandIo, resolveUserPath, UsageError } from '../command'
import { resolveDataDir } from './keys'

const DEFAULT_BASE_URL = 'http://127.0.0.1:8787'
const PASS_THROUGH_IMAGE = /^(?:https?:|data:)/i

const usage = `usage:
  edgeclip embed [TEXT ...] [--image PATH|URL ...] [--stdin] [--url URL] [--key KEY]
                 [--raw] [--truncate] [--compare]

Embeds through a running gateway and prints one JSON line per input, in the order given:
{"index":0,"text":"...","embedding":[...]} or {"index":1,"image":"...","embedding":[...]}.
  --image      an image file, or an http(s) URL / data URI the gateway fetches (repeatable)
  --stdin      also embed each non-empty line of standard input as a text
  --raw        vectors as the model gives them, not L2-normalized
  --truncate   cut texts over the model's token limit instead of failing
  --compare    print the cosine similarity of every pair of inputs instead of the vectors
The gateway is --url, else $EDGECLIP_BASE_URL, else ${DEFAULT_BASE_URL}; the key is --key, else
$EDGECLIP_API_KEY, else the dev key a local \`pnpm start\` keeps in <data dir>/dev-key (none is
needed when the gateway runs with EDGECLIP_AUTH=off).`

type Input = { text: string } | { image: string }

async function readProcessStdin(): Promise<string> {
  const chunks: Buffer[] = []
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer)
  return Buffer.concat(chunks).toString('utf8')
}

/** Loaded only here: the model and keys commands never need the client (nor its build). */
async function loadSdk() {
  try {
    return await import('@edgeclip/sdk')
  } catch (error) {
    const code = (error as { code?: unknown }).code
    if (code !== 'ERR_MODULE_NOT_FOUND' && code !== 'MODULE_NOT_FOUND') throw error
    throw new Error('@edgeclip/sdk is not built yet: run `pnpm --filter @edgeclip/sdk build` once', {
      cause: error,
    })
  }
}

/** The dev key a local `pnpm start` keeps in <data dir>/dev-key, if there is one. */
function localDevKey(io: CommandIo): string | undefined {
  try {
    return readFileSync(join(resolveDataDir(io), 'dev-key'), 'utf8').trim() || undefined
  } catch {
    return undefined
  }
}

/** fetch wraps the useful part ("connect ECONNREFUSED 127.0.0.1:8787") in causes. */
function deepestMessage(error: Error): string {
  let deepest = error
  while (deepest.cause instanceof Error) deepest = deepest.cause
  return deepest.message
}

/** Texts (positionals) and images (--image) in the order they were typed. */
function inputsInOrder(argv: readonly string[]) {
  const { values, tokens } = parseArgs({
    args: [...argv],
    options: {
      image: { type: 'string', multiple: true },
      stdin: { type: 'boolean', default: false },
      url: { type: 'string' },
      key: { type: 'string' },
      raw: { type: 'boolean', default: false },
      truncate: { type: 'boolean', default: false },
      compare: { type: 'boolean', default: false },
    },
    allowPositionals: true,
    tokens: true,
  })
  const inputs: Input[] = []
  for (const token of tokens) {
    if (token.kind === 'positional') inputs.push({ text: token.value })
    else if (token.kind === 'option' && token.name === 'image') inputs.push({ image: token.value ?? '' })
  }
  return { values, inputs }
}

/** What the SDK sends: URLs and data URIs as given, files as `file:` URLs (never mistaken for base64). */
function imageSource(io: CommandIo, image: string): string | URL {
  if (image === '') throw new UsageError('--image needs a file path or a URL')
  return PASS_THROUGH_IMAGE.test(image) ? image : pathToFileURL(resolveUserPath(io, image))
}

function similarityLines(
  inputs: readonly Input[],
  rows: readonly Float32Array[],
  cosine: (a: Float32Array, b: Float32Array) => number,
): string {
  const label = (input: Input) => ('text' in input ? JSON.stringify(input.text) : `image ${input.image}`)
  const lines: string[] = []
  for (let left = 0; left < rows.length; left++) {
    for (let right = left + 1; right < rows.length; right++) {
      const similarity = cosine(rows[left]!, rows[right]!)
      lines.push(`${similarity.toFixed(4)}\t${label(inputs[left]!)}\t${label(inputs[right]!)}\n`)
    }
  }
  return lines.join('')
}

export const embedCommand: Command = {
  name: 'embed',
  summary: 'embed TEXT / --image FILE through a gateway: print vectors or similarities',
  usage,
  async run(argv, io) {
    const { values, inputs } = inputsInOrder(argv)
    if (values.stdin) {
      const text = await (io.readStdin ?? readProcessStdin)()
      for (const line of text.split(/\r?\n/)) if (line.trim() !== '') inputs.push({ text: line })
    }
    if (inputs.length === 0) throw new UsageError('give at least one TEXT, --image or --stdin line')
    if (values.compare && inputs.length < 2) throw new UsageError('--compare needs two inputs or more')
    const baseURL = values.url ?? io.env.EDGECLIP_BASE_URL ?? DEFAULT_BASE_URL
    if (!/^https?:\/\//i.test(baseURL)) throw new UsageError(`--url must be an http(s) URL, not "${baseURL}"`)
    const sources = inputs.map((input) =>
      'text' in input ? { text: input.text } : { image: imageSource(io, input.image) },
    )
    const { APIConnectionError, AuthenticationError, cosineSimilarity, EdgeClip } = await loadSdk()
    const apiKey = values.key || io.env.EDGECLIP_API_KEY || localDevKey(io)
    const client = new EdgeClip({ baseURL, ...(apiKey ? { apiKey } : {}) })
    const response = await client
      .embed(sources, {
        ...(values.raw ? { normalized: false } : {}),
        ...(values.truncate ? { truncate: true } : {}),
      })
      .catch((error: unknown) => {
        if (error instanceof AuthenticationError) {
          // The gateway's own message speaks HTTP ("send it as Authorization: Bearer"); here it is a flag.
          throw new Error(
            `the gateway at ${baseURL} refused the key (401). Pass --key KEY or set EDGECLIP_API_KEY; ` +
              `a local \`pnpm start\` keeps one in ${join(resolveDataDir(io), 'dev-key')}, and ` +
              '`pnpm edgeclip keys create --name NAME` makes more',
            { cause: error },
          )
        }
        if (!(error instanceof APIConnectionError)) throw error
        throw new Error(`could not reach the gateway at ${baseURL}: ${deepestMessage(error)}`, {
          cause: error,
        })
      })
    if (values.compare) {
      io.stdout(similarityLines(inputs, response.embeddings, cosineSimilarity))
      return 0
    }
    const lines = response.embeddings.map((row, index) =>
      JSON.stringify({ index, ...inputs[index], embedding: Array.from(row) }),
    )
    io.stdout(`${lines.join('\n')}\n`)
    return 0
  },
}
