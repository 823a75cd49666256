// Downloads a model's files at its pinned revision into a directory and records their hashes.
import { access, mkdir, rm, stat } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import type { Modality, ModelSpec, OnnxVariant } from '../../model-spec'
import { downloadFile } from './download-file'
import {
  emptyManifest,
  type ModelManifest,
  manifestFileName,
  readManifest,
  sha256File,
  writeManifest,
} from './manifest'
import { type ModelFileEntry, modelFiles } from './model-files'
import { ModelStoreError } from './model-store-error'

export const defaultHfEndpoint = 'https://huggingface.co'

export interface FetchProgress {
  /** Repo path of the file, e.g. `onnx/text_model.onnx`. */
  file: string
  bytesDone: number
  /** Undefined while the server has not said. */
  bytesTotal: number | undefined
  state: 'downloading' | 'done' | 'reused' | 'absent'
}

export interface FetchModelOptions {
  spec: ModelSpec
  dir: string
  /** Default fp32. */
  variant?: OnnxVariant
  /** Default both towers. */
  towers?: readonly Modality[]
  /** Default `EDGECLIP_HF_ENDPOINT`, then https://huggingface.co. */
  endpoint?: string
  onProgress?: (progress: FetchProgress) => void
  /** Default 4. */
  maxRetries?: number
  /** First backoff delay; it doubles up to 8 s. Default 500 ms. */
  retryDelayMs?: number
  /** Default 60 s. */
  idleTimeoutMs?: number
  fetch?: typeof fetch
  signal?: AbortSignal
}

export interface FetchModelResult {
  dir: string
  manifest: ModelManifest
  downloaded: string[]
  /** Files already present whose hash matched the manifest or the spec. */
  reused: string[]
  /** Optional files the repo does not have at this revision. */
  absent: string[]
}

export function resolveHfEndpoint(endpoint?: string): string {
  return (endpoint ?? process.env.EDGECLIP_HF_ENDPOINT ?? defaultHfEndpoint).replace(/\/+$/, '')
}

export function modelFileUrl(endpoint: string, spec: ModelSpec, path: string): string {
  const encodedPath = path.split('/').map(encodeURIComponent).join('/')
  return `${resolveHfEndpoint(endpoint)}/${spec.repo}/resolve/${encodeURIComponent(spec.revision)}/${encodedPath}`
}

export async function fetchModel(options: FetchModelOptions): Promise<FetchModelResult> {
  const { spec, dir } = options
  const endpoint = resolveHfEndpoint(options.endpoint)
  const files = modelFiles(spec, options.variant ?? 'fp32', options.towers)
  await mkdir(dir, { recursive: true })
  let manifest = await readManifest(dir)
  if (manifest === undefined || manifest.revision !== spec.revision || manifest.repo !== spec.repo) {
    // Partial files from another revision are not prefixes of this one's files. The old manifest
    // goes too; a new one is written only once a file is in place (a fetch that failed at once left
    // a manifest with no files, which looked like a model directory).
    for (const file of files) await rm(join(dir, `${file.path}.partial`), { force: true })
    await rm(join(dir, manifestFileName), { force: true })
    manifest = emptyManifest(spec)
  }
  const result: FetchModelResult = { dir, manifest, downloaded: [], reused: [], absent: [] }
  for (const file of files) {
    const destination = join(dir, file.path)
    const present = await verifiedSize(destination, file, manifest)
    if (present !== undefined) {
      result.reused.push(file.path)
      options.onProgress?.({ file: file.path, bytesDone: present, bytesTotal: present, state: 'reused' })
      continue
    }
    await mkdir(dirname(destination), { recursive: true })
    const downloaded = await downloadFile({
      url: modelFileUrl(endpoint, spec, file.path),
      destination,
      // Spec sizes of unpinned files are the published, rounded ones; only a pinned file's is exact.
      expectedSize: file.sha256 === undefined ? undefined : file.size,
      expectedSha256: file.sha256,
      onProgress: (bytesDone, bytesTotal) =>
        options.onProgress?.({ file: file.path, bytesDone, bytesTotal, state: 'downloading' }),
      maxRetries: options.maxRetries ?? 4,
      retryDelayMs: options.retryDelayMs ?? 500,
      idleTimeoutMs: options.idleTimeoutMs ?? 60_000,
      fetch: options.fetch ?? fetch,
      signal: options.signal,
    })
    if (downloaded === undefined) {
      if (file.required) {
        throw new ModelStoreError(
          `${file.path} is not in ${spec.repo} at revision ${spec.revision} (404 from ${endpoint})`,
          'not_found',
        )
      }
      result.absent.push(file.path)
      options.onProgress?.({ file: file.path, bytesDone: 0, bytesTotal: 0, state: 'absent' })
      continue
    }
    manifest.files[file.path] = downloaded
    await writeManifest(dir, manifest)
    result.downloaded.push(file.path)
    options.onProgress?.({
      file: file.path,
      bytesDone: downloaded.size,
      bytesTotal: downloaded.size,
      state: 'done',
    })
  }
  // Files reused on the spec's hashes are recorded too.
  if (result.reused.length > 0) await writeManifest(dir, manifest)
  return result
}

/** The size of a file already in place whose hash matches what the manifest or spec says; else undefined. */
async function verifiedSize(
  path: string,
  file: ModelFileEntry,
  manifest: ModelManifest,
): Promise<number | undefined> {
  try {
    await access(path)
  } catch {
    return undefined
  }
  const trusted = file.sha256 ?? manifest.files[file.path]?.sha256
  if (trusted === undefined) return undefined
  const size = (await stat(path)).size
  if (size !== (manifest.files[file.path]?.size ?? size)) return undefined
  if ((await sha256File(path)) !== trusted) return undefined
  manifest.files[file.path] = { sha256: trusted, size }
  return size
}
