/** A MAC that asked the boot server for its script and matched no host (`si netboot unknown`). */
export interface UnknownMac {
  mac: string;
  /** The address it asked from, as last seen ('' when the server did not know it). */
  ip: string;
  firstSeen: string;
  lastSeen: string;
  /** How many times it asked. */
  count: number;
}
