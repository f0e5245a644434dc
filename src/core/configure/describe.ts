import type { Footprint } from './footprint.js';
import { STAGES } from './stages.js';

const code = (items: readonly string[]) => items.map((item) => `\`${item}\``).join(', ');

function detects(fp: Footprint): string {
  const parts: string[] = [];
  if (fp.detect.all?.length) parts.push(`all of ${code(fp.detect.all)}`);
  if (fp.detect.any?.length) parts.push(`any of ${code(fp.detect.any)}`);
  if (fp.detect.none?.length) parts.push(`none of ${code(fp.detect.none)}`);
  return parts.join('; ');
}

function writes(fp: Footprint): string {
  const parts: string[] = [];
  if (fp.files?.length) parts.push(`writes ${fp.files.map((f) => `\`${f.path}\` (${f.template})`).join(', ')}`);
  if (fp.edits?.length) parts.push(`edits ${code([...new Set(fp.edits.map((e) => (e.kind === 'replace' ? e.glob : e.path)))])}`);
  if (fp.links?.length) parts.push(`links ${fp.links.map((l) => `\`${l.path}\` → \`${l.target}\``).join(', ')}`);
  if (fp.remove?.length) parts.push(`removes ${code(fp.remove.map((r) => r.glob))}`);
  if (fp.identity?.machineIds?.length) parts.push(`fresh id in ${code(fp.identity.machineIds)}`);
  if (fp.identity?.drop?.length) parts.push(`drops golden ${code(fp.identity.drop)}`);
  if (fp.commands?.length) parts.push(`runs ${fp.commands.map((c) => `\`${c.argv.join(' ')}\`${c.each ? ` for each \`${c.each}\`` : ''}`).join(', ')}`);
  if (fp.warning) parts.push('warns');
  return parts.join('; ');
}

/** The generated catalog section of docs/footprints.md (a test keeps the two in step). */
export function describeCatalog(catalog: readonly Footprint[]): string {
  const lines: string[] = [];
  for (const stage of STAGES) {
    lines.push(`### ${stage}`, '', '| footprint | slot (priority) | detects | does |', '|---|---|---|---|');
    for (const fp of catalog.filter((f) => f.stage === stage)) {
      const slot = fp.slot ? `${fp.slot} (${fp.priority ?? 0})` : '—';
      lines.push(`| \`${fp.id}\` | ${slot} | ${detects(fp)} | ${fp.summary}.<br>${writes(fp)} |`.replaceAll('\n', ' '));
    }
    lines.push('');
  }
  return lines.join('\n');
}
