export { closeUnreadBody } from './close-unread-body'
