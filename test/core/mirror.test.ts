import { describe, expect, it } from 'vitest';
import { findAptMirror } from '../../src/core/mirror.js';

const DEB822 = `Types: deb
# a comment
URIs: http://mirror.example/debian-security
Suites: bookworm-security
Components: main

Types: deb-src
URIs: http://mirror.example/sources
Suites: bookworm

Types: deb
URIs: http://mirror.example/debian http://other.example/debian
Suites: bookworm bookworm-updates
Components: main
`;

describe('findAptMirror', () => {
  it('takes the first URI of the deb stanza whose Suites name the suite exactly', () => {
    expect(findAptMirror({ deb822: [DEB822], oneLine: [], suite: 'bookworm' })).toBe('http://mirror.example/debian');
  });

  it('falls back to the first deb line of sources.list, skipping comments, deb-src and options', () => {
    const oneLine = '# deb http://commented.example/ bookworm main\ndeb-src http://src.example/ bookworm main\ndeb [arch=amd64] http://list.example/debian bookworm main\n';
    expect(findAptMirror({ deb822: [], oneLine: [oneLine], suite: 'bookworm' })).toBe('http://list.example/debian');
  });

  it('uses a mirror of another suite (mirrors serve every suite), never a security-only or disabled one', () => {
    expect(findAptMirror({ deb822: [DEB822.replace(/bookworm bookworm-updates/, 'trixie')], oneLine: [], suite: 'bookworm' })).toBe('http://mirror.example/debian');
    const securityOnly = DEB822.split('\n\n')[0] ?? '';
    expect(findAptMirror({ deb822: [securityOnly], oneLine: [], suite: 'bookworm' })).toBeUndefined();
    const disabled = DEB822.replace('Suites: bookworm bookworm-updates', 'Suites: bookworm\nEnabled: no');
    expect(findAptMirror({ deb822: [disabled], oneLine: [], suite: 'bookworm' })).toBeUndefined();
  });
});
