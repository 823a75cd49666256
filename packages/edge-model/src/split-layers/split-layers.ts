// Splits a transformer graph at hidden-state tensors into parts that run one after another (one per
// Worker). A cut is valid when everything else the later part reads from the earlier one is cheap to
// recompute from graph inputs other than the embeddings (the pad mask, the ALiBi bias), so only the
// hidden state [batch, sequence, width] crosses each hop.
import {
  type GraphProto,
  graphOf,
  type ModelProto,
  type NodeProto,
  onnx,
  type ValueInfoProto,
} from '../onnx-graph'

export interface GraphPart {
  model: ModelProto
  inputs: string[]
  outputs: string[]
}

interface Analysis {
  nodes: NodeProto[]
  producer: Map<string, number>
  initializerBytes: Map<string, number>
  /** Whether a tensor depends on the streamed input (the embeddings): such tensors cannot be recomputed. */
  streamed: Set<string>
}

function analyse(graph: GraphProto, streamInput: string): Analysis {
  const nodes = graph.node ?? []
  const producer = new Map<string, number>()
  nodes.forEach((node, index) => {
    for (const output of node.output ?? []) producer.set(output, index)
  })
  const initializerBytes = new Map(
    (graph.initializer ?? []).map((t) => [t.name ?? '', t.rawData?.length ?? 0]),
  )
  const streamed = new Set([streamInput])
  for (const node of nodes) {
    if ((node.input ?? []).some((input) => streamed.has(input)))
      for (const output of node.output ?? []) streamed.add(output)
  }
  return { nodes, producer, initializerBytes, streamed }
}

/** Node indices needed to compute `targets`, stopping at graph inputs and initializers. */
function ancestors(analysis: Analysis, targets: Iterable<string>): Set<number> {
  const found = new Set<number>()
  const stack = [...targets]
  while (stack.length > 0) {
    const index = analysis.producer.get(stack.pop()!)
    if (index === undefined || found.has(index)) continue
    found.add(index)
    stack.push(...(analysis.nodes[index]!.input ?? []).filter(Boolean))
  }
  return found
}

/** Tensors produced in `before` and read outside it (plus graph outputs), other than initializers. */
function crossing(analysis: Analysis, before: Set<number>): Set<string> {
  const produced = new Set<string>()
  for (const index of before) for (const output of analysis.nodes[index]!.output ?? []) produced.add(output)
  const crossed = new Set<string>()
  analysis.nodes.forEach((node, index) => {
    if (before.has(index)) return
    for (const input of node.input ?? []) if (produced.has(input)) crossed.add(input)
  })
  return crossed
}

/** The hidden-state tensors where the graph can be cut, in graph order, with the weight bytes before each. */
export function findCuts(model: ModelProto, streamInput: string): { tensor: string; bytesBefore: number }[] {
  const graph = graphOf(model)
  const analysis = analyse(graph, streamInput)
  const outputs = new Set((graph.output ?? []).map((output) => output.name ?? ''))
  const cuts: { tensor: string; bytesBefore: number }[] = []
  analysis.nodes.forEach((node) => {
    const tensor = node.output?.[0]
    if (!tensor || !analysis.streamed.has(tensor) || outputs.has(tensor)) return
    const before = ancestors(analysis, [tensor])
    const crossed = crossing(analysis, before)
    const streamedCrossings = [...crossed].filter((name) => analysis.streamed.has(name))
    if (streamedCrossings.length !== 1 || streamedCrossings[0] !== tensor) return
    let bytesBefore = 0
    for (const index of before) {
      for (const input of analysis.nodes[index]!.input ?? [])
        bytesBefore += analysis.initializerBytes.get(input) ?? 0
    }
    cuts.push({ tensor, bytesBefore })
  })
  return cuts
}

