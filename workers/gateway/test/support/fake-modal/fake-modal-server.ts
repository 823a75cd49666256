// A local stand-in for Modal's API server, spoken to by the real JS SDK (npm `modal`) through
// MODAL_SERVER_URL: gRPC (@grpc/grpc-js) with the message layouts of modal-api-subset.proto, CBOR
// arguments and results as the SDK encodes them, and blob uploads/downloads over plain HTTP.
// Deployed functions are JS handlers; a call runs until it returns, throws or is cancelled.
import { randomUUID } from 'node:crypto'
import { join } from 'node:path'
import { startHttpServer } from '@edgeclip/testkit'
import * as grpc from '@grpc/grpc-js'
import * as protoLoader from '@grpc/proto-loader'
import { Decoder, Encoder } from 'cbor-x'

/** Modal's enums the fake answers with (values from the SDK's generated code). */
const DATA_FORMAT_CBOR = 4
const STATUS = { success: 1, failure: 2, terminated: 3 } as const
/** The SDK's own inline limits, sent back in the handle metadata like Modal does. */
const MAX_OBJECT_SIZE_BYTES = 2 * 1024 * 1024
const MAX_ASYNC_OBJECT_SIZE_BYTES = 8 * 1024

// The SDK's CBOR options (dist/index.js, src/serialization.ts): plain byte strings, no records.
const cborOptions = { mapsAsObjects: true, useRecords: false, tagUint8Array: false, useTag259ForMaps: false }
const cbor = { encoder: new Encoder(cborOptions), decoder: new Decoder(cborOptions) }

export type FakeModalHandler = (args: unknown[], context: { signal: AbortSignal }) => Promise<unknown>

export interface FakeModalCredentials {
  tokenId: string
  tokenSecret: string
  environment: string
}

interface Call {
  id: string
  functionName: string
  args: unknown[]
  controller: AbortController
  done: boolean
  /** Resolves with the output item once the handler settles or the call is cancelled. */
  output: Promise<Record<string, unknown>>
}

export interface FakeModalServer {
  /** For MODAL_SERVER_URL. */
  url: string
  /** Every RPC's method name, in order. */
  readonly rpcs: string[]
  /** FunctionGet lookups as `environment/app/function`. */
  readonly lookups: string[]
  readonly calls: {
    id: string
    functionName: string
    args: unknown[]
    state: 'running' | 'done' | 'cancelled'
  }[]
  close(): Promise<void>
}

const protoPath = join(import.meta.dirname, 'modal-api-subset.proto')

function grpcError(code: grpc.status, details: string): grpc.ServiceError {
  return Object.assign(new Error(details), { code, details, metadata: new grpc.Metadata() })
}

