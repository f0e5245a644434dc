import path from 'node:path';

/** Where everything lives under SI_HOME (DESIGN: "State on the image server"). */
export interface HomePaths {
  home: string;
  database: string;
  images: string;
  versions: string;
  scripts: string;
  overrides: string;
  boot: string;
  templates: string;
  knownHosts: string;
  /** The server's own key for reaching golden clients when no --ssh-key is given. */
  sshKey: string;
}

export const DEFAULT_HOME = '/var/lib/sisuite';

export function homePaths(home: string): HomePaths {
  const root = path.resolve(home);
  return {
    home: root,
    database: path.join(root, 'sisuite.db'),
    images: path.join(root, 'images'),
    versions: path.join(root, 'versions'),
    scripts: path.join(root, 'scripts'),
    overrides: path.join(root, 'overrides'),
    boot: path.join(root, 'boot'),
    templates: path.join(root, 'templates'),
    knownHosts: path.join(root, 'known_hosts'),
    sshKey: path.join(root, 'ssh', 'id_ed25519'),
  };
}

export function imageLink(paths: HomePaths, image: string): string {
  return path.join(paths.images, image);
}

export function versionDir(paths: HomePaths, image: string, version: number): string {
  return path.join(paths.versions, image, String(version));
}

/** A capture in progress; kept after an interruption so the next capture resumes from it. */
export function incomingDir(paths: HomePaths, image: string): string {
  return path.join(paths.versions, image, '.incoming');
}

/** The relative target of images/NAME, so the home can be moved as a whole. */
export function imageLinkTarget(image: string, version: number): string {
  return path.join('..', 'versions', image, String(version));
}
