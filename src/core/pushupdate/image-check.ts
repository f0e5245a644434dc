/**
 * Which image a client gets, and whether it may. The registry names the client's image; the client itself
 * says which image it carries (/etc/sisuite/image-version, else SI_IMAGE in updateclient.conf). A client
 * carrying another image than the one pushed is refused unless --image names the pushed image: moving a host
 * to another image is said out loud, never done by accident.
 */
export interface ImageDecision {
  image: string;
  /** The client's updateclient.conf must name `image` before the run (a move to another image). */
  switchConf: boolean;
  refusal: string | null;
}

export function decideImage({ host, registryImage, carried, requested }: { host: string; registryImage: string; carried: string | null; requested?: string }): ImageDecision {
  const image = requested ?? registryImage;
  if (carried === null) {
    return { image, switchConf: false, refusal: `${host} says no image (no /etc/sisuite/image-version nor SI_IMAGE in updateclient.conf): it was not installed by sisuite; reinstall it` };
  }
  if (carried === image) return { image, switchConf: false, refusal: null };
  if (requested) return { image, switchConf: true, refusal: null };
  return {
    image,
    switchConf: false,
    refusal: `${host} carries image ${carried}, not ${image}: give --image ${image} to move it to ${image}, or --image ${carried} to update it within ${carried}`,
  };
}

/** `NAME='value'` and `NAME=value` lines (updateclient.conf, image-version) as a record. */
export function parseAssignments(text: string | null): Record<string, string> {
  const values: Record<string, string> = {};
  for (const line of (text ?? '').split('\n')) {
    const match = /^([A-Z_][A-Z0-9_]*)=(.*)$/.exec(line.trim());
    if (!match?.[1]) continue;
    const raw = match[2] ?? '';
    values[match[1]] = /^'.*'$/.test(raw) ? raw.slice(1, -1).replace(/'\\''/g, "'") : raw;
  }
  return values;
}

/** The image a client carries: what the last update or the install recorded, else what its conf pulls. */
export function carriedImage(versionFile: string | null, conf: string | null): { image: string | null; version: string | null } {
  const recorded = parseAssignments(versionFile);
  const image = recorded.SI_IMAGE || parseAssignments(conf).SI_IMAGE || null;
  return { image, version: recorded.SI_IMAGE && recorded.SI_IMAGE_VERSION ? recorded.SI_IMAGE_VERSION : null };
}

/** updateclient.conf with SI_IMAGE set to `image` (the line replaced, or added). */
export function confWithImage(conf: string, image: string): string {
  const lines = conf.split('\n');
  const at = lines.findIndex((line) => /^SI_IMAGE=/.test(line.trim()));
  if (at >= 0) lines[at] = `SI_IMAGE='${image}'`;
  else lines.splice(lines.at(-1) === '' ? -1 : lines.length, 0, `SI_IMAGE='${image}'`);
  return lines.join('\n');
}
