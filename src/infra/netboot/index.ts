export { listOverlays, netbootRoots, readNetbootSettings, renderNetbootFiles, writeNetbootFiles, type NetbootRoots, type RenderedFile } from './netboot-files.js';
