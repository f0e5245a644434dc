// Pure reading of OCI indexes and manifests, docker manifests, whiteout names and archive suffixes.
import { describe, expect, it } from 'vitest';
import { compressionOf, exportTarArgv } from '../../../src/core/images/archive-plans.js';
import { layersFromDockerManifest, layersFromManifest, manifestFromIndex, whiteoutOf } from '../../../src/core/images/oci-layout.js';

const HEX = 'a'.repeat(64);

describe('OCI layouts and archives', () => {
  it('reads whiteout names', () => {
    expect(whiteoutOf('.wh..wh..opq')).toEqual({ kind: 'opaque' });
    expect(whiteoutOf('.wh.passwd')).toEqual({ kind: 'delete', name: 'passwd' });
    expect(whiteoutOf('.wh.')).toBeNull();
    expect(whiteoutOf('passwd')).toBeNull();
  });

  it('finds the one manifest, or the linux/amd64 one, and refuses ambiguity and bad digests', () => {
    const entry = (arch: string) => ({ mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: `sha256:${HEX}`, platform: { architecture: arch, os: 'linux' } });
    expect(manifestFromIndex({ manifests: [entry('arm64')] }, 'L')).toBe(`blobs/sha256/${HEX}`);
    expect(manifestFromIndex({ manifests: [entry('arm64'), entry('amd64')] }, 'L')).toBe(`blobs/sha256/${HEX}`);
    expect(() => manifestFromIndex({ manifests: [entry('amd64'), entry('amd64')] }, 'L')).toThrow(/lists 2 manifests/);
    expect(() => manifestFromIndex({ manifests: [] }, 'L')).toThrow(/lists no manifest/);
    expect(() => manifestFromIndex({ manifests: [{ digest: 'sha256:../../etc/passwd' }] }, 'L')).toThrow(/no valid sha256 digest/);
    expect(() => manifestFromIndex([], 'L')).toThrow(/not a JSON object/);
  });

  it('lists layers in order with their compression, refusing non-tar layers', () => {
    const layers = [
      { mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', digest: `sha256:${HEX}` },
      { mediaType: 'application/vnd.oci.image.layer.v1.tar+zstd', digest: `sha256:${'b'.repeat(64)}` },
      { mediaType: 'application/vnd.docker.image.rootfs.diff.tar.gzip', digest: `sha256:${'c'.repeat(64)}` },
      { mediaType: 'application/vnd.oci.image.layer.v1.tar', digest: `sha256:${'d'.repeat(64)}` },
    ];
    expect(layersFromManifest({ layers }, 'L').map((l) => l.compression)).toEqual(['gzip', 'zstd', 'gzip', 'none']);
    expect(() => layersFromManifest({ layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar+encrypted', digest: `sha256:${HEX}` }] }, 'L')).toThrow(/not a tar layer/);
  });

  it('reads docker manifests and refuses paths outside the archive', () => {
    expect(layersFromDockerManifest([{ Layers: ['a/layer.tar', 'b/layer.tar'] }], 'A').map((l) => l.path)).toEqual(['a/layer.tar', 'b/layer.tar']);
    expect(() => layersFromDockerManifest([{ Layers: ['../x'] }], 'A')).toThrow(/unsafe path/);
    expect(() => layersFromDockerManifest([{}, {}], 'A')).toThrow(/exactly one image/);
  });

  it('tells compression by suffix and keeps xattrs, ACLs and numeric owners in the export', () => {
    expect(['a.tar', 'a.tar.gz', 'a.tgz', 'a.tar.zst'].map(compressionOf)).toEqual(['none', 'gzip', 'gzip', 'zstd']);
    expect(() => compressionOf('a.tar.xz')).toThrow(/cannot tell the compression of a\.tar\.xz/);
    expect(exportTarArgv('/r', '/f.tmp', 'zstd')).toEqual(['tar', '--create', '--file', '/f.tmp', '--zstd', '--format=posix', '--xattrs', '--xattrs-include=*', '--acls', '--numeric-owner', '--sparse', '--directory', '/r', '.']);
  });
});
