import { describe, expect, it } from 'vitest';
import { carriedImage, confWithImage, decideImage, parseAssignments } from '../../../src/core/pushupdate/image-check.js';

describe('which image a client gets', () => {
  it('reads the image the client carries: image-version first, else the conf', () => {
    expect(carriedImage('SI_IMAGE=a\nSI_IMAGE_VERSION=3\n', "SI_IMAGE='b'\n")).toEqual({ image: 'a', version: '3' });
    expect(carriedImage(null, "SI_SERVER='x'\nSI_IMAGE='b'\n")).toEqual({ image: 'b', version: null });
    expect(carriedImage(null, null)).toEqual({ image: null, version: null });
    expect(parseAssignments("A='it'\\''s'\nB=2\n# C=3\n")).toEqual({ A: "it's", B: '2' });
  });

  it('pushes the registry image to a client carrying it; refuses another unless --image names the pushed one', () => {
    expect(decideImage({ host: 'n1', registryImage: 'a', carried: 'a' })).toEqual({ image: 'a', switchConf: false, refusal: null });
    expect(decideImage({ host: 'n1', registryImage: 'b', carried: 'a' }).refusal).toBe(
      'n1 carries image a, not b: give --image b to move it to b, or --image a to update it within a',
    );
    expect(decideImage({ host: 'n1', registryImage: 'b', carried: 'a', requested: 'a' })).toEqual({ image: 'a', switchConf: false, refusal: null });
    expect(decideImage({ host: 'n1', registryImage: 'a', carried: 'a', requested: 'c' })).toEqual({ image: 'c', switchConf: true, refusal: null });
    expect(decideImage({ host: 'n1', registryImage: 'a', carried: null }).refusal).toMatch(/^n1 says no image/);
  });

  it('rewrites SI_IMAGE in updateclient.conf, or adds it', () => {
    expect(confWithImage("SI_SERVER='s'\nSI_IMAGE='a'\nSI_HOST='n1'\n", 'b')).toBe("SI_SERVER='s'\nSI_IMAGE='b'\nSI_HOST='n1'\n");
    expect(confWithImage("SI_SERVER='s'\n", 'b')).toBe("SI_SERVER='s'\nSI_IMAGE='b'\n");
  });
});
