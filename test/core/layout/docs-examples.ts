import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** The JSON examples of docs/layout.md, by their heading, so the documentation is tested as written. */
export function readDocExamples(): Map<string, string> {
  const text = readFileSync(fileURLToPath(new URL('../../../docs/layout.md', import.meta.url)), 'utf8');
  const examples = new Map<string, string>();
  const pattern = /^### (.+)\n\n```json\n([\s\S]*?)\n```/gm;
  for (const m of text.matchAll(pattern)) examples.set(m[1] as string, m[2] as string);
  return examples;
}
