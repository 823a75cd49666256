// Finds a model's files in a directory (fetched or copied by hand) and checks them against the manifest.
import { createHash } from 'node:crypto'
import { readFile, stat } from 'node:fs/promises'
import { join } from 'node:path'
import type { Modality, ModelSpec, OnnxVariant } from '../../model-spec'
import { type ModelManifest, readManifest, sha256File } from './manifest'
import { towerFile, vocabFileName } from './model-files'
import { ModelStoreError } from './model-store-error'

export interface ModelDir {
  dir: string
  spec: ModelSpec
  variant: OnnxVariant
  /** vocab.txt, read (it is small); the towers stay on disk, see `readModelBytes`. */
  vocab: string
  vocabPath: string
  tokenizerJsonPath: string | undefined
  textModelPath: string | undefined
  visionModelPath: string | undefined
  /** Undefined for a directory filled by hand. */
  manifest: ModelManifest | undefined
  /** The sha256 each tower file must have (pinned in the spec, else recorded by the manifest). */
  expectedSha256: { text: string | undefined; image: string | undefined }
}

export interface ReadModelDirOptions {
  /**
   * How present files are checked against the manifest: 'size' (default, instant), 'sha256' (reads
   * every byte: about a second per 500 MB) or 'none'.
   */
  verify?: 'size' | 'sha256' | 'none'
  /** Towers that must be there; missing ones are an error instead of an undefined path. */
  require?: readonly Modality[]
}

export async function readModelDir(
  dir: string,
  spec: ModelSpec,
  variant: OnnxVariant = 'fp32',
  options: ReadModelDirOptions = {},
): Promise<ModelDir> {
  const verify = options.verify ?? 'size'
  const manifest = await readManifest(dir)
  if (manifest !== undefined && manifest.revision !== spec.revision) {
    throw new ModelStoreError(
      `${dir} holds ${manifest.repo}@${manifest.revision}, not ${spec.repo}@${spec.revision}; fetch it again`,
      'revision_mismatch',
    )
  }
  const check = async (repoPath: string, pinnedSha256?: string): Promise<string | undefined> => {
    const path = join(dir, repoPath)
    let size: number
    try {
      size = (await stat(path)).size
    } catch {
      return undefined
    }
    const recorded = manifest?.files[repoPath]
    if (verify !== 'none' && recorded !== undefined && recorded.size !== size) {
      throw new ModelStoreError(
        `${path} has ${size} bytes, the manifest says ${recorded.size}; fetch it again`,
        'size_mismatch',
      )
    }
    const expected = pinnedSha256 ?? recorded?.sha256
    if (verify === 'sha256' && expected !== undefined && (await sha256File(path)) !== expected) {
      throw new ModelStoreError(
        `${path} does not match its sha256 ${expected}; fetch it again`,
        'checksum_mismatch',
      )
    }
    return path
  }

  const vocabEntry = spec.supportFiles.find((file) => file.path === vocabFileName)
  const vocabPath = await check(vocabFileName, vocabEntry?.sha256)
  if (vocabPath === undefined) {
    throw new ModelStoreError(
      `no ${vocabFileName} in ${dir}; run \`pnpm edgeclip model fetch --dir ${dir}\` or copy the model files there`,
      'missing_file',
    )
  }
  const expectedOf = (modality: Modality): string | undefined => {
    const file = towerFile(spec, modality, variant)
    return file.sha256 ?? manifest?.files[file.path]?.sha256
  }
  const towerPath = async (modality: Modality): Promise<string | undefined> => {
    const file = towerFile(spec, modality, variant)
    const path = await check(file.path, file.sha256)
    if (path === undefined && options.require?.includes(modality)) {
      throw new ModelStoreError(`no ${variant} ${modality} model (${file.path}) in ${dir}`, 'missing_file')
    }
    return path
  }
  return {
    dir,
    spec,
    variant,
    vocab: await readFile(vocabPath, 'utf8'),
    vocabPath,
    tokenizerJsonPath: await check('tokenizer.json'),
    textModelPath: await towerPath('text'),
    visionModelPath: await towerPath('image'),
    manifest,
    expectedSha256: { text: expectedOf('text'), image: expectedOf('image') },
  }
}

/** A tower file's bytes, for `OnnxSessionFactory`. */
export async function readModelBytes(path: string): Promise<Uint8Array> {
  const buffer = await readFile(path)
  return new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength)
}

/** A tower file's bytes and their sha256: the weights fingerprint its cache keys carry. */
export interface TowerFileBytes {
  bytes: Uint8Array
  sha256: string
}

/**
 * Reads a tower file and hashes the bytes actually loaded (about 1 s per 500 MB). A file that does
 * not match the hash its manifest recorded is refused: its vectors would be cached as another's.
 */
export async function readTowerFile(
  path: string,
  expectedSha256: string | undefined,
): Promise<TowerFileBytes> {
  const bytes = await readModelBytes(path)
  const sha256 = createHash('sha256').update(bytes).digest('hex')
  if (expectedSha256 !== undefined && sha256 !== expectedSha256) {
    throw new ModelStoreError(
      `${path} has sha256 ${sha256}, its manifest says ${expectedSha256}: refusing to serve weights other than the ones fetched; fetch it again`,
      'checksum_mismatch',
    )
  }
  return { bytes, sha256 }
}

/**
 * For hosts about to serve a directory's towers: its vocab.txt must be the one the spec pins. A
 * folder holding the fixture (or another model) without a manifest would otherwise be served, and
 * listed in /v1/models, under the real model's id and revision.
 */
export function checkServedVocab(found: ModelDir): void {
  const pinned = found.spec.supportFiles.find((file) => file.path === vocabFileName)?.sha256
  if (pinned === undefined) return
  const actual = createHash('sha256').update(found.vocab).digest('hex')
  if (actual !== pinned) {
    throw new ModelStoreError(
      `${join(found.dir, vocabFileName)} is not ${found.spec.id}'s vocabulary (sha256 ${actual}, expected ${pinned}): ` +
        'refusing to serve this folder as that model; a fixture folder is served with EDGECLIP_MODEL=fixture',
      'checksum_mismatch',
    )
  }
}
