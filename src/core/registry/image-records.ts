import type { CapturedLayout } from '../layout/captured.js';

/** One image in the registry: its current version (the images/NAME link) and the last number handed out. */
export interface ImageRow {
  name: string;
  currentVersion: number | null;
  lastVersion: number;
  origin: string;
  createdAt: string;
  updatedAt: string;
}

/** One immutable version of an image. */
export interface VersionRow {
  image: string;
  number: number;
  createdAt: string;
  /** host:port for a capture, `debootstrap <suite>` for mkimage, `copy of X/N` for cp. */
  source: string;
  sizeBytes: number;
  fileCount: number;
  layout: CapturedLayout | null;
  excludes: string[];
  note: string;
}