/** Picks `parts - 1` cuts that spread the weight bytes most evenly. */
export function chooseCuts(model: ModelProto, streamInput: string, parts: number): string[] {
  const cuts = findCuts(model, streamInput)
  const total = (graphOf(model).initializer ?? []).reduce(
    (sum, tensor) => sum + (tensor.rawData?.length ?? 0),
    0,
  )
  const chosen: string[] = []
  for (let part = 1; part < parts; part++) {
    const goal = (total * part) / parts
    const best = cuts.reduce<(typeof cuts)[number] | undefined>(
      (current, cut) =>
        !current || Math.abs(cut.bytesBefore - goal) < Math.abs(current.bytesBefore - goal) ? cut : current,
      undefined,
    )
    if (!best) throw new Error('the graph has no hidden-state tensor to cut at')
    if (!chosen.includes(best.tensor)) chosen.push(best.tensor)
  }
  return chosen
}

function floatInfo(name: string, width: number): ValueInfoProto {
  const dim = (value: string | number) =>
    onnx.TensorShapeProto.Dimension.create(
      typeof value === 'string' ? { dimParam: value } : { dimValue: value },
    )
  return onnx.ValueInfoProto.create({
    name,
    type: onnx.TypeProto.create({
      tensorType: onnx.TypeProto.Tensor.create({
        elemType: 1,
        shape: onnx.TensorShapeProto.create({ dim: [dim('batch'), dim('sequence'), dim(width)] }),
      }),
    }),
  })
}

/** Splits the model at `cuts` (hidden-state tensor names in graph order) into self-contained models. */
export function splitAtCuts(
  model: ModelProto,
  streamInput: string,
  cuts: readonly string[],
  width: number,
): GraphPart[] {
  const graph = graphOf(model)
  const analysis = analyse(graph, streamInput)
  const finalOutputs = (graph.output ?? []).map((output) => output.name ?? '')
  const boundaries = [streamInput, ...cuts]
  const targets = [...cuts.map((cut) => [cut]), finalOutputs]
  const done = new Set<number>()
  return targets.map((outputs, index) => {
    const hiddenIn = boundaries[index]!
    // Everything the outputs need that was not computed by earlier parts, plus the cheap side inputs
    // (mask, bias) those earlier parts computed, recomputed here from the graph inputs.
    const needed = ancestors(analysis, outputs)
    const own = new Set(
      [...needed].filter(
        (nodeIndex) =>
          !done.has(nodeIndex) || !analysis.nodes[nodeIndex]!.output?.some((o) => analysis.streamed.has(o)),
      ),
    )
    for (const nodeIndex of needed) done.add(nodeIndex)
    const nodes = analysis.nodes.filter((_, nodeIndex) => own.has(nodeIndex))
    const read = new Set(nodes.flatMap((node) => node.input ?? []))
    const initializers = (graph.initializer ?? []).filter((tensor) => read.has(tensor.name ?? ''))
    const graphInputs = (graph.input ?? []).filter(
      (input) => read.has(input.name ?? '') && input.name !== streamInput,
    )
    const inputs = [
      ...graphInputs,
      index === 0
        ? (graph.input ?? []).find((input) => input.name === streamInput)!
        : floatInfo(hiddenIn, width),
    ]
    const outputInfos = index === targets.length - 1 ? (graph.output ?? []) : [floatInfo(outputs[0]!, width)]
    const partGraph = onnx.GraphProto.create({
      name: `${graph.name ?? 'graph'}_part${index}`,
      node: nodes,
      initializer: initializers,
      input: inputs,
      output: outputInfos,
    })
    const partModel = onnx.ModelProto.create({ ...model, graph: partGraph })
    return {
      model: partModel,
      inputs: inputs.map((input) => input.name ?? ''),
      outputs: outputInfos.map((output) => output.name ?? ''),
    }
  })
}

export function splitLayers(
  model: ModelProto,
  streamInput: string,
  parts: number,
  width: number,
): GraphPart[] {
  if (parts <= 1) {
    const graph = graphOf(model)
    return [
      {
        model,
        inputs: (graph.input ?? []).map((input) => input.name ?? ''),
        outputs: (graph.output ?? []).map((output) => output.name ?? ''),
      },
    ]
  }
  return splitAtCuts(model, streamInput, chooseCuts(model, streamInput, parts), width)
}
