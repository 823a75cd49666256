// Figures c (backend batching, from gpu-backend/bench/cpu.ts) and d (edge fit, from bench/edge-fit),
// each run in its own process and rendered as tables.
import { runChild } from '../child'
import { syntheticTextModel } from '../models'
import { objectToTables } from '../report'
import type { SuiteContext, SuiteResult } from '../suite'

interface ChildFigures {
  figures: object
  peakRssMiB: number
}

export async function backendCpu(context: SuiteContext): Promise<SuiteResult> {
  const model = await syntheticTextModel(context, 'fp32')
  context.log('backend-cpu: gpu-backend/bench/cpu.ts runBackendCpuBench')
  const result = await runChild<ChildFigures>('call-bench.ts', [
    'backend-cpu',
    context.quick ? 'quick' : 'full',
    model,
  ])
  return {
    name: 'backend-cpu',
    title:
      'c. Backend on CPU: batched vs one-by-one, texts/s by length, padding with and without length grouping',
    model: 'fixture towers (testkit) and the synthetic full-size JinaBERT, onnxruntime-node CPU',
    tables: objectToTables('backend', result.figures),
    notes: [`Peak RSS of the backend bench process: ${Math.round(result.peakRssMiB)} MiB.`],
    raw: result.figures,
  }
}

export async function edgeFit(context: SuiteContext): Promise<SuiteResult> {
  context.log('edge-fit: bench/edge-fit runEdgeFitBench (workerd)')
  const result = await runChild<ChildFigures>(
    'call-bench.ts',
    ['edge-fit', context.quick ? 'quick' : 'full'],
    1_800_000,
  )
  return {
    name: 'edge-fit',
    title:
      'd. Edge fit: measured isolate memory of the shipped part Workers and gateway in workerd, against 110 of 128 MiB',
    tables: objectToTables('edge-fit', result.figures),
    notes: ['Also written by the edge-fit harness itself to bench/results/edge-fit.{json,md}.'],
    raw: result.figures,
  }
}
