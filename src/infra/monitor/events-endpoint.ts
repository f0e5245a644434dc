import { parseEventBody } from '../../core/monitor/index.js';
import type { InstallEventStore } from '../../core/reports/index.js';

export interface EventsReply {
  status: number;
  /** One line of text: what was done, or why not. */
  body: string;
}

/** What the boot server calls for POST /events: the request's body and the address it came from. */
export type EventsHandler = (body: string, remoteIp: string) => Promise<EventsReply>;

const reply = (status: number, text: string): EventsReply => ({ status, body: `${text}\n` });

/**
 * The monitor's event endpoint (docs/monitor.md): checks an install event the installer POSTs and records
 * it through the same store as uploaded reports, with the same effects on the client (an `installed`
 * event disarms it). 200 recorded / updated / duplicate; 400 a body that is no valid event; 413 too large;
 * 404 a host the registry does not know; 503 the registry stayed locked (send again). The registry is
 * unchanged by every refusal. `log` hears each refusal with the sender's address (the body is not quoted).
 */
export function createEventsHandler({
  events,
  now = () => new Date(),
  log = () => {},
  hostOf = () => undefined,
}: {
  events: InstallEventStore;
  /** The registered host an event without a host name comes from: by its boot MAC, else by the sender's address. */
  hostOf?: (mac: string, remoteIp: string) => string | undefined;
  now?: () => Date;
  log?: (line: string) => void;
}): EventsHandler {
  return async (body, remoteIp) => {
    const parsed = parseEventBody(body);
    if (!parsed.ok) {
      log(`install event from ${remoteIp} refused: ${parsed.reason}`);
      return reply(parsed.status, parsed.reason);
    }
    let { report } = parsed;
    if (report.host === '') {
      const host = report.mac ? hostOf(report.mac.toLowerCase(), remoteIp) : undefined;
      if (!host) {
        const reason = `no client with MAC ${report.mac} in the registry`;
        log(`install event from ${remoteIp} refused: ${reason}`);
        return reply(404, reason);
      }
      report = { ...report, host };
    }
    try {
      const outcome = events.record(report, now().toISOString());
      if (outcome !== 'unknown-host') return reply(200, outcome);
      const reason = `no client named ${report.host} in the registry`;
      log(`install event from ${remoteIp} refused: ${reason}`);
      return reply(404, reason);
    } catch (error) {
      const code = (error as { code?: unknown }).code;
      const busy = typeof code === 'string' && (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED'));
      const reason = busy ? 'the registry is busy: send the event again' : `the event could not be recorded: ${(error as Error).message.split('\n')[0]}`;
      log(`install event from ${remoteIp} for ${report.host} not recorded: ${reason}`);
      return reply(busy ? 503 : 500, reason);
    }
  };
}
