export { bindUnknownMac, type BoundHost } from './bind-unknown-mac.js';
export { clearUnknownMacs, listUnknownMacs, recordUnknownMac } from './unknown-macs.js';
