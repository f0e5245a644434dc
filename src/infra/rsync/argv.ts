// The builder is pure and lives in core (the capture planner uses it); kept here for existing importers.
export { buildRsyncArgv, sshCommandForRsync, type RsyncRequest, type SshTransport } from '../../core/rsync/argv.js';
