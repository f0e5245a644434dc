export { createEventsHandler, type EventsHandler, type EventsReply } from './events-endpoint.js';
export { readMonitorRows } from './monitor-source.js';
