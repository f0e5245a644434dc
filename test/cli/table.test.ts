import { describe, expect, it } from 'vitest';
import { formatColumns } from '../../src/cli/table.js';

describe('formatColumns', () => {
  it('aligns every column to its widest cell, two spaces apart, with no trailing blanks', () => {
    const text = formatColumns(['HOST', 'IP', 'STATE'], [['node1', '10.0.0.1', 'new'], ['n2', '10.0.0.200', 'installed'], ['n3', '', '']]);
    expect(text.split('\n')).toEqual([
      'HOST   IP          STATE',
      'node1  10.0.0.1    new',
      'n2     10.0.0.200  installed',
      'n3',
    ]);
  });

  it('counts a letter with an accent as one column and prints numbers as they are', () => {
    expect(formatColumns(['NAME', 'N'], [['né', 7], ['abc', 10]]).split('\n')).toEqual(['NAME  N', 'né    7', 'abc   10']);
  });

  it('lays out 10,000 rows as 10,001 lines of equal column starts', () => {
    const rows = Array.from({ length: 10_000 }, (_, i) => [`node${i + 1}`, `10.1.${Math.floor(i / 250)}.${(i % 250) + 1}`, 'install']);
    const lines = formatColumns(['HOST', 'IP', 'BOOT'], rows).split('\n');
    expect(lines).toHaveLength(10_001);
    const bootColumn = lines[0]?.indexOf('BOOT');
    expect(lines.every((line, i) => i === 0 || line.indexOf('install') === bootColumn)).toBe(true);
  });
});
