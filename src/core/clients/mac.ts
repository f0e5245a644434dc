import { UserError } from '../errors.js';

const SEPARATED = /^[0-9a-f]{2}([:-])[0-9a-f]{2}(\1[0-9a-f]{2}){4}$/;
const BARE = /^[0-9a-f]{12}$/;
const CISCO = /^[0-9a-f]{4}\.[0-9a-f]{4}\.[0-9a-f]{4}$/;

/**
 * Normalises a MAC address to lower-case colon form. Accepts `AA:BB:..`, `aa-bb-..`, `aabbccddeeff` and
 * `aabb.ccdd.eeff`. Refuses group (multicast/broadcast) and all-zero addresses: no NIC boots with those.
 */
export function normalizeMac(text: string): string {
  const t = text.trim().toLowerCase();
  let hex: string | undefined;
  if (SEPARATED.test(t)) hex = t.replace(/[:-]/g, '');
  else if (BARE.test(t)) hex = t;
  else if (CISCO.test(t)) hex = t.replace(/\./g, '');
  if (hex === undefined) {
    throw new UserError(`${JSON.stringify(text)} is not a MAC address; write six hex pairs such as 52:54:00:12:34:56`);
  }
  const firstOctet = parseInt(hex.slice(0, 2), 16);
  if ((firstOctet & 1) === 1) {
    throw new UserError(`${text} is a multicast or broadcast MAC address, not a network card's; check the address`);
  }
  if (hex === '000000000000') throw new UserError(`${text} is the all-zero MAC address; give the card's real address`);
  return hex.match(/../g)!.join(':');
}
