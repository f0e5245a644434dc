import { shQuote } from '../shell-quote.js';
import { BOOT_MAC_TOKEN } from './boot-mac.js';
import { IDENTITY_RECORD_HEADER } from './identity.js';
import type { ConfigurePlan, StagePlan } from './plan.js';

const q = shQuote;

/**
 * A command argument may hold this token where the boot disk goes (`grub-install ... ${SI_BOOT_DISK}`):
 * the autoinstall script learns the disk only at install time. The shell applier expands it from
 * $SI_BOOT_DISK; applyPlan substitutes its `bootDisk` option.
 */
export const BOOT_DISK_TOKEN = '${SI_BOOT_DISK}';

/** Install-time tokens and the shell expansion each one becomes: commands get both, file contents the MAC. */
const MAC_TOKEN: readonly [string, string][] = [[BOOT_MAC_TOKEN, '"$SI_BOOT_MAC"']];
const COMMAND_TOKENS: readonly [string, string][] = [[BOOT_DISK_TOKEN, '"$SI_BOOT_DISK"'], ...MAC_TOKEN];

/** Quotes a word, leaving each of `tokens` in it as its expansion. */
function quoteArgument(word: string, tokens: readonly [string, string][] = COMMAND_TOKENS): string {
  const token = tokens.find(([t]) => word.includes(t));
  if (!token) return q(word);
  return word
    .split(token[0])
    .map((part) => (part === '' ? '' : quoteArgument(part, tokens)))
    .join(token[1]);
}

// A stage that writes the boot MAC refuses to run without a well-formed one: it would write a broken config.
const NEED_BOOT_MAC = `case \${SI_BOOT_MAC:-} in
	[0-9a-f][0-9a-f]:[0-9a-f][0-9a-f]:[0-9a-f][0-9a-f]:[0-9a-f][0-9a-f]:[0-9a-f][0-9a-f]:[0-9a-f][0-9a-f]) ;;
	*)
		printf '%s\\n' "si: no boot MAC (SI_BOOT_MAC is '\${SI_BOOT_MAC:-}'): this host has no MAC in the registry, so its network goes on the interface it booted from; set SI_BOOT_MAC=aa:bb:cc:dd:ee:ff" >&2
		return 1
		;;
	esac`;

// Helpers shared by every stage; they mirror applyPlan() in src/infra/configure/apply-plan.ts.
const HELPERS = `si_cfg_digest() {
	sha256sum < "$1" | cut -d ' ' -f 1
}

# si_cfg_write PATH MODE < CONTENT: replaces the file only when its content differs.
si_cfg_write() {
	si_cfg_dest=$TARGET$1
	mkdir -p "$(dirname "$si_cfg_dest")" || return 1
	cat > "$si_cfg_dest.si-new" || return 1
	chmod "$2" "$si_cfg_dest.si-new" || return 1
	if [ -f "$si_cfg_dest" ] && [ ! -L "$si_cfg_dest" ] && cmp -s "$si_cfg_dest.si-new" "$si_cfg_dest"; then
		rm -f "$si_cfg_dest.si-new" && chmod "$2" "$si_cfg_dest"
	else
		mv -f "$si_cfg_dest.si-new" "$si_cfg_dest"
	fi
}

si_cfg_link() {
	si_cfg_dest=$TARGET$1
	if [ -L "$si_cfg_dest" ] && [ "$(readlink "$si_cfg_dest")" = "$2" ]; then
		return 0
	fi
	mkdir -p "$(dirname "$si_cfg_dest")" && rm -f "$si_cfg_dest" && ln -s "$2" "$si_cfg_dest"
}

si_cfg_remove() {
	if [ -e "$TARGET$1" ] || [ -L "$TARGET$1" ]; then
		rm -f "$TARGET$1"
	fi
}

# si_cfg_machine_id PATH GOLDEN-SHA256...: a fresh id unless the file holds one that is not the golden's.
si_cfg_machine_id() {
	si_cfg_path=$1
	shift
	if [ -f "$TARGET$si_cfg_path" ]; then
		si_cfg_sum=$(si_cfg_digest "$TARGET$si_cfg_path")
		si_cfg_golden=no
		for si_cfg_g in "$@"; do
			if [ "$si_cfg_sum" = "$si_cfg_g" ]; then
				si_cfg_golden=yes
			fi
		done
		if [ "$si_cfg_golden" = no ]; then
			return 0
		fi
	fi
	# The kernel's random v4 UUID without dashes is exactly systemd's machine-id format.
	if [ -r /proc/sys/kernel/random/uuid ]; then
		si_cfg_id=$(tr -d '-' < /proc/sys/kernel/random/uuid)
	else
		si_cfg_id=$(od -An -N16 -tx1 /dev/urandom | tr -d ' \\n')
	fi
	printf '%s\\n' "$si_cfg_id" | si_cfg_write "$si_cfg_path" 0444
}

si_cfg_drop_golden() {
	if [ -f "$TARGET$1" ] && [ "$(si_cfg_digest "$TARGET$1")" = "$2" ]; then
		rm -f "$TARGET$1"
	fi
}

# si_cfg_record PATH HOST GLOB...: the digests of the host's identity files.
si_cfg_record() {
	si_cfg_rec=$1
	si_cfg_host=$2
	shift 2
	{
		LC_ALL=C
		printf '%s\\n' ${q(IDENTITY_RECORD_HEADER)} "host $si_cfg_host"
		for si_cfg_glob in "$@"; do
			# shellcheck disable=SC2086 # the glob is meant to expand
			for si_cfg_f in "$TARGET"$si_cfg_glob; do
				if [ -f "$si_cfg_f" ]; then
					printf '%s  %s\\n' "$(si_cfg_digest "$si_cfg_f")" "\${si_cfg_f#"$TARGET"}"
				fi
			done
		done
	} | si_cfg_write "$si_cfg_rec" 0644
}`;

