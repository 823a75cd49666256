// The shape of a model's facts. Every package reads these; nothing else hard-codes them.

export type Modality = 'text' | 'image'

export type OnnxVariant = 'fp32' | 'fp16' | 'int8' | 'q4'

export interface ModelFile {
  /** Path inside the Hugging Face repo, e.g. `onnx/text_model.onnx`. */
  path: string
  /** Size in bytes, when known. */
  size?: number
  /** Lower-case hex sha256, when known. Unknown hashes are recorded on first download. */
  sha256?: string
  /** Why a file is not trusted yet (e.g. a variant known to fail on long inputs). */
  caveat?: string
}

export interface TokenizerSpec {
  kind: 'bert-wordpiece'
  lowercase: boolean
  stripAccents: boolean
  /** Entries in vocab.txt. */
  vocabSize: number
  /** Rows in the model's embedding table (vocab padded to a multiple of 64). */
  embeddingRows: number
  padId: number
  unkId: number
  clsId: number
  sepId: number
  maskId: number
  /** WordPiece gives up on words longer than this and emits [UNK]. */
  maxInputCharsPerWord: number
  continuingSubwordPrefix: string
}

export interface ImageSpec {
  /** Square input side in pixels. */
  size: number
  mean: readonly [number, number, number]
  std: readonly [number, number, number]
  resample: 'bicubic'
  /** Crop offsets: round((dim - size) / 2) with halves to even, as torchvision does. */
  cropRounding: 'half-even'
  /**
   * Version of the image pipeline's output (decode, resize, crop, normalize). Image cache keys hash
   * it: bump it with any change that moves a pixel tensor, so no vector of the old pipeline is served.
   */
  preprocessingVersion: number
}

export interface OnnxIoSpec {
  /** Expected names; the towers still read the session's declared names. */
  input: string
  output: string
}

export interface ModelSpec {
  /** Public model id used in the API. */
  id: string
  /** Hugging Face repository and pinned revision (a commit sha). */
  repo: string
  revision: string
  dimensions: number
  /** Matryoshka dimensions the model supports; empty when it has none. */
  matryoshkaDimensions: readonly number[]
  /** Most tokens the text tower accepts, [CLS] and [SEP] included. */
  maxTokens: number
  tokenizer: TokenizerSpec
  image: ImageSpec
  onnx: {
    text: OnnxIoSpec
    image: OnnxIoSpec
    textFiles: Partial<Record<OnnxVariant, ModelFile>>
    imageFiles: Partial<Record<OnnxVariant, ModelFile>>
  }
  /** Tokenizer and config files fetched with the towers. */
  supportFiles: readonly ModelFile[]
  /** Whether the towers' outputs are L2-normalized already (they are not for jina-clip-v1). */
  outputsNormalized: boolean
}