/** `functions` maps `app/function` to its handler; calls must carry `credentials`. */
export async function startFakeModalServer(
  functions: Record<string, FakeModalHandler>,
  credentials: FakeModalCredentials,
): Promise<FakeModalServer> {
  const definition = protoLoader.loadSync(protoPath, { longs: Number, defaults: true, keepCase: false })
  const loaded = grpc.loadPackageDefinition(definition) as unknown as {
    modal: { client: { ModalClient: { service: grpc.ServiceDefinition } } }
  }
  const rpcs: string[] = []
  const lookups: string[] = []
  const calls = new Map<string, Call>()
  const blobs = new Map<string, Uint8Array>()
  const functionIds = new Map<string, string>()
  const blobServer = await startHttpServer(async (request, response) => {
    const id = request.url?.slice('/blobs/'.length) ?? ''
    if (request.method === 'PUT') {
      const chunks: Buffer[] = []
      for await (const chunk of request) chunks.push(chunk as Buffer)
      blobs.set(id, Buffer.concat(chunks))
      response.writeHead(200).end()
      return
    }
    const blob = blobs.get(id)
    if (blob === undefined) response.writeHead(404).end()
    else response.writeHead(200, { 'content-type': 'application/octet-stream' }).end(blob)
  })

  // Every call must carry the configured token, as Modal's server checks it.
  const authorized = (metadata: grpc.Metadata): boolean =>
    metadata.get('x-modal-token-id')[0] === credentials.tokenId &&
    metadata.get('x-modal-token-secret')[0] === credentials.tokenSecret

  type Unary = (
    call: grpc.ServerUnaryCall<Record<string, unknown>, unknown>,
    callback: grpc.sendUnaryData<unknown>,
  ) => Promise<unknown>
  const unary =
    (name: string, handler: Unary) =>
    (call: grpc.ServerUnaryCall<Record<string, unknown>, unknown>, callback: grpc.sendUnaryData<unknown>) => {
      rpcs.push(name)
      if (!authorized(call.metadata)) {
        callback(grpcError(grpc.status.UNAUTHENTICATED, 'invalid token id or secret'))
        return
      }
      handler(call, callback).then(
        (value) => callback(null, value),
        (error: grpc.ServiceError) => callback(error),
      )
    }

  const runCall = (functionName: string, handler: FakeModalHandler, args: unknown[]): Call => {
    const controller = new AbortController()
    const cancelled = new Promise<Record<string, unknown>>((resolve) => {
      controller.signal.addEventListener('abort', () =>
        resolve({ status: STATUS.terminated, exception: 'cancelled' }),
      )
    })
    const settled = handler(args, { signal: controller.signal }).then(
      (value) => ({ status: STATUS.success, data: cbor.encoder.encode(value) }),
      (error: unknown) => ({ status: STATUS.failure, exception: String(error) }),
    )
    const call: Call = {
      id: `fc-${randomUUID()}`,
      functionName,
      args,
      controller,
      done: false,
      output: settled,
    }
    call.output = Promise.race([settled, cancelled]).then((result) => {
      call.done = true
      return { result, idx: 0, dataFormat: DATA_FORMAT_CBOR }
    })
    return call
  }

  const implementation: grpc.UntypedServiceImplementation = {
    AuthTokenGet: unary('AuthTokenGet', async () => {
      // An unsigned JWT whose `exp` the SDK reads to schedule refreshes.
      const part = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url')
      const exp = Math.floor(Date.now() / 1000) + 3600
      return { token: `${part({ alg: 'none' })}.${part({ exp })}.` }
    }),
    FunctionGet: unary('FunctionGet', async ({ request }) => {
      const key = `${request.appName}/${request.objectTag}`
      lookups.push(`${request.environmentName}/${key}`)
      if (request.environmentName !== credentials.environment || !(key in functions)) {
        throw grpcError(grpc.status.NOT_FOUND, `App '${request.appName}' or function not found`)
      }
      let functionId = functionIds.get(key)
      if (functionId === undefined) {
        functionId = `fu-${functionIds.size + 1}`
        functionIds.set(key, functionId)
      }
      return {
        functionId,
        handleMetadata: {
          functionName: String(request.objectTag),
          functionType: 1,
          maxObjectSizeBytes: MAX_OBJECT_SIZE_BYTES,
          maxAsyncObjectSizeBytes: MAX_ASYNC_OBJECT_SIZE_BYTES,
          supportedInputFormats: [DATA_FORMAT_CBOR],
          supportedOutputFormats: [DATA_FORMAT_CBOR],
          appId: 'ap-fake',
        },
      }
    }),
    BlobCreate: unary('BlobCreate', async () => {
      const blobId = `bl-${randomUUID()}`
      return { blobId, uploadUrl: `${blobServer.url}/blobs/${blobId}` }
    }),
    BlobGet: unary('BlobGet', async ({ request }) => ({
      downloadUrl: `${blobServer.url}/blobs/${request.blobId}`,
    })),
    FunctionMap: unary('FunctionMap', async ({ request }) => {
      const key = [...functionIds].find(([, id]) => id === request.functionId)?.[0]
      if (key === undefined) throw grpcError(grpc.status.NOT_FOUND, 'function not found')
      const items = request.pipelinedInputs as { input: { args: Buffer; argsBlobId: string } }[]
      const input = items[0]?.input
      if (input === undefined) throw grpcError(grpc.status.INVALID_ARGUMENT, 'no input')
      const payload = input.argsBlobId ? blobs.get(input.argsBlobId) : input.args
      if (payload === undefined) throw grpcError(grpc.status.NOT_FOUND, 'args blob not found')
      const [args] = cbor.decoder.decode(payload) as [unknown[], Record<string, unknown>]
      const call = runCall(key, functions[key]!, args)
      calls.set(call.id, call)
      return { functionCallId: call.id, pipelinedInputs: [{ idx: 0, inputId: 'in-0', inputJwt: 'jwt' }] }
    }),
    FunctionGetOutputs: unary('FunctionGetOutputs', async ({ request }) => {
      const call = calls.get(String(request.functionCallId))
      if (call === undefined) throw grpcError(grpc.status.NOT_FOUND, 'function call not found')
      // A long poll, as Modal's: answer when the output exists or when `timeout` seconds pass.
      let timer: ReturnType<typeof setTimeout> | undefined
      const idle = new Promise<undefined>((resolve) => {
        timer = setTimeout(() => resolve(undefined), Number(request.timeout) * 1000)
      })
      const output = await Promise.race([call.output, idle])
      clearTimeout(timer)
      return { outputs: output ? [output] : [], lastEntryId: output ? '1-0' : '0-0' }
    }),
    FunctionCallCancel: unary('FunctionCallCancel', async ({ request }) => {
      calls.get(String(request.functionCallId))?.controller.abort()
      return {}
    }),
  }

  const server = new grpc.Server()
  server.addService(loaded.modal.client.ModalClient.service, implementation)
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (error, bound) =>
      error ? reject(error) : resolve(bound),
    ),
  )
  return {
    url: `http://127.0.0.1:${port}`,
    rpcs,
    lookups,
    get calls() {
      return [...calls.values()].map(({ id, functionName, args, controller, done }) => ({
        id,
        functionName,
        args,
        state: controller.signal.aborted
          ? ('cancelled' as const)
          : done
            ? ('done' as const)
            : ('running' as const),
      }))
    },
    async close() {
      for (const call of calls.values()) call.controller.abort()
      server.forceShutdown()
      await blobServer.close()
    },
  }
}