function stageUsesBootMac(stage: StagePlan): boolean {
  return stage.write.some((w) => w.content.includes(BOOT_MAC_TOKEN) || w.path.includes(BOOT_MAC_TOKEN)) || stage.commands.some((c) => c.argv.some((w) => w.includes(BOOT_MAC_TOKEN)));
}

function functionName(stage: string): string {
  return `si_configure_${stage.replaceAll('-', '_')}`;
}

function renderStage(stage: StagePlan): string[] {
  const lines = [`${functionName(stage.stage)}() {`];
  const step = (line: string) => lines.push(`\t${line} || return 1`);
  for (const warning of stage.warnings) lines.push(`\tprintf '%s\\n' ${q(`warning: ${warning}`)} >&2`);
  if (stageUsesBootMac(stage)) lines.push(...NEED_BOOT_MAC.split('\n').map((line) => `\t${line}`));
  for (const action of stage.identity) {
    if (action.kind === 'fresh-machine-id') step(['si_cfg_machine_id', q(action.path), ...action.replace.map(q)].join(' '));
    else step(`si_cfg_drop_golden ${q(action.path)} ${q(action.sha256)}`);
  }
  for (const path of stage.remove) step(`si_cfg_remove ${q(path)}`);
  for (const write of stage.write) step(`printf '%s' ${quoteArgument(write.content, MAC_TOKEN)} | si_cfg_write ${quoteArgument(write.path, MAC_TOKEN)} ${write.mode}`);
  for (const link of stage.links) step(`si_cfg_link ${q(link.path)} ${q(link.target)}`);
  for (const command of stage.commands) step(`chroot "$TARGET" ${command.argv.map((word) => quoteArgument(word)).join(' ')}`);
  if (stage.record) step(['si_cfg_record', q(stage.record.path), q(stage.record.host), ...stage.record.files.map(q)].join(' '));
  lines.push('\t:', '}');
  return lines;
}

/** The si_cfg_* helper functions every rendered plan uses, for a script that defines them once for many plans. */
export function renderShellHelpers(): string {
  return `${HELPERS}\n`;
}

/**
 * The plan as POSIX sh, for the autoinstall script: defines si_configure (and one function per
 * stage) acting on the tree at $TARGET (default /a). With `run` (the default) the script ends
 * by calling si_configure; the master script includes it with run: false and calls it itself.
 * With `helpers: false` the si_cfg_* helpers are left out (renderShellHelpers() gives them).
 */
export function renderPlanAsShell(plan: ConfigurePlan, options: { run?: boolean; helpers?: boolean } = {}): string {
  const header = [
    '#!/bin/sh',
    '# shellcheck disable=SC2016 # file contents are single-quoted on purpose: nothing in them expands',
    `# sisuite configure plan for ${plan.host} (${(plan.system.prettyName ?? plan.system.id).replace(/[\r\n]/g, ' ')}).`,
    '# Generated; applies to the root tree at $TARGET (default /a).',
    ': "${TARGET:=/a}"',
    ...(options.helpers === false ? [] : ['', HELPERS]),
  ];
  const stages = plan.stages.flatMap((stage) => ['', ...renderStage(stage)]);
  const main = ['', 'si_configure() {', ...plan.stages.map((stage) => `\t${functionName(stage.stage)} || return 1`), '\t:', '}'];
  const run = options.run === false ? [] : ['', 'si_configure'];
  return [...header, ...stages, ...main, ...run, ''].join('\n');
}
