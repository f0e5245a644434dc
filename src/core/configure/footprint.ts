import type { StageName } from './stages.js';

/**
 * A footprint: files a kind of system leaves in its root tree, and what to do when they are
 * there. Pure data. Strings marked "templated" are Handlebars, rendered with the plan context
 * (see context.ts); paths are absolute inside the target root and may use `*` where noted.
 */
export interface Footprint {
  id: string;
  stage: StageName;
  /** Short name of what it handles, used in "no footprint matches (no ... found)" warnings. */
  label: string;
  /** One line for docs/footprints.md. */
  summary: string;
  /** Paths (with `*`) that must all exist, of which one must exist, and none may exist. */
  detect: { all?: string[]; any?: string[]; none?: string[] };
  /**
   * Footprints sharing a slot are alternatives: only the matching one with the highest priority
   * applies. A stage warns when one of its required slots has no match.
   */
  slot?: string;
  priority?: number;
  /** Host fields the footprint cannot work without; when one is missing it warns and does nothing. */
  needs?: HostNeed[];
  /** Templated paths that must exist in the tree before it acts (e.g. the time zone file). */
  requires?: string[];
  /** Constants handed to its templates as `vars`. */
  vars?: Record<string, string>;
  files?: FootprintFile[];
  links?: { path: string; target: string }[];
  /** In-place edits of existing files (only files whose content changes land in the plan). */
  edits?: FootprintEdit[];
  /** Globs of files to remove (never one this plan writes); `keep` globs are spared. */
  remove?: { glob: string; keep?: string[] }[];
  /** Host identity: see identity.ts. */
  identity?: IdentitySpec;
  /** Commands run chrooted into the target, argv elements templated. */
  commands?: FootprintCommand[];
  /** A known problem this footprint detects: added to the stage's warnings when it matches. */
  warning?: string;
}

export type HostNeed = 'interfaces' | 'bootDisk' | 'rootFilesystem' | 'filesystems' | 'timezone' | 'keymap';

export interface FootprintFile {
  /** Templated path; with `each: 'interface'` rendered once per interface (as `nic`). */
  path: string;
  /** Template name under templates/ (without .hbs). */
  template: string;
  mode?: string;
  each?: 'interface';
}

export type FootprintEdit =
  /** Replace every match of a regular expression in each file matching the glob. */
  | { kind: 'replace'; glob: string; pattern: string; replacement: string; mode?: string }
  /** Set KEY=value in a shell-style variable file, replacing its line or appending one. */
  | { kind: 'assign'; path: string; key: string; value: string; quote?: boolean; mode?: string };

export interface FootprintCommand {
  argv: string[];
  /** Run once per path matching this glob, with `item` (the path) and `name` (its last segment). */
  each?: string;
}

export interface IdentitySpec {
  /** Files holding a machine id: replaced by a fresh one when missing or still the golden's. */
  machineIds?: string[];
  /** Globs of per-machine secrets: removed when they still hold the golden client's content. */
  drop?: string[];
  /** Globs of files that make up this host's identity once generated (recorded, see identity.ts). */
  owned?: string[];
}
