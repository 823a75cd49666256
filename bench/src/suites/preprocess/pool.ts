// The backend's CPU side without the tower: its image worker pool (sharp decode + core
// preprocessing per worker thread) fed a stream of photos. Images per CPU-second of the whole
// process (workers, main thread and libvips together) is images per second per core, the figure
// that says how many cores keep one GPU fed.

import type { ImageSpec } from '@edgeclip/core'
import { ImageWorkerPool } from '@edgeclip/gpu-backend'

export interface PoolFigures {
  threads: number
  images: number
  wallS: number
  cpuS: number
  imagesPerSecond: number
  imagesPerCpuSecond: number
}

const cpuSeconds = () => {
  const usage = process.cpuUsage()
  return (usage.user + usage.system) / 1e6
}

/** Runs `rounds` passes over `photos` through a pool of `threads` workers, all queued at once. */
export async function measurePool(
  photos: Uint8Array[],
  spec: ImageSpec,
  threads: number,
  rounds: number,
): Promise<PoolFigures> {
  const pool = new ImageWorkerPool({ threads, spec, maxPixels: 50_000_000 })
  try {
    // Warm-up: workers start, compile the wasm and JIT the JS before the clock runs.
    await Promise.all(photos.map((bytes) => pool.prepare(bytes)))
    const stream = Array.from({ length: rounds }, () => photos).flat()
    const wall = performance.now()
    const cpu = cpuSeconds()
    await Promise.all(stream.map((bytes) => pool.prepare(bytes)))
    const wallS = (performance.now() - wall) / 1000
    const cpuS = cpuSeconds() - cpu
    return {
      threads,
      images: stream.length,
      wallS,
      cpuS,
      imagesPerSecond: stream.length / wallS,
      imagesPerCpuSecond: stream.length / cpuS,
    }
  } finally {
    await pool.close()
  }
}
