// `edgeclip model fixture`: writes the built-in fixture model where a fetched model would go, so the
// services and commands that read a model directory can run offline on it.

import { stat } from 'node:fs/promises'
import { relative } from 'node:path'
import { parseArgs } from 'node:util'
import { fixtureModelSpec } from '@edgeclip/core'
import { emptyManifest, readManifest, readModelDir, sha256File, writeManifest } from '@edgeclip/core/node'
import { type CommandIo, resolveUserPath, UsageError } from '../command'

export const modelFixtureUsage = `  edgeclip model fixture --dir DIR

Writes the fixture model (seeded ONNX towers with jina-clip-v1's inputs and outputs, tiny vocab.txt)
into DIR (default $EDGECLIP_MODEL_DIR). Use it with EDGECLIP_MODEL=fixture. A directory holding a
fetched model is left alone.`

export async function modelFixtureCommand(argv: readonly string[], io: CommandIo): Promise<number> {
  const { values, positionals } = parseArgs({
    args: [...argv],
    options: { dir: { type: 'string' }, 'model-dir': { type: 'string' } },
    allowPositionals: true,
  })
  if (positionals.length > 0) throw new UsageError(`unexpected argument "${positionals[0]}"`)
  const chosen = values.dir ?? values['model-dir'] ?? io.env.EDGECLIP_MODEL_DIR
  // No default: the fixture shares the real model's id, so its default directory is the real one's.
  if (!chosen) throw new UsageError('give --dir DIR (or set EDGECLIP_MODEL_DIR)')
  const dir = resolveUserPath(io, chosen)
  const present = await readManifest(dir)
  if (present !== undefined && present.revision !== fixtureModelSpec.revision) {
    io.stderr(`${dir} holds ${present.repo}@${present.revision}; not overwriting it with the fixture\n`)
    return 1
  }
  // testkit carries the ONNX writer: only this action loads it.
  const { writeFixtureModelDir } = await import('@edgeclip/testkit')
  await writeFixtureModelDir(dir)
  const written = await readModelDir(dir, fixtureModelSpec, 'fp32', {
    require: ['text', 'image'],
    verify: 'none',
  })
  // The manifest names the fixture's revision and hashes: a host told to serve jina-clip-v1 from
  // this folder refuses it (revision mismatch) instead of caching fixture vectors as the real model's.
  const manifest = emptyManifest(fixtureModelSpec)
  for (const path of [written.textModelPath!, written.visionModelPath!, written.vocabPath]) {
    manifest.files[relative(dir, path)] = { sha256: await sha256File(path), size: (await stat(path)).size }
  }
  await writeManifest(dir, manifest)
  io.stdout(
    `${JSON.stringify({ dir, revision: fixtureModelSpec.revision, files: [written.textModelPath, written.visionModelPath, written.vocabPath] })}\n`,
  )
  return 0
}
