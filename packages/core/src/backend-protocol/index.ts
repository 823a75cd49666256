export type { BackendItem, BackendItemResult, BackendRequest, BackendResult } from './backend-protocol'
export {
  BACKEND_BATCH_PATH,
  BACKEND_REQUEST_TYPE,
  BACKEND_RESPONSE_TYPE,
  decodeBackendRequest,
  decodeBackendResponse,
  encodeBackendRequest,
  encodeBackendResponse,
} from './backend-protocol'
