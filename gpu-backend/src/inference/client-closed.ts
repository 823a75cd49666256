// A request whose client went away, mid-upload or while its items waited. Nobody reads the answer,
// but metrics and logs should count it as the client's doing (nginx's 499), not a backend fault.
import { EdgeclipError } from '@edgeclip/core'

export const CLIENT_CLOSED_STATUS = 499

export function clientClosed(): EdgeclipError {
  return new EdgeclipError('the client closed the connection before the answer', {
    status: CLIENT_CLOSED_STATUS,
    code: 'client_closed_request',
  })
}
