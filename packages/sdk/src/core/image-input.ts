// Every accepted image form becomes the one string the API takes: a URL, a data URI or bare base64.
import { bytesToBase64 } from '../internal/base64'
import { isNodeLike } from '../internal/runtime'
import { EdgeClipSDKError } from './errors'

/**
 * An image: an http(s) URL, a data URI, bare base64, a `Blob`/`File`, raw bytes, or — on Node,
 * Bun and Deno — a file path or `file:` URL. URLs are fetched by the gateway, not here.
 */
export type ImageSource = string | URL | Blob | ArrayBuffer | ArrayBufferView

const PASS_THROUGH = /^(?:https?:|data:)/i
const BASE64_ONLY = /^[A-Za-z0-9+/]+={0,2}$/
/** Paths are short; a longer base64-looking string is never worth a file-system probe. */
const LONGEST_PROBED_PATH = 4096

export async function imageToWire(source: ImageSource): Promise<string> {
  if (typeof source === 'string') return stringToWire(source)
  if (source instanceof URL) return stringToWire(source.href)
  if (typeof Blob !== 'undefined' && source instanceof Blob) {
    const bytes = new Uint8Array(await source.arrayBuffer())
    return bytesToDataURI(bytes, source.type.startsWith('image/') ? source.type : undefined)
  }
  if (source instanceof ArrayBuffer) return bytesToDataURI(new Uint8Array(source))
  if (ArrayBuffer.isView(source)) {
    return bytesToDataURI(new Uint8Array(source.buffer, source.byteOffset, source.byteLength))
  }
  throw new EdgeClipSDKError(`unsupported image source: ${Object.prototype.toString.call(source)}`)
}

async function stringToWire(text: string): Promise<string> {
  if (PASS_THROUGH.test(text)) return text
  const isFileURL = /^file:/i.test(text)
  if (!isNodeLike()) {
    if (isFileURL) throw new EdgeClipSDKError('file: URLs can only be read on Node, Bun or Deno')
    return text
  }
  if (isFileURL) return bytesToDataURI(await readImageFile(new URL(text)))
  // No path is this long: it is image data (base64 wrapped in lines, say) for the gateway to judge.
  if (text.length > LONGEST_PROBED_PATH) return text
  // JPEG in base64 starts with "/9j/", so a leading slash alone does not make a path.
  if (!BASE64_ONLY.test(text)) return bytesToDataURI(await readImageFile(text))
  if (text.startsWith('/') && (await isFile(text))) return bytesToDataURI(await readImageFile(text))
  return text
}

interface FileSystem {
  readFile(path: string | URL): Promise<Uint8Array>
  stat(path: string): Promise<{ isFile(): boolean }>
}

async function fileSystem(): Promise<FileSystem> {
  // A variable specifier keeps browser and Workers bundlers from trying to resolve node:fs.
  const specifier = 'node:fs/promises'
  return (await import(/* webpackIgnore: true */ /* @vite-ignore */ specifier)) as FileSystem
}

async function readImageFile(path: string | URL): Promise<Uint8Array> {
  try {
    return await (await fileSystem()).readFile(path)
  } catch (error) {
    throw new EdgeClipSDKError(`could not read image file ${String(path)}: ${(error as Error).message}`, {
      cause: error,
    })
  }
}

async function isFile(path: string): Promise<boolean> {
  try {
    return (await (await fileSystem()).stat(path)).isFile()
  } catch {
    return false
  }
}

function bytesToDataURI(bytes: Uint8Array, declaredType?: string): string {
  if (bytes.length === 0) throw new EdgeClipSDKError('the image is empty (0 bytes)')
  const type = declaredType ?? sniffImageType(bytes)
  const base64 = bytesToBase64(bytes)
  // Unknown formats go as bare base64: the gateway sniffs the real type from the bytes anyway.
  return type ? `data:${type};base64,${base64}` : base64
}

function sniffImageType(bytes: Uint8Array): string | undefined {
  const startsWith = (signature: number[], offset = 0) =>
    signature.every((byte, index) => bytes[offset + index] === byte)
  if (startsWith([0x89, 0x50, 0x4e, 0x47])) return 'image/png'
  if (startsWith([0xff, 0xd8, 0xff])) return 'image/jpeg'
  if (startsWith([0x47, 0x49, 0x46, 0x38])) return 'image/gif'
  if (startsWith([0x52, 0x49, 0x46, 0x46]) && startsWith([0x57, 0x45, 0x42, 0x50], 8)) return 'image/webp'
  if (startsWith([0x42, 0x4d])) return 'image/bmp'
  return undefined
}
