import { z } from 'zod';
import { isValidName } from '../names.js';
import { EVENT_ID, MAX_REPORT_BYTES, reportFields, type InstallReport } from '../reports/index.js';

/** A number as JSON has it, or as a shell script may quote it ("42", "12.5"). */
const numeric = z.union([z.number(), z.string().regex(/^\d{1,15}(\.\d{1,6})?$/, 'a number').transform(Number)]);

const eventSchema = z.object({
  ...reportFields,
  event: z.string().regex(EVENT_ID, 'an event id (a-z, 0-9, _ and -, up to 64)').nullable().optional(),
  percent: numeric.pipe(z.number().min(0).max(100)).nullable().optional(),
  bytes: numeric.pipe(z.number().min(0).max(Number.MAX_SAFE_INTEGER)).nullable().optional(),
  rate: numeric.pipe(z.number().min(0).max(Number.MAX_SAFE_INTEGER)).nullable().optional(),
});

export type ParsedEventBody = { ok: true; report: InstallReport } | { ok: false; status: 400 | 413; reason: string };

/**
 * Checks the body of an install event the installer POSTs to the boot server (docs/monitor.md). Nothing in
 * it is trusted: a JSON object of the schema, a valid host name, at most MAX_REPORT_BYTES. The reason of a
 * refusal names the field, never quotes the body.
 */
export function parseEventBody(text: string): ParsedEventBody {
  if (Buffer.byteLength(text) > MAX_REPORT_BYTES) return { ok: false, status: 413, reason: `larger than ${MAX_REPORT_BYTES} bytes` };
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return { ok: false, status: 400, reason: 'not JSON: send one JSON object' };
  }
  const result = eventSchema.safeParse(json);
  if (!result.success) {
    const issue = result.error.issues[0];
    return { ok: false, status: 400, reason: `invalid event: ${issue?.path.join('.') || 'the document'}: ${issue?.message ?? 'does not match'}` };
  }
  const body = result.data;
  // The installer's first events come before it knows its host name: then the MAC it booted from names it.
  const byMac = body.host === '' && typeof body.mac === 'string';
  if (!byMac && !isValidName(body.host)) return { ok: false, status: 400, reason: 'invalid event: host: not a valid host name' };
  return {
    ok: true,
    report: {
      host: body.host,
      event: body.event ?? null,
      state: body.state,
      phase: body.phase,
      mac: body.mac,
      message: body.message,
      percent: body.percent ?? null,
      bytes: body.bytes === undefined || body.bytes === null ? null : Math.round(body.bytes),
      rate: body.rate === undefined || body.rate === null ? null : Math.round(body.rate),
    },
  };
}
