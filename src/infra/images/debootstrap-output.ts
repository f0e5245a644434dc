/**
 * Reading debootstrap's stdout: its `I:` lines become progress, its `E:` line is the reason of a failure.
 * (Outside --debian-installer mode debootstrap prints no totals, so the percent is per stage: downloads
 * 5-40 against a running estimate, then extract and unpack/configure against the packages downloaded;
 * it never goes back.)
 */
export interface StepProgress {
  percent: number;
  label: string;
}

// Unpacking and configuring alternate (required packages, then the base system): one stage, two steps a package.
const STAGES: { pattern: RegExp; from: number; to: number; stage: string; perPackage: number }[] = [
  { pattern: /^I: Retrieving (\S+) \S+$/, from: 5, to: 40, stage: 'download', perPackage: 1 },
  { pattern: /^I: Extracting (\S+)\.\.\.$/, from: 40, to: 50, stage: 'extract', perPackage: 1 },
  { pattern: /^I: (?:Unpacking|Configuring) (\S+)\.\.\.$/, from: 50, to: 99, stage: 'install', perPackage: 2 },
];

/** Before the package count is known: a minbase system has about a hundred packages. */
const FIRST_ESTIMATE = 100;

export class DebootstrapOutput {
  private partial = '';
  private downloaded = 0;
  private readonly counts = new Map<string, number>();
  private lastError: string | null = null;
  private lastPercent = 0;

  constructor(private readonly onProgress: (progress: StepProgress) => void = () => {}) {}

  /** Feeds a chunk of stdout (lines may be split across chunks). */
  push(chunk: string): void {
    const lines = (this.partial + chunk).split('\n');
    this.partial = lines.pop() ?? '';
    for (const line of lines) this.line(line.trimEnd());
  }

  /** The reason debootstrap gave (its last `E:` line), if it gave one. */
  reason(): string | null {
    if (this.partial) this.line(this.partial.trimEnd());
    this.partial = '';
    return this.lastError;
  }

  private line(line: string): void {
    if (line.startsWith('E: ')) this.lastError = line.slice(3).trim();
    if (/^I: Retrieving (Release|InRelease|Packages)\b/.test(line)) return this.onProgress({ percent: Math.max(this.lastPercent, 2), label: 'fetching the package lists' });
    for (const stage of STAGES) {
      const match = stage.pattern.exec(line);
      if (!match) continue;
      const done = (this.counts.get(stage.stage) ?? 0) + 1;
      this.counts.set(stage.stage, done);
      if (stage.stage === 'download') this.downloaded = done;
      const total = stage.stage === 'download' ? Math.max(FIRST_ESTIMATE, done + 1) : Math.max(this.downloaded * stage.perPackage, done);
      this.lastPercent = Math.max(this.lastPercent, Math.floor(stage.from + ((stage.to - stage.from) * done) / total));
      const verb = line.slice(3, line.indexOf(' ', 3)).toLowerCase();
      const count = stage.stage === 'download' ? `${done}` : `${Math.ceil(done / stage.perPackage)}/${this.downloaded || '?'}`;
      return this.onProgress({ percent: this.lastPercent, label: `${verb} ${count} (${match[1]})` });
    }
  }
}
