/** Parsers for rsync's progress2 lines and its --stats/stats2 summary. */

export interface RsyncProgress {
  bytes: number;
  percent: number;
  rate: string;
  eta: string;
}

export interface RsyncStats {
  files: number;
  regularFiles: number;
  directories: number;
  totalSize: number;
  transferredFiles: number;
  transferredSize: number;
  bytesSent: number;
  bytesReceived: number;
}

const PROGRESS = /^\s*([\d,]+)\s+(\d+)%\s+(\S+)\s+(\S+)/;

/** progress2 rewrites one line with carriage returns; returns the newest complete reading in a chunk. */
export function lastProgress(chunk: string): RsyncProgress | null {
  const pieces = chunk.split(/[\r\n]/).reverse();
  for (const piece of pieces) {
    const match = PROGRESS.exec(piece);
    if (match) return { bytes: num(match[1]), percent: Number(match[2]), rate: match[3] ?? '', eta: match[4] ?? '' };
  }
  return null;
}

export function parseStats(output: string): RsyncStats {
  const field = (label: string): number => {
    const match = new RegExp(`^${label}:\\s*([\\d,]+)`, 'm').exec(output);
    return match ? num(match[1]) : 0;
  };
  const detail = (kind: string): number => {
    const match = new RegExp(`^Number of files:.*\\b${kind}: ([\\d,]+)`, 'm').exec(output);
    return match ? num(match[1]) : 0;
  };
  return {
    files: field('Number of files'),
    regularFiles: detail('reg'),
    directories: detail('dir'),
    totalSize: field('Total file size'),
    transferredFiles: field('Number of regular files transferred'),
    transferredSize: field('Total transferred file size'),
    bytesSent: field('Total bytes sent'),
    bytesReceived: field('Total bytes received'),
  };
}

function num(text: string | undefined): number {
  return Number((text ?? '0').replace(/,/g, ''));
}
