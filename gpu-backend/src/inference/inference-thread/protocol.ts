// Messages between the main thread and the inference thread: plain data only (structured clone).
import type { TensorValue } from '@edgeclip/core'
import type { PlacedSessionOptions } from '../../providers/ort-session'
import type { NodePlacement } from '../../providers/placement'

export type ThreadRequest =
  | { type: 'create'; id: number; model: Uint8Array; options: PlacedSessionOptions }
  | { type: 'run'; id: number; sessionId: number; feeds: Record<string, TensorValue> }
  | { type: 'placement'; id: number; sessionId: number }
  | { type: 'release'; id: number; sessionId: number }

export type ThreadReply =
  | { id: number; sessionId: number; inputNames: string[]; outputNames: string[] }
  | { id: number; outputs: Record<string, TensorValue> }
  | { id: number; placement: NodePlacement | undefined }
  | { id: number; error: string }
  | { id: number }
